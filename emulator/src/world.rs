//! The emulated organization: everything the service keeps, serializable so `--state` can
//! persist it, and seeded deterministically from `--seed`.

use crate::seeder::Seeder;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const INVITATION_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct World {
    pub org_id: String,
    pub org_name: String,
    pub org_display_name: String,
    pub api_tokens: Vec<ApiTokenRecord>,
    pub oauth_apps: Vec<OAuthApp>,
    /// HMAC key of the access tokens; persisted so tokens stay valid across a restart.
    pub signing_key: String,
    /// Bumped by `POST /_emulator/tokens/expire`: tokens of an older generation are expired.
    pub token_generation: u64,
    pub org_roles: Vec<OrgRole>,
    pub services: Vec<ServiceDef>,
    pub users: Vec<User>,
    pub invitations: Vec<Invitation>,
    /// Counter behind new ids, so ids stay deterministic for a given seed.
    pub next_serial: u64,
    /// The Cloud Director part, served on the same address.
    #[serde(default)]
    pub vcd: crate::vcd_world::VcdWorld,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenRecord {
    pub token: String,
    pub username: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
    pub revoked: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthApp {
    pub app_id: String,
    pub app_secret: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgRole {
    pub id: String,
    pub name: String,
    pub display_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDef {
    pub id: String,
    /// `external` or `paid`: the middle segment of the definition link.
    pub kind: String,
    pub name: String,
    pub display_name: String,
    pub description: String,
    pub roles: Vec<ServiceRoleDef>,
}

impl ServiceDef {
    pub fn link(&self) -> String {
        format!("/csp/gateway/slc/api/definitions/{}/{}", self.kind, self.id)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRoleDef {
    pub name: String,
    pub display_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ServiceGrant {
    pub service_id: String,
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_id: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub domain: String,
    pub idp_id: String,
    pub org_roles: Vec<String>,
    pub service_roles: Vec<ServiceGrant>,
    pub created_at_ms: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    Available,
    Redeemed,
    Revoked,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    pub username: String,
    pub status: InvitationStatus,
    pub generated_at_ms: i64,
    pub generated_by: String,
    pub expiration_time_ms: i64,
    pub redeemed_at_ms: Option<i64>,
    pub redeemed_by: Option<String>,
    pub revoked_at_ms: Option<i64>,
    pub revoked_by: Option<String>,
    pub org_roles: Vec<String>,
    pub service_roles: Vec<ServiceGrant>,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "Jonas", "Kavya", "Liam", "Mei", "Nadia", "Oscar",
    "Priya", "Quentin", "Rosa", "Sven", "Tamar", "Umar", "Valeria", "Wei", "Ximena", "Yusuf", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Andersen",
    "Becker",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Horvath",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Underwood",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
];
pub const ORG_DOMAIN: &str = "example.com";
pub const OWNER_USERNAME: &str = "ada.andersen@example.com";

impl Seeder {
    pub fn world(&mut self, users: usize, invitations: usize) -> World {
        let now = now_ms();
        let org_id = self.uuid();
        let org_roles = [
            ("org_owner", "Organization Owner"),
            ("org_member", "Organization Member"),
            ("support_user", "Support User"),
            ("developer", "Developer"),
            ("billing_read_only", "Billing Read-only"),
        ]
        .iter()
        .map(|(n, d)| OrgRole { id: self.uuid(), name: n.to_string(), display_name: d.to_string() })
        .collect();
        let role = |n: &str, d: &str| ServiceRoleDef { name: n.into(), display_name: d.into() };
        let services = vec![
            ServiceDef {
                id: "ybUdoTC05kYFC9ZG560kpsn0I8M_".into(),
                kind: "external".into(),
                name: "VMC_ON_AWS".into(),
                display_name: "VMware Cloud on AWS".into(),
                description: "Run VMware's software-defined data center on AWS.".into(),
                roles: vec![
                    role("vmc-user:full", "Administrator"),
                    role("nsx:cloud_admin", "NSX Cloud Admin"),
                    role("nsx:cloud_auditor", "NSX Cloud Auditor"),
                ],
            },
            ServiceDef {
                id: "tcq4LTfyZ_-UPdPAJIi2LhnvxmE_".into(),
                kind: "paid".into(),
                name: "TANZU_MISSION_CONTROL".into(),
                display_name: "VMware Tanzu Mission Control".into(),
                description: "Operate Kubernetes clusters across clouds from one place.".into(),
                roles: vec![role("tmc:admin", "Tanzu Mission Control Admin"), role("tmc:member", "Tanzu Mission Control Member")],
            },
            ServiceDef {
                id: "7cJ2ngS_hRCY_bIbWucM4KWQwOo_".into(),
                kind: "external".into(),
                name: "LOG_INSIGHT_CLOUD".into(),
                display_name: "VMware Aria Operations for Logs".into(),
                description: "Log analytics for cloud and on-premises infrastructure.".into(),
                roles: vec![role("log-intelligence:admin", "Log Admin"), role("log-intelligence:user", "Log User")],
            },
            ServiceDef {
                id: "Ol1bgfCqNvkyTfWw4EOhKTQa2Vs_".into(),
                kind: "external".into(),
                name: "SKYLINE".into(),
                display_name: "VMware Skyline Advisor".into(),
                description: "Proactive findings and recommendations.".into(),
                roles: vec![role("skyline:admin", "Skyline Admin"), role("skyline:viewer", "Skyline Viewer")],
            },
        ];
        let mut world = World {
            org_id,
            org_name: "acme-cloud-ops".into(),
            org_display_name: "Acme Cloud Operations".into(),
            api_tokens: vec![ApiTokenRecord {
                token: self.token(64),
                username: OWNER_USERNAME.into(),
                created_at_ms: now,
                expires_at_ms: now + 180 * 24 * 3600 * 1000,
                revoked: false,
            }],
            oauth_apps: vec![OAuthApp { app_id: format!("app-{}", self.token(12)), app_secret: self.token(40) }],
            signing_key: self.token(48),
            token_generation: 0,
            org_roles,
            services,
            users: Vec::with_capacity(users.max(1)),
            invitations: Vec::new(),
            next_serial: 0,
            vcd: Default::default(),
        };
        let mut taken = HashSet::with_capacity(users.max(1));
        for i in 0..users.max(1) {
            let (first, last) = if i == 0 {
                ("Ada", "Andersen")
            } else {
                (FIRST_NAMES[self.rng().gen_range(0..FIRST_NAMES.len())], LAST_NAMES[self.rng().gen_range(0..LAST_NAMES.len())])
            };
            let base = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
            let mut username = format!("{base}@{ORG_DOMAIN}");
            if !taken.insert(username.clone()) {
                username = format!("{base}{i}@{ORG_DOMAIN}");
                taken.insert(username.clone());
            }
            let org_roles = if i == 0 {
                vec!["org_owner".to_string()]
            } else {
                match self.rng().gen_range(0..10) {
                    0 => vec!["org_owner".to_string()],
                    1 => vec!["org_member".to_string(), "support_user".to_string()],
                    2 | 3 => vec!["org_member".to_string(), "developer".to_string()],
                    _ => vec!["org_member".to_string()],
                }
            };
            let svc = &world.services[self.rng().gen_range(0..world.services.len())];
            let svc_role = svc.roles[self.rng().gen_range(0..svc.roles.len())].name.clone();
            let service_roles = vec![ServiceGrant { service_id: svc.id.clone(), roles: vec![svc_role] }];
            world.users.push(User {
                user_id: format!("{ORG_DOMAIN}:{}", self.uuid()),
                first_name: first.into(),
                last_name: last.into(),
                email: username.clone(),
                username,
                domain: ORG_DOMAIN.into(),
                idp_id: "idp-acme".into(),
                org_roles,
                service_roles,
                created_at_ms: now - (i as i64) * 60_000,
            });
        }
        // Invitations: mostly pending, then redeemed and revoked ones, as a live org has.
        for i in 0..invitations {
            let first = FIRST_NAMES[(i * 7) % FIRST_NAMES.len()].to_lowercase();
            let last = LAST_NAMES[(i * 11 + 3) % LAST_NAMES.len()].to_lowercase();
            let generated = now - (i as i64 % 6) * 24 * 3600 * 1000 - 3_600_000;
            let status = match i % 5 {
                3 => InvitationStatus::Redeemed,
                4 => InvitationStatus::Revoked,
                _ => InvitationStatus::Available,
            };
            let mut inv = Invitation {
                id: self.uuid(),
                username: format!("{first}.{last}.guest{i}@partner.example.org"),
                status: status.clone(),
                generated_at_ms: generated,
                generated_by: OWNER_USERNAME.into(),
                expiration_time_ms: generated + INVITATION_TTL_MS,
                redeemed_at_ms: None,
                redeemed_by: None,
                revoked_at_ms: None,
                revoked_by: None,
                org_roles: vec!["org_member".into()],
                service_roles: vec![ServiceGrant {
                    service_id: "ybUdoTC05kYFC9ZG560kpsn0I8M_".into(),
                    roles: vec!["nsx:cloud_auditor".into()],
                }],
            };
            match status {
                InvitationStatus::Redeemed => {
                    inv.redeemed_at_ms = Some(generated + 3_600_000);
                    inv.redeemed_by = Some(inv.username.clone());
                }
                InvitationStatus::Revoked => {
                    inv.revoked_at_ms = Some(generated + 7_200_000);
                    inv.revoked_by = Some(OWNER_USERNAME.into());
                }
                InvitationStatus::Available => {}
            }
            world.invitations.push(inv);
        }
        world
    }
}

#[derive(Debug, PartialEq)]
pub enum AcceptError {
    NotFound,
    NotPending,
}

impl World {
    /// What happens when a person follows an invitation link: they become a user with the
    /// invited roles, and the invitation is redeemed.
    pub fn accept_invitation(&mut self, id: &str, seed: u64) -> Result<User, AcceptError> {
        let pos = self.invitations.iter().position(|i| i.id == id).ok_or(AcceptError::NotFound)?;
        let inv = self.invitations[pos].clone();
        if inv.status != InvitationStatus::Available || inv.expiration_time_ms <= now_ms() {
            return Err(AcceptError::NotPending);
        }
        let local = inv.username.split('@').next().unwrap_or_default();
        let mut parts = local.split(['.', '_', '-']).filter(|p| !p.is_empty());
        let cap = |s: &str| {
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        };
        let first_name = parts.next().map(cap).unwrap_or_default();
        let last_name = parts.next().map(cap).unwrap_or_default();
        let user = User {
            user_id: format!("{ORG_DOMAIN}:{}", self.fresh_id(seed)),
            username: inv.username.clone(),
            first_name,
            last_name,
            email: inv.username.clone(),
            domain: inv.username.rsplit('@').next().unwrap_or_default().to_string(),
            idp_id: "idp-acme".into(),
            org_roles: inv.org_roles.clone(),
            service_roles: inv.service_roles.clone(),
            created_at_ms: now_ms(),
        };
        self.users.push(user.clone());
        let inv = &mut self.invitations[pos];
        inv.status = InvitationStatus::Redeemed;
        inv.redeemed_at_ms = Some(now_ms());
        inv.redeemed_by = Some(inv.username.clone());
        Ok(user)
    }

    pub fn fresh_id(&mut self, seeder_seed: u64) -> String {
        self.next_serial += 1;
        let mut s = Seeder::new(seeder_seed ^ self.next_serial.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        s.uuid()
    }

    pub fn service_by_link(&self, link: &str) -> Option<&ServiceDef> {
        let id = link.trim_end_matches('/').rsplit('/').next()?;
        self.services.iter().find(|s| s.id == id && (link.contains("/definitions/") || link == id))
    }

    pub fn role_display_name(&self, name: &str) -> String {
        self.org_roles.iter().find(|r| r.name == name).map(|r| r.display_name.clone()).unwrap_or_default()
    }
}
