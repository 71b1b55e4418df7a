//! The async CSP client: every operation behind PowerCLI's CloudServices cmdlets. Paging,
//! filtering, batching to the service's limits, bounded concurrency and per-item reports live here.

mod auth;
mod invitations;
mod inviting;
pub mod listing;
pub mod model;
mod removal;
pub mod request;
mod roles;
pub mod user_roles;
mod users;

use auth::TokenSource;
pub use auth::{decode_claims, Credentials, TokenClaims};

use crate::error::{Error, ErrorCategory, Result};
use crate::http::{Auth, Body, Call, Reply, RetryPolicy, TlsOptions, Transport};
use crate::time::rfc3339_from_millis;
use model::*;
use reqwest::Method;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

pub const DEFAULT_SERVER: &str = "console.cloud.vmware.com";
/// `DELETE /v2/orgs/{org}/users` takes at most 20 ids.
pub const REMOVE_BATCH: usize = 20;
/// Emails per `POST /orgs/{org}/invitations` (the emulator's limit; see its README).
pub const INVITE_BATCH: usize = 100;
/// `users/search` answers with at most 20 users.
pub const SEARCH_LIMIT: usize = 20;
const AM: &str = "/csp/gateway/am/api";

#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Host name, `host:port` or URL; default `console.cloud.vmware.com`.
    pub server: String,
    pub credentials: Credentials,
    pub tls: TlsOptions,
    /// Resolve rules, plain-http opt-in, retry observer.
    pub network: crate::connect::NetworkOptions,
    /// Per request, and for the whole connect, retries included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests in flight at once for paging and bulk work.
    pub concurrency: usize,
    /// Users per page when listing (the emulator and, as far as known, the service take up to 200).
    pub page_size: usize,
}

impl ConnectOptions {
    pub fn new(server: impl Into<String>, credentials: Credentials) -> Self {
        ConnectOptions {
            server: server.into(),
            credentials,
            tls: TlsOptions { ca_certificate_pem: None, insecure_skip_tls_verify: false },
            network: crate::connect::NetworkOptions::default(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            concurrency: 8,
            page_size: 200,
        }
    }

    pub fn api_token(server: impl Into<String>, token: impl Into<crate::Secret>) -> Self {
        ConnectOptions::new(server, Credentials::ApiToken(token.into()))
    }

    pub fn service_app(server: impl Into<String>, app_id: &str, app_secret: impl Into<crate::Secret>, org_id: &str) -> Self {
        ConnectOptions::new(server, Credentials::ServiceApp { app_id: app_id.into(), app_secret: app_secret.into(), org_id: org_id.into() })
    }

    fn validate(&self) -> Result<()> {
        match &self.credentials {
            Credentials::ApiToken(t) if t.is_empty() => return Err(Error::invalid("apiToken", "must not be empty")),
            Credentials::ServiceApp { app_id, app_secret, org_id } => {
                if app_id.trim().is_empty() {
                    return Err(Error::invalid("appId", "must not be empty"));
                }
                if app_secret.is_empty() {
                    return Err(Error::invalid("appSecret", "must not be empty"));
                }
                if org_id.trim().is_empty() {
                    return Err(Error::invalid("orgId", "must not be empty"));
                }
            }
            _ => {}
        }
        if self.concurrency == 0 || self.concurrency > 64 {
            return Err(Error::invalid("concurrency", "must be between 1 and 64"));
        }
        if self.page_size == 0 || self.page_size > 1000 {
            return Err(Error::invalid("pageSize", "must be between 1 and 1000"));
        }
        Ok(())
    }
}

/// A connection to one organization. Cheap to clone; safe to share between tasks and threads.
#[derive(Clone)]
pub struct CspClient {
    inner: Arc<Inner>,
    progress: Option<ProgressFn>,
    /// The host's handle on the call under way: cancellation and progress.
    job: Option<Arc<crate::Job>>,
}

/// How far a long operation has come: `done` of `total` units (pages, batches or items).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub operation: &'static str,
    pub done: usize,
    pub total: usize,
}

pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Counts completed units of one operation and tells the caller's progress function.
struct Ticker<'a> {
    progress: Option<&'a ProgressFn>,
    operation: &'static str,
    done: std::sync::atomic::AtomicUsize,
    total: usize,
}

impl Ticker<'_> {
    fn tick(&self, units: usize) {
        let done = self.done.fetch_add(units, std::sync::atomic::Ordering::Relaxed) + units;
        if let Some(f) = self.progress {
            f(Progress { operation: self.operation, done, total: self.total });
        }
    }
}

struct Inner {
    transport: Transport,
    tokens: TokenSource,
    org_id: String,
    org_name: String,
    username: String,
    server_host: String,
    concurrency: usize,
    page_size: usize,
    services: tokio::sync::OnceCell<Vec<WireServiceDefinition>>,
}

impl std::fmt::Debug for CspClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CspClient")
            .field("server", &self.inner.transport.base_url())
            .field("org_id", &self.inner.org_id)
            .field("user", &self.inner.username)
            .finish_non_exhaustive()
    }
}

impl CspClient {
    /// Exchanges the credentials for an access token, learns the organization from it and reads
    /// the organization's name, all within `options.timeout`. Secrets go over plain `http://`
    /// only to loopback unless `options.network.allow_insecure_http`.
    pub async fn connect(options: ConnectOptions) -> Result<CspClient> {
        options.validate()?;
        let secret = match options.credentials {
            Credentials::ApiToken(_) => "the API token",
            Credentials::ServiceApp { .. } => "the app secret",
        };
        let route = crate::connect::route(&options.server, &options.network, secret).await?;
        let watch = crate::connect::ConnectWatch::new(options.network.on_retry.clone());
        let url = route.base.as_str().trim_end_matches('/').to_string();
        let transport = Transport::new(&route, &options.tls, options.timeout, options.retry.clone(), Some(watch.observer()))?
            .with_max_in_flight(options.concurrency);
        watch.within(options.timeout, &url, Self::sign_in(options, transport)).await
    }

