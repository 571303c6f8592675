//! The authorization server's tables (migration 0010): login sessions, pending
//! authorization requests, grants (codes) and claims consents. Single use is decided
//! here by compare-and-set updates, never by one node's memory (DESIGN.md).

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{AuthRequestRecord, AuthSession, ClaimsConsent, Grant};

const SESSION_COLUMNS: &str =
    "session_hash, user_id, auth_time, amr, acr, expires_at, revoked, created_at";

pub(super) async fn insert_session<'c>(
    executor: impl Executor<'c, Database = Any>,
    s: &AuthSession,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO auth_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(&s.session_hash)
    .bind(&s.user_id)
    .bind(s.auth_time)
    .bind(&s.amr)
    .bind(&s.acr)
    .bind(s.expires_at)
    .bind(i64::from(s.revoked))
    .bind(s.created_at)
    .execute(executor)
    .await
    .map_err(|e| errors::on_insert(e, || "session already exists".to_owned(), "user"))?;
    Ok(())
}

pub(super) async fn session(
    pool: &AnyPool,
    session_hash: &str,
) -> Result<Option<AuthSession>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM auth_sessions WHERE session_hash = $1"
    ))
    .bind(session_hash)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| AuthSession {
        session_hash: r.get(0),
        user_id: r.get(1),
        auth_time: r.get(2),
        amr: r.get(3),
        acr: r.get(4),
        expires_at: r.get(5),
        revoked: r.get::<i64, _>(6) != 0,
        created_at: r.get(7),
    }))
}

/// Ends a session; returns whether it was live.
pub(super) async fn revoke_session<'c>(
    executor: impl Executor<'c, Database = Any>,
    session_hash: &str,
) -> Result<bool, StoreError> {
    let done =
        sqlx::query("UPDATE auth_sessions SET revoked = 1 WHERE session_hash = $1 AND revoked = 0")
            .bind(session_hash)
            .execute(executor)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn insert_request(
    pool: &AnyPool,
    r: &AuthRequestRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO auth_requests (id, client_id, request, expires_at, done, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&r.id)
    .bind(&r.client_id)
    .bind(&r.request)
    .bind(r.expires_at)
    .bind(i64::from(r.done))
    .bind(r.created_at)
    .execute(pool)
    .await
    .map_err(|e| errors::on_insert(e, || "request already exists".to_owned(), "client"))?;
    Ok(())
}

pub(super) async fn request(
    pool: &AnyPool,
    id: &str,
) -> Result<Option<AuthRequestRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT id, client_id, request, expires_at, done, created_at FROM auth_requests \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| AuthRequestRecord {
        id: r.get(0),
        client_id: r.get(1),
        request: r.get(2),
        expires_at: r.get(3),
        done: r.get::<i64, _>(4) != 0,
        created_at: r.get(5),
    }))
}

/// Marks a request answered; false if it already was (a second code is never issued).
pub(super) async fn finish_request<'c>(
    executor: impl Executor<'c, Database = Any>,
    id: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE auth_requests SET done = 1 WHERE id = $1 AND done = 0")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes requests past their expiry; returns how many.
pub(super) async fn delete_expired_requests(pool: &AnyPool, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM auth_requests WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

const GRANT_COLUMNS: &str = "id, code_hash, client_id, user_id, redirect_uri, scope, claims, \
     nonce, code_challenge, auth_time, amr, acr, credential_id, sealed_sad, code_expires_at, \
     redeemed, created_at";

pub(super) async fn insert_grant<'c>(
    executor: impl Executor<'c, Database = Any>,
    g: &Grant,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO oauth_grants ({GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, $16, $17)"
    ))
    .bind(&g.id)
    .bind(&g.code_hash)
    .bind(&g.client_id)
    .bind(&g.user_id)
    .bind(&g.redirect_uri)
    .bind(&g.scope)
    .bind(&g.claims)
    .bind(&g.nonce)
    .bind(&g.code_challenge)
    .bind(g.auth_time)
    .bind(&g.amr)
    .bind(&g.acr)
    .bind(&g.credential_id)
    .bind(&g.sealed_sad)
    .bind(g.code_expires_at)
    .bind(i64::from(g.redeemed))
    .bind(g.created_at)
    .execute(executor)
    .await
    .map_err(|e| {
        errors::on_insert(e, || "grant already exists".to_owned(), "client, user or credential")
    })?;
    Ok(())
}

