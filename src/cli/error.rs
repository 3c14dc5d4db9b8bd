//! The CLI's error type and the exit statuses, defined in one place.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success (for `plan`: no changes, or changes without --detailed-exitcode) |
//! | 1 | runtime failure: the server, the network, a refused or failed apply; `plan --detailed-exitcode`: a plan with blocked changes (apply would refuse it) |
//! | 2 | `plan --detailed-exitcode`: changes pending, none blocked |
//! | 3 | invalid input: specs, flags or files |
//! | 130 | stopped by SIGINT (128 + 2, as shells report it) |
//! | 143 | stopped by SIGTERM (128 + 15) |

use crate::diag::Diagnostics;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    Failure = 1,
    ChangesPending = 2,
    InvalidInput = 3,
    /// Stopped by SIGINT.
    Interrupted = 130,
    /// Stopped by SIGTERM.
    Terminated = 143,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status of a `plan` that succeeded: with `--detailed-exitcode`
    /// (`detailed`), [`ExitStatus::Failure`] when any change is blocked
    /// (apply would refuse the plan, so it is not "changes pending"),
    /// [`ExitStatus::ChangesPending`] when it writes anything, else
    /// success; without it always success.
    pub fn of_plan(plan: &crate::plan::Plan, detailed: bool) -> ExitStatus {
        if !detailed {
            ExitStatus::Success
        } else if plan.blocked().count() > 0 {
            ExitStatus::Failure
        } else if plan.has_writes() {
            ExitStatus::ChangesPending
        } else {
            ExitStatus::Success
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The specs have errors; they were already printed with locations.
    #[error("{0}")]
    InvalidSpecs(String, Diagnostics),
    /// A flag, file or setting the user gave is unusable.
    #[error("{0}")]
    Usage(String),
    /// Something failed at run time.
    #[error("{0}")]
    Runtime(String),
    /// A signal stopped the run; the message says what was done.
    #[error("{1}")]
    Stopped(crate::interrupt::Reason, String),
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::Usage(message.into())
    }

    pub fn runtime(message: impl std::fmt::Display) -> CliError {
        CliError::Runtime(message.to_string())
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            CliError::InvalidSpecs(..) | CliError::Usage(_) => ExitStatus::InvalidInput,
            CliError::Runtime(_) => ExitStatus::Failure,
            CliError::Stopped(reason, _) => match reason {
                crate::interrupt::Reason::Terminate => ExitStatus::Terminated,
                crate::interrupt::Reason::Interrupt => ExitStatus::Interrupted,
                crate::interrupt::Reason::LeaseLost => ExitStatus::Failure,
            },
        }
    }
}
