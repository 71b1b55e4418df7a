//! `vcs vcd ...`: Cloud Director users and roles from the shell, over the library's VcdClient.

use crate::output::Output;
use crate::Outcome;
use clap::{Args, Subcommand};
use serde_json::json;
use vcs_native::vcd::request::*;
use vcs_native::vcd::{VcdClient, VcdConnectOptions, VcdCredentials};
use vcs_native::removal::RemovalOptions;
use vcs_native::{BulkItem, BulkReport, Error, Target};

#[derive(Args)]
#[command(next_help_heading = "Connection (Cloud Director)")]
pub struct VcdArgs {
    /// Cloud Director address.
    #[arg(long, env = "VCD_SERVER", global = true)]
    vcd_server: Option<String>,
    /// Organization (System for the provider).
    #[arg(long, env = "VCD_ORG", global = true)]
    vcd_org: Option<String>,
    /// User name to log in with, with --vcd-password.
    #[arg(long, env = "VCD_USER", global = true)]
    vcd_user: Option<String>,
    /// Password of --vcd-user. Prefer the environment variable: flags show in process lists.
    #[arg(long, env = "VCD_PASSWORD", hide_env_values = true, global = true)]
    vcd_password: Option<String>,
    /// API token, instead of --vcd-user and --vcd-password. Prefer the environment variable.
    #[arg(long, env = "VCD_API_TOKEN", hide_env_values = true, global = true)]
    vcd_api_token: Option<String>,
    /// CloudAPI version for the Accept header.
    #[arg(long, env = "VCD_API_VERSION", global = true)]
    vcd_api_version: Option<String>,
}

#[derive(Subcommand)]
pub enum VcdAction {
    /// Who and where this session is (Connect-Vcd).
    Info,
    /// Users (Get-VcdUser, New-VcdUser, Set-VcdUser, Remove-VcdUser).
    User {
        #[command(subcommand)]
        action: VcdUserAction,
    },
    /// Make the organization's users match a CSV file (New-VcdUser's columns): plan, then apply.
    Sync(crate::sync::SyncArgs),
    /// Roles (Get-VcdRole).
    Role {
        #[command(subcommand)]
        action: VcdRoleAction,
    },
}

