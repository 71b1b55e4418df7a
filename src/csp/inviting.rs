//! Inviting (batched, then reading back only what was just created) and revoking invitations.
//! Both honour the client's job: nothing is sent once it is cancelled, each item is recorded as it
//! finishes, and an outcome the service did not show is reported `unknown`, never done or failed.

use super::model::*;
use super::request::*;
use super::{enc, CspClient, AM, INVITE_BATCH};
use crate::bulk::{BulkItem, BulkReport};
use crate::error::{Error, ErrorCategory, Result};
use crate::http::read_with_retries;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// What became of one batch of addresses sent to the service.
enum Sent {
    /// Accepted (2xx).
    Accepted,
    /// The answer was lost or a server error came back: the batch may or may not have acted.
    Uncertain(Error),
    /// The call was cancelled before the batch was sent.
    NotSent,
    /// Cancelled while the batch was in flight.
    Abandoned(Error),
    /// Refused: nothing was done.
    Refused(Error),
}

impl Sent {
    fn of(r: Result<()>) -> Sent {
        match r {
            Ok(()) => Sent::Accepted,
            Err(e) if e.is_cancelled() && e.not_sent => Sent::NotSent,
            Err(e) if e.is_cancelled() => Sent::Abandoned(e),
            Err(e) if e.not_sent => Sent::Refused(e),
            Err(e) => Sent::Uncertain(e),
        }
    }
}

impl CspClient {
    /// Records a finished item on the job, if there is one.
    pub(super) fn finished(&self, item: BulkItem) -> BulkItem {
        if let Some(job) = &self.job {
            job.finish(&item);
        }
        item
    }

    fn cancelled(&self) -> bool {
        self.job.as_ref().is_some_and(|j| j.is_cancelled())
    }

    /// Bulk work keeps this many items under way; the transport caps what is on the wire, so a
    /// request waiting out a `Retry-After` does not hold up the others.
    pub(super) fn lanes(&self) -> usize {
        self.inner.concurrency * 16
    }

