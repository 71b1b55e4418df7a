//! The Cloud Director side of the sync. The file has the columns `New-VcdUser` reads:
//! `Username, Password, Role (a;b), FullName, Email, Enabled, ProviderType` (and `Description`).
//! Users are matched by username, any case. Only the columns the file has are compared, so a file
//! without `FullName` leaves names alone; `Password` and `ProviderType` only serve to create users
//! (a password cannot be read back, a provider type cannot change).

use super::csv::{self, Record};
use super::{for_row, join, refused_item, stale_item, Action, PlanRow, Provider, SyncItem, SyncPlan, SyncReport};
use crate::bulk::BulkItem;
use crate::csp::request::check_email;
use crate::error::{Error, ErrorCategory, Result};
use crate::vcd::model::{VcdRole, VcdUser};
use crate::vcd::request::{NewVcdUser, VcdRoleQuery, VcdUserChanges, VcdUserQuery};
use crate::vcd::VcdClient;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashMap, HashSet};

pub const COLUMNS: [&str; 9] = ["username", "password", "role", "roles", "fullname", "email", "description", "enabled", "providertype"];
pub const HEADER: [&str; 7] = ["Username", "Password", "Role", "FullName", "Email", "Enabled", "ProviderType"];
/// The role whose last holder a sync never removes or demotes.
pub const ADMIN_ROLE: &str = "Organization Administrator";
const PROVIDER_TYPES: [&str; 4] = ["LOCAL", "LDAP", "SAML", "OAUTH"];

/// A row of the file, checked (`None`: the column is absent, so not compared).
struct Wanted {
    line: usize,
    username: String,
    roles: BTreeSet<String>,
    full_name: Option<String>,
    email: Option<String>,
    description: Option<String>,
    enabled: Option<bool>,
    provider_type: String,
    has_password: bool,
}

fn canonical_role(roles: &[VcdRole], name: &str) -> Option<String> {
    roles.iter().find(|r| r.name.eq_ignore_ascii_case(name) || r.id == name).map(|r| r.name.clone())
}

fn parse_row(rec: &Record, roles: &[VcdRole], first_line: &HashMap<String, usize>) -> std::result::Result<Wanted, PlanRow> {
    let username = rec.get("username").unwrap_or_default().to_string();
    let bad = |field: &str, why: String| PlanRow::invalid(rec.line, username.clone(), field, why);
    if username.is_empty() {
        return Err(bad("Username", "required".into()));
    }
    if username.contains(['*', '?', '[', ']']) {
        return Err(bad("Username", format!("'{}' holds a wildcard character (*, ?, [ or ])", crate::error::excerpt(&username))));
    }
    if let Some(l) = first_line.get(&username.to_lowercase()) {
        return Err(bad("Username", format!("the same username as line {l}")));
    }
    let cell = rec.get("role").or_else(|| rec.get("roles")).unwrap_or_default();
    let names = csv::list(cell);
    if names.is_empty() {
        return Err(bad("Role", "at least one role is required".into()));
    }
    let mut wanted_roles = BTreeSet::new();
    for n in names {
        let known: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
        wanted_roles.insert(canonical_role(roles, &n).ok_or_else(|| {
            bad("Role", format!("no role '{}' in this organization; it has {}", crate::error::excerpt(&n), known.join(", ")))
        })?);
    }
    let email = rec.get("email").map(str::to_string);
    if let Some(e) = email.as_deref().filter(|e| !e.is_empty()) {
        check_email("Email", e).map_err(|err| bad("Email", err.message.trim_start_matches("Email: ").to_string()))?;
    }
    let enabled = match rec.get("enabled").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        Some(v) => return Err(bad("Enabled", format!("must be true or false, not '{}'", crate::error::excerpt(v)))),
    };
    let provider_type = rec.get("providertype").filter(|v| !v.is_empty()).unwrap_or("LOCAL").to_uppercase();
    if !PROVIDER_TYPES.contains(&provider_type.as_str()) {
        return Err(bad("ProviderType", format!("'{}' is not one of LOCAL, LDAP, SAML, OAUTH", crate::error::excerpt(&provider_type))));
    }
    let has_password = rec.get("password").is_some_and(|p| !p.is_empty());
    Ok(Wanted {
        line: rec.line,
        username,
        roles: wanted_roles,
        full_name: rec.get("fullname").map(str::to_string),
        email,
        description: rec.get("description").map(str::to_string),
        enabled,
        provider_type,
        has_password,
    })
}

