//! Test fixture: one fresh database per test, on SQLite (a file in a temporary
//! directory) or on PostgreSQL (`CREATE DATABASE signet_test_<random>` through
//! the admin URL in `SIGNET_TEST_POSTGRES_URL`, dropped when the test ends,
//! even if it panicked).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use signet_store::{
    AuditEvent, CertificateStatus, CredentialStatus, IssuedCertificate, KeyLifecycle, NewCa,
    NewClient, NewCredential, NewGroup, NewSad, NewToken, NewUser, SqlStore, TokenKind,
};
use sqlx::{AnyConnection, Connection, Executor, PgConnection};

/// Admin URL of a PostgreSQL server tests may create databases on.
pub const PG_URL_VAR: &str = "SIGNET_TEST_POSTGRES_URL";
/// When `1`, a missing `SIGNET_TEST_POSTGRES_URL` fails the PostgreSQL tests.
pub const PG_REQUIRED_VAR: &str = "SIGNET_REQUIRE_POSTGRES";

/// Pool size used by the fixture (more than one, so concurrency is real).
pub const MAX_CONNECTIONS: u32 = 8;

/// A fresh, migrated database and a store connected to it.
pub struct TestDb {
    pub store: SqlStore,
    /// The URL the store was opened with (to open it a second time).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    /// A new SQLite database file (not created beforehand: `connect` must).
    pub async fn sqlite() -> TestDb {
        let (url, cleanup) = sqlite_file();
        let store = SqlStore::connect(&url, MAX_CONNECTIONS).await.expect("connect sqlite");
        TestDb { store, url, cleanup }
    }

    /// A new PostgreSQL database, or `None` if no server is configured (which
    /// is a failure when `SIGNET_REQUIRE_POSTGRES=1`).
    pub async fn postgres() -> Option<TestDb> {
        let (url, cleanup) = postgres_database().await?;
        Some(connect(url, cleanup).await)
    }

    /// Runs raw SQL on the database behind the store's back (to tamper with
    /// it), on a connection of its own.
    pub async fn raw(&self, sql: &str) {
        raw(&self.url, sql).await;
    }
}

/// A database at an older schema: the migrations up to `version` applied, and no
/// store yet. [`OldDb::upgrade`] connects the store, which applies the rest, as a
/// newer `signet` does on an existing data directory.
pub struct OldDb {
    pub url: String,
    cleanup: Cleanup,
}

impl OldDb {
    /// A SQLite database file at schema `version`.
    pub async fn sqlite(version: i64) -> OldDb {
        let (url, cleanup) = sqlite_file();
        migrate_to(&format!("{url}?mode=rwc"), "sqlite", version).await;
        OldDb { url, cleanup }
    }

    /// A PostgreSQL database at schema `version`, or `None` as for
    /// [`TestDb::postgres`].
    pub async fn postgres(version: i64) -> Option<OldDb> {
        let (url, cleanup) = postgres_database().await?;
        migrate_to(&url, "postgres", version).await;
        Some(OldDb { url, cleanup })
    }

    /// Runs raw SQL on the old schema (to write the rows an older version wrote).
    pub async fn raw(&self, sql: &str) {
        raw(&self.url, sql).await;
    }

    /// Connects the store: the pending migrations run.
    pub async fn upgrade(self) -> TestDb {
        connect(self.url, self.cleanup).await
    }
}