    /// `New-VcsUserInvitation`: checks every email and role first, sends the emails in batches,
    /// then reads back only the invitations created since it started, newest first, and reports
    /// for each email the pending invitation it now has, or why it has none.
    pub async fn invite(&self, request: &InvitationRequest) -> Result<BulkReport> {
        if request.emails.is_empty() {
            return Err(Error::invalid("emails", "must name at least one email address"));
        }
        if request.organization_roles.is_empty() {
            return Err(Error::invalid("organizationRoles", "must name at least one organization role"));
        }
        if let Some(job) = &self.job {
            job.start("invite", request.emails.len());
        }
        let (service_dtos, before) = match self.invite_prelude(request).await {
            Ok(p) => p,
            Err(e) if e.is_cancelled() => {
                let items = request.emails.iter().map(|e| self.finished(BulkItem::not_started(e.clone(), None))).collect();
                return Ok(BulkReport::from_items(items).cancelled(true));
            }
            Err(e) => return Err(e),
        };
        let org_roles: Vec<Value> = request.organization_roles.iter().map(|r| json!({"name": r})).collect();

        let mut items: Vec<Option<BulkItem>> = vec![None; request.emails.len()];
        let mut to_send: Vec<(usize, String)> = Vec::new();
        let mut first_seen: HashMap<String, usize> = HashMap::new();
        for (i, email) in request.emails.iter().enumerate() {
            if let Err(e) = check_email(&format!("emails[{i}]"), email) {
                items[i] = Some(self.finished(BulkItem::failure(email.clone(), None, e)));
                continue;
            }
            let key = email.to_lowercase();
            if let Some(&j) = first_seen.get(&key) {
                let mut it = BulkItem::success(email.clone(), "duplicate", None);
                it.message = Some(format!("same address as emails[{j}]; invited once"));
                items[i] = Some(self.finished(it));
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
        let results: Vec<(Vec<(usize, String)>, Sent)> = stream::iter(batches)
            .map(|batch| {
                let send = &send;
                async move {
                    if self.cancelled() {
                        return (batch, Sent::NotSent);
                    }
                    let r = send(batch.iter().map(|(_, e)| e).collect()).await;
                    ticker.tick(batch.len());
                    (batch, Sent::of(r))
                }
            })
            .buffer_unordered(self.inner.concurrency)
            .collect()
            .await;

        // Addresses to look for in the read-back: accepted ones, and those whose answer was lost.
        let mut accepted: Vec<(usize, String)> = Vec::new();
        let mut uncertain: Vec<(usize, String, Error)> = Vec::new();
        let mut settle = |items: &mut Vec<Option<BulkItem>>, (i, email): (usize, String), sent: Sent| match sent {
            Sent::Accepted => accepted.push((i, email)),
            Sent::Uncertain(e) => uncertain.push((i, email, e)),
            Sent::NotSent => items[i] = Some(self.finished(BulkItem::not_started(email, None))),
            Sent::Abandoned(e) => items[i] = Some(self.finished(BulkItem::unknown(email, None, e))),
            Sent::Refused(e) => items[i] = Some(self.finished(BulkItem::failure(email, None, e))),
        };
        for (batch, sent) in results {
            match sent {
                // The service refused the batch as a whole: send each email alone to learn which.
                Sent::Refused(e) if e.category == ErrorCategory::InvalidArgument && batch.len() > 1 => {
                    let singles: Vec<((usize, String), Sent)> = stream::iter(batch)
                        .map(|(i, email)| {
                            let send = &send;
                            async move {
                                if self.cancelled() {
                                    return ((i, email), Sent::NotSent);
                                }
                                let r = send(vec![&email]).await;
                                ((i, email), Sent::of(r))
                            }
                        })
                        .buffer_unordered(self.inner.concurrency)
                        .collect()
                        .await;
                    for (one, sent) in singles {
                        settle(&mut items, one, sent);
                    }
                }
                Sent::Refused(e) => {
                    for one in batch {
                        settle(&mut items, one, Sent::Refused(e.clone()));
                    }
                }
                Sent::Uncertain(e) => {
                    for one in batch {
                        settle(&mut items, one, Sent::Uncertain(e.clone()));
                    }
                }
                Sent::Abandoned(e) => {
                    for one in batch {
                        settle(&mut items, one, Sent::Abandoned(e.clone()));
                    }
                }
                Sent::Accepted | Sent::NotSent => {
                    for one in batch {
                        let sent = if matches!(sent, Sent::Accepted) { Sent::Accepted } else { Sent::NotSent };
                        settle(&mut items, one, sent);
                    }
                }
            }
        }

        if !accepted.is_empty() || !uncertain.is_empty() {
            let wanted: HashSet<String> =
                accepted.iter().map(|(_, e)| e.to_lowercase()).chain(uncertain.iter().map(|(_, e, _)| e.to_lowercase())).collect();
            let read_back = self.invitations_created_since(&before, &wanted).await;
            for (i, email, lost) in accepted.into_iter().map(|(i, e)| (i, e, None)).chain(uncertain.into_iter().map(|(i, e, x)| (i, e, Some(x)))) {
                let item = match &read_back {
                    Ok((found, complete)) => match found.get(&email.to_lowercase()) {
                        Some(inv) => {
                            let mut it = BulkItem::success(email, "invited", Some(inv.id.clone()));
                            if lost.is_some() {
                                it.message = Some("the answer to the invitation request was lost; the invitation was found".into());
                            }
                            it.result = serde_json::to_value(inv).ok();
                            it
                        }
                        None => match lost {
                            Some(e) => {
                                let mut it = BulkItem::unknown(email, None, e);
                                it.message = Some("the answer to the invitation request was lost and no new invitation for this address was found: it was not invited, or it belongs to a member who may have been given the roles".into());
                                it
                            }
                            None if *complete => {
                                let mut it = BulkItem::success(email, "notInvited", None);
                                it.message = Some("the service accepted the address but created no new invitation: it belongs to a member, who was given the roles, or it already has a pending invitation".into());
                                it
                            }
                            None => {
                                let mut it = BulkItem::unknown(
                                    email,
                                    None,
                                    Error::new(ErrorCategory::Server, "some invitations created by this call could not be read back"),
                                );
                                it.message = Some("the service accepted the address; its invitation could not be read back".into());
                                it
                            }
                        },
                    },
                    Err(e) => {
                        let mut it = BulkItem::unknown(email, None, e.clone());
                        it.message = Some(match lost {
                            None => "the service accepted the address; reading its invitation back failed".into(),
                            Some(_) => "the answer to the invitation request was lost, and reading back failed".into(),
                        });
                        it
                    }
                };
                items[i] = Some(self.finished(item));
            }
        }
        let cancelled = self.cancelled();
        Ok(BulkReport::from_items(items.into_iter().map(|i| i.expect("every email has an outcome")).collect()).cancelled(cancelled))
    }

    /// Checks the roles, builds the service role grants and notes which invitations exist before
    /// anything is sent, so the read-back can skip them.
    async fn invite_prelude(&self, request: &InvitationRequest) -> Result<(Vec<Value>, HashSet<String>)> {
        // Side by side: one request waiting out a Retry-After does not hold up the others.
        let all_roles = OrganizationRoleQuery::default();
        let (known, service_dtos, before) = tokio::try_join!(
            self.organization_roles(&all_roles),
            self.service_role_dtos(&request.service_roles),
            read_with_retries(self.job.as_deref(), || self.invitation_ids()),
        )?;
        for (i, r) in request.organization_roles.iter().enumerate() {
            if !known.iter().any(|k| &k.name == r) {
                let names: Vec<&str> = known.iter().map(|k| k.name.as_str()).collect();
                return Err(Error::invalid(
                    format!("organizationRoles[{i}]"),
                    format!("unknown role '{}'; this organization has {}", crate::error::excerpt(r), names.join(", ")),
                ));
            }
        }
        Ok((service_dtos, before.into_iter().collect()))
    }

    /// The pending invitations of `wanted` (lower-case addresses) among those created after
    /// `before` was taken: one listing, then only the new invitations are read, newest first,
    /// until every address is found. Reads that fail are tried again; `complete` is false when
    /// some new invitation still could not be read (so a missing address proves nothing).
    async fn invitations_created_since(
        &self,
        before: &HashSet<String>,
        wanted: &HashSet<String>,
    ) -> Result<(HashMap<String, Invitation>, bool)> {
        let job = self.job.as_deref();
        let (services, ids) =
            tokio::try_join!(read_with_retries(job, || self.service_names()), read_with_retries(job, || self.invitation_ids()))?;
        let services = &services;
        let new_ids: Vec<String> = ids.into_iter().rev().filter(|id| !before.contains(id)).collect();
        let mut reads = stream::iter(new_ids)
            .map(|id| async move { read_with_retries(job, || self.invitation_by_id(&id, services)).await })
            .buffer_unordered(self.lanes());
        let mut found = HashMap::new();
        let mut complete = true;
        while found.len() < wanted.len() {
            match reads.next().await {
                None => break,
                Some(Ok(inv)) => {
                    let key = inv.email.to_lowercase();
                    if inv.status == InvitationStatus::Available && wanted.contains(&key) {
                        found.entry(key).or_insert(inv);
                    }
                }
                Some(Err(e)) if e.is_cancelled() => return Err(e),
                // Gone (revoked and purged) or unreadable: this call cannot tell whose it was.
                Some(Err(_)) => complete = false,
            }
        }
        Ok((found, complete))
    }

    /// `Remove-VcsUserInvitation`: revokes pending invitations, several at once; the same id
    /// twice is revoked once.
    pub async fn revoke_invitations(&self, ids: &[String]) -> Result<BulkReport> {
        if let Some(job) = &self.job {
            job.start("revoke invitations", ids.len());
        }
        let mut items: Vec<Option<BulkItem>> = vec![None; ids.len()];
        let mut first_seen: HashMap<&str, usize> = HashMap::new();
        let mut work = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if let Some(&j) = first_seen.get(id.as_str()) {
                let mut it = BulkItem::success(id.clone(), "duplicate", Some(id.clone()));
                it.message = Some(format!("same invitation as invitations[{j}]; revoked once"));
                items[i] = Some(self.finished(it));
                continue;
            }
            first_seen.insert(id, i);
            work.push((i, id.clone()));
        }
        let ticker = self.ticker("revoke invitations", ids.len());
        let ticker = &ticker;
        let mut results = stream::iter(work)
            .map(|(i, id)| async move {
                let item = if self.cancelled() { BulkItem::not_started(id.clone(), Some(id)) } else { self.revoke_one(id).await };
                ticker.tick(1);
                (i, self.finished(item))
            })
            .buffer_unordered(self.lanes());
        while let Some((i, item)) = results.next().await {
            items[i] = Some(item);
        }
        let cancelled = self.cancelled();
        Ok(BulkReport::from_items(items.into_iter().map(|i| i.expect("every id has an outcome")).collect()).cancelled(cancelled))
    }

    pub(super) async fn revoke_one(&self, id: String) -> BulkItem {
        if id.trim().is_empty() || id.contains('/') {
            return BulkItem::failure(
                id.clone(),
                None,
                Error::invalid("invitations", format!("'{}' is not an invitation id", crate::error::excerpt(&id))),
            );
        }
        let path = format!("{AM}/orgs/{}/invitations/{}", self.inner.org_id, enc(&id));
        let error = match self.call(Method::DELETE, &path, None, true).await {
            Ok(_) => return BulkItem::success(id.clone(), "revoked", Some(id)),
            Err(e) if e.is_cancelled() && e.not_sent => return BulkItem::not_started(id.clone(), Some(id)),
            Err(e) if e.is_cancelled() => return BulkItem::unknown(id.clone(), Some(id), e),
            Err(e) => e,
        };
        // Refused as "not pending" (revoked by an earlier attempt whose answer was lost, or
        // before), or an outcome not learnt: the invitation's state says.
        let refused_not_pending = error.http_status == Some(400);
        if !refused_not_pending && error.not_sent {
            return BulkItem::failure(id.clone(), Some(id), error);
        }
        let services = HashMap::new();
        match read_with_retries(self.job.as_deref(), || self.invitation_by_id(&id, &services)).await {
            Ok(inv) if inv.status == InvitationStatus::Revoked => {
                let mut it = BulkItem::success(id.clone(), "revoked", Some(id));
                it.message = Some(if refused_not_pending { "already revoked" } else { "revoked (confirmed by reading it back)" }.into());
                it
            }
            Ok(_) => BulkItem::failure(id.clone(), Some(id), error),
            Err(e) if e.category == ErrorCategory::NotFound && refused_not_pending => BulkItem::failure(id.clone(), Some(id), error),
            Err(_) if refused_not_pending => BulkItem::failure(id.clone(), Some(id), error),
            Err(_) => {
                let mut it = BulkItem::unknown(id.clone(), Some(id), error);
                it.message = Some("the revocation's answer was lost and the invitation could not be read back".into());
                it
            }
        }
    }
}
