//! Applying a CSP plan: each row checked against the organization as it is now (a row whose
//! member or invitation changed since the plan is `stale`), then role changes, removals,
//! revocations and invitations, each row reported.

use super::csp_state::{difference, fingerprint, held, invitation_held, read_org, service_lines, Catalog};
use super::{for_row, refused_item, stale_item, Action, PlanRow, Provider, SyncItem, SyncPlan, SyncReport};
use crate::bulk::BulkItem;
use crate::csp::model::{Invitation, User};
use crate::csp::request::{InvitationRequest, ServiceRoleSpec, UserRef};
use crate::csp::user_roles::{RoleChange, ServiceRoleRef};
use crate::csp::CspClient;
use crate::error::{Error, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
    // Cancelled before the organization is read again: no row was sent.
    let read = async { Ok::<_, crate::Error>((Catalog::read(client).await?, read_org(client).await?)) };
    let (cat, (members, pending)) = match read.await {
        Err(e) if e.is_cancelled() => {
            for (i, row) in plan.rows.iter().enumerate() {
                let item = if row.action.is_change() {
                    BulkItem::not_started(row.key.clone(), row.id.clone()).with_target(row.target())
                } else {
                    refused_item(row)
                };
                record(&mut items, i, item);
            }
            return Ok(SyncReport::from_items(items.into_iter().flatten().collect()));
        }
        other => other?,
    };
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
