//! The async Cloud Director client: tenant and provider sessions (password or API token), and
//! users (list, get, create, update, remove) and roles through the CloudAPI, paged and filtered
//! here, bulk work with bounded concurrency and per-item reports.

pub mod model;
pub mod request;

use crate::bulk::{BulkItem, BulkReport};
use crate::error::{Error, ErrorCategory, Result};
use crate::http::{Auth, Body, Call, Reply, RetryPolicy, TlsOptions, Transport};
use crate::secret::Secret;
use crate::wildcard::{any_matches, Pattern};
use futures_util::stream::{self, StreamExt};
use model::*;
use request::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
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
    info: VcdConnectionInfo,
}

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
    pub async fn connect(options: VcdConnectOptions) -> Result<VcdClient> {
        options.validate()?;
        let transport = Transport::new(&options.server, &options.tls, options.timeout, options.retry.clone())?;
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
        Ok(VcdClient { inner: Arc::new(Inner { transport, options, session: tokio::sync::Mutex::new(Some(token)), info }), job: None })
    }

    /// The same session, under `job`: its work stops when the job is cancelled, and it records
    /// its progress and finished items there.
    pub fn with_job(&self, job: Arc<crate::Job>) -> VcdClient {
        VcdClient { inner: self.inner.clone(), job: Some(job) }
    }

    pub fn job(&self) -> Option<&Arc<crate::Job>> {
        self.job.as_ref()
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

    /// Ends the session on the server (`DELETE /sessions/current`).
    pub async fn logout(&self) -> Result<()> {
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
    }

    async fn token(&self, stale: Option<&Secret>) -> Result<Secret> {
        let mut current = self.inner.session.lock().await;
        if let Some(t) = current.as_ref() {
            if stale.map_or(true, |s| s != t) {
                return Ok(t.clone());
            }
        }
        let fresh = login(&self.inner.transport, &self.inner.options).await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    /// One request; a 401 (an ended or expired session) logs in again once and retries.
    async fn call(&self, method: Method, path: &str, body: Option<Value>, idempotent: bool) -> Result<Reply> {
        let t = &self.inner.transport;
        let token = self.token(None).await?;
        let make = |tok| Call {
            method: method.clone(),
            path: path.to_string(),
            body: body.clone().map_or(Body::None, Body::Json),
            auth: Auth::Bearer(tok),
            headers: accept(&self.inner.options.api_version),
            idempotent,
        };
        match t.send(&make(&token)).await {
            Err(e) if e.http_status == Some(401) => {
                let fresh = self.token(Some(&token)).await?;
                t.send(&make(&fresh)).await.map_err(refine)
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

    /// Users of the org: by id, or every page filtered by name/email patterns and a raw FIQL filter.
    pub async fn users(&self, query: &VcdUserQuery) -> Result<Vec<VcdUser>> {
        let names = crate::csp::request::patterns("name", &query.name)?;
        let emails = crate::csp::request::patterns("email", &query.email)?;
        let users: Vec<VcdUser> = if !query.id.is_empty() {
            let got: Vec<Result<VcdUser>> = stream::iter(query.id.clone())
                .map(|id| async move { self.user(&id).await })
                .buffered(self.inner.options.concurrency)
                .collect()
                .await;
            got.into_iter().collect::<Result<_>>()?
        } else {
            self.all("users", query.filter.as_deref()).await?.into_iter().map(Self::to_user).collect::<Result<_>>()?
        };
        Ok(users
            .into_iter()
            .filter(|u| any_matches(&names, [u.username.as_str(), u.full_name.as_str()]))
            .filter(|u| any_matches(&emails, [u.email.as_str()]))
            .collect())
    }

    pub async fn user(&self, id: &str) -> Result<VcdUser> {
        if !id.starts_with("urn:vcloud:user:") {
            return Err(Error::invalid("id", format!("'{}' is not a user URN (urn:vcloud:user:...)", crate::error::excerpt(&id))));
        }
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

    /// Creates users (`New-VcdUser`), several at once; each input gets its own outcome.
    pub async fn new_users(&self, users: &[NewVcdUser]) -> Result<BulkReport> {
        if users.is_empty() {
            return Err(Error::invalid("users", "must hold at least one user"));
        }
        let roles = self.roles(&VcdRoleQuery::default()).await?;
        let roles = &roles;
        let items: Vec<BulkItem> = stream::iter(users.iter().enumerate())
            .map(|(i, u)| async move {
                let body = match u.to_body(&format!("users[{i}]")).and_then(|mut b| {
                    b["roleEntityRefs"] = Value::Array(Self::role_refs(roles, &u.roles, &format!("users[{i}].roles"))?);
                    Ok(b)
                }) {
                    Ok(b) => b,
                    Err(e) => return BulkItem::failure(u.username.clone(), None, e),
                };
                match self
                    .call(Method::POST, &format!("{CLOUDAPI}/users"), Some(body), false)
                    .await
                    .and_then(|r| Self::to_user(r.json("user")?))
                {
                    Ok(created) => {
                        let mut it = BulkItem::success(u.username.clone(), "created", Some(created.id.clone()));
                        it.result = serde_json::to_value(&created).ok();
                        it
                    }
                    Err(e) => BulkItem::failure(u.username.clone(), None, e),
                }
            })
            .buffered(self.inner.options.concurrency)
            .collect()
            .await;
        Ok(BulkReport::from_items(items))
    }

    /// Changes a user (`Set-VcdUser`): reads it, applies the changes, writes it back (PUT).
    pub async fn set_user(&self, changes: &VcdUserChanges) -> Result<VcdUser> {
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
        let reply = self.call(Method::PUT, &format!("{CLOUDAPI}/users/{}", crate::csp::enc(&changes.id)), Some(body), true).await?;
        Self::to_user(reply.json("user")?)
    }

    /// Removes users given by URN, username or pattern (`Remove-VcdUser`); reports each.
    pub async fn remove_users(&self, refs: &[String]) -> Result<BulkReport> {
        if refs.is_empty() {
            return Err(Error::invalid("users", "must name at least one user"));
        }
        let need_listing = refs.iter().any(|r| !r.starts_with("urn:vcloud:user:"));
        let all = if need_listing { self.users(&VcdUserQuery::default()).await? } else { Vec::new() };
        let mut work: Vec<(String, std::result::Result<String, Error>)> = Vec::new();
        let mut queued = HashSet::new();
        for (i, r) in refs.iter().enumerate() {
            if r.starts_with("urn:vcloud:user:") {
                if queued.insert(r.clone()) {
                    work.push((r.clone(), Ok(r.clone())));
                }
                continue;
            }
            match Pattern::parse(&format!("users[{i}]"), r) {
                Err(e) => work.push((r.clone(), Err(e))),
                Ok(p) => {
                    let ids: Vec<String> = all.iter().filter(|u| p.matches(&u.username)).map(|u| u.id.clone()).collect();
                    if ids.is_empty() {
                        work.push((
                            r.clone(),
                            Err(Error::new(
                                ErrorCategory::NotFound,
                                format!("no user matches '{}' in this organization", crate::error::excerpt(&r)),
                            )),
                        ));
                    }
                    for id in ids {
                        if queued.insert(id.clone()) {
                            work.push((r.clone(), Ok(id)));
                        }
                    }
                }
            }
        }
        let items: Vec<BulkItem> = stream::iter(work)
            .map(|(input, target)| async move {
                match target {
                    Err(e) => BulkItem::failure(input, None, e),
                    Ok(id) => match self.call(Method::DELETE, &format!("{CLOUDAPI}/users/{}", crate::csp::enc(&id)), None, true).await {
                        Ok(_) => BulkItem::success(input, "removed", Some(id)),
                        Err(e) => BulkItem::failure(input, Some(id), e),
                    },
                }
            })
            .buffered(self.inner.options.concurrency)
            .collect()
            .await;
        Ok(BulkReport::from_items(items))
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
