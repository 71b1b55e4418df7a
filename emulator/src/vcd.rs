//! The Cloud Director CloudAPI endpoints (shared/reference/vcd-api.md): sessions, API-token
//! login, users, roles and orgs, with the version `Accept` header checked and errors as
//! `{minorErrorCode, message, stackTrace}`. Choices are listed in emulator/README.md.

use crate::reply::{persist, vcd_error, RequestId};
use crate::text::{valid_email, wildcard_eq};
use crate::vcd_world::{VcdRole, VcdSession, VcdUser, VcdWorld};
use crate::world::{now_ms, World};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

type S = State<Arc<Shared>>;
type Rid = Extension<RequestId>;
type Answer = Result<Response, Response>;

pub const SUPPORTED_VERSIONS: &[&str] = &["35.0", "35.2", "36.0", "36.1", "36.2", "36.3", "37.0", "37.1", "37.2", "38.0", "38.1", "39.0"];
pub const MAX_PAGE_SIZE: usize = 128;
pub const DEFAULT_PAGE_SIZE: usize = 25;
const SESSION_MINUTES: i64 = 30;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/versions", get(versions))
        .route("/cloudapi/1.0.0/sessions", post(tenant_login))
        .route("/cloudapi/1.0.0/sessions/provider", post(provider_login))
        .route("/cloudapi/1.0.0/sessions/current", get(current_session).delete(logout))
        .route("/oauth/tenant/{org}/token", post(tenant_token_login))
        .route("/oauth/provider/token", post(provider_token_login))
        .route("/cloudapi/1.0.0/users", get(list_users).post(create_user))
        .route("/cloudapi/1.0.0/users/{id}", get(get_user).put(update_user).delete(delete_user))
        .route("/cloudapi/1.0.0/roles", get(list_roles))
        .route("/cloudapi/1.0.0/orgs", get(list_orgs))
}

fn bad(message: impl AsRef<str>) -> Response {
    vcd_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message.as_ref())
}

/// `Accept: application/json;version=X.Y` with a supported version, as every CloudAPI call needs.
fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    let accept = headers.get("accept").and_then(|v| v.to_str().ok()).unwrap_or("");
    let version = accept.split(';').map(str::trim).find_map(|p| p.strip_prefix("version="));
    match version {
        None => Err(vcd_error(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "The request has an invalid accept header: no API version given. Send Accept: application/json;version=37.0",
        )),
        Some(v) if !SUPPORTED_VERSIONS.contains(&v) => Err(vcd_error(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            &format!(
                "The request has an invalid accept header: API version {v} is not supported (supported: {})",
                SUPPORTED_VERSIONS.join(", ")
            ),
        )),
        Some(_) => Ok(()),
    }
}

async fn versions() -> Response {
    let list: Vec<Value> = SUPPORTED_VERSIONS.iter().map(|v| json!({"version": v, "deprecated": false})).collect();
    Json(json!({"versionInfo": list})).into_response()
}

// ---- sessions -------------------------------------------------------------------------------

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String, String)> {
    let raw = headers.get("authorization")?.to_str().ok()?.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(raw.trim()).ok()?).ok()?;
    let (who, password) = decoded.split_once(':')?;
    let (user, org) = who.rsplit_once('@')?;
    Some((user.to_string(), org.to_string(), password.to_string()))
}

fn session_body(w: &VcdWorld, s: &VcdSession) -> Value {
    let user = w.users.iter().find(|u| u.id == s.user_id);
    let org = w.orgs.iter().find(|o| o.id == s.org_id);
    let roles: Vec<&VcdRole> = user.map(|u| w.roles.iter().filter(|r| u.role_ids.contains(&r.id)).collect()).unwrap_or_default();
    json!({
        "id": s.id,
        "user": {"name": user.map(|u| u.username.as_str()), "id": s.user_id},
        "org": {"name": org.map(|o| o.name.as_str()), "id": s.org_id},
        "location": org.map(|o| o.name.as_str()),
        "roles": roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        "roleRefs": roles.iter().map(|r| json!({"name": r.name, "id": r.id})).collect::<Vec<_>>(),
        "sessionIdleTimeoutMinutes": SESSION_MINUTES,
    })
}

