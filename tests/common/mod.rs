//! Starts the emulator in-process on a free loopback port and connects clients to it.
#![allow(dead_code)]

use serde_json::Value;
use std::time::Duration;
use vcs_emulator::{Config, Emulator};
use vcs_native::{ConnectOptions, CspClient, RetryPolicy};

pub async fn emulator(users: usize) -> Emulator {
    emulator_with(Config::ephemeral(users)).await
}

pub async fn emulator_with(config: Config) -> Emulator {
    vcs_emulator::start(config).await.expect("the emulator starts")
}

/// Options with quick retries, so fault tests stay short.
pub fn options(emu: &Emulator) -> ConnectOptions {
    let mut o = ConnectOptions::api_token(emu.url.clone(), emu.api_token());
    o.retry = RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_total: Duration::from_secs(20),
    };
    o.timeout = Duration::from_secs(10);
    o
}

pub async fn connect(emu: &Emulator) -> CspClient {
    CspClient::connect(options(emu)).await.expect("connects to the emulator")
}

/// A plain HTTP client for the control API and for raw protocol checks.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

pub async fn control(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{}/_emulator/{path}", emu.url);
    let req = http().request(method.parse().unwrap(), url);
    let req = match body {
        Some(b) => req.json(&b),
        None => req,
    };
    let resp = req.send().await.expect("control API answers");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert!(status.is_success(), "control {method} {path}: {status} {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

pub async fn fault(emu: &Emulator, rule: Value) {
    control(emu, "POST", "faults", Some(rule)).await;
}

/// How many requests the emulator has seen for `method` on paths that contain `path_part`.
pub async fn count(emu: &Emulator, method: &str, path_part: &str) -> u64 {
    let stats = control(emu, "GET", "stats", None).await;
    stats["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{method} ")) && k.contains(path_part))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

/// target/<profile>/deps, where cargo builds the cdylib beside the test binaries on every test
/// build (the copy one folder up is refreshed only by `cargo build`), with the name a linked
/// program looks for: the library's SONAME (libvcs_native.so.MAJOR), which cargo does not write.
pub fn native_lib_dir() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    let name = if cfg!(target_os = "macos") { "libvcs_native.dylib" } else { "libvcs_native.so" };
    assert!(dir.join(name).exists(), "{name} not found in {}", dir.display());
    #[cfg(target_os = "linux")]
    {
        let versioned = dir.join(concat!("libvcs_native.so.", env!("CARGO_PKG_VERSION_MAJOR")));
        if let Err(e) = std::os::unix::fs::symlink("libvcs_native.so", &versioned) {
            assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists, "{}: {e}", versioned.display());
        }
    }
    dir
}
