//! Behaviour of the `Store`, written once and run on SQLite and on PostgreSQL
//! (see `common::backend_tests!`); every test gets its own database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{
    id, issued, new_ca, new_client, new_credential, new_group, new_token, new_user, OldDb, TestDb,
};
use signet_store::{
    CertificateStatus, Consent, CredentialStatus, DocumentTransaction, SqlStore, Store, StoreError,
    TokenKind, EMBEDDED_CONNECTOR,
};

backend_tests!(
    migrations_apply_and_reapply,
    groups,
    clients,
    oauth_clients,
    users,
    certificate_authorities_and_certificates,
    credentials,
    create_credential_is_atomic,
    pagination_returns_every_row_once,
    concurrent_pin_failures_all_count_and_lock,
    set_pin_and_reset,
    key_lifecycle,
    concurrent_key_destruction_has_one_winner,
    document_transactions_complete_once_before_expiry,
);

upgrade_tests!(clients_registered_before_redirect_uris_read_as_service_clients from 7);

async fn migrations_apply_and_reapply(db: &TestDb) {
    db.store.ping().await.unwrap();
    let g = db.store.create_group(new_group("acme")).await.unwrap();
    // A second connect re-runs the migrator: already applied, so nothing changes.
    let again = SqlStore::connect(&db.url, 2).await.expect("second connect");
    assert_eq!(again.backend(), db.store.backend());
    assert_eq!(again.group_by_id(&g.id).await.unwrap(), Some(g));
    again.close().await;
    let third = SqlStore::connect(&db.url, 1).await.expect("third connect");
    third.ping().await.unwrap();
}

async fn groups(db: &TestDb) {
    let s = &db.store;
    let mut new = new_group("acme");
    new.allow_sha1 = true;
    let g = s.create_group(new).await.unwrap();
    assert!(g.allow_sha1);
    assert_eq!(s.group_by_name("acme").await.unwrap(), Some(g.clone()));
    assert_eq!(s.group_by_id(&g.id).await.unwrap(), Some(g));
    assert_eq!(s.group_by_name("nobody").await.unwrap(), None);
    assert_eq!(s.group_by_id(&id()).await.unwrap(), None);

    let err = s.create_group(new_group("acme")).await.unwrap_err();
    assert_eq!(err, StoreError::Conflict("group `acme` already exists".into()));
}

async fn clients(db: &TestDb) {
    let s = &db.store;
    let g1 = s.create_group(new_group("g1")).await.unwrap();
    let g2 = s.create_group(new_group("g2")).await.unwrap();
    let c = s.create_client(new_client(&g1.id, "portal")).await.unwrap();
    assert_eq!(s.client_by_id(&c.id).await.unwrap(), Some(c.clone()));
    assert_eq!(s.client_by_id("missing").await.unwrap(), None);

    // the same name in another group is fine, twice in one group is not
    s.create_client(new_client(&g2.id, "portal")).await.unwrap();
    let err = s.create_client(new_client(&g1.id, "portal")).await.unwrap_err();
    assert!(matches!(&err, StoreError::Conflict(m) if m.contains("`portal`")), "{err:?}");
    assert!(!err.to_string().contains("argon2"), "secret in error: {err}");

    let err = s.create_client(new_client("no-such-group", "x")).await.unwrap_err();
    assert_eq!(err, StoreError::NotFound("group"));
}

