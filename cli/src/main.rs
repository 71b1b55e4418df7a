//! `vcs`: the cmdlets for shell users and CI jobs. A client of the vcs-native library: flags in,
//! library calls, tables or JSON out. Exit codes are the library's status numbers
//! (0 ok, 1 invalid argument, 2 authentication, ... 13 some items of a bulk call failed), and 130
//! when Ctrl+C stopped the command.

mod confirm;
mod connection;
mod interrupt;
mod output;
mod progress;
mod stream;
mod sync;
mod tour;
mod user_set;
mod vcd;

use clap::{Args, Parser, Subcommand};
use output::Output;
use serde_json::json;
use std::process::ExitCode;
use vcs_native::csp::request::*;
use vcs_native::removal::RemovalOptions;
use vcs_native::csp::model::InvitationStatus;
use vcs_native::{BulkItem, BulkReport, ConnectOptions, Credentials, CspClient, Error, ErrorCategory, Target};

/// How users are named, in every command that takes users (list --name, remove, vcd set).
pub(crate) const SELECTORS: &str = "A user is named by its id, its username, its email, its full name, or a wildcard pattern \
(*, ?, [a-z]; case-insensitive) matched against the username, the email and the full name: the same rule in list, \
set and remove, for CSP and Cloud Director.";

const EXIT_CODES: &str = "Exit codes:
  0   success
  1   invalid argument or usage (also: a removal with no terminal to ask on and no --yes)
  2   authentication        3   permission          4   not found
  5   conflict              6   rate limited        7   server error
  8   network               9   timeout             10  protocol (answer not understood)
  11  internal error
  13  some items of a bulk command failed, or would fail in a --dry-run (the report says which)
  130 interrupted: Ctrl+C stopped the command, which printed what was done, failed, unknown and
      not started; a second Ctrl+C quits at once";