fn grant_from_row(r: &AnyRow) -> Grant {
    Grant {
        id: r.get(0),
        code_hash: r.get(1),
        client_id: r.get(2),
        user_id: r.get(3),
        redirect_uri: r.get(4),
        scope: r.get(5),
        claims: r.get(6),
        nonce: r.get(7),
        code_challenge: r.get(8),
        auth_time: r.get(9),
        amr: r.get(10),
        acr: r.get(11),
        credential_id: r.get(12),
        sealed_sad: r.get(13),
        code_expires_at: r.get(14),
        redeemed: r.get::<i64, _>(15) != 0,
        created_at: r.get(16),
    }
}

pub(super) async fn grant_by_code(
    pool: &AnyPool,
    code_hash: &str,
) -> Result<Option<Grant>, StoreError> {
    let row =
        sqlx::query(&format!("SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE code_hash = $1"))
            .bind(code_hash)
            .fetch_optional(pool)
            .await?;
    Ok(row.as_ref().map(grant_from_row))
}

pub(super) async fn grant_by_id(pool: &AnyPool, id: &str) -> Result<Option<Grant>, StoreError> {
    let row = sqlx::query(&format!("SELECT {GRANT_COLUMNS} FROM oauth_grants WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(grant_from_row))
}

/// Spends a grant's code; false if it was already spent (RFC 6749 §4.1.2: single use).
pub(super) async fn redeem_grant<'c>(
    executor: impl Executor<'c, Database = Any>,
    id: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE oauth_grants SET redeemed = 1 WHERE id = $1 AND redeemed = 0")
        .bind(id)
        .execute(executor)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Records (or replaces) the claims a user lets a client read.
pub(super) async fn put_consent<'c>(
    executor: impl Executor<'c, Database = Any>,
    c: &ClaimsConsent,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO oauth_consents (user_id, client_id, claims, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, client_id) \
         DO UPDATE SET claims = excluded.claims, created_at = excluded.created_at",
    )
    .bind(&c.user_id)
    .bind(&c.client_id)
    .bind(&c.claims)
    .bind(c.created_at)
    .execute(executor)
    .await?;
    Ok(())
}

pub(super) async fn consent(
    pool: &AnyPool,
    user_id: &str,
    client_id: &str,
) -> Result<Option<ClaimsConsent>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id, client_id, claims, created_at FROM oauth_consents \
         WHERE user_id = $1 AND client_id = $2",
    )
    .bind(user_id)
    .bind(client_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| ClaimsConsent {
        user_id: r.get(0),
        client_id: r.get(1),
        claims: r.get(2),
        created_at: r.get(3),
    }))
}

/// Records the `jti` of a client assertion until its expiry; false if it was seen
/// before (RFC 7523 §3 item 7: an assertion is accepted once). Expired entries go.
pub(super) async fn record_assertion(
    pool: &AnyPool,
    jti_hash: &str,
    client_id: &str,
    expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    sqlx::query("DELETE FROM client_assertions WHERE expires_at < $1")
        .bind(now)
        .execute(pool)
        .await?;
    let done = sqlx::query(
        "INSERT INTO client_assertions (jti_hash, client_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (jti_hash) DO NOTHING",
    )
    .bind(jti_hash)
    .bind(client_id)
    .bind(expires_at)
    .execute(pool)
    .await
    .map_err(|e| errors::on_insert(e, || "assertion already seen".to_owned(), "client"))?;
    Ok(done.rows_affected() == 1)
}
