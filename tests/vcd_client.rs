//! The Cloud Director client against the emulator over real HTTP: sessions, users (list, get,
//! create, update, remove), roles, paging, filters, validation and errors.

mod common;

use common::*;
use serde_json::Value;
use vcs_emulator::{Config, Emulator};
use vcs_native::vcd::request::*;
use vcs_native::vcd::{VcdClient, VcdConnectOptions};
use vcs_native::ErrorCategory;

fn vcd_options(emu: &Emulator) -> VcdConnectOptions {
    let i = emu.connection_info();
    let mut o = VcdConnectOptions::password(
        i["vcdUrl"].as_str().unwrap(),
        i["vcdOrg"].as_str().unwrap(),
        i["vcdUser"].as_str().unwrap(),
        i["vcdPassword"].as_str().unwrap(),
    );
    o.retry = options(emu).retry;
    o
}

async fn vcd(emu: &Emulator) -> VcdClient {
    VcdClient::connect(vcd_options(emu)).await.expect("logs in to the emulator")
}

fn new_user(name: &str) -> NewVcdUser {
    NewVcdUser {
        username: name.into(),
        password: Some("s3cret-pass".into()),
        roles: vec!["vApp User".into()],
        email: Some(format!("{name}@acme.example")),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_in_as_tenant_provider_and_with_an_api_token() {
    let emu = emulator(5).await;
    let c = vcd(&emu).await;
    let info = c.info();
    assert_eq!(info.org, "acme");
    assert_eq!(info.user, "vcd-admin");
    assert!(info.roles.contains(&"Organization Administrator".to_string()));
    assert!(!info.provider);

    let i = emu.connection_info();
    let mut p = vcd_options(&emu);
    p.org = "System".into();
    p.credentials =
        vcs_native::vcd::VcdCredentials::Password { username: "administrator".into(), password: i["vcdPassword"].as_str().unwrap().into() };
    let provider = VcdClient::connect(p).await.unwrap();
    assert!(provider.info().provider);
    assert!(provider.info().roles.contains(&"System Administrator".to_string()));

    let t = VcdClient::connect(VcdConnectOptions::api_token(emu.url.clone(), "acme", i["vcdApiToken"].as_str().unwrap())).await.unwrap();
    assert_eq!(t.info().user, "vcd-admin");
    assert_eq!(t.info().auth_type, "ApiToken");

    let mut bad = vcd_options(&emu);
    bad.credentials = vcs_native::vcd::VcdCredentials::Password { username: "vcd-admin".into(), password: "wrong-password".into() };
    let e = VcdClient::connect(bad).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Authentication);
    assert_eq!(e.service_code.as_deref(), Some("UNAUTHORIZED"));
    assert!(!format!("{e} {e:?}").contains("wrong-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_unsupported_api_version_gets_the_documented_error() {
    let emu = emulator(3).await;
    let r = http().get(format!("{}/cloudapi/1.0.0/users", emu.url)).send().await.unwrap();
    assert_eq!(r.status(), 406);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["minorErrorCode"], "NOT_ACCEPTABLE");
    assert!(body.get("stackTrace").is_some());
    let mut o = vcd_options(&emu);
    o.api_version = "31.0".into();
    assert_eq!(VcdClient::connect(o).await.unwrap_err().field.as_deref(), Some("apiVersion"));
    let mut o = vcd_options(&emu);
    o.api_version = "99.0".into();
    let e = VcdClient::connect(o).await.unwrap_err();
    assert_eq!(e.http_status, Some(406));
    assert!(e.message.contains("99.0"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_users_across_pages_with_filters() {
    let emu = emulator_with(Config { vcd_users: 300, ..Config::ephemeral(3) }).await;
    let c = vcd(&emu).await;
    let all = c.users(&VcdUserQuery::default()).await.unwrap();
    assert_eq!(all.len(), 301, "300 seeded and the admin");
    let ids: std::collections::HashSet<&str> = all.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), 301);
    // 301 users at 128 a page is 3 pages.
    assert_eq!(count(&emu, "GET", "/cloudapi/1.0.0/users").await, 3);

    let ldap = c.users(&VcdUserQuery { filter: Some("providerType==LDAP".into()), ..Default::default() }).await.unwrap();
    assert!(!ldap.is_empty() && ldap.iter().all(|u| u.provider_type == "LDAP"));
    let not_local =
        c.users(&VcdUserQuery { filter: Some("providerType!=LOCAL;enabled==true".into()), ..Default::default() }).await.unwrap();
    assert!(not_local.iter().all(|u| u.provider_type != "LOCAL" && u.enabled));
    let by_name = c.users(&VcdUserQuery { name: vec!["aiko.*".into()], ..Default::default() }).await.unwrap();
    assert!(by_name.iter().all(|u| u.username.starts_with("aiko.")));
    let wild = c.users(&VcdUserQuery { filter: Some("username==aiko.*".into()), ..Default::default() }).await.unwrap();
    assert_eq!(wild.len(), by_name.len());
    let e = c.users(&VcdUserQuery { filter: Some("shoeSize==42".into()), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::InvalidArgument);
    assert!(e.message.contains("shoeSize"));

    let one = c.user(&all[7].id).await.unwrap();
    assert_eq!(one, all[7]);
    let e = c.user("urn:vcloud:user:00000000-0000-0000-0000-000000000000").await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::NotFound);
    assert_eq!(c.user("not-a-urn").await.unwrap_err().field.as_deref(), Some("id"));

    let roles = c.roles(&Default::default()).await.unwrap();
    assert!(roles.iter().any(|r| r.name == "vApp User"));
    assert!(!roles.iter().any(|r| r.name == "System Administrator"), "a tenant does not see provider roles");
    assert_eq!(c.roles(&VcdRoleQuery { name: vec!["vApp*".into()], ..Default::default() }).await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_users_and_reports_each() {
    let emu = emulator(3).await;
    let c = vcd(&emu).await;
    let mut ldap = new_user("ldap.person");
    ldap.provider_type = Some("LDAP".into());
    ldap.password = None;
    let mut ldap_with_password = new_user("ldap.bad");
    ldap_with_password.provider_type = Some("LDAP".into());
    let mut no_password = new_user("local.nopass");
    no_password.password = None;
    let mut bad_email = new_user("bad.mail");
    bad_email.email = Some("not an email".into());
    let mut bad_role = new_user("bad.role");
    bad_role.roles = vec!["Wizard".into()];
    let mut group = new_user("group.role");
    group.roles = vec![];
    group.is_group_role = true;
    let users = vec![new_user("ok.one"), ldap, ldap_with_password, no_password, bad_email, bad_role, new_user("ok.one"), group];
    let r = c.new_users(&users).await.unwrap();
    assert_eq!(r.items.len(), users.len());
    let outcome: Vec<bool> = r.items.iter().map(|i| i.ok).collect();
    assert_eq!(outcome, vec![true, true, false, false, false, false, false, false], "{:#?}", r.items);
    assert_eq!(r.items[2].error.as_ref().unwrap().field.as_deref(), Some("users[2].password"));
    assert_eq!(r.items[3].error.as_ref().unwrap().field.as_deref(), Some("users[3].password"));
    assert_eq!(r.items[4].error.as_ref().unwrap().field.as_deref(), Some("users[4].email"));
    assert_eq!(r.items[5].error.as_ref().unwrap().field.as_deref(), Some("users[5].roles[0]"));
    let dup = r.items[6].error.as_ref().unwrap();
    assert_eq!(dup.category, ErrorCategory::Conflict);
    assert_eq!(dup.service_code.as_deref(), Some("DUPLICATE_NAME"));
    // isGroupRole without roles: the service still wants roleEntityRefs.
    assert_eq!(r.items[7].error.as_ref().unwrap().http_status, Some(400));

    let created = r.items[0].result.as_ref().unwrap();
    assert_eq!(created["roleEntityRefs"][0]["name"], "vApp User");
    assert!(created.get("password").is_none() || created["password"].is_null());
    let state = emu.world();
    let stored = state.vcd.users.iter().find(|u| u.username == "ok.one").unwrap();
    assert!(stored.password_hash.as_deref().is_some_and(|h| !h.contains("s3cret")), "stored hashed");
    let raw = serde_json::to_string(&state.vcd).unwrap();
    assert!(!raw.contains("s3cret-pass"), "the password is not stored in plain text");
    // The new user can log in with the password.
    let mut o = vcd_options(&emu);
    o.credentials = vcs_native::vcd::VcdCredentials::Password { username: "ok.one".into(), password: "s3cret-pass".into() };
    assert!(VcdClient::connect(o).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_and_removes_users() {
    let emu = emulator(3).await;
    let c = vcd(&emu).await;
    let r = c.new_users(&[new_user("to.change"), new_user("to.remove.1"), new_user("to.remove.2")]).await.unwrap();
    assert!(r.all_ok());
    let id = r.items[0].id.clone().unwrap();
    let changed = c
        .set_user(&VcdUserChanges {
            id: id.clone(),
            full_name: Some("Changed Name".into()),
            enabled: Some(false),
            roles: Some(vec!["Catalog Author".into(), "vApp Author".into()]),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(changed.full_name, "Changed Name");
    assert!(!changed.enabled);
    assert_eq!(changed.role_entity_refs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), vec!["Catalog Author", "vApp Author"]);
    assert_eq!(c.user(&id).await.unwrap(), changed);
    let e = c.set_user(&VcdUserChanges { id: id.clone(), email: Some("nope".into()), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("email"));
    let e = c.set_user(&VcdUserChanges { id: id.clone(), roles: Some(vec![]), ..Default::default() }).await.unwrap_err();
    assert_eq!(e.field.as_deref(), Some("roles"));

    let report = c
        .remove_users(&["to.remove.*".into(), id.clone(), "nobody".into(), "urn:vcloud:user:00000000-0000-0000-0000-000000000000".into()])
        .await
        .unwrap();
    assert_eq!(report.items.len(), 5, "the pattern expands to two users");
    assert_eq!(report.succeeded, 3);
    assert_eq!(report.failed, 2);
    assert!(c.users(&VcdUserQuery { name: vec!["to.*".into()], ..Default::default() }).await.unwrap().is_empty());
    // The logged-in account cannot remove itself: refused first, and by the server when sent.
    let me = c.info().user_id;
    let r = c.remove_users(&[me.clone()]).await.unwrap();
    assert_eq!(r.items[0].outcome, "refused");
    let options = vcs_native::removal::RemovalOptions { allow_self: true, notify_users: false };
    let r = c.remove_users_with(&[me], &options).await.unwrap();
    assert_eq!(r.items[0].error.as_ref().unwrap().http_status, Some(400));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_session_is_replaced() {
    let emu = emulator(3).await;
    let c = vcd(&emu).await;
    c.logout().await.unwrap();
    assert!(!c.users(&Default::default()).await.unwrap().is_empty(), "logs in again");
    // Sessions dropped on the server (as after an idle timeout) are replaced on the 401.
    let before = count(&emu, "POST", "/cloudapi/1.0.0/sessions").await;
    control(&emu, "POST", "reset", None).await;
    assert!(!c.users(&Default::default()).await.unwrap().is_empty());
    assert_eq!(count(&emu, "POST", "/cloudapi/1.0.0/sessions").await, 1, "one new login after the reset ({before} before)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_acts_in_a_tenant_with_the_tenant_context_header() {
    let emu = emulator(3).await;
    let i = emu.connection_info();
    let login = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", emu.url))
        .basic_auth("administrator@System", Some(i["vcdPassword"].as_str().unwrap()))
        .header("accept", "application/json;version=37.0")
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let token = login.headers()["x-vmware-vcloud-access-token"].to_str().unwrap().to_string();
    let tenant = emu.world().vcd.orgs.iter().find(|o| o.name == "acme").unwrap().id.clone();
    let get = |ctx: Option<&str>| {
        let mut r =
            http().get(format!("{}/cloudapi/1.0.0/users", emu.url)).bearer_auth(&token).header("accept", "application/json;version=37.0");
        if let Some(c) = ctx {
            r = r.header("x-vmware-vcloud-tenant-context", c);
        }
        r.send()
    };
    let own: Value = get(None).await.unwrap().json().await.unwrap();
    assert_eq!(own["resultTotal"], 1, "the System org has the administrator");
    let acme: Value = get(Some(tenant.trim_start_matches("urn:vcloud:org:"))).await.unwrap().json().await.unwrap();
    assert_eq!(acme["resultTotal"], 26);
}
