//! Users and invitations as page streams ([`crate::listing`]): the same objects and filters as
//! `users` and `invitations`, handed out page by page while the next pages are fetched.

use super::model::*;
use super::request::*;
use super::{CspClient, AM};
use crate::error::Result;
use crate::job::Job;
use crate::listing::{PageCursor, PageSink, AHEAD};
use crate::wildcard::{any_matches, Pattern};
use futures_util::stream::{self, StreamExt};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// Invitations per page of an invitation cursor (each is one read of the service).
pub const INVITATION_PAGE: usize = 100;

/// The ids of the last pages handed out: users added while paging shift later pages, so a user
/// may come twice across a page boundary. Remembering a window, not every id, keeps memory flat.
struct RecentIds(VecDeque<HashSet<String>>);

impl RecentIds {
    fn new() -> Self {
        RecentIds(VecDeque::new())
    }

    /// Drops the users already handed out in the window, and remembers this page.
    fn fresh(&mut self, users: Vec<User>) -> Vec<User> {
        let users: Vec<User> = users.into_iter().filter(|u| !self.0.iter().any(|page| page.contains(&u.id))).collect();
        self.0.push_back(users.iter().map(|u| u.id.clone()).collect());
        if self.0.len() > AHEAD {
            self.0.pop_front();
        }
        users
    }
}

struct UserFilter {
    /// The selection rule of `users` (crate::select).
    names: Vec<crate::select::Selector>,
    emails: Vec<Pattern>,
}

impl UserFilter {
    fn keep(&self, users: Vec<User>) -> Vec<User> {
        users
            .into_iter()
            .filter(|u| self.names.is_empty() || self.names.iter().any(|s| s.matches(u)))
            .filter(|u| any_matches(&self.emails, [u.email.as_str()]))
            .collect()
    }
}