fn open_session(shared: &Shared, w: &mut World, user_id: String, org_id: String) -> VcdSession {
    let seed = shared.config.seed;
    let token = format!("{}{}", w.fresh_id(seed).replace('-', ""), w.fresh_id(seed).replace('-', ""));
    let session = VcdSession { id: w.fresh_id(seed), token, user_id, org_id, expires_at_ms: now_ms() + SESSION_MINUTES * 60_000 };
    w.vcd.sessions.retain(|s| s.expires_at_ms > now_ms());
    w.vcd.sessions.push(session.clone());
    session
}

fn login(shared: &Shared, headers: &HeaderMap, rid: &RequestId, provider: bool) -> Answer {
    check_version(headers)?;
    let unauthorized = || vcd_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Bad username, organization or password.");
    let (user, org, password) = basic_credentials(headers).ok_or_else(unauthorized)?;
    let mut w = shared.world.lock().expect("world lock");
    let is_system = org.eq_ignore_ascii_case("System");
    if provider != is_system {
        return Err(unauthorized());
    }
    let org = w.vcd.orgs.iter().find(|o| o.name.eq_ignore_ascii_case(&org)).cloned().ok_or_else(unauthorized)?;
    let u = w
        .vcd
        .users
        .iter()
        .find(|u| u.org_id == org.id && u.username.eq_ignore_ascii_case(&user) && u.password_matches(&password))
        .cloned()
        .ok_or_else(unauthorized)?;
    if !u.enabled {
        return Err(vcd_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "The user account is disabled."));
    }
    let session = open_session(shared, &mut w, u.id, org.id);
    persist(shared, &w, rid)?;
    let mut r = Json(session_body(&w.vcd, &session)).into_response();
    r.headers_mut().insert("x-vmware-vcloud-access-token", HeaderValue::from_str(&session.token).expect("hex token"));
    r.headers_mut().insert("x-vmware-vcloud-token-type", HeaderValue::from_static("Bearer"));
    Ok(r)
}

async fn tenant_login(State(shared): S, Extension(rid): Rid, headers: HeaderMap) -> Answer {
    login(&shared, &headers, &rid, false)
}

async fn provider_login(State(shared): S, Extension(rid): Rid, headers: HeaderMap) -> Answer {
    login(&shared, &headers, &rid, true)
}

fn token_login(shared: &Shared, rid: &RequestId, org_name: &str, body: &[u8]) -> Answer {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    if form.get("grant_type").map(String::as_str) != Some("refresh_token") {
        return Err(vcd_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "grant_type: must be refresh_token"));
    }
    let token = form.get("refresh_token").cloned().unwrap_or_default();
    let mut w = shared.world.lock().expect("world lock");
    let unauthorized = || vcd_error(StatusCode::BAD_REQUEST, "invalid_grant", "The API token is not valid for this organization.");
    let org = w.vcd.orgs.iter().find(|o| o.name.eq_ignore_ascii_case(org_name)).cloned().ok_or_else(unauthorized)?;
    let record = w.vcd.api_tokens.iter().find(|t| t.token == token).cloned().ok_or_else(unauthorized)?;
    let user = w.vcd.users.iter().find(|u| u.id == record.user_id && u.org_id == org.id).cloned().ok_or_else(unauthorized)?;
    let session = open_session(shared, &mut w, user.id, org.id);
    persist(shared, &w, rid)?;
    Ok(Json(json!({"access_token": session.token, "token_type": "Bearer", "expires_in": SESSION_MINUTES * 60, "refresh_token": null}))
        .into_response())
}

async fn tenant_token_login(State(shared): S, Extension(rid): Rid, Path(org): Path<String>, body: Bytes) -> Answer {
    token_login(&shared, &rid, &org, &body)
}

async fn provider_token_login(State(shared): S, Extension(rid): Rid, body: Bytes) -> Answer {
    token_login(&shared, &rid, "System", &body)
}

/// The session behind the bearer token, and the org it acts in (a provider may name a tenant
/// with `X-VMWARE-VCLOUD-TENANT-CONTEXT`).
struct Caller {
    session: VcdSession,
    org_id: String,
}

