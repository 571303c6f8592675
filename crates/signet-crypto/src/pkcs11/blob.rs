//! The PKCS#11 module's blobs, version 1. Pure: no HSM calls.
//!
//! ```text
//! "SGH1" | kind (1) | master key id (8) | body | tag (32)
//! kind 1  signer key wrapped by the master key:  body = wrap mechanism (1) | wrapped key
//! kind 2  reference to a token key (service key): body = CKA_ID (16)
//! kind 3  sealed secret:                          body = nonce (16) | AES-256-GCM ciphertext | GCM tag (16)
//! ```
//! `tag` is HMAC-SHA256 (RFC 2104), computed inside the HSM under the MAC master key, over
//! [`tagged_data`]: a domain label, the header, the binding's three fields each prefixed by
//! its length, and the body. A blob moved to another owner, credential, algorithm or
//! purpose, or changed in any byte, fails the tag before anything is unwrapped
//! (DESIGN.md invariant 1). The soft module's blobs start with `SGW1`, so the two formats
//! cannot be confused.

use crate::{CryptoError, KeyBinding};

/// First bytes of every PKCS#11 blob.
pub(crate) const MAGIC: &[u8; 4] = b"SGH1";
/// First bytes of the soft module's blobs.
const SOFT_MAGIC: &[u8; 4] = b"SGW1";
/// Length of the master key id.
pub(crate) const KEY_ID_LEN: usize = 8;
const HEADER_LEN: usize = MAGIC.len() + 1 + KEY_ID_LEN;
/// Length of the HMAC-SHA256 tag.
pub(crate) const TAG_LEN: usize = 32;
/// Domain of the tag's input: no other HMAC input of the module starts with it.
const TAG_DOMAIN: &[u8] = b"signet/pkcs11/blob-tag/v1\0";
/// Third binding field of a sealed secret: never a key algorithm's name.
const SECRET_DOMAIN: &[u8] = b"sealed-secret";

/// What a blob holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A signer's private key wrapped under the master key.
    Wrapped = 1,
    /// A reference to a private key kept as a token object.
    TokenKey = 2,
    /// A small secret sealed under a key derived in the HSM.
    Sealed = 3,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Wrapped),
            2 => Some(Self::TokenKey),
            3 => Some(Self::Sealed),
            _ => None,
        }
    }
}

/// A parsed blob (its tag not yet checked).
#[derive(Debug)]
pub(crate) struct Blob<'a> {
    pub kind: Kind,
    pub key_id: [u8; KEY_ID_LEN],
    pub body: &'a [u8],
    pub tag: &'a [u8],
}

/// Whether `bytes` is a blob of this module (any kind).
pub(crate) fn is_pkcs11(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Splits a blob; a soft blob is named as such, anything else malformed is
/// [`CryptoError::UnwrapFailed`].
pub(crate) fn parse(bytes: &[u8]) -> Result<Blob<'_>, CryptoError> {
    if bytes.starts_with(SOFT_MAGIC) {
        return Err(CryptoError::ForeignBlob { found: "soft", expected: "pkcs11" });
    }
    if bytes.len() < HEADER_LEN + 1 + TAG_LEN || !bytes.starts_with(MAGIC) {
        return Err(CryptoError::UnwrapFailed);
    }
    let kind = Kind::from_byte(bytes[MAGIC.len()]).ok_or(CryptoError::UnwrapFailed)?;
    let mut key_id = [0u8; KEY_ID_LEN];
    key_id.copy_from_slice(&bytes[MAGIC.len() + 1..HEADER_LEN]);
    let (body, tag) = bytes[HEADER_LEN..].split_at(bytes.len() - HEADER_LEN - TAG_LEN);
    Ok(Blob { kind, key_id, body, tag })
}

/// The binding fields of a key.
pub(crate) fn key_fields<'a>(binding: &KeyBinding<'a>) -> [&'a [u8]; 3] {
    [binding.owner.as_bytes(), binding.credential.as_bytes(), binding.algorithm.as_str().as_bytes()]
}

/// The binding fields of a sealed secret.
pub(crate) fn secret_fields<'a>(owner: &'a str, purpose: &'a str) -> [&'a [u8]; 3] {
    [owner.as_bytes(), purpose.as_bytes(), SECRET_DOMAIN]
}

