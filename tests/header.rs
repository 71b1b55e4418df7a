//! The committed header `include/vcs_native.h` is exactly what cbindgen (pinned in Cargo.toml)
//! generates from src/ffi/, and its version defines are the crate's version.
//! `VCS_UPDATE_HEADER=1 cargo test --test header` rewrites it.

use std::path::Path;

fn generate() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml parses");
    config.after_includes = Some(format!(
        "\n#define VCS_NATIVE_VERSION_MAJOR {}\n#define VCS_NATIVE_VERSION_MINOR {}\n#define VCS_NATIVE_VERSION_PATCH {}\n#define VCS_NATIVE_VERSION \"{}\"",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION"),
    ));
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/ffi/mod.rs"))
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn committed_header_matches_a_fresh_generation() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/vcs_native.h");
    let fresh = generate();
    if std::env::var_os("VCS_UPDATE_HEADER").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == fresh, "include/vcs_native.h is stale: run `VCS_UPDATE_HEADER=1 cargo test --test header` and commit it");
}

#[test]
fn header_version_defines_are_the_crate_version() {
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/vcs_native.h")).unwrap();
    for (name, value) in [
        ("VCS_NATIVE_VERSION_MAJOR", env!("CARGO_PKG_VERSION_MAJOR")),
        ("VCS_NATIVE_VERSION_MINOR", env!("CARGO_PKG_VERSION_MINOR")),
        ("VCS_NATIVE_VERSION_PATCH", env!("CARGO_PKG_VERSION_PATCH")),
    ] {
        assert!(header.contains(&format!("#define {name} {value}\n")), "{name} is not {value}");
    }
}

#[test]
fn every_export_is_declared_and_documented() {
    let header = generate();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ffi");
    let src: String = std::fs::read_dir(dir).unwrap().flatten().map(|e| std::fs::read_to_string(e.path()).unwrap()).collect();
    let exports: Vec<&str> =
        src.lines().filter_map(|l| l.split("extern \"C\" fn ").nth(1)).map(|rest| rest.split('(').next().unwrap()).collect();
    assert!(exports.len() >= 22, "{exports:?}");
    for name in exports {
        let at = header
            .find(&format!(" {name}("))
            .or_else(|| header.find(&format!("*{name}(")))
            .unwrap_or_else(|| panic!("{name} missing from the header"));
        let before = &header[..at];
        let last_decl_end = before.rfind(';').unwrap_or(0);
        assert!(before[last_decl_end..].contains("*/"), "{name} has no doc comment in the header");
    }
}