fn authorize(w: &World, headers: &HeaderMap) -> Result<Caller, Response> {
    check_version(headers)?;
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .unwrap_or("");
    let session = w
        .vcd
        .sessions
        .iter()
        .find(|s| !token.is_empty() && s.token == token)
        .cloned()
        .ok_or_else(|| vcd_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Not logged in, or the session has ended."))?;
    if session.expires_at_ms <= now_ms() {
        return Err(vcd_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "The session has expired."));
    }
    let is_provider = w.vcd.orgs.iter().any(|o| o.id == session.org_id && o.name == "System");
    let org_id = match headers.get("x-vmware-vcloud-tenant-context").and_then(|v| v.to_str().ok()) {
        Some(ctx) if is_provider => {
            let wanted = if ctx.starts_with("urn:") { ctx.to_string() } else { format!("urn:vcloud:org:{ctx}") };
            w.vcd
                .orgs
                .iter()
                .find(|o| o.id == wanted)
                .map(|o| o.id.clone())
                .ok_or_else(|| bad("X-VMWARE-VCLOUD-TENANT-CONTEXT: no such organization"))?
        }
        Some(_) => {
            return Err(vcd_error(
                StatusCode::FORBIDDEN,
                "ACCESS_TO_RESOURCE_IS_FORBIDDEN",
                "Only the provider may act in another organization.",
            ))
        }
        None => session.org_id.clone(),
    };
    Ok(Caller { session, org_id })
}

async fn current_session(State(shared): S, headers: HeaderMap) -> Answer {
    let w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    Ok(Json(session_body(&w.vcd, &caller.session)).into_response())
}

async fn logout(State(shared): S, Extension(rid): Rid, headers: HeaderMap) -> Answer {
    let mut w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    w.vcd.sessions.retain(|s| s.id != caller.session.id);
    persist(&shared, &w, &rid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- paging, filters, sorting ---------------------------------------------------------------

/// A FIQL filter: `field==value` and `field!=value` joined by `;` (and); `*` in a value is a
/// wildcard; values compare case-insensitively.
struct Filter(Vec<(String, bool, String)>);

impl Filter {
    fn parse(raw: Option<&String>, fields: &[&str]) -> Result<Filter, Response> {
        let mut terms = Vec::new();
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else { return Ok(Filter(terms)) };
        for part in raw.split(';') {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else {
                return Err(bad(format!("filter: '{part}' is not field==value or field!=value")));
            };
            let field = field.trim();
            if !fields.contains(&field) {
                return Err(bad(format!("filter: unknown field '{field}' (known: {})", fields.join(", "))));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(Filter(terms))
    }

    fn matches(&self, get: impl Fn(&str) -> String) -> bool {
        self.0.iter().all(|(f, equal, v)| wildcard_eq(v, &get(f)) == *equal)
    }
}

fn page_params(q: &HashMap<String, String>) -> Result<(usize, usize), Response> {
    let num = |name: &str, default: usize| -> Result<usize, Response> {
        match q.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("{name}: must be a whole number of at least 1, got '{v}'"))),
        }
    };
    let page = num("page", 1)?;
    let size = num("pageSize", DEFAULT_PAGE_SIZE)?;
    if size > MAX_PAGE_SIZE {
        return Err(bad(format!("pageSize: at most {MAX_PAGE_SIZE}, got {size}")));
    }
    Ok((page, size))
}

fn sort_values(values: &mut [Value], q: &HashMap<String, String>) -> Result<(), Response> {
    let (field, descending) = match (q.get("sortAsc"), q.get("sortDesc")) {
        (Some(f), None) => (f, false),
        (None, Some(f)) => (f, true),
        (None, None) => return Ok(()),
        (Some(_), Some(_)) => return Err(bad("sortAsc and sortDesc: give one, not both")),
    };
    if values.first().is_some_and(|v| v.get(field).is_none()) {
        return Err(bad(format!("sortAsc/sortDesc: unknown field '{field}'")));
    }
    let key = |v: &Value| match &v[field] {
        Value::String(s) => s.to_lowercase(),
        other => other.to_string(),
    };
    values.sort_by_key(key);
    if descending {
        values.reverse();
    }
    Ok(())
}

fn paged(values: Vec<Value>, page: usize, size: usize) -> Response {
    let total = values.len();
    let page_count = total.div_ceil(size).max(1);
    let items: Vec<Value> = values.into_iter().skip((page - 1) * size).take(size).collect();
    Json(json!({"resultTotal": total, "pageCount": page_count, "page": page, "pageSize": size, "associations": null, "values": items}))
        .into_response()
}

// ---- users ----------------------------------------------------------------------------------

fn user_json(w: &VcdWorld, u: &VcdUser) -> Value {
    let org = w.orgs.iter().find(|o| o.id == u.org_id);
    let roles: Vec<Value> =
        u.role_ids.iter().filter_map(|id| w.roles.iter().find(|r| &r.id == id)).map(|r| json!({"name": r.name, "id": r.id})).collect();
    json!({
        "id": u.id, "username": u.username, "fullName": u.full_name, "email": u.email, "description": u.description,
        "roleEntityRefs": roles, "orgEntityRef": {"name": org.map(|o| o.name.as_str()), "id": u.org_id},
        "password": null, "deployedVmQuota": u.deployed_vm_quota, "storedVmQuota": u.stored_vm_quota,
        "nameInSource": u.name_in_source, "enabled": u.enabled, "isGroupRole": u.is_group_role,
        "providerType": u.provider_type, "locked": false, "stranded": false,
    })
}

const USER_FIELDS: &[&str] = &["name", "username", "fullName", "email", "enabled", "providerType", "description", "nameInSource", "id"];

async fn list_users(State(shared): S, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Answer {
    let w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    let (page, size) = page_params(&q)?;
    let filter = Filter::parse(q.get("filter"), USER_FIELDS)?;
    let mut values: Vec<Value> = w
        .vcd
        .users
        .iter()
        .filter(|u| u.org_id == caller.org_id)
        .filter(|u| {
            filter.matches(|f| match f {
                "name" | "username" => u.username.clone(),
                "fullName" => u.full_name.clone(),
                "email" => u.email.clone(),
                "enabled" => u.enabled.to_string(),
                "providerType" => u.provider_type.clone(),
                "description" => u.description.clone(),
                "nameInSource" => u.name_in_source.clone(),
                _ => u.id.clone(),
            })
        })
        .map(|u| user_json(&w.vcd, u))
        .collect();
    sort_values(&mut values, &q)?;
    Ok(paged(values, page, size))
}

fn find_user<'a>(w: &'a World, caller: &Caller, id: &str) -> Result<&'a VcdUser, Response> {
    if !id.starts_with("urn:vcloud:user:") {
        return Err(bad(format!("id: '{id}' is not a user URN (urn:vcloud:user:...)")));
    }
    w.vcd
        .users
        .iter()
        .find(|u| u.id == id && u.org_id == caller.org_id)
        .ok_or_else(|| vcd_error(StatusCode::NOT_FOUND, "RESOURCE_NOT_FOUND", &format!("No user {id} in this organization.")))
}

