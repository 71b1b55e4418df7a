//! `vcs-bench list-cursor URL TOKEN`: every user through the C ABI's cursor, as a C host that
//! reads each page's bytes where they lie (counting objects, no parse): the time to the first
//! page after open, the whole listing, and the process's peak memory.

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::{null, null_mut};
use std::time::Instant;
use vcs_native::ffi::*;

fn take(out: *mut c_char) -> String {
    let text = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    unsafe { vcs_string_free(out) };
    text
}

pub fn list(url: &str, token: &str, peak_rss_kib: fn() -> u64) -> Value {
    let opts = CString::new(json!({"server": url, "apiToken": token}).to_string()).unwrap();
    let mut conn = null_mut();
    let mut out: *mut c_char = null_mut();
    assert_eq!(unsafe { vcs_connect(opts.as_ptr(), &mut conn, &mut out) }, VcsStatus::VCS_OK, "{}", take(out));
    take(out);
    let t = Instant::now();
    let mut cursor = null_mut();
    assert_eq!(unsafe { vcs_get_users_open(conn, null(), &mut cursor, &mut out) }, VcsStatus::VCS_OK);
    take(out);
    let mut first_page_ms = None;
    let (mut users, mut pages, mut bytes) = (0usize, 0usize, 0usize);
    loop {
        let mut items: *const c_char = null();
        let mut len = 0usize;
        let status = unsafe { vcs_cursor_next(cursor, &mut items, &mut len, &mut out) };
        let answer = take(out);
        assert_eq!(status, VcsStatus::VCS_OK, "{answer}");
        if len == 0 {
            break;
        }
        first_page_ms.get_or_insert_with(|| t.elapsed().as_secs_f64() * 1000.0);
        // What a C host does with the page in place: walk it (here, count the objects).
        let page = unsafe { std::slice::from_raw_parts(items as *const u8, len) };
        users += page.windows(6).filter(|w| w == b"\"uid\":").count();
        pages += 1;
        bytes += len;
    }
    let seconds = t.elapsed().as_secs_f64();
    unsafe { vcs_cursor_free(cursor) };
    unsafe { vcs_disconnect(conn) };
    json!({"users": users, "pages": pages, "bytes": bytes, "seconds": seconds, "firstPageMs": first_page_ms, "peakRssKib": peak_rss_kib()})
}
