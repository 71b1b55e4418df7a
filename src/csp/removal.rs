//! Removing users (`Remove-VcsUser`): inputs resolved to users first, guard rails (the caller's
//! own membership, the last `org_owner`), batches of 20 sent side by side under the client's job,
//! and one report naming every user, for the real run and the dry run alike.

use super::model::*;
use super::request::*;
use super::{CspClient, AM, REMOVE_BATCH};
use crate::bulk::{BulkItem, BulkReport, Target};
use crate::error::{Error, ErrorCategory, Result};
use crate::http::Reply;
use crate::removal::{refuse_self, Plan, RemovalOptions, OUTCOME_REMOVED};
use crate::select::Selector;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::json;
use std::collections::{HashMap, HashSet};

const OWNER: &str = "org_owner";

fn is_owner(u: &User) -> bool {
    u.organization_roles.iter().any(|r| r == OWNER)
}

impl CspClient {
    /// `Remove-VcsUser` with the default guard rails.
    pub async fn remove_users(&self, refs: &[UserRef], notify_users: bool) -> Result<BulkReport> {
        self.remove_users_with(refs, &RemovalOptions { notify_users, allow_self: false }).await
    }

    /// What `remove_users_with` would do, item by item (`wouldRemove`, `refused`, `failed`),
    /// removing nobody.
    pub async fn dry_run_remove_users(&self, refs: &[UserRef], options: &RemovalOptions) -> Result<BulkReport> {
        Ok(self.plan_remove_users(refs, options).await?.dry_run())
    }

    /// Removes users in batches of 20, several batches at once; reports every input and user.
    pub async fn remove_users_with(&self, refs: &[UserRef], options: &RemovalOptions) -> Result<BulkReport> {
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
                    Err(e) if e.is_cancelled() => return Ok(not_started(refs)),
                    p => p?,
                },
                _ = j.cancelled() => return Ok(not_started(refs)),
            },
        };
        self.remove_planned(plan, options).await
    }

    /// Carries out a plan made by `plan_remove_users` (after a front end showed it and asked):
    /// exactly the users it names are sent, whatever changed since.
    pub async fn remove_planned(&self, plan: Plan, options: &RemovalOptions) -> Result<BulkReport> {
        let job = self.job.clone();
        if let Some(j) = &job {
            j.set_total(plan.len());
        }
        plan.record_settled(job.as_ref());
        let work = plan.to_send();
        let path = format!("{AM}/v2/orgs/{}/users", self.inner.org_id);
        let batches: Vec<Vec<(usize, Target)>> = work.chunks(REMOVE_BATCH).map(<[_]>::to_vec).collect();
        let ticker = self.ticker("remove users", work.len());
        let (ticker, plan_ref, job_ref) = (&ticker, &plan, &job);
        let done: Vec<Vec<(usize, BulkItem)>> = stream::iter(batches)
            .map(|batch| {
                let path = path.clone();
                async move {
                    if job_ref.as_ref().is_some_and(|j| j.is_cancelled()) {
                        return Vec::new();
                    }
                    let ids: Vec<&String> = batch.iter().map(|(_, t)| &t.id).collect();
                    let body = json!({"ids": ids, "notifyUsers": options.notify_users});
                    let sending = self.call(Method::DELETE, &path, Some(body), true);
                    let result = match job_ref {
                        None => Some(sending.await),
                        Some(j) => tokio::select! {
                            biased;
                            r = sending => Some(r),
                            _ = j.cancelled() => None,
                        },
                    };
                    let items = batch_items(plan_ref, batch, result);
                    ticker.tick(items.len());
                    if let Some(j) = job_ref {
                        items.iter().for_each(|(_, it)| j.finish(it));
                    }
                    items
                }
            })
            .buffer_unordered(self.inner.concurrency)
            .collect()
            .await;
        let sent: HashMap<usize, BulkItem> = done.into_iter().flatten().collect();
        let cancelled = job.as_ref().is_some_and(|j| j.is_cancelled());
        Ok(plan.finish(sent, job.as_ref()).cancelled(cancelled))
    }

    /// Resolves every input to users, then applies the guard rails. Sends nothing that changes.
    pub async fn plan_remove_users(&self, refs: &[UserRef], options: &RemovalOptions) -> Result<Plan> {
        if refs.is_empty() {
            return Err(Error::invalid("users", "must name at least one user"));
        }
        let selectors: Vec<Result<Selector>> = refs.iter().enumerate().map(|(i, r)| r.selector(&format!("users[{i}]"))).collect();
        // Patterns and names need the listing; ids alone are read one by one.
        let listing = if selectors.iter().any(|s| s.as_ref().is_ok_and(|s| !s.is_id())) { Some(self.all_users().await?) } else { None };
        let by_id: HashMap<String, Result<User>> = if listing.is_none() {
            let ids: Vec<String> = selectors.iter().filter_map(|s| s.as_ref().ok()).map(|s| s.input().to_string()).collect();
            let unique: Vec<String> = ids.iter().cloned().collect::<HashSet<_>>().into_iter().collect();
            unique.iter().cloned().zip(self.each_user_by_id(&unique).await?).collect()
        } else {
            HashMap::new()
        };
        let resolved: Vec<(String, Result<Vec<User>>)> = refs
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
                (r.describe(), users)
            })
            .collect();
        let caller = self.inner.username.to_lowercase();
        let owner_targets = resolved.iter().filter_map(|(_, r)| r.as_ref().ok()).flatten().any(is_owner);
        // How many owners the organization has: counted only when an owner is to be removed.
        let mut owners_left = match (&listing, owner_targets && !options.allow_self) {
            (_, false) => usize::MAX,
            (Some(all), true) => all.iter().filter(|u| is_owner(u)).count(),
            (None, true) => self.all_users().await?.iter().filter(|u| is_owner(u)).count(),
        };
        Ok(Plan::build(resolved, |u: &User| {
            if options.allow_self {
                return None;
            }
            if !caller.is_empty() && (u.username.eq_ignore_ascii_case(&caller) || u.email.eq_ignore_ascii_case(&caller)) {
                return Some(refuse_self(false));
            }
            if is_owner(u) {
                if owners_left <= 1 {
                    let mut e = Error::new(
                        ErrorCategory::Conflict,
                        "this is the organization's last org_owner; removing it needs allowSelf (--allow-self), and the service refuses it too",
                    );
                    e.field = Some("allowSelf".into());
                    e.service_code = Some("LAST_ORG_OWNER".into());
                    return Some(e);
                }
                owners_left -= 1;
            }
            None
        }))
    }
}

