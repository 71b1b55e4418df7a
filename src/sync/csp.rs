//! The CSP side of the sync. The file: `Email,OrganizationRoles,ServiceRoles`, lists separated
//! by `;`, service roles as `Service Name=role` (the service by display name, technical name or
//! id; a bare role name finds its own service). Members are matched by email, any case. A file
//! without the ServiceRoles column leaves service roles as they are.

use super::csv::{self, Record};
use super::{join, Action, PlanRow, Provider, SyncPlan};
use crate::csp::model::{Invitation, User};
use crate::csp::request::check_email;
use crate::csp::user_roles::ServiceRoleRef;
use crate::csp::CspClient;
use crate::error::Result;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Columns of the CSP file, lower case.
pub const COLUMNS: [&str; 3] = ["email", "organizationroles", "serviceroles"];
pub const HEADER: [&str; 3] = ["Email", "OrganizationRoles", "ServiceRoles"];

pub use super::csp_apply::apply;
use super::csp_state::{difference, fingerprint, held, invitation_held, read_org, roles_json, service_lines, Catalog};

/// A row of the file, checked.
struct Wanted {
    line: usize,
    email: String,
    org: BTreeSet<String>,
    /// `None`: the file has no ServiceRoles column, so service roles are left as they are.
    service: Option<BTreeSet<ServiceRoleRef>>,
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
