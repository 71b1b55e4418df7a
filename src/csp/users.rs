//! Users: listing (paged, searched, by id), resolving references, removing.

use super::model::*;
use super::request::*;
use super::{enc, same_server_path, CspClient, AM, REMOVE_BATCH, SEARCH_LIMIT};
use crate::bulk::{BulkItem, BulkReport};
use crate::error::{Error, ErrorCategory, Result};
use crate::http::Reply;
use crate::wildcard::{any_matches, Pattern};
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::json;
use std::collections::{HashMap, HashSet};

impl CspClient {
    // ---- users ---------------------------------------------------------------------------------

    pub(super) fn to_user(&self, w: WireExpandedUser, services: &HashMap<String, String>) -> User {
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
    pub(super) async fn users_page(&self, path: &str, services: &HashMap<String, String>) -> Result<(Vec<User>, Option<usize>, Option<String>)> {
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
    pub(super) async fn search_candidates(&self, patterns: &[Pattern]) -> Result<Option<Vec<User>>> {
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

    pub(super) async fn users_by_id(&self, ids: &[String]) -> Result<Vec<User>> {
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
}
