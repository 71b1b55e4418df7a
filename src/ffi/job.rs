//! Following and cancelling bulk calls through the C ABI.
//!
//! A host that wants to cancel a call or show its progress makes a job (`vcs_job_new`), derives
//! a connection that runs under it (`vcs_connection_with_job` / `vcd_connection_with_job`), makes
//! the call on the derived connection on one thread, and from any other thread polls
//! `vcs_job_progress` and, if it must stop, calls `vcs_job_cancel`. A cancelled bulk call sends
//! no new request within 100 ms, abandons what is in flight, and returns its per-item report
//! (`VCS_PARTIAL_FAILURE`, `"cancelled": true`): items done, failed, `unknown` (sent, outcome not
//! learnt) and `notStarted`. A call that is not a bulk call (a listing) returns `VCS_CANCELLED`.

use super::guard::{guarded, handle, register, release, Answer};
use super::vcd::VcdConnection;
use super::{connection, VcsConnection, VcsStatus};
use crate::error::Error;
use crate::Job;
use serde_json::json;
use std::ffi::c_char;
use std::sync::Arc;

/// A job: the host's handle on calls it may cancel and follow. Opaque; create with `vcs_job_new`,
/// free with `vcs_job_free`.
///
/// Use: make a job, derive a connection that runs under it (`vcs_connection_with_job` or
/// `vcd_connection_with_job`), make the bulk call on the derived connection on one thread, and
/// from any other thread poll `vcs_job_progress` and call `vcs_job_cancel` to stop it. A
/// cancelled bulk call sends no new request within 100 ms, abandons the requests in flight and
/// returns its per-item report with `VCS_PARTIAL_FAILURE` and `"cancelled": true`: items done,
/// failed, `unknown` (sent, outcome not learnt) and `notStarted` (never sent); nothing is done
/// twice and nothing is reported done that was not. Any other call made under a cancelled job
/// returns `VCS_CANCELLED`.
pub struct VcsJob {
    job: Arc<Job>,
}

fn job_handle(job: *const VcsJob) -> crate::Result<Arc<VcsJob>> {
    handle(job, "job")
}

/// Makes a job. `*out` receives it. One job follows one call at a time: progress counts add up
/// over the calls made under it, and once cancelled it stays cancelled (make a new one).
///
/// # Safety
/// `out` must be NULL or point to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn vcs_job_new(out: *mut *mut VcsJob) -> VcsStatus {
    if out.is_null() {
        return VcsStatus::VCS_INVALID_ARGUMENT;
    }
    *out = std::ptr::null_mut();
    match std::panic::catch_unwind(|| register(VcsJob { job: Job::new() })) {
        Ok(ptr) => {
            *out = ptr;
            VcsStatus::VCS_OK
        }
        Err(_) => VcsStatus::VCS_PANIC,
    }
}

/// Cancels the job: calls running under it stop sending requests within 100 ms, abandon the
/// requests in flight, and return what they did. Safe from any thread, while a call runs on
/// another; cancelling twice is harmless. `VCS_INVALID_ARGUMENT` if `job` is not a live job.
///
/// # Safety
/// `job` must be NULL or a value `vcs_job_new` returned.
#[no_mangle]
pub unsafe extern "C" fn vcs_job_cancel(job: *const VcsJob) -> VcsStatus {
    match std::panic::catch_unwind(|| job_handle(job).map(|j| j.job.cancel())) {
        Ok(Ok(())) => VcsStatus::VCS_OK,
        Ok(Err(_)) => VcsStatus::VCS_INVALID_ARGUMENT,
        Err(_) => VcsStatus::VCS_PANIC,
    }
}

/// The job's progress, from any thread, as JSON: `{"operation", "done", "failed", "total",
/// "cancelled", "items": [...]}`. `done` and `failed` count items finished so far, `total` the
/// items of the call (0 while unknown); `items` holds the report items (the same objects as in
/// the final report) finished since index `from`, in the order they finished: a host that passes
/// the number of items it has already seen gets only the new ones.
///
/// # Safety
/// `job` must be NULL or a value `vcs_job_new` returned; `out_json` must be NULL or point to a
/// writable pointer.
#[no_mangle]
pub unsafe extern "C" fn vcs_job_progress(job: *const VcsJob, from: usize, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let j = job_handle(job)?;
        let p = j.job.progress();
        Answer::of(&json!({
            "operation": p.operation,
            "done": p.done,
            "failed": p.failed,
            "total": p.total,
            "cancelled": p.cancelled,
            "items": j.job.finished_since(from),
        }))
    })
}

/// Frees a job. NULL is ignored; a handle that is not live gives `VCS_INVALID_ARGUMENT`. Calls
/// still running under it are not cancelled by this (cancel first) and keep it alive until they
/// return.
///
/// # Safety
/// `job` must be NULL or a value `vcs_job_new` returned.
#[no_mangle]
pub unsafe extern "C" fn vcs_job_free(job: *mut VcsJob) -> VcsStatus {
    if job.is_null() {
        return VcsStatus::VCS_OK;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| release(job).is_some())) {
        Ok(true) => VcsStatus::VCS_OK,
        Ok(false) => VcsStatus::VCS_INVALID_ARGUMENT,
        Err(_) => VcsStatus::VCS_PANIC,
    }
}

/// A connection that shares `conn`'s session and runs every call made on it under `job`: use it
/// wherever a `VcsConnection` is taken. Free it with `vcs_disconnect`; that frees only the
/// derived handle, the shared session stays with `conn`. `*out_json` receives the connection info.
///
/// # Safety
/// `conn` and `job` must be NULL or live handles; `out` and `out_json` must be NULL or point to
/// writable pointers.
#[no_mangle]
pub unsafe extern "C" fn vcs_connection_with_job(
    conn: *const VcsConnection,
    job: *const VcsJob,
    out: *mut *mut VcsConnection,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        if out.is_null() {
            return Err(Error::invalid("out", "must not be NULL"));
        }
        *out = std::ptr::null_mut();
        let c = connection(conn)?;
        let j = job_handle(job)?;
        let client = c.client.with_job(j.job.clone());
        let answer = Answer::of(&super::block_on(client.info()))?;
        *out = register(VcsConnection { client });
        Ok(answer)
    })
}

/// The Cloud Director counterpart of `vcs_connection_with_job`: a session handle that shares
/// `conn`'s session and runs every call under `job`. `vcd_disconnect` on it frees the handle and
/// never logs out the shared session (disconnecting `conn` does that).
///
/// # Safety
/// As for `vcs_connection_with_job`.
#[no_mangle]
pub unsafe extern "C" fn vcd_connection_with_job(
    conn: *const VcdConnection,
    job: *const VcsJob,
    out: *mut *mut VcdConnection,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        if out.is_null() {
            return Err(Error::invalid("out", "must not be NULL"));
        }
        *out = std::ptr::null_mut();
        let c: Arc<VcdConnection> = handle(conn, "connection")?;
        let j = job_handle(job)?;
        let client = c.client.with_job(j.job.clone());
        let answer = Answer::of(&client.info())?;
        *out = register(VcdConnection { client });
        Ok(answer)
    })
}
