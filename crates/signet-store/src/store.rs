//! The [`Store`] trait: everything the other crates may ask of storage; and
//! [`StoreTx`], the unit of work that changes CSC state together with its
//! audit record.

use async_trait::async_trait;

use crate::audit::{AuditEvent, AuditFilter, AuditRecord, ChainBreak, ChainReport};
use crate::error::StoreError;
use crate::key_blobs::{KeyBlob, KeyBlobKind};
use crate::model::{
    AuthRequestRecord, AuthSession, CertificateAuthority, ClaimsConsent, Client, Consent,
    Credential, CredentialStatus, DocumentTransaction, Grant, Group, IssuedCertificate,
    LoginThrottle, NewCa, NewClient, NewCredential, NewGroup, NewSad, NewToken, NewUser, PinState,
    Sad, ServiceKey, StoredCrl, Token, User,
};

/// Persistent state of Signet. Implemented by [`crate::SqlStore`]; other
/// implementations (test doubles) must keep the same atomicity guarantees.
///
/// Lookups return `Ok(None)` when the record does not exist; updates of a
/// missing record return [`StoreError::NotFound`]; a broken uniqueness rule
/// returns [`StoreError::Conflict`]; a reference to a missing parent record
/// (group, user, CA) returns [`StoreError::NotFound`] naming the parent.
#[async_trait]
pub trait Store: Send + Sync {
    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// The backend's name: `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    // --- groups -----------------------------------------------------------

    /// Creates a group; `Conflict` if its name (or id) is taken.
    async fn create_group(&self, group: NewGroup) -> Result<Group, StoreError>;

    /// The group with this unique name.
    async fn group_by_name(&self, name: &str) -> Result<Option<Group>, StoreError>;

    /// The group with this id.
    async fn group_by_id(&self, id: &str) -> Result<Option<Group>, StoreError>;

    // --- clients ----------------------------------------------------------

    /// Creates an OAuth client; `Conflict` if the group already has a client of
    /// that name (or the id is taken), `NotFound("group")` if the group is missing.
    async fn create_client(&self, client: NewClient) -> Result<Client, StoreError>;

    /// The client with this `client_id`.
    async fn client_by_id(&self, id: &str) -> Result<Option<Client>, StoreError>;

    /// The clients of the group with id `group_id` (by name), or of every group (by
    /// group id, then name).
    async fn list_clients(&self, group_id: Option<&str>) -> Result<Vec<Client>, StoreError>;

    // --- users ------------------------------------------------------------

    /// Creates a user with no PIN failures; `Conflict` if the username (or id)
    /// is taken, `NotFound("group")` if the group is missing.
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;

    /// The user with this username.
    async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError>;

    /// The user with this id.
    async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError>;

    /// Sets the user's PIN hash and clears the failure counter and the lock.
    async fn set_pin(&self, user_id: &str, pin_hash: &str) -> Result<(), StoreError>;

    /// Counts one wrong PIN, atomically in the database (concurrent failures
    /// each count), and locks the PIN once failures reach `max_attempts`.
    async fn record_pin_failure(
        &self,
        user_id: &str,
        max_attempts: i64,
    ) -> Result<PinState, StoreError>;

    /// Sets (`Some`) or removes (`None`) the user's sealed OTP seed; the step counter
    /// starts afresh.
    async fn set_otp(&self, user_id: &str, sealed: Option<&[u8]>) -> Result<(), StoreError>;

    /// Clears the failure counter after a correct PIN (the lock is kept:
    /// only [`Store::set_pin`] lifts it).
    async fn reset_pin_failures(&self, user_id: &str) -> Result<(), StoreError>;

    // --- certificate authorities -------------------------------------------

    /// Inserts a CA; `Conflict` if its id is taken, `NotFound("parent CA")`
    /// if `parent_id` names no CA.
    async fn insert_ca(&self, ca: NewCa) -> Result<CertificateAuthority, StoreError>;

    /// The CA with this id.
    async fn ca_by_id(&self, id: &str) -> Result<Option<CertificateAuthority>, StoreError>;

    /// All CAs, ordered by id.
    async fn list_cas(&self) -> Result<Vec<CertificateAuthority>, StoreError>;

    // --- revocation and CRLs -------------------------------------------------

