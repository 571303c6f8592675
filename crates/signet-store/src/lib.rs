//! Signet's storage layer: one [`Store`] trait and its SQL implementation,
//! [`SqlStore`], over SQLite (embedded) or PostgreSQL (scale-out).
//!
//! The backend is chosen from the URL (`sqlite://…` or `postgres://…`); the
//! schema lives in `migrations/sqlite` and `migrations/postgres`, with the same
//! numbering, and is applied by [`SqlStore::connect`]. Everything that must be
//! decided once across nodes (uniqueness, PIN failure counting) is decided by
//! the database, and so is the order of the audit log (see [`audit`]).

pub mod audit;
pub mod error;
mod key_blobs;
pub mod model;
mod sql;
mod store;

pub use audit::{
    verify_chain, AuditEvent, AuditFilter, AuditRecord, ChainBreak, ChainReport, ChainVerifier,
};
pub use error::StoreError;
pub use key_blobs::{KeyBlob, KeyBlobKind};
pub use model::{
    AuthRequestRecord, AuthSession, CertificateAuthority, CertificateStatus, ClaimsConsent, Client,
    Consent, Credential, CredentialStatus, DocumentTransaction, Grant, Group, IssuedCertificate,
    KeyLifecycle, LoginThrottle, NewCa, NewClient, NewCredential, NewGroup, NewSad, NewToken,
    NewUser, PinState, Sad, ServiceKey, StoredCrl, Token, TokenKind, User, EMBEDDED_CONNECTOR,
};
pub use sql::{FirstStartLock, SqlStore};
pub use store::{Store, StoreTx};
