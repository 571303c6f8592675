//! A lock across every node of one database for the first start: what is made once and
//! partly lives outside the database (an HSM's master keys and service keys, the
//! embedded CA). One node makes it; the others wait and then find it.
//!
//! On PostgreSQL it is a session-level advisory lock held by a connection of its own,
//! outside the pool (a pool of one connection must still serve the holder's work), which
//! is closed when the lock ends: closing it is what releases the lock, even if the holder
//! fails half-way. On SQLite
//! (one host) it is an exclusive lock on a file beside the database, so that the holder
//! can still write through the pool while it holds it.

use std::path::PathBuf;
use std::time::Duration;

use sqlx::{AnyConnection, ConnectOptions, Connection};

use super::{Backend, SqlStore};
use crate::error::StoreError;

/// The advisory lock's key on PostgreSQL (one 64-bit number per purpose; "SIGNET" then
/// purpose 1, the first start).
const FIRST_START_KEY: i64 = 0x5349_474E_4554_0001;

/// How often a waiting node asks again.
const RETRY: Duration = Duration::from_millis(100);

/// The lock, held until [`FirstStartLock::release`] or until dropped (the connection's
/// socket is then closed, which ends the lock with the server's session).
#[derive(Debug)]
pub struct FirstStartLock {
    held: Held,
}

#[derive(Debug)]
enum Held {
    Postgres(AnyConnection),
    File(std::fs::File),
    /// A private in-memory database: no other node can see it.
    Nothing,
}

impl SqlStore {
    /// Takes the first-start lock, waiting at most `wait` for another node to release it
    /// ([`StoreError::Unavailable`] then, naming the lock).
    pub async fn first_start_lock(&self, wait: Duration) -> Result<FirstStartLock, StoreError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut attempt = self.first_start_attempt().await?;
        loop {
            match attempt {
                Attempt::Held(held) => return Ok(FirstStartLock { held }),
                Attempt::Busy(retry) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(StoreError::Unavailable(format!(
                            "another node held the first-start lock for more than {} s",
                            wait.as_secs()
                        )));
                    }
                    tokio::time::sleep(RETRY).await;
                    attempt = retry.again(self).await?;
                }
            }
        }
    }

    async fn first_start_attempt(&self) -> Result<Attempt, StoreError> {
        match (self.backend, &self.sqlite_file) {
            (Backend::Postgres, _) => {
                let conn = self.options.connect().await.map_err(|e| self.unavailable(e))?;
                Retry::Postgres(conn).again(self).await
            }
            (Backend::Sqlite, Some(db)) => {
                let mut path = db.clone().into_os_string();
                path.push(".first-start.lock");
                let file = open_lock_file(PathBuf::from(path))?;
                Retry::File(file).again(self).await
            }
            (Backend::Sqlite, None) => Ok(Attempt::Held(Held::Nothing)),
        }
    }

    fn unavailable(&self, e: sqlx::Error) -> StoreError {
        super::errors::unavailable(self.backend.name(), e)
    }
}

/// One attempt's outcome.
enum Attempt {
    Held(Held),
    Busy(Retry),
}

/// What to try again with.
enum Retry {
    Postgres(AnyConnection),
    File(std::fs::File),
}

impl Retry {
    async fn again(self, store: &SqlStore) -> Result<Attempt, StoreError> {
        match self {
            Self::Postgres(mut conn) => {
                let (held,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
                    .bind(FIRST_START_KEY)
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| store.unavailable(e))?;
                Ok(if held {
                    Attempt::Held(Held::Postgres(conn))
                } else {
                    Attempt::Busy(Self::Postgres(conn))
                })
            }
            Self::File(file) => match file.try_lock() {
                Ok(()) => Ok(Attempt::Held(Held::File(file))),
                Err(std::fs::TryLockError::WouldBlock) => Ok(Attempt::Busy(Self::File(file))),
                Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Unavailable(format!(
                    "cannot lock the first-start lock file: {e}"
                ))),
            },
        }
    }
}

/// The lock file beside the database (owner-only, like the database).
fn open_lock_file(path: PathBuf) -> Result<std::fs::File, StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| {
            StoreError::Unavailable(format!("cannot open the lock file {}: {e}", path.display()))
        })
}

impl FirstStartLock {
    /// Releases the lock and waits until it is released.
    pub async fn release(self) {
        match self.held {
            // A failure to close politely still drops the connection, which ends the lock.
            Held::Postgres(conn) => {
                let _ = conn.close().await;
            }
            // Closing the file releases its lock.
            Held::File(file) => drop(file),
            Held::Nothing => {}
        }
    }
}
