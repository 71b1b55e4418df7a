//! Invitations: reading and listing them (inviting and revoking are in `inviting.rs`).

use super::model::*;
use super::request::*;
use super::{enc, CspClient, AM};
use crate::error::{Error, ErrorCategory, Result};
use crate::time::rfc3339_from_millis;
use crate::wildcard::any_matches;
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use std::collections::HashMap;

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
