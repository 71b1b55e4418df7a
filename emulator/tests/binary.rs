//! The `vcs-emulator` binary: its first stdout line is the JSON a client needs, it serves at
//! once, and it refuses bad flags with a message.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

#[test]
fn first_line_is_connection_json_and_the_server_answers() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vcs-emulator"))
        .args(["--listen", "127.0.0.1:0", "--users", "40", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).expect("first line is JSON");
    for k in ["url", "orgId", "orgName", "apiToken", "appId", "appSecret"] {
        assert!(v[k].as_str().is_some_and(|s| !s.is_empty()), "{k} in {line}");
    }
    let url = v["url"].as_str().unwrap();
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET /_emulator/state HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{}", &resp[..resp.len().min(200)]);
    let body = &resp[resp.find("\r\n\r\n").unwrap() + 4..];
    let state: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(state["users"].as_array().unwrap().len(), 40);
    assert_eq!(state["orgId"], v["orgId"]);
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_vcs-emulator")).args(["--users", "many"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--users"));
    let out = Command::new(env!("CARGO_BIN_EXE_vcs-emulator")).args(["--tls-ca-out", "x.pem"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
