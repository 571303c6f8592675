//! `signet admin crypto migrate`: every stored blob of the source module re-wrapped under
//! the target module (e.g. the soft module's keys into the HSM), one row per transaction
//! with its audit record (DESIGN.md invariant 4), so that an interrupted run loses nothing
//! and a second run moves only what is left (rows already in the target's format are
//! skipped). Run it with the servers stopped: a server still on the source module cannot
//! use a moved key.

use crate::ca::CA_OWNER;
use crate::{Engine, EngineError};
use signet_crypto::{BlobState, KeyBinding, KeyMigration, WrappedKey, SERVICE_OWNER_PREFIX};
use signet_store::{AuditEvent, KeyBlob, KeyBlobKind};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rows read per page.
const PAGE: i64 = 100;

/// What happened to one stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationEvent {
    /// Re-wrapped under the target and stored.
    Moved {
        /// Its column.
        kind: KeyBlobKind,
        /// Its row.
        id: String,
    },
    /// Already in the target's format, or changed by someone else meanwhile (the next run
    /// takes it).
    Skipped {
        /// Its column.
        kind: KeyBlobKind,
        /// Its row.
        id: String,
    },
}

/// The outcome of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Blobs found (the progress total).
    pub total: u64,
    /// Blobs moved now, by column (`credential`, `ca`, `service_key`, `otp_seed`).
    pub moved: BTreeMap<&'static str, u64>,
    /// Blobs left as they were (already moved, or changed meanwhile).
    pub skipped: u64,
    /// Blobs still to move when the run stopped at its limit.
    pub remaining: u64,
}

impl Engine {
    /// Counts the blobs a migration will look at.
    pub async fn key_blob_count(&self) -> Result<u64, EngineError> {
        let mut total = 0;
        for kind in KeyBlobKind::ALL {
            total += u64::try_from(self.store.count_key_blobs(kind).await?).unwrap_or(0);
        }
        Ok(total)
    }

    /// Moves every blob still in the source's format, at most `limit` of them; `progress`
    /// hears of each blob as it is handled.
    pub async fn migrate_keys(
        &self,
        migration: Arc<dyn KeyMigration>,
        limit: Option<u64>,
        progress: &(dyn Fn(&MigrationEvent) + Send + Sync),
    ) -> Result<MigrationReport, EngineError> {
        let mut report =
            MigrationReport { total: self.key_blob_count().await?, ..Default::default() };
        let mut moved_total = 0u64;
        for kind in KeyBlobKind::ALL {
            let mut after: Option<String> = None;
            loop {
                let page = self.store.key_blobs(kind, after.as_deref(), PAGE).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.id.clone());
                for blob in page {
                    let state = migration.state(&blob.blob);
                    if state == BlobState::Foreign {
                        return Err(EngineError::Integrity(format!(
                            "{} `{}` holds a blob of neither the {} nor the {} module",
                            kind.as_str(),
                            blob.id,
                            migration.source(),
                            migration.target()
                        )));
                    }
                    if state == BlobState::Done {
                        report.skipped += 1;
                        progress(&MigrationEvent::Skipped { kind, id: blob.id });
                        continue;
                    }
                    if limit.is_some_and(|l| moved_total >= l) {
                        report.remaining += 1;
                        continue;
                    }
                    let event = if self.move_one(&migration, &blob).await? {
                        moved_total += 1;
                        *report.moved.entry(kind.as_str()).or_default() += 1;
                        MigrationEvent::Moved { kind, id: blob.id }
                    } else {
                        report.skipped += 1;
                        MigrationEvent::Skipped { kind, id: blob.id }
                    };
                    progress(&event);
                }
            }
        }
        Ok(report)
    }

    /// Re-wraps one blob and stores it with its audit record, if the row did not change
    /// meanwhile; returns whether it did.
    async fn move_one(
        &self,
        migration: &Arc<dyn KeyMigration>,
        blob: &KeyBlob,
    ) -> Result<bool, EngineError> {
        let new = {
            let (migration, blob) = (migration.clone(), blob.clone());
            tokio::task::spawn_blocking(move || rewrap(migration.as_ref(), &blob))
                .await
                .map_err(|e| EngineError::Internal(format!("crypto task failed: {e}")))??
        };
        let mut tx = self.store.begin().await?;
        if !tx.replace_key_blob(blob.kind, &blob.id, &blob.blob, &new.0).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        let credential = (blob.kind == KeyBlobKind::Credential).then(|| blob.id.clone());
        tx.append_audit(AuditEvent {
            at: self.clock.now(),
            kind: "admin.crypto.migrate".into(),
            outcome: "success".into(),
            user_id: blob.user_id.clone(),
            client_id: None,
            credential_id: credential,
            details: serde_json::json!({
                "object": blob.kind.as_str(), "id": blob.id,
                "from": migration.source(), "to": migration.target(),
            })
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The binding each column's blobs were wrapped under, and the re-wrapped blob.
fn rewrap(migration: &dyn KeyMigration, blob: &KeyBlob) -> Result<WrappedKey, EngineError> {
    let old = WrappedKey(blob.blob.clone());
    let missing = |what: &str| {
        EngineError::Integrity(format!("{} `{}` has no {what}", blob.kind.as_str(), blob.id))
    };
    if blob.kind == KeyBlobKind::OtpSeed {
        let owner = blob.user_id.as_deref().ok_or_else(|| missing("user"))?;
        return Ok(migration.reseal_secret(&old, owner, signet_sam::OTP_PURPOSE)?);
    }
    let algorithm = blob
        .key_algorithm
        .as_deref()
        .ok_or_else(|| missing("key type"))?
        .parse()
        .map_err(|_| missing("known key type"))?;
    let service_owner;
    let owner = match blob.kind {
        KeyBlobKind::Credential => blob.user_id.as_deref().ok_or_else(|| missing("user"))?,
        KeyBlobKind::CertificateAuthority => CA_OWNER,
        // Every service key is bound to `service:<its id>` (see `service_keys`).
        _ => {
            service_owner = format!("{SERVICE_OWNER_PREFIX}{}", blob.id);
            &service_owner
        }
    };
    let binding = KeyBinding { owner, credential: &blob.id, algorithm };
    Ok(migration.rewrap_key(&old, &binding)?)
}

#[cfg(test)]
mod tests {
    use crate::service_keys::{OCSP, TSA};

    /// `rewrap` rebuilds a service key's binding owner from its id.
    #[test]
    fn service_keys_are_bound_to_service_and_their_id() {
        for spec in [&TSA, &OCSP] {
            assert_eq!(spec.owner, format!("{}{}", signet_crypto::SERVICE_OWNER_PREFIX, spec.id));
        }
    }
}