async fn oauth_clients(db: &TestDb) {
    let s = &db.store;
    let g1 = s.create_group(new_group("g1")).await.unwrap();
    let g2 = s.create_group(new_group("g2")).await.unwrap();

    // a confidential client with two redirect URIs: order and every field kept
    let mut web = new_client(&g1.id, "web");
    web.redirect_uris = vec![
        "https://app.example/cb?x=1&y=2".to_owned(),
        "http://127.0.0.1:8400/callback".to_owned(),
    ];
    web.scopes = ["service", "credential", "openid", "profile"].map(str::to_owned).to_vec();
    web.claims = ["name", "email"].map(str::to_owned).to_vec();
    let created = s.create_client(web.clone()).await.unwrap();
    assert_eq!(created, web);
    assert_eq!(s.client_by_id(&web.id).await.unwrap(), Some(web.clone()));

    // a public client has no secret
    let mut app = new_client(&g1.id, "app");
    (app.public, app.secret_hash) = (true, None);
    app.redirect_uris = vec!["http://[::1]/cb".to_owned()];
    app.scopes = vec!["openid".to_owned()];
    s.create_client(app.clone()).await.unwrap();
    let read = s.client_by_id(&app.id).await.unwrap().unwrap();
    assert!(read.public && read.secret_hash.is_none(), "{read:?}");
    assert_eq!(read, app);

    // a public client with a secret, an item that would read back as two, or an empty
    // item: refused, nothing written
    let mut both = new_client(&g1.id, "both");
    both.public = true;
    assert!(matches!(s.create_client(both).await.unwrap_err(), StoreError::Backend(_)));
    let mut smuggled = new_client(&g1.id, "smuggled");
    smuggled.redirect_uris = vec!["https://a.example/cb\nhttps://evil.example/cb".to_owned()];
    let err = s.create_client(smuggled).await.unwrap_err();
    assert!(matches!(&err, StoreError::Backend(m) if m.contains("redirect URI")), "{err:?}");
    let mut spaced = new_client(&g1.id, "spaced");
    spaced.scopes = vec!["openid profile".to_owned()];
    assert!(matches!(s.create_client(spaced).await.unwrap_err(), StoreError::Backend(_)));
    let mut empty = new_client(&g1.id, "empty");
    empty.claims = vec![String::new()];
    assert!(matches!(s.create_client(empty).await.unwrap_err(), StoreError::Backend(_)));

    // listing: one group by name, or all of them; never a hash in Debug
    let other = s.create_client(new_client(&g2.id, "other")).await.unwrap();
    let names =
        |list: Vec<signet_store::Client>| list.into_iter().map(|c| c.name).collect::<Vec<_>>();
    assert_eq!(names(s.list_clients(Some(&g1.id)).await.unwrap()), ["app", "web"]);
    assert_eq!(names(s.list_clients(Some(&g2.id)).await.unwrap()), ["other"]);
    assert!(s.list_clients(Some("no-such-group")).await.unwrap().is_empty());
    let all = s.list_clients(None).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.contains(&other) && all.contains(&web) && all.contains(&app));
    assert!(!format!("{web:?}").contains("client-secret-hash"));
}

/// A 0007 database (clients with a secret only, and tokens and SADs that name them)
/// upgraded by the store: its clients read as confidential `service` clients with no
/// redirect URI, nothing that referred to them is lost, and the references still hold.
async fn clients_registered_before_redirect_uris_read_as_service_clients(db: OldDb) {
    db.raw("INSERT INTO groups (id, name, allow_sha1, created_at) VALUES ('g', 'bank', 0, 1)")
        .await;
    db.raw(
        "INSERT INTO clients (id, group_id, name, secret_hash, created_at) \
         VALUES ('c1', 'g', 'web', '$argon2id$old-hash', 2), \
                ('c2', 'g', 'batch', '$argon2id$other-hash', 3)",
    )
    .await;
    db.raw(
        "INSERT INTO users (id, username, group_id, given_name, surname, email, password_hash, \
         created_at) VALUES ('u', 'ada', 'g', 'Ada', 'L', 'ada@example.org', 'x', 4)",
    )
    .await;
    db.raw(
        "INSERT INTO credentials (id, user_id, key_algorithm, wrapped_key, certificate_chain, \
         profile, status, scal, multisign, created_at) \
         VALUES ('cred', 'u', 'rsa-2048', '', '', 'p', 'enabled', 2, 1, 5)",
    )
    .await;
    let token = "a".repeat(64);
    db.raw(&format!(
        "INSERT INTO tokens (token_hash, kind, user_id, client_id, scope, family_id, \
         expires_at, revoked, created_at) VALUES ('{token}', 'service', NULL, 'c1', 'service', \
         'f', 100, 0, 6)"
    ))
    .await;
    let sad = "b".repeat(64);
    db.raw(&format!(
        "INSERT INTO sads (sad_hash, user_id, credential_id, client_id, hashes, remaining, \
         factors, expires_at, created_at) VALUES ('{sad}', 'u', 'cred', 'c2', '', 1, 'pin', 100, 7)"
    ))
    .await;

    let db = db.upgrade().await;
    let s = &db.store;
    let web = s.client_by_id("c1").await.unwrap().unwrap();
    assert_eq!(web.secret_hash.as_deref(), Some("$argon2id$old-hash"));
    assert!(!web.public);
    assert!(web.redirect_uris.is_empty() && web.claims.is_empty(), "{web:?}");
    assert_eq!(web.scopes, ["service"]);
    assert_eq!((web.group_id.as_str(), web.name.as_str(), web.created_at), ("g", "web", 2));
    assert_eq!(s.list_clients(Some("g")).await.unwrap().len(), 2);
    assert_eq!(s.token_by_hash(&token).await.unwrap().unwrap().client_id.as_deref(), Some("c1"));
    assert_eq!(s.sad_by_hash(&sad).await.unwrap().unwrap().client_id.as_deref(), Some("c2"));

    // the references to clients are enforced as before
    let mut tx = s.begin().await.unwrap();
    let err = tx
        .insert_token(new_token(TokenKind::Service, None, Some("no-such-client"), "f2"))
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::NotFound("user or client"));
    drop(tx);
    // and the upgraded table takes public clients
    let mut app = new_client("g", "app");
    (app.public, app.secret_hash) = (true, None);
    app.redirect_uris = vec!["https://app.example/cb".to_owned()];
    s.create_client(app.clone()).await.unwrap();
    assert_eq!(s.client_by_id(&app.id).await.unwrap(), Some(app));
    let err = s.create_client(new_client("g", "web")).await.unwrap_err();
    assert!(matches!(&err, StoreError::Conflict(m) if m.contains("`web`")), "{err:?}");
}

