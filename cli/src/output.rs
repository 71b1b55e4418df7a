//! How `vcs` prints: aligned tables on a terminal, JSON with --json or when piped; errors and
//! progress on stderr.

use serde::Serialize;
use serde_json::Value;
use std::io::IsTerminal;
use vcs_native::{BulkReport, Error};

pub struct Output {
    json: bool,
    stderr_tty: bool,
    /// Columns a table may take: the terminal's width, none with `--wide`.
    width: Option<usize>,
    /// `--progress`: show progress on stderr even when it is not a terminal.
    forced_progress: bool,
}

impl Output {
    pub fn new(json_flag: bool, wide: bool) -> Self {
        let stdout_tty = std::io::stdout().is_terminal();
        Output {
            json: json_flag || !stdout_tty,
            stderr_tty: std::io::stderr().is_terminal(),
            width: if wide { None } else { terminal_width() },
            forced_progress: false,
        }
    }

    pub fn with_forced_progress(self, forced: bool) -> Self {
        Output { forced_progress: forced, ..self }
    }

    pub fn json_mode(&self) -> bool {
        self.json
    }

    pub fn forced_progress(&self) -> bool {
        self.forced_progress
    }

    /// JSON rather than tables (--json, or stdout not a terminal).
    pub fn is_json(&self) -> bool {
        self.json
    }

    fn print_json(v: &impl Serialize) {
        println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
    }

    pub fn list<T: Serialize>(&self, items: &[T], columns: &[(&str, &str)]) {
        if self.json {
            return Self::print_json(&items);
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| {
                let v = serde_json::to_value(item).unwrap_or_default();
                columns.iter().map(|(_, key)| cell(&v[*key])).collect()
            })
            .collect();
        print!("{}", fitted_table(columns.iter().map(|(h, _)| *h).collect(), &rows, self.width));
    }

    pub fn object(&self, v: &Value) {
        if self.json {
            return Self::print_json(v);
        }
        if let Some(map) = v.as_object() {
            let width = map.keys().map(String::len).max().unwrap_or(0);
            for (k, val) in map {
                println!("{k:width$}  {}", cell(val));
            }
        }
    }

    /// A bulk report: JSON as it is, or a table naming who each item acted on and a summary.
    pub fn report(&self, r: &BulkReport) {
        if self.json {
            return Self::print_json(r);
        }
        self.report_table(r);
        eprintln!("{}", summary(r));
    }

    /// A dry run's report: the same JSON as the real run, or on a terminal who would be affected.
    pub fn dry_run_report(&self, r: &BulkReport, verb: &str, noun: &str) {
        if self.json {
            return Self::print_json(r);
        }
        let would = r.items.iter().filter(|i| i.ok).count();
        println!("Dry run: would {verb} {}; nothing was changed.", plural(would, noun));
        self.report_table(r);
        let failing = r.failed + r.unknown;
        if failing > 0 {
            eprintln!("{} would fail (see the table)", plural(failing, "item"));
        }
    }

    fn report_table(&self, r: &BulkReport) {
        // Where every email is the username (as in CSP), one column says both.
        let emails_differ = r.items.iter().filter_map(|i| i.target.as_ref()).any(|t| !t.email.is_empty() && !t.email.eq_ignore_ascii_case(&t.username));
        let rows: Vec<Vec<String>> = r
            .items
            .iter()
            .map(|item| {
                let t = item.target.clone().unwrap_or_default();
                let note = match &item.error {
                    Some(e) => format!("{} [{}]", e.message, e.category),
                    None if item.outcome == vcs_native::removal::OUTCOME_WOULD_REMOVE => String::new(),
                    None => item.message.clone().unwrap_or_default(),
                };
                let mut row = vec![item.outcome.clone(), item.input.clone(), t.username];
                if emails_differ {
                    row.push(t.email);
                }
                row.extend([item.id.clone().unwrap_or(t.id), note]);
                row
            })
            .collect();
        let mut headers = vec!["Outcome", "Input", "Username"];
        if emails_differ {
            headers.push("Email");
        }
        headers.extend(["Id", "Note"]);
        print!("{}", fitted_table(headers, &rows, self.width));
    }

