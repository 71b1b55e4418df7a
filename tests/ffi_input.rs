//! Hostile input at the C ABI, called as a C host would: NULLs, invalid UTF-8, JSON of the wrong
//! shape, unknown fields, huge and deeply nested input, odd emails and patterns, random JSON for
//! every entry point (proptest).

mod common;

use proptest::prelude::*;
use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::{null, null_mut};
use vcs_native::ffi::*;

/// Calls an export, takes its JSON answer (freeing it with vcs_string_free) and checks the contract.
fn call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, Value) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    assert!(!out.is_null(), "every call answers with JSON (status {status:?})");
    let text = unsafe { CStr::from_ptr(out) }.to_str().expect("answers are UTF-8").to_string();
    unsafe { vcs_string_free(out) };
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("answer is not JSON ({e}): {text}"));
    assert_ne!(status, VcsStatus::VCS_PANIC, "{text}");
    if status != VcsStatus::VCS_OK && status != VcsStatus::VCS_PARTIAL_FAILURE {
        assert!(v["category"].is_string() && v["message"].is_string(), "error shape: {text}");
    }
    (status, v)
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

struct Conn(*mut VcsConnection);
unsafe impl Send for Conn {}
unsafe impl Sync for Conn {}

fn connect(url: &str, token: &str) -> Conn {
    let mut conn = null_mut();
    let opts = c(&json!({"server": url, "apiToken": token}).to_string());
    let (s, v) = call(|o| unsafe { vcs_connect(opts.as_ptr(), &mut conn, o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    Conn(conn)
}

type ConnFn = unsafe extern "C" fn(*const VcsConnection, *const c_char, *mut *mut c_char) -> VcsStatus;

fn conn_functions() -> Vec<(&'static str, ConnFn)> {
    vec![
        ("vcs_get_organization_roles", vcs_get_organization_roles),
        ("vcs_get_services", vcs_get_services),
        ("vcs_get_service_roles", vcs_get_service_roles),
        ("vcs_get_users", vcs_get_users),
        ("vcs_get_user_invitations", vcs_get_user_invitations),
        ("vcs_remove_users", vcs_remove_users),
        ("vcs_new_user_invitations", vcs_new_user_invitations),
        ("vcs_remove_user_invitations", vcs_remove_user_invitations),
        ("vcs_set_user_roles", vcs_set_user_roles),
        ("vcs_plan_sync", vcs_plan_sync),
        ("vcs_apply_plan", vcs_apply_plan),
    ]
}

/// Runs a blocking ABI test beside an in-process emulator.
fn with_emulator(users: usize, f: impl FnOnce(String, String) + Send + 'static) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(common::emulator(users));
    let (url, token) = (emu.url.clone(), emu.api_token());
    std::thread::spawn(move || f(url, token)).join().unwrap();
    drop(emu);
}

#[test]
fn null_pointers_are_refused_everywhere() {
    with_emulator(5, |url, token| {
        let conn = connect(&url, &token);
        for (name, f) in conn_functions() {
            assert_eq!(unsafe { f(conn.0, null(), null_mut()) }, VcsStatus::VCS_INVALID_ARGUMENT, "{name}: NULL out_json");
            let (s, v) = call(|o| unsafe { f(null(), c("{}").as_ptr(), o) });
            assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{name}: NULL connection");
            assert_eq!(v["field"], "connection");
        }
        // Queries may be NULL (= all); requests may not.
        for (name, f) in conn_functions() {
            let (s, v) = call(|o| unsafe { f(conn.0, null(), o) });
            if name.contains("_get_") {
                assert_eq!(s, VcsStatus::VCS_OK, "{name}: NULL query lists all: {v}");
            } else {
                assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{name}: NULL request");
                assert_eq!(v["field"], "request_json");
            }
        }
        let (s, _) = call(|o| unsafe { vcs_connection_info(null(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        let (s, _) = call(|o| unsafe { vcs_new_oauth_security_context(null(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(unsafe { vcs_disconnect(conn.0) }, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcs_disconnect(conn.0) }, VcsStatus::VCS_INVALID_ARGUMENT, "double disconnect");
        let (s, _) = call(|o| unsafe { vcs_get_users(conn.0, null(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "use after disconnect");
    });
}

#[test]
fn malformed_json_is_a_clear_error_naming_the_field() {
    with_emulator(5, |url, token| {
        let conn = connect(&url, &token);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"\xff\xfe{}".to_vec(), "UTF-8"),
            (b"[]".to_vec(), "must be a JSON object, got an array"),
            (b"42".to_vec(), "got a number"),
            (b"\"text\"".to_vec(), "got a string"),
            (b"null".to_vec(), "got null"),
            (b"{\"name\": ".to_vec(), "not valid JSON"),
            (b"{\"name\": 5}".to_vec(), "name"),
            (b"{\"name\": [\"a\", 7]}".to_vec(), "name"),
            (b"{\"nmae\": \"x\"}".to_vec(), "nmae"),
            (format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(), "not valid JSON"),
        ];
        for (input, expect) in cases {
            let arg = CString::new(input.clone()).unwrap();
            let (s, v) = call(|o| unsafe { vcs_get_users(conn.0, arg.as_ptr(), o) });
            assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
            let msg = v["message"].as_str().unwrap();
            assert!(msg.contains(expect), "{expect:?} not in {msg:?}");
            assert!(msg.chars().count() < 2000, "messages stay short");
        }
        // Ten megabytes in one string.
        let huge = c(&json!({"name": "a".repeat(10 * 1024 * 1024)}).to_string());
        let (s, v) = call(|o| unsafe { vcs_get_users(conn.0, huge.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert!(v["message"].as_str().unwrap().contains("at most"), "{v}");

        let bad_invite = c(r#"{"emails": ["x@y.co"], "organizationRoles": 5}"#);
        let (s, v) = call(|o| unsafe { vcs_new_user_invitations(conn.0, bad_invite.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(v["field"], "organizationRoles", "{v}");
        let (s, v) = call(|o| unsafe { vcs_remove_users(conn.0, c(r#"{"users": [true]}"#).as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(v["field"], "users[0]");
        let (s, v) = call(|o| unsafe { vcs_remove_user_invitations(conn.0, c(r#"{"invitations": [{"name": "x"}]}"#).as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(v["field"], "invitations[0]");
        let (s, v) = call(|o| unsafe { vcs_connect(c(r#"{"apiToken": "t", "appId": "a"}"#).as_ptr(), &mut null_mut(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(v["field"], "apiToken");
        let (s, v) = call(|o| unsafe { vcs_connect(c(r#"{"appId": "a", "appSecret": "s"}"#).as_ptr(), &mut null_mut(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(v["field"], "orgId");
        let (s, v) = call(|o| unsafe {
            vcs_connect(c(&json!({"server": url, "apiToken": token, "timeoutSeconds": -1}).to_string()).as_ptr(), &mut null_mut(), o)
        });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(v["field"], "timeoutSeconds");
        unsafe { vcs_disconnect(conn.0) };
    });
}

#[test]
fn odd_emails_and_patterns() {
    with_emulator(30, |url, token| {
        let conn = connect(&url, &token);
        let emails = [
            "o'brien+tag@sub.example.co.uk",
            "x_y-z.1@host-name.example",
            "plain",
            "a@b",
            "two@@at.example",
            " space@x.example",
            "a@-bad.example",
        ];
        let req = c(&json!({"emails": emails, "organizationRoles": ["org_member"]}).to_string());
        let (s, v) = call(|o| unsafe { vcs_new_user_invitations(conn.0, req.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_PARTIAL_FAILURE, "{v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), emails.len());
        assert_eq!(items.iter().filter(|i| i["ok"] == true).count(), 2, "{v}");
        for (i, item) in items.iter().enumerate().skip(2) {
            assert_eq!(item["error"]["field"], format!("emails[{i}]"));
        }
        for (pattern, expect_ok) in [("a.b+(c)", true), ("(.*)", true), ("^A$", true), ("[", false), ("*[z-a]", false), ("\\", true)] {
            let q = c(&json!({"name": pattern}).to_string());
            let (s, v) = call(|o| unsafe { vcs_get_users(conn.0, q.as_ptr(), o) });
            if expect_ok {
                assert_eq!(s, VcsStatus::VCS_OK, "{pattern}: {v}");
                assert!(v.as_array().unwrap().is_empty(), "{pattern} is literal and matches nobody");
            } else {
                assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{pattern}");
                assert_eq!(v["field"], "name[0]");
            }
        }
        unsafe { vcs_disconnect(conn.0) };
    });
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![Just("name"), Just("email"), Just("id"), Just("A*"), Just("org_member"), Just("x@y.example")].prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        let keys = prop_oneof![
            Just("name".to_string()),
            Just("email".to_string()),
            Just("id".to_string()),
            Just("user".to_string()),
            Just("service".to_string()),
            Just("status".to_string()),
            Just("emails".to_string()),
            Just("organizationRoles".to_string()),
            Just("serviceRoles".to_string()),
            Just("roles".to_string()),
            Just("users".to_string()),
            Just("invitations".to_string()),
            Just("notifyUsers".to_string()),
            Just("skipNotify".to_string()),
            Just("apiToken".to_string()),
            Just("timeoutSeconds".to_string()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn random_json_never_crashes_any_entry_point() {
    with_emulator(15, |url, token| {
        let conn = connect(&url, &token);
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 64,
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(&(arb_json(), 0usize..conn_functions().len() + 2), |(value, which)| {
                let text = c(&value.to_string());
                match which {
                    0 | 1 => {
                        // Connect-style options always point at the emulator: random input never leaves loopback.
                        let mut v = value.clone();
                        if let Some(m) = v.as_object_mut() {
                            m.insert("server".into(), json!(url));
                            m.insert("maxAttempts".into(), json!(1));
                        }
                        let opts = c(&v.to_string());
                        if which == 0 {
                            let mut out_conn = null_mut();
                            let (s, _) = call(|o| unsafe { vcs_connect(opts.as_ptr(), &mut out_conn, o) });
                            if s == VcsStatus::VCS_OK {
                                unsafe { vcs_disconnect(out_conn) };
                            }
                        } else {
                            call(|o| unsafe { vcs_new_oauth_security_context(opts.as_ptr(), o) });
                        }
                    }
                    n => {
                        let (_, f) = conn_functions()[n - 2];
                        call(|o| unsafe { f(conn.0, text.as_ptr(), o) });
                    }
                }
                Ok(())
            })
            .unwrap();
        unsafe { vcs_disconnect(conn.0) };
    });
}

#[test]
fn the_version_is_the_crate_version() {
    let v = unsafe { CStr::from_ptr(vcs_version()) }.to_str().unwrap();
    assert_eq!(v, env!("CARGO_PKG_VERSION"));
    unsafe { vcs_string_free(null_mut()) };
}

type VcdFn = unsafe extern "C" fn(*const VcdConnection, *const c_char, *mut *mut c_char) -> VcsStatus;

#[test]
fn random_json_never_crashes_the_cloud_director_entry_points() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(common::emulator(3));
    let info = emu.connection_info();
    std::thread::spawn(move || {
        let url = info["vcdUrl"].as_str().unwrap().to_string();
        let opts =
            c(&json!({"server": url, "org": info["vcdOrg"], "username": info["vcdUser"], "password": info["vcdPassword"]}).to_string());
        let mut conn: *mut VcdConnection = null_mut();
        let (s, v) = call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut conn, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        let conn = Conn2(conn);
        let functions: Vec<VcdFn> =
            vec![vcd_get_users, vcd_get_user, vcd_new_user, vcd_set_user, vcd_remove_users, vcd_get_roles, vcd_plan_sync, vcd_apply_plan];
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 64,
            failure_persistence: None,
            ..Default::default()
        });
        runner
            .run(&(arb_json(), 0usize..=functions.len()), |(value, which)| {
                if which == functions.len() {
                    let mut v = value.clone();
                    if let Some(m) = v.as_object_mut() {
                        m.insert("server".into(), json!(url));
                        m.insert("maxAttempts".into(), json!(1));
                    }
                    let o2 = c(&v.to_string());
                    let mut out_conn = null_mut();
                    let (s, _) = call(|o| unsafe { vcd_connect(o2.as_ptr(), &mut out_conn, o) });
                    if s == VcsStatus::VCS_OK {
                        unsafe { vcd_disconnect(out_conn) };
                    }
                } else {
                    let text = c(&value.to_string());
                    call(|o| unsafe { functions[which](conn.0, text.as_ptr(), o) });
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(unsafe { vcd_disconnect(conn.0) }, VcsStatus::VCS_OK);
    })
    .join()
    .unwrap();
    drop(emu);
}

struct Conn2(*mut VcdConnection);
unsafe impl Send for Conn2 {}
unsafe impl Sync for Conn2 {}
