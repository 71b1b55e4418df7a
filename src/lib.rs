//! vcs-native: user management for VMware Cloud Services Platform (CSP) organizations, as an
//! async Rust library with a C ABI.
//!
//! ```text
//! PowerShell cmdlets (powershell/)    C / C# hosts
//!               \                       /
//!   C ABI: JSON strings in and out (src/ffi/)        vcs CLI (cli/)
//!                           \                          /
//!         Rust clients: CSP (src/csp/), async, one shared tokio runtime
//!                                       |
//!   HTTPS (reqwest, src/http.rs) ---> the real service, or the emulator (emulator/)
//! ```

pub mod bulk;
pub mod connect;
pub mod csp;
pub mod error;
pub mod ffi;
pub mod http;
pub mod job;
pub mod removal;
pub mod listing;
mod runtime;
pub mod secret;
pub mod select;
pub mod store;
pub mod throttle;
pub mod sync;
pub mod time;
pub mod vcd;
pub mod wildcard;

pub use bulk::{BulkItem, BulkReport, Target};
pub use connect::{NetworkOptions, ResolveRule, RetryNotice, RetryObserver};
pub use csp::{ConnectOptions, Credentials, CspClient};
pub use error::{Error, ErrorCategory, Result};
pub use http::{RetryPolicy, TlsOptions};
pub use job::{Job, JobProgress};
pub use listing::{ListingProgress, Page, PageCursor};
pub use runtime::runtime;
pub use secret::Secret;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
