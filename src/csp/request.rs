//! What callers ask for: queries and bulk requests, as Rust values and as camelCase JSON (the C
//! ABI parses into these, so every front end gets the same validation and error messages).

use crate::error::{Error, Result};
use crate::select::Selector;
use crate::wildcard::Pattern;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Accepts `"x"` or `["x", "y"]` for a list field. `null` and `[]` are refused: a filter given
/// without a value must not silently mean "everything" (leave the field out for that).
pub(crate) fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Null(()),
    }
    match OneOrMany::deserialize(d).map_err(|_| serde::de::Error::custom("expected a string or an array of strings"))? {
        OneOrMany::One(s) => Ok(vec![s]),
        OneOrMany::Many(v) if v.is_empty() => {
            Err(serde::de::Error::custom("must not be an empty array; give at least one value, or leave the field out"))
        }
        OneOrMany::Many(v) => Ok(v),
        OneOrMany::Null(()) => {
            Err(serde::de::Error::custom("must not be null; give a string or an array of strings, or leave the field out"))
        }
    }
}

pub(crate) fn patterns(field: &str, raw: &[String]) -> Result<Vec<Pattern>> {
    raw.iter().enumerate().map(|(i, p)| Pattern::parse(&format!("{field}[{i}]"), p)).collect()
}

/// Filters for `Get-VcsUser`: any name selector (an id, or a pattern matched against the
/// username, the email and the full name: the rule of `crate::select`), any email pattern, any
/// id. Empty = every user.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserQuery {
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub email: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
}

