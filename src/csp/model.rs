//! What the CSP client returns (camelCase JSON across the C ABI, PowerCLI's property names), and
//! the service's own shapes, which keep unknown fields instead of failing on them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

// ---- the library's types ----------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    pub server: String,
    pub url: String,
    pub org_id: String,
    pub org_name: String,
    pub user: String,
    /// `ApiToken` or `ServiceApp`, as PowerCLI's `VcsOAuthSecurityContextType`.
    pub auth_type: String,
    pub api_token_preview: Option<String>,
    pub app_id: Option<String>,
    pub access_token_expires_at: String,
    pub uid: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRoleGrant {
    pub service_id: String,
    pub service_name: String,
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub username: String,
    pub email: String,
    /// First and last name, or the username when the profile has none.
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub organization_roles: Vec<String>,
    pub service_roles: Vec<ServiceRoleGrant>,
    pub uid: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationStatus {
    Available,
    Redeemed,
    Revoked,
    Unknown,
}

impl InvitationStatus {
    pub fn from_service(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "AVAILABLE" => InvitationStatus::Available,
            "REDEEMED" => InvitationStatus::Redeemed,
            "REVOKED" => InvitationStatus::Revoked,
            _ => InvitationStatus::Unknown,
        }
    }

    pub fn parse(field: &str, s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "available" => Ok(InvitationStatus::Available),
            "redeemed" => Ok(InvitationStatus::Redeemed),
            "revoked" => Ok(InvitationStatus::Revoked),
            "unknown" => Ok(InvitationStatus::Unknown),
            _ => Err(crate::Error::invalid(
                field,
                format!("'{}' is not one of Available, Redeemed, Revoked, Unknown", crate::error::excerpt(s)),
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    /// The invited email address (PowerCLI's `Name`).
    pub name: String,
    pub email: String,
    pub status: InvitationStatus,
    pub created_by: Option<String>,
    pub created_date: Option<String>,
    pub expired_date: Option<String>,
    pub redeemed_by: Option<String>,
    pub redeemed_date: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_date: Option<String>,
    pub organization_roles: Vec<String>,
    pub service_roles: Vec<ServiceRoleGrant>,
    pub uid: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRole {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub uid: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub id: String,
    /// The display name (PowerCLI's `Name`).
    pub name: String,
    /// The service's technical name (`VMC_ON_AWS`).
    pub technical_name: String,
    pub description: String,
    pub self_link: String,
    pub uid: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRole {
    /// Role names are unique across services (`vmc-user:full`), so the name is the id.
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub service_id: String,
    pub service_name: String,
    pub uid: String,
}

// ---- the service's shapes (section 2.3 of the reference) -------------------------------------
// Unknown fields never fail a read. Types read a few at a time keep them (`_extra`); the per-user
// types, read by the hundred thousand, skip them: buffering every field of every user tripled
// the memory and time of a full listing.

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireRoleBinding {
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireServiceRoles {
    #[serde(default)]
    pub service_definition_id: Option<String>,
    #[serde(default)]
    pub service_definition_link: Option<String>,
    #[serde(default)]
    pub service_role_names: Vec<String>,
    #[serde(default)]
    pub service_roles: Vec<WireRoleBinding>,
}

impl WireServiceRoles {
    pub fn service_id(&self) -> String {
        self.service_definition_id.clone().or_else(|| self.service_definition_link.as_deref().map(last_segment)).unwrap_or_default()
    }

    pub fn role_names(&self) -> Vec<String> {
        let mut names = self.service_role_names.clone();
        for r in &self.service_roles {
            if !names.contains(&r.name) {
                names.push(r.name.clone());
            }
        }
        names
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUserProfile {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub user_id: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireExpandedUser {
    pub user: WireUserProfile,
    #[serde(default)]
    pub organization_roles: Vec<WireRoleBinding>,
    #[serde(default)]
    pub service_roles: Vec<WireServiceRoles>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireUserPage {
    #[serde(default)]
    pub results: Vec<WireExpandedUser>,
    #[serde(default)]
    pub total_results: Option<usize>,
    #[serde(default)]
    pub next_link: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireOrgRole {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub ref_link: Option<String>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireOrgRoles {
    #[serde(default)]
    pub org_roles_data: Vec<WireOrgRole>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireServiceRole {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireServiceDefinition {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description_long: Option<String>,
    #[serde(default)]
    pub document_self_link: Option<String>,
    #[serde(default)]
    pub visible: Option<bool>,
    #[serde(default)]
    pub service_roles: Vec<WireServiceRole>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireServiceDefinitions {
    #[serde(default)]
    pub results: Vec<WireServiceDefinition>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireInvitation {
    #[serde(default)]
    pub ref_link: Option<String>,
    pub username: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub generated_at: Option<i64>,
    #[serde(default)]
    pub generated_by: Option<String>,
    #[serde(default)]
    pub expiration_time: Option<i64>,
    #[serde(default)]
    pub redeemed_at: Option<i64>,
    #[serde(default)]
    pub redeemed_by: Option<String>,
    #[serde(default)]
    pub revoked_at: Option<i64>,
    #[serde(default)]
    pub revoked_by: Option<String>,
    #[serde(default)]
    pub org_role_names: Vec<String>,
    #[serde(default)]
    pub organization_roles: Vec<WireRoleBinding>,
    #[serde(default)]
    pub service_roles_dtos: Vec<WireServiceRoles>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireRemoveFailure {
    pub id: String,
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireRemoveUsers {
    #[serde(default)]
    pub succeeded: Vec<String>,
    #[serde(default)]
    pub failed: Vec<String>,
    #[serde(default)]
    pub failures: Vec<WireRemoveFailure>,
    #[serde(flatten)]
    pub _extra: Map<String, Value>,
}

/// The last path segment of a link: the id in `/…/invitations/{id}` or `/…/definitions/external/{id}`.
pub(crate) fn last_segment(link: &str) -> String {
    let path = link.split('?').next().unwrap_or(link);
    path.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string()
}

impl crate::select::Selectable for User {
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
        &self.name
    }
}
