//! Invariant 1: a wrapped key is bound to its owner, credential and algorithm, and to
//! the master key; the master key file is refused unless it is private and well formed.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use signet_crypto::soft::SoftModule;
use signet_crypto::{CryptoError, CryptoModule, KeyBinding, WrappedKey};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::os::unix::fs::PermissionsExt;

const ALG: SignatureAlgorithm = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);

fn setup() -> (SoftModule, WrappedKey) {
    let module = SoftModule::from_master_key(&[1u8; 32]).expect("module");
    let binding =
        KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };
    let key = module.generate_key(&binding).expect("generate");
    (module, key.wrapped)
}

#[test]
fn the_right_binding_signs() {
    let (module, wrapped) = setup();
    let b = KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };
    assert!(module.sign_digest(&wrapped, &b, ALG, &[0u8; 32]).is_ok());
}

#[test]
fn a_blob_moved_to_another_credential_or_owner_fails_to_unwrap() {
    let (module, wrapped) = setup();
    for (owner, credential) in [("alice", "cred-b"), ("bob", "cred-a"), ("alic", "ecred-a")] {
        let b = KeyBinding { owner, credential, algorithm: KeyAlgorithm::EcP256 };
        let err = module.sign_digest(&wrapped, &b, ALG, &[0u8; 32]).unwrap_err();
        assert!(matches!(err, CryptoError::UnwrapFailed), "{owner}/{credential}: {err}");
    }
}

#[test]
fn a_blob_relabelled_with_another_algorithm_fails() {
    let (module, wrapped) = setup();
    let b = KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP384 };
    let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384);
    let err = module.sign_digest(&wrapped, &b, alg, &[0u8; 48]).unwrap_err();
    assert!(matches!(err, CryptoError::UnwrapFailed), "{err}");
}

#[test]
fn a_corrupted_or_truncated_blob_fails_cleanly() {
    let (module, wrapped) = setup();
    let b = KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };
    for i in [0, 5, 13, 30, wrapped.0.len() - 1] {
        let mut bad = wrapped.clone();
        bad.0[i] ^= 0x01;
        assert!(module.sign_digest(&bad, &b, ALG, &[0u8; 32]).is_err(), "byte {i}");
    }
    for len in [0, 3, 24, wrapped.0.len() - 1] {
        let short = WrappedKey(wrapped.0[..len].to_vec());
        assert!(module.sign_digest(&short, &b, ALG, &[0u8; 32]).is_err(), "length {len}");
    }
}

#[test]
fn another_master_key_is_named_as_such() {
    let (_, wrapped) = setup();
    let other = SoftModule::from_master_key(&[2u8; 32]).expect("module");
    let b = KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };
    let err = other.sign_digest(&wrapped, &b, ALG, &[0u8; 32]).unwrap_err();
    assert!(matches!(err, CryptoError::WrongMasterKey { .. }), "{err}");
}

#[test]
fn wrong_digest_length_and_foreign_algorithm_are_refused_before_unwrapping() {
    let (module, wrapped) = setup();
    let b = KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };
    let err = module.sign_digest(&wrapped, &b, ALG, &[0u8; 31]).unwrap_err();
    assert!(matches!(err, CryptoError::DigestLength { expected: 32, found: 31, .. }), "{err}");
    let rsa = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);
    let err = module.sign_digest(&wrapped, &b, rsa, &[0u8; 32]).unwrap_err();
    assert!(matches!(err, CryptoError::UnsupportedAlgorithm { .. }), "{err}");
}

#[test]
fn the_blob_holds_no_plaintext_key() {
    let module = SoftModule::from_master_key(&[3u8; 32]).expect("module");
    let b = KeyBinding { owner: "u", credential: "c", algorithm: KeyAlgorithm::Rsa2048 };
    let key = module.generate_key(&b).expect("generate");
    // A PKCS#8 RSA key starts with SEQUENCE, INTEGER 0, and the rsaEncryption OID.
    let rsa_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    assert!(!key.wrapped.0.windows(rsa_oid.len()).any(|w| w == rsa_oid));
}

#[test]
fn master_key_file_is_created_private_and_reused() {
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
    let (module, key_blob) = setup();
    let sealed = module.seal_secret(b"otp seed 20 bytes!!!", "alice", "otp").expect("seal");
    assert_eq!(
        module.open_secret(&sealed, "alice", "otp").expect("open").as_slice(),
        b"otp seed 20 bytes!!!"
    );
    assert!(module.open_secret(&sealed, "bob", "otp").is_err());
    assert!(module.open_secret(&sealed, "alice", "recovery").is_err());
    // A key blob is not a secret, and a secret is not a key.
    assert!(module.open_secret(&key_blob, "alice", "cred-a").is_err());
    let b = KeyBinding { owner: "alice", credential: "otp", algorithm: KeyAlgorithm::EcP256 };
    assert!(module.sign_digest(&sealed, &b, ALG, &[0u8; 32]).is_err());
}

/// Only service keys may stay loaded in the module; a signer's key is refused even with
/// its right binding, and a held service key signs like a one-shot unwrap would.
#[test]
fn only_service_keys_can_be_held() {
    let (module, wrapped) = setup();
    let user = KeyBinding { owner: "alice", credential: "cred-a", algorithm: KeyAlgorithm::EcP256 };
    assert!(matches!(module.hold_service_key(&wrapped, &user), Err(CryptoError::Operation(_))));

    let tsa =
        KeyBinding { owner: "service:tsa", credential: "tsa", algorithm: KeyAlgorithm::EcP256 };
    let key = module.generate_key(&tsa).expect("generate");
    let held = module.hold_service_key(&key.wrapped, &tsa).expect("held");
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, b"token");
    let sig = held.sign_digest(ALG, &digest).expect("signs");
    assert!(signet_crypto::verify::verify_signature(ALG, &key.public_key, b"token", &sig));
    assert!(!signet_crypto::verify::verify_signature(ALG, &key.public_key, b"other", &sig));
    // A service key's blob under a user's binding stays unusable.
    let moved =
        KeyBinding { owner: "service:ocsp", credential: "tsa", algorithm: KeyAlgorithm::EcP256 };
    assert!(module.hold_service_key(&key.wrapped, &moved).is_err());
}
