//! Organization roles, services and service roles: listing, and checking role specs for invitations.

use super::model::*;
use super::request::*;
use super::{enc, CspClient, AM};
use crate::error::{Error, Result};
use crate::wildcard::any_matches;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

impl CspClient {
    // ---- organization roles, services, service roles ----------------------------------------

    pub async fn organization_roles(&self, query: &OrganizationRoleQuery) -> Result<Vec<OrganizationRole>> {
        let names = patterns("name", &query.name)?;
        let wire: WireOrgRoles = self.get_json(&format!("{AM}/orgs/{}/roles", self.inner.org_id), "organization roles").await?;
        let held: Option<HashSet<String>> = if query.user.is_empty() {
            None
        } else {
            let refs: Vec<UserRef> = query.user.iter().map(|u| UserRef::parse(u)).collect();
            let mut held = HashSet::new();
            for (input, resolved) in self.resolve_users(&refs).await? {
                let ids = resolved.map_err(|mut e| {
                    e.message = format!("user '{}': {}", crate::error::excerpt(&input), e.message);
                    e
                })?;
                for id in ids {
                    let v: Value =
                        self.get_json(&format!("{AM}/v2/users/{}/orgs/{}/roles", enc(&id), self.inner.org_id), "user roles").await?;
                    let list = v.get("organizationRoles").cloned().unwrap_or(v);
                    for r in list.as_array().into_iter().flatten() {
                        if let Some(n) = r.get("name").and_then(Value::as_str) {
                            held.insert(n.to_string());
                        }
                    }
                }
            }
            Some(held)
        };
        Ok(wire
            .org_roles_data
            .into_iter()
            .map(|r| {
                let id = r.id.clone().or_else(|| r.ref_link.as_deref().map(last_segment)).unwrap_or_else(|| r.name.clone());
                OrganizationRole {
                    uid: self.uid("VcsOrganizationRole", &id),
                    id,
                    display_name: r.display_name.unwrap_or_else(|| r.name.clone()),
                    name: r.name,
                }
            })
            .filter(|r| any_matches(&names, [r.name.as_str(), r.display_name.as_str()]))
            .filter(|r| query.id.is_empty() || query.id.iter().any(|i| i == &r.id || i == &r.name))
            .filter(|r| held.as_ref().map_or(true, |h| h.contains(&r.name)))
            .collect())
    }

    pub(super) async fn service_definitions(&self) -> Result<&Vec<WireServiceDefinition>> {
        self.inner
            .services
            .get_or_try_init(|| async {
                let path =
                    format!("/csp/gateway/slc/api/definitions?expand=1&orgLink={}", enc(&format!("{AM}/orgs/{}", self.inner.org_id)));
                let wire: WireServiceDefinitions = self.get_json(&path, "service definitions").await?;
                Ok(wire.results.into_iter().filter(|s| s.visible != Some(false)).collect())
            })
            .await
    }

    pub(super) fn to_service(&self, s: &WireServiceDefinition) -> Service {
        let link = s.document_self_link.clone().unwrap_or_default();
        let id = if link.is_empty() { s.name.clone() } else { last_segment(&link) };
        Service {
            uid: self.uid("VcsService", &id),
            id,
            name: s.display_name.clone().unwrap_or_else(|| s.name.clone()),
            technical_name: s.name.clone(),
            description: s.description_long.clone().unwrap_or_default(),
            self_link: link,
        }
    }

    pub async fn services(&self, query: &NameQuery) -> Result<Vec<Service>> {
        let names = patterns("name", &query.name)?;
        let defs = self.service_definitions().await?;
        Ok(defs
            .iter()
            .map(|s| self.to_service(s))
            .filter(|s| any_matches(&names, [s.name.as_str(), s.technical_name.as_str()]))
            .filter(|s| query.id.is_empty() || query.id.iter().any(|i| i == &s.id || i == &s.self_link))
            .collect())
    }

