//! `vcs`: the cmdlets for shell users and CI jobs. A client of the vcs-native library: flags in,
//! library calls, tables or JSON out. Exit codes are the library's status numbers
//! (0 ok, 1 invalid argument, 2 authentication, ... 13 some items of a bulk call failed).

mod output;
mod sync;
mod tour;
mod user_set;
mod vcd;

use clap::{Args, Parser, Subcommand};
use output::Output;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::time::Duration;
use vcs_native::csp::request::*;
use vcs_native::{ConnectOptions, Credentials, CspClient, Error, ErrorCategory};

#[derive(Parser)]
#[command(name = "vcs", version, about = "User management for VMware Cloud Services Platform organizations")]
struct Cli {
    #[command(flatten)]
    connection: ConnectionArgs,
    /// Print JSON (the default when stdout is not a terminal).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct ConnectionArgs {
    /// CSP server: host name or URL.
    #[arg(long, env = "VCS_SERVER", default_value = vcs_native::csp::DEFAULT_SERVER, global = true)]
    server: String,
    /// API token (refresh token). Prefer the environment variable: flags show in process lists.
    #[arg(long, env = "VCS_API_TOKEN", hide_env_values = true, global = true)]
    api_token: Option<String>,
    /// OAuth app id (server-to-server app), with --app-secret and --org-id.
    #[arg(long, env = "VCS_APP_ID", global = true)]
    app_id: Option<String>,
    #[arg(long, env = "VCS_APP_SECRET", hide_env_values = true, global = true)]
    app_secret: Option<String>,
    #[arg(long, env = "VCS_ORG_ID", global = true)]
    org_id: Option<String>,
    /// PEM file of a CA certificate to trust besides the public roots.
    #[arg(long, env = "VCS_CA_CERTIFICATE", global = true)]
    ca_certificate: Option<std::path::PathBuf>,
    /// Turn TLS certificate verification off. Only for test servers.
    #[arg(long, global = true)]
    insecure_skip_tls_verify: bool,
    /// Seconds per request.
    #[arg(long, default_value_t = 30.0, global = true)]
    timeout: f64,
}

#[derive(Subcommand)]
enum Command {
    /// Start the bundled emulator and walk the whole life cycle against it.
    Tour,
    /// Who and where this connection is (Connect-Vcs).
    Connection {
        #[command(subcommand)]
        action: ConnectionAction,
    },
    /// Users (Get-VcsUser, Remove-VcsUser).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Invitations (Get-VcsUserInvitation, New-VcsUserInvitation, Remove-VcsUserInvitation).
    Invitation {
        #[command(subcommand)]
        action: InvitationAction,
    },
    /// Organization roles (Get-VcsOrganizationRole).
    Role {
        #[command(subcommand)]
        action: RoleAction,
    },
    /// Services (Get-VcsService).
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
    /// Service roles (Get-VcsServiceRole).
    ServiceRole {
        #[command(subcommand)]
        action: ServiceRoleAction,
    },
    /// Make the organization match a CSV file: show the plan, then apply it row by row.
    Sync(sync::SyncArgs),
    /// Cloud Director users and roles (VCD_SERVER, VCD_ORG, VCD_USER + VCD_PASSWORD or VCD_API_TOKEN).
    Vcd {
        #[command(flatten)]
        args: vcd::VcdArgs,
        #[command(subcommand)]
        action: vcd::VcdAction,
    },
}

#[derive(Subcommand)]
enum ConnectionAction {
    Info,
}