async fn users(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let mut new = new_user(&g.id, "ada");
    new.phone = None;
    let u = s.create_user(new).await.unwrap();
    assert_eq!((u.pin_failures, u.pin_locked, u.pin_hash.clone()), (0, false, None));
    assert_eq!(s.user_by_username("ada").await.unwrap(), Some(u.clone()));
    assert_eq!(s.user_by_id(&u.id).await.unwrap(), Some(u.clone()));
    assert_eq!(s.user_by_username("bob").await.unwrap(), None);

    let with_phone = s.create_user(new_user(&g.id, "grace")).await.unwrap();
    let read = s.user_by_id(&with_phone.id).await.unwrap().unwrap();
    assert_eq!(read.phone.as_deref(), Some("+44 20 7946 0000"));

    let err = s.create_user(new_user(&g.id, "ada")).await.unwrap_err();
    assert_eq!(err, StoreError::Conflict("user `ada` already exists".into()));
    let err = s.create_user(new_user("no-such-group", "eve")).await.unwrap_err();
    assert_eq!(err, StoreError::NotFound("group"));

    let shown = format!("{u:?}");
    assert!(!shown.contains("password-hash"), "hash in Debug: {shown}");
}

async fn certificate_authorities_and_certificates(db: &TestDb) {
    let s = &db.store;
    let root = s.insert_ca(new_ca("root", None)).await.unwrap();
    let issuing = s.insert_ca(new_ca("issuing", Some("root"))).await.unwrap();
    assert_eq!(s.ca_by_id("root").await.unwrap(), Some(root.clone()));
    assert_eq!(s.ca_by_id("nope").await.unwrap(), None);
    assert_eq!(s.list_cas().await.unwrap(), vec![issuing, root]);
    assert_eq!(
        s.insert_ca(new_ca("root", None)).await.unwrap_err(),
        StoreError::Conflict("CA `root` already exists".into())
    );
    assert_eq!(
        s.insert_ca(new_ca("orphan", Some("missing"))).await.unwrap_err(),
        StoreError::NotFound("parent CA")
    );

    let mut cert = issued("0a1b2c", "root", None);
    cert.status = CertificateStatus::Revoked;
    cert.revoked_at = Some(1_750_000_000);
    cert.revocation_reason = Some("keyCompromise".into());
    s.insert_certificate(cert.clone()).await.unwrap();
    assert_eq!(s.certificate_by_serial("0a1b2c").await.unwrap(), Some(cert));
    assert_eq!(s.certificate_by_serial("ff").await.unwrap(), None);
    assert!(matches!(
        s.insert_certificate(issued("0a1b2c", "issuing", None)).await.unwrap_err(),
        StoreError::Conflict(m) if m.contains("0a1b2c")
    ));
}