fn parse_rows(text: &str, roles: &[VcdRole]) -> Result<(Vec<Wanted>, Vec<PlanRow>)> {
    let table = csv::parse(text, &COLUMNS, &["username"])?;
    if !table.columns.iter().any(|c| c == "role" || c == "roles") {
        return Err(Error::invalid("csv.columns", "line 1: the required column 'Role' is missing"));
    }
    let mut wanted = Vec::new();
    let mut invalid = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for rec in &table.records {
        match parse_row(rec, roles, &first_line) {
            Ok(w) => {
                first_line.insert(w.username.to_lowercase(), w.line);
                wanted.push(w);
            }
            Err(row) => {
                if let Some(u) = rec.get("username").filter(|u| !u.is_empty()) {
                    first_line.entry(u.to_lowercase()).or_insert(rec.line);
                }
                invalid.push(row);
            }
        }
    }
    Ok((wanted, invalid))
}

fn role_names(u: &VcdUser) -> BTreeSet<String> {
    u.role_entity_refs.iter().map(|r| r.name.clone()).collect()
}

fn fingerprint(u: &VcdUser) -> Value {
    json!({"roles": role_names(u), "fullName": u.full_name, "email": u.email, "description": u.description, "enabled": u.enabled})
}

fn is_admin(u: &VcdUser) -> bool {
    u.role_entity_refs.iter().any(|r| r.name == ADMIN_ROLE)
}

/// The plan that makes the Cloud Director organization match `text`.
pub async fn plan(client: &VcdClient, text: &str, prune: bool) -> Result<SyncPlan> {
    let started = std::time::Instant::now();
    let roles = client.roles(&VcdRoleQuery::default()).await?;
    let (wanted, invalid) = parse_rows(text, &roles)?;
    let listing = std::time::Instant::now();
    let users = client.users(&VcdUserQuery::default()).await?;
    let listing = listing.elapsed().as_secs_f64();
    let info = client.info();
    let mut plan = SyncPlan::new(Provider::Vcd, info.org_id.clone(), info.org.clone(), prune, text);
    plan.read = users.len();
    let by_name: HashMap<String, &VcdUser> = users.iter().map(|u| (u.username.to_lowercase(), u)).collect();
    let mut admins = users.iter().filter(|u| is_admin(u)).count();
    let mut rows: Vec<PlanRow> = invalid;
    let mut listed = HashSet::with_capacity(wanted.len());
    let mut unchanged = 0;
    for w in &wanted {
        listed.insert(w.username.to_lowercase());
        match by_name.get(&w.username.to_lowercase()) {
            Some(u) => {
                let mut after = Map::new();
                let mut changes = Vec::new();
                let now = role_names(u);
                let wanted_lower: HashSet<String> = w.roles.iter().map(|r| r.to_lowercase()).collect();
                let now_lower: HashSet<String> = now.iter().map(|r| r.to_lowercase()).collect();
                changes.extend(w.roles.iter().filter(|r| !now_lower.contains(&r.to_lowercase())).map(|r| format!("+{r}")));
                changes.extend(now.iter().filter(|r| !wanted_lower.contains(&r.to_lowercase())).map(|r| format!("-{r}")));
                let roles_change = !changes.is_empty();
                let mut text_change = |field: &str, want: &Option<String>, have: &str| {
                    if let Some(v) = want.as_ref().filter(|v| v.as_str() != have) {
                        changes.push(format!("{field}: '{have}' -> '{v}'"));
                        after.insert(field.to_string(), json!(v));
                    }
                };
                text_change("fullName", &w.full_name, &u.full_name);
                text_change("email", &w.email, &u.email);
                text_change("description", &w.description, &u.description);
                if let Some(e) = w.enabled.filter(|e| *e != u.enabled) {
                    changes.push(format!("enabled: {} -> {e}", u.enabled));
                    after.insert("enabled".into(), json!(e));
                }
                if changes.is_empty() {
                    unchanged += 1;
                    continue;
                }
                if roles_change {
                    after.insert("roles".into(), json!(w.roles));
                }
                let mut row = PlanRow::new(Some(w.line), Action::Update, u.username.clone());
                row.id = Some(u.id.clone());
                row.name = u.full_name.clone();
                row.changes = changes;
                row.before = Some(fingerprint(u));
                row.after = Some(Value::Object(after));
                if roles_change && is_admin(u) && !w.roles.contains(ADMIN_ROLE) {
                    if admins <= 1 {
                        row = row.refuse(format!("would take {ADMIN_ROLE} from its last holder"));
                    } else {
                        admins -= 1;
                    }
                }
                rows.push(row);
            }
            None => {
                if w.provider_type == "LOCAL" && !w.has_password {
                    rows.push(PlanRow::invalid(w.line, w.username.clone(), "Password", "required to create a LOCAL user"));
                    continue;
                }
                let mut row = PlanRow::new(Some(w.line), Action::Create, w.username.clone());
                row.name = w.full_name.clone().unwrap_or_default();
                row.changes = w.roles.iter().map(|r| format!("+{r}")).collect();
                row.after = Some(json!({
                    "roles": w.roles,
                    "fullName": w.full_name,
                    "email": w.email,
                    "description": w.description,
                    "enabled": w.enabled,
                    "providerType": w.provider_type,
                    "passwordFromFile": w.has_password,
                }));
                rows.push(row);
            }
        }
    }
    rows.sort_by_key(|r| r.line);
    plan.rows = rows;
    if prune {
        for u in &users {
            if listed.contains(&u.username.to_lowercase()) {
                continue;
            }
            let mut row = PlanRow::new(None, Action::Remove, u.username.clone());
            row.id = Some(u.id.clone());
            row.name = u.full_name.clone();
            row.changes = vec!["remove the user".into()];
            row.before = Some(fingerprint(u));
            if u.id == info.user_id || u.username.eq_ignore_ascii_case(&info.user) {
                row = row.refuse("is the caller: a sync never removes the account it runs as");
            } else if is_admin(u) {
                if admins <= 1 {
                    row = row.refuse(format!("is the last {ADMIN_ROLE}"));
                } else {
                    admins -= 1;
                }
            }
            plan.rows.push(row);
        }
    }
    plan.count(unchanged);
    plan.timing = super::PlanTiming { listing_seconds: listing, planning_seconds: started.elapsed().as_secs_f64() - listing };
    Ok(plan)
}

