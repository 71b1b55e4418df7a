//! Progress on stderr (indicatif): a bar on a terminal, plain lines with `--progress` elsewhere,
//! nothing otherwise, for listings and bulk work alike.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

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
