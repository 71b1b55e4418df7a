//! The CSP endpoints, with the paths, field names, status codes and error bodies of the reference
//! (`shared/reference/csp-api.md`, section 2). Choices where the reference says "inferred" are
//! listed in emulator/README.md.

use crate::reply::{error_response, invitation_not_found, persist, RequestId};
use crate::text::valid_email;
use crate::world::{now_ms, Invitation, InvitationStatus, ServiceGrant, User, World, INVITATION_TTL_MS};
use crate::{jwt, Shared};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
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

const AM: &str = "/csp/gateway/am/api";
pub const MAX_PAGE_LIMIT: usize = 200;
pub const DEFAULT_PAGE_LIMIT: usize = 20;
pub const SEARCH_LIMIT: usize = 20;
pub const REMOVE_LIMIT: usize = 20;
pub const INVITE_LIMIT: usize = 100;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/csp/gateway/am/api/auth/api-tokens/authorize", post(api_token_authorize))
        .route("/csp/gateway/am/api/auth/api-tokens/details", post(api_token_details))
        .route("/csp/gateway/am/api/auth/authorize", post(client_credentials))
        .route("/csp/gateway/am/api/loggedin/user", get(loggedin_user))
        .route("/csp/gateway/am/api/orgs/{org}", get(get_org))
        .route("/csp/gateway/am/api/orgs/{org}/roles", get(org_roles))
        .route("/csp/gateway/am/api/orgs/{org}/users/search", get(search_users))
        .route("/csp/gateway/am/api/orgs/{org}/invitations", get(list_invitations).post(create_invitations))
        .route("/csp/gateway/am/api/orgs/{org}/invitations/{id}", get(get_invitation).delete(revoke_invitation))
        .route("/csp/gateway/am/api/v2/orgs/{org}/users", get(list_users).delete(remove_users))
        .route("/csp/gateway/am/api/v2/users/{user}/orgs/{org}/info", get(user_info))
        .route("/csp/gateway/am/api/v2/users/{user}/orgs/{org}/roles", get(user_roles))
        .route("/csp/gateway/am/api/v2/users/{user}/orgs/{org}/service-roles", get(user_service_roles))
        .route("/csp/gateway/slc/api/definitions", get(service_definitions))
        .fallback(not_found)
}

fn bad_request(rid: &RequestId, message: impl AsRef<str>) -> Response {
    error_response(&rid.0, StatusCode::BAD_REQUEST, "invalid.request", message.as_ref())
}

async fn not_found(Extension(rid): Rid) -> Response {
    error_response(&rid.0, StatusCode::NOT_FOUND, "not.found", "No such resource.")
}

// ---- authentication -------------------------------------------------------------------------