/// Filters by name pattern or id, shared by organization roles, services and invitations.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameQuery {
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationRoleQuery {
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
    /// Only the roles these users hold (user ids, usernames or emails).
    #[serde(default, deserialize_with = "one_or_many")]
    pub user: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceRoleQuery {
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
    /// Only the roles of these services (ids, names or display names; wildcards allowed).
    #[serde(default, deserialize_with = "one_or_many")]
    pub service: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvitationQuery {
    /// Email patterns.
    #[serde(default, deserialize_with = "one_or_many")]
    pub name: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub id: Vec<String>,
    /// `Available`, `Redeemed`, `Revoked`, `Unknown`.
    #[serde(default, deserialize_with = "one_or_many")]
    pub status: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceRoleSpec {
    /// Service id, technical name or display name; empty: each role's own service (role names
    /// are unique across services).
    #[serde(default)]
    pub service: String,
    #[serde(deserialize_with = "one_or_many")]
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InvitationRequest {
    #[serde(deserialize_with = "one_or_many")]
    pub emails: Vec<String>,
    /// Role names (`org_member`) or role objects' names.
    #[serde(deserialize_with = "names_or_objects")]
    pub organization_roles: Vec<String>,
    #[serde(default)]
    pub service_roles: Vec<ServiceRoleSpec>,
    /// Ask the service not to send the invitation email.
    #[serde(default)]
    pub skip_notify: bool,
}

/// A list of names, or of objects carrying a `name` (as returned by the get functions).
pub(crate) fn names_or_objects<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    let v = Value::deserialize(d)?;
    let items = match v {
        Value::String(s) => return Ok(vec![s]),
        Value::Array(items) => items,
        _ => return Err(serde::de::Error::custom("expected a role name, or an array of names or role objects")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s),
            Value::Object(m) => m
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| serde::de::Error::custom(format!("item {i}: a role object needs a \"name\""))),
            _ => Err(serde::de::Error::custom(format!("item {i}: expected a role name or a role object"))),
        })
        .collect()
}

/// A user to act on: an id (`domain:uuid`), a username or email, a wildcard pattern, or a user
/// object as the get functions return it.
#[derive(Clone, Debug, PartialEq)]
pub enum UserRef {
    Id(String),
    Name(String),
}

impl UserRef {
    pub fn describe(&self) -> String {
        match self {
            UserRef::Id(s) | UserRef::Name(s) => s.clone(),
        }
    }

    /// Reads one item of a `users` array: a string or an object with `id` (or `username`).
    pub fn from_json(field: &str, v: &Value) -> Result<UserRef> {
        match v {
            Value::String(s) if s.trim().is_empty() => Err(Error::invalid(field, "must not be empty")),
            Value::String(s) => Ok(UserRef::parse(s)),
            Value::Object(m) => {
                if let Some(id) = m.get("id").and_then(Value::as_str).filter(|s| !s.is_empty()) {
                    Ok(UserRef::Id(id.to_string()))
                } else if let Some(u) = m.get("username").and_then(Value::as_str).filter(|s| !s.is_empty()) {
                    // A user object's username is taken literally, never as a pattern.
                    Ok(UserRef::Name(crate::select::literal(u)))
                } else {
                    Err(Error::invalid(field, "a user object needs an \"id\" or a \"username\""))
                }
            }
            _ => Err(Error::invalid(field, "expected a user id, a username or a user object")),
        }
    }

    /// CSP user ids are `domain:uuid`; anything else is looked up by username, email or name.
    pub fn parse(s: &str) -> UserRef {
        let s = s.trim();
        if looks_like_user_id(s) {
            UserRef::Id(s.to_string())
        } else {
            UserRef::Name(s.to_string())
        }
    }

    /// The selector this reference is under the selection rule (`crate::select`).
    pub fn selector(&self, field: &str) -> Result<Selector> {
        match self {
            UserRef::Id(id) => Selector::exact_id(field, id),
            UserRef::Name(n) => Selector::parse(field, n, looks_like_user_id),
        }
    }
}

/// A CSP user id: `domain:uuid`, no `@`, no wildcard.
pub fn looks_like_user_id(s: &str) -> bool {
    match s.split_once(':') {
        Some((domain, rest)) => !domain.is_empty() && rest.len() >= 8 && !s.contains('@') && !s.contains(['*', '?', '[']),
        None => false,
    }
}

/// Reads the invitation ids of a `invitations` array: ids, or objects with `id`.
pub fn invitation_ids(field: &str, items: &[Value]) -> Result<Vec<String>> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let f = format!("{field}[{i}]");
            match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                Value::Object(m) => m
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| Error::invalid(&f, "an invitation object needs an \"id\"")),
                _ => Err(Error::invalid(&f, "expected an invitation id or an invitation object")),
            }
        })
        .collect()
}

