//! Changing members' roles (`Set-VcsUser`): add and remove organization and service roles for
//! one or many users, through `PATCH /v3/users/{user}/orgs/{org}/roles`. Names are checked once
//! for the whole call; each user is then compared with what they hold, so a role already held
//! (or already absent) sends nothing and is reported `unchanged`.

use super::model::*;
use super::request::*;
use super::{enc, CspClient, AM};
use crate::bulk::{BulkItem, BulkReport, Target};
use crate::error::{Error, ErrorCategory, Result};
use crate::wildcard::Pattern;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// `vcs_set_user_roles`: `{"users": [...], "addOrganizationRoles": [...], "removeOrganizationRoles":
/// [...], "addServiceRoles": [{"service", "roles"}], "removeServiceRoles": [...], "notifyUsers",
/// "dryRun"}`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRolesRequest {
    /// Ids, usernames, emails, patterns, or user objects as `users()` returns them.
    pub users: Vec<Value>,
    #[serde(default, deserialize_with = "names_or_objects")]
    pub add_organization_roles: Vec<String>,
    #[serde(default, deserialize_with = "names_or_objects")]
    pub remove_organization_roles: Vec<String>,
    #[serde(default)]
    pub add_service_roles: Vec<ServiceRoleSpec>,
    #[serde(default)]
    pub remove_service_roles: Vec<ServiceRoleSpec>,
    #[serde(default)]
    pub notify_users: bool,
    /// Compare and report (`wouldUpdate` / `unchanged`); send nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// One service role, checked against the organization's services.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceRoleRef {
    pub service_id: String,
    pub service_link: String,
    pub service_name: String,
    pub role: String,
}

/// A checked change for one member: what to add and remove.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoleChange {
    pub add_org: Vec<String>,
    pub remove_org: Vec<String>,
    pub add_service: Vec<ServiceRoleRef>,
    pub remove_service: Vec<ServiceRoleRef>,
}

impl RoleChange {
    pub fn is_empty(&self) -> bool {
        self.add_org.is_empty() && self.remove_org.is_empty() && self.add_service.is_empty() && self.remove_service.is_empty()
    }

    /// The part of the change that would alter `user`: roles they lack to add, roles they hold to remove.
    pub fn effective_for(&self, user: &User) -> RoleChange {
        let held_service: HashSet<(&str, &str)> =
            user.service_roles.iter().flat_map(|g| g.roles.iter().map(move |r| (g.service_id.as_str(), r.as_str()))).collect();
        RoleChange {
            add_org: self.add_org.iter().filter(|r| !user.organization_roles.contains(r)).cloned().collect(),
            remove_org: self.remove_org.iter().filter(|r| user.organization_roles.contains(r)).cloned().collect(),
            add_service: self
                .add_service
                .iter()
                .filter(|s| !held_service.contains(&(s.service_id.as_str(), s.role.as_str())))
                .cloned()
                .collect(),
            remove_service: self
                .remove_service
                .iter()
                .filter(|s| held_service.contains(&(s.service_id.as_str(), s.role.as_str())))
                .cloned()
                .collect(),
        }
    }

