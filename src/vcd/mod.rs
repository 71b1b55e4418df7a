//! The async Cloud Director client: tenant and provider sessions (password or API token), and
//! users (list, get, create, update, remove) and roles through the CloudAPI, paged and filtered
//! here, bulk work with bounded concurrency and per-item reports.

mod listing;
pub mod model;
mod removal;
pub mod request;

pub use request::looks_like_user_urn;

use crate::bulk::{BulkItem, BulkReport};
use crate::select::Selector;
use crate::error::{Error, ErrorCategory, Result};
use crate::http::{read_with_retries, Auth, Body, Call, Reply, RetryPolicy, TlsOptions, Transport};
use crate::secret::Secret;
use crate::wildcard::any_matches;
use futures_util::stream::{self, StreamExt};
use model::*;
use request::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// CloudAPI version sent in `Accept` unless the caller picks another (Create User needs 35.0+).
pub const DEFAULT_API_VERSION: &str = "37.0";
/// Largest `pageSize` the CloudAPI takes.
pub const PAGE_SIZE: usize = 128;
const CLOUDAPI: &str = "/cloudapi/1.0.0";

#[derive(Clone, Debug)]
pub enum VcdCredentials {
    Password { username: String, password: Secret },
    ApiToken(Secret),
}

#[derive(Clone, Debug)]
pub struct VcdConnectOptions {
    pub server: String,
    /// The tenant org name, or `System` for the provider.
    pub org: String,
    pub credentials: VcdCredentials,
    pub tls: TlsOptions,
    /// Resolve rules, plain-http opt-in, retry observer.
    pub network: crate::connect::NetworkOptions,
    /// Per request, and for the whole connect, retries included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub api_version: String,
    pub concurrency: usize,
}

impl VcdConnectOptions {
    pub fn password(server: impl Into<String>, org: &str, username: &str, password: impl Into<Secret>) -> Self {
        Self::new(server, org, VcdCredentials::Password { username: username.into(), password: password.into() })
    }

    pub fn api_token(server: impl Into<String>, org: &str, token: impl Into<Secret>) -> Self {
        Self::new(server, org, VcdCredentials::ApiToken(token.into()))
    }

    pub fn new(server: impl Into<String>, org: &str, credentials: VcdCredentials) -> Self {
        VcdConnectOptions {
            server: server.into(),
            org: org.into(),
            credentials,
            tls: TlsOptions { ca_certificate_pem: None, insecure_skip_tls_verify: false },
            network: crate::connect::NetworkOptions::default(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            api_version: DEFAULT_API_VERSION.into(),
            concurrency: 8,
        }
    }

    fn validate(&self) -> Result<()> {
        if self.org.trim().is_empty() {
            return Err(Error::invalid("org", "must name the organization (System for the provider)"));
        }
        match &self.credentials {
            VcdCredentials::Password { username, password } => {
                if username.trim().is_empty() {
                    return Err(Error::invalid("username", "must not be empty"));
                }
                if password.is_empty() {
                    return Err(Error::invalid("password", "must not be empty"));
                }
            }
            VcdCredentials::ApiToken(t) if t.is_empty() => return Err(Error::invalid("apiToken", "must not be empty")),
            _ => {}
        }
        let v = &self.api_version;
        let ok = v.split_once('.').is_some_and(|(a, b)| a.parse::<u32>().is_ok_and(|a| a >= 35) && b.parse::<u32>().is_ok());
        if !ok {
            return Err(Error::invalid(
                "apiVersion",
                format!("'{}' is not a CloudAPI version of 35.0 or later", crate::error::excerpt(&v)),
            ));
        }
        if self.concurrency == 0 || self.concurrency > 64 {
            return Err(Error::invalid("concurrency", "must be between 1 and 64"));
        }
        Ok(())
    }

    fn is_provider(&self) -> bool {
        self.org.eq_ignore_ascii_case("System")
    }
}

/// A Cloud Director session. Cheap to clone; safe to share between tasks and threads.
#[derive(Clone)]
pub struct VcdClient {
    inner: Arc<Inner>,
    /// The host's handle on the call under way: cancellation and progress.
    job: Option<Arc<crate::Job>>,
}

struct Inner {
    transport: Transport,
    options: VcdConnectOptions,
    session: tokio::sync::Mutex<Option<Secret>>,
    /// Set by `close`: no call logs in again afterwards, so no session outlives the disconnect.
    closed: std::sync::atomic::AtomicBool,
    info: VcdConnectionInfo,
}

/// The most a logout may take, retries included: a host thread waits on it.
pub const LOGOUT_BUDGET: Duration = Duration::from_secs(3);

impl std::fmt::Debug for VcdClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VcdClient")
            .field("server", &self.inner.transport.base_url())
            .field("org", &self.inner.info.org)
            .field("user", &self.inner.info.user)
            .finish_non_exhaustive()
    }
}

