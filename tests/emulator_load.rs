//! The emulator under load: 50 clients at once for a bounded time (30 s, or VCS_LOAD_SECONDS),
//! state persisted; after a restart, the state holds everything the clients were told succeeded.

mod common;

use common::*;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vcs_emulator::world::InvitationStatus;
use vcs_emulator::Config;
use vcs_native::csp::request::*;
use vcs_native::CspClient;

#[derive(Default)]
struct Told {
    invited: HashSet<String>,
    revoked: HashSet<String>,
    removed: HashSet<String>,
    attempted: HashSet<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_clients_then_a_restart_lose_nothing() {
    let seconds: u64 = std::env::var("VCS_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let config = Config { state_file: Some(dir.path().join("state.json")), invitations: 0, ..Config::ephemeral(300) };
    let emu = emulator_with(config.clone()).await;
    let users = emu.world().users;
    let told = Arc::new(Mutex::new(Told::default()));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client_no in 0..50usize {
        let opts = options(&emu);
        let told = told.clone();
        // Each client may remove its own five seeded users (never the owner, user 0).
        let mine: Vec<String> = users[1 + client_no * 5..1 + client_no * 5 + 5].iter().map(|u| u.user_id.clone()).collect();
        tasks.push(tokio::spawn(async move {
            let c = CspClient::connect(opts).await.expect("connects under load");
            let mut i = 0usize;
            let mut my_invitations: Vec<String> = Vec::new();
            while Instant::now() < deadline {
                i += 1;
                let email = format!("c{client_no}.n{i}@load.example");
                told.lock().unwrap().attempted.insert(email.clone());
                if let Ok(r) = c
                    .invite(&InvitationRequest {
                        emails: vec![email.clone()],
                        organization_roles: vec!["org_member".into()],
                        ..Default::default()
                    })
                    .await
                {
                    if let Some(id) = r.items[0].id.clone().filter(|_| r.items[0].outcome == "invited") {
                        told.lock().unwrap().invited.insert(email.clone());
                        my_invitations.push(id);
                    }
                }
                if i % 3 == 0 {
                    if let Some(id) = my_invitations.pop() {
                        if let Ok(r) = c.revoke_invitations(&[id.clone()]).await {
                            if r.all_ok() {
                                told.lock().unwrap().revoked.insert(id);
                            }
                        }
                    }
                }
                if i % 5 == 0 && i / 5 <= mine.len() {
                    let id = mine[i / 5 - 1].clone();
                    if let Ok(r) = c.remove_users(&[UserRef::Id(id.clone())], false).await {
                        if r.all_ok() {
                            told.lock().unwrap().removed.insert(id);
                        }
                    }
                }
            }
            i
        }));
    }
    let mut calls = 0;
    for t in tasks {
        calls += t.await.unwrap();
    }
    emu.stop().await;
    let emu = emulator_with(config).await;
    let world = emu.world();
    let told = told.lock().unwrap();
    println!(
        "{calls} rounds by 50 clients in {seconds} s: {} invited, {} revoked, {} removed",
        told.invited.len(),
        told.revoked.len(),
        told.removed.len()
    );
    assert!(told.invited.len() >= 50, "every client got work done");
    for email in &told.invited {
        assert!(world.invitations.iter().any(|i| &i.username == email), "{email} was invited but is gone after the restart");
    }
    for id in &told.revoked {
        let inv = world.invitations.iter().find(|i| &i.id == id).expect("revoked invitation exists");
        assert_eq!(inv.status, InvitationStatus::Revoked, "{id}");
    }
    for id in &told.removed {
        assert!(!world.users.iter().any(|u| &u.user_id == id), "{id} was removed but is back after the restart");
    }
    for inv in &world.invitations {
        assert!(told.attempted.contains(&inv.username), "{} appeared from nowhere", inv.username);
    }
}
