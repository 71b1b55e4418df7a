//! The job entry points of the C ABI, called as a C host would: a bulk call on a derived
//! connection cancelled from another thread, progress polled while it runs, derived handles that
//! never end the shared session, and bad handles refused.

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
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")))
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

struct Ptr<T>(*mut T);
unsafe impl<T> Send for Ptr<T> {}

/// Runs a blocking ABI test beside an in-process emulator with a 100 ms latency on Cloud Director creates.
fn with_emulator(f: impl FnOnce(Value, String) + Send + 'static) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(common::emulator(5));
    rt.block_on(common::fault(&emu, json!({"method": "POST", "path": "/cloudapi/1.0.0/users", "latencyMs": 100})));
    let info = emu.connection_info();
    let url = emu.url.clone();
    std::thread::spawn(move || f(info, url)).join().unwrap();
    drop(emu);
}

fn vcd_connect_to(info: &Value) -> *mut VcdConnection {
    let opts = json!({"server": info["vcdUrl"], "org": info["vcdOrg"], "username": info["vcdUser"], "password": info["vcdPassword"], "concurrency": 2});
    let mut conn = null_mut();
    let (s, v) = call(|o| unsafe { vcd_connect(c(&opts.to_string()).as_ptr(), &mut conn, o) });
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    conn
}

