//! Removals through the C ABI, as a host calls them: `allowSelf` and `dryRun` in the request JSON,
//! reports naming each user, and `VCS_PARTIAL_FAILURE` (13) when an item fails or would fail.

mod common;

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::null_mut;
use vcs_native::ffi::*;

fn call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, Value) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    assert!(!out.is_null());
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { vcs_string_free(out) };
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

fn c(v: Value) -> CString {
    CString::new(v.to_string()).unwrap()
}

/// Runs `f` on a thread of its own, as a host thread (the ABI blocks on the library's runtime).
async fn host<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcs_remove_users_refuses_the_caller_unless_allow_self() {
    let emu = common::emulator(20).await;
    let (url, token) = (emu.url.clone(), emu.api_token());
    let victim = emu.world().users[4].clone();
    let (username, id) = (victim.username.clone(), victim.user_id.clone());
    let (dry, refused, allowed) = host(move || {
        let mut conn = null_mut();
        let (s, v) = call(|o| unsafe { vcs_connect(c(json!({"server": url, "apiToken": token})).as_ptr(), &mut conn, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        let remove = |request: Value| call(|o| unsafe { vcs_remove_users(conn, c(request).as_ptr(), o) });
        let dry = remove(json!({"users": ["ada.andersen@example.com", username], "dryRun": true}));
        let refused = remove(json!({"users": ["ada.andersen@example.com"]}));
        let allowed = remove(json!({"users": ["ada.andersen@example.com", id], "allowSelf": true}));
        assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
        (dry, refused, allowed)
    })
    .await;

    assert_eq!(dry.0, VcsStatus::VCS_PARTIAL_FAILURE, "a refused item makes the dry run partial: {}", dry.1);
    assert_eq!(dry.1["items"][0]["outcome"], "refused");
    assert_eq!(dry.1["items"][0]["error"]["field"], "allowSelf");
    assert_eq!(dry.1["items"][1]["outcome"], "wouldRemove");
    assert_eq!(dry.1["items"][1]["target"]["email"], victim.email.as_str());
    assert_eq!((dry.1["succeeded"].as_u64(), dry.1["failed"].as_u64()), (Some(1), Some(1)));

    assert_eq!(refused.0, VcsStatus::VCS_PARTIAL_FAILURE);
    assert_eq!(refused.1["items"][0]["outcome"], "refused");
    assert_eq!(allowed.0, VcsStatus::VCS_OK, "{}", allowed.1);
    assert_eq!(allowed.1["items"][0]["outcome"], "removed");
    assert_eq!(allowed.1["items"][0]["target"]["username"], "ada.andersen@example.com");
    assert_eq!(allowed.1["items"][1]["target"]["id"], victim.user_id.as_str());
    let left = emu.world().users;
    assert!(!left.iter().any(|u| u.username == "ada.andersen@example.com" || u.user_id == victim.user_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vcd_remove_users_takes_allow_self_and_dry_run() {
    let emu = common::emulator(3).await;
    let i = emu.connection_info();
    let victim = emu.world().vcd.users.iter().rev().find(|u| u.username.contains('.')).unwrap().clone();
    let username = victim.username.clone();
    let (dry, refused, sent, malformed) = host(move || {
        let opts = json!({"server": i["vcdUrl"], "org": i["vcdOrg"], "username": i["vcdUser"], "password": i["vcdPassword"]});
        let mut conn: *mut VcdConnection = null_mut();
        let (s, v) = call(|o| unsafe { vcd_connect(c(opts).as_ptr(), &mut conn, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        let me = i["vcdUser"].as_str().unwrap().to_string();
        let remove = |request: Value| call(|o| unsafe { vcd_remove_users(conn, c(request).as_ptr(), o) });
        let dry = remove(json!({"users": [me, username], "dryRun": true}));
        let refused = remove(json!({"users": [me]}));
        let sent = remove(json!({"users": [me], "allowSelf": true}));
        let malformed = remove(json!({"users": [{"id": "*"}]}));
        assert_eq!(unsafe { vcd_disconnect(conn) }, VcsStatus::VCS_OK);
        (dry, refused, sent, malformed)
    })
    .await;
    assert_eq!(dry.0, VcsStatus::VCS_PARTIAL_FAILURE);
    assert_eq!(dry.1["items"][0]["outcome"], "refused");
    assert_eq!(dry.1["items"][1]["outcome"], "wouldRemove");
    assert_eq!(dry.1["items"][1]["target"]["id"], victim.id.as_str());
    assert!(emu.world().vcd.users.iter().any(|u| u.id == victim.id), "a dry run removes nobody");
    assert_eq!(refused.1["items"][0]["outcome"], "refused");
    // With allowSelf the request goes out, and the server's own refusal is reported.
    assert_eq!(sent.0, VcsStatus::VCS_PARTIAL_FAILURE);
    assert_eq!(sent.1["items"][0]["outcome"], "failed");
    assert_eq!(sent.1["items"][0]["error"]["httpStatus"], 400);
    // A user object's id is an id, never a pattern.
    assert_eq!(malformed.0, VcsStatus::VCS_INVALID_ARGUMENT);
    assert_eq!(malformed.1["field"], "users[0].id");
}
