//! From `sqlx` errors to [`StoreError`]s.
//!
//! Only the database's own message is kept (never its `detail`, which on
//! PostgreSQL repeats the offending values), so no stored secret can reach an
//! error message.

use sqlx::error::ErrorKind;

use crate::error::StoreError;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => unavailable("database", e),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict("record already exists".to_owned())
            }
            sqlx::Error::Database(db) => StoreError::Backend(db.message().to_owned()),
            sqlx::Error::RowNotFound => StoreError::NotFound("row"),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// A failure to reach the database, as one line.
pub(super) fn unavailable(backend: &str, e: sqlx::Error) -> StoreError {
    let reason = match &e {
        sqlx::Error::Io(io) => format!("cannot connect to {backend}: {io}"),
        sqlx::Error::Tls(tls) => format!("TLS to {backend} failed: {tls}"),
        sqlx::Error::PoolTimedOut => format!("no {backend} connection became available in time"),
        sqlx::Error::PoolClosed => "the connection pool is closed".to_owned(),
        sqlx::Error::Database(db) => format!("{backend} refused the connection: {}", db.message()),
        other => format!("cannot connect to {backend}: {other}"),
    };
    StoreError::Unavailable(reason.replace('\n', " "))
}

/// Maps the error of an INSERT: a unique violation becomes `Conflict(conflict())`,
/// a foreign-key violation `NotFound(parent)` (the referenced record is missing).
pub(super) fn on_insert(
    e: sqlx::Error,
    conflict: impl FnOnce() -> String,
    parent: &'static str,
) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        match db.kind() {
            ErrorKind::UniqueViolation => return StoreError::Conflict(conflict()),
            ErrorKind::ForeignKeyViolation => return StoreError::NotFound(parent),
            _ => {}
        }
    }
    e.into()
}
