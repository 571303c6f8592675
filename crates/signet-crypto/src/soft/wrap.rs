//! Key wrapping: AES-256-GCM (NIST SP 800-38D) under the master key, with the key's
//! binding as additional authenticated data.
//!
//! Blob layout (version 1):
//! ```text
//! "SGW1" | master key id (8) | nonce (12) | ciphertext of the PKCS#8 key | tag (16)
//! ```
//! The additional data is the header (magic, key id) followed by the binding, each
//! variable-length field prefixed by its length, so that no two bindings share an
//! encoding: moving a blob to another owner, credential or algorithm fails the tag.

use crate::{CryptoError, KeyBinding, WrappedKey};
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"SGW1";
const KEY_ID_LEN: usize = 8;
const HEADER_LEN: usize = MAGIC.len() + KEY_ID_LEN;
const TAG_LEN: usize = 16;
/// Domain of sealed secrets in the additional data (never a key algorithm's name).
const SECRET_DOMAIN: &[u8] = b"sealed-secret";

pub(crate) struct Wrapper {
    key: LessSafeKey,
    key_id: [u8; KEY_ID_LEN],
    rng: SystemRandom,
}

impl std::fmt::Debug for Wrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wrapper {{ master key id: {} }}", self.key_id_hex())
    }
}

impl Wrapper {
    pub(crate) fn new(master: &[u8; 32]) -> Result<Self, CryptoError> {
        let unbound = UnboundKey::new(&AES_256_GCM, master)
            .map_err(|_| CryptoError::Operation("AES-256-GCM key setup"))?;
        // The key id is a one-way function of the master key: it tells which master key
        // wrapped a blob without revealing anything about the key.
        let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        ctx.update(b"signet/master-key-id/v1\0");
        ctx.update(master);
        let mut key_id = [0u8; KEY_ID_LEN];
        key_id.copy_from_slice(&ctx.finish().as_ref()[..KEY_ID_LEN]);
        Ok(Self { key: LessSafeKey::new(unbound), key_id, rng: SystemRandom::new() })
    }

    pub(crate) fn key_id_hex(&self) -> String {
        self.key_id.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn header(&self) -> [u8; HEADER_LEN] {
        let mut h = [0u8; HEADER_LEN];
        h[..MAGIC.len()].copy_from_slice(MAGIC);
        h[MAGIC.len()..].copy_from_slice(&self.key_id);
        h
    }

    fn aad(header: &[u8], binding: &KeyBinding<'_>) -> Vec<u8> {
        Self::aad_fields(
            header,
            [
                binding.owner.as_bytes(),
                binding.credential.as_bytes(),
                binding.algorithm.as_str().as_bytes(),
            ],
        )
    }

    /// The additional data of a sealed secret: its third field can never be a key
    /// algorithm's name, so keys and secrets cannot be swapped.
    fn secret_aad(header: &[u8], owner: &str, purpose: &str) -> Vec<u8> {
        Self::aad_fields(header, [owner.as_bytes(), purpose.as_bytes(), SECRET_DOMAIN])
    }

    fn aad_fields(header: &[u8], fields: [&[u8]; 3]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(header.len() + 64);
        aad.extend_from_slice(header);
        for field in fields {
            // Lengths are bounded by id validation; u32 leaves no ambiguity in any case.
            aad.extend_from_slice(&u32::try_from(field.len()).unwrap_or(u32::MAX).to_be_bytes());
            aad.extend_from_slice(field);
        }
        aad
    }

    pub(crate) fn wrap(
        &self,
        pkcs8: &[u8],
        binding: &KeyBinding<'_>,
    ) -> Result<WrappedKey, CryptoError> {
        let header = self.header();
        self.seal(pkcs8, &header, Self::aad(&header, binding))
    }

    pub(crate) fn seal_secret(
        &self,
        secret: &[u8],
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError> {
        let header = self.header();
        self.seal(secret, &header, Self::secret_aad(&header, owner, purpose))
    }

    pub(crate) fn open_secret(
        &self,
        blob: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(blob, |header| Self::secret_aad(header, owner, purpose))
    }

    fn seal(
        &self,
        plaintext: &[u8],
        header: &[u8; HEADER_LEN],
        aad: Vec<u8>,
    ) -> Result<WrappedKey, CryptoError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| CryptoError::Operation("random number generation"))?;
        let mut sealed = Vec::with_capacity(HEADER_LEN + NONCE_LEN + plaintext.len() + TAG_LEN);
        sealed.extend_from_slice(header);
        sealed.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut body,
            )
            .map_err(|_| CryptoError::Operation("key wrapping"))?;
        sealed.extend_from_slice(&body);
        Ok(WrappedKey(sealed))
    }

    pub(crate) fn unwrap(
        &self,
        blob: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        self.open(blob, |header| Self::aad(header, binding))
    }

    fn open(
        &self,
        blob: &WrappedKey,
        aad: impl FnOnce(&[u8]) -> Vec<u8>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let bytes = &blob.0;
        if bytes.starts_with(b"SGH1") {
            return Err(CryptoError::ForeignBlob { found: "pkcs11", expected: "soft" });
        }
        if bytes.len() < HEADER_LEN + NONCE_LEN + TAG_LEN || &bytes[..MAGIC.len()] != MAGIC {
            return Err(CryptoError::UnwrapFailed);
        }
        let (header, rest) = bytes.split_at(HEADER_LEN);
        if header[MAGIC.len()..] != self.key_id {
            return Err(CryptoError::WrongMasterKey {
                found: header[MAGIC.len()..].iter().map(|b| format!("{b:02x}")).collect(),
                expected: self.key_id_hex(),
            });
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| CryptoError::UnwrapFailed)?;
        let mut body = Zeroizing::new(sealed.to_vec());
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(aad(header)), &mut body)
            .map_err(|_| CryptoError::UnwrapFailed)?
            .len();
        body.truncate(plain_len);
        Ok(body)
    }

    /// Wraps and unwraps a throwaway value: proves the key is loaded and AES-GCM works.
    pub(crate) fn self_test(&self) -> Result<(), CryptoError> {
        let binding = KeyBinding {
            owner: "signet:self-test",
            credential: "self-test",
            algorithm: signet_types::KeyAlgorithm::EcP256,
        };
        let probe = b"signet self-test";
        let wrapped = self.wrap(probe, &binding)?;
        match self.unwrap(&wrapped, &binding) {
            Ok(p) if p.as_slice() == probe => Ok(()),
            _ => Err(CryptoError::Operation("self-test of key wrapping")),
        }
    }
}
