//! The `users` table, with the PIN failure counter.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{NewUser, PinState, User};

const COLUMNS: &str = "id, username, group_id, given_name, surname, email, phone, \
                       password_hash, pin_hash, pin_failures, pin_locked, otp_sealed, \
                       otp_last_step, created_at";

pub(super) async fn create(pool: &AnyPool, new: NewUser) -> Result<User, StoreError> {
    sqlx::query(
        "INSERT INTO users (id, username, group_id, given_name, surname, email, phone, \
                            password_hash, pin_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&new.id)
    .bind(&new.username)
    .bind(&new.group_id)
    .bind(&new.given_name)
    .bind(&new.surname)
    .bind(&new.email)
    .bind(&new.phone)
    .bind(&new.password_hash)
    .bind(&new.pin_hash)
    .bind(new.created_at)
    .execute(pool)
    .await
    .map_err(|e| {
        errors::on_insert(e, || format!("user `{}` already exists", new.username), "group")
    })?;
    Ok(User {
        id: new.id,
        username: new.username,
        group_id: new.group_id,
        given_name: new.given_name,
        surname: new.surname,
        email: new.email,
        phone: new.phone,
        password_hash: new.password_hash,
        pin_hash: new.pin_hash,
        pin_failures: 0,
        pin_locked: false,
        otp_sealed: None,
        otp_last_step: 0,
        created_at: new.created_at,
    })
}

pub(super) async fn by_username(
    pool: &AnyPool,
    username: &str,
) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub(super) async fn set_pin(
    pool: &AnyPool,
    user_id: &str,
    pin_hash: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE users SET pin_hash = $2, pin_failures = 0, pin_locked = 0 WHERE id = $1",
    )
    .bind(user_id)
    .bind(pin_hash)
    .execute(pool)
    .await?;
    found(done.rows_affected())
}

/// One UPDATE … RETURNING: the database serialises concurrent failures on the
/// row, so each one counts, whichever node records it. The SET expressions read
/// the row as it was before this UPDATE (on both SQLite and PostgreSQL).
///
/// Runs on a pool or inside a caller's transaction.
pub(super) async fn record_pin_failure<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
    max_attempts: i64,
) -> Result<PinState, StoreError> {
    let rows = sqlx::query(
        "UPDATE users SET pin_failures = pin_failures + 1, \
             pin_locked = CASE WHEN pin_failures + 1 >= $2 THEN 1 ELSE pin_locked END \
         WHERE id = $1 \
         RETURNING pin_failures, pin_locked",
    )
    .bind(user_id)
    .bind(max_attempts)
    // fetch_all, not fetch_optional: the statement is stepped to its end, so
    // SQLite finishes the write before the connection goes back to the pool.
    .fetch_all(executor)
    .await?;
    let row = rows.first().ok_or(StoreError::NotFound("user"))?;
    Ok(PinState {
        failures: row.try_get("pin_failures")?,
        locked: row.try_get::<i64, _>("pin_locked")? != 0,
    })
}

/// Runs on a pool or inside a caller's transaction.
pub(super) async fn reset_pin_failures<'c>(
    executor: impl Executor<'c, Database = Any>,
    user_id: &str,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET pin_failures = 0 WHERE id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    found(done.rows_affected())
}

fn found(rows: u64) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound("user"))
    } else {
        Ok(())
    }
}

fn from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        group_id: row.try_get("group_id")?,
        given_name: row.try_get("given_name")?,
        surname: row.try_get("surname")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        password_hash: row.try_get("password_hash")?,
        pin_hash: row.try_get("pin_hash")?,
        pin_failures: row.try_get("pin_failures")?,
        pin_locked: row.try_get::<i64, _>("pin_locked")? != 0,
        otp_sealed: row.try_get("otp_sealed")?,
        otp_last_step: row.try_get("otp_last_step")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Sets (or removes) the sealed OTP seed and starts its step counter afresh.
pub(super) async fn set_otp(
    pool: &AnyPool,
    user_id: &str,
    sealed: Option<&[u8]>,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET otp_sealed = $2, otp_last_step = 0 WHERE id = $1")
        .bind(user_id)
        .bind(sealed)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("user"));
    }
    Ok(())
}

/// Records `step` as used if it is later than the last one used: false for a replay.
pub(super) async fn advance_otp_step<'e, E>(
    executor: E,
    user_id: &str,
    step: i64,
) -> Result<bool, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let done =
        sqlx::query("UPDATE users SET otp_last_step = $2 WHERE id = $1 AND otp_last_step < $2")
            .bind(user_id)
            .bind(step)
            .execute(executor)
            .await?;
    Ok(done.rows_affected() == 1)
}
