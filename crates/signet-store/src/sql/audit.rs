//! The `audit_log` and `audit_head` tables: appending to the hash chain inside
//! a transaction, reading records, and verifying the stored log.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::audit::{
    decode_hash, AuditEvent, AuditFilter, AuditRecord, ChainBreak, ChainReport, ChainVerifier,
};
use crate::error::StoreError;

const COLUMNS: &str =
    "seq, at, kind, outcome, user_id, client_id, credential_id, details, prev_hash, hash";

/// Records read per query by [`verify`].
const VERIFY_PAGE: i64 = 10_000;

/// Appends inside the caller's transaction. The first statement is a write on
/// the head row: it takes that row's lock on PostgreSQL (other appenders, on
/// any node, wait for this transaction to end) and the write lock on SQLite
/// (no read lock to upgrade later), so seqs are handed out one by one, and a
/// rollback returns this one.
pub(super) async fn append(
    conn: &mut AnyConnection,
    event: AuditEvent,
) -> Result<AuditRecord, StoreError> {
    // fetch_all: the statement is stepped to its end (SQLite RETURNING).
    let rows = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_all(&mut *conn)
        .await?;
    let row = rows.first().ok_or(StoreError::NotFound("audit head"))?;
    let seq: i64 = row.try_get("seq")?;
    let prev: String = row.try_get("hash")?;
    let prev = decode_hash(&prev).ok_or_else(|| {
        StoreError::Backend("the audit head's hash is not 64 hex digits".to_owned())
    })?;

    let record = AuditRecord::chained(seq, &prev, event);
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(record.seq)
    .bind(record.at)
    .bind(&record.kind)
    .bind(&record.outcome)
    .bind(&record.user_id)
    .bind(&record.client_id)
    .bind(&record.credential_id)
    .bind(&record.details)
    .bind(&record.prev_hash)
    .bind(&record.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&record.hash)
        .execute(&mut *conn)
        .await?;
    Ok(record)
}

/// Records matching `filter`, by seq; `up_to` bounds the seq (for [`verify`]).
async fn select(
    pool: &AnyPool,
    filter: &AuditFilter,
    up_to: Option<i64>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.user_id.is_some() {
        conditions.push(format!("user_id = {}", next()));
    }
    if filter.since.is_some() {
        conditions.push(format!("at >= {}", next()));
    }
    if filter.after_seq.is_some() {
        conditions.push(format!("seq > {}", next()));
    }
    if up_to.is_some() {
        conditions.push(format!("seq <= {}", next()));
    }
    let limit = next();
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!("SELECT {COLUMNS} FROM audit_log {where_clause} ORDER BY seq LIMIT {limit}");

    let mut query = sqlx::query(&sql);
    if let Some(user_id) = &filter.user_id {
        query = query.bind(user_id);
    }
    if let Some(since) = filter.since {
        query = query.bind(since);
    }
    if let Some(after_seq) = filter.after_seq {
        query = query.bind(after_seq);
    }
    if let Some(up_to) = up_to {
        query = query.bind(up_to);
    }
    let rows = query.bind(filter.limit.max(0)).fetch_all(pool).await?;
    rows.iter().map(from_row).collect()
}

pub(super) async fn records(
    pool: &AnyPool,
    filter: &AuditFilter,
) -> Result<Vec<AuditRecord>, StoreError> {
    select(pool, filter, None).await
}

pub(super) async fn head(pool: &AnyPool) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound("audit head"))?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Reads the head, then every record up to it in pages of [`VERIFY_PAGE`],
/// checking each page as it arrives.
pub(super) async fn verify(pool: &AnyPool) -> Result<Result<ChainReport, ChainBreak>, StoreError> {
    let head = head(pool).await?;
    let mut verifier = ChainVerifier::new(head.0);
    let mut filter =
        AuditFilter { user_id: None, since: None, after_seq: None, limit: VERIFY_PAGE };
    loop {
        let page = select(pool, &filter, Some(head.0)).await?;
        for record in &page {
            if let Err(broken) = verifier.push(record) {
                return Ok(Err(broken));
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == VERIFY_PAGE => filter.after_seq = Some(last.seq),
            _ => break,
        }
    }
    Ok(verifier.finish(Some(head)))
}

fn from_row(row: &AnyRow) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        kind: row.try_get("kind")?,
        outcome: row.try_get("outcome")?,
        user_id: row.try_get("user_id")?,
        client_id: row.try_get("client_id")?,
        credential_id: row.try_get("credential_id")?,
        details: row.try_get("details")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}
