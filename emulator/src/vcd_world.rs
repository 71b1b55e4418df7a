//! The emulated Cloud Director: a provider org (System) and one tenant org, their roles, users,
//! sessions and API tokens. Passwords are kept only as salted SHA-256 hashes.

use crate::seeder::Seeder;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const TENANT_ORG: &str = "acme";
pub const TENANT_ADMIN: &str = "vcd-admin";
pub const PROVIDER_ADMIN: &str = "administrator";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdWorld {
    pub orgs: Vec<VcdOrg>,
    pub roles: Vec<VcdRole>,
    pub users: Vec<VcdUser>,
    pub sessions: Vec<VcdSession>,
    pub api_tokens: Vec<VcdApiToken>,
    /// The seeded administrators' password (the emulator prints it; it is stored hashed too).
    pub admin_password: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdOrg {
    pub id: String,
    pub name: String,
    pub display_name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdRole {
    pub id: String,
    pub name: String,
    pub description: String,
    pub bundle_key: String,
    pub read_only: bool,
    /// Only this org may use it (the provider's own roles); None = every org.
    pub org_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdUser {
    pub id: String,
    pub org_id: String,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub description: String,
    pub role_ids: Vec<String>,
    pub provider_type: String,
    pub enabled: bool,
    pub is_group_role: bool,
    pub name_in_source: String,
    pub password_salt: Option<String>,
    pub password_hash: Option<String>,
    pub stored_vm_quota: i32,
    pub deployed_vm_quota: i32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdSession {
    pub id: String,
    pub token: String,
    pub user_id: String,
    pub org_id: String,
    pub expires_at_ms: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VcdApiToken {
    pub token: String,
    pub user_id: String,
}

pub fn hash_password(salt: &str, password: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(b":");
    h.update(password.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl VcdUser {
    pub fn set_password(&mut self, salt: String, password: &str) {
        self.password_hash = Some(hash_password(&salt, password));
        self.password_salt = Some(salt);
    }

    pub fn password_matches(&self, password: &str) -> bool {
        match (&self.password_salt, &self.password_hash) {
            (Some(salt), Some(hash)) => &hash_password(salt, password) == hash,
            _ => false,
        }
    }
}

const FIRST: &[&str] = &[
    "aiko", "bram", "carla", "dev", "emre", "fiona", "goran", "hana", "ivo", "jana", "kofi", "lea", "milo", "noor", "otto", "pia", "raj",
    "sara", "tomas", "una", "vera", "wim", "yara", "zane",
];
const LAST: &[&str] = &[
    "abe", "brandt", "costa", "dahl", "evans", "falk", "gupta", "haas", "ito", "jovic", "klein", "lund", "meyer", "novak", "olsen", "park",
    "reyes", "sato", "thorn", "vogel", "wolff", "young", "zhou",
];

impl Seeder {
    pub fn vcd_world(&mut self, users: usize) -> VcdWorld {
        let urn = |kind: &str, s: &mut Seeder| format!("urn:vcloud:{kind}:{}", s.uuid());
        let system = VcdOrg { id: urn("org", self), name: "System".into(), display_name: "System".into() };
        let tenant = VcdOrg { id: urn("org", self), name: TENANT_ORG.into(), display_name: "Acme Cloud Operations".into() };
        let mut roles: Vec<VcdRole> = [
            ("Organization Administrator", "Built-in rights for administering an organization", "ROLE_ORG_ADMIN"),
            ("Catalog Author", "Rights given to a user who creates and publishes new catalogs", "ROLE_CATALOG_AUTHOR"),
            ("vApp Author", "Rights given to a user who uses catalogs and creates vApps", "ROLE_VAPP_AUTHOR"),
            ("vApp User", "Rights given to a user who uses vApps created by others", "ROLE_VAPP_USER"),
            (
                "Console Access Only",
                "Rights given to a user who can only view virtual machine state and properties and use the guest OS",
                "ROLE_CONSOLE_ACCESS",
            ),
            ("Defer to Identity Provider", "Rights will be defined by the identity provider", "ROLE_DEFER_TO_IDP"),
        ]
        .iter()
        .map(|(n, d, k)| VcdRole {
            id: urn("role", self),
            name: n.to_string(),
            description: d.to_string(),
            bundle_key: k.to_string(),
            read_only: true,
            org_id: None,
        })
        .collect();
        roles.push(VcdRole {
            id: urn("role", self),
            name: "System Administrator".into(),
            description: "Built-in rights for administering the system".into(),
            bundle_key: "ROLE_SYSTEM_ADMINISTRATOR".into(),
            read_only: true,
            org_id: Some(system.id.clone()),
        });
        let password: String =
            (0..20).map(|_| b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"[self.rng().gen_range(0..55)] as char).collect();
        let mut world = VcdWorld {
            orgs: vec![system.clone(), tenant.clone()],
            roles,
            users: Vec::new(),
            sessions: Vec::new(),
            api_tokens: Vec::new(),
            admin_password: password.clone(),
        };
        let role_id = |w: &VcdWorld, name: &str| w.roles.iter().find(|r| r.name == name).map(|r| r.id.clone()).unwrap_or_default();
        let mut admins = Vec::new();
        for (org, name, role, full) in [
            (&system, PROVIDER_ADMIN, "System Administrator", "System Administrator"),
            (&tenant, TENANT_ADMIN, "Organization Administrator", "Acme Administrator"),
        ] {
            let mut u = VcdUser {
                id: urn("user", self),
                org_id: org.id.clone(),
                username: name.into(),
                full_name: full.into(),
                email: format!("{name}@example.com"),
                description: String::new(),
                role_ids: vec![role_id(&world, role)],
                provider_type: "LOCAL".into(),
                enabled: true,
                is_group_role: false,
                name_in_source: name.into(),
                password_salt: None,
                password_hash: None,
                stored_vm_quota: 0,
                deployed_vm_quota: 0,
            };
            let salt = self.uuid();
            u.set_password(salt, &password);
            admins.push(u.id.clone());
            world.users.push(u);
        }
        world.api_tokens.push(VcdApiToken { token: self.uuid().replace('-', ""), user_id: admins[1].clone() });
        let tenant_roles = ["Catalog Author", "vApp Author", "vApp User", "Console Access Only"];
        for i in 0..users {
            let first = FIRST[self.rng().gen_range(0..FIRST.len())];
            let last = LAST[self.rng().gen_range(0..LAST.len())];
            let username = format!("{first}.{last}{i}");
            let provider = match i % 7 {
                5 => "LDAP",
                6 => "SAML",
                _ => "LOCAL",
            };
            let role = tenant_roles[self.rng().gen_range(0..tenant_roles.len())];
            let mut u = VcdUser {
                id: urn("user", self),
                org_id: tenant.id.clone(),
                full_name: format!("{}{} {}{}", first[..1].to_uppercase(), &first[1..], last[..1].to_uppercase(), &last[1..]),
                email: format!("{first}.{last}{i}@acme.example"),
                description: String::new(),
                role_ids: vec![role_id(&world, role)],
                provider_type: provider.into(),
                enabled: i % 11 != 10,
                is_group_role: false,
                name_in_source: username.clone(),
                username,
                password_salt: None,
                password_hash: None,
                stored_vm_quota: 0,
                deployed_vm_quota: 0,
            };
            if provider == "LOCAL" {
                let salt = self.uuid();
                let pw = self.uuid();
                u.set_password(salt, &pw);
            }
            world.users.push(u);
        }
        world
    }
}