    /// Finds one service by id, link, technical name or display name; `field` names the input.
    pub(super) async fn find_service(&self, field: &str, key: &str) -> Result<Service> {
        let all = self.services(&NameQuery::default()).await?;
        let key_l = key.to_lowercase();
        all.into_iter()
            .find(|s| s.id == key || s.self_link == key || s.technical_name.to_lowercase() == key_l || s.name.to_lowercase() == key_l)
            .ok_or_else(|| Error::invalid(field, format!("no service '{}' in this organization", crate::error::excerpt(&key))))
    }

    pub async fn service_roles(&self, query: &ServiceRoleQuery) -> Result<Vec<ServiceRole>> {
        let names = patterns("name", &query.name)?;
        let service_patterns = patterns("service", &query.service)?;
        let defs = self.service_definitions().await?;
        let mut out = Vec::new();
        for def in defs {
            let svc = self.to_service(def);
            let service_ok = query.service.is_empty()
                || query.service.iter().any(|s| s == &svc.id || s == &svc.self_link)
                || any_matches(&service_patterns, [svc.name.as_str(), svc.technical_name.as_str()]) && !service_patterns.is_empty();
            if !service_ok {
                continue;
            }
            for r in &def.service_roles {
                let role = ServiceRole {
                    id: r.name.clone(),
                    name: r.name.clone(),
                    display_name: r.display_name.clone().unwrap_or_else(|| r.name.clone()),
                    service_id: svc.id.clone(),
                    service_name: svc.name.clone(),
                    uid: self.uid("VcsServiceRole", &r.name),
                };
                if any_matches(&names, [role.name.as_str(), role.display_name.as_str()])
                    && (query.id.is_empty() || query.id.contains(&role.id))
                {
                    out.push(role);
                }
            }
        }
        Ok(out)
    }

    pub(super) async fn service_names(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .service_definitions()
            .await?
            .iter()
            .map(|d| {
                let s = self.to_service(d);
                (s.id, s.name)
            })
            .collect())
    }

    pub(super) fn grants(&self, wire: &[WireServiceRoles], names: &HashMap<String, String>) -> Vec<ServiceRoleGrant> {
        wire.iter()
            .map(|g| {
                let id = g.service_id();
                ServiceRoleGrant {
                    service_name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                    service_id: id,
                    roles: g.role_names(),
                }
            })
            .collect()
    }

    /// Checks service role specs and groups them by service as the service wants them. A spec with
    /// no service finds each role's service by the role's name.
    pub(super) async fn service_role_dtos(&self, specs: &[ServiceRoleSpec]) -> Result<Vec<Value>> {
        let all_roles = self.service_roles(&ServiceRoleQuery::default()).await?;
        let services = self.services(&NameQuery::default()).await?;
        // service id -> role names, in first-seen order
        let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            if spec.roles.is_empty() {
                return Err(Error::invalid(format!("serviceRoles[{i}].roles"), "must name at least one role"));
            }
            let service = if spec.service.trim().is_empty() {
                None
            } else {
                Some(self.find_service(&format!("serviceRoles[{i}].service"), &spec.service).await?)
            };
            for (j, r) in spec.roles.iter().enumerate() {
                let field = format!("serviceRoles[{i}].roles[{j}]");
                let role = all_roles.iter().find(|k| &k.name == r && service.as_ref().map_or(true, |s| s.id == k.service_id)).ok_or_else(
                    || match &service {
                        Some(s) => Error::invalid(&field, format!("'{}' is not a role of {}", crate::error::excerpt(r), s.name)),
                        None => {
                            Error::invalid(&field, format!("no service of this organization has the role '{}'", crate::error::excerpt(&r)))
                        }
                    },
                )?;
                match grouped.iter_mut().find(|(sid, _)| sid == &role.service_id) {
                    Some((_, names)) if !names.contains(r) => names.push(r.clone()),
                    Some(_) => {}
                    None => grouped.push((role.service_id.clone(), vec![r.clone()])),
                }
            }
        }
        Ok(grouped
            .into_iter()
            .map(|(sid, names)| {
                let link = services.iter().find(|s| s.id == sid).map(|s| s.self_link.clone()).unwrap_or_default();
                json!({"serviceDefinitionLink": link, "serviceRoles": names.iter().map(|r| json!({"name": r})).collect::<Vec<_>>()})
            })
            .collect())
    }
}