/// Applies the migrations of `backend` numbered up to `version` to the database at
/// `url`, through sqlx's migrator as the store does (so the store later sees them as
/// applied, with the same checksums).
async fn migrate_to(url: &str, backend: &str, version: i64) {
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let older = tempfile::tempdir().expect("tempdir");
    let mut copied = 0;
    for entry in std::fs::read_dir(&source).expect("migrations folder") {
        let path = entry.expect("migration entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("migration name").to_owned();
        let number: i64 = name.split('_').next().and_then(|n| n.parse().ok()).expect("numbered");
        if number <= version {
            std::fs::copy(&path, older.path().join(&name)).expect("copy migration");
            copied += 1;
        }
    }
    assert_eq!(copied, version, "migrations 1..={version} of {backend}");
    let migrator = sqlx::migrate::Migrator::new(older.path()).await.expect("read migrations");
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.expect("connect to migrate");
    migrator.run(&mut conn).await.unwrap_or_else(|e| panic!("migrate to {version}: {e}"));
    conn.close().await.expect("close migrating connection");
}

/// A SQLite URL in a new temporary directory (the file does not exist yet).
fn sqlite_file() -> (String, Cleanup) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("signet.db").display());
    (url, Cleanup::Sqlite(dir))
}

/// A new, empty PostgreSQL database and the cleanup that drops it.
async fn postgres_database() -> Option<(String, Cleanup)> {
    let admin_url = match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.is_empty() => url,
        _ => {
            if std::env::var(PG_REQUIRED_VAR).as_deref() == Ok("1") {
                panic!("{PG_REQUIRED_VAR}=1 but {PG_URL_VAR} is not set");
            }
            eprintln!("skipped: {PG_URL_VAR} is not set");
            return None;
        }
    };
    let name = format!("signet_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&admin_url).await.expect("connect to admin URL");
    admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
    admin.close().await.expect("close admin connection");
    let url = with_database(&admin_url, &name);
    // From here on, Drop removes the database whatever happens.
    Some((url, Cleanup::Postgres { admin_url, name }))
}

/// The store on `url`; `cleanup` runs even if connecting panics.
async fn connect(url: String, cleanup: Cleanup) -> TestDb {
    match SqlStore::connect(&url, MAX_CONNECTIONS).await {
        Ok(store) => TestDb { store, url, cleanup },
        Err(e) => {
            drop(cleanup);
            panic!("connect: {e}");
        }
    }
}

async fn raw(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(url).await.expect("raw connect");
    conn.execute(sql).await.unwrap_or_else(|e| panic!("raw SQL `{sql}`: {e}"));
    conn.close().await.expect("close raw connection");
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = self else { return };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop cannot await, and may run inside the test's runtime: use a
        // thread with its own runtime. FORCE ends the store's open connections.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await?;
                admin
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                admin.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop test database: {e}");
        }
    }
}

/// `admin_url` with its database name replaced by `name` (query kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Generates, for each listed `async fn name(db: OldDb)` with the schema version it
/// starts from, a test on SQLite (`upgrade_sqlite::name`) and one on PostgreSQL
/// (`upgrade_postgres::name`).
#[macro_export]
macro_rules! upgrade_tests {
    ($($name:ident from $version:literal),* $(,)?) => {
        mod upgrade_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = $crate::common::OldDb::sqlite($version).await;
                    super::$name(db).await;
                }
            )*
        }
        mod upgrade_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::common::OldDb::postgres($version).await else { return };
                    super::$name(db).await;
                }
            )*
        }
    };
}

/// Generates, for each listed `async fn name(db: &TestDb)`, a test on SQLite
/// (`sqlite::name`) and one on PostgreSQL (`postgres::name`).
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite().await;
                    super::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(db) = $crate::common::TestDb::postgres().await else { return };
                    super::$name(&db).await;
                }
            )*
        }
    };
}

// --- record builders ---------------------------------------------------------

pub fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn new_group(name: &str) -> NewGroup {
    NewGroup { id: id(), name: name.to_owned(), allow_sha1: false, created_at: 1_700_000_000 }
}

pub fn new_client(group_id: &str, name: &str) -> NewClient {
    NewClient {
        id: id(),
        group_id: group_id.to_owned(),
        name: name.to_owned(),
        secret_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$client-secret-hash".to_owned()),
        public: false,
        redirect_uris: Vec::new(),
        scopes: vec!["service".to_owned()],
        claims: Vec::new(),
        jwks: None,
        created_at: 1_700_000_001,
    }
}

