//! The `clients` table (OAuth 2.0 clients of service providers).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{Client, NewClient};

pub(super) async fn create(pool: &AnyPool, new: NewClient) -> Result<Client, StoreError> {
    sqlx::query(
        "INSERT INTO clients (id, group_id, name, secret_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&new.id)
    .bind(&new.group_id)
    .bind(&new.name)
    .bind(&new.secret_hash)
    .bind(new.created_at)
    .execute(pool)
    .await
    .map_err(|e| {
        errors::on_insert(
            e,
            || format!("client `{}` already exists in this group (or its id is taken)", new.name),
            "group",
        )
    })?;
    Ok(Client {
        id: new.id,
        group_id: new.group_id,
        name: new.name,
        secret_hash: new.secret_hash,
        created_at: new.created_at,
    })
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<Client>, StoreError> {
    let row = sqlx::query(
        "SELECT id, group_id, name, secret_hash, created_at FROM clients WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

fn from_row(row: &AnyRow) -> Result<Client, sqlx::Error> {
    Ok(Client {
        id: row.try_get("id")?,
        group_id: row.try_get("group_id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        created_at: row.try_get("created_at")?,
    })
}