/// Applies a plan. `file`: the text the plan was made from, needed only when the plan creates
/// LOCAL users (their passwords are never part of a plan); it must be that same text.
pub async fn apply(client: &VcdClient, plan: &SyncPlan, file: Option<&str>) -> Result<SyncReport> {
    let info = client.info();
    plan.check_applicable(Provider::Vcd, &info.org_id)?;
    let needs_passwords =
        plan.rows.iter().any(|r| r.action == Action::Create && r.after.as_ref().is_some_and(|a| a["passwordFromFile"] == true));
    let passwords: HashMap<String, String> = match (needs_passwords, file) {
        (false, _) => HashMap::new(),
        (true, None) => {
            return Err(Error::invalid("csv", "the plan creates LOCAL users: give the file it was made from, for their passwords"))
        }
        (true, Some(text)) => {
            if csv::digest(text) != plan.source_digest {
                return Err(Error::invalid("csv", "this is not the file the plan was made from; plan again"));
            }
            csv::parse(text, &COLUMNS, &["username"])?
                .records
                .iter()
                .filter_map(|r| Some((r.get("username")?.to_lowercase(), r.get("password").filter(|p| !p.is_empty())?.to_string())))
                .collect()
        }
    };
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
    let cancelled = || job.as_ref().is_some_and(|j| j.is_cancelled());
    let users = if plan.rows.iter().any(|r| r.action.is_change()) { client.users(&VcdUserQuery::default()).await? } else { Vec::new() };
    let by_id: HashMap<&str, &VcdUser> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let names: HashSet<String> = users.iter().map(|u| u.username.to_lowercase()).collect();
    let quiet = client.without_job();
    let mut creates: Vec<(usize, NewVcdUser)> = Vec::new();
    let mut updates: Vec<(usize, VcdUserChanges)> = Vec::new();
    let mut removes: Vec<(usize, String)> = Vec::new();
    for (i, row) in plan.rows.iter().enumerate() {
        let id = row.id.clone().unwrap_or_default();
        let after = row.after.clone().unwrap_or(Value::Null);
        let s = |k: &str| after[k].as_str().map(str::to_string);
        match row.action {
            Action::Refused => record(&mut items, i, refused_item(row)),
            Action::Create => {
                if names.contains(&row.key.to_lowercase()) {
                    record(&mut items, i, stale_item(row, "a user with this username was created"));
                    continue;
                }
                let roles =
                    after["roles"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()).unwrap_or_default();
                creates.push((
                    i,
                    NewVcdUser {
                        username: row.key.clone(),
                        password: passwords.get(&row.key.to_lowercase()).cloned(),
                        roles,
                        full_name: s("fullName"),
                        email: s("email").filter(|e| !e.is_empty()),
                        description: s("description"),
                        enabled: after["enabled"].as_bool(),
                        provider_type: s("providerType"),
                        ..Default::default()
                    },
                ));
            }
            Action::Update | Action::Remove => match by_id.get(id.as_str()) {
                None => record(&mut items, i, stale_item(row, "the user was removed")),
                Some(u) if Some(fingerprint(u)) != row.before => record(&mut items, i, stale_item(row, "the user changed")),
                Some(_) if row.action == Action::Remove => removes.push((i, id)),
                Some(_) => updates.push((
                    i,
                    VcdUserChanges {
                        id,
                        full_name: s("fullName"),
                        email: s("email"),
                        description: s("description"),
                        enabled: after["enabled"].as_bool(),
                        roles: after["roles"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect()),
                        ..Default::default()
                    },
                )),
            },
            _ => record(
                &mut items,
                i,
                BulkItem::failure(
                    row.key.clone(),
                    row.id.clone(),
                    Error::invalid("plan.rows.action", format!("'{}' is not a Cloud Director action", row.action.as_str())),
                ),
            ),
        }
    }
    if !creates.is_empty() {
        if cancelled() {
            for (i, _) in &creates {
                record(&mut items, *i, BulkItem::not_started(plan.rows[*i].key.clone(), None));
            }
        } else {
            let users: Vec<NewVcdUser> = creates.iter().map(|(_, u)| u.clone()).collect();
            let report = quiet.new_users(&users).await;
            for (k, (i, _)) in creates.iter().enumerate() {
                let item = match &report {
                    Ok(r) => r.items[k].clone(),
                    Err(e) => BulkItem::failure(plan.rows[*i].key.clone(), None, e.clone()),
                };
                record(&mut items, *i, item);
            }
        }
    }
    let quiet_ref = &quiet;
    let job_ref = &job;
    let updated: Vec<(usize, BulkItem)> = stream::iter(updates)
        .map(|(i, changes)| async move {
            let key = plan.rows[i].key.clone();
            let id = Some(changes.id.clone());
            if job_ref.as_ref().is_some_and(|j| j.is_cancelled()) {
                return (i, BulkItem::not_started(key, id));
            }
            let call = quiet_ref.set_user(&changes);
            let outcome = match job_ref {
                Some(j) => tokio::select! {
                    r = call => Some(r),
                    _ = j.cancelled() => None,
                },
                None => Some(call.await),
            };
            let item = match outcome {
                None => BulkItem::unknown(
                    key,
                    id,
                    Error::new(ErrorCategory::Network, "cancelled while the change was in flight; whether it took effect is unknown"),
                ),
                Some(Ok(u)) => {
                    let mut it = BulkItem::success(key, "updated", id);
                    it.message = Some(plan.rows[i].changes.join(", "));
                    it.result = serde_json::to_value(&u).ok();
                    it
                }
                Some(Err(e)) => BulkItem::failure(key, id, e),
            };
            (i, item)
        })
        .buffered(quiet.concurrency())
        .collect()
        .await;
    for (i, item) in updated {
        record(&mut items, i, item);
    }
    if !removes.is_empty() {
        if cancelled() {
            for (i, id) in &removes {
                record(&mut items, *i, BulkItem::not_started(plan.rows[*i].key.clone(), Some(id.clone())));
            }
        } else {
            let ids: Vec<String> = removes.iter().map(|(_, id)| id.clone()).collect();
            let report = quiet.remove_users(&ids).await;
            for (k, (i, id)) in removes.iter().enumerate() {
                let item = match &report {
                    Ok(r) => r.items[k].clone(),
                    Err(e) => BulkItem::failure(plan.rows[*i].key.clone(), Some(id.clone()), e.clone()),
                };
                record(&mut items, *i, item);
            }
        }
    }
    Ok(SyncReport::from_items(items.into_iter().map(|i| i.expect("every row has an outcome")).collect()))
}

/// The Cloud Director file of these users: what `vcs vcd user list --csv` writes and the sync reads.
/// The password column stays empty: passwords cannot be read back.
pub fn export(users: &[VcdUser]) -> String {
    let mut out = csv::line(&HEADER);
    for u in users {
        let roles: Vec<String> = role_names(u).into_iter().collect();
        out.push_str(&csv::line(&[
            u.username.clone(),
            String::new(),
            join(&roles),
            u.full_name.clone(),
            u.email.clone(),
            u.enabled.to_string(),
            u.provider_type.clone(),
        ]));
    }
    out
}