pub fn new_user(group_id: &str, username: &str) -> NewUser {
    NewUser {
        id: id(),
        username: username.to_owned(),
        group_id: group_id.to_owned(),
        given_name: "Ada".to_owned(),
        surname: "Lovelace".to_owned(),
        email: format!("{username}@example.org"),
        phone: Some("+44 20 7946 0000".to_owned()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$password-hash".to_owned(),
        pin_hash: None,
        created_at: 1_700_000_002,
    }
}

pub fn new_ca(id: &str, parent_id: Option<&str>) -> NewCa {
    NewCa {
        id: id.to_owned(),
        parent_id: parent_id.map(str::to_owned),
        name: format!("CN=Signet {id} CA"),
        key_algorithm: "ecdsa-p256".to_owned(),
        wrapped_key: vec![0x5A; 60],
        certificate: vec![0x30, 0x82, 0x01, 0x00, 0xFF],
        created_at: 1_700_000_003,
    }
}

pub fn new_credential(user_id: &str, id: &str) -> NewCredential {
    NewCredential {
        id: id.to_owned(),
        user_id: user_id.to_owned(),
        key_algorithm: "rsa-2048".to_owned(),
        wrapped_key: vec![0xA5; 128],
        public_key: vec![0x30, 0x03, 0x01, 0x02, 0x03],
        certificate_chain: vec![0x30, 0x82, 0x02, 0x00, 0x01, 0x30, 0x82, 0x01, 0x00],
        profile: "qualified".to_owned(),
        status: CredentialStatus::Enabled,
        description: Some("signing key".to_owned()),
        scal: 2,
        multisign: 1,
        created_at: 1_700_000_004,
        lifecycle: KeyLifecycle::default(),
    }
}

pub fn issued(serial: &str, ca_id: &str, credential_id: Option<&str>) -> IssuedCertificate {
    IssuedCertificate {
        serial: serial.to_owned(),
        ca_id: ca_id.to_owned(),
        credential_id: credential_id.map(str::to_owned),
        subject: "CN=Ada Lovelace".to_owned(),
        not_before: 1_700_000_000,
        not_after: 1_800_000_000,
        der: vec![0x30, 0x82, 0x02, 0x00, 0x01],
        status: CertificateStatus::Valid,
        revoked_at: None,
        revocation_reason: None,
    }
}

pub fn new_token(
    kind: TokenKind,
    user_id: Option<&str>,
    client_id: Option<&str>,
    family: &str,
) -> NewToken {
    NewToken {
        token_hash: format!("{:0>64}", uuid::Uuid::new_v4().simple()),
        kind,
        user_id: user_id.map(str::to_owned),
        client_id: client_id.map(str::to_owned),
        scope: "credential".to_owned(),
        family_id: family.to_owned(),
        expires_at: 1_700_003_600,
        created_at: 1_700_000_000,
    }
}

pub fn new_sad(user_id: &str, credential_id: &str, hashes: &[&str], expires_at: i64) -> NewSad {
    NewSad {
        sad_hash: format!("{:0>64}", uuid::Uuid::new_v4().simple()),
        user_id: user_id.to_owned(),
        credential_id: credential_id.to_owned(),
        client_id: None,
        hash_algo: (!hashes.is_empty()).then(|| "2.16.840.1.101.3.4.2.1".to_owned()),
        hashes: hashes.iter().map(|h| (*h).to_owned()).collect(),
        remaining: hashes.len().max(1) as i64,
        factors: "pin,otp".to_owned(),
        expires_at,
        created_at: 1_700_000_000,
    }
}

/// An audit event numbered `n`, for user `user` (if any).
pub fn event(n: i64, user: Option<&str>) -> AuditEvent {
    AuditEvent {
        at: 1_700_000_000 + n,
        kind: "signatures/signHash".to_owned(),
        outcome: "ok".to_owned(),
        user_id: user.map(str::to_owned),
        client_id: Some("client-1".to_owned()),
        credential_id: None,
        details: format!("{{\"n\":{n}}}"),
    }
}