/// Client-side email check, so a bad address fails alone instead of failing its whole batch.
pub fn check_email(field: &str, email: &str) -> Result<()> {
    let problem = if email.trim() != email || email.is_empty() {
        Some("must be an email address without surrounding spaces")
    } else if email.len() > 254 {
        Some("is longer than 254 characters")
    } else {
        match email.rsplit_once('@') {
            None => Some("has no '@'"),
            Some((local, domain)) => {
                if local.is_empty() || local.len() > 64 {
                    Some("needs 1 to 64 characters before the '@'")
                } else if local.contains('@') || local.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    Some("has a space, a control character or a second '@' before the domain")
                } else if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
                    Some("has a misplaced '.' before the '@'")
                } else if !domain.contains('.')
                    || domain.split('.').any(|l| {
                        l.is_empty() || l.starts_with('-') || l.ends_with('-') || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
                {
                    Some("does not end in a valid domain name")
                } else {
                    None
                }
            }
        }
    };
    match problem {
        Some(p) => Err(Error::invalid(field, format!("'{}' {p}", crate::error::excerpt(email)))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in ["a@b.co", "first.last+tag@example.com", "o'brien@example.ie", "x_y-z@sub.example.org", "用户@example.com"] {
            assert!(check_email("emails[0]", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            " a@b.co",
            "a@@b.co",
            ".a@b.co",
            "a..b@c.co",
            "a@-b.co",
        ] {
            let e = check_email("emails[3]", bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("emails[3]"), "{bad}");
        }
    }

    #[test]
    fn user_refs() {
        assert_eq!(UserRef::parse("example.com:820e7ca5-4024"), UserRef::Id("example.com:820e7ca5-4024".into()));
        assert_eq!(UserRef::parse("ada@example.com"), UserRef::Name("ada@example.com".into()));
        assert_eq!(UserRef::parse("A*"), UserRef::Name("A*".into()));
        let obj = serde_json::json!({"id": "d:12345678", "username": "x"});
        assert_eq!(UserRef::from_json("users[0]", &obj).unwrap(), UserRef::Id("d:12345678".into()));
        assert!(UserRef::from_json("users[1]", &serde_json::json!(42)).unwrap_err().message.starts_with("users[1]:"));
    }

    #[test]
    fn queries_take_one_or_many_and_refuse_unknown_fields() {
        let q: UserQuery = serde_json::from_str(r#"{"name": "A*", "email": ["*@x.com"]}"#).unwrap();
        assert_eq!(q.name, vec!["A*"]);
        assert_eq!(q.email, vec!["*@x.com"]);
        let e = serde_json::from_str::<UserQuery>(r#"{"nmae": "A*"}"#).unwrap_err().to_string();
        assert!(e.contains("nmae"), "{e}");
        let absent: UserQuery = serde_json::from_str("{}").unwrap();
        assert!(absent.name.is_empty());
        for given_without_value in [r#"{"name": []}"#, r#"{"email": null}"#, r#"{"id": []}"#] {
            let e = serde_json::from_str::<UserQuery>(given_without_value).unwrap_err().to_string();
            assert!(e.contains("must not be"), "{given_without_value}: {e}");
        }
        assert!(serde_json::from_str::<InvitationQuery>(r#"{"status": []}"#).is_err());
        let r: InvitationRequest =
            serde_json::from_str(r#"{"emails": "a@b.co", "organizationRoles": [{"name": "org_member"}, "developer"]}"#).unwrap();
        assert_eq!(r.organization_roles, vec!["org_member", "developer"]);
    }
}

/// Connection options as JSON (`vcs_connect`, `Connect-Vcs`): an API token, or an OAuth app id,
/// secret and organization id.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectRequest {
    #[serde(default)]
    pub server: Option<String>,
    #[serde(default)]
    pub api_token: Option<String>,
    #[serde(default)]
    pub app_id: Option<String>,
    #[serde(default)]
    pub app_secret: Option<String>,
    #[serde(default)]
    pub org_id: Option<String>,
    /// PEM text of a CA certificate to trust (besides the public roots).
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
    #[serde(default)]
    pub page_size: Option<usize>,
}

/// The connect options every client shares beside TLS: `caCertificatePath` (a PEM file the
/// library reads: a regular file under 1 MiB), `allowInsecureHttp`, and curl-style
/// `resolve: ["HOST:PORT:ADDRESS"]`.
#[derive(Clone, Debug, Default)]
pub struct NetworkRequest {
    pub ca_certificate_path: Option<String>,
    pub allow_insecure_http: bool,
    pub resolve: Vec<String>,
}

impl NetworkRequest {
    /// Applies these settings; `caCertificate` (PEM text) and `caCertificatePath` exclude each other.
    pub(crate) fn apply(
        self,
        ca_certificate: Option<String>,
        tls: &mut crate::TlsOptions,
        network: &mut crate::connect::NetworkOptions,
    ) -> Result<()> {
        tls.ca_certificate_pem = match (ca_certificate, self.ca_certificate_path) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid("caCertificatePath", "give either caCertificate (PEM text) or caCertificatePath, not both"))
            }
            (Some(pem), None) => Some(pem),
            (None, Some(path)) if path.trim().is_empty() => return Err(Error::invalid("caCertificatePath", "must not be empty")),
            (None, Some(path)) => Some(crate::connect::read_ca_certificate("caCertificatePath", std::path::Path::new(&path))?),
            (None, None) => None,
        };
        network.allow_insecure_http = self.allow_insecure_http;
        network.resolve = crate::connect::ResolveRule::parse_all("resolve", &self.resolve)?;
        Ok(())
    }
}

/// An absent server means `default`; a given one must say something.
pub(crate) fn server_or_default(server: Option<String>, default: &str) -> Result<String> {
    match server {
        None => Ok(default.to_string()),
        Some(s) if s.trim().is_empty() => Err(Error::invalid("server", "must not be blank; leave it out for the default server")),
        Some(s) => Ok(s),
    }
}

impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("server", &self.server)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("app_id", &self.app_id)
            .field("app_secret", &self.app_secret.as_ref().map(|_| "<redacted>"))
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

impl ConnectRequest {
    pub fn into_options(self) -> Result<crate::ConnectOptions> {
        use crate::csp::{ConnectOptions, Credentials, DEFAULT_SERVER};
        let server = server_or_default(self.server, DEFAULT_SERVER)?;
        let app = [&self.app_id, &self.app_secret, &self.org_id];
        let credentials = match (self.api_token, app.iter().any(|v| v.is_some())) {
            (Some(_), true) => return Err(Error::invalid("apiToken", "give either apiToken or appId + appSecret + orgId, not both")),
            (Some(t), false) => Credentials::ApiToken(t.into()),
            (None, true) => Credentials::ServiceApp {
                app_id: self.app_id.ok_or_else(|| Error::invalid("appId", "required with appSecret and orgId"))?,
                app_secret: self.app_secret.ok_or_else(|| Error::invalid("appSecret", "required with appId and orgId"))?.into(),
                org_id: self.org_id.ok_or_else(|| Error::invalid("orgId", "required with appId and appSecret"))?,
            },
            (None, false) => return Err(Error::invalid("apiToken", "required (or appId + appSecret + orgId)")),
        };
        let mut o = ConnectOptions::new(server, credentials);
        crate::csp::request::NetworkRequest {
            ca_certificate_path: self.ca_certificate_path,
            allow_insecure_http: self.allow_insecure_http,
            resolve: self.resolve,
        }
        .apply(self.ca_certificate, &mut o.tls, &mut o.network)?;
        o.tls.insecure_skip_tls_verify = self.insecure_skip_tls_verify;
        crate::http::apply_request_settings(self.timeout_seconds, self.max_attempts, &mut o.timeout, &mut o.retry)?;
        if let Some(c) = self.concurrency {
            o.concurrency = c;
        }
        if let Some(p) = self.page_size {
            o.page_size = p;
        }
        Ok(o)
    }
}

/// `vcs_remove_users`: `{"users": [...], "notifyUsers": false, "allowSelf": false, "dryRun": false}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveUsersRequest {
    pub users: Vec<Value>,
    #[serde(default)]
    pub notify_users: bool,
    /// Let the caller remove their own membership and the organization's last `org_owner`.
    #[serde(default)]
    pub allow_self: bool,
    /// Report what would be removed; remove nobody.
    #[serde(default)]
    pub dry_run: bool,
}

impl RemoveUsersRequest {
    pub fn refs(&self) -> Result<Vec<UserRef>> {
        let refs = self.users.iter().enumerate().map(|(i, v)| UserRef::from_json(&format!("users[{i}]"), v)).collect::<Result<Vec<_>>>()?;
        if refs.is_empty() {
            return Err(Error::invalid("users", "must name at least one user"));
        }
        Ok(refs)
    }

    pub fn options(&self) -> crate::removal::RemovalOptions {
        crate::removal::RemovalOptions { allow_self: self.allow_self, notify_users: self.notify_users }
    }
}

/// `vcs_remove_user_invitations`: `{"invitations": [...]}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoveInvitationsRequest {
    pub invitations: Vec<Value>,
}
