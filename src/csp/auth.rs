//! Access tokens: exchanged from an API token (refresh token) or an OAuth app's client
//! credentials, cached, refreshed shortly before they expire and again when the service says
//! a token has expired. One refresh at a time, however many requests are waiting.

use crate::error::{Error, ErrorCategory, Result};
use crate::http::{Auth, Body, Call, Transport};
use crate::secret::Secret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub enum Credentials {
    /// A CSP API token (an OAuth refresh token).
    ApiToken(Secret),
    /// An OAuth app (server to server): client credentials grant for one organization.
    ServiceApp { app_id: String, app_secret: Secret, org_id: String },
}

impl Credentials {
    pub fn auth_type(&self) -> &'static str {
        match self {
            Credentials::ApiToken(_) => "ApiToken",
            Credentials::ServiceApp { .. } => "ServiceApp",
        }
    }
}

/// The longest access-token lifetime believed (a day); a longer `expires_in` is read as this.
pub const MAX_TOKEN_LIFETIME_SECONDS: u64 = 24 * 3600;

#[derive(Clone, Debug)]
pub struct TokenClaims {
    pub org_id: Option<String>,
    pub username: Option<String>,
}

struct CachedToken {
    value: Secret,
    refresh_at: Instant,
    expires_at_ms: i64,
}

pub(crate) struct TokenSource {
    credentials: Credentials,
    current: tokio::sync::Mutex<Option<CachedToken>>,
}

#[derive(Deserialize)]
struct AccessTokenDto {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Reads the claims of a JWT access token without checking its signature (the service does).
pub fn decode_claims(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Some(TokenClaims { org_id: s("context_name"), username: s("username").or_else(|| s("acct")).or_else(|| s("sub")) })
}

impl TokenSource {
    pub fn new(credentials: Credentials) -> Self {
        TokenSource { credentials, current: tokio::sync::Mutex::new(None) }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A valid access token. `stale` is a token the service just refused: if it is still the
    /// cached one, a new one is fetched; if another request already replaced it, that one is used.
    pub async fn token(&self, transport: &Transport, stale: Option<&Secret>) -> Result<Secret> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref() {
            let refused = stale.is_some_and(|s| s == &t.value);
            if !refused && Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let fresh = self.exchange(transport).await?;
        let value = fresh.value.clone();
        *current = Some(fresh);
        Ok(value)
    }

    pub async fn expires_at_ms(&self) -> i64 {
        self.current.lock().await.as_ref().map_or(0, |t| t.expires_at_ms)
    }

    async fn exchange(&self, transport: &Transport) -> Result<CachedToken> {
        let (call, what) = match &self.credentials {
            Credentials::ApiToken(token) => (
                Call {
                    method: Method::POST,
                    path: "/csp/gateway/am/api/auth/api-tokens/authorize".into(),
                    body: Body::Form(vec![("refresh_token".into(), token.expose().to_string())]),
                    auth: Auth::None,
                    headers: Vec::new(),
                    idempotent: true,
                },
                "the API token",
            ),
            Credentials::ServiceApp { app_id, app_secret, org_id } => (
                Call {
                    method: Method::POST,
                    path: "/csp/gateway/am/api/auth/authorize".into(),
                    body: Body::Form(vec![("grant_type".into(), "client_credentials".into()), ("orgId".into(), org_id.clone())]),
                    auth: Auth::Basic(app_id, app_secret),
                    headers: Vec::new(),
                    idempotent: true,
                },
                "the OAuth app id and secret",
            ),
        };
        let reply = transport.send(&call).await.map_err(|mut e| {
            if matches!(e.http_status, Some(400) | Some(401) | Some(403)) {
                e.category = ErrorCategory::Authentication;
                e.message = format!("the service refused {what}: {}", e.message);
            }
            e
        })?;
        let dto: AccessTokenDto = reply.json("access token")?;
        if dto.access_token.is_empty() {
            return Err(Error::new(ErrorCategory::Protocol, "the service returned an empty access token"));
        }
        // Clamped: a lifetime the service overstates must not overflow the clock arithmetic.
        let lifetime = Duration::from_secs(dto.expires_in.unwrap_or(1799).clamp(1, MAX_TOKEN_LIFETIME_SECONDS));
        // Refresh a little early: a fifth of the lifetime, at most a minute.
        let margin = (lifetime / 5).min(Duration::from_secs(60));
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
        Ok(CachedToken {
            value: Secret::new(dto.access_token),
            refresh_at: Instant::now() + lifetime - margin,
            expires_at_ms: now_ms + lifetime.as_millis() as i64,
        })
    }

    /// The claims of the current token (exchanging one first if needed).
    pub async fn claims(&self, transport: &Transport) -> Result<TokenClaims> {
        let token = self.token(transport, None).await?;
        decode_claims(token.expose())
            .ok_or_else(|| Error::new(ErrorCategory::Protocol, "the access token is not a JWT; the organization cannot be learned from it"))
    }
}
