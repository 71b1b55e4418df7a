//! The HTTP transport every client shares: TLS settings, timeouts, no redirects, bounded
//! retries with backoff and jitter, a cap on requests in flight, an adaptive send rate when the
//! service says "slow down" (only the request told to wait waits for its `Retry-After`), calls
//! cancelled through a [`Job`], and service error bodies turned into [`Error`]s.

use crate::error::{Error, ErrorCategory, Result};
use crate::job::Job;
use crate::secret::Secret;
use crate::throttle::SendRateLimiter;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Largest answer body read; anything longer is refused as a protocol error.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(8),
            max_total: Duration::from_secs(90),
        }
    }
}

/// `timeoutSeconds` and `maxAttempts` as callers give them, checked once for every client.
pub(crate) fn apply_request_settings(
    timeout_seconds: Option<f64>,
    max_attempts: Option<u32>,
    timeout: &mut Duration,
    retry: &mut RetryPolicy,
) -> Result<()> {
    if let Some(t) = timeout_seconds {
        if !(t.is_finite() && t > 0.0 && t <= 3600.0) {
            return Err(Error::invalid("timeoutSeconds", "must be more than 0 and at most 3600"));
        }
        *timeout = Duration::from_secs_f64(t);
    }
    if let Some(n) = max_attempts {
        if n == 0 || n > 20 {
            return Err(Error::invalid("maxAttempts", "must be between 1 and 20"));
        }
        retry.max_attempts = n;
    }
    Ok(())
}

#[derive(Clone, Debug)]
pub struct TlsOptions {
    pub ca_certificate_pem: Option<String>,
    pub insecure_skip_tls_verify: bool,
}

#[derive(Clone)]
pub(crate) enum Body {
    None,
    Json(Value),
    Form(Vec<(String, String)>),
}

