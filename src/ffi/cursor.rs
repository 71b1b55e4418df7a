//! Cursors: listings read page by page through the C ABI, with the same rules as the rest of it
//! (see mod.rs). A cursor fetches at most two pages ahead of its reader; `vcs_cursor_cancel`
//! stops it from any thread, and `vcs_cursor_progress` can be polled from any thread meanwhile.

use super::guard::{guarded, handle, json_arg, refuse_after_fork, register, release, Answer};
use super::vcd::VcdConnection;
use super::{block_on, connection, VcsConnection, VcsStatus};
use crate::csp::request::{InvitationQuery, UserQuery};
use crate::error::{Error, Result};
use crate::job::Job;
use crate::listing::{ListingProgress, PageCursor};
use crate::vcd::request::VcdUserQuery;
use std::ffi::{c_char, CString};
use std::sync::{Arc, Mutex};

/// A listing read page by page. Opaque; open with `vcs_get_users_open`,
/// `vcs_get_user_invitations_open` or `vcd_get_users_open`, free with `vcs_cursor_free`.
pub struct VcsCursor {
    job: Arc<Job>,
    progress: Box<dyn Fn() -> ListingProgress + Send + Sync>,
    reader: Mutex<Reader>,
}

struct Reader {
    pages: PageCursor<CString>,
    /// The page last handed out; the host reads it until its next call.
    current: CString,
}

/// A page's objects as the JSON array the one-shot call would hold them in, made on the runtime.
fn json_page<T: serde::Serialize>(items: Vec<T>) -> Result<CString> {
    let bytes = serde_json::to_vec(&items).map_err(|e| Error::internal(format!("serializing a page: {e}")))?;
    CString::new(bytes).map_err(|_| Error::internal("a page's JSON holds a NUL byte"))
}

unsafe fn open(out: *mut *mut VcsCursor, pages: impl FnOnce(Arc<Job>) -> Result<PageCursor<CString>>) -> Result<Answer> {
    if out.is_null() {
        return Err(Error::invalid("out", "must not be NULL"));
    }
    *out = std::ptr::null_mut();
    let job = Job::new();
    let pages = pages(job.clone())?;
    let progress = Box::new(pages.progress_probe());
    let answer = Answer::of(&progress())?;
    *out = register(VcsCursor { job, progress, reader: Mutex::new(Reader { pages, current: CString::default() }) });
    Ok(answer)
}

fn live_cursor(c: *const VcsCursor) -> Result<Arc<VcsCursor>> {
    handle(c, "cursor")
}

/// Opens a cursor over the organization's users (`Get-VcsUser`, page by page).
///
/// `filter_json`: as `vcs_get_users`' `query_json` (NULL or `{}` for all; `name`, `email`, `id`;
/// an empty array or `null` for a field is `VCS_INVALID_ARGUMENT`), checked before anything is
/// sent. On success `*out` receives the cursor and `*out_json` its progress (see
/// `vcs_cursor_progress`); fetching starts at once in the background. The cursor keeps working
/// if the connection is disconnected meanwhile.
///
/// # Safety
/// `filter_json` must be NULL or a NUL-terminated string; `out` and `out_json` must be NULL or
/// point to writable pointers.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_users_open(
    conn: *const VcsConnection,
    filter_json: *const c_char,
    out: *mut *mut VcsCursor,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    if !out.is_null() {
        // NULL on every failure, also those the guard answers before the body runs.
        *out = std::ptr::null_mut();
    }
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: UserQuery = json_arg(filter_json, "filter_json", true)?;
        open(out, |job| c.client.users_cursor(&q, job, json_page))
    })
}

/// Opens a cursor over the organization's invitations (`Get-VcsUserInvitation`, page by page).
///
/// `filter_json`: as `vcs_get_user_invitations`' `query_json` (`name`, `id`, `status`). Otherwise
/// as `vcs_get_users_open`.
///
/// # Safety
/// As for `vcs_get_users_open`.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_user_invitations_open(
    conn: *const VcsConnection,
    filter_json: *const c_char,
    out: *mut *mut VcsCursor,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    if !out.is_null() {
        // NULL on every failure, also those the guard answers before the body runs.
        *out = std::ptr::null_mut();
    }
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: InvitationQuery = json_arg(filter_json, "filter_json", true)?;
        open(out, |job| c.client.invitations_cursor(&q, job, json_page))
    })
}

