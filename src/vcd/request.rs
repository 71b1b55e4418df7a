//! What callers ask of Cloud Director, as Rust values and camelCase JSON (the C ABI parses into
//! these, so every front end validates the same way).

use crate::csp::request::{check_email, one_or_many};
use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

/// Connection options as JSON (`vcd_connect`, `Connect-Vcd`).
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VcdConnectRequest {
    pub server: String,
    /// Tenant org name, or `System` for the provider.
    pub org: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub api_token: Option<String>,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub ca_certificate: Option<String>,
    /// A PEM file the library reads (a regular file under 1 MiB); excludes `caCertificate`.
    #[serde(default)]
    pub ca_certificate_path: Option<String>,
    /// Send secrets over plain `http://` to a host that is not loopback.
    #[serde(default)]
    pub allow_insecure_http: bool,
    /// curl-style `HOST:PORT:ADDRESS[,ADDRESS]` rules.
    #[serde(default)]
    pub resolve: Vec<String>,
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    #[serde(default)]
    pub timeout_seconds: Option<f64>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub concurrency: Option<usize>,
}

impl std::fmt::Debug for VcdConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VcdConnectRequest")
            .field("server", &self.server)
            .field("org", &self.org)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VcdUserQuery {
    /// Selectors: a URN, or patterns matched against the username, the email and the full name.
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub email: Vec<String>,
    /// User URNs.
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
    /// A FIQL filter passed to the service as it is (`providerType==LDAP;enabled==true`).
    #[serde(default, deserialize_with = "some_text")]
    pub filter: Option<String>,
}

/// An optional text field that, when given, holds text: `null` and `""` are refused rather than
/// read as "no filter".
fn some_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Err(serde::de::Error::custom("must not be null; give the text, or leave the field out")),
        Some(s) if s.trim().is_empty() => Err(serde::de::Error::custom("must not be empty; give the text, or leave the field out")),
        Some(s) => Ok(Some(s)),
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VcdRoleQuery {
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
}

/// Role names, URNs, or role objects (`{"id", "name"}`).
fn roles_field<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    let items = match v {
        Value::Null => return Ok(Vec::new()),
        Value::String(s) => return Ok(vec![s]),
        Value::Array(items) => items,
        _ => return Err(serde::de::Error::custom("expected a role name, or an array of role names, URNs or role objects")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s),
            Value::Object(m) => m
                .get("id")
                .or_else(|| m.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| serde::de::Error::custom(format!("item {i}: a role object needs an \"id\" or a \"name\""))),
            _ => Err(serde::de::Error::custom(format!("item {i}: expected a role name or a role object"))),
        })
        .collect()
}

const PROVIDER_TYPES: [&str; 4] = ["LOCAL", "LDAP", "SAML", "OAUTH"];

/// One user to create. `password` is required for LOCAL users and refused for the others.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewVcdUser {
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default, alias = "roleEntityRefs", deserialize_with = "roles_field")]
    pub roles: Vec<String>,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub provider_type: Option<String>,
    #[serde(default)]
    pub is_group_role: bool,
    #[serde(default)]
    pub name_in_source: Option<String>,
    #[serde(default)]
    pub stored_vm_quota: Option<i64>,
    #[serde(default)]
    pub deployed_vm_quota: Option<i64>,
}

impl std::fmt::Debug for NewVcdUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewVcdUser")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("roles", &self.roles)
            .field("provider_type", &self.provider_type)
            .finish_non_exhaustive()
    }
}

fn quota(field: &str, v: Option<i64>) -> Result<i64> {
    match v {
        None => Ok(0),
        Some(n) if (0..=i32::MAX as i64).contains(&n) => Ok(n),
        Some(n) => Err(Error::invalid(field, format!("{n} is not a quota: 0 (unlimited) to 2147483647"))),
    }
}

