//! Fault rules set through `POST /_emulator/faults`: latency, an error status (with `Retry-After`),
//! a dropped connection, or a body cut short, each for `times` matching requests with a
//! `probability` drawn from the emulator's seeded generator.

use rand::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// HTTP method, or `*` / absent for any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern; `*` matches exactly one segment, a trailing `**` any rest.
    pub path: String,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub retry_after_seconds: Option<u64>,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub drop: bool,
    /// Send the status line, headers and half the body, then close the connection.
    #[serde(default)]
    pub truncate_body: bool,
    /// Answer with this body instead of the real one (with `status`, default 200).
    #[serde(default)]
    pub body: Option<String>,
    /// Content type of `body` or of the padded answer (default `application/json`).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Answer with this many bytes of JSON-looking padding (a huge body).
    #[serde(default)]
    pub body_bytes: Option<usize>,
    /// Answer `302 Found` with this `Location`.
    #[serde(default)]
    pub redirect_to: Option<String>,
    /// How many matching requests the rule hits before it is spent; absent = every one.
    #[serde(default)]
    pub times: Option<u64>,
    #[serde(default = "one")]
    pub probability: f64,
    /// Filled in by the emulator: how many requests the rule has hit.
    #[serde(default)]
    pub hits: u64,
}

fn one() -> f64 {
    1.0
}

impl FaultRule {
    pub fn validate(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err("path: must start with '/'".into());
        }
        if let Some(s) = self.status {
            if !(100..=599).contains(&s) {
                return Err(format!("status: {s} is not an HTTP status"));
            }
        }
        if !(0.0..=1.0).contains(&self.probability) {
            return Err("probability: must be between 0 and 1".into());
        }
        let answers = self.body.is_some() || self.body_bytes.is_some() || self.redirect_to.is_some();
        if self.status.is_none() && !self.drop && !self.truncate_body && self.latency_ms == 0 && !answers {
            return Err("a rule needs at least one of status, drop, truncateBody, latencyMs, body, bodyBytes, redirectTo".into());
        }
        if self.body_bytes.is_some_and(|n| n > 512 * 1024 * 1024) {
            return Err("bodyBytes: at most 512 MiB".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok && path_matches(&self.path, path)
    }
}

pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pat = pattern.trim_end_matches('/').split('/');
    let mut segs = path.trim_end_matches('/').split('/');
    loop {
        match (pat.next(), segs.next()) {
            (Some("**"), _) => return true,
            (Some(p), Some(s)) if p == "*" || p == s => continue,
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct FaultAction {
    pub latency_ms: u64,
    pub status: Option<(u16, Option<u64>)>,
    pub drop: bool,
    pub truncate_body: bool,
    pub body: Option<String>,
    pub content_type: Option<String>,
    pub body_bytes: Option<usize>,
    pub redirect_to: Option<String>,
}

/// Finds the first live rule that matches, spends one of its `times`, and says what to do.
pub fn decide(rules: &mut Vec<FaultRule>, rng: &mut impl Rng, method: &str, path: &str) -> Option<FaultAction> {
    let idx = rules.iter().position(|r| r.matches(method, path) && r.times.map_or(true, |t| r.hits < t))?;
    let rule = &mut rules[idx];
    if rule.probability < 1.0 && rng.gen::<f64>() >= rule.probability {
        return None;
    }
    rule.hits += 1;
    Some(FaultAction {
        latency_ms: rule.latency_ms,
        status: rule.status.map(|s| (s, rule.retry_after_seconds)),
        drop: rule.drop,
        truncate_body: rule.truncate_body,
        body: rule.body.clone(),
        content_type: rule.content_type.clone(),
        body_bytes: rule.body_bytes,
        redirect_to: rule.redirect_to.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rule(json: &str) -> FaultRule {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn star_matches_one_segment_only() {
        assert!(path_matches("/a/*/users", "/a/org1/users"));
        assert!(!path_matches("/a/*/users", "/a/org1/x/users"));
        assert!(!path_matches("/a/*/users", "/a/org1/users/search"));
        assert!(path_matches("/a/**", "/a/b/c"));
    }

    #[test]
    fn times_spends_the_rule() {
        let mut rules = vec![rule(r#"{"path":"/x","status":503,"times":2}"#)];
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        assert!(decide(&mut rules, &mut rng, "GET", "/x").is_some());
        assert!(decide(&mut rules, &mut rng, "GET", "/x").is_some());
        assert!(decide(&mut rules, &mut rng, "GET", "/x").is_none());
    }

    #[test]
    fn probability_is_repeatable_with_a_seed() {
        let draw = || {
            let mut rules = vec![rule(r#"{"path":"/x","status":500,"probability":0.5}"#)];
            let mut rng = rand::rngs::StdRng::seed_from_u64(42);
            (0..64).map(|_| decide(&mut rules, &mut rng, "GET", "/x").is_some()).collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        let hits = a.iter().filter(|h| **h).count();
        assert!(hits > 10 && hits < 54, "{hits} of 64 hit");
    }

    #[test]
    fn rules_are_validated() {
        assert!(rule(r#"{"path":"x","status":500}"#).validate().is_err());
        assert!(rule(r#"{"path":"/x"}"#).validate().is_err());
        assert!(rule(r#"{"path":"/x","status":5000}"#).validate().is_err());
        assert!(serde_json::from_str::<FaultRule>(r#"{"path":"/x","stauts":500}"#).is_err());
    }
}