#[derive(Subcommand)]
pub enum VcdRoleAction {
    /// List the roles the organization may give.
    List {
        /// Only roles whose name matches this pattern; repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only the role with this URN; repeat for more.
        #[arg(long)]
        id: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum VcdUserAction {
    /// List users, every page.
    #[command(after_help = crate::SELECTORS)]
    List {
        /// Only users this names (URN, username, email, full name or pattern); repeat for more.
        #[arg(long)]
        name: Vec<String>,
        /// Only users whose email matches this pattern; repeat for more.
        #[arg(long)]
        email: Vec<String>,
        /// Only the user with this URN; repeat for more.
        #[arg(long)]
        id: Vec<String>,
        /// A FIQL filter the server applies, e.g. 'providerType==LDAP;enabled==true'.
        #[arg(long)]
        filter: Option<String>,
        /// Write the sync file (Username,Password,Role,FullName,Email,Enabled,ProviderType).
        #[arg(long)]
        csv: bool,
    },
    /// Create one user, or one per row of a CSV file (--csv), each reported.
    New {
        /// Username (omit with --csv).
        username: Option<String>,
        /// CSV with a header row: Username, Password, Role (names separated by ;), FullName, Email,
        /// Description, ProviderType, Enabled.
        #[arg(long, conflicts_with = "username")]
        csv: Option<std::path::PathBuf>,
        /// Role name (vApp User, ...); repeat for more.
        #[arg(long)]
        role: Vec<String>,
        /// The new user's password (LOCAL users). Prefer the environment variable.
        #[arg(long, env = "VCD_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Full name.
        #[arg(long)]
        full_name: Option<String>,
        /// Email address.
        #[arg(long)]
        email: Option<String>,
        /// Free text.
        #[arg(long)]
        description: Option<String>,
        /// LOCAL (default), LDAP, SAML or OAUTH.
        #[arg(long)]
        provider_type: Option<String>,
        /// Create the user disabled.
        #[arg(long)]
        disabled: bool,
        /// Check the users and show what would be created; create nobody.
        #[arg(long)]
        dry_run: bool,
    },
    /// Change one user.
    #[command(after_help = crate::SELECTORS)]
    Set {
        /// The user: URN, username, email, full name, or a pattern that names exactly one user.
        user: String,
        /// New full name.
        #[arg(long)]
        full_name: Option<String>,
        /// New email address.
        #[arg(long)]
        email: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// true or false.
        #[arg(long)]
        enabled: Option<bool>,
        /// The user's roles from now on (replacing the current ones); repeat for more.
        #[arg(long)]
        role: Vec<String>,
        /// New password (LOCAL users). Prefer the environment variable.
        #[arg(long, env = "VCD_NEW_USER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Remove users: shows who, asks on a terminal, reports each user.
    #[command(after_help = crate::SELECTORS)]
    Remove {
        /// Users to remove: URNs, usernames, emails, full names or patterns.
        #[arg(required = true)]
        users: Vec<String>,
        /// Show who would be removed; remove nobody (exit 13 if any item would fail).
        #[arg(long)]
        dry_run: bool,
        /// Do not ask; needed when there is no terminal to ask on.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Send the removal of the account you are logged in with (the server refuses it too).
        #[arg(long)]
        allow_self: bool,
    },
}

impl VcdArgs {
    fn options(&self) -> Result<VcdConnectOptions, Error> {
        let server = self.vcd_server.clone().ok_or_else(|| Error::invalid("--vcd-server", "required: set VCD_SERVER"))?;
        let org = self.vcd_org.clone().ok_or_else(|| Error::invalid("--vcd-org", "required: set VCD_ORG (System for the provider)"))?;
        let credentials = match (&self.vcd_api_token, &self.vcd_user, &self.vcd_password) {
            (Some(t), None, _) => VcdCredentials::ApiToken(t.clone().into()),
            (None, Some(u), Some(p)) => VcdCredentials::Password { username: u.clone(), password: p.clone().into() },
            (Some(_), Some(_), _) => return Err(Error::invalid("--vcd-api-token", "give either --vcd-api-token or --vcd-user, not both")),
            (None, Some(_), None) => return Err(Error::invalid("--vcd-password", "required with --vcd-user: set VCD_PASSWORD")),
            (None, None, _) => return Err(Error::invalid("--vcd-user", "required: set VCD_USER and VCD_PASSWORD, or VCD_API_TOKEN")),
        };
        let mut o = VcdConnectOptions::new(server, &org, credentials);
        if let Some(v) = &self.vcd_api_version {
            o.api_version = v.clone();
        }
        Ok(o)
    }
}

/// Splits one CSV line into fields (quotes and doubled quotes understood).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// Reads users from CSV: a header row, then one user per row.
pub fn read_csv(path: &std::path::Path) -> Result<Vec<NewVcdUser>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::invalid("--csv", format!("{}: {e}", path.display())))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| Error::invalid("--csv", "the file is empty"))?;
    let columns: Vec<String> = csv_fields(header).iter().map(|h| h.trim().to_lowercase()).collect();
    const KNOWN: [&str; 9] = ["username", "password", "role", "roles", "fullname", "email", "description", "providertype", "enabled"];
    if let Some(bad) = columns.iter().find(|c| !KNOWN.contains(&c.as_str())) {
        return Err(Error::invalid(
            "--csv",
            format!("unknown column '{bad}' (known: Username, Password, Role, FullName, Email, Description, ProviderType, Enabled)"),
        ));
    }
    let mut users = Vec::new();
    for (n, line) in lines {
        let fields = csv_fields(line);
        if fields.len() != columns.len() {
            return Err(Error::invalid("--csv", format!("line {}: {} fields, the header has {}", n + 1, fields.len(), columns.len())));
        }
        let get = |name: &str| columns.iter().position(|c| c == name).map(|i| fields[i].trim().to_string()).filter(|s| !s.is_empty());
        let enabled = match get("enabled") {
            None => None,
            Some(v) => Some(
                v.parse::<bool>()
                    .map_err(|_| Error::invalid("--csv", format!("line {}: Enabled must be true or false, got '{v}'", n + 1)))?,
            ),
        };
        users.push(NewVcdUser {
            username: get("username").unwrap_or_default(),
            password: get("password"),
            roles: get("role")
                .or_else(|| get("roles"))
                .map(|r| r.split(';').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            full_name: get("fullname"),
            email: get("email"),
            description: get("description"),
            provider_type: get("providertype"),
            enabled,
            ..Default::default()
        });
    }
    Ok(users)
}

pub async fn run(args: &VcdArgs, action: VcdAction, settings: crate::connection::TransportSettings, out: &Output) -> Result<Outcome, Error> {
    if let VcdAction::User { action: VcdUserAction::Remove { dry_run: false, yes, .. } } = &action {
        crate::confirm::require_yes_without_terminal(*yes)?;
    }
    let mut options = args.options()?;
    (options.tls, options.network, options.timeout) = (settings.tls, settings.network, settings.timeout);
    let client = crate::interrupt::connected(VcdClient::connect(options)).await?;
    let outcome = match action {
        VcdAction::Info => {
            out.object(&serde_json::to_value(client.info()).unwrap_or_default());
            Outcome::Done
        }
        VcdAction::Role { action: VcdRoleAction::List { name, id } } => {
            let roles = client.roles(&VcdRoleQuery { name, id }).await?;
            out.list(&roles, &[("Name", "name"), ("Description", "description")]);
            Outcome::Done
        }
        VcdAction::User { action: VcdUserAction::List { name, email, id, filter, csv: true } } => {
            print!("{}", vcs_native::sync::vcd::export(&client.users(&VcdUserQuery { name, email, id, filter }).await?));
            Outcome::Done
        }
        VcdAction::Sync(args) => {
            let text = args.read()?;
            let plan = vcs_native::sync::vcd::plan(&client, &text, args.prune).await?;
            let (client, text) = (&client, &text);
            crate::sync::run(plan, &args, out, |p| async move { vcs_native::sync::vcd::apply(client, &p, Some(text)).await }).await?
        }
        VcdAction::User { action: VcdUserAction::List { name, email, id, filter, csv: false } } => {
            let cursor = client.users_cursor(&VcdUserQuery { name, email, id, filter }, vcs_native::Job::new(), Ok)?;
            let columns = [
                ("Username", "username"),
                ("FullName", "fullName"),
                ("Email", "email"),
                ("ProviderType", "providerType"),
                ("Enabled", "enabled"),
                ("Id", "id"),
            ];
            crate::stream::list(cursor, out, &columns, crate::progress::progress_bar("list users", out.forced_progress())).await?
        }
        VcdAction::User {
            action: VcdUserAction::New { username, csv, role, password, full_name, email, description, provider_type, disabled, dry_run },
        } => {
            let users = match (username, csv) {
                (_, Some(path)) => read_csv(&path)?,
                (Some(_), None) if password.is_none() && provider_type.as_deref().map_or(true, |p| p.eq_ignore_ascii_case("LOCAL")) => {
                    return Err(Error::invalid(
                        "--password",
                        "required for a LOCAL user: set VCD_NEW_USER_PASSWORD (or pass --password, which shows in the process list)",
                    ))
                }
                (Some(u), None) => vec![NewVcdUser {
                    username: u,
                    password,
                    roles: role,
                    full_name,
                    email,
                    description,
                    provider_type,
                    enabled: Some(!disabled),
                    ..Default::default()
                }],
                (None, None) => return Err(Error::invalid("username", "give a username, or --csv FILE")),
            };
            if dry_run {
                let items = users
                    .iter()
                    .enumerate()
                    .map(|(i, u)| {
                        let target = Target { username: u.username.clone(), ..Default::default() };
                        match u.to_body(&format!("users[{i}]")) {
                            Ok(_) => {
                                let mut it = BulkItem::success(u.username.clone(), "wouldCreate", None).with_target(target);
                                it.result = Some(json!({"roles": u.roles}));
                                it
                            }
                            Err(e) => BulkItem::failure(u.username.clone(), None, e).with_target(target),
                        }
                    })
                    .collect();
                let r = BulkReport::from_items(items);
                out.dry_run_report(&r, "create", "user");
                Outcome::of(&r)
            } else {
                out.progress(&format!("creating {}", crate::output::plural(users.len(), "user")));
                crate::report(out, client.new_users(&users).await?)
            }
        }
        VcdAction::User { action: VcdUserAction::Set { user, full_name, email, description, enabled, role, password } } => {
            let changes = VcdUserChanges {
                id: user,
                full_name,
                email,
                description,
                enabled,
                roles: (!role.is_empty()).then_some(role),
                password,
                ..Default::default()
            };
            out.object(&serde_json::to_value(client.set_user(&changes).await?).unwrap_or_default());
            Outcome::Done
        }
        VcdAction::User { action: VcdUserAction::Remove { users, dry_run, yes, allow_self } } => {
            let options = RemovalOptions { allow_self, notify_users: false };
            let info = client.info();
            let place = format!("Cloud Director organization {}", info.org);
            if dry_run {
                // The server's own refusals (the logged-in account) show whatever --allow-self says.
                let r = client.dry_run_remove_users(&users, &options).await?;
                out.dry_run_report(&r, "remove", "user");
                Outcome::of(&r)
            } else {
                let plan = client.plan_remove_users(&users, &options);
                crate::remove(out, false, yes, &place, plan, |plan| client.remove_planned(plan)).await?
            }
        }
    };
    let _ = client.logout().await;
    Ok(outcome)
}
