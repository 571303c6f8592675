//! Opening Signet's state from the configuration: the store, the crypto module and the
//! engine. `serve` may create what is missing on first start; `admin` never does.

use crate::config::{Config, CryptoModuleKind};
use anyhow::{bail, Context};
use signet_crypto::pkcs11::Pkcs11Module;
use signet_crypto::soft::SoftModule;
use signet_crypto::CryptoModule;
use signet_engine::{CaSettings, DocumentSettings, Engine, EngineSettings};
use signet_store::{SqlStore, Store};
use signet_types::SystemClock;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Arc;

/// What opening found or created, for the start-up summary.
#[derive(Debug)]
pub struct Opened {
    /// The engine.
    pub engine: Engine,
    /// The store, to close on exit: SQLite then checkpoints its write-ahead log.
    pub store: SqlStore,
    /// The database URL with any password hidden.
    pub database: String,
    /// Whether the SQLite file was created now.
    pub database_created: bool,
    /// Where the master key is, whether it was created now, and its public id.
    pub master_key: String,
    /// On a first start of `signet serve`: the lock that keeps the other nodes waiting
    /// until this one has bootstrapped (release it then).
    pub first_start: Option<signet_store::FirstStartLock>,
}

/// Whether missing state may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `signet serve`: first start creates the database and master key.
    Serve,
    /// `signet admin`: everything must exist already.
    Admin,
}

/// How long a node starting on an empty database waits for another one to finish its
/// first start (master keys, CA, service keys).
const FIRST_START_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Opens store, crypto module and engine.
pub async fn open(config: &Config, mode: Mode) -> anyhow::Result<Opened> {
    open_with(config, mode, None).await
}

/// Opens store and engine over `module` (with its start-up summary line) instead of the
/// configured one when given: the target module of a migration.
pub async fn open_with(
    config: &Config,
    mode: Mode,
    module: Option<(Arc<dyn CryptoModule>, String)>,
) -> anyhow::Result<Opened> {
    let url = config.database_url();
    let sqlite_file =
        url.strip_prefix("sqlite://").map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)));
    let database_created = match &sqlite_file {
        Some(f) if !f.exists() => {
            if mode == Mode::Admin {
                bail!(
                    "no database at {}: start `signet serve` once with this data directory first",
                    f.display()
                );
            }
            if let Some(parent) = f.parent() {
                create_private_dir(parent)?;
            }
            // The database holds wrapped keys and hashes: owner-only, like the master key.
            // SQLite gives its -wal and -shm files the same mode.
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(f)
                .with_context(|| format!("cannot create database file {}", f.display()))?;
            true
        }
        _ => false,
    };
    if mode == Mode::Serve {
        create_private_dir(&config.data_dir)?;
    }
    let store = SqlStore::connect(&url, config.database.max_connections)
        .await
        .with_context(|| format!("database {}", redact(&url)))?;

    // A new master key is made only for a database that holds no wrapped key yet:
    // creating one next to existing keys would make them unusable.
    let mut fresh = store.list_cas().await.context("database")?.is_empty();
    // Nodes starting together on an empty database take turns until the first has made
    // the master keys and bootstrapped (`signet serve` releases the lock then): each would
    // otherwise make its own, under the same HSM labels. The next one finds them.
    let first_start = if fresh && mode == Mode::Serve {
        let lock = store.first_start_lock(FIRST_START_WAIT).await.context("database")?;
        fresh = store.list_cas().await.context("database")?.is_empty();
        Some(lock)
    } else {
        None
    };
    let may_create = fresh && mode == Mode::Serve;
    let created = |c: bool| if c { "created" } else { "reused" };
    let (module, master_key): (Arc<dyn CryptoModule>, String) = match (module, config.crypto.module)
    {
        (Some(given), _) => given,
        (None, CryptoModuleKind::Soft) => {
            let path = config.master_key_file();
            let (module, was_created) =
                SoftModule::open(&path, may_create).context("crypto module")?;
            let line = format!(
                "{} ({}, mode 0600, key id {})",
                path.display(),
                created(was_created),
                module.master_key_id()
            );
            (Arc::new(module), line)
        }
        (None, CryptoModuleKind::Pkcs11) => {
            let (module, was_created) = open_pkcs11(config, may_create).await?;
            let p = &config.crypto.pkcs11;
            let line = format!(
                "PKCS#11 token `{}`, key `{}` ({}, key id {})",
                module.token_label(),
                p.wrap_key_label,
                created(was_created),
                module.master_key_id()
            );
            (Arc::new(module), line)
        }
    };

    let settings = EngineSettings {
        public_url: config.public_url(),
        ca: CaSettings {
            key: config.ca.key,
            organization: config.ca.organization.clone(),
            country: config.ca.country.clone(),
            root_name: config.ca.root_name.clone(),
            issuing_name: config.ca.issuing_name.clone(),
            root_validity_days: config.ca.root_validity_days,
            issuing_validity_days: config.ca.issuing_validity_days,
        },
        policies: config.policy_settings().map_err(|e| anyhow::anyhow!(e))?,
        connectors: config.connector_settings().map_err(|e| anyhow::anyhow!(e))?,
        default_key: config.certificates.default_key,
        pin_policy: config.pin_policy(),
        sad_ttl_seconds: config.sam.sad_ttl_seconds,
        documents: DocumentSettings {
            max_bytes: config.documents.max_bytes,
            spool_dir: config.documents.spool_dir.clone().unwrap_or_else(std::env::temp_dir),
            fetch_private_addresses: config.documents.fetch_private_addresses,
        },
    };
    let engine = Engine::new(
        Arc::new(store.clone()) as Arc<dyn Store>,
        module,
        Arc::new(SystemClock),
        settings,
    );
    Ok(Opened { engine, store, database: redact(&url), database_created, master_key, first_start })
}

/// Opens the PKCS#11 module of `[crypto.pkcs11]` (loading the library, logging in); its
/// master keys are created when missing only if `may_create` and the configuration allows
/// it. Returns the module and whether a key was created.
pub async fn open_pkcs11(
    config: &Config,
    may_create: bool,
) -> anyhow::Result<(Pkcs11Module, bool)> {
    let settings = config.crypto.pkcs11.settings().map_err(|e| anyhow::anyhow!(e))?;
    let create = settings.create_keys && may_create;
    tokio::task::spawn_blocking(move || Pkcs11Module::open(&settings, create))
        .await
        .context("crypto module")?
        .context("crypto module (PKCS#11)")
}

fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))
}

/// Hides the password in `postgres://user:password@host/db`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_urls_are_hidden() {
        assert_eq!(super::redact("postgres://u:secret@h:5432/d"), "postgres://u:***@h:5432/d");
        assert_eq!(super::redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
