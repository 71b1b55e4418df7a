//! C hosts: tests/c/scenario.c and examples/list_users.c are compiled with gcc against the
//! committed header and the freshly built library, then run against the emulator: plainly,
//! with AddressSanitizer, and under valgrind.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

fn compile(source: &str, out: &Path, extra: &[&str]) {
    let lib = common::native_lib_dir();
    let mut cmd = Command::new("gcc");
    cmd.args(["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-g"])
        .args(extra)
        .arg(format!("-I{}", root().join("include").display()))
        .arg(root().join(source))
        .arg(format!("-L{}", lib.display()))
        .arg("-lvcs_native")
        .arg("-lpthread")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .arg("-o")
        .arg(out);
    let o = cmd.output().expect("gcc runs");
    assert!(o.status.success(), "gcc {source} failed:\n{}", String::from_utf8_lossy(&o.stderr));
}

/// Runs a host without the LD_LIBRARY_PATH cargo sets for tests: the host must find the library
/// through its rpath, as a user's program does.
async fn run(cmd: Command) -> Output {
    let mut cmd = cmd;
    cmd.env_remove("LD_LIBRARY_PATH").env_remove("DYLD_LIBRARY_PATH");
    tokio::task::spawn_blocking(move || cmd.output().expect("the host runs")).await.unwrap()
}

fn show(o: &Output) -> String {
    format!("status {:?}\nstdout:\n{}\nstderr:\n{}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

async fn scenario_with(prefix: &[&str], binary: &Path, env: &[(&str, &str)]) -> Output {
    let emu = common::emulator(30).await;
    let mut cmd = Command::new(prefix.first().map_or(binary.as_os_str(), |p| std::ffi::OsStr::new(p)));
    if !prefix.is_empty() {
        cmd.args(&prefix[1..]).arg(binary);
    }
    cmd.arg(&emu.url).arg(emu.api_token());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = run(cmd).await;
    drop(emu);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_scenario_passes() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("scenario");
    compile("tests/c/scenario.c", &bin, &[]);
    let out = scenario_with(&[], &bin, &[]).await;
    assert!(out.status.success(), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("checks passed, 0 failed"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_scenario_is_clean_under_address_sanitizer() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("scenario-asan");
    compile("tests/c/scenario.c", &bin, &["-fsanitize=address", "-fno-omit-frame-pointer"]);
    let out = scenario_with(&[], &bin, &[("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")]).await;
    assert!(out.status.success(), "{}", show(&out));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("AddressSanitizer"), "{}", show(&out));
}

// tests/run.sh runs it where valgrind is installed (.ci/run installs it); run by hand with
// `cargo nextest run --run-ignored all`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs valgrind"]
async fn c_scenario_is_clean_under_valgrind() {
    assert!(have("valgrind"), "valgrind not found: install it (apt-get install valgrind) or leave this test ignored");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("scenario");
    compile("tests/c/scenario.c", &bin, &[]);
    let out = scenario_with(
        &[
            "valgrind",
            "--error-exitcode=86",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            "--track-origins=no",
        ],
        &bin,
        &[],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", show(&out));
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "{stderr}");
    assert!(stderr.contains("definitely lost: 0 bytes") || stderr.contains("All heap blocks were freed"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_program_lists_users() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("list_users");
    compile("examples/list_users.c", &bin, &[]);
    let emu = common::emulator(40).await;
    let mut cmd = Command::new(&bin);
    cmd.arg("Z*").env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", show(&out));
    let users: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = emu.world().users.iter().filter(|u| u.first_name.starts_with('Z') || u.username.starts_with('z')).count();
    assert_eq!(users.as_array().unwrap().len(), expected);

    let mut cmd = Command::new(&bin);
    cmd.env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", "bad");
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("status 2"), "{}", show(&out));
}

async fn vcd_scenario(extra: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("vcd_scenario");
    compile("tests/c/vcd_scenario.c", &bin, extra);
    let emu = common::emulator(5).await;
    let i = emu.connection_info();
    let mut cmd = Command::new(&bin);
    for k in ["vcdUrl", "vcdOrg", "vcdUser", "vcdPassword"] {
        cmd.arg(i[k].as_str().unwrap());
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(cmd).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_cloud_director_scenario_passes_plainly_and_under_address_sanitizer() {
    let out = vcd_scenario(&[], &[]).await;
    assert!(out.status.success(), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("checks passed, 0 failed"));
    let out = vcd_scenario(&["-fsanitize=address", "-fno-omit-frame-pointer"], &[("ASAN_OPTIONS", "detect_leaks=1:exitcode=86")]).await;
    assert!(out.status.success(), "{}", show(&out));
}
