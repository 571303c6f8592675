//! [`SqlStore`]: the [`crate::Store`] over `sqlx::AnyPool`, on SQLite or
//! PostgreSQL.
//!
//! The queries are written once, with `$1…$N` placeholders that the `Any`
//! driver accepts on both backends; only the DDL (the migration folders) and
//! the per-connection set-up differ by dialect.

mod audit;
mod cas;
mod certificates;
mod clients;
mod credentials;
mod crls;
mod documents;
mod errors;
mod first_start;
mod groups;
mod key_blobs;
mod login_throttle;
mod oauth;
mod sads;
mod service_keys;
mod store_impl;
mod tokens;
mod tx;
mod users;

use std::sync::Once;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};

pub use first_start::FirstStartLock;

use crate::error::StoreError;

/// How long to wait for the database to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long [`SqlStore::close`] waits for connections still in use (or on their
/// way back to the pool) before closing the pool anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// SQLite waits this long for another writer (e.g. `signet admin` while the
/// server runs) before giving up with "database is locked".
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5000;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The SQL dialect behind the pool, chosen from the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            // The URL itself is not repeated: it may carry a password.
            Err(StoreError::Unavailable(
                "unsupported database URL: expected sqlite://… or postgres://…".to_owned(),
            ))
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    fn migrations(self) -> &'static Migrator {
        match self {
            Self::Sqlite => &SQLITE_MIGRATIONS,
            Self::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Per-connection settings. SQLite keeps them per connection, so they are
    /// applied to every new connection of the pool.
    async fn prepare(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self == Self::Sqlite {
            conn.execute("PRAGMA journal_mode = WAL").await?;
            conn.execute(format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str())
                .await?;
            conn.execute("PRAGMA foreign_keys = ON").await?;
        }
        Ok(())
    }
}

/// The SQL implementation of [`crate::Store`]. Cheap to clone (the pool is
/// shared).
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// The database file, on SQLite (none in memory): where the first-start lock file
    /// goes.
    sqlite_file: Option<std::path::PathBuf>,
    /// How to open a connection outside the pool (the first-start lock's, on PostgreSQL:
    /// a pool of one must still serve the holder's own work).
    options: AnyConnectOptions,
}

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH` — the file is created if missing;
    /// `sqlite::memory:` for a private in-memory database — or `postgres://…`), with at most `max_connections` pooled connections,
    /// and applies the pending migrations (a no-op when the schema is current).
    ///
    /// A database that cannot be reached within 5 s gives
    /// [`StoreError::Unavailable`] with a one-line reason.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        install_drivers();
        let backend = Backend::from_url(url)?;
        let options = connect_options(backend, url)?;

        // One direct attempt first: the pool retries a refused connection until
        // its timeout and then reports only "timed out", losing the reason.
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
            .await
            .map_err(|_| timed_out(backend))?
            .map_err(|e| errors::unavailable(backend.name(), e))?;
        // The probe has done its job; a failure to close it politely is harmless.
        let _ = probe.close().await;

        let mut pool_options = AnyPoolOptions::new().max_connections(max_connections.max(1));
        if is_sqlite_memory(url) {
            // An in-memory database lives as long as its one connection: keep
            // exactly one, forever (tests and throwaway runs only).
            pool_options = pool_options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let pool = pool_options
            .acquire_timeout(CONNECT_TIMEOUT)
            .after_connect(move |conn, _meta| Box::pin(backend.prepare(conn)))
            .connect_with(options.clone())
            .await
            .map_err(|e| errors::unavailable(backend.name(), e))?;

        backend.migrations().run(&pool).await.map_err(|e| StoreError::Migration(e.to_string()))?;

        Ok(Self { pool, backend, sqlite_file: sqlite_file(backend, url), options })
    }

    /// Closes every pooled connection; later calls fail with `Unavailable`.
    ///
    /// On a SQLite file the last connection to close folds the write-ahead log into
    /// the database and deletes it, so that `signet.db` alone is a complete copy once
    /// the process has stopped. That needs the connections to close one after the
    /// other; but a connection dropped by its last query goes back to the pool on a
    /// task of its own, and `Pool::close` (sqlx 0.8) can return while such a
    /// connection is just landing in the idle queue, leaving it to be dropped with
    /// the pool and closed later on its worker thread, racing the others and the
    /// process's exit. So the pool is closed only once every connection is idle
    /// (waiting at most [`CLOSE_GRACE`] for the stragglers).
    pub async fn close(&self) {
        let deadline = tokio::time::Instant::now() + CLOSE_GRACE;
        while self.pool.num_idle() < self.pool.size() as usize
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.pool.close().await;
    }
}

/// Installs the `Any` drivers once per process.
fn install_drivers() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(sqlx::any::install_default_drivers);
}

fn connect_options(backend: Backend, url: &str) -> Result<AnyConnectOptions, StoreError> {
    let url = match backend {
        // `mode=rwc` creates the database file if it is missing.
        Backend::Sqlite if !url.contains("mode=") && !is_sqlite_memory(url) => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}mode=rwc")
        }
        _ => url.to_owned(),
    };
    url.parse().map_err(|e| StoreError::Unavailable(format!("invalid {} URL: {e}", backend.name())))
}

/// The file of a SQLite URL (`sqlite://PATH?options`), none for another backend or an
/// in-memory database.
fn sqlite_file(backend: Backend, url: &str) -> Option<std::path::PathBuf> {
    if backend != Backend::Sqlite || is_sqlite_memory(url) {
        return None;
    }
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| std::path::PathBuf::from(path))
}

fn is_sqlite_memory(url: &str) -> bool {
    url.starts_with("sqlite:") && (url.contains(":memory:") || url.contains("mode=memory"))
}

fn timed_out(backend: Backend) -> StoreError {
    StoreError::Unavailable(format!(
        "{} did not accept a connection within {} s",
        backend.name(),
        CONNECT_TIMEOUT.as_secs()
    ))
}
