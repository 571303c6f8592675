//! Signet's configuration: defaults, then `signet.toml`, then `SIGNET_…` environment
//! variables, then command-line flags; validated once at start and passed explicitly.

pub(crate) mod connectors;
mod group_pages;
mod load;
mod pkcs11;
mod policies;

pub use load::{load, LoadedConfig, Sources};
pub use pkcs11::{Pkcs11Section, PIN_ENV};
pub use policies::{GroupConfig, ProfileConfig};

use serde::Deserialize;
use signet_types::KeyAlgorithm;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole configuration. Every key can be set in `signet.toml` or as
/// `SIGNET_<SECTION>__<KEY>` (e.g. `SIGNET_DATABASE__URL`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the database, master key and other state live (`SIGNET_DATA_DIR`, `--data-dir`).
    pub data_dir: PathBuf,
    /// Address to listen on (`SIGNET_LISTEN`, `--listen`).
    pub listen: SocketAddr,
    /// The externally visible base URL: certificates point their AIA and CRL URLs here.
    pub public_url: Option<String>,
    /// Storage.
    pub database: DatabaseConfig,
    /// Cryptographic module.
    pub crypto: CryptoConfig,
    /// TLS for the HTTP listener (both files, or neither).
    pub tls: Option<TlsConfig>,
    /// The embedded certificate authority.
    pub ca: CaConfig,
    /// End-entity certificates.
    pub certificates: CertificatesConfig,
    /// Signing PIN policy.
    pub pin: PinConfig,
    /// Signature Activation Module.
    pub sam: SamConfig,
    /// Document signing.
    pub documents: DocumentsConfig,
    /// Logging.
    pub log: LogConfig,
    /// Certificate profiles by name (`[profiles.NAME]`).
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Group policies by group name (`[groups.NAME]`).
    pub groups: BTreeMap<String, GroupConfig>,
    /// External CAs by connector name (`[connectors.NAME]`).
    pub connectors: BTreeMap<String, connectors::ConnectorConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./signet-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            database: DatabaseConfig::default(),
            crypto: CryptoConfig::default(),
            tls: None,
            ca: CaConfig::default(),
            certificates: CertificatesConfig::default(),
            pin: PinConfig::default(),
            sam: SamConfig::default(),
            documents: DocumentsConfig::default(),
            log: LogConfig::default(),
            profiles: BTreeMap::new(),
            groups: BTreeMap::new(),
            connectors: BTreeMap::new(),
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://…`; default: `signet.db` in the data directory.
    pub url: Option<String>,
    /// Connection pool size.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url: None, max_connections: 10 }
    }
}

/// Which cryptographic module holds the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CryptoModuleKind {
    /// The embedded soft module (aws-lc-rs, master key in a file).
    Soft,
    /// A PKCS#11 HSM.
    Pkcs11,
}

/// `[crypto]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CryptoConfig {
    /// `soft` (default) or `pkcs11`.
    pub module: CryptoModuleKind,
    /// The soft module's master key file; default `master.key` in the data directory.
    /// With `pkcs11` it is read only by `signet admin crypto migrate`.
    pub master_key_file: Option<PathBuf>,
    /// The HSM, for `module = "pkcs11"` (and as the target of a migration).
    pub pkcs11: Pkcs11Section,
}

impl Default for CryptoConfig {
    fn default() -> Self {
        Self {
            module: CryptoModuleKind::Soft,
            master_key_file: None,
            pkcs11: Pkcs11Section::default(),
        }
    }
}

/// `[tls]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// `[ca]`: the embedded CA hierarchy created on first start.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CaConfig {
    /// Key type of the root and issuing CA.
    pub key: KeyAlgorithm,
    /// Organisation named in the CA certificates.
    pub organization: String,
    /// Country (ISO 3166 two letters), optional.
    pub country: Option<String>,
    /// Root CA common name.
    pub root_name: String,
    /// Issuing CA common name.
    pub issuing_name: String,
    /// Root CA validity.
    pub root_validity_days: u32,
    /// Issuing CA validity.
    pub issuing_validity_days: u32,
}

impl Default for CaConfig {
    fn default() -> Self {
        Self {
            key: KeyAlgorithm::Rsa3072,
            organization: "Signet".into(),
            country: None,
            root_name: "Signet Root CA".into(),
            issuing_name: "Signet Issuing CA".into(),
            root_validity_days: 7300,
            issuing_validity_days: 3650,
        }
    }
}

/// `[certificates]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct CertificatesConfig {
    /// Validity of end-entity certificates.
    pub validity_days: u32,
    /// Key type of new credentials when none is given.
    pub default_key: KeyAlgorithm,
}

impl Default for CertificatesConfig {
    fn default() -> Self {
        Self { validity_days: 730, default_key: KeyAlgorithm::Rsa2048 }
    }
}

/// `[pin]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PinConfig {
    /// Fewest digits.
    pub min_length: usize,
    /// Most digits.
    pub max_length: usize,
    /// Failed attempts before the PIN locks.
    pub max_attempts: u32,
}