fn form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn token_answer(shared: &Shared, world: &World, username: &str, subject: &str, azp: &str, refresh: Option<&str>) -> Response {
    let perms = match world.users.iter().find(|u| u.username == username) {
        Some(u) => u.org_roles.iter().map(|r| format!("csp:{r}")).collect(),
        None => vec!["csp:org_member".to_string()],
    };
    let ttl = shared.config.token_ttl_seconds;
    let jti = format!("{:x}", now_ms()) + &shared.request_counter.load(std::sync::atomic::Ordering::Relaxed).to_string();
    let claims = jwt::Claims {
        org_id: &world.org_id,
        username,
        subject,
        perms,
        ttl_seconds: ttl,
        generation: world.token_generation,
        jti: &jti,
        azp,
    };
    let access = jwt::sign(&world.signing_key, &claims);
    let mut body = json!({
        "id_token": access,
        "token_type": "bearer",
        "expires_in": ttl.saturating_sub(1),
        "scope": "ALL_PERMISSIONS customer_number openid group_ids group_names",
        "access_token": access,
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    Json(body).into_response()
}

async fn api_token_authorize(State(shared): S, Extension(rid): Rid, Query(query): Query<HashMap<String, String>>, body: Bytes) -> Response {
    let form = form(&body);
    // The three accepted forms: ?refresh_token=, form refresh_token=, form grant_type=refresh_token&api_token=.
    let token =
        query.get("refresh_token").or_else(|| form.get("refresh_token")).or_else(|| form.get("api_token")).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return bad_request(&rid, "refresh_token: required (query parameter or form field)");
    };
    let world = shared.world.lock().expect("world lock");
    let Some(record) = world.api_tokens.iter().find(|t| &t.token == token) else {
        return error_response(&rid.0, StatusCode::BAD_REQUEST, "invalid_grant", "invalid_grant: the API token is not valid.");
    };
    if record.revoked {
        return error_response(&rid.0, StatusCode::BAD_REQUEST, "invalid_grant", "invalid_grant: the API token has been revoked.");
    }
    if record.expires_at_ms <= now_ms() {
        return error_response(&rid.0, StatusCode::BAD_REQUEST, "invalid_grant", "invalid_grant: the API token has expired.");
    }
    let username = record.username.clone();
    let subject = world.users.iter().find(|u| u.username == username).map(|u| u.user_id.clone()).unwrap_or_default();
    token_answer(&shared, &world, &username, &subject, "csp_user_client", Some(token))
}

async fn api_token_details(State(shared): S, Extension(rid): Rid, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(&rid, format!("request body: not valid JSON: {e}")),
    };
    let Some(token) = value.get("tokenValue").and_then(Value::as_str) else {
        return bad_request(&rid, "tokenValue: required");
    };
    let world = shared.world.lock().expect("world lock");
    match world.api_tokens.iter().find(|t| t.token == token) {
        Some(t) => Json(json!({
            "createdAt": t.created_at_ms,
            "expiresAt": t.expires_at_ms,
            "lastUsedAt": now_ms(),
            "username": t.username,
            "orgId": world.org_id,
            "revoked": t.revoked,
        }))
        .into_response(),
        None => error_response(&rid.0, StatusCode::BAD_REQUEST, "invalid_grant", "invalid_grant: the API token is not valid."),
    }
}

async fn client_credentials(State(shared): S, Extension(rid): Rid, headers: HeaderMap, body: Bytes) -> Response {
    let unauthorized =
        || error_response(&rid.0, StatusCode::UNAUTHORIZED, "invalid_client", "invalid_client: bad application id or secret.");
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some((app_id, secret)) = basic.as_deref().and_then(|s| s.split_once(':')) else {
        return unauthorized();
    };
    let form = form(&body);
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return error_response(&rid.0, StatusCode::BAD_REQUEST, "unsupported_grant_type", "grant_type: must be client_credentials");
    }
    let world = shared.world.lock().expect("world lock");
    if !world.oauth_apps.iter().any(|a| a.app_id == app_id && a.app_secret == secret) {
        return unauthorized();
    }
    if let Some(org) = form.get("orgId") {
        if org != &world.org_id {
            return error_response(
                &rid.0,
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "orgId: the application is not in this organization.",
            );
        }
    }
    token_answer(&shared, &world, app_id, &format!("app:{app_id}"), app_id, None)
}

