//! The `vcs` binary as a user runs it: the tour, and commands against an emulator, checking
//! output and exit codes.

use serde_json::Value;
use std::process::{Command, Output};

fn vcs(emu: &vcs_emulator::Emulator, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vcs"));
    c.args(args).env("VCS_SERVER", &emu.url).env("VCS_API_TOKEN", emu.api_token()).env_remove("VCS_APP_ID");
    c
}

async fn run(mut c: Command) -> Output {
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn the_tour_walks_every_step_and_exits_zero() {
    let o = Command::new(env!("CARGO_BIN_EXE_vcs")).arg("tour").output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("Tour complete: all 10 steps did what they said."), "{out}");
    assert_eq!(out.matches("      ok ").count(), 10, "{out}");
    assert!(!out.contains("FAILED"));
    for cmdlet in ["Connect-Vcs", "Get-VcsOrganizationRole", "Get-VcsServiceRole", "New-VcsUserInvitation", "Get-VcsUserInvitation", "Remove-VcsUser", "Remove-VcsUserInvitation"] {
        assert!(out.contains(cmdlet), "{cmdlet} not shown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_as_json_when_piped_and_filters_by_pattern() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(80)).await.unwrap();
    let o = run(vcs(&emu, &["user", "list", "--name", "B*"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let users = stdout_json(&o);
    let expected = emu.world().users.iter().filter(|u| u.first_name.starts_with('B') || u.username.starts_with('b')).count();
    assert_eq!(users.as_array().unwrap().len(), expected);

    let o = run(vcs(&emu, &["role", "list", "--json"])).await;
    assert!(stdout_json(&o).as_array().unwrap().iter().any(|r| r["name"] == "org_owner"));
    let o = run(vcs(&emu, &["service-role", "list", "--service", "VMware Cloud on AWS"])).await;
    assert_eq!(stdout_json(&o).as_array().unwrap().len(), 3);
    let o = run(vcs(&emu, &["connection", "info"])).await;
    assert_eq!(stdout_json(&o)["orgId"], emu.org_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_the_error_category() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(10)).await.unwrap();
    let mut c = vcs(&emu, &["user", "list"]);
    c.env("VCS_API_TOKEN", "wrong-token-value");
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(2), "authentication");
    let err: Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(err["category"], "authentication");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("wrong-token-value"));

    let o = run(vcs(&emu, &["user", "list", "--name", "[oops"])).await;
    assert_eq!(o.status.code(), Some(1), "invalid argument");

    let o = run(vcs(&emu, &["user", "frobnicate"])).await;
    assert_eq!(o.status.code(), Some(1), "usage error");

    let o = run(vcs(&emu, &["invitation", "new", "ok@cli.example", "not-an-email", "--org-role", "org_member"])).await;
    assert_eq!(o.status.code(), Some(13), "partial failure");
    let report = stdout_json(&o);
    assert_eq!(report["succeeded"], 1);
    assert_eq!(report["items"][1]["error"]["field"], "emails[1]");

    let o = run(vcs(&emu, &["invitation", "new", "x@cli.example", "--org-role", "org_member", "--service-role", "nonsense"])).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--service-role[0]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_change_nothing() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(30)).await.unwrap();
    let victim = emu.world().users[4].username.clone();
    let o = run(vcs(&emu, &["user", "remove", &victim, "--dry-run"])).await;
    assert!(o.status.success());
    let plan = stdout_json(&o);
    assert_eq!(plan["dryRun"], true);
    assert_eq!(plan["items"][0]["wouldRemove"].as_array().unwrap().len(), 1);
    assert_eq!(emu.world().users.len(), 30);
    let before = emu.world().invitations.len();
    let o = run(vcs(&emu, &["invitation", "new", "dry@cli.example", "--org-role", "org_member", "--dry-run"])).await;
    assert!(o.status.success());
    assert_eq!(emu.world().invitations.len(), before);

    let o = run(vcs(&emu, &["user", "remove", &victim])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(emu.world().users.len(), 29);
}
