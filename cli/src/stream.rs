//! Listings written as they are read: with JSON output each page goes to stdout as it arrives
//! (the same pretty JSON array as a whole listing), so `vcs user list --json | head` stops the
//! fetching at once; a progress bar (indicatif) shows on stderr on a terminal, or anywhere with
//! `--progress`.

use crate::output::Output;
use crate::Outcome;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;
use vcs_native::{Error, ErrorCategory, PageCursor};

/// A progress bar on stderr: drawn on a terminal; as plain lines, once a second, when stderr is
/// not a terminal but `--progress` asks for it; `None` otherwise, so pipes and logs stay clean.
pub fn progress_bar(operation: &str, forced: bool) -> Option<ProgressBar> {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else if forced {
        ProgressDrawTarget::term_like_with_hz(Box::new(PlainLines::default()), 1)
    } else {
        return None;
    };
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(counting_style());
    bar.set_message(operation.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

fn counting_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg}: {human_pos} ({per_sec})").unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn measured_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg:<18} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>-")
}

/// Moves the bar to `done` of `total` (0 = unknown), switching to a measured bar once a total is known.
pub fn show(bar: &ProgressBar, done: usize, total: usize) {
    if total > 0 && bar.length() != Some(total as u64) {
        bar.set_length(total as u64);
        bar.set_style(measured_style());
    }
    bar.set_position(done as u64);
}

/// Writes a listing: JSON pages as they arrive, or a table once every row is in. A reader that
/// goes away (a closed pipe) ends the listing quietly, and with it the fetching.
pub async fn list<T: Serialize + Send + 'static>(
    mut cursor: PageCursor<Vec<T>>,
    out: &Output,
    columns: &[(&str, &str)],
    bar: Option<ProgressBar>,
) -> Result<Outcome, Error> {
    let result = if out.json_mode() {
        write_json(&mut cursor, bar.as_ref()).await
    } else {
        write_table(&mut cursor, out, columns, bar.as_ref()).await
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    result
}

async fn next<T: Send + 'static>(cursor: &mut PageCursor<Vec<T>>, bar: Option<&ProgressBar>) -> Result<Option<Vec<T>>, Error> {
    let page = cursor.next_page().await?;
    if let Some(b) = bar {
        let p = cursor.progress();
        show(b, p.read, p.total.unwrap_or(0));
    }
    Ok(page.map(|p| p.items))
}

async fn write_json<T: Serialize + Send + 'static>(cursor: &mut PageCursor<Vec<T>>, bar: Option<&ProgressBar>) -> Result<Outcome, Error> {
    let mut first = true;
    while let Some(items) = next(cursor, bar).await? {
        let pretty = serde_json::to_string_pretty(&items).map_err(|e| Error::internal(format!("writing JSON: {e}")))?;
        // "[\n  {...},\n  {...}\n]": the objects, already indented as inside the whole array.
        let body = pretty.strip_prefix("[\n").and_then(|b| b.strip_suffix("\n]")).unwrap_or("");
        if body.is_empty() {
            continue;
        }
        let chunk = format!("{}{body}", if first { "[\n" } else { ",\n" });
        first = false;
        if !emit(chunk.as_bytes())? {
            return Ok(Outcome::Done);
        }
    }
    emit(if first { b"[]\n" } else { b"\n]\n" })?;
    Ok(Outcome::Done)
}

/// Writes to stdout and flushes; `false` once the reader has gone (a closed pipe).
fn emit(bytes: &[u8]) -> Result<bool, Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(Error::new(ErrorCategory::Internal, format!("writing to stdout: {e}"))),
    }
}

async fn write_table<T: Serialize + Send + 'static>(
    cursor: &mut PageCursor<Vec<T>>,
    out: &Output,
    columns: &[(&str, &str)],
    bar: Option<&ProgressBar>,
) -> Result<Outcome, Error> {
    let mut rows = Vec::new();
    while let Some(items) = next(cursor, bar).await? {
        rows.extend(items);
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out.list(&rows, columns);
    Ok(Outcome::Done)
}

/// A terminal stand-in for stderr when it is not a terminal: each redraw becomes one plain line,
/// with no cursor movement, so a log shows the progress readably.
#[derive(Debug, Default)]
struct PlainLines {
    line: Mutex<String>,
}

impl TermLike for PlainLines {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write_str(s)?;
        self.flush()
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.line.lock().unwrap_or_else(|p| p.into_inner()).push_str(s);
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        let mut line = self.line.lock().unwrap_or_else(|p| p.into_inner());
        let text = line.trim();
        if !text.is_empty() {
            writeln!(std::io::stderr(), "{text}")?;
        }
        line.clear();
        Ok(())
    }
}
