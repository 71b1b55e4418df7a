//! Connecting, through the library and the C ABI: a blank server refused, https assumed with a
//! hint when TLS fails, secrets over plain http only to loopback (a non-loopback name mapped to
//! the loopback emulator with a resolve rule stands in for a remote host, so nothing leaves this
//! machine: if the rule broke, the secret would reach the emulator, whose counters the tests
//! read), one deadline for the whole connect, and CA files that cannot hang or grow.

mod common;

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::null_mut;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vcs_native::ffi::*;
use vcs_native::vcd::{VcdClient, VcdConnectOptions};
use vcs_native::{ConnectOptions, CspClient, ErrorCategory, ResolveRule, RetryObserver};

fn call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, Value) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    assert!(!out.is_null());
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { vcs_string_free(out) };
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

fn c(v: &Value) -> CString {
    CString::new(v.to_string()).unwrap()
}

/// `vcs_connect`, `vcd_connect` or `vcs_new_oauth_security_context` with these options; connections are closed.
fn abi_connect(which: &str, options: &Value) -> (VcsStatus, Value) {
    let opts = c(options);
    match which {
        "vcs_connect" => {
            let mut conn = null_mut();
            let r = call(|o| unsafe { vcs_connect(opts.as_ptr(), &mut conn, o) });
            unsafe { vcs_disconnect(conn) };
            r
        }
        "vcd_connect" => {
            let mut conn = null_mut();
            let r = call(|o| unsafe { vcd_connect(opts.as_ptr(), &mut conn, o) });
            unsafe { vcd_disconnect(conn) };
            r
        }
        _ => call(|o| unsafe { vcs_new_oauth_security_context(opts.as_ptr(), o) }),
    }
}

/// Runs blocking ABI calls on their own thread beside an in-process emulator.
fn with_emulator(f: impl FnOnce(&vcs_emulator::Emulator, Value) + Send + 'static) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = Arc::new(rt.block_on(common::emulator(5)));
    let info = emu.connection_info();
    let e = emu.clone();
    std::thread::spawn(move || f(&e, info)).join().unwrap();
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().trim_end_matches('/').parse().unwrap()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let p = l.local_addr().unwrap().port();
    drop(l);
    p
}

fn total_requests(emu: &vcs_emulator::Emulator) -> u64 {
    emu.stats()["total"].as_u64().unwrap()
}

#[test]
fn a_blank_server_is_refused_everywhere_and_names_the_field() {
    with_emulator(|emu, i| {
        for server in ["", "   ", "\t"] {
            for (which, mut opts) in [
                ("vcs_connect", json!({"apiToken": i["apiToken"]})),
                ("vcs_new_oauth_security_context", json!({"appId": i["appId"], "appSecret": i["appSecret"], "orgId": i["orgId"]})),
                ("vcd_connect", json!({"org": i["vcdOrg"], "username": i["vcdUser"], "password": i["vcdPassword"]})),
            ] {
                opts["server"] = json!(server);
                let (s, v) = abi_connect(which, &opts);
                assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{which} {server:?}: {v}");
                assert_eq!(v["field"], "server", "{which}: {v}");
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let e = rt.block_on(CspClient::connect(ConnectOptions::api_token("  ", "token"))).unwrap_err();
        assert_eq!((e.category, e.field.as_deref()), (ErrorCategory::InvalidArgument, Some("server")));
        let e = rt.block_on(VcdClient::connect(VcdConnectOptions::api_token(" ", "acme", "token"))).unwrap_err();
        assert_eq!((e.category, e.field.as_deref()), (ErrorCategory::InvalidArgument, Some("server")));
        assert_eq!(total_requests(emu), 0, "nothing was sent anywhere");
    });
}

#[test]
fn an_absent_server_is_the_default_one_and_errors_name_the_url_tried() {
    // The default server's name is pinned to a closed loopback port: nothing leaves the machine.
    let port = closed_port();
    let (s, v) = abi_connect(
        "vcs_connect",
        &json!({"apiToken": "token", "resolve": [format!("console.cloud.vmware.com:{port}:127.0.0.1")], "timeoutSeconds": 0.5}),
    );
    // The default is https on 443; a rule for another port is refused before anything is sent, naming both.
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("https://console.cloud.vmware.com"), "{v}");
    let (s, v) = abi_connect(
        "vcs_connect",
        &json!({"server": format!("console.cloud.vmware.com:{port}"), "apiToken": "token",
                "resolve": [format!("console.cloud.vmware.com:{port}:127.0.0.1")], "timeoutSeconds": 1, "maxAttempts": 1}),
    );
    assert_eq!(s, VcsStatus::VCS_NETWORK, "{v}");
    let m = v["message"].as_str().unwrap();
    assert!(m.contains(&format!("https://console.cloud.vmware.com:{port}/csp/gateway/am/api/auth/api-tokens/authorize")), "{m}");
    assert!(!m.contains("token\""), "{m}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_credential_names_the_server() {
    let emu = common::emulator(3).await;
    let mut o = common::options(&emu);
    o.credentials = vcs_native::Credentials::ApiToken("not-the-token-0000".into());
    let e = CspClient::connect(o).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Authentication, "{e}");
    assert!(e.message.starts_with(&format!("{}: ", emu.url)), "{}", e.message);
    assert!(!e.message.contains("not-the-token"), "{}", e.message);
    let i = emu.connection_info();
    let o = VcdConnectOptions::password(emu.url.clone(), i["vcdOrg"].as_str().unwrap(), i["vcdUser"].as_str().unwrap(), "wrong-password");
    let e = VcdClient::connect(o).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Authentication, "{e}");
    assert!(e.message.starts_with(&format!("{}: ", emu.url)), "{}", e.message);
}

