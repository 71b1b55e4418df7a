//! C hosts of the cursor and of the boundary checks: tests/c/boundary.c (plainly, with
//! AddressSanitizer and under valgrind) and examples/stream_users.c (a whole listing, and Ctrl+C
//! while a page hangs), compiled with gcc against the committed header and the fresh library.

mod common;

use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

fn compile(source: &str, out: &Path, extra: &[&str]) {
    let lib = common::native_lib_dir();
    let o = Command::new("gcc")
        .args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror", "-g"])
        .args(extra)
        .arg(format!("-I{}", root().join("include").display()))
        .arg(format!("-I{}", root().join("tests/c").display()))
        .arg(root().join(source))
        .arg(format!("-L{}", lib.display()))
        .args(["-lvcs_native", "-lpthread"])
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-o")
        .arg(out)
        .output()
        .expect("gcc runs");
    assert!(o.status.success(), "gcc {source} failed:\n{}", String::from_utf8_lossy(&o.stderr));
}

fn show(o: &Output) -> String {
    format!("status {:?}\nstdout:\n{}\nstderr:\n{}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Runs a host without cargo's LD_LIBRARY_PATH: it finds the library through its rpath.
async fn run(mut cmd: Command) -> Output {
    cmd.env_remove("LD_LIBRARY_PATH");
    tokio::task::spawn_blocking(move || cmd.output().expect("the host runs")).await.unwrap()
}

async fn boundary(prefix: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("boundary");
    compile("tests/c/boundary.c", &bin, extra);
    let emu = common::emulator(320).await;
    let mut cmd = match prefix.split_first() {
        Some((tool, args)) => {
            let mut c = Command::new(tool);
            c.args(args).arg(&bin);
            c
        }
        None => Command::new(&bin),
    };
    cmd.arg(&emu.url).arg(emu.api_token());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(cmd).await;
    drop(emu);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boundary_holds_for_a_c_host() {
    let out = boundary(&[], &[], &[]).await;
    assert!(out.status.success(), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(" failed\n") && String::from_utf8_lossy(&out.stdout).contains(", 0 failed"),
        "{}",
        show(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boundary_holds_under_address_sanitizer() {
    let out = boundary(&[], &["-fsanitize=address", "-fno-omit-frame-pointer"], &[("ASAN_OPTIONS", "detect_leaks=1:exitcode=86")]).await;
    assert!(out.status.success(), "{}", show(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("AddressSanitizer"), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(", 0 failed"), "{}", show(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_boundary_holds_under_valgrind() {
    if !have("valgrind") {
        println!("skipped: valgrind not found (.ci/run installs it)");
        return;
    }
    let out = boundary(
        &[
            "valgrind",
            "--error-exitcode=86",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            "--track-origins=no",
            // The forked child's memory is its parent's; its verdict comes through a pipe.
            "--child-silent-after-fork=yes",
        ],
        &[],
        &[],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The 100 ms bound is for native speed; under valgrind every step is many times slower.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let failures: Vec<&str> = stderr.lines().filter(|l| l.starts_with("FAILED:") && !l.contains("within 100 ms")).collect();
    assert!(failures.is_empty(), "{}", show(&out));
    assert!(stdout.contains("checks passed"), "{}", show(&out));
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "{stderr}");
    assert!(stderr.contains("definitely lost: 0 bytes") || stderr.contains("All heap blocks were freed"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_streaming_example_lists_every_user_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("stream_users");
    compile("examples/stream_users.c", &bin, &[]);
    let emu = common::emulator(2500).await;
    let mut cmd = Command::new(&bin);
    cmd.env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", show(&out));
    let users: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&out)));
    let users = users.as_array().unwrap();
    assert_eq!(users.len(), 2500);
    let ids: std::collections::HashSet<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2500, "each user once");
    assert!(String::from_utf8_lossy(&out.stderr).contains("listed 2500 of 2500 users"), "{}", show(&out));

    let mut cmd = Command::new(&bin);
    cmd.arg("Z*").env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token());
    let out = run(cmd).await;
    let users: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = emu.world().users.iter().filter(|u| u.first_name.starts_with('Z') || u.username.starts_with('z')).count();
    assert_eq!(users.as_array().unwrap().len(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_the_streaming_example_while_a_page_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("stream_users");
    compile("examples/stream_users.c", &bin, &[]);
    let emu = common::emulator(1000).await;
    common::fault(&emu, json!({"method": "GET", "path": "/csp/gateway/am/api/v2/orgs/*/users", "latencyMs": 30000})).await;
    let mut cmd = Command::new(&bin);
    cmd.env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token()).env_remove("LD_LIBRARY_PATH");
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent = Instant::now();
    let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let took = sent.elapsed();
    assert_eq!(out.status.code(), Some(130), "{}", show(&out));
    assert!(took < Duration::from_secs(5), "stopped {took:?} after Ctrl+C, while a page hung for 30 s");
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&out)));
    assert_eq!(listed, json!([]), "no page came; the array is still closed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listed 0 of") || stderr.contains("listed 0 users"), "{stderr}");
    assert!(stderr.contains("cancelled after 0 users"), "{stderr}");
}
