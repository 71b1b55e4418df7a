//! The boundary holds whatever a host does, through the C ABI: handles never reused, a server
//! that overstates its token lifetime, disconnecting while a Cloud Director call runs, a logout
//! that cannot finish. (Double frees and fork: tests/c/boundary.c, run by tests/c_cursor.rs.)

mod common;

use serde_json::{json, Value};
use std::collections::HashSet;
use std::ffi::{c_char, CStr, CString};
use std::ptr::{null, null_mut};
use std::time::{Duration, Instant};
use vcs_emulator::Config;
use vcs_native::ffi::*;

fn call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, Value) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    assert!(!out.is_null());
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { vcs_string_free(out) };
    assert_ne!(status, VcsStatus::VCS_PANIC, "{text}");
    (status, serde_json::from_str(&text).unwrap())
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[derive(Clone, Copy)]
struct Ptr<T>(*mut T);
unsafe impl<T> Send for Ptr<T> {}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn csp_connect(emu: &vcs_emulator::Emulator) -> (VcsStatus, *mut VcsConnection, Value) {
    let opts = c(&json!({"server": emu.url, "apiToken": emu.api_token()}).to_string());
    let mut conn = null_mut();
    let (s, v) = call(|o| unsafe { vcs_connect(opts.as_ptr(), &mut conn, o) });
    (s, conn, v)
}

fn vcd_options(emu: &vcs_emulator::Emulator, extra: Value) -> CString {
    let i = emu.connection_info();
    let mut o = json!({"server": i["vcdUrl"], "org": i["vcdOrg"], "username": i["vcdUser"], "password": i["vcdPassword"]});
    o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    c(&o.to_string())
}

#[test]
fn a_stale_handle_never_reaches_a_newer_connection() {
    let rt = runtime();
    let first = rt.block_on(common::emulator(3));
    let second = rt.block_on(common::emulator(3));
    std::thread::spawn(move || {
        let (s, a, _) = csp_connect(&first);
        assert_eq!(s, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcs_disconnect(a) }, VcsStatus::VCS_OK);
        // Many new connections, as a host that reconnects would make; none may take A's place.
        let mut seen = HashSet::from([a as usize]);
        let mut b: *mut VcsConnection = null_mut();
        for _ in 0..50 {
            let (s, conn, _) = csp_connect(&second);
            assert_eq!(s, VcsStatus::VCS_OK);
            assert!(seen.insert(conn as usize), "a handle value came back");
            if !b.is_null() {
                assert_eq!(unsafe { vcs_disconnect(b) }, VcsStatus::VCS_OK);
            }
            b = conn;
        }
        let (s, v) = call(|o| unsafe { vcs_connection_info(a, o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "the stale handle answered: {v}");
        assert_eq!(unsafe { vcs_disconnect(a) }, VcsStatus::VCS_INVALID_ARGUMENT);
        let (s, v) = call(|o| unsafe { vcs_connection_info(b, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "the newer connection still works after the stale disconnect: {v}");
        assert_eq!(v["url"].as_str().unwrap().trim_end_matches('/'), second.url.trim_end_matches('/'));
        assert_eq!(unsafe { vcs_disconnect(b) }, VcsStatus::VCS_OK);

        let opts = vcd_options(&first, json!({}));
        let mut old = null_mut();
        assert_eq!(call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut old, o) }).0, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcd_disconnect(old) }, VcsStatus::VCS_OK);
        let mut new = null_mut();
        assert_eq!(call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut new, o) }).0, VcsStatus::VCS_OK);
        assert_ne!(old, new);
        assert_eq!(call(|o| unsafe { vcd_get_users(old, null(), o) }).0, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(unsafe { vcd_disconnect(old) }, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(call(|o| unsafe { vcd_get_users(new, null(), o) }).0, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcd_disconnect(new) }, VcsStatus::VCS_OK);
    })
    .join()
    .unwrap();
}

#[test]
fn a_huge_token_lifetime_from_the_server_is_clamped() {
    let rt = runtime();
    let emu = rt.block_on(common::emulator_with(Config { token_ttl_seconds: 1 << 62, ..Config::ephemeral(3) }));
    std::thread::spawn(move || {
        let (s, conn, v) = csp_connect(&emu);
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        let expires: i64 = v["accessTokenExpiresAt"].as_str().unwrap()[..4].parse().unwrap();
        let (s, users) = call(|o| unsafe { vcs_get_users(conn, null(), o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{users}");
        assert_eq!(users.as_array().unwrap().len(), 3);
        assert!(expires < 2200, "the expiry shown is the clamped one: {v}");
        assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
    })
    .join()
    .unwrap();
}

#[test]
fn disconnecting_while_a_cloud_director_call_runs_leaves_no_session() {
    let rt = runtime();
    let emu = rt.block_on(common::emulator_with(Config { vcd_users: 300, ..Config::ephemeral(3) }));
    let opts = vcd_options(&emu, json!({}));
    let mut conn = null_mut();
    assert_eq!(call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut conn, o) }).0, VcsStatus::VCS_OK);
    assert_eq!(emu.world().vcd.sessions.len(), 1);
    rt.block_on(common::fault(&emu, json!({"method": "GET", "path": "/cloudapi/1.0.0/users", "latencyMs": 700})));
    let shared = Ptr(conn);
    let listing = std::thread::spawn(move || {
        let shared = shared;
        call(|o| unsafe { vcd_get_users(shared.0, null(), o) })
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(unsafe { vcd_disconnect(conn) }, VcsStatus::VCS_OK);
    let (s, v) = listing.join().unwrap();
    println!("the listing under way answered {s:?}: {}", v["message"]);
    assert!(s == VcsStatus::VCS_CANCELLED || s == VcsStatus::VCS_OK, "{s:?} {v}");
    std::thread::sleep(Duration::from_millis(200));
    let sessions = emu.world().vcd.sessions.len();
    assert_eq!(sessions, 0, "a session outlived the disconnect");
}

#[test]
fn a_logout_that_cannot_finish_gives_up_within_its_budget() {
    let rt = runtime();
    let emu = rt.block_on(common::emulator(3));
    let opts = vcd_options(&emu, json!({}));
    let mut conn = null_mut();
    assert_eq!(call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut conn, o) }).0, VcsStatus::VCS_OK);
    rt.block_on(common::fault(&emu, json!({"method": "DELETE", "path": "/cloudapi/1.0.0/sessions/current", "status": 503})));
    let t = Instant::now();
    assert_eq!(unsafe { vcd_disconnect(conn) }, VcsStatus::VCS_OK);
    let took = t.elapsed();
    println!("vcd_disconnect against a failing logout took {took:?}");
    assert!(took < Duration::from_secs(6), "vcd_disconnect took {took:?} (budget 3 s)");
    assert!(common_count(&rt, &emu) >= 2, "the logout was retried within its budget");

    let mut conn = null_mut();
    assert_eq!(call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut conn, o) }).0, VcsStatus::VCS_OK);
    rt.block_on(common::control(&emu, "DELETE", "faults", None));
    rt.block_on(common::fault(&emu, json!({"method": "DELETE", "path": "/cloudapi/1.0.0/sessions/current", "latencyMs": 60000})));
    let t = Instant::now();
    assert_eq!(unsafe { vcd_disconnect(conn) }, VcsStatus::VCS_OK);
    assert!(t.elapsed() < Duration::from_secs(6), "vcd_disconnect against a hanging logout took {:?}", t.elapsed());
}

fn common_count(rt: &tokio::runtime::Runtime, emu: &vcs_emulator::Emulator) -> u64 {
    rt.block_on(common::count(emu, "DELETE", "/sessions/current"))
}