async fn get_user(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    let w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    let u = find_user(&w, &caller, &id)?;
    Ok(Json(user_json(&w.vcd, u)).into_response())
}

fn body_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad("request body: must be a JSON object")),
        Err(e) => Err(bad(format!("request body: not valid JSON: {e}"))),
    }
}

fn opt_str<'a>(m: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, Response> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("{field}: must be a string"))),
    }
}

fn opt_bool(m: &Map<String, Value>, field: &str) -> Result<Option<bool>, Response> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(format!("{field}: must be true or false"))),
    }
}

fn opt_quota(m: &Map<String, Value>, field: &str) -> Result<Option<i32>, Response> {
    match m.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if (0..=i32::MAX as i64).contains(&n) => Ok(Some(n as i32)),
            _ => Err(bad(format!("{field}: must be a whole number from 0 (unlimited) to 2147483647"))),
        },
    }
}

/// Resolves `roleEntityRefs` (by id, or by name) to role ids usable in the caller's org.
fn role_refs(w: &World, org_id: &str, m: &Map<String, Value>, required: bool) -> Result<Option<Vec<String>>, Response> {
    let items = match m.get("roleEntityRefs") {
        None | Some(Value::Null) if !required => return Ok(None),
        Some(Value::Array(items)) if !items.is_empty() || !required => items,
        _ => return Err(bad("roleEntityRefs: required, an array of {\"id\", \"name\"} with at least one role")),
    };
    let mut ids = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let id = item.get("id").and_then(Value::as_str);
        let name = item.get("name").and_then(Value::as_str);
        let role = w
            .vcd
            .roles
            .iter()
            .filter(|r| r.org_id.as_ref().map_or(true, |o| o == org_id))
            .find(|r| id.map_or(false, |id| r.id == id) || (id.is_none() && name.map_or(false, |n| r.name == n)))
            .ok_or_else(|| {
                bad(format!("roleEntityRefs[{i}]: no role {} in this organization", id.or(name).unwrap_or("(no id or name)")))
            })?;
        ids.push(role.id.clone());
    }
    Ok(Some(ids))
}

