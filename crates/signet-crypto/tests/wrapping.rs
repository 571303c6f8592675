//! Invariant 1 on both modules (soft, and PKCS#11 on SoftHSM2): a wrapped key is bound to
//! its owner, credential and algorithm, and to the master key; sealed secrets likewise;
//! only service keys can be held. The soft master key file is refused unless it is private
//! and well formed.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use signet_crypto::soft::SoftModule;
use signet_crypto::{CryptoError, CryptoModule, KeyBinding, WrappedKey};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::os::unix::fs::PermissionsExt;

const ALG: SignatureAlgorithm = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
const ALICE: KeyBinding<'static> =
    KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };

/// Runs `check` on every module with a fresh key of Alice's.
fn each_module(check: impl Fn(&str, &dyn CryptoModule, WrappedKey)) {
    for module in common::modules() {
        let key = module.generate_key(&ALICE).expect("generate");
        check(module.name(), module.as_ref(), key.wrapped);
    }
}

#[test]
fn the_right_binding_signs() {
    let _serial = common::serial();
    each_module(|name, module, wrapped| {
        assert!(module.sign_digest(&wrapped, &ALICE, ALG, &[0u8; 32]).is_ok(), "{name}");
        module.check_key(&wrapped, &ALICE).unwrap();
    });
}

#[test]
fn a_blob_moved_to_another_credential_or_owner_fails_to_unwrap() {
    let _serial = common::serial();
    each_module(|name, module, wrapped| {
        for (owner, credential) in [("alice", "cred-b"), ("bob", "cred-a"), ("alic", "ecred-a")] {
            let b = KeyBinding { owner, credential, algorithm: KeyAlgorithm::EcP256 };
            let err = module.sign_digest(&wrapped, &b, ALG, &[0u8; 32]).unwrap_err();
            assert!(matches!(err, CryptoError::UnwrapFailed), "{name} {owner}/{credential}: {err}");
            assert!(module.check_key(&wrapped, &b).is_err(), "{name}");
        }
    });
}

#[test]
fn a_blob_relabelled_with_another_algorithm_fails() {
    let _serial = common::serial();
    each_module(|name, module, wrapped| {
        let b = KeyBinding { algorithm: KeyAlgorithm::EcP384, ..ALICE };
        let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384);
        let err = module.sign_digest(&wrapped, &b, alg, &[0u8; 48]).unwrap_err();
        assert!(matches!(err, CryptoError::UnwrapFailed), "{name}: {err}");
    });
}

#[test]
fn a_corrupted_or_truncated_blob_fails_cleanly() {
    let _serial = common::serial();
    each_module(|name, module, wrapped| {
        let n = wrapped.0.len();
        for i in [0, 4, 5, 13, 14, 30, n / 2, n - 33, n - 1] {
            let mut bad = wrapped.clone();
            bad.0[i] ^= 0x01;
            assert!(module.sign_digest(&bad, &ALICE, ALG, &[0u8; 32]).is_err(), "{name} byte {i}");
        }
        for len in [0, 3, 24, n - 1] {
            let short = WrappedKey(wrapped.0[..len].to_vec());
            assert!(
                module.sign_digest(&short, &ALICE, ALG, &[0u8; 32]).is_err(),
                "{name} length {len}"
            );
        }
    });
}

#[test]
fn another_master_key_is_named_as_such() {
    let _serial = common::serial();
    each_module(|name, _, wrapped| {
        let Some(other) = common::other_master(name) else { return };
        let err = other.sign_digest(&wrapped, &ALICE, ALG, &[0u8; 32]).unwrap_err();
        assert!(matches!(err, CryptoError::WrongMasterKey { .. }), "{name}: {err}");
    });
}

/// A soft blob given to the PKCS#11 module (or the reverse) says which module made it and
/// how to move it, instead of a bare integrity error.
#[test]
fn a_blob_of_the_other_module_names_its_module() {
    let _serial = common::serial();
    let modules = common::modules();
    let [soft, hsm] = modules.as_slice() else { return };
    let soft_key = soft.generate_key(&ALICE).unwrap().wrapped;
    let hsm_key = hsm.generate_key(&ALICE).unwrap().wrapped;
    let err = hsm.sign_digest(&soft_key, &ALICE, ALG, &[0u8; 32]).unwrap_err();
    assert!(matches!(err, CryptoError::ForeignBlob { found: "soft", expected: "pkcs11" }), "{err}");
    assert!(err.to_string().contains("signet admin crypto migrate --to pkcs11"), "{err}");
    let err = soft.sign_digest(&hsm_key, &ALICE, ALG, &[0u8; 32]).unwrap_err();
    assert!(matches!(err, CryptoError::ForeignBlob { found: "pkcs11", expected: "soft" }), "{err}");
}

#[test]
fn wrong_digest_length_and_foreign_algorithm_are_refused_before_unwrapping() {
    let _serial = common::serial();
    each_module(|name, module, wrapped| {
        let err = module.sign_digest(&wrapped, &ALICE, ALG, &[0u8; 31]).unwrap_err();
        assert!(
            matches!(err, CryptoError::DigestLength { expected: 32, found: 31, .. }),
            "{name}: {err}"
        );
        let rsa = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);
        let err = module.sign_digest(&wrapped, &ALICE, rsa, &[0u8; 32]).unwrap_err();
        assert!(matches!(err, CryptoError::UnsupportedAlgorithm { .. }), "{name}: {err}");
    });
}