#[test]
fn a_bulk_call_is_cancelled_from_another_thread_and_reports_every_item() {
    with_emulator(|info, _| {
        let base = vcd_connect_to(&info);
        let mut job = null_mut();
        assert_eq!(unsafe { vcs_job_new(&mut job) }, VcsStatus::VCS_OK);
        let mut derived = null_mut();
        let (s, v) = call(|o| unsafe { vcd_connection_with_job(base, job, &mut derived, o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        assert_eq!(v["org"], "acme");

        let users: Vec<Value> =
            (0..80).map(|i| json!({"username": format!("abi{i}"), "password": "s3cret-pass", "roles": ["vApp User"]})).collect();
        let request = c(&json!({"users": users}).to_string());
        let (job_p, derived_p) = (Ptr(job), Ptr(derived));
        let worker = std::thread::spawn(move || {
            let (job_p, derived_p) = (job_p, derived_p);
            let _ = &job_p;
            let (s, v) = call(|o| unsafe { vcd_new_user(derived_p.0, request.as_ptr(), o) });
            (s, v, Instant::now())
        });
        // Follow it: progress grows, then cancel from this thread.
        let mut seen = 0usize;
        let mut items_seen = Vec::new();
        while seen < 10 {
            let (s, p) = call(|o| unsafe { vcs_job_progress(job, seen, o) });
            assert_eq!(s, VcsStatus::VCS_OK);
            if p["done"].as_u64().unwrap() > 0 {
                assert_eq!(p["operation"], "create users");
                assert_eq!(p["total"], 80);
            }
            let new = p["items"].as_array().unwrap();
            seen += new.len();
            items_seen.extend(new.iter().cloned());
            std::thread::sleep(Duration::from_millis(20));
        }
        let cancelled_at = Instant::now();
        assert_eq!(unsafe { vcs_job_cancel(job) }, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcs_job_cancel(job) }, VcsStatus::VCS_OK, "twice is harmless");
        let (s, report, returned) = worker.join().unwrap();
        assert!(returned.duration_since(cancelled_at) < Duration::from_secs(1), "stopped soon after the cancel");
        assert_eq!(s, VcsStatus::VCS_PARTIAL_FAILURE, "{report}");
        assert_eq!(report["cancelled"], true);
        assert_eq!(report["items"].as_array().unwrap().len(), 80);
        let n = |k: &str| report[k].as_u64().unwrap();
        assert_eq!(n("succeeded") + n("failed") + n("unknown") + n("notStarted"), 80);
        assert!(n("succeeded") >= 10 && n("notStarted") > 0, "{report}");
        assert_eq!(n("failed"), 0);
        // The items polled during the call are the report's own items.
        for it in &items_seen {
            let same = report["items"].as_array().unwrap().iter().find(|r| r["input"] == it["input"]).unwrap();
            assert_eq!(same, it);
        }
        let (_, p) = call(|o| unsafe { vcs_job_progress(job, 0, o) });
        assert_eq!(p["cancelled"], true);
        assert_eq!(p["items"].as_array().unwrap().len(), 80, "every item recorded once");
        assert_eq!(p["done"], 80);

        // A call on a derived handle of a cancelled job is cancelled too; the base is not.
        let (s, v) = call(|o| unsafe { vcd_get_users(derived, null(), o) });
        assert_eq!(s, VcsStatus::VCS_CANCELLED, "{v}");
        assert_eq!(v["category"], "cancelled");
        // Disconnecting the derived handle keeps the shared session logged in.
        assert_eq!(unsafe { vcd_disconnect(derived) }, VcsStatus::VCS_OK);
        let (s, v) = call(|o| unsafe { vcd_get_users(base, null(), o) });
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
        assert_eq!(unsafe { vcs_job_free(job) }, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcd_disconnect(base) }, VcsStatus::VCS_OK);
    });
}

#[test]
fn bad_job_handles_are_refused() {
    with_emulator(|info, url| {
        assert_eq!(unsafe { vcs_job_new(null_mut()) }, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(unsafe { vcs_job_cancel(null()) }, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(unsafe { vcs_job_free(null_mut()) }, VcsStatus::VCS_OK, "NULL is ignored");
        let (s, v) = call(|o| unsafe { vcs_job_progress(null(), 0, o) });
        assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("job")));

        let mut job = null_mut();
        assert_eq!(unsafe { vcs_job_new(&mut job) }, VcsStatus::VCS_OK);
        let (s, p) = call(|o| unsafe { vcs_job_progress(job, 1000, o) });
        assert_eq!(s, VcsStatus::VCS_OK);
        assert_eq!(p, json!({"operation": "", "done": 0, "failed": 0, "total": 0, "cancelled": false, "items": []}));

        let token = info["apiToken"].as_str().unwrap();
        let mut conn = null_mut();
        let (s, _) = call(|o| unsafe { vcs_connect(c(&json!({"server": url, "apiToken": token}).to_string()).as_ptr(), &mut conn, o) });
        assert_eq!(s, VcsStatus::VCS_OK);
        let vcd = vcd_connect_to(&info);
        let mut derived = null_mut();
        // A connection where a job is expected, a job where a connection is expected, NULL out.
        let (s, v) = call(|o| unsafe { vcs_connection_with_job(conn, conn as *const VcsJob, &mut derived, o) });
        assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("job")));
        let (s, v) = call(|o| unsafe { vcs_connection_with_job(job as *const VcsConnection, job, &mut derived, o) });
        assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("connection")));
        let mut vcd_derived: *mut VcdConnection = null_mut();
        let (s, v) = call(|o| unsafe { vcd_connection_with_job(conn as *const VcdConnection, job, &mut vcd_derived, o) });
        assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("connection")));
        let (s, v) = call(|o| unsafe { vcs_connection_with_job(conn, job, null_mut(), o) });
        assert_eq!((s, v["field"].as_str()), (VcsStatus::VCS_INVALID_ARGUMENT, Some("out")));
        assert!(derived.is_null());

        // A CSP derived handle works, and freeing it leaves the base connected.
        let (s, _) = call(|o| unsafe { vcs_connection_with_job(conn, job, &mut derived, o) });
        assert_eq!(s, VcsStatus::VCS_OK);
        let (s, _) = call(|o| unsafe { vcs_get_organization_roles(derived, null(), o) });
        assert_eq!(s, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcs_disconnect(derived) }, VcsStatus::VCS_OK);
        let (s, _) = call(|o| unsafe { vcs_get_organization_roles(conn, null(), o) });
        assert_eq!(s, VcsStatus::VCS_OK);

        // A freed job is no longer a job.
        assert_eq!(unsafe { vcs_job_free(job) }, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcs_job_free(job) }, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(unsafe { vcs_job_cancel(job) }, VcsStatus::VCS_INVALID_ARGUMENT);
        let (s, _) = call(|o| unsafe { vcs_job_progress(job, 0, o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT);
        assert_eq!(unsafe { vcs_disconnect(conn) }, VcsStatus::VCS_OK);
        assert_eq!(unsafe { vcd_disconnect(vcd) }, VcsStatus::VCS_OK);
    });
}
