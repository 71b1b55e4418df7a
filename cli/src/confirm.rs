//! Asking before a removal: on a terminal, the question names who (how many, and the first few);
//! without a terminal nothing is removed unless `--yes` says so.

use crate::output::plural;
use std::io::{BufRead, IsTerminal, Write};
use vcs_native::{BulkReport, Error};

/// How many names the question shows before "and N more".
const NAMES_SHOWN: usize = 5;

/// Refuses a removal that could not be confirmed: no `--yes` and no terminal to ask on. Checked
/// before connecting, so a script learns it at once.
pub fn require_yes_without_terminal(yes: bool) -> Result<(), Error> {
    if yes || (std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Ok(());
    }
    Err(Error::invalid(
        "--yes",
        "a removal asks for confirmation on a terminal; with no terminal to ask on, pass --yes (see who first with --dry-run)",
    ))
}

/// The users a plan would remove, as "name (email)".
fn names(plan: &BulkReport) -> Vec<String> {
    plan.items
        .iter()
        .filter(|i| i.ok)
        .filter_map(|i| i.target.as_ref())
        .map(|t| {
            let who = if t.username.is_empty() { t.id.clone() } else { t.username.clone() };
            if t.email.is_empty() || t.email.eq_ignore_ascii_case(&who) {
                who
            } else {
                format!("{who} <{}>", t.email)
            }
        })
        .collect()
}

/// The question: "Remove 3 users from Acme (ada, bob, carl)?".
pub fn question(plan: &BulkReport, place: &str) -> String {
    let names = names(plan);
    let mut shown = names.iter().take(NAMES_SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > NAMES_SHOWN {
        shown += &format!(" and {} more", names.len() - NAMES_SHOWN);
    }
    let mut q = format!("Remove {} from {place}: {shown}?", plural(names.len(), "user"));
    let failing = plan.items.iter().filter(|i| !i.ok).count();
    if failing > 0 {
        q += &format!(" ({} will not be removed: not found or refused)", plural(failing, "item"));
    }
    q
}

/// Asks on the terminal unless `yes`; true to go on. Nothing to remove asks nothing.
pub fn removal(plan: &BulkReport, yes: bool, place: &str) -> Result<bool, Error> {
    if yes || !plan.items.iter().any(|i| i.ok) {
        return Ok(true);
    }
    require_yes_without_terminal(false)?;
    // What will not happen, and why, before the question about what will.
    for item in plan.items.iter().filter(|i| !i.ok) {
        let why = item.error.as_ref().map(|e| e.message.clone()).unwrap_or_default();
        eprintln!("  {} {}: {why}", item.outcome, item.input);
    }
    eprint!("{} [y/N] ", question(plan, place));
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::invalid("--yes", format!("could not read the answer: {e}")))?;
    Ok(matches!(line.trim().to_lowercase().as_str(), "y" | "yes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vcs_native::{BulkItem, Target};

    #[test]
    fn the_question_names_who_and_how_many() {
        let items = (0..7)
            .map(|i| {
                BulkItem::success("a*", "wouldRemove", None).with_target(Target {
                    id: format!("id{i}"),
                    username: format!("user{i}"),
                    ..Default::default()
                })
            })
            .collect();
        let q = question(&BulkReport::from_items(items), "Acme");
        assert!(q.starts_with("Remove 7 users from Acme: user0, user1, user2, user3, user4 and 2 more?"), "{q}");
        let one = BulkReport::from_items(vec![BulkItem::success("x", "wouldRemove", None).with_target(Target {
            id: "1".into(),
            username: "x".into(),
            email: "x@y.z".into(),
            ..Default::default()
        })]);
        assert_eq!(question(&one, "Acme"), "Remove 1 user from Acme: x <x@y.z>?");
    }
}
