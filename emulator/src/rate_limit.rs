//! `--rate-limit N`: at most N requests per second per organization, as a token bucket holding
//! one second of requests. A request past it is answered 429 with `Retry-After` (whole seconds,
//! at least 1) and does nothing. The emulator serves one CSP organization and one Cloud Director
//! organization (with its provider); each has its own budget. Control API requests are free.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter {
    per_second: Option<f64>,
    buckets: Mutex<HashMap<&'static str, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_second: Option<u32>) -> Self {
        RateLimiter { per_second: per_second.filter(|n| *n > 0).map(f64::from), buckets: Mutex::new(HashMap::new()) }
    }

    /// `None` if the request may go on; otherwise the 429 to answer.
    pub fn check(&self, path: &str, request_id: &str) -> Option<Response<Body>> {
        let rate = self.per_second?;
        let vcd = path.starts_with("/cloudapi") || path.starts_with("/oauth") || path.starts_with("/api/");
        let org = if vcd { "vcd" } else { "csp" };
        let now = Instant::now();
        let wait = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
            let (tokens, last) = buckets.entry(org).or_insert((rate, now));
            *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate);
            *last = now;
            if *tokens >= 1.0 {
                *tokens -= 1.0;
                return None;
            }
            (1.0 - *tokens) / rate
        };
        let message = format!("Too many requests: this organization may make {rate} requests a second.");
        let body = if vcd {
            serde_json::json!({"minorErrorCode": "TOO_MANY_REQUESTS", "message": message, "stackTrace": null})
        } else {
            serde_json::json!({"statusCode": 429, "message": message, "requestId": request_id, "cspErrorCode": "rate.limited", "errorCode": "rate.limited", "moduleCode": 0})
        };
        let mut r = Response::new(Body::from(body.to_string()));
        *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
        if let Ok(v) = HeaderValue::from_str(request_id) {
            r.headers_mut().insert("x-request-id", v);
        }
        r.headers_mut().insert("retry-after", HeaderValue::from(wait.ceil().max(1.0) as u64));
        Some(r)
    }
}