    /// Short lines for people: `+org_member`, `-developer`, `+VMware Cloud on AWS=nsx:cloud_admin`.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self.add_org.iter().map(|r| format!("+{r}")).collect();
        out.extend(self.remove_org.iter().map(|r| format!("-{r}")));
        out.extend(self.add_service.iter().map(|s| format!("+{}={}", s.service_name, s.role)));
        out.extend(self.remove_service.iter().map(|s| format!("-{}={}", s.service_name, s.role)));
        out
    }

    /// The user's roles once the change is made: (organization roles, `Service=role` lines), sorted.
    pub fn roles_after(&self, user: &User, names: &HashMap<String, String>) -> (Vec<String>, Vec<String>) {
        let mut org: BTreeSet<String> = user.organization_roles.iter().cloned().collect();
        for r in &self.remove_org {
            org.remove(r);
        }
        org.extend(self.add_org.iter().cloned());
        let mut svc: BTreeSet<(String, String)> =
            user.service_roles.iter().flat_map(|g| g.roles.iter().map(move |r| (g.service_id.clone(), r.clone()))).collect();
        for s in &self.remove_service {
            svc.remove(&(s.service_id.clone(), s.role.clone()));
        }
        svc.extend(self.add_service.iter().map(|s| (s.service_id.clone(), s.role.clone())));
        let lines: BTreeSet<String> = svc.into_iter().map(|(id, r)| format!("{}={r}", names.get(&id).cloned().unwrap_or(id))).collect();
        (org.into_iter().collect(), lines.into_iter().collect())
    }

    fn body(&self, notify_users: bool) -> Value {
        let mut by_service: Vec<(&str, Vec<&str>, Vec<&str>)> = Vec::new();
        for (s, adding) in self.add_service.iter().map(|s| (s, true)).chain(self.remove_service.iter().map(|s| (s, false))) {
            let idx = match by_service.iter().position(|(l, _, _)| *l == s.service_link) {
                Some(i) => i,
                None => {
                    by_service.push((&s.service_link, Vec::new(), Vec::new()));
                    by_service.len() - 1
                }
            };
            if adding {
                by_service[idx].1.push(&s.role);
            } else {
                by_service[idx].2.push(&s.role);
            }
        }
        let mut body = json!({"notifyUsers": notify_users});
        if !self.add_org.is_empty() || !self.remove_org.is_empty() {
            body["organizationRoles"] = json!({"roleNamesToAdd": self.add_org, "roleNamesToRemove": self.remove_org});
        }
        if !by_service.is_empty() {
            body["serviceRoles"] = Value::Array(
                by_service
                    .into_iter()
                    .map(|(link, add, remove)| json!({"serviceDefinitionLink": link, "roleNamesToAdd": add, "roleNamesToRemove": remove}))
                    .collect(),
            );
        }
        body
    }
}

pub(crate) fn target_of(u: &User) -> Target {
    Target { id: u.id.clone(), username: u.username.clone(), email: u.email.clone(), name: u.name.clone() }
}

impl CspClient {
    /// The same connection without the job: for calls whose items the caller records itself.
    pub(crate) fn without_job(&self) -> CspClient {
        CspClient { inner: self.inner.clone(), progress: self.progress.clone(), job: None }
    }

    /// The caller's username, as the access token names it.
    pub fn caller(&self) -> &str {
        &self.inner.username
    }

    /// Service id -> display name, for reports.
    pub async fn service_display_names(&self) -> Result<HashMap<String, String>> {
        self.service_names().await
    }

