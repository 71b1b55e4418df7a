//! vcs-emulator: the VMware Cloud Services Platform user-management API on loopback.
//!
//! A real HTTP(S) server with state, a seeded organization, a control API under `/_emulator/`
//! and fault injection. Tests start it in-process with [`start`] on port 0.

mod control;
mod csp;
mod csp_roles;
pub mod faults;
pub mod jwt;
mod query;
mod reply;
pub mod seeder;
mod rate_limit;
mod server;
mod text;
mod vcd;
pub mod vcd_world;
pub mod world;

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

pub use faults::FaultRule;
pub use world::World;

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub users: usize,
    pub invitations: usize,
    pub seed: u64,
    pub token_ttl_seconds: u64,
    pub state_file: Option<PathBuf>,
    pub tls: bool,
    /// Where `--tls` writes the CA certificate (PEM) that signs the server certificate.
    pub tls_ca_out: Option<PathBuf>,
    /// Host name the TLS certificate is issued for (default `localhost` and `127.0.0.1`).
    pub tls_names: Vec<String>,
    /// Seeded users of the Cloud Director tenant org.
    pub vcd_users: usize,
    /// `--rate-limit`: requests per second per organization, 429 past it (`None`: no limit).
    pub rate_limit: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("literal address"),
            users: 25,
            invitations: 6,
            seed: 1,
            token_ttl_seconds: 1800,
            state_file: None,
            tls: false,
            tls_ca_out: None,
            tls_names: vec!["localhost".into(), "127.0.0.1".into()],
            vcd_users: 25,
            rate_limit: None,
        }
    }
}

impl Config {
    /// A config for tests: a free loopback port, the given number of users.
    pub fn ephemeral(users: usize) -> Self {
        Config { listen: "127.0.0.1:0".parse().expect("literal address"), users, ..Config::default() }
    }
}

#[derive(Default)]
pub(crate) struct Stats {
    pub by_route: std::collections::BTreeMap<String, u64>,
    pub by_status: std::collections::BTreeMap<u16, u64>,
    pub total: u64,
}

pub(crate) struct Shared {
    pub config: Config,
    pub world: Mutex<World>,
    pub faults: Mutex<Vec<FaultRule>>,
    pub fault_rng: Mutex<StdRng>,
    pub stats: Mutex<Stats>,
    pub request_counter: AtomicU64,
    pub base_url: String,
}

impl Shared {
    pub fn stats_json(&self) -> Value {
        let s = self.stats.lock().expect("stats lock");
        json!({"total": s.total, "requests": s.by_route, "statuses": s.by_status})
    }

