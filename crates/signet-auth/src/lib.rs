//! Authentication building blocks: what accounts need at rest (argon2id hashes of
//! passwords, PINs and client secrets, the signing-PIN policy, random secrets) and the
//! protocol pieces of the OAuth 2.0 authorization server and OpenID provider
//! ([`oauth`]).

pub mod oauth;
mod pin;

pub use pin::{PinPolicy, PinRejected};
pub use signet_crypto::secret::{generate_secret, hash_secret, verify_secret, SecretError};
