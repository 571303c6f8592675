//! The module's two master keys, token objects that never leave the HSM:
//!
//! - the **wrapping key**: AES-256 (`CKK_AES`), usable only for `C_WrapKey` /
//!   `C_UnwrapKey` (`CKA_WRAP`, `CKA_UNWRAP`; no `CKA_ENCRYPT`/`CKA_DECRYPT`, so nobody
//!   can decrypt a wrapped key with it outside an unwrap), sensitive, never extractable;
//! - the **MAC key**: a 256-bit generic secret (`CKK_GENERIC_SECRET`) for
//!   `CKM_SHA256_HMAC` (`CKA_SIGN`, `CKA_VERIFY` only), which binds blobs to their owner.
//!
//! Two keys rather than one so that each has one use (key separation, NIST SP 800-57
//! Part 1 §5.2). Both are created on first start when the configuration allows it, and
//! checked on every start: a key that is extractable or not sensitive is refused.

use super::blob::KEY_ID_LEN;
use super::error::hsm;
use super::pool::{Cached, Lease, PooledSession};
use crate::CryptoError;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;

/// How signer keys are wrapped: the token's best AES key wrap, recorded in each blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WrapMechanism {
    /// `CKM_AES_KEY_WRAP_PAD`: AES key wrap with padding, RFC 5649 (any key length).
    AesKeyWrapPad = 1,
    /// `CKM_AES_KEY_WRAP`: RFC 3394 (the wrapped encoding must be a multiple of 8 bytes).
    AesKeyWrap = 2,
}

impl WrapMechanism {
    pub(crate) fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::AesKeyWrapPad),
            2 => Some(Self::AesKeyWrap),
            _ => None,
        }
    }

    pub(crate) fn mechanism(self) -> Mechanism<'static> {
        match self {
            Self::AesKeyWrapPad => Mechanism::AesKeyWrapPad,
            Self::AesKeyWrap => Mechanism::AesKeyWrap,
        }
    }

    /// The best the token offers, `CKM_AES_KEY_WRAP_PAD` first (`offers` asks the token,
    /// e.g. with `C_GetMechanismInfo`).
    pub(crate) fn best(offers: impl Fn(MechanismType) -> bool) -> Result<Self, CryptoError> {
        if offers(MechanismType::AES_KEY_WRAP_PAD) {
            Ok(Self::AesKeyWrapPad)
        } else if offers(MechanismType::AES_KEY_WRAP) {
            Ok(Self::AesKeyWrap)
        } else {
            Err(CryptoError::Setup(
                "the token offers neither CKM_AES_KEY_WRAP_PAD nor CKM_AES_KEY_WRAP".into(),
            ))
        }
    }
}

/// Domain of the master key id's HMAC input.
const KEY_ID_DOMAIN: &[u8] = b"signet/pkcs11/key-id/v1\0";

/// The master keys as this process uses them.
#[derive(Debug)]
pub(crate) struct MasterKeys {
    wrap_label: String,
    mac_label: String,
    /// A public fingerprint of the MAC key, recorded in every blob: HMAC(`KEY_ID_DOMAIN`)
    /// truncated to 8 bytes.
    pub key_id: [u8; KEY_ID_LEN],
    /// How this module wraps new keys.
    pub wrap: WrapMechanism,
}

/// Which master key.
#[derive(Debug, Clone, Copy)]
enum Role {
    Wrap,
    Mac,
}

