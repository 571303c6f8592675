//! `[connectors.NAME]`: external CAs reached over CMP (RFC 9483), named by groups.
//!
//! ```toml
//! [connectors.partner-ca]
//! kind = "cmp"
//! url = "http://ca.example/pkix/"
//! # shared-secret protection (PBM):
//! reference = "1234"                  # the senderKID the CA knows the secret by
//! secret_file = "/etc/signet/cmp.secret"   # or secret = "…" (better: SIGNET_CONNECTORS__PARTNER-CA__SECRET)
//! # or signature protection:
//! # cert_file = "ra.pem"  key_file = "ra.key"  chain_file = "ra-chain.pem"  trusted_file = "ca-root.pem"
//! implicit_confirm = false
//! timeout_seconds = 30
//! ```

use base64::Engine as _;
use serde::Deserialize;
use signet_engine::{CmpProtection, CmpSettings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// `[connectors.NAME]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorConfig {
    /// Only `cmp`.
    pub kind: String,
    /// The CA's CMP URL.
    pub url: String,
    /// PBM senderKID.
    pub reference: Option<String>,
    /// PBM shared secret.
    pub secret: Option<String>,
    /// A file holding the PBM shared secret (trailing newline ignored).
    pub secret_file: Option<PathBuf>,
    /// Signature protection: the connector's certificate (PEM).
    pub cert_file: Option<PathBuf>,
    /// Signature protection: its PKCS#8 private key (PEM).
    pub key_file: Option<PathBuf>,
    /// Signature protection: intermediate certificates to send (PEM).
    pub chain_file: Option<PathBuf>,
    /// Trust anchors for signature-protected responses (PEM).
    pub trusted_file: Option<PathBuf>,
    /// Ask the CA to skip certConf.
    #[serde(default)]
    pub implicit_confirm: bool,
    /// Per-exchange timeout.
    pub timeout_seconds: Option<u64>,
}

/// Builds the engine's connector settings; errors name the key.
pub fn connector_settings(
    connectors: &BTreeMap<String, ConnectorConfig>,
) -> Result<BTreeMap<String, CmpSettings>, String> {
    let mut out = BTreeMap::new();
    for (name, c) in connectors {
        let at = |e: String| format!("connectors.{name}: {e}");
        if name == signet_store::EMBEDDED_CONNECTOR {
            return Err(at("`embedded` is the built-in CA's name".into()));
        }
        if c.kind != "cmp" {
            return Err(at(format!("kind `{}` is not supported (cmp)", c.kind)));
        }
        if !(c.url.starts_with("http://") || c.url.starts_with("https://")) {
            return Err(at(format!("url `{}` is not an http(s) URL", c.url)));
        }
        let signature = c.cert_file.is_some() || c.key_file.is_some();
        let pbm = c.reference.is_some() || c.secret.is_some() || c.secret_file.is_some();
        let protection = match (pbm, signature) {
            (true, false) => {
                let reference =
                    c.reference.clone().ok_or_else(|| at("reference is missing".into()))?;
                let secret = match (&c.secret, &c.secret_file) {
                    (Some(s), None) => Zeroizing::new(s.as_bytes().to_vec()),
                    (None, Some(f)) => {
                        let mut bytes = Zeroizing::new(
                            std::fs::read(f)
                                .map_err(|e| at(format!("secret_file {}: {e}", f.display())))?,
                        );
                        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                            bytes.pop();
                        }
                        bytes
                    }
                    _ => return Err(at("give exactly one of secret or secret_file".into())),
                };
                if secret.is_empty() {
                    return Err(at("the shared secret is empty".into()));
                }
                CmpProtection::Pbm { reference, secret }
            }
            (false, true) => {
                let cert = c.cert_file.as_ref().ok_or_else(|| at("cert_file is missing".into()))?;
                let key = c.key_file.as_ref().ok_or_else(|| at("key_file is missing".into()))?;
                let certificate = pem_file(cert, "CERTIFICATE")
                    .map_err(at)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| at(format!("{}: no certificate", cert.display())))?;
                let key_der = pem_file(key, "PRIVATE KEY")
                    .map_err(at)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| at(format!("{}: no PKCS#8 PRIVATE KEY", key.display())))?;
                let key = signet_crypto::soft::FileKey::from_pkcs8_der(Zeroizing::new(key_der))
                    .map_err(|e| at(format!("key_file: {e}")))?;
                let chain = match &c.chain_file {
                    Some(f) => pem_file(f, "CERTIFICATE").map_err(at)?,
                    None => Vec::new(),
                };
                CmpProtection::Signature { key: Arc::new(key), certificate, chain }
            }
            _ => {
                return Err(at(
                    "give either reference + secret (PBM) or cert_file + key_file (signature)"
                        .into(),
                ))
            }
        };
        let trusted = match &c.trusted_file {
            Some(f) => pem_file(f, "CERTIFICATE").map_err(at)?,
            None => Vec::new(),
        };
        if matches!(protection, CmpProtection::Signature { .. }) && trusted.is_empty() {
            return Err(at("signature protection needs trusted_file for the CA's answers".into()));
        }
        out.insert(
            name.clone(),
            CmpSettings {
                url: c.url.clone(),
                protection,
                trusted,
                implicit_confirm: c.implicit_confirm,
                timeout: Duration::from_secs(c.timeout_seconds.unwrap_or(30).clamp(1, 600)),
            },
        );
    }
    Ok(out)
}

/// The DER of every PEM block with `label` in a file.
pub(crate) fn pem_file(path: &Path, label: &str) -> Result<Vec<Vec<u8>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (begin, end) = (format!("-----BEGIN {label}-----"), format!("-----END {label}-----"));
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start + begin.len()..];
        let stop =
            after.find(&end).ok_or_else(|| format!("{}: unterminated {label}", path.display()))?;
        let b64: String = after[..stop].chars().filter(|c| !c.is_whitespace()).collect();
        out.push(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| format!("{}: bad base64 in {label}", path.display()))?,
        );
        rest = &after[stop + end.len()..];
    }
    Ok(out)
}
