//! Sessions lost under load, and an HSM that stops answering: the pool recovers without a
//! restart, and every request ends — with a valid signature or a clean "unavailable"
//! error, never a hang. Unit tests, because closing sessions must wait for the calls in
//! progress ([`super::pool::CALLS`], test builds only; see there why).
#![allow(clippy::unwrap_used)]

use super::pool::CALLS;
use super::scratch::{ScratchToken, SOFTHSM_LIBRARY};
use super::{Pkcs11Config, Pkcs11Module};
use crate::verify::verify_signature;
use crate::{digest::digest, CryptoError, CryptoModule, KeyBinding};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

const ECDSA: SignatureAlgorithm = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
/// Each worker's number and the outcome of each of its requests.
type Outcomes = Vec<(usize, Vec<Result<Vec<u8>, CryptoError>>)>;

const RSA: SignatureAlgorithm = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);

/// One token for this test binary's PKCS#11 tests (they run one at a time).
static SERIAL: Mutex<()> = Mutex::new(());

fn token() -> Option<ScratchToken> {
    if !Path::new(SOFTHSM_LIBRARY).exists() {
        assert!(
            std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
            "SIGNET_REQUIRE_PEERS=1 but SoftHSM2 is missing"
        );
        return None;
    }
    // A fixed directory, wiped by the first test: it must outlive every token of the
    // process (SoftHSM keeps writing token objects there), so nothing removes it at the end.
    static DIRECTORY: std::sync::Once = std::sync::Once::new();
    let dir = std::env::temp_dir().join("signet-crypto-unit-softhsm");
    DIRECTORY.call_once(|| {
        let _ = std::fs::remove_dir_all(&dir);
    });
    let label = format!("unit-{}", hex::encode(crate::random_bytes::<4>().unwrap()));
    Some(ScratchToken::create_in(&dir, Path::new(SOFTHSM_LIBRARY), &label, "1234").unwrap())
}

/// `C_CloseAllSessions` (PKCS#11 v2.40 §5.6), which cryptoki does not wrap.
#[allow(unsafe_code)]
fn close_all_sessions(config: &Pkcs11Config) {
    let ctx = super::library::context(&config.library).unwrap();
    let slot = super::library::slot_with_token(&ctx, &config.token_label).unwrap();
    // SAFETY: the library is loaded and initialised in this process (`context`); loading
    // the same path again yields the same instance; the call takes a slot id only.
    let rv = unsafe {
        let lib = cryptoki_sys::Pkcs11::new(&config.library).unwrap();
        lib.C_CloseAllSessions(slot.id())
    };
    assert_eq!(rv, cryptoki_sys::CKR_OK);
}

