//! The `credentials` table (signers' wrapped keys and certificate chains).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::{certificates, errors};
use crate::error::StoreError;
use crate::model::{Credential, CredentialStatus, IssuedCertificate, NewCredential};

const COLUMNS: &str = "id, user_id, key_algorithm, wrapped_key, certificate_chain, profile, \
                       status, description, scal, multisign, created_at";

/// Inserts the credential and its certificate's registry row in one
/// transaction; an error in either rolls both back (the transaction is dropped
/// uncommitted).
pub(super) async fn create(
    pool: &AnyPool,
    new: NewCredential,
    cert: IssuedCertificate,
) -> Result<Credential, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(&format!(
        "INSERT INTO credentials ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(&new.id)
    .bind(&new.user_id)
    .bind(&new.key_algorithm)
    .bind(&new.wrapped_key)
    .bind(&new.certificate_chain)
    .bind(&new.profile)
    .bind(new.status.as_str())
    .bind(&new.description)
    .bind(new.scal)
    .bind(new.multisign)
    .bind(new.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        errors::on_insert(e, || format!("credential `{}` already exists", new.id), "user")
    })?;
    certificates::insert(&mut *tx, &cert).await?;
    tx.commit().await?;
    Ok(Credential {
        id: new.id,
        user_id: new.user_id,
        key_algorithm: new.key_algorithm,
        wrapped_key: new.wrapped_key,
        certificate_chain: new.certificate_chain,
        profile: new.profile,
        status: new.status,
        description: new.description,
        scal: new.scal,
        multisign: new.multisign,
        created_at: new.created_at,
    })
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<Credential>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM credentials WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Keyset pagination on the `(user_id, id)` index. Every id is non-empty, so
/// the first page is "ids after the empty string".
pub(super) async fn list(
    pool: &AnyPool,
    user_id: &str,
    limit: i64,
    after_id: Option<&str>,
) -> Result<Vec<Credential>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM credentials WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(user_id)
    .bind(after_id.unwrap_or(""))
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

pub(super) async fn set_status(
    pool: &AnyPool,
    id: &str,
    status: CredentialStatus,
) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE credentials SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(status.as_str())
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("credential"));
    }
    Ok(())
}

fn from_row(row: &AnyRow) -> Result<Credential, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(Credential {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        key_algorithm: row.try_get("key_algorithm")?,
        wrapped_key: row.try_get("wrapped_key")?,
        certificate_chain: row.try_get("certificate_chain")?,
        profile: row.try_get("profile")?,
        status: CredentialStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown credential status `{status}`")))?,
        description: row.try_get("description")?,
        scal: row.try_get("scal")?,
        multisign: row.try_get("multisign")?,
        created_at: row.try_get("created_at")?,
    })
}
