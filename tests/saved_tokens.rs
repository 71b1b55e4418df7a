//! Saved API tokens through the C ABI: save, list, load, forget; the module's file format; a
//! corrupt file named and left alone; symbolic links refused; and saves from many processes at
//! once all kept (this test binary runs itself as the saving processes).
#![cfg(unix)]

use serde_json::{json, Value};
use std::ffi::{c_char, CStr, CString};
use std::ptr::null_mut;
use vcs_native::ffi::*;

fn call(f: impl FnOnce(*mut *mut c_char) -> VcsStatus) -> (VcsStatus, Value) {
    let mut out: *mut c_char = null_mut();
    let status = f(&mut out);
    assert!(!out.is_null());
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    unsafe { vcs_string_free(out) };
    assert_ne!(status, VcsStatus::VCS_PANIC, "{text}");
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

type StoreFn = unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> VcsStatus;

fn store(f: StoreFn, request: Value) -> (VcsStatus, Value) {
    let r = CString::new(request.to_string()).unwrap();
    call(|o| unsafe { f(r.as_ptr(), o) })
}

#[test]
fn save_list_load_forget() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vcs-native").join("credentials.json");
    let f = file.to_str().unwrap();
    let token = "abcdefghijklmnopqrstuvwxyz-0123456789";
    let (s, v) = store(vcs_saved_token_save, json!({"server": "127.0.0.1:9", "apiToken": token, "file": f}));
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    assert_eq!(v["apiTokenPreview"], "****6789");
    assert_eq!(v["backend"], "file");
    assert!(!v.to_string().contains(token));
    // An absent server is the default one, as Connect-Vcs saves it.
    let (s, _) = store(vcs_saved_token_save, json!({"apiToken": "default-server-token-1234", "file": f}));
    assert_eq!(s, VcsStatus::VCS_OK);
    // The file is the module's: one object, server to token, mode 0600.
    let on_disk: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(on_disk, json!({"127.0.0.1:9": token, "console.cloud.vmware.com": "default-server-token-1234"}));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    let (s, v) = store(vcs_saved_tokens_list, json!({"file": f}));
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    assert_eq!(
        v["tokens"],
        json!([{"server": "127.0.0.1:9", "apiTokenPreview": "****6789"}, {"server": "console.cloud.vmware.com", "apiTokenPreview": "****1234"}])
    );
    assert_eq!(v["location"], f);
    assert!(!v.to_string().contains(token));

    let (s, v) = store(vcs_saved_token_load, json!({"server": "HTTPS://127.0.0.1:9/", "file": f}));
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    assert_eq!(v["apiToken"], token);
    let (s, v) = store(vcs_saved_token_load, json!({"server": "other.example", "file": f}));
    assert_eq!(s, VcsStatus::VCS_NOT_FOUND, "{v}");
    assert!(v["message"].as_str().unwrap().contains(f), "{v}");

    let (s, v) = store(vcs_saved_token_forget, json!({"server": "127.0.0.1:9", "file": f}));
    assert_eq!((s, &v["forgotten"]), (VcsStatus::VCS_OK, &json!(true)), "{v}");
    let (s, _) = store(vcs_saved_token_forget, json!({"server": "127.0.0.1:9", "file": f}));
    assert_eq!(s, VcsStatus::VCS_NOT_FOUND);

    for (func, req, field) in [
        (vcs_saved_token_save as StoreFn, json!({"server": "  ", "apiToken": "t", "file": f}), "server"),
        (vcs_saved_token_save, json!({"server": "a.example", "file": f}), "apiToken"),
        (vcs_saved_token_save, json!({"server": "a.example", "apiToken": "", "file": f}), "apiToken"),
        (vcs_saved_token_load, json!({"server": "a.example", "file": " "}), "file"),
        (vcs_saved_token_load, json!({"server": "a.example", "fiel": f}), "request_json"),
    ] {
        let (s, v) = store(func, req);
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
        assert!(v["message"].as_str().unwrap().contains(field), "{field}: {v}");
    }
}

#[test]
fn a_corrupt_file_or_a_link_is_reported_with_its_path_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials.json");
    let f = file.to_str().unwrap();
    std::fs::write(&file, b"{\"a.example\": ").unwrap();
    for (func, req) in [
        (vcs_saved_token_load as StoreFn, json!({"server": "a.example", "file": f})),
        (vcs_saved_token_save, json!({"server": "b.example", "apiToken": "t", "file": f})),
        (vcs_saved_tokens_list, json!({"file": f})),
        (vcs_saved_token_forget, json!({"server": "a.example", "file": f})),
    ] {
        let (s, v) = store(func, req);
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
        assert!(v["message"].as_str().unwrap().contains(f), "{v}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"{\"a.example\": ");

    let link = dir.path().join("link.json");
    let target = dir.path().join("target.json");
    std::fs::write(&target, b"{}").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let (s, v) = store(vcs_saved_token_save, json!({"server": "a.example", "apiToken": "secret-value", "file": link.to_str().unwrap()}));
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("symbolic link"), "{v}");
    assert_eq!(std::fs::read(&target).unwrap(), b"{}");
}

