//! How `vcs` prints: aligned tables on a terminal, JSON with --json or when piped; errors and
//! progress on stderr.

use serde::Serialize;
use serde_json::Value;
use std::io::IsTerminal;
use vcs_native::{BulkReport, Error};

pub struct Output {
    json: bool,
    stderr_tty: bool,
}

impl Output {
    pub fn new(json_flag: bool) -> Self {
        Output { json: json_flag || !std::io::stdout().is_terminal(), stderr_tty: std::io::stderr().is_terminal() }
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
        print!("{}", table(columns.iter().map(|(h, _)| *h).collect(), &rows));
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

    pub fn report(&self, r: &BulkReport) {
        if self.json {
            return Self::print_json(r);
        }
        for item in &r.items {
            match &item.error {
                None => println!(
                    "ok      {}  {}{}",
                    item.input,
                    item.outcome,
                    item.message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
                ),
                Some(e) => println!("FAILED  {}  {} [{}]", item.input, e.message, e.category),
            }
        }
        eprintln!("{} succeeded, {} did not", r.succeeded, r.failed);
    }

    pub fn dry_run(&self, action: &str, plan: &[Value]) {
        if self.json {
            return Self::print_json(&serde_json::json!({"dryRun": true, "action": action, "items": plan}));
        }
        for p in plan {
            println!("dry run: would {action} {}", serde_json::to_string(p).unwrap_or_default());
        }
    }

    /// A progress bar on stderr for long work, when stderr is a terminal.
    pub fn progress_bar(&self) -> Option<impl Fn(vcs_native::csp::Progress) + Send + Sync + 'static> {
        self.stderr_tty.then_some(|p: vcs_native::csp::Progress| {
            let width = 30;
            let filled = if p.total == 0 { width } else { p.done.min(p.total) * width / p.total };
            eprint!("\r{:<18} [{}{}] {}/{}", p.operation, "#".repeat(filled), "-".repeat(width - filled), p.done, p.total);
            if p.done >= p.total {
                eprintln!();
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

pub fn table(headers: Vec<&str>, rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
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
