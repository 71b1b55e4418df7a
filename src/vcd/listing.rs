//! Cloud Director users as a page stream ([`crate::listing`]): the same objects and filters as
//! `users`, handed out page by page while the next pages are fetched.

use super::model::VcdUser;
use super::request::VcdUserQuery;
use super::VcdClient;
use crate::error::Result;
use crate::job::Job;
use crate::listing::{PageCursor, PageSink, AHEAD};
use crate::select::Selector;
use crate::wildcard::{any_matches, Pattern};
use futures_util::stream::{self, StreamExt};
use std::sync::Arc;

struct VcdUserFilter {
    /// The selection rule of `users` (crate::select).
    names: Vec<Selector>,
    emails: Vec<Pattern>,
}

impl VcdUserFilter {
    fn keep(&self, users: Vec<VcdUser>) -> Vec<VcdUser> {
        users
            .into_iter()
            .filter(|u| self.names.is_empty() || self.names.iter().any(|s| s.matches(u)))
            .filter(|u| any_matches(&self.emails, [u.email.as_str()]))
            .collect()
    }
}

impl VcdClient {
    /// Users page by page (`vcd_get_users_open`): the filters of [`VcdClient::users`], checked
    /// before anything is sent. `convert` turns each page into what the reader takes.
    pub fn users_cursor<T: Send + 'static>(
        &self,
        query: &VcdUserQuery,
        job: Arc<Job>,
        convert: impl Fn(Vec<VcdUser>) -> Result<T> + Send + Sync + 'static,
    ) -> Result<PageCursor<T>> {
        let filter = VcdUserFilter {
            names: Selector::parse_all("name", &query.name, super::looks_like_user_urn)?,
            emails: crate::csp::request::patterns("email", &query.email)?,
        };
        let query = query.clone();
        let client = self.with_job(job.clone());
        job.start("list users", 0);
        Ok(PageCursor::start(job, convert, move |sink| async move { client.produce_users(sink, filter, query).await }))
    }

    async fn produce_users<T: Send + 'static>(&self, sink: PageSink<VcdUser, T>, filter: VcdUserFilter, query: VcdUserQuery) -> Result<()> {
        if !query.id.is_empty() {
            let slot = sink.slot().await?;
            let got: Vec<Result<VcdUser>> = sink
                .fetch(async {
                    Ok(stream::iter(query.id.clone())
                        .map(|id| async move { self.user_by_urn(&id).await })
                        .buffered(self.inner.options.concurrency)
                        .collect()
                        .await)
                })
                .await?;
            let users = got.into_iter().collect::<Result<Vec<_>>>()?;
            sink.set_total(users.len());
            sink.scanned(users.len());
            return sink.send(slot, filter.keep(users)).await;
        }
        let fiql = query.filter.as_deref();
        let slot = sink.slot().await?;
        let first = sink.fetch(self.get_page("users", fiql, 1)).await?;
        if let Some(t) = first.result_total {
            sink.set_total(t);
        }
        let page_count = first.page_count;
        let users = first.values.into_iter().map(Self::to_user).collect::<Result<Vec<_>>>()?;
        sink.scanned(users.len());
        sink.send(slot, filter.keep(users)).await?;
        let sink_ref = &sink;
        let mut pages = stream::iter(2..=page_count.max(1))
            .map(|page| async move {
                let slot = sink_ref.slot().await?;
                let fetched = sink_ref.fetch(self.get_page("users", fiql, page)).await?;
                Ok::<_, crate::Error>((slot, fetched))
            })
            .buffered(AHEAD);
        while let Some(fetched) = pages.next().await {
            let (slot, page) = fetched?;
            let users = page.values.into_iter().map(Self::to_user).collect::<Result<Vec<_>>>()?;
            sink.scanned(users.len());
            sink.send(slot, filter.keep(users)).await?;
        }
        Ok(())
    }
}
