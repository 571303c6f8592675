//! Signet's cryptographic module seam (EN 419 241-1 calls it the cryptographic module).
//!
//! A [`CryptoModule`] generates key pairs and hands them out only *wrapped* under its
//! master key, with the key's owner, credential and algorithm bound in (invariant 1 of
//! `DESIGN.md`). To sign, the caller gives the wrapped blob back together with the same
//! binding; the module unwraps, signs the digest and drops the plaintext key before it
//! returns. Two modules implement it: [`soft::SoftModule`] (aws-lc-rs, the embedded
//! default) and [`pkcs11::Pkcs11Module`] (any PKCS#11 HSM, SoftHSM2 in tests).

pub mod digest;
mod error;
mod migration;
mod module;
pub mod pkcs11;
pub mod secret;
mod signer;
pub mod soft;
pub mod verify;

pub use error::CryptoError;
pub use migration::{BlobState, KeyMigration};
pub use module::{
    CryptoModule, GeneratedKey, HeldKey, KeyBinding, WrappedKey, SERVICE_OWNER_PREFIX,
};
pub use signer::{ModuleSigner, Signer};

/// `N` bytes from the system's CSPRNG (ids, serial numbers, nonces).
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    use aws_lc_rs::rand::{SecureRandom, SystemRandom};
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| CryptoError::Operation("random number generation"))?;
    Ok(out)
}
