//! Benchmark workloads, one per subcommand, each printing one JSON line of figures.
//! bench/run.sh runs them against the emulator beside the other contenders.
//!
//!   vcs-bench list-rust URL TOKEN        every user through the Rust API
//!   vcs-bench list-abi URL TOKEN         every user through the C ABI, parsed from its JSON
//!   vcs-bench list-cursor URL TOKEN      every user through the C ABI's cursor, page by page
//!   vcs-bench bulk URL TOKEN N           invite N emails, revoke them, remove N users
//!   vcs-bench overhead URL TOKEN N       N calls of connection info and of a one-page user list,
//!                                        through the C ABI and through the Rust API
//!   vcs-bench invite URL TOKEN N         invite N emails (throttling: run under a 429 fault rule)
//!   vcs-bench vcd-create URL ORG:USER:PASSWORD N   create N Cloud Director users (against --rate-limit)

mod throttling;

mod cursor;

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::null_mut;
use std::time::Instant;
use vcs_native::csp::request::*;
use vcs_native::ffi::*;
use vcs_native::{runtime, ConnectOptions, CspClient};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn abi_call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, String) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    unsafe { vcs_string_free(out) };
    (status, text)
}

fn abi_connect(url: &str, token: &str) -> *mut VcsConnection {
    let opts = CString::new(json!({"server": url, "apiToken": token}).to_string()).unwrap();
    let mut conn = null_mut();
    let (s, text) = abi_call(|o| unsafe { vcs_connect(opts.as_ptr(), &mut conn, o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{text}");
    conn
}

fn rust_connect(url: &str, token: &str) -> CspClient {
    runtime().block_on(CspClient::connect(ConnectOptions::api_token(url, token))).expect("connects")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (cmd, url, token) = (args[1].as_str(), args[2].as_str(), args[3].as_str());
    let n: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let result: Value = match cmd {
        "list-rust" => {
            let client = rust_connect(url, token);
            let t = Instant::now();
            let users = runtime().block_on(client.users(&UserQuery::default())).unwrap();
            json!({"users": users.len(), "seconds": t.elapsed().as_secs_f64(), "peakRssKib": peak_rss_kib()})
        }
        "list-cursor" => cursor::list(url, token, peak_rss_kib),
        "list-abi" => {
            let conn = abi_connect(url, token);
            let t = Instant::now();
            let (s, text) = abi_call(|o| unsafe { vcs_get_users(conn, std::ptr::null(), o) });
            assert_eq!(s, VcsStatus::VCS_OK);
            // A typed host: the JSON parsed into user records.
            let parsed: Vec<vcs_native::csp::model::User> = serde_json::from_str(&text).unwrap();
            let seconds = t.elapsed().as_secs_f64();
            drop(text);
            unsafe { vcs_disconnect(conn) };
            json!({"users": parsed.len(), "seconds": seconds, "peakRssKib": peak_rss_kib()})
        }
        "bulk" => {
            let client = rust_connect(url, token);
            let emails: Vec<String> = (0..n).map(|i| format!("bench{i}@bulk.example")).collect();
            let t = Instant::now();
            let invited = runtime()
                .block_on(client.invite(&InvitationRequest {
                    emails,
                    organization_roles: vec!["org_member".into()],
                    skip_notify: true,
                    ..Default::default()
                }))
                .unwrap();
            let invite_s = t.elapsed().as_secs_f64();
            let ids: Vec<String> = invited.items.iter().filter_map(|i| i.id.clone()).collect();
            let t = Instant::now();
            let revoked = runtime().block_on(client.revoke_invitations(&ids)).unwrap();
            let revoke_s = t.elapsed().as_secs_f64();
            let victims: Vec<UserRef> = runtime()
                .block_on(client.users(&UserQuery::default()))
                .unwrap()
                .into_iter()
                .filter(|u| !u.organization_roles.iter().any(|r| r == "org_owner"))
                .take(n)
                .map(|u| UserRef::Id(u.id))
                .collect();
            let t = Instant::now();
            let removed = runtime().block_on(client.remove_users(&victims, false)).unwrap();
            let remove_s = t.elapsed().as_secs_f64();
            json!({
                "invite": {"seconds": invite_s, "succeeded": invited.succeeded, "failed": invited.failed},
                "revoke": {"seconds": revoke_s, "succeeded": revoked.succeeded, "failed": revoked.failed},
                "remove": {"seconds": remove_s, "succeeded": removed.succeeded, "failed": removed.failed},
            })
        }
        "overhead" => {
            let client = rust_connect(url, token);
            let conn = abi_connect(url, token);
            // Every user of a small org: one page.
            let one_page = CString::new("{}").unwrap();
            let query = UserQuery::default();
            let time = |f: &mut dyn FnMut()| {
                let t = Instant::now();
                for _ in 0..n {
                    f();
                }
                t.elapsed().as_secs_f64() * 1e6 / n as f64
            };
            let abi_info = time(&mut || {
                let (s, _) = abi_call(|o| unsafe { vcs_connection_info(conn, o) });
                assert_eq!(s, VcsStatus::VCS_OK);
            });
            let rust_info = time(&mut || {
                let info = runtime().block_on(client.info());
                std::hint::black_box(serde_json::to_string(&info).unwrap());
            });
            let abi_users = time(&mut || {
                let (s, text) = abi_call(|o| unsafe { vcs_get_users(conn, one_page.as_ptr(), o) });
                assert_eq!(s, VcsStatus::VCS_OK);
                std::hint::black_box(text);
            });
            let rust_users = time(&mut || {
                let users = runtime().block_on(client.users(&query)).unwrap();
                std::hint::black_box(serde_json::to_string(&users).unwrap());
            });
            unsafe { vcs_disconnect(conn) };
            json!({"calls": n, "abiInfoUs": abi_info, "rustInfoUs": rust_info, "abiUsersUs": abi_users, "rustUsersUs": rust_users})
        }
        "invite" => throttling::invite(url, token, n),
        "vcd-create" => throttling::vcd_create(url, token, n),
        "sync" => sync_workload(url, token, n),
        other => panic!("unknown workload {other}"),
    };
    println!("{result}");
}

/// Sync an organization from its own export with `n` rows changed (a role added to plain
/// members): the plan's time beyond the listing, the apply, and a second plan.
fn sync_workload(url: &str, token: &str, n: usize) -> Value {
    use vcs_native::sync;
    let client = rust_connect(url, token);
    let users = runtime().block_on(client.users(&UserQuery::default())).unwrap();
    let mut changed = 0;
    let mut text = String::new();
    for (i, line) in sync::csp::export(&users).lines().enumerate() {
        let fields: Vec<&str> = line.splitn(3, ',').collect();
        if i > 0 && changed < n && fields.get(1) == Some(&"org_member") {
            text.push_str(&format!("{},developer;org_member,{}\n", fields[0], fields[2]));
            changed += 1;
        } else {
            text.push_str(line);
            text.push('\n');
        }
    }
    let t = Instant::now();
    let plan = runtime().block_on(sync::csp::plan(&client, &text, false)).unwrap();
    let plan_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let report = runtime().block_on(sync::csp::apply(&client, &plan)).unwrap();
    let apply_s = t.elapsed().as_secs_f64();
    let again = runtime().block_on(sync::csp::plan(&client, &text, false)).unwrap();
    json!({
        "members": users.len(),
        "differences": changed,
        "planSeconds": plan_s,
        "listingSeconds": plan.timing.listing_seconds,
        "planningSeconds": plan.timing.planning_seconds,
        "plannedChanges": plan.summary.changes,
        "applySeconds": apply_s,
        "applied": report.succeeded,
        "failed": report.failed,
        "secondPlanChanges": again.summary.changes,
    })
}
