//! Engine use cases against a real SQLite store and the soft module; certificates and
//! signatures checked with OpenSSL.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use signet_crypto::soft::SoftModule;
use signet_crypto::{CryptoModule, KeyBinding, WrappedKey};
use signet_engine::{
    Caller, Engine, EngineError, EngineSettings, NewClientRequest, NewCredentialRequest,
    NewUserRequest, SamError,
};
use signet_pki::Profile;
use signet_store::{SqlStore, Store};
use signet_types::{HashAlgorithm, KeyAlgorithm, ManualClock, SignatureAlgorithm};
use sqlx::Executor;
use std::process::Command;
use std::sync::Arc;
use zeroize::Zeroizing;

const T0: i64 = 1_790_000_000; // 2026-09-21

struct Fixture {
    engine: Engine,
    store: Arc<SqlStore>,
    module: Arc<SoftModule>,
    url: String,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("signet.db").display());
    let store = Arc::new(SqlStore::connect(&url, 4).await.unwrap());
    let module = Arc::new(SoftModule::from_master_key(&[9u8; 32]).unwrap());
    let engine = Engine::new(
        store.clone(),
        module.clone(),
        Arc::new(ManualClock::new(T0)),
        EngineSettings::for_tests("http://127.0.0.1:9999"),
    );
    engine.bootstrap().await.unwrap();
    Fixture { engine, store, module, url, dir }
}

async fn user(f: &Fixture, name: &str) {
    f.engine
        .create_user(NewUserRequest {
            username: name.into(),
            password: Zeroizing::new("password-1".into()),
            name: Some("Ada Lovelace".into()),
            ..NewUserRequest::default()
        })
        .await
        .unwrap();
}

fn request(username: &str, key: KeyAlgorithm) -> NewCredentialRequest {
    NewCredentialRequest {
        username: username.into(),
        key: Some(key),
        profile: Some(Profile::NaturalPerson.as_str().into()),
        scal: 2,
        multisign: 1,
        description: None,
        accepted_by_operator: false,
    }
}

fn authorize_one(credential: &str, hash: Vec<u8>, pin: &str) -> signet_engine::CscAuthorize {
    signet_engine::CscAuthorize {
        credential_id: credential.to_owned(),
        num_signatures: 1,
        hashes: vec![hash],
        hash_algo: None,
        pin: Some(Zeroizing::new(pin.to_owned())),
        otp: None,
        description: None,
    }
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn bootstrap_is_idempotent() {
    let f = fixture().await;
    let again = f.engine.bootstrap().await.unwrap();
    assert!(!again.created_root_ca && !again.created_issuing_ca && !again.created_default_group);
    assert_eq!(f.store.list_cas().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_credential_chains_to_the_root_and_its_stored_key_matches_its_certificate() {
    let f = fixture().await;
    user(&f, "ada").await;
    let view = f.engine.create_credential(request("ada", KeyAlgorithm::Rsa2048)).await.unwrap();
    assert_eq!(view.valid_from, Some(T0 - 60), "validity comes from the engine's clock");
    let subject = view.subject.unwrap_or_default();
    assert!(subject.contains("CN=Ada Lovelace"), "{subject}");

    let d = f.dir.path();
    for ca in f.engine.ca_certificates().await.unwrap() {
        std::fs::write(d.join(format!("{}.pem", ca.id)), ca.pem).unwrap();
    }
    let cred = f.store.credential_by_id(&view.credential_id).await.unwrap().unwrap();
    let chain = signet_pki::split_chain(&cred.certificate_chain).unwrap();
    assert_eq!(chain.len(), 3, "leaf, issuing CA, root");
    std::fs::write(d.join("ee.pem"), signet_pki::to_pem(&chain[0])).unwrap();
    let p = |n: &str| d.join(n).display().to_string();
    let out = openssl(&[
        "verify",
        "-x509_strict",
        "-CAfile",
        &p("root.pem"),
        "-untrusted",
        &p("issuing.pem"),
        &p("ee.pem"),
    ]);
    assert!(out.contains("ee.pem: OK"), "{out}");

    // The wrapped key in the database signs for exactly this certificate's public key.
    let owner = f.store.user_by_username("ada").await.unwrap().unwrap().id;
    let binding =
        KeyBinding { owner: &owner, credential: &cred.id, algorithm: KeyAlgorithm::Rsa2048 };
    let data = b"approved document";
    std::fs::write(d.join("data"), data).unwrap();
    let alg = SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256);
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, data);
    let sig = f
        .module
        .sign_digest(&WrappedKey(cred.wrapped_key.clone()), &binding, alg, &digest)
        .unwrap();
    std::fs::write(d.join("sig"), sig).unwrap();
    openssl(&["x509", "-in", &p("ee.pem"), "-pubkey", "-noout", "-out", &p("pub.pem")]);
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        &p("pub.pem"),
        "-signature",
        &p("sig"),
        &p("data"),
    ]);
    assert!(out.contains("Verified OK"), "{out}");
}

