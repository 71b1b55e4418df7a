//! `vcs sync FILE.csv` and `vcs vcd sync FILE.csv`: make an organization match a file. The plan
//! is shown first (a table on a terminal, JSON with --json or when piped); --dry-run stops there;
//! otherwise it is applied after a yes (or --yes) and reported row by row.

use crate::output::{table, Output};
use crate::Outcome;
use clap::Args;
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use vcs_native::sync::{self, Action, SyncPlan, SyncReport};
use vcs_native::{Error, ErrorCategory};

#[derive(Args)]
pub struct SyncArgs {
    /// The CSV file (CSP: Email,OrganizationRoles,ServiceRoles; Cloud Director: Username,Password,
    /// Role,FullName,Email,Enabled,ProviderType). `vcs user list --csv` writes one.
    pub file: std::path::PathBuf,
    /// Also remove members (and, on CSP, revoke pending invitations) the file does not list.
    #[arg(long)]
    pub prune: bool,
    /// Show the plan and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking; required when stdin is not a terminal.
    #[arg(long)]
    pub yes: bool,
}

impl SyncArgs {
    pub fn read(&self) -> Result<String, Error> {
        sync::read_file("FILE", &self.file)
    }
}

/// The plan as text: a table of its rows (line, action, who, what), then a summary line.
pub fn plan_text(plan: &SyncPlan) -> String {
    let rows: Vec<Vec<String>> = plan
        .rows
        .iter()
        .map(|r| {
            let what = match r.action {
                Action::Invalid => format!("{}: {}", r.field.as_deref().unwrap_or("?"), r.reason.as_deref().unwrap_or_default()),
                Action::Refused => format!(
                    "would {}: {}",
                    r.refused_action.map(Action::as_str).unwrap_or("change"),
                    r.reason.as_deref().unwrap_or_default()
                ),
                _ => r.changes.join(", "),
            };
            vec![r.line.map(|l| l.to_string()).unwrap_or_else(|| "-".into()), r.action.as_str().to_string(), r.key.clone(), what]
        })
        .collect();
    let mut out = if rows.is_empty() { String::new() } else { table(vec!["Line", "Action", "Who", "What"], &rows) };
    let s = &plan.summary;
    let mut parts = Vec::new();
    for (n, what) in [
        (s.invite, "invite"),
        (s.reinvite, "re-invite"),
        (s.set_roles, "change roles"),
        (s.create, "create"),
        (s.update, "update"),
        (s.remove, "remove"),
        (s.revoke, "revoke"),
        (s.refused, "refused"),
        (s.invalid, "invalid"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    let changes = if s.changes == 1 { "1 change".to_string() } else { format!("{} changes", s.changes) };
    let detail = if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) };
    out.push_str(&format!("Plan: {changes}{detail}; {} already as the file says.\n", s.unchanged));
    out
}

fn show_plan(plan: &SyncPlan) {
    print!("{}", plan_text(plan));
}

fn show_report(report: &SyncReport) {
    for i in &report.items {
        let line = i.line.map(|l| format!("line {l}")).unwrap_or_else(|| "org".into());
        match &i.item.error {
            None => println!(
                "ok      {line:<9} {:<9} {}  {}{}",
                i.action.as_str(),
                i.item.input,
                i.item.outcome,
                i.item.message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
            ),
            Some(e) => println!("FAILED  {line:<9} {:<9} {}  {}: {}", i.action.as_str(), i.item.input, i.item.outcome, e.message),
        }
    }
    eprintln!("{} succeeded, {} did not", report.succeeded, report.items.len() - report.succeeded);
}

/// Asks on the terminal; without one, --yes is required.
fn confirm(plan: &SyncPlan) -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid("--yes", "required to apply a plan without a terminal to ask on; nothing was changed"));
    }
    eprint!("Apply {} change(s) to {}? [y/N] ", plan.summary.changes, plan.organization_name);
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| Error::new(ErrorCategory::Internal, e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Shows the plan, stops or asks, applies with `apply`, reports.
pub async fn run<F, Fut>(plan: SyncPlan, args: &SyncArgs, out: &Output, apply: F) -> Result<Outcome, Error>
where
    F: FnOnce(SyncPlan) -> Fut,
    Fut: std::future::Future<Output = Result<SyncReport, Error>>,
{
    let json = out.is_json();
    let stop_here = args.dry_run || plan.has_invalid() || plan.summary.changes == 0;
    if !json {
        show_plan(&plan);
    } else if stop_here {
        println!("{}", serde_json::to_string_pretty(&plan).unwrap_or_default());
    }
    if plan.has_invalid() {
        return Err(Error::invalid(
            "FILE",
            format!("{} row(s) of {} are invalid; nothing was applied", plan.summary.invalid, args.file.display()),
        ));
    }
    let would_fail = plan.summary.refused > 0;
    if stop_here {
        return Ok(if would_fail { Outcome::Partial } else { Outcome::Done });
    }
    if !args.yes && !confirm(&plan)? {
        eprintln!("Nothing was changed.");
        return Ok(Outcome::Done);
    }
    let report = apply(plan.clone()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&json!({"plan": plan, "report": report})).unwrap_or_default());
    } else {
        show_report(&report);
    }
    Ok(if report.all_ok() { Outcome::Done } else { Outcome::Partial })
}
