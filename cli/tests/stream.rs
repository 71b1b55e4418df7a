//! `vcs` listings stream: JSON pages written as they arrive (the same array as before), a closed
//! pipe stops the fetching, and progress shows on stderr only on a terminal or with --progress.

use serde_json::{json, Value};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn vcs(emu: &vcs_emulator::Emulator, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vcs"));
    c.args(args).env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token()).env_remove("VCS_APP_ID");
    c
}

async fn run(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

fn user_pages(emu: &vcs_emulator::Emulator) -> u64 {
    emu.stats()["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("GET ") && k.ends_with("/users"))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

async fn fault(emu: &vcs_emulator::Emulator, rule: Value) {
    let r = reqwest::Client::new().post(format!("{}/_emulator/faults", emu.url)).json(&rule).send().await.unwrap();
    assert!(r.status().is_success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streamed_listing_is_the_whole_array_and_nothing_on_stderr_when_piped() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(1100)).await.unwrap();
    let o = run(vcs(&emu, &["user", "list", "--json"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "stderr is not a terminal: nothing there, got {}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let users: Value = serde_json::from_str(&text).unwrap();
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 1100);
    // The same pretty array a whole listing printed before (one to_string_pretty of all users).
    let typed: Vec<vcs_native::csp::model::User> = serde_json::from_str(&text).unwrap();
    assert!(text == serde_json::to_string_pretty(&typed).unwrap() + "\n", "the streamed text differs from the whole array's");
    let world: Vec<String> = emu.world().users.iter().map(|u| u.user_id.clone()).collect();
    let listed: Vec<String> = users.iter().map(|u| u["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(listed, world, "every user once, in the service's order");

    let o = run(vcs(&emu, &["user", "list", "--name", "zz-nobody*"])).await;
    assert_eq!(String::from_utf8_lossy(&o.stdout), "[]\n");
    let o = run(vcs(&emu, &["invitation", "list", "--json"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(serde_json::from_slice::<Value>(&o.stdout).unwrap().is_array());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_stops_the_listing_after_at_most_three_pages() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(30_000)).await.unwrap();
    let before = user_pages(&emu);
    let mut sh = Command::new("sh");
    sh.args(["-c", &format!("'{}' user list --json | head -c 300", env!("CARGO_BIN_EXE_vcs"))])
        .env("VCS_SERVER", &emu.url)
        .env("VCS_API_TOKEN", emu.api_token());
    let t = Instant::now();
    let o = run(sh).await;
    let took = t.elapsed();
    assert!(o.status.success());
    assert_eq!(o.stdout.len(), 300);
    assert!(o.stdout.starts_with(b"[\n  {\n"), "{}", String::from_utf8_lossy(&o.stdout));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pages = user_pages(&emu) - before;
    println!("vcs user list --json | head -c 300: {took:?}, {pages} of 150 user pages requested");
    assert!(pages <= 3, "{pages} user pages requested");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_shows_on_stderr_with_the_flag() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(1000)).await.unwrap();
    fault(&emu, json!({"method": "GET", "path": "/csp/gateway/am/api/v2/orgs/*/users", "latencyMs": 500})).await;
    let o = run(vcs(&emu, &["user", "list", "--json", "--progress"])).await;
    assert!(o.status.success());
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap().as_array().unwrap().len(), 1000);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("list users"), "{stderr}");
    assert!(stderr.lines().any(|l| l.contains("/1,000") || l.contains("/1000")), "the total shows: {stderr}");
}
