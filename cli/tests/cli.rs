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
    assert!(out.contains("Tour complete: all 18 steps did what they said."), "{out}");
    assert_eq!(out.matches("      ok ").count(), 18, "{out}");
    assert!(!out.contains("FAILED"));
    for cmdlet in [
        "Connect-Vcs",
        "Get-VcsOrganizationRole",
        "Get-VcsServiceRole",
        "New-VcsUserInvitation",
        "Get-VcsUserInvitation",
        "Remove-VcsUser",
        "Remove-VcsUserInvitation",
        "Set-VcsUser",
        "Sync-VcsUser",
        "Sync-VcdUser",
    ] {
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
    assert_eq!(plan["succeeded"], 1);
    assert_eq!(plan["items"][0]["outcome"], "wouldRemove");
    assert_eq!(plan["items"][0]["target"]["username"], victim.as_str());
    assert_eq!(emu.world().users.len(), 30);
    let before = emu.world().invitations.len();
    let o = run(vcs(&emu, &["invitation", "new", "dry@cli.example", "--org-role", "org_member", "--dry-run"])).await;
    assert!(o.status.success());
    assert_eq!(emu.world().invitations.len(), before);

    let o = run(vcs(&emu, &["user", "remove", &victim, "--yes"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(emu.world().users.len(), 29);
}

fn vcd_cmd(emu: &vcs_emulator::Emulator, args: &[&str]) -> Command {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_director_users_from_the_shell_and_from_csv() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(5)).await.unwrap();
    let o = run(vcd_cmd(&emu, &["role", "list", "--name", "vApp*"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout_json(&o).as_array().unwrap().len(), 2);

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("users.csv");
    std::fs::write(
        &csv,
        "Username,Password,Role,FullName,Email,ProviderType\n\
         cli.one,cli-pass-1,vApp User,Cli One,cli.one@acme.example,LOCAL\n\
         cli.two,cli-pass-2,Catalog Author;vApp Author,\"Two, Cli\",cli.two@acme.example,LOCAL\n\
         cli.bad,,vApp User,No Password,,LOCAL\n",
    )
    .unwrap();
    let o = run(vcd_cmd(&emu, &["user", "new", "--csv", csv.to_str().unwrap()])).await;
    assert_eq!(o.status.code(), Some(13), "{}", String::from_utf8_lossy(&o.stderr));
    let report = stdout_json(&o);
    assert_eq!(report["succeeded"], 2);
    assert_eq!(report["items"][1]["result"]["fullName"], "Two, Cli");
    assert_eq!(report["items"][2]["error"]["field"], "users[2].password");

    let o = run(vcd_cmd(&emu, &["user", "list", "--name", "cli.*"])).await;
    let users = stdout_json(&o);
    assert_eq!(users.as_array().unwrap().len(), 2);
    let id = users[0]["id"].as_str().unwrap().to_string();
    let o = run(vcd_cmd(&emu, &["user", "set", &id, "--full-name", "Renamed", "--enabled", "false"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout_json(&o)["fullName"], "Renamed");

    let o = run(vcd_cmd(&emu, &["user", "new", "cli.one", "--role", "vApp User", "--password", "again-pass"])).await;
    assert_eq!(o.status.code(), Some(13));
    assert_eq!(stdout_json(&o)["items"][0]["error"]["category"], "conflict");

    let o = run(vcd_cmd(&emu, &["user", "remove", "cli.*", "--dry-run"])).await;
    let plan = stdout_json(&o);
    assert_eq!(plan["items"].as_array().unwrap().len(), 2);
    assert!(plan["items"].as_array().unwrap().iter().all(|i| i["outcome"] == "wouldRemove"));
    assert_eq!(emu.world().vcd.users.iter().filter(|u| u.username.starts_with("cli.")).count(), 2);
    let o = run(vcd_cmd(&emu, &["user", "remove", "cli.*", "--yes"])).await;
    assert!(o.status.success());
    assert_eq!(emu.world().vcd.users.iter().filter(|u| u.username.starts_with("cli.")).count(), 0);

    let mut c = vcd_cmd(&emu, &["user", "list"]);
    c.env("VCD_PASSWORD", "wrong");
    assert_eq!(run(c).await.status.code(), Some(2));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Username,Shoe\nx,42\n").unwrap();
    let o = run(vcd_cmd(&emu, &["user", "new", "--csv", bad.to_str().unwrap()])).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shoe"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_list_reads_a_thousand_invitations_in_one_request() {
    let emu = vcs_emulator::start(vcs_emulator::Config { invitations: 1000, ..vcs_emulator::Config::ephemeral(3) }).await.unwrap();
    let o = run(vcs(&emu, &["invitation", "list", "--json"])).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed = stdout_json(&o);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1000);
    let world = emu.world();
    for (item, seeded) in listed.iter().zip(&world.invitations) {
        assert_eq!(item["id"], seeded.id.as_str());
        assert_eq!(item["name"], seeded.username.as_str());
    }
    let route = format!("GET /csp/gateway/am/api/orgs/{}/invitations", emu.org_id());
    let stats = emu.stats();
    let requests = stats["requests"].as_object().unwrap();
    assert_eq!(requests.get(&route).and_then(Value::as_u64), Some(1), "{stats}");
    assert!(!requests.keys().any(|k| k.starts_with(&format!("{route}/"))), "no invitation read one by one: {stats}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_local_user_without_a_password_names_the_variable_and_the_sample_csv_works() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(5)).await.unwrap();
    let mut c = vcd_cmd(&emu, &["user", "new", "no.password", "--role", "vApp User"]);
    c.env_remove("VCD_NEW_USER_PASSWORD");
    let o = run(c).await;
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--password") && stderr.contains("VCD_NEW_USER_PASSWORD"), "{stderr}");
    let mut c = vcd_cmd(&emu, &["user", "new", "with.password", "--role", "vApp User"]);
    c.env("VCD_NEW_USER_PASSWORD", "from-the-env-1");
    let o = run(c).await;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // The sample CSV the README points at: every row is created (one LDAP user, no password).
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/vcd-users.csv");
    let o = run(vcd_cmd(&emu, &["user", "new", "--csv", sample])).await;
    assert!(o.status.success(), "{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let report = stdout_json(&o);
    assert_eq!(report["succeeded"], 3, "{report}");
    assert_eq!(report["items"][1]["result"]["fullName"], "Haddad, Omar");
}