#[test]
fn null_and_malformed_input_is_refused_not_crashed() {
    let funcs: [(&str, StoreFn); 4] = [
        ("save", vcs_saved_token_save),
        ("list", vcs_saved_tokens_list),
        ("load", vcs_saved_token_load),
        ("forget", vcs_saved_token_forget),
    ];
    let bad_utf8 = [0xffu8, 0xfe, 0];
    let not_json = CString::new("{server").unwrap();
    for (name, f) in funcs {
        assert_eq!(unsafe { f(not_json.as_ptr(), std::ptr::null_mut()) }, VcsStatus::VCS_INVALID_ARGUMENT, "{name}: NULL out_json");
        let (s, v) = call(|o| unsafe { f(bad_utf8.as_ptr() as *const c_char, o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{name}: {v}");
        assert!(v["message"].as_str().unwrap().contains("UTF-8"), "{name}: {v}");
        let (s, v) = call(|o| unsafe { f(not_json.as_ptr(), o) });
        assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{name}: {v}");
        assert_eq!(v["field"], "request_json", "{name}: {v}");
    }
    // Save needs a request; a NULL one is refused (the others read the default store).
    let (s, v) = call(|o| unsafe { vcs_saved_token_save(std::ptr::null(), o) });
    assert_eq!(s, VcsStatus::VCS_INVALID_ARGUMENT, "{v}");
}

const CHILD_ENV: &str = "VCS_SAVED_TOKENS_CHILD";

/// Run as a child process by the test below: saves a few tokens into the file it is given.
#[test]
fn child_saver() {
    let Ok(spec) = std::env::var(CHILD_ENV) else { return };
    let (file, first, count) = {
        let mut p = spec.split('|');
        (p.next().unwrap().to_string(), p.next().unwrap().parse::<usize>().unwrap(), p.next().unwrap().parse::<usize>().unwrap())
    };
    for i in first..first + count {
        let (s, v) = store(
            vcs_saved_token_save,
            json!({"server": format!("host{i}.example"), "apiToken": format!("token-{i:04}-abcdefghijkl"), "file": file}),
        );
        assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    }
}

#[test]
fn saves_from_many_processes_and_threads_at_once_are_all_kept() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vcs-native").join("credentials.json");
    let f = file.to_str().unwrap().to_string();
    let exe = std::env::current_exe().unwrap();
    const PROCESSES: usize = 40;
    const EACH: usize = 3;
    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            std::process::Command::new(&exe)
                .args(["--exact", "child_saver", "--nocapture", "--test-threads", "1"])
                .env(CHILD_ENV, format!("{f}|{}|{EACH}", p * EACH))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // Threads of this process save at the same time.
    let threads: Vec<_> = (0..60)
        .map(|t| {
            let f = f.clone();
            std::thread::spawn(move || {
                let i = 1000 + t;
                let (s, v) = store(
                    vcs_saved_token_save,
                    json!({"server": format!("host{i}.example"), "apiToken": format!("token-{i:04}-abcdefghijkl"), "file": f}),
                );
                assert_eq!(s, VcsStatus::VCS_OK, "{v}");
            })
        })
        .collect();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    for t in threads {
        t.join().unwrap();
    }
    let (s, v) = store(vcs_saved_tokens_list, json!({"file": f}));
    assert_eq!(s, VcsStatus::VCS_OK, "{v}");
    let servers: std::collections::HashSet<String> =
        v["tokens"].as_array().unwrap().iter().map(|t| t["server"].as_str().unwrap().to_string()).collect();
    let expected: std::collections::HashSet<String> = (0..PROCESSES * EACH).chain(1000..1060).map(|i| format!("host{i}.example")).collect();
    assert_eq!(servers.len(), PROCESSES * EACH + 60);
    assert_eq!(servers, expected);
    let (s, v) = store(vcs_saved_token_load, json!({"server": "host7.example", "file": f}));
    assert_eq!((s, v["apiToken"].as_str()), (VcsStatus::VCS_OK, Some("token-0007-abcdefghijkl")));
}
