//! The Server Signing Application (SSA, EN 419 241-1 §7): Signet's use cases. It combines
//! the store, the crypto module, the PKI and authentication; the server and the CLI call
//! nothing else.

mod accounts;
mod bootstrap;
mod ca;
mod credentials;
mod demo;
mod error;
mod settings;

pub use accounts::{ClientCreated, GroupView, NewUserRequest, PinCheck, UserView};
pub use bootstrap::BootstrapReport;
pub use ca::CaCertificate;
pub use credentials::{allowed_algorithms, CredentialView, NewCredentialRequest};
pub use demo::DemoReport;
pub use error::EngineError;
pub use settings::{CaSettings, EngineSettings};

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
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store.backend())
            .field("crypto", &self.crypto.name())
            .finish()
    }
}

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
        Self { store, crypto, clock, settings: Arc::new(settings) }
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
