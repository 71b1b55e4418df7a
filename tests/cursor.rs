//! Cursors through the C ABI, called as a C host would, against the emulator: the same objects
//! as the one-shot calls, page by page; fetching at most two pages ahead; freeing early stops
//! the fetching; cancelling from another thread while a page hangs; progress; hostile input.

mod common;

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::{null, null_mut};
use std::time::{Duration, Instant};
use vcs_native::ffi::*;

fn call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, Value) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    assert!(!out.is_null(), "every call answers with JSON (status {status:?})");
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { vcs_string_free(out) };
    assert_ne!(status, VcsStatus::VCS_PANIC, "{text}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("answer is not JSON ({e}): {text}")))
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[derive(Clone, Copy)]
struct Ptr<T>(*mut T);
unsafe impl<T> Send for Ptr<T> {}
unsafe impl<T> Sync for Ptr<T> {}

fn connect(url: &str, token: &str, extra: Value) -> *mut VcsConnection {
    let mut options = json!({"server": url, "apiToken": token});
    options.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let opts = c(&options.to_string());
    let mut conn = null_mut();
    let (s, v) = call(|o| unsafe { vcs_connect(opts.as_ptr(), &mut conn, o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    conn
}

fn open_users(conn: *const VcsConnection, filter: Option<&str>) -> (VcsStatus, *mut VcsCursor, Value) {
    let filter = filter.map(c);
    let mut cur = null_mut();
    let (s, v) = call(|o| unsafe { vcs_get_users_open(conn, filter.as_ref().map_or(null(), |f| f.as_ptr()), &mut cur, o) });
    (s, cur, v)
}

/// One `vcs_cursor_next`: the status, the page's objects (None at the end) and the answer.
fn next(cur: *mut VcsCursor) -> (VcsStatus, Option<Vec<Value>>, Value) {
    let mut items: *const c_char = null();
    let mut len = 0usize;
    let (s, v) = call(|o| unsafe { vcs_cursor_next(cur, &mut items, &mut len, o) });
    if s != VcsStatus::VCS_OK {
        assert!(items.is_null() && len == 0);
        return (s, None, v);
    }
    assert!(!items.is_null());
    let text = unsafe { std::slice::from_raw_parts(items as *const u8, len) };
    assert_eq!(unsafe { CStr::from_ptr(items) }.to_bytes().len(), len, "items are NUL-terminated after len bytes");
    if len == 0 {
        return (s, None, v);
    }
    let page: Vec<Value> = serde_json::from_slice(text).unwrap();
    assert!(!page.is_empty(), "a page is never empty");
    assert_eq!(v["count"], page.len());
    (s, Some(page), v)
}

fn drain(cur: *mut VcsCursor) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        match next(cur) {
            (VcsStatus::VCS_OK, Some(page), _) => all.extend(page),
            (VcsStatus::VCS_OK, None, _) => return all,
            (s, _, v) => panic!("{s:?} {v}"),
        }
    }
}

fn one_shot(conn: *const VcsConnection, query: &str) -> Vec<Value> {
    let q = c(query);
    let (s, v) = call(|o| unsafe { vcs_get_users(conn, q.as_ptr(), o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    v.as_array().unwrap().clone()
}

struct Emu {
    rt: tokio::runtime::Runtime,
    emu: vcs_emulator::Emulator,
}

impl Emu {
    fn start(users: usize) -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let emu = rt.block_on(common::emulator(users));
        Emu { rt, emu }
    }

    fn user_pages_requested(&self) -> u64 {
        let stats = self.emu.stats();
        stats["requests"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with("GET ") && k.ends_with("/users"))
            .map(|(_, v)| v.as_u64().unwrap())
            .sum()
    }

    fn fault(&self, rule: Value) {
        self.rt.block_on(common::fault(&self.emu, rule));
    }
}

#[test]
fn a_cursor_hands_out_the_one_shot_objects_page_by_page_with_progress() {
    let e = Emu::start(1234);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({"pageSize": 100}));
    let expected = one_shot(conn, "{}");
    assert_eq!(expected.len(), 1234);

    let (s, cur, opened) = open_users(conn, None);
    assert_eq!(s, VcsStatus::VCS_OK, "{opened}");
    assert_eq!(opened["read"], 0);
    let mut all = Vec::new();
    let mut pages = 0;
    while let (VcsStatus::VCS_OK, Some(page), v) = next(cur) {
        pages += 1;
        all.extend(page);
        assert_eq!(v["read"], all.len());
        assert_eq!(v["total"], 1234, "the service gives the total: {v}");
    }
    assert_eq!(pages, 13);
    assert_eq!(all, expected, "the same objects, in the same order");
    let (s, v) = call(|o| unsafe { vcs_cursor_progress(cur, o) });
    assert_eq!(s, VcsStatus::VCS_OK);
    assert_eq!(v["read"], 1234);
    assert_eq!(v["finished"], true);
    // After the end, the end again.
    assert!(matches!(next(cur), (VcsStatus::VCS_OK, None, _)));
    unsafe { vcs_cursor_free(cur) };

    // Filters: the same as the one-shot call's, in both.
    for filter in [r#"{"name": "A*"}"#, r#"{"email": ["*1@*", "*7@*"]}"#, r#"{"name": "zz-nobody-*"}"#] {
        let (s, cur, v) = open_users(conn, Some(filter));
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        assert_eq!(drain(cur), one_shot(conn, filter), "{filter}");
        unsafe { vcs_cursor_free(cur) };
    }
    let id = expected[5]["id"].as_str().unwrap();
    let by_id = json!({"id": [id]}).to_string();
    let (_, cur, _) = open_users(conn, Some(&by_id));
    assert_eq!(drain(cur), vec![expected[5].clone()]);
    unsafe { vcs_cursor_free(cur) };
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}

#[test]
fn freeing_after_the_first_page_stops_the_fetching() {
    let e = Emu::start(20_000);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({"pageSize": 200}));
    let before = e.user_pages_requested();
    let (_, cur, _) = open_users(conn, None);
    let (s, page, _) = next(cur);
    assert_eq!(s, VcsStatus::VCS_OK);
    assert_eq!(page.unwrap().len(), 200);
    // Give the fetcher every chance to run ahead before looking.
    std::thread::sleep(Duration::from_millis(300));
    let ahead = e.user_pages_requested() - before;
    unsafe { vcs_cursor_free(cur) };
    std::thread::sleep(Duration::from_millis(300));
    let requested = e.user_pages_requested() - before;
    println!("pages requested: {ahead} while the reader held page 1, {requested} after the free (of 100)");
    assert!(ahead <= 3, "{ahead} user pages requested while the reader held the first");
    assert!(requested <= 3, "{requested} user pages requested after reading one page and freeing the cursor");
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}

#[test]
fn cancelling_from_another_thread_while_a_page_hangs_answers_within_100_ms() {
    let e = Emu::start(500);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({"pageSize": 100, "timeoutSeconds": 60}));
    let (_, cur, _) = open_users(conn, None);
    assert!(matches!(next(cur), (VcsStatus::VCS_OK, Some(_), _)));
    std::thread::sleep(Duration::from_millis(200));
    // Every later page hangs for 20 s.
    e.fault(json!({"method": "GET", "path": "/csp/gateway/am/api/v2/orgs/*/users", "latencyMs": 20000}));
    for _ in 0..2 {
        let t = Instant::now();
        assert!(matches!(next(cur), (VcsStatus::VCS_OK, Some(_), _)), "the pages fetched ahead come");
        assert!(t.elapsed() < Duration::from_secs(5), "at once");
    }
    let shared = Ptr(cur);
    let reader = std::thread::spawn(move || {
        let shared = shared;
        let (s, page, v) = next(shared.0);
        (s, page.is_some(), v, Instant::now())
    });
    // The reader is blocked on a hanging page; progress can be polled meanwhile.
    std::thread::sleep(Duration::from_millis(300));
    assert!(!reader.is_finished(), "the reader waits for the hanging page");
    let (s, progress) = call(|o| unsafe { vcs_cursor_progress(cur, o) });
    assert_eq!(s, VcsStatus::VCS_OK);
    assert_eq!(progress["read"], 300);
    assert_eq!(progress["total"], 500);
    let cancelled_at = Instant::now();
    unsafe { vcs_cursor_cancel(cur) };
    let (s, got_page, v, returned_at) = reader.join().unwrap();
    let waited = returned_at.duration_since(cancelled_at);
    println!("next returned {waited:?} after the cancel");
    assert_eq!(s, VcsStatus::VCS_CANCELLED, "{v}");
    assert!(!got_page);
    assert_eq!(v["category"], "cancelled");
    assert!(waited < Duration::from_millis(100), "next returned {waited:?} after the cancel");
    // Later calls say the same, at once; progress says so.
    let t = Instant::now();
    assert_eq!(next(cur).0, VcsStatus::VCS_CANCELLED);
    assert!(t.elapsed() < Duration::from_millis(100));
    let (_, progress) = call(|o| unsafe { vcs_cursor_progress(cur, o) });
    assert_eq!(progress["cancelled"], true);
    unsafe { vcs_cursor_free(cur) };
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}

#[test]
fn freeing_a_cursor_another_thread_waits_on_releases_that_thread() {
    let e = Emu::start(300);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({"pageSize": 100, "timeoutSeconds": 60}));
    e.fault(json!({"method": "GET", "path": "/csp/gateway/am/api/v2/orgs/*/users", "latencyMs": 20000}));
    let (_, cur, _) = open_users(conn, None);
    let shared = Ptr(cur);
    let reader = std::thread::spawn(move || {
        let shared = shared;
        next(shared.0).0
    });
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    unsafe { vcs_cursor_free(cur) };
    assert_eq!(reader.join().unwrap(), VcsStatus::VCS_CANCELLED);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // The freed cursor is refused, not used.
    let (s, _, v) = next(cur);
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
    assert_eq!(v["field"], "cursor");
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}

