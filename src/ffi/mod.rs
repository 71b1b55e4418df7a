//! The C ABI: JSON strings in and out, one function per cmdlet.
//!
//! Rules every function keeps:
//! - It returns a `VcsStatus` and writes its answer to `*out_json`: the result on `VCS_OK`, the
//!   per-item report on `VCS_PARTIAL_FAILURE`, an error object
//!   `{"category", "message", "httpStatus", "requestId", "serviceCode", "field"}` otherwise.
//! - Every string it returns is owned by the caller and freed with `vcs_string_free`; strings
//!   passed in are only borrowed for the call.
//! - NULL pointers, invalid UTF-8, malformed JSON and stale handles are reported, never crash;
//!   panics are caught and reported as `VCS_PANIC`.
//! - A connection may be used from several threads at once; calls block the calling thread
//!   while the library's shared runtime does the work.

mod cursor;
mod guard;
mod job;
mod status;
mod store;
mod sync;
mod vcd;

pub use cursor::*;
pub use job::*;
pub use status::VcsStatus;
pub use store::*;
pub use sync::*;
pub use vcd::*;

/// The server an absent `server` means.
const DEFAULT_SERVER_NAME: &str = crate::csp::DEFAULT_SERVER;

use crate::csp::request::*;
use crate::csp::CspClient;
use crate::error::Error;
use crate::runtime;
use guard::{guarded, handle, json_arg, register, release, Answer};
use std::ffi::c_char;
use std::sync::Arc;

/// A connection to one CSP organization. Opaque; create with `vcs_connect`, free with `vcs_disconnect`.
pub struct VcsConnection {
    pub(super) client: CspClient,
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    runtime().block_on(f)
}

/// The live connection behind `conn`, checked before any other argument.
fn connection(conn: *const VcsConnection) -> crate::Result<Arc<VcsConnection>> {
    handle(conn, "connection")
}

/// The library version, e.g. `"0.1.0"`. A static string: do not free it.
#[no_mangle]
pub extern "C" fn vcs_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr() as *const c_char
}

/// Frees a string returned by this library. NULL is ignored, and so is a pointer the library did
/// not hand out or has already taken back (a double free): the library keeps a record of its
/// live answers and frees only those, once.
///
/// # Safety
/// `s` should be NULL or a string returned by this library; anything else is ignored.
#[no_mangle]
pub unsafe extern "C" fn vcs_string_free(s: *mut c_char) {
    if !s.is_null() {
        let _ = std::panic::catch_unwind(|| guard::take_back(s));
    }
}

/// Connects to a CSP organization (`Connect-Vcs`).
///
/// `options_json`: `{"server": "console.cloud.vmware.com", "apiToken": "..."}` or
/// `{"server": ..., "appId": ..., "appSecret": ..., "orgId": ...}`; optional `caCertificate`
/// (PEM text) or `caCertificatePath`, `insecureSkipTlsVerify`, `allowInsecureHttp`, `resolve`
/// (`["HOST:PORT:ADDRESS"]`, as curl's), `timeoutSeconds` (per request, and for the whole
/// connect), `maxAttempts`, `concurrency`, `pageSize`. An absent server is the default one; a
/// blank one is refused. Secrets go over plain `http://` only to a loopback address unless
/// `allowInsecureHttp` is true.
/// On success `*out` receives the connection and `*out_json` the connection info.
///
/// # Safety
/// `options_json` must be NULL or a NUL-terminated string; `out` and `out_json` must be NULL or
/// point to writable pointers.
#[no_mangle]
pub unsafe extern "C" fn vcs_connect(options_json: *const c_char, out: *mut *mut VcsConnection, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        if out.is_null() {
            return Err(Error::invalid("out", "must not be NULL"));
        }
        *out = std::ptr::null_mut();
        let request: ConnectRequest = json_arg(options_json, "options_json", false)?;
        let options = request.into_options()?;
        let client = block_on(CspClient::connect(options))?;
        let info = block_on(client.info());
        let answer = Answer::of(&info)?;
        *out = register(VcsConnection { client });
        Ok(answer)
    })
}

/// Disconnects and frees a connection (`Disconnect-Vcs`). NULL is ignored; a handle that is not
/// live (already disconnected) gives `VCS_INVALID_ARGUMENT`. Calls still running on other threads
/// finish first. Handles are never reused, so a stale one never reaches a newer connection. In a
/// child forked after the library started, nothing is done and `VCS_INTERNAL` is returned.
///
/// # Safety
/// `conn` must be NULL or a value `vcs_connect` returned.
#[no_mangle]
pub unsafe extern "C" fn vcs_disconnect(conn: *mut VcsConnection) -> VcsStatus {
    if conn.is_null() {
        return VcsStatus::VCS_OK;
    }
    if crate::runtime::forked() {
        return VcsStatus::VCS_INTERNAL;
    }
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| release(conn).is_some())) {
        Ok(true) => VcsStatus::VCS_OK,
        Ok(false) => VcsStatus::VCS_INVALID_ARGUMENT,
        Err(_) => VcsStatus::VCS_PANIC,
    }
}

/// The connection's server, organization, user and token expiry, as JSON.
///
/// # Safety
/// `out_json` must be NULL or point to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn vcs_connection_info(conn: *const VcsConnection, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        Answer::of(&block_on(c.client.info()))
    })
}

