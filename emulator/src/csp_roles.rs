//! `PATCH /csp/gateway/am/api/v3/users/{user}/orgs/{org}/roles` (reference row U7): adds and
//! removes a member's organization and service roles. Every name is checked before anything
//! changes; the choices where the reference is silent are in emulator/README.md.

use crate::csp::authorize;
use crate::reply::{error_response, persist, RequestId};
use crate::world::{ServiceDef, ServiceGrant, World};
use crate::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::patch;
use axum::{Extension, Router};
use serde_json::{Map, Value};
use std::sync::Arc;

pub fn router() -> Router<Arc<Shared>> {
    Router::new().route("/csp/gateway/am/api/v3/users/{user}/orgs/{org}/roles", patch(update_roles))
}

fn bad(rid: &RequestId, code: &str, message: impl AsRef<str>) -> Response {
    error_response(&rid.0, StatusCode::BAD_REQUEST, code, message.as_ref())
}

/// The role names of one `{roleNamesToAdd, roleNamesToRemove, rolesToAdd, rolesToRemove,
/// rolesToUpdate}` part: (to add, to remove, to update), each `(field, name)`.
#[derive(Default)]
struct Part {
    add: Vec<(String, String)>,
    remove: Vec<(String, String)>,
    update: Vec<(String, String)>,
}

const PART_FIELDS: [&str; 5] = ["roleNamesToAdd", "roleNamesToRemove", "rolesToAdd", "rolesToRemove", "rolesToUpdate"];

fn read_part(rid: &RequestId, field: &str, v: &Value, extra: &[&str]) -> Result<Part, Response> {
    let m = v.as_object().ok_or_else(|| bad(rid, "invalid.request", format!("{field}: must be an object")))?;
    if let Some(k) = m.keys().find(|k| !PART_FIELDS.contains(&k.as_str()) && !extra.contains(&k.as_str())) {
        return Err(bad(rid, "invalid.request", format!("{field}.{k}: unknown field")));
    }
    let mut part = Part::default();
    for key in PART_FIELDS {
        let Some(list) = m.get(key).filter(|v| !v.is_null()) else { continue };
        let items = list.as_array().ok_or_else(|| bad(rid, "invalid.request", format!("{field}.{key}: must be an array")))?;
        for (i, item) in items.iter().enumerate() {
            let f = format!("{field}.{key}[{i}]");
            let name = if key.starts_with("roleNames") {
                item.as_str().ok_or_else(|| bad(rid, "invalid.request", format!("{f}: must be a role name")))?
            } else {
                item.get("name").and_then(Value::as_str).ok_or_else(|| bad(rid, "invalid.request", format!("{f}.name: required")))?
            };
            let target = match key {
                "roleNamesToAdd" | "rolesToAdd" => &mut part.add,
                "roleNamesToRemove" | "rolesToRemove" => &mut part.remove,
                _ => &mut part.update,
            };
            target.push((f, name.to_string()));
        }
    }
    if let Some((f, n)) = part.add.iter().find(|(_, n)| part.remove.iter().any(|(_, r)| r == n)) {
        return Err(bad(rid, "invalid.request", format!("{f}: '{n}' is both added and removed")));
    }
    Ok(part)
}

fn find_service<'a>(w: &'a World, rid: &RequestId, field: &str, m: &Map<String, Value>) -> Result<&'a ServiceDef, Response> {
    if let Some(link) = m.get("serviceDefinitionLink").and_then(Value::as_str) {
        return w
            .service_by_link(link)
            .ok_or_else(|| bad(rid, "invalid.request", format!("{field}.serviceDefinitionLink: unknown service '{link}'")));
    }
    if let Some(id) = m.get("serviceDefinitionId").and_then(Value::as_str) {
        return w
            .services
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| bad(rid, "invalid.request", format!("{field}.serviceDefinitionId: unknown service '{id}'")));
    }
    Err(bad(rid, "invalid.request", format!("{field}: serviceDefinitionLink or serviceDefinitionId required")))
}

