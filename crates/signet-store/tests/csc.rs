//! CSC state in the store — the unit of work, tokens, SADs and the hash-chained
//! audit log — run on SQLite and on PostgreSQL (see `common::backend_tests!`);
//! every test gets its own database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{
    event, issued, new_ca, new_client, new_credential, new_group, new_sad, new_token, new_user,
    TestDb,
};
use signet_store::audit::GENESIS_HASH;
use signet_store::{AuditFilter, ChainBreak, SqlStore, Store, StoreError, TokenKind, User};

backend_tests!(
    empty_log_is_the_genesis,
    audit_chain_spans_transactions,
    rolled_back_transaction_leaves_no_trace,
    edited_record_is_named,
    deleted_record_is_named,
    reordered_records_are_named,
    deleted_tail_is_detected,
    concurrent_appenders_get_every_seq_once,
    long_log_verifies_in_pages,
    tokens_insert_get_and_revoke,
    sad_is_consumed_once,
    sad_expiry_and_extension,
    pin_failure_rolls_back_with_its_transaction,
    service_keys_insert_and_get,
    otp_seed_and_steps,
    revocation_and_crls,
    login_failures_count_lock_and_clear,
);

fn all(after_seq: Option<i64>) -> AuditFilter {
    AuditFilter { user_id: None, since: None, after_seq, limit: 1000 }
}

/// Appends `events` (numbered from `first`) in one committed transaction.
async fn append(store: &dyn Store, first: i64, events: i64) {
    let mut tx = store.begin().await.unwrap();
    for n in first..first + events {
        tx.append_audit(event(n, Some(if n % 2 == 0 { "even" } else { "odd" }))).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn empty_log_is_the_genesis(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.audit_head().await.unwrap(), (0, GENESIS_HASH.to_owned()));
    let report = s.verify_audit().await.unwrap().unwrap();
    assert_eq!((report.records, report.last_seq), (0, 0));
    assert!(s.audit_records(&all(None)).await.unwrap().is_empty());
}

async fn audit_chain_spans_transactions(db: &TestDb) {
    let s = &db.store;
    append(s, 1, 1).await;
    append(s, 2, 3).await;
    append(s, 5, 2).await;

    let records = s.audit_records(&all(None)).await.unwrap();
    assert_eq!(records.iter().map(|r| r.seq).collect::<Vec<_>>(), (1..=6).collect::<Vec<_>>());
    assert_eq!(records[0].prev_hash, GENESIS_HASH);
    assert_eq!(records[3].details, r#"{"n":4}"#);
    for pair in records.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    let head = s.audit_head().await.unwrap();
    assert_eq!(head, (6, records[5].hash.clone()));
    let report = s.verify_audit().await.unwrap().unwrap();
    assert_eq!((report.records, report.last_seq, &report.last_hash), (6, 6, &head.1));
    assert_eq!(signet_store::verify_chain(&records, Some(head)), Ok(report));

    // filters: by user, since, after_seq, limit
    let by_user = AuditFilter { user_id: Some("even".into()), ..all(None) };
    let even: Vec<i64> = s.audit_records(&by_user).await.unwrap().iter().map(|r| r.seq).collect();
    assert_eq!(even, vec![2, 4, 6]);
    let since = AuditFilter { since: Some(1_700_000_004), limit: 2, ..all(Some(4)) };
    let page: Vec<i64> = s.audit_records(&since).await.unwrap().iter().map(|r| r.seq).collect();
    assert_eq!(page, vec![5, 6]);
    let none = AuditFilter { limit: 0, ..all(None) };
    assert!(s.audit_records(&none).await.unwrap().is_empty());
}

async fn rolled_back_transaction_leaves_no_trace(db: &TestDb) {
    let s = &db.store;
    append(s, 1, 2).await;
    {
        let mut tx = s.begin().await.unwrap();
        let r = tx.append_audit(event(3, None)).await.unwrap();
        assert_eq!(r.seq, 3);
        // dropped uncommitted
    }
    let mut tx = s.begin().await.unwrap();
    tx.append_audit(event(3, None)).await.unwrap();
    tx.rollback().await.unwrap();

    assert_eq!(s.audit_head().await.unwrap().0, 2);
    assert_eq!(s.audit_records(&all(None)).await.unwrap().len(), 2);
    // the next append takes seq 3: no gap
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.append_audit(event(3, None)).await.unwrap().seq, 3);
    tx.commit().await.unwrap();
    assert_eq!(s.verify_audit().await.unwrap().unwrap().last_seq, 3);
}

async fn edited_record_is_named(db: &TestDb) {
    append(&db.store, 1, 5).await;
    db.raw(r#"UPDATE audit_log SET details = '{"n":999}' WHERE seq = 3"#).await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken, ChainBreak::Altered { seq: 3 });
    assert_eq!(broken.to_string(), "record 3 was altered");
}

async fn deleted_record_is_named(db: &TestDb) {
    append(&db.store, 1, 5).await;
    db.raw("DELETE FROM audit_log WHERE seq = 3").await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken, ChainBreak::Missing { after_seq: 2 });
}

async fn reordered_records_are_named(db: &TestDb) {
    append(&db.store, 1, 6).await;
    db.raw("UPDATE audit_log SET seq = -1 WHERE seq = 2").await;
    db.raw("UPDATE audit_log SET seq = 2 WHERE seq = 5").await;
    db.raw("UPDATE audit_log SET seq = 5 WHERE seq = -1").await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken, ChainBreak::Reordered { seq: 2 });
}

