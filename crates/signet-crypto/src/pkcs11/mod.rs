//! The PKCS#11 module: Signet's keys in a hardware security module through its PKCS#11
//! library (PKCS#11 v2.40 / 3.0, through `cryptoki`). SoftHSM2 is the HSM every test uses.
//!
//! - **Signer keys** are generated in the HSM as session objects, wrapped at once under the
//!   master wrapping key (`CKM_AES_KEY_WRAP_PAD`, RFC 5649, or the best AES key wrap the
//!   token offers) and destroyed; the database stores the wrapped key in a versioned blob
//!   ([`blob`]) whose HMAC tag, computed in the HSM, binds it to owner, credential and
//!   algorithm. To sign, the tag is verified in the HSM, the key is unwrapped as a
//!   session object (`CKA_TOKEN` false, sensitive, not extractable), the digests are
//!   signed and the object is destroyed — also when signing fails (if even
//!   `C_DestroyObject` fails, the session is closed, which destroys its objects).
//! - **Service keys** (CA, OCSP, TSA, token signing: bindings whose owner starts with
//!   `service:`) are token objects, generated once and found again by `CKA_LABEL`
//!   (`signet:<owner>:<credential>`) and `CKA_ID`; their blob is only a tagged reference.
//! - **Sealed secrets** (OTP seeds) are encrypted with AES-256-GCM under a key derived per
//!   secret in the HSM (HMAC-SHA256 under the MAC master key as a PRF).
//!
//! The library is initialised once per process ([`library`]); sessions come from a pool
//! that reopens lost ones ([`pool`]).

pub mod bench;
mod blob;
mod config;
mod error;
mod keygen;
mod library;
mod master;
mod migrate;
mod pool;
pub mod scratch;
mod secrets;
mod sign;
#[cfg(test)]
mod tests;
mod token_keys;
mod wrapped;

pub use config::Pkcs11Config;
pub use migrate::SoftToPkcs11;

use crate::{CryptoError, CryptoModule, GeneratedKey, HeldKey, KeyBinding, WrappedKey};
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::types::AuthPin;
use master::{MasterKeys, WrapMechanism};
use pool::Pool;
use signet_types::SignatureAlgorithm;
use std::sync::Arc;

/// The PKCS#11 cryptographic module. Cheap to share: clones use the same sessions.
#[derive(Debug, Clone)]
pub struct Pkcs11Module {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: Pool,
    master: MasterKeys,
    token_label: String,
}

/// What a stored blob is, for a caller deciding what to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobFormat {
    /// Made by the soft module.
    Soft,
    /// Made by the PKCS#11 module.
    Pkcs11,
    /// Neither.
    Unknown,
}

/// Which module's format `bytes` has (by its first bytes; nothing is checked).
pub fn blob_format(bytes: &[u8]) -> BlobFormat {
    if blob::is_pkcs11(bytes) {
        BlobFormat::Pkcs11
    } else if bytes.starts_with(b"SGW1") {
        BlobFormat::Soft
    } else {
        BlobFormat::Unknown
    }
}

fn is_service(binding: &KeyBinding<'_>) -> bool {
    binding.owner.starts_with(crate::SERVICE_OWNER_PREFIX)
}

impl Pkcs11Module {
    /// Loads the library (once per process), finds the token, logs in, and finds the
    /// master keys — generating them when they are missing and `create_keys` is set.
    /// Returns the module and whether a master key was created.
    pub fn open(config: &Pkcs11Config, create_keys: bool) -> Result<(Self, bool), CryptoError> {
        let ctx = library::context(&config.library)?;
        let slot = library::slot_with_token(&ctx, &config.token_label)?;
        // C_GetMechanismInfo per candidate (C_GetMechanismList would also list vendor
        // mechanisms cryptoki cannot name, and log each one).
        let wrap = WrapMechanism::best(|m| ctx.get_mechanism_info(slot, m).is_ok())?;
        let pin = AuthPin::from(config.pin.as_str().to_owned());
        let pool = Pool::new(ctx, slot, pin, config.sessions, config.timeout)?;
        let (master, created) = {
            let mut lease = pool.lease()?;
            MasterKeys::open(
                &mut lease,
                &config.wrap_key_label,
                &config.mac_key_label,
                wrap,
                create_keys,
            )?
        };
        let inner = Inner { pool, master, token_label: config.token_label.clone() };
        Ok((Self { inner: Arc::new(inner) }, created))
    }

    /// The master key's public id (hex), recorded in every blob.
    pub fn master_key_id(&self) -> String {
        self.inner.master.key_id_hex()
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        &self.inner.token_label
    }