#[test]
fn secrets_go_over_plain_http_only_to_loopback_unless_asked_for_by_name() {
    with_emulator(|emu, i| {
        let port = port_of(emu.url.as_str());
        let remote = format!("http://vcs.test.invalid:{port}");
        let rule = json!([format!("vcs.test.invalid:{port}:127.0.0.1")]);
        let cases = [
            ("vcs_connect", json!({"apiToken": i["apiToken"]}), "the API token"),
            ("vcs_connect", json!({"appId": i["appId"], "appSecret": i["appSecret"], "orgId": i["orgId"]}), "the app secret"),
            ("vcs_new_oauth_security_context", json!({"apiToken": i["apiToken"]}), "the API token"),
            ("vcd_connect", json!({"org": i["vcdOrg"], "username": i["vcdUser"], "password": i["vcdPassword"]}), "the password"),
            ("vcd_connect", json!({"org": i["vcdOrg"], "apiToken": i["vcdApiToken"]}), "the API token"),
        ];
        for (which, base, secret) in &cases {
            let mut opts = base.clone();
            opts["server"] = json!(remote);
            opts["resolve"] = rule.clone();
            let (s, v) = abi_connect(which, &opts);
            assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{which}: {v}");
            let m = v["message"].as_str().unwrap();
            assert!(m.contains(&format!("refusing to send {secret} over plain http")), "{m}");
            assert!(m.contains("allowInsecureHttp"), "{m}");
            assert_eq!(total_requests(emu), 0, "{which}: the secret reached the emulator");
        }
        // Opting in by name sends them: the same setup reaches the emulator, so the checks above
        // would have seen a leak.
        for (which, base, _) in &cases {
            let mut opts = base.clone();
            opts["server"] = json!(remote);
            opts["resolve"] = rule.clone();
            opts["allowInsecureHttp"] = json!(true);
            let (s, v) = abi_connect(which, &opts);
            assert_eq!(s, VcsStatus::VCS_OK, "{which}: {v}");
        }
        assert!(emu.stats()["requests"].as_object().unwrap().keys().any(|k| k.contains("api-tokens/authorize")));
        // A loopback name that leads elsewhere is refused too (decided on the address, not the name).
        let (s, v) = abi_connect(
            "vcs_connect",
            &json!({"server": format!("http://localhost:{port}"), "apiToken": i["apiToken"], "resolve": [format!("localhost:{port}:192.0.2.1")]}),
        );
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
        assert!(v["message"].as_str().unwrap().contains("192.0.2.1"), "{v}");
        // Loopback by name and address: allowed without the opt-in.
        let (s, v) = abi_connect("vcs_connect", &json!({"server": format!("http://localhost:{port}"), "apiToken": i["apiToken"]}));
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    });
}

