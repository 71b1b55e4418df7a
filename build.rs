fn main() {
    // On Linux the shared library carries its ABI version as a SONAME (libvcs_native.so.MAJOR),
    // so programs linked against an installed copy (scripts/install-native) name that version.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libvcs_native.so.{major}");
    }
}