async fn credentials(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    s.insert_ca(new_ca("issuing", None)).await.unwrap();

    let cred_id = id();
    let cert = issued("01", "issuing", Some(&cred_id));
    let c = s.create_credential(new_credential(&u.id, &cred_id), cert.clone()).await.unwrap();
    assert_eq!(s.credential_by_id(&cred_id).await.unwrap(), Some(c.clone()));
    assert_eq!(s.certificate_by_serial("01").await.unwrap(), Some(cert));
    assert_eq!(s.credential_by_id("missing").await.unwrap(), None);
    assert!(format!("{c:?}").contains("<128 bytes>"));

    s.set_credential_status(&cred_id, CredentialStatus::Disabled).await.unwrap();
    let read = s.credential_by_id(&cred_id).await.unwrap().unwrap();
    assert_eq!(read.status, CredentialStatus::Disabled);
    assert_eq!(
        s.set_credential_status("missing", CredentialStatus::Enabled).await.unwrap_err(),
        StoreError::NotFound("credential")
    );

    let other = id();
    let err = s
        .create_credential(new_credential("no-such-user", &other), issued("02", "issuing", None))
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::NotFound("user"));
}

async fn create_credential_is_atomic(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    s.insert_ca(new_ca("issuing", None)).await.unwrap();
    s.insert_certificate(issued("taken", "issuing", None)).await.unwrap();

    // the credential row goes in first, then the certificate insert fails
    let cred_id = id();
    let err = s
        .create_credential(
            new_credential(&u.id, &cred_id),
            issued("taken", "issuing", Some(&cred_id)),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Conflict(m) if m.contains("taken")), "{err:?}");
    assert_eq!(s.credential_by_id(&cred_id).await.unwrap(), None);
    assert!(s.list_credentials(&u.id, 10, None).await.unwrap().is_empty());
    // the registry still holds only the first certificate, unchanged
    assert_eq!(s.certificate_by_serial("taken").await.unwrap().unwrap().credential_id, None);

    // an unknown CA fails the certificate insert too
    let err = s
        .create_credential(
            new_credential(&u.id, &cred_id),
            issued("fresh", "no-ca", Some(&cred_id)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    assert_eq!(s.credential_by_id(&cred_id).await.unwrap(), None);

    // and the same credential then goes in cleanly
    s.create_credential(
        new_credential(&u.id, &cred_id),
        issued("fresh", "issuing", Some(&cred_id)),
    )
    .await
    .unwrap();
    assert!(s.credential_by_id(&cred_id).await.unwrap().is_some());
}

async fn pagination_returns_every_row_once(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let ada = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    let bob = s.create_user(new_user(&g.id, "bob")).await.unwrap();
    s.insert_ca(new_ca("issuing", None)).await.unwrap();

    let mut expected = Vec::new();
    for n in 0..23 {
        let cred_id = id();
        let serial = format!("{n:04x}");
        s.create_credential(
            new_credential(&ada.id, &cred_id),
            issued(&serial, "issuing", Some(&cred_id)),
        )
        .await
        .unwrap();
        expected.push(cred_id);
    }
    // another user's credential must not show up
    let theirs = id();
    s.create_credential(new_credential(&bob.id, &theirs), issued("ffff", "issuing", Some(&theirs)))
        .await
        .unwrap();
    expected.sort();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = s.list_credentials(&ada.id, 5, after.as_deref()).await.unwrap();
        assert!(page.len() <= 5);
        if page.is_empty() {
            break;
        }
        pages += 1;
        after = page.last().map(|c| c.id.clone());
        seen.extend(page.into_iter().map(|c| {
            assert_eq!(c.user_id, ada.id);
            c.id
        }));
    }
    assert_eq!(pages, 5);
    assert_eq!(seen, expected, "every row exactly once, in id order");
    assert!(s.list_credentials(&ada.id, 0, None).await.unwrap().is_empty());
    assert!(s.list_credentials("nobody", 10, None).await.unwrap().is_empty());
}

