//! Revocation in the certificate registry, and the `crls` table.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::StoredCrl;

/// Marks a valid certificate revoked; `false` when it is unknown or already revoked.
pub(super) async fn revoke<'c>(
    executor: impl Executor<'c, Database = Any>,
    serial: &str,
    at: i64,
    reason: Option<&str>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE certificates SET status = 'revoked', revoked_at = $2, revocation_reason = $3 \
         WHERE serial = $1 AND status = 'valid'",
    )
    .bind(serial)
    .bind(at)
    .bind(reason)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// (serial, revoked_at, reason) of every revoked certificate a CA issued, by serial.
pub(super) async fn revoked(
    pool: &AnyPool,
    ca_id: &str,
) -> Result<Vec<(String, i64, Option<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT serial, revoked_at, revocation_reason FROM certificates \
         WHERE ca_id = $1 AND status = 'revoked' ORDER BY serial",
    )
    .bind(ca_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let at: Option<i64> = r.try_get("revoked_at")?;
            Ok((r.try_get("serial")?, at.unwrap_or(0), r.try_get("revocation_reason")?))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

pub(super) async fn latest(pool: &AnyPool, ca_id: &str) -> Result<Option<StoredCrl>, StoreError> {
    let row = sqlx::query(
        "SELECT ca_id, number, this_update, next_update, revoked, der FROM crls \
         WHERE ca_id = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(ca_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Inserts a CRL; `Conflict` when another node issued that number first.
pub(super) async fn insert(pool: &AnyPool, crl: &StoredCrl) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO crls (ca_id, number, this_update, next_update, revoked, der) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&crl.ca_id)
    .bind(crl.number)
    .bind(crl.this_update)
    .bind(crl.next_update)
    .bind(crl.revoked)
    .bind(&crl.der)
    .execute(pool)
    .await
    .map_err(|e| {
        errors::on_insert(
            e,
            || format!("CRL {} of `{}` already exists", crl.number, crl.ca_id),
            "CA",
        )
    })?;
    Ok(())
}

fn from_row(row: &AnyRow) -> Result<StoredCrl, sqlx::Error> {
    Ok(StoredCrl {
        ca_id: row.try_get("ca_id")?,
        number: row.try_get("number")?,
        this_update: row.try_get("this_update")?,
        next_update: row.try_get("next_update")?,
        revoked: row.try_get("revoked")?,
        der: row.try_get("der")?,
    })
}