impl MasterKeys {
    /// Finds (or, with `create`, generates) both keys and checks them; returns the keys
    /// and whether any was created.
    pub(crate) fn open(
        lease: &mut Lease,
        wrap_label: &str,
        mac_label: &str,
        wrap: WrapMechanism,
        create: bool,
    ) -> Result<(Self, bool), CryptoError> {
        if wrap_label == mac_label {
            return Err(CryptoError::Setup(
                "crypto.pkcs11: the wrapping key and the MAC key need different labels".into(),
            ));
        }
        // Two modules of this process opening at once must not both create the keys.
        // (Across processes and nodes, `signet serve` holds the database's first-start
        // lock while it opens the module; a duplicate label is refused rather than used.)
        static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = CREATING.lock().unwrap_or_else(|p| p.into_inner());
        let session = &lease.session().session;
        let mut created = false;
        for (label, role) in [(wrap_label, Role::Wrap), (mac_label, Role::Mac)] {
            let handle = match find(session, label)? {
                Some(h) => h,
                None if create => {
                    created = true;
                    generate(session, label, role)?
                }
                None => {
                    return Err(CryptoError::Setup(format!(
                        "the token has no secret key labelled `{label}`; the wrapped keys in \
                         the database cannot be used without it (restore the token from \
                         backup), or allow creating it on a new installation"
                    )))
                }
            };
            check(session, handle, label, role)?;
        }
        let mut keys = Self {
            wrap_label: wrap_label.to_owned(),
            mac_label: mac_label.to_owned(),
            key_id: [0; KEY_ID_LEN],
            wrap,
        };
        let fingerprint = keys.mac(lease.session(), KEY_ID_DOMAIN)?;
        keys.key_id.copy_from_slice(&fingerprint[..KEY_ID_LEN]);
        Ok((keys, created))
    }

    /// The wrapping key's handle in this session.
    pub(crate) fn wrap_key(&self, s: &mut PooledSession) -> Result<ObjectHandle, CryptoError> {
        s.handle(Cached::Wrapping, |session| required(session, &self.wrap_label))
    }

    fn mac_key(&self, s: &mut PooledSession) -> Result<ObjectHandle, CryptoError> {
        s.handle(Cached::Mac, |session| required(session, &self.mac_label))
    }

    /// HMAC-SHA256 of `data` under the MAC key (`C_Sign` with `CKM_SHA256_HMAC`).
    pub(crate) fn mac(&self, s: &mut PooledSession, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key = self.mac_key(s)?;
        s.session.sign(&Mechanism::Sha256Hmac, key, data).map_err(|e| hsm("HMAC", &e))
    }

    /// Checks an HMAC-SHA256 tag inside the HSM (`C_Verify`, which compares in the token).
    /// A wrong or truncated tag is [`CryptoError::UnwrapFailed`].
    pub(crate) fn verify(
        &self,
        s: &mut PooledSession,
        data: &[u8],
        tag: &[u8],
    ) -> Result<(), CryptoError> {
        use cryptoki::error::{Error, RvError};
        let key = self.mac_key(s)?;
        match s.session.verify(&Mechanism::Sha256Hmac, key, data, tag) {
            Ok(()) => Ok(()),
            Err(Error::Pkcs11(RvError::SignatureInvalid | RvError::SignatureLenRange, _)) => {
                Err(CryptoError::UnwrapFailed)
            }
            Err(e) => Err(hsm("HMAC verification", &e)),
        }
    }

