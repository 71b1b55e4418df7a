//! A job: what a host holds to cancel a long call from another thread and to follow it while it
//! runs. Clients carry one (`CspClient::with_job`, `VcdClient::with_job`); listings and bulk work
//! check it between requests and race it against requests in flight, and record each item as it
//! finishes, so a cancelled or killed call never leaves work its report does not show.

use crate::bulk::BulkItem;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Job {
    cancelled: AtomicBool,
    wake: tokio::sync::Notify,
    total: AtomicUsize,
    done: AtomicUsize,
    failed: AtomicUsize,
    operation: Mutex<String>,
    finished: Mutex<Vec<BulkItem>>,
}

/// A snapshot of a job's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    pub operation: String,
    /// Units finished (items, or for listings objects read).
    pub done: usize,
    /// Of those, the ones that failed.
    pub failed: usize,
    /// All units, where known (0 when not).
    pub total: usize,
    pub cancelled: bool,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("progress", &self.progress()).finish()
    }
}

impl Job {
    pub fn new() -> Arc<Job> {
        Arc::new(Job::default())
    }

    /// Asks the job to stop: no new request is sent, requests in flight are abandoned. Any thread.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the job is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// Names the work under way and its size (0 = unknown).
    pub fn start(&self, operation: &str, total: usize) {
        *self.operation.lock().unwrap_or_else(|p| p.into_inner()) = operation.to_string();
        self.total.store(total, Ordering::SeqCst);
    }

    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
    }

    /// Counts `units` done without recording items (listings).
    pub fn advance(&self, units: usize) {
        self.done.fetch_add(units, Ordering::SeqCst);
    }

    /// Records one finished item of a bulk call.
    pub fn finish(&self, item: &BulkItem) {
        if !item.ok {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
        self.finished.lock().unwrap_or_else(|p| p.into_inner()).push(item.clone());
        self.done.fetch_add(1, Ordering::SeqCst);
    }

    pub fn progress(&self) -> JobProgress {
        JobProgress {
            operation: self.operation.lock().unwrap_or_else(|p| p.into_inner()).clone(),
            done: self.done.load(Ordering::SeqCst),
            failed: self.failed.load(Ordering::SeqCst),
            total: self.total.load(Ordering::SeqCst),
            cancelled: self.is_cancelled(),
        }
    }

    /// Items finished so far, from index `from` on, in the order they finished.
    pub fn finished_since(&self, from: usize) -> Vec<BulkItem> {
        let items = self.finished.lock().unwrap_or_else(|p| p.into_inner());
        items.get(from..).map(<[BulkItem]>::to_vec).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_from_another_thread_wakes_a_waiter() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let job = Job::new();
        let j = job.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            j.cancel();
        });
        rt.block_on(async { tokio::time::timeout(std::time::Duration::from_secs(5), job.cancelled()).await }).expect("woken");
        t.join().unwrap();
        assert!(job.progress().cancelled);
    }
}