fn accept(version: &str) -> Vec<(&'static str, String)> {
    vec![("accept", format!("application/json;version={version}"))]
}

/// Service codes that mean "already exists".
fn refine(mut e: Error) -> Error {
    if e.service_code.as_deref() == Some("DUPLICATE_NAME") {
        e.category = ErrorCategory::Conflict;
    }
    e
}

impl VcdClient {
    /// Logs in and reads the session, all within `options.timeout`. Secrets go over plain
    /// `http://` only to loopback unless `options.network.allow_insecure_http`.
    pub async fn connect(options: VcdConnectOptions) -> Result<VcdClient> {
        options.validate()?;
        let secret = match options.credentials {
            VcdCredentials::Password { .. } => "the password",
            VcdCredentials::ApiToken(_) => "the API token",
        };
        let route = crate::connect::route(&options.server, &options.network, secret).await?;
        let watch = crate::connect::ConnectWatch::new(options.network.on_retry.clone());
        let url = route.base.as_str().trim_end_matches('/').to_string();
        let transport = Transport::new(&route, &options.tls, options.timeout, options.retry.clone(), Some(watch.observer()))?
            .with_max_in_flight(options.concurrency);
        watch.within(options.timeout, &url, Self::sign_in(options, transport)).await
    }

    async fn sign_in(options: VcdConnectOptions, transport: Transport) -> Result<VcdClient> {
        let token = login(&transport, &options).await?;
        let reply = transport
            .send(&Call {
                method: Method::GET,
                path: format!("{CLOUDAPI}/sessions/current"),
                body: Body::None,
                auth: Auth::Bearer(&token),
                headers: accept(&options.api_version),
                idempotent: true,
            })
            .await
            .map_err(refine)?;
        let session: Value = reply.json("session")?;
        let s = |a: &str, b: &str| session[a][b].as_str().unwrap_or_default().to_string();
        let host = url::Url::parse(transport.base_url())
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .unwrap_or_default();
        let info = VcdConnectionInfo {
            server: host,
            url: transport.base_url().to_string(),
            org: s("org", "name"),
            org_id: s("org", "id"),
            user: s("user", "name"),
            user_id: s("user", "id"),
            roles: session["roles"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default(),
            provider: options.is_provider(),
            api_version: options.api_version.clone(),
            auth_type: match options.credentials {
                VcdCredentials::Password { .. } => "Password".into(),
                VcdCredentials::ApiToken(_) => "ApiToken".into(),
            },
        };
        let session = tokio::sync::Mutex::new(Some(token));
        Ok(VcdClient { inner: Arc::new(Inner { transport, options, session, closed: Default::default(), info }), job: None })
    }

    /// The same session, under `job`: its work stops when the job is cancelled, and it records
    /// its progress and finished items there.
    pub fn with_job(&self, job: Arc<crate::Job>) -> VcdClient {
        VcdClient { inner: self.inner.clone(), job: Some(job) }
    }

    pub fn job(&self) -> Option<&Arc<crate::Job>> {
        self.job.as_ref()
    }

    /// The adaptive send-rate limiter's view (benchmarks, tests).
    pub fn limiter_state(&self) -> crate::throttle::LimiterState {
        self.inner.transport.limiter_state()
    }

    /// The same session without the job: for calls whose items the caller records itself.
    pub(crate) fn without_job(&self) -> VcdClient {
        VcdClient { inner: self.inner.clone(), job: None }
    }

    /// Requests in flight at once for bulk work.
    pub fn concurrency(&self) -> usize {
        self.inner.options.concurrency
    }

    pub fn info(&self) -> VcdConnectionInfo {
        self.inner.info.clone()
    }

    /// Ends the session for good (`vcd_disconnect`): logs out as [`VcdClient::logout`] does, and
    /// afterwards no call on this client logs in again: a call still running fails with
    /// `Cancelled` instead of opening a session nobody would end.
    pub async fn close(&self) -> Result<()> {
        self.inner.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        self.logout().await
    }

    /// Ends the session on the server (`DELETE /sessions/current`), within [`LOGOUT_BUDGET`]
    /// (retries included). A later call logs in again (see [`VcdClient::close`] for an end).
    pub async fn logout(&self) -> Result<()> {
        let work = async {
            let token = self.inner.session.lock().await.take();
            if let Some(t) = token {
                self.inner
                    .transport
                    .send(&Call {
                        method: Method::DELETE,
                        path: format!("{CLOUDAPI}/sessions/current"),
                        body: Body::None,
                        auth: Auth::Bearer(&t),
                        headers: accept(&self.inner.options.api_version),
                        idempotent: true,
                    })
                    .await
                    .map_err(refine)?;
            }
            Ok(())
        };
        tokio::time::timeout(LOGOUT_BUDGET, work).await.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorCategory::Timeout,
                format!("logging out took more than {} s; the session was given up", LOGOUT_BUDGET.as_secs()),
            ))
        })
    }

    async fn token(&self, stale: Option<&Secret>) -> Result<Secret> {
        let mut current = self.inner.session.lock().await;
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Error::stopped("the Cloud Director session was closed (disconnected) while this call ran"));
        }
        if let Some(t) = current.as_ref() {
            if stale.map_or(true, |s| s != t) {
                return Ok(t.clone());
            }
        }
        let fresh = login(&self.inner.transport, &self.inner.options).await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    /// One request; a 401 (an ended or expired session) logs in again once and retries. Under a
    /// job, nothing is sent once it is cancelled and a request in flight is abandoned.
    async fn call(&self, method: Method, path: &str, body: Option<Value>, idempotent: bool) -> Result<Reply> {
        let t = &self.inner.transport;
        let job = self.job.as_deref();
        let token = crate::http::race(job, self.token(None)).await.ok_or_else(|| Error::cancelled(true))??;
        let make = |tok| Call {
            method: method.clone(),
            path: path.to_string(),
            body: body.clone().map_or(Body::None, Body::Json),
            auth: Auth::Bearer(tok),
            headers: accept(&self.inner.options.api_version),
            idempotent,
        };
        match t.send_under(&make(&token), job).await {
            Err(e) if e.http_status == Some(401) => {
                let fresh = crate::http::race(job, self.token(Some(&token))).await.ok_or_else(|| Error::cancelled(true))??;
                t.send_under(&make(&fresh), job).await.map_err(refine)
            }
            other => other.map_err(refine),
        }
    }

    async fn get_page(&self, collection: &str, filter: Option<&str>, page: usize) -> Result<WirePage> {
        let mut path = format!("{CLOUDAPI}/{collection}?page={page}&pageSize={PAGE_SIZE}");
        if let Some(f) = filter.filter(|f| !f.trim().is_empty()) {
            path.push_str(&format!("&filter={}", crate::csp::enc(f)));
        }
        self.call(Method::GET, &path, None, true).await?.json(collection)
    }

    /// Every item of a collection: the first page says how many pages follow; they are fetched side by side.
    async fn all(&self, collection: &str, filter: Option<&str>) -> Result<Vec<Value>> {
        let first = self.get_page(collection, filter, 1).await?;
        let mut values = first.values;
        let rest: Vec<Result<WirePage>> = stream::iter(2..=first.page_count.max(1))
            .map(|p| async move { self.get_page(collection, filter, p).await })
            .buffered(self.inner.options.concurrency)
            .collect()
            .await;
        for page in rest {
            values.extend(page?.values);
        }
        Ok(values)
    }

    pub async fn roles(&self, query: &VcdRoleQuery) -> Result<Vec<VcdRole>> {
        let names = crate::csp::request::patterns("name", &query.name)?;
        let roles: Vec<VcdRole> = self
            .all("roles", None)
            .await?
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| Error::new(ErrorCategory::Protocol, format!("role: {e}"))))
            .collect::<Result<_>>()?;
        Ok(roles
            .into_iter()
            .filter(|r| any_matches(&names, [r.name.as_str()]))
            .filter(|r| query.id.is_empty() || query.id.contains(&r.id))
            .collect())
    }

    fn to_user(v: Value) -> Result<VcdUser> {
        serde_json::from_value(v)
            .map_err(|e| Error::new(ErrorCategory::Protocol, format!("user: the service's answer is not a Cloud Director user: {e}")))
    }

    /// Users of the org: by id, or every page filtered by name selectors (the rule of
    /// `crate::select`), email patterns and a raw FIQL filter.
    pub async fn users(&self, query: &VcdUserQuery) -> Result<Vec<VcdUser>> {
        let names = Selector::parse_all("name", &query.name, looks_like_user_urn)?;
        let emails = crate::csp::request::patterns("email", &query.email)?;
        let users: Vec<VcdUser> = if !query.id.is_empty() {
            let got: Vec<Result<VcdUser>> = stream::iter(query.id.clone())
                .map(|id| async move { self.user_by_urn(&id).await })
                .buffered(self.inner.options.concurrency)
                .collect()
                .await;
            got.into_iter().collect::<Result<_>>()?
        } else {
            self.all("users", query.filter.as_deref()).await?.into_iter().map(Self::to_user).collect::<Result<_>>()?
        };
        Ok(users
            .into_iter()
            .filter(|u| names.is_empty() || names.iter().any(|s| s.matches(u)))
            .filter(|u| any_matches(&emails, [u.email.as_str()]))
            .collect())
    }

    /// One user, named by the selection rule: a URN, a username, an email, a full name, or a
    /// pattern that matches exactly one user.
    pub async fn user(&self, selector: &str) -> Result<VcdUser> {
        let s = Selector::parse("id", selector, looks_like_user_urn)?;
        if s.is_id() {
            return self.user_by_urn(s.input()).await.map_err(|mut e| {
                e.field.get_or_insert_with(|| "id".into());
                e
            });
        }
        let all = self.users(&VcdUserQuery::default()).await?;
        s.one("id", &all).cloned().map_err(|mut e| {
            e.field.get_or_insert_with(|| "id".into());
            e
        })
    }

    pub(crate) async fn user_by_urn(&self, id: &str) -> Result<VcdUser> {
        let reply = self.call(Method::GET, &format!("{CLOUDAPI}/users/{}", crate::csp::enc(id)), None, true).await.map_err(|mut e| {
            if e.category == ErrorCategory::NotFound {
                e.message = format!("no user with id '{}' in this organization", crate::error::excerpt(&id));
            }
            e
        })?;
        Self::to_user(reply.json("user")?)
    }

    /// Role names or URNs to role references, against the org's roles.
    fn role_refs(roles: &[VcdRole], wanted: &[String], field: &str) -> Result<Vec<Value>> {
        wanted
            .iter()
            .enumerate()
            .map(|(i, w)| {
                roles.iter().find(|r| &r.id == w || r.name.eq_ignore_ascii_case(w)).map(|r| json!({"id": r.id, "name": r.name})).ok_or_else(
                    || {
                        let known: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                        Error::invalid(
                            format!("{field}[{i}]"),
                            format!("no role '{}' in this organization; it has {}", crate::error::excerpt(w), known.join(", ")),
                        )
                    },
                )
            })
            .collect()
    }

    /// Records a finished item on the job, if there is one.
    fn finished(&self, item: BulkItem) -> BulkItem {
        if let Some(job) = &self.job {
            job.finish(&item);
        }
        item
    }

    fn cancelled(&self) -> bool {
        self.job.as_ref().is_some_and(|j| j.is_cancelled())
    }

    /// Creates users (`New-VcdUser`), several at once; each input gets its own outcome. A create
    /// whose answer is lost or cut off is settled by looking the user up by name.
    pub async fn new_users(&self, users: &[NewVcdUser]) -> Result<BulkReport> {
        if users.is_empty() {
            return Err(Error::invalid("users", "must hold at least one user"));
        }
        if let Some(job) = &self.job {
            job.start("create users", users.len());
        }
        let roles = match self.roles(&VcdRoleQuery::default()).await {
            Ok(r) => r,
            Err(e) if e.is_cancelled() => {
                let items = users.iter().map(|u| self.finished(BulkItem::not_started(u.username.clone(), None))).collect();
                return Ok(BulkReport::from_items(items).cancelled(true));
            }
            Err(e) => return Err(e),
        };
        let roles = &roles;
        let mut items: Vec<Option<BulkItem>> = vec![None; users.len()];
        let mut results = stream::iter(users.iter().enumerate())
            .map(|(i, u)| async move {
                let item = if self.cancelled() { BulkItem::not_started(u.username.clone(), None) } else { self.create_one(i, u, roles).await };
                (i, self.finished(item))
            })
            .buffer_unordered(self.inner.options.concurrency * 4);
        while let Some((i, item)) = results.next().await {
            items[i] = Some(item);
        }
        let cancelled = self.cancelled();
        Ok(BulkReport::from_items(items.into_iter().map(|i| i.expect("every user has an outcome")).collect()).cancelled(cancelled))
    }

    async fn create_one(&self, i: usize, u: &NewVcdUser, roles: &[VcdRole]) -> BulkItem {
        let body = match u.to_body(&format!("users[{i}]")).and_then(|mut b| {
            b["roleEntityRefs"] = Value::Array(Self::role_refs(roles, &u.roles, &format!("users[{i}].roles"))?);
            Ok(b)
        }) {
            Ok(b) => b,
            Err(e) => return BulkItem::failure(u.username.clone(), None, e),
        };
        let created = match self.call(Method::POST, &format!("{CLOUDAPI}/users"), Some(body), false).await {
            Ok(reply) => reply.json("user").and_then(Self::to_user),
            Err(e) => Err(e),
        };
        let error = match created {
            Ok(created) => {
                let mut it = BulkItem::success(u.username.clone(), "created", Some(created.id.clone()));
                it.result = serde_json::to_value(&created).ok();
                return it;
            }
            Err(e) if e.is_cancelled() && e.not_sent => return BulkItem::not_started(u.username.clone(), None),
            Err(e) if e.is_cancelled() => return BulkItem::unknown(u.username.clone(), None, e),
            // Refused (a duplicate name, a bad field): nothing was created.
            Err(e) if e.not_sent => return BulkItem::failure(u.username.clone(), None, e),
            Err(e) => e,
        };
        // The answer was lost, cut off or a server error: whether the user exists now says.
        match read_with_retries(self.job.as_deref(), || self.user_named(&u.username)).await {
            Ok(Some(found)) => {
                let same = found.email == u.email.clone().unwrap_or_default() && found.full_name == u.full_name.clone().unwrap_or_default();
                let mut it = if same {
                    let mut it = BulkItem::success(u.username.clone(), "created", Some(found.id.clone()));
                    it.message = Some(format!("the answer to the create was lost ({}); the user was found by name", error.message));
                    it
                } else {
                    let mut it = BulkItem::unknown(u.username.clone(), Some(found.id.clone()), error);
                    it.message = Some("the answer to the create was lost; a user of this name exists, but not as sent: whether this call created it is not known".into());
                    it
                };
                it.result = serde_json::to_value(&found).ok();
                it
            }
            Ok(None) => {
                let mut it = BulkItem::failure(u.username.clone(), None, error);
                it.message = Some("the answer to the create was lost; no user of this name exists, so it was not created".into());
                it
            }
            Err(lookup) => {
                let mut it = BulkItem::unknown(u.username.clone(), None, error);
                it.message = Some(format!("the answer to the create was lost and looking the user up failed: {}", lookup.message));
                it
            }
        }
    }

    /// The user with exactly this username (any case), if there is one.
    async fn user_named(&self, username: &str) -> Result<Option<VcdUser>> {
        let page = self.get_page("users", Some(&format!("name=={username}")), 1).await?;
        for v in page.values {
            let u = Self::to_user(v)?;
            if u.username.eq_ignore_ascii_case(username) {
                return Ok(Some(u));
            }
        }
        Ok(None)
    }

    /// Changes a user (`Set-VcdUser`) named by the selection rule (`changes.id`: a URN, username,
    /// email, full name, or a pattern matching one user): reads it, applies the changes, writes it
    /// back (PUT). Under a job it is one item: recorded when it finishes, not sent once the job is
    /// cancelled.
    pub async fn set_user(&self, changes: &VcdUserChanges) -> Result<VcdUser> {
        if let Some(job) = &self.job {
            job.start("update user", 1);
        }
        let r = self.set_user_once(changes).await;
        let item = match &r {
            Ok(u) => {
                let mut it = BulkItem::success(changes.id.clone(), "updated", Some(u.id.clone()));
                it.result = serde_json::to_value(u).ok();
                it
            }
            Err(e) if e.is_cancelled() && e.not_sent => BulkItem::not_started(changes.id.clone(), Some(changes.id.clone())),
            Err(e) if e.is_cancelled() => BulkItem::unknown(changes.id.clone(), Some(changes.id.clone()), e.clone()),
            Err(e) => BulkItem::failure(changes.id.clone(), Some(changes.id.clone()), e.clone()),
        };
        self.finished(item);
        r
    }

    async fn set_user_once(&self, changes: &VcdUserChanges) -> Result<VcdUser> {
        let current = self.user(&changes.id).await?;
        let mut body = serde_json::to_value(&current).map_err(|e| Error::internal(e.to_string()))?;
        changes.apply(&mut body)?;
        if let Some(roles) = &changes.roles {
            if roles.is_empty() {
                return Err(Error::invalid("roles", "must name at least one role"));
            }
            let all = self.roles(&VcdRoleQuery::default()).await?;
            body["roleEntityRefs"] = Value::Array(Self::role_refs(&all, roles, "roles")?);
        }
        let reply = self.call(Method::PUT, &format!("{CLOUDAPI}/users/{}", crate::csp::enc(&current.id)), Some(body), true).await?;
        Self::to_user(reply.json("user")?)
    }
}

