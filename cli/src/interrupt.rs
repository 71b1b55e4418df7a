//! Ctrl+C during any command. Every client the command makes comes through [`connected`], which
//! attaches the one job of the process; the first SIGINT cancels that job, so bulk work stops
//! sending within half a second and the command prints its report (done, failed, unknown, not
//! started) and exits with [`INTERRUPTED`]. A second Ctrl+C exits at once.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use vcs_native::vcd::VcdClient;
use vcs_native::{CspClient, Error, Job};

/// Exit code of an interrupted command (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

fn job() -> &'static Arc<Job> {
    static JOB: OnceLock<Arc<Job>> = OnceLock::new();
    JOB.get_or_init(Job::new)
}

/// Listens for Ctrl+C. Call once, inside the runtime, before any work starts.
pub fn install() {
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("vcs: interrupted; stopping and reporting what was done (Ctrl+C again quits at once)");
        job().cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(i32::from(INTERRUPTED));
        }
    });
}

/// Whether Ctrl+C was pressed.
pub fn interrupted() -> bool {
    job().is_cancelled()
}

/// A client that runs its calls under the process's job.
pub trait UnderJob {
    fn under(self, job: Arc<Job>) -> Self;
}

impl UnderJob for CspClient {
    fn under(self, job: Arc<Job>) -> Self {
        self.with_job(job)
    }
}

impl UnderJob for VcdClient {
    fn under(self, job: Arc<Job>) -> Self {
        self.with_job(job)
    }
}

/// Connects (unless Ctrl+C comes first) and attaches the job to the client.
pub async fn connected<C: UnderJob>(connect: impl Future<Output = Result<C, Error>>) -> Result<C, Error> {
    tokio::select! {
        biased;
        _ = job().cancelled() => Err(Error::cancelled(true)),
        client = connect => Ok(client?.under(job().clone())),
    }
}