impl NewVcdUser {
    /// Checks the user and builds the CloudAPI body (roles are filled in by the client).
    pub fn to_body(&self, field: &str) -> Result<Value> {
        let f = |name: &str| format!("{field}.{name}");
        let username = self.username.trim();
        if username.is_empty() {
            return Err(Error::invalid(f("username"), "required"));
        }
        crate::select::check_new_username(&f("username"), username)?;
        if self.roles.is_empty() && !self.is_group_role {
            return Err(Error::invalid(f("roles"), "required: at least one role (or isGroupRole)"));
        }
        let provider = self.provider_type.clone().unwrap_or_else(|| "LOCAL".into()).to_uppercase();
        if !PROVIDER_TYPES.contains(&provider.as_str()) {
            return Err(Error::invalid(
                f("providerType"),
                format!("'{}' is not one of LOCAL, LDAP, SAML, OAUTH", crate::error::excerpt(&provider)),
            ));
        }
        match (provider.as_str(), &self.password) {
            ("LOCAL", None) => return Err(Error::invalid(f("password"), "required for a LOCAL user")),
            ("LOCAL", Some(p)) if p.chars().count() < 6 => return Err(Error::invalid(f("password"), "at least 6 characters")),
            (p, Some(_)) if p != "LOCAL" => {
                return Err(Error::invalid(f("password"), format!("must be empty for a {p} user: the identity provider holds it")))
            }
            _ => {}
        }
        if let Some(e) = self.email.as_deref().filter(|e| !e.is_empty()) {
            check_email(&f("email"), e)?;
        }
        Ok(json!({
            "username": username,
            "password": self.password,
            "fullName": self.full_name.clone().unwrap_or_default(),
            "email": self.email.clone().unwrap_or_default(),
            "description": self.description.clone().unwrap_or_default(),
            "enabled": self.enabled.unwrap_or(true),
            "providerType": provider,
            "isGroupRole": self.is_group_role,
            "nameInSource": self.name_in_source.clone().unwrap_or_else(|| username.to_string()),
            "storedVmQuota": quota(&f("storedVmQuota"), self.stored_vm_quota)?,
            "deployedVmQuota": quota(&f("deployedVmQuota"), self.deployed_vm_quota)?,
            "roleEntityRefs": [],
        }))
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewVcdUsersRequest {
    pub users: Vec<NewVcdUser>,
}

/// Changes to one user; absent fields stay as they are. `id` names the user by the selection
/// rule: a URN, a username, an email, a full name, or a pattern matching exactly one user.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VcdUserChanges {
    pub id: String,
    #[serde(default)]
    pub full_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "opt_roles")]
    pub roles: Option<Vec<String>>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub stored_vm_quota: Option<i64>,
    #[serde(default)]
    pub deployed_vm_quota: Option<i64>,
}

fn opt_roles<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<String>>, D::Error> {
    roles_field(d).map(Some)
}

impl std::fmt::Debug for VcdUserChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VcdUserChanges")
            .field("id", &self.id)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl VcdUserChanges {
    /// Applies the plain-field changes to a user's JSON (roles are resolved by the client).
    pub fn apply(&self, body: &mut Value) -> Result<()> {
        if let Some(v) = &self.full_name {
            body["fullName"] = json!(v);
        }
        if let Some(v) = &self.email {
            if !v.is_empty() {
                check_email("email", v)?;
            }
            body["email"] = json!(v);
        }
        if let Some(v) = &self.description {
            body["description"] = json!(v);
        }
        if let Some(v) = self.enabled {
            body["enabled"] = json!(v);
        }
        if let Some(p) = &self.password {
            if body["providerType"] != "LOCAL" {
                return Err(Error::invalid(
                    "password",
                    format!("only a LOCAL user has a password here; this one is {}", body["providerType"]),
                ));
            }
            if p.chars().count() < 6 {
                return Err(Error::invalid("password", "at least 6 characters"));
            }
            body["password"] = json!(p);
        }
        if self.stored_vm_quota.is_some() {
            body["storedVmQuota"] = json!(quota("storedVmQuota", self.stored_vm_quota)?);
        }
        if self.deployed_vm_quota.is_some() {
            body["deployedVmQuota"] = json!(quota("deployedVmQuota", self.deployed_vm_quota)?);
        }
        Ok(())
    }
}

/// `vcd_remove_users`: `{"users": [...], "allowSelf": false, "dryRun": false}`: URNs, usernames,
/// emails, full names, patterns, or user objects.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveVcdUsersRequest {
    pub users: Vec<Value>,
    /// Send the removal of the logged-in account (the server refuses it; without this the
    /// library refuses it first).
    #[serde(default)]
    pub allow_self: bool,
    /// Report what would be removed; remove nobody.
    #[serde(default)]
    pub dry_run: bool,
}

impl RemoveVcdUsersRequest {
    /// The selectors: strings as given; a user object's `id` (a URN) or its `username`, taken
    /// literally (never as a pattern).
    pub fn refs(&self) -> Result<Vec<String>> {
        self.users
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let field = format!("users[{i}]");
                let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
                match v {
                    Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                    Value::String(_) => Err(Error::invalid(field, "must not be empty")),
                    Value::Object(_) => match (text("id"), text("username")) {
                        (Some(id), _) if looks_like_user_urn(id) => Ok(id.to_string()),
                        (Some(id), _) => {
                            Err(Error::invalid(format!("{field}.id"), format!("'{}' is not a user URN", crate::error::excerpt(id))))
                        }
                        (None, Some(name)) => Ok(crate::select::literal(name)),
                        (None, None) => Err(Error::invalid(field, "a user object needs an \"id\" or a \"username\"")),
                    },
                    _ => Err(Error::invalid(field, "expected a user URN, a username or a user object")),
                }
            })
            .collect()
    }
}

/// A Cloud Director user URN.
pub fn looks_like_user_urn(s: &str) -> bool {
    s.starts_with("urn:vcloud:user:")
}