/// Checks the access token (in `csp-auth-token` or `Authorization: Bearer`) and the org in the path.
pub(crate) fn authorize(shared: &Shared, headers: &HeaderMap, rid: &RequestId, org: Option<&str>) -> Result<Value, Response> {
    let token = headers
        .get("csp-auth-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        })
        .map(str::trim);
    let world = shared.world.lock().expect("world lock");
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(error_response(&rid.0, StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required: no access token was sent."));
    };
    let claims = match jwt::verify(&world.signing_key, token, world.token_generation) {
        Ok(c) => c,
        Err(jwt::TokenProblem::Expired) => {
            return Err(error_response(&rid.0, StatusCode::UNAUTHORIZED, "token.expired", "The access token has expired."))
        }
        Err(jwt::TokenProblem::Invalid) => {
            return Err(error_response(&rid.0, StatusCode::UNAUTHORIZED, "token.invalid", "The access token is not valid."))
        }
    };
    if let Some(org) = org {
        if org != world.org_id {
            return Err(error_response(&rid.0, StatusCode::NOT_FOUND, "org.not.found", &format!("Organization {org} was not found.")));
        }
        if claims.get("context_name").and_then(Value::as_str) != Some(org) {
            return Err(error_response(&rid.0, StatusCode::FORBIDDEN, "forbidden", "The access token is not for this organization."));
        }
    }
    Ok(claims)
}

// ---- organization, roles, services ----------------------------------------------------------

async fn loggedin_user(State(shared): S, Extension(rid): Rid, headers: HeaderMap) -> Answer {
    let claims = authorize(&shared, &headers, &rid, None)?;
    let username = claims["username"].as_str().unwrap_or_default();
    let world = shared.world.lock().expect("world lock");
    match world.users.iter().find(|u| u.username == username) {
        Some(u) => Ok(Json(user_json(u, UserView::FULL)).into_response()),
        None => Ok(Json(json!({"username": username, "acct": username})).into_response()),
    }
}

async fn get_org(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path(org): Path<String>) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let w = shared.world.lock().expect("world lock");
    Ok(Json(json!({
        "id": w.org_id,
        "name": w.org_name,
        "displayName": w.org_display_name,
        "refLink": format!("{AM}/orgs/{}", w.org_id),
        "parentRefLink": null,
        "metadata": {},
    }))
    .into_response())
}

async fn org_roles(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path(org): Path<String>) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let w = shared.world.lock().expect("world lock");
    let org_link = format!("{AM}/orgs/{}", w.org_id);
    let data: Vec<Value> = w
        .org_roles
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "name": r.name, "displayName": r.display_name,
                "refLink": format!("{org_link}/roles/{}", r.id), "organizationLink": org_link,
                "visible": true, "orgId": w.org_id, "resource": null, "expiresAt": 0,
                "createdBy": "", "createdDate": "", "lastUpdatedBy": "", "lastUpdatedDate": "",
            })
        })
        .collect();
    let links: Vec<Value> = data.iter().map(|d| d["refLink"].clone()).collect();
    Ok(Json(json!({"refLinks": links, "orgRolesData": data})).into_response())
}

async fn service_definitions(
    State(shared): S,
    Extension(rid): Rid,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    authorize(&shared, &headers, &rid, None)?;
    let w = shared.world.lock().expect("world lock");
    if let Some(org_link) = q.get("orgLink") {
        if org_link.trim_end_matches('/') != format!("{AM}/orgs/{}", w.org_id) {
            return Err(error_response(&rid.0, StatusCode::NOT_FOUND, "org.not.found", "orgLink: no such organization."));
        }
    }
    let links: Vec<String> = w.services.iter().map(|s| s.link()).collect();
    let expand = expand_flag(&rid, &q)?;
    if !expand {
        return Ok(Json(json!({"serviceDefinitionLinks": links})).into_response());
    }
    let results: Vec<Value> = w
        .services
        .iter()
        .map(|s| {
            let roles: Vec<Value> = s
                .roles
                .iter()
                .map(|r| {
                    json!({"name": r.name, "displayName": r.display_name, "serviceDefinition": s.name,
                        "serviceDefinitionLink": s.link(), "userIds": [], "isDefault": false, "isHidden": false})
                })
                .collect();
            json!({
                "name": s.name, "displayName": s.display_name, "descriptionLong": s.description,
                "isGated": false, "visible": true, "serviceRoles": roles,
                "organizationLink": format!("{AM}/orgs/{}", w.org_id), "documentSelfLink": s.link(),
                "serviceUrls": {"serviceHome": format!("https://{}.example.com/", s.id.to_lowercase())},
                "isPrimary": false, "isBeta": false,
            })
        })
        .collect();
    Ok(Json(json!({"serviceDefinitionLinks": links, "results": results})).into_response())
}

// ---- users ------------------------------------------------------------------------------------

