//! Desired state from a file, for CSP organizations and Cloud Director tenants alike: read the
//! organization, compute a plan (what to invite or create, whose roles to change, and with
//! `prune` whom to remove), let the caller see it, then apply it row by row.
//!
//! - A plan is plain JSON (`SyncPlan`): a host shows it and hands it back to apply.
//! - Rows the file gets wrong (unknown column, role or service, invalid or repeated address) are
//!   `invalid`, by line and field; a plan with any is never applied.
//! - Removing the caller, or the last organization owner (Cloud Director: the last Organization
//!   Administrator), is never planned: such rows are `refused`, with the reason.
//! - Apply checks the plan is still valid: same provider and organization, no invalid rows, and
//!   for each row the object it acts on is still as the plan saw it (`before`). A row whose object
//!   changed since is reported `stale` (failed, conflict) and not applied; the others are.
//! - Applying a plan, then planning again from the same file, plans nothing.

pub mod csp;
mod csp_apply;
mod csp_state;
pub mod csv;
pub mod vcd;

use crate::bulk::{BulkItem, BulkReport, Target};
use crate::error::{Error, ErrorCategory, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Provider {
    Csp,
    Vcd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// CSP: invite an address the organization does not have.
    Invite,
    /// CSP: a pending invitation with other roles: revoke it and invite again.
    Reinvite,
    /// CSP: change a member's organization and service roles.
    SetRoles,
    /// Cloud Director: create a user.
    Create,
    /// Cloud Director: change a user's roles, name, email, description or enabled state.
    Update,
    /// Prune: remove a member or user the file does not list.
    Remove,
    /// Prune (CSP): revoke a pending invitation the file does not list.
    Revoke,
    /// Would be a change, but the library never makes it (the caller, the last owner).
    Refused,
    /// The file's row is wrong; `field` and `reason` say how.
    Invalid,
}

impl Action {
    /// Rows that change something when applied.
    pub fn is_change(self) -> bool {
        !matches!(self, Action::Refused | Action::Invalid)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Invite => "invite",
            Action::Reinvite => "reinvite",
            Action::SetRoles => "setRoles",
            Action::Create => "create",
            Action::Update => "update",
            Action::Remove => "remove",
            Action::Revoke => "revoke",
            Action::Refused => "refused",
            Action::Invalid => "invalid",
        }
    }
}

/// One row of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRow {
    /// The file's line number; absent for rows that come from the organization (prune).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub action: Action,
    /// The email (CSP) or username (Cloud Director) the row is about.
    pub key: String,
    /// The member, user or invitation acted on, when it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// What changes, for people: `+org_member`, `-developer`, `fullName: 'A' -> 'B'`.
    #[serde(default)]
    pub changes: Vec<String>,
    /// The object as the plan saw it; apply checks it still is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The state the row asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// For `invalid` rows: the column at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `refused` and `invalid` rows: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `refused` rows: what the row would have done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_action: Option<Action>,
}

impl PlanRow {
    pub fn new(line: Option<usize>, action: Action, key: impl Into<String>) -> Self {
        PlanRow {
            line,
            action,
            key: key.into(),
            id: None,
            name: String::new(),
            changes: Vec::new(),
            before: None,
            after: None,
            field: None,
            reason: None,
            refused_action: None,
        }
    }

    pub fn invalid(line: usize, key: impl Into<String>, field: &str, reason: impl Into<String>) -> Self {
        PlanRow { field: Some(field.to_string()), reason: Some(reason.into()), ..PlanRow::new(Some(line), Action::Invalid, key) }
    }

    /// Turns a planned change into a refusal, keeping what it would have done.
    pub fn refuse(mut self, reason: impl Into<String>) -> Self {
        self.refused_action = Some(self.action);
        self.action = Action::Refused;
        self.reason = Some(reason.into());
        self
    }

    /// Who the row is about, for reports.
    pub fn target(&self) -> Target {
        Target {
            id: self.id.clone().unwrap_or_default(),
            username: self.key.clone(),
            email: if self.key.contains('@') { self.key.clone() } else { String::new() },
            name: self.name.clone(),
        }
    }

    fn where_(&self) -> String {
        match self.line {
            Some(l) => format!("line {l}"),
            None => "the organization".to_string(),
        }
    }
}

/// Counts of a plan, by action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanSummary {
    /// Rows that change something.
    pub changes: usize,
    pub invite: usize,
    pub reinvite: usize,
    pub set_roles: usize,
    pub create: usize,
    pub update: usize,
    pub remove: usize,
    pub revoke: usize,
    pub refused: usize,
    pub invalid: usize,
    /// Rows of the file already as they should be.
    pub unchanged: usize,
}

/// Seconds spent reading the organization (every member and user, pending invitations), and
/// everything else: the roles and services, the file, the comparison.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTiming {
    pub listing_seconds: f64,
    pub planning_seconds: f64,
}

/// A plan: what applying the file would do to the organization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPlan {
    pub provider: Provider,
    /// The organization's id (CSP) or URN (Cloud Director); apply refuses a plan for another.
    pub organization: String,
    #[serde(default)]
    pub organization_name: String,
    pub prune: bool,
    /// Of the file's text (FNV-1a), so apply can tell it was given the same file.
    pub source_digest: String,
    /// Members, users and pending invitations read to make the plan.
    #[serde(default)]
    pub read: usize,
    pub summary: PlanSummary,
    /// Where the planning time went.
    #[serde(default)]
    pub timing: PlanTiming,
    /// Every row that changes something, is refused or is invalid, in file order, then the
    /// organization's rows (prune).
    pub rows: Vec<PlanRow>,
}

