//! The CSP side of the sync. The file: `Email,OrganizationRoles,ServiceRoles`, lists separated
//! by `;`, service roles as `Service Name=role` (the service by display name, technical name or
//! id; a bare role name finds its own service). Members are matched by email, any case. A file
//! without the ServiceRoles column leaves service roles as they are.

use super::csv::{self, Record};
use super::{for_row, join, refused_item, stale_item, Action, PlanRow, Provider, SyncItem, SyncPlan, SyncReport};
use crate::bulk::BulkItem;
use crate::csp::model::{Invitation, Service, ServiceRole, User};
use crate::csp::request::{
    check_email, InvitationQuery, InvitationRequest, NameQuery, OrganizationRoleQuery, ServiceRoleQuery, ServiceRoleSpec, UserRef,
};
use crate::csp::user_roles::{RoleChange, ServiceRoleRef};
use crate::csp::CspClient;
use crate::error::{Error, Result};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Columns of the CSP file, lower case.
pub const COLUMNS: [&str; 3] = ["email", "organizationroles", "serviceroles"];
pub const HEADER: [&str; 3] = ["Email", "OrganizationRoles", "ServiceRoles"];

/// The organization's roles and services, to check the file's names and write reports.
struct Catalog {
    org_roles: Vec<String>,
    services: Vec<Service>,
    roles: Vec<ServiceRole>,
    /// Lower-case display name, technical name and id -> index in `services`.
    service_keys: HashMap<String, usize>,
    /// Service id -> index in `services`.
    service_ids: HashMap<String, usize>,
}

