//! Connecting from the shell: the transport flags every command shares (`--resolve`,
//! `--allow-insecure-http`, `--verbose`, the CA file, the timeout), `vcs connect [--save]`, and
//! the saved API tokens (`vcs connection list`, `vcs connection forget`).

use crate::output::Output;
use crate::Outcome;
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::time::Duration;
use vcs_native::store::TokenStore;
use vcs_native::{Credentials, Error, ErrorCategory, NetworkOptions, ResolveRule, RetryObserver, TlsOptions};

#[derive(Args)]
pub struct NetworkArgs {
    /// HOST:PORT:ADDRESS[,ADDRESS]: connect to ADDRESS for HOST and PORT, whatever DNS says (as curl's).
    #[arg(long, value_name = "HOST:PORT:ADDRESS", global = true)]
    resolve: Vec<String>,
    /// Send secrets over plain http:// to a host that is not loopback (they travel unencrypted).
    #[arg(long, global = true)]
    allow_insecure_http: bool,
    /// Tell each retry while connecting (also shown whenever stderr is a terminal).
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// TLS and time limits, for CSP and Cloud Director alike.
#[derive(Args)]
#[command(next_help_heading = "Network (CSP and Cloud Director)")]
pub struct TransportArgs {
    /// PEM file of a CA certificate to trust besides the public roots (a regular file under 1 MiB).
    #[arg(long, env = "VCS_CA_CERTIFICATE", global = true)]
    ca_certificate: Option<std::path::PathBuf>,
    /// Turn TLS certificate verification off. Only for test servers.
    #[arg(long, global = true)]
    insecure_skip_tls_verify: bool,
    /// Seconds per request, and for the whole connect (retries included).
    #[arg(long, default_value_t = 30.0, global = true)]
    timeout: f64,
}

#[derive(Subcommand)]
pub enum ConnectionAction {
    /// Connect and show who and where this connection is.
    Info,
    /// Servers with a saved API token (previews only) and where they are kept.
    List,
    /// Forget the API token saved for a server (default: --server).
    Forget {
        /// The server, as it was saved.
        #[arg(value_name = "SERVER")]
        saved_server: Option<String>,
    },
}

#[derive(Args)]
pub struct ConnectArgs {
    /// Save the API token for this server once the connection succeeds; later commands to the
    /// same server then need no token.
    #[arg(long)]
    save: bool,
}

/// TLS, network and timeout settings, the same for CSP and Cloud Director.
pub struct TransportSettings {
    pub tls: TlsOptions,
    pub network: NetworkOptions,
    pub timeout: Duration,
}

pub fn transport(c: &TransportArgs, net: &NetworkArgs) -> Result<TransportSettings, Error> {
    let ca_certificate_pem = match &c.ca_certificate {
        Some(path) => Some(vcs_native::connect::read_ca_certificate("--ca-certificate", path)?),
        None => None,
    };
    if !(c.timeout.is_finite() && c.timeout > 0.0 && c.timeout <= 3600.0) {
        return Err(Error::invalid("--timeout", "must be more than 0 and at most 3600 seconds"));
    }
    let verbose = net.verbose || std::io::stderr().is_terminal();
    Ok(TransportSettings {
        tls: TlsOptions { ca_certificate_pem, insecure_skip_tls_verify: c.insecure_skip_tls_verify },
        network: NetworkOptions {
            allow_insecure_http: net.allow_insecure_http,
            resolve: ResolveRule::parse_all("--resolve", &net.resolve)?,
            on_retry: verbose.then(|| {
                RetryObserver::new(|n| {
                    eprintln!(
                        "vcs: attempt {} of {} failed: {}; retrying in {:.1} s",
                        n.attempt,
                        n.max_attempts,
                        n.error.message,
                        n.delay.as_secs_f64()
                    )
                })
            }),
        },
        timeout: Duration::from_secs_f64(c.timeout),
    })
}

/// The server the CSP flags name: `--server`/`VCS_SERVER`, the default only when neither is given.
pub fn server(c: &crate::ConnectionArgs) -> Result<String, Error> {
    match &c.server {
        Some(s) if s.trim().is_empty() => {
            Err(Error::invalid("server", "must not be blank (--server or VCS_SERVER); leave both out for the default server"))
        }
        Some(s) => Ok(s.clone()),
        None if std::env::var_os("VCS_SERVER").is_some() => {
            Err(Error::invalid("server", "VCS_SERVER is set but blank; unset it for the default server"))
        }
        None => Ok(vcs_native::csp::DEFAULT_SERVER.to_string()),
    }
}

/// The API token saved for `server`, when no credentials were given.
pub fn saved_credentials(server: &str) -> Result<Credentials, Error> {
    let store = TokenStore::default_location()?;
    match store.load(server)? {
        Some(token) => Ok(Credentials::ApiToken(token)),
        None => Err(Error::invalid(
            "--api-token",
            format!(
                "required: set VCS_API_TOKEN (or VCS_APP_ID, VCS_APP_SECRET, VCS_ORG_ID); none is saved for {server} in {} \
                 (save one with vcs connect --save)",
                store.file().display()
            ),
        )),
    }
}

/// `vcs connection list` and `vcs connection forget`, which need no connection.
/// `json`: as `Output` decides it (--json, or stdout not a terminal).
pub fn run_store(action: &ConnectionAction, c: &crate::ConnectionArgs, json: bool, out: &Output) -> Result<Outcome, Error> {
    let store = TokenStore::default_location()?;
    match action {
        ConnectionAction::List => {
            let listing = store.list()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&listing).unwrap_or_default());
            } else {
                println!("API tokens saved in {} ({})", listing.location, listing.backend);
                if listing.tokens.is_empty() {
                    println!("  none");
                }
                for t in &listing.tokens {
                    println!("  {}  {}", t.server, t.api_token_preview);
                }
            }
            Ok(Outcome::Done)
        }
        ConnectionAction::Forget { saved_server: given } => {
            let server = match given {
                Some(s) => s.clone(),
                None => server(c)?,
            };
            if !store.forget(&server)? {
                return Err(Error::new(
                    ErrorCategory::NotFound,
                    format!("no API token is saved for {server} in {}", store.file().display()),
                ));
            }
            out.object(&serde_json::json!({"server": server, "forgotten": true}));
            Ok(Outcome::Done)
        }
        ConnectionAction::Info => unreachable!("info connects first"),
    }
}

/// After `vcs connect` succeeded: saves the token if asked.
pub fn after_connect(args: &ConnectArgs, server: &str, credentials: &Credentials) -> Result<Option<String>, Error> {
    if !args.save {
        return Ok(None);
    }
    let Credentials::ApiToken(token) = credentials else {
        return Err(Error::invalid("--save", "only API tokens are saved; OAuth app secrets are not"));
    };
    let store = TokenStore::default_location()?;
    store.save(server, token)?;
    Ok(Some(store.file().display().to_string()))
}
