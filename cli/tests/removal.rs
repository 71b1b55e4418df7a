//! `vcs user remove` and `vcs vcd user remove` as a shell user meets them: who is affected before
//! and after, the question on a terminal, --yes without one, dry runs, exit codes; and the help
//! and tables around them. Terminal cases run the binary under `script` (a pseudo-terminal).

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn vcs(emu: &vcs_emulator::Emulator, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vcs"));
    c.args(args).env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token()).env_remove("VCS_APP_ID");
    c
}

fn vcd(emu: &vcs_emulator::Emulator, args: &[&str]) -> Command {
    let i = emu.connection_info();
    let mut c = Command::new(env!("CARGO_BIN_EXE_vcs"));
    c.arg("vcd")
        .args(args)
        .env("VCD_SERVER", i["vcdUrl"].as_str().unwrap())
        .env("VCD_ORG", i["vcdOrg"].as_str().unwrap())
        .env("VCD_USER", i["vcdUser"].as_str().unwrap())
        .env("VCD_PASSWORD", i["vcdPassword"].as_str().unwrap())
        .env_remove("VCD_API_TOKEN");
    c
}

async fn run(mut c: Command) -> Output {
    c.stdin(Stdio::null());
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs `c` on a pseudo-terminal `columns` wide, typing `input`; `None` where `script` is missing.
async fn on_terminal(c: Command, columns: usize, input: &str) -> Option<(i32, String)> {
    if Command::new("script").arg("--version").output().map_or(true, |o| !o.status.success()) {
        println!("skipped: no `script` to give the command a terminal");
        return None;
    }
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = std::iter::once(c.get_program()).chain(c.get_args()).map(|a| quote(&a.to_string_lossy())).collect::<Vec<_>>().join(" ");
    let mut script = Command::new("script");
    script.args(["-qec", &line, "/dev/null"]).env("COLUMNS", columns.to_string());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => script.env(k, v),
            None => script.env_remove(k),
        };
    }
    let input = input.to_string();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = script.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // Typed after the question is up: the pseudo-terminal drops what comes before it reads.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    Some((out.status.code().unwrap_or(-1), as_shown(&String::from_utf8_lossy(&out.stdout))))
}

