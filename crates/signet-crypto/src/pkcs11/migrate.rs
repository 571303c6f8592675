//! Moving the soft module's keys into the HSM (`signet admin crypto migrate --to pkcs11`).
//!
//! A soft blob is opened with the soft master key (its binding checked), and the PKCS#8 key
//! is carried into the HSM wrapped under a one-time AES-256 transport key: RFC 5649 on the
//! host, `C_UnwrapKey` with `CKM_AES_KEY_WRAP_PAD` in the HSM (the transport key is a
//! session object destroyed right after). A signer key is then wrapped under the master
//! key like a generated one; a service key stays on the token as a non-extractable token
//! object. The new blob is proved before it is returned: it signs a probe that the public
//! key of the original verifies. The plaintext key exists on the host only in the soft
//! module's usual zeroized buffer, as it does for every soft signature.

use super::blob::{self, Kind};
use super::error::hsm;
use super::keygen;
use super::master::WrapMechanism;
use super::pool::Lease;
use super::BlobFormat;
use super::{is_service, wrapped, Inner, Pkcs11Module};
use crate::soft::{ResidentKey, SoftModule};
use crate::{BlobState, CryptoError, CryptoModule, KeyBinding, KeyMigration, WrappedKey};
use aws_lc_rs::key_wrap::{AesKek, KeyWrapPadded, AES_256};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The migration from the soft module (its master key file) into this HSM.
#[derive(Debug)]
pub struct SoftToPkcs11 {
    soft: SoftModule,
    hsm: Pkcs11Module,
}

impl SoftToPkcs11 {
    /// Moves blobs of `soft` into `hsm`.
    pub fn new(soft: SoftModule, hsm: Pkcs11Module) -> Self {
        Self { soft, hsm }
    }
}

