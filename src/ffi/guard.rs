//! The one wrapper every export runs in: the out-parameter checked, panics caught, input strings
//! checked for NULL, UTF-8 and JSON, results and errors written as library-owned JSON strings.
//! Also the registry of live handles (ids that never repeat), so a stale or freed handle is an
//! error, not a crash; the registry of answers handed out, so only those are freed, once; and the
//! check that refuses calls in a forked child.

use super::status::VcsStatus;
use crate::error::{Error, ErrorCategory, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Largest JSON argument accepted.
pub const VCS_MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;

/// What a successful call hands back: its JSON, and whether some items of a bulk call failed.
pub struct Answer {
    pub json: String,
    pub partial: bool,
}

impl Answer {
    pub fn of<T: serde::Serialize>(value: &T) -> Result<Answer> {
        let json = serde_json::to_string(value).map_err(|e| Error::internal(format!("serializing the answer: {e}")))?;
        Ok(Answer { json, partial: false })
    }

    pub fn report(report: &crate::BulkReport) -> Result<Answer> {
        Ok(Answer { partial: !report.all_ok(), ..Answer::of(report)? })
    }
}

/// Same numbers as [`ErrorCategory::code`] (checked by a test).
pub fn status_of(category: ErrorCategory) -> VcsStatus {
    match category {
        ErrorCategory::InvalidArgument => VcsStatus::VCS_INVALID_ARGUMENT,
        ErrorCategory::Authentication => VcsStatus::VCS_AUTHENTICATION,
        ErrorCategory::Permission => VcsStatus::VCS_PERMISSION,
        ErrorCategory::NotFound => VcsStatus::VCS_NOT_FOUND,
        ErrorCategory::Conflict => VcsStatus::VCS_CONFLICT,
        ErrorCategory::RateLimited => VcsStatus::VCS_RATE_LIMITED,
        ErrorCategory::Server => VcsStatus::VCS_SERVER,
        ErrorCategory::Network => VcsStatus::VCS_NETWORK,
        ErrorCategory::Timeout => VcsStatus::VCS_TIMEOUT,
        ErrorCategory::Protocol => VcsStatus::VCS_PROTOCOL,
        ErrorCategory::Internal => VcsStatus::VCS_INTERNAL,
        ErrorCategory::Cancelled => VcsStatus::VCS_CANCELLED,
    }
}

fn into_c_string(s: String) -> *mut c_char {
    // JSON text never holds a raw NUL (serde escapes it), so this cannot fail; fall back anyway.
    hand_out(
        CString::new(s).unwrap_or_else(|_| CString::new("{\"category\":\"internal\",\"message\":\"NUL in answer\"}").expect("literal")),
    )
}

fn error_json(e: &Error) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| "{\"category\":\"internal\",\"message\":\"unprintable error\"}".into())
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs `body` behind the guard and writes its answer (or error) to `*out_json`.
///
/// # Safety
/// `out_json` must be NULL or point to writable storage for one pointer.
pub unsafe fn guarded(out_json: *mut *mut c_char, body: impl FnOnce() -> Result<Answer>) -> VcsStatus {
    if out_json.is_null() {
        return VcsStatus::VCS_INVALID_ARGUMENT;
    }
    *out_json = std::ptr::null_mut();
    let (status, json) = match catch_unwind(AssertUnwindSafe(|| refuse_after_fork().and_then(|()| body()))) {
        Ok(Ok(answer)) => (if answer.partial { VcsStatus::VCS_PARTIAL_FAILURE } else { VcsStatus::VCS_OK }, answer.json),
        Ok(Err(e)) => (status_of(e.category), error_json(&e)),
        Err(payload) => {
            let e = Error::internal(format!("the library panicked: {}", panic_message(payload.as_ref())));
            (VcsStatus::VCS_PANIC, error_json(&e))
        }
    };
    *out_json = into_c_string(json);
    status
}

/// A borrowed C string argument: NULL allowed only when `optional`.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that stays valid during the call.
pub unsafe fn str_arg<'a>(ptr: *const c_char, name: &str, optional: bool) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return if optional { Ok(None) } else { Err(Error::invalid(name, "must not be NULL")) };
    }
    let bytes = CStr::from_ptr(ptr).to_bytes();
    if bytes.len() > VCS_MAX_INPUT_BYTES {
        return Err(Error::invalid(name, format!("is {} bytes; at most {} are accepted", bytes.len(), VCS_MAX_INPUT_BYTES)));
    }
    std::str::from_utf8(bytes)
        .map(Some)
        .map_err(|e| Error::invalid(name, format!("is not valid UTF-8 (bad byte at offset {})", e.valid_up_to())))
}

