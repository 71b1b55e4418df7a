//! What the client promises under faults, for every operation: it succeeds or fails with the
//! right category, retries stay bounded, paging neither repeats nor skips, and every item of a
//! bulk call is accounted for. Also bad answers from the server: not JSON, cut short, wrong
//! content type, huge, redirected, or from a certificate for another name.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;
use vcs_emulator::{Config, Emulator};
use vcs_native::csp::request::*;
use vcs_native::{CspClient, ErrorCategory};

const USERS_PATH: &str = "/csp/gateway/am/api/v2/orgs/*/users";
const ROLES_PATH: &str = "/csp/gateway/am/api/orgs/*/roles";
const DEFS_PATH: &str = "/csp/gateway/slc/api/definitions";
const INVITATIONS_PATH: &str = "/csp/gateway/am/api/orgs/*/invitations";
const INVITATION_PATH: &str = "/csp/gateway/am/api/orgs/*/invitations/*";

#[derive(Clone, Copy, Debug)]
enum Op {
    Roles,
    Services,
    ServiceRoles,
    Users,
    Invitations,
    Invite,
    RemoveUsers,
    Revoke,
}

impl Op {
    const ALL: [Op; 8] = [Op::Roles, Op::Services, Op::ServiceRoles, Op::Users, Op::Invitations, Op::Invite, Op::RemoveUsers, Op::Revoke];

    /// The request the fault hits, and its method.
    fn target(self) -> (&'static str, &'static str) {
        match self {
            Op::Roles => ("GET", ROLES_PATH),
            Op::Services | Op::ServiceRoles => ("GET", DEFS_PATH),
            Op::Users => ("GET", USERS_PATH),
            // The listing is one request (`?expand=true`); a fault on it fails the call.
            Op::Invitations => ("GET", INVITATIONS_PATH),
            Op::Invite => ("POST", INVITATIONS_PATH),
            Op::RemoveUsers => ("DELETE", USERS_PATH),
            Op::Revoke => ("DELETE", INVITATION_PATH),
        }
    }
}

/// Runs the operation; Ok(number of items) or the error. Bulk calls must account for every item.
async fn run(c: &CspClient, emu: &Emulator, op: Op) -> Result<usize, vcs_native::Error> {
    match op {
        Op::Roles => c.organization_roles(&Default::default()).await.map(|v| v.len()),
        Op::Services => c.services(&Default::default()).await.map(|v| v.len()),
        Op::ServiceRoles => c.service_roles(&Default::default()).await.map(|v| v.len()),
        Op::Users => {
            let users = c.users(&UserQuery::default()).await?;
            let ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
            assert_eq!(ids.len(), users.len(), "paging repeated a user");
            assert_eq!(users.len(), emu.world().users.len(), "paging skipped a user");
            Ok(users.len())
        }
        Op::Invitations => c.invitations(&Default::default()).await.map(|v| v.len()),
        Op::Invite => {
            let emails: Vec<String> = (0..30).map(|i| format!("fault{i}@matrix.example")).collect();
            let r = c
                .invite(&InvitationRequest { emails: emails.clone(), organization_roles: vec!["org_member".into()], ..Default::default() })
                .await?;
            assert_eq!(r.items.len(), emails.len(), "every email is reported");
            if let Some(failed) = r.items.iter().find(|i| !i.ok) {
                return Err(failed.error.clone().unwrap());
            }
            Ok(r.succeeded)
        }
        Op::RemoveUsers => {
            let refs: Vec<UserRef> = emu.world().users[10..55].iter().map(|u| UserRef::Id(u.user_id.clone())).collect();
            let r = c.remove_users(&refs, false).await?;
            assert_eq!(r.items.len(), refs.len(), "every user is reported");
            if let Some(failed) = r.items.iter().find(|i| !i.ok) {
                return Err(failed.error.clone().unwrap());
            }
            Ok(r.succeeded)
        }
        Op::Revoke => {
            let ids: Vec<String> = emu
                .world()
                .invitations
                .iter()
                .filter(|i| i.status == vcs_emulator::world::InvitationStatus::Available)
                .map(|i| i.id.clone())
                .collect();
            let r = c.revoke_invitations(&ids).await?;
            assert_eq!(r.items.len(), ids.len());
            if let Some(failed) = r.items.iter().find(|i| !i.ok) {
                return Err(failed.error.clone().unwrap());
            }
            Ok(r.succeeded)
        }
    }
}