const PROVIDER_TYPES: &[&str] = &["LOCAL", "LDAP", "SAML", "OAUTH"];

async fn create_user(State(shared): S, Extension(rid): Rid, headers: HeaderMap, body: Bytes) -> Answer {
    let mut w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    let m = body_object(&body)?;
    let username = opt_str(&m, "username")?.map(str::trim).filter(|s| !s.is_empty()).ok_or_else(|| bad("username: required"))?.to_string();
    if username.len() > 128 || username.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
        return Err(bad("username: at most 128 characters, without control characters or slashes"));
    }
    let is_group_role = opt_bool(&m, "isGroupRole")?.unwrap_or(false);
    let role_ids = role_refs(&w, &caller.org_id, &m, true)?.unwrap_or_default();
    let provider_type = opt_str(&m, "providerType")?.unwrap_or("LOCAL").to_string();
    if !PROVIDER_TYPES.contains(&provider_type.as_str()) {
        return Err(bad(format!("providerType: '{provider_type}' is not one of LOCAL, LDAP, SAML, OAUTH")));
    }
    let password = opt_str(&m, "password")?;
    match (provider_type.as_str(), password) {
        ("LOCAL", None) => return Err(bad("password: required for a LOCAL user")),
        ("LOCAL", Some(p)) if p.chars().count() < 6 => return Err(bad("password: at least 6 characters")),
        ("LOCAL", _) => {}
        (_, Some(_)) => return Err(bad(format!("password: must be null for a {provider_type} user (the identity provider holds it)"))),
        (_, None) => {}
    }
    let email = opt_str(&m, "email")?.unwrap_or("").to_string();
    if !email.is_empty() && !valid_email(&email) {
        return Err(bad(format!("email: '{email}' is not a valid email address")));
    }
    if w.vcd.users.iter().any(|u| u.org_id == caller.org_id && u.username.eq_ignore_ascii_case(&username)) {
        let org = w.vcd.orgs.iter().find(|o| o.id == caller.org_id).map(|o| o.name.clone()).unwrap_or_default();
        return Err(vcd_error(
            StatusCode::BAD_REQUEST,
            "DUPLICATE_NAME",
            &format!("A user named '{username}' already exists in organization {org}."),
        ));
    }
    let seed = shared.config.seed;
    let mut user = VcdUser {
        id: format!("urn:vcloud:user:{}", w.fresh_id(seed)),
        org_id: caller.org_id.clone(),
        full_name: opt_str(&m, "fullName")?.unwrap_or("").to_string(),
        email,
        description: opt_str(&m, "description")?.unwrap_or("").to_string(),
        role_ids,
        provider_type,
        enabled: opt_bool(&m, "enabled")?.unwrap_or(true),
        is_group_role,
        name_in_source: opt_str(&m, "nameInSource")?.unwrap_or(&username).to_string(),
        username,
        password_salt: None,
        password_hash: None,
        stored_vm_quota: opt_quota(&m, "storedVmQuota")?.unwrap_or(0),
        deployed_vm_quota: opt_quota(&m, "deployedVmQuota")?.unwrap_or(0),
    };
    if let Some(p) = password {
        let salt = w.fresh_id(seed);
        user.set_password(salt, p);
    }
    let answer = user_json(&w.vcd, &user);
    w.vcd.users.push(user);
    persist(&shared, &w, &rid)?;
    let mut r = (StatusCode::CREATED, Json(answer)).into_response();
    r.headers_mut().insert("content-type", HeaderValue::from_static("application/json;version=36.3"));
    Ok(r)
}

