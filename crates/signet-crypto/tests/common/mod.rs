//! The modules every crypto test runs on: the soft module, and the PKCS#11 module on a
//! SoftHSM2 token made for this test process. SoftHSM missing means the PKCS#11 half is
//! skipped — unless `SIGNET_REQUIRE_PEERS=1` (the project's test script), where it fails.
#![allow(clippy::unwrap_used, dead_code)]

use signet_crypto::pkcs11::scratch::{ScratchToken, SOFTHSM_LIBRARY};
use signet_crypto::pkcs11::{Pkcs11Config, Pkcs11Module};
use signet_crypto::soft::SoftModule;
use signet_crypto::CryptoModule;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// The token of this process (kept for the whole run: SoftHSM reads its directory once).
static TOKEN: OnceLock<Option<ScratchToken>> = OnceLock::new();
static HSM: OnceLock<Option<Pkcs11Module>> = OnceLock::new();
static OTHER_HSM: OnceLock<Option<Pkcs11Module>> = OnceLock::new();

/// One test at a time on the token: SoftHSM 2.6's file object store now and then fails a
/// key generation (`CKR_GENERAL_ERROR`, even `CKR_TEMPLATE_INCONSISTENT`) while another
/// thread creates or searches token objects at the same moment. Every test takes this
/// first (a failed test's poison is ignored).
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// The process's SoftHSM token, if SoftHSM is installed.
pub fn token() -> Option<&'static ScratchToken> {
    TOKEN
        .get_or_init(|| {
            if !Path::new(SOFTHSM_LIBRARY).exists() {
                assert!(
                    std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
                    "SIGNET_REQUIRE_PEERS=1 but SoftHSM2 ({SOFTHSM_LIBRARY}) is missing"
                );
                eprintln!("skipped the PKCS#11 half: no {SOFTHSM_LIBRARY}");
                return None;
            }
            // One directory per test binary, wiped at its start (cargo runs one at a time).
            let exe = std::env::current_exe().unwrap();
            let name = exe.file_stem().unwrap().to_string_lossy().to_string();
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("softhsm-{name}"));
            let _ = std::fs::remove_dir_all(&dir);
            let library = Path::new(SOFTHSM_LIBRARY);
            Some(ScratchToken::create_in(&dir, library, "signet-tests", "4321").unwrap())
        })
        .as_ref()
}

/// The PKCS#11 module on the test token (one per process: its master keys are created once).
pub fn hsm() -> Option<Pkcs11Module> {
    HSM.get_or_init(|| token().map(|t| Pkcs11Module::open(&t.config, true).unwrap().0)).clone()
}

/// A second PKCS#11 module on the same token with other master keys.
pub fn other_hsm() -> Option<Pkcs11Module> {
    OTHER_HSM
        .get_or_init(|| {
            token().map(|t| {
                let config = Pkcs11Config {
                    wrap_key_label: "other-master".into(),
                    mac_key_label: "other-master.mac".into(),
                    ..t.config.clone()
                };
                Pkcs11Module::open(&config, true).unwrap().0
            })
        })
        .clone()
}

/// The soft module and, when SoftHSM is present, the PKCS#11 module.
pub fn modules() -> Vec<Arc<dyn CryptoModule>> {
    let mut all: Vec<Arc<dyn CryptoModule>> =
        vec![Arc::new(SoftModule::from_master_key(&[1u8; 32]).unwrap())];
    if let Some(h) = hsm() {
        all.push(Arc::new(h));
    }
    all
}

/// A module of the other kind's master key (for "wrong master key" tests).
pub fn other_master(name: &str) -> Option<Arc<dyn CryptoModule>> {
    match name {
        "soft" => Some(Arc::new(SoftModule::from_master_key(&[2u8; 32]).unwrap())),
        _ => other_hsm().map(|h| Arc::new(h) as Arc<dyn CryptoModule>),
    }
}
