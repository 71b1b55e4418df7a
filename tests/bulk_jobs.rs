//! Bulk calls under faults, cancellation and throttling: the report never contradicts the
//! emulator's state, a cancelled call stops and accounts for every item, the read-back after
//! inviting stays bounded, and one `Retry-After` delays only the request it was sent to.

mod common;

use common::*;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vcs_emulator::{Config, Emulator};
use vcs_native::csp::request::*;
use vcs_native::vcd::request::NewVcdUser;
use vcs_native::vcd::{VcdClient, VcdConnectOptions};
use vcs_native::{BulkReport, Job};

const INVITATIONS_PATH: &str = "/csp/gateway/am/api/orgs/*/invitations";
const INVITATION_PATH: &str = "/csp/gateway/am/api/orgs/*/invitations/*";
const VCD_USERS_PATH: &str = "/cloudapi/1.0.0/users";

fn invite_request(emails: &[String]) -> InvitationRequest {
    InvitationRequest { emails: emails.to_vec(), organization_roles: vec!["org_member".into()], ..Default::default() }
}

fn addresses(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}@bulk.example")).collect()
}

/// Pending invitations the emulator holds for `email`.
fn pending(emu: &Emulator, email: &str) -> usize {
    emu.world()
        .invitations
        .iter()
        .filter(|i| i.username.eq_ignore_ascii_case(email) && matches!(i.status, vcs_emulator::world::InvitationStatus::Available))
        .count()
}