fn header(kind: Kind, key_id: &[u8; KEY_ID_LEN]) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..MAGIC.len()].copy_from_slice(MAGIC);
    h[MAGIC.len()] = kind as u8;
    h[MAGIC.len() + 1..].copy_from_slice(key_id);
    h
}

/// What the tag authenticates. Each field is prefixed by its length (u32, big-endian) so
/// that no two bindings share an encoding ("alic"+"ecred" ≠ "alice"+"cred").
pub(crate) fn tagged_data(
    kind: Kind,
    key_id: &[u8; KEY_ID_LEN],
    fields: [&[u8]; 3],
    body: &[u8],
) -> Vec<u8> {
    let mut data = Vec::with_capacity(TAG_DOMAIN.len() + HEADER_LEN + 64 + body.len());
    data.extend_from_slice(TAG_DOMAIN);
    data.extend_from_slice(&header(kind, key_id));
    for field in fields {
        // Ids are short; a field over 4 GiB cannot reach here, and u32::MAX stays unambiguous.
        data.extend_from_slice(&u32::try_from(field.len()).unwrap_or(u32::MAX).to_be_bytes());
        data.extend_from_slice(field);
    }
    data.extend_from_slice(body);
    data
}

/// The stored bytes of a blob.
pub(crate) fn assemble(kind: Kind, key_id: &[u8; KEY_ID_LEN], body: &[u8], tag: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + tag.len());
    out.extend_from_slice(&header(kind, key_id));
    out.extend_from_slice(body);
    out.extend_from_slice(tag);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use signet_types::KeyAlgorithm;

    #[test]
    fn a_blob_parses_back_into_its_parts() {
        let id = [7u8; KEY_ID_LEN];
        let bytes = assemble(Kind::TokenKey, &id, b"0123456789abcdef", &[9u8; TAG_LEN]);
        let blob = parse(&bytes).unwrap();
        assert_eq!(
            (blob.kind, blob.key_id, blob.body),
            (Kind::TokenKey, id, &b"0123456789abcdef"[..])
        );
        assert_eq!(blob.tag, &[9u8; TAG_LEN]);
        assert!(is_pkcs11(&bytes));
    }

    #[test]
    fn soft_blobs_truncated_blobs_and_unknown_kinds_are_refused() {
        let soft = b"SGW1\0\0\0\0\0\0\0\0 soft module blob with enough bytes to look real......";
        assert!(matches!(parse(soft), Err(CryptoError::ForeignBlob { found: "soft", .. })));
        let good = assemble(Kind::Wrapped, &[1; KEY_ID_LEN], b"\x01body", &[2; TAG_LEN]);
        for len in [0, 4, HEADER_LEN, HEADER_LEN + TAG_LEN] {
            assert!(matches!(parse(&good[..len]), Err(CryptoError::UnwrapFailed)), "length {len}");
        }
        let mut unknown = good.clone();
        unknown[4] = 9;
        assert!(matches!(parse(&unknown), Err(CryptoError::UnwrapFailed)));
    }

    #[test]
    fn the_tagged_data_differs_for_every_other_binding() {
        let id = [3u8; KEY_ID_LEN];
        let b = |owner, credential, algorithm| KeyBinding { owner, credential, algorithm };
        let base = tagged_data(
            Kind::Wrapped,
            &id,
            key_fields(&b("alice", "cred", KeyAlgorithm::EcP256)),
            b"x",
        );
        for other in [
            b("alic", "ecred", KeyAlgorithm::EcP256),
            b("bob", "cred", KeyAlgorithm::EcP256),
            b("alice", "cred2", KeyAlgorithm::EcP256),
            b("alice", "cred", KeyAlgorithm::EcP384),
        ] {
            assert_ne!(
                base,
                tagged_data(Kind::Wrapped, &id, key_fields(&other), b"x"),
                "{other:?}"
            );
        }
        assert_ne!(
            base,
            tagged_data(
                Kind::TokenKey,
                &id,
                key_fields(&b("alice", "cred", KeyAlgorithm::EcP256)),
                b"x"
            )
        );
        assert_ne!(
            tagged_data(Kind::Sealed, &id, secret_fields("alice", "otp"), b"x"),
            tagged_data(Kind::Sealed, &id, secret_fields("alice", "otq"), b"x")
        );
    }
}