pub(crate) enum Auth<'a> {
    None,
    /// The access token, sent as `csp-auth-token`.
    CspToken(&'a Secret),
    /// A Cloud Director session token, sent as `Authorization: Bearer`.
    Bearer(&'a Secret),
    Basic(&'a str, &'a Secret),
}

pub(crate) struct Call<'a> {
    pub method: Method,
    /// Path and query, appended to the server's base URL.
    pub path: String,
    pub body: Body,
    pub auth: Auth<'a>,
    pub headers: Vec<(&'static str, String)>,
    /// Safe to send again after a timeout, a dropped connection or a 502/503/504.
    pub idempotent: bool,
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub request_id: Option<String>,
    /// An earlier attempt of this call was lost in the network: it may have taken effect.
    pub after_lost_attempt: bool,
}

/// Reads that must not give up at the first server error (the read-back after a write, where
/// giving up would leave the write's outcome unknown): `read` is tried up to four times, with
/// growing pauses, while it fails with a server, network or timeout error. Cancellation stops it.
pub(crate) async fn read_with_retries<T, F, Fut>(job: Option<&Job>, mut read: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut pause = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match read().await {
            Err(e) if attempt < 4 && matches!(e.category, ErrorCategory::Server | ErrorCategory::Network | ErrorCategory::Timeout) => {
                if race(job, tokio::time::sleep(pause)).await.is_none() {
                    return Err(Error::cancelled(true));
                }
                pause *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

impl Reply {
    pub fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Error::new(ErrorCategory::Protocol, format!("{what}: the service's answer is not the expected JSON: {e}"))
                .with_status(self.status)
                .with_request_id(self.request_id.clone())
        })
    }
}

pub(crate) struct Transport {
    http: reqwest::Client,
    base: String,
    retry: RetryPolicy,
    limiter: SendRateLimiter,
    /// Requests on the wire at once; a request waiting out a `Retry-After` holds no permit.
    in_flight: tokio::sync::Semaphore,
    /// Told before each retry (the connect deadline and `-v` use it).
    on_retry: Option<crate::connect::RetryObserver>,
    /// The server was given without a scheme: https was assumed (said when TLS fails).
    scheme_assumed: bool,
}

/// Requests in flight per connection unless the client sets its own cap.
const DEFAULT_IN_FLIGHT: usize = 8;

impl Transport {
    /// A transport to `route` (see [`crate::connect::route`]): its base URL and pinned addresses.
    pub fn new(
        route: &crate::connect::Route,
        tls: &TlsOptions,
        timeout: Duration,
        retry: RetryPolicy,
        on_retry: Option<crate::connect::RetryObserver>,
    ) -> Result<Transport> {
        let base = route.base.as_str().trim_end_matches('/').to_string();
        if timeout.is_zero() {
            return Err(Error::invalid("timeoutSeconds", "must be greater than 0"));
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(15)))
            .pool_max_idle_per_host(32)
            .tcp_nodelay(true)
            .user_agent(concat!("vcs-native/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &tls.ca_certificate_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| Error::invalid("caCertificate", format!("not a PEM certificate: {e}")))?;
            if certs.is_empty() {
                return Err(Error::invalid("caCertificate", "holds no PEM certificate"));
            }
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        if tls.insecure_skip_tls_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some((host, addrs)) = &route.pinned {
            builder = builder.resolve_to_addrs(host, addrs);
        }
        let http = builder.build().map_err(|e| Error::internal(format!("HTTP client: {e}")))?;
        Ok(Transport {
            http,
            base,
            retry,
            limiter: SendRateLimiter::new(),
            in_flight: tokio::sync::Semaphore::new(DEFAULT_IN_FLIGHT),
            on_retry,
            scheme_assumed: route.scheme_assumed,
        })
    }

    /// Caps the requests on the wire at once (the connection's `concurrency`).
    pub fn with_max_in_flight(mut self, n: usize) -> Transport {
        self.in_flight = tokio::sync::Semaphore::new(n.max(1));
        self
    }

    /// The adaptive limiter's view, for benchmarks and tests.
    pub fn limiter_state(&self) -> crate::throttle::LimiterState {
        self.limiter.state()
    }

    /// Tells the observer, if any, that `error` on attempt `attempt` is retried after `delay`.
    fn notify_retry(&self, call: &Call<'_>, attempt: u32, delay: Duration, error: &Error) {
        if let Some(f) = &self.on_retry {
            (f.0)(&crate::connect::RetryNotice {
                url: format!("{}{}", self.base, call.path),
                attempt,
                max_attempts: self.retry.max_attempts,
                delay,
                error: error.clone(),
            });
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends `call`, retrying what may be retried; a non-2xx answer becomes an `Error`.
    pub async fn send(&self, call: &Call<'_>) -> Result<Reply> {
        self.send_under(call, None).await
    }

    /// As [`send`](Self::send), under `job`: nothing is sent once the job is cancelled, and an
    /// attempt in flight is abandoned when it is. The cancellation error says whether the request
    /// may have taken effect (`not_sent` is false once an attempt reached the service and was not
    /// refused outright).
    pub async fn send_under(&self, call: &Call<'_>, job: Option<&Job>) -> Result<Reply> {
        let started = Instant::now();
        let mut lost_attempt = false;
        // An attempt reached the service and was not refused with a 429: it may have acted.
        let mut may_have_acted = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let wait_turn = async {
                self.limiter.acquire().await;
                self.in_flight.acquire().await.expect("the semaphore is never closed")
            };
            let permit = match race(job, wait_turn).await {
                Some(p) => p,
                None => return Err(Error::cancelled(!may_have_acted)),
            };
            let outcome = match race(job, self.send_once(call)).await {
                Some(o) => o,
                None => return Err(Error::cancelled(false)),
            };
            drop(permit);
            let (retryable, hint, error) = match outcome {
                Ok(mut reply) if (200..300).contains(&reply.status) => {
                    self.limiter.on_answer(false);
                    reply.after_lost_attempt = lost_attempt;
                    return Ok(reply);
                }
                Ok(reply) => {
                    let status = reply.status;
                    self.limiter.on_answer(status == 429);
                    // A 4xx is a refusal; a 5xx may come after the service acted.
                    if status >= 500 {
                        may_have_acted = true;
                    }
                    let hint = retry_after(&reply.headers);
                    let retryable = status == 429 || (call.idempotent && matches!(status, 502..=504));
                    let mut error = error_from_reply(&reply);
                    error.not_sent = !may_have_acted;
                    (retryable, hint, error)
                }
                Err(SendFailure { error, never_sent }) => {
                    if !never_sent {
                        lost_attempt = true;
                        may_have_acted = true;
                    }
                    (never_sent || call.idempotent, None, error)
                }
            };
            // Only this request waits for its Retry-After; the others go on at the limiter's rate.
            let delay = hint.unwrap_or_else(|| self.backoff(attempt));
            let out_of_time = started.elapsed() + delay > self.retry.max_total;
            if !retryable || attempt >= self.retry.max_attempts || out_of_time {
                return Err(error);
            }
            self.notify_retry(call, attempt, delay, &error);
            if race(job, tokio::time::sleep(delay)).await.is_none() {
                return Err(Error::cancelled(!may_have_acted));
            }
        }
    }

    /// Exponential backoff with full jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.retry.base_delay.saturating_mul(1u32 << attempt.min(16).saturating_sub(1));
        let cap = exp.min(self.retry.max_delay);
        let ms = cap.as_millis() as u64;
        Duration::from_millis(ms / 2 + rand::thread_rng().gen_range(0..=ms / 2 + 1))
    }

    async fn send_once(&self, call: &Call<'_>) -> std::result::Result<Reply, SendFailure> {
        let url = format!("{}{}", self.base, call.path);
        let mut req = self.http.request(call.method.clone(), &url);
        if !call.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept")) {
            req = req.header(ACCEPT, "application/json");
        }
        for (name, value) in &call.headers {
            req = req.header(*name, value.as_str());
        }
        req = match &call.auth {
            Auth::None => req,
            Auth::CspToken(t) => req.header("csp-auth-token", sensitive(t.expose())),
            Auth::Bearer(t) => req.header(AUTHORIZATION, sensitive(&format!("Bearer {}", t.expose()))),
            Auth::Basic(user, secret) => req.basic_auth(user, Some(secret.expose())),
        };
        req = match &call.body {
            Body::None => req,
            Body::Json(v) => req.header(CONTENT_TYPE, "application/json").body(v.to_string()),
            Body::Form(pairs) => {
                let encoded = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
                req.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(encoded)
            }
        };
        let mut resp = req.send().await.map_err(|e| SendFailure::from_reqwest(e, &url, self.scheme_assumed))?;
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            let to = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("?").to_string();
            return Ok(Reply {
                status,
                headers: resp.headers().clone(),
                body: format!("{{\"message\": \"the service answered with a redirect to {to}; it was not followed so that credentials stay with the configured server\"}}").into_bytes(),
                request_id: None,
                after_lost_attempt: false,
            });
        }
        let headers = resp.headers().clone();
        let request_id = ["x-request-id", "csp-request-id", "x-vmware-vcloud-request-id"]
            .iter()
            .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()).map(str::to_string));
        if resp.content_length().is_some_and(|n| n as usize > MAX_BODY_BYTES) {
            return Err(SendFailure::protocol(format!("{}: the answer is larger than {} MiB", call.path, MAX_BODY_BYTES >> 20), status));
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY_BYTES {
                        return Err(SendFailure::protocol(
                            format!("{}: the answer is larger than {} MiB", call.path, MAX_BODY_BYTES >> 20),
                            status,
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(SendFailure::from_reqwest(e, &url, self.scheme_assumed)),
            }
        }
        Ok(Reply { status, headers, body, request_id, after_lost_attempt: false })
    }
}

