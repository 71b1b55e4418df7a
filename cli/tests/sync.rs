//! `vcs user set`, `vcs user list --csv`, `vcs sync` and `vcs vcd sync` through the binary,
//! against the emulator: output, exit codes, and what changed.

use serde_json::Value;
use std::process::{Command, Output};

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
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn patches(emu: &vcs_emulator::Emulator) -> u64 {
    emu.stats()["requests"].as_object().unwrap().iter().filter(|(k, _)| k.starts_with("PATCH ")).map(|(_, v)| v.as_u64().unwrap()).sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_set_changes_roles_reports_each_and_dry_run_sends_nothing() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(30)).await.unwrap();
    let w = emu.world();
    let m: Vec<_> = w.users.iter().filter(|u| u.org_roles == ["org_member"]).take(2).collect();
    let args = [
        "user",
        "set",
        &m[0].email,
        &m[1].email,
        "--add-org-role",
        "developer",
        "--add-service-role",
        "VMware Cloud on AWS=nsx:cloud_admin",
    ];

    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let o = run(vcs(&emu, &dry)).await;
    assert!(o.status.success(), "{}", err(&o));
    let r = json(&o);
    assert_eq!(r["items"][0]["outcome"], "wouldUpdate");
    assert_eq!(r["items"][0]["target"]["email"], m[0].email.as_str());
    assert_eq!(patches(&emu), 0);

    let o = run(vcs(&emu, &args)).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(json(&o)["succeeded"], 2);
    assert_eq!(patches(&emu), 2);
    let now = emu.world();
    for u in &m {
        let u = now.users.iter().find(|x| x.user_id == u.user_id).unwrap();
        assert_eq!(u.org_roles, ["org_member", "developer"]);
        assert!(u.service_roles.iter().any(|g| g.roles.contains(&"nsx:cloud_admin".to_string())));
    }

    // Again, plus someone unknown: the two are unchanged, the unknown one fails: exit 13.
    let mut more = args.to_vec();
    more.insert(4, "nobody@example.com");
    let o = run(vcs(&emu, &more)).await;
    assert_eq!(o.status.code(), Some(13), "{}", err(&o));
    let r = json(&o);
    assert_eq!(r["items"][0]["outcome"], "unchanged");
    assert_eq!(r["items"][2]["outcome"], "failed");
    assert_eq!(patches(&emu), 2);

    let o = run(vcs(&emu, &["user", "set", &m[0].email, "--remove-service-role", "no-equals-sign"])).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("--remove-service-role[0]"), "{}", err(&o));
    let o = run(vcs(&emu, &["user", "set", &m[0].email, "--add-org-role", "org_king"])).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("org_king"), "{}", err(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_sync_plans_nothing_and_a_sync_applies_row_by_row() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(40)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.csv");
    let o = run(vcs(&emu, &["user", "list", "--csv"])).await;
    assert!(o.status.success(), "{}", err(&o));
    let exported = String::from_utf8(o.stdout).unwrap();
    assert!(exported.starts_with("Email,OrganizationRoles,ServiceRoles\n"));
    std::fs::write(&file, &exported).unwrap();
    let f = file.to_str().unwrap();

    let o = run(vcs(&emu, &["sync", f, "--dry-run"])).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(json(&o)["summary"]["changes"], 0);

    // Edit the file: one member gets developer, one new address.
    let w = emu.world();
    let m = w.users.iter().find(|u| u.org_roles == ["org_member"]).unwrap();
    let edited: String = exported
        .lines()
        .map(|l| if l.starts_with(&format!("{},", m.email)) { l.replacen("org_member", "developer;org_member", 1) } else { l.to_string() })
        .chain(std::iter::once("new.hire@example.net,org_member,".to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, edited + "\n").unwrap();

    // Without a terminal and without --yes: the plan, and nothing changed.
    let o = run(vcs(&emu, &["sync", f])).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("--yes"), "{}", err(&o));
    assert_eq!(patches(&emu), 0);

    let o = run(vcs(&emu, &["sync", f, "--yes"])).await;
    assert!(o.status.success(), "{}", err(&o));
    let out = json(&o);
    assert_eq!(out["plan"]["summary"]["changes"], 2);
    let items = out["report"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().any(|i| i["action"] == "setRoles" && i["outcome"] == "updated" && i["line"].is_u64()));
    assert!(items.iter().any(|i| i["action"] == "invite" && i["outcome"] == "invited"));
    assert!(emu.world().users.iter().find(|u| u.user_id == m.user_id).unwrap().org_roles.contains(&"developer".to_string()));

    let o = run(vcs(&emu, &["sync", f, "--dry-run", "--json"])).await;
    assert!(o.status.success());
    assert_eq!(json(&o)["rows"].as_array().unwrap().len(), 0, "a second sync plans nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_exit_1_and_refused_rows_exit_13() {
    let emu = vcs_emulator::start(vcs_emulator::Config::ephemeral(10)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Email,OrganizationRoles\nfine@example.net,org_member\nnot-an-email,org_member\nfine@example.net,org_member\n")
        .unwrap();
    let o = run(vcs(&emu, &["sync", bad.to_str().unwrap(), "--yes"])).await;
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let plan = json(&o);
    let invalid: Vec<(u64, &str)> = plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "invalid")
        .map(|r| (r["line"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(invalid, vec![(3, "email"), (4, "email")]);
    assert!(err(&o).contains("2 row(s)"), "{}", err(&o));
    assert_eq!(emu.world().invitations.len(), 6, "nothing applied");
    let unknown = dir.path().join("unknown.csv");
    std::fs::write(&unknown, "Email,Colour\n").unwrap();
    let o = run(vcs(&emu, &["sync", unknown.to_str().unwrap(), "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("Colour"), "{}", err(&o));

    // Prune with a file that does not list the caller: the caller's row is refused (13), the
    // others are applied.
    let keep = &emu.world().users[1];
    let file = dir.path().join("prune.csv");
    std::fs::write(&file, format!("Email,OrganizationRoles,ServiceRoles\n{},{},\n", keep.email, keep.org_roles.join(";"))).unwrap();
    let o = run(vcs(&emu, &["sync", file.to_str().unwrap(), "--prune", "--dry-run"])).await;
    assert_eq!(o.status.code(), Some(13), "a dry run with a refused row would fail");
    let o = run(vcs(&emu, &["sync", file.to_str().unwrap(), "--prune", "--yes"])).await;
    assert_eq!(o.status.code(), Some(13), "{}", err(&o));
    let out = json(&o);
    let refused: Vec<&Value> = out["report"]["items"].as_array().unwrap().iter().filter(|i| i["outcome"] == "refused").collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["input"], "ada.andersen@example.com");
    let left: Vec<String> = emu.world().users.iter().map(|u| u.email.clone()).collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert_eq!(emu.world().invitations.iter().filter(|i| i.status == vcs_emulator::world::InvitationStatus::Available).count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_director_export_sync_and_second_sync() {
    let emu = vcs_emulator::start(vcs_emulator::Config { vcd_users: 10, ..vcs_emulator::Config::ephemeral(5) }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vcd.csv");
    let o = run(vcd(&emu, &["user", "list", "--csv"])).await;
    assert!(o.status.success(), "{}", err(&o));
    let exported = String::from_utf8(o.stdout).unwrap();
    assert!(exported.starts_with("Username,Password,Role,FullName,Email,Enabled,ProviderType\n"));
    std::fs::write(&file, &exported).unwrap();
    let f = file.to_str().unwrap();
    let o = run(vcd(&emu, &["sync", f, "--prune", "--dry-run"])).await;
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(json(&o)["summary"]["changes"], 0);

    std::fs::write(&file, format!("{exported}vcd.hire,Hire-pass-1,vApp User,Vcd Hire,vcd.hire@acme.example,true,LOCAL\n")).unwrap();
    let o = run(vcd(&emu, &["sync", f, "--yes"])).await;
    assert!(o.status.success(), "{}", err(&o));
    let out = json(&o);
    assert_eq!(out["report"]["items"][0]["outcome"], "created");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("Hire-pass-1"), "the password is not printed");
    assert!(emu.world().vcd.users.iter().any(|u| u.username == "vcd.hire"));
    let o = run(vcd(&emu, &["sync", f, "--prune", "--dry-run"])).await;
    assert_eq!(json(&o)["summary"]["changes"], 0, "a second sync plans nothing");
}
