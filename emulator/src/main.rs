//! `vcs-emulator`: serves the emulated CSP API until interrupted. The first line on stdout is a
//! JSON object with everything a client needs; logs go to stderr.

use std::process::ExitCode;
use vcs_emulator::Config;

const USAGE: &str = "usage: vcs-emulator [--listen ADDR] [--users N] [--invitations N] [--vcd-users N] [--seed S]
                    [--token-ttl SECONDS] [--state FILE] [--tls [--tls-ca-out FILE]] [--rate-limit N]

  --listen ADDR        address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --users N            seeded users (default 25)
  --invitations N      seeded invitations, pending, redeemed and revoked (default 6)
  --vcd-users N        seeded users of the Cloud Director tenant org (default 25)
  --seed S             seed for ids and names (default 1)
  --token-ttl SECONDS  access token lifetime (default 1800)
  --state FILE         load state from FILE at start and save it after every change
  --tls                serve HTTPS with a certificate signed by a fresh local CA
  --tls-ca-out FILE    where --tls writes the CA certificate (PEM)
  --rate-limit N       at most N requests a second per organization; 429 with Retry-After past it";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut c = Config::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name}: needs a value"));
        match flag.as_str() {
            "--listen" => c.listen = value("--listen")?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--users" => c.users = value("--users")?.parse().map_err(|e| format!("--users: {e}"))?,
            "--vcd-users" => c.vcd_users = value("--vcd-users")?.parse().map_err(|e| format!("--vcd-users: {e}"))?,
            "--invitations" => c.invitations = value("--invitations")?.parse().map_err(|e| format!("--invitations: {e}"))?,
            "--seed" => c.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--token-ttl" => c.token_ttl_seconds = value("--token-ttl")?.parse().map_err(|e| format!("--token-ttl: {e}"))?,
            "--state" => c.state_file = Some(value("--state")?.into()),
            "--tls" => c.tls = true,
            "--rate-limit" => {
                let n: u32 = value("--rate-limit")?.parse().map_err(|e| format!("--rate-limit: {e}"))?;
                if n == 0 {
                    return Err("--rate-limit: must be at least 1".into());
                }
                c.rate_limit = Some(n);
            }
            "--tls-ca-out" => c.tls_ca_out = Some(value("--tls-ca-out")?.into()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if c.tls_ca_out.is_some() && !c.tls {
        return Err("--tls-ca-out: only with --tls".into());
    }
    if c.tls && c.tls_ca_out.is_none() {
        c.tls_ca_out = Some(std::env::temp_dir().join(format!("vcs-emulator-{}-ca.pem", std::process::id())));
    }
    Ok(c)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("vcs-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async move {
        let started = std::time::Instant::now();
        let emulator = match vcs_emulator::start(config.clone()).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("vcs-emulator: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", emulator.connection_info());
        eprintln!(
            "vcs-emulator: serving {} ({} users) in {} ms; control API at {}/_emulator/; Ctrl-C stops",
            emulator.url,
            emulator.user_count(),
            started.elapsed().as_millis(),
            emulator.url
        );
        let _ = tokio::signal::ctrl_c().await;
        emulator.stop().await;
        ExitCode::SUCCESS
    })
}
