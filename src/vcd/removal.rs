//! Removing Cloud Director users (`Remove-VcdUser`): inputs resolved to users first by the
//! selection rule, the logged-in account refused (the server refuses it too), one DELETE per user
//! side by side under the client's job, and one report naming every user, real run and dry run.

use super::model::VcdUser;
use super::request::looks_like_user_urn;
use super::{VcdClient, CLOUDAPI};
use crate::bulk::{BulkItem, BulkReport};
use crate::error::{Error, ErrorCategory, Result};
use crate::removal::{refuse_self, Plan, RemovalOptions, OUTCOME_REMOVED};
use crate::select::Selector;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use std::collections::HashMap;

impl VcdClient {
    /// Removes users given by URN, username, email, full name or pattern, with the default guard rails.
    pub async fn remove_users(&self, refs: &[String]) -> Result<BulkReport> {
        self.remove_users_with(refs, &RemovalOptions::default()).await
    }

    /// What `remove_users_with` would do, item by item (`wouldRemove`, `refused`, `failed`),
    /// removing nobody. The logged-in account is always `refused`: the server refuses it.
    pub async fn dry_run_remove_users(&self, refs: &[String], options: &RemovalOptions) -> Result<BulkReport> {
        let strict = RemovalOptions { allow_self: false, ..*options };
        Ok(self.plan_remove_users(refs, &strict).await?.dry_run())
    }

    /// Removes users, several at once; reports every input and user.
    pub async fn remove_users_with(&self, refs: &[String], options: &RemovalOptions) -> Result<BulkReport> {
        let job = self.job.clone();
        if let Some(j) = &job {
            j.start("remove users", 0);
        }
        let planning = self.plan_remove_users(refs, options);
        let plan = match &job {
            None => planning.await?,
            Some(j) => tokio::select! {
                biased;
                p = planning => match p {
                    Err(e) if e.is_cancelled() => {
                        return Ok(BulkReport::from_items(refs.iter().map(|r| BulkItem::not_started(r.clone(), None)).collect()));
                    }
                    p => p?,
                },
                _ = j.cancelled() => {
                    return Ok(BulkReport::from_items(refs.iter().map(|r| BulkItem::not_started(r.clone(), None)).collect()));
                }
            },
        };
        self.remove_planned(plan).await
    }

    /// Carries out a plan made by `plan_remove_users` (after a front end showed it and asked):
    /// exactly the users it names are sent, whatever changed since.
    pub async fn remove_planned(&self, plan: Plan) -> Result<BulkReport> {
        let job = self.job.clone();
        if let Some(j) = &job {
            j.set_total(plan.len());
        }
        plan.record_settled(job.as_ref());
        let (plan_ref, job_ref) = (&plan, &job);
        let sent: HashMap<usize, BulkItem> = stream::iter(plan.to_send())
            .map(|(i, target)| async move {
                if job_ref.as_ref().is_some_and(|j| j.is_cancelled()) {
                    return None;
                }
                let input = plan_ref.input(i);
                let id = Some(target.id.clone());
                let path = format!("{CLOUDAPI}/users/{}", crate::csp::enc(&target.id));
                let sending = self.call(Method::DELETE, &path, None, true);
                let result = match job_ref {
                    None => Some(sending.await),
                    Some(j) => tokio::select! {
                        biased;
                        r = sending => Some(r),
                        _ = j.cancelled() => None,
                    },
                };
                let item = match result {
                    Some(Ok(_)) => BulkItem::success(input, OUTCOME_REMOVED, id),
                    Some(Err(e)) if e.is_cancelled() && e.not_sent => BulkItem::not_started(input, id),
                    Some(Err(e)) if e.is_cancelled() => BulkItem::unknown(input, id, e),
                    Some(Err(e)) => BulkItem::failure(input, id, e),
                    None => BulkItem::unknown(
                        input,
                        id,
                        Error::new(
                            ErrorCategory::Network,
                            "cancelled while the request was in flight; whether the user was removed is unknown",
                        ),
                    ),
                }
                .with_target(target);
                if let Some(j) = job_ref {
                    j.finish(&item);
                }
                Some((i, item))
            })
            .buffer_unordered(self.inner.options.concurrency)
            .filter_map(|x| async move { x })
            .collect()
            .await;
        let cancelled = job.as_ref().is_some_and(|j| j.is_cancelled());
        Ok(plan.finish(sent, job.as_ref()).cancelled(cancelled))
    }

    /// Resolves every input to users and applies the guard rails. Changes nothing.
    pub async fn plan_remove_users(&self, refs: &[String], options: &RemovalOptions) -> Result<Plan> {
        if refs.is_empty() {
            return Err(Error::invalid("users", "must name at least one user"));
        }
        let selectors: Vec<Result<Selector>> =
            refs.iter().enumerate().map(|(i, r)| Selector::parse(&format!("users[{i}]"), r, looks_like_user_urn)).collect();
        let need_listing = selectors.iter().any(|s| s.as_ref().is_ok_and(|s| !s.is_id()));
        let listing = if need_listing { Some(self.users(&Default::default()).await?) } else { None };
        let mut by_id: HashMap<String, Result<VcdUser>> = HashMap::new();
        if listing.is_none() {
            let ids: Vec<String> = selectors.iter().filter_map(|s| s.as_ref().ok()).map(|s| s.input().to_string()).collect();
            let got: Vec<(String, Result<VcdUser>)> = stream::iter(ids)
                .map(|id| async move {
                    let u = self.user_by_urn(&id).await;
                    (id, u)
                })
                .buffered(self.inner.options.concurrency)
                .collect()
                .await;
            by_id.extend(got);
        }
        let resolved: Vec<(String, Result<Vec<VcdUser>>)> = refs
            .iter()
            .zip(selectors)
            .map(|(r, s)| {
                let users = s.and_then(|s| match &listing {
                    Some(all) => s.select(all).map(|hits| hits.into_iter().cloned().collect()),
                    None => match by_id.get(s.input()) {
                        Some(Ok(u)) => Ok(vec![u.clone()]),
                        Some(Err(e)) => Err(e.clone()),
                        None => Err(s.not_found()),
                    },
                });
                (r.trim().to_string(), users)
            })
            .collect();
        let me = self.inner.info.user_id.clone();
        Ok(Plan::build(resolved, |u: &VcdUser| (u.id == me && !options.allow_self).then(|| refuse_self(true))))
    }
}
