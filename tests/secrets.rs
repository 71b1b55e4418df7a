//! Secrets never appear in errors, Debug output or answers: API tokens, app secrets, passwords
//! and access tokens (JWTs, which all start with `eyJ`).

mod common;

use common::*;
use serde_json::json;
use std::ffi::{c_char, CStr, CString};
use std::ptr::null_mut;
use vcs_native::csp::request::ConnectRequest;
use vcs_native::ffi::*;
use vcs_native::{ConnectOptions, Credentials, CspClient};

fn assert_clean(texts: &[String], secrets: &[&str]) {
    for t in texts {
        for s in secrets {
            assert!(!t.contains(s), "a secret leaked into: {t}");
        }
        assert!(!t.contains("eyJ"), "an access token leaked into: {t}");
    }
}

fn abi(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> String {
    let mut out: *mut c_char = null_mut();
    f(&mut out);
    let s = unsafe { CStr::from_ptr(out) }.to_string_lossy().into_owned();
    unsafe { vcs_string_free(out) };
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_errors_debug_output_or_answers() {
    let emu = emulator(5).await;
    let info = emu.connection_info();
    let token = emu.api_token();
    let app_id = info["appId"].as_str().unwrap().to_string();
    let app_secret = info["appSecret"].as_str().unwrap().to_string();
    let wrong_token = "wrong-api-token-0123456789";
    let wrong_secret = "wrong-app-secret-0123456789";
    let secrets = [token.as_str(), app_secret.as_str(), wrong_token, wrong_secret];
    let mut texts: Vec<String> = Vec::new();

    let good = options(&emu);
    texts.push(format!("{good:?}"));
    let client = CspClient::connect(good.clone()).await.unwrap();
    texts.push(format!("{client:?}"));
    texts.push(serde_json::to_string(&client.info().await).unwrap());
    let app = ConnectOptions::service_app(emu.url.clone(), &app_id, app_secret.as_str(), &emu.org_id());
    texts.push(format!("{app:?}"));

    let mut bad = good.clone();
    bad.credentials = Credentials::ApiToken(wrong_token.into());
    let e = CspClient::connect(bad).await.unwrap_err();
    texts.extend([e.to_string(), format!("{e:?}"), serde_json::to_string(&e).unwrap()]);
    let bad_app = ConnectOptions::service_app(emu.url.clone(), &app_id, wrong_secret, &emu.org_id());
    let e = CspClient::connect(bad_app).await.unwrap_err();
    texts.extend([e.to_string(), format!("{e:?}")]);

    // A token that expires and cannot be renewed: the error names neither token.
    control(&emu, "POST", "api-tokens/revoke", Some(json!({"token": token}))).await;
    control(&emu, "POST", "tokens/expire", None).await;
    let e = client.users(&Default::default()).await.unwrap_err();
    assert!(e.message.contains("revoked"), "{e}");
    texts.extend([e.to_string(), format!("{e:?}")]);

    let req: ConnectRequest = serde_json::from_value(json!({"server": emu.url, "apiToken": token, "appSecret": app_secret})).unwrap();
    texts.push(format!("{req:?}"));

    let url = emu.url.clone();
    let (tok, sec) = (token.clone(), wrong_secret.to_string());
    let abi_texts = tokio::task::spawn_blocking(move || {
        let opts = CString::new(json!({"server": url, "apiToken": tok}).to_string()).unwrap();
        let bad = CString::new(json!({"server": url, "appId": "x", "appSecret": sec, "orgId": "y"}).to_string()).unwrap();
        vec![
            abi(|o| unsafe { vcs_connect(opts.as_ptr(), &mut null_mut(), o) }),
            abi(|o| unsafe { vcs_new_oauth_security_context(opts.as_ptr(), o) }),
            abi(|o| unsafe { vcs_connect(bad.as_ptr(), &mut null_mut(), o) }),
        ]
    })
    .await
    .unwrap();
    texts.extend(abi_texts);
    assert!(texts.len() >= 14);
    assert_clean(&texts, &secrets);
}