async fn update_roles(
    State(shared): State<Arc<Shared>>,
    Extension(rid): Extension<RequestId>,
    headers: HeaderMap,
    Path((user, org)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, Response> {
    // The reference gives 403 for an unknown organization here (not the 404 of other paths).
    let claims = authorize(&shared, &headers, &rid, None)?;
    let mut w = shared.world.lock().expect("world lock");
    if org != w.org_id || claims.get("context_name").and_then(Value::as_str) != Some(org.as_str()) {
        return Err(error_response(&rid.0, StatusCode::FORBIDDEN, "org.not.found", &format!("Organization {org} was not found.")));
    }
    let Some(pos) = w.users.iter().position(|u| u.user_id == user) else {
        return Err(error_response(
            &rid.0,
            StatusCode::NOT_FOUND,
            "user.not.found",
            &format!("User {user} is not a member of this organization."),
        ));
    };
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(bad(&rid, "invalid.request", "request body: must be a JSON object")),
        Err(e) => return Err(bad(&rid, "invalid.request", format!("request body: not valid JSON: {e}"))),
    };
    const TOP: [&str; 4] = ["organizationRoles", "serviceRoles", "customRoles", "notifyUsers"];
    if let Some(k) = body.keys().find(|k| !TOP.contains(&k.as_str())) {
        return Err(bad(&rid, "invalid.request", format!("{k}: unknown field")));
    }
    if !matches!(body.get("notifyUsers"), None | Some(Value::Null) | Some(Value::Bool(_))) {
        return Err(bad(&rid, "invalid.request", "notifyUsers: must be true or false"));
    }

    // Organization roles: every name must be one of the organization's roles.
    let org_part = match body.get("organizationRoles").filter(|v| !v.is_null()) {
        Some(v) => read_part(&rid, "organizationRoles", v, &[])?,
        None => Part::default(),
    };
    for (f, n) in org_part.add.iter().chain(&org_part.remove).chain(&org_part.update) {
        if !w.org_roles.iter().any(|r| &r.name == n) {
            return Err(bad(&rid, "invalid.request", format!("{f}: unknown organization role '{n}'")));
        }
    }
    // The emulated organization defines no custom roles: any name is unknown.
    if let Some(v) = body.get("customRoles").filter(|v| !v.is_null()) {
        let part = read_part(&rid, "customRoles", v, &[])?;
        if let Some((f, n)) = part.add.iter().chain(&part.remove).chain(&part.update).next() {
            return Err(bad(&rid, "invalid.request", format!("{f}: unknown custom role '{n}'")));
        }
    }
    // Service roles: (service id, part), each service checked and each role a role of it.
    let mut service_parts: Vec<(String, Part)> = Vec::new();
    match body.get("serviceRoles") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let field = format!("serviceRoles[{i}]");
                let m = item.as_object().ok_or_else(|| bad(&rid, "invalid.request", format!("{field}: must be an object")))?;
                let service = find_service(&w, &rid, &field, m)?;
                let part = read_part(&rid, &field, item, &["serviceDefinitionLink", "serviceDefinitionId"])?;
                for (f, n) in part.add.iter().chain(&part.remove).chain(&part.update) {
                    if !service.roles.iter().any(|r| &r.name == n) {
                        return Err(bad(&rid, "invalid.request", format!("{f}: unknown role '{n}' for {}", service.display_name)));
                    }
                }
                service_parts.push((service.id.clone(), part));
            }
        }
        Some(_) => return Err(bad(&rid, "invalid.request", "serviceRoles: must be an array")),
    }

    // The member's roles after the change, checked before anything is stored.
    let current = &w.users[pos];
    let mut org_roles = current.org_roles.clone();
    org_roles.retain(|r| !org_part.remove.iter().any(|(_, n)| n == r));
    for (_, n) in &org_part.add {
        if !org_roles.contains(n) {
            org_roles.push(n.clone());
        }
    }
    if org_roles.is_empty() {
        return Err(bad(&rid, "NO_ORGANIZATION_ROLE", "A member must keep at least one organization role."));
    }
    let was_owner = current.org_roles.iter().any(|r| r == "org_owner");
    let stays_owner = org_roles.iter().any(|r| r == "org_owner");
    if was_owner && !stays_owner && w.users.iter().filter(|u| u.org_roles.iter().any(|r| r == "org_owner")).count() == 1 {
        return Err(bad(&rid, "LAST_ORG_OWNER", "The last organization owner cannot lose the org_owner role."));
    }
    let mut grants: Vec<ServiceGrant> = current.service_roles.clone();
    for (service_id, part) in &service_parts {
        let idx = match grants.iter().position(|g| &g.service_id == service_id) {
            Some(i) => i,
            None => {
                grants.push(ServiceGrant { service_id: service_id.clone(), roles: Vec::new() });
                grants.len() - 1
            }
        };
        let g = &mut grants[idx];
        g.roles.retain(|r| !part.remove.iter().any(|(_, n)| n == r));
        for (_, n) in &part.add {
            if !g.roles.contains(n) {
                g.roles.push(n.clone());
            }
        }
    }
    grants.retain(|g| !g.roles.is_empty());

    let changed = org_roles != current.org_roles || grants != current.service_roles;
    if changed {
        let u = &mut w.users[pos];
        u.org_roles = org_roles;
        u.service_roles = grants;
        persist(&shared, &w, &rid)?;
    }
    Ok(StatusCode::OK.into_response())
}