#[tokio::test]
async fn a_key_copied_to_another_credential_cannot_sign() {
    let f = fixture().await;
    user(&f, "ada").await;
    let a = f.engine.create_credential(request("ada", KeyAlgorithm::EcP256)).await.unwrap();
    let b = f.engine.create_credential(request("ada", KeyAlgorithm::EcP256)).await.unwrap();
    let a = f.store.credential_by_id(&a.credential_id).await.unwrap().unwrap();
    let owner = a.user_id.clone();
    // Present A's blob as if it were B's.
    let binding =
        KeyBinding { owner: &owner, credential: &b.credential_id, algorithm: KeyAlgorithm::EcP256 };
    let err = f
        .module
        .sign_digest(
            &WrappedKey(a.wrapped_key),
            &binding,
            SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
            &[1; 32],
        )
        .unwrap_err();
    assert!(matches!(err, signet_crypto::CryptoError::UnwrapFailed), "{err}");
}

#[tokio::test]
async fn a_corrupted_ca_key_fails_cleanly_and_writes_nothing() {
    let f = fixture().await;
    user(&f, "ada").await;
    let pool = sqlx::SqlitePool::connect(&f.url).await.unwrap();
    pool.execute(
        "UPDATE certificate_authorities SET wrapped_key = zeroblob(200) WHERE id = 'issuing'",
    )
    .await
    .unwrap();
    let err = f.engine.create_credential(request("ada", KeyAlgorithm::EcP256)).await.unwrap_err();
    assert!(matches!(err, EngineError::Integrity(_)), "{err:?}");
    assert!(f.engine.list_credentials("ada").await.unwrap().is_empty());
}

#[tokio::test]
async fn wrong_pins_lock_and_a_reset_unlocks() {
    let f = fixture().await;
    user(&f, "ada").await;
    let cred = f.engine.create_credential(request("ada", KeyAlgorithm::EcP256)).await.unwrap();
    let caller = Caller::User {
        user: f.store.user_by_username("ada").await.unwrap().unwrap(),
        client: None,
        family: "t".into(),
    };
    let authorize = |pin: &'static str| {
        let (engine, caller, id) = (f.engine.clone(), caller.clone(), cred.credential_id.clone());
        async move { engine.csc_authorize(&caller, authorize_one(&id, vec![7u8; 32], pin)).await }
    };
    assert!(matches!(authorize("123456").await, Err(SamError::PinNotSet)));
    f.engine.set_pin("ada", "123456").await.unwrap();
    let max = i64::from(f.engine.settings().pin_policy.max_attempts);
    for i in 1..max {
        match authorize("000000").await {
            Err(SamError::InvalidPin { remaining }) => assert_eq!(remaining, max - i),
            other => panic!("attempt {i}: {other:?}"),
        }
    }
    assert!(matches!(authorize("000000").await, Err(SamError::PinLocked)));
    assert!(
        matches!(authorize("123456").await, Err(SamError::PinLocked)),
        "right PIN, still locked"
    );
    f.engine.set_pin("ada", "654321").await.unwrap();
    assert!(authorize("654321").await.is_ok());
}