    /// Writes the state file (if any) atomically: a temporary file beside it, then a rename.
    pub fn persist(&self, world: &World) -> std::io::Result<()> {
        let Some(path) = &self.config.state_file else { return Ok(()) };
        let tmp = path.with_extension("tmp");
        let bytes = serde_json::to_vec(world).map_err(std::io::Error::other)?;
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_data()?;
        }
        std::fs::rename(&tmp, path)
    }

    pub fn seed_world(config: &Config) -> World {
        let mut seeder = seeder::Seeder::new(config.seed);
        let mut w = seeder.world(config.users, config.invitations);
        w.vcd = seeder.vcd_world(config.vcd_users);
        w
    }
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    pub addr: SocketAddr,
    pub url: String,
    pub ca_certificate_pem: Option<String>,
    pub(crate) shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    /// The first line the binary prints: everything a client needs to connect.
    pub fn connection_info(&self) -> Value {
        let w = self.shared.world.lock().expect("world lock");
        let token = w.api_tokens.iter().find(|t| !t.revoked).map(|t| t.token.clone()).unwrap_or_default();
        let mut v = json!({
            "url": self.url,
            "orgId": w.org_id,
            "orgName": w.org_display_name,
            "apiToken": token,
            "appId": w.oauth_apps[0].app_id,
            "appSecret": w.oauth_apps[0].app_secret,
        });
        let vcd_token = w.vcd.api_tokens.first().map(|t| t.token.clone()).unwrap_or_default();
        v["vcdUrl"] = json!(self.url);
        v["vcdOrg"] = json!(vcd_world::TENANT_ORG);
        v["vcdUser"] = json!(vcd_world::TENANT_ADMIN);
        v["vcdPassword"] = json!(w.vcd.admin_password);
        v["vcdApiToken"] = json!(vcd_token);
        if let Some(path) = &self.shared.config.tls_ca_out {
            v["caCertificateFile"] = json!(path.display().to_string());
        }
        v
    }

    pub fn org_id(&self) -> String {
        self.shared.world.lock().expect("world lock").org_id.clone()
    }

    pub fn api_token(&self) -> String {
        self.connection_info()["apiToken"].as_str().unwrap_or_default().to_string()
    }

    pub fn user_count(&self) -> usize {
        self.shared.world.lock().expect("world lock").users.len()
    }

    /// A snapshot of the state (as `GET /_emulator/state` returns it).
    pub fn world(&self) -> World {
        self.shared.world.lock().expect("world lock").clone()
    }

    /// Accepts an invitation as `POST /_emulator/invitations/{id}/accept` does; returns the new user id.
    pub fn accept_invitation(&self, id: &str) -> Result<String, String> {
        let mut w = self.shared.world.lock().expect("world lock");
        let user = w.accept_invitation(id, self.shared.config.seed).map_err(|e| format!("invitation {id}: {e:?}"))?;
        self.shared.persist(&w).map_err(|e| e.to_string())?;
        Ok(user.user_id)
    }

    /// Request counts, as `GET /_emulator/stats` answers them.
    pub fn stats(&self) -> Value {
        self.shared.stats_json()
    }

    /// Stops accepting connections, closes the open ones and waits for the server task to end.
    pub async fn stop(mut self) {
        self.shutdown_now();
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown_now();
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// Starts the emulator on the current tokio runtime.
pub async fn start(config: Config) -> Result<Emulator, StartError> {
    let world = match &config.state_file {
        Some(path) if path.exists() => {
            let bytes = std::fs::read(path).map_err(|e| StartError(format!("--state {}: {e}", path.display())))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| StartError(format!("--state {}: not an emulator state file: {e}", path.display())))?
        }
        _ => Shared::seed_world(&config),
    };
    let listener =
        tokio::net::TcpListener::bind(config.listen).await.map_err(|e| StartError(format!("--listen {}: {e}", config.listen)))?;
    let addr = listener.local_addr().map_err(|e| StartError(e.to_string()))?;
    let (tls, ca_pem) = if config.tls {
        let (acceptor, ca_pem) = server::tls_acceptor(&config.tls_names)?;
        if let Some(out) = &config.tls_ca_out {
            std::fs::write(out, &ca_pem).map_err(|e| StartError(format!("--tls-ca-out {}: {e}", out.display())))?;
        }
        (Some(acceptor), Some(ca_pem))
    } else {
        (None, None)
    };
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
    let host = if config.tls && host == "127.0.0.1" { "localhost".to_string() } else { host };
    let url = format!("{}://{}:{}", if config.tls { "https" } else { "http" }, host, addr.port());
    let shared = Arc::new(Shared {
        fault_rng: Mutex::new(StdRng::seed_from_u64(config.seed)),
        config,
        world: Mutex::new(world),
        faults: Mutex::new(Vec::new()),
        stats: Mutex::new(Stats::default()),
        request_counter: AtomicU64::new(0),
        base_url: url.clone(),
    });
    {
        let w = shared.world.lock().expect("world lock");
        shared.persist(&w).map_err(|e| StartError(format!("--state: {e}")))?;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(server::serve(listener, tls, shared.clone(), rx));
    Ok(Emulator { addr, url, ca_certificate_pem: ca_pem, shared, shutdown: Some(tx), task: Some(task) })
}
