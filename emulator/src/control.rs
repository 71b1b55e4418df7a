//! The control API under `/_emulator/`: reset, state, accepting invitations, expiring tokens,
//! statistics and fault rules. It needs no token: it is for tests and demos on loopback.

use crate::reply::{error_response, invitation_not_found, persist, RequestId};
use crate::world::AcceptError;
use crate::{FaultRule, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

type S = State<Arc<Shared>>;
type Rid = Extension<RequestId>;

pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/state", get(state))
        .route("/_emulator/invitations/{id}/accept", post(accept_invitation))
        .route("/_emulator/tokens/expire", post(expire_tokens))
        .route("/_emulator/api-tokens/revoke", post(revoke_api_token))
        .route("/_emulator/stats", get(stats).delete(clear_stats))
        .route("/_emulator/faults", get(list_faults).post(add_faults).delete(clear_faults))
}

fn bad(rid: &RequestId, msg: impl AsRef<str>) -> Response {
    error_response(&rid.0, StatusCode::BAD_REQUEST, "invalid.request", msg.as_ref())
}

async fn reset(State(shared): S, Extension(rid): Rid) -> Result<Response, Response> {
    let fresh = Shared::seed_world(&shared.config);
    let mut w = shared.world.lock().expect("world lock");
    *w = fresh;
    shared.faults.lock().expect("faults lock").clear();
    *shared.stats.lock().expect("stats lock") = Default::default();
    persist(&shared, &w, &rid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn state(State(shared): S) -> Response {
    let w = shared.world.lock().expect("world lock");
    Json(&*w).into_response()
}

async fn accept_invitation(State(shared): S, Extension(rid): Rid, Path(id): Path<String>) -> Result<Response, Response> {
    let mut w = shared.world.lock().expect("world lock");
    let seed = shared.config.seed;
    match w.accept_invitation(&id, seed) {
        Ok(user) => {
            let answer = json!({"userId": user.user_id, "username": user.username});
            persist(&shared, &w, &rid)?;
            Ok(Json(answer).into_response())
        }
        Err(AcceptError::NotFound) => Err(invitation_not_found(&rid, &id)),
        Err(AcceptError::NotPending) => Err(bad(&rid, format!("Invitation {id} is not pending and cannot be accepted."))),
    }
}

async fn expire_tokens(State(shared): S, Extension(rid): Rid) -> Result<Response, Response> {
    let mut w = shared.world.lock().expect("world lock");
    w.token_generation += 1;
    persist(&shared, &w, &rid)?;
    Ok(Json(json!({"tokenGeneration": w.token_generation})).into_response())
}

async fn revoke_api_token(State(shared): S, Extension(rid): Rid, body: Bytes) -> Result<Response, Response> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| bad(&rid, format!("request body: not valid JSON: {e}")))?;
    let token = v.get("token").and_then(Value::as_str).ok_or_else(|| bad(&rid, "token: required"))?;
    let mut w = shared.world.lock().expect("world lock");
    let Some(record) = w.api_tokens.iter_mut().find(|t| t.token == token) else {
        return Err(error_response(&rid.0, StatusCode::NOT_FOUND, "token.not.found", "No such API token."));
    };
    record.revoked = true;
    persist(&shared, &w, &rid)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn stats(State(shared): S) -> Response {
    Json(shared.stats_json()).into_response()
}

async fn clear_stats(State(shared): S) -> Response {
    *shared.stats.lock().expect("stats lock") = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

async fn list_faults(State(shared): S) -> Response {
    Json(shared.faults.lock().expect("faults lock").clone()).into_response()
}

/// Takes one rule or an array of rules; every rule is checked before any is added.
async fn add_faults(State(shared): S, Extension(rid): Rid, body: Bytes) -> Result<Response, Response> {
    let v: Value = serde_json::from_slice(&body).map_err(|e| bad(&rid, format!("request body: not valid JSON: {e}")))?;
    let items = match v {
        Value::Array(items) => items,
        other => vec![other],
    };
    let mut rules = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let rule: FaultRule = serde_json::from_value(item).map_err(|e| bad(&rid, format!("fault rule {i}: {e}")))?;
        rule.validate().map_err(|e| bad(&rid, format!("fault rule {i}: {e}")))?;
        rules.push(FaultRule { hits: 0, ..rule });
    }
    let mut faults = shared.faults.lock().expect("faults lock");
    faults.extend(rules);
    Ok((StatusCode::CREATED, Json(faults.clone())).into_response())
}

async fn clear_faults(State(shared): S) -> Response {
    shared.faults.lock().expect("faults lock").clear();
    StatusCode::NO_CONTENT.into_response()
}
