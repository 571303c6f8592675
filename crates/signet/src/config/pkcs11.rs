//! `[crypto.pkcs11]`: the HSM behind `crypto.module = "pkcs11"`. The user PIN comes from
//! `pin_file` or the environment (`SIGNET_CRYPTO__PKCS11__PIN`), never from the
//! configuration file itself.

use serde::Deserialize;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;
use zeroize::Zeroizing;

/// The environment variable that carries the PIN (kept a string, never parsed as TOML).
pub const PIN_ENV: &str = "SIGNET_CRYPTO__PKCS11__PIN";

/// `[crypto.pkcs11]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Pkcs11Section {
    /// The PKCS#11 library, e.g. `/usr/lib/softhsm/libsofthsm2.so`.
    pub library: Option<PathBuf>,
    /// The token's label.
    pub token_label: Option<String>,
    /// A file holding the user PIN (mode 0600 or stricter; one trailing newline ignored).
    pub pin_file: Option<PathBuf>,
    /// The user PIN, from `SIGNET_CRYPTO__PKCS11__PIN` only.
    pub pin: Option<Pin>,
    /// Label of the AES-256 master wrapping key.
    pub wrap_key_label: String,
    /// Label of the HMAC key that binds blobs [default: `<wrap_key_label>.mac`].
    pub mac_key_label: Option<String>,
    /// Sessions kept open: signatures in flight at once.
    pub sessions: usize,
    /// Whether `signet serve` (on an empty database) and `signet admin crypto migrate` may
    /// create the master keys when the token has none.
    pub create_keys: bool,
    /// Seconds a request waits for a session, then for the HSM's answer.
    pub timeout_seconds: u64,
}

impl Default for Pkcs11Section {
    fn default() -> Self {
        Self {
            library: None,
            token_label: None,
            pin_file: None,
            pin: None,
            wrap_key_label: "signet-master".into(),
            mac_key_label: None,
            sessions: 8,
            create_keys: true,
            timeout_seconds: 10,
        }
    }
}

/// A PIN: zeroized when dropped, hidden from `Debug`.
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl<'de> Deserialize<'de> for Pin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self(Zeroizing::new(s)))
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(<hidden>)")
    }
}

impl Pkcs11Section {
    /// Checks what types alone cannot (without reading the PIN file); the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        match &self.library {
            None => {
                return Err("crypto.pkcs11.library: required with crypto.module = \"pkcs11\"".into())
            }
            Some(l) if !l.is_file() => {
                return Err(format!(
                    "crypto.pkcs11.library: {} is not a readable file",
                    l.display()
                ))
            }
            Some(_) => {}
        }
        if self.token_label.as_deref().is_none_or(str::is_empty) {
            return Err(
                "crypto.pkcs11.token_label: required with crypto.module = \"pkcs11\"".into()
            );
        }
        match (&self.pin_file, &self.pin) {
            (None, None) => {
                return Err(format!(
                    "crypto.pkcs11.pin_file: required (or the PIN in {PIN_ENV}) with crypto.module = \"pkcs11\""
                ))
            }
            (Some(_), Some(_)) => {
                return Err(format!("crypto.pkcs11.pin_file: give the PIN in the file or in {PIN_ENV}, not both"))
            }
            _ => {}
        }
        let mac = self.mac_key_label();
        if self.wrap_key_label.is_empty() || mac.is_empty() || mac == self.wrap_key_label {
            return Err(
                "crypto.pkcs11.mac_key_label: the master keys need two different, non-empty labels"
                    .into(),
            );
        }
        if !(1..=256).contains(&self.sessions) {
            return Err("crypto.pkcs11.sessions: must be between 1 and 256".into());
        }
        if !(1..=600).contains(&self.timeout_seconds) {
            return Err("crypto.pkcs11.timeout_seconds: must be between 1 and 600".into());
        }
        Ok(())
    }

    fn mac_key_label(&self) -> String {
        self.mac_key_label.clone().unwrap_or_else(|| {
            signet_crypto::pkcs11::Pkcs11Config::default_mac_label(&self.wrap_key_label)
        })
    }

    /// The module's settings, reading the PIN file (refused when others may read it).
    pub fn settings(&self) -> Result<signet_crypto::pkcs11::Pkcs11Config, String> {
        self.validate()?;
        let pin = match (&self.pin, &self.pin_file) {
            (Some(Pin(p)), _) => p.clone(),
            (None, Some(f)) => read_pin_file(f)?,
            (None, None) => return Err("crypto.pkcs11.pin_file: required".into()),
        };
        Ok(signet_crypto::pkcs11::Pkcs11Config {
            library: self.library.clone().unwrap_or_default(),
            token_label: self.token_label.clone().unwrap_or_default(),
            pin,
            wrap_key_label: self.wrap_key_label.clone(),
            mac_key_label: self.mac_key_label(),
            sessions: self.sessions,
            create_keys: self.create_keys,
            timeout: Duration::from_secs(self.timeout_seconds),
        })
    }
}

fn read_pin_file(path: &std::path::Path) -> Result<Zeroizing<String>, String> {
    let at = |why: String| format!("crypto.pkcs11.pin_file: {}: {why}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| at(e.to_string()))?;
    if meta.mode() & 0o077 != 0 {
        return Err(at(format!(
            "has mode {:o}: it must be readable by its owner only (chmod 600)",
            meta.mode() & 0o777
        )));
    }
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| at(e.to_string()))?);
    let pin = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
    if pin.is_empty() {
        return Err(at("is empty".into()));
    }
    Ok(Zeroizing::new(pin.to_owned()))
}
