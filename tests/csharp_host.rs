//! The C# host: powershell/VcsNative.cs (the interop the PowerShell module loads) and
//! tests/csharp/Host.cs compiled with Mono's mcs, run with mono against the emulator, with the
//! native library beside the program and no LD_LIBRARY_PATH.

mod common;

use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success())
}

// These tests need Mono: tests/run.sh runs them where mono and mcs are installed (.ci/run installs
// mono-mcs and mono-runtime), and they are reported as skipped elsewhere; run by hand with
// `cargo nextest run --run-ignored all`.

/// The host compiled into a fresh directory beside the native library.
fn build_host() -> (tempfile::TempDir, std::path::PathBuf) {
    assert!(have("mcs") && have("mono"), "mono / mcs not found: install mono-mcs and mono-runtime, or leave this test ignored");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("host.exe");
    let out = Command::new("mcs")
        .arg(format!("-out:{}", exe.display()))
        .arg(root.join("powershell/VcsNative.cs"))
        .arg(root.join("tests/csharp/Host.cs"))
        .output()
        .unwrap();
    assert!(out.status.success(), "mcs failed:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let lib_dir = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    std::fs::copy(lib_dir.join("libvcs_native.so"), dir.path().join("libvcs_native.so")).unwrap();
    (dir, exe)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs mono and mcs"]
async fn csharp_host_scenario_passes() {
    let (dir, exe) = build_host();
    let emu = common::emulator(20).await;
    let mut cmd = Command::new("mono");
    let i = emu.connection_info();
    cmd.arg(&exe).arg(&emu.url).arg(emu.api_token());
    for k in ["vcdOrg", "vcdUser", "vcdPassword"] {
        cmd.arg(i[k].as_str().unwrap());
    }
    cmd.env_remove("LD_LIBRARY_PATH").current_dir(dir.path());
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("checks passed, 0 failed"), "{stdout}");
}

#[test]
#[ignore = "needs mono and mcs"]
fn csharp_host_given_wrong_arguments_prints_its_usage_and_exits_2() {
    let (dir, exe) = build_host();
    for args in [vec![], vec!["http://127.0.0.1:9", "token"], vec!["a", "b", "c", "d", "e", "f"]] {
        let out = Command::new("mono").arg(&exe).args(&args).current_dir(dir.path()).env_remove("LD_LIBRARY_PATH").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("usage: mono host.exe URL API_TOKEN VCD_ORG VCD_USER VCD_PASSWORD"), "{stderr}");
        assert!(!stderr.contains("Exception"), "{stderr}");
    }
}
