//! Cloud Director shapes: what the client returns (the CloudAPI's own field names, camelCase)
//! and the paged collection wrapper.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdConnectionInfo {
    pub server: String,
    pub url: String,
    pub org: String,
    pub org_id: String,
    pub user: String,
    pub user_id: String,
    pub roles: Vec<String>,
    pub provider: bool,
    pub api_version: String,
    /// `Password` or `ApiToken`.
    pub auth_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

fn yes() -> bool {
    true
}

/// A Cloud Director user. The password is never part of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdUser {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub role_entity_refs: Vec<EntityRef>,
    #[serde(default)]
    pub org_entity_ref: Option<EntityRef>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub is_group_role: bool,
    #[serde(default)]
    pub provider_type: String,
    #[serde(default)]
    pub name_in_source: String,
    #[serde(default)]
    pub stored_vm_quota: i32,
    #[serde(default)]
    pub deployed_vm_quota: i32,
    #[serde(default)]
    pub locked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdRole {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub bundle_key: String,
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WirePage {
    #[serde(default)]
    pub values: Vec<Value>,
    #[serde(default)]
    pub page_count: usize,
    #[serde(default)]
    pub result_total: Option<usize>,
}

impl crate::select::Selectable for VcdUser {
    fn user_id(&self) -> &str {
        &self.id
    }
    fn username(&self) -> &str {
        &self.username
    }
    fn email(&self) -> &str {
        &self.email
    }
    fn full_name(&self) -> &str {
        &self.full_name
    }
}
