//! Listings written as they are read: with JSON output each page goes to stdout as it arrives
//! (the same pretty JSON array as a whole listing), so `vcs user list --json | head` stops the
//! fetching at once; a progress bar (indicatif) shows on stderr on a terminal, or anywhere with
//! `--progress`.

use crate::output::Output;
use crate::Outcome;
use indicatif::ProgressBar;
use serde::Serialize;
use std::io::Write;
use vcs_native::{Error, ErrorCategory, PageCursor};

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
        crate::progress::show(b, p.read, p.total.unwrap_or(0));
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

