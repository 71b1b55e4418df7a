//! A C user's install: scripts/install-native puts the versioned library, its SONAME links, the
//! header and a pkg-config file under a prefix; the example program then builds with exactly
//! `cc examples/list_users.c $(pkg-config --cflags --libs vcs_native)` and runs against the emulator.
#![cfg(target_os = "linux")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const SONAME: &str = concat!("libvcs_native.so.", env!("CARGO_PKG_VERSION_MAJOR"));
/// The two commands the README's C section shows.
const BUILD: &str = "cc examples/list_users.c $(pkg-config --cflags --libs vcs_native)";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The library cargo built beside this test (target/<profile>/deps), with build.rs's SONAME.
fn built_library() -> PathBuf {
    let lib = std::env::current_exe().unwrap().parent().unwrap().join("libvcs_native.so");
    assert!(lib.exists(), "{} not built", lib.display());
    lib
}

fn show(o: &Output) -> String {
    format!("status {:?}\nstdout:\n{}\nstderr:\n{}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn install(prefix: &str, destdir: Option<&Path>) -> Output {
    let mut cmd = Command::new(root().join("scripts/install-native"));
    cmd.args(["--prefix", prefix, "--lib"]).arg(built_library()).env_remove("DESTDIR");
    if let Some(d) = destdir {
        cmd.env("DESTDIR", d);
    }
    cmd.output().expect("scripts/install-native runs")
}

fn dynamic_section(file: &Path) -> String {
    let o = Command::new("readelf").arg("-d").arg(file).output().expect("readelf (binutils) is installed");
    assert!(o.status.success(), "{}", show(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkg_config_builds_the_example_against_an_installed_library() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("prefix");
    let o = install(prefix.to_str().unwrap(), None);
    assert!(o.status.success(), "{}", show(&o));

    let lib = prefix.join("lib");
    let real = lib.join(format!("libvcs_native.so.{VERSION}"));
    assert!(real.is_file() && !real.is_symlink());
    assert_eq!(std::fs::read_link(lib.join(SONAME)).unwrap(), PathBuf::from(format!("libvcs_native.so.{VERSION}")));
    assert_eq!(std::fs::read_link(lib.join("libvcs_native.so")).unwrap(), PathBuf::from(SONAME));
    assert!(dynamic_section(&real).contains(&format!("Library soname: [{SONAME}]")));
    assert_eq!(std::fs::read(prefix.join("include/vcs_native.h")).unwrap(), std::fs::read(root().join("include/vcs_native.h")).unwrap());
    let pc = std::fs::read_to_string(lib.join("pkgconfig/vcs_native.pc")).unwrap();
    assert!(pc.contains(&format!("prefix={}\n", prefix.display())) && pc.contains(&format!("Version: {VERSION}\n")), "{pc}");

    // Exactly the README's command, in a folder holding the example as the checkout does.
    let work = tmp.path().join("work");
    std::fs::create_dir_all(work.join("examples")).unwrap();
    std::fs::copy(root().join("examples/list_users.c"), work.join("examples/list_users.c")).unwrap();
    let o =
        Command::new("sh").args(["-c", BUILD]).current_dir(&work).env("PKG_CONFIG_PATH", lib.join("pkgconfig")).output().expect("sh runs");
    assert!(o.status.success(), "{BUILD}\n{}", show(&o));
    let program = work.join("a.out");
    assert!(dynamic_section(&program).contains(&format!("Shared library: [{SONAME}]")), "the program names the SONAME");

    let emu = common::emulator(40).await;
    let mut cmd = Command::new(&program);
    cmd.arg("A*").env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token()).env("LD_LIBRARY_PATH", &lib);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    assert!(out.status.success(), "{}", show(&out));
    let users: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = emu.world().users.iter().filter(|u| u.first_name.starts_with('A') || u.username.starts_with('a')).count();
    assert!(expected > 0);
    assert_eq!(users.as_array().unwrap().len(), expected);
}

#[test]
fn destdir_stages_the_install_for_the_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let o = install("/opt/vcs", Some(tmp.path()));
    assert!(o.status.success(), "{}", show(&o));
    let staged = tmp.path().join("opt/vcs");
    assert!(staged.join(format!("lib/libvcs_native.so.{VERSION}")).is_file());
    assert!(staged.join("include/vcs_native.h").is_file());
    let pc = std::fs::read_to_string(staged.join("lib/pkgconfig/vcs_native.pc")).unwrap();
    assert!(pc.starts_with("prefix=/opt/vcs\n"), "the .pc names the final prefix, not the staging folder: {pc}");

    let o = install("relative/dir", None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--prefix must be an absolute path"), "{}", show(&o));
}