impl SyncPlan {
    pub(crate) fn new(provider: Provider, organization: String, organization_name: String, prune: bool, text: &str) -> Self {
        SyncPlan {
            provider,
            organization,
            organization_name,
            prune,
            source_digest: csv::digest(text),
            read: 0,
            summary: PlanSummary::default(),
            timing: PlanTiming::default(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn count(&mut self, unchanged: usize) {
        let mut s = PlanSummary { unchanged, ..PlanSummary::default() };
        for r in &self.rows {
            match r.action {
                Action::Invite => s.invite += 1,
                Action::Reinvite => s.reinvite += 1,
                Action::SetRoles => s.set_roles += 1,
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Remove => s.remove += 1,
                Action::Revoke => s.revoke += 1,
                Action::Refused => s.refused += 1,
                Action::Invalid => s.invalid += 1,
            }
            if r.action.is_change() {
                s.changes += 1;
            }
        }
        self.summary = s;
    }

    /// Nothing to change, refuse or fix.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Some rows are invalid: the plan cannot be applied.
    pub fn has_invalid(&self) -> bool {
        self.rows.iter().any(|r| r.action == Action::Invalid)
    }

    /// Reads a plan handed back by a host.
    pub fn from_json(v: Value) -> Result<SyncPlan> {
        serde_json::from_value(v).map_err(|e| Error::invalid("plan", format!("not a plan made by plan_sync: {e}")))
    }

    /// The checks every apply makes before it changes anything.
    pub(crate) fn check_applicable(&self, provider: Provider, organization: &str) -> Result<()> {
        if self.provider != provider {
            return Err(Error::invalid("plan.provider", format!("this plan is for {:?}, not this connection", self.provider)));
        }
        if self.organization != organization {
            return Err(Error::invalid(
                "plan.organization",
                format!("this plan is for organization {}, not {organization}; plan again", crate::error::excerpt(&self.organization)),
            ));
        }
        if let Some(bad) = self.rows.iter().find(|r| r.action == Action::Invalid) {
            let n = self.rows.iter().filter(|r| r.action == Action::Invalid).count();
            return Err(Error::invalid(
                format!("plan.rows[{}]", self.rows.iter().position(|r| r == bad).unwrap_or(0)),
                format!(
                    "the plan has {n} invalid row(s), so nothing was applied; first: {} {}: {}",
                    bad.where_(),
                    bad.field.as_deref().unwrap_or("?"),
                    bad.reason.as_deref().unwrap_or("invalid")
                ),
            ));
        }
        Ok(())
    }
}

/// One row of an apply report: the plan row's line and action, and what happened.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub action: Action,
    #[serde(flatten)]
    pub item: BulkItem,
}

/// The report of an apply: the bulk report's counts, one item per plan row, in plan order.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    pub succeeded: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_started: usize,
    pub cancelled: bool,
    pub items: Vec<SyncItem>,
}

impl SyncReport {
    pub(crate) fn from_items(items: Vec<SyncItem>) -> Self {
        let r = BulkReport::from_items(items.iter().map(|i| i.item.clone()).collect());
        SyncReport {
            succeeded: r.succeeded,
            failed: r.failed,
            unknown: r.unknown,
            not_started: r.not_started,
            cancelled: r.cancelled,
            items,
        }
    }

    pub fn all_ok(&self) -> bool {
        self.failed == 0 && self.unknown == 0 && self.not_started == 0
    }

    /// The same report in the bulk shape (the row and action go into `result`).
    pub fn to_bulk(&self) -> BulkReport {
        BulkReport::from_items(self.items.iter().map(|i| i.item.clone()).collect())
    }
}

/// The report item of a refused row.
pub(crate) fn refused_item(row: &PlanRow) -> BulkItem {
    let mut e = Error::new(ErrorCategory::Conflict, row.reason.clone().unwrap_or_else(|| "refused".into()));
    e.field = row.field.clone();
    let mut it = BulkItem::failure(row.key.clone(), row.id.clone(), e).with_target(row.target());
    it.outcome = "refused".into();
    it
}

/// The report item of a row whose object changed after the plan was made.
pub(crate) fn stale_item(row: &PlanRow, what: &str) -> BulkItem {
    let mut it = BulkItem::failure(
        row.key.clone(),
        row.id.clone(),
        Error::new(ErrorCategory::Conflict, format!("{what} since the plan was made; nothing was done: plan again")),
    )
    .with_target(row.target());
    it.outcome = "stale".into();
    it
}

/// Fills in the row's key and target on an item an underlying call made.
pub(crate) fn for_row(row: &PlanRow, mut item: BulkItem) -> SyncItem {
    item.input = row.key.clone();
    if item.target.is_none() {
        let mut t = row.target();
        if t.id.is_empty() {
            t.id = item.id.clone().unwrap_or_default();
        }
        item.target = Some(t);
    }
    SyncItem { line: row.line, action: row.refused_action.unwrap_or(row.action), item }
}

/// A `;`-separated list cell from sorted values.
pub(crate) fn join(values: &[String]) -> String {
    values.join(";")
}

/// Largest file a sync reads (a million rows is well under it).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads a sync file: a regular file under [`MAX_FILE_BYTES`], UTF-8. `field` names the input.
pub fn read_file(field: &str, path: &std::path::Path) -> Result<String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| Error::invalid(field, format!("{shown}: {e}")))?;
    if !meta.is_file() {
        return Err(Error::invalid(field, format!("{shown}: not a regular file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::invalid(field, format!("{shown}: larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::invalid(field, format!("{shown}: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Error::invalid(field, format!("{shown}: not UTF-8 text")))
}
