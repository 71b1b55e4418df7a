//! Saved API tokens through the C ABI: save, list, load, forget, with the same rules as the rest
//! of the ABI (status plus JSON out, strings freed with `vcs_string_free`, nothing crashes).
//!
//! Each request may name the store's `file`; without it the store is the one the PowerShell
//! module reads (`$XDG_CONFIG_HOME` or `~/.config`, then `vcs-native/credentials.json`).

use super::guard::{guarded, json_arg, Answer};
use super::{VcsStatus, DEFAULT_SERVER_NAME};
use crate::error::{Error, ErrorCategory};
use crate::secret::Secret;
use crate::store::TokenStore;
use serde::Deserialize;
use serde_json::json;
use std::ffi::c_char;

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StoreRequest {
    #[serde(default)]
    server: Option<String>,
    #[serde(default)]
    api_token: Option<String>,
    #[serde(default)]
    file: Option<String>,
}

impl StoreRequest {
    fn store(&self) -> crate::Result<TokenStore> {
        match &self.file {
            Some(f) if f.trim().is_empty() => Err(Error::invalid("file", "must not be blank; leave it out for the default store")),
            Some(f) => Ok(TokenStore::at(f)),
            None => TokenStore::default_location(),
        }
    }

    fn server(&self) -> crate::Result<String> {
        crate::csp::request::server_or_default(self.server.clone(), DEFAULT_SERVER_NAME)
    }
}

/// Saves an API token for a server. `request_json`: `{"server": "console.cloud.vmware.com",
/// "apiToken": "...", "file": optional path}`; an absent server is the default one. Answer:
/// `{"server", "apiTokenPreview", "backend", "location"}`.
///
/// # Safety
/// `request_json` must be NULL or a NUL-terminated string; `out_json` must be NULL or point to a
/// writable pointer.
#[no_mangle]
pub unsafe extern "C" fn vcs_saved_token_save(request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let r: StoreRequest = json_arg(request_json, "request_json", false)?;
        let (store, server) = (r.store()?, r.server()?);
        let token = Secret::new(r.api_token.ok_or_else(|| Error::invalid("apiToken", "required"))?);
        store.save(&server, &token)?;
        Answer::of(&json!({
            "server": server,
            "apiTokenPreview": token.preview(),
            "backend": "file",
            "location": store.file().display().to_string(),
        }))
    })
}

/// The servers with a saved token. `request_json`: NULL, `{}` or `{"file": path}`. Answer:
/// `{"backend": "file", "location", "tokens": [{"server", "apiTokenPreview"}]}`; never a token.
///
/// # Safety
/// As for `vcs_saved_token_save`.
#[no_mangle]
pub unsafe extern "C" fn vcs_saved_tokens_list(request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let r: StoreRequest = json_arg(request_json, "request_json", true)?;
        if r.server.is_some() || r.api_token.is_some() {
            return Err(Error::invalid("request_json", "list takes only file"));
        }
        Answer::of(&r.store()?.list()?)
    })
}

/// The token saved for a server, to connect with. `request_json`: `{"server": ..., "file":
/// optional}`. Answer: `{"server", "apiToken"}`; `VCS_NOT_FOUND` when none is saved.
///
/// # Safety
/// As for `vcs_saved_token_save`.
#[no_mangle]
pub unsafe extern "C" fn vcs_saved_token_load(request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let r: StoreRequest = json_arg(request_json, "request_json", true)?;
        if r.api_token.is_some() {
            return Err(Error::invalid("apiToken", "load takes only server and file"));
        }
        let (store, server) = (r.store()?, r.server()?);
        match store.load(&server)? {
            Some(token) => Answer::of(&json!({"server": server, "apiToken": token.expose()})),
            None => Err(not_saved(&server, &store)),
        }
    })
}

/// Forgets the token saved for a server. `request_json`: `{"server": ..., "file": optional}`.
/// Answer: `{"server", "forgotten": true}`; `VCS_NOT_FOUND` when none was saved.
///
/// # Safety
/// As for `vcs_saved_token_save`.
#[no_mangle]
pub unsafe extern "C" fn vcs_saved_token_forget(request_json: *const c_char, out_json: *mut *mut c_char) -> VcsStatus {
    guarded(out_json, || {
        let r: StoreRequest = json_arg(request_json, "request_json", true)?;
        if r.api_token.is_some() {
            return Err(Error::invalid("apiToken", "forget takes only server and file"));
        }
        let (store, server) = (r.store()?, r.server()?);
        if store.forget(&server)? {
            Answer::of(&json!({"server": server, "forgotten": true}))
        } else {
            Err(not_saved(&server, &store))
        }
    })
}

fn not_saved(server: &str, store: &TokenStore) -> Error {
    Error::new(ErrorCategory::NotFound, format!("no API token is saved for {server} in {}", store.file().display()))
}