#[derive(Parser)]
#[command(name = "vcs", version, about = "User management for VMware Cloud Services Platform organizations", after_help = EXIT_CODES)]
struct Cli {
    #[command(flatten)]
    transport: connection::TransportArgs,
    #[command(flatten)]
    network: connection::NetworkArgs,
    /// Print JSON (the default when stdout is not a terminal).
    #[arg(long, global = true)]
    json: bool,
    /// Show tables in full; by default they are fitted to the terminal's width.
    #[arg(long, global = true)]
    wide: bool,
    /// Show progress on stderr even when it is not a terminal (on a terminal it always shows).
    #[arg(long, global = true)]
    progress: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
#[command(next_help_heading = "Connection (CSP)")]
struct ConnectionArgs {
    /// CSP server: host name, HOST:PORT (https assumed) or URL [default: console.cloud.vmware.com].
    #[arg(long, env = "VCS_SERVER", global = true)]
    server: Option<String>,
    /// API token (refresh token). Prefer the environment variable: flags show in process lists.
    #[arg(long, env = "VCS_API_TOKEN", hide_env_values = true, global = true)]
    api_token: Option<String>,
    /// OAuth app id (server-to-server app), with --app-secret and --org-id.
    #[arg(long, env = "VCS_APP_ID", global = true)]
    app_id: Option<String>,
    /// OAuth app secret, with --app-id. Prefer the environment variable.
    #[arg(long, env = "VCS_APP_SECRET", hide_env_values = true, global = true)]
    app_secret: Option<String>,
    /// Organization id, with --app-id.
    #[arg(long, env = "VCS_ORG_ID", global = true)]
    org_id: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the bundled emulator and walk the whole life cycle against it.
    Tour,
    /// Connect, show the connection, and with --save keep the API token for later commands (Connect-Vcs).
    Connect {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        args: connection::ConnectArgs,
    },
    /// This connection, and the saved API tokens.
    Connection {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        action: connection::ConnectionAction,
    },
    /// Users (Get-VcsUser, Remove-VcsUser).
    User {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        action: UserAction,
    },
    /// Invitations (Get-VcsUserInvitation, New-VcsUserInvitation, Remove-VcsUserInvitation).
    Invitation {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        action: InvitationAction,
    },
    /// Organization roles (Get-VcsOrganizationRole).
    Role {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        action: RoleAction,
    },
    /// Services (Get-VcsService).
    Service {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        action: ServiceAction,
    },
    /// Service roles (Get-VcsServiceRole).
    ServiceRole {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(subcommand)]
        action: ServiceRoleAction,
    },
    /// Make the organization match a CSV file: show the plan, then apply it row by row.
    Sync {
        #[command(flatten)]
        connection: ConnectionArgs,
        #[command(flatten)]
        args: sync::SyncArgs,
    },
    /// Cloud Director users and roles (VCD_SERVER, VCD_ORG, VCD_USER + VCD_PASSWORD or VCD_API_TOKEN).
    Vcd {
        #[command(flatten)]
        args: vcd::VcdArgs,
        #[command(subcommand)]
        action: vcd::VcdAction,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// List users, every page.
    #[command(after_help = SELECTORS)]
    List {
        /// Only users this names (id, username, email, full name or pattern); repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only users whose email matches this pattern; repeat for more.
        #[arg(long)]
        email: Vec<String>,
        /// Only the user with this id; repeat for more.
        #[arg(long)]
        id: Vec<String>,
        /// Write the sync file (Email,OrganizationRoles,ServiceRoles) instead of a table.
        #[arg(long)]
        csv: bool,
    },
    /// Add or remove organization and service roles of users.
    Set(user_set::UserSetArgs),
    /// Remove users: shows who, asks on a terminal, reports each user.
    #[command(after_help = SELECTORS)]
    Remove {
        /// Users to remove: ids, usernames, emails, full names or patterns.
        #[arg(required = true)]
        users: Vec<String>,
        /// Show who would be removed; remove nobody (exit 13 if any item would fail).
        #[arg(long)]
        dry_run: bool,
        /// Tell the removed users by email.
        #[arg(long)]
        notify: bool,
        /// Do not ask; needed when there is no terminal to ask on.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Allow removing your own membership and the organization's last org_owner.
        #[arg(long)]
        allow_self: bool,
    },
}

#[derive(Subcommand)]
enum InvitationAction {
    /// List invitations.
    List {
        /// Only invitations to emails matching this pattern; repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only the invitation with this id; repeat for more.
        #[arg(long)]
        id: Vec<String>,
        /// Available, Redeemed, Revoked or Unknown.
        #[arg(long)]
        status: Vec<String>,
    },
    /// Invite email addresses with organization roles and, optionally, service roles.
    New {
        /// Email addresses to invite.
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
        /// Check the addresses and show what would be sent; invite nobody.
        #[arg(long)]
        dry_run: bool,
    },
    /// Revoke pending invitations by id.
    Remove {
        /// Invitation ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Show what would be revoked; revoke nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum RoleAction {
    /// List organization roles.
    List {
        /// Only roles whose name matches this pattern; repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only the role with this id; repeat for more.
        #[arg(long)]
        id: Vec<String>,
        /// Only the roles these users hold.
        #[arg(long)]
        user: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ServiceAction {
    /// List services.
    List {
        /// Only services whose name matches this pattern; repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only the service with this id; repeat for more.
        #[arg(long)]
        id: Vec<String>,
    },
}

#[derive(Subcommand)]
enum ServiceRoleAction {
    /// List service roles.
    List {
        /// Only roles whose name matches this pattern; repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only the role with this id; repeat for more.
        #[arg(long)]
        id: Vec<String>,
        /// Only the roles of these services (name, id or pattern).
        #[arg(long)]
        service: Vec<String>,
    },
}

impl ConnectionArgs {
    fn options(&self, transport: &connection::TransportArgs, net: &connection::NetworkArgs) -> Result<ConnectOptions, Error> {
        let server = connection::server(self)?;
        let credentials = match (&self.api_token, &self.app_id) {
            (Some(_), Some(_)) => return Err(Error::invalid("--api-token", "give either --api-token or --app-id, not both")),
            (Some(t), None) => Credentials::ApiToken(t.clone().into()),
            (None, Some(app)) => Credentials::ServiceApp {
                app_id: app.clone(),
                app_secret: self.app_secret.clone().ok_or_else(|| Error::invalid("--app-secret", "required with --app-id"))?.into(),
                org_id: self.org_id.clone().ok_or_else(|| Error::invalid("--org-id", "required with --app-id"))?,
            },
            (None, None) => connection::saved_credentials(&server)?,
        };
        let settings = connection::transport(transport, net)?;
        let mut o = ConnectOptions::new(server, credentials);
        o.tls = settings.tls;
        o.network = settings.network;
        o.timeout = settings.timeout;
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

impl Outcome {
    /// Some items failing (or, in a dry run, would fail) makes the command's outcome partial.
    pub(crate) fn of(r: &vcs_native::BulkReport) -> Outcome {
        if r.all_ok() {
            Outcome::Done
        } else {
            Outcome::Partial
        }
    }
}

/// Prints a bulk report; some items failing makes the command's outcome partial.
pub(crate) fn report(out: &Output, r: vcs_native::BulkReport) -> Outcome {
    out.report(&r);
    Outcome::of(&r)
}

/// A removal run from the shell: a dry run prints the plan; a real run shows who, asks (unless
/// `--yes`), then removes exactly the users shown.
pub(crate) async fn remove<P, R>(out: &Output, dry_run: bool, yes: bool, place: &str, plan: P, carry_out: impl FnOnce(vcs_native::removal::Plan) -> R) -> Result<Outcome, Error>
where
    P: std::future::Future<Output = Result<vcs_native::removal::Plan, Error>>,
    R: std::future::Future<Output = Result<vcs_native::BulkReport, Error>>,
{
    let plan = plan.await?;
    let preview = plan.dry_run();
    if dry_run {
        out.dry_run_report(&preview, "remove", "user");
        return Ok(Outcome::of(&preview));
    }
    if !confirm::removal(&preview, yes, place)? {
        eprintln!("Nothing was removed.");
        return Ok(Outcome::Done);
    }
    let to_remove = preview.items.iter().filter(|i| i.ok).count();
    out.progress(&format!("removing {}", output::plural(to_remove, "user")));
    Ok(report(out, carry_out(plan).await?))
}

impl Command {
    fn connection(&self) -> Option<&ConnectionArgs> {
        match self {
            Command::Tour | Command::Vcd { .. } => None,
            Command::Connect { connection, .. }
            | Command::Connection { connection, .. }
            | Command::User { connection, .. }
            | Command::Invitation { connection, .. }
            | Command::Role { connection, .. }
            | Command::Service { connection, .. }
            | Command::ServiceRole { connection, .. }
            | Command::Sync { connection, .. } => Some(connection),
        }
    }
}

async fn run(cli: Cli, out: &Output) -> Result<Outcome, Error> {
    let command = match cli.command {
        Command::Tour => return tour::run().await.map(|_| Outcome::Done),
        Command::Vcd { args, action } => return vcd::run(&args, action, connection::transport(&cli.transport, &cli.network)?, out).await,
        Command::Connection {
            connection: csp,
            action: action @ (connection::ConnectionAction::List | connection::ConnectionAction::Forget { .. }),
        } => {
            let json = cli.json || !std::io::IsTerminal::is_terminal(&std::io::stdout());
            return connection::run_store(&action, &csp, json, out);
        }
        other => other,
    };
    if let Command::User { action: UserAction::Remove { dry_run: false, yes, .. }, .. } = &command {
        confirm::require_yes_without_terminal(*yes)?;
    }
    let csp = command.connection().expect("every other command connects to CSP");
    let options = csp.options(&cli.transport, &cli.network)?;
    let (server, credentials) = (options.server.clone(), options.credentials.clone());
    let client = interrupt::connected(CspClient::connect(options)).await?;
    let client = match out.progress_bar() {
        Some(bar) => client.with_progress(bar),
        None => client,
    };
    let report = |r: vcs_native::BulkReport| report(out, r);
    Ok(match command {
        Command::Tour | Command::Vcd { .. } => unreachable!("handled above"),
        Command::Connection { action: connection::ConnectionAction::Info, .. } => {
            out.object(&serde_json::to_value(client.info().await).unwrap_or_default());
            Outcome::Done
        }
        Command::Connection { .. } => unreachable!("handled above"),
        Command::Connect { args, .. } => {
            let saved = connection::after_connect(&args, &server, &credentials)?;
            let mut info = serde_json::to_value(client.info().await).unwrap_or_default();
            if let Some(location) = saved {
                info["savedTo"] = json!(location);
            }
            out.object(&info);
            Outcome::Done
        }
        Command::User { action: UserAction::List { name, email, id, csv: true }, .. } => {
            print!("{}", vcs_native::sync::csp::export(&client.users(&UserQuery { name, email, id }).await?));
            Outcome::Done
        }
        Command::User { action: UserAction::Set(args), .. } => user_set::run(&client, args, out).await?,
        Command::Sync { args, .. } => {
            let text = args.read()?;
            let plan = vcs_native::sync::csp::plan(&client, &text, args.prune).await?;
            sync::run(plan, &args, out, |p| async move { vcs_native::sync::csp::apply(&client, &p).await }).await?
        }
        Command::User { action: UserAction::List { name, email, id, csv: false }, .. } => {
            let cursor = client.users_cursor(&UserQuery { name, email, id }, vcs_native::Job::new(), Ok)?;
            let bar = progress::progress_bar("list users", out.forced_progress());
            stream::list(cursor, out, &[("Name", "name"), ("Username", "username"), ("Email", "email"), ("Id", "id")], bar).await?
        }
        Command::User { action: UserAction::Remove { users, dry_run, notify, yes, allow_self }, .. } => {
            let refs: Vec<UserRef> = users.iter().map(|u| UserRef::parse(u)).collect();
            let options = RemovalOptions { notify_users: notify, allow_self };
            let info = client.info().await;
            let place = format!("{} ({})", info.org_name, info.org_id);
            let plan = client.plan_remove_users(&refs, &options);
            remove(out, dry_run, yes, &place, plan, |plan| client.remove_planned(plan, &options)).await?
        }
        Command::Invitation { action: InvitationAction::List { name, id, status }, .. } => {
            let cursor = client.invitations_cursor(&InvitationQuery { name, id, status }, vcs_native::Job::new(), Ok)?;
            let bar = progress::progress_bar("list invitations", out.forced_progress());
            let columns = [("Email", "email"), ("Status", "status"), ("Created", "createdDate"), ("Expires", "expiredDate"), ("Id", "id")];
            stream::list(cursor, out, &columns, bar).await?
        }
        Command::Invitation { action: InvitationAction::New { emails, org_roles, service_roles, skip_notify, dry_run }, .. } => {
            let service_roles = service_roles.iter().enumerate().map(|(i, s)| service_role_spec(i, s)).collect::<Result<Vec<_>, _>>()?;
            let request = InvitationRequest { emails, organization_roles: org_roles, service_roles, skip_notify };
            if dry_run {
                let roles = json!({"organizationRoles": request.organization_roles, "serviceRoles": request.service_roles.iter().map(|s| json!({"service": s.service, "roles": s.roles})).collect::<Vec<_>>()});
                let items = request
                    .emails
                    .iter()
                    .enumerate()
                    .map(|(i, e)| match check_email(&format!("emails[{i}]"), e) {
                        Ok(()) => {
                            let mut it = BulkItem::success(e, "wouldInvite", None);
                            it.result = Some(roles.clone());
                            it
                        }
                        Err(err) => BulkItem::failure(e, None, err),
                    })
                    .collect();
                let r = BulkReport::from_items(items);
                out.dry_run_report(&r, "invite", "address");
                Outcome::of(&r)
            } else {
                out.progress(&format!("inviting {}", output::plural(request.emails.len(), "address")));
                report(client.invite(&request).await?)
            }
        }
        Command::Invitation { action: InvitationAction::Remove { ids, dry_run }, .. } => {
            if dry_run {
                let mut items = Vec::new();
                for id in &ids {
                    let found = client.invitations(&InvitationQuery { id: vec![id.clone()], ..Default::default() }).await;
                    items.push(match found.map(|mut v| v.pop()) {
                        Ok(Some(inv)) => {
                            let target = Target { id: inv.id.clone(), email: inv.email.clone(), ..Default::default() };
                            if inv.status == InvitationStatus::Available {
                                BulkItem::success(id, "wouldRevoke", Some(inv.id)).with_target(target)
                            } else {
                                let e = Error::new(ErrorCategory::Conflict, format!("the invitation is {:?}, not pending", inv.status));
                                let mut it = BulkItem::failure(id, Some(inv.id), e).with_target(target);
                                it.outcome = vcs_native::removal::OUTCOME_REFUSED.into();
                                it
                            }
                        }
                        Ok(None) => BulkItem::failure(id, None, Error::new(ErrorCategory::NotFound, "no such invitation")),
                        Err(e) => BulkItem::failure(id, None, e),
                    });
                }
                let r = BulkReport::from_items(items);
                out.dry_run_report(&r, "revoke", "invitation");
                Outcome::of(&r)
            } else {
                out.progress(&format!("revoking {}", output::plural(ids.len(), "invitation")));
                report(client.revoke_invitations(&ids).await?)
            }
        }
        Command::Role { action: RoleAction::List { name, id, user }, .. } => {
            let roles = client.organization_roles(&OrganizationRoleQuery { name, id, user }).await?;
            out.list(&roles, &[("Name", "name"), ("DisplayName", "displayName"), ("Id", "id")]);
            Outcome::Done
        }
        Command::Service { action: ServiceAction::List { name, id }, .. } => {
            let services = client.services(&NameQuery { name, id }).await?;
            out.list(&services, &[("Name", "name"), ("TechnicalName", "technicalName"), ("Id", "id")]);
            Outcome::Done
        }
        Command::ServiceRole { action: ServiceRoleAction::List { name, id, service }, .. } => {
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
    let out = Output::new(cli.json, cli.wide).with_forced_progress(cli.progress);
    let outcome = vcs_native::runtime().block_on(async {
        interrupt::install();
        run(cli, &out).await
    });
    if interrupt::interrupted() {
        if let Err(e) = &outcome {
            out.error(e);
        }
        return ExitCode::from(interrupt::INTERRUPTED);
    }
    match outcome {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(vcs_native::error::PARTIAL_FAILURE_CODE as u8),
        Err(e) => {
            out.error(&e);
            ExitCode::from(e.category.code() as u8)
        }
    }
}