#[tokio::test]
async fn sha1_is_offered_only_where_the_group_allows_it() {
    let f = fixture().await;
    f.engine.create_group("legacy", true).await.unwrap();
    user(&f, "ada").await;
    f.engine
        .create_user(NewUserRequest {
            username: "old".into(),
            password: Zeroizing::new("password-1".into()),
            group: Some("legacy".into()),
            ..NewUserRequest::default()
        })
        .await
        .unwrap();
    let modern = f.engine.create_credential(request("ada", KeyAlgorithm::Rsa2048)).await.unwrap();
    let legacy = f.engine.create_credential(request("old", KeyAlgorithm::Rsa2048)).await.unwrap();
    assert!(!modern.algorithms.iter().any(|a| a.contains("SHA1")), "{:?}", modern.algorithms);
    assert!(legacy.algorithms.iter().any(|a| a == "RSA-PKCS1-SHA1"), "{:?}", legacy.algorithms);
}

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    let f = fixture().await;
    user(&f, "ada").await;
    let mut r = request("ada", KeyAlgorithm::EcP256);
    r.scal = 3;
    assert!(matches!(f.engine.create_credential(r).await, Err(EngineError::InvalidInput(_))));
    let mut r = request("ada", KeyAlgorithm::EcP256);
    r.multisign = 0;
    assert!(matches!(f.engine.create_credential(r).await, Err(EngineError::InvalidInput(_))));
    assert!(matches!(
        f.engine.create_credential(request("nobody", KeyAlgorithm::EcP256)).await,
        Err(EngineError::NotFound(_))
    ));
    assert!(matches!(f.engine.set_pin("ada", "12").await, Err(EngineError::InvalidInput(_))));
    assert!(matches!(
        f.engine.create_group("bad name", false).await,
        Err(EngineError::InvalidInput(_))
    ));
    assert!(matches!(f.engine.create_group("default", false).await, Err(EngineError::Conflict(_))));
    let short = NewUserRequest {
        username: "bob".into(),
        password: Zeroizing::new("short".into()),
        ..NewUserRequest::default()
    };
    assert!(matches!(f.engine.create_user(short).await, Err(EngineError::InvalidInput(_))));
    assert!(f.engine.list_credentials("ada").await.unwrap().is_empty());
    assert!(f.store.user_by_username("bob").await.unwrap().is_none());
}

fn client_request(name: &str) -> NewClientRequest {
    NewClientRequest {
        group: "default".into(),
        name: name.into(),
        scopes: vec!["service".into()],
        ..NewClientRequest::default()
    }
}

async fn last_audit(store: &SqlStore) -> signet_store::AuditRecord {
    let filter =
        signet_store::AuditFilter { user_id: None, since: None, after_seq: None, limit: 1000 };
    store.audit_records(&filter).await.unwrap().pop().unwrap()
}

#[tokio::test]
async fn client_secrets_are_stored_only_as_hashes() {
    let f = fixture().await;
    let c = f.engine.create_client(client_request("app")).await.unwrap();
    let stored = f.store.client_by_id(&c.client.client_id).await.unwrap().unwrap();
    let (secret, hash) = (c.client_secret.unwrap(), stored.secret_hash.unwrap());
    assert_ne!(hash, secret);
    assert!(signet_auth::verify_secret(secret.as_bytes(), &hash).unwrap());
}

