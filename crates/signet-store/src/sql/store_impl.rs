//! [`Store`] for [`SqlStore`]: each method delegates to its table's module.

use async_trait::async_trait;

use super::tx::SqlTx;
use super::{
    audit, cas, certificates, clients, credentials, crls, documents, groups, key_blobs,
    login_throttle, oauth, sads, service_keys, tokens, users, SqlStore,
};
use crate::audit::{AuditFilter, AuditRecord, ChainBreak, ChainReport};
use crate::error::StoreError;
use crate::key_blobs::{KeyBlob, KeyBlobKind};
use crate::model::{
    AuthRequestRecord, AuthSession, CertificateAuthority, ClaimsConsent, Client, Consent,
    Credential, CredentialStatus, DocumentTransaction, Grant, Group, IssuedCertificate,
    LoginThrottle, NewCa, NewClient, NewCredential, NewGroup, NewUser, PinState, Sad, ServiceKey,
    StoredCrl, Token, User,
};
use crate::store::{Store, StoreTx};

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        self.backend.name()
    }

    async fn create_group(&self, group: NewGroup) -> Result<Group, StoreError> {
        groups::create(&self.pool, group).await
    }

    async fn group_by_name(&self, name: &str) -> Result<Option<Group>, StoreError> {
        groups::by_name(&self.pool, name).await
    }

    async fn group_by_id(&self, id: &str) -> Result<Option<Group>, StoreError> {
        groups::by_id(&self.pool, id).await
    }

    async fn create_client(&self, client: NewClient) -> Result<Client, StoreError> {
        clients::create(&self.pool, client).await
    }

    async fn client_by_id(&self, id: &str) -> Result<Option<Client>, StoreError> {
        clients::by_id(&self.pool, id).await
    }

    async fn list_clients(&self, group_id: Option<&str>) -> Result<Vec<Client>, StoreError> {
        clients::list(&self.pool, group_id).await
    }

    async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
        users::create(&self.pool, user).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        users::by_username(&self.pool, username).await
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        users::by_id(&self.pool, id).await
    }

    async fn set_pin(&self, user_id: &str, pin_hash: &str) -> Result<(), StoreError> {
        users::set_pin(&self.pool, user_id, pin_hash).await
    }

    async fn record_pin_failure(
        &self,
        user_id: &str,
        max_attempts: i64,
    ) -> Result<PinState, StoreError> {
        users::record_pin_failure(&self.pool, user_id, max_attempts).await
    }

    async fn reset_pin_failures(&self, user_id: &str) -> Result<(), StoreError> {
        users::reset_pin_failures(&self.pool, user_id).await
    }

    async fn revoke_certificate(
        &self,
        serial: &str,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError> {
        crls::revoke(&self.pool, serial, at, reason).await
    }

    async fn revoked_certificates(
        &self,
        ca_id: &str,
    ) -> Result<Vec<(String, i64, Option<String>)>, StoreError> {
        crls::revoked(&self.pool, ca_id).await
    }

    async fn latest_crl(&self, ca_id: &str) -> Result<Option<StoredCrl>, StoreError> {
        crls::latest(&self.pool, ca_id).await
    }

    async fn insert_crl(&self, crl: &StoredCrl) -> Result<(), StoreError> {
        crls::insert(&self.pool, crl).await
    }

    async fn set_otp(&self, user_id: &str, sealed: Option<&[u8]>) -> Result<(), StoreError> {
        users::set_otp(&self.pool, user_id, sealed).await
    }

    async fn insert_service_key(&self, key: ServiceKey) -> Result<ServiceKey, StoreError> {
        service_keys::insert(&self.pool, key).await
    }

    async fn key_blobs(
        &self,
        kind: KeyBlobKind,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<KeyBlob>, StoreError> {
        key_blobs::page(&self.pool, kind, after_id, limit).await
    }

    async fn count_key_blobs(&self, kind: KeyBlobKind) -> Result<i64, StoreError> {
        key_blobs::count(&self.pool, kind).await
    }

    async fn service_key_by_id(&self, id: &str) -> Result<Option<ServiceKey>, StoreError> {
        service_keys::by_id(&self.pool, id).await
    }

    async fn insert_ca(&self, ca: NewCa) -> Result<CertificateAuthority, StoreError> {
        cas::insert(&self.pool, ca).await
    }

    async fn ca_by_id(&self, id: &str) -> Result<Option<CertificateAuthority>, StoreError> {
        cas::by_id(&self.pool, id).await
    }

    async fn list_cas(&self) -> Result<Vec<CertificateAuthority>, StoreError> {
        cas::list(&self.pool).await
    }

    async fn create_credential(
        &self,
        credential: NewCredential,
        certificate: IssuedCertificate,
    ) -> Result<Credential, StoreError> {
        credentials::create(&self.pool, credential, certificate).await
    }

    async fn credential_by_id(&self, id: &str) -> Result<Option<Credential>, StoreError> {
        credentials::by_id(&self.pool, id).await
    }

    async fn list_credentials(
        &self,
        user_id: &str,
        limit: i64,
        after_id: Option<&str>,
    ) -> Result<Vec<Credential>, StoreError> {
        credentials::list(&self.pool, user_id, limit, after_id).await
    }

    async fn set_credential_status(
        &self,
        id: &str,
        status: CredentialStatus,
    ) -> Result<(), StoreError> {
        credentials::set_status(&self.pool, id, status).await
    }

    async fn insert_certificate(&self, certificate: IssuedCertificate) -> Result<(), StoreError> {
        certificates::insert(&self.pool, &certificate).await
    }

    async fn certificate_by_serial(
        &self,
        serial: &str,
    ) -> Result<Option<IssuedCertificate>, StoreError> {
        certificates::by_serial(&self.pool, serial).await
    }

    async fn begin(&self) -> Result<Box<dyn StoreTx>, StoreError> {
        Ok(Box::new(SqlTx { tx: self.pool.begin().await? }))
    }

    async fn expired_one_shot_credentials(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError> {
        credentials::expired_one_shot(&self.pool, now, limit).await
    }

    async fn insert_document_transaction(&self, t: &DocumentTransaction) -> Result<(), StoreError> {
        documents::insert(&self.pool, t).await
    }

    async fn document_transaction(
        &self,
        id: &str,
    ) -> Result<Option<DocumentTransaction>, StoreError> {
        documents::by_id(&self.pool, id).await
    }

    async fn complete_document_transaction(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        documents::complete(&self.pool, id, now).await
    }

    async fn delete_expired_document_transactions(&self, now: i64) -> Result<u64, StoreError> {
        documents::delete_expired(&self.pool, now).await
    }

    async fn consents(&self, credential_id: &str) -> Result<Vec<Consent>, StoreError> {
        credentials::consents(&self.pool, credential_id).await
    }

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<Token>, StoreError> {
        tokens::by_hash(&self.pool, token_hash).await
    }

    async fn auth_session(&self, session_hash: &str) -> Result<Option<AuthSession>, StoreError> {
        oauth::session(&self.pool, session_hash).await
    }

    async fn insert_auth_request(&self, request: &AuthRequestRecord) -> Result<(), StoreError> {
        oauth::insert_request(&self.pool, request).await
    }

    async fn auth_request(&self, id: &str) -> Result<Option<AuthRequestRecord>, StoreError> {
        oauth::request(&self.pool, id).await
    }

    async fn delete_expired_auth_requests(&self, now: i64) -> Result<u64, StoreError> {
        oauth::delete_expired_requests(&self.pool, now).await
    }

    async fn grant_by_code(&self, code_hash: &str) -> Result<Option<Grant>, StoreError> {
        oauth::grant_by_code(&self.pool, code_hash).await
    }

    async fn grant_by_id(&self, id: &str) -> Result<Option<Grant>, StoreError> {
        oauth::grant_by_id(&self.pool, id).await
    }

    async fn claims_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> Result<Option<ClaimsConsent>, StoreError> {
        oauth::consent(&self.pool, user_id, client_id).await
    }

    async fn record_client_assertion(
        &self,
        jti_hash: &str,
        client_id: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        oauth::record_assertion(&self.pool, jti_hash, client_id, expires_at, now).await
    }

    async fn login_throttle(&self, subject: &str) -> Result<Option<LoginThrottle>, StoreError> {
        login_throttle::get(&self.pool, subject).await
    }

    async fn sad_by_hash(&self, sad_hash: &str) -> Result<Option<Sad>, StoreError> {
        sads::by_hash(&self.pool, sad_hash).await
    }

    async fn audit_records(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError> {
        audit::records(&self.pool, filter).await
    }

    async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        audit::head(&self.pool).await
    }

    async fn verify_audit(&self) -> Result<Result<ChainReport, ChainBreak>, StoreError> {
        audit::verify(&self.pool).await
    }
}