/// Logs in: Basic `user@org:password` on /sessions (or /sessions/provider), or an API token on
/// /oauth/tenant/{org}/token (or /oauth/provider/token). Returns the bearer token.
async fn login(transport: &Transport, o: &VcdConnectOptions) -> Result<Secret> {
    let refused = |mut e: Error, what: &str| {
        if matches!(e.http_status, Some(400) | Some(401) | Some(403)) {
            e.category = ErrorCategory::Authentication;
            e.message = format!("Cloud Director refused {what}: {}", e.message);
        }
        e
    };
    match &o.credentials {
        VcdCredentials::Password { username, password } => {
            let who = format!("{username}@{}", o.org);
            let path = if o.is_provider() { format!("{CLOUDAPI}/sessions/provider") } else { format!("{CLOUDAPI}/sessions") };
            let reply = transport
                .send(&Call {
                    method: Method::POST,
                    path,
                    body: Body::None,
                    auth: Auth::Basic(&who, password),
                    headers: accept(&o.api_version),
                    idempotent: true,
                })
                .await
                .map_err(|e| refused(e, "the user name, organization or password"))?;
            let token = reply
                .headers
                .get("x-vmware-vcloud-access-token")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| Error::new(ErrorCategory::Protocol, "the login answer has no X-VMWARE-VCLOUD-ACCESS-TOKEN header"))?;
            Ok(Secret::new(token))
        }
        VcdCredentials::ApiToken(token) => {
            let path = if o.is_provider() {
                "/oauth/provider/token".to_string()
            } else {
                format!("/oauth/tenant/{}/token", crate::csp::enc(&o.org))
            };
            let reply = transport
                .send(&Call {
                    method: Method::POST,
                    path,
                    body: Body::Form(vec![
                        ("grant_type".into(), "refresh_token".into()),
                        ("refresh_token".into(), token.expose().to_string()),
                    ]),
                    auth: Auth::None,
                    headers: vec![("accept", "application/json".into())],
                    idempotent: true,
                })
                .await
                .map_err(|e| refused(e, "the API token"))?;
            let v: Value = reply.json("token")?;
            let access = v["access_token"]
                .as_str()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| Error::new(ErrorCategory::Protocol, "the token answer has no access_token"))?;
            Ok(Secret::new(access))
        }
    }
}

