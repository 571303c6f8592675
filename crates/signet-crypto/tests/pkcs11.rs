//! What only the PKCS#11 module has: master keys on the token (created, checked, refused
//! when weak or missing), the PIN, ECDSA re-encoding, and migration from the soft module.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use cryptoki::context::Pkcs11;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use signet_crypto::pkcs11::{blob_format, BlobFormat, Pkcs11Config, Pkcs11Module};
use signet_crypto::soft::SoftModule;
use signet_crypto::{
    digest::digest, verify::verify_signature, CryptoError, CryptoModule, KeyBinding,
};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};

fn config(f: impl FnOnce(&mut Pkcs11Config)) -> Option<Pkcs11Config> {
    let mut c = common::token()?.config.clone();
    f(&mut c);
    Some(c)
}

fn open_err(c: &Pkcs11Config, create: bool) -> String {
    Pkcs11Module::open(c, create).map(drop).unwrap_err().to_string()
}

#[test]
fn master_keys_are_created_once_then_found_and_never_created_without_leave() {
    let _serial = common::serial();
    let Some(hsm) = common::hsm() else { return };
    let c = config(|_| {}).unwrap();
    // Found again, not created again; same key id.
    let (again, created) = Pkcs11Module::open(&c, true).unwrap();
    assert!(!created);
    assert_eq!(again.master_key_id(), hsm.master_key_id());
    assert_eq!(hsm.master_key_id().len(), 16);
    again.check().unwrap();
    // Missing and not allowed to create: refused, naming the label.
    let c = config(|c| {
        c.wrap_key_label = "absent-master".into();
        c.mac_key_label = "absent-master.mac".into();
    })
    .unwrap();
    let e = open_err(&c, false);
    assert!(e.contains("no secret key labelled `absent-master`"), "{e}");
    // Same label for both keys: refused.
    let c = config(|c| c.mac_key_label = c.wrap_key_label.clone()).unwrap();
    assert!(open_err(&c, true).contains("different labels"));
}

/// (A wrong PIN is tested in `pkcs11_sessions.rs`, before anything of that process logs
/// in: PKCS#11 login state is shared by the whole process.)
#[test]
fn a_wrong_token_label_or_library_is_a_clear_start_up_error() {
    let _serial = common::serial();
    let Some(c) = config(|c| c.token_label = "no-such-token".into()) else { return };
    let e = open_err(&c, false);
    assert!(
        e.contains("no PKCS#11 token labelled `no-such-token`") && e.contains("signet-tests"),
        "{e}"
    );
    let c = config(|c| c.library = "/nonexistent/libpkcs11.so".into()).unwrap();
    assert!(open_err(&c, false).contains("/nonexistent/libpkcs11.so"));
}

/// A master key that could leave the HSM is refused: an extractable AES key made with the
/// wrap key's label (by someone else, through cryptoki here).
#[test]
fn an_extractable_master_key_is_refused() {
    let _serial = common::serial();
    let Some(c) = config(|c| {
        c.wrap_key_label = "weak-master".into();
        c.mac_key_label = "weak-master.mac".into();
    }) else {
        return;
    };
    common::hsm().unwrap(); // the library is initialised in this process
    let ctx = Pkcs11::new(&c.library).unwrap();
    let slot = ctx
        .get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == c.token_label)
        .unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    let _ = session.login(UserType::User, Some(&AuthPin::from(c.pin.as_str().to_owned())));
    session
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::Token(true),
                Attribute::ValueLen(32u64.into()),
                Attribute::Label(b"weak-master".to_vec()),
                Attribute::Extractable(true),
                Attribute::Sensitive(false),
                Attribute::Wrap(true),
                Attribute::Unwrap(true),
            ],
        )
        .unwrap();
    let e = open_err(&c, true);
    assert!(e.contains("master key `weak-master`") && e.contains("extractable"), "{e}");
}

/// `CKM_ECDSA` returns `r ‖ s`; the module re-encodes it as DER with minimal integers.
/// Many signatures make leading-zero and high-bit cases certain to occur.
#[test]
fn ecdsa_signatures_are_valid_der_every_time() {
    let _serial = common::serial();
    let Some(hsm) = common::hsm() else { return };
    for (key, alg) in [
        (KeyAlgorithm::EcP256, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)),
        (KeyAlgorithm::EcP384, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384)),
    ] {
        let b = KeyBinding { owner: "u-der", credential: "c-der", algorithm: key };
        let k = hsm.generate_key(&b).unwrap();
        let digests: Vec<Vec<u8>> =
            (0..150u32).map(|i| digest(alg.hash(), &i.to_be_bytes())).collect();
        let refs: Vec<&[u8]> = digests.iter().map(Vec::as_slice).collect();
        let sigs = hsm.sign_digests(&k.wrapped, &b, alg, &refs).unwrap();
        for (i, sig) in sigs.iter().enumerate() {
            let ok = verify_signature(alg, &k.public_key, &(i as u32).to_be_bytes(), sig);
            assert!(ok, "{key} signature {i}");
        }
    }
}

/// `signet admin crypto migrate`: a soft key, service key and sealed secret moved into the
/// HSM keep working with the same public key and binding; the soft blob never unwraps
/// under another binding on the way.
#[test]
fn soft_keys_and_secrets_migrate_into_the_hsm() {
    let _serial = common::serial();
    let Some(hsm) = common::hsm() else { return };
    let soft = SoftModule::from_master_key(&[9u8; 32]).unwrap();
    let alg = SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256);
    for binding in [
        KeyBinding { owner: "user-m", credential: "cred-m", algorithm: KeyAlgorithm::Rsa2048 },
        KeyBinding {
            owner: "service:ca",
            credential: "migrated-root",
            algorithm: KeyAlgorithm::Rsa2048,
        },
    ] {
        let old = soft.generate_key(&binding).unwrap();
        assert_eq!(blob_format(&old.wrapped.0), BlobFormat::Soft);
        let moved = KeyBinding { credential: "elsewhere", ..binding };
        assert!(matches!(
            hsm.import_soft_key(&soft, &old.wrapped, &moved),
            Err(CryptoError::UnwrapFailed)
        ));
        let new = hsm.import_soft_key(&soft, &old.wrapped, &binding).unwrap();
        assert_eq!(blob_format(&new.0), BlobFormat::Pkcs11);
        let d = digest(HashAlgorithm::Sha256, b"after migration");
        let sig = hsm.sign_digest(&new, &binding, alg, &d).unwrap();
        assert!(
            verify_signature(alg, &old.public_key, b"after migration", &sig),
            "{}",
            binding.owner
        );
        assert!(hsm.sign_digest(&new, &moved, alg, &d).is_err());
    }
    let sealed = soft.seal_secret(b"seed", "user-m", "otp").unwrap();
    let resealed = hsm.import_soft_secret(&soft, &sealed, "user-m", "otp").unwrap();
    assert_eq!(hsm.open_secret(&resealed, "user-m", "otp").unwrap().as_slice(), b"seed");
    assert!(hsm.import_soft_secret(&soft, &sealed, "user-x", "otp").is_err());
}
