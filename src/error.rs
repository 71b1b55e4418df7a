//! One error type for every layer: a category a program can act on, the HTTP status, the
//! service's message, error code and request id. No secret ever goes into an `Error`.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCategory {
    InvalidArgument,
    Authentication,
    Permission,
    NotFound,
    Conflict,
    RateLimited,
    Server,
    Network,
    Timeout,
    /// The answer could not be understood (not JSON, wrong shape, truncated).
    Protocol,
    /// A bug in the library, reported rather than crashing the host.
    Internal,
    /// The caller stopped the call (a cursor or job cancelled from another thread), or the
    /// connection it ran on was closed meanwhile.
    Cancelled,
}

impl ErrorCategory {
    pub const ALL: [ErrorCategory; 12] = [
        ErrorCategory::InvalidArgument,
        ErrorCategory::Authentication,
        ErrorCategory::Permission,
        ErrorCategory::NotFound,
        ErrorCategory::Conflict,
        ErrorCategory::RateLimited,
        ErrorCategory::Server,
        ErrorCategory::Network,
        ErrorCategory::Timeout,
        ErrorCategory::Protocol,
        ErrorCategory::Internal,
        ErrorCategory::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCategory::InvalidArgument => "invalidArgument",
            ErrorCategory::Authentication => "authentication",
            ErrorCategory::Permission => "permission",
            ErrorCategory::NotFound => "notFound",
            ErrorCategory::Conflict => "conflict",
            ErrorCategory::RateLimited => "rateLimited",
            ErrorCategory::Server => "server",
            ErrorCategory::Network => "network",
            ErrorCategory::Timeout => "timeout",
            ErrorCategory::Protocol => "protocol",
            ErrorCategory::Internal => "internal",
            ErrorCategory::Cancelled => "cancelled",
        }
    }

    /// The number this category has everywhere: the C ABI's `VcsStatus` and the `vcs` command's
    /// exit code.
    pub fn code(self) -> i32 {
        match self {
            ErrorCategory::InvalidArgument => 1,
            ErrorCategory::Authentication => 2,
            ErrorCategory::Permission => 3,
            ErrorCategory::NotFound => 4,
            ErrorCategory::Conflict => 5,
            ErrorCategory::RateLimited => 6,
            ErrorCategory::Server => 7,
            ErrorCategory::Network => 8,
            ErrorCategory::Timeout => 9,
            ErrorCategory::Protocol => 10,
            ErrorCategory::Internal => 11,
            ErrorCategory::Cancelled => 14,
        }
    }

    /// The category an HTTP error status falls in.
    pub fn from_status(status: u16) -> ErrorCategory {
        match status {
            400 | 405 | 411 | 413 | 414 | 415 | 422 => ErrorCategory::InvalidArgument,
            401 => ErrorCategory::Authentication,
            403 => ErrorCategory::Permission,
            404 | 410 => ErrorCategory::NotFound,
            409 | 412 => ErrorCategory::Conflict,
            429 => ErrorCategory::RateLimited,
            408 | 504 => ErrorCategory::Timeout,
            _ => ErrorCategory::Server,
        }
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Error {
    pub category: ErrorCategory,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The service's own error code (`errorCode` / `cspErrorCode` / `minorErrorCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// The input field the error is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The request this error is about never left the library (cancelled while it waited, or
    /// refused by the service before acting): it cannot have taken effect.
    #[serde(skip)]
    pub not_sent: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Input quoted in an error message, cut at 80 characters so a huge input stays a short message.
pub fn excerpt(s: &str) -> String {
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The code of a caught panic, and of a bulk call in which some items failed.
pub const PANIC_CODE: i32 = 12;
pub const PARTIAL_FAILURE_CODE: i32 = 13;

impl Error {
    pub fn new(category: ErrorCategory, message: impl Into<String>) -> Self {
        Error { category, message: message.into(), http_status: None, request_id: None, service_code: None, field: None, not_sent: false }
    }

    /// Bad input: names the field and says what is wrong with it.
    pub fn invalid(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        let field = field.into();
        let mut e = Error::new(ErrorCategory::InvalidArgument, format!("{field}: {problem}"));
        e.field = Some(field);
        e
    }

    /// The call was cancelled; `not_sent` says that the request cannot have taken effect.
    pub fn cancelled(not_sent: bool) -> Self {
        let message = if not_sent {
            "the call was cancelled before this request was sent"
        } else {
            "the call was cancelled while this request was in flight: it may have taken effect"
        };
        Error { not_sent, ..Error::new(ErrorCategory::Cancelled, message) }
    }

    pub fn is_cancelled(&self) -> bool {
        self.category == ErrorCategory::Cancelled
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCategory::Internal, message)
    }

    /// Stopped for a reason of the caller's (a cancelled listing, a closed session), said in `message`.
    pub fn stopped(message: impl Into<String>) -> Self {
        Error { not_sent: true, ..Error::new(ErrorCategory::Cancelled, message) }
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub fn with_request_id(mut self, id: Option<String>) -> Self {
        self.request_id = id;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(s) = self.http_status {
            write!(f, " (HTTP {s}")?;
            if let Some(r) = &self.request_id {
                write!(f, ", request id {r}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
