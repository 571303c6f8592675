//! What the PKCS#11 module needs to know: which library, which token, the user PIN and
//! the labels of its two master keys. Read once from Signet's configuration.

use std::path::PathBuf;
use std::time::Duration;
use zeroize::Zeroizing;

/// The PKCS#11 module's settings.
#[derive(Clone)]
pub struct Pkcs11Config {
    /// The PKCS#11 library (`/usr/lib/softhsm/libsofthsm2.so`, a vendor's module).
    pub library: PathBuf,
    /// `CK_TOKEN_INFO.label` of the token that holds Signet's keys (PKCS#11 v2.40 §3.2).
    pub token_label: String,
    /// The normal user's PIN (`CKU_USER`, PKCS#11 v2.40 §5.6 `C_Login`).
    pub pin: Zeroizing<String>,
    /// `CKA_LABEL` of the AES-256 master wrapping key: signer keys leave the HSM only
    /// wrapped under it (RFC 5649 through `CKM_AES_KEY_WRAP_PAD`).
    pub wrap_key_label: String,
    /// `CKA_LABEL` of the HMAC-SHA256 key that binds every blob to its owner, credential
    /// and algorithm (`CKM_SHA256_HMAC`, PKCS#11 v2.40 Current Mechanisms §2.27).
    pub mac_key_label: String,
    /// Sessions kept open (one signature in flight per session).
    pub sessions: usize,
    /// Whether missing master keys may be generated (first start).
    pub create_keys: bool,
    /// How long a request waits for a free session, and then for the HSM's answer, before
    /// failing as unavailable.
    pub timeout: Duration,
}

impl Pkcs11Config {
    /// The MAC key's label when none is configured: the wrap key's with `.mac` appended.
    pub fn default_mac_label(wrap_key_label: &str) -> String {
        format!("{wrap_key_label}.mac")
    }
}

impl std::fmt::Debug for Pkcs11Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Config")
            .field("library", &self.library)
            .field("token_label", &self.token_label)
            .field("pin", &"<hidden>")
            .field("wrap_key_label", &self.wrap_key_label)
            .field("mac_key_label", &self.mac_key_label)
            .field("sessions", &self.sessions)
            .field("create_keys", &self.create_keys)
            .field("timeout", &self.timeout)
            .finish()
    }
}
