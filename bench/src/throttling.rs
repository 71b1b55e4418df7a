//! Throttling workloads: bulk work while the service answers some requests 429, and against a
//! rate limit. Each prints the time, the outcomes and what the client's limiter settled on; the
//! emulator's own counts (requests, 429s) are read by bench/run.sh.

use serde_json::{json, Value};
use std::time::Instant;
use vcs_native::csp::request::InvitationRequest;
use vcs_native::vcd::request::NewVcdUser;
use vcs_native::vcd::{VcdClient, VcdConnectOptions};
use vcs_native::{runtime, ConnectOptions, CspClient};

/// Invites `n` addresses (the emulator answers a share of requests 429 meanwhile).
pub fn invite(url: &str, token: &str, n: usize) -> Value {
    let client = runtime().block_on(CspClient::connect(ConnectOptions::api_token(url, token))).expect("connects");
    let emails: Vec<String> = (0..n).map(|i| format!("throttled{i}@bulk.example")).collect();
    let t = Instant::now();
    let r = runtime()
        .block_on(client.invite(&InvitationRequest { emails, organization_roles: vec!["org_member".into()], skip_notify: true, ..Default::default() }))
        .expect("the call runs");
    json!({
        "seconds": t.elapsed().as_secs_f64(),
        "succeeded": r.succeeded, "failed": r.failed, "unknown": r.unknown,
        "limiterEnabled": client.limiter_state().enabled,
    })
}

/// Creates `n` Cloud Director users. `login` is `org:user:password`.
pub fn vcd_create(url: &str, login: &str, n: usize) -> Value {
    let mut parts = login.splitn(3, ':');
    let (org, user, password) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let client = runtime().block_on(VcdClient::connect(VcdConnectOptions::password(url, org, user, password))).expect("logs in");
    let users: Vec<NewVcdUser> = (0..n)
        .map(|i| NewVcdUser {
            username: format!("limited{i}"),
            password: Some("s3cret-pass".into()),
            roles: vec!["vApp User".into()],
            ..Default::default()
        })
        .collect();
    let t = Instant::now();
    let r = runtime().block_on(client.new_users(&users)).expect("the call runs");
    json!({
        "seconds": t.elapsed().as_secs_f64(),
        "succeeded": r.succeeded, "failed": r.failed, "unknown": r.unknown,
        "fillRate": client.limiter_state().fill_rate,
    })
}
