//! The Cloud Director part of the C ABI, with the same rules as the CSP part (see mod.rs):
//! status plus JSON out, strings freed with `vcs_string_free`, nothing crashes.

use super::guard::{guarded, handle, json_arg, register, release, str_arg, Answer};
use super::{block_on, VcsStatus};
use crate::error::Error;
use crate::vcd::request::*;
use crate::vcd::VcdClient;
use std::ffi::c_char;
use std::sync::Arc;

/// A Cloud Director session. Opaque; create with `vcd_connect`, free with `vcd_disconnect`.
pub struct VcdConnection {
    pub(super) client: VcdClient,
}

pub(super) fn vcd_connection(conn: *const VcdConnection) -> crate::Result<Arc<VcdConnection>> {
    handle(conn, "connection")
}

/// Logs in to Cloud Director (`Connect-Vcd`).
///
/// `options_json`: `{"server": "https://vcd.example.com", "org": "acme", "username": ...,
/// "password": ...}` or `{"server", "org", "apiToken"}`; `org` `System` logs in as the provider.
/// Optional: `apiVersion` (default "37.0"), `caCertificate`, `insecureSkipTlsVerify`,
/// `timeoutSeconds`, `maxAttempts`, `concurrency`. On success `*out` receives the session and
/// `*out_json` the session info.
///
/// # Safety
/// `options_json` must be NULL or a NUL-terminated string; `out` and `out_json` must be NULL or
/// point to writable pointers.
#[no_mangle]
pub unsafe extern "C" fn vcd_connect(options_json: *const c_char, out: *mut *mut VcdConnection, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        if out.is_null() {
            return Err(Error::invalid("out", "must not be NULL"));
        }
        *out = std::ptr::null_mut();
        let request: VcdConnectRequest = json_arg(options_json, "options_json", false)?;
        let client = block_on(VcdClient::connect(request.into_options()?))?;
        let answer = Answer::of(&client.info())?;
        *out = register(VcdConnection { client });
        Ok(answer)
    })
}

/// Logs out (best effort) and frees the session (`Disconnect-Vcd`). NULL is ignored; a handle
/// that is not live gives `VCS_INVALID_ARGUMENT`.
///
/// # Safety
/// `conn` must be NULL or a value `vcd_connect` returned.
#[no_mangle]
pub unsafe extern "C" fn vcd_disconnect(conn: *mut VcdConnection) -> VcsStatus {
    if conn.is_null() {
        return VcsStatus::VCS_OK;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| release(conn))) {
        Ok(Some(c)) => {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| block_on(c.client.logout())));
            VcsStatus::VCS_OK
        }
        Ok(None) => VcsStatus::VCS_INVALID_ARGUMENT,
        Err(_) => VcsStatus::VCS_PANIC,
    }
}

/// Users of the org (`Get-VcdUser`), every page. `query_json`: NULL or `{"name": "a*",
/// "email": ..., "id": ..., "filter": "providerType==LDAP"}`. Answer: array.
///
/// # Safety
/// `query_json` must be NULL or a NUL-terminated string; `out_json` as for `vcd_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcd_get_users(conn: *const VcdConnection, query_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = vcd_connection(conn)?;
        let q: VcdUserQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.users(&q).await?) })
    })
}

/// One user by URN (`Get-VcdUser -Id`). `user_id`: `urn:vcloud:user:...`. Answer: the user.
///
/// # Safety
/// `user_id` must be NULL or a NUL-terminated string; `out_json` as for `vcd_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcd_get_user(conn: *const VcdConnection, user_id: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = vcd_connection(conn)?;
        let id = str_arg(user_id, "user_id", false)?.unwrap_or_default().to_string();
        block_on(async move { Answer::of(&c.client.user(&id).await?) })
    })
}

/// Creates users (`New-VcdUser`). `request_json`: `{"users": [{"username", "password",
/// "roles": ["vApp User"], "fullName", "email", "description", "enabled", "providerType",
/// "isGroupRole", "nameInSource", "storedVmQuota", "deployedVmQuota"}]}`. Answer: the per-item
/// report, each created user in `result`; `VCS_PARTIAL_FAILURE` if any failed.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` as for `vcd_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcd_new_user(conn: *const VcdConnection, request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = vcd_connection(conn)?;
        let r: NewVcdUsersRequest = json_arg(request_json, "request_json", false)?;
        block_on(async move { Answer::report(&c.client.new_users(&r.users).await?) })
    })
}

/// Changes a user (`Set-VcdUser`). `request_json`: `{"id": "urn:vcloud:user:...", "fullName",
/// "email", "description", "enabled", "roles", "password", "storedVmQuota", "deployedVmQuota"}`;
/// absent fields stay. Answer: the user as it is now.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` as for `vcd_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcd_set_user(conn: *const VcdConnection, request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = vcd_connection(conn)?;
        let r: VcdUserChanges = json_arg(request_json, "request_json", false)?;
        block_on(async move { Answer::of(&c.client.set_user(&r).await?) })
    })
}

/// Removes users (`Remove-VcdUser`). `request_json`: `{"users": [...]}`: URNs, usernames,
/// patterns or user objects. Answer: the per-item report; `VCS_PARTIAL_FAILURE` if any failed.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` as for `vcd_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcd_remove_users(
    conn: *const VcdConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = vcd_connection(conn)?;
        let r: RemoveVcdUsersRequest = json_arg(request_json, "request_json", false)?;
        let refs = r.refs()?;
        block_on(async move { Answer::report(&c.client.remove_users(&refs).await?) })
    })
}

/// Roles the org may give (`Get-VcdRole`). `query_json`: NULL or `{"name": "vApp*", "id": ...}`.
/// Answer: array.
///
/// # Safety
/// `query_json` must be NULL or a NUL-terminated string; `out_json` as for `vcd_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcd_get_roles(conn: *const VcdConnection, query_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = vcd_connection(conn)?;
        let q: VcdRoleQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.roles(&q).await?) })
    })
}
