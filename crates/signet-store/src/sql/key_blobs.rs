//! Listing and replacing the blobs of [`KeyBlobKind`] (same SQL on both backends).

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use crate::error::StoreError;
use crate::key_blobs::{KeyBlob, KeyBlobKind};

/// `SELECT` of one kind: id, user id, key type, blob — keyset-paginated by id.
fn select(kind: KeyBlobKind) -> &'static str {
    match kind {
        KeyBlobKind::Credential => {
            "SELECT id, user_id, key_algorithm, wrapped_key AS blob FROM credentials \
             WHERE destroyed_at IS NULL AND id > $1 ORDER BY id LIMIT $2"
        }
        KeyBlobKind::CertificateAuthority => {
            "SELECT id, NULL AS user_id, key_algorithm, wrapped_key AS blob \
             FROM certificate_authorities WHERE id > $1 ORDER BY id LIMIT $2"
        }
        KeyBlobKind::ServiceKey => {
            "SELECT id, NULL AS user_id, key_algorithm, wrapped_key AS blob FROM service_keys \
             WHERE id > $1 ORDER BY id LIMIT $2"
        }
        KeyBlobKind::OtpSeed => {
            "SELECT id, id AS user_id, NULL AS key_algorithm, otp_sealed AS blob FROM users \
             WHERE otp_sealed IS NOT NULL AND id > $1 ORDER BY id LIMIT $2"
        }
    }
}

fn count_sql(kind: KeyBlobKind) -> &'static str {
    match kind {
        KeyBlobKind::Credential => "SELECT COUNT(*) FROM credentials WHERE destroyed_at IS NULL",
        KeyBlobKind::CertificateAuthority => "SELECT COUNT(*) FROM certificate_authorities",
        KeyBlobKind::ServiceKey => "SELECT COUNT(*) FROM service_keys",
        KeyBlobKind::OtpSeed => "SELECT COUNT(*) FROM users WHERE otp_sealed IS NOT NULL",
    }
}

/// Compare-and-set: the row still holds `expected`.
fn replace_sql(kind: KeyBlobKind) -> &'static str {
    match kind {
        KeyBlobKind::Credential => {
            "UPDATE credentials SET wrapped_key = $3 \
             WHERE id = $1 AND wrapped_key = $2 AND destroyed_at IS NULL"
        }
        KeyBlobKind::CertificateAuthority => {
            "UPDATE certificate_authorities SET wrapped_key = $3 WHERE id = $1 AND wrapped_key = $2"
        }
        KeyBlobKind::ServiceKey => {
            "UPDATE service_keys SET wrapped_key = $3 WHERE id = $1 AND wrapped_key = $2"
        }
        // The OTP step counter is kept: the seed is the same, only its sealing changes.
        KeyBlobKind::OtpSeed => {
            "UPDATE users SET otp_sealed = $3 WHERE id = $1 AND otp_sealed = $2"
        }
    }
}

pub(super) async fn page(
    pool: &AnyPool,
    kind: KeyBlobKind,
    after_id: Option<&str>,
    limit: i64,
) -> Result<Vec<KeyBlob>, StoreError> {
    let rows = sqlx::query(select(kind))
        .bind(after_id.unwrap_or(""))
        .bind(limit.clamp(1, 10_000))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| from_row(kind, r))
        .filter(|b| b.as_ref().map_or(true, |b| !b.blob.is_empty()))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

pub(super) async fn count(pool: &AnyPool, kind: KeyBlobKind) -> Result<i64, StoreError> {
    let row = sqlx::query(count_sql(kind)).fetch_one(pool).await?;
    Ok(row.try_get(0)?)
}

pub(super) async fn replace<'e, E>(
    executor: E,
    kind: KeyBlobKind,
    id: &str,
    expected: &[u8],
    new: &[u8],
) -> Result<bool, StoreError>
where
    E: Executor<'e, Database = Any>,
{
    let done =
        sqlx::query(replace_sql(kind)).bind(id).bind(expected).bind(new).execute(executor).await?;
    Ok(done.rows_affected() == 1)
}

fn from_row(kind: KeyBlobKind, row: &AnyRow) -> Result<KeyBlob, sqlx::Error> {
    Ok(KeyBlob {
        kind,
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        key_algorithm: row.try_get("key_algorithm")?,
        blob: row.try_get("blob")?,
    })
}