#[test]
fn sessions_closed_under_load_are_recovered_and_no_request_hangs() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(token) = token() else { return };
    let (hsm, _) = Pkcs11Module::open(&token.config, true).unwrap();
    let ec = KeyBinding { owner: "u1", credential: "c-ec", algorithm: KeyAlgorithm::EcP256 };
    let rsa = KeyBinding { owner: "u1", credential: "c-rsa", algorithm: KeyAlgorithm::Rsa2048 };
    let tsa =
        KeyBinding { owner: "service:tsa", credential: "tsa", algorithm: KeyAlgorithm::EcP256 };
    let (ec_key, rsa_key, tsa_key) = (
        hsm.generate_key(&ec).unwrap(),
        hsm.generate_key(&rsa).unwrap(),
        hsm.generate_key(&tsa).unwrap(),
    );
    let held = hsm.hold_service_key(&tsa_key.wrapped, &tsa).unwrap();
    let d = digest(HashAlgorithm::Sha256, b"doc");

    // Six signers (per-operation unwrap and a held token key) while every session of the
    // token is closed three times.
    let done = AtomicUsize::new(0);
    let outcomes: Outcomes = std::thread::scope(|s| {
        let workers: Vec<_> = (0..6)
            .map(|i| {
                let (hsm, held, done, d) = (&hsm, &held, &done, d.as_slice());
                let (ec_key, rsa_key) = (&ec_key, &rsa_key);
                s.spawn(move || {
                    let results = (0..30)
                        .map(|_| {
                            let r = match i % 3 {
                                0 => hsm.sign_digest(&ec_key.wrapped, &ec, ECDSA, d),
                                1 => hsm.sign_digest(&rsa_key.wrapped, &rsa, RSA, d),
                                _ => held.sign_digest(ECDSA, d),
                            };
                            done.fetch_add(1, Ordering::SeqCst);
                            r
                        })
                        .collect();
                    (i, results)
                })
            })
            .collect();
        for round in 1..=3 {
            while done.load(Ordering::SeqCst) < round * 40 {
                std::thread::yield_now();
            }
            let _between_calls = CALLS.write().unwrap_or_else(|p| p.into_inner());
            close_all_sessions(&token.config);
        }
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let (mut signed, mut failed) = (0, 0);
    for (i, results) in &outcomes {
        let public = match i % 3 {
            0 => &ec_key.public_key,
            1 => &rsa_key.public_key,
            _ => &tsa_key.public_key,
        };
        let alg = if i % 3 == 1 { RSA } else { ECDSA };
        for r in results {
            match r {
                Ok(sig) => {
                    assert!(verify_signature(alg, public, b"doc", sig), "worker {i}");
                    signed += 1;
                }
                Err(CryptoError::Unavailable(_)) => failed += 1,
                Err(other) => panic!("worker {i}: a request failed with {other}"),
            }
        }
    }
    assert_eq!(signed + failed, 180, "every request ended");
    eprintln!("{signed} signed, {failed} failed cleanly, sessions closed three times");
    // Without a restart: every path signs again, no unwrapped key survived.
    assert!(hsm.sign_digest(&rsa_key.wrapped, &rsa, RSA, &d).is_ok());
    assert!(held.sign_digest(ECDSA, &d).is_ok());
    hsm.check().unwrap();
    assert_eq!(hsm.private_key_objects().unwrap().1, 0);
}

/// An operation that never returns (a hung HSM) fails its request after the timeout as
/// unavailable; the pool writes its session off and keeps serving.
#[test]
fn an_operation_that_never_returns_fails_cleanly_and_the_pool_goes_on() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(token) = token() else { return };
    let config =
        Pkcs11Config { sessions: 2, timeout: Duration::from_millis(300), ..token.config.clone() };
    let (hsm, _) = Pkcs11Module::open(&config, true).unwrap();
    let (release, stuck) = mpsc::channel::<()>();
    let stuck = Mutex::new(stuck);
    let e = hsm
        .inner
        .pool
        .run(move |_| {
            // Blocks until the test releases it, long after the caller gave up.
            let _ = stuck.lock().unwrap_or_else(|p| p.into_inner()).recv();
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(&e, CryptoError::Unavailable(m) if m.contains("did not answer")), "{e}");
    // Both sessions can still be used at once: the stuck one was replaced.
    for _ in 0..3 {
        hsm.check().unwrap();
    }
    let b = KeyBinding { owner: "u", credential: "c", algorithm: KeyAlgorithm::EcP256 };
    let k = hsm.generate_key(&b).unwrap();
    assert!(hsm.sign_digest(&k.wrapped, &b, ECDSA, &[7u8; 32]).is_ok());
    // As many hung operations as sessions: the pool stops spending sessions and threads
    // on the HSM, and says why, until they return.
    let (release_second, stuck_second) = mpsc::channel::<()>();
    let stuck_second = Mutex::new(stuck_second);
    let e = hsm
        .inner
        .pool
        .run(move |_| {
            let _ = stuck_second.lock().unwrap_or_else(|p| p.into_inner()).recv();
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(&e, CryptoError::Unavailable(m) if m.contains("did not answer")), "{e}");
    let e = hsm.check().unwrap_err();
    assert!(matches!(&e, CryptoError::Unavailable(m) if m.contains("have not returned")), "{e}");
    // Once they return, the pool serves again.
    release.send(()).unwrap();
    release_second.send(()).unwrap();
    let mut served = false;
    for _ in 0..1000 {
        if hsm.check().is_ok() {
            served = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5)); // the released threads are finishing
    }
    assert!(served, "the pool serves again once the hung operations returned");
    // The sessions written off were closed when their calls returned, and the workers that
    // ran them ended: as many sessions and workers as configured, nothing stuck.
    let mut settled = (usize::MAX, usize::MAX, usize::MAX);
    for _ in 0..1000 {
        settled = hsm.inner.pool.census();
        if settled.1 == 0 && settled.2 == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let (open, stuck, workers) = settled;
    assert!(open <= 2 && stuck == 0 && workers == 2, "{settled:?}");
}

/// An operation that overruns its deadline after making a session object (an unwrapped
/// key): when its call returns, the written-off session is closed, which destroys the
/// object — it does not outlive the operation on a session nobody closes.
#[test]
fn a_session_written_off_is_closed_with_what_it_holds_when_its_call_returns() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(token) = token() else { return };
    let config =
        Pkcs11Config { sessions: 2, timeout: Duration::from_millis(300), ..token.config.clone() };
    let (hsm, _) = Pkcs11Module::open(&config, true).unwrap();
    let (release, held) = mpsc::channel::<()>();
    let held = Mutex::new(held);
    let e = hsm
        .inner
        .pool
        .run(move |lease| {
            let pair = super::keygen::generate(
                &lease.session().session,
                KeyAlgorithm::EcP256,
                super::keygen::Lifetime::Wrapped,
            )?;
            let _ = held.lock().unwrap_or_else(|p| p.into_inner()).recv();
            Ok(pair.private)
        })
        .unwrap_err();
    assert!(matches!(&e, CryptoError::Unavailable(m) if m.contains("did not answer")), "{e}");
    assert_eq!(hsm.private_key_objects().unwrap().1, 1, "the key exists while its call runs");
    release.send(()).unwrap();
    let mut left = usize::MAX;
    for _ in 0..1000 {
        left = hsm.private_key_objects().unwrap().1;
        if left == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(left, 0, "the written-off session was closed, and its key with it");
}

/// Dropping a module stops and joins its worker threads: none is still ending while the
/// process exits (SoftHSM's per-thread clean-up then races its exit handlers).
#[test]
fn dropping_the_module_joins_its_workers() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(token) = token() else { return };
    let workers = || {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
            .filter(|name| name.trim() == "signet-hsm")
            .count()
    };
    let before = workers();
    let (hsm, _) = Pkcs11Module::open(&token.config, true).unwrap();
    hsm.check().unwrap();
    assert!(workers() > before, "the module runs its operations on workers");
    drop(hsm);
    assert_eq!(workers(), before, "every worker has ended when the module is dropped");
}

/// A wrapping key made beforehand by an operator that may also decrypt (with which plain
/// AES-ECB would undo the key wrap on the host) is refused at start, naming the attribute;
/// the same key made with wrapping and unwrapping only is used.
#[test]
fn a_provisioned_wrapping_key_that_may_decrypt_is_refused() {
    use cryptoki::mechanism::Mechanism;
    use cryptoki::object::Attribute;
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let Some(token) = token() else { return };
    let config = &token.config;
    let ctx = super::library::context(&config.library).unwrap();
    let slot = super::library::slot_with_token(&ctx, &config.token_label).unwrap();
    let session = ctx.open_rw_session(slot).unwrap();
    session.login(UserType::User, Some(&AuthPin::from(config.pin.to_string()))).unwrap();
    let make = |label: &str, decrypt: bool| {
        let template = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::ValueLen(32.into()),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Wrap(true),
            Attribute::Unwrap(true),
            Attribute::Encrypt(false),
            Attribute::Decrypt(decrypt),
            Attribute::Sign(false),
            Attribute::Verify(false),
            Attribute::Derive(false),
        ];
        session.generate_key(&Mechanism::AesKeyGen, &template).unwrap()
    };
    let loose = make(&config.wrap_key_label, true);
    let e = Pkcs11Module::open(config, true).unwrap_err();
    assert!(matches!(&e, CryptoError::Setup(m) if m.contains("CKA_DECRYPT")), "{e}");
    session.destroy_object(loose).unwrap();
    make(&config.wrap_key_label, false);
    let (hsm, _) = Pkcs11Module::open(config, true).unwrap();
    hsm.check().unwrap();
}