// Users are served by the hundred thousand: typed, borrowed shapes serialize without building
// a JSON tree first.

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct UserProfileDto {
    alternative_email: &'static str,
    language: &'static str,
    locale: &'static str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct UserDto<'a> {
    username: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    user_id: &'a str,
    idp_id: &'a str,
    acct: &'a str,
    domain: &'a str,
    accessible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_profile: Option<UserProfileDto>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleBindingDto<'a> {
    name: &'a str,
    display_name: String,
    membership_type: &'static str,
    resource: Option<()>,
    expires_at: Option<()>,
    created_by: &'static str,
    created_date: &'static str,
    last_updated_by: &'static str,
    last_updated_date: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_ids: Option<[(); 0]>,
    groups: [(); 0],
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceRoleRefDto<'a> {
    name: &'a str,
    membership_type: &'static str,
    resource: Option<()>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceRolesDto<'a> {
    service_definition_id: &'a str,
    service_definition_link: String,
    service_role_names: &'a [String],
    service_roles: Vec<ServiceRoleRefDto<'a>>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct ExpandedUserDto<'a> {
    user: UserDto<'a>,
    org_id: &'a str,
    organization_roles: Vec<RoleBindingDto<'a>>,
    service_roles: Vec<ServiceRolesDto<'a>>,
    custom_roles: [(); 0],
}

/// What a user answer shows beyond the basics, as the listings' presence-only flags ask:
/// `expandProfile` adds `userProfile`, `includeGroupIdsInRoles` adds `groupIds` to each role.
#[derive(Clone, Copy)]
struct UserView {
    profile: bool,
    group_ids: bool,
}

impl UserView {
    /// Answers without the flags (one user, the logged-in user) show everything.
    const FULL: UserView = UserView { profile: true, group_ids: true };

    fn from_query(rid: &RequestId, q: &HashMap<String, String>) -> Result<UserView, Response> {
        Ok(UserView { profile: flag(rid, q, "expandProfile")?, group_ids: flag(rid, q, "includeGroupIdsInRoles")? })
    }
}

/// A presence-only flag: on when given alone (`?expandProfile`) or `true`, off when absent or `false`.
fn flag(rid: &RequestId, q: &HashMap<String, String>, name: &str) -> Result<bool, Response> {
    match q.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("") | Some("true") => Ok(true),
        Some(v) => Err(bad_request(rid, format!("{name}: a flag, given alone or as true or false; got '{v}'"))),
    }
}

fn user_json(u: &User, view: UserView) -> UserDto<'_> {
    UserDto {
        username: &u.username,
        first_name: &u.first_name,
        last_name: &u.last_name,
        email: &u.email,
        user_id: &u.user_id,
        idp_id: &u.idp_id,
        acct: &u.username,
        domain: &u.domain,
        accessible: true,
        user_profile: view.profile.then_some(UserProfileDto { alternative_email: "", language: "en", locale: "en_US" }),
    }
}

fn role_binding<'a>(w: &World, name: &'a str, view: UserView) -> RoleBindingDto<'a> {
    RoleBindingDto {
        name,
        display_name: w.role_display_name(name),
        membership_type: "DIRECT",
        resource: None,
        expires_at: None,
        created_by: "",
        created_date: "",
        last_updated_by: "",
        last_updated_date: "",
        group_ids: view.group_ids.then_some([]),
        groups: [],
    }
}

fn service_roles_json<'a>(w: &World, grants: &'a [ServiceGrant]) -> Vec<ServiceRolesDto<'a>> {
    grants
        .iter()
        .map(|g| ServiceRolesDto {
            service_definition_id: &g.service_id,
            service_definition_link: w.services.iter().find(|s| s.id == g.service_id).map(|s| s.link()).unwrap_or_default(),
            service_role_names: &g.roles,
            service_roles: g.roles.iter().map(|r| ServiceRoleRefDto { name: r, membership_type: "DIRECT", resource: None }).collect(),
        })
        .collect()
}

fn expanded_user<'a>(w: &'a World, u: &'a User, view: UserView) -> ExpandedUserDto<'a> {
    ExpandedUserDto {
        user: user_json(u, view),
        org_id: &w.org_id,
        organization_roles: u.org_roles.iter().map(|r| role_binding(w, r, view)).collect(),
        service_roles: service_roles_json(w, &u.service_roles),
        custom_roles: [],
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct UserPageDto<'a> {
    results: Vec<ExpandedUserDto<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_results: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_link: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev_link: Option<Option<String>>,
}

fn parse_positive(rid: &RequestId, q: &HashMap<String, String>, name: &str, default: usize) -> Result<usize, Response> {
    match q.get(name) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(bad_request(rid, format!("{name}: must be a whole number of at least 1, got '{v}'"))),
        },
    }
}

