//! Loading and initialising a PKCS#11 library once per process (PKCS#11 v2.40 §5.4:
//! `C_Initialize` is called once by an application; a second call returns
//! `CKR_CRYPTOKI_ALREADY_INITIALIZED`), and finding a token by its label.
//!
//! Every module opened in the process on the same library shares one context. The
//! registry's lock also serialises initialisation: SoftHSM crashes when several threads
//! initialise it at once. The library is never finalised; it lives as long as the process.

use super::error::hsm;
use crate::CryptoError;
use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::slot::Slot;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Initialised libraries of this process, by canonical path.
static LIBRARIES: Mutex<Vec<(PathBuf, Pkcs11)>> = Mutex::new(Vec::new());

/// The initialised context of `library`, loading and initialising it on first use.
pub(crate) fn context(library: &Path) -> Result<Pkcs11, CryptoError> {
    let path = library
        .canonicalize()
        .map_err(|e| CryptoError::Setup(format!("PKCS#11 library {}: {e}", library.display())))?;
    let mut libraries = LIBRARIES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, ctx)) = libraries.iter().find(|(p, _)| *p == path) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(&path).map_err(|e| {
        CryptoError::Setup(format!("PKCS#11 library {} cannot be loaded: {e}", path.display()))
    })?;
    // OS locking: Signet calls the library from many threads (PKCS#11 v2.40 §5.4).
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(hsm("C_Initialize", &e)),
    }
    libraries.push((path, ctx.clone()));
    Ok(ctx)
}

/// The slot whose token is labelled `label` (`CK_TOKEN_INFO.label`, blank-padded to 32
/// bytes by the token; compared without the padding).
pub(crate) fn slot_with_token(ctx: &Pkcs11, label: &str) -> Result<Slot, CryptoError> {
    let slots = ctx.get_slots_with_initialized_token().map_err(|e| hsm("C_GetSlotList", &e))?;
    let mut found = Vec::new();
    let mut seen = Vec::new();
    for slot in slots {
        let info = ctx.get_token_info(slot).map_err(|e| hsm("C_GetTokenInfo", &e))?;
        let name = info.label().trim_end().to_owned();
        if name == label {
            found.push(slot);
        }
        seen.push(name);
    }
    match found.as_slice() {
        [slot] => Ok(*slot),
        [] => Err(CryptoError::Setup(format!(
            "no PKCS#11 token labelled `{label}` (tokens present: {})",
            if seen.is_empty() { "none".to_owned() } else { seen.join(", ") }
        ))),
        _ => Err(CryptoError::Setup(format!(
            "{} PKCS#11 tokens are labelled `{label}`: give Signet's token a unique label",
            found.len()
        ))),
    }
}
