//! Reading and checking the tamper-evident audit log (DESIGN.md invariant 4), and the
//! records of administrative actions.

use crate::{Engine, EngineError};
use serde_json::Value;
use signet_store::{AuditEvent, AuditFilter, AuditRecord, ChainBreak, ChainReport};

impl Engine {
    /// Checks the whole hash chain; the inner error names the first broken record.
    pub async fn audit_verify(&self) -> Result<Result<ChainReport, ChainBreak>, EngineError> {
        Ok(self.store.verify_audit().await?)
    }

    /// Records oldest first, optionally only those of one user and from a time on.
    pub async fn audit_list(
        &self,
        username: Option<&str>,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, EngineError> {
        let user_id = match username {
            Some(u) => Some(self.user_named(u).await?.id),
            None => None,
        };
        let filter =
            AuditFilter { user_id, since, after_seq: None, limit: limit.clamp(1, 100_000) };
        Ok(self.store.audit_records(&filter).await?)
    }

    /// Records an operator's action (`signet admin …`).
    pub(crate) async fn admin_audit(
        &self,
        kind: &str,
        user_id: Option<&str>,
        credential_id: Option<&str>,
        details: Value,
    ) -> Result<(), EngineError> {
        self.audit(AuditEvent {
            at: self.clock.now(),
            kind: format!("admin.{kind}"),
            outcome: "success".into(),
            user_id: user_id.map(str::to_owned),
            client_id: None,
            credential_id: credential_id.map(str::to_owned),
            details: details.to_string(),
        })
        .await
    }
}