async fn list_users(
    State(shared): S,
    Extension(rid): Rid,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let view = UserView::from_query(&rid, &q)?;
    let start = parse_positive(&rid, &q, "pageStart", 1)?;
    let limit = parse_positive(&rid, &q, "pageLimit", DEFAULT_PAGE_LIMIT)?;
    if limit > MAX_PAGE_LIMIT {
        return Err(bad_request(&rid, format!("pageLimit: at most {MAX_PAGE_LIMIT}, got {limit}")));
    }
    let w = shared.world.lock().expect("world lock");
    let service = q.get("serviceDefinitionId").filter(|s| !s.is_empty());
    let in_service = |u: &&User| service.map_or(true, |sid| u.service_roles.iter().any(|g| &g.service_id == sid));
    let total = if service.is_some() { w.users.iter().filter(in_service).count() } else { w.users.len() };
    let results: Vec<ExpandedUserDto> =
        w.users.iter().filter(in_service).skip(start - 1).take(limit).map(|u| expanded_user(&w, u, view)).collect();
    let base = format!("{AM}/v2/orgs/{org}/users");
    let mut extra = service.map(|s| format!("&serviceDefinitionId={s}")).unwrap_or_default();
    for (on, name) in [(view.profile, "expandProfile"), (view.group_ids, "includeGroupIdsInRoles")] {
        if on {
            extra.push_str(&format!("&{name}=true"));
        }
    }
    let next = (start - 1 + limit < total).then(|| format!("{base}?pageStart={}&pageLimit={limit}{extra}", start + limit));
    let prev = (start > 1).then(|| format!("{base}?pageStart={}&pageLimit={limit}{extra}", start.saturating_sub(limit).max(1)));
    Ok(Json(UserPageDto { results, total_results: Some(total), next_link: Some(next), prev_link: Some(prev) }).into_response())
}

async fn search_users(
    State(shared): S,
    Extension(rid): Rid,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let view = UserView::from_query(&rid, &q)?;
    let term = q.get("userSearchTerm").map(|s| s.trim().to_lowercase()).unwrap_or_default();
    if term.is_empty() {
        return Err(bad_request(&rid, "userSearchTerm: required"));
    }
    let w = shared.world.lock().expect("world lock");
    let results: Vec<ExpandedUserDto> = w
        .users
        .iter()
        .filter(|u| [&u.username, &u.first_name, &u.last_name, &u.email].iter().any(|f| contains_ignore_case(f, &term)))
        .take(SEARCH_LIMIT)
        .map(|u| expanded_user(&w, u, view))
        .collect();
    Ok(Json(UserPageDto { results, total_results: None, next_link: None, prev_link: None }).into_response())
}

/// `haystack` contains `needle` (already lower case), ignoring case, without allocating for ASCII.
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if !haystack.is_ascii() || !needle.is_ascii() {
        return haystack.to_lowercase().contains(needle);
    }
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn find_user<'a>(w: &'a World, rid: &RequestId, id: &str) -> Result<&'a User, Response> {
    w.users.iter().find(|u| u.user_id == id).ok_or_else(|| {
        error_response(&rid.0, StatusCode::NOT_FOUND, "user.not.found", &format!("User {id} is not a member of this organization."))
    })
}

async fn user_info(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path((user, org)): Path<(String, String)>) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let w = shared.world.lock().expect("world lock");
    let u = find_user(&w, &rid, &user)?;
    Ok(Json(expanded_user(&w, u, UserView::FULL)).into_response())
}

async fn user_roles(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path((user, org)): Path<(String, String)>) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let w = shared.world.lock().expect("world lock");
    let u = find_user(&w, &rid, &user)?;
    let roles: Vec<RoleBindingDto> = u.org_roles.iter().map(|r| role_binding(&w, r, UserView::FULL)).collect();
    Ok(Json(json!({"organizationRoles": roles})).into_response())
}

