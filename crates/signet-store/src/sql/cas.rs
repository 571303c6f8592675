//! The `certificate_authorities` table (the embedded PKI's CAs).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{CertificateAuthority, NewCa};

const COLUMNS: &str = "id, parent_id, name, key_algorithm, wrapped_key, certificate, created_at";

pub(super) async fn insert(pool: &AnyPool, new: NewCa) -> Result<CertificateAuthority, StoreError> {
    sqlx::query(&format!(
        "INSERT INTO certificate_authorities ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&new.id)
    .bind(&new.parent_id)
    .bind(&new.name)
    .bind(&new.key_algorithm)
    .bind(&new.wrapped_key)
    .bind(&new.certificate)
    .bind(new.created_at)
    .execute(pool)
    .await
    .map_err(|e| errors::on_insert(e, || format!("CA `{}` already exists", new.id), "parent CA"))?;
    Ok(CertificateAuthority {
        id: new.id,
        parent_id: new.parent_id,
        name: new.name,
        key_algorithm: new.key_algorithm,
        wrapped_key: new.wrapped_key,
        certificate: new.certificate,
        created_at: new.created_at,
    })
}

pub(super) async fn by_id(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<CertificateAuthority>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM certificate_authorities WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub(super) async fn list(pool: &AnyPool) -> Result<Vec<CertificateAuthority>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM certificate_authorities ORDER BY id"))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

fn from_row(row: &AnyRow) -> Result<CertificateAuthority, sqlx::Error> {
    Ok(CertificateAuthority {
        id: row.try_get("id")?,
        parent_id: row.try_get("parent_id")?,
        name: row.try_get("name")?,
        key_algorithm: row.try_get("key_algorithm")?,
        wrapped_key: row.try_get("wrapped_key")?,
        certificate: row.try_get("certificate")?,
        created_at: row.try_get("created_at")?,
    })
}
