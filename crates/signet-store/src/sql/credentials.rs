//! The `credentials` table (signers' wrapped keys and certificate chains).

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::{certificates, errors};
use crate::error::StoreError;
use crate::model::{
    Consent, Credential, CredentialStatus, IssuedCertificate, KeyLifecycle, NewCredential,
};

const COLUMNS: &str =
    "id, user_id, key_algorithm, wrapped_key, public_key, certificate_chain, profile, \
                       status, description, scal, multisign, created_at, connector, \
                       destroyed_at, expires_at, cert_revoked_at, cert_revocation_reason";

/// Inserts the credential and its certificate's registry row in one
/// transaction; an error in either rolls both back (the transaction is dropped
/// uncommitted).
pub(super) async fn create(
    pool: &AnyPool,
    new: NewCredential,
    cert: IssuedCertificate,
) -> Result<Credential, StoreError> {
    let mut tx = pool.begin().await?;
    insert(&mut *tx, &new).await?;
    certificates::insert(&mut *tx, &cert).await?;
    tx.commit().await?;
    Ok(new)
}

/// Inserts one credential, on a pool or inside a caller's transaction.
pub(super) async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    new: &NewCredential,
) -> Result<(), StoreError> {
    let life = &new.lifecycle;
    sqlx::query(&format!(
        "INSERT INTO credentials ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    ))
    .bind(&new.id)
    .bind(&new.user_id)
    .bind(&new.key_algorithm)
    .bind(&new.wrapped_key)
    .bind(&new.public_key)
    .bind(&new.certificate_chain)
    .bind(&new.profile)
    .bind(new.status.as_str())
    .bind(&new.description)
    .bind(new.scal)
    .bind(new.multisign)
    .bind(new.created_at)
    .bind(&life.connector)
    .bind(life.destroyed_at)
    .bind(life.expires_at)
    .bind(life.cert_revoked_at)
    .bind(&life.cert_revocation_reason)
    .execute(executor)
    .await
    .map_err(|e| {
        errors::on_insert(e, || format!("credential `{}` already exists", new.id), "user")
    })?;
    Ok(())
}

/// Sets the credential's certificate chain (a first certificate, or a renewal), its
/// profile and the connector that issued it; clears an external revocation of the previous certificate.
/// `false` if the credential does not exist or its key was destroyed.
pub(super) async fn set_certificate<'c>(
    executor: impl Executor<'c, Database = Any>,
    id: &str,
    chain: &[u8],
    profile: &str,
    connector: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE credentials SET certificate_chain = $2, profile = $3, connector = $4, \
         cert_revoked_at = NULL, cert_revocation_reason = NULL \
         WHERE id = $1 AND destroyed_at IS NULL",
    )
    .bind(id)
    .bind(chain)
    .bind(profile)
    .bind(connector)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Destroys the wrapped key (the blob is overwritten with nothing) and disables the
/// credential. `false` if it does not exist or was destroyed before: of concurrent
/// callers exactly one gets `true`.
pub(super) async fn destroy_key<'c>(
    executor: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE credentials SET wrapped_key = $3, destroyed_at = $2, status = 'disabled' \
         WHERE id = $1 AND destroyed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(Vec::<u8>::new())
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that an external CA revoked the credential's current certificate. `false` if
/// it was already recorded as revoked.
pub(super) async fn mark_external_revoked<'c>(
    executor: impl Executor<'c, Database = Any>,
    id: &str,
    now: i64,
    reason: Option<&str>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE credentials SET cert_revoked_at = $2, cert_revocation_reason = $3 \
         WHERE id = $1 AND cert_revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One-shot credentials whose key outlived its expiry, oldest first.
pub(super) async fn expired_one_shot(
    pool: &AnyPool,
    now: i64,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT id FROM credentials WHERE expires_at IS NOT NULL AND expires_at <= $1 \
         AND destroyed_at IS NULL ORDER BY expires_at LIMIT $2",
    )
    .bind(now)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| r.try_get::<String, _>("id").map_err(StoreError::from)).collect()
}

/// Records a signer's acceptance of policy documents.
pub(super) async fn insert_consent<'c>(
    executor: impl Executor<'c, Database = Any>,
    consent: &Consent,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO consents (id, user_id, credential_id, documents, accepted_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&consent.id)
    .bind(&consent.user_id)
    .bind(&consent.credential_id)
    .bind(&consent.documents)
    .bind(consent.accepted_at)
    .execute(executor)
    .await
    .map_err(|e| {
        errors::on_insert(
            e,
            || format!("consent `{}` already exists", consent.id),
            "user or credential",
        )
    })?;
    Ok(())
}

/// The consents recorded for a credential, oldest first.
pub(super) async fn consents(
    pool: &AnyPool,
    credential_id: &str,
) -> Result<Vec<Consent>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, user_id, credential_id, documents, accepted_at FROM consents \
         WHERE credential_id = $1 ORDER BY accepted_at, id",
    )
    .bind(credential_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Consent {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                credential_id: r.try_get("credential_id")?,
                documents: r.try_get("documents")?,
                accepted_at: r.try_get("accepted_at")?,
            })
        })
        .collect()
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
        public_key: row.try_get("public_key")?,
        certificate_chain: row.try_get("certificate_chain")?,
        profile: row.try_get("profile")?,
        status: CredentialStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown credential status `{status}`")))?,
        description: row.try_get("description")?,
        scal: row.try_get("scal")?,
        multisign: row.try_get("multisign")?,
        created_at: row.try_get("created_at")?,
        lifecycle: KeyLifecycle {
            connector: row.try_get("connector")?,
            destroyed_at: row.try_get("destroyed_at")?,
            expires_at: row.try_get("expires_at")?,
            cert_revoked_at: row.try_get("cert_revoked_at")?,
            cert_revocation_reason: row.try_get("cert_revocation_reason")?,
        },
    })
}