async fn user_service_roles(
    State(shared): S,
    Extension(rid): Rid,
    headers: HeaderMap,
    Path((user, org)): Path<(String, String)>,
) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let w = shared.world.lock().expect("world lock");
    let u = find_user(&w, &rid, &user)?;
    Ok(Json(json!({"serviceRoles": service_roles_json(&w, &u.service_roles)})).into_response())
}

fn json_object(rid: &RequestId, body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request(rid, "request body: must be a JSON object")),
        Err(e) => Err(bad_request(rid, format!("request body: not valid JSON: {e}"))),
    }
}

fn string_list(rid: &RequestId, body: &Map<String, Value>, field: &str) -> Result<Vec<String>, Response> {
    match body.get(field) {
        None | Some(Value::Null) => Err(bad_request(rid, format!("{field}: required"))),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v.as_str() {
                Some(s) => Ok(s.to_string()),
                None => Err(bad_request(rid, format!("{field}[{i}]: must be a string"))),
            })
            .collect(),
        Some(_) => Err(bad_request(rid, format!("{field}: must be an array of strings"))),
    }
}

async fn remove_users(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path(org): Path<String>, body: Bytes) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let body = json_object(&rid, &body)?;
    let ids = string_list(&rid, &body, "ids")?;
    if ids.is_empty() {
        return Err(bad_request(&rid, "ids: must name at least one user"));
    }
    if ids.len() > REMOVE_LIMIT {
        return Err(bad_request(&rid, format!("ids: at most {REMOVE_LIMIT} users per call, got {}", ids.len())));
    }
    let mut w = shared.world.lock().expect("world lock");
    let (mut succeeded, mut failed, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    let is_owner = |u: &User| u.org_roles.iter().any(|r| r == "org_owner");
    let mut owners_left = w.users.iter().filter(|u| is_owner(u)).count();
    let mut removing: Vec<usize> = Vec::new();
    for id in ids {
        let Some(pos) = w.users.iter().position(|u| u.user_id == id).filter(|p| !removing.contains(p)) else {
            failures.push(json!({"id": id, "errorCode": "USER_NOT_FOUND", "message": "The user is not a member of this organization."}));
            failed.push(id);
            continue;
        };
        if is_owner(&w.users[pos]) {
            if owners_left == 1 {
                failures
                    .push(json!({"id": id, "errorCode": "LAST_ORG_OWNER", "message": "The last organization owner cannot be removed."}));
                failed.push(id);
                continue;
            }
            owners_left -= 1;
        }
        removing.push(pos);
        succeeded.push(id);
    }
    // At most 20 positions: remove from the back so earlier positions stay valid.
    removing.sort_unstable();
    for pos in removing.into_iter().rev() {
        w.users.remove(pos);
    }
    if !succeeded.is_empty() {
        persist(&shared, &w, &rid)?;
    }
    Ok(Json(json!({"succeeded": succeeded, "failed": failed, "failures": failures})).into_response())
}

// ---- invitations ------------------------------------------------------------------------------

/// An invitation still marked available past its expiry reads as EXPIRED.
fn effective_status(inv: &Invitation) -> &'static str {
    match inv.status {
        InvitationStatus::Available if inv.expiration_time_ms <= now_ms() => "EXPIRED",
        InvitationStatus::Available => "AVAILABLE",
        InvitationStatus::Redeemed => "REDEEMED",
        InvitationStatus::Revoked => "REVOKED",
    }
}

