//! The async CSP client: every operation behind PowerCLI's CloudServices cmdlets. Paging,
//! filtering, batching to the service's limits, bounded concurrency and per-item reports live here.

mod auth;
pub mod model;
pub mod request;

use auth::TokenSource;
pub use auth::{decode_claims, Credentials, TokenClaims};

use crate::bulk::{BulkItem, BulkReport};
use crate::error::{Error, ErrorCategory, Result};
use crate::http::{Auth, Body, Call, Reply, RetryPolicy, TlsOptions, Transport};
use crate::time::rfc3339_from_millis;
use crate::wildcard::{any_matches, Pattern};
use futures_util::stream::{self, StreamExt};
use model::*;
use request::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
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
    /// Per request.
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
    /// the organization's name.
    pub async fn connect(options: ConnectOptions) -> Result<CspClient> {
        options.validate()?;
        let transport = Transport::new(&options.server, &options.tls, options.timeout, options.retry.clone())?;
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
        let mut client = CspClient { inner: Arc::new(inner), progress: None };
        let org: Value = client.get_json(&format!("{AM}/orgs/{}", client.inner.org_id), "organization").await?;
        let org_name = org.get("displayName").or_else(|| org.get("name")).and_then(Value::as_str).unwrap_or_default().to_string();
        Arc::get_mut(&mut client.inner).expect("sole owner while connecting").org_name = org_name;
        Ok(client)
    }

    /// The same connection, reporting the progress of listings and bulk work to `f`.
    pub fn with_progress(&self, f: impl Fn(Progress) + Send + Sync + 'static) -> CspClient {
        CspClient { inner: self.inner.clone(), progress: Some(Arc::new(f)) }
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

    /// One authenticated request; a 401 gets one fresh token and one more try.
    async fn call(&self, method: Method, path: &str, body: Option<Value>, idempotent: bool) -> Result<Reply> {
        let t = &self.inner.transport;
        let token = self.inner.tokens.token(t, None).await?;
        let make = |tok| Call {
            method: method.clone(),
            path: path.to_string(),
            body: body.clone().map_or(Body::None, Body::Json),
            auth: Auth::CspToken(tok),
            headers: Vec::new(),
            idempotent,
        };
        match t.send(&make(&token)).await {
            Err(e) if e.http_status == Some(401) => {
                let fresh = self.inner.tokens.token(t, Some(&token)).await?;
                t.send(&make(&fresh)).await
            }
            other => other,
        }
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str, what: &str) -> Result<T> {
        self.call(Method::GET, path, None, true).await?.json(what)
    }

    // ---- organization roles, services, service roles ----------------------------------------

    pub async fn organization_roles(&self, query: &OrganizationRoleQuery) -> Result<Vec<OrganizationRole>> {
        let names = patterns("name", &query.name)?;
        let wire: WireOrgRoles = self.get_json(&format!("{AM}/orgs/{}/roles", self.inner.org_id), "organization roles").await?;
        let held: Option<HashSet<String>> = if query.user.is_empty() {
            None
        } else {
            let refs: Vec<UserRef> = query.user.iter().map(|u| UserRef::parse(u)).collect();
            let mut held = HashSet::new();
            for (input, resolved) in self.resolve_users(&refs).await? {
                let ids = resolved.map_err(|mut e| {
                    e.message = format!("user '{}': {}", crate::error::excerpt(&input), e.message);
                    e
                })?;
                for id in ids {
                    let v: Value =
                        self.get_json(&format!("{AM}/v2/users/{}/orgs/{}/roles", enc(&id), self.inner.org_id), "user roles").await?;
                    let list = v.get("organizationRoles").cloned().unwrap_or(v);
                    for r in list.as_array().into_iter().flatten() {
                        if let Some(n) = r.get("name").and_then(Value::as_str) {
                            held.insert(n.to_string());
                        }
                    }
                }
            }
            Some(held)
        };
        Ok(wire
            .org_roles_data
            .into_iter()
            .map(|r| {
                let id = r.id.clone().or_else(|| r.ref_link.as_deref().map(last_segment)).unwrap_or_else(|| r.name.clone());
                OrganizationRole {
                    uid: self.uid("VcsOrganizationRole", &id),
                    id,
                    display_name: r.display_name.unwrap_or_else(|| r.name.clone()),
                    name: r.name,
                }
            })
            .filter(|r| any_matches(&names, [r.name.as_str(), r.display_name.as_str()]))
            .filter(|r| query.id.is_empty() || query.id.iter().any(|i| i == &r.id || i == &r.name))
            .filter(|r| held.as_ref().map_or(true, |h| h.contains(&r.name)))
            .collect())
    }

    async fn service_definitions(&self) -> Result<&Vec<WireServiceDefinition>> {
        self.inner
            .services
            .get_or_try_init(|| async {
                let path =
                    format!("/csp/gateway/slc/api/definitions?expand=1&orgLink={}", enc(&format!("{AM}/orgs/{}", self.inner.org_id)));
                let wire: WireServiceDefinitions = self.get_json(&path, "service definitions").await?;
                Ok(wire.results.into_iter().filter(|s| s.visible != Some(false)).collect())
            })
            .await
    }

    fn to_service(&self, s: &WireServiceDefinition) -> Service {
        let link = s.document_self_link.clone().unwrap_or_default();
        let id = if link.is_empty() { s.name.clone() } else { last_segment(&link) };
        Service {
            uid: self.uid("VcsService", &id),
            id,
            name: s.display_name.clone().unwrap_or_else(|| s.name.clone()),
            technical_name: s.name.clone(),
            description: s.description_long.clone().unwrap_or_default(),
            self_link: link,
        }
    }

    pub async fn services(&self, query: &NameQuery) -> Result<Vec<Service>> {
        let names = patterns("name", &query.name)?;
        let defs = self.service_definitions().await?;
        Ok(defs
            .iter()
            .map(|s| self.to_service(s))
            .filter(|s| any_matches(&names, [s.name.as_str(), s.technical_name.as_str()]))
            .filter(|s| query.id.is_empty() || query.id.iter().any(|i| i == &s.id || i == &s.self_link))
            .collect())
    }

    /// Finds one service by id, link, technical name or display name; `field` names the input.
    async fn find_service(&self, field: &str, key: &str) -> Result<Service> {
        let all = self.services(&NameQuery::default()).await?;
        let key_l = key.to_lowercase();
        all.into_iter()
            .find(|s| s.id == key || s.self_link == key || s.technical_name.to_lowercase() == key_l || s.name.to_lowercase() == key_l)
            .ok_or_else(|| Error::invalid(field, format!("no service '{}' in this organization", crate::error::excerpt(&key))))
    }

    pub async fn service_roles(&self, query: &ServiceRoleQuery) -> Result<Vec<ServiceRole>> {
        let names = patterns("name", &query.name)?;
        let service_patterns = patterns("service", &query.service)?;
        let defs = self.service_definitions().await?;
        let mut out = Vec::new();
        for def in defs {
            let svc = self.to_service(def);
            let service_ok = query.service.is_empty()
                || query.service.iter().any(|s| s == &svc.id || s == &svc.self_link)
                || any_matches(&service_patterns, [svc.name.as_str(), svc.technical_name.as_str()]) && !service_patterns.is_empty();
            if !service_ok {
                continue;
            }
            for r in &def.service_roles {
                let role = ServiceRole {
                    id: r.name.clone(),
                    name: r.name.clone(),
                    display_name: r.display_name.clone().unwrap_or_else(|| r.name.clone()),
                    service_id: svc.id.clone(),
                    service_name: svc.name.clone(),
                    uid: self.uid("VcsServiceRole", &r.name),
                };
                if any_matches(&names, [role.name.as_str(), role.display_name.as_str()])
                    && (query.id.is_empty() || query.id.contains(&role.id))
                {
                    out.push(role);
                }
            }
        }
        Ok(out)
    }

    async fn service_names(&self) -> Result<HashMap<String, String>> {
        Ok(self
            .service_definitions()
            .await?
            .iter()
            .map(|d| {
                let s = self.to_service(d);
                (s.id, s.name)
            })
            .collect())
    }

    fn grants(&self, wire: &[WireServiceRoles], names: &HashMap<String, String>) -> Vec<ServiceRoleGrant> {
        wire.iter()
            .map(|g| {
                let id = g.service_id();
                ServiceRoleGrant {
                    service_name: names.get(&id).cloned().unwrap_or_else(|| id.clone()),
                    service_id: id,
                    roles: g.role_names(),
                }
            })
            .collect()
    }

    // ---- users ---------------------------------------------------------------------------------

    fn to_user(&self, w: WireExpandedUser, services: &HashMap<String, String>) -> User {
        let first = w.user.first_name.clone().unwrap_or_default();
        let last = w.user.last_name.clone().unwrap_or_default();
        let full = format!("{first} {last}").trim().to_string();
        User {
            uid: self.uid("VcsUser", &w.user.user_id),
            id: w.user.user_id.clone(),
            name: if full.is_empty() { w.user.username.clone() } else { full },
            email: w.user.email.clone().unwrap_or_else(|| w.user.username.clone()),
            username: w.user.username.clone(),
            first_name: first,
            last_name: last,
            organization_roles: w.organization_roles.iter().map(|r| r.name.clone()).collect(),
            service_roles: self.grants(&w.service_roles, services),
        }
    }

    /// One page of users, converted as it arrives so the service's bulkier shape is not kept.
    async fn users_page(&self, path: &str, services: &HashMap<String, String>) -> Result<(Vec<User>, Option<usize>, Option<String>)> {
        let page: WireUserPage = self.get_json(path, "users page").await?;
        let users = page.results.into_iter().map(|w| self.to_user(w, services)).collect();
        Ok((users, page.total_results, page.next_link))
    }

    /// Every user of the organization, however many pages it takes, each once.
    pub async fn all_users(&self) -> Result<Vec<User>> {
        let services = self.service_names().await?;
        let services = &services;
        let limit = self.inner.page_size;
        let base = format!("{AM}/v2/orgs/{}/users", self.inner.org_id);
        let (first, total, first_next) = self.users_page(&format!("{base}?pageStart=1&pageLimit={limit}"), services).await?;
        let mut pages = vec![first];
        let mut next = first_next.clone();
        if let (Some(total), Some(_)) = (total, &first_next) {
            // The total is known: the remaining pages are fetched side by side, in order.
            let starts: Vec<usize> = (1 + limit..=total).step_by(limit).collect();
            let ticker = self.ticker("list users", starts.len() + 1);
            ticker.tick(1);
            let ticker = &ticker;
            let fetched: Vec<Result<(Vec<User>, Option<usize>, Option<String>)>> = stream::iter(starts)
                .map(|s| {
                    let path = format!("{base}?pageStart={s}&pageLimit={limit}");
                    async move {
                        let page = self.users_page(&path, services).await;
                        ticker.tick(1);
                        page
                    }
                })
                .buffered(self.inner.concurrency)
                .collect()
                .await;
            for p in fetched {
                let (users, _, link) = p?;
                pages.push(users);
                next = link;
            }
        }
        // Users added while paging, or a service that gives no total: follow nextLink.
        let mut guard = 0usize;
        while let Some(link) = next.take() {
            guard += 1;
            if guard > 100_000 {
                return Err(Error::new(ErrorCategory::Protocol, "paging did not end after 100,000 pages"));
            }
            let (users, _, link) = self.users_page(&same_server_path(&link)?, services).await?;
            if users.is_empty() {
                break;
            }
            next = link;
            pages.push(users);
        }
        let mut seen = HashSet::with_capacity(pages.iter().map(Vec::len).sum());
        let mut users = Vec::with_capacity(seen.capacity());
        for page in pages {
            for u in page {
                if seen.insert(u.id.clone()) {
                    users.push(u);
                }
            }
        }
        Ok(users)
    }

    /// Users found through the service's search, when the patterns allow it and the search is
    /// not cut off at its limit; `None` = list everything instead.
    async fn search_candidates(&self, patterns: &[Pattern]) -> Result<Option<Vec<User>>> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut terms = Vec::new();
        for p in patterns {
            // The service matches one field at a time, so the term is one word of the pattern's
            // literal text: "Ada Andersen" searches "andersen" and then filters exactly.
            let literal = p.longest_literal();
            let word = literal.split_whitespace().max_by_key(|w| w.chars().count()).unwrap_or("").to_string();
            if word.chars().count() < 3 {
                return Ok(None);
            }
            terms.push(word);
        }
        let services = self.service_names().await?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for term in terms {
            let path = format!("{AM}/orgs/{}/users/search?userSearchTerm={}", self.inner.org_id, enc(&term));
            let page: WireUserPage = self.get_json(&path, "user search").await?;
            if page.results.len() >= SEARCH_LIMIT {
                return Ok(None);
            }
            for w in page.results {
                if seen.insert(w.user.user_id.clone()) {
                    out.push(self.to_user(w, &services));
                }
            }
        }
        Ok(Some(out))
    }

    /// `Get-VcsUser`: by id, or filtered by name and email patterns (all users when empty).
    pub async fn users(&self, query: &UserQuery) -> Result<Vec<User>> {
        let names = patterns("name", &query.name)?;
        let emails = patterns("email", &query.email)?;
        let candidates = if !query.id.is_empty() {
            self.users_by_id(&query.id).await?
        } else {
            let narrowing = if names.is_empty() { &emails } else { &names };
            match self.search_candidates(narrowing).await? {
                Some(c) => c,
                None => self.all_users().await?,
            }
        };
        Ok(candidates
            .into_iter()
            .filter(|u| any_matches(&names, [u.name.as_str(), u.username.as_str()]))
            .filter(|u| any_matches(&emails, [u.email.as_str()]))
            .collect())
    }

    async fn users_by_id(&self, ids: &[String]) -> Result<Vec<User>> {
        let services = self.service_names().await?;
        let results: Vec<Result<User>> = stream::iter(ids.iter().cloned())
            .map(|id| {
                let services = &services;
                async move {
                    let path = format!("{AM}/v2/users/{}/orgs/{}/info", enc(&id), self.inner.org_id);
                    let w: WireExpandedUser = self.get_json(&path, "user").await.map_err(|mut e| {
                        if e.category == ErrorCategory::NotFound {
                            e.message = format!("no user with id '{}' in this organization", crate::error::excerpt(&id));
                            e.field = Some("id".into());
                        }
                        e
                    })?;
                    Ok(self.to_user(w, services))
                }
            })
            .buffered(self.inner.concurrency)
            .collect()
            .await;
        results.into_iter().collect()
    }

    /// Resolves references to user ids: ids pass through; names, emails and patterns are looked
    /// up (one full listing, only when needed). Each input keeps its own outcome. Changes nothing,
    /// so front ends use it for dry runs.
    pub async fn resolve_users(&self, refs: &[UserRef]) -> Result<Vec<(String, Result<Vec<String>>)>> {
        let need_listing = refs.iter().any(|r| matches!(r, UserRef::Name(_)));
        let all = if need_listing { self.all_users().await? } else { Vec::new() };
        Ok(refs
            .iter()
            .map(|r| {
                let input = r.describe();
                let outcome = match r {
                    UserRef::Id(id) => Ok(vec![id.clone()]),
                    UserRef::Name(n) => match Pattern::parse("users", n) {
                        Err(e) => Err(e),
                        Ok(p) => {
                            let ids: Vec<String> = all
                                .iter()
                                .filter(|u| p.matches(&u.username) || p.matches(&u.email) || p.matches(&u.name))
                                .map(|u| u.id.clone())
                                .collect();
                            if ids.is_empty() {
                                Err(Error::new(
                                    ErrorCategory::NotFound,
                                    format!("no user matches '{}' in this organization", crate::error::excerpt(&n)),
                                ))
                            } else {
                                Ok(ids)
                            }
                        }
                    },
                };
                (input, outcome)
            })
            .collect())
    }

    /// `Remove-VcsUser`: removes users in batches of 20, several batches at once; reports every one.
    pub async fn remove_users(&self, refs: &[UserRef], notify_users: bool) -> Result<BulkReport> {
        let resolved = self.resolve_users(refs).await?;
        let mut items: Vec<Option<BulkItem>> = Vec::new();
        let mut input_of: HashMap<usize, String> = HashMap::new();
        // (item index, user id) of every removal to send, each id once.
        let mut work: Vec<(usize, String)> = Vec::new();
        let mut queued = HashSet::new();
        for (input, outcome) in resolved {
            match outcome {
                Err(e) => items.push(Some(BulkItem::failure(input, None, e))),
                Ok(ids) => {
                    for id in ids {
                        if queued.insert(id.clone()) {
                            input_of.insert(items.len(), input.clone());
                            work.push((items.len(), id.clone()));
                            items.push(None);
                        } else {
                            let mut it = BulkItem::success(input.clone(), "duplicate", Some(id));
                            it.message = Some("named more than once; removed once".into());
                            items.push(Some(it));
                        }
                    }
                }
            }
        }
        let path = format!("{AM}/v2/orgs/{}/users", self.inner.org_id);
        let batches: Vec<Vec<(usize, String)>> = work.chunks(REMOVE_BATCH).map(|c| c.to_vec()).collect();
        let ticker = self.ticker("remove users", work.len());
        let ticker = &ticker;
        let done: Vec<(Vec<(usize, String)>, Result<Reply>)> = stream::iter(batches)
            .map(|batch| {
                let path = path.clone();
                async move {
                    let ids: Vec<&String> = batch.iter().map(|(_, id)| id).collect();
                    let body = json!({"ids": ids, "notifyUsers": notify_users});
                    let r = self.call(Method::DELETE, &path, Some(body), true).await;
                    ticker.tick(batch.len());
                    (batch, r)
                }
            })
            .buffer_unordered(self.inner.concurrency)
            .collect()
            .await;
        for (batch, result) in done {
            match result {
                Err(e) => {
                    for (i, id) in batch {
                        items[i] = Some(BulkItem::failure(input_of[&i].clone(), Some(id), e.clone()));
                    }
                }
                Ok(reply) => {
                    let wire: WireRemoveUsers = match reply.json("remove users") {
                        Ok(w) => w,
                        Err(e) => {
                            for (i, id) in batch {
                                items[i] = Some(BulkItem::failure(input_of[&i].clone(), Some(id), e.clone()));
                            }
                            continue;
                        }
                    };
                    let succeeded: HashSet<&String> = wire.succeeded.iter().collect();
                    for (i, id) in batch {
                        let input = input_of[&i].clone();
                        if succeeded.contains(&id) {
                            items[i] = Some(BulkItem::success(input, "removed", Some(id)));
                            continue;
                        }
                        let failure = wire.failures.iter().find(|f| f.id == id);
                        let code = failure.and_then(|f| f.error_code.clone());
                        // A first attempt lost in the network may have removed the user already.
                        if reply.after_lost_attempt && code.as_deref() == Some("USER_NOT_FOUND") {
                            let mut it = BulkItem::success(input, "removed", Some(id));
                            it.message = Some("confirmed after a retry".into());
                            items[i] = Some(it);
                            continue;
                        }
                        let error = match failure {
                            Some(f) => {
                                let category = match f.error_code.as_deref() {
                                    Some(c) if c.contains("NOT_FOUND") => ErrorCategory::NotFound,
                                    Some(c) if c.contains("OWNER") || c.contains("CONFLICT") => ErrorCategory::Conflict,
                                    _ => ErrorCategory::Server,
                                };
                                let mut e = Error::new(
                                    category,
                                    f.message.clone().unwrap_or_else(|| "the service did not remove this user".into()),
                                )
                                .with_status(reply.status)
                                .with_request_id(reply.request_id.clone());
                                e.service_code = f.error_code.clone();
                                e
                            }
                            None if wire.failed.contains(&id) => {
                                Error::new(ErrorCategory::Server, "the service reported this user as not removed")
                                    .with_request_id(reply.request_id.clone())
                            }
                            None => {
                                Error::new(ErrorCategory::Protocol, "the service's answer does not mention this user; its state is unknown")
                                    .with_request_id(reply.request_id.clone())
                            }
                        };
                        items[i] = Some(BulkItem::failure(input, Some(id), error));
                    }
                }
            }
        }
        Ok(BulkReport::from_items(items.into_iter().map(|i| i.expect("every item has an outcome")).collect()))
    }

    // ---- invitations ---------------------------------------------------------------------------

    fn to_invitation(&self, w: WireInvitation, services: &HashMap<String, String>) -> Invitation {
        let id = w.ref_link.as_deref().map(last_segment).unwrap_or_default();
        let mut roles = w.org_role_names.clone();
        for r in &w.organization_roles {
            if !roles.contains(&r.name) {
                roles.push(r.name.clone());
            }
        }
        Invitation {
            uid: self.uid("VcsUserInvitation", &id),
            id,
            name: w.username.clone(),
            email: w.username.clone(),
            status: InvitationStatus::from_service(w.status.as_deref().unwrap_or("")),
            created_by: w.generated_by.clone(),
            created_date: w.generated_at.map(rfc3339_from_millis),
            expired_date: w.expiration_time.map(rfc3339_from_millis),
            redeemed_by: w.redeemed_by.clone(),
            redeemed_date: w.redeemed_at.map(rfc3339_from_millis),
            revoked_by: w.revoked_by.clone(),
            revoked_date: w.revoked_at.map(rfc3339_from_millis),
            organization_roles: roles,
            service_roles: self.grants(&w.service_roles_dtos, services),
        }
    }

    async fn invitation_by_id(&self, id: &str, services: &HashMap<String, String>) -> Result<Invitation> {
        let path = format!("{AM}/orgs/{}/invitations/{}", self.inner.org_id, enc(id));
        let w: WireInvitation = self.get_json(&path, "invitation").await.map_err(|mut e| {
            if e.category == ErrorCategory::NotFound {
                e.message = format!("no invitation with id '{}' in this organization", crate::error::excerpt(&id));
                e.field = Some("id".into());
            }
            e
        })?;
        Ok(self.to_invitation(w, services))
    }

    /// The ids of every invitation of the organization, in the service's order.
    async fn invitation_ids(&self) -> Result<Vec<String>> {
        let listed: Value = self.get_json(&format!("{AM}/orgs/{}/invitations", self.inner.org_id), "invitations").await?;
        let items = match &listed {
            Value::Array(a) => a.clone(),
            Value::Object(m) => m.get("results").or_else(|| m.get("refLinks")).and_then(Value::as_array).cloned().unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string).or_else(|| v.get("refLink").and_then(Value::as_str).map(str::to_string)))
            .map(|link| last_segment(&link))
            .collect())
    }

    /// Reads invitations by id, several at once; one that vanished in between is left out.
    async fn read_invitations(&self, ids: Vec<String>, services: &HashMap<String, String>) -> Result<Vec<Invitation>> {
        let fetched: Vec<Result<Invitation>> = stream::iter(ids)
            .map(|id| async move { self.invitation_by_id(&id, services).await })
            .buffered(self.inner.concurrency)
            .collect()
            .await;
        let mut out = Vec::with_capacity(fetched.len());
        for r in fetched {
            match r {
                Ok(i) => out.push(i),
                Err(e) if e.category == ErrorCategory::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Every invitation of the organization: the list gives links, each is then read.
    async fn all_invitations(&self, services: &HashMap<String, String>) -> Result<Vec<Invitation>> {
        let ids = self.invitation_ids().await?;
        self.read_invitations(ids, services).await
    }

    /// The pending invitation of each of `emails` (lower case), reading the newest first and
    /// stopping once every address is found, so inviting stays cheap in an org with a long history.
    async fn pending_invitations_for(
        &self,
        emails: &HashSet<String>,
        services: &HashMap<String, String>,
    ) -> Result<HashMap<String, Invitation>> {
        let mut ids = self.invitation_ids().await?;
        ids.reverse();
        let mut found = HashMap::new();
        for chunk in ids.chunks(self.inner.concurrency * 2) {
            for inv in self.read_invitations(chunk.to_vec(), services).await? {
                let key = inv.email.to_lowercase();
                if inv.status == InvitationStatus::Available && emails.contains(&key) && !found.contains_key(&key) {
                    found.insert(key, inv);
                }
            }
            if found.len() == emails.len() {
                break;
            }
        }
        Ok(found)
    }

    /// `Get-VcsUserInvitation`.
    pub async fn invitations(&self, query: &InvitationQuery) -> Result<Vec<Invitation>> {
        let names = patterns("name", &query.name)?;
        let statuses: Vec<InvitationStatus> =
            query.status.iter().enumerate().map(|(i, s)| InvitationStatus::parse(&format!("status[{i}]"), s)).collect::<Result<_>>()?;
        let services = self.service_names().await?;
        let all = if query.id.is_empty() {
            self.all_invitations(&services).await?
        } else {
            let r: Vec<Result<Invitation>> = stream::iter(query.id.clone())
                .map(|id| {
                    let services = &services;
                    async move { self.invitation_by_id(&id, services).await }
                })
                .buffered(self.inner.concurrency)
                .collect()
                .await;
            r.into_iter().collect::<Result<_>>()?
        };
        Ok(all
            .into_iter()
            .filter(|i| any_matches(&names, [i.email.as_str()]))
            .filter(|i| statuses.is_empty() || statuses.contains(&i.status))
            .collect())
    }

    /// `New-VcsUserInvitation`: checks every email and role first, sends the emails in batches,
    /// then reports for each email the pending invitation it now has, or why it has none.
    pub async fn invite(&self, request: &InvitationRequest) -> Result<BulkReport> {
        if request.emails.is_empty() {
            return Err(Error::invalid("emails", "must name at least one email address"));
        }
        if request.organization_roles.is_empty() {
            return Err(Error::invalid("organizationRoles", "must name at least one organization role"));
        }
        let known = self.organization_roles(&OrganizationRoleQuery::default()).await?;
        for (i, r) in request.organization_roles.iter().enumerate() {
            if !known.iter().any(|k| &k.name == r) {
                let names: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
                return Err(Error::invalid(
                    format!("organizationRoles[{i}]"),
                    format!("unknown role '{}'; this organization has {}", crate::error::excerpt(r), names.join(", ")),
                ));
            }
        }
        let service_dtos = self.service_role_dtos(&request.service_roles).await?;
        let org_roles: Vec<Value> = request.organization_roles.iter().map(|r| json!({"name": r})).collect();

        let mut items: Vec<Option<BulkItem>> = vec![None; request.emails.len()];
        let mut to_send: Vec<(usize, String)> = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (i, email) in request.emails.iter().enumerate() {
            if let Err(e) = check_email(&format!("emails[{i}]"), email) {
                items[i] = Some(BulkItem::failure(email.clone(), None, e));
                continue;
            }
            let key = email.to_lowercase();
            if let Some(&j) = first_seen.get(&key) {
                let mut it = BulkItem::success(email.clone(), "duplicate", None);
                it.message = Some(format!("same address as emails[{j}]; invited once"));
                items[i] = Some(it);
                continue;
            }
            first_seen.insert(key, i);
            to_send.push((i, email.clone()));
        }

        let path = format!("{AM}/orgs/{}/invitations", self.inner.org_id);
        let send = |emails: Vec<&String>| {
            let body = json!({
                "usernames": emails,
                "organizationRoles": org_roles,
                "serviceRolesDtos": service_dtos,
                "skipNotify": request.skip_notify,
            });
            let path = path.clone();
            async move { self.call(Method::POST, &path, Some(body), true).await.map(|_| ()) }
        };
        let batches: Vec<Vec<(usize, String)>> = to_send.chunks(INVITE_BATCH).map(|c| c.to_vec()).collect();
        let ticker = self.ticker("invite", to_send.len());
        let ticker = &ticker;
        let results: Vec<(Vec<(usize, String)>, Result<()>)> = stream::iter(batches)
            .map(|batch| {
                let send = &send;
                async move {
                    let r = send(batch.iter().map(|(_, e)| e).collect()).await;
                    ticker.tick(batch.len());
                    (batch, r)
                }
            })
            .buffer_unordered(self.inner.concurrency)
            .collect()
            .await;
        let mut sent_ok: Vec<(usize, String)> = Vec::new();
        for (batch, r) in results {
            match r {
                Ok(()) => sent_ok.extend(batch),
                // The service refused the batch as a whole: send each email alone to learn which.
                Err(e) if e.category == ErrorCategory::InvalidArgument && batch.len() > 1 => {
                    let singles: Vec<((usize, String), Result<()>)> = stream::iter(batch)
                        .map(|(i, email)| {
                            let send = &send;
                            async move {
                                let r = send(vec![&email]).await;
                                ((i, email), r)
                            }
                        })
                        .buffer_unordered(self.inner.concurrency)
                        .collect()
                        .await;
                    for ((i, email), r) in singles {
                        match r {
                            Ok(()) => sent_ok.push((i, email)),
                            Err(e) => items[i] = Some(BulkItem::failure(email, None, e)),
                        }
                    }
                }
                Err(e) => {
                    for (i, email) in batch {
                        items[i] = Some(BulkItem::failure(email, None, e.clone()));
                    }
                }
            }
        }

        if !sent_ok.is_empty() {
            let services = self.service_names().await?;
            let wanted: HashSet<String> = sent_ok.iter().map(|(_, e)| e.to_lowercase()).collect();
            let pending = self.pending_invitations_for(&wanted, &services).await?;
            for (i, email) in sent_ok {
                items[i] = Some(match pending.get(&email.to_lowercase()) {
                    Some(inv) => {
                        let mut it = BulkItem::success(email, "invited", Some(inv.id.clone()));
                        it.result = serde_json::to_value(inv).ok();
                        it
                    }
                    None => {
                        let mut it = BulkItem::success(email, "notInvited", None);
                        it.message = Some(
                            "no pending invitation was created: the address already belongs to a member, who was given the roles".into(),
                        );
                        it
                    }
                });
            }
        }
        Ok(BulkReport::from_items(items.into_iter().map(|i| i.expect("every email has an outcome")).collect()))
    }

    /// Checks service role specs and groups them by service as the service wants them. A spec with
    /// no service finds each role's service by the role's name.
    async fn service_role_dtos(&self, specs: &[ServiceRoleSpec]) -> Result<Vec<Value>> {
        let all_roles = self.service_roles(&ServiceRoleQuery::default()).await?;
        let services = self.services(&NameQuery::default()).await?;
        // service id -> role names, in first-seen order
        let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            if spec.roles.is_empty() {
                return Err(Error::invalid(format!("serviceRoles[{i}].roles"), "must name at least one role"));
            }
            let service = if spec.service.trim().is_empty() {
                None
            } else {
                Some(self.find_service(&format!("serviceRoles[{i}].service"), &spec.service).await?)
            };
            for (j, r) in spec.roles.iter().enumerate() {
                let field = format!("serviceRoles[{i}].roles[{j}]");
                let role = all_roles.iter().find(|k| &k.name == r && service.as_ref().map_or(true, |s| s.id == k.service_id)).ok_or_else(
                    || match &service {
                        Some(s) => Error::invalid(&field, format!("'{}' is not a role of {}", crate::error::excerpt(r), s.name)),
                        None => {
                            Error::invalid(&field, format!("no service of this organization has the role '{}'", crate::error::excerpt(&r)))
                        }
                    },
                )?;
                match grouped.iter_mut().find(|(sid, _)| sid == &role.service_id) {
                    Some((_, names)) if !names.contains(r) => names.push(r.clone()),
                    Some(_) => {}
                    None => grouped.push((role.service_id.clone(), vec![r.clone()])),
                }
            }
        }
        Ok(grouped
            .into_iter()
            .map(|(sid, names)| {
                let link = services.iter().find(|s| s.id == sid).map(|s| s.self_link.clone()).unwrap_or_default();
                json!({"serviceDefinitionLink": link, "serviceRoles": names.iter().map(|r| json!({"name": r})).collect::<Vec<_>>()})
            })
            .collect())
    }

    /// `Remove-VcsUserInvitation`: revokes pending invitations, several at once.
    pub async fn revoke_invitations(&self, ids: &[String]) -> Result<BulkReport> {
        let ticker = self.ticker("revoke invitations", ids.len());
        let ticker = &ticker;
        let results: Vec<BulkItem> = stream::iter(ids.iter().cloned())
            .map(|id| async move {
                let item = self.revoke_one(id).await;
                ticker.tick(1);
                item
            })
            .buffered(self.inner.concurrency)
            .collect()
            .await;
        Ok(BulkReport::from_items(results))
    }

    async fn revoke_one(&self, id: String) -> BulkItem {
        {
            if id.trim().is_empty() || id.contains('/') {
                return BulkItem::failure(
                    id.clone(),
                    None,
                    Error::invalid("invitations", format!("'{}' is not an invitation id", crate::error::excerpt(&id))),
                );
            }
            let path = format!("{AM}/orgs/{}/invitations/{}", self.inner.org_id, enc(&id));
            match self.call(Method::DELETE, &path, None, true).await {
                Ok(_) => BulkItem::success(id.clone(), "revoked", Some(id)),
                // Refused as "not pending": if it is revoked now (by an earlier attempt whose
                // answer was lost, or before), the caller's wish holds.
                Err(e) if e.http_status == Some(400) => {
                    let services = HashMap::new();
                    match self.invitation_by_id(&id, &services).await {
                        Ok(inv) if inv.status == InvitationStatus::Revoked => {
                            let mut it = BulkItem::success(id.clone(), "revoked", Some(id));
                            it.message = Some("already revoked".into());
                            it
                        }
                        _ => BulkItem::failure(id.clone(), Some(id), e),
                    }
                }
                Err(e) => BulkItem::failure(id.clone(), Some(id), e),
            }
        }
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