/// Every input not started: the job was cancelled before anything was resolved.
fn not_started(refs: &[UserRef]) -> BulkReport {
    BulkReport::from_items(refs.iter().map(|r| BulkItem::not_started(r.describe(), None)).collect())
}

/// The items of one batch from the service's answer; `None`: abandoned in flight (cancelled).
fn batch_items(plan: &Plan, batch: Vec<(usize, Target)>, result: Option<Result<Reply>>) -> Vec<(usize, BulkItem)> {
    let item = |i: usize, t: Target, outcome: std::result::Result<(), Error>| {
        let input = plan.input(i);
        let id = Some(t.id.clone());
        let it = match outcome {
            Ok(()) => BulkItem::success(input, OUTCOME_REMOVED, id),
            Err(e) => BulkItem::failure(input, id, e),
        };
        (i, it.with_target(t))
    };
    let reply = match result {
        None => {
            let e =
                Error::new(ErrorCategory::Network, "cancelled while the request was in flight; whether the user was removed is unknown");
            return batch
                .into_iter()
                .map(|(i, t)| (i, BulkItem::unknown(plan.input(i), Some(t.id.clone()), e.clone()).with_target(t)))
                .collect();
        }
        Some(Err(e)) if e.is_cancelled() && e.not_sent => {
            return batch.into_iter().map(|(i, t)| (i, BulkItem::not_started(plan.input(i), Some(t.id.clone())).with_target(t))).collect();
        }
        Some(Err(e)) if e.is_cancelled() => {
            return batch.into_iter().map(|(i, t)| (i, BulkItem::unknown(plan.input(i), Some(t.id.clone()), e.clone()).with_target(t))).collect();
        }
        Some(Err(e)) => return batch.into_iter().map(|(i, t)| item(i, t, Err(e.clone()))).collect(),
        Some(Ok(reply)) => reply,
    };
    let wire: WireRemoveUsers = match reply.json("remove users") {
        Ok(w) => w,
        Err(e) => return batch.into_iter().map(|(i, t)| item(i, t, Err(e.clone()))).collect(),
    };
    let succeeded: HashSet<&String> = wire.succeeded.iter().collect();
    batch
        .into_iter()
        .map(|(i, t)| {
            if succeeded.contains(&t.id) {
                return item(i, t, Ok(()));
            }
            let failure = wire.failures.iter().find(|f| f.id == t.id);
            let code = failure.and_then(|f| f.error_code.clone());
            // Every user sent was read as a member just before; a first attempt lost in the
            // network may have removed it, and only then does "not found" confirm the removal.
            if reply.after_lost_attempt && code.as_deref() == Some("USER_NOT_FOUND") {
                let (i, mut it) = item(i, t, Ok(()));
                it.message = Some("confirmed after a retry".into());
                return (i, it);
            }
            let error = match failure {
                Some(f) => {
                    let category = match f.error_code.as_deref() {
                        Some(c) if c.contains("NOT_FOUND") => ErrorCategory::NotFound,
                        Some(c) if c.contains("OWNER") || c.contains("CONFLICT") => ErrorCategory::Conflict,
                        _ => ErrorCategory::Server,
                    };
                    let mut e = Error::new(category, f.message.clone().unwrap_or_else(|| "the service did not remove this user".into()))
                        .with_status(reply.status)
                        .with_request_id(reply.request_id.clone());
                    e.service_code = f.error_code.clone();
                    e
                }
                None if wire.failed.contains(&t.id) => Error::new(ErrorCategory::Server, "the service reported this user as not removed")
                    .with_request_id(reply.request_id.clone()),
                None => {
                    let e = Error::new(ErrorCategory::Protocol, "the service's answer does not mention this user; its state is unknown")
                        .with_request_id(reply.request_id.clone());
                    return (i, BulkItem::unknown(plan.input(i), Some(t.id.clone()), e).with_target(t));
                }
            };
            item(i, t, Err(error))
        })
        .collect()
}
