//! The stored blobs of the crypto module, listed by column and replaced by compare-and-set
//! (what `signet admin crypto migrate` needs), on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{id, new_ca, new_credential, new_group, new_user, TestDb};
use signet_store::{KeyBlobKind, ServiceKey, Store};

backend_tests!(blobs_are_listed_by_column_and_replaced_only_if_unchanged);

async fn blobs_are_listed_by_column_and_replaced_only_if_unchanged(db: &TestDb) {
    let s = &db.store;
    let g = s.create_group(new_group("g")).await.unwrap();
    let u = s.create_user(new_user(&g.id, "ada")).await.unwrap();
    let other = s.create_user(new_user(&g.id, "bob")).await.unwrap();
    s.set_otp(&u.id, Some(b"sealed-seed")).await.unwrap();
    s.insert_ca(new_ca("root", None)).await.unwrap();
    s.insert_service_key(ServiceKey {
        id: "tsa".into(),
        purpose: "tsa".into(),
        key_algorithm: "ec-p256".into(),
        wrapped_key: vec![7; 40],
        certificate: vec![0x30],
        created_at: 1,
    })
    .await
    .unwrap();
    let mut ids: Vec<String> = (0..5).map(|_| id()).collect();
    ids.sort();
    let mut tx = s.begin().await.unwrap();
    for (i, c) in ids.iter().enumerate() {
        let mut new = new_credential(&u.id, c);
        new.wrapped_key = vec![i as u8 + 1; 50];
        tx.insert_credential(&new).await.unwrap();
    }
    // One destroyed key: never listed, never replaced.
    tx.destroy_credential_key(&ids[4], 5).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(s.count_key_blobs(KeyBlobKind::Credential).await.unwrap(), 4);
    let first = s.key_blobs(KeyBlobKind::Credential, None, 3).await.unwrap();
    let rest = s.key_blobs(KeyBlobKind::Credential, Some(&first[2].id), 3).await.unwrap();
    let listed: Vec<&str> = first.iter().chain(&rest).map(|b| b.id.as_str()).collect();
    assert_eq!(listed, ids[..4].iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(first[0].user_id.as_deref(), Some(u.id.as_str()));
    assert_eq!(first[0].key_algorithm.as_deref(), Some("rsa-2048"));
    assert_eq!(first[0].blob, vec![1; 50]);

    let ca = s.key_blobs(KeyBlobKind::CertificateAuthority, None, 10).await.unwrap();
    assert_eq!((ca.len(), ca[0].id.as_str(), ca[0].user_id.as_deref()), (1, "root", None));
    let svc = s.key_blobs(KeyBlobKind::ServiceKey, None, 10).await.unwrap();
    assert_eq!((svc.len(), svc[0].blob.as_slice()), (1, &[7u8; 40][..]));
    let otp = s.key_blobs(KeyBlobKind::OtpSeed, None, 10).await.unwrap();
    assert_eq!(otp.len(), 1, "only users with an OTP seed");
    assert_eq!((otp[0].id.as_str(), otp[0].blob.as_slice()), (u.id.as_str(), &b"sealed-seed"[..]));
    assert_ne!(otp[0].id, other.id);

    // Compare-and-set: the first replacement wins; a stale one changes nothing.
    let mut tx = s.begin().await.unwrap();
    assert!(tx.replace_key_blob(KeyBlobKind::Credential, &ids[0], &[1; 50], b"new").await.unwrap());
    assert!(!tx
        .replace_key_blob(KeyBlobKind::Credential, &ids[0], &[1; 50], b"newer")
        .await
        .unwrap());
    assert!(!tx
        .replace_key_blob(KeyBlobKind::Credential, &ids[4], &[5; 50], b"new")
        .await
        .unwrap());
    assert!(tx
        .replace_key_blob(KeyBlobKind::CertificateAuthority, "root", &[0x5A; 60], b"ca")
        .await
        .unwrap());
    assert!(tx.replace_key_blob(KeyBlobKind::ServiceKey, "tsa", &[7; 40], b"tsa").await.unwrap());
    assert!(tx
        .replace_key_blob(KeyBlobKind::OtpSeed, &u.id, b"sealed-seed", b"otp")
        .await
        .unwrap());
    tx.commit().await.unwrap();
    assert_eq!(s.credential_by_id(&ids[0]).await.unwrap().unwrap().wrapped_key, b"new");
    assert_eq!(s.ca_by_id("root").await.unwrap().unwrap().wrapped_key, b"ca");
    assert_eq!(s.service_key_by_id("tsa").await.unwrap().unwrap().wrapped_key, b"tsa");
    assert_eq!(
        s.user_by_id(&u.id).await.unwrap().unwrap().otp_sealed.as_deref(),
        Some(&b"otp"[..])
    );

    // A rolled-back replacement leaves the old blob.
    let mut tx = s.begin().await.unwrap();
    assert!(tx.replace_key_blob(KeyBlobKind::Credential, &ids[1], &[2; 50], b"x").await.unwrap());
    tx.rollback().await.unwrap();
    assert_eq!(s.credential_by_id(&ids[1]).await.unwrap().unwrap().wrapped_key, vec![2; 50]);
}