#[test]
fn the_blob_holds_no_plaintext_key() {
    let _serial = common::serial();
    for module in common::modules() {
        let b = KeyBinding { owner: "u", credential: "c", algorithm: KeyAlgorithm::Rsa2048 };
        let key = module.generate_key(&b).expect("generate");
        // A PKCS#8 RSA key starts with SEQUENCE, INTEGER 0, and the rsaEncryption OID.
        let rsa_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        assert!(!key.wrapped.0.windows(rsa_oid.len()).any(|w| w == rsa_oid), "{}", module.name());
        // …and the public modulus (in the SPKI) does not appear either.
        let modulus = &key.public_key[key.public_key.len() - 200..key.public_key.len() - 100];
        assert!(!key.wrapped.0.windows(modulus.len()).any(|w| w == modulus), "{}", module.name());
    }
}

#[test]
fn master_key_file_is_created_private_and_reused() {
    let _serial = common::serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("master.key");
    let (m1, created) = SoftModule::open(&path, true).expect("create");
    assert!(created);
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (m2, created) = SoftModule::open(&path, true).expect("reopen");
    assert!(!created);
    assert_eq!(m1.master_key_id(), m2.master_key_id());
    m2.check().expect("self-test");
}

#[test]
fn master_key_file_problems_are_refused_with_a_reason() {
    let _serial = common::serial();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("master.key");
    let err = SoftModule::open(&path, false).unwrap_err().to_string();
    assert!(err.contains("missing"), "{err}");

    SoftModule::open(&path, true).expect("create");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let err = SoftModule::open(&path, true).unwrap_err().to_string();
    assert!(err.contains("mode 644"), "{err}");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::fs::write(&path, "not hex at all").expect("write");
    let err = SoftModule::open(&path, true).unwrap_err().to_string();
    assert!(err.contains("64 hexadecimal digits"), "{err}");
    // A bad file is never replaced by a fresh key: that would orphan every wrapped key.
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "not hex at all");
}

#[test]
fn sealed_secrets_open_only_for_their_owner_and_purpose_and_never_as_keys() {
    let _serial = common::serial();
    each_module(|name, module, key_blob| {
        let sealed = module.seal_secret(b"otp seed 20 bytes!!!", "alice", "otp").expect("seal");
        assert!(!sealed.0.windows(8).any(|w| w == b"otp seed"), "{name}: sealed in clear");
        assert_eq!(
            module.open_secret(&sealed, "alice", "otp").expect("open").as_slice(),
            b"otp seed 20 bytes!!!",
            "{name}"
        );
        assert!(module.open_secret(&sealed, "bob", "otp").is_err(), "{name}");
        assert!(module.open_secret(&sealed, "alice", "recovery").is_err(), "{name}");
        let mut tampered = sealed.clone();
        let last = tampered.0.len() - 40;
        tampered.0[last] ^= 1;
        assert!(module.open_secret(&tampered, "alice", "otp").is_err(), "{name}");
        // A key blob is not a secret, and a secret is not a key.
        assert!(module.open_secret(&key_blob, "alice", "cred-a").is_err(), "{name}");
        let b = KeyBinding { owner: "alice", credential: "otp", algorithm: KeyAlgorithm::EcP256 };
        assert!(module.sign_digest(&sealed, &b, ALG, &[0u8; 32]).is_err(), "{name}");
    });
}

/// Only service keys may stay loaded in the module; a signer's key is refused even with
/// its right binding, and a held service key signs like a one-shot unwrap would.
#[test]
fn only_service_keys_can_be_held() {
    let _serial = common::serial();
    each_module(|name, module, wrapped| {
        assert!(
            matches!(module.hold_service_key(&wrapped, &ALICE), Err(CryptoError::Operation(_))),
            "{name}"
        );
        let tsa = KeyBinding {
            owner: "service:tsa",
            credential: "tsa-held-test",
            algorithm: KeyAlgorithm::EcP256,
        };
        let key = module.generate_key(&tsa).expect("generate");
        let held = module.hold_service_key(&key.wrapped, &tsa).expect("held");
        let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, b"token");
        let sig = held.sign_digest(ALG, &digest).expect("signs");
        assert!(
            signet_crypto::verify::verify_signature(ALG, &key.public_key, b"token", &sig),
            "{name}"
        );
        assert!(
            !signet_crypto::verify::verify_signature(ALG, &key.public_key, b"other", &sig),
            "{name}"
        );
        // The one-shot path signs with the same key.
        let sig = module.sign_digest(&key.wrapped, &tsa, ALG, &digest).expect("signs");
        assert!(
            signet_crypto::verify::verify_signature(ALG, &key.public_key, b"token", &sig),
            "{name}"
        );
        // A service key's blob under another service's or a user's binding stays unusable.
        let moved = KeyBinding { owner: "service:ocsp", ..tsa };
        assert!(module.hold_service_key(&key.wrapped, &moved).is_err(), "{name}");
        let user = KeyBinding { owner: "alice", ..tsa };
        assert!(module.sign_digest(&key.wrapped, &user, ALG, &digest).is_err(), "{name}");
    });
}