#[derive(Subcommand)]
enum UserAction {
    /// List users, every page; patterns take PowerShell wildcards (*, ?, [a-z]).
    List {
        #[arg(long)]
        name: Vec<String>,
        #[arg(long)]
        email: Vec<String>,
        #[arg(long)]
        id: Vec<String>,
        /// Write the sync file (Email,OrganizationRoles,ServiceRoles) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Add or remove organization and service roles of users.
    Set(user_set::UserSetArgs),
    /// Remove users given by id, username, email or pattern.
    Remove {
        #[arg(required = true)]
        users: Vec<String>,
        /// Show who would be removed; remove nobody.
        #[arg(long)]
        dry_run: bool,
        /// Tell the removed users by email.
        #[arg(long)]
        notify: bool,
    },
}

#[derive(Subcommand)]
enum InvitationAction {
    List {
        #[arg(long)]
        name: Vec<String>,
        #[arg(long)]
        id: Vec<String>,
        /// Available, Redeemed, Revoked or Unknown.
        #[arg(long)]
        status: Vec<String>,
    },
    /// Invite email addresses with organization roles and, optionally, service roles.
    New {
        #[arg(required = true)]
        emails: Vec<String>,
        /// Organization role name (org_member, ...); repeat for more.
        #[arg(long = "org-role", required = true)]
        org_roles: Vec<String>,
        /// SERVICE=ROLE[,ROLE...], the service by name or id; repeat for more services.
        #[arg(long = "service-role")]
        service_roles: Vec<String>,
        /// Do not send the invitation emails.
        #[arg(long)]
        skip_notify: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Revoke pending invitations by id.
    Remove {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum RoleAction {
    List {
        #[arg(long)]
        name: Vec<String>,
        #[arg(long)]
        id: Vec<String>,
        /// Only the roles these users hold.
        #[arg(long)]
        user: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ServiceAction {
    List {
        #[arg(long)]
        name: Vec<String>,
        #[arg(long)]
        id: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ServiceRoleAction {
    List {
        #[arg(long)]
        name: Vec<String>,
        #[arg(long)]
        id: Vec<String>,
        /// Only the roles of these services (name, id or pattern).
        #[arg(long)]
        service: Vec<String>,
    },
}

impl ConnectionArgs {
    fn options(&self) -> Result<ConnectOptions, Error> {
        let credentials = match (&self.api_token, &self.app_id) {
            (Some(_), Some(_)) => return Err(Error::invalid("--api-token", "give either --api-token or --app-id, not both")),
            (Some(t), None) => Credentials::ApiToken(t.clone().into()),
            (None, Some(app)) => Credentials::ServiceApp {
                app_id: app.clone(),
                app_secret: self.app_secret.clone().ok_or_else(|| Error::invalid("--app-secret", "required with --app-id"))?.into(),
                org_id: self.org_id.clone().ok_or_else(|| Error::invalid("--org-id", "required with --app-id"))?,
            },
            (None, None) => {
                return Err(Error::invalid("--api-token", "required: set VCS_API_TOKEN (or VCS_APP_ID, VCS_APP_SECRET, VCS_ORG_ID)"))
            }
        };
        let mut o = ConnectOptions::new(self.server.clone(), credentials);
        if let Some(path) = &self.ca_certificate {
            let pem = std::fs::read_to_string(path).map_err(|e| Error::invalid("--ca-certificate", format!("{}: {e}", path.display())))?;
            o.tls.ca_certificate_pem = Some(pem);
        }
        o.tls.insecure_skip_tls_verify = self.insecure_skip_tls_verify;
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err(Error::invalid("--timeout", "must be a positive number of seconds"));
        }
        o.timeout = Duration::from_secs_f64(self.timeout);
        Ok(o)
    }
}

/// `SERVICE=ROLE[,ROLE]` into a service role spec.
fn service_role_spec(i: usize, text: &str) -> Result<ServiceRoleSpec, Error> {
    let field = format!("--service-role[{i}]");
    let (service, roles) = text.split_once('=').ok_or_else(|| Error::invalid(&field, format!("'{text}' is not SERVICE=ROLE[,ROLE]")))?;
    let roles: Vec<String> = roles.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect();
    if service.trim().is_empty() || roles.is_empty() {
        return Err(Error::invalid(&field, format!("'{text}' is not SERVICE=ROLE[,ROLE]")));
    }
    Ok(ServiceRoleSpec { service: service.trim().to_string(), roles })
}

pub(crate) enum Outcome {
    Done,
    Partial,
}

/// Prints a bulk report; some items failing makes the command's outcome partial.
pub(crate) fn report(out: &Output, r: vcs_native::BulkReport) -> Outcome {
    out.report(&r);
    if r.all_ok() {
        Outcome::Done
    } else {
        Outcome::Partial
    }
}

async fn run(cli: Cli, out: &Output) -> Result<Outcome, Error> {
    let command = match cli.command {
        Command::Tour => return tour::run().await.map(|_| Outcome::Done),
        Command::Vcd { args, action } => return vcd::run(&args, action, out).await,
        other => other,
    };
    let client = CspClient::connect(cli.connection.options()?).await?;
    let client = match out.progress_bar() {
        Some(bar) => client.with_progress(bar),
        None => client,
    };
    let report = |r: vcs_native::BulkReport| report(out, r);
    Ok(match command {
        Command::Tour | Command::Vcd { .. } => unreachable!("handled above"),
        Command::Connection { action: ConnectionAction::Info } => {
            out.object(&serde_json::to_value(client.info().await).unwrap_or_default());
            Outcome::Done
        }
        Command::User { action: UserAction::List { name, email, id, csv: true } } => {
            print!("{}", vcs_native::sync::csp::export(&client.users(&UserQuery { name, email, id }).await?));
            Outcome::Done
        }
        Command::User { action: UserAction::Set(args) } => user_set::run(&client, args, out).await?,
        Command::Sync(args) => {
            let text = args.read()?;
            let plan = vcs_native::sync::csp::plan(&client, &text, args.prune).await?;
            sync::run(plan, &args, out, |p| async move { vcs_native::sync::csp::apply(&client, &p).await }).await?
        }
        Command::User { action: UserAction::List { name, email, id, csv: false } } => {
            let users = client.users(&UserQuery { name, email, id }).await?;
            out.list(&users, &[("Name", "name"), ("Username", "username"), ("Email", "email"), ("Id", "id")]);
            Outcome::Done
        }
        Command::User { action: UserAction::Remove { users, dry_run, notify } } => {
            let refs: Vec<UserRef> = users.iter().map(|u| UserRef::parse(u)).collect();
            if dry_run {
                let resolved = client.resolve_users(&refs).await?;
                let plan: Vec<Value> = resolved
                    .into_iter()
                    .map(|(input, r)| match r {
                        Ok(ids) => json!({"input": input, "wouldRemove": ids}),
                        Err(e) => json!({"input": input, "error": e}),
                    })
                    .collect();
                out.dry_run("remove", &plan);
                Outcome::Done
            } else {
                out.progress(&format!("removing {} user(s)", refs.len()));
                report(client.remove_users(&refs, notify).await?)
            }
        }
        Command::Invitation { action: InvitationAction::List { name, id, status } } => {
            let inv = client.invitations(&InvitationQuery { name, id, status }).await?;
            out.list(
                &inv,
                &[("Email", "email"), ("Status", "status"), ("Created", "createdDate"), ("Expires", "expiredDate"), ("Id", "id")],
            );
            Outcome::Done
        }
        Command::Invitation { action: InvitationAction::New { emails, org_roles, service_roles, skip_notify, dry_run } } => {
            let service_roles = service_roles.iter().enumerate().map(|(i, s)| service_role_spec(i, s)).collect::<Result<Vec<_>, _>>()?;
            let request = InvitationRequest { emails, organization_roles: org_roles, service_roles, skip_notify };
            if dry_run {
                let plan: Vec<Value> = request
                    .emails
                    .iter()
                    .enumerate()
                    .map(|(i, e)| match check_email(&format!("emails[{i}]"), e) {
                        Ok(()) => json!({"input": e, "wouldInvite": true, "organizationRoles": request.organization_roles, "serviceRoles": request.service_roles.iter().map(|s| json!({"service": s.service, "roles": s.roles})).collect::<Vec<_>>()}),
                        Err(err) => json!({"input": e, "error": err}),
                    })
                    .collect();
                out.dry_run("invite", &plan);
                Outcome::Done
            } else {
                out.progress(&format!("inviting {} address(es)", request.emails.len()));
                report(client.invite(&request).await?)
            }
        }
        Command::Invitation { action: InvitationAction::Remove { ids, dry_run } } => {
            if dry_run {
                let found = client.invitations(&InvitationQuery { id: ids.clone(), ..Default::default() }).await?;
                let plan: Vec<Value> = found.iter().map(|i| json!({"input": i.id, "wouldRevoke": i.email, "status": i.status})).collect();
                out.dry_run("revoke", &plan);
                Outcome::Done
            } else {
                out.progress(&format!("revoking {} invitation(s)", ids.len()));
                report(client.revoke_invitations(&ids).await?)
            }
        }
        Command::Role { action: RoleAction::List { name, id, user } } => {
            let roles = client.organization_roles(&OrganizationRoleQuery { name, id, user }).await?;
            out.list(&roles, &[("Name", "name"), ("DisplayName", "displayName"), ("Id", "id")]);
            Outcome::Done
        }
        Command::Service { action: ServiceAction::List { name, id } } => {
            let services = client.services(&NameQuery { name, id }).await?;
            out.list(&services, &[("Name", "name"), ("TechnicalName", "technicalName"), ("Id", "id")]);
            Outcome::Done
        }
        Command::ServiceRole { action: ServiceRoleAction::List { name, id, service } } => {
            let roles = client.service_roles(&ServiceRoleQuery { name, id, service }).await?;
            out.list(&roles, &[("Name", "name"), ("DisplayName", "displayName"), ("Service", "serviceName")]);
            Outcome::Done
        }
    })
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { ErrorCategory::InvalidArgument.code() } else { 0 };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    let out = Output::new(cli.json);
    match vcs_native::runtime().block_on(run(cli, &out)) {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(vcs_native::error::PARTIAL_FAILURE_CODE as u8),
        Err(e) => {
            out.error(&e);
            ExitCode::from(e.category.code() as u8)
        }
    }
}
