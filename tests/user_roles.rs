//! Changing members' roles: the emulator's PATCH endpoint over raw HTTP, and the library's
//! bulk call (`CspClient::set_user_roles`) against it.

mod common;

use common::*;
use serde_json::{json, Value};
use vcs_emulator::Emulator;
use vcs_native::csp::request::ServiceRoleSpec;
use vcs_native::csp::user_roles::UserRolesRequest;
use vcs_native::{ErrorCategory, Job};

const AM: &str = "/csp/gateway/am/api";

async fn access_token(emu: &Emulator) -> String {
    let r =
        http().post(format!("{}{AM}/auth/api-tokens/authorize", emu.url)).form(&[("refresh_token", emu.api_token())]).send().await.unwrap();
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn patch(emu: &Emulator, token: &str, user: &str, org: &str, body: Value) -> (u16, String) {
    let r = http()
        .patch(format!("{}{AM}/v3/users/{user}/orgs/{org}/roles", emu.url))
        .header("csp-auth-token", token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn member(w: &vcs_emulator::World, pick: impl Fn(&vcs_emulator::world::User) -> bool) -> &vcs_emulator::world::User {
    w.users.iter().find(|u| pick(u)).expect("a seeded member fits")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_changes_roles_and_refuses_what_the_service_refuses() {
    let emu = emulator(30).await;
    let token = access_token(&emu).await;
    let org = emu.org_id();
    let w = emu.world();
    let m = member(&w, |u| u.org_roles == ["org_member"]).clone();
    let vmc = w.services.iter().find(|s| s.name == "VMC_ON_AWS").unwrap().clone();

    // Add and remove in one call, organization and service roles: 200 with no body.
    let body = json!({
        "organizationRoles": {"roleNamesToAdd": ["developer"], "rolesToAdd": [{"name": "support_user"}]},
        "serviceRoles": [{"serviceDefinitionLink": vmc.link(), "roleNamesToAdd": ["nsx:cloud_admin"]}],
        "notifyUsers": false,
    });
    let (status, text) = patch(&emu, &token, &m.user_id, &org, body).await;
    assert_eq!((status, text.as_str()), (200, ""));
    let now = emu.world().users.into_iter().find(|u| u.user_id == m.user_id).unwrap();
    assert_eq!(now.org_roles, ["org_member", "developer", "support_user"]);
    assert!(now.service_roles.iter().any(|g| g.service_id == vmc.id && g.roles.contains(&"nsx:cloud_admin".to_string())));
    let body = json!({"organizationRoles": {"roleNamesToRemove": ["developer"]}, "serviceRoles": [{"serviceDefinitionId": vmc.id, "rolesToRemove": [{"name": "nsx:cloud_admin"}]}]});
    assert_eq!(patch(&emu, &token, &m.user_id, &org, body).await.0, 200);
    let now = emu.world().users.into_iter().find(|u| u.user_id == m.user_id).unwrap();
    assert_eq!(now.org_roles, ["org_member", "support_user"]);
    assert!(!now.service_roles.iter().any(|g| g.roles.contains(&"nsx:cloud_admin".to_string())));

    // Unknown names are a 400 naming them; nothing changes.
    for (body, named) in [
        (json!({"organizationRoles": {"roleNamesToAdd": ["org_king"]}}), "org_king"),
        (json!({"serviceRoles": [{"serviceDefinitionLink": vmc.link(), "roleNamesToAdd": ["tmc:admin"]}]}), "tmc:admin"),
        (
            json!({"serviceRoles": [{"serviceDefinitionLink": "/csp/gateway/slc/api/definitions/external/nope", "roleNamesToAdd": ["x"]}]}),
            "nope",
        ),
        (json!({"customRoles": {"roleNamesToAdd": ["auditor"]}}), "auditor"),
        (json!({"organizationRoles": {"roleNamesToAdd": ["developer"], "roleNamesToRemove": ["developer"]}}), "both added and removed"),
        (json!({"colour": "blue"}), "colour"),
    ] {
        let (status, text) = patch(&emu, &token, &m.user_id, &org, body).await;
        assert_eq!(status, 400, "{text}");
        assert!(text.contains(named), "{named} not named in {text}");
    }
    // A member keeps at least one organization role.
    let (status, text) =
        patch(&emu, &token, &m.user_id, &org, json!({"organizationRoles": {"roleNamesToRemove": ["org_member", "support_user"]}})).await;
    assert_eq!(status, 400);
    assert!(text.contains("NO_ORGANIZATION_ROLE"), "{text}");
    assert_eq!(emu.world().users.into_iter().find(|u| u.user_id == m.user_id).unwrap().org_roles, ["org_member", "support_user"]);
    // Unknown user 404, unknown organization 403.
    assert_eq!(patch(&emu, &token, "example.com:no-such-user", &org, json!({})).await.0, 404);
    assert_eq!(patch(&emu, &token, &m.user_id, "not-our-org", json!({})).await.0, 403);
    // The stats count these requests.
    assert_eq!(count(&emu, "PATCH", "/v3/users/").await, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_org_owner_keeps_the_role() {
    let emu = emulator(1).await;
    let token = access_token(&emu).await;
    let ada = emu.world().users[0].clone();
    assert_eq!(ada.org_roles, ["org_owner"]);
    let body = json!({"organizationRoles": {"roleNamesToAdd": ["org_member"], "roleNamesToRemove": ["org_owner"]}});
    let (status, text) = patch(&emu, &token, &ada.user_id, &emu.org_id(), body.clone()).await;
    assert_eq!(status, 400);
    assert!(text.contains("LAST_ORG_OWNER"), "{text}");
    assert_eq!(emu.world().users[0].org_roles, ["org_owner"]);

    // Through the library: the refusal is that user's failed item.
    let client = connect(&emu).await;
    let r = client
        .set_user_roles(&UserRolesRequest {
            users: vec![json!(ada.username)],
            add_organization_roles: vec!["org_member".into()],
            remove_organization_roles: vec!["org_owner".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((r.succeeded, r.failed), (0, 1));
    assert_eq!(r.items[0].error.as_ref().unwrap().service_code.as_deref(), Some("LAST_ORG_OWNER"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_changes_many_users_reports_each_and_sends_nothing_for_no_ops() {
    let emu = emulator(60).await;
    let client = connect(&emu).await;
    let w = emu.world();
    let plain: Vec<_> = w.users.iter().filter(|u| u.org_roles == ["org_member"]).take(4).cloned().collect();
    let developer =
        member(&w, |u| u.org_roles.contains(&"developer".to_string()) && !u.org_roles.contains(&"org_owner".to_string())).clone();
    // By email, by id, by user object (as users() returns it), and one that does not exist.
    let as_object =
        serde_json::to_value(client.users(&Default::default()).await.unwrap().into_iter().find(|u| u.id == plain[2].user_id).unwrap())
            .unwrap();
    let request = UserRolesRequest {
        users: vec![json!(plain[0].email), json!(plain[1].user_id), as_object, json!(developer.email), json!("nobody@example.com")],
        add_organization_roles: vec!["developer".into()],
        add_service_roles: vec![ServiceRoleSpec { service: "VMware Cloud on AWS".into(), roles: vec!["nsx:cloud_auditor".into()] }],
        ..Default::default()
    };
    // Dry run: reports, sends nothing.
    let dry = client.set_user_roles(&UserRolesRequest { dry_run: true, ..request.clone() }).await.unwrap();
    assert_eq!(count(&emu, "PATCH", "/roles").await, 0);
    assert_eq!(dry.items[0].outcome, "wouldUpdate");
    assert_eq!(dry.items[4].outcome, "failed");

    let r = client.set_user_roles(&request).await.unwrap();
    assert_eq!(r.items.len(), 5);
    for (i, u) in plain[..3].iter().enumerate() {
        let it = &r.items[i];
        assert_eq!((it.ok, it.outcome.as_str()), (true, "updated"), "{it:?}");
        assert_eq!(it.target.as_ref().unwrap().email, u.email);
        let now = emu.world().users.into_iter().find(|x| x.user_id == u.user_id).unwrap();
        assert!(now.org_roles.contains(&"developer".to_string()));
        assert!(now.service_roles.iter().any(|g| g.roles.contains(&"nsx:cloud_auditor".to_string())));
    }
    assert_eq!(r.items[4].outcome, "failed");
    assert_eq!(r.items[4].error.as_ref().unwrap().category, ErrorCategory::NotFound);
    assert_eq!((r.succeeded, r.failed), (4, 1));
    let sent = count(&emu, "PATCH", "/roles").await;
    // The developer may already hold the service role too; at least the three plain members were sent.
    assert!(sent == 3 || sent == 4, "{sent}");

    // Again: everyone holds the roles now; nothing is sent, each reported unchanged.
    let again = client.set_user_roles(&UserRolesRequest { users: request.users[..4].to_vec(), ..request.clone() }).await.unwrap();
    assert!(again.items.iter().all(|i| i.ok && i.outcome == "unchanged"), "{again:?}");
    assert_eq!(count(&emu, "PATCH", "/roles").await, sent);

    // Removing a role they lack is a no-op too; removing one they hold changes them.
    let r = client
        .set_user_roles(&UserRolesRequest {
            users: vec![json!(plain[0].email), json!(plain[3].email)],
            remove_organization_roles: vec!["developer".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(r.items[0].outcome, "updated");
    assert_eq!(r.items[1].outcome, "unchanged");
    assert_eq!(emu.world().users.into_iter().find(|x| x.user_id == plain[0].user_id).unwrap().org_roles, ["org_member"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_name_the_field_and_patterns_select_users() {
    let emu = emulator(40).await;
    let client = connect(&emu).await;
    let e = client
        .set_user_roles(&UserRolesRequest {
            users: vec![json!("a@example.com")],
            add_organization_roles: vec!["org_king".into()],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!((e.category, e.field.as_deref()), (ErrorCategory::InvalidArgument, Some("addOrganizationRoles[0]")));
    let e = client
        .set_user_roles(&UserRolesRequest {
            users: vec![json!("a@example.com")],
            remove_service_roles: vec![ServiceRoleSpec { service: "VMware Cloud on AWS".into(), roles: vec!["tmc:admin".into()] }],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("removeServiceRoles[0].roles[0]"), "{e}");
    let e = client.set_user_roles(&UserRolesRequest { users: vec![json!("a@example.com")], ..Default::default() }).await.unwrap_err();
    assert_eq!(e.category, ErrorCategory::InvalidArgument);
    let e = client
        .set_user_roles(&UserRolesRequest { add_organization_roles: vec!["developer".into()], ..Default::default() })
        .await
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("users"));

    // A pattern: every member whose username, email or name matches, each its own item.
    let w = emu.world();
    let expected: Vec<_> = w.users.iter().filter(|u| u.username.starts_with("b")).map(|u| u.user_id.clone()).collect();
    assert!(!expected.is_empty());
    let r = client
        .set_user_roles(&UserRolesRequest {
            users: vec![json!("b*")],
            add_organization_roles: vec!["billing_read_only".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<String> = r.items.iter().map(|i| i.id.clone().unwrap()).collect();
    for id in &expected {
        assert!(ids.contains(id));
    }
    assert!(r.items.iter().all(|i| i.input == "b*" && i.target.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_job_sends_nothing_more_and_reports_the_rest_not_started() {
    let emu = emulator(40).await;
    let job = Job::new();
    let client = connect(&emu).await.with_job(job.clone());
    let emails: Vec<Value> = emu.world().users.iter().filter(|u| u.org_roles == ["org_member"]).map(|u| json!(u.email)).collect();
    job.cancel();
    let r = client
        .set_user_roles(&UserRolesRequest { users: emails.clone(), add_organization_roles: vec!["developer".into()], ..Default::default() })
        .await
        .unwrap();
    assert!(r.cancelled);
    assert_eq!(r.not_started, emails.len());
    assert_eq!(count(&emu, "PATCH", "/roles").await, 0);
    assert_eq!(job.progress().done, emails.len());
}
