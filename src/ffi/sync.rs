//! Role changes and desired-state sync in the C ABI, with the same rules as the rest (see
//! mod.rs). Shaped for cmdlets: every answer is one object per user or row, so a cmdlet writes
//! one output object, or one error, for each.
//!
//! A plan is JSON the host shows and passes back unchanged to `vcs_apply_plan` /
//! `vcd_apply_plan`. Apply checks it is still valid: the same provider and organization, no
//! invalid rows (else `VCS_INVALID_ARGUMENT`, nothing done), and each row's object as the plan saw
//! it; a row whose object changed since is reported `stale` and not applied.

use super::guard::{guarded, json_arg, Answer};
use super::vcd::vcd_connection;
use super::{block_on, connection, VcsConnection, VcsStatus};
use crate::csp::user_roles::UserRolesRequest;
use crate::error::{Error, Result};
use crate::sync::{self, SyncPlan};
use crate::vcd::VcdClient;
use serde::Deserialize;
use serde_json::Value;
use std::ffi::c_char;

/// `{"csv": "<the file's text>"}` or `{"path": "users.csv"}`, and `"prune"`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PlanSyncRequest {
    #[serde(default)]
    csv: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    prune: bool,
}

/// `{"plan": <a plan>}`; for Cloud Director plans that create LOCAL users, also the file
/// (`csv` or `path`) the plan was made from, for their passwords.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApplyPlanRequest {
    plan: Value,
    #[serde(default)]
    csv: Option<String>,
    #[serde(default)]
    path: Option<String>,
}

fn file_text(csv: Option<String>, path: Option<String>, required: bool) -> Result<Option<String>> {
    match (csv, path) {
        (Some(_), Some(_)) => Err(Error::invalid("path", "give either csv (the text) or path, not both")),
        (Some(t), None) => Ok(Some(t)),
        (None, Some(p)) if p.trim().is_empty() => Err(Error::invalid("path", "must not be empty")),
        (None, Some(p)) => sync::read_file("path", std::path::Path::new(&p)).map(Some),
        (None, None) if required => Err(Error::invalid("csv", "required: the file's text (csv) or its path (path)")),
        (None, None) => Ok(None),
    }
}

/// A plan's answer: `VCS_PARTIAL_FAILURE` when some rows are invalid (it cannot be applied).
fn plan_answer(plan: &SyncPlan) -> Result<Answer> {
    Ok(Answer { partial: plan.has_invalid(), ..Answer::of(plan)? })
}

fn report_answer(report: &sync::SyncReport) -> Result<Answer> {
    Ok(Answer { partial: !report.all_ok(), ..Answer::of(report)? })
}

/// Adds and removes members' roles (`Set-VcsUser`). `request_json`: `{"users": [...],
/// "addOrganizationRoles": [...], "removeOrganizationRoles": [...], "addServiceRoles":
/// [{"service": "VMware Cloud on AWS", "roles": [...]}], "removeServiceRoles": [...],
/// "notifyUsers": false, "dryRun": false}`; users are ids, usernames, emails, patterns or user
/// objects. Answer: the per-item report, one item per user (`updated`, `unchanged`,
/// `wouldUpdate`, `failed`, ...), each naming its `target`; `VCS_PARTIAL_FAILURE` if any failed.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or point to a
/// writable pointer.
#[no_mangle]
pub unsafe extern "C" fn vcs_set_user_roles(
    conn: *const VcsConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let r: UserRolesRequest = json_arg(request_json, "request_json", false)?;
        block_on(async move { Answer::report(&c.client.set_user_roles(&r).await?) })
    })
}

/// Plans a CSP sync (`Sync-VcsUser`): reads the organization (every member, pending
/// invitations) and compares it with the file (`Email,OrganizationRoles,ServiceRoles`).
/// `request_json`: `{"csv": "..."}` or `{"path": "..."}`, and `"prune": false`. Answer: the plan
/// `{"provider", "organization", "prune", "sourceDigest", "summary", "rows": [{"line", "action",
/// "key", "id", "changes", "before", "after", "field", "reason"}]}`; changes nothing.
/// `VCS_PARTIAL_FAILURE` when some rows are `invalid` (the plan cannot be applied).
///
/// # Safety
/// As for `vcs_set_user_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_plan_sync(conn: *const VcsConnection, request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let r: PlanSyncRequest = json_arg(request_json, "request_json", false)?;
        let text = file_text(r.csv, r.path, true)?.unwrap_or_default();
        block_on(async move { plan_answer(&sync::csp::plan(&c.client, &text, r.prune).await?) })
    })
}

/// Applies a CSP plan made by `vcs_plan_sync`. `request_json`: `{"plan": <the plan>}`. Answer:
/// the report, one item per plan row (`line`, `action`, `input`, `target`, `outcome`, `error`);
/// `VCS_PARTIAL_FAILURE` if any row failed, was refused or was stale.
///
/// # Safety
/// As for `vcs_set_user_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_apply_plan(conn: *const VcsConnection, request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let r: ApplyPlanRequest = json_arg(request_json, "request_json", false)?;
        let plan = SyncPlan::from_json(r.plan)?;
        block_on(async move { report_answer(&sync::csp::apply(&c.client, &plan).await?) })
    })
}

fn vcd_client(conn: *const super::vcd::VcdConnection) -> Result<VcdClient> {
    Ok(vcd_connection(conn)?.client.clone())
}

/// Plans a Cloud Director sync (`Sync-VcdUser`) from the `New-VcdUser` columns (`Username,
/// Password, Role, FullName, Email, Enabled, ProviderType`). Request and answer as for
/// `vcs_plan_sync`; a plan never holds a password.
///
/// # Safety
/// As for `vcs_set_user_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcd_plan_sync(
    conn: *const super::vcd::VcdConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let client = vcd_client(conn)?;
        let r: PlanSyncRequest = json_arg(request_json, "request_json", false)?;
        let text = file_text(r.csv, r.path, true)?.unwrap_or_default();
        block_on(async move { plan_answer(&sync::vcd::plan(&client, &text, r.prune).await?) })
    })
}

/// Applies a Cloud Director plan. `request_json`: `{"plan": <the plan>}`, plus the file it was
/// made from (`csv` or `path`) when it creates LOCAL users: their passwords come from it, and it
/// must be the same file (checked against the plan's `sourceDigest`). Answer as for `vcs_apply_plan`.
///
/// # Safety
/// As for `vcs_set_user_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcd_apply_plan(
    conn: *const super::vcd::VcdConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let client = vcd_client(conn)?;
        let r: ApplyPlanRequest = json_arg(request_json, "request_json", false)?;
        let plan = SyncPlan::from_json(r.plan)?;
        let text = file_text(r.csv, r.path, false)?;
        block_on(async move { report_answer(&sync::vcd::apply(&client, &plan, text.as_deref()).await?) })
    })
}
