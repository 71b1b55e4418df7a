//! The CSP side of the sync. The file: `Email,OrganizationRoles,ServiceRoles`, lists separated
//! by `;`, service roles as `Service Name=role` (the service by display name, technical name or
//! id; a bare role name finds its own service). Members are matched by email, any case. A file
//! without the ServiceRoles column leaves service roles as they are.

use super::csv::{self, Record};
use super::{join, Action, PlanRow, Provider, SyncPlan};
use crate::csp::model::{Invitation, Service, ServiceRole, User};
use crate::csp::request::{check_email, InvitationQuery, NameQuery, OrganizationRoleQuery, ServiceRoleQuery};
use crate::csp::user_roles::{RoleChange, ServiceRoleRef};
use crate::csp::CspClient;
use crate::error::Result;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Columns of the CSP file, lower case.
pub const COLUMNS: [&str; 3] = ["email", "organizationroles", "serviceroles"];
pub const HEADER: [&str; 3] = ["Email", "OrganizationRoles", "ServiceRoles"];

pub use super::csp_apply::apply;

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

/// A row of the file, checked.
struct Wanted {
    line: usize,
    email: String,
    org: BTreeSet<String>,
    /// `None`: the file has no ServiceRoles column, so service roles are left as they are.
    service: Option<BTreeSet<ServiceRoleRef>>,
}

pub(super) fn service_lines(refs: &BTreeSet<ServiceRoleRef>) -> Vec<String> {
    let lines: BTreeSet<String> = refs.iter().map(|s| format!("{}={}", s.service_name, s.role)).collect();
    lines.into_iter().collect()
}

fn roles_json(org: &BTreeSet<String>, service: &[String]) -> Value {
    json!({"organizationRoles": org, "serviceRoles": service})
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
pub(super) async fn read_org(client: &CspClient) -> Result<(Vec<User>, Vec<Invitation>)> {
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
