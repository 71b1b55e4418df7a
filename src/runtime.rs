//! The one tokio runtime behind every blocking entry point (the C ABI, the CLI).

use std::sync::OnceLock;

/// The process that started the runtime: a forked child has none of its threads.
static OWNER_PID: OnceLock<u32> = OnceLock::new();

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        OWNER_PID.get_or_init(std::process::id);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8))
            .thread_name("vcs-native")
            .enable_all()
            .build()
            .expect("the tokio runtime starts")
    })
}

/// True in a child forked after the runtime started: the runtime cannot run there.
pub fn forked() -> bool {
    OWNER_PID.get().is_some_and(|pid| *pid != std::process::id())
}
