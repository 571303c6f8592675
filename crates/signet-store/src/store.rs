//! The [`Store`] trait: everything the other crates may ask of storage.

use async_trait::async_trait;

use crate::error::StoreError;
use crate::model::{
    CertificateAuthority, Client, Credential, CredentialStatus, Group, IssuedCertificate, NewCa,
    NewClient, NewCredential, NewGroup, NewUser, PinState, User,
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
}
