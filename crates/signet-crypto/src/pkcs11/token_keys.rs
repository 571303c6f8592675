//! Service keys (CA, OCSP, TSA, token signing) as token objects: generated once in the HSM,
//! never extractable, found again by `CKA_LABEL` and `CKA_ID` (PKCS#11 v2.40 §4.4, §5.7
//! `C_FindObjects`). Their blob holds only the `CKA_ID`, tagged with the binding, so a
//! reference moved to another service or to a user fails like a moved wrapped key.

use super::blob::{self, Blob, Kind};
use super::error::hsm;
use super::keygen::{self, Lifetime};
use super::pool::Cached;
use super::{sign, wrapped, Inner};
use crate::{CryptoError, GeneratedKey, HeldKey, KeyBinding, WrappedKey};
use cryptoki::object::{Attribute, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use signet_types::{KeyAlgorithm, SignatureAlgorithm};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Length of a token key's `CKA_ID`.
const ID_LEN: usize = 16;

/// A token key as the module finds it.
#[derive(Debug, Clone)]
pub(super) struct TokenKey {
    label: String,
    id: Vec<u8>,
    algorithm: KeyAlgorithm,
}

/// `CKA_LABEL` of a service key: `signet:<owner>:<credential>`, e.g. `signet:service:ca:root`.
pub(super) fn label(binding: &KeyBinding<'_>) -> String {
    format!("signet:{}:{}", binding.owner, binding.credential)
}

impl Inner {
    /// Generates the service key pair as token objects and returns its tagged reference.
    pub(super) fn generate_token_key(
        self: &Arc<Self>,
        binding: &KeyBinding<'_>,
    ) -> Result<GeneratedKey, CryptoError> {
        let id = crate::random_bytes::<ID_LEN>()?;
        let label = label(binding);
        let (name, algorithm) = (label.clone(), binding.algorithm);
        let tried = AtomicBool::new(false);
        let public_key = self.pool.run(move |lease| {
            // A first attempt whose session was lost after the pair was made (token
            // objects outlive sessions) would leave a second pair with this label and id:
            // on a retry, whatever carries this call's own id is removed first. (Only
            // then: SoftHSM fails other threads' key generation now and then while token
            // objects are searched.)
            if tried.swap(true, Ordering::SeqCst) {
                destroy_token_objects(lease, &name, &id)?;
            }
            let lifetime = Lifetime::Token { label: &name, id: &id };
            let pair = keygen::generate(&lease.session().session, algorithm, lifetime)?;
            let public = keygen::public_key_der(&lease.session().session, pair.public, algorithm);
            if public.is_err() {
                // Leave no half-made token key behind.
                wrapped::destroy(lease, &[pair.private, pair.public]);
            }
            public
        })?;
        let blob = match self.tag_and_assemble(Kind::TokenKey, blob::key_fields(binding), &id) {
            Ok(blob) => blob,
            Err(e) => {
                // No reference will name the pair: remove it rather than leave it unused.
                let (name, id) = (label.clone(), id.to_vec());
                let _ = self.pool.run(move |lease| destroy_token_objects(lease, &name, &id));
                return Err(e);
            }
        };
        tracing::info!(label, "created a service key on the HSM");
        Ok(GeneratedKey { wrapped: WrappedKey(blob), public_key })
    }

    /// Checks a reference's tag (in the HSM) and returns what it names.
    pub(super) fn token_key(
        self: &Arc<Self>,
        blob: &Blob<'_>,
        binding: &KeyBinding<'_>,
    ) -> Result<TokenKey, CryptoError> {
        if blob.body.len() != ID_LEN {
            return Err(CryptoError::UnwrapFailed);
        }
        let fields = blob::key_fields(binding);
        let data = blob::tagged_data(Kind::TokenKey, &blob.key_id, fields, blob.body);
        let (tag, this) = (blob.tag.to_vec(), self.clone());
        self.pool.run(move |lease| this.master.verify(lease.session(), &data, &tag))?;
        Ok(TokenKey { label: label(binding), id: blob.body.to_vec(), algorithm: binding.algorithm })
    }

    /// Proves the token still holds the key.
    pub(super) fn find_token_key(&self, key: &TokenKey) -> Result<(), CryptoError> {
        let key = key.clone();
        self.pool.run(move |lease| {
            lease.session().handle(Cached::Service(key.id.clone()), |s| find(s, &key)).map(drop)
        })
    }

    /// The key's handle in `session` (found on first use).
    pub(super) fn token_key_handle(
        &self,
        session: &mut super::pool::PooledSession,
        key: &TokenKey,
    ) -> Result<cryptoki::object::ObjectHandle, CryptoError> {
        session.handle(Cached::Service(key.id.clone()), |s| find(s, key))
    }

    /// Signs digests with a token key.
    pub(super) fn sign_token(
        &self,
        key: &TokenKey,
        algorithm: SignatureAlgorithm,
        digests: &[&[u8]],
    ) -> Result<Vec<Vec<u8>>, CryptoError> {
        let (key, digests) = (key.clone(), digests.iter().map(|d| d.to_vec()).collect::<Vec<_>>());
        self.pool.run(move |lease| {
            let s = lease.session();
            let handle =
                s.handle(Cached::Service(key.id.clone()), |session| find(session, &key))?;
            digests.iter().map(|d| sign::sign_digest(&s.session, handle, algorithm, d)).collect()
        })
    }
}

/// Destroys the token objects (both halves of a pair) with this label and id.
fn destroy_token_objects(
    lease: &mut super::pool::Lease,
    label: &str,
    id: &[u8],
) -> Result<(), CryptoError> {
    let template = [
        Attribute::Token(true),
        Attribute::Label(label.as_bytes().to_vec()),
        Attribute::Id(id.to_vec()),
    ];
    let session = &lease.session().session;
    let found = session.find_objects(&template).map_err(|e| hsm("C_FindObjects", &e))?;
    for object in found {
        session.destroy_object(object).map_err(|e| hsm("C_DestroyObject", &e))?;
    }
    Ok(())
}

/// The one private key with this label and id.
fn find(session: &Session, key: &TokenKey) -> Result<ObjectHandle, CryptoError> {
    let template = [
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Token(true),
        Attribute::Label(key.label.as_bytes().to_vec()),
        Attribute::Id(key.id.clone()),
    ];
    let found = session.find_objects(&template).map_err(|e| hsm("C_FindObjects", &e))?;
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(CryptoError::Setup(format!(
            "the HSM has no private key `{}` with the id this installation recorded \
             (restore the token from backup)",
            key.label
        ))),
        _ => Err(CryptoError::Setup(format!(
            "the HSM holds {} private keys `{}` with the same id",
            found.len(),
            key.label
        ))),
    }
}

/// A service key held for the life of the process: each signature takes a pooled session
/// and the key's handle cached in it.
#[derive(Debug)]
pub(super) struct HeldTokenKey {
    inner: Arc<Inner>,
    key: TokenKey,
}

impl HeldTokenKey {
    pub(super) fn new(inner: Arc<Inner>, key: TokenKey) -> Self {
        Self { inner, key }
    }
}

impl HeldKey for HeldTokenKey {
    fn sign_digest(
        &self,
        algorithm: SignatureAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        crate::module::check_request(self.key.algorithm, algorithm, digest)?;
        let mut out = self.inner.sign_token(&self.key, algorithm, &[digest])?;
        out.pop().ok_or(CryptoError::Operation("signing returned no signature"))
    }
}
