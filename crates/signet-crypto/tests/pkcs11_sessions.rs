//! The PKCS#11 module's sessions, in a process of their own (PKCS#11 login state and
//! session objects are per process): a wrong PIN at start-up; no unwrapped signer key
//! outlives its signature; and sessions closed under the module's feet
//! (`C_CloseAllSessions`, PKCS#11 v2.40 §5.6 — what a token reset does) are recovered
//! without a restart. (Closing them *during* a signing load is the unit test
//! `pkcs11::tests::sessions_closed_under_load_are_recovered_and_no_request_hangs`.)
#![allow(clippy::unwrap_used)]
// tests: a failed unwrap is a failed test
// The one unsafe call: C_CloseAllSessions, which cryptoki does not wrap.
#![allow(unsafe_code)]

mod common;

use cryptoki::context::Pkcs11;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use cryptoki::slot::Slot;
use signet_crypto::pkcs11::{Pkcs11Config, Pkcs11Module};
use signet_crypto::verify::verify_signature;
use signet_crypto::{digest::digest, CryptoModule, KeyBinding};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};

const ECDSA: SignatureAlgorithm = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
const RSA: SignatureAlgorithm = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);

fn slot(ctx: &Pkcs11, label: &str) -> Slot {
    ctx.get_slots_with_initialized_token()
        .unwrap()
        .into_iter()
        .find(|s| ctx.get_token_info(*s).unwrap().label().trim_end() == label)
        .unwrap()
}

/// `C_CloseAllSessions` on the token, through the library this process already loaded and
/// initialised (the same SoftHSM instance the module uses).
fn close_all_sessions(config: &Pkcs11Config) {
    let ctx = Pkcs11::new(&config.library).unwrap();
    let slot_id = slot(&ctx, &config.token_label).id();
    // SAFETY: the library is loaded and initialised by the module in this process; dlopen
    // of the same path returns the same instance. C_CloseAllSessions takes a slot id only.
    let rv = unsafe {
        let lib = cryptoki_sys::Pkcs11::new(&config.library).unwrap();
        lib.C_CloseAllSessions(slot_id)
    };
    assert_eq!(rv, cryptoki_sys::CKR_OK);
}

/// Session private keys this process can see on the token.
fn session_keys(hsm: &Pkcs11Module) -> usize {
    hsm.private_key_objects().unwrap().1
}

#[test]
fn sessions_pin_key_objects_and_recovery() {
    let Some(token) = common::token() else { return };
    let config = token.config.clone();

    // 1. A wrong PIN, before anything in this process logged in, stops start-up clearly.
    let wrong = Pkcs11Config { pin: "0000".to_owned().into(), ..config.clone() };
    let e = Pkcs11Module::open(&wrong, true).map(drop).unwrap_err().to_string();
    assert!(e.contains("refused the user PIN"), "{e}");
    assert!(!e.contains("0000"), "the PIN never appears in an error: {e}");

    let hsm = common::hsm().unwrap();
    assert_eq!(session_keys(&hsm), 0);

    // 2. The census sees session objects of this process made through another session.
    let ctx = Pkcs11::new(&config.library).unwrap();
    let other = ctx.open_rw_session(slot(&ctx, &config.token_label)).unwrap();
    let (public, private) = other
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[
                Attribute::Token(false),
                Attribute::EcParams(vec![
                    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
                ]),
            ],
            &[Attribute::Token(false), Attribute::Sign(true)],
        )
        .unwrap();
    assert_eq!(session_keys(&hsm), 1, "an unwrapped key would be counted");
    other.destroy_object(private).unwrap();
    other.destroy_object(public).unwrap();
    drop(other);
    assert_eq!(session_keys(&hsm), 0);

    // 3. After every signature — and every refused one — no signer key object remains.
    let ec = KeyBinding { owner: "u1", credential: "c-ec", algorithm: KeyAlgorithm::EcP256 };
    let rsa = KeyBinding { owner: "u1", credential: "c-rsa", algorithm: KeyAlgorithm::Rsa2048 };
    let ec_key = hsm.generate_key(&ec).unwrap();
    let rsa_key = hsm.generate_key(&rsa).unwrap();
    let (tokens_before, _) = hsm.private_key_objects().unwrap();
    assert_eq!(session_keys(&hsm), 0, "generation leaves nothing behind");
    let d = digest(HashAlgorithm::Sha256, b"doc");
    for _ in 0..5 {
        let sig = hsm.sign_digest(&ec_key.wrapped, &ec, ECDSA, &d).unwrap();
        assert!(verify_signature(ECDSA, &ec_key.public_key, b"doc", &sig));
        assert_eq!(session_keys(&hsm), 0);
        let sig = hsm.sign_digest(&rsa_key.wrapped, &rsa, RSA, &d).unwrap();
        assert!(verify_signature(RSA, &rsa_key.public_key, b"doc", &sig));
        assert_eq!(session_keys(&hsm), 0);
    }
    let moved = KeyBinding { credential: "c-other", ..ec };
    assert!(hsm.sign_digest(&ec_key.wrapped, &moved, ECDSA, &d).is_err());
    assert_eq!(session_keys(&hsm), 0);
    assert_eq!(hsm.private_key_objects().unwrap().0, tokens_before, "no token key either");

    // 4. All sessions closed between requests: the next request, and /readyz's check,
    //    succeed on reopened sessions without a restart.
    close_all_sessions(&config);
    let sig = hsm.sign_digest(&ec_key.wrapped, &ec, ECDSA, &d).unwrap();
    assert!(verify_signature(ECDSA, &ec_key.public_key, b"doc", &sig));
    close_all_sessions(&config);
    hsm.check().unwrap();
    let service =
        KeyBinding { owner: "service:tsa", credential: "tsa", algorithm: KeyAlgorithm::EcP256 };
    let tsa = hsm.generate_key(&service).unwrap();
    let held = hsm.hold_service_key(&tsa.wrapped, &service).unwrap();
    close_all_sessions(&config);
    let sig = held.sign_digest(ECDSA, &d).unwrap();
    assert!(verify_signature(ECDSA, &tsa.public_key, b"doc", &sig), "held keys recover too");

    let sig = hsm.sign_digest(&rsa_key.wrapped, &rsa, RSA, &d).unwrap();
    assert!(verify_signature(RSA, &rsa_key.public_key, b"doc", &sig));
    assert_eq!(session_keys(&hsm), 0, "no unwrapped key survived the closed sessions");
    hsm.check().unwrap();
}
