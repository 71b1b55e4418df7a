//! The one tokio runtime behind every blocking entry point (the C ABI, the CLI).

use std::sync::OnceLock;

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8))
            .thread_name("vcs-native")
            .enable_all()
            .build()
            .expect("the tokio runtime starts")
    })
}