    /// A progress bar (indicatif) on stderr for long work, when stderr is a terminal or with
    /// `--progress`; one bar per operation, cleared when it is done.
    pub fn progress_bar(&self) -> Option<impl Fn(vcs_native::csp::Progress) + Send + Sync + 'static> {
        let forced = self.forced_progress;
        (self.stderr_tty || forced).then(|| {
            let current: std::sync::Mutex<Option<(&'static str, indicatif::ProgressBar)>> = std::sync::Mutex::new(None);
            move |p: vcs_native::csp::Progress| {
                let mut current = current.lock().unwrap_or_else(|e| e.into_inner());
                if current.as_ref().map(|(op, _)| *op) != Some(p.operation) {
                    if let Some((_, old)) = current.take() {
                        old.finish_and_clear();
                    }
                    *current = crate::progress::progress_bar(p.operation, forced).map(|b| (p.operation, b));
                }
                if let Some((_, bar)) = current.as_ref() {
                    crate::progress::show(bar, p.done, p.total);
                    if p.total > 0 && p.done >= p.total {
                        bar.finish_and_clear();
                    }
                }
            }
        })
    }

    pub fn progress(&self, what: &str) {
        if self.stderr_tty && !self.json {
            eprintln!("{what}…");
        }
    }

    pub fn error(&self, e: &Error) {
        if self.json {
            eprintln!("{}", serde_json::to_string(e).unwrap_or_default());
        } else {
            eprintln!("vcs: {e} [{}]", e.category);
        }
    }
}

pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// "1 user", "2 users", "0 users".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else if noun.ends_with('s') || noun.ends_with('x') {
        format!("{n} {noun}es")
    } else {
        format!("{n} {noun}s")
    }
}

/// "3 succeeded, 1 failed", with unknown and not-started items when there are any.
pub fn summary(r: &BulkReport) -> String {
    let mut s = format!("{} succeeded, {} failed", r.succeeded, r.failed);
    if r.unknown > 0 {
        s += &format!(", {} unknown", r.unknown);
    }
    if r.not_started > 0 {
        s += &format!(", {} not started", r.not_started);
    }
    if r.cancelled {
        s += " (cancelled)";
    }
    s
}

/// The terminal's width in columns: `COLUMNS` when set, else the terminal of stdout; none when
/// stdout is not a terminal.
pub fn terminal_width() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|n| *n > 0) {
        return Some(n);
    }
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ writes one winsize into the struct given; stdout is a terminal.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0 && size.ws_col > 0 {
            return Some(size.ws_col as usize);
        }
    }
    None
}

pub fn table(headers: Vec<&str>, rows: &[Vec<String>]) -> String {
    fitted_table(headers, rows, None)
}

/// Narrowest a truncated column gets; a column narrower than this is never cut.
const MIN_COLUMN: usize = 12;

/// Column widths that fit `max` columns: the widest column is cut first, a little at a time, so
/// the cut spreads over the wide columns and narrow ones stay whole. Where even that does not
/// fit, the table is left wider than `max`.
fn fit_widths(widths: &mut [usize], max: usize) {
    let gaps = 2 * widths.len().saturating_sub(1);
    let floor: Vec<usize> = widths.iter().map(|w| (*w).min(MIN_COLUMN)).collect();
    loop {
        let total: usize = widths.iter().sum::<usize>() + gaps;
        if total <= max {
            return;
        }
        let Some(widest) = (0..widths.len()).filter(|&i| widths[i] > floor[i]).max_by_key(|&i| widths[i]) else { return };
        let next = (0..widths.len()).filter(|&i| i != widest).map(|i| widths[i]).max().unwrap_or(0);
        let step = (widths[widest] - next.max(floor[widest])).max(1).min(total - max).min(widths[widest] - floor[widest]);
        widths[widest] -= step;
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// An aligned table; with `max`, at most that many columns wide (the widest columns truncated
/// with an ellipsis).
pub fn fitted_table(headers: Vec<&str>, rows: &[Vec<String>], max: Option<usize>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    if let Some(max) = max {
        fit_widths(&mut widths, max);
    }
    let line = |cells: Vec<String>| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let c = truncate(c, *w);
            if i + 1 == cells.len() {
                s.push_str(&c);
            } else {
                s.push_str(&format!("{c}{}  ", " ".repeat(w - c.chars().count())));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out += &line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for r in rows {
        out += &line(r.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_fit_the_width_by_cutting_the_widest_column() {
        let rows = vec![vec!["ada".to_string(), "a".repeat(100), "x@example.com".to_string()]];
        let t = fitted_table(vec!["Name", "Note", "Email"], &rows, Some(60));
        assert!(t.lines().all(|l| l.chars().count() <= 60), "{t}");
        assert!(t.contains('…'));
        assert!(t.contains("x@example.com") && t.contains("ada"), "narrow columns stay whole: {t}");
        let wide = fitted_table(vec!["Name", "Note", "Email"], &rows, None);
        assert!(wide.contains(&"a".repeat(100)));
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "user"), "1 user");
        assert_eq!(plural(0, "user"), "0 users");
        assert_eq!(plural(2, "address"), "2 addresses");
    }
}