    /// Marks a valid certificate revoked (RFC 5280 reason name, if any); `false` when it
    /// is unknown or was revoked already.
    async fn revoke_certificate(
        &self,
        serial: &str,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// (serial, revoked_at, reason) of every revoked certificate the CA issued.
    async fn revoked_certificates(
        &self,
        ca_id: &str,
    ) -> Result<Vec<(String, i64, Option<String>)>, StoreError>;

    /// The CA's newest CRL.
    async fn latest_crl(&self, ca_id: &str) -> Result<Option<StoredCrl>, StoreError>;

    /// Stores a CRL; `Conflict` when that number exists (another node was first).
    async fn insert_crl(&self, crl: &StoredCrl) -> Result<(), StoreError>;

    // --- service keys ---------------------------------------------------------

    /// Inserts a service key (TSA, OCSP); `Conflict` if its id is taken.
    async fn insert_service_key(&self, key: ServiceKey) -> Result<ServiceKey, StoreError>;

    /// The service key with this id.
    async fn service_key_by_id(&self, id: &str) -> Result<Option<ServiceKey>, StoreError>;

    // --- stored key blobs (crypto module migration) -----------------------------

    /// One page of the blobs of `kind` (wrapped keys not destroyed, sealed OTP seeds):
    /// at most `limit` with ids greater than `after_id`, by id.
    async fn key_blobs(
        &self,
        kind: KeyBlobKind,
        after_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<KeyBlob>, StoreError>;

    /// How many blobs of `kind` exist (an upper bound of [`Store::key_blobs`]' rows).
    async fn count_key_blobs(&self, kind: KeyBlobKind) -> Result<i64, StoreError>;

    // --- credentials --------------------------------------------------------

    /// Creates a credential and registers its certificate in one transaction:
    /// if either insert fails, neither is written.
    async fn create_credential(
        &self,
        credential: NewCredential,
        certificate: IssuedCertificate,
    ) -> Result<Credential, StoreError>;

    /// The credential with this id.
    async fn credential_by_id(&self, id: &str) -> Result<Option<Credential>, StoreError>;

    /// One page of a user's credentials ordered by id: at most `limit` rows
    /// with ids greater than `after_id` (keyset pagination; pass the last id of
    /// the previous page, or `None` for the first page).
    async fn list_credentials(
        &self,
        user_id: &str,
        limit: i64,
        after_id: Option<&str>,
    ) -> Result<Vec<Credential>, StoreError>;

    /// Enables or disables a credential.
    async fn set_credential_status(
        &self,
        id: &str,
        status: CredentialStatus,
    ) -> Result<(), StoreError>;

    // --- certificates -------------------------------------------------------

    /// Registers an issued certificate that belongs to no credential (CA
    /// certificates); `Conflict` if the serial is taken.
    async fn insert_certificate(&self, certificate: IssuedCertificate) -> Result<(), StoreError>;

    /// The registered certificate with this serial (lower-case hex).
    async fn certificate_by_serial(
        &self,
        serial: &str,
    ) -> Result<Option<IssuedCertificate>, StoreError>;

    // --- CSC: unit of work, tokens, SADs, audit -------------------------------

    /// Starts a unit of work: the changes made through the returned
    /// [`StoreTx`] are written together by [`StoreTx::commit`], or not at all
    /// (dropping it uncommitted rolls back).
    async fn begin(&self) -> Result<Box<dyn StoreTx>, StoreError>;

    /// Ids of one-shot credentials whose key is past its expiry and not yet destroyed,
    /// oldest first, at most `limit`.
    async fn expired_one_shot_credentials(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<String>, StoreError>;

    /// Stores a prepared document signature.
    async fn insert_document_transaction(&self, t: &DocumentTransaction) -> Result<(), StoreError>;

    /// A prepared document signature by id.
    async fn document_transaction(
        &self,
        id: &str,
    ) -> Result<Option<DocumentTransaction>, StoreError>;

    /// Marks a prepared document signature completed, if it is neither completed nor
    /// expired at `now`; of concurrent callers exactly one gets `true`.
    async fn complete_document_transaction(&self, id: &str, now: i64) -> Result<bool, StoreError>;

    /// Deletes document transactions past their expiry (and the documents they hold);
    /// returns how many.
    async fn delete_expired_document_transactions(&self, now: i64) -> Result<u64, StoreError>;

    /// The policy-document acceptances recorded for a credential, oldest first.
    async fn consents(&self, credential_id: &str) -> Result<Vec<Consent>, StoreError>;

    /// The token with this hash (lower-case hex SHA-256 of the bearer value),
    /// revoked or expired ones included: the caller checks both.
    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<Token>, StoreError>;

    /// The failed-login record of a login name (its subject hash), if any.
    async fn login_throttle(&self, subject: &str) -> Result<Option<LoginThrottle>, StoreError>;

    /// The SAD with this hash (lower-case hex SHA-256 of the SAD), expired or
    /// used up ones included: the caller checks both, then consumes it with
    /// [`StoreTx::consume_sad`] passing the version it read.
    async fn sad_by_hash(&self, sad_hash: &str) -> Result<Option<Sad>, StoreError>;

    /// The login session with this hash (hex SHA-256 of the cookie), ended or expired
    /// ones included: the caller checks both.
    async fn auth_session(&self, session_hash: &str) -> Result<Option<AuthSession>, StoreError>;

    /// Stores a validated authorization request waiting for the signer.
    async fn insert_auth_request(&self, request: &AuthRequestRecord) -> Result<(), StoreError>;

    /// The pending authorization request with this id, answered or expired ones
    /// included.
    async fn auth_request(&self, id: &str) -> Result<Option<AuthRequestRecord>, StoreError>;

    /// Deletes authorization requests past their expiry; returns how many.
    async fn delete_expired_auth_requests(&self, now: i64) -> Result<u64, StoreError>;

    /// The grant whose code has this hash, redeemed or expired ones included.
    async fn grant_by_code(&self, code_hash: &str) -> Result<Option<Grant>, StoreError>;

    /// The grant with this id (the family of its tokens).
    async fn grant_by_id(&self, id: &str) -> Result<Option<Grant>, StoreError>;

    /// The claims a user agreed to let a client read, if asked before.
    async fn claims_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> Result<Option<ClaimsConsent>, StoreError>;

    /// Records the `jti` (its hash) of a client assertion until `expires_at`; false if
    /// it was recorded before (replay).
    async fn record_client_assertion(
        &self,
        jti_hash: &str,
        client_id: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Audit records matching `filter`, ordered by seq.
    async fn audit_records(&self, filter: &AuditFilter) -> Result<Vec<AuditRecord>, StoreError>;

    /// The head of the audit chain: the last record's seq and hash (`0` and
    /// [`crate::audit::GENESIS_HASH`] for an empty log).
    async fn audit_head(&self) -> Result<(i64, String), StoreError>;

    /// Verifies the whole audit log against its head, reading it in pages (a
    /// log of millions of records is never in memory at once). The outer
    /// error is a failure to read; the inner one the first break in the chain.
    /// Records appended while it runs (after the head was read) are not
    /// covered.
    async fn verify_audit(&self) -> Result<Result<ChainReport, ChainBreak>, StoreError>;
}

/// A unit of work on the store (invariant 4: an authorisation decision or a
/// signature and its audit record are written in one transaction).
///
/// Nothing is visible to others before [`StoreTx::commit`]; dropping the value
/// uncommitted (an early `?`, a panic) rolls everything back, the audit
/// sequence included, so a rolled-back transaction leaves no gap in the log.
///
/// After any error the unit of work must be dropped, not used further or
/// committed: PostgreSQL aborts a transaction at its first failed statement
/// (SQLite does not, but callers must not rely on the difference).
///
/// Every method's first statement is a write. On SQLite this takes the
/// database's write lock at once (waiting up to the busy timeout) instead of
/// upgrading a read lock later, which could fail with "database is locked"
/// under concurrency. [`StoreTx::append_audit`] takes the lock on the log's
/// head, which every appender on every node needs: call it last, just before
/// committing, so the lock is held briefly and always in the same order.
#[async_trait]
pub trait StoreTx: Send {
    /// Appends `event` to the audit log and returns the record with its seq
    /// and chain hash. Appenders are serialised across connections and nodes
    /// by first advancing the head row (`UPDATE audit_head SET seq = seq + 1 …
    /// RETURNING seq, hash`), then inserting the record, then storing its hash
    /// in the head.
    async fn append_audit(&mut self, event: AuditEvent) -> Result<AuditRecord, StoreError>;

    /// Stores a token; `Conflict` if its hash exists, `NotFound("user or
    /// client")` if either reference is missing.
    async fn insert_token(&mut self, token: NewToken) -> Result<(), StoreError>;

    /// Revokes one token: `true` if this call revoked it, `false` if it does
    /// not exist or was already revoked.
    async fn revoke_token(&mut self, token_hash: &str) -> Result<bool, StoreError>;

    /// Revokes every token of a family (an access token and its refresh
    /// tokens); returns how many this call revoked.
    async fn revoke_token_family(&mut self, family_id: &str) -> Result<u64, StoreError>;

    /// Counts a failed login of `subject` atomically; returns the consecutive failures.
    async fn login_failed(&mut self, subject: &str, now: i64) -> Result<i64, StoreError>;

    /// Refuses logins of `subject` until `until` (unix seconds).
    async fn lock_login(&mut self, subject: &str, until: i64) -> Result<(), StoreError>;

    /// Forgets the failures of `subject` (after a successful login).
    async fn clear_login_failures(&mut self, subject: &str) -> Result<(), StoreError>;

    /// Stores a SAD at version 0; `Conflict` if its hash exists,
    /// `NotFound("user, credential or client")` if a reference is missing.
    async fn insert_sad(&mut self, sad: NewSad) -> Result<(), StoreError>;

    /// Compare-and-set: if the SAD still has `expected_version` and
    /// `expires_at > now`, sets its `remaining` and `hashes` (the ones still
    /// unused), bumps its version and returns `true`; otherwise changes nothing
    /// and returns `false` (missing, expired, or changed by someone else). Of
    /// concurrent consumers passing the same version, exactly one gets `true`.
    async fn consume_sad(
        &mut self,
        sad_hash: &str,
        expected_version: i64,
        remaining: i64,
        hashes: &[String],
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Compare-and-set like [`StoreTx::consume_sad`], for CSC
    /// `credentials/extendTransaction`: sets `expires_at` to `new_expires_at`.
    async fn extend_sad(
        &mut self,
        sad_hash: &str,
        expected_version: i64,
        new_expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// [`Store::record_pin_failure`] inside this unit of work.
    async fn record_pin_failure(
        &mut self,
        user_id: &str,
        max_attempts: i64,
    ) -> Result<PinState, StoreError>;

    /// [`Store::reset_pin_failures`] inside this unit of work.
    async fn reset_pin_failures(&mut self, user_id: &str) -> Result<(), StoreError>;

    /// Records the TOTP time step `step` as used if it is later than the last one used;
    /// `false` means the code was used before (a replay) and must be refused.
    async fn advance_otp_step(&mut self, user_id: &str, step: i64) -> Result<bool, StoreError>;

    /// Inserts a credential (a key, certified or not yet); `Conflict` if the id exists.
    async fn insert_credential(&mut self, credential: &NewCredential) -> Result<(), StoreError>;

    /// Adds a row to the registry of certificates the embedded CA issued.
    async fn insert_certificate(
        &mut self,
        certificate: &IssuedCertificate,
    ) -> Result<(), StoreError>;

    /// Sets a credential's certificate chain, profile and the connector that issued it
    /// (first certificate or renewal); `false` if the credential is unknown or its key
    /// destroyed.
    async fn set_credential_certificate(
        &mut self,
        credential_id: &str,
        chain: &[u8],
        profile: &str,
        connector: &str,
    ) -> Result<bool, StoreError>;

    /// Destroys a credential's wrapped key and disables it; `false` if it is unknown or
    /// already destroyed (of concurrent callers exactly one gets `true`).
    async fn destroy_credential_key(
        &mut self,
        credential_id: &str,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// [`Store::revoke_certificate`] inside this unit of work.
    async fn revoke_certificate(
        &mut self,
        serial: &str,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Records that an external CA revoked the credential's current certificate; `false`
    /// if it was already recorded.
    async fn mark_external_revoked(
        &mut self,
        credential_id: &str,
        at: i64,
        reason: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Records a signer's acceptance of policy documents.
    async fn insert_consent(&mut self, consent: &Consent) -> Result<(), StoreError>;

    /// Opens a login session.
    async fn insert_auth_session(&mut self, session: &AuthSession) -> Result<(), StoreError>;

    /// Ends a login session; returns whether it was live.
    async fn revoke_auth_session(&mut self, session_hash: &str) -> Result<bool, StoreError>;

    /// Marks an authorization request answered; false if it already was.
    async fn finish_auth_request(&mut self, id: &str) -> Result<bool, StoreError>;

    /// Stores a grant and its code.
    async fn insert_grant(&mut self, grant: &Grant) -> Result<(), StoreError>;

    /// Spends a grant's code; false if it was already spent (compare-and-set).
    async fn redeem_grant(&mut self, id: &str) -> Result<bool, StoreError>;

    /// Records (or replaces) the claims a user lets a client read.
    async fn put_claims_consent(&mut self, consent: &ClaimsConsent) -> Result<(), StoreError>;

    /// Compare-and-set of a stored blob: replaces it with `new` if the row still holds
    /// `expected` (and, for a credential, its key is not destroyed); `false` otherwise.
    async fn replace_key_blob(
        &mut self,
        kind: KeyBlobKind,
        id: &str,
        expected: &[u8],
        new: &[u8],
    ) -> Result<bool, StoreError>;

    /// Writes every change of this unit of work, atomically.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;

    /// Discards every change now (dropping does the same, in the background).
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
}