    async fn sign_in(options: ConnectOptions, transport: Transport) -> Result<CspClient> {
        let tokens = TokenSource::new(options.credentials.clone());
        let claims = tokens.claims(&transport).await?;
        let org_id = match (&options.credentials, claims.org_id) {
            (Credentials::ServiceApp { org_id, .. }, _) => org_id.clone(),
            (_, Some(org)) => org,
            (_, None) => return Err(Error::new(ErrorCategory::Protocol, "the access token names no organization (claim context_name)")),
        };
        let server_host = url::Url::parse(transport.base_url())
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_default();
        let inner = Inner {
            transport,
            tokens,
            org_id,
            org_name: String::new(),
            username: claims.username.unwrap_or_default(),
            server_host,
            concurrency: options.concurrency,
            page_size: options.page_size,
            services: tokio::sync::OnceCell::new(),
        };
        let mut client = CspClient { inner: Arc::new(inner), progress: None, job: None };
        let org: Value = client.get_json(&format!("{AM}/orgs/{}", client.inner.org_id), "organization").await?;
        let org_name = org.get("displayName").or_else(|| org.get("name")).and_then(Value::as_str).unwrap_or_default().to_string();
        Arc::get_mut(&mut client.inner).expect("sole owner while connecting").org_name = org_name;
        Ok(client)
    }

    /// The same connection, reporting the progress of listings and bulk work to `f`.
    pub fn with_progress(&self, f: impl Fn(Progress) + Send + Sync + 'static) -> CspClient {
        CspClient { inner: self.inner.clone(), progress: Some(Arc::new(f)), job: self.job.clone() }
    }

    /// The same connection, under `job`: its work stops when the job is cancelled, and it records
    /// its progress and finished items there.
    pub fn with_job(&self, job: Arc<crate::Job>) -> CspClient {
        CspClient { inner: self.inner.clone(), progress: self.progress.clone(), job: Some(job) }
    }

    pub fn job(&self) -> Option<&Arc<crate::Job>> {
        self.job.as_ref()
    }

    /// The adaptive send-rate limiter's view (benchmarks, tests).
    pub fn limiter_state(&self) -> crate::throttle::LimiterState {
        self.inner.transport.limiter_state()
    }

    fn ticker(&self, operation: &'static str, total: usize) -> Ticker<'_> {
        Ticker { progress: self.progress.as_ref(), operation, done: std::sync::atomic::AtomicUsize::new(0), total }
    }

    pub fn org_id(&self) -> &str {
        &self.inner.org_id
    }

    pub async fn info(&self) -> ConnectionInfo {
        let creds = self.inner.tokens.credentials();
        ConnectionInfo {
            server: self.inner.server_host.clone(),
            url: self.inner.transport.base_url().to_string(),
            org_id: self.inner.org_id.clone(),
            org_name: self.inner.org_name.clone(),
            user: self.inner.username.clone(),
            auth_type: creds.auth_type().to_string(),
            api_token_preview: match creds {
                Credentials::ApiToken(t) => Some(t.preview()),
                _ => None,
            },
            app_id: match creds {
                Credentials::ServiceApp { app_id, .. } => Some(app_id.clone()),
                _ => None,
            },
            access_token_expires_at: rfc3339_from_millis(self.inner.tokens.expires_at_ms().await),
            uid: format!("/VcsServer={}@{}/", self.inner.username, self.inner.server_host),
        }
    }

    fn uid(&self, kind: &str, id: &str) -> String {
        format!("/VcsServer={}@{}/{kind}={id}/", self.inner.username, self.inner.server_host)
    }

    // ---- requests ----------------------------------------------------------------------------

    /// One authenticated request; a 401 gets one fresh token and one more try. Under a job, nothing
    /// is sent once it is cancelled and a request in flight is abandoned (`Error::cancelled`).
    async fn call(&self, method: Method, path: &str, body: Option<Value>, idempotent: bool) -> Result<Reply> {
        let t = &self.inner.transport;
        let job = self.job.as_deref();
        let token = crate::http::race(job, self.inner.tokens.token(t, None)).await.ok_or_else(|| Error::cancelled(true))??;
        let make = |tok| Call {
            method: method.clone(),
            path: path.to_string(),
            body: body.clone().map_or(Body::None, Body::Json),
            auth: Auth::CspToken(tok),
            headers: Vec::new(),
            idempotent,
        };
        match t.send_under(&make(&token), job).await {
            Err(e) if e.http_status == Some(401) => {
                let fresh = crate::http::race(job, self.inner.tokens.token(t, Some(&token))).await.ok_or_else(|| Error::cancelled(true))??;
                t.send_under(&make(&fresh), job).await
            }
            other => other,
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str, what: &str) -> Result<T> {
        self.call(Method::GET, path, None, true).await?.json(what)
    }
}

/// Percent-encodes one path segment or query value.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A `nextLink` as a path on the configured server; a link to another host is refused.
fn same_server_path(link: &str) -> Result<String> {
    if link.starts_with('/') {
        return Ok(link.to_string());
    }
    match url::Url::parse(link) {
        Ok(u) => Err(Error::new(
            ErrorCategory::Protocol,
            format!("the service's nextLink points to {}; only links on the configured server are followed", u.host_str().unwrap_or("?")),
        )),
        Err(_) => {
            Err(Error::new(ErrorCategory::Protocol, format!("the service's nextLink '{}' is not a path", crate::error::excerpt(&link))))
        }
    }
}