/// Checks credentials and describes the OAuth security context they make
/// (`New-VcsOAuthSecurityContext`): `{"vcsServer", "type", "apiTokenPreview", "appId", "organizationId"}`.
/// The same options as `vcs_connect`; the credentials are exchanged once to prove them. No secret
/// is returned.
///
/// # Safety
/// As for `vcs_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcs_new_oauth_security_context(options_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let request: ConnectRequest = json_arg(options_json, "options_json", false)?;
        let client = block_on(CspClient::connect(request.into_options()?))?;
        let info = block_on(client.info());
        Answer::of(&serde_json::json!({
            "vcsServer": info.server,
            "type": info.auth_type,
            "apiTokenPreview": info.api_token_preview,
            "appId": info.app_id,
            "organizationId": info.org_id,
        }))
    })
}

/// Organization roles (`Get-VcsOrganizationRole`). `query_json`: NULL or
/// `{"name": "org_*", "id": ..., "user": ...}`; each field a string or an array. Answer: array.
///
/// # Safety
/// `query_json` must be NULL or a NUL-terminated string; `out_json` as for `vcs_connect`.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_organization_roles(
    conn: *const VcsConnection,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: OrganizationRoleQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.organization_roles(&q).await?) })
    })
}

/// Services (`Get-VcsService`). `query_json`: NULL or `{"name": "*AWS*", "id": ...}`. Answer: array.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_services(conn: *const VcsConnection, query_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: NameQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.services(&q).await?) })
    })
}

/// Service roles (`Get-VcsServiceRole`). `query_json`: NULL or
/// `{"name": "nsx:*", "id": ..., "service": "VMware Cloud on AWS"}`. Answer: array.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_service_roles(
    conn: *const VcsConnection,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: ServiceRoleQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.service_roles(&q).await?) })
    })
}

/// Users (`Get-VcsUser`), every page. `query_json`: NULL or `{}` for all, or
/// `{"name": "A*", "email": "*@example.com", "id": ...}` (PowerShell wildcards). Answer: array.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_users(conn: *const VcsConnection, query_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: UserQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.users(&q).await?) })
    })
}

/// Removes users (`Remove-VcsUser`). `request_json`: `{"users": [...], "notifyUsers": false,
/// "allowSelf": false, "dryRun": false}`; each user an id, a username, an email, a full name, a
/// wildcard pattern (matched against username, email and full name), or a user object. The
/// caller's own membership and the organization's last `org_owner` are refused unless
/// `allowSelf` is true. Answer: the per-item report `{"succeeded", "failed", "items": [{"input",
/// "target": {"id", "username", "email", "name"}, "outcome", "error"}]}`, outcome `removed`,
/// `duplicate`, `refused`, `failed`, `unknown` or `notStarted`; with `dryRun` nothing is removed
/// and the outcomes are `wouldRemove`, `refused` or `failed`. `VCS_PARTIAL_FAILURE` if any item
/// failed or would fail.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_remove_users(
    conn: *const VcsConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let r: RemoveUsersRequest = json_arg(request_json, "request_json", false)?;
        let refs = r.refs()?;
        let options = r.options();
        block_on(async move {
            let report = if r.dry_run {
                c.client.dry_run_remove_users(&refs, &options).await?
            } else {
                c.client.remove_users_with(&refs, &options).await?
            };
            Answer::report(&report)
        })
    })
}

/// Invitations (`Get-VcsUserInvitation`). `query_json`: NULL or
/// `{"name": "*@partner.example", "id": ..., "status": "Available"}`. Answer: array.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_get_user_invitations(
    conn: *const VcsConnection,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let q: InvitationQuery = json_arg(query_json, "query_json", true)?;
        block_on(async move { Answer::of(&c.client.invitations(&q).await?) })
    })
}

/// Invites people (`New-VcsUserInvitation`). `request_json`: `{"emails": [...],
/// "organizationRoles": ["org_member"], "serviceRoles": [{"service": ..., "roles": [...]}],
/// "skipNotify": false}`. Answer: the per-item report, each invited item carrying its invitation
/// in `result`; `VCS_PARTIAL_FAILURE` if any email failed.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_new_user_invitations(
    conn: *const VcsConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let r: InvitationRequest = json_arg(request_json, "request_json", false)?;
        block_on(async move { Answer::report(&c.client.invite(&r).await?) })
    })
}

/// Revokes invitations (`Remove-VcsUserInvitation`). `request_json`: `{"invitations": [...]}`,
/// ids or invitation objects. Answer: the per-item report; `VCS_PARTIAL_FAILURE` if any failed.
///
/// # Safety
/// As for `vcs_get_organization_roles`.
#[no_mangle]
pub unsafe extern "C" fn vcs_remove_user_invitations(
    conn: *const VcsConnection,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> VcsStatus {
    guarded(out_json, || {
        let c = connection(conn)?;
        let r: RemoveInvitationsRequest = json_arg(request_json, "request_json", false)?;
        let ids = invitation_ids("invitations", &r.invitations)?;
        if ids.is_empty() {
            return Err(Error::invalid("invitations", "must name at least one invitation"));
        }
        block_on(async move { Answer::report(&c.client.revoke_invitations(&ids).await?) })
    })
}
