//! What the CSP sync reads and compares, shared by planning (`csp.rs`) and applying
//! (`csp_apply.rs`): the organization's roles and services, the roles a member or invitation
//! holds, and the difference to a wanted set.

use crate::csp::model::{Invitation, Service, ServiceRole, User};
use crate::csp::request::{InvitationQuery, NameQuery, OrganizationRoleQuery, ServiceRoleQuery};
use crate::csp::user_roles::{RoleChange, ServiceRoleRef};
use crate::csp::CspClient;
use crate::error::Result;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The roles a row or member holds, as a plan shows them.
pub(super) fn roles_json(org: &BTreeSet<String>, service: &[String]) -> Value {
    json!({"organizationRoles": org, "serviceRoles": service})
}

/// The organization's roles and services, to check the file's names and write reports.
pub(super) struct Catalog {
    pub(super) org_roles: Vec<String>,
    services: Vec<Service>,
    roles: Vec<ServiceRole>,
    /// Lower-case display name, technical name and id -> index in `services`.
    service_keys: HashMap<String, usize>,
    /// Service id -> index in `services`.
    service_ids: HashMap<String, usize>,
}

impl Catalog {
    pub(super) async fn read(client: &CspClient) -> Result<Catalog> {
        let services = client.services(&NameQuery::default()).await?;
        let mut service_keys = HashMap::new();
        let mut service_ids = HashMap::new();
        for (i, s) in services.iter().enumerate() {
            service_ids.insert(s.id.clone(), i);
            for key in [&s.id, &s.name, &s.technical_name] {
                service_keys.entry(key.to_lowercase()).or_insert(i);
            }
        }
        Ok(Catalog {
            org_roles: client.organization_roles(&OrganizationRoleQuery::default()).await?.into_iter().map(|r| r.name).collect(),
            services,
            roles: client.service_roles(&ServiceRoleQuery::default()).await?,
            service_keys,
            service_ids,
        })
    }

    fn service(&self, id: &str) -> Option<&Service> {
        self.service_ids.get(id).map(|i| &self.services[*i])
    }

    fn service_name(&self, id: &str) -> String {
        self.service(id).map(|s| s.name.clone()).unwrap_or_else(|| id.to_string())
    }

    /// `Service Name=role` (or a bare role name) to the role, or why not.
    pub(super) fn service_role(&self, item: &str) -> std::result::Result<ServiceRoleRef, String> {
        let (service, role) = match item.split_once('=') {
            Some((s, r)) => (Some(s.trim()), r.trim()),
            None => (None, item.trim()),
        };
        let service = match service {
            None => None,
            Some(s) => {
                let l = s.to_lowercase();
                Some(
                    self.service_keys
                        .get(&l)
                        .map(|i| &self.services[*i])
                        .ok_or_else(|| format!("no service '{}' in this organization", crate::error::excerpt(s)))?,
                )
            }
        };
        let found =
            self.roles.iter().find(|r| r.name == role && service.map_or(true, |s| s.id == r.service_id)).ok_or_else(|| match service {
                Some(s) => format!("'{}' is not a role of {}", crate::error::excerpt(role), s.name),
                None => format!("no service of this organization has the role '{}' (write Service Name=role)", crate::error::excerpt(role)),
            })?;
        let svc = self.service(&found.service_id);
        Ok(ServiceRoleRef {
            service_id: found.service_id.clone(),
            service_link: svc.map(|s| s.self_link.clone()).unwrap_or_default(),
            service_name: found.service_name.clone(),
            role: found.name.clone(),
        })
    }
}

pub(super) fn service_lines(refs: &BTreeSet<ServiceRoleRef>) -> Vec<String> {
    let lines: BTreeSet<String> = refs.iter().map(|s| format!("{}={}", s.service_name, s.role)).collect();
    lines.into_iter().collect()
}

/// A member's roles as comparable sets.
pub(super) fn held(user: &User, cat: &Catalog) -> (BTreeSet<String>, BTreeSet<ServiceRoleRef>) {
    let org = user.organization_roles.iter().cloned().collect();
    let service = user
        .service_roles
        .iter()
        .flat_map(|g| {
            g.roles.iter().map(move |r| ServiceRoleRef {
                service_id: g.service_id.clone(),
                service_link: cat.service(&g.service_id).map(|s| s.self_link.clone()).unwrap_or_default(),
                service_name: cat.service_name(&g.service_id),
                role: r.clone(),
            })
        })
        .collect();
    (org, service)
}

pub(super) fn invitation_held(inv: &Invitation, cat: &Catalog) -> (BTreeSet<String>, BTreeSet<ServiceRoleRef>) {
    let as_user = User {
        id: inv.id.clone(),
        username: inv.email.clone(),
        email: inv.email.clone(),
        name: String::new(),
        first_name: String::new(),
        last_name: String::new(),
        organization_roles: inv.organization_roles.clone(),
        service_roles: inv.service_roles.clone(),
        uid: String::new(),
    };
    held(&as_user, cat)
}

pub(super) fn fingerprint(org: &BTreeSet<String>, service: &BTreeSet<ServiceRoleRef>) -> Value {
    roles_json(org, &service_lines(service))
}

/// The change that takes `held` to `wanted`.
pub(super) fn difference(
    held: &(BTreeSet<String>, BTreeSet<ServiceRoleRef>),
    org: &BTreeSet<String>,
    service: &BTreeSet<ServiceRoleRef>,
) -> RoleChange {
    let key = |s: &ServiceRoleRef| (s.service_id.clone(), s.role.clone());
    let held_keys: HashSet<(String, String)> = held.1.iter().map(key).collect();
    let want_keys: HashSet<(String, String)> = service.iter().map(key).collect();
    RoleChange {
        add_org: org.difference(&held.0).cloned().collect(),
        remove_org: held.0.difference(org).cloned().collect(),
        add_service: service.iter().filter(|s| !held_keys.contains(&key(s))).cloned().collect(),
        remove_service: held.1.iter().filter(|s| !want_keys.contains(&key(s))).cloned().collect(),
    }
}

/// Reads the organization: every member (all pages) and every pending invitation.
pub(super) async fn read_org(client: &CspClient) -> Result<(Vec<User>, Vec<Invitation>)> {
    let members = client.all_users().await?;
    let pending = client.invitations(&InvitationQuery { status: vec!["Available".into()], ..Default::default() }).await?;
    Ok((members, pending))
}
