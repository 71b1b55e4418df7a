//! Invitations: listing, inviting (batched, with the read-back of what was created), revoking.

use super::model::*;
use super::request::*;
use super::{enc, CspClient, AM, INVITE_BATCH};
use crate::bulk::{BulkItem, BulkReport};
use crate::error::{Error, ErrorCategory, Result};
use crate::time::rfc3339_from_millis;
use crate::wildcard::any_matches;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

impl CspClient {
    // ---- invitations ---------------------------------------------------------------------------

    pub(super) fn to_invitation(&self, w: WireInvitation, services: &HashMap<String, String>) -> Invitation {
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

    pub(super) async fn invitation_by_id(&self, id: &str, services: &HashMap<String, String>) -> Result<Invitation> {
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
    pub(super) async fn invitation_ids(&self) -> Result<Vec<String>> {
        let listed: Value = self.get_json(&format!("{AM}/orgs/{}/invitations", self.inner.org_id), "invitations").await?;
        Ok(listed_items(&listed).iter().filter_map(item_link).map(|link| last_segment(&link)).collect())
    }

    /// Every invitation in one request (`?expand=true`, as published clients list them). A service
    /// that refuses `expand` (400) or answers links anyway is listed as links, each then read.
    pub(super) async fn invitations_listed(&self, services: &HashMap<String, String>) -> Result<Vec<Invitation>> {
        let path = format!("{AM}/orgs/{}/invitations?expand=true", self.inner.org_id);
        let listed: Value = match self.get_json(&path, "invitations").await {
            Ok(v) => v,
            Err(e) if e.http_status == Some(400) => return self.invitations_by_links(services).await,
            Err(e) => return Err(e),
        };
        let items = listed_items(&listed);
        if !items.iter().all(|v| v.get("username").is_some()) {
            let ids = items.iter().filter_map(item_link).map(|link| last_segment(&link)).collect();
            return self.read_invitations(ids, services).await;
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let w: WireInvitation = serde_json::from_value(item).map_err(|e| {
                Error::new(ErrorCategory::Protocol, format!("invitations[{i}]: the service's answer is not an invitation: {e}"))
            })?;
            out.push(self.to_invitation(w, services));
        }
        Ok(out)
    }

    /// The links listing, then each invitation read (the service's answer without `expand`).
    async fn invitations_by_links(&self, services: &HashMap<String, String>) -> Result<Vec<Invitation>> {
        let ids = self.invitation_ids().await?;
        self.read_invitations(ids, services).await
    }

    /// Reads invitations by id, several at once; one that vanished in between is left out.
    pub(super) async fn read_invitations(&self, ids: Vec<String>, services: &HashMap<String, String>) -> Result<Vec<Invitation>> {
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

    /// Every invitation of the organization, in the service's order.
    pub(super) async fn all_invitations(&self, services: &HashMap<String, String>) -> Result<Vec<Invitation>> {
        self.invitations_listed(services).await
    }

    /// The pending invitation of each of `emails` (lower case), reading the newest first and
    /// stopping once every address is found, so inviting stays cheap in an org with a long history.
    pub(super) async fn pending_invitations_for(
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

    pub(super) async fn revoke_one(&self, id: String) -> BulkItem {
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

/// The elements of an invitations listing: a bare array, or one under `results` or `refLinks`.
fn listed_items(listed: &Value) -> Vec<Value> {
    match listed {
        Value::Array(a) => a.clone(),
        Value::Object(m) => m.get("results").or_else(|| m.get("refLinks")).and_then(Value::as_array).cloned().unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// An element's link: the element itself, or its `refLink`.
fn item_link(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string).or_else(|| v.get("refLink").and_then(Value::as_str).map(str::to_string))
}
