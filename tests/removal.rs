//! The selection rule and removals through the library's API, for CSP and Cloud Director, against
//! the emulator: the same selector selects the same users in list, get, set and remove; reports
//! name each user, real run and dry run alike; guard rails; retries; duplicates; cancellation.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::time::Duration;
use vcs_emulator::Emulator;
use vcs_native::csp::request::{UserQuery, UserRef};
use vcs_native::removal::RemovalOptions;
use vcs_native::vcd::request::{NewVcdUser, VcdUserChanges, VcdUserQuery};
use vcs_native::vcd::{VcdClient, VcdConnectOptions};
use vcs_native::{BulkReport, ConnectOptions, CspClient, ErrorCategory, Job};

const ALLOW_SELF: RemovalOptions = RemovalOptions { allow_self: true, notify_users: false };

fn targets(r: &BulkReport) -> BTreeSet<String> {
    r.items.iter().filter_map(|i| i.target.as_ref()).map(|t| t.id.clone()).collect()
}

fn names(r: &BulkReport) -> Vec<(String, String)> {
    r.items.iter().map(|i| (i.outcome.clone(), i.target.as_ref().map(|t| t.username.clone()).unwrap_or_default())).collect()
}

async fn vcd(emu: &Emulator) -> VcdClient {
    let i = emu.connection_info();
    let s = |k: &str| i[k].as_str().unwrap().to_string();
    let mut o = VcdConnectOptions::password(s("vcdUrl"), &s("vcdOrg"), &s("vcdUser"), s("vcdPassword"));
    o.retry = options(emu).retry;
    VcdClient::connect(o).await.unwrap()
}