#[test]
fn resolve_rules_are_checked_with_clear_errors() {
    for (rules, field, needle) in [
        (json!(["vcs.test.invalid:443"]), "resolve[0]", "HOST:PORT:ADDRESS"),
        (json!(["vcs.test.invalid:https:127.0.0.1"]), "resolve[0]", "port"),
        (json!(["vcs.test.invalid:443:127.0.0.1", "vcs.test.invalid:443:nowhere"]), "resolve[1]", "not an IP address"),
        (json!(["other.test.invalid:443:127.0.0.1"]), "resolve[0]", "the server is vcs.test.invalid:443"),
    ] {
        let (s, v) = abi_connect("vcs_connect", &json!({"server": "vcs.test.invalid", "apiToken": "t", "resolve": rules}));
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
        assert_eq!(v["field"], field, "{v}");
        assert!(v["message"].as_str().unwrap().contains(needle), "{v}");
    }
    let (s, v) = abi_connect("vcs_connect", &json!({"server": "vcs.test.invalid", "apiToken": "t", "resolve": "x:1:127.0.0.1"}));
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
    assert_eq!(v["field"], "resolve", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_and_port_assume_https_and_a_tls_failure_suggests_http() {
    let emu = common::emulator(5).await;
    let host_port = emu.url.trim_start_matches("http://").to_string();
    let mut o = common::options(&emu);
    o.server = host_port.clone();
    let e = CspClient::connect(o).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Network, "{e}");
    assert!(e.message.contains(&format!("https://{host_port}/")), "{}", e.message);
    assert!(e.message.contains("https was assumed"), "{}", e.message);
    assert!(e.message.contains(&format!("http://{host_port}")), "{}", e.message);
    // A TLS failure is not retried: resending cannot help it.
    assert_eq!(emu.stats()["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeout_bounds_the_whole_connect_and_retries_are_told() {
    let port = closed_port();
    let seen: Arc<Mutex<Vec<(u32, String)>>> = Arc::default();
    let s2 = seen.clone();
    let mut o = ConnectOptions::api_token(format!("http://127.0.0.1:{port}"), "token-that-goes-nowhere");
    o.timeout = Duration::from_secs(1);
    o.retry.max_attempts = 20;
    o.network.on_retry = Some(RetryObserver::new(move |n| s2.lock().unwrap().push((n.attempt, n.error.message.clone()))));
    let started = Instant::now();
    let e = CspClient::connect(o).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.category, ErrorCategory::Timeout, "{e}");
    assert!(e.message.contains(&format!("http://127.0.0.1:{port}")), "{}", e.message);
    assert!(e.message.contains("within the timeout of 1 s"), "{}", e.message);
    // Without the bound, 20 attempts with backoff take far longer than this generous limit.
    assert!(took < Duration::from_secs(8), "{took:?}");
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty(), "retries are told");
    assert_eq!(seen[0].0, 1);
    assert!(seen[0].1.contains("could not connect"), "{:?}", seen[0]);
    assert!(!seen[0].1.contains("token-that-goes-nowhere"));
    assert!(ResolveRule::parse("r", "a:1:127.0.0.1").is_ok());
}

#[cfg(unix)]
#[test]
fn ca_certificate_paths_are_read_only_when_regular_and_small() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pem");
    std::fs::write(&big, vec![b'x'; 1024 * 1024 + 1]).unwrap();
    let fifo = dir.path().join("pipe.pem");
    let cpath = CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(cpath.as_ptr(), 0o600) }, 0);
    for (path, needle) in [
        ("/dev/zero", "not a regular file"),
        (fifo.to_str().unwrap(), "not a regular file"),
        (big.to_str().unwrap(), "1 MiB"),
        ("/nonexistent/ca.pem", "No such file"),
    ] {
        for which in ["vcs_connect", "vcd_connect"] {
            let opts = json!({"server": "http://127.0.0.1:9", "org": "acme", "apiToken": "t", "caCertificatePath": path});
            let mut opts = opts;
            if which == "vcs_connect" {
                opts.as_object_mut().unwrap().remove("org");
            }
            let started = Instant::now();
            let (s, v) = abi_connect(which, &opts);
            assert!(started.elapsed() < Duration::from_secs(5), "{path} hung");
            assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{which} {path}: {v}");
            assert_eq!(v["field"], "caCertificatePath", "{v}");
            assert!(v["message"].as_str().unwrap().contains(needle), "{path}: {v}");
        }
    }
    let (s, v) = abi_connect("vcs_connect", &json!({"apiToken": "t", "caCertificate": "x", "caCertificatePath": "/dev/null"}));
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
}