/// PUT replaces the user's editable fields; `username` and `providerType` cannot change.
async fn update_user(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path(id): Path<String>, body: Bytes) -> Answer {
    let mut w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    let current = find_user(&w, &caller, &id)?.clone();
    let m = body_object(&body)?;
    if let Some(u) = opt_str(&m, "username")? {
        if !u.eq_ignore_ascii_case(&current.username) {
            return Err(bad("username: cannot be changed"));
        }
    }
    if let Some(p) = opt_str(&m, "providerType")? {
        if p != current.provider_type {
            return Err(bad("providerType: cannot be changed"));
        }
    }
    let role_ids = role_refs(&w, &caller.org_id, &m, false)?;
    if role_ids.as_ref().is_some_and(|r| r.is_empty()) {
        return Err(bad("roleEntityRefs: must name at least one role"));
    }
    let email = opt_str(&m, "email")?;
    if let Some(e) = email.filter(|e| !e.is_empty()) {
        if !valid_email(e) {
            return Err(bad(format!("email: '{e}' is not a valid email address")));
        }
    }
    let password = opt_str(&m, "password")?;
    if password.is_some() && current.provider_type != "LOCAL" {
        return Err(bad(format!("password: must be null for a {} user", current.provider_type)));
    }
    if password.is_some_and(|p| p.chars().count() < 6) {
        return Err(bad("password: at least 6 characters"));
    }
    let full_name = opt_str(&m, "fullName")?.map(str::to_string);
    let description = opt_str(&m, "description")?.map(str::to_string);
    let enabled = opt_bool(&m, "enabled")?;
    let stored = opt_quota(&m, "storedVmQuota")?;
    let deployed = opt_quota(&m, "deployedVmQuota")?;
    let seed = shared.config.seed;
    let salt = password.map(|_| w.fresh_id(seed));
    let u = w.vcd.users.iter_mut().find(|u| u.id == id).expect("found above");
    if let Some(v) = full_name {
        u.full_name = v;
    }
    if let Some(v) = email {
        u.email = v.to_string();
    }
    if let Some(v) = description {
        u.description = v;
    }
    if let Some(v) = enabled {
        u.enabled = v;
    }
    if let Some(v) = role_ids {
        u.role_ids = v;
    }
    if let Some(v) = stored {
        u.stored_vm_quota = v;
    }
    if let Some(v) = deployed {
        u.deployed_vm_quota = v;
    }
    if let (Some(p), Some(salt)) = (password, salt) {
        u.set_password(salt, p);
    }
    let answer = user_json(&w.vcd, w.vcd.users.iter().find(|u| u.id == id).expect("found above"));
    persist(&shared, &w, &rid)?;
    Ok(Json(answer).into_response())
}

async fn delete_user(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    let mut w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    find_user(&w, &caller, &id)?;
    if caller.session.user_id == id {
        return Err(bad("A user cannot delete the account they are logged in with."));
    }
    w.vcd.users.retain(|u| u.id != id);
    w.vcd.sessions.retain(|s| s.user_id != id);
    w.vcd.api_tokens.retain(|t| t.user_id != id);
    persist(&shared, &w, &rid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- roles and orgs -------------------------------------------------------------------------

async fn list_roles(State(shared): S, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Answer {
    let w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    let (page, size) = page_params(&q)?;
    let filter = Filter::parse(q.get("filter"), &["name", "description", "id", "readOnly", "bundleKey"])?;
    let mut values: Vec<Value> = w
        .vcd
        .roles
        .iter()
        .filter(|r| r.org_id.as_ref().map_or(true, |o| o == &caller.org_id))
        .filter(|r| {
            filter.matches(|f| match f {
                "name" => r.name.clone(),
                "description" => r.description.clone(),
                "readOnly" => r.read_only.to_string(),
                "bundleKey" => r.bundle_key.clone(),
                _ => r.id.clone(),
            })
        })
        .map(|r| json!({"id": r.id, "name": r.name, "description": r.description, "bundleKey": r.bundle_key, "readOnly": r.read_only}))
        .collect();
    sort_values(&mut values, &q)?;
    Ok(paged(values, page, size))
}

async fn list_orgs(State(shared): S, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Answer {
    let w = shared.world.lock().expect("world lock");
    let caller = authorize(&w, &headers)?;
    let (page, size) = page_params(&q)?;
    let is_provider = w.vcd.orgs.iter().any(|o| o.id == caller.session.org_id && o.name == "System");
    let values: Vec<Value> = w
        .vcd
        .orgs
        .iter()
        .filter(|o| is_provider || o.id == caller.org_id)
        .map(|o| json!({"id": o.id, "name": o.name, "displayName": o.display_name, "isEnabled": true}))
        .collect();
    Ok(paged(values, page, size))
}