/// A public client is registered without a secret, with what it may do in the audit
/// record; it never gets a token by `client_credentials`, whatever secret it sends, and
/// the refusal is audited.
#[tokio::test]
async fn public_clients_have_no_secret_and_no_client_credentials() {
    let f = fixture().await;
    let c = f
        .engine
        .create_client(NewClientRequest {
            redirect_uris: vec!["http://127.0.0.1:8400/cb".into(), "https://app.example/cb".into()],
            public: true,
            scopes: vec!["openid".into(), "credential".into(), "openid".into()],
            claims: vec!["name".into(), "loa".into()],
            ..client_request("mobile")
        })
        .await
        .unwrap();
    assert_eq!(c.client_secret, None);
    assert_eq!(c.client.scopes, ["openid", "credential"], "repeats dropped, order kept");
    let stored = f.store.client_by_id(&c.client.client_id).await.unwrap().unwrap();
    assert!(stored.public && stored.secret_hash.is_none());
    assert_eq!(stored.redirect_uris, c.client.redirect_uris);
    let created = last_audit(&f.store).await;
    assert_eq!(created.kind, "admin.client.create");
    let details: serde_json::Value = serde_json::from_str(&created.details).unwrap();
    assert_eq!(details["public"], true);
    assert_eq!(details["redirect_uris"][1], "https://app.example/cb");
    assert_eq!(details["scopes"], serde_json::json!(["openid", "credential"]));

    for secret in ["", "anything"] {
        let err = f
            .engine
            .client_credentials(&c.client.client_id, Zeroizing::new(secret.into()), None)
            .await
            .unwrap_err();
        assert!(matches!(&err, EngineError::Unauthorized(m) if m == "invalid client"), "{err}");
        let refused = last_audit(&f.store).await;
        assert_eq!((refused.kind.as_str(), refused.outcome.as_str()), ("oauth2.token", "refused"));
    }
    let confidential = f.engine.create_client(client_request("server")).await.unwrap();
    let secret = Zeroizing::new(confidential.client_secret.unwrap());
    f.engine
        .client_credentials(&confidential.client.client_id, secret, None)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn bad_client_registrations_are_refused_and_write_nothing() {
    let f = fixture().await;
    let cases: Vec<(NewClientRequest, &str)> = vec![
        (
            NewClientRequest {
                redirect_uris: vec!["http://app.example/cb".into()],
                ..client_request("a")
            },
            "uses http",
        ),
        (NewClientRequest { public: true, ..client_request("b") }, "at least one redirect URI"),
        (
            NewClientRequest { scopes: vec!["admin".into()], ..client_request("c") },
            "unknown scope `admin`",
        ),
        (NewClientRequest { scopes: vec![], ..client_request("d") }, "at least one scope"),
        (
            NewClientRequest { claims: vec!["ssn".into()], ..client_request("e") },
            "unknown claim `ssn`",
        ),
        (NewClientRequest { claims: vec!["email".into()], ..client_request("f") }, "`openid`"),
        (
            NewClientRequest {
                redirect_uris: (0..33).map(|i| format!("https://app.example/{i}")).collect(),
                ..client_request("g")
            },
            "at most 32",
        ),
        (NewClientRequest { group: "nogroup".into(), ..client_request("h") }, "not found"),
    ];
    let before = f.store.audit_head().await.unwrap();
    for (req, expect) in cases {
        let err = f.engine.create_client(req).await.unwrap_err().to_string();
        assert!(err.contains(expect), "{expect}: {err}");
    }
    assert!(f.store.list_clients(None).await.unwrap().is_empty());
    assert_eq!(f.store.audit_head().await.unwrap(), before, "nothing audited as created");

    f.engine.create_client(client_request("app")).await.unwrap();
    let err = f.engine.create_client(client_request("app")).await.unwrap_err();
    assert_eq!(err.to_string(), "group `default` already has a client named `app`");
}

/// A SAD and a token expire through the engine's clock (invariant 7), and the expired SAD
/// is refused with its own error and audited.
#[tokio::test]
async fn sads_and_tokens_expire_by_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("signet.db").display());
    let store = Arc::new(SqlStore::connect(&url, 4).await.unwrap());
    let clock = Arc::new(ManualClock::new(T0));
    let engine = Engine::new(
        store.clone(),
        Arc::new(SoftModule::from_master_key(&[9u8; 32]).unwrap()),
        clock.clone(),
        EngineSettings::for_tests("http://127.0.0.1:9999"),
    );
    engine.bootstrap().await.unwrap();
    engine
        .create_user(NewUserRequest {
            username: "ada".into(),
            password: Zeroizing::new("password-1".into()),
            name: Some("Ada Lovelace".into()),
            ..NewUserRequest::default()
        })
        .await
        .unwrap();
    engine.set_pin("ada", "123456").await.unwrap();
    let cred = engine.create_credential(request("ada", KeyAlgorithm::EcP256)).await.unwrap();

    let tokens = engine.login("ada", Zeroizing::new("password-1".into()), false).await.unwrap();
    let caller = engine.authenticate(&tokens.access_token).await.unwrap();
    let h = vec![5u8; 32];
    let sad = engine
        .csc_authorize(&caller, authorize_one(&cred.credential_id, h.clone(), "123456"))
        .await
        .unwrap();
    clock.advance(engine.settings().sad_ttl_seconds);
    let alg = SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256);
    let err = engine
        .csc_sign_hash(&caller, &cred.credential_id, &sad.value, vec![h], alg)
        .await
        .unwrap_err();
    assert!(matches!(err, SamError::SadExpired), "{err:?}");
    let last = store
        .audit_records(&signet_store::AuditFilter {
            user_id: None,
            since: None,
            after_seq: None,
            limit: 1000,
        })
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!((last.kind.as_str(), last.outcome.as_str()), ("signatures.signHash", "refused"));
    assert!(last.details.contains("SAD expired"), "{}", last.details);

    clock.advance(signet_engine::ACCESS_TOKEN_TTL);
    assert_eq!(
        engine.authenticate(&tokens.access_token).await.unwrap_err(),
        signet_engine::TokenRefusal::Expired
    );
}