impl KeyMigration for SoftToPkcs11 {
    fn source(&self) -> &'static str {
        "soft"
    }

    fn target(&self) -> &'static str {
        "pkcs11"
    }

    fn state(&self, blob: &[u8]) -> BlobState {
        match super::blob_format(blob) {
            BlobFormat::Pkcs11 => BlobState::Done,
            BlobFormat::Soft => BlobState::ToMove,
            BlobFormat::Unknown => BlobState::Foreign,
        }
    }

    fn rewrap_key(
        &self,
        blob: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<WrappedKey, CryptoError> {
        self.hsm.import_soft_key(&self.soft, blob, binding)
    }

    fn reseal_secret(
        &self,
        sealed: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError> {
        self.hsm.import_soft_secret(&self.soft, sealed, owner, purpose)
    }
}

impl Pkcs11Module {
    /// Re-wraps a soft module key (`blob`, bound to `binding`) under this module.
    pub fn import_soft_key(
        &self,
        soft: &SoftModule,
        blob: &WrappedKey,
        binding: &KeyBinding<'_>,
    ) -> Result<WrappedKey, CryptoError> {
        let pkcs8 = soft.wrapper.unwrap(blob, binding)?;
        let original = ResidentKey::parse(binding.algorithm, pkcs8.clone())?;
        let public_key = original.public_key_der()?;
        let new = if is_service(binding) {
            self.inner.import_token_key(&pkcs8, binding)?
        } else {
            self.inner.import_wrapped(&pkcs8, binding)?
        };
        prove(self, &new, binding, &public_key)?;
        Ok(new)
    }

    /// Re-seals a soft module secret under this module.
    pub fn import_soft_secret(
        &self,
        soft: &SoftModule,
        sealed: &WrappedKey,
        owner: &str,
        purpose: &str,
    ) -> Result<WrappedKey, CryptoError> {
        let secret = soft.open_secret(sealed, owner, purpose)?;
        self.seal_secret(&secret, owner, purpose)
    }
}

/// Signs a probe with the new blob and checks it with the original public key.
fn prove(
    module: &Pkcs11Module,
    key: &WrappedKey,
    binding: &KeyBinding<'_>,
    public_key: &[u8],
) -> Result<(), CryptoError> {
    let alg = *binding
        .algorithm
        .signature_algorithms()
        .iter()
        .find(|a| !a.is_legacy())
        .ok_or(CryptoError::Operation("key type has no signature algorithm"))?;
    let probe = b"signet: key migrated into the HSM";
    let digest = crate::digest::digest(alg.hash(), probe);
    let sig = module.sign_digest(key, binding, alg, &digest)?;
    if !crate::verify::verify_signature(alg, public_key, probe, &sig) {
        return Err(CryptoError::Operation("the migrated key does not match the original"));
    }
    Ok(())
}

impl Inner {
    /// Carries `pkcs8` into the HSM as a private key object with `template` (plus class and
    /// type) and returns its handle's fate to `then`, destroying the transport key in all
    /// cases.
    fn import<T, F>(
        &self,
        pkcs8: &[u8],
        binding: &KeyBinding<'_>,
        extra: &[Attribute],
        then: F,
    ) -> Result<T, CryptoError>
    where
        T: Send + 'static,
        F: Fn(&mut Lease, ObjectHandle) -> Result<T, CryptoError> + Send + Sync + 'static,
    {
        if self.master.wrap != WrapMechanism::AesKeyWrapPad {
            return Err(CryptoError::Setup(
                "migration needs CKM_AES_KEY_WRAP_PAD, which this token does not offer".into(),
            ));
        }
        let transport = Zeroizing::new(crate::random_bytes::<32>()?);
        let mut carried = vec![0u8; pkcs8.len() + 16];
        let len = AesKek::new(&AES_256, transport.as_ref())
            .and_then(|kek| kek.wrap_with_padding(pkcs8, &mut carried).map(|out| out.len()))
            .map_err(|_| CryptoError::Operation("RFC 5649 wrapping for transport"))?;
        carried.truncate(len);
        let mut template = vec![
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(keygen::key_type(binding.algorithm)),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Sign(true),
            Attribute::Decrypt(false),
            Attribute::Unwrap(false),
            Attribute::Derive(false),
        ];
        template.extend_from_slice(extra);
        self.pool.run(move |lease| {
            let s = &lease.session().session;
            let kek = s
                .create_object(&[
                    Attribute::Class(ObjectClass::SECRET_KEY),
                    Attribute::KeyType(KeyType::AES),
                    Attribute::Token(false),
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Value(transport.to_vec()),
                    Attribute::Unwrap(true),
                    Attribute::Encrypt(false),
                    Attribute::Decrypt(false),
                ])
                .map_err(|e| hsm("C_CreateObject (transport key)", &e))?;
            let key = s
                .unwrap_key(&Mechanism::AesKeyWrapPad, kek, &carried, &template)
                .map_err(|e| hsm("C_UnwrapKey (transport)", &e));
            wrapped::destroy(lease, &[kek]);
            then(lease, key?)
        })
    }

    fn import_wrapped(
        self: &Arc<Self>,
        pkcs8: &[u8],
        binding: &KeyBinding<'_>,
    ) -> Result<WrappedKey, CryptoError> {
        let mechanism = self.master.wrap;
        let extra = [Attribute::Token(false), Attribute::Extractable(true)];
        let this = self.clone();
        let wrapped = self.import(pkcs8, binding, &extra, move |lease, key| {
            let exported = this.master.wrap_key(lease.session()).and_then(|wrap_key| {
                lease
                    .session()
                    .session
                    .wrap_key(&mechanism.mechanism(), wrap_key, key)
                    .map_err(|e| hsm("C_WrapKey", &e))
            });
            wrapped::destroy(lease, &[key]);
            exported
        })?;
        let mut body = vec![mechanism as u8];
        body.extend_from_slice(&wrapped);
        let bytes = self.tag_and_assemble(Kind::Wrapped, blob::key_fields(binding), &body)?;
        Ok(WrappedKey(bytes))
    }

    fn import_token_key(
        self: &Arc<Self>,
        pkcs8: &[u8],
        binding: &KeyBinding<'_>,
    ) -> Result<WrappedKey, CryptoError> {
        let id = crate::random_bytes::<16>()?;
        let label = super::token_keys::label(binding);
        let extra = [
            Attribute::Token(true),
            Attribute::Extractable(false),
            Attribute::Label(label.into_bytes()),
            Attribute::Id(id.to_vec()),
        ];
        self.import(pkcs8, binding, &extra, |_, _| Ok(()))?;
        let bytes = self.tag_and_assemble(Kind::TokenKey, blob::key_fields(binding), &id)?;
        Ok(WrappedKey(bytes))
    }
}
