//! Ctrl+C during bulk commands, sent to the `vcs` binary as a shell would: the command stops
//! within half a second, prints its report and exits 130, and the report agrees with the emulator.

use serde_json::{json, Value};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Adds a fault rule through the control API (plain HTTP/1.1 on loopback).
async fn fault(emu: &vcs_emulator::Emulator, rule: Value) {
    let body = rule.to_string();
    let addr = emu.addr;
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(s, "POST /_emulator/faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 2"), "{answer}");
    })
    .await
    .unwrap();
}

fn requests(emu: &vcs_emulator::Emulator, method: &str, path_part: &str) -> u64 {
    emu.stats()["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("{method} ")) && k.contains(path_part))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

/// Starts `cmd`, sends SIGINT once `started` says the work is under way, and returns the exit
/// code, stdout, stderr and how long the command took to exit after the signal.
async fn interrupt_when(mut cmd: Command, mut started: impl FnMut() -> bool) -> (Option<i32>, String, String, Duration) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !started() {
        assert!(Instant::now() < deadline, "the work never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let sent = Instant::now();
    let ok = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let (mut out, mut err) = (String::new(), String::new());
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (status, out, err) = tokio::task::spawn_blocking(move || {
        stdout.read_to_string(&mut out).unwrap();
        stderr.read_to_string(&mut err).unwrap();
        (child.wait().unwrap(), out, err)
    })
    .await
    .unwrap();
    (status.code(), out, err, sent.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_vcd_user_new_prints_the_report_and_exits_130() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(5)).await.unwrap();
    fault(&emu, json!({"method": "POST", "path": "/cloudapi/1.0.0/users", "latencyMs": 150})).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("users.csv");
    let mut text = String::from("Username,Password,Role\n");
    for i in 0..200 {
        text.push_str(&format!("sig{i},s3cret-pass,vApp User\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let info = emu.connection_info();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vcs"));
    cmd.args(["vcd", "user", "new", "--csv", csv.to_str().unwrap()])
        .env("VCD_SERVER", &emu.url)
        .env("VCD_ORG", info["vcdOrg"].as_str().unwrap())
        .env("VCD_USER", info["vcdUser"].as_str().unwrap())
        .env("VCD_PASSWORD", info["vcdPassword"].as_str().unwrap());
    let (code, out, err, took) = interrupt_when(cmd, || requests(&emu, "POST", "/cloudapi/1.0.0/users") >= 20).await;
    assert_eq!(code, Some(130), "interrupted exit code; stderr: {err}");
    assert!(took < Duration::from_secs(2), "exited {took:?} after Ctrl+C");
    assert!(err.contains("interrupted"), "{err}");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(report["cancelled"], true);
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 200);
    let n = |k: &str| report[k].as_u64().unwrap();
    assert!(n("succeeded") >= 10 && n("notStarted") > 0, "{}", &out[..out.len().min(400)]);
    assert_eq!(n("failed"), 0);
    let world = emu.world();
    for it in items {
        let name = it["input"].as_str().unwrap();
        let exists = world.vcd.users.iter().any(|u| u.username == name);
        match it["outcome"].as_str().unwrap() {
            "created" => assert!(exists, "{name} reported created but absent"),
            "notStarted" => assert!(!exists, "{name} reported not started but exists"),
            "unknown" => {}
            other => panic!("{name}: unexpected outcome {other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_invitation_new_within_half_a_second_or_so() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(5)).await.unwrap();
    fault(&emu, json!({"method": "POST", "path": "/csp/gateway/am/api/orgs/*/invitations", "latencyMs": 3000})).await;
    let emails: Vec<String> = (0..1000).map(|i| format!("sigint{i}@bulk.example")).collect();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vcs"));
    cmd.args(["invitation", "new", "--org-role", "org_member"])
        .args(&emails)
        .env("VCS_SERVER", &emu.url)
        .env("VCS_API_TOKEN", emu.api_token())
        .env_remove("VCS_APP_ID");
    let (code, out, err, took) = interrupt_when(cmd, || requests(&emu, "GET", "/invitations") >= 1).await;
    assert_eq!(code, Some(130), "stderr: {err}");
    assert!(took < Duration::from_secs(2), "exited {took:?} after Ctrl+C, while its requests hung");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(report["cancelled"], true);
    assert_eq!(report["items"].as_array().unwrap().len(), 1000);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["succeeded"], 0, "nothing was confirmed");
}