/// What a terminal would show of `raw`: each line from its last carriage return on (a progress bar
/// redrawn in place leaves only its last state), without escape sequences.
fn as_shown(raw: &str) -> String {
    let mut shown = Vec::new();
    for line in raw.split('\n') {
        let line = line.trim_end_matches('\r');
        let last = line.rsplit('\r').next().unwrap_or("");
        let mut text = String::new();
        let mut chars = last.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    while let Some(k) = chars.next() {
                        if k.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                continue;
            }
            text.push(c);
        }
        shown.push(text);
    }
    shown.join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_a_removal_needs_yes_and_says_so() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(30)).await.unwrap();
    let victim = emu.world().users[3].username.clone();
    let o = run(vcs(&emu, &["user", "remove", &victim])).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("--yes"), "{}", err(&o));
    assert_eq!(emu.world().users.len(), 30);
    assert_eq!(emu.stats()["requests"].as_object().unwrap().len(), 0, "refused before connecting");

    let o = run(vcd(&emu, &["user", "remove", "*"])).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("--yes"));
    let vcd_users = emu.world().vcd.users.len();

    let o = run(vcs(&emu, &["user", "remove", &victim, "--yes"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let report = json(&o);
    assert_eq!(report["items"][0]["outcome"], "removed");
    assert_eq!(report["items"][0]["target"]["username"], victim.as_str());
    assert_eq!(emu.world().users.len(), 29);
    assert_eq!(emu.world().vcd.users.len(), vcd_users);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_print_the_real_runs_json_and_exit_13_when_an_item_would_fail() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(40)).await.unwrap();
    let bs: Vec<String> = emu.world().users.iter().filter(|u| u.username.starts_with('b')).map(|u| u.username.clone()).collect();
    assert!(!bs.is_empty());
    let o = run(vcs(&emu, &["user", "remove", "b*", "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let dry = json(&o);
    assert_eq!(dry["succeeded"].as_u64(), Some(bs.len() as u64));
    let named: Vec<&str> = dry["items"].as_array().unwrap().iter().map(|i| i["target"]["username"].as_str().unwrap()).collect();
    assert_eq!(named, bs);

    let o = run(vcs(&emu, &["user", "remove", "b*", "nobody@nowhere.example", "ada.andersen@example.com", "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(13), "an item that would fail: {}", err(&o));
    let dry = json(&o);
    let outcomes: Vec<&str> = dry["items"].as_array().unwrap().iter().map(|i| i["outcome"].as_str().unwrap()).collect();
    assert_eq!(&outcomes[bs.len()..], ["failed", "refused"]);
    assert_eq!(emu.world().users.len(), 40, "a dry run removes nobody");

    let o = run(vcs(&emu, &["user", "remove", "b*", "nobody@nowhere.example", "ada.andersen@example.com", "--yes"])).await;
    assert_eq!(o.status.code(), Some(13));
    let real = json(&o);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&real), keys(&dry), "one shape for the dry run and the real run");
    let who =
        |v: &Value| v["items"].as_array().unwrap().iter().map(|i| (i["input"].clone(), i["target"]["id"].clone())).collect::<Vec<_>>();
    assert_eq!(who(&real), who(&dry), "the real run acts on whom the dry run named");
    assert_eq!(emu.world().users.len(), 40 - bs.len());

    // Cloud Director: the logged-in administrator is refused in the dry run, as the server would.
    let me = emu.connection_info()["vcdUser"].as_str().unwrap().to_string();
    let o = run(vcd(&emu, &["user", "remove", &me, "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(13));
    assert_eq!(json(&o)["items"][0]["outcome"], "refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_the_question_names_who_and_the_dry_run_is_a_table() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(40)).await.unwrap();
    let bs: Vec<String> = emu.world().users.iter().filter(|u| u.username.starts_with('b')).map(|u| u.username.clone()).collect();
    let Some((code, out)) = on_terminal(vcs(&emu, &["user", "remove", "b*", "--dry-run"]), 80, "").await else { return };
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "Dry run: would remove {}",
            if bs.len() == 1 { "1 user;".to_string() } else { format!("{} users;", bs.len()) }
        )),
        "{out}"
    );
    assert!(out.contains("wouldRemove") && out.contains(&bs[0][..10]), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 80), "fits 80 columns:\n{out}");

    let Some((code, out)) = on_terminal(vcs(&emu, &["user", "remove", "b*"]), 120, "n\n").await else { return };
    assert_eq!(code, 0, "{out}");
    let count = if bs.len() == 1 { "1 user".to_string() } else { format!("{} users", bs.len()) };
    assert!(out.contains(&format!("Remove {count} from Acme Cloud Operations")), "{out}");
    assert!(out.contains(&bs[0]), "the question names them: {out}");
    assert!(out.contains("Nothing was removed."), "{out}");
    assert_eq!(emu.world().users.len(), 40);

    let Some((code, out)) = on_terminal(vcs(&emu, &["user", "remove", "b*"]), 120, "y\n").await else { return };
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("removed") && out.contains(&bs[0]), "the report names them: {out}");
    assert_eq!(emu.world().users.len(), 40 - bs.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_fit_the_terminal_unless_wide() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(30)).await.unwrap();
    let Some((code, out)) = on_terminal(vcs(&emu, &["user", "list"]), 72, "").await else { return };
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 72), "{out}");
    assert!(out.contains('…'), "the widest column is cut with an ellipsis: {out}");
    let Some((_, wide)) = on_terminal(vcs(&emu, &["user", "list", "--wide"]), 72, "").await else { return };
    let id = &emu.world().users[0].user_id;
    assert!(wide.contains(id.as_str()) && !wide.contains('…'), "{wide}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_director_set_and_remove_take_the_same_selectors_as_list() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(3)).await.unwrap();
    let someone = emu.world().vcd.users.iter().rev().find(|u| u.username.contains('.')).unwrap().clone();
    let o = run(vcd(&emu, &["user", "set", &someone.username, "--description", "set by username"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(json(&o)["id"], someone.id.as_str());
    let o = run(vcd(&emu, &["user", "set", "*", "--description", "everyone"])).await;
    assert_eq!(o.status.code(), Some(1), "a pattern naming several users changes nobody");
    assert!(err(&o).contains("matches"), "{}", err(&o));

    let listed = json(&run(vcd(&emu, &["user", "list", "--name", &someone.email])).await);
    let o = run(vcd(&emu, &["user", "remove", &someone.email, &someone.username, "--yes"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let report = json(&o);
    assert_eq!(report["items"].as_array().unwrap().len(), 2, "two inputs, two items");
    assert_eq!(report["items"][0]["target"]["id"], listed[0]["id"]);
    assert_eq!(report["items"][1]["outcome"], "duplicate");

    let o = run(vcd(&emu, &["user", "new", "a*", "--role", "vApp User", "--password", "pattern-pass"])).await;
    assert_eq!(o.status.code(), Some(13));
    assert_eq!(json(&o)["items"][0]["error"]["field"], "users[0].username");
}

#[test]
fn help_describes_every_option_and_keeps_providers_apart() {
    let help = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_vcs")).args(args).arg("--help").output().unwrap();
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    let top = help(&[]);
    assert!(top.contains("Exit codes:") && top.contains("13  some items"), "{top}");
    let commands: [&[&str]; 14] = [
        &["user", "list"],
        &["user", "remove"],
        &["invitation", "list"],
        &["invitation", "new"],
        &["invitation", "remove"],
        &["role", "list"],
        &["service", "list"],
        &["service-role", "list"],
        &["connection", "info"],
        &["vcd", "user", "list"],
        &["vcd", "user", "new"],
        &["vcd", "user", "set"],
        &["vcd", "user", "remove"],
        &["vcd", "role", "list"],
    ];
    for args in commands {
        let text = help(args);
        let lines: Vec<&str> = text.lines().collect();
        let arguments = text.split("Arguments:").nth(1).map(|a| a.split("\n\n").next().unwrap_or_default()).unwrap_or_default();
        for arg in arguments.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                arg.trim().split("  ").filter(|s| !s.trim().is_empty()).count() > 1,
                "vcs {} --help: `{}` has no description",
                args.join(" "),
                arg.trim()
            );
        }
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            if !(t.starts_with("--") || (t.starts_with('-') && t.chars().nth(1).is_some_and(char::is_alphanumeric))) {
                continue;
            }
            // Either "  --flag  Description" or the description on the next, deeper line.
            let same_line = t.split("  ").filter(|s| !s.trim().is_empty()).count() > 1;
            let next_line = lines.get(i + 1).is_some_and(|n| {
                let indent = n.len() - n.trim_start().len();
                indent > line.len() - t.len() && !n.trim().is_empty() && !n.trim_start().starts_with('-')
            });
            assert!(same_line || next_line, "vcs {} --help: `{}` has no description", args.join(" "), t);
        }
        if args[0] == "vcd" {
            for csp in ["--server", "--api-token", "--app-id", "--org-id"] {
                assert!(!text.contains(csp), "vcs {} --help shows the CSP option {csp}", args.join(" "));
            }
        } else {
            assert!(!text.contains("--vcd-server"), "vcs {} --help shows Cloud Director options", args.join(" "));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dry_run_prints_the_report_shape_and_exits_13_when_an_item_would_fail() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(10)).await.unwrap();
    let before = emu.world().invitations.len();
    let o = run(vcs(&emu, &["invitation", "new", "ok@dry.example", "not-an-email", "--org-role", "org_member", "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(13), "{}", err(&o));
    let r = json(&o);
    assert_eq!((r["succeeded"].as_u64(), r["failed"].as_u64()), (Some(1), Some(1)));
    assert_eq!(r["items"][0]["outcome"], "wouldInvite");
    assert_eq!(r["items"][1]["error"]["field"], "emails[1]");
    assert_eq!(emu.world().invitations.len(), before);

    let pending = emu.world().invitations.iter().find(|i| i.status == vcs_emulator::world::InvitationStatus::Available).unwrap().clone();
    let o = run(vcs(&emu, &["invitation", "remove", &pending.id, "no-such-invitation", "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(13), "{}", err(&o));
    let r = json(&o);
    assert_eq!(r["items"][0]["outcome"], "wouldRevoke");
    assert_eq!(r["items"][0]["target"]["email"], pending.username.as_str());
    assert_eq!(r["items"][1]["error"]["category"], "notFound");
    let o = run(vcs(&emu, &["invitation", "remove", &pending.id, "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(0));

    let o = run(vcd(&emu, &["user", "new", "dry.user", "--role", "vApp User", "--password", "dry-pass-1", "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let r = json(&o);
    assert_eq!(r["items"][0]["outcome"], "wouldCreate");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("dry-pass-1"), "no password in the report");
    assert!(!emu.world().vcd.users.iter().any(|u| u.username == "dry.user"));
}
