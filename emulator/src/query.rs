//! The query parameters each CSP endpoint takes (the reference's endpoint table). A parameter an
//! endpoint does not take is a 400 naming it, so no client believes a parameter worked when the
//! emulator ignored it. The handlers honour the ones listed.

use crate::reply::{error_response, RequestId};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// (method, path with `*` for one segment, parameters taken).
const ENDPOINTS: &[(&str, &str, &[&str])] = &[
    ("POST", "/csp/gateway/am/api/auth/api-tokens/authorize", &["refresh_token"]),
    ("POST", "/csp/gateway/am/api/auth/api-tokens/details", &[]),
    ("POST", "/csp/gateway/am/api/auth/authorize", &[]),
    ("GET", "/csp/gateway/am/api/loggedin/user", &[]),
    ("GET", "/csp/gateway/am/api/orgs/*", &[]),
    ("GET", "/csp/gateway/am/api/orgs/*/roles", &[]),
    ("GET", "/csp/gateway/am/api/orgs/*/users/search", &["userSearchTerm", "expandProfile", "includeGroupIdsInRoles"]),
    ("GET", "/csp/gateway/am/api/orgs/*/invitations", &["expand"]),
    ("POST", "/csp/gateway/am/api/orgs/*/invitations", &[]),
    ("GET", "/csp/gateway/am/api/orgs/*/invitations/*", &[]),
    ("DELETE", "/csp/gateway/am/api/orgs/*/invitations/*", &[]),
    (
        "GET",
        "/csp/gateway/am/api/v2/orgs/*/users",
        &["pageStart", "pageLimit", "expandProfile", "includeGroupIdsInRoles", "serviceDefinitionId"],
    ),
    ("DELETE", "/csp/gateway/am/api/v2/orgs/*/users", &[]),
    ("GET", "/csp/gateway/am/api/v2/users/*/orgs/*/info", &[]),
    ("GET", "/csp/gateway/am/api/v2/users/*/orgs/*/roles", &[]),
    ("GET", "/csp/gateway/am/api/v2/users/*/orgs/*/service-roles", &[]),
    ("GET", "/csp/gateway/slc/api/definitions", &["expand", "orgLink"]),
];

fn matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let t: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    p.len() == t.len() && p.iter().zip(&t).all(|(p, t)| *p == "*" || p == t)
}

/// The parameters an endpoint takes; `None` for paths outside the table (the handler decides).
pub fn parameters_of(method: &str, path: &str) -> Option<&'static [&'static str]> {
    if !path.starts_with("/csp/") {
        return None;
    }
    ENDPOINTS.iter().find(|(m, p, _)| *m == method && matches(p, path)).map(|(_, _, params)| *params)
}

/// Router layer: refuses a query parameter the endpoint does not take.
pub async fn refuse_unknown_parameters(req: Request, next: Next) -> Response {
    let Some(allowed) = parameters_of(req.method().as_str(), req.uri().path()) else { return next.run(req).await };
    let rid = req.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let query = req.uri().query().unwrap_or("");
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(query) {
        Ok(p) => p,
        Err(e) => {
            return error_response(&rid, StatusCode::BAD_REQUEST, "invalid.request", &format!("query: not a valid query string: {e}"))
        }
    };
    if let Some((name, _)) = pairs.iter().find(|(name, _)| !allowed.contains(&name.as_str())) {
        let takes = if allowed.is_empty() { "no query parameters".to_string() } else { allowed.join(", ") };
        let message = format!("{name}: not a parameter of {} {} (it takes {takes})", req.method(), req.uri().path());
        return error_response(&rid, StatusCode::BAD_REQUEST, "invalid.request", &message);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_has_its_parameters() {
        assert_eq!(parameters_of("GET", "/csp/gateway/am/api/orgs/o1/invitations"), Some(&["expand"][..]));
        assert_eq!(parameters_of("GET", "/csp/gateway/am/api/orgs/o1/invitations/i1"), Some(&[][..]));
        assert_eq!(parameters_of("PATCH", "/csp/gateway/am/api/orgs/o1/invitations"), None);
        assert_eq!(parameters_of("GET", "/cloudapi/1.0.0/users"), None);
        assert!(parameters_of("GET", "/csp/gateway/am/api/v2/orgs/o1/users").unwrap().contains(&"expandProfile"));
    }
}