async fn deleted_tail_is_detected(db: &TestDb) {
    append(&db.store, 1, 4).await;
    db.raw("DELETE FROM audit_log WHERE seq = 4").await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken, ChainBreak::HeadMismatch { head_seq: 4, last_seq: 3 });
    assert!(broken.to_string().contains("deleted"), "{broken}");
}

/// 20 transactions at once, half on a second store (another node) over the
/// same database, half also changing a PIN counter before their audit record:
/// all succeed, seqs 1..=20 each once, the chain verifies.
async fn concurrent_appenders_get_every_seq_once(db: &TestDb) {
    let node_a: Arc<dyn Store> = Arc::new(db.store.clone());
    let node_b: Arc<dyn Store> = Arc::new(SqlStore::connect(&db.url, 4).await.unwrap());
    let g = node_a.create_group(new_group("g")).await.unwrap();
    let u = node_a.create_user(new_user(&g.id, "ada")).await.unwrap();

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = if i % 2 == 0 { node_a.clone() } else { node_b.clone() };
            let user_id = u.id.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await?;
                if i % 4 < 2 {
                    tx.record_pin_failure(&user_id, 100).await?;
                }
                let record = tx.append_audit(event(i, Some(&user_id))).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(record.seq)
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    let report = node_b.verify_audit().await.unwrap().unwrap();
    assert_eq!((report.records, report.last_seq), (20, 20));
    assert_eq!(node_a.user_by_id(&u.id).await.unwrap().unwrap().pin_failures, 10);
}

/// More records than one verification page; a break on the second page is
/// still found and named.
async fn long_log_verifies_in_pages(db: &TestDb) {
    append(&db.store, 1, 10_003).await;
    let report = db.store.verify_audit().await.unwrap().unwrap();
    assert_eq!((report.records, report.last_seq), (10_003, 10_003));
    db.raw("UPDATE audit_log SET outcome = 'refused' WHERE seq = 10002").await;
    let broken = db.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(broken, ChainBreak::Altered { seq: 10_002 });
}

async fn user_and_client(s: &SqlStore) -> (User, String) {
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    let c = s.create_client(new_client(&g.id, "portal")).await.unwrap();
    (u, c.id)
}

async fn tokens_insert_get_and_revoke(db: &TestDb) {
    let s = &db.store;
    let (u, client) = user_and_client(s).await;
    let access = new_token(TokenKind::Access, Some(&u.id), Some(&client), "fam-1");
    let refresh = new_token(TokenKind::Refresh, Some(&u.id), Some(&client), "fam-1");
    let service = new_token(TokenKind::Service, None, Some(&client), "fam-2");

    let mut tx = s.begin().await.unwrap();
    for t in [&access, &refresh, &service] {
        tx.insert_token(t.clone()).await.unwrap();
    }
    // not visible before commit
    assert_eq!(s.token_by_hash(&access.token_hash).await.unwrap(), None);
    tx.commit().await.unwrap();

    // a failed statement ends the unit of work (PostgreSQL aborts it): one each
    let mut tx = s.begin().await.unwrap();
    let err = tx.insert_token(access.clone()).await.unwrap_err();
    assert_eq!(err, StoreError::Conflict("token already exists".into()));
    assert!(!err.to_string().contains(&access.token_hash));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    let orphan = new_token(TokenKind::Access, Some("no-such-user"), None, "fam-3");
    assert_eq!(tx.insert_token(orphan).await.unwrap_err(), StoreError::NotFound("user or client"));
    drop(tx);

    let read = s.token_by_hash(&access.token_hash).await.unwrap().unwrap();
    assert_eq!(read.kind, TokenKind::Access);
    assert_eq!(read.user_id.as_deref(), Some(u.id.as_str()));
    assert_eq!((read.scope.as_str(), read.family_id.as_str()), ("credential", "fam-1"));
    assert_eq!(
        (read.expires_at, read.created_at, read.revoked),
        (1_700_003_600, 1_700_000_000, false)
    );
    assert_eq!(s.token_by_hash(&"0".repeat(64)).await.unwrap(), None);

    let mut tx = s.begin().await.unwrap();
    assert!(tx.revoke_token(&service.token_hash).await.unwrap());
    assert!(!tx.revoke_token(&service.token_hash).await.unwrap(), "already revoked");
    assert!(!tx.revoke_token("unknown").await.unwrap());
    tx.commit().await.unwrap();
    assert!(s.token_by_hash(&service.token_hash).await.unwrap().unwrap().revoked);
    assert!(!s.token_by_hash(&access.token_hash).await.unwrap().unwrap().revoked);

    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.revoke_token_family("fam-1").await.unwrap(), 2);
    assert_eq!(tx.revoke_token_family("fam-1").await.unwrap(), 0);
    tx.commit().await.unwrap();
    for t in [&access, &refresh] {
        assert!(s.token_by_hash(&t.token_hash).await.unwrap().unwrap().revoked);
    }
}

