//! Listings as page streams: a task on the shared runtime fetches pages at most [`AHEAD`] ahead
//! of the reader (so reading overlaps fetching and memory stays flat however long the listing),
//! and the reader takes them one by one. Dropping the cursor stops the fetching; cancelling its
//! job from any thread makes a waiting or later `next_page` return `Cancelled` at once, even while
//! a page request hangs.

use crate::error::{Error, Result};
use crate::job::Job;
use serde::Serialize;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// Pages fetched (or being fetched) that the reader has not taken yet.
pub const AHEAD: usize = 2;

/// `total` when the service gives none.
const UNKNOWN: usize = usize::MAX;

/// One page as the reader receives it: the payload and how many objects it holds.
#[derive(Debug)]
pub struct Page<T> {
    pub items: T,
    pub count: usize,
}

/// How far a listing has come. `read`: objects handed to the reader; `scanned`: objects the
/// service sent (more than `read` when a filter drops some); `total`: what the service says it
/// holds, where it says so.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingProgress {
    pub read: usize,
    pub scanned: usize,
    pub total: Option<usize>,
    pub pages: usize,
    pub finished: bool,
    pub cancelled: bool,
}

#[derive(Default)]
struct Counters {
    read: AtomicUsize,
    scanned: AtomicUsize,
    total: AtomicUsize,
    pages: AtomicUsize,
    finished: AtomicBool,
}

type Message<T> = Result<(Page<T>, OwnedSemaphorePermit)>;

/// The reader's end of a listing.
pub struct PageCursor<T> {
    rx: mpsc::Receiver<Message<T>>,
    job: Arc<Job>,
    counters: Arc<Counters>,
    task: tokio::task::JoinHandle<()>,
    ended: bool,
    /// The error that ended the listing, answered again by every later call.
    failed: Option<Error>,
}

/// The fetching end, given to the code that knows the service's paging.
pub struct PageSink<I, T> {
    tx: mpsc::Sender<Message<T>>,
    permits: Arc<Semaphore>,
    job: Arc<Job>,
    counters: Arc<Counters>,
    convert: Arc<dyn Fn(Vec<I>) -> Result<T> + Send + Sync>,
}

impl<I, T> Clone for PageSink<I, T> {
    fn clone(&self) -> Self {
        PageSink {
            tx: self.tx.clone(),
            permits: self.permits.clone(),
            job: self.job.clone(),
            counters: self.counters.clone(),
            convert: self.convert.clone(),
        }
    }
}

/// Room for one page ahead of the reader; given back when the reader takes the page (or when
/// the page turns out empty after filtering).
pub struct Slot(OwnedSemaphorePermit);

fn cancelled_error() -> Error {
    Error::stopped("the listing was cancelled")
}

impl<I: Send + 'static, T: Send + 'static> PageSink<I, T> {
    /// Waits for room ahead of the reader. Fails once the listing is cancelled or the reader gone.
    pub async fn slot(&self) -> Result<Slot> {
        if self.job.is_cancelled() || self.tx.is_closed() {
            return Err(cancelled_error());
        }
        tokio::select! {
            p = self.permits.clone().acquire_owned() => p.map(Slot).map_err(|_| cancelled_error()),
            _ = self.job.cancelled() => Err(cancelled_error()),
            _ = self.tx.closed() => Err(cancelled_error()),
        }
    }

    /// Runs one request, abandoned as soon as the listing is cancelled or the reader gone.
    pub async fn fetch<R>(&self, request: impl Future<Output = Result<R>>) -> Result<R> {
        if self.job.is_cancelled() {
            return Err(cancelled_error());
        }
        tokio::select! {
            r = request => r,
            _ = self.job.cancelled() => Err(cancelled_error()),
            _ = self.tx.closed() => Err(cancelled_error()),
        }
    }

    pub fn set_total(&self, total: usize) {
        self.counters.total.store(total, Ordering::SeqCst);
        self.job.set_total(total);
    }

    /// Counts objects the service sent, before filtering.
    pub fn scanned(&self, n: usize) {
        self.counters.scanned.fetch_add(n, Ordering::SeqCst);
    }

