//! Runs the Pester tests (tests/powershell/*.Tests.ps1) against the emulator wherever pwsh and
//! Pester exist; elsewhere prints one "skipped" line and passes.

mod common;

use std::path::Path;
use std::process::Command;

fn pwsh_with_pester() -> Result<(), &'static str> {
    let ok = |args: &[&str]| Command::new("pwsh").args(args).output().is_ok_and(|o| o.status.success());
    if !ok(&["-NoProfile", "-NonInteractive", "-Command", "exit 0"]) {
        return Err("skipped: pwsh not found");
    }
    if !ok(&[
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        "if (Get-Module -ListAvailable Pester | Where-Object Version -ge 5.0) { exit 0 } else { exit 1 }",
    ]) {
        return Err("skipped: Pester 5 not installed for pwsh (Install-Module Pester)");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pester_tests_pass() {
    if let Err(why) = pwsh_with_pester() {
        println!("{why}");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A staged copy of the module: the scripts plus the freshly built library in its platform folder.
    let module = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root.join("powershell")).unwrap().flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), module.path().join(e.file_name())).unwrap();
        }
    }
    let (rid, lib) = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => ("linux-x64", "libvcs_native.so"),
        ("linux", "aarch64") => ("linux-arm64", "libvcs_native.so"),
        ("macos", "x86_64") => ("osx-x64", "libvcs_native.dylib"),
        ("macos", "aarch64") => ("osx-arm64", "libvcs_native.dylib"),
        ("windows", _) => ("win-x64", "vcs_native.dll"),
        other => panic!("no module folder for {other:?}"),
    };
    std::fs::create_dir_all(module.path().join(rid)).unwrap();
    let built = std::env::current_exe().unwrap().parent().unwrap().join(lib);
    std::fs::copy(&built, module.path().join(rid).join(lib)).unwrap();

    let emu = common::emulator(40).await;
    let mut cmd = Command::new("pwsh");
    cmd.args(["-NoProfile", "-NonInteractive", "-Command"])
        .arg(format!(
            "$r = Invoke-Pester -Path '{}' -PassThru -Output Detailed; exit $r.FailedCount",
            root.join("tests/powershell").display()
        ))
        .env("VCS_TEST_URL", &emu.url)
        .env("VCS_TEST_API_TOKEN", emu.api_token())
        .env("VCS_TEST_MODULE", module.path().join("VcsNative.psd1"))
        .env("VCS_TEST_VCD_ORG", emu.connection_info()["vcdOrg"].as_str().unwrap())
        .env("VCS_TEST_VCD_USER", emu.connection_info()["vcdUser"].as_str().unwrap())
        .env("VCS_TEST_VCD_PASSWORD", emu.connection_info()["vcdPassword"].as_str().unwrap())
        .env_remove("LD_LIBRARY_PATH");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}