    /// Private key objects this process can see on the token: `(token objects, session
    /// objects)`. Session objects are visible only to the application that made them, so
    /// this is how an operator's check or a test proves that no unwrapped signer key
    /// outlived its signature (`C_FindObjects` with `CKA_CLASS = CKO_PRIVATE_KEY`).
    pub fn private_key_objects(&self) -> Result<(usize, usize), CryptoError> {
        self.inner.pool.run(|lease| {
            let session = &lease.session().session;
            let mut counts = [0usize; 2];
            for (i, token) in [true, false].into_iter().enumerate() {
                let template =
                    [Attribute::Class(ObjectClass::PRIVATE_KEY), Attribute::Token(token)];
                counts[i] = session
                    .find_objects(&template)
                    .map_err(|e| error::hsm("C_FindObjects", &e))?
                    .len();
            }
            Ok((counts[0], counts[1]))
        })
    }
}

impl CryptoModule for Pkcs11Module {
    fn name(&self) -> &'static str {
        "pkcs11"
    }

    fn generate_key(&self, binding: &KeyBinding<'_>) -> Result<GeneratedKey, CryptoError> {
        if is_service(binding) {
            self.inner.generate_token_key(binding)
        } else {
            self.inner.generate_wrapped(binding)
        }
    }

    fn sign_digests(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
        algorithm: SignatureAlgorithm,
        digests: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, CryptoError> {
        for d in digests {
            crate::module::check_request(binding.algorithm, algorithm, d)?;
        }
        let blob = blob::parse(&key.0)?;
        self.inner.check_key_id(&blob)?;
        match (blob.kind, is_service(binding)) {
            (blob::Kind::Wrapped, false) => {
                self.inner.sign_wrapped(&blob, binding, algorithm, digests)
            }
            (blob::Kind::TokenKey, true) => {
                let key = self.inner.token_key(&blob, binding)?;
                self.inner.sign_token(&key, algorithm, digests)
            }
            // A service key never signs for a user, nor a user's key as a service
            // (DESIGN.md invariant 2); a sealed secret is no key.
            _ => Err(CryptoError::UnwrapFailed),
        }
    }

    fn check_key(&self, key: &WrappedKey, binding: &KeyBinding<'_>) -> Result<(), CryptoError> {
        let blob = blob::parse(&key.0)?;
        self.inner.check_key_id(&blob)?;
        match (blob.kind, is_service(binding)) {
            (blob::Kind::Wrapped, false) => self.inner.check_wrapped(&blob, binding),
            (blob::Kind::TokenKey, true) => {
                let key = self.inner.token_key(&blob, binding)?;
                self.inner.find_token_key(&key).map(drop)
            }
            _ => Err(CryptoError::UnwrapFailed),
        }
    }

    fn seal_secret(
        &self,
        secret: &[u8],
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError> {
        self.inner.seal(secret, owner, purpose)
    }

    fn open_secret(
        &self,
        sealed: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, CryptoError> {
        let blob = blob::parse(&sealed.0)?;
        self.inner.check_key_id(&blob)?;
        self.inner.open(&blob, owner, purpose)
    }

    fn hold_service_key(
        &self,
        key: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<Arc<dyn HeldKey>, CryptoError> {
        if !is_service(binding) {
            return Err(CryptoError::Operation("only service keys can be held in the module"));
        }
        let blob = blob::parse(&key.0)?;
        self.inner.check_key_id(&blob)?;
        if blob.kind != blob::Kind::TokenKey {
            return Err(CryptoError::UnwrapFailed);
        }
        let token_key = self.inner.token_key(&blob, binding)?;
        self.inner.find_token_key(&token_key)?;
        Ok(Arc::new(token_keys::HeldTokenKey::new(self.inner.clone(), token_key)))
    }

    /// An HMAC in the HSM: proves the library answers, a session is logged in and the
    /// master MAC key is on the token.
    fn check(&self) -> Result<(), CryptoError> {
        let inner = self.inner.clone();
        self.inner
            .pool
            .run(move |lease| inner.master.mac(lease.session(), b"signet/pkcs11/ready/v1\0"))
            .map(drop)
    }
}

impl Inner {
    fn check_key_id(&self, blob: &blob::Blob<'_>) -> Result<(), CryptoError> {
        if blob.key_id != self.master.key_id {
            return Err(CryptoError::WrongMasterKey {
                found: blob.key_id.iter().map(|b| format!("{b:02x}")).collect(),
                expected: self.master.key_id_hex(),
            });
        }
        Ok(())
    }
}
