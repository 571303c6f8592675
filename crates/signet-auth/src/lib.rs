//! Authentication building blocks. This first slice holds what accounts need at rest:
//! argon2id hashes of passwords, PINs and client secrets, the signing-PIN policy, and
//! random secret generation.

mod pin;

pub use pin::{PinPolicy, PinRejected};
pub use signet_crypto::secret::{generate_secret, hash_secret, verify_secret, SecretError};