impl Default for PinConfig {
    fn default() -> Self {
        let p = signet_auth::PinPolicy::default();
        Self { min_length: p.min_length, max_length: p.max_length, max_attempts: p.max_attempts }
    }
}

/// `[sam]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SamConfig {
    /// Lifetime of a SAD in seconds (CSC `expiresIn`).
    pub sad_ttl_seconds: i64,
}

impl Default for SamConfig {
    fn default() -> Self {
        Self { sad_ttl_seconds: 300 }
    }
}

/// `[documents]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DocumentsConfig {
    /// The largest document accepted by the streaming `documents/sign` (bytes); larger
    /// uploads get 413.
    pub max_bytes: u64,
    /// Where uploads are spooled while they are signed (unnamed files, gone when the
    /// request ends); the system's temporary directory by default.
    pub spool_dir: Option<PathBuf>,
    /// Whether validation material of other PKIs may be fetched from loopback, private
    /// and link-local addresses (the URLs come from submitted certificates: off unless
    /// the CAs you rely on live on such a network).
    pub fetch_private_addresses: bool,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self { max_bytes: 1024 * 1024 * 1024, spool_dir: None, fetch_private_addresses: false }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[log]`
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// A tracing filter (`info`, `signet=debug,info`); `RUST_LOG` overrides it.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { level: "info".into(), format: LogFormat::Text }
    }
}

impl Config {
    /// The database URL, defaulting to `signet.db` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(u) => u.clone(),
            None => format!("sqlite://{}", self.data_dir.join("signet.db").display()),
        }
    }

    /// The master key file, defaulting to `master.key` in the data directory.
    pub fn master_key_file(&self) -> PathBuf {
        self.crypto.master_key_file.clone().unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    /// The public base URL, defaulting to the listen address.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_owned(),
            None => {
                let scheme = if self.tls.is_some() { "https" } else { "http" };
                format!("{scheme}://{}", self.listen)
            }
        }
    }

    /// The PIN policy.
    pub fn pin_policy(&self) -> signet_auth::PinPolicy {
        signet_auth::PinPolicy {
            min_length: self.pin.min_length,
            max_length: self.pin.max_length,
            max_attempts: self.pin.max_attempts,
        }
    }

    /// The certificate profiles and group policies; the error names the key.
    pub fn policy_settings(&self) -> Result<signet_engine::PolicySettings, String> {
        let connectors: Vec<String> = self.connectors.keys().cloned().collect();
        policies::policy_settings(
            &self.profiles,
            &self.groups,
            &connectors,
            self.certificates.validity_days,
        )
    }

    /// The CMP connectors; the error names the key.
    pub fn connector_settings(
        &self,
    ) -> Result<BTreeMap<String, signet_engine::CmpSettings>, String> {
        connectors::connector_settings(&self.connectors)
    }

    /// Checks what types alone cannot; the error is one line naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let url = self.database_url();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err("database.url: must start with sqlite:// or postgres://".into());
        }
        if let Some(u) = &self.public_url {
            if !(u.starts_with("http://") || u.starts_with("https://"))
                || u.contains(char::is_whitespace)
            {
                return Err(format!("public_url: `{u}` is not an http:// or https:// URL"));
            }
        }
        if self.database.max_connections == 0 {
            return Err("database.max_connections: must be at least 1".into());
        }
        if self.crypto.module == CryptoModuleKind::Pkcs11 {
            self.crypto.pkcs11.validate()?;
        }
        if let Some(tls) = &self.tls {
            for (key, path) in [("tls.cert_file", &tls.cert_file), ("tls.key_file", &tls.key_file)]
            {
                if !Path::new(path).is_file() {
                    return Err(format!("{key}: {} is not a readable file", path.display()));
                }
            }
        }
        if self.pin.min_length == 0 || self.pin.min_length > self.pin.max_length {
            return Err("pin.min_length: must be between 1 and pin.max_length".into());
        }
        if !(10..=3600).contains(&self.sam.sad_ttl_seconds) {
            return Err("sam.sad_ttl_seconds: must be between 10 and 3600".into());
        }
        if self.documents.max_bytes < 1024 {
            return Err("documents.max_bytes: must be at least 1024".into());
        }
        if let Some(dir) = &self.documents.spool_dir {
            if !dir.is_dir() {
                return Err(format!("documents.spool_dir: {} is not a directory", dir.display()));
            }
        }
        if self.pin.max_attempts == 0 {
            return Err("pin.max_attempts: must be at least 1".into());
        }
        if self.certificates.validity_days == 0
            || self.ca.root_validity_days == 0
            || self.ca.issuing_validity_days == 0
        {
            return Err(
                "certificates.validity_days / ca.*_validity_days: must be at least 1".into()
            );
        }
        if self.ca.issuing_validity_days > self.ca.root_validity_days {
            return Err("ca.issuing_validity_days: must not exceed ca.root_validity_days".into());
        }
        self.policy_settings()?;
        self.connector_settings()?;
        if let Some(c) = &self.ca.country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!("ca.country: `{c}` is not a two-letter ISO 3166 code"));
            }
        }
        Ok(())
    }
}
