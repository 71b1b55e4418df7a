//! The status every exported function returns.

/// Status of a call. `VCS_OK` is 0; every error category has its own value.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VcsStatus {
    /// Success: `*out_json` holds the result.
    VCS_OK = 0,
    /// An argument is missing or malformed; the error names the field.
    VCS_INVALID_ARGUMENT = 1,
    /// The credentials were refused or have expired.
    VCS_AUTHENTICATION = 2,
    /// The credentials do not allow the operation.
    VCS_PERMISSION = 3,
    /// The user, invitation, role or organization does not exist.
    VCS_NOT_FOUND = 4,
    /// The operation conflicts with the current state.
    VCS_CONFLICT = 5,
    /// The service kept answering "too many requests" past the retry budget.
    VCS_RATE_LIMITED = 6,
    /// The service failed.
    VCS_SERVER = 7,
    /// The service could not be reached, or the TLS handshake failed.
    VCS_NETWORK = 8,
    /// The service did not answer in time.
    VCS_TIMEOUT = 9,
    /// The service's answer could not be understood.
    VCS_PROTOCOL = 10,
    /// A defect in the library.
    VCS_INTERNAL = 11,
    /// The library panicked; the panic was caught.
    VCS_PANIC = 12,
    /// A bulk call finished, and some of its items failed: `*out_json` holds the per-item report.
    VCS_PARTIAL_FAILURE = 13,
    /// The call was cancelled (`vcs_job_cancel`, `vcs_cursor_cancel`) before it finished, or its
    /// connection was closed while it ran.
    VCS_CANCELLED = 14,
}