/// `fut`'s output, or `None` once `job` is cancelled (at once if it already is).
pub(crate) async fn race<T>(job: Option<&Job>, fut: impl std::future::Future<Output = T>) -> Option<T> {
    match job {
        None => Some(fut.await),
        Some(job) => {
            if job.is_cancelled() {
                return None;
            }
            tokio::select! {
                biased;
                _ = job.cancelled() => None,
                out = fut => Some(out),
            }
        }
    }
}

fn sensitive(v: &str) -> HeaderValue {
    let mut h = HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static(""));
    h.set_sensitive(true);
    h
}

struct SendFailure {
    error: Error,
    /// The request never reached the service (connection refused, DNS): always safe to resend.
    never_sent: bool,
}

impl SendFailure {
    fn protocol(message: String, status: u16) -> SendFailure {
        SendFailure { error: Error::new(ErrorCategory::Protocol, message).with_status(status), never_sent: false }
    }

    /// `url` is the URL tried (no query string holds a secret); `scheme_assumed` says https was
    /// assumed for a server given without one.
    fn from_reqwest(e: reqwest::Error, url: &str, scheme_assumed: bool) -> SendFailure {
        let e = e.without_url();
        // reqwest's and hyper's outer layers say nothing the cause does not.
        let detail = error_chain(&e).replace("error sending request: ", "").replace("client error (Connect): ", "");
        if e.is_timeout() {
            return SendFailure {
                error: Error::new(ErrorCategory::Timeout, format!("{url}: no answer within the timeout")),
                never_sent: false,
            };
        }
        if e.is_connect() {
            // A refused TLS handshake was sent nowhere useful either, but resending cannot help it.
            if is_tls_failure(&detail) && url.starts_with("https://") {
                return SendFailure {
                    error: Error::new(
                        ErrorCategory::Network,
                        format!("{url}: the TLS handshake failed: {detail}{}", tls_hint(url, scheme_assumed)),
                    ),
                    never_sent: false,
                };
            }
            return SendFailure {
                error: Error::new(ErrorCategory::Network, format!("{url}: could not connect: {detail}")),
                never_sent: true,
            };
        }
        SendFailure { error: Error::new(ErrorCategory::Network, format!("{url}: the connection failed: {detail}")), never_sent: false }
    }
}

