//! Moving stored blobs from one crypto module to another (`signet admin crypto migrate`):
//! the caller walks the database and asks, blob by blob, whether it still needs moving and
//! for its replacement. Plaintext keys never leave this crate on the way.

use crate::{CryptoError, KeyBinding, WrappedKey};

/// Where a stored blob stands in a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobState {
    /// Already in the target module's format: skipped (a migration can be run again).
    Done,
    /// In the source module's format: to be moved.
    ToMove,
    /// In neither format.
    Foreign,
}

/// A migration between two modules.
pub trait KeyMigration: Send + Sync + std::fmt::Debug {
    /// The source module's name (`soft`).
    fn source(&self) -> &'static str;
    /// The target module's name (`pkcs11`).
    fn target(&self) -> &'static str;
    /// Where `blob` stands.
    fn state(&self, blob: &[u8]) -> BlobState;
    /// The target's blob for the source's `blob`, bound to the same `binding` (which the
    /// source blob must authenticate under).
    fn rewrap_key(
        &self,
        blob: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<WrappedKey, CryptoError>;
    /// The target's sealing of the source's sealed secret.
    fn reseal_secret(
        &self,
        sealed: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError>;
}
