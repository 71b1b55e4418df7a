//! What every API answers with: the request id stamped on each request, the CSP and Cloud Director
//! error bodies, and saving the state (whose failure is itself an error answer). The routers and
//! the accept loop all import this module; it imports none of them.

use crate::world::World;
use crate::Shared;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The id the accept loop gives each request (`x-request-id`, `requestId` in CSP errors).
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The service's error body (`CspErrorResponse`).
pub fn error_response(request_id: &str, status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "statusCode": status.as_u16(),
        "message": message,
        "requestId": request_id,
        "cspErrorCode": code,
        "errorCode": code,
        "moduleCode": 0,
    });
    (status, Json(body)).into_response()
}

/// The CSP answer for an invitation id that names none.
pub(crate) fn invitation_not_found(rid: &RequestId, id: &str) -> Response {
    error_response(&rid.0, StatusCode::NOT_FOUND, "invitation.not.found", &format!("Invitation {id} was not found."))
}

/// The Cloud Director error body (`Error`: minorErrorCode, message).
pub fn vcd_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"minorErrorCode": code, "message": message, "stackTrace": null}))).into_response()
}

/// Saves the state; a failure answers 503 so a client never believes an unsaved change happened.
pub(crate) fn persist(shared: &Shared, w: &World, rid: &RequestId) -> Result<(), Response> {
    shared.persist(w).map_err(|e| {
        eprintln!("vcs-emulator: saving state failed: {e}");
        error_response(&rid.0, StatusCode::SERVICE_UNAVAILABLE, "state.unavailable", "The change could not be saved.")
    })
}
