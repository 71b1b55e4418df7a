//! `vcs user set USER... --add-org-role R --remove-service-role 'SERVICE=ROLE'`: changes members'
//! roles (Set-VcsUser); --dry-run reports who would change and sends nothing.

use crate::output::Output;
use crate::Outcome;
use clap::Args;
use serde_json::json;
use vcs_native::csp::request::ServiceRoleSpec;
use vcs_native::csp::user_roles::UserRolesRequest;
use vcs_native::{CspClient, Error};

#[derive(Args)]
pub struct UserSetArgs {
    /// Users: email, username, id or pattern (matched against username, email and name).
    #[arg(required = true)]
    pub users: Vec<String>,
    /// Organization role to add (org_member, developer, ...); repeat for more.
    #[arg(long = "add-org-role")]
    pub add_org_roles: Vec<String>,
    /// Organization role to remove; repeat for more.
    #[arg(long = "remove-org-role")]
    pub remove_org_roles: Vec<String>,
    /// SERVICE=ROLE to add, the service by name, technical name or id; repeat for more.
    #[arg(long = "add-service-role")]
    pub add_service_roles: Vec<String>,
    /// SERVICE=ROLE to remove; repeat for more.
    #[arg(long = "remove-service-role")]
    pub remove_service_roles: Vec<String>,
    /// Tell the users by email.
    #[arg(long)]
    pub notify: bool,
    /// Show who would change and how; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `SERVICE=ROLE` (the last `=` splits, so a service name may hold one).
fn spec(flag: &str, i: usize, text: &str) -> Result<ServiceRoleSpec, Error> {
    let field = format!("{flag}[{i}]");
    match text.rsplit_once('=') {
        Some((s, r)) if !s.trim().is_empty() && !r.trim().is_empty() => {
            Ok(ServiceRoleSpec { service: s.trim().to_string(), roles: vec![r.trim().to_string()] })
        }
        _ => Err(Error::invalid(field, format!("'{text}' is not SERVICE=ROLE"))),
    }
}

fn specs(flag: &str, raw: &[String]) -> Result<Vec<ServiceRoleSpec>, Error> {
    raw.iter().enumerate().map(|(i, t)| spec(flag, i, t)).collect()
}

pub async fn run(client: &CspClient, args: UserSetArgs, out: &Output) -> Result<Outcome, Error> {
    let request = UserRolesRequest {
        users: args.users.iter().map(|u| json!(u)).collect(),
        add_organization_roles: args.add_org_roles,
        remove_organization_roles: args.remove_org_roles,
        add_service_roles: specs("--add-service-role", &args.add_service_roles)?,
        remove_service_roles: specs("--remove-service-role", &args.remove_service_roles)?,
        notify_users: args.notify,
        dry_run: args.dry_run,
    };
    out.progress(&format!("changing the roles of {} selection(s)", request.users.len()));
    Ok(crate::report(out, client.set_user_roles(&request).await?))
}