fn is_tls_failure(detail: &str) -> bool {
    let d = detail.to_lowercase();
    ["certificate", "tls", "handshake", "corrupt message", "invalidcontenttype", "peer is incompatible", "alert"]
        .iter()
        .any(|w| d.contains(w))
}

/// What to try after a failed TLS handshake: a loopback server is most likely the emulator,
/// which speaks plain http.
fn tls_hint(url: &str, scheme_assumed: bool) -> String {
    let Ok(u) = url::Url::parse(url) else { return String::new() };
    let assumed = if scheme_assumed { "https was assumed because the server was given without a scheme; " } else { "" };
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    };
    if loopback {
        format!(" ({assumed}a local emulator speaks plain http: give the server as http://{})", crate::connect::host_port(&u))
    } else if scheme_assumed {
        " (https was assumed because the server was given without a scheme)".to_string()
    } else {
        String::new()
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    // Seconds only; a date form is rare for this service and falls back to backoff.
    v.parse::<u64>().ok().map(|s| Duration::from_secs(s.min(120)))
}

/// Builds the error for a non-2xx answer from the service's error body (CSP or Cloud Director).
pub(crate) fn error_from_reply(reply: &Reply) -> Error {
    let status = reply.status;
    let parsed: Option<Value> = serde_json::from_slice(&reply.body).ok();
    let field = |k: &str| parsed.as_ref().and_then(|v| v.get(k)).and_then(Value::as_str).map(str::to_string);
    let message = field("message").filter(|m| !m.is_empty()).unwrap_or_else(|| {
        let text = String::from_utf8_lossy(&reply.body);
        let snippet: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
        if snippet.trim().is_empty() {
            format!("the service answered HTTP {status} with no message")
        } else {
            format!("the service answered HTTP {status}: {snippet}")
        }
    });
    let category = if (300..400).contains(&status) { ErrorCategory::Protocol } else { ErrorCategory::from_status(status) };
    let mut e = Error::new(category, message).with_status(status);
    e.request_id = field("requestId").or_else(|| reply.request_id.clone());
    e.service_code = field("errorCode").or_else(|| field("cspErrorCode")).or_else(|| field("minorErrorCode"));
    e
}
