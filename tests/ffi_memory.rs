//! 1,000 connect/disconnect cycles through the C ABI keep memory flat. Alone in its test binary,
//! so no other test shares the process whose memory it reads.

mod common;

use serde_json::json;
use std::ffi::{c_char, CString};
use std::ptr::null_mut;
use vcs_native::ffi::*;

fn cycle(opts: &CString) {
    let mut conn = null_mut();
    let mut out: *mut c_char = null_mut();
    assert_eq!(unsafe { vcs_connect(opts.as_ptr(), &mut conn, &mut out) }, VcsStatus::VCS_OK);
    unsafe { vcs_string_free(out) };
    let mut info: *mut c_char = null_mut();
    assert_eq!(unsafe { vcs_connection_info(conn, &mut info) }, VcsStatus::VCS_OK);
    unsafe { vcs_string_free(info) };
    assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "reads memory from /proc/self/status (Linux)")]
fn a_thousand_connect_disconnect_cycles_keep_memory_flat() {
    assert!(rss_kib().is_some(), "no VmRSS in /proc/self/status to read memory from");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(common::emulator(3));
    let opts = CString::new(json!({"server": emu.url, "apiToken": emu.api_token()}).to_string()).unwrap();
    std::thread::spawn(move || {
        for _ in 0..100 {
            cycle(&opts);
        }
        let warm = rss_kib().unwrap();
        for _ in 0..900 {
            cycle(&opts);
        }
        let after = rss_kib().unwrap();
        let growth = after.saturating_sub(warm);
        println!("RSS after 100 cycles {warm} KiB, after 1000 {after} KiB (+{growth} KiB)");
        assert!(growth < 8 * 1024, "memory grew by {growth} KiB over 900 cycles");
    })
    .join()
    .unwrap();
    drop(emu);
}
