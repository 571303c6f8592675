//! Sealed secrets (OTP seeds): AES-256-GCM (NIST SP 800-38D) under a key derived for each
//! secret inside the HSM — HMAC-SHA256 under the MAC master key used as a PRF (one output
//! block, as a single iteration of a NIST SP 800-108 KDF), over a domain label, a fresh
//! 16-byte nonce and the binding (owner, purpose). The derived key is used once,
//! so the GCM nonce is fixed at zero. The blob's outer tag binds it like a key blob, and
//! its kind keeps secrets and keys apart.
//!
//! The seed must come out in clear to check an OTP, so nothing is lost by decrypting on
//! the host; the key that could open any seed stays in the HSM.

use super::blob::{self, Blob, Kind};
use super::Inner;
use crate::CryptoError;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use std::sync::Arc;
use zeroize::Zeroizing;

const NONCE: usize = 16;
const SEAL_DOMAIN: &[u8] = b"signet/pkcs11/seal-key/v1\0";

impl Inner {
    /// The per-secret AES key.
    fn seal_key(
        self: &Arc<Self>,
        key_id: &[u8; blob::KEY_ID_LEN],
        nonce: &[u8],
        owner: &str,
        purpose: &str,
    ) -> Result<LessSafeKey, CryptoError> {
        let mut input = SEAL_DOMAIN.to_vec();
        input.extend_from_slice(nonce);
        input.extend(blob::tagged_data(
            Kind::Sealed,
            key_id,
            blob::secret_fields(owner, purpose),
            b"",
        ));
        let this = self.clone();
        let derived =
            Zeroizing::new(self.pool.run(move |lease| this.master.mac(lease.session(), &input))?);
        let unbound = UnboundKey::new(&AES_256_GCM, &derived)
            .map_err(|_| CryptoError::Operation("AES-256-GCM key setup"))?;
        Ok(LessSafeKey::new(unbound))
    }

    pub(super) fn seal(
        self: &Arc<Self>,
        secret: &[u8],
        owner: &str,
        purpose: &str,
    ) -> Result<crate::WrappedKey, CryptoError> {
        let nonce = crate::random_bytes::<NONCE>()?;
        let key = self.seal_key(&self.master.key_id, &nonce, owner, purpose)?;
        let mut body = secret.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key([0u8; NONCE_LEN]),
            Aad::from(nonce),
            &mut body,
        )
        .map_err(|_| CryptoError::Operation("sealing"))?;
        let mut full = nonce.to_vec();
        full.extend_from_slice(&body);
        let fields = blob::secret_fields(owner, purpose);
        Ok(crate::WrappedKey(self.tag_and_assemble(Kind::Sealed, fields, &full)?))
    }

    pub(super) fn open(
        self: &Arc<Self>,
        blob: &Blob<'_>,
        owner: &str,
        purpose: &str,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if blob.kind != Kind::Sealed || blob.body.len() < NONCE + 16 {
            return Err(CryptoError::UnwrapFailed);
        }
        let fields = blob::secret_fields(owner, purpose);
        let data = blob::tagged_data(Kind::Sealed, &blob.key_id, fields, blob.body);
        let (tag, this) = (blob.tag.to_vec(), self.clone());
        self.pool.run(move |lease| this.master.verify(lease.session(), &data, &tag))?;
        let (nonce, sealed) = blob.body.split_at(NONCE);
        let key = self.seal_key(&blob.key_id, nonce, owner, purpose)?;
        let mut body = Zeroizing::new(sealed.to_vec());
        let len = key
            .open_in_place(
                Nonce::assume_unique_for_key([0u8; NONCE_LEN]),
                Aad::from(nonce),
                &mut body,
            )
            .map_err(|_| CryptoError::UnwrapFailed)?
            .len();
        body.truncate(len);
        Ok(body)
    }
}
