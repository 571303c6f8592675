//! The `sads` table: Signature Activation Data, changed only by
//! compare-and-set on its `version`.
//!
//! The unused hashes are stored as one text column, base64 values joined by
//! `,` (a character base64 never uses); the empty string is the empty list.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Executor, Row};

use super::errors;
use crate::error::StoreError;
use crate::model::{NewSad, Sad};

const COLUMNS: &str = "sad_hash, user_id, credential_id, client_id, hash_algo, hashes, \
                       remaining, factors, version, expires_at, created_at";

pub(super) async fn insert<'c>(
    executor: impl Executor<'c, Database = Any>,
    new: &NewSad,
) -> Result<(), StoreError> {
    let hashes = join(&new.hashes)?;
    sqlx::query(&format!(
        "INSERT INTO sads ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10)"
    ))
    .bind(&new.sad_hash)
    .bind(&new.user_id)
    .bind(&new.credential_id)
    .bind(&new.client_id)
    .bind(&new.hash_algo)
    .bind(hashes)
    .bind(new.remaining)
    .bind(&new.factors)
    .bind(new.expires_at)
    .bind(new.created_at)
    .execute(executor)
    .await
    // The SAD hash is a lookup key for a bearer secret: it is not repeated.
    .map_err(|e| {
        errors::on_insert(e, || "SAD already exists".to_owned(), "user, credential or client")
    })?;
    Ok(())
}

pub(super) async fn by_hash(pool: &AnyPool, sad_hash: &str) -> Result<Option<Sad>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sads WHERE sad_hash = $1"))
        .bind(sad_hash)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// One conditional UPDATE: on PostgreSQL a concurrent consumer waits for the
/// row lock, then re-checks the WHERE clause against the committed row and
/// finds the version changed; on SQLite writers are serialised outright.
pub(super) async fn consume<'c>(
    executor: impl Executor<'c, Database = Any>,
    sad_hash: &str,
    expected_version: i64,
    remaining: i64,
    hashes: &[String],
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sads SET remaining = $3, hashes = $4, version = version + 1 \
         WHERE sad_hash = $1 AND version = $2 AND expires_at > $5",
    )
    .bind(sad_hash)
    .bind(expected_version)
    .bind(remaining)
    .bind(join(hashes)?)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Compare-and-set of the expiry, like [`consume`].
pub(super) async fn extend<'c>(
    executor: impl Executor<'c, Database = Any>,
    sad_hash: &str,
    expected_version: i64,
    new_expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE sads SET expires_at = $3, version = version + 1 \
         WHERE sad_hash = $1 AND version = $2 AND expires_at > $4",
    )
    .bind(sad_hash)
    .bind(expected_version)
    .bind(new_expires_at)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The stored form of a hash list; a value that would not survive the round
/// trip (empty, or containing the separator) is refused.
fn join(hashes: &[String]) -> Result<String, StoreError> {
    if hashes.iter().any(|h| h.is_empty() || h.contains(',')) {
        return Err(StoreError::Backend(
            "a SAD hash value is empty or contains ',' (expected base64)".to_owned(),
        ));
    }
    Ok(hashes.join(","))
}

fn split(stored: &str) -> Vec<String> {
    if stored.is_empty() {
        Vec::new()
    } else {
        stored.split(',').map(str::to_owned).collect()
    }
}

fn from_row(row: &AnyRow) -> Result<Sad, StoreError> {
    let hashes: String = row.try_get("hashes")?;
    Ok(Sad {
        sad_hash: row.try_get("sad_hash")?,
        user_id: row.try_get("user_id")?,
        credential_id: row.try_get("credential_id")?,
        client_id: row.try_get("client_id")?,
        hash_algo: row.try_get("hash_algo")?,
        hashes: split(&hashes),
        remaining: row.try_get("remaining")?,
        factors: row.try_get("factors")?,
        version: row.try_get("version")?,
        expires_at: row.try_get("expires_at")?,
        created_at: row.try_get("created_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_lists_round_trip() {
        for list in [vec![], vec!["AAAA".to_owned()], vec!["a+/=".to_owned(), "b".to_owned()]] {
            assert_eq!(split(&join(&list).expect("join")), list);
        }
        assert!(join(&["a,b".to_owned()]).is_err());
        assert!(join(&[String::new()]).is_err());
    }
}
