//! Password, PIN and client-secret hashing with argon2id (RFC 9106), in PHC string
//! format, with the RFC 9106 §4 / OWASP default cost (m = 19 MiB, t = 2, p = 1).
//!
//! It lives in the crypto crate because both authentication (passwords, client secrets)
//! and the SAM (the signing PIN, EN 419 241-2 SAD evidence) verify such hashes, and the
//! SAM may depend only on types, crypto and store (DESIGN.md).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;

/// Hashing failed (an RNG or parameter failure; never caused by the secret itself).
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Randomness was unavailable.
    #[error("the system random number generator failed")]
    Random,
    /// The stored hash is not a valid PHC string.
    #[error("a stored secret hash is malformed")]
    MalformedHash,
    /// argon2 refused its input.
    #[error("secret hashing failed")]
    Hash,
}

/// Hashes a secret into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_secret(secret: &[u8]) -> Result<String, SecretError> {
    let mut salt = [0u8; 16];
    SystemRandom::new().fill(&mut salt).map_err(|_| SecretError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| SecretError::Hash)?;
    Argon2::default()
        .hash_password(secret, &salt)
        .map(|h| h.to_string())
        .map_err(|_| SecretError::Hash)
}

/// Checks a secret against a PHC string, in time independent of where they differ.
pub fn verify_secret(secret: &[u8], phc: &str) -> Result<bool, SecretError> {
    let parsed = PasswordHash::new(phc).map_err(|_| SecretError::MalformedHash)?;
    match Argon2::default().verify_password(secret, &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(_) => Err(SecretError::MalformedHash),
    }
}

/// A random secret of 32 bytes, base64url without padding (43 characters): client
/// secrets and other bearer credentials shown once.
pub fn generate_secret() -> Result<String, SecretError> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    SystemRandom::new().fill(bytes.as_mut()).map_err(|_| SecretError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_secret() {
        let h = hash_secret(b"correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_secret(b"correct horse", &h).unwrap());
        assert!(!verify_secret(b"correct horsf", &h).unwrap());
        assert!(verify_secret(b"x", "not a phc string").is_err());
    }

    #[test]
    fn secrets_are_random_and_url_safe() {
        let (a, b) = (generate_secret().unwrap(), generate_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }
}
