//! The `clients` table (OAuth 2.0 clients of service providers).
//!
//! Lists are stored as text: redirect URIs one per line, scopes and claims
//! space-separated (see `migrations/*/0008_oauth_clients.sql`). An item that is empty
//! or holds its separator is refused rather than stored, as it would read back as
//! other items (a second redirect URI, say).

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{Client, NewClient};

const COLUMNS: &str =
    "id, group_id, name, secret_hash, public, redirect_uris, scopes, claims, jwks, created_at";

/// Separator of stored redirect URIs.
const URI_SEPARATOR: &str = "\n";
/// Separator of stored scopes and claims (RFC 6749 §3.3 `scope` syntax).
const WORD_SEPARATOR: &str = " ";

pub(super) async fn create(pool: &AnyPool, new: NewClient) -> Result<Client, StoreError> {
    let redirect_uris = join("redirect URI", &new.redirect_uris, URI_SEPARATOR)?;
    let scopes = join("scope", &new.scopes, WORD_SEPARATOR)?;
    let claims = join("claim", &new.claims, WORD_SEPARATOR)?;
    sqlx::query(&format!(
        "INSERT INTO clients ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(&new.id)
    .bind(&new.group_id)
    .bind(&new.name)
    .bind(&new.secret_hash)
    .bind(i64::from(new.public))
    .bind(redirect_uris)
    .bind(scopes)
    .bind(claims)
    .bind(&new.jwks)
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
    Ok(new)
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> Result<Option<Client>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clients WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// The clients of one group, or of every group, by group and name.
pub(super) async fn list(
    pool: &AnyPool,
    group_id: Option<&str>,
) -> Result<Vec<Client>, StoreError> {
    let rows = match group_id {
        Some(g) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM clients WHERE group_id = $1 ORDER BY name, id"
            ))
            .bind(g)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(&format!("SELECT {COLUMNS} FROM clients ORDER BY group_id, name, id"))
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

fn from_row(row: &AnyRow) -> Result<Client, sqlx::Error> {
    Ok(Client {
        id: row.try_get("id")?,
        group_id: row.try_get("group_id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        public: row.try_get::<i64, _>("public")? != 0,
        redirect_uris: split(&row.try_get::<String, _>("redirect_uris")?, URI_SEPARATOR),
        scopes: split(&row.try_get::<String, _>("scopes")?, WORD_SEPARATOR),
        claims: split(&row.try_get::<String, _>("claims")?, WORD_SEPARATOR),
        jwks: row.try_get("jwks")?,
        created_at: row.try_get("created_at")?,
    })
}

/// `items` joined by `separator`; an empty item, or one holding any whitespace (which
/// includes both separators), is refused.
fn join(what: &str, items: &[String], separator: &str) -> Result<String, StoreError> {
    if let Some(bad) = items.iter().find(|i| i.is_empty() || i.contains(char::is_whitespace)) {
        return Err(StoreError::Backend(format!(
            "client {what} `{}` cannot be stored: empty or containing whitespace",
            bad.escape_debug()
        )));
    }
    Ok(items.join(separator))
}

fn split(text: &str, separator: &str) -> Vec<String> {
    text.split(separator).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}