fn invitation_json(w: &World, base_url: &str, inv: &Invitation) -> Value {
    let link = format!("{AM}/orgs/{}/invitations/{}", w.org_id, inv.id);
    let service_dtos: Vec<Value> = inv
        .service_roles
        .iter()
        .map(|g| {
            let link = w.services.iter().find(|s| s.id == g.service_id).map(|s| s.link()).unwrap_or_default();
            json!({"serviceDefinitionLink": link, "serviceRoleNames": g.roles,
                "serviceRoles": g.roles.iter().map(|r| json!({"name": r, "membershipType": "DIRECT", "resource": null})).collect::<Vec<_>>()})
        })
        .collect();
    json!({
        "refLink": link,
        "username": inv.username,
        "status": effective_status(inv),
        "generatedAt": inv.generated_at_ms,
        "generatedBy": inv.generated_by,
        "expirationTime": inv.expiration_time_ms,
        "redeemedAt": inv.redeemed_at_ms,
        "redeemedBy": inv.redeemed_by,
        "revokedAt": inv.revoked_at_ms,
        "revokedBy": inv.revoked_by,
        "invitationLink": format!("{base_url}/csp/gateway/discovery?invitation={}", inv.id),
        "invitedByUsername": inv.generated_by,
        "orgRoleNames": inv.org_roles,
        "organizationRoles": inv.org_roles.iter().map(|r| role_binding(w, r, UserView::FULL)).collect::<Vec<_>>(),
        "serviceRolesDtos": service_dtos,
        "customRoles": [], "customGroups": [], "customGroupsIds": [],
    })
}

/// `expand`: `true` or `1` answers whole objects, `false`, `0` or absent only links.
fn expand_flag(rid: &RequestId, q: &HashMap<String, String>) -> Result<bool, Response> {
    match q.get("expand").map(String::as_str) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(v) => Err(bad_request(rid, format!("expand: true, 1, false or 0; got '{v}'"))),
    }
}

async fn list_invitations(
    State(shared): S,
    Extension(rid): Rid,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let expand = expand_flag(&rid, &q)?;
    let w = shared.world.lock().expect("world lock");
    if expand {
        // What the published clients read: an array of UserOrganizationInvitationResponse.
        let all: Vec<Value> = w.invitations.iter().map(|i| invitation_json(&w, &shared.base_url, i)).collect();
        return Ok(Json(all).into_response());
    }
    let links: Vec<String> = w.invitations.iter().map(|i| format!("{AM}/orgs/{}/invitations/{}", w.org_id, i.id)).collect();
    Ok(Json(links).into_response())
}

async fn get_invitation(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path((org, id)): Path<(String, String)>) -> Answer {
    authorize(&shared, &headers, &rid, Some(&org))?;
    let w = shared.world.lock().expect("world lock");
    match w.invitations.iter().find(|i| i.id == id) {
        Some(inv) => Ok(Json(invitation_json(&w, &shared.base_url, inv)).into_response()),
        None => Err(invitation_not_found(&rid, &id)),
    }
}

