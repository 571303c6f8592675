//! The `login_throttle` table: consecutive failed password logins per login name.

use sqlx::{Any, AnyPool, Executor, Row};

use crate::error::StoreError;
use crate::model::LoginThrottle;

pub(super) async fn get(
    pool: &AnyPool,
    subject: &str,
) -> Result<Option<LoginThrottle>, StoreError> {
    let row = sqlx::query("SELECT failures, locked_until FROM login_throttle WHERE subject = $1")
        .bind(subject)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| LoginThrottle { failures: r.get(0), locked_until: r.get(1) }))
}

/// Counts one more failure, atomically (concurrent failures are all counted), and
/// returns the new count.
pub(super) async fn failed<'c>(
    executor: impl Executor<'c, Database = Any>,
    subject: &str,
    now: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO login_throttle (subject, failures, locked_until, updated_at) \
         VALUES ($1, 1, 0, $2) \
         ON CONFLICT (subject) DO UPDATE SET failures = login_throttle.failures + 1, \
         updated_at = excluded.updated_at RETURNING failures",
    )
    .bind(subject)
    .bind(now)
    .fetch_one(executor)
    .await?;
    Ok(row.get(0))
}

pub(super) async fn lock<'c>(
    executor: impl Executor<'c, Database = Any>,
    subject: &str,
    until: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE subject = $1")
        .bind(subject)
        .bind(until)
        .execute(executor)
        .await?;
    Ok(())
}

pub(super) async fn clear<'c>(
    executor: impl Executor<'c, Database = Any>,
    subject: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_throttle WHERE subject = $1")
        .bind(subject)
        .execute(executor)
        .await?;
    Ok(())
}
