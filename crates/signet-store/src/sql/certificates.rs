//! The `certificates` table: the registry of every certificate the embedded CA
//! issued, the source of CRLs and OCSP answers.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{CertificateStatus, IssuedCertificate};

const COLUMNS: &str = "serial, ca_id, credential_id, subject, not_before, not_after, der, \
                       status, revoked_at, revocation_reason";

/// Inserts one registry row, on a pool or inside a caller's transaction.
pub(super) async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    cert: &IssuedCertificate,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO certificates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&cert.serial)
    .bind(&cert.ca_id)
    .bind(&cert.credential_id)
    .bind(&cert.subject)
    .bind(cert.not_before)
    .bind(cert.not_after)
    .bind(&cert.der)
    .bind(cert.status.as_str())
    .bind(cert.revoked_at)
    .bind(&cert.revocation_reason)
    .execute(executor)
    .await
    .map_err(|e| {
        errors::on_insert(
            e,
            || format!("certificate with serial `{}` already exists", cert.serial),
            "CA or credential",
        )
    })?;
    Ok(())
}

pub(super) async fn by_serial(
    pool: &AnyPool,
    serial: &str,
) -> Result<Option<IssuedCertificate>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM certificates WHERE serial = $1"))
        .bind(serial)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

fn from_row(row: &AnyRow) -> Result<IssuedCertificate, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(IssuedCertificate {
        serial: row.try_get("serial")?,
        ca_id: row.try_get("ca_id")?,
        credential_id: row.try_get("credential_id")?,
        subject: row.try_get("subject")?,
        not_before: row.try_get("not_before")?,
        not_after: row.try_get("not_after")?,
        der: row.try_get("der")?,
        status: CertificateStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown certificate status `{status}`")))?,
        revoked_at: row.try_get("revoked_at")?,
        revocation_reason: row.try_get("revocation_reason")?,
    })
}