    /// Checks organization role names; `field` names the list (`addOrganizationRoles`).
    pub async fn check_organization_roles(&self, field: &str, names: &[String]) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        let known = self.organization_roles(&OrganizationRoleQuery::default()).await?;
        for (i, r) in names.iter().enumerate() {
            if !known.iter().any(|k| &k.name == r) {
                let all: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
                return Err(Error::invalid(
                    format!("{field}[{i}]"),
                    format!("unknown role '{}'; this organization has {}", crate::error::excerpt(r), all.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// Checks service role specs (service by name, technical name or id; roles of that service).
    pub async fn service_role_refs(&self, field: &str, specs: &[ServiceRoleSpec]) -> Result<Vec<ServiceRoleRef>> {
        if specs.is_empty() {
            return Ok(Vec::new());
        }
        let dtos = self.service_role_dtos(specs).await.map_err(|mut e| {
            if let Some(f) = e.field.take() {
                e.field = Some(f.replacen("serviceRoles", field, 1));
            }
            e
        })?;
        let names = self.service_names().await?;
        let mut out = Vec::new();
        for d in dtos {
            let link = d["serviceDefinitionLink"].as_str().unwrap_or_default().to_string();
            let id = last_segment(&link);
            for r in d["serviceRoles"].as_array().into_iter().flatten() {
                let role = r["name"].as_str().unwrap_or_default().to_string();
                let service_name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
                out.push(ServiceRoleRef { service_id: id.clone(), service_link: link.clone(), service_name, role });
            }
        }
        Ok(out)
    }

    /// Checks a request's role names and builds the change it asks for.
    pub async fn role_change(&self, r: &UserRolesRequest) -> Result<RoleChange> {
        self.check_organization_roles("addOrganizationRoles", &r.add_organization_roles).await?;
        self.check_organization_roles("removeOrganizationRoles", &r.remove_organization_roles).await?;
        let change = RoleChange {
            add_org: dedup(&r.add_organization_roles),
            remove_org: dedup(&r.remove_organization_roles),
            add_service: self.service_role_refs("addServiceRoles", &r.add_service_roles).await?,
            remove_service: self.service_role_refs("removeServiceRoles", &r.remove_service_roles).await?,
        };
        if change.is_empty() {
            return Err(Error::invalid("addOrganizationRoles", "name at least one role to add or remove"));
        }
        if let Some(r) = change.add_org.iter().find(|r| change.remove_org.contains(r)) {
            return Err(Error::invalid("removeOrganizationRoles", format!("'{r}' is both added and removed")));
        }
        if let Some(s) = change.add_service.iter().find(|s| change.remove_service.contains(s)) {
            return Err(Error::invalid("removeServiceRoles", format!("'{}={}' is both added and removed", s.service_name, s.role)));
        }
        Ok(change)
    }

    /// Resolves user references to members, each input keeping its own outcome: ids are read one
    /// by one; names, emails and patterns (username, email or name) need one listing.
    pub async fn resolve_members(&self, refs: &[UserRef]) -> Result<Vec<(String, Result<Vec<User>>)>> {
        let need_listing = refs.iter().any(|r| matches!(r, UserRef::Name(_)));
        let all = if need_listing { self.all_users().await? } else { Vec::new() };
        let by_id: HashMap<&str, &User> = all.iter().map(|u| (u.id.as_str(), u)).collect();
        let mut out = Vec::with_capacity(refs.len());
        for r in refs {
            let input = r.describe();
            let outcome = match r {
                UserRef::Id(id) => match by_id.get(id.as_str()) {
                    Some(u) => Ok(vec![(*u).clone()]),
                    None if need_listing => Err(Error::new(
                        ErrorCategory::NotFound,
                        format!("no user with id '{}' in this organization", crate::error::excerpt(id)),
                    )),
                    None => self.users_by_id(std::slice::from_ref(id)).await,
                },
                UserRef::Name(n) => Pattern::parse("users", n).and_then(|p| {
                    let found: Vec<User> =
                        all.iter().filter(|u| p.matches(&u.username) || p.matches(&u.email) || p.matches(&u.name)).cloned().collect();
                    if found.is_empty() {
                        Err(Error::new(
                            ErrorCategory::NotFound,
                            format!("no user matches '{}' in this organization", crate::error::excerpt(n)),
                        ))
                    } else {
                        Ok(found)
                    }
                }),
            };
            out.push((input, outcome));
        }
        Ok(out)
    }

    /// `Set-VcsUser`: adds and removes roles of one or many users; one item per user.
    pub async fn set_user_roles(&self, request: &UserRolesRequest) -> Result<BulkReport> {
        if request.users.is_empty() {
            return Err(Error::invalid("users", "must name at least one user"));
        }
        let refs =
            request.users.iter().enumerate().map(|(i, v)| UserRef::from_json(&format!("users[{i}]"), v)).collect::<Result<Vec<_>>>()?;
        // Cancelled before the members are known: every input is reported, none was sent.
        let not_started = |refs: &[UserRef]| {
            let items: Vec<BulkItem> = refs.iter().map(|r| BulkItem::not_started(r.describe(), None)).collect();
            if let Some(job) = &self.job {
                job.start("set user roles", items.len());
                items.iter().for_each(|it| job.finish(it));
            }
            Ok(BulkReport::from_items(items))
        };
        let change = match self.role_change(request).await {
            Err(e) if e.is_cancelled() => return not_started(&refs),
            other => other?,
        };
        let resolved = match self.resolve_members(&refs).await {
            Err(e) if e.is_cancelled() => return not_started(&refs),
            other => other?,
        };
        let mut items: Vec<Option<BulkItem>> = Vec::new();
        let mut work: Vec<(usize, String, User, RoleChange)> = Vec::new();
        let mut seen = HashSet::new();
        for (input, outcome) in resolved {
            match outcome {
                Err(e) => items.push(Some(BulkItem::failure(input, None, e))),
                Ok(users) => {
                    for u in users {
                        if seen.insert(u.id.clone()) {
                            work.push((items.len(), input.clone(), u, change.clone()));
                            items.push(None);
                        } else {
                            let mut it = BulkItem::success(input.clone(), "duplicate", Some(u.id.clone())).with_target(target_of(&u));
                            it.message = Some("named more than once; changed once".into());
                            items.push(Some(it));
                        }
                    }
                }
            }
        }
        if let Some(job) = &self.job {
            job.start("set user roles", items.len());
            for it in items.iter().flatten() {
                job.finish(it);
            }
        }
        let positions: Vec<usize> = work.iter().map(|(i, ..)| *i).collect();
        let changes = work.into_iter().map(|(_, input, u, c)| (input, u, c)).collect();
        let done = self.apply_role_changes(changes, request.notify_users, request.dry_run).await;
        for (pos, item) in positions.into_iter().zip(done) {
            items[pos] = Some(item);
        }
        Ok(BulkReport::from_items(items.into_iter().map(|i| i.expect("every user has an outcome")).collect()))
    }

    /// Applies one change per member, several at once, in input order; honours the job (nothing
    /// sent once cancelled, requests in flight abandoned as `unknown`) and records each item there.
    pub async fn apply_role_changes(&self, work: Vec<(String, User, RoleChange)>, notify_users: bool, dry_run: bool) -> Vec<BulkItem> {
        let names = self.service_names().await.unwrap_or_default();
        let names = &names;
        let ticker = self.ticker("set user roles", work.len());
        let ticker = &ticker;
        stream::iter(work)
            .map(|(input, user, change)| async move {
                let item = self.change_one(input, &user, &change, notify_users, dry_run, names).await;
                ticker.tick(1);
                if let Some(job) = &self.job {
                    job.finish(&item);
                }
                item
            })
            .buffered(self.inner.concurrency)
            .collect()
            .await
    }

    async fn change_one(
        &self,
        input: String,
        user: &User,
        change: &RoleChange,
        notify_users: bool,
        dry_run: bool,
        names: &HashMap<String, String>,
    ) -> BulkItem {
        let target = target_of(user);
        let id = Some(user.id.clone());
        let effective = change.effective_for(user);
        let (org_after, service_after) = effective.roles_after(user, names);
        let after = json!({"organizationRoles": org_after, "serviceRoles": service_after});
        if effective.is_empty() {
            let mut it = BulkItem::success(input, "unchanged", id).with_target(target);
            it.message = Some("already holds the roles asked for".into());
            it.result = Some(after);
            return it;
        }
        let what = effective.describe().join(" ");
        if dry_run {
            let mut it = BulkItem::success(input, "wouldUpdate", id).with_target(target);
            it.message = Some(what);
            it.result = Some(after);
            return it;
        }
        let job = self.job.as_deref();
        if job.is_some_and(|j| j.is_cancelled()) {
            return BulkItem::not_started(input, id).with_target(target);
        }
        let path = format!("{AM}/v3/users/{}/orgs/{}/roles", enc(&user.id), self.inner.org_id);
        let send = self.call(Method::PATCH, &path, Some(effective.body(notify_users)), true);
        let sent = match job {
            Some(j) => tokio::select! {
                r = send => Some(r),
                _ = j.cancelled() => None,
            },
            None => Some(send.await),
        };
        match sent {
            None => BulkItem::unknown(
                input,
                id,
                Error::new(ErrorCategory::Network, "cancelled while the change was in flight; whether it took effect is unknown"),
            )
            .with_target(target),
            Some(Ok(_)) => {
                let mut it = BulkItem::success(input, "updated", id).with_target(target);
                it.message = Some(what);
                it.result = Some(after);
                it
            }
            // The answer was lost: read the member back to learn whether the change holds.
            Some(Err(e)) if matches!(e.category, ErrorCategory::Network | ErrorCategory::Timeout | ErrorCategory::Server) => {
                match self.users_by_id(std::slice::from_ref(&user.id)).await {
                    Ok(now) if now.first().is_some_and(|u| effective.effective_for(u).is_empty()) => {
                        let mut it = BulkItem::success(input, "updated", id).with_target(target);
                        it.message = Some(format!("{what} (confirmed after an error)"));
                        it.result = Some(after);
                        it
                    }
                    Ok(_) => BulkItem::failure(input, id, e).with_target(target),
                    Err(_) => BulkItem::unknown(input, id, e).with_target(target),
                }
            }
            Some(Err(mut e)) => {
                if e.http_status == Some(404) {
                    e.message = format!("{} is no longer a member of this organization", user.email);
                }
                BulkItem::failure(input, id, e).with_target(target)
            }
        }
    }
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    v.iter().filter(|s| seen.insert(s.as_str())).cloned().collect()
}
