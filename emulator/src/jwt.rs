//! Access tokens as HS256 JWTs carrying the claims CSP puts in its tokens (`context_name` = org id,
//! `username`, `perms`, `exp`), plus `gen` so the control API can expire every token at once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub struct Claims<'a> {
    pub org_id: &'a str,
    pub username: &'a str,
    pub subject: &'a str,
    pub perms: Vec<String>,
    pub ttl_seconds: u64,
    pub generation: u64,
    pub jti: &'a str,
    pub azp: &'a str,
}

fn mac(key: &str) -> HmacSha256 {
    HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length")
}

pub fn now_secs() -> i64 {
    super::world::now_ms() / 1000
}

pub fn sign(key: &str, claims: &Claims<'_>) -> String {
    let now = now_secs();
    let header = json!({"alg": "HS256", "typ": "JWT", "kid": "emulator-signing-key"});
    let payload = json!({
        "iss": "https://emulator.vcs-native.local/csp/gateway/am/api",
        "sub": claims.subject,
        "acct": claims.username,
        "username": claims.username,
        "domain": super::world::ORG_DOMAIN,
        "context_name": claims.org_id,
        "context": claims.org_id,
        "azp": claims.azp,
        "perms": claims.perms,
        "iat": now,
        "exp": now + claims.ttl_seconds as i64,
        "jti": claims.jti,
        "gen": claims.generation,
    });
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(payload.to_string()));
    let mut m = mac(key);
    m.update(signing_input.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
    format!("{signing_input}.{sig}")
}

#[derive(Debug, PartialEq)]
pub enum TokenProblem {
    Invalid,
    Expired,
}

/// Checks the signature, expiry and generation; returns the claims.
pub fn verify(key: &str, token: &str, generation: u64) -> Result<Value, TokenProblem> {
    let mut parts = token.splitn(3, '.');
    let (h, p, s) = match (parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s)) => (h, p, s),
        _ => return Err(TokenProblem::Invalid),
    };
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| TokenProblem::Invalid)?;
    let mut m = mac(key);
    m.update(h.as_bytes());
    m.update(b".");
    m.update(p.as_bytes());
    m.verify_slice(&sig).map_err(|_| TokenProblem::Invalid)?;
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenProblem::Invalid)?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|_| TokenProblem::Invalid)?;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or(TokenProblem::Invalid)?;
    let gen = claims.get("gen").and_then(Value::as_u64).unwrap_or(0);
    if exp <= now_secs() || gen < generation {
        return Err(TokenProblem::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(ttl: u64, gen: u64) -> Claims<'static> {
        Claims {
            org_id: "org-1",
            username: "u@example.com",
            subject: "example.com:1",
            perms: vec!["csp:org_owner".into()],
            ttl_seconds: ttl,
            generation: gen,
            jti: "j",
            azp: "csp_cli",
        }
    }

    #[test]
    fn signed_tokens_verify_and_carry_the_org() {
        let t = sign("k", &claims(60, 0));
        let c = verify("k", &t, 0).unwrap();
        assert_eq!(c["context_name"], "org-1");
        assert_eq!(verify("other", &t, 0), Err(TokenProblem::Invalid));
        assert_eq!(verify("k", &t, 1), Err(TokenProblem::Expired));
        assert_eq!(verify("k", "not.a.jwt", 0), Err(TokenProblem::Invalid));
        assert_eq!(verify("k", &sign("k", &claims(0, 0)), 0), Err(TokenProblem::Expired));
    }
}
