//! The per-item report of a bulk operation: every input appears once, in input order, as a
//! success or a failure with its reason. Nothing is dropped.

use crate::error::Error;
use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkItem {
    /// The input as the caller gave it (email, user, invitation id).
    pub input: String,
    pub ok: bool,
    /// What happened: `invited`, `notInvited`, `removed`, `revoked`, `failed`.
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The resulting object (e.g. the invitation), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

impl BulkItem {
    pub fn success(input: impl Into<String>, outcome: &str, id: Option<String>) -> Self {
        BulkItem { input: input.into(), ok: true, outcome: outcome.into(), id, result: None, message: None, error: None }
    }

    pub fn failure(input: impl Into<String>, id: Option<String>, error: Error) -> Self {
        BulkItem { input: input.into(), ok: false, outcome: "failed".into(), id, result: None, message: None, error: Some(error) }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkReport {
    pub succeeded: usize,
    pub failed: usize,
    pub items: Vec<BulkItem>,
}

impl BulkReport {
    pub fn from_items(items: Vec<BulkItem>) -> Self {
        let succeeded = items.iter().filter(|i| i.ok).count();
        BulkReport { succeeded, failed: items.len() - succeeded, items }
    }

    pub fn all_ok(&self) -> bool {
        self.failed == 0
    }
}
