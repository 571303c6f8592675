//! The engine's settings, built by the binary from the validated configuration.

use crate::profiles::PolicySettings;
use signet_auth::PinPolicy;
use signet_types::KeyAlgorithm;

/// The embedded CA hierarchy to create on first start.
#[derive(Debug, Clone)]
pub struct CaSettings {
    /// Key type of both CAs.
    pub key: KeyAlgorithm,
    /// Organisation (O) of the CA certificates.
    pub organization: String,
    /// Country (C), optional.
    pub country: Option<String>,
    /// Root CA common name.
    pub root_name: String,
    /// Issuing CA common name.
    pub issuing_name: String,
    /// Root validity in days.
    pub root_validity_days: u32,
    /// Issuing CA validity in days.
    pub issuing_validity_days: u32,
}

/// Everything the engine is configured with.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Base URL that issued certificates point at (AIA, CRL DP).
    pub public_url: String,
    /// The embedded CA.
    pub ca: CaSettings,
    /// Certificate profiles and group policies.
    pub policies: PolicySettings,
    /// External CAs reached over CMP, by connector name.
    pub connectors: std::collections::BTreeMap<String, crate::CmpSettings>,
    /// Key type of a new credential when none is asked for.
    pub default_key: KeyAlgorithm,
    /// Signing PIN rules.
    pub pin_policy: PinPolicy,
    /// Lifetime of a SAD in seconds.
    pub sad_ttl_seconds: i64,
    /// Document signing.
    pub documents: DocumentSettings,
}

/// Limits of the Document Signature API.
#[derive(Debug, Clone)]
pub struct DocumentSettings {
    /// The largest document a streaming upload may have (bytes).
    pub max_bytes: u64,
    /// Where uploads are spooled.
    pub spool_dir: std::path::PathBuf,
    /// Whether OCSP/CRL/caIssuers URLs of other PKIs may point at loopback, private and
    /// link-local addresses (off in production: the URLs come from submitted
    /// certificates).
    pub fetch_private_addresses: bool,
}

impl EngineSettings {
    /// Defaults suitable for tests: a fast EC CA, the default PIN policy.
    pub fn for_tests(public_url: &str) -> Self {
        Self {
            public_url: public_url.to_owned(),
            ca: CaSettings {
                key: KeyAlgorithm::EcP256,
                organization: "Signet Test".into(),
                country: None,
                root_name: "Signet Test Root CA".into(),
                issuing_name: "Signet Test Issuing CA".into(),
                root_validity_days: 3650,
                issuing_validity_days: 1825,
            },
            policies: PolicySettings::with_builtins(365),
            connectors: Default::default(),
            default_key: KeyAlgorithm::EcP256,
            pin_policy: PinPolicy::default(),
            sad_ttl_seconds: 300,
            documents: DocumentSettings {
                max_bytes: 64 * 1024 * 1024,
                spool_dir: std::env::temp_dir(),
                fetch_private_addresses: false,
            },
        }
    }
}
