//! The `document_transactions` table (two-step document signing).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::DocumentTransaction;

const COLUMNS: &str = "id, user_id, credential_id, client_id, format, level, sign_algorithm, \
                       signed_attributes, certificates, content, dtbsr, created_at, expires_at, \
                       completed_at";

pub(super) async fn insert(pool: &AnyPool, t: &DocumentTransaction) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO document_transactions ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))
    .bind(&t.id)
    .bind(&t.user_id)
    .bind(&t.credential_id)
    .bind(&t.client_id)
    .bind(&t.format)
    .bind(&t.level)
    .bind(&t.sign_algorithm)
    .bind(&t.signed_attributes)
    .bind(&t.certificates)
    .bind(&t.content)
    .bind(&t.dtbsr)
    .bind(t.created_at)
    .bind(t.expires_at)
    .bind(t.completed_at)
    .execute(pool)
    .await
    .map_err(|e| {
        errors::on_insert(
            e,
            || format!("document transaction `{}` exists", t.id),
            "user or credential",
        )
    })?;
    Ok(())
}

pub(super) async fn by_id(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<DocumentTransaction>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM document_transactions WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Marks it completed if it is not yet and has not expired; of concurrent callers exactly
/// one gets `true`.
pub(super) async fn complete(pool: &AnyPool, id: &str, now: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE document_transactions SET completed_at = $2 \
         WHERE id = $1 AND completed_at IS NULL AND expires_at > $2",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes transactions that expired before `now`, completed or not (a completed one is
/// no longer needed; an expired one can never complete). Returns how many.
pub(super) async fn delete_expired(pool: &AnyPool, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM document_transactions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

fn from_row(row: &AnyRow) -> Result<DocumentTransaction, StoreError> {
    Ok(DocumentTransaction {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        credential_id: row.try_get("credential_id")?,
        client_id: row.try_get("client_id")?,
        format: row.try_get("format")?,
        level: row.try_get("level")?,
        sign_algorithm: row.try_get("sign_algorithm")?,
        signed_attributes: row.try_get("signed_attributes")?,
        certificates: row.try_get("certificates")?,
        content: row.try_get("content")?,
        dtbsr: row.try_get("dtbsr")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        completed_at: row.try_get("completed_at")?,
    })
}
