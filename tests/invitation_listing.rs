//! Listing invitations in one request (`?expand=true`), as published CSP clients do, and the
//! query parameters of every CSP endpoint: honoured, or refused with a 400 naming them.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::ffi::{c_char, CStr, CString};
use vcs_emulator::Config;
use vcs_native::csp::request::InvitationQuery;

const AM: &str = "/csp/gateway/am/api";

async fn access_token(emu: &vcs_emulator::Emulator) -> String {
    let r: Value = http()
        .post(format!("{}{AM}/auth/api-tokens/authorize", emu.url))
        .form(&[("refresh_token", emu.api_token())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().expect("an access token").to_string()
}

/// A GET as a hand-written client sends it; answers (status, body).
async fn get(emu: &vcs_emulator::Emulator, token: &str, path_and_query: &str) -> (u16, Value) {
    let r = http().get(format!("{}{path_and_query}", emu.url)).header("csp-auth-token", token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn listing_requests(emu: &vcs_emulator::Emulator) -> (u64, u64) {
    let stats = emu.stats();
    let list_route = format!("GET {AM}/orgs/{}/invitations", emu.org_id());
    let mut listing = 0;
    let mut reads = 0;
    for (route, n) in stats["requests"].as_object().unwrap() {
        if *route == list_route {
            listing += n.as_u64().unwrap();
        } else if route.starts_with(&format!("{list_route}/")) {
            reads += n.as_u64().unwrap();
        }
    }
    (listing, reads)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_client_lists_invitation_objects_with_expand() {
    let emu = emulator_with(Config { invitations: 12, ..Config::ephemeral(5) }).await;
    let token = access_token(&emu).await;
    let org = emu.org_id();

    // What the published client does: GET ...?expand=true, then read each element as an object.
    for expand in ["true", "1"] {
        let (status, listed) = get(&emu, &token, &format!("{AM}/orgs/{org}/invitations?expand={expand}")).await;
        assert_eq!(status, 200, "{listed}");
        let items = listed.as_array().expect("a JSON array");
        assert_eq!(items.len(), 12);
        let pending: Vec<&str> =
            items.iter().filter(|i| i["status"] == "AVAILABLE").map(|i| i["username"].as_str().expect("username")).collect();
        assert!(!pending.is_empty(), "the seeded invitations include pending ones: {listed}");
        // Each element is the object a read of that invitation answers.
        for item in items {
            let link = item["refLink"].as_str().expect("refLink");
            let (_, one) = get(&emu, &token, link).await;
            assert_eq!(item, &one);
        }
    }

    // Without expand (or with false/0): links, as before.
    for query in ["", "?expand=false", "?expand=0"] {
        let (status, listed) = get(&emu, &token, &format!("{AM}/orgs/{org}/invitations{query}")).await;
        assert_eq!(status, 200);
        let links = listed.as_array().unwrap();
        assert_eq!(links.len(), 12);
        assert!(links.iter().all(|l| l.as_str().is_some_and(|l| l.starts_with(&format!("{AM}/orgs/{org}/invitations/")))), "{listed}");
    }
    let (status, body) = get(&emu, &token, &format!("{AM}/orgs/{org}/invitations?expand=yes")).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("expand:"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_query_parameter_is_honoured_or_refused_by_name() {
    let emu = emulator(30).await;
    let token = access_token(&emu).await;
    let org = emu.org_id();

    // A parameter an endpoint does not take is a 400 that names it.
    for (path, name) in [
        (format!("{AM}/orgs/{org}/invitations?pageStart=1"), "pageStart"),
        (format!("{AM}/orgs/{org}/invitations?expand=true&expandProfile"), "expandProfile"),
        (format!("{AM}/v2/orgs/{org}/users?includeGroupIds=true"), "includeGroupIds"),
        (format!("{AM}/orgs/{org}/roles?expand=1"), "expand"),
        (format!("{AM}/orgs/{org}/users/search?userSearchTerm=a&serviceDefinitionId=x"), "serviceDefinitionId"),
        (format!("/csp/gateway/slc/api/definitions?expand=1&locale=en"), "locale"),
    ] {
        let (status, body) = get(&emu, &token, &path).await;
        assert_eq!(status, 400, "{path}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{name}: not a parameter of GET")), "{path}: {message}");
    }

    // expandProfile adds each user's userProfile; includeGroupIdsInRoles adds groupIds to roles.
    let users = format!("{AM}/v2/orgs/{org}/users?pageLimit=10");
    let (_, plain) = get(&emu, &token, &users).await;
    let first = &plain["results"][0];
    assert!(first["user"].get("userProfile").is_none(), "{first}");
    assert!(first["organizationRoles"][0].get("groupIds").is_none(), "{first}");
    let (_, expanded) = get(&emu, &token, &format!("{users}&expandProfile&includeGroupIdsInRoles=true")).await;
    let first = &expanded["results"][0];
    assert_eq!(first["user"]["userProfile"]["locale"], "en_US", "{first}");
    assert_eq!(first["organizationRoles"][0]["groupIds"], json!([]), "{first}");
    let next = expanded["nextLink"].as_str().unwrap();
    assert!(next.contains("expandProfile=true") && next.contains("includeGroupIdsInRoles=true"), "{next}");
    let (_, searched) = get(&emu, &token, &format!("{AM}/orgs/{org}/users/search?userSearchTerm=a&expandProfile=true")).await;
    assert!(searched["results"].as_array().unwrap().iter().all(|u| u["user"]["userProfile"].is_object()));
    let (status, body) = get(&emu, &token, &format!("{users}&expandProfile=maybe")).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().starts_with("expandProfile:"), "{body}");

    // serviceDefinitionId narrows the listing to members of that service; orgLink must be ours.
    let service = &emu.world().services[0].id;
    let (_, in_service) = get(&emu, &token, &format!("{AM}/v2/orgs/{org}/users?pageLimit=200&serviceDefinitionId={service}")).await;
    let expected = emu.world().users.iter().filter(|u| u.service_roles.iter().any(|g| &g.service_id == service)).count();
    assert_eq!(in_service["totalResults"], expected);
    assert!(expected < 30);
    let (status, _) = get(&emu, &token, "/csp/gateway/slc/api/definitions?expand=1&orgLink=/csp/gateway/am/api/orgs/other").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_invitations_are_one_listing_request() {
    let emu = emulator_with(Config { invitations: 1000, ..Config::ephemeral(3) }).await;
    let c = connect(&emu).await;
    control(&emu, "DELETE", "stats", None).await;
    let listed = c.invitations(&InvitationQuery::default()).await.unwrap();
    assert_eq!(listed.len(), 1000);
    assert_eq!(listing_requests(&emu), (1, 0), "one listing request, no reads");

    // A service that refuses expand: the library lists links and reads each, with the same result.
    control(&emu, "DELETE", "stats", None).await;
    let refuse = json!({"method": "GET", "path": format!("{AM}/orgs/*/invitations"), "status": 400, "times": 1});
    control(&emu, "POST", "faults", Some(refuse)).await;
    let by_links = c.invitations(&InvitationQuery::default()).await.unwrap();
    assert_eq!(listing_requests(&emu), (2, 1000), "refused expand, then links and one read each");
    assert_eq!(serde_json::to_value(&by_links).unwrap(), serde_json::to_value(&listed).unwrap());

    // A service that answers links despite expand: each is read.
    let links: Vec<String> =
        emu.world().invitations.iter().take(3).map(|i| format!("{AM}/orgs/{}/invitations/{}", emu.org_id(), i.id)).collect();
    let answer_links = json!({"method": "GET", "path": format!("{AM}/orgs/*/invitations"), "status": 200,
        "body": serde_json::to_string(&links).unwrap(), "times": 1});
    control(&emu, "POST", "faults", Some(answer_links)).await;
    let three = c.invitations(&InvitationQuery::default()).await.unwrap();
    let ids: BTreeSet<String> = three.iter().map(|i| i.id.clone()).collect();
    assert_eq!(ids, emu.world().invitations.iter().take(3).map(|i| i.id.clone()).collect());
    assert_eq!(serde_json::to_value(&three).unwrap(), serde_json::to_value(&listed[..3]).unwrap());
}

#[test]
fn the_c_abi_lists_a_thousand_invitations_in_one_request() {
    use vcs_native::ffi::*;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let emu = rt.block_on(emulator_with(Config { invitations: 1000, ..Config::ephemeral(3) }));
    let (url, token) = (emu.url.clone(), emu.api_token());
    let answer = std::thread::spawn(move || unsafe {
        let opts = CString::new(json!({"server": url, "apiToken": token}).to_string()).unwrap();
        let mut conn = std::ptr::null_mut();
        let mut out: *mut c_char = std::ptr::null_mut();
        assert_eq!(vcs_connect(opts.as_ptr(), &mut conn, &mut out), VcsStatus::VCS_OK);
        vcs_string_free(out);
        let query = CString::new("{}").unwrap();
        let status = vcs_get_user_invitations(conn, query.as_ptr(), &mut out);
        let text = CStr::from_ptr(out).to_str().unwrap().to_string();
        vcs_string_free(out);
        assert_eq!(vcs_disconnect(conn), VcsStatus::VCS_OK);
        assert_eq!(status, VcsStatus::VCS_OK, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()
    })
    .join()
    .unwrap();
    let items = answer.as_array().expect("an array of invitations");
    assert_eq!(items.len(), 1000);
    assert!(items.iter().all(|i| i["id"].is_string() && i["name"].is_string() && i["status"].is_string()));
    assert_eq!(listing_requests(&emu), (1, 0));
}