#[test]
fn an_error_during_the_listing_ends_it_after_the_pages_before() {
    let e = Emu::start(500);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({"pageSize": 100, "maxAttempts": 1}));
    let (_, cur, _) = open_users(conn, None);
    assert!(matches!(next(cur), (VcsStatus::VCS_OK, Some(_), _)));
    std::thread::sleep(Duration::from_millis(200));
    e.fault(json!({"method": "GET", "path": "/csp/gateway/am/api/v2/orgs/*/users", "status": 403}));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(next(cur).0);
    }
    // Pages fetched before the fault still come, then the error, then the listing stays ended.
    let first_err = statuses.iter().position(|s| *s != VcsStatus::VCS_OK).expect("the error comes");
    assert!(first_err <= 2, "{statuses:?}");
    assert!(statuses[first_err..].iter().all(|s| *s == VcsStatus::VCS_PERMISSION), "the error, again and again: {statuses:?}");
    unsafe { vcs_cursor_free(cur) };
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}

#[test]
fn invitation_and_cloud_director_cursors_match_their_one_shot_calls() {
    let e = Emu::start(20);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({}));
    let emails: Vec<String> = (0..130).map(|i| format!("guest{i}@partner.example")).collect();
    let invite = c(&json!({"emails": emails, "organizationRoles": ["org_member"]}).to_string());
    let (s, v) = call(|o| unsafe { vcs_new_user_invitations(conn, invite.as_ptr(), o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    for filter in ["{}", r#"{"name": "guest1*"}"#, r#"{"status": "Available"}"#] {
        let f = c(filter);
        let (s, oneshot) = call(|o| unsafe { vcs_get_user_invitations(conn, f.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_OK);
        let mut cur = null_mut();
        let (s, v) = call(|o| unsafe { vcs_get_user_invitations_open(conn, f.as_ptr(), &mut cur, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        let listed = drain(cur);
        assert!(!listed.is_empty());
        assert_eq!(Value::Array(listed), oneshot, "{filter}");
        unsafe { vcs_cursor_free(cur) };
    }
    let bad = c(r#"{"status": "Pending"}"#);
    let mut cur = null_mut();
    let (s, v) = call(|o| unsafe { vcs_get_user_invitations_open(conn, bad.as_ptr(), &mut cur, o) });
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("status[0]")), "{v}");
    assert!(cur.is_null());
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);

    let i = e.emu.connection_info();
    let opts = c(&json!({"server": i["vcdUrl"], "org": i["vcdOrg"], "username": i["vcdUser"], "password": i["vcdPassword"]}).to_string());
    let mut vcd = null_mut();
    let (s, v) = call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut vcd, o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    for query in ["{}", r#"{"name": "*a*"}"#] {
        let q = c(query);
        let (s, oneshot) = call(|o| unsafe { vcd_get_users(vcd, q.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_OK);
        let mut cur = null_mut();
        let (s, v) = call(|o| unsafe { vcd_get_users_open(vcd, q.as_ptr(), &mut cur, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        assert_eq!(Value::Array(drain(cur)), oneshot, "{query}");
        unsafe { vcs_cursor_free(cur) };
    }
    for bad in [r#"{"name": []}"#, r#"{"filter": null}"#, r#"{"filter": ""}"#, r#"{"email": null}"#] {
        let q = c(bad);
        let mut cur = null_mut();
        let (s, v) = call(|o| unsafe { vcd_get_users_open(vcd, q.as_ptr(), &mut cur, o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{bad}: {v}");
        let (s, v) = call(|o| unsafe { vcd_get_users(vcd, q.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "one-shot {bad}: {v}");
    }
    assert_eq!(unsafe { vcd_disconnect(vcd) }, VcsStatus::VCS_OK);
}

#[test]
fn hostile_input_is_refused_with_a_clear_error() {
    let e = Emu::start(10);
    let conn = connect(&e.emu.url, &e.emu.api_token(), json!({}));

    // An empty list or null where a value is required: refused in the cursor and in the one-shot call.
    for filter in [r#"{"name": []}"#, r#"{"email": null}"#, r#"{"id": []}"#, r#"{"name": null}"#] {
        let (s, cur, v) = open_users(conn, Some(filter));
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{filter}: {v}");
        assert!(cur.is_null());
        let field = filter.split('"').nth(1).unwrap();
        assert_eq!(v["field"], field, "{v}");
        let q = c(filter);
        let (s, v) = call(|o| unsafe { vcs_get_users(conn, q.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "one-shot {filter}: {v}");
        let (s, v) = call(|o| unsafe { vcs_get_user_invitations(conn, q.as_ptr(), o) });
        assert!(s == VcsStatus::VCS_INVALID_ARGUMENT, "invitations {filter}: {v}");
    }
    for (filter, field) in
        [("{", "filter_json"), ("[1]", "filter_json"), (r#"{"nmae": "x"}"#, "filter_json"), (r#"{"name": "abc`"}"#, "name[0]")]
    {
        let (s, cur, v) = open_users(conn, Some(filter));
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{filter}: {v}");
        assert!(cur.is_null());
        assert!(v["message"].as_str().unwrap().contains(field), "{filter}: {v}");
    }
    let bad_utf8 = [b'{', 0xff, b'}', 0];
    let mut cur = null_mut();
    let (s, v) = call(|o| unsafe { vcs_get_users_open(conn, bad_utf8.as_ptr() as *const c_char, &mut cur, o) });
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");

    // NULL pointers.
    let (s, v) = call(|o| unsafe { vcs_get_users_open(conn, null(), null_mut(), o) });
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("out")));
    let (s, _, v) = open_users(null(), None);
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("connection")));
    let mut cur = null_mut();
    assert_eq!(unsafe { vcs_get_users_open(conn, null(), &mut cur, null_mut()) }, VcsStatus::VCS_INVALID_ARGUMENT);
    assert!(cur.is_null(), "nothing opened when the answer cannot be written");
    let (s, _, v) = next(null_mut());
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("cursor")));
    let (s, v) = call(|o| unsafe { vcs_cursor_progress(null(), o) });
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("cursor")));
    unsafe {
        vcs_cursor_cancel(null_mut());
        vcs_cursor_free(null_mut());
    }

    let (s, cur, _) = open_users(conn, None);
    assert_eq!(s, VcsStatus::VCS_OK);
    let mut len = 0usize;
    let mut items: *const c_char = null();
    let (s, v) = call(|o| unsafe { vcs_cursor_next(cur, null_mut(), &mut len, o) });
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("items")));
    let (s, v) = call(|o| unsafe { vcs_cursor_next(cur, &mut items, null_mut(), o) });
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("len")));
    assert_eq!(unsafe { vcs_cursor_next(cur, &mut items, &mut len, null_mut()) }, VcsStatus::VCS_INVALID_ARGUMENT);
    // The cursor still works after refused calls.
    assert_eq!(drain(cur).len(), 10);

    // A foreign handle: a connection where a cursor is expected, and the reverse.
    let (s, _, v) = next(conn as *mut VcsCursor);
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("another kind"), "{v}");
    let (s, v) = call(|o| unsafe { vcs_get_users(cur as *const VcsConnection, null(), o) });
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
    unsafe { vcs_cursor_cancel(conn as *mut VcsCursor) };
    unsafe { vcs_cursor_free(conn as *mut VcsCursor) };
    assert_eq!(one_shot(conn, "{}").len(), 10, "a connection passed as a cursor is neither cancelled nor freed");

    // A freed cursor: refused by every entry point, freeing it again is ignored.
    unsafe { vcs_cursor_free(cur) };
    let (s, _, v) = next(cur);
    assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("cursor")));
    let (s, _) = call(|o| unsafe { vcs_cursor_progress(cur, o) });
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
    unsafe {
        vcs_cursor_cancel(cur);
        vcs_cursor_free(cur);
    }
    // A made-up pointer.
    let (s, _, _) = next(0x1234_5670 as *mut VcsCursor);
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}