    /// The master key id, hex.
    pub(crate) fn key_id_hex(&self) -> String {
        self.key_id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The one secret key labelled `label`, if any; several are refused (a label must name
/// one key, or blobs would depend on which the token lists first).
fn find(session: &Session, label: &str) -> Result<Option<ObjectHandle>, CryptoError> {
    let template = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::Token(true),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    let found = session.find_objects(&template).map_err(|e| hsm("C_FindObjects", &e))?;
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(CryptoError::Setup(format!(
            "{} secret keys on the token are labelled `{label}`: a master key label must be unique",
            found.len()
        ))),
    }
}

fn required(session: &Session, label: &str) -> Result<ObjectHandle, CryptoError> {
    find(session, label)?.ok_or_else(|| {
        CryptoError::Unavailable(format!("the master key `{label}` is no longer on the token"))
    })
}

/// `C_GenerateKey` of a token master key (PKCS#11 v2.40 §5.13; templates per Current
/// Mechanisms §2.10 `CKM_AES_KEY_GEN` and §2.27 `CKM_GENERIC_SECRET_KEY_GEN`).
fn generate(session: &Session, label: &str, role: Role) -> Result<ObjectHandle, CryptoError> {
    let id = crate::random_bytes::<8>()?;
    let (mechanism, wrap, sign) = match role {
        Role::Wrap => (Mechanism::AesKeyGen, true, false),
        Role::Mac => (Mechanism::GenericSecretKeyGen, false, true),
    };
    let template = [
        Attribute::Token(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Modifiable(false),
        Attribute::ValueLen(32.into()),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
        Attribute::Wrap(wrap),
        Attribute::Unwrap(wrap),
        Attribute::Sign(sign),
        Attribute::Verify(sign),
        Attribute::Encrypt(false),
        Attribute::Decrypt(false),
        Attribute::Derive(false),
    ];
    let handle =
        session.generate_key(&mechanism, &template).map_err(|e| hsm("C_GenerateKey", &e))?;
    tracing::info!(label, "created a master key on the HSM");
    Ok(handle)
}

/// Refuses a master key that could leave the HSM in clear, is of the wrong kind, or may
/// be used for more than its one use (a key made beforehand by an operator is checked like
/// one Signet made): the wrapping key must not encrypt, decrypt (with `CKA_DECRYPT`, plain
/// AES-ECB would undo RFC 3394/5649 wrapping on the host), derive or sign; the MAC key must
/// not wrap, unwrap, encrypt, decrypt or derive (NIST SP 800-57 Part 1 §5.2: one key, one
/// purpose).
fn check(session: &Session, key: ObjectHandle, label: &str, role: Role) -> Result<(), CryptoError> {
    let attrs = session
        .get_attributes(
            key,
            &[
                AttributeType::KeyType,
                AttributeType::Sensitive,
                AttributeType::Extractable,
                AttributeType::ValueLen,
                AttributeType::Encrypt,
                AttributeType::Decrypt,
                AttributeType::Derive,
                AttributeType::Sign,
                AttributeType::Wrap,
                AttributeType::Unwrap,
            ],
        )
        .map_err(|e| hsm("C_GetAttributeValue", &e))?;
    let (mut key_type, mut sensitive, mut extractable, mut len) = (None, false, true, 0u64);
    // The uses the key allows beyond its own (an attribute the token does not report is
    // taken as not allowed).
    let mut extra = Vec::new();
    for a in attrs {
        match (role, a) {
            (_, Attribute::KeyType(t)) => key_type = Some(t),
            (_, Attribute::Sensitive(b)) => sensitive = b,
            (_, Attribute::Extractable(b)) => extractable = b,
            (_, Attribute::ValueLen(l)) => len = l.into(),
            (_, Attribute::Encrypt(true)) => extra.push("CKA_ENCRYPT"),
            (_, Attribute::Decrypt(true)) => extra.push("CKA_DECRYPT"),
            (_, Attribute::Derive(true)) => extra.push("CKA_DERIVE"),
            (Role::Wrap, Attribute::Sign(true)) => extra.push("CKA_SIGN"),
            (Role::Mac, Attribute::Wrap(true)) => extra.push("CKA_WRAP"),
            (Role::Mac, Attribute::Unwrap(true)) => extra.push("CKA_UNWRAP"),
            _ => {}
        }
    }
    let refuse = |why: &str| Err(CryptoError::Setup(format!("master key `{label}`: {why}")));
    match (role, key_type) {
        (Role::Wrap, Some(KeyType::AES)) if len == 32 => {}
        (Role::Wrap, _) => return refuse("must be an AES-256 key"),
        (Role::Mac, Some(KeyType::GENERIC_SECRET | KeyType::SHA256_HMAC)) if len >= 32 => {}
        (Role::Mac, _) => {
            return refuse("must be a generic secret (HMAC) key of at least 256 bits")
        }
    }
    if !sensitive || extractable {
        return refuse("is extractable or not sensitive: it could leave the HSM in clear");
    }
    if !extra.is_empty() {
        let one_use = match role {
            Role::Wrap => "wrapping and unwrapping",
            Role::Mac => "HMAC signing and verifying",
        };
        return refuse(&format!(
            "allows {}; it must allow {one_use} only (make a key without them)",
            extra.join(", ")
        ));
    }
    Ok(())
}