async fn matrix_emulator() -> (Emulator, CspClient) {
    let emu = emulator_with(Config { invitations: 12, ..Config::ephemeral(450) }).await;
    let mut o = options(&emu);
    o.timeout = Duration::from_millis(800);
    o.page_size = 100;
    let c = CspClient::connect(o).await.unwrap();
    (emu, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_survived_by_every_operation() {
    let (emu, c) = matrix_emulator().await;
    let faults = [
        json!({"status": 429, "retryAfterSeconds": 0}),
        json!({"status": 429}),
        json!({"status": 502}),
        json!({"status": 503}),
        json!({"status": 504}),
        json!({"drop": true}),
        json!({"truncateBody": true}),
        json!({"latencyMs": 1500}),
    ];
    for op in Op::ALL {
        for f in &faults {
            control(&emu, "POST", "reset", None).await;
            let (method, path) = op.target();
            let mut rule = f.clone();
            rule["method"] = json!(method);
            rule["path"] = json!(path);
            rule["times"] = json!(2);
            fault(&emu, rule.clone()).await;
            let r = run(&c, &emu, op).await;
            assert!(r.is_ok(), "{op:?} with {rule}: {:?}", r.unwrap_err());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_faults_fail_with_the_right_category_and_bounded_retries() {
    let (emu, c) = matrix_emulator().await;
    let faults = [
        (json!({"status": 429, "retryAfterSeconds": 0}), ErrorCategory::RateLimited, true),
        (json!({"status": 500}), ErrorCategory::Server, false),
        (json!({"status": 502}), ErrorCategory::Server, true),
        (json!({"status": 503}), ErrorCategory::Server, true),
        (json!({"status": 504}), ErrorCategory::Timeout, true),
        (json!({"drop": true}), ErrorCategory::Network, true),
        (json!({"latencyMs": 1200}), ErrorCategory::Timeout, true),
    ];
    for op in Op::ALL {
        for (f, category, retried) in &faults {
            control(&emu, "POST", "reset", None).await;
            let (method, path) = op.target();
            let mut rule = f.clone();
            rule["method"] = json!(method);
            rule["path"] = json!(path);
            fault(&emu, rule.clone()).await;
            let e = run(&c, &emu, op).await.unwrap_err();
            assert_eq!(e.category, *category, "{op:?} with {rule}: {e}");
            let hits: u64 =
                control(&emu, "GET", "faults", None).await.as_array().unwrap().iter().map(|r| r["hits"].as_u64().unwrap()).sum();
            // Bulk operations send several requests; each may be tried at most 5 times.
            let requests = match op {
                Op::Invite => 1,
                Op::RemoveUsers => 3,
                Op::Revoke => 12,
                Op::Users => 5,
                _ => 1,
            };
            let max = if *retried { 5 * requests } else { requests };
            assert!(hits >= 1 && hits <= max, "{op:?} with {rule}: {hits} attempts, at most {max}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_between_pages_is_replaced_without_repeats_or_gaps() {
    let emu = emulator(3000).await;
    let mut o = options(&emu);
    o.page_size = 100;
    o.concurrency = 2;
    let c = CspClient::connect(o).await.unwrap();
    fault(&emu, json!({"method": "GET", "path": USERS_PATH, "latencyMs": 40})).await;
    let expire = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        control(&emu, "POST", "tokens/expire", None).await;
    };
    let all = UserQuery::default();
    let (users, _) = tokio::join!(c.users(&all), expire);
    let users = users.unwrap();
    let ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), 3000);
    let stats = control(&emu, "GET", "stats", None).await;
    assert!(stats["statuses"]["401"].as_u64().unwrap_or(0) >= 1, "a page met the expired token: {stats}");
    assert_eq!(count(&emu, "POST", "api-tokens/authorize").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emulator_restart_mid_run_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config { state_file: Some(dir.path().join("state.json")), invitations: 200, ..Config::ephemeral(10) };
    let emu = emulator_with(config.clone()).await;
    config.listen = emu.addr;
    let mut o = options(&emu);
    o.concurrency = 4;
    o.retry.max_total = Duration::from_secs(30);
    o.retry.max_attempts = 10;
    let c = CspClient::connect(o).await.unwrap();
    let pending: Vec<String> = emu
        .world()
        .invitations
        .iter()
        .filter(|i| i.status == vcs_emulator::world::InvitationStatus::Available)
        .map(|i| i.id.clone())
        .collect();
    assert!(pending.len() >= 100);
    fault(&emu, json!({"method": "DELETE", "path": INVITATION_PATH, "latencyMs": 15})).await;
    let restart = async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        emu.stop().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        emulator_with(config).await
    };
    let (report, emu) = tokio::join!(c.revoke_invitations(&pending), restart);
    let report = report.unwrap();
    assert_eq!(report.items.len(), pending.len());
    assert!(report.all_ok(), "{:?}", report.items.iter().filter(|i| !i.ok).collect::<Vec<_>>());
    let world = emu.world();
    for id in &pending {
        let inv = world.invitations.iter().find(|i| &i.id == id).unwrap();
        assert_eq!(inv.status, vcs_emulator::world::InvitationStatus::Revoked, "{id}");
    }
}

// ---- bad answers ----------------------------------------------------------------------------

async fn bad_answer(rule: Value) -> vcs_native::Error {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    let mut rule = rule;
    rule["path"] = json!(ROLES_PATH);
    fault(&emu, rule).await;
    c.organization_roles(&Default::default()).await.unwrap_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_are_not_the_expected_json_are_protocol_errors() {
    let e = bad_answer(json!({"body": "<html>Service Unavailable</html>", "contentType": "text/html"})).await;
    assert_eq!(e.category, ErrorCategory::Protocol);
    assert!(e.message.contains("not the expected JSON"), "{e}");
    let e = bad_answer(json!({"body": "{\"orgRolesData\": [{\"name\": \"x\""})).await;
    assert_eq!(e.category, ErrorCategory::Protocol);
    let e = bad_answer(json!({"body": "[1, 2, 3]"})).await;
    assert_eq!(e.category, ErrorCategory::Protocol);
    // An error status with a body that is not the service's error shape still reads clearly.
    let e = bad_answer(json!({"status": 403, "body": "Forbidden by proxy", "contentType": "text/plain"})).await;
    assert_eq!(e.category, ErrorCategory::Permission);
    assert!(e.message.contains("Forbidden by proxy"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_answer_is_refused_not_buffered_forever() {
    let e = bad_answer(json!({"bodyBytes": 70 * 1024 * 1024})).await;
    assert_eq!(e.category, ErrorCategory::Protocol);
    assert!(e.message.contains("larger than 64 MiB"), "{e}");
}

// Linux routes all of 127.0.0.0/8 to loopback; elsewhere 127.0.0.2 needs an alias.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(target_os = "linux"), ignore = "needs 127.0.0.2, a second loopback address")]
async fn redirects_are_not_followed_so_credentials_stay_home() {
    let other = vcs_emulator::start(Config { listen: "127.0.0.2:0".parse().unwrap(), ..Config::ephemeral(3) }).await;
    let other = other.expect("the emulator listens on 127.0.0.2 (a second loopback address)");
    let e = bad_answer(json!({"redirectTo": format!("{}/csp/gateway/am/api/orgs/x/roles", other.url)})).await;
    assert_eq!(e.category, ErrorCategory::Protocol);
    assert!(e.message.contains("redirect"), "{e}");
    let stats = control(&other, "GET", "stats", None).await;
    assert_eq!(stats["total"], 0, "the other host saw no request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let emu =
        emulator_with(Config { tls: true, tls_ca_out: Some(ca.clone()), tls_names: vec!["wrong.example".into()], ..Config::ephemeral(3) })
            .await;
    let mut o = options(&emu);
    o.tls.ca_certificate_pem = Some(std::fs::read_to_string(&ca).unwrap());
    let e = CspClient::connect(o).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Network);
    let m = e.message.to_lowercase();
    assert!(m.contains("certificate") && (m.contains("name") || m.contains("not valid for")), "{e}");
    assert_eq!(emu.stats()["total"], 0, "no request, so no credentials, crossed the refused connection");
}
