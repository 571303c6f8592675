//! The `service_keys` table.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::ServiceKey;

const COLUMNS: &str = "id, purpose, key_algorithm, wrapped_key, certificate, created_at";

pub(super) async fn insert(pool: &AnyPool, key: ServiceKey) -> Result<ServiceKey, StoreError> {
    sqlx::query(&format!("INSERT INTO service_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"))
        .bind(&key.id)
        .bind(&key.purpose)
        .bind(&key.key_algorithm)
        .bind(&key.wrapped_key)
        .bind(&key.certificate)
        .bind(key.created_at)
        .execute(pool)
        .await
        .map_err(|e| {
            errors::on_insert(
                e,
                || format!("service key `{}` already exists", key.id),
                "service key",
            )
        })?;
    Ok(key)
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<ServiceKey>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM service_keys WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

fn from_row(row: &AnyRow) -> Result<ServiceKey, sqlx::Error> {
    Ok(ServiceKey {
        id: row.try_get("id")?,
        purpose: row.try_get("purpose")?,
        key_algorithm: row.try_get("key_algorithm")?,
        wrapped_key: row.try_get("wrapped_key")?,
        certificate: row.try_get("certificate")?,
        created_at: row.try_get("created_at")?,
    })
}
