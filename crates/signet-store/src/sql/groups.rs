//! The `groups` table.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{Group, NewGroup};

const COLUMNS: &str = "id, name, allow_sha1, created_at";

pub(super) async fn create(pool: &AnyPool, new: NewGroup) -> Result<Group, StoreError> {
    sqlx::query("INSERT INTO groups (id, name, allow_sha1, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&new.id)
        .bind(&new.name)
        .bind(i64::from(new.allow_sha1))
        .bind(new.created_at)
        .execute(pool)
        .await
        .map_err(|e| {
            errors::on_insert(e, || format!("group `{}` already exists", new.name), "group")
        })?;
    Ok(Group { id: new.id, name: new.name, allow_sha1: new.allow_sha1, created_at: new.created_at })
}

pub(super) async fn by_name(pool: &AnyPool, name: &str) -> Result<Option<Group>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM groups WHERE name = $1"))
        .bind(name)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<Group>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM groups WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

fn from_row(row: &AnyRow) -> Result<Group, sqlx::Error> {
    Ok(Group {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        allow_sha1: row.try_get::<i64, _>("allow_sha1")? != 0,
        created_at: row.try_get("created_at")?,
    })
}
