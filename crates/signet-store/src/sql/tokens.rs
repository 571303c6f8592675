//! The `tokens` table: OAuth 2.0 tokens, by the hash of their bearer value.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{NewToken, Token, TokenKind};

const COLUMNS: &str =
    "token_hash, kind, user_id, client_id, scope, family_id, expires_at, revoked, created_at";

pub(super) async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    new: &NewToken,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)"
    ))
    .bind(&new.token_hash)
    .bind(new.kind.as_str())
    .bind(&new.user_id)
    .bind(&new.client_id)
    .bind(&new.scope)
    .bind(&new.family_id)
    .bind(new.expires_at)
    .bind(new.created_at)
    .execute(executor)
    .await
    // The hash is a lookup key for a bearer token: it is not repeated.
    .map_err(|e| errors::on_insert(e, || "token already exists".to_owned(), "user or client"))?;
    Ok(())
}

pub(super) async fn by_hash(pool: &AnyPool, token_hash: &str) -> Result<Option<Token>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tokens WHERE token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// `true` if this call revoked the token.
pub(super) async fn revoke<'c>(
    executor: impl Executor<'c, Database = Any>,
    token_hash: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE tokens SET revoked = 1 WHERE token_hash = $1 AND revoked = 0")
        .bind(token_hash)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many tokens of the family this call revoked.
pub(super) async fn revoke_family<'c>(
    executor: impl Executor<'c, Database = Any>,
    family_id: &str,
) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE tokens SET revoked = 1 WHERE family_id = $1 AND revoked = 0")
        .bind(family_id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected())
}

fn from_row(row: &AnyRow) -> Result<Token, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Token {
        token_hash: row.try_get("token_hash")?,
        kind: TokenKind::parse(&kind)
            .ok_or_else(|| StoreError::Backend(format!("unknown token kind `{kind}`")))?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        scope: row.try_get("scope")?,
        family_id: row.try_get("family_id")?,
        expires_at: row.try_get("expires_at")?,
        revoked: row.try_get::<i64, _>("revoked")? != 0,
        created_at: row.try_get("created_at")?,
    })
}
