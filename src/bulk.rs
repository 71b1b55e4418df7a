//! The per-item report of a bulk operation: every input appears once per object it resolved to,
//! in input order, with what happened to it. Nothing is dropped, and nothing is reported done that
//! the service did not do: an outcome the library could not learn is `unknown`.
//!
//! One shape for every bulk call, real or dry run, CSP or Cloud Director:
//! `{"succeeded", "failed", "unknown", "notStarted", "cancelled", "items": [{"input", "target",
//! "outcome", "ok", "id", "result", "message", "error"}]}`.

use crate::error::Error;
use serde::Serialize;
use serde_json::Value;

/// Outcomes that are not a success and not a failure.
pub const OUTCOME_UNKNOWN: &str = "unknown";
pub const OUTCOME_NOT_STARTED: &str = "notStarted";

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkItem {
    /// The input as the caller gave it (email, username, pattern, id).
    pub input: String,
    /// Whether the caller's wish holds for this item (done, or already so).
    pub ok: bool,
    /// What happened: `invited`, `notInvited`, `removed`, `revoked`, `created`, `updated`,
    /// `duplicate`, `unchanged`, `wouldRemove`, `wouldInvite`, `wouldRevoke`, `wouldCreate` (dry
    /// runs), `refused` (not sent: a guard rail or a known server rule), `failed`, `unknown`
    /// (sent, outcome not learnt), `notStarted` (cancelled before it was sent).
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The object the input resolved to, so a report names who was affected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The resulting object (e.g. the invitation), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// Who or what an item acted on.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub username: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl BulkItem {
    pub fn success(input: impl Into<String>, outcome: &str, id: Option<String>) -> Self {
        BulkItem { input: input.into(), ok: true, outcome: outcome.into(), id, target: None, result: None, message: None, error: None }
    }

    pub fn failure(input: impl Into<String>, id: Option<String>, error: Error) -> Self {
        BulkItem { input: input.into(), ok: false, outcome: "failed".into(), id, target: None, result: None, message: None, error: Some(error) }
    }

    /// Sent, but whether it took effect could not be learnt; `error` says why.
    pub fn unknown(input: impl Into<String>, id: Option<String>, error: Error) -> Self {
        BulkItem { outcome: OUTCOME_UNKNOWN.into(), ..BulkItem::failure(input, id, error) }
    }

    /// Never sent: the call was cancelled first.
    pub fn not_started(input: impl Into<String>, id: Option<String>) -> Self {
        let mut it = BulkItem::success(input, OUTCOME_NOT_STARTED, id);
        it.ok = false;
        it.message = Some("not sent: the call was cancelled first".into());
        it
    }

    pub fn with_target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    pub fn is_unknown(&self) -> bool {
        self.outcome == OUTCOME_UNKNOWN
    }

    pub fn is_not_started(&self) -> bool {
        self.outcome == OUTCOME_NOT_STARTED
    }

    /// Failed: neither a success, nor unknown, nor never started.
    pub fn is_failure(&self) -> bool {
        !self.ok && !self.is_unknown() && !self.is_not_started()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    pub succeeded: usize,
    pub failed: usize,
    pub unknown: usize,
    pub not_started: usize,
    /// The call was cancelled before every item was sent.
    pub cancelled: bool,
    pub items: Vec<BulkItem>,
}

impl BulkReport {
    pub fn from_items(items: Vec<BulkItem>) -> Self {
        let succeeded = items.iter().filter(|i| i.ok).count();
        let unknown = items.iter().filter(|i| i.is_unknown()).count();
        let not_started = items.iter().filter(|i| i.is_not_started()).count();
        BulkReport { succeeded, failed: items.len() - succeeded - unknown - not_started, unknown, not_started, cancelled: not_started > 0, items }
    }

    pub fn cancelled(mut self, yes: bool) -> Self {
        self.cancelled |= yes;
        self
    }

    /// Every item holds: nothing failed, unknown or left undone.
    pub fn all_ok(&self) -> bool {
        self.failed == 0 && self.unknown == 0 && self.not_started == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCategory;

    #[test]
    fn counts_each_kind_of_outcome_once() {
        let e = Error::new(ErrorCategory::Server, "x");
        let r = BulkReport::from_items(vec![
            BulkItem::success("a", "removed", None),
            BulkItem::failure("b", None, e.clone()),
            BulkItem::unknown("c", None, e),
            BulkItem::not_started("d", None),
        ]);
        assert_eq!((r.succeeded, r.failed, r.unknown, r.not_started, r.cancelled), (1, 1, 1, 1, true));
        assert!(!r.all_ok());
        assert!(BulkReport::from_items(vec![BulkItem::success("a", "removed", None)]).all_ok());
    }
}
