//! The Rust CSP client against the emulator over real HTTP: every operation, paging, filters,
//! token expiry, faults, bad input, TLS and persistence.

mod common;

use common::*;
use serde_json::json;
use std::collections::HashSet;
use std::time::{Duration, Instant};
use vcs_emulator::Config;
use vcs_native::csp::model::InvitationStatus;
use vcs_native::csp::request::*;
use vcs_native::{ConnectOptions, CspClient, ErrorCategory};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_with_an_api_token_and_learns_the_org() {
    let emu = emulator(25).await;
    let client = connect(&emu).await;
    let info = client.info().await;
    assert_eq!(info.org_id, emu.org_id());
    assert_eq!(info.org_name, "Acme Cloud Operations");
    assert_eq!(info.user, "ada.andersen@example.com");
    assert_eq!(info.auth_type, "ApiToken");
    let token = emu.api_token();
    assert_eq!(info.api_token_preview.as_deref(), Some(format!("****{}", &token[token.len() - 4..]).as_str()));
    assert!(!format!("{client:?}").contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_as_an_oauth_service_app() {
    let emu = emulator(5).await;
    let info = emu.connection_info();
    let opts = ConnectOptions::service_app(
        emu.url.clone(),
        info["appId"].as_str().unwrap(),
        info["appSecret"].as_str().unwrap(),
        info["orgId"].as_str().unwrap(),
    );
    let client = CspClient::connect(opts).await.unwrap();
    let i = client.info().await;
    assert_eq!(i.auth_type, "ServiceApp");
    assert_eq!(i.org_id, emu.org_id());
    assert_eq!(client.users(&UserQuery::default()).await.unwrap().len(), 5);

    let bad = ConnectOptions::service_app(emu.url.clone(), info["appId"].as_str().unwrap(), "wrong-secret", &emu.org_id());
    let e = CspClient::connect(bad).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Authentication);
    assert_eq!(e.http_status, Some(401));
    assert!(!e.to_string().contains("wrong-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_or_revoked_api_token_is_an_authentication_error_that_says_so() {
    let emu = emulator(3).await;
    let mut o = options(&emu);
    o.credentials = vcs_native::Credentials::ApiToken("not-a-real-token-0000".into());
    let e = CspClient::connect(o).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Authentication);
    assert!(e.message.contains("not valid"), "{e}");
    assert!(!e.to_string().contains("not-a-real-token-0000"));

    let revoked = options(&emu);
    control(&emu, "POST", "api-tokens/revoke", Some(json!({"token": emu.api_token()}))).await;
    let e = CspClient::connect(revoked).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Authentication);
    assert!(e.message.contains("revoked"), "{e}");
    assert!(e.request_id.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_roles_services_and_service_roles() {
    let emu = emulator(25).await;
    let c = connect(&emu).await;
    let roles = c.organization_roles(&Default::default()).await.unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    for n in ["org_owner", "org_member", "support_user", "developer"] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert_eq!(roles.iter().find(|r| r.name == "org_owner").unwrap().display_name, "Organization Owner");
    let org = c.organization_roles(&OrganizationRoleQuery { name: vec!["org_*".into()], ..Default::default() }).await.unwrap();
    assert_eq!(org.len(), 2);
    let by_display = c.organization_roles(&OrganizationRoleQuery { name: vec!["Support*".into()], ..Default::default() }).await.unwrap();
    assert_eq!(by_display[0].name, "support_user");
    let owner_roles =
        c.organization_roles(&OrganizationRoleQuery { user: vec!["ada.andersen@example.com".into()], ..Default::default() }).await.unwrap();
    assert_eq!(owner_roles.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), vec!["org_owner"]);

    let services = c.services(&Default::default()).await.unwrap();
    assert!(services.len() >= 3);
    let vmc = c.services(&NameQuery { name: vec!["*Cloud on AWS".into()], ..Default::default() }).await.unwrap();
    assert_eq!(vmc.len(), 1);
    assert_eq!(vmc[0].id, "ybUdoTC05kYFC9ZG560kpsn0I8M_");
    assert!(vmc[0].self_link.ends_with("/definitions/external/ybUdoTC05kYFC9ZG560kpsn0I8M_"));

    let vmc_roles = c.service_roles(&ServiceRoleQuery { service: vec!["VMware Cloud on AWS".into()], ..Default::default() }).await.unwrap();
    let mut rn: Vec<&str> = vmc_roles.iter().map(|r| r.name.as_str()).collect();
    rn.sort();
    assert_eq!(rn, vec!["nsx:cloud_admin", "nsx:cloud_auditor", "vmc-user:full"]);
    let nsx = c.service_roles(&ServiceRoleQuery { name: vec!["nsx:*".into()], ..Default::default() }).await.unwrap();
    assert_eq!(nsx.len(), 2);
    let all = c.service_roles(&Default::default()).await.unwrap();
    assert!(all.len() > vmc_roles.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_every_user_across_many_pages_each_once() {
    let emu = emulator(2500).await;
    let c = connect(&emu).await;
    let users = c.users(&UserQuery::default()).await.unwrap();
    assert_eq!(users.len(), 2500);
    let ids: HashSet<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids.len(), 2500);
    let expected: HashSet<String> = emu.world().users.iter().map(|u| u.user_id.clone()).collect();
    assert_eq!(ids, expected.iter().map(String::as_str).collect());
    // 2,500 users at 200 a page is 13 pages.
    let pages = count(&emu, "GET", "/v2/orgs/").await;
    assert_eq!(pages, 13, "pages fetched");
    let ada = users.iter().find(|u| u.username == "ada.andersen@example.com").unwrap();
    assert_eq!(ada.name, "Ada Andersen");
    assert_eq!(ada.organization_roles, vec!["org_owner"]);
    assert_eq!(ada.service_roles.len(), 1);
    assert!(!ada.service_roles[0].service_name.is_empty());
    assert!(ada.uid.contains("VcsUser="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wildcard_filters_match_what_a_full_listing_gives() {
    let emu = emulator(600).await;
    let c = connect(&emu).await;
    let world = emu.world();
    let expect = |pred: &dyn Fn(&vcs_emulator::world::User) -> bool| -> HashSet<String> {
        world.users.iter().filter(|u| pred(u)).map(|u| u.user_id.clone()).collect()
    };
    let ids = |v: Vec<vcs_native::csp::model::User>| -> HashSet<String> { v.into_iter().map(|u| u.id).collect() };

    let a = c.users(&UserQuery { name: vec!["A*".into()], ..Default::default() }).await.unwrap();
    assert!(!a.is_empty());
    assert_eq!(ids(a), expect(&|u| u.first_name.starts_with('A') || u.username.starts_with('a')));

    // A selective pattern goes through the search endpoint, and gives the same answer.
    let before = count(&emu, "GET", "/users/search").await;
    let z = c.users(&UserQuery { name: vec!["*Zimmermann".into()], ..Default::default() }).await.unwrap();
    let zx = expect(&|u| u.last_name == "Zimmermann");
    if zx.len() < 20 {
        assert_eq!(count(&emu, "GET", "/users/search").await, before + 1);
    }
    assert_eq!(ids(z), zx);

    let mail = c.users(&UserQuery { email: vec!["*.quinn*@EXAMPLE.com".into()], ..Default::default() }).await.unwrap();
    assert_eq!(ids(mail), expect(&|u| u.email.contains(".quinn")));

    let none = c.users(&UserQuery { name: vec!["no-such-person-xyz".into()], ..Default::default() }).await.unwrap();
    assert!(none.is_empty());

    let one = c.users(&UserQuery { id: vec![world.users[3].user_id.clone()], ..Default::default() }).await.unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].username, world.users[3].username);

    let e = c.users(&UserQuery { id: vec!["example.com:00000000-0000".into()], ..Default::default() }).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::NotFound);
    assert!(e.message.contains("example.com:00000000-0000"));

    let e = c.users(&UserQuery { name: vec!["[abc".into()], ..Default::default() }).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::InvalidArgument);
    assert_eq!(e.field.as_deref(), Some("name[0]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_life_cycle() {
    let emu = emulator(10).await;
    let c = connect(&emu).await;
    let req = InvitationRequest {
        emails: vec!["new.one@partner.example".into(), "new.two@partner.example".into(), "new.three@partner.example".into()],
        organization_roles: vec!["org_member".into()],
        service_roles: vec![ServiceRoleSpec { service: "VMware Cloud on AWS".into(), roles: vec!["nsx:cloud_auditor".into()] }],
        skip_notify: true,
    };
    let report = c.invite(&req).await.unwrap();
    assert_eq!(report.succeeded, 3, "{report:?}");
    assert!(report.items.iter().all(|i| i.outcome == "invited" && i.id.is_some()));
    let inv = &report.items[0].result.as_ref().unwrap();
    assert_eq!(inv["status"], "Available");
    assert_eq!(inv["organizationRoles"], json!(["org_member"]));
    assert_eq!(inv["serviceRoles"][0]["roles"], json!(["nsx:cloud_auditor"]));

    // Inviting again creates no duplicate.
    let again = c.invite(&req).await.unwrap();
    assert_eq!(again.succeeded, 3);
    let pending = c
        .invitations(&InvitationQuery {
            name: vec!["new.*@partner.example".into()],
            status: vec!["Available".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(pending.len(), 3);

    // Accepting one makes a user with the invited roles.
    let first_id = report.items[0].id.clone().unwrap();
    control(&emu, "POST", &format!("invitations/{first_id}/accept"), None).await;
    let u = c.users(&UserQuery { email: vec!["new.one@partner.example".into()], ..Default::default() }).await.unwrap();
    assert_eq!(u.len(), 1);
    assert_eq!(u[0].name, "New One");
    assert_eq!(u[0].organization_roles, vec!["org_member"]);
    let redeemed = c.invitations(&InvitationQuery { id: vec![first_id.clone()], ..Default::default() }).await.unwrap();
    assert_eq!(redeemed[0].status, InvitationStatus::Redeemed);
    assert_eq!(redeemed[0].redeemed_by.as_deref(), Some("new.one@partner.example"));

    // An existing member gets no invitation.
    let member = c
        .invite(&InvitationRequest {
            emails: vec!["new.one@partner.example".into()],
            organization_roles: vec!["developer".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(member.items[0].outcome, "notInvited");
    let u = c.users(&UserQuery { email: vec!["new.one@partner.example".into()], ..Default::default() }).await.unwrap();
    assert!(u[0].organization_roles.contains(&"developer".to_string()));

    // Revoke the rest; revoking the redeemed one fails alone.
    let ids: Vec<String> = report.items.iter().map(|i| i.id.clone().unwrap()).collect();
    let revoked = c.revoke_invitations(&ids).await.unwrap();
    assert_eq!(revoked.succeeded, 2);
    assert_eq!(revoked.failed, 1);
    assert!(!revoked.items[0].ok);
    assert_eq!(revoked.items[0].error.as_ref().unwrap().http_status, Some(400));
    let after =
        c.invitations(&InvitationQuery { name: vec!["new.*".into()], status: vec!["Revoked".into()], ..Default::default() }).await.unwrap();
    assert_eq!(after.len(), 2);
    let unknown = c.revoke_invitations(&["no-such-invitation".into()]).await.unwrap();
    assert_eq!(unknown.items[0].error.as_ref().unwrap().category, ErrorCategory::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_invitations_report_each_email() {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    let mut emails: Vec<String> = (0..230).map(|i| format!("bulk{i}@partner.example")).collect();
    emails.insert(7, "not an email".into());
    emails.insert(100, "bulk3@partner.example".into());
    let report = c
        .invite(&InvitationRequest { emails: emails.clone(), organization_roles: vec!["org_member".into()], ..Default::default() })
        .await
        .unwrap();
    assert_eq!(report.items.len(), emails.len());
    assert_eq!(report.failed, 1);
    let bad = &report.items[7];
    assert!(!bad.ok);
    assert_eq!(bad.error.as_ref().unwrap().field.as_deref(), Some("emails[7]"));
    assert_eq!(report.items[100].outcome, "duplicate");
    assert_eq!(report.items.iter().filter(|i| i.outcome == "invited").count(), 230);
    for (item, email) in report.items.iter().zip(&emails) {
        assert_eq!(&item.input, email);
    }
    // 230 emails in batches of 100 is 3 calls.
    assert_eq!(count(&emu, "POST", "/invitations").await, 3);

    let e = c
        .invite(&InvitationRequest { emails: vec!["a@b.co".into()], organization_roles: vec!["org_wizard".into()], ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("organizationRoles[0]"));
    assert!(e.message.contains("org_wizard"));
    let e = c
        .invite(&InvitationRequest {
            emails: vec!["a@b.co".into()],
            organization_roles: vec!["org_member".into()],
            service_roles: vec![ServiceRoleSpec { service: "VMware Cloud on AWS".into(), roles: vec!["tmc:admin".into()] }],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("serviceRoles[0].roles[0]"));

    // A role named without its service finds its own service.
    let r = c
        .invite(&InvitationRequest {
            emails: vec!["by.role@partner.example".into()],
            organization_roles: vec!["org_member".into()],
            service_roles: vec![ServiceRoleSpec { service: String::new(), roles: vec!["tmc:admin".into(), "nsx:cloud_admin".into()] }],
            ..Default::default()
        })
        .await
        .unwrap();
    let inv = r.items[0].result.as_ref().unwrap();
    let services: Vec<&str> = inv["serviceRoles"].as_array().unwrap().iter().map(|g| g["serviceId"].as_str().unwrap()).collect();
    assert_eq!(services, vec!["tcq4LTfyZ_-UPdPAJIi2LhnvxmE_", "ybUdoTC05kYFC9ZG560kpsn0I8M_"]);
    let e = c
        .invite(&InvitationRequest {
            emails: vec!["a@b.co".into()],
            organization_roles: vec!["org_member".into()],
            service_roles: vec![ServiceRoleSpec { service: String::new(), roles: vec!["no:such".into()] }],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(e.message.contains("no:such"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removes_users_in_batches_and_reports_each() {
    let emu = emulator(120).await;
    let c = connect(&emu).await;
    let world = emu.world();
    let victims: Vec<UserRef> = world.users[50..95].iter().map(|u| UserRef::Id(u.user_id.clone())).collect();
    let mut refs = victims.clone();
    refs.push(UserRef::Id("example.com:ffffffff-not-there".into()));
    refs.push(UserRef::Name(world.users[100].username.clone()));
    refs.push(UserRef::Name("nobody@nowhere.example".into()));
    let report = c.remove_users(&refs, false).await.unwrap();
    assert_eq!(report.items.len(), refs.len());
    assert_eq!(report.succeeded, 46, "{:?}", report.items.iter().filter(|i| !i.ok).collect::<Vec<_>>());
    assert_eq!(report.failed, 2);
    assert_eq!(report.items[45].error.as_ref().unwrap().category, ErrorCategory::NotFound);
    assert_eq!(report.items[47].error.as_ref().unwrap().category, ErrorCategory::NotFound);
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 120 - 46);
    // 46 ids in batches of 20 is 3 calls.
    assert_eq!(count(&emu, "DELETE", "/users").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_owner_cannot_be_removed() {
    let emu = emulator(1).await;
    let c = connect(&emu).await;
    // She is also the token's owner: refused unless the caller allows removing themself.
    let refused = c.remove_users(&[UserRef::Name("ada.andersen@example.com".into())], false).await.unwrap();
    assert_eq!(refused.items[0].outcome, "refused");
    assert_eq!(count(&emu, "DELETE", "/users").await, 0, "a refused item is not sent");
    let options = vcs_native::removal::RemovalOptions { allow_self: true, notify_users: false };
    let report = c.remove_users_with(&[UserRef::Name("ada.andersen@example.com".into())], &options).await.unwrap();
    let e = report.items[0].error.as_ref().unwrap();
    assert_eq!(e.category, ErrorCategory::Conflict);
    assert_eq!(e.service_code.as_deref(), Some("LAST_ORG_OWNER"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_that_expires_mid_run_is_replaced() {
    let emu = emulator(300).await;
    let c = connect(&emu).await;
    assert_eq!(count(&emu, "POST", "api-tokens/authorize").await, 1);
    control(&emu, "POST", "tokens/expire", None).await;
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 300);
    assert_eq!(count(&emu, "POST", "api-tokens/authorize").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_tokens_are_refreshed_before_they_expire() {
    let emu = emulator_with(Config { token_ttl_seconds: 2, ..Config::ephemeral(5) }).await;
    let c = connect(&emu).await;
    for _ in 0..3 {
        assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 5);
        tokio::time::sleep(Duration::from_millis(900)).await;
    }
    let statuses = control(&emu, "GET", "stats", None).await;
    assert!(statuses["statuses"].get("401").is_none(), "no request was refused: {statuses}");
    assert!(count(&emu, "POST", "api-tokens/authorize").await >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_429_honouring_retry_after_and_5xx_with_backoff() {
    let emu = emulator(50).await;
    let c = connect(&emu).await;
    fault(&emu, json!({"method": "GET", "path": "/csp/gateway/am/api/v2/orgs/*/users", "status": 429, "retryAfterSeconds": 1, "times": 2}))
        .await;
    let t = Instant::now();
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 50);
    assert!(t.elapsed() >= Duration::from_secs(2), "waited {:?}", t.elapsed());
    for status in [502, 503, 504] {
        fault(&emu, json!({"path": "/csp/gateway/am/api/orgs/*/roles", "status": status, "times": 2})).await;
        assert!(!c.organization_roles(&Default::default()).await.unwrap().is_empty(), "after {status}");
    }
    // 500 is not retried.
    let before = count(&emu, "GET", "/roles").await;
    fault(&emu, json!({"path": "/csp/gateway/am/api/orgs/*/roles", "status": 500, "times": 1})).await;
    let e = c.organization_roles(&Default::default()).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Server);
    assert_eq!(e.http_status, Some(500));
    assert!(e.request_id.is_some());
    assert_eq!(count(&emu, "GET", "/roles").await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_stay_bounded() {
    let emu = emulator(5).await;
    let c = connect(&emu).await;
    fault(&emu, json!({"path": "/csp/gateway/am/api/orgs/*/roles", "status": 429})).await;
    let e = c.organization_roles(&Default::default()).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::RateLimited);
    assert_eq!(count(&emu, "GET", "/roles").await, 5, "max_attempts is 5");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_and_cut_bodies_are_retried() {
    let emu = emulator(30).await;
    let c = connect(&emu).await;
    fault(&emu, json!({"path": "/csp/gateway/am/api/v2/orgs/*/users", "drop": true, "times": 2})).await;
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 30);
    fault(&emu, json!({"path": "/csp/gateway/am/api/v2/orgs/*/users", "truncateBody": true, "times": 1})).await;
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_past_the_timeout_is_a_timeout() {
    let emu = emulator(5).await;
    let mut o = options(&emu);
    o.timeout = Duration::from_millis(400);
    o.retry.max_attempts = 2;
    let c = CspClient::connect(o).await.unwrap();
    fault(&emu, json!({"path": "/csp/gateway/am/api/orgs/*/roles", "latencyMs": 1000})).await;
    let t = Instant::now();
    let e = c.organization_roles(&Default::default()).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Timeout);
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_the_emulators_ca_and_refused_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let emu = emulator_with(Config { tls: true, tls_ca_out: Some(ca.clone()), ..Config::ephemeral(5) }).await;
    assert!(emu.url.starts_with("https://localhost:"));
    assert_eq!(emu.connection_info()["caCertificateFile"], ca.display().to_string());

    let e = CspClient::connect(options(&emu)).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::Network);
    assert!(e.message.to_lowercase().contains("certificate"), "{e}");

    let mut o = options(&emu);
    o.tls.ca_certificate_pem = Some(std::fs::read_to_string(&ca).unwrap());
    let c = CspClient::connect(o).await.unwrap();
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 5);

    let mut o = options(&emu);
    o.tls.insecure_skip_tls_verify = true;
    assert!(CspClient::connect(o).await.is_ok());

    let mut o = options(&emu);
    o.tls.ca_certificate_pem = Some("not a certificate".into());
    assert_eq!(CspClient::connect(o).await.unwrap_err().field.as_deref(), Some("caCertificate"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_an_emulator_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let config = Config { state_file: Some(state.clone()), ..Config::ephemeral(20) };
    let emu = emulator_with(config.clone()).await;
    let c = connect(&emu).await;
    let victim = emu.world().users[5].user_id.clone();
    c.invite(&InvitationRequest {
        emails: vec!["kept@partner.example".into()],
        organization_roles: vec!["org_member".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(c.remove_users(&[UserRef::Id(victim.clone())], false).await.unwrap().all_ok());
    let org = emu.org_id();
    emu.stop().await;

    let emu = emulator_with(config).await;
    assert_eq!(emu.org_id(), org);
    let c = connect(&emu).await;
    let users = c.users(&UserQuery::default()).await.unwrap();
    assert_eq!(users.len(), 19);
    assert!(!users.iter().any(|u| u.id == victim));
    let inv = c.invitations(&InvitationQuery { name: vec!["kept@*".into()], ..Default::default() }).await.unwrap();
    assert_eq!(inv.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_connect_options_name_the_field() {
    let mut o = ConnectOptions::api_token("", "tok");
    assert_eq!(CspClient::connect(o.clone()).await.unwrap_err().field.as_deref(), Some("server"));
    o.server = "ftp://example.com".into();
    assert_eq!(CspClient::connect(o.clone()).await.unwrap_err().field.as_deref(), Some("server"));
    o.server = "https://user:pw@example.com".into();
    assert_eq!(CspClient::connect(o.clone()).await.unwrap_err().field.as_deref(), Some("server"));
    let o = ConnectOptions::api_token("example.com", "");
    assert_eq!(CspClient::connect(o).await.unwrap_err().field.as_deref(), Some("apiToken"));
    // Nothing listens on port 9 of loopback: a network error, not a hang or a panic.
    let mut o = ConnectOptions::api_token("http://127.0.0.1:9", "tok");
    o.retry.max_attempts = 2;
    o.retry.base_delay = Duration::from_millis(10);
    assert_eq!(CspClient::connect(o).await.unwrap_err().category, ErrorCategory::Network);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_work_reports_its_progress() {
    let emu = emulator(1000).await;
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let c = connect(&emu).await.with_progress(move |p| sink.lock().unwrap().push(p));
    assert_eq!(c.users(&UserQuery::default()).await.unwrap().len(), 1000);
    let listed: Vec<_> = events.lock().unwrap().drain(..).collect();
    assert_eq!(listed.len(), 5, "one event a page: {listed:?}");
    assert_eq!((listed.last().unwrap().done, listed.last().unwrap().total), (5, 5));
    assert!(listed.iter().all(|p| p.operation == "list users"));

    let ids: Vec<UserRef> = emu.world().users[100..145].iter().map(|u| UserRef::Id(u.user_id.clone())).collect();
    c.remove_users(&ids, false).await.unwrap();
    // Removing an org_owner first counts the owners (a listing, with its own events).
    let removed: Vec<_> = events.lock().unwrap().drain(..).filter(|p| p.operation != "list users").collect();
    assert_eq!(removed.len(), 3, "one event a batch of 20");
    assert_eq!(removed.iter().map(|p| p.done).max(), Some(45));
    assert!(removed.iter().all(|p| p.total == 45 && p.operation == "remove users"));
}