/// Single-invitation reads the emulator has answered.
async fn invitation_reads(emu: &Emulator) -> u64 {
    let stats = control(emu, "GET", "stats", None).await;
    stats["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("GET ") && k.contains("/invitations/"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

fn vcd_options(emu: &Emulator) -> VcdConnectOptions {
    let i = emu.connection_info();
    let mut o = VcdConnectOptions::password(
        i["vcdUrl"].as_str().unwrap(),
        i["vcdOrg"].as_str().unwrap(),
        i["vcdUser"].as_str().unwrap(),
        i["vcdPassword"].as_str().unwrap(),
    );
    o.retry = options(emu).retry;
    o
}

fn new_vcd_user(name: &str) -> NewVcdUser {
    NewVcdUser {
        username: name.into(),
        password: Some("s3cret-pass".into()),
        roles: vec!["vApp User".into()],
        email: Some(format!("{name}@acme.example")),
        full_name: Some(format!("User {name}")),
        ..Default::default()
    }
}

fn vcd_user_exists(emu: &Emulator, name: &str) -> bool {
    emu.world().vcd.users.iter().any(|u| u.username.eq_ignore_ascii_case(name))
}

/// Every item appears once, in input order, and the counts add up.
fn assert_accounted(r: &BulkReport, inputs: &[String]) {
    let seen: Vec<&str> = r.items.iter().map(|i| i.input.as_str()).collect();
    let expected: Vec<&str> = inputs.iter().map(String::as_str).collect();
    assert_eq!(seen, expected, "one item per input, in order");
    assert_eq!(r.succeeded + r.failed + r.unknown + r.not_started, inputs.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_that_cannot_be_read_back_are_unknown_not_failed() {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    let emails = addresses("rb", 250);
    // Every single-invitation read fails: the writes happened, so nothing is failed or done.
    fault(&emu, json!({"method": "GET", "path": INVITATION_PATH, "status": 500})).await;
    let r = c.invite(&invite_request(&emails)).await.expect("the call as a whole does not fail after the writes");
    assert_accounted(&r, &emails);
    assert_eq!((r.succeeded, r.failed, r.unknown), (0, 0, emails.len()), "{:?}", r.items[0]);
    for e in &emails {
        assert_eq!(pending(&emu, e), 1, "{e} was invited although its outcome is unknown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listing_failing_once_after_the_writes_is_read_again() {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    let emails = addresses("again", 120);
    // Two POSTs (batches of 100) go first; the listing after them fails twice.
    let job = Job::new();
    let c = c.with_job(job.clone());
    let rule = json!({"method": "GET", "path": INVITATIONS_PATH, "status": 500, "times": 2});
    let emu_url = emu.url.clone();
    // Arm the fault once both batches have been accepted, before the read-back lists.
    fault(&emu, json!({"method": "POST", "path": INVITATIONS_PATH, "latencyMs": 300})).await;
    let arm = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        reqwest::Client::new().post(format!("{emu_url}/_emulator/faults")).json(&rule).send().await.unwrap();
    });
    let r = c.invite(&invite_request(&emails)).await.unwrap();
    arm.await.unwrap();
    let hits: u64 = control(&emu, "GET", "faults", None).await.as_array().unwrap().iter().map(|r| r["hits"].as_u64().unwrap()).sum();
    assert!(hits >= 2 + 2, "the read-back listing met the 500s ({hits} hits)");
    assert_accounted(&r, &emails);
    assert_eq!(r.succeeded, emails.len(), "{:?}", r.items.iter().find(|i| !i.ok));
    assert_eq!(job.progress().done, emails.len(), "each item recorded once as it finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_found_on_the_read_back_is_no_already_a_member_warning() {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    let emails = addresses("nf", 40);
    fault(&emu, json!({"method": "GET", "path": INVITATION_PATH, "status": 404, "times": 3})).await;
    let r = c.invite(&invite_request(&emails)).await.unwrap();
    assert_accounted(&r, &emails);
    assert!(r.items.iter().all(|i| i.outcome != "notInvited"), "no address was a member");
    assert_eq!(r.failed, 0);
    assert_eq!(r.unknown, 3, "the three unread ones are unknown");
    assert_eq!(r.succeeded, 37);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_back_reads_only_what_was_just_created() {
    let emu = emulator_with(Config { invitations: 3000, ..Config::ephemeral(5) }).await;
    let c = connect(&emu).await;
    control(&emu, "DELETE", "stats", None).await;
    let r = c.invite(&invite_request(&["one.new@bulk.example".to_string()])).await.unwrap();
    assert_eq!(r.items[0].outcome, "invited");
    assert_eq!(invitation_reads(&emu).await, 1, "one GET for the one new invitation");

    // A member: no invitation is created, and the 3,000 old ones are not read.
    let member = emu.world().users[1].username.clone();
    control(&emu, "DELETE", "stats", None).await;
    let r = c.invite(&invite_request(&[member])).await.unwrap();
    assert_eq!(r.items[0].outcome, "notInvited");
    assert!(r.items[0].ok);
    assert_eq!(invitation_reads(&emu).await, 0);

    control(&emu, "DELETE", "stats", None).await;
    let emails = addresses("many", 300);
    let r = c.invite(&invite_request(&emails)).await.unwrap();
    assert_eq!(r.succeeded, 300);
    assert_eq!(invitation_reads(&emu).await, 300, "one GET per created invitation, none for the old ones");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_off_create_is_settled_by_looking_the_user_up() {
    let emu = emulator(5).await;
    let c = VcdClient::connect(vcd_options(&emu)).await.unwrap();
    fault(&emu, json!({"method": "POST", "path": VCD_USERS_PATH, "truncateBody": true, "times": 3})).await;
    let users: Vec<NewVcdUser> = (0..6).map(|i| new_vcd_user(&format!("cut{i}"))).collect();
    let r = c.new_users(&users).await.unwrap();
    let names: Vec<String> = users.iter().map(|u| u.username.clone()).collect();
    assert_accounted(&r, &names);
    assert_eq!((r.succeeded, r.failed, r.unknown), (6, 0, 0), "{:?}", r.items.iter().find(|i| !i.ok));
    let settled = r.items.iter().filter(|i| i.message.as_deref().is_some_and(|m| m.contains("found by name"))).count();
    assert_eq!(settled, 3, "the three cut-off answers were settled by name");
    for n in &names {
        assert!(vcd_user_exists(&emu, n));
    }
    // A create refused outright stays a failure, and a lost answer for a user that was not
    // created is a failure too (the lookup shows it does not exist).
    let r = c.new_users(&[new_vcd_user("cut0")]).await.unwrap();
    assert_eq!(r.items[0].outcome, "failed", "a duplicate name is a refusal");
    fault(&emu, json!({"method": "POST", "path": VCD_USERS_PATH, "drop": true, "times": 1})).await;
    let r = c.new_users(&[new_vcd_user("dropped1")]).await.unwrap();
    let dropped = &r.items[0];
    assert_eq!(dropped.ok, vcd_user_exists(&emu, "dropped1"), "the report agrees with the emulator: {dropped:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vcd_create_cancelled_halfway_matches_the_emulator() {
    let emu = emulator(5).await;
    let mut o = vcd_options(&emu);
    o.concurrency = 2;
    let base = VcdClient::connect(o).await.unwrap();
    fault(&emu, json!({"method": "POST", "path": VCD_USERS_PATH, "latencyMs": 100})).await;
    let job = Job::new();
    let c = base.with_job(job.clone());
    let users: Vec<NewVcdUser> = (0..60).map(|i| new_vcd_user(&format!("half{i}"))).collect();
    let canceller = {
        let job = job.clone();
        std::thread::spawn(move || {
            while job.progress().done < 10 {
                std::thread::sleep(Duration::from_millis(5));
            }
            let at = Instant::now();
            job.cancel();
            at
        })
    };
    let r = c.new_users(&users).await.unwrap();
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1), "stopped soon after the cancel");
    assert!(r.cancelled);
    assert!(r.succeeded >= 10 && r.not_started > 0, "{} done, {} not started", r.succeeded, r.not_started);
    assert_eq!(r.failed, 0);
    let names: Vec<String> = users.iter().map(|u| u.username.clone()).collect();
    assert_accounted(&r, &names);
    for item in &r.items {
        let exists = vcd_user_exists(&emu, &item.input);
        if item.ok {
            assert!(exists, "{} reported created but absent", item.input);
        } else if item.is_not_started() {
            assert!(!exists, "{} reported not started but created", item.input);
        }
    }
    // Progress saw every item exactly once.
    let finished = job.finished_since(0);
    let unique: HashSet<&str> = finished.iter().map(|i| i.input.as_str()).collect();
    assert_eq!((finished.len(), unique.len()), (users.len(), users.len()));
    // Nothing more reaches the emulator once the call has returned.
    let before = count(&emu, "POST", VCD_USERS_PATH).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&emu, "POST", VCD_USERS_PATH).await, before);
    // The base connection is not cancelled.
    assert!(base.users(&Default::default()).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_call_cancelled_halfway_matches_the_emulator() {
    let emu = emulator(5).await;
    let mut o = options(&emu);
    o.concurrency = 1;
    let base = vcs_native::CspClient::connect(o).await.unwrap();
    fault(&emu, json!({"method": "POST", "path": INVITATIONS_PATH, "latencyMs": 200})).await;
    let job = Job::new();
    let c = base.with_job(job.clone());
    let emails = addresses("cancel", 1000);
    let j = job.clone();
    let canceller = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        j.cancel();
    });
    let r = c.invite(&invite_request(&emails)).await.unwrap();
    canceller.await.unwrap();
    assert!(r.cancelled);
    assert_accounted(&r, &emails);
    assert!(r.not_started >= 500, "{} not started", r.not_started);
    assert_eq!(r.failed, 0, "nothing failed: {:?}", r.items.iter().find(|i| i.is_failure()));
    for item in &r.items {
        let n = pending(&emu, &item.input);
        assert!(n <= 1, "{} invited twice", item.input);
        if item.ok {
            assert_eq!(n, 1, "{} reported invited but has no invitation", item.input);
        } else if item.is_not_started() {
            assert_eq!(n, 0, "{} reported not started but was invited", item.input);
        }
    }
    let invited_now = emails.iter().filter(|e| pending(&emu, e) == 1).count();
    assert!(invited_now >= 100, "some batches went through before the cancel ({invited_now})");
    assert!(r.unknown >= invited_now, "what was sent and not read back is unknown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_delays_only_the_request_told_to_wait() {
    let emu = emulator(5).await;
    let c = Arc::new(connect(&emu).await);
    fault(&emu, json!({"method": "GET", "path": "/csp/gateway/am/api/orgs/*/roles", "status": 429, "retryAfterSeconds": 15, "times": 1})).await;
    let waiting = {
        let c = c.clone();
        tokio::spawn(async move { c.organization_roles(&Default::default()).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let users = c.users(&UserQuery::default()).await.unwrap();
    assert_eq!(users.len(), 5);
    assert!(started.elapsed() < Duration::from_secs(5), "another request was held by a Retry-After not meant for it");
    assert!(!waiting.is_finished(), "the throttled request waits for its Retry-After");
    waiting.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_429s_cost_no_item_and_invite_each_address_once() {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    fault(&emu, json!({"path": "/csp/**", "status": 429, "retryAfterSeconds": 1, "probability": 0.05})).await;
    let emails = addresses("thr", 300);
    let r = c.invite(&invite_request(&emails)).await.unwrap();
    assert_accounted(&r, &emails);
    assert_eq!(r.succeeded, emails.len(), "{:?}", r.items.iter().find(|i| !i.ok));
    for e in &emails {
        assert_eq!(pending(&emu, e), 1, "{e}");
    }
    let refused = control(&emu, "GET", "faults", None).await[0]["hits"].as_u64().unwrap();
    assert!(refused > 0, "the fault rule hit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_rate_limit_refuses_past_n_a_second_with_retry_after() {
    let emu = emulator_with(Config { rate_limit: Some(20), ..Config::ephemeral(5) }).await;
    let url = format!("{}/csp/gateway/am/api/loggedin/user", emu.url);
    let http = http();
    let mut refused = 0;
    for _ in 0..60 {
        let r = http.get(&url).send().await.unwrap();
        if r.status() == 429 {
            refused += 1;
            let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(wait >= 1);
        }
    }
    assert!(refused >= 30, "at most about 20 a second pass ({refused} refused of 60)");
    // The client under the same limit gets its work done, every item once.
    let c = connect(&emu).await;
    let emails = addresses("rl", 30);
    let r = c.invite(&invite_request(&emails)).await.unwrap();
    assert_eq!(r.succeeded, 30);
    assert!(control(&emu, "GET", "stats", None).await["statuses"]["429"].as_u64().unwrap() >= 30);
}
