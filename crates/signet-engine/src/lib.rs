//! The Server Signing Application (SSA, EN 419 241-1 §7): Signet's use cases. It combines
//! the store, the crypto module, the PKI and authentication; the server and the CLI call
//! nothing else.

mod accounts;
mod audit;
mod bootstrap;
mod ca;
mod clients;
mod cmp_connector;
mod connector;
mod credentials;
mod crypto_migration;
mod csc;
mod demo;
mod documents;
mod enrollment;
mod error;
pub mod evidence;
mod introspection;
mod keys;
mod login_throttle;
pub mod oauth;
mod one_shot;
mod portal;
mod profiles;
mod revocation;
mod service_keys;
mod settings;
mod tokens;
mod tsa;

pub use accounts::{GroupView, NewUserRequest, OtpEnrolment, UserView};
pub use bootstrap::BootstrapReport;
pub use ca::CaCertificate;
pub use clients::{
    check_redirect_uri, ClientCreated, ClientView, JwtKey, NewClientRequest, CLIENT_CLAIMS,
    CLIENT_SCOPES,
};
pub use cmp_connector::{CmpProtection, CmpSettings};
pub use credentials::{allowed_algorithms, CredentialView, NewCredentialRequest};
pub use crypto_migration::{MigrationEvent, MigrationReport};
pub use csc::{sign_algorithm, CertStatus, CredentialPage, CscAuthorize, CscCredential, MAX_PAGE};
pub use demo::DemoReport;
pub use documents::{
    DetachedContent, DocumentFormat, DocumentInput, DocumentSigner, ExtendRequest, Level,
    PadesOptions, PrepareDocument, PreparedDocument, SharedSource, SignDocuments, SignedDocument,
    VisibleSignature, MAX_BATCH, MAX_ENVELOPED_BYTES,
};
pub use enrollment::Rekey;
pub use error::EngineError;
pub use introspection::Introspection;
pub use keys::MAX_MULTISIGN;
pub use keys::{AcceptedDocument, CertificateView, KeyRequest, KeyView};
pub use one_shot::{OneShotIssued, OneShotRequest, SigningError, MAX_ONE_SHOT_HASHES};
pub use profiles::{
    Branding, CertificateProfile, GroupPolicy, PolicyDocument, PolicySettings, ProfileSwitches,
};
pub use revocation::{ocsp_internal_error, ocsp_malformed};
pub use settings::{CaSettings, DocumentSettings, EngineSettings};
pub use signet_sam::{SadView, SamError};
pub use signet_store::Client;
pub use tokens::{Caller, IssuedTokens, TokenRefusal, ACCESS_TOKEN_TTL};
pub use tsa::tsa_system_failure;

use signet_crypto::CryptoModule;
use signet_store::Store;
use signet_types::Clock;
use std::sync::Arc;

/// The SSA: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    crypto: Arc<dyn CryptoModule>,
    clock: Arc<dyn Clock>,
    settings: Arc<EngineSettings>,
    sam: signet_sam::Sam,
    connectors: Arc<std::collections::BTreeMap<String, Arc<dyn connector::CaConnector>>>,
    held_service_keys: service_keys::HeldServiceKeys,
    /// Fetches validation material of other PKIs (`None` if its HTTP client could not be
    /// built: B-LT for those certificates is then unavailable).
    evidence: Option<Arc<evidence::EvidenceCollector>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store.backend())
            .field("crypto", &self.crypto.name())
            .finish()
    }
}

/// How long one OCSP, CRL or caIssuers request of another PKI may take.
const EVIDENCE_TIMEOUT_SECONDS: u64 = 10;
/// The largest OCSP response, CRL or caIssuers answer fetched (large CRLs exist).
const EVIDENCE_MAX_BYTES: usize = 32 * 1024 * 1024;

/// What `/readyz` reports.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Readiness {
    /// `ok` or `unavailable`.
    pub database: &'static str,
    /// `ok` or `unavailable`.
    pub crypto: &'static str,
}

impl Readiness {
    /// Both answer.
    pub fn ready(&self) -> bool {
        self.database == "ok" && self.crypto == "ok"
    }
}

impl Engine {
    /// Assembles the engine from its parts.
    pub fn new(
        store: Arc<dyn Store>,
        crypto: Arc<dyn CryptoModule>,
        clock: Arc<dyn Clock>,
        settings: EngineSettings,
    ) -> Self {
        let sam = signet_sam::Sam::new(
            store.clone(),
            crypto.clone(),
            clock.clone(),
            signet_sam::SamSettings {
                sad_ttl_seconds: settings.sad_ttl_seconds,
                pin_max_attempts: settings.pin_policy.max_attempts,
            },
        );
        let mut connectors: std::collections::BTreeMap<String, Arc<dyn connector::CaConnector>> =
            std::collections::BTreeMap::new();
        connectors.insert(
            signet_store::EMBEDDED_CONNECTOR.to_owned(),
            Arc::new(connector::EmbeddedConnector),
        );
        for (name, cmp) in &settings.connectors {
            match cmp_connector::CmpConnector::new(name, cmp.clone()) {
                Ok(c) => {
                    connectors.insert(name.clone(), Arc::new(c));
                }
                // Without it, the groups naming it get a clear "not configured" error.
                Err(e) => tracing::error!(connector = %name, error = %e, "CA connector unusable"),
            }
        }
        let evidence = match evidence::EvidenceCollector::new(
            std::time::Duration::from_secs(EVIDENCE_TIMEOUT_SECONDS),
            EVIDENCE_MAX_BYTES,
        ) {
            Ok(c) => Some(Arc::new(
                c.allow_private_addresses(settings.documents.fetch_private_addresses),
            )),
            Err(e) => {
                tracing::error!(error = %e, "no HTTP client for validation material");
                None
            }
        };
        Self {
            store,
            crypto,
            clock,
            settings: Arc::new(settings),
            sam,
            connectors: Arc::new(connectors),
            held_service_keys: Default::default(),
            evidence,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }

    /// Whether the database and the crypto module answer. Failures are logged with
    /// their detail; the report carries none.
    pub async fn readiness(&self) -> Readiness {
        let database = match self.store.ping().await {
            Ok(()) => "ok",
            Err(e) => {
                tracing::warn!(error = %e, "readiness: database does not answer");
                "unavailable"
            }
        };
        let crypto_module = self.crypto.clone();
        let crypto = match tokio::task::spawn_blocking(move || crypto_module.check()).await {
            Ok(Ok(())) => "ok",
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: crypto module does not answer");
                "unavailable"
            }
            Err(e) => {
                tracing::warn!(error = %e, "readiness: crypto check did not complete");
                "unavailable"
            }
        };
        Readiness { database, crypto }
    }

    /// Runs a crypto-module operation on a blocking thread.
    async fn crypto<T, F>(&self, f: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn CryptoModule) -> Result<T, signet_crypto::CryptoError> + Send + 'static,
    {
        let module = self.crypto.clone();
        tokio::task::spawn_blocking(move || f(module.as_ref()))
            .await
            .map_err(|e| EngineError::Internal(format!("crypto task failed: {e}")))?
            .map_err(EngineError::from)
    }
}

/// A new random identifier (UUID v4 from the OS CSPRNG).
fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