// ---- CSP ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_a_selector_selects_the_same_users_in_list_and_remove() {
    let emu = emulator(60).await;
    let c = connect(&emu).await;
    let world = emu.world();
    let someone = &world.users[7];
    let full_name = format!("{} {}", someone.first_name, someone.last_name);
    for selector in ["b*", "*en*", full_name.as_str(), someone.email.as_str(), someone.user_id.as_str(), "?a*"] {
        let listed: BTreeSet<String> =
            c.users(&UserQuery { name: vec![selector.into()], ..Default::default() }).await.unwrap().into_iter().map(|u| u.id).collect();
        let plan = c.dry_run_remove_users(&[UserRef::parse(selector)], &ALLOW_SELF).await.unwrap();
        assert!(!listed.is_empty(), "{selector} selects someone");
        assert_eq!(listed, targets(&plan), "{selector}: list and remove select the same users");
    }
    // Full names count: a pattern on the last name alone selects by full name.
    let by_last = c.users(&UserQuery { name: vec![format!("* {}", someone.last_name)], ..Default::default() }).await.unwrap();
    assert!(by_last.iter().any(|u| u.id == someone.user_id));
    assert_eq!(emu.world().users.len(), 60, "dry runs remove nobody");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_dry_run_and_real_run_report_in_one_shape_naming_each_user() {
    let emu = emulator(40).await;
    let c = connect(&emu).await;
    let world = emu.world();
    let victims: Vec<&vcs_emulator::world::User> = world.users.iter().filter(|u| u.username.starts_with('b')).collect();
    assert!(!victims.is_empty());
    let refs = [UserRef::parse("b*"), UserRef::parse("nobody@nowhere.example"), UserRef::parse("ada.andersen@example.com")];
    let plan = c.dry_run_remove_users(&refs, &RemovalOptions::default()).await.unwrap();
    assert_eq!(plan.items.len(), victims.len() + 2);
    let first = &plan.items[0];
    let t = first.target.as_ref().unwrap();
    assert_eq!((first.input.as_str(), first.outcome.as_str()), ("b*", "wouldRemove"));
    assert!(victims.iter().any(|v| v.user_id == t.id && v.username == t.username && v.email == t.email));
    let nobody = &plan.items[victims.len()];
    assert_eq!(nobody.outcome, "failed");
    assert_eq!(nobody.error.as_ref().unwrap().category, ErrorCategory::NotFound);
    // The token's owner: refused, naming the opt-in.
    let me = &plan.items[victims.len() + 1];
    assert_eq!(me.outcome, "refused");
    assert_eq!(me.error.as_ref().unwrap().field.as_deref(), Some("allowSelf"));
    assert_eq!((plan.succeeded, plan.failed), (victims.len(), 2));
    assert!(!plan.all_ok(), "a dry run with failing items is not all ok (exit 13)");
    assert_eq!(count(&emu, "DELETE", "/users").await, 0);

    let real = c.remove_users(&refs, false).await.unwrap();
    let shape = |r: &BulkReport| r.items.iter().map(|i| (i.input.clone(), i.target.as_ref().map(|t| t.id.clone()))).collect::<Vec<_>>();
    assert_eq!(shape(&real), shape(&plan), "the real run names the users the dry run named");
    assert_eq!(real.items[0].outcome, "removed");
    assert_eq!((real.succeeded, real.failed), (victims.len(), 2));
    assert_eq!(emu.world().users.len(), 40 - victims.len());
    assert!(emu.world().users.iter().any(|u| u.username == "ada.andersen@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_the_last_org_owner_is_refused_unless_allowed() {
    let emu = emulator(30).await;
    // An OAuth app: the caller is no user, so only the last-owner rail applies.
    let i = emu.connection_info();
    let s = |k: &str| i[k].as_str().unwrap().to_string();
    let mut o = ConnectOptions::service_app(emu.url.clone(), &s("appId"), s("appSecret"), &s("orgId"));
    o.retry = options(&emu).retry;
    let c = CspClient::connect(o).await.unwrap();
    let owners: Vec<String> =
        emu.world().users.iter().filter(|u| u.org_roles.iter().any(|r| r == "org_owner")).map(|u| u.user_id.clone()).collect();
    assert!(owners.len() >= 2, "the seed has several owners");
    let refs: Vec<UserRef> = owners.iter().map(|id| UserRef::Id(id.clone())).collect();
    let plan = c.dry_run_remove_users(&refs, &RemovalOptions::default()).await.unwrap();
    let outcomes: Vec<&str> = plan.items.iter().map(|i| i.outcome.as_str()).collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "wouldRemove").count(), owners.len() - 1);
    assert_eq!(*outcomes.last().unwrap(), "refused");
    assert_eq!(plan.items.last().unwrap().error.as_ref().unwrap().service_code.as_deref(), Some("LAST_ORG_OWNER"));
    let real = c.remove_users(&refs, false).await.unwrap();
    assert_eq!(real.succeeded, owners.len() - 1);
    assert_eq!(real.items.last().unwrap().outcome, "refused");
    assert_eq!(emu.world().users.iter().filter(|u| u.org_roles.iter().any(|r| r == "org_owner")).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_own_membership_goes_only_with_allow_self() {
    let emu = emulator(30).await;
    let c = connect(&emu).await;
    let me = UserRef::parse("ada.andersen@example.com");
    let r = c.remove_users(std::slice::from_ref(&me), false).await.unwrap();
    assert_eq!(r.items[0].outcome, "refused");
    assert!(r.items[0].error.as_ref().unwrap().message.contains("allowSelf"));
    assert!(emu.world().users.iter().any(|u| u.username == "ada.andersen@example.com"));
    let r = c.remove_users_with(&[me], &ALLOW_SELF).await.unwrap();
    assert_eq!(r.items[0].outcome, "removed", "{:?}", r.items[0]);
    assert!(!emu.world().users.iter().any(|u| u.username == "ada.andersen@example.com"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_a_lost_answer_confirms_only_users_that_existed() {
    let emu = emulator(30).await;
    let c = connect(&emu).await;
    let victim = emu.world().users[5].user_id.clone();
    let never = "example.com:00000000-dead-beef-0000-000000000000".to_string();
    // Every DELETE is carried out, then its answer is cut short: the retry finds the users gone.
    fault(&emu, serde_json::json!({"method": "DELETE", "path": "/csp/gateway/am/api/v2/orgs/*/users", "truncateBody": true, "times": 1}))
        .await;
    let r = c.remove_users(&[UserRef::Id(victim.clone()), UserRef::Id(never.clone())], false).await.unwrap();
    assert_eq!(r.items[0].outcome, "removed");
    assert_eq!(r.items[0].message.as_deref(), Some("confirmed after a retry"));
    assert_eq!(r.items[1].outcome, "failed", "an id that never existed is not 'removed': {:?}", r.items[1]);
    assert_eq!(r.items[1].error.as_ref().unwrap().category, ErrorCategory::NotFound);
    assert_eq!(r.items[1].message, None);
    assert!(!emu.world().users.iter().any(|u| u.user_id == victim));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_duplicates_get_an_item_each_and_are_sent_once() {
    let emu = emulator(30).await;
    let c = connect(&emu).await;
    let u = emu.world().users[3].clone();
    let refs = [UserRef::Id(u.user_id.clone()), UserRef::parse(&u.username), UserRef::parse(&u.email)];
    let r = c.remove_users(&refs, false).await.unwrap();
    assert_eq!(r.items.len(), 3);
    assert_eq!(names(&r).iter().map(|(o, _)| o.as_str()).collect::<Vec<_>>(), ["removed", "duplicate", "duplicate"]);
    assert!(r.items.iter().all(|i| i.target.as_ref().unwrap().id == u.user_id));
    assert_eq!(count(&emu, "DELETE", "/users").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csp_a_cancelled_removal_reports_sent_items_unknown_and_the_rest_not_started() {
    let emu = emulator(120).await;
    let mut o = options(&emu);
    o.concurrency = 1;
    let c = CspClient::connect(o).await.unwrap();
    let refs: Vec<UserRef> = emu.world().users[20..80].iter().map(|u| UserRef::Id(u.user_id.clone())).collect();

    // Cancelled before it starts: nothing is sent.
    let job = Job::new();
    job.cancel();
    let r = c.with_job(job).remove_users(&refs, false).await.unwrap();
    assert_eq!((r.not_started, r.cancelled), (60, true));
    assert_eq!(count(&emu, "DELETE", "/users").await, 0);

    // Cancelled while the first batch of 20 is in flight: 20 unknown, 40 never sent.
    fault(&emu, serde_json::json!({"method": "DELETE", "path": "/csp/gateway/am/api/v2/orgs/*/users", "latencyMs": 3000})).await;
    let job = Job::new();
    let canceller = job.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1200));
        canceller.cancel();
    });
    let r = c.with_job(job.clone()).remove_users(&refs, false).await.unwrap();
    t.join().unwrap();
    assert_eq!((r.succeeded, r.unknown, r.not_started, r.cancelled), (0, 20, 40, true), "{:?}", names(&r));
    assert!(r.items.iter().all(|i| i.target.is_some()), "every item names its user");
    // The abandoned request may or may not have reached the server; nothing else was sent.
    assert!(count(&emu, "DELETE", "/users").await <= 1);
    let left: BTreeSet<String> = emu.world().users.iter().map(|u| u.user_id.clone()).collect();
    for item in r.items.iter().filter(|i| i.is_not_started()) {
        assert!(left.contains(&item.target.as_ref().unwrap().id), "a user not sent is still there");
    }
    let p = job.progress();
    assert_eq!((p.done, p.total), (20, 60));
}

// ---- Cloud Director ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcd_a_selector_selects_the_same_users_in_list_get_set_and_remove() {
    let emu = emulator(3).await;
    let c = vcd(&emu).await;
    let world = emu.world();
    let someone = world.vcd.users.iter().rev().find(|u| u.full_name.contains(' ') && !u.email.is_empty()).unwrap().clone();
    let first = someone.username.split('.').next().unwrap().to_string();
    for selector in [format!("{first}.*"), someone.full_name.clone(), someone.email.clone(), someone.id.clone(), "a*".to_string()] {
        let listed: BTreeSet<String> = c
            .users(&VcdUserQuery { name: vec![selector.clone()], ..Default::default() })
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        let plan = c.dry_run_remove_users(std::slice::from_ref(&selector), &RemovalOptions::default()).await.unwrap();
        assert!(!listed.is_empty(), "{selector}");
        assert_eq!(listed, targets(&plan), "{selector}: list and remove select the same users");
    }
    // get and set take the same forms: a username, an email, a full name.
    assert_eq!(c.user(&someone.username).await.unwrap().id, someone.id);
    assert_eq!(c.user(&someone.email).await.unwrap().id, someone.id);
    let changed = c
        .set_user(&VcdUserChanges { id: someone.username.clone(), description: Some("by username".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((changed.id.as_str(), changed.description.as_str()), (someone.id.as_str(), "by username"));
    // A pattern naming several users changes nobody.
    let e = c.set_user(&VcdUserChanges { id: "*".into(), description: Some("all".into()), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::InvalidArgument);
    assert_eq!(e.field.as_deref(), Some("id"));
    assert!(e.message.contains("matches"), "{}", e.message);
    assert!(!emu.world().vcd.users.iter().any(|u| u.description == "all"));
    let e = c.user("nobody-by-this-name").await.unwrap_err();
    assert_eq!((e.category, e.field.as_deref()), (ErrorCategory::NotFound, Some("id")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcd_pattern_characters_are_refused_in_new_usernames() {
    let emu = emulator(3).await;
    let c = vcd(&emu).await;
    let before = emu.world().vcd.users.len();
    let users: Vec<NewVcdUser> = ["*", "a?b", "x[1]", "fine.name"]
        .iter()
        .map(|n| NewVcdUser {
            username: n.to_string(),
            password: Some("s3cret-pass".into()),
            roles: vec!["vApp User".into()],
            ..Default::default()
        })
        .collect();
    let r = c.new_users(&users).await.unwrap();
    for i in 0..3 {
        let e = r.items[i].error.as_ref().unwrap();
        assert_eq!(e.field.as_deref(), Some(format!("users[{i}].username").as_str()));
        assert!(e.message.contains("wildcard"), "{}", e.message);
    }
    assert_eq!(r.items[3].outcome, "created");
    assert_eq!(emu.world().vcd.users.len(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcd_removals_name_each_user_refuse_the_caller_and_keep_duplicates() {
    let emu = emulator(3).await;
    let c = vcd(&emu).await;
    let me = c.info();
    let tenant = |emu: &Emulator| emu.world().vcd.users.iter().filter(|u| u.org_id == me.org_id).count();
    let before = tenant(&emu);
    let victim = emu
        .world()
        .vcd
        .users
        .iter()
        .find(|u| u.username.starts_with(|ch: char| ch.is_ascii_lowercase()) && u.id != me.user_id && u.username != "administrator")
        .unwrap()
        .clone();
    // The dry run marks the logged-in administrator refused: the server would refuse it.
    let plan = c.dry_run_remove_users(&[me.user.clone(), victim.username.clone()], &ALLOW_SELF).await.unwrap();
    assert_eq!(names(&plan), [("refused".to_string(), me.user.clone()), ("wouldRemove".to_string(), victim.username.clone())]);
    assert!(!plan.all_ok());
    // Two inputs naming one user: two items, one DELETE.
    let r = c.remove_users(&[victim.username.clone(), victim.id.clone()]).await.unwrap();
    assert_eq!(names(&r), [("removed".to_string(), victim.username.clone()), ("duplicate".to_string(), victim.username.clone())]);
    assert_eq!(count(&emu, "DELETE", "/cloudapi/1.0.0/users/").await, 1);
    assert_eq!(tenant(&emu), before - 1);
    let r = c.remove_users(&["*".to_string()]).await.unwrap();
    let mine = r.items.iter().find(|i| i.target.as_ref().unwrap().id == me.user_id).unwrap();
    assert_eq!(mine.outcome, "refused");
    assert_eq!(r.items.len(), before - 1, "every user the pattern named has an item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcd_a_cancelled_removal_sends_nothing_more() {
    let emu = emulator(3).await;
    let i = emu.connection_info();
    let s = |k: &str| i[k].as_str().unwrap().to_string();
    let mut o = VcdConnectOptions::password(s("vcdUrl"), &s("vcdOrg"), &s("vcdUser"), s("vcdPassword"));
    o.concurrency = 1;
    let c = VcdClient::connect(o).await.unwrap();
    let me = c.info().user_id;
    let ids: Vec<String> =
        emu.world().vcd.users.iter().filter(|u| u.id != me && u.username != "administrator").take(5).map(|u| u.id.clone()).collect();
    fault(&emu, serde_json::json!({"method": "DELETE", "path": "/cloudapi/1.0.0/users/*", "latencyMs": 3000})).await;
    let job = Job::new();
    let canceller = job.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1200));
        canceller.cancel();
    });
    let r = c.with_job(job.clone()).remove_users(&ids).await.unwrap();
    t.join().unwrap();
    assert_eq!((r.unknown, r.not_started, r.cancelled), (1, 4, true), "{:?}", names(&r));
    assert!(count(&emu, "DELETE", "/cloudapi/1.0.0/users/").await <= 1);
    let left: BTreeSet<String> = emu.world().vcd.users.iter().map(|u| u.id.clone()).collect();
    assert!(ids[1..].iter().all(|id| left.contains(id)), "users not sent are still there");
    assert_eq!(job.progress().done, 1);
}
