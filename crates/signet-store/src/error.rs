//! The store's error type.
//!
//! Messages name the record and the key that caused the error, never a secret:
//! no password or PIN hash, no wrapped key, no database URL with its password.

/// What went wrong in a store call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record to read or change does not exist; the payload names its kind
    /// (`"user"`, `"credential"`, …).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule refused the write, e.g. "group `x` already exists".
    #[error("{0}")]
    Conflict(String),
    /// The database could not be reached or did not answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The schema migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// Any other database failure (a bug, a broken constraint, a decode error).
    #[error("database error: {0}")]
    Backend(String),
}