async fn user_with_credential(s: &SqlStore) -> (User, String) {
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    s.insert_ca(new_ca("root", None)).await.unwrap();
    let cred = s
        .create_credential(new_credential(&u.id, "cred-1"), issued("01", "root", Some("cred-1")))
        .await
        .unwrap();
    (u, cred.id)
}

const NOW: i64 = 1_700_000_100;

async fn sad_is_consumed_once(db: &TestDb) {
    let s = &db.store;
    let (u, cred) = user_with_credential(s).await;
    let sad = new_sad(&u.id, &cred, &["aGFzaDE=", "aGFzaDI="], NOW + 300);
    let mut tx = s.begin().await.unwrap();
    tx.insert_sad(sad.clone()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let err = tx.insert_sad(sad.clone()).await.unwrap_err();
    assert_eq!(err, StoreError::Conflict("SAD already exists".into()));
    assert!(!err.to_string().contains(&sad.sad_hash));
    drop(tx);

    let read = s.sad_by_hash(&sad.sad_hash).await.unwrap().unwrap();
    assert_eq!(read.hashes, sad.hashes);
    assert_eq!((read.remaining, read.version, read.factors.as_str()), (2, 0, "pin,otp"));
    assert_eq!(s.sad_by_hash("unknown").await.unwrap(), None);

    // two consumers read version 0 and race: exactly one wins
    let store: Arc<dyn Store> = Arc::new(s.clone());
    let tasks: Vec<_> = ["aGFzaDE=", "aGFzaDI="]
        .into_iter()
        .map(|signed| {
            let (store, sad_hash) = (store.clone(), sad.sad_hash.clone());
            tokio::spawn(async move {
                let left: Vec<String> = ["aGFzaDE=", "aGFzaDI="]
                    .iter()
                    .filter(|h| **h != signed)
                    .map(|h| (*h).to_owned())
                    .collect();
                let mut tx = store.begin().await?;
                let won = tx.consume_sad(&sad_hash, 0, 1, &left, NOW).await?;
                tx.commit().await?;
                Ok::<_, StoreError>(won)
            })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap().unwrap());
    }
    assert_eq!(wins, 1, "exactly one consumer wins");
    let read = s.sad_by_hash(&sad.sad_hash).await.unwrap().unwrap();
    assert_eq!((read.remaining, read.version, read.hashes.len()), (1, 1, 1));

    // a stale version loses; the current one consumes the last hash
    let mut tx = s.begin().await.unwrap();
    assert!(!tx.consume_sad(&sad.sad_hash, 0, 0, &[], NOW).await.unwrap());
    assert!(tx.consume_sad(&sad.sad_hash, 1, 0, &[], NOW).await.unwrap());
    assert!(!tx.consume_sad("unknown", 0, 0, &[], NOW).await.unwrap());
    tx.commit().await.unwrap();
    let read = s.sad_by_hash(&sad.sad_hash).await.unwrap().unwrap();
    assert_eq!((read.remaining, read.version, read.hashes), (0, 2, vec![]));

    // a count-only SAD (SCAL 1) stores no hashes; a rolled-back consume changes nothing
    let count_only = new_sad(&u.id, &cred, &[], NOW + 300);
    let mut tx = s.begin().await.unwrap();
    tx.insert_sad(count_only.clone()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(tx.consume_sad(&count_only.sad_hash, 0, 0, &[], NOW).await.unwrap());
    drop(tx);
    let read = s.sad_by_hash(&count_only.sad_hash).await.unwrap().unwrap();
    assert_eq!((read.remaining, read.version, read.hashes, read.hash_algo), (1, 0, vec![], None));

    let mut tx = s.begin().await.unwrap();
    let orphan = new_sad(&u.id, "no-such-credential", &[], NOW + 300);
    assert_eq!(
        tx.insert_sad(orphan).await.unwrap_err(),
        StoreError::NotFound("user, credential or client")
    );
}

async fn sad_expiry_and_extension(db: &TestDb) {
    let s = &db.store;
    let (u, cred) = user_with_credential(s).await;
    let sad = new_sad(&u.id, &cred, &[], NOW + 60);
    let mut tx = s.begin().await.unwrap();
    tx.insert_sad(sad.clone()).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.begin().await.unwrap();
    // extended before it expires: new expiry, new version
    assert!(tx.extend_sad(&sad.sad_hash, 0, NOW + 600, NOW + 59).await.unwrap());
    assert!(!tx.extend_sad(&sad.sad_hash, 0, NOW + 900, NOW + 59).await.unwrap(), "stale");
    tx.commit().await.unwrap();
    let read = s.sad_by_hash(&sad.sad_hash).await.unwrap().unwrap();
    assert_eq!((read.expires_at, read.version), (NOW + 600, 1));

    let mut tx = s.begin().await.unwrap();
    // at or after expiry: neither consumed nor extended
    assert!(!tx.consume_sad(&sad.sad_hash, 1, 0, &[], NOW + 600).await.unwrap());
    assert!(!tx.extend_sad(&sad.sad_hash, 1, NOW + 1200, NOW + 601).await.unwrap());
    assert!(tx.consume_sad(&sad.sad_hash, 1, 0, &[], NOW + 599).await.unwrap());
    tx.commit().await.unwrap();
    let read = s.sad_by_hash(&sad.sad_hash).await.unwrap().unwrap();
    assert_eq!((read.remaining, read.version, read.expires_at), (0, 2, NOW + 600));
}

async fn pin_failure_rolls_back_with_its_transaction(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    s.record_pin_failure(&u.id, 3).await.unwrap();

    let mut tx = s.begin().await.unwrap();
    let state = tx.record_pin_failure(&u.id, 2).await.unwrap();
    assert_eq!((state.failures, state.locked), (2, true));
    tx.append_audit(event(1, Some(&u.id))).await.unwrap();
    tx.rollback().await.unwrap();
    let read = s.user_by_id(&u.id).await.unwrap().unwrap();
    assert_eq!((read.pin_failures, read.pin_locked), (1, false));
    assert_eq!(s.audit_head().await.unwrap().0, 0);

    let mut tx = s.begin().await.unwrap();
    tx.reset_pin_failures(&u.id).await.unwrap();
    assert_eq!(
        tx.record_pin_failure("missing", 3).await.unwrap_err(),
        StoreError::NotFound("user")
    );
    assert_eq!(tx.reset_pin_failures("missing").await.unwrap_err(), StoreError::NotFound("user"));
    tx.commit().await.unwrap();
    assert_eq!(s.user_by_id(&u.id).await.unwrap().unwrap().pin_failures, 0);
}

async fn service_keys_insert_and_get(db: &TestDb) {
    let s = &db.store;
    let key = signet_store::ServiceKey {
        id: "tsa".into(),
        purpose: "tsa".into(),
        key_algorithm: "ec-p256".into(),
        wrapped_key: vec![1, 2, 3],
        certificate: vec![4, 5],
        created_at: 7,
    };
    assert_eq!(s.insert_service_key(key.clone()).await.unwrap(), key);
    assert_eq!(s.service_key_by_id("tsa").await.unwrap(), Some(key.clone()));
    assert!(s.service_key_by_id("ocsp").await.unwrap().is_none());
    assert!(matches!(s.insert_service_key(key.clone()).await, Err(StoreError::Conflict(_))));
    let bad = signet_store::ServiceKey { id: "x".into(), purpose: "signer".into(), ..key };
    assert!(s.insert_service_key(bad).await.is_err(), "purpose is checked by the schema");
}

async fn otp_seed_and_steps(db: &TestDb) {
    let s = &db.store;
    let (user, _) = user_and_client(s).await;
    assert!(s.user_by_id(&user.id).await.unwrap().unwrap().otp_sealed.is_none());
    s.set_otp(&user.id, Some(&[9, 9, 9])).await.unwrap();
    let u = s.user_by_id(&user.id).await.unwrap().unwrap();
    assert_eq!((u.otp_sealed.as_deref(), u.otp_last_step), (Some(&[9u8, 9, 9][..]), 0));
    // A step is accepted once; an earlier or equal step is a replay.
    let mut tx = s.begin().await.unwrap();
    assert!(tx.advance_otp_step(&user.id, 100).await.unwrap());
    assert!(!tx.advance_otp_step(&user.id, 100).await.unwrap());
    assert!(!tx.advance_otp_step(&user.id, 99).await.unwrap());
    tx.commit().await.unwrap();
    // A rolled-back acceptance does not count.
    let mut tx = s.begin().await.unwrap();
    assert!(tx.advance_otp_step(&user.id, 101).await.unwrap());
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    assert!(tx.advance_otp_step(&user.id, 101).await.unwrap());
    tx.commit().await.unwrap();
    // Re-enrolment starts the counter afresh; removal clears the seed.
    s.set_otp(&user.id, Some(&[1])).await.unwrap();
    assert_eq!(s.user_by_id(&user.id).await.unwrap().unwrap().otp_last_step, 0);
    s.set_otp(&user.id, None).await.unwrap();
    assert!(s.user_by_id(&user.id).await.unwrap().unwrap().otp_sealed.is_none());
    assert!(matches!(s.set_otp("nobody", None).await, Err(StoreError::NotFound(_))));
}

async fn revocation_and_crls(db: &TestDb) {
    let s = &db.store;
    s.insert_ca(new_ca("root", None)).await.unwrap();
    s.insert_ca(new_ca("issuing", Some("root"))).await.unwrap();
    for serial in ["0a", "0b", "0c"] {
        s.insert_certificate(issued(serial, "issuing", None)).await.unwrap();
    }
    assert!(s.revoke_certificate("0b", 1_760_000_000, Some("keyCompromise")).await.unwrap());
    assert!(!s.revoke_certificate("0b", 1_760_000_100, None).await.unwrap(), "already revoked");
    assert!(!s.revoke_certificate("ff", 1_760_000_000, None).await.unwrap(), "unknown");
    assert!(s.revoke_certificate("0a", 1_760_000_200, None).await.unwrap());
    let revoked = s.revoked_certificates("issuing").await.unwrap();
    assert_eq!(
        revoked,
        vec![
            ("0a".into(), 1_760_000_200, None),
            ("0b".into(), 1_760_000_000, Some("keyCompromise".into()))
        ]
    );
    assert!(s.revoked_certificates("root").await.unwrap().is_empty());
    let c = s.certificate_by_serial("0b").await.unwrap().unwrap();
    assert_eq!(
        (c.status, c.revoked_at),
        (signet_store::CertificateStatus::Revoked, Some(1_760_000_000))
    );

    assert!(s.latest_crl("issuing").await.unwrap().is_none());
    let crl = |number: i64| signet_store::StoredCrl {
        ca_id: "issuing".into(),
        number,
        this_update: 10 * number,
        next_update: 10 * number + 5,
        revoked: number,
        der: vec![number as u8],
    };
    s.insert_crl(&crl(1)).await.unwrap();
    s.insert_crl(&crl(2)).await.unwrap();
    assert_eq!(s.latest_crl("issuing").await.unwrap(), Some(crl(2)));
    assert!(
        matches!(s.insert_crl(&crl(2)).await, Err(StoreError::Conflict(_))),
        "a number names one CRL"
    );
}

/// Failed logins are counted atomically per subject (an UPSERT … RETURNING on both
/// backends), a lock is kept, and a success clears them; a rolled-back failure counts
/// nothing.
async fn login_failures_count_lock_and_clear(db: &TestDb) {
    let s = &db.store;
    assert_eq!(s.login_throttle("ada").await.unwrap(), None);
    for expected in 1..=3 {
        let mut tx = s.begin().await.unwrap();
        assert_eq!(tx.login_failed("ada", NOW).await.unwrap(), expected);
        tx.commit().await.unwrap();
    }
    let mut tx = s.begin().await.unwrap();
    assert_eq!(tx.login_failed("ada", NOW).await.unwrap(), 4);
    tx.rollback().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    tx.lock_login("ada", NOW + 8).await.unwrap();
    assert_eq!(tx.login_failed("bob", NOW).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let t = s.login_throttle("ada").await.unwrap().unwrap();
    assert_eq!((t.failures, t.locked_until), (3, NOW + 8));
    let mut tx = s.begin().await.unwrap();
    tx.clear_login_failures("ada").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.login_throttle("ada").await.unwrap(), None);
    assert_eq!(s.login_throttle("bob").await.unwrap().unwrap().failures, 1);
}