async fn revoke_invitation(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path((org, id)): Path<(String, String)>) -> Answer {
    let claims = authorize(&shared, &headers, &rid, Some(&org))?;
    let mut w = shared.world.lock().expect("world lock");
    let Some(inv) = w.invitations.iter_mut().find(|i| i.id == id) else {
        return Err(invitation_not_found(&rid, &id));
    };
    if effective_status(inv) != "AVAILABLE" {
        let msg = format!("Invitation {id} is {} and can no longer be revoked.", effective_status(inv).to_lowercase());
        return Err(error_response(&rid.0, StatusCode::BAD_REQUEST, "invitation.not.available", &msg));
    }
    inv.status = InvitationStatus::Revoked;
    inv.revoked_at_ms = Some(now_ms());
    inv.revoked_by = claims["username"].as_str().map(str::to_string);
    persist(&shared, &w, &rid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn create_invitations(State(shared): S, Extension(rid): Rid, headers: HeaderMap, Path(org): Path<String>, body: Bytes) -> Answer {
    let claims = authorize(&shared, &headers, &rid, Some(&org))?;
    let body = json_object(&rid, &body)?;
    let usernames = string_list(&rid, &body, "usernames")?;
    if usernames.is_empty() {
        return Err(bad_request(&rid, "usernames: must name at least one email address"));
    }
    if usernames.len() > INVITE_LIMIT {
        return Err(bad_request(&rid, format!("usernames: at most {INVITE_LIMIT} per call, got {}", usernames.len())));
    }
    for (i, u) in usernames.iter().enumerate() {
        if !valid_email(u) {
            return Err(bad_request(&rid, format!("usernames[{i}]: '{u}' is not a valid email address")));
        }
    }
    let mut w = shared.world.lock().expect("world lock");
    let org_roles = parse_org_roles(&w, &rid, body.get("organizationRoles"))?;
    let service_roles = parse_service_roles(&w, &rid, body.get("serviceRolesDtos"))?;
    let inviter = claims["username"].as_str().unwrap_or_default().to_string();
    let mut changed = false;
    for email in usernames {
        if let Some(user) = w.users.iter_mut().find(|u| u.username.eq_ignore_ascii_case(&email)) {
            // Already a member: no invitation; the roles are granted directly.
            for r in &org_roles {
                if !user.org_roles.contains(r) {
                    user.org_roles.push(r.clone());
                    changed = true;
                }
            }
            for g in &service_roles {
                match user.service_roles.iter_mut().find(|x| x.service_id == g.service_id) {
                    Some(x) => {
                        for r in &g.roles {
                            if !x.roles.contains(r) {
                                x.roles.push(r.clone());
                                changed = true;
                            }
                        }
                    }
                    None => {
                        user.service_roles.push(g.clone());
                        changed = true;
                    }
                }
            }
            continue;
        }
        let pending = w.invitations.iter().any(|i| i.username.eq_ignore_ascii_case(&email) && effective_status(i) == "AVAILABLE");
        if pending {
            continue;
        }
        let seed = shared.config.seed;
        let id = w.fresh_id(seed);
        let now = now_ms();
        w.invitations.push(Invitation {
            id,
            username: email,
            status: InvitationStatus::Available,
            generated_at_ms: now,
            generated_by: inviter.clone(),
            expiration_time_ms: now + INVITATION_TTL_MS,
            redeemed_at_ms: None,
            redeemed_by: None,
            revoked_at_ms: None,
            revoked_by: None,
            org_roles: org_roles.clone(),
            service_roles: service_roles.clone(),
        });
        changed = true;
    }
    if changed {
        persist(&shared, &w, &rid)?;
    }
    Ok(StatusCode::OK.into_response())
}

fn parse_org_roles(w: &World, rid: &RequestId, v: Option<&Value>) -> Result<Vec<String>, Response> {
    let Some(Value::Array(items)) = v else {
        return Err(bad_request(rid, "organizationRoles: required, an array of {\"name\": ...}"));
    };
    if items.is_empty() {
        return Err(bad_request(rid, "organizationRoles: must name at least one role"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_request(rid, format!("organizationRoles[{i}].name: required")))?;
            if w.org_roles.iter().any(|r| r.name == name) {
                Ok(name.to_string())
            } else {
                Err(bad_request(rid, format!("organizationRoles[{i}].name: unknown organization role '{name}'")))
            }
        })
        .collect()
}

fn parse_service_roles(w: &World, rid: &RequestId, v: Option<&Value>) -> Result<Vec<ServiceGrant>, Response> {
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(bad_request(rid, "serviceRolesDtos: must be an array")),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let link = item
                .get("serviceDefinitionLink")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_request(rid, format!("serviceRolesDtos[{i}].serviceDefinitionLink: required")))?;
            let service = w
                .service_by_link(link)
                .ok_or_else(|| bad_request(rid, format!("serviceRolesDtos[{i}].serviceDefinitionLink: unknown service '{link}'")))?;
            let mut names: Vec<String> = Vec::new();
            if let Some(Value::Array(roles)) = item.get("serviceRoles") {
                for r in roles {
                    if let Some(n) = r.get("name").and_then(Value::as_str) {
                        names.push(n.to_string());
                    }
                }
            }
            if let Some(Value::Array(roles)) = item.get("serviceRoleNames") {
                names.extend(roles.iter().filter_map(Value::as_str).map(str::to_string));
            }
            if names.is_empty() {
                return Err(bad_request(rid, format!("serviceRolesDtos[{i}].serviceRoles: must name at least one role")));
            }
            for n in &names {
                if !service.roles.iter().any(|r| &r.name == n) {
                    return Err(bad_request(
                        rid,
                        format!("serviceRolesDtos[{i}].serviceRoles: unknown role '{n}' for {}", service.display_name),
                    ));
                }
            }
            names.dedup();
            Ok(ServiceGrant { service_id: service.id.clone(), roles: names })
        })
        .collect()
}
