//! Signer keys: generated as session objects and exported only wrapped under the master
//! key (`C_WrapKey`, PKCS#11 v2.40 §5.13); for each request unwrapped as a session object
//! (`C_UnwrapKey`), used, and destroyed (`C_DestroyObject`, §5.7) whatever the outcome.

use super::blob::{self, Blob, Kind};
use super::error::hsm;
use super::keygen::{self, Lifetime};
use super::master::WrapMechanism;
use super::pool::Lease;
use super::{sign, Inner};
use crate::{CryptoError, GeneratedKey, KeyBinding, WrappedKey};
use cryptoki::error::{Error, RvError};
use cryptoki::object::ObjectHandle;
use signet_types::SignatureAlgorithm;
use std::sync::Arc;

impl Inner {
    /// A new signer key, wrapped and tagged with its binding.
    pub(super) fn generate_wrapped(
        self: &Arc<Self>,
        binding: &KeyBinding<'_>,
    ) -> Result<GeneratedKey, CryptoError> {
        let (this, mechanism, algorithm) = (self.clone(), self.master.wrap, binding.algorithm);
        let (wrapped, public_key) = self.pool.run(move |lease| {
            let pair = keygen::generate(&lease.session().session, algorithm, Lifetime::Wrapped)?;
            let exported = this.master.wrap_key(lease.session()).and_then(|wrap_key| {
                let s = &lease.session().session;
                let wrapped = s
                    .wrap_key(&mechanism.mechanism(), wrap_key, pair.private)
                    .map_err(|e| hsm("C_WrapKey", &e))?;
                Ok((wrapped, keygen::public_key_der(s, pair.public, algorithm)?))
            });
            destroy(lease, &[pair.private, pair.public]);
            exported
        })?;
        let mut body = Vec::with_capacity(1 + wrapped.len());
        body.push(mechanism as u8);
        body.extend_from_slice(&wrapped);
        let blob = self.tag_and_assemble(Kind::Wrapped, blob::key_fields(binding), &body)?;
        Ok(GeneratedKey { wrapped: WrappedKey(blob), public_key })
    }

    /// Tags `body` in the HSM and returns the stored bytes.
    pub(super) fn tag_and_assemble(
        self: &Arc<Self>,
        kind: Kind,
        fields: [&[u8]; 3],
        body: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let data = blob::tagged_data(kind, &self.master.key_id, fields, body);
        let this = self.clone();
        let tag = self.pool.run(move |lease| this.master.mac(lease.session(), &data))?;
        Ok(blob::assemble(kind, &self.master.key_id, body, &tag))
    }

    /// Verifies the tag, unwraps, signs every digest, destroys the key.
    pub(super) fn sign_wrapped(
        self: &Arc<Self>,
        blob: &Blob<'_>,
        binding: &KeyBinding<'_>,
        algorithm: SignatureAlgorithm,
        digests: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, CryptoError> {
        let digests: Vec<Vec<u8>> = digests.iter().map(|d| d.to_vec()).collect();
        self.with_unwrapped(blob, binding, move |lease, key| {
            let s = &lease.session().session;
            digests.iter().map(|d| sign::sign_digest(s, key, algorithm, d)).collect()
        })
    }

    /// Verifies the tag and that the key unwraps; destroys it at once.
    pub(super) fn check_wrapped(
        self: &Arc<Self>,
        blob: &Blob<'_>,
        binding: &KeyBinding<'_>,
    ) -> Result<(), CryptoError> {
        self.with_unwrapped(blob, binding, |_, _| Ok(()))
    }

    /// Runs `use_key` with the blob's key unwrapped as a session object, and destroys the
    /// object afterwards, whether `use_key` succeeded or not.
    fn with_unwrapped<T, F>(
        self: &Arc<Self>,
        blob: &Blob<'_>,
        binding: &KeyBinding<'_>,
        use_key: F,
    ) -> Result<T, CryptoError>
    where
        T: Send + 'static,
        F: Fn(&mut Lease, ObjectHandle) -> Result<T, CryptoError> + Send + Sync + 'static,
    {
        let (&mechanism, wrapped) = blob.body.split_first().ok_or(CryptoError::UnwrapFailed)?;
        let mechanism = WrapMechanism::from_byte(mechanism).ok_or(CryptoError::UnwrapFailed)?;
        let fields = blob::key_fields(binding);
        let data = blob::tagged_data(Kind::Wrapped, &blob.key_id, fields, blob.body);
        let template = keygen::unwrapped_private_key(binding.algorithm);
        let (tag, wrapped, this) = (blob.tag.to_vec(), wrapped.to_vec(), self.clone());
        self.pool.run(move |lease| {
            this.master.verify(lease.session(), &data, &tag)?;
            let wrap_key = this.master.wrap_key(lease.session())?;
            let key = lease
                .session()
                .session
                .unwrap_key(&mechanism.mechanism(), wrap_key, &wrapped, &template)
                .map_err(|e| unwrap_error(&e))?;
            let result = use_key(lease, key);
            destroy(lease, &[key]);
            result
        })
    }
}

/// A tag that verified but a wrapped key that does not unwrap means the wrapping key was
/// replaced: an integrity failure, not an HSM fault.
fn unwrap_error(e: &Error) -> CryptoError {
    match e {
        Error::Pkcs11(
            RvError::WrappedKeyInvalid
            | RvError::WrappedKeyLenRange
            | RvError::EncryptedDataInvalid
            | RvError::EncryptedDataLenRange,
            _,
        ) => CryptoError::UnwrapFailed,
        other => hsm("C_UnwrapKey", other),
    }
}

/// Destroys session objects; if that fails while the session lives, the session is closed
/// after this operation, which destroys every object it made (PKCS#11 v2.40 §4.4).
pub(super) fn destroy(lease: &mut Lease, objects: &[ObjectHandle]) {
    let mut failed = false;
    for o in objects {
        if let Err(e) = lease.session().session.destroy_object(*o) {
            tracing::warn!(error = %e, "C_DestroyObject failed; closing the session instead");
            failed = true;
        }
    }
    if failed {
        lease.close_after();
    }
}
