//! The authorization server's state (migration 0010) — login sessions, pending
//! requests, grants and claims consents — on SQLite and on PostgreSQL. Single use of a
//! request and of a code is decided by the database: the second attempt loses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{new_client, new_group, new_user, TestDb};
use signet_store::{
    AuthRequestRecord, AuthSession, ClaimsConsent, Grant, SqlStore, Store, StoreError, User,
};

backend_tests!(
    sessions_open_read_and_end,
    requests_are_answered_once_and_expire,
    grant_code_is_redeemed_once,
    claims_consent_is_replaced,
    client_assertions_are_accepted_once,
);

const NOW: i64 = 1_700_000_000;

async fn user_and_client(s: &SqlStore) -> (User, String) {
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    let c = s.create_client(new_client(&g.id, "portal")).await.unwrap();
    (u, c.id)
}

async fn sessions_open_read_and_end(db: &TestDb) {
    let s = &db.store;
    let (u, _) = user_and_client(s).await;
    let session = AuthSession {
        session_hash: "ab".repeat(32),
        user_id: u.id.clone(),
        auth_time: NOW,
        amr: "pwd otp".into(),
        acr: "substantial".into(),
        expires_at: NOW + 600,
        revoked: false,
        created_at: NOW,
    };
    let mut tx = s.begin().await.unwrap();
    tx.insert_auth_session(&session).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.auth_session(&session.session_hash).await.unwrap(), Some(session.clone()));
    assert_eq!(s.auth_session(&"cd".repeat(32)).await.unwrap(), None);

    let mut tx = s.begin().await.unwrap();
    assert!(tx.revoke_auth_session(&session.session_hash).await.unwrap());
    assert!(!tx.revoke_auth_session(&session.session_hash).await.unwrap(), "already ended");
    tx.commit().await.unwrap();
    assert!(s.auth_session(&session.session_hash).await.unwrap().unwrap().revoked);

    let mut tx = s.begin().await.unwrap();
    let orphan = AuthSession { session_hash: "ef".repeat(32), user_id: "nobody".into(), ..session };
    assert_eq!(tx.insert_auth_session(&orphan).await.unwrap_err(), StoreError::NotFound("user"));
}

async fn requests_are_answered_once_and_expire(db: &TestDb) {
    let s = &db.store;
    let (_, client) = user_and_client(s).await;
    let r = AuthRequestRecord {
        id: "req-1".into(),
        client_id: client.clone(),
        request: r#"{"scope":"openid"}"#.into(),
        expires_at: NOW + 600,
        done: false,
        created_at: NOW,
    };
    s.insert_auth_request(&r).await.unwrap();
    s.insert_auth_request(&AuthRequestRecord { id: "req-2".into(), expires_at: NOW, ..r.clone() })
        .await
        .unwrap();
    assert_eq!(s.auth_request("req-1").await.unwrap(), Some(r.clone()));

    let mut tx = s.begin().await.unwrap();
    assert!(tx.finish_auth_request("req-1").await.unwrap());
    tx.rollback().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(tx.finish_auth_request("req-1").await.unwrap(), "the rolled-back answer never was");
    assert!(!tx.finish_auth_request("req-1").await.unwrap(), "a second answer loses");
    tx.commit().await.unwrap();
    assert!(s.auth_request("req-1").await.unwrap().unwrap().done);

    assert_eq!(s.delete_expired_auth_requests(NOW).await.unwrap(), 1);
    assert_eq!(s.auth_request("req-2").await.unwrap(), None);
    assert!(s.auth_request("req-1").await.unwrap().is_some());
}

async fn grant_code_is_redeemed_once(db: &TestDb) {
    let s = &db.store;
    let (u, client) = user_and_client(s).await;
    let grant = Grant {
        id: "grant-1".into(),
        code_hash: "12".repeat(32),
        client_id: client,
        user_id: u.id,
        redirect_uri: "https://app.example/cb".into(),
        scope: "openid profile".into(),
        claims: "name email".into(),
        nonce: Some("n-0S6_WzA2Mj".into()),
        code_challenge: Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into()),
        auth_time: NOW - 5,
        amr: "pwd".into(),
        acr: "low".into(),
        credential_id: None,
        sealed_sad: Some(vec![1, 2, 3]),
        code_expires_at: NOW + 60,
        redeemed: false,
        created_at: NOW,
    };
    let mut tx = s.begin().await.unwrap();
    tx.insert_grant(&grant).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.grant_by_code(&grant.code_hash).await.unwrap(), Some(grant.clone()));
    assert_eq!(s.grant_by_id("grant-1").await.unwrap(), Some(grant.clone()));

    let mut tx = s.begin().await.unwrap();
    assert!(tx.redeem_grant("grant-1").await.unwrap());
    let mut other = s.begin().await.unwrap();
    tx.commit().await.unwrap();
    assert!(!other.redeem_grant("grant-1").await.unwrap(), "the code is spent");
    other.commit().await.unwrap();
    assert!(s.grant_by_id("grant-1").await.unwrap().unwrap().redeemed);

    let mut tx = s.begin().await.unwrap();
    let same_code = Grant { id: "grant-2".into(), ..grant };
    assert!(matches!(tx.insert_grant(&same_code).await, Err(StoreError::Conflict(_))));
}

async fn claims_consent_is_replaced(db: &TestDb) {
    let s = &db.store;
    let (u, client) = user_and_client(s).await;
    assert_eq!(s.claims_consent(&u.id, &client).await.unwrap(), None);
    for claims in ["name", "name email"] {
        let c = ClaimsConsent {
            user_id: u.id.clone(),
            client_id: client.clone(),
            claims: claims.into(),
            created_at: NOW,
        };
        let mut tx = s.begin().await.unwrap();
        tx.put_claims_consent(&c).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(s.claims_consent(&u.id, &client).await.unwrap(), Some(c));
    }
}

async fn client_assertions_are_accepted_once(db: &TestDb) {
    let s = &db.store;
    let (_, client) = user_and_client(s).await;
    assert!(s.record_client_assertion("j1", &client, NOW + 60, NOW).await.unwrap());
    assert!(!s.record_client_assertion("j1", &client, NOW + 60, NOW).await.unwrap(), "replay");
    assert!(s.record_client_assertion("j2", &client, NOW + 60, NOW).await.unwrap());
    // once expired it is forgotten (the assertion itself no longer verifies by then)
    assert!(s.record_client_assertion("j1", &client, NOW + 200, NOW + 61).await.unwrap());
    assert!(matches!(
        s.record_client_assertion("j3", "no-such-client", NOW + 60, NOW).await,
        Err(StoreError::NotFound(_))
    ));
}
