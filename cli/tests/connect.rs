//! Connecting from the shell, through the `vcs` binary: blank servers, `HOST:PORT` with https
//! assumed, plain-http secrets only to loopback (`--resolve` maps a non-loopback name to the
//! loopback emulator, whose counters show whether anything arrived), `--timeout` bounding a
//! refused connect with its retries shown, CA files, and saved tokens with exit codes.

use serde_json::Value;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The binary with no credentials or server from the caller's environment, and its own config folder.
fn bare(config: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vcs"));
    for k in ["VCS_SERVER", "VCS_API_TOKEN", "VCS_APP_ID", "VCS_APP_SECRET", "VCS_ORG_ID", "VCS_CA_CERTIFICATE", "VCD_API_TOKEN"] {
        c.env_remove(k);
    }
    c.env("XDG_CONFIG_HOME", config).env("HOME", config);
    c
}

async fn run(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blank_servers_are_refused_and_host_port_assumes_https() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(3)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    for args in [vec!["connection", "info", "--server", "  "], vec!["connection", "info", "--server", ""]] {
        let mut c = bare(dir.path());
        c.args(&args).env("VCS_API_TOKEN", emu.api_token());
        let o = run(c).await;
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let e: Value = serde_json::from_slice(&o.stderr).unwrap();
        assert_eq!(e["field"], "server");
    }
    let mut c = bare(dir.path());
    c.args(["connection", "info"]).env("VCS_SERVER", " ").env("VCS_API_TOKEN", emu.api_token());
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("VCS_SERVER"), "{}", stderr(&o));

    let i = emu.connection_info();
    let mut c = bare(dir.path());
    c.args(["vcd", "info", "--vcd-server", " "])
        .env("VCD_ORG", i["vcdOrg"].as_str().unwrap())
        .env("VCD_API_TOKEN", i["vcdApiToken"].as_str().unwrap());
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("\"field\":\"server\""), "{}", stderr(&o));

    // How the module shows a server: https is assumed, and the failure says what to do.
    let host_port = emu.url.trim_start_matches("http://").to_string();
    let mut c = bare(dir.path());
    c.args(["connection", "info", "--server", &host_port]).env("VCS_API_TOKEN", emu.api_token());
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(8), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(&format!("https://{host_port}/")) && err.contains(&format!("http://{host_port}")), "{err}");
    assert_eq!(emu.stats()["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_over_plain_http_need_loopback_or_the_flag() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(3)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let port = port_of(&emu.url);
    let remote = format!("http://vcs.test.invalid:{port}");
    let rule = format!("vcs.test.invalid:{port}:127.0.0.1");
    let i = emu.connection_info();

    let mut c = bare(dir.path());
    c.args(["connection", "info", "--server", &remote, "--resolve", &rule]).env("VCS_API_TOKEN", emu.api_token());
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to send the API token over plain http") && stderr(&o).contains("--allow-insecure-http"));

    let mut c = bare(dir.path());
    c.args(["vcd", "info", "--vcd-server", &remote, "--resolve", &rule])
        .env("VCD_ORG", i["vcdOrg"].as_str().unwrap())
        .env("VCD_USER", i["vcdUser"].as_str().unwrap())
        .env("VCD_PASSWORD", i["vcdPassword"].as_str().unwrap());
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("refusing to send the password"), "{}", stderr(&o));
    assert_eq!(emu.stats()["total"], 0, "a secret reached the emulator");

    // The same, opted in by name: it gets through, so the check above would have seen a leak.
    let mut c = bare(dir.path());
    c.args(["connection", "info", "--server", &remote, "--resolve", &rule, "--allow-insecure-http"]).env("VCS_API_TOKEN", emu.api_token());
    let o = run(c).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let info: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["orgId"], emu.org_id());

    let mut c = bare(dir.path());
    c.args(["connection", "info", "--server", &remote, "--resolve", "vcs.test.invalid:1:nowhere"]).env("VCS_API_TOKEN", emu.api_token());
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--resolve[0]"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeout_bounds_a_refused_connect_and_verbose_shows_the_retries() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut c = bare(dir.path());
    c.args(["connection", "info", "--server", &format!("http://127.0.0.1:{port}"), "--timeout", "1", "-v"])
        .env("VCS_API_TOKEN", "a-token-for-nobody-0000");
    let started = Instant::now();
    let o = run(c).await;
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("retrying in"), "{err}");
    assert!(err.contains(&format!("http://127.0.0.1:{port}")), "{err}");
    assert!(err.contains("within the timeout of 1 s"), "{err}");
    assert!(!err.contains("a-token-for-nobody"), "{err}");
    // The retry budget alone would take far longer than this generous bound.
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ca_certificate_files_must_be_regular_and_small() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.pem");
    std::fs::write(&big, vec![b'x'; 2 * 1024 * 1024]).unwrap();
    for path in ["/dev/zero", big.to_str().unwrap(), dir.path().to_str().unwrap()] {
        let mut c = bare(dir.path());
        c.args(["connection", "info", "--server", "http://127.0.0.1:9", "--ca-certificate", path]).env("VCS_API_TOKEN", "t");
        let started = Instant::now();
        let o = run(c).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(o.status.code(), Some(1), "{path}: {}", stderr(&o));
        assert!(stderr(&o).contains("--ca-certificate"), "{}", stderr(&o));
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_save_then_commands_need_no_token() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(4)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = emu.api_token();
    let mut c = bare(dir.path());
    c.args(["connect", "--server", &emu.url, "--save"]).env("VCS_API_TOKEN", &token);
    let o = run(c).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let info: Value = serde_json::from_slice(&o.stdout).unwrap();
    let file = dir.path().join("vcs-native").join("credentials.json");
    assert_eq!(info["savedTo"], file.to_str().unwrap());
    assert!(!String::from_utf8_lossy(&o.stdout).contains(&token));

    // No token given: the saved one is used.
    let mut c = bare(dir.path());
    c.args(["user", "list", "--server", &emu.url]);
    let o = run(c).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap().as_array().unwrap().len(), 4);

    let mut c = bare(dir.path());
    c.args(["connection", "list"]);
    let o = run(c).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let listing: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(listing["backend"], "file");
    assert_eq!(listing["tokens"][0]["server"], emu.url.as_str());
    assert_eq!(listing["tokens"][0]["apiTokenPreview"], format!("****{}", &token[token.len() - 4..]));
    assert!(!String::from_utf8_lossy(&o.stdout).contains(&token));

    // A corrupt file: named, exit 1, left as it is.
    let good = std::fs::read(&file).unwrap();
    std::fs::write(&file, b"{not json").unwrap();
    let mut c = bare(dir.path());
    c.args(["user", "list", "--server", &emu.url]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(file.to_str().unwrap()), "{}", stderr(&o));
    assert_eq!(std::fs::read(&file).unwrap(), b"{not json");
    std::fs::write(&file, &good).unwrap();

    let mut c = bare(dir.path());
    c.args(["connection", "forget", "--server", &emu.url]);
    let o = run(c).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let mut c = bare(dir.path());
    c.args(["connection", "forget", &emu.url]);
    assert_eq!(run(c).await.status.code(), Some(4));
    let mut c = bare(dir.path());
    c.args(["user", "list", "--server", &emu.url]);
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("vcs connect --save"), "{}", stderr(&o));
}