async fn concurrent_pin_failures_all_count_and_lock(db: &TestDb) {
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let g = store.create_group(new_group("g")).await.unwrap();
    let u = store.create_user(new_user(&g.id, "ada")).await.unwrap();

    // 10 concurrent failures, lock at 100: every one counts, none locks
    let states = fail_concurrently(&store, &u.id, 10, 100).await;
    let mut counts: Vec<i64> = states.iter().map(|p| p.failures).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=10).collect::<Vec<_>>(), "each failure saw its own count");
    assert!(states.iter().all(|p| !p.locked));
    let read = store.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!((read.pin_failures, read.pin_locked), (10, false));

    // after a reset, 10 concurrent failures with a limit of 3 lock the PIN
    store.reset_pin_failures(&u.id).await.unwrap();
    let states = fail_concurrently(&store, &u.id, 10, 3).await;
    for p in &states {
        assert_eq!(p.locked, p.failures >= 3, "{p:?}");
    }
    let read = store.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!((read.pin_failures, read.pin_locked), (10, true));

    assert_eq!(
        store.record_pin_failure("missing", 3).await.unwrap_err(),
        StoreError::NotFound("user")
    );
}

async fn fail_concurrently(
    store: &Arc<dyn Store>,
    user_id: &str,
    n: usize,
    max: i64,
) -> Vec<signet_store::PinState> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (store, user_id) = (store.clone(), user_id.to_owned());
            tokio::spawn(async move { store.record_pin_failure(&user_id, max).await })
        })
        .collect();
    let mut states = Vec::new();
    for t in tasks {
        states.push(t.await.unwrap().unwrap());
    }
    states
}

async fn set_pin_and_reset(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    for expected in 1..=3 {
        let p = s.record_pin_failure(&u.id, 3).await.unwrap();
        assert_eq!((p.failures, p.locked), (expected, expected == 3));
    }
    // a correct PIN clears the counter but not the lock
    s.reset_pin_failures(&u.id).await.unwrap();
    let read = s.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!((read.pin_failures, read.pin_locked), (0, true));

    // a new PIN clears both
    s.set_pin(&u.id, "$argon2id$new-pin-hash").await.unwrap();
    let read = s.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!(read.pin_hash.as_deref(), Some("$argon2id$new-pin-hash"));
    assert_eq!((read.pin_failures, read.pin_locked), (0, false));
    assert!(!format!("{read:?}").contains("new-pin-hash"));

    assert_eq!(s.set_pin("missing", "x").await.unwrap_err(), StoreError::NotFound("user"));
    assert_eq!(s.reset_pin_failures("missing").await.unwrap_err(), StoreError::NotFound("user"));
}

// --- connection failures (no database needed) --------------------------------

#[tokio::test]
async fn unreachable_postgres_is_unavailable_quickly() {
    // Port 1 refuses at once; the store must not retry until a long timeout.
    let connect = SqlStore::connect("postgres://postgres:s3cret@127.0.0.1:1/x", 4);
    let err = tokio::time::timeout(Duration::from_secs(10), connect)
        .await
        .expect("connect gave up within 10 s")
        .unwrap_err();
    let StoreError::Unavailable(reason) = &err else { panic!("expected Unavailable, got {err:?}") };
    eprintln!("reason: {reason}");
    assert!(!reason.contains('\n'), "one line: {reason}");
    assert!(!reason.contains("s3cret"), "password leaked: {reason}");
    assert!(reason.contains("postgres"), "{reason}");
}

#[tokio::test]
async fn unsupported_url_is_refused() {
    let err = SqlStore::connect("mysql://root:pw@localhost/db", 1).await.unwrap_err();
    assert!(matches!(&err, StoreError::Unavailable(m) if !m.contains("pw")), "{err:?}");
}

// --- SQLite specifics ----------------------------------------------------------

