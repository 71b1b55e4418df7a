//! The emulator's REST surface checked over raw HTTP: the documented paths, token forms, status
//! codes, error bodies and limits, and the control API.

mod common;

use common::*;
use serde_json::{json, Value};
use vcs_emulator::Emulator;

const AM: &str = "/csp/gateway/am/api";

async fn access_token(emu: &Emulator) -> String {
    let r =
        http().post(format!("{}{AM}/auth/api-tokens/authorize", emu.url)).form(&[("refresh_token", emu.api_token())]).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn get(emu: &Emulator, token: &str, path: &str) -> (u16, Value) {
    let r = http().get(format!("{}{path}", emu.url)).header("csp-auth-token", token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn assert_csp_error(body: &Value, status: u16) {
    assert_eq!(body["statusCode"], status, "{body}");
    for k in ["message", "requestId", "errorCode", "cspErrorCode"] {
        assert!(body[k].is_string(), "{k} missing in {body}");
    }
    assert!(body["moduleCode"].is_i64());
}

#[tokio::test]
async fn the_three_api_token_exchange_forms_are_accepted() {
    let emu = emulator(3).await;
    let url = format!("{}{AM}/auth/api-tokens/authorize", emu.url);
    let token = emu.api_token();
    let a = http().post(format!("{url}?refresh_token={token}")).send().await.unwrap();
    let b = http().post(&url).form(&[("refresh_token", token.as_str())]).send().await.unwrap();
    let c = http().post(&url).form(&[("grant_type", "refresh_token"), ("api_token", token.as_str())]).send().await.unwrap();
    for r in [a, b, c] {
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["token_type"], "bearer");
        assert_eq!(v["expires_in"], 1799);
        assert_eq!(v["refresh_token"], token);
        let claims = vcs_native::csp::decode_claims(v["access_token"].as_str().unwrap()).unwrap();
        assert_eq!(claims.org_id.as_deref(), Some(emu.org_id().as_str()));
    }
    let missing = http().post(&url).send().await.unwrap();
    assert_eq!(missing.status(), 400);
    assert_csp_error(&missing.json().await.unwrap(), 400);
}

#[tokio::test]
async fn tokens_work_in_both_headers_and_expired_or_unknown_ones_get_401() {
    let emu = emulator(3).await;
    let t = access_token(&emu).await;
    let path = format!("{}{AM}/orgs/{}/roles", emu.url, emu.org_id());
    assert_eq!(http().get(&path).header("csp-auth-token", &t).send().await.unwrap().status(), 200);
    assert_eq!(http().get(&path).bearer_auth(&t).send().await.unwrap().status(), 200);
    let none = http().get(&path).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let forged = http().get(&path).bearer_auth(format!("{t}x")).send().await.unwrap();
    assert_eq!(forged.status(), 401);
    assert_csp_error(&forged.json().await.unwrap(), 401);
    control(&emu, "POST", "tokens/expire", None).await;
    let expired = http().get(&path).bearer_auth(&t).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    let body: Value = expired.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn unknown_orgs_malformed_bodies_and_limits_get_the_services_errors() {
    let emu = emulator(60).await;
    let t = access_token(&emu).await;
    let org = emu.org_id();
    let (s, b) = get(&emu, &t, &format!("{AM}/orgs/00000000-0000-0000-0000-000000000000/roles")).await;
    assert_eq!(s, 404);
    assert_csp_error(&b, 404);

    let (s, b) = get(&emu, &t, &format!("{AM}/v2/orgs/{org}/users?pageLimit=201")).await;
    assert_eq!(s, 400);
    assert!(b["message"].as_str().unwrap().starts_with("pageLimit"));
    let (s, _) = get(&emu, &t, &format!("{AM}/v2/orgs/{org}/users?pageStart=zero")).await;
    assert_eq!(s, 400);

    let (s, b) = get(&emu, &t, &format!("{AM}/v2/orgs/{org}/users")).await;
    assert_eq!(s, 200);
    assert_eq!(b["results"].as_array().unwrap().len(), 20, "default page size");
    assert_eq!(b["totalResults"], 60);
    assert!(b["nextLink"].as_str().unwrap().contains("pageStart=21"));

    let (s, b) = get(&emu, &t, &format!("{AM}/orgs/{org}/users/search?userSearchTerm=example.com")).await;
    assert_eq!(s, 200);
    assert_eq!(b["results"].as_array().unwrap().len(), 20, "search is cut at 20");

    let del = |body: String| {
        http()
            .delete(format!("{}{AM}/v2/orgs/{org}/users", emu.url))
            .header("csp-auth-token", &t)
            .header("content-type", "application/json")
            .body(body)
    };
    let r = del("{not json".into()).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert_csp_error(&r.json().await.unwrap(), 400);
    let ids: Vec<String> = (0..21).map(|i| format!("x:{i}")).collect();
    let r = del(json!({ "ids": ids }).to_string()).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.json::<Value>().await.unwrap()["message"].as_str().unwrap().contains("at most 20"));
    let r = del(json!({}).to_string()).send().await.unwrap();
    assert_eq!(r.status(), 400);

    let inv = |body: Value| http().post(format!("{}{AM}/orgs/{org}/invitations", emu.url)).header("csp-auth-token", &t).json(&body);
    let r = inv(json!({"usernames": ["a@b.co"], "organizationRoles": [{"name": "wizard"}]})).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.json::<Value>().await.unwrap()["message"].as_str().unwrap().contains("wizard"));
    let r = inv(json!({"organizationRoles": [{"name": "org_member"}]})).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let r = inv(json!({"usernames": ["a@b.co"], "organizationRoles": [{"name": "org_member"}],
        "serviceRolesDtos": [{"serviceDefinitionLink": "/csp/gateway/slc/api/definitions/external/nope", "serviceRoles": [{"name": "x"}]}]}))
        .send().await.unwrap();
    assert_eq!(r.status(), 400);
    // The older serviceRoleNames form is accepted too.
    let r = inv(json!({"usernames": ["older@form.example"], "organizationRoles": [{"name": "org_member"}],
        "serviceRolesDtos": [{"serviceDefinitionLink": "/csp/gateway/slc/api/definitions/external/ybUdoTC05kYFC9ZG560kpsn0I8M_", "serviceRoleNames": ["vmc-user:full"]}]}))
        .send().await.unwrap();
    assert_eq!(r.status(), 200);

    let (s, b) = get(&emu, &t, &format!("{AM}/orgs/{org}/invitations/does-not-exist")).await;
    assert_eq!(s, 404);
    assert_csp_error(&b, 404);
    let (s, b) = get(&emu, &t, "/csp/gateway/am/api/nothing/here").await;
    assert_eq!(s, 404);
    assert_csp_error(&b, 404);
}

#[tokio::test]
async fn invitations_list_as_links_and_read_one_by_one() {
    let emu = emulator_with(vcs_emulator::Config { invitations: 10, ..vcs_emulator::Config::ephemeral(3) }).await;
    let t = access_token(&emu).await;
    let org = emu.org_id();
    let (s, links) = get(&emu, &t, &format!("{AM}/orgs/{org}/invitations")).await;
    assert_eq!(s, 200);
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 10);
    let mut statuses = std::collections::BTreeSet::new();
    for l in links {
        let (s, inv) = get(&emu, &t, l.as_str().unwrap()).await;
        assert_eq!(s, 200);
        assert_eq!(inv["refLink"], *l);
        assert_eq!(inv["expirationTime"].as_i64().unwrap() - inv["generatedAt"].as_i64().unwrap(), 7 * 24 * 3600 * 1000);
        statuses.insert(inv["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), vec!["AVAILABLE", "REDEEMED", "REVOKED"]);
}

#[tokio::test]
async fn the_seeded_org_looks_real_and_is_deterministic() {
    let a = emulator(200).await;
    let b = emulator(200).await;
    let (wa, wb) = (a.world(), b.world());
    assert_eq!(wa.org_id, wb.org_id);
    assert_eq!(wa.users.iter().map(|u| &u.user_id).collect::<Vec<_>>(), wb.users.iter().map(|u| &u.user_id).collect::<Vec<_>>());
    let firsts: std::collections::BTreeSet<char> = wa.users.iter().map(|u| u.first_name.chars().next().unwrap()).collect();
    assert!(firsts.len() >= 20, "first names spread over the alphabet: {firsts:?}");
    let services: Vec<&str> = wa.services.iter().map(|s| s.display_name.as_str()).collect();
    assert!(services.contains(&"VMware Cloud on AWS") && services.len() >= 3);
    let other = emulator_with(vcs_emulator::Config { seed: 7, ..vcs_emulator::Config::ephemeral(200) }).await;
    assert_ne!(other.world().org_id, wa.org_id);
}

#[tokio::test]
async fn control_api_reset_faults_and_stats() {
    let emu = emulator(5).await;
    let t = access_token(&emu).await;
    let org = emu.org_id();
    let bad = http().post(format!("{}/_emulator/faults", emu.url)).json(&json!({"path": "/x", "stauts": 500})).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    fault(&emu, json!({"method": "GET", "path": "/csp/gateway/am/api/orgs/*/roles", "status": 503, "retryAfterSeconds": 2, "times": 1}))
        .await;
    let r = http().get(format!("{}{AM}/orgs/{org}/roles", emu.url)).header("csp-auth-token", &t).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "2");
    let (s, _) = get(&emu, &t, &format!("{AM}/orgs/{org}/roles")).await;
    assert_eq!(s, 200, "the rule was spent");
    let stats = control(&emu, "GET", "stats", None).await;
    assert_eq!(stats["requests"][format!("GET {AM}/orgs/{org}/roles")], 2);
    assert_eq!(stats["statuses"]["503"], 1);

    fault(&emu, json!({"path": "/csp/gateway/am/api/orgs/*/roles", "status": 500})).await;
    control(&emu, "DELETE", "faults", None).await;
    assert_eq!(get(&emu, &t, &format!("{AM}/orgs/{org}/roles")).await.0, 200);

    let victim = emu.world().users[2].user_id.clone();
    let r = http()
        .delete(format!("{}{AM}/v2/orgs/{org}/users", emu.url))
        .header("csp-auth-token", &t)
        .json(&json!({"ids": [victim]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["succeeded"], json!([victim]));
    assert_eq!(emu.world().users.len(), 4);
    control(&emu, "POST", "reset", None).await;
    assert_eq!(emu.world().users.len(), 5);
    let state = control(&emu, "GET", "state", None).await;
    assert_eq!(state["users"].as_array().unwrap().len(), 5);
}