/// A JSON object argument parsed into `T`; NULL or empty text means `{}` when `optional`.
/// Errors name the argument and the path of the offending field.
///
/// # Safety
/// As for [`str_arg`].
pub unsafe fn json_arg<T: DeserializeOwned>(ptr: *const c_char, name: &str, optional: bool) -> Result<T> {
    let text = str_arg(ptr, name, optional)?.unwrap_or("");
    let text = if text.trim().is_empty() {
        if optional {
            "{}"
        } else {
            return Err(Error::invalid(name, "must be a JSON object, got an empty string"));
        }
    } else {
        text
    };
    let value: Value = serde_json::from_str(text).map_err(|e| Error::invalid(name, format!("is not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Error::invalid(name, format!("must be a JSON object, got {}", kind(&value))));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            Error::invalid(name, inner)
        } else {
            let mut err = Error::invalid(path, inner);
            err.message = format!("{name}: {}", err.message);
            err
        }
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ---- handles -------------------------------------------------------------------------------

/// Live handles by id. A handle is an id that never repeats, not an address, so a stale handle
/// can never reach a newer object that happens to be allocated where the old one was.
fn live() -> &'static Mutex<HashMap<usize, Arc<dyn Any + Send + Sync>>> {
    static LIVE: OnceLock<Mutex<HashMap<usize, Arc<dyn Any + Send + Sync>>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The next handle id: pointer-aligned, never 0, never reused within the process.
fn next_id() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed).wrapping_mul(16)
}

pub fn register<T: Send + Sync + 'static>(value: T) -> *mut T {
    let id = next_id();
    live().lock().unwrap_or_else(|p| p.into_inner()).insert(id, Arc::new(value));
    id as *mut T
}

/// A counted reference to a live handle: a call in flight keeps the connection alive even if
/// another thread disconnects it meanwhile.
pub fn handle<T: Send + Sync + 'static>(ptr: *const T, name: &str) -> Result<Arc<T>> {
    if ptr.is_null() {
        return Err(Error::invalid(name, "must not be NULL"));
    }
    let found = live().lock().unwrap_or_else(|p| p.into_inner()).get(&(ptr as usize)).cloned();
    match found {
        None => Err(Error::invalid(name, "is not a live handle (never opened, already closed or freed, or not from this library)")),
        Some(any) => any.downcast::<T>().map_err(|_| {
            Error::invalid(name, "is a handle of another kind (a CSP connection where a Cloud Director one is expected, a cursor where a connection is expected, or the reverse)")
        }),
    }
}

/// Forgets a handle and gives back the registry's reference; the value is freed when the last
/// call using it returns. `None` if the pointer was not a live handle of this type.
pub fn release<T: Send + Sync + 'static>(ptr: *const T) -> Option<Arc<T>> {
    let mut set = live().lock().unwrap_or_else(|p| p.into_inner());
    let id = ptr as usize;
    if !set.get(&id).is_some_and(|any| any.is::<T>()) {
        return None;
    }
    set.remove(&id).and_then(|any| any.downcast::<T>().ok())
}

// ---- answers ---------------------------------------------------------------------------------

/// Addresses of the strings handed out and not yet freed, so `vcs_string_free` frees only those,
/// once: a double free or a foreign pointer is ignored instead of corrupting the host's heap.
fn answers() -> &'static Mutex<HashSet<usize>> {
    static ANSWERS: OnceLock<Mutex<HashSet<usize>>> = OnceLock::new();
    ANSWERS.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Hands a string out to the host, recording it as live.
pub fn hand_out(s: CString) -> *mut c_char {
    let ptr = s.into_raw();
    answers().lock().unwrap_or_else(|p| p.into_inner()).insert(ptr as usize);
    ptr
}

/// Frees a string this library handed out; `false` (and nothing freed) for anything else.
///
/// # Safety
/// A pointer recorded as live came from `CString::into_raw` and has not been freed since.
pub unsafe fn take_back(ptr: *mut c_char) -> bool {
    let live = answers().lock().unwrap_or_else(|p| p.into_inner()).remove(&(ptr as usize));
    if live {
        drop(CString::from_raw(ptr));
    }
    live
}

// ---- fork ------------------------------------------------------------------------------------

/// The error every call answers in a child forked after the library started its runtime: the
/// runtime's threads did not survive the fork, so waiting on them would hang.
pub fn refuse_after_fork() -> Result<()> {
    if crate::runtime::forked() {
        return Err(Error::new(
            ErrorCategory::Internal,
            "this process was forked after the library started; its worker threads stayed in the parent. Use the library in the parent, or in a child only after exec",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_numbers_are_the_category_codes() {
        for c in ErrorCategory::ALL {
            assert_eq!(status_of(c) as i32, c.code(), "{c}");
        }
        assert_eq!(VcsStatus::VCS_PANIC as i32, crate::error::PANIC_CODE);
        assert_eq!(VcsStatus::VCS_PARTIAL_FAILURE as i32, crate::error::PARTIAL_FAILURE_CODE);
    }
}