#[tokio::test]
async fn sqlite_in_memory_keeps_its_data() {
    let store = SqlStore::connect("sqlite::memory:", 8).await.unwrap();
    let g = store.create_group(new_group("g")).await.unwrap();
    for _ in 0..3 {
        assert_eq!(store.group_by_id(&g.id).await.unwrap(), Some(g.clone()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_file_is_created_in_wal_mode_and_shared_between_stores() {
    let db = TestDb::sqlite().await;
    // a second process (the admin CLI) opens the same file while the server runs
    let admin = SqlStore::connect(&db.url, 2).await.unwrap();
    assert_eq!(admin.backend(), "sqlite");

    let g = db.store.create_group(new_group("g")).await.unwrap();
    let u = db.store.create_user(new_user(&g.id, "ada")).await.unwrap();
    let server: Arc<dyn Store> = Arc::new(db.store.clone());
    let admin: Arc<dyn Store> = Arc::new(admin);
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = if i % 2 == 0 { server.clone() } else { admin.clone() };
        let user_id = u.id.clone();
        tasks.push(tokio::spawn(async move { store.record_pin_failure(&user_id, 100).await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(admin.user_by_id(&u.id).await.unwrap().unwrap().pin_failures, 20);

    let path = db.url.trim_start_matches("sqlite://");
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{path}"))
            .await
            .unwrap();
    let mode: String =
        sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut conn).await.unwrap();
    assert_eq!(mode, "wal");
}

/// A key without a certificate, certified later (by an external connector), revoked by
/// that CA, then destroyed: each step in a unit of work, each visible after commit only.
async fn key_lifecycle(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    let cred_id = id();
    let mut new = new_credential(&u.id, &cred_id);
    new.certificate_chain.clear();
    new.lifecycle.expires_at = Some(1_700_000_100);

    let mut tx = s.begin().await.unwrap();
    tx.insert_credential(&new).await.unwrap();
    let consent = Consent {
        id: id(),
        user_id: u.id.clone(),
        credential_id: cred_id.clone(),
        documents: r#"[{"name":"TSP policy","version":"1","sha256":"00"}]"#.into(),
        accepted_at: 1_700_000_004,
    };
    tx.insert_consent(&consent).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(s.credential_by_id(&cred_id).await.unwrap(), None, "rolled back");

    let mut tx = s.begin().await.unwrap();
    tx.insert_credential(&new).await.unwrap();
    tx.insert_consent(&consent).await.unwrap();
    tx.commit().await.unwrap();
    let read = s.credential_by_id(&cred_id).await.unwrap().unwrap();
    assert!(!read.is_certified() && read.key_exists());
    assert_eq!(read.lifecycle.connector, EMBEDDED_CONNECTOR);
    assert_eq!(s.consents(&cred_id).await.unwrap(), vec![consent]);

    // only keys past their expiry and not destroyed are swept
    assert!(s.expired_one_shot_credentials(1_700_000_099, 10).await.unwrap().is_empty());
    assert_eq!(
        s.expired_one_shot_credentials(1_700_000_100, 10).await.unwrap(),
        vec![cred_id.clone()]
    );

    let mut tx = s.begin().await.unwrap();
    assert!(tx
        .set_credential_certificate(&cred_id, &[0x30, 0x00], "legal-person", "acme-cmp")
        .await
        .unwrap());
    assert!(tx
        .mark_external_revoked(&cred_id, 1_700_000_050, Some("keyCompromise"))
        .await
        .unwrap());
    assert!(!tx.mark_external_revoked(&cred_id, 1_700_000_051, None).await.unwrap());
    tx.commit().await.unwrap();
    let read = s.credential_by_id(&cred_id).await.unwrap().unwrap();
    assert_eq!(read.certificate_chain, vec![0x30, 0x00]);
    assert_eq!(read.lifecycle.connector, "acme-cmp");
    assert_eq!(read.profile, "legal-person");
    assert_eq!(read.lifecycle.cert_revoked_at, Some(1_700_000_050));
    assert_eq!(read.lifecycle.cert_revocation_reason.as_deref(), Some("keyCompromise"));

    let mut tx = s.begin().await.unwrap();
    assert!(tx.destroy_credential_key(&cred_id, 1_700_000_060).await.unwrap());
    assert!(!tx.destroy_credential_key(&cred_id, 1_700_000_061).await.unwrap());
    assert!(!tx.destroy_credential_key("missing", 1_700_000_061).await.unwrap());
    // a destroyed key cannot be certified again
    assert!(!tx
        .set_credential_certificate(&cred_id, &[0x30, 0x00], "p", EMBEDDED_CONNECTOR)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let read = s.credential_by_id(&cred_id).await.unwrap().unwrap();
    assert!(!read.key_exists() && read.wrapped_key.is_empty());
    assert_eq!(read.status, CredentialStatus::Disabled);
    assert_eq!(read.lifecycle.destroyed_at, Some(1_700_000_060));
    assert!(s.expired_one_shot_credentials(1_800_000_000, 10).await.unwrap().is_empty());

    // revocation in the embedded registry inside a unit of work
    s.insert_ca(new_ca("issuing", None)).await.unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.insert_certificate(&issued("0a", "issuing", Some(&cred_id))).await.unwrap();
    assert!(tx.revoke_certificate("0a", 1_700_000_070, None).await.unwrap());
    assert!(!tx.revoke_certificate("0a", 1_700_000_071, None).await.unwrap());
    tx.commit().await.unwrap();
    let cert = s.certificate_by_serial("0a").await.unwrap().unwrap();
    assert_eq!(cert.status, CertificateStatus::Revoked);
}

/// Several nodes deleting the same key at once: exactly one destroys it.
async fn concurrent_key_destruction_has_one_winner(db: &TestDb) {
    let s = Arc::new(db.store.clone());
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    s.insert_ca(new_ca("issuing", None)).await.unwrap();
    let cred_id = id();
    s.create_credential(new_credential(&u.id, &cred_id), issued("01", "issuing", Some(&cred_id)))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (s, cred_id) = (s.clone(), cred_id.clone());
        tasks.push(tokio::spawn(async move {
            let mut tx = s.begin().await.unwrap();
            let won = tx.destroy_credential_key(&cred_id, 1_700_000_000 + i).await.unwrap();
            tx.commit().await.unwrap();
            won
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.unwrap());
    }
    assert_eq!(winners, 1);
}

/// A prepared document signature completes once, and never after its expiry.
async fn document_transactions_complete_once_before_expiry(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    s.insert_ca(new_ca("issuing", None)).await.unwrap();
    let cred_id = id();
    s.create_credential(new_credential(&u.id, &cred_id), issued("01", "issuing", Some(&cred_id)))
        .await
        .unwrap();
    let t = DocumentTransaction {
        id: id(),
        user_id: u.id.clone(),
        credential_id: cred_id.clone(),
        client_id: None,
        format: "cades".into(),
        level: "B-T".into(),
        sign_algorithm: "ECDSA-SHA256".into(),
        signed_attributes: vec![0x31, 0x00],
        certificates: vec![0x30, 0x00],
        content: Some(b"doc".to_vec()),
        dtbsr: vec![7; 32],
        created_at: 1_700_000_000,
        expires_at: 1_700_000_300,
        completed_at: None,
    };
    s.insert_document_transaction(&t).await.unwrap();
    assert_eq!(s.document_transaction(&t.id).await.unwrap(), Some(t.clone()));
    assert_eq!(s.document_transaction("missing").await.unwrap(), None);
    assert!(!s.complete_document_transaction(&t.id, 1_700_000_300).await.unwrap(), "expired");
    assert!(s.complete_document_transaction(&t.id, 1_700_000_100).await.unwrap());
    assert!(!s.complete_document_transaction(&t.id, 1_700_000_101).await.unwrap(), "once");
    let read = s.document_transaction(&t.id).await.unwrap().unwrap();
    assert_eq!(read.completed_at, Some(1_700_000_100));
    let mut other = t.clone();
    other.id = id();
    other.credential_id = "missing".into();
    assert!(s.insert_document_transaction(&other).await.is_err());
    // Expired ones are swept, documents and all.
    assert_eq!(s.delete_expired_document_transactions(1_700_000_299).await.unwrap(), 0);
    assert_eq!(s.delete_expired_document_transactions(1_700_000_300).await.unwrap(), 1);
    assert_eq!(s.document_transaction(&t.id).await.unwrap(), None);
}
