//! A throwaway SoftHSM2 token for tests and benchmarks: a fresh token directory with its
//! own `softhsm2.conf`, a token initialised through PKCS#11 itself (`C_InitToken`,
//! `C_InitPIN`, PKCS#11 v2.40 §5.5–5.6), removed when dropped. Never used by `serve`.
//!
//! SoftHSM reads `SOFTHSM2_CONF` once, in `C_Initialize`: the first scratch token of a
//! process points the variable at its directory before the library is initialised, and
//! later ones in the same process are made in that same directory (the library keeps
//! offering a free slot after each `C_InitToken`).

use super::error::hsm;
use super::{library, Pkcs11Config};
use crate::CryptoError;
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use zeroize::Zeroizing;

/// The Debian path of SoftHSM2's PKCS#11 library.
pub const SOFTHSM_LIBRARY: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// The token directory of this process, once chosen (see the module documentation).
static DIRECTORY: Mutex<Option<PathBuf>> = Mutex::new(None);

/// A SoftHSM2 token made for one test or benchmark run.
#[derive(Debug)]
pub struct ScratchToken {
    /// Settings that open a [`super::Pkcs11Module`] on the token (user PIN set, 4
    /// sessions, master keys created on first open).
    pub config: Pkcs11Config,
    owns_directory: Option<PathBuf>,
}

impl ScratchToken {
    /// Makes a token labelled `label` (unique within the process) with user PIN `pin`, in
    /// a new directory under the system's temporary directory, removed when the first
    /// token of the process is dropped.
    pub fn create(library_path: &Path, label: &str, pin: &str) -> Result<Self, CryptoError> {
        let name = format!("signet-softhsm-{}", hex(&crate::random_bytes::<8>()?));
        let path = std::env::temp_dir().join(name);
        let mut token = Self::create_in(&path, library_path, label, pin)?;
        if Self::conf_file() == Some(path.join("softhsm2.conf")) {
            token.owns_directory = Some(path);
        }
        Ok(token)
    }

    /// Like [`ScratchToken::create`], in `directory` (made if missing, never removed: a test
    /// process keeps its token in its target directory for the whole run).
    pub fn create_in(
        directory: &Path,
        library_path: &Path,
        label: &str,
        pin: &str,
    ) -> Result<Self, CryptoError> {
        let mut dir = DIRECTORY.lock().unwrap_or_else(|p| p.into_inner());
        if dir.is_none() {
            let path = directory.to_path_buf();
            let tokens = path.join("tokens");
            std::fs::create_dir_all(&tokens)
                .map_err(|e| CryptoError::Setup(format!("{}: {e}", tokens.display())))?;
            let conf = path.join("softhsm2.conf");
            std::fs::write(
                &conf,
                format!(
                    "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                    tokens.display()
                ),
            )
            .map_err(|e| CryptoError::Setup(format!("{}: {e}", conf.display())))?;
            // Before the library is initialised: SoftHSM reads it in C_Initialize only.
            std::env::set_var("SOFTHSM2_CONF", &conf);
            *dir = Some(path);
        }
        let ctx = library::context(library_path)?;
        let free = ctx
            .get_all_slots()
            .map_err(|e| hsm("C_GetSlotList", &e))?
            .into_iter()
            .find(|s| ctx.get_token_info(*s).map(|t| !t.token_initialized()).unwrap_or(false))
            .ok_or_else(|| CryptoError::Setup("SoftHSM offers no free slot".into()))?;
        let so_pin = AuthPin::from(format!("so-{pin}"));
        ctx.init_token(free, &so_pin, label).map_err(|e| hsm("C_InitToken", &e))?;
        let slot = library::slot_with_token(&ctx, label)?;
        let session = ctx.open_rw_session(slot).map_err(|e| hsm("C_OpenSession", &e))?;
        session.login(UserType::So, Some(&so_pin)).map_err(|e| hsm("C_Login (SO)", &e))?;
        session.init_pin(&AuthPin::from(pin.to_owned())).map_err(|e| hsm("C_InitPIN", &e))?;
        session.logout().map_err(|e| hsm("C_Logout", &e))?;
        drop(session);
        let config = Pkcs11Config {
            library: library_path.to_path_buf(),
            token_label: label.to_owned(),
            pin: Zeroizing::new(pin.to_owned()),
            wrap_key_label: "signet-master".into(),
            mac_key_label: Pkcs11Config::default_mac_label("signet-master"),
            sessions: 4,
            create_keys: true,
            timeout: Duration::from_secs(10),
        };
        Ok(Self { config, owns_directory: None })
    }

    /// The `softhsm2.conf` of this process's scratch tokens.
    pub fn conf_file() -> Option<PathBuf> {
        let dir = DIRECTORY.lock().unwrap_or_else(|p| p.into_inner());
        dir.as_ref().map(|d| d.join("softhsm2.conf"))
    }
}

impl Drop for ScratchToken {
    fn drop(&mut self) {
        // Only a token made by `create` removes the directory (a benchmark's, at its end).
        if let Some(dir) = &self.owns_directory {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