/// Opens a cursor over a Cloud Director org's users (`Get-VcdUser`, page by page).
///
/// `query_json`: as `vcd_get_users`' (`name`, `email`, `id`, `filter`). Otherwise as
/// `vcs_get_users_open`.
///
/// # Safety
/// As for `vcs_get_users_open`.
#[no_mangle]
pub unsafe extern "C" fn vcd_get_users_open(
    conn: *const VcdConnection,
    query_json: *const c_char,
    out: *mut *mut VcsCursor,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    if !out.is_null() {
        // NULL on every failure, also those the guard answers before the body runs.
        *out = std::ptr::null_mut();
    }
    guarded(out_json, || {
        let c = super::vcd::vcd_connection(conn)?;
        let q: VcdUserQuery = json_arg(query_json, "query_json", true)?;
        open(out, |job| c.client.users_cursor(&q, job, json_page))
    })
}

/// The next page of a cursor, waiting for it if it is still being fetched.
///
/// On `VCS_OK`, `*items` points to a JSON array of the page's objects (the same objects the
/// one-shot call returns), `*len` bytes long and NUL-terminated, owned by the cursor until the
/// next call on it or `vcs_cursor_free` (do not free it); `*out_json` receives the progress with
/// the page's `count`. `*len == 0` (with `*items` an empty string): the end; later calls say the
/// same. Pages that a filter empties are skipped, so a page is never empty.
/// `VCS_CANCELLED` once the cursor is cancelled (within 100 ms, even while a page request
/// hangs); any other error ends the listing, and later calls answer it again. One thread reads a
/// cursor at a time; a second reader waits for the first.
///
/// # Safety
/// `items`, `len` and `out_json` must be NULL or point to writable storage.
#[no_mangle]
pub unsafe extern "C" fn vcs_cursor_next(
    cursor: *mut VcsCursor,
    items: *mut *const c_char,
    len: *mut usize,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        if items.is_null() {
            return Err(Error::invalid("items", "must not be NULL"));
        }
        if len.is_null() {
            return Err(Error::invalid("len", "must not be NULL"));
        }
        *items = std::ptr::null();
        *len = 0;
        let c = live_cursor(cursor)?;
        let mut reader = c.reader.lock().unwrap_or_else(|p| p.into_inner());
        let reader = &mut *reader;
        let count = match block_on(reader.pages.next_page())? {
            Some(page) => {
                reader.current = page.items;
                page.count
            }
            None => {
                reader.current = CString::default();
                0
            }
        };
        *items = reader.current.as_ptr();
        *len = reader.current.as_bytes().len();
        let mut answer = serde_json::to_value((c.progress)()).map_err(|e| Error::internal(e.to_string()))?;
        answer["count"] = count.into();
        Answer::of(&answer)
    })
}

/// How far a cursor has come: `{"read", "scanned", "total", "pages", "finished", "cancelled"}`.
/// `read`: objects handed out so far; `scanned`: objects the service sent (more than `read` when
/// a filter drops some); `total`: what the service says the listing holds, `null` where it does
/// not say. Any thread, at any time, also while another thread waits in `vcs_cursor_next`.
///
/// # Safety
/// `out_json` must be NULL or point to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn vcs_cursor_progress(cursor: *const VcsCursor, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = live_cursor(cursor)?;
        Answer::of(&(c.progress)())
    })
}

/// Cancels a cursor from any thread: the fetching stops, and a `vcs_cursor_next` waiting on
/// another thread, or called later, returns `VCS_CANCELLED`. The cursor must still be freed.
/// NULL, a freed or a foreign pointer is ignored.
///
/// # Safety
/// `cursor` may be any value; only live cursors are acted on.
#[no_mangle]
pub unsafe extern "C" fn vcs_cursor_cancel(cursor: *mut VcsCursor) {
    if cursor.is_null() || refuse_after_fork().is_err() {
        return;
    }
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Ok(c) = live_cursor(cursor) {
            c.job.cancel();
        }
    }));
}

/// Stops the fetching and frees the cursor and its last page. A `vcs_cursor_next` still waiting
/// on another thread returns `VCS_CANCELLED` first. NULL, a freed or a foreign pointer is ignored.
///
/// # Safety
/// `cursor` may be any value; only live cursors are acted on.
#[no_mangle]
pub unsafe extern "C" fn vcs_cursor_free(cursor: *mut VcsCursor) {
    if cursor.is_null() || refuse_after_fork().is_err() {
        return;
    }
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if let Some(c) = release(cursor) {
            c.job.cancel();
        }
    }));
}
