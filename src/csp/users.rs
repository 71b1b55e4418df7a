//! Users: listing (paged, searched, by id), resolving references, removing.

use super::model::*;
use super::request::*;
use super::{enc, same_server_path, CspClient, AM, SEARCH_LIMIT};
use crate::select::Selector;
use crate::error::{Error, ErrorCategory, Result};
use crate::wildcard::{any_matches, Pattern};
use futures_util::stream::{self, StreamExt};
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
        let names = Selector::parse_all("name", &query.name, looks_like_user_id)?;
        let emails = patterns("email", &query.email)?;
        let candidates = if !query.id.is_empty() {
            self.users_by_id(&query.id).await?
        } else {
            let name_patterns: Vec<Pattern> = names.iter().map(|s| s.pattern().clone()).collect();
            // An id is not a search term: a listing finds it.
            let narrowing = if names.iter().any(Selector::is_id) {
                None
            } else if names.is_empty() {
                Some(&emails)
            } else {
                Some(&name_patterns)
            };
            let found = match narrowing {
                Some(p) => self.search_candidates(p).await?,
                None => None,
            };
            match found {
                Some(c) => c,
                None => self.all_users().await?,
            }
        };
        Ok(candidates
            .into_iter()
            .filter(|u| names.is_empty() || names.iter().any(|s| s.matches(u)))
            .filter(|u| any_matches(&emails, [u.email.as_str()]))
            .collect())
    }

    pub(super) async fn users_by_id(&self, ids: &[String]) -> Result<Vec<User>> {
        self.each_user_by_id(ids).await?.into_iter().collect()
    }

    /// Each id's user, or why not, side by side.
    pub(super) async fn each_user_by_id(&self, ids: &[String]) -> Result<Vec<Result<User>>> {
        let services = self.service_names().await?;
        Ok(stream::iter(ids.iter().cloned())
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
            .await)
    }

    /// Resolves references to user ids by the selection rule (`crate::select`): ids pass through;
    /// names, emails and patterns are looked up (one full listing, only when needed). Each input
    /// keeps its own outcome. Changes nothing.
    pub async fn resolve_users(&self, refs: &[UserRef]) -> Result<Vec<(String, Result<Vec<String>>)>> {
        let need_listing = refs.iter().any(|r| matches!(r, UserRef::Name(_)));
        let all = if need_listing { self.all_users().await? } else { Vec::new() };
        Ok(refs
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let input = r.describe();
                let outcome = match r {
                    UserRef::Id(id) => Ok(vec![id.clone()]),
                    UserRef::Name(_) => r
                        .selector(&format!("users[{i}]"))
                        .and_then(|s| s.select(&all).map(|hits| hits.into_iter().map(|u| u.id.clone()).collect())),
                };
                (input, outcome)
            })
            .collect())
    }
}
