//! Signet's storage layer: one [`Store`] trait and its SQL implementation,
//! [`SqlStore`], over SQLite (embedded) or PostgreSQL (scale-out).
//!
//! The backend is chosen from the URL (`sqlite://…` or `postgres://…`); the
//! schema lives in `migrations/sqlite` and `migrations/postgres`, with the same
//! numbering, and is applied by [`SqlStore::connect`]. Everything that must be
//! decided once across nodes (uniqueness, PIN failure counting) is decided by
//! the database.

pub mod error;
pub mod model;
mod sql;
mod store;

pub use error::StoreError;
pub use model::{
    CertificateAuthority, CertificateStatus, Client, Credential, CredentialStatus, Group,
    IssuedCertificate, NewCa, NewClient, NewCredential, NewGroup, NewUser, PinState, User,
};
pub use sql::SqlStore;
pub use store::Store;