impl Catalog {
    async fn read(client: &CspClient) -> Result<Catalog> {
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
    fn service_role(&self, item: &str) -> std::result::Result<ServiceRoleRef, String> {
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

/// A row of the file, checked.
struct Wanted {
    line: usize,
    email: String,
    org: BTreeSet<String>,
    /// `None`: the file has no ServiceRoles column, so service roles are left as they are.
    service: Option<BTreeSet<ServiceRoleRef>>,
}

fn service_lines(refs: &BTreeSet<ServiceRoleRef>) -> Vec<String> {
    let lines: BTreeSet<String> = refs.iter().map(|s| format!("{}={}", s.service_name, s.role)).collect();
    lines.into_iter().collect()
}

fn roles_json(org: &BTreeSet<String>, service: &[String]) -> Value {
    json!({"organizationRoles": org, "serviceRoles": service})
}

/// A member's roles as comparable sets.
fn held(user: &User, cat: &Catalog) -> (BTreeSet<String>, BTreeSet<ServiceRoleRef>) {
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

fn invitation_held(inv: &Invitation, cat: &Catalog) -> (BTreeSet<String>, BTreeSet<ServiceRoleRef>) {
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

fn fingerprint(org: &BTreeSet<String>, service: &BTreeSet<ServiceRoleRef>) -> Value {
    roles_json(org, &service_lines(service))
}

/// The change that takes `held` to `wanted`.
fn difference(
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

fn parse_rows(text: &str, cat: &Catalog) -> Result<(Vec<Wanted>, Vec<PlanRow>)> {
    let table = csv::parse(text, &COLUMNS, &["email", "organizationroles"])?;
    let mut wanted = Vec::new();
    let mut invalid = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for rec in &table.records {
        match parse_row(rec, cat, &first_line) {
            Ok(w) => {
                first_line.insert(w.email.to_lowercase(), w.line);
                wanted.push(w);
            }
            Err(row) => {
                if let Some(email) = rec.get("email").filter(|e| !e.is_empty()) {
                    first_line.entry(email.to_lowercase()).or_insert(rec.line);
                }
                invalid.push(row)
            }
        }
    }
    Ok((wanted, invalid))
}

fn parse_row(rec: &Record, cat: &Catalog, first_line: &HashMap<String, usize>) -> std::result::Result<Wanted, PlanRow> {
    let email = rec.get("email").unwrap_or_default().to_string();
    let bad = |field: &str, why: String| PlanRow::invalid(rec.line, email.clone(), field, why);
    if email.is_empty() {
        return Err(bad("email", "required".into()));
    }
    check_email("email", &email).map_err(|e| bad("email", e.message.trim_start_matches("email: ").to_string()))?;
    if let Some(l) = first_line.get(&email.to_lowercase()) {
        return Err(bad("email", format!("the same address as line {l}")));
    }
    let org: BTreeSet<String> = csv::list(rec.get("organizationroles").unwrap_or_default()).into_iter().collect();
    if org.is_empty() {
        return Err(bad("organizationRoles", "at least one organization role is required".into()));
    }
    if let Some(r) = org.iter().find(|r| !cat.org_roles.contains(r)) {
        return Err(bad(
            "organizationRoles",
            format!("unknown role '{}'; this organization has {}", crate::error::excerpt(r), cat.org_roles.join(", ")),
        ));
    }
    let service = match rec.get("serviceroles") {
        None => None,
        Some(cell) => {
            let mut service = BTreeSet::new();
            for item in csv::list(cell) {
                service.insert(cat.service_role(&item).map_err(|why| bad("serviceRoles", why))?);
            }
            Some(service)
        }
    };
    Ok(Wanted { line: rec.line, email, org, service })
}

/// Reads the organization: every member (all pages) and every pending invitation.
async fn read_org(client: &CspClient) -> Result<(Vec<User>, Vec<Invitation>)> {
    let members = client.all_users().await?;
    let pending = client.invitations(&InvitationQuery { status: vec!["Available".into()], ..Default::default() }).await?;
    Ok((members, pending))
}

fn is_owner(u: &User) -> bool {
    u.organization_roles.iter().any(|r| r == "org_owner")
}

/// The plan that makes the organization match `text` (the CSP file).
pub async fn plan(client: &CspClient, text: &str, prune: bool) -> Result<SyncPlan> {
    let started = std::time::Instant::now();
    let cat = Catalog::read(client).await?;
    let (wanted, invalid) = parse_rows(text, &cat)?;
    let listing = std::time::Instant::now();
    let (members, pending) = read_org(client).await?;
    let listing = listing.elapsed().as_secs_f64();
    let info = client.info().await;
    let mut plan = compute(&cat, wanted, invalid, &members, &pending, client.caller(), &info.org_id, &info.org_name, prune, text);
    plan.timing = super::PlanTiming { listing_seconds: listing, planning_seconds: started.elapsed().as_secs_f64() - listing };
    Ok(plan)
}

#[allow(clippy::too_many_arguments)]
fn compute(
    cat: &Catalog,
    wanted: Vec<Wanted>,
    invalid: Vec<PlanRow>,
    members: &[User],
    pending: &[Invitation],
    caller: &str,
    org_id: &str,
    org_name: &str,
    prune: bool,
    text: &str,
) -> SyncPlan {
    let mut plan = SyncPlan::new(Provider::Csp, org_id.to_string(), org_name.to_string(), prune, text);
    plan.read = members.len() + pending.len();
    let mut by_email: HashMap<String, &User> = HashMap::with_capacity(members.len() * 2);
    for m in members {
        by_email.entry(m.username.to_lowercase()).or_insert(m);
        by_email.insert(m.email.to_lowercase(), m);
    }
    let mut invited: HashMap<String, &Invitation> = HashMap::new();
    for inv in pending {
        invited.insert(inv.email.to_lowercase(), inv);
    }
    let mut owners = members.iter().filter(|u| is_owner(u)).count();
    let mut rows: Vec<(usize, PlanRow)> = invalid.into_iter().map(|r| (r.line.unwrap_or(0), r)).collect();
    let mut listed: HashSet<String> = HashSet::with_capacity(wanted.len());
    let mut unchanged = 0;
    for w in &wanted {
        let key = w.email.to_lowercase();
        listed.insert(key.clone());
        if let Some(m) = by_email.get(&key) {
            let now = held(m, cat);
            let service = match &w.service {
                Some(wanted) if wanted != &now.1 => wanted.clone(),
                _ if w.org == now.0 => {
                    unchanged += 1;
                    continue;
                }
                Some(wanted) => wanted.clone(),
                None => now.1.clone(),
            };
            let change = difference(&now, &w.org, &service);
            if change.is_empty() {
                unchanged += 1;
                continue;
            }
            let after = roles_json(&w.org, &service_lines(&service));
            let mut row = PlanRow::new(Some(w.line), Action::SetRoles, w.email.clone());
            row.id = Some(m.id.clone());
            row.name = m.name.clone();
            row.changes = change.describe();
            row.before = Some(fingerprint(&now.0, &now.1));
            row.after = Some(after);
            if is_owner(m) && !w.org.contains("org_owner") {
                if owners <= 1 {
                    row = row.refuse("would take org_owner from the organization's last owner");
                } else {
                    owners -= 1;
                }
            }
            rows.push((w.line, row));
        } else if let Some(inv) = invited.get(&key) {
            let now = invitation_held(inv, cat);
            let service = w.service.clone().unwrap_or_else(|| now.1.clone());
            let after = roles_json(&w.org, &service_lines(&service));
            if difference(&now, &w.org, &service).is_empty() {
                unchanged += 1;
                continue;
            }
            let mut row = PlanRow::new(Some(w.line), Action::Reinvite, w.email.clone());
            row.id = Some(inv.id.clone());
            row.changes = difference(&now, &w.org, &service).describe();
            row.before = Some(fingerprint(&now.0, &now.1));
            row.after = Some(after);
            rows.push((w.line, row));
        } else {
            let mut row = PlanRow::new(Some(w.line), Action::Invite, w.email.clone());
            let service = w.service.clone().unwrap_or_default();
            let after = roles_json(&w.org, &service_lines(&service));
            row.changes = w.org.iter().map(|r| format!("+{r}")).chain(service_lines(&service).iter().map(|s| format!("+{s}"))).collect();
            row.after = Some(after);
            rows.push((w.line, row));
        }
    }
    rows.sort_by_key(|(l, _)| *l);
    plan.rows = rows.into_iter().map(|(_, r)| r).collect();
    if prune {
        let caller = caller.to_lowercase();
        for m in members {
            if listed.contains(&m.email.to_lowercase()) || listed.contains(&m.username.to_lowercase()) {
                continue;
            }
            let now = held(m, cat);
            let mut row = PlanRow::new(None, Action::Remove, m.email.clone());
            row.id = Some(m.id.clone());
            row.name = m.name.clone();
            row.changes = vec!["remove from the organization".into()];
            row.before = Some(fingerprint(&now.0, &now.1));
            if m.username.to_lowercase() == caller || m.email.to_lowercase() == caller {
                row = row.refuse("is the caller: a sync never removes the account it runs as");
            } else if is_owner(m) {
                if owners <= 1 {
                    row = row.refuse("is the organization's last owner");
                } else {
                    owners -= 1;
                }
            }
            plan.rows.push(row);
        }
        for inv in pending {
            if listed.contains(&inv.email.to_lowercase()) {
                continue;
            }
            let now = invitation_held(inv, cat);
            let mut row = PlanRow::new(None, Action::Revoke, inv.email.clone());
            row.id = Some(inv.id.clone());
            row.changes = vec!["revoke the pending invitation".into()];
            row.before = Some(fingerprint(&now.0, &now.1));
            plan.rows.push(row);
        }
    }
    plan.count(unchanged);
    plan
}

/// Parses a row's `after` back into roles.
fn wanted_of(row: &PlanRow, cat: &Catalog) -> Result<(BTreeSet<String>, BTreeSet<ServiceRoleRef>)> {
    let after = row.after.as_ref().ok_or_else(|| Error::invalid("plan.rows.after", format!("{}: missing", row.key)))?;
    let list = |k: &str| -> Vec<String> {
        after[k].as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default()
    };
    let org: BTreeSet<String> = list("organizationRoles").into_iter().collect();
    if org.is_empty() {
        return Err(Error::invalid("plan.rows.after.organizationRoles", format!("{}: no organization role", row.key)));
    }
    if let Some(r) = org.iter().find(|r| !cat.org_roles.contains(r)) {
        return Err(Error::invalid(
            "plan.rows.after.organizationRoles",
            format!("{}: unknown role '{}'", row.key, crate::error::excerpt(r)),
        ));
    }
    let mut service = BTreeSet::new();
    for s in list("serviceRoles") {
        service.insert(cat.service_role(&s).map_err(|why| Error::invalid("plan.rows.after.serviceRoles", format!("{}: {why}", row.key)))?);
    }
    Ok((org, service))
}

/// Applies a plan `plan` made for this organization; one report item per row.
pub async fn apply(client: &CspClient, plan: &SyncPlan) -> Result<SyncReport> {
    plan.check_applicable(Provider::Csp, client.org_id())?;
    let n = plan.rows.len();
    let mut items: Vec<Option<SyncItem>> = vec![None; n];
    let job = client.job().cloned();
    if let Some(j) = &job {
        j.start("sync", n);
    }
    let record = |items: &mut Vec<Option<SyncItem>>, i: usize, item: BulkItem| {
        if let Some(j) = &job {
            j.finish(&item);
        }
        items[i] = Some(for_row(&plan.rows[i], item));
    };
    if !plan.rows.iter().any(|r| r.action.is_change()) {
        for (i, row) in plan.rows.iter().enumerate() {
            record(&mut items, i, refused_item(row));
        }
        return Ok(SyncReport::from_items(items.into_iter().flatten().collect()));
    }
    let cat = Catalog::read(client).await?;
    let (members, pending) = read_org(client).await?;
    let member_by_id: HashMap<&str, &User> = members.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut member_by_email: HashMap<String, &User> = HashMap::new();
    for m in &members {
        member_by_email.insert(m.username.to_lowercase(), m);
        member_by_email.insert(m.email.to_lowercase(), m);
    }
    let pending_by_id: HashMap<&str, &Invitation> = pending.iter().map(|i| (i.id.as_str(), i)).collect();
    let pending_emails: HashSet<String> = pending.iter().map(|i| i.email.to_lowercase()).collect();

    let mut role_work: Vec<(usize, String, User, RoleChange)> = Vec::new();
    let mut removes: Vec<(usize, String)> = Vec::new();
    let mut revokes: Vec<(usize, String)> = Vec::new();
    // (org roles, service lines) -> rows to invite with them
    let mut invites: BTreeMap<(Vec<String>, Vec<String>), Vec<usize>> = BTreeMap::new();
    let mut reinvites: Vec<usize> = Vec::new();
    for (i, row) in plan.rows.iter().enumerate() {
        let id = row.id.as_deref().unwrap_or_default();
        match row.action {
            Action::Refused => record(&mut items, i, refused_item(row)),
            Action::SetRoles => match member_by_id.get(id) {
                None => record(&mut items, i, stale_item(row, "the member left the organization")),
                Some(m) => {
                    let now = held(m, &cat);
                    if Some(fingerprint(&now.0, &now.1)) != row.before {
                        record(&mut items, i, stale_item(row, "the member's roles changed"));
                        continue;
                    }
                    match wanted_of(row, &cat) {
                        Err(e) => record(&mut items, i, BulkItem::failure(row.key.clone(), row.id.clone(), e)),
                        Ok((org, service)) => role_work.push((i, row.key.clone(), (*m).clone(), difference(&now, &org, &service))),
                    }
                }
            },
            Action::Invite => {
                let key = row.key.to_lowercase();
                if member_by_email.contains_key(&key) || pending_emails.contains(&key) {
                    record(&mut items, i, stale_item(row, "the address joined or was invited"));
                    continue;
                }
                match wanted_of(row, &cat) {
                    Err(e) => record(&mut items, i, BulkItem::failure(row.key.clone(), None, e)),
                    Ok((org, service)) => invites.entry((org.into_iter().collect(), service_lines(&service))).or_default().push(i),
                }
            }
            Action::Reinvite | Action::Revoke => match pending_by_id.get(id) {
                None => record(&mut items, i, stale_item(row, "the invitation is no longer pending")),
                Some(inv) => {
                    let now = invitation_held(inv, &cat);
                    if Some(fingerprint(&now.0, &now.1)) != row.before {
                        record(&mut items, i, stale_item(row, "the invitation's roles changed"));
                    } else if row.action == Action::Revoke {
                        revokes.push((i, id.to_string()));
                    } else if let Err(e) = wanted_of(row, &cat) {
                        record(&mut items, i, BulkItem::failure(row.key.clone(), row.id.clone(), e));
                    } else {
                        reinvites.push(i);
                        revokes.push((i, id.to_string()));
                    }
                }
            },
            Action::Remove => match member_by_id.get(id) {
                None => record(&mut items, i, stale_item(row, "the member left the organization")),
                Some(m) => {
                    let now = held(m, &cat);
                    if Some(fingerprint(&now.0, &now.1)) != row.before {
                        record(&mut items, i, stale_item(row, "the member's roles changed"));
                    } else {
                        removes.push((i, id.to_string()));
                    }
                }
            },
            Action::Invalid | Action::Create | Action::Update => record(
                &mut items,
                i,
                BulkItem::failure(
                    row.key.clone(),
                    row.id.clone(),
                    Error::invalid("plan.rows.action", format!("'{}' is not a CSP action", row.action.as_str())),
                ),
            ),
        }
    }
    let cancelled = || job.as_ref().is_some_and(|j| j.is_cancelled());
    let quiet = client.without_job();

    // Role changes: the role engine records its items on the job itself.
    if !role_work.is_empty() {
        let positions: Vec<usize> = role_work.iter().map(|(i, ..)| *i).collect();
        let done = client.apply_role_changes(role_work.into_iter().map(|(_, k, u, c)| (k, u, c)).collect(), false, false).await;
        for (i, item) in positions.into_iter().zip(done) {
            items[i] = Some(for_row(&plan.rows[i], item));
        }
    }
    if !removes.is_empty() {
        if cancelled() {
            for (i, id) in &removes {
                record(&mut items, *i, BulkItem::not_started(plan.rows[*i].key.clone(), Some(id.clone())));
            }
        } else {
            let refs: Vec<UserRef> = removes.iter().map(|(_, id)| UserRef::Id(id.clone())).collect();
            let report = quiet.remove_users(&refs, false).await;
            for (k, (i, id)) in removes.iter().enumerate() {
                let item = match &report {
                    Ok(r) => r.items.get(k).filter(|it| it.id.as_deref() == Some(id.as_str())).cloned().unwrap_or_else(|| {
                        BulkItem::unknown(
                            plan.rows[*i].key.clone(),
                            Some(id.clone()),
                            Error::internal("the removal report does not mention this member"),
                        )
                    }),
                    Err(e) => BulkItem::failure(plan.rows[*i].key.clone(), Some(id.clone()), e.clone()),
                };
                record(&mut items, *i, item);
            }
        }
    }
    let mut revoked_for_reinvite: HashSet<usize> = HashSet::new();
    if !revokes.is_empty() {
        if cancelled() {
            for (i, id) in &revokes {
                record(&mut items, *i, BulkItem::not_started(plan.rows[*i].key.clone(), Some(id.clone())));
            }
        } else {
            let ids: Vec<String> = revokes.iter().map(|(_, id)| id.clone()).collect();
            let report = quiet.revoke_invitations(&ids).await;
            for (k, (i, id)) in revokes.iter().enumerate() {
                let item = match &report {
                    Ok(r) => r.items[k].clone(),
                    Err(e) => BulkItem::failure(plan.rows[*i].key.clone(), Some(id.clone()), e.clone()),
                };
                if plan.rows[*i].action == Action::Reinvite && item.ok {
                    revoked_for_reinvite.insert(*i);
                } else {
                    record(&mut items, *i, item);
                }
            }
        }
    }
    for i in reinvites {
        if revoked_for_reinvite.contains(&i) {
            if let Ok((org, service)) = wanted_of(&plan.rows[i], &cat) {
                invites.entry((org.into_iter().collect(), service_lines(&service))).or_default().push(i);
            }
        } else if items[i].is_none() {
            record(&mut items, i, BulkItem::not_started(plan.rows[i].key.clone(), plan.rows[i].id.clone()));
        }
    }
    for ((org, service), rows) in invites {
        if cancelled() {
            for i in rows {
                record(&mut items, i, BulkItem::not_started(plan.rows[i].key.clone(), None));
            }
            continue;
        }
        let service_roles: Vec<ServiceRoleSpec> = {
            let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for line in &service {
                if let Ok(r) = cat.service_role(line) {
                    by.entry(r.service_id).or_default().push(r.role);
                }
            }
            by.into_iter().map(|(service, roles)| ServiceRoleSpec { service, roles }).collect()
        };
        let request = InvitationRequest {
            emails: rows.iter().map(|i| plan.rows[*i].key.clone()).collect(),
            organization_roles: org,
            service_roles,
            skip_notify: false,
        };
        let report = quiet.invite(&request).await;
        for (k, i) in rows.iter().enumerate() {
            let mut item = match &report {
                Ok(r) => r.items[k].clone(),
                Err(e) => BulkItem::failure(plan.rows[*i].key.clone(), None, e.clone()),
            };
            if plan.rows[*i].action == Action::Reinvite && item.ok {
                item.message = Some("the pending invitation had other roles: revoked and invited again".into());
            }
            record(&mut items, *i, item);
        }
    }
    Ok(SyncReport::from_items(items.into_iter().map(|i| i.expect("every row has an outcome")).collect()))
}

/// The CSP file of these members: what `vcs user list --csv` writes and the sync reads.
pub fn export(users: &[User]) -> String {
    let mut out = csv::line(&HEADER);
    for u in users {
        let mut org = u.organization_roles.clone();
        org.sort();
        org.dedup();
        let lines: BTreeSet<String> =
            u.service_roles.iter().flat_map(|g| g.roles.iter().map(move |r| format!("{}={r}", g.service_name))).collect();
        out.push_str(&csv::line(&[u.email.clone(), join(&org), join(&lines.into_iter().collect::<Vec<_>>())]));
    }
    out
}