    /// Hands a page to the reader (converted here, on the runtime, so the reader only copies it).
    /// An empty page is not sent: the reader waits for the next one, or the end.
    pub async fn send(&self, slot: Slot, items: Vec<I>) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let count = items.len();
        let page = Page { items: (self.convert)(items)?, count };
        self.tx.send(Ok((page, slot.0))).await.map_err(|_| cancelled_error())
    }
}

impl<T: Send + 'static> PageCursor<T> {
    /// Starts a listing: `produce` runs on the shared runtime and feeds the sink; its error, if
    /// any, is what the reader gets after the pages sent before it. `convert` turns each page's
    /// objects into the payload the reader wants (typed objects, or JSON text).
    pub fn start<I, F, Fut>(job: Arc<Job>, convert: impl Fn(Vec<I>) -> Result<T> + Send + Sync + 'static, produce: F) -> PageCursor<T>
    where
        I: Send + 'static,
        F: FnOnce(PageSink<I, T>) -> Fut,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(AHEAD);
        let counters = Arc::new(Counters { total: AtomicUsize::new(UNKNOWN), ..Default::default() });
        let sink = PageSink {
            tx: tx.clone(),
            permits: Arc::new(Semaphore::new(AHEAD)),
            job: job.clone(),
            counters: counters.clone(),
            convert: Arc::new(convert),
        };
        let work = produce(sink);
        let task = crate::runtime().spawn(async move {
            if let Err(e) = work.await {
                // The reader may be gone already; then nobody needs the error.
                let _ = tx.send(Err(e)).await;
            }
        });
        PageCursor { rx, job, counters, task, ended: false, failed: None }
    }

    /// The next page, `None` at the end (and on every call after it). Fails with `Cancelled` once
    /// the job is cancelled, at once even while a page request hangs; the first error of the
    /// listing ends it, and every later call answers that error again.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>> {
        if self.job.is_cancelled() {
            self.stop();
            return Err(cancelled_error());
        }
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.ended {
            return Ok(None);
        }
        let received = tokio::select! {
            biased;
            _ = self.job.cancelled() => {
                self.stop();
                return Err(cancelled_error());
            }
            m = self.rx.recv() => m,
        };
        match received {
            None => {
                self.ended = true;
                self.counters.finished.store(true, Ordering::SeqCst);
                Ok(None)
            }
            Some(Err(e)) => {
                self.stop();
                self.failed = Some(e.clone());
                Err(e)
            }
            Some(Ok((page, permit))) => {
                drop(permit);
                self.counters.read.fetch_add(page.count, Ordering::SeqCst);
                self.counters.pages.fetch_add(1, Ordering::SeqCst);
                self.job.advance(page.count);
                Ok(Some(page))
            }
        }
    }

    /// The job that cancels this listing from any thread.
    pub fn job(&self) -> &Arc<Job> {
        &self.job
    }

    pub fn progress(&self) -> ListingProgress {
        snapshot(&self.counters, &self.job)
    }

    /// A closure that reads the progress from another thread while the reader waits.
    pub fn progress_probe(&self) -> impl Fn() -> ListingProgress + Send + Sync + 'static {
        let (counters, job) = (self.counters.clone(), self.job.clone());
        move || snapshot(&counters, &job)
    }

    fn stop(&mut self) {
        self.ended = true;
        self.task.abort();
        self.rx.close();
    }
}

fn snapshot(counters: &Counters, job: &Job) -> ListingProgress {
    let total = counters.total.load(Ordering::SeqCst);
    ListingProgress {
        read: counters.read.load(Ordering::SeqCst),
        scanned: counters.scanned.load(Ordering::SeqCst),
        total: (total != UNKNOWN).then_some(total),
        pages: counters.pages.load(Ordering::SeqCst),
        finished: counters.finished.load(Ordering::SeqCst),
        cancelled: job.is_cancelled(),
    }
}

impl<T> Drop for PageCursor<T> {
    fn drop(&mut self) {
        // Stops the fetching at once: requests in flight are abandoned.
        self.task.abort();
    }
}