impl CspClient {
    /// Users page by page (`vcs_get_users_open`): the filters of [`CspClient::users`], checked
    /// before anything is sent. `convert` turns each page into what the reader takes.
    pub fn users_cursor<T: Send + 'static>(
        &self,
        query: &UserQuery,
        job: Arc<Job>,
        convert: impl Fn(Vec<User>) -> Result<T> + Send + Sync + 'static,
    ) -> Result<PageCursor<T>> {
        let filter = UserFilter {
            names: crate::select::Selector::parse_all("name", &query.name, super::request::looks_like_user_id)?,
            emails: patterns("email", &query.email)?,
        };
        let ids = query.id.clone();
        let client = self.with_job(job.clone());
        job.start("list users", 0);
        Ok(PageCursor::start(job, convert, move |sink| async move { client.produce_users(sink, filter, ids).await }))
    }

    async fn produce_users<T: Send + 'static>(&self, sink: PageSink<User, T>, filter: UserFilter, ids: Vec<String>) -> Result<()> {
        // Asked by id, or narrowed by the service's search: one page.
        if !ids.is_empty() {
            let slot = sink.slot().await?;
            let users = sink.fetch(self.users_by_id(&ids)).await?;
            sink.set_total(users.len());
            sink.scanned(users.len());
            return sink.send(slot, filter.keep(users)).await;
        }
        // As `users` narrows: the service's search where the patterns allow it (never for an id).
        let name_patterns: Vec<Pattern> = filter.names.iter().map(|s| s.pattern().clone()).collect();
        let narrowing = if filter.names.iter().any(crate::select::Selector::is_id) {
            None
        } else if filter.names.is_empty() {
            Some(&filter.emails)
        } else {
            Some(&name_patterns)
        };
        let found = match narrowing {
            Some(p) => sink.fetch(self.search_candidates(p)).await?,
            None => None,
        };
        if let Some(found) = found {
            let slot = sink.slot().await?;
            sink.set_total(found.len());
            sink.scanned(found.len());
            return sink.send(slot, filter.keep(found)).await;
        }

        let services = sink.fetch(self.service_names()).await?;
        let services = &services;
        let limit = self.inner.page_size;
        let base = format!("{AM}/v2/orgs/{}/users", self.inner.org_id);
        let mut recent = RecentIds::new();
        let slot = sink.slot().await?;
        let (first, total, mut next) = sink.fetch(self.users_page(&format!("{base}?pageStart=1&pageLimit={limit}"), services)).await?;
        if let Some(t) = total {
            sink.set_total(t);
        }
        sink.scanned(first.len());
        sink.send(slot, filter.keep(recent.fresh(first))).await?;

        if let (Some(total), Some(_)) = (total, &next) {
            // The total is known: the next pages are fetched side by side, at most AHEAD ahead.
            let sink_ref = &sink;
            let base = &base;
            let mut pages = stream::iter((1 + limit..=total).step_by(limit))
                .map(|start| async move {
                    let slot = sink_ref.slot().await?;
                    let page = sink_ref.fetch(self.users_page(&format!("{base}?pageStart={start}&pageLimit={limit}"), services)).await?;
                    Ok::<_, crate::Error>((slot, page))
                })
                .buffered(AHEAD);
            while let Some(fetched) = pages.next().await {
                let (slot, (users, _, link)) = fetched?;
                next = link;
                sink.scanned(users.len());
                sink.send(slot, filter.keep(recent.fresh(users))).await?;
            }
        }
        // Users added while paging, or a service that gives no total: follow nextLink.
        let mut followed = 0usize;
        while let Some(link) = next.take() {
            followed += 1;
            if followed > 100_000 {
                return Err(crate::Error::new(crate::ErrorCategory::Protocol, "paging did not end after 100,000 pages"));
            }
            let slot = sink.slot().await?;
            let (users, _, link) = sink.fetch(self.users_page(&super::same_server_path(&link)?, services)).await?;
            if users.is_empty() {
                break;
            }
            next = link;
            sink.scanned(users.len());
            sink.send(slot, filter.keep(recent.fresh(users))).await?;
        }
        Ok(())
    }

    /// Invitations page by page (`vcs_get_user_invitations_open`): the filters of
    /// [`CspClient::invitations`], checked before anything is sent.
    pub fn invitations_cursor<T: Send + 'static>(
        &self,
        query: &InvitationQuery,
        job: Arc<Job>,
        convert: impl Fn(Vec<Invitation>) -> Result<T> + Send + Sync + 'static,
    ) -> Result<PageCursor<T>> {
        let names = patterns("name", &query.name)?;
        let statuses: Vec<InvitationStatus> =
            query.status.iter().enumerate().map(|(i, s)| InvitationStatus::parse(&format!("status[{i}]"), s)).collect::<Result<_>>()?;
        let ids = query.id.clone();
        let client = self.with_job(job.clone());
        job.start("list invitations", 0);
        let keep = move |all: Vec<Invitation>| -> Vec<Invitation> {
            all.into_iter()
                .filter(|i| any_matches(&names, [i.email.as_str()]))
                .filter(|i| statuses.is_empty() || statuses.contains(&i.status))
                .collect()
        };
        Ok(PageCursor::start(job, convert, move |sink| async move { client.produce_invitations(sink, keep, ids).await }))
    }

    async fn produce_invitations<T: Send + 'static>(
        &self,
        sink: PageSink<Invitation, T>,
        keep: impl Fn(Vec<Invitation>) -> Vec<Invitation> + Send,
        ids: Vec<String>,
    ) -> Result<()> {
        let services = sink.fetch(self.service_names()).await?;
        let services = &services;
        if !ids.is_empty() {
            let slot = sink.slot().await?;
            let read: Vec<Result<Invitation>> = sink
                .fetch(async {
                    Ok(stream::iter(ids.clone())
                        .map(|id| async move { self.invitation_by_id(&id, services).await })
                        .buffered(self.inner.concurrency)
                        .collect()
                        .await)
                })
                .await?;
            let found = read.into_iter().collect::<Result<Vec<_>>>()?;
            sink.set_total(found.len());
            sink.scanned(found.len());
            return sink.send(slot, keep(found)).await;
        }
        // One listing request (`expand=true`), handed out a page at a time.
        let all = sink.fetch(self.invitations_listed(services)).await?;
        sink.set_total(all.len());
        for chunk in all.chunks(INVITATION_PAGE) {
            let slot = sink.slot().await?;
            sink.scanned(chunk.len());
            sink.send(slot, keep(chunk.to_vec())).await?;
        }
        Ok(())
    }
}
