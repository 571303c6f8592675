//! [`StoreTx`] for [`super::SqlStore`]: a `sqlx` transaction on one pooled
//! connection. Dropping it uncommitted rolls back (sqlx queues the ROLLBACK and
//! flushes it when the connection returns to the pool).

use std::fmt;

use async_trait::async_trait;
use sqlx::{Any, Transaction};

use super::{
    audit, certificates, credentials, crls, key_blobs, login_throttle, oauth, sads, tokens, users,
};
use crate::audit::{AuditEvent, AuditRecord};
use crate::error::StoreError;
use crate::key_blobs::KeyBlobKind;
use crate::model::{
    AuthSession, ClaimsConsent, Consent, Grant, IssuedCertificate, NewCredential, NewSad, NewToken,
    PinState,
};
use crate::store::StoreTx;

/// An open transaction.
pub(super) struct SqlTx {
    pub(super) tx: Transaction<'static, Any>,
}

impl fmt::Debug for SqlTx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlTx").finish_non_exhaustive()
    }
}

#[async_trait]
impl StoreTx for SqlTx {
    async fn append_audit(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError> {
        audit::append(&mut self.tx, event).await
    }

    async fn insert_token(&mut self, token: NewToken) -> Result<(), StoreError> {
        tokens::insert(&mut *self.tx, &token).await
    }

    async fn revoke_token(&mut self, token_hash: &str) -> Result<bool, StoreError> {
        tokens::revoke(&mut *self.tx, token_hash).await
    }

    async fn revoke_token_family(&mut self, family_id: &str) -> Result<u64, StoreError> {
        tokens::revoke_family(&mut *self.tx, family_id).await
    }

    async fn login_failed(&mut self, subject: &str, now: i64) -> Result<i64, StoreError> {
        login_throttle::failed(&mut *self.tx, subject, now).await
    }

    async fn lock_login(&mut self, subject: &str, until: i64) -> Result<(), StoreError> {
        login_throttle::lock(&mut *self.tx, subject, until).await
    }

    async fn clear_login_failures(&mut self, subject: &str) -> Result<(), StoreError> {
        login_throttle::clear(&mut *self.tx, subject).await
    }

    async fn insert_auth_session(&mut self, session: &AuthSession) -> Result<(), StoreError> {
        oauth::insert_session(&mut *self.tx, session).await
    }

    async fn revoke_auth_session(&mut self, session_hash: &str) -> Result<bool, StoreError> {
        oauth::revoke_session(&mut *self.tx, session_hash).await
    }

    async fn finish_auth_request(&mut self, id: &str) -> Result<bool, StoreError> {
        oauth::finish_request(&mut *self.tx, id).await
    }

    async fn insert_grant(&mut self, grant: &Grant) -> Result<(), StoreError> {
        oauth::insert_grant(&mut *self.tx, grant).await
    }

    async fn redeem_grant(&mut self, id: &str) -> Result<bool, StoreError> {
        oauth::redeem_grant(&mut *self.tx, id).await
    }

    async fn put_claims_consent(&mut self, consent: &ClaimsConsent) -> Result<(), StoreError> {
        oauth::put_consent(&mut *self.tx, consent).await
    }

    async fn insert_sad(&mut self, sad: NewSad) -> Result<(), StoreError> {
        sads::insert(&mut *self.tx, &sad).await
    }

    async fn consume_sad(
        &mut self,
        sad_hash: &str,
        expected_version: i64,
        remaining: i64,
        hashes: &[String],
        now: i64,
    ) -> Result<bool, StoreError> {
        sads::consume(&mut *self.tx, sad_hash, expected_version, remaining, hashes, now).await
    }

    async fn extend_sad(
        &mut self,
        sad_hash: &str,
        expected_version: i64,
        new_expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        sads::extend(&mut *self.tx, sad_hash, expected_version, new_expires_at, now).await
    }

    async fn record_pin_failure(
        &mut self,
        user_id: &str,
        max_attempts: i64,
    ) -> Result<PinState, StoreError> {
        users::record_pin_failure(&mut *self.tx, user_id, max_attempts).await
    }

    async fn reset_pin_failures(&mut self, user_id: &str) -> Result<(), StoreError> {
        users::reset_pin_failures(&mut *self.tx, user_id).await
    }

    async fn advance_otp_step(&mut self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        users::advance_otp_step(&mut *self.tx, user_id, step).await
    }

    async fn insert_credential(&mut self, credential: &NewCredential) -> Result<(), StoreError> {
        credentials::insert(&mut *self.tx, credential).await
    }

    async fn insert_certificate(
        &mut self,
        certificate: &IssuedCertificate,
    ) -> Result<(), StoreError> {
        certificates::insert(&mut *self.tx, certificate).await
    }

    async fn set_credential_certificate(
        &mut self,
        credential_id: &str,
        chain: &[u8],
        profile: &str,
        connector: &str,
    ) -> Result<bool, StoreError> {
        credentials::set_certificate(&mut *self.tx, credential_id, chain, profile, connector).await
    }

    async fn destroy_credential_key(
        &mut self,
        credential_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        credentials::destroy_key(&mut *self.tx, credential_id, now).await
    }

    async fn revoke_certificate(
        &mut self,
        serial: &str,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        crls::revoke(&mut *self.tx, serial, at, reason).await
    }

    async fn mark_external_revoked(
        &mut self,
        credential_id: &str,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        credentials::mark_external_revoked(&mut *self.tx, credential_id, at, reason).await
    }

    async fn insert_consent(&mut self, consent: &Consent) -> Result<(), StoreError> {
        credentials::insert_consent(&mut *self.tx, consent).await
    }

    async fn replace_key_blob(
        &mut self,
        kind: KeyBlobKind,
        id: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError> {
        key_blobs::replace(&mut *self.tx, kind, id, expected, new).await
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}