/// The options a host's connect request (JSON) describes; the request is checked field by field.
impl VcdConnectRequest {
    pub fn into_options(self) -> Result<VcdConnectOptions> {
        let credentials = match (self.api_token, self.username, self.password) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(Error::invalid("apiToken", "give either apiToken or username + password, not both"))
            }
            (Some(t), None, None) => VcdCredentials::ApiToken(t.into()),
            (None, Some(u), Some(p)) => VcdCredentials::Password { username: u, password: p.into() },
            (None, Some(_), None) => return Err(Error::invalid("password", "required with username")),
            (None, None, Some(_)) => return Err(Error::invalid("username", "required with password")),
            (None, None, None) => return Err(Error::invalid("username", "required (with password), or give apiToken")),
        };
        if self.server.trim().is_empty() {
            return Err(Error::invalid("server", "must not be blank: name the Cloud Director server"));
        }
        let mut o = VcdConnectOptions::new(self.server, &self.org, credentials);
        crate::csp::request::NetworkRequest {
            ca_certificate_path: self.ca_certificate_path,
            allow_insecure_http: self.allow_insecure_http,
            resolve: self.resolve,
        }
        .apply(self.ca_certificate, &mut o.tls, &mut o.network)?;
        o.tls.insecure_skip_tls_verify = self.insecure_skip_tls_verify;
        if let Some(v) = self.api_version {
            o.api_version = v;
        }
        crate::http::apply_request_settings(self.timeout_seconds, self.max_attempts, &mut o.timeout, &mut o.retry)?;
        if let Some(c) = self.concurrency {
            o.concurrency = c;
        }
        Ok(o)
    }
}
