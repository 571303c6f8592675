//! Client authentication at the token endpoint with `private_key_jwt` (RFC 7523 §2.2,
//! OpenID Connect Core §9): assertions signed with the client's registered key (RS256 and
//! ES256, made with OpenSSL), each accepted once.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;
use common::browser::{query_param, Browser, REDIRECT, VERIFIER};
use common::oidc_world::World;
use common::signer::b64url;
use common::*;

/// A confidential client of the default group that authenticates with `private_key_jwt`
/// under the public key in `pub_pem` (the CLI's answer).
fn jwt_client(w: &World, name: &str, pub_pem: &str) -> serde_json::Value {
    let args = ["client", "create", "--group", "default", "--name", name];
    let args = [&args[..], &["--redirect-uri", REDIRECT, "--scope", "openid"]].concat();
    admin_json(w.dir.path(), &[&args[..], &["--jwt-key-file", pub_pem]].concat(), "")
}

/// Unix seconds: the server checks `exp` against its own (system) clock, so the
/// assertions must too.
#[allow(clippy::disallowed_methods)]
fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn rfc7523_private_key_jwt_authenticates_once_per_assertion() {
    let w = World::start();
    let keys = tempfile::tempdir().unwrap();
    let p = |f: &str| keys.path().join(f).to_str().unwrap().to_owned();
    for name in ["key", "other"] {
        openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &p(&format!("{name}.pem")),
        ]);
    }
    openssl(&["pkey", "-in", &p("key.pem"), "-pubout", "-out", &p("pub.pem")]);
    let c = jwt_client(&w, "backend", &p("pub.pem"));
    let id = c["client_id"].as_str().unwrap().to_owned();
    assert_eq!(c["jwt_key_ids"].as_array().unwrap().len(), 1, "{c}");
    let now = unix_now();
    let assertion = |key: &str, aud: &str, jti: &str| {
        let header = b64url(br#"{"alg":"RS256","typ":"JWT"}"#);
        let claims = serde_json::json!({ "iss": id, "sub": id, "aud": aud, "exp": now + 120, "iat": now, "jti": jti });
        let input = format!("{header}.{}", b64url(claims.to_string().as_bytes()));
        std::fs::write(p("input"), &input).unwrap();
        openssl(&[
            "dgst",
            "-sha256",
            "-sign",
            &p(&format!("{key}.pem")),
            "-out",
            &p("sig"),
            &p("input"),
        ]);
        format!("{input}.{}", b64url(&std::fs::read(p("sig")).unwrap()))
    };
    let token_endpoint = format!("{}/oauth2/token", w.issuer());
    let redeem = |assertion: &str| {
        let b = Browser::new(w.addr());
        let back = w.login_and_consent(&b, &w.authorize(&id, &[("scope", "openid")]));
        let code = query_param(&back, "code").unwrap();
        w.token(
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion),
            ],
            None,
        )
    };
    let good = assertion("key", &token_endpoint, "jti-1");
    let (st, v) = redeem(&good);
    assert_eq!(st, 200, "{v}");
    assert!(v["id_token"].is_string());
    for (bad, why) in [
        (good.clone(), "replayed"),
        (assertion("other", &token_endpoint, "jti-2"), "does not verify"),
        (assertion("key", "https://elsewhere.example/token", "jti-3"), "another audience"),
    ] {
        let (st, v) = redeem(&bad);
        assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{why}: {v}");
        assert!(w.audit().contains(why), "{why} not audited");
    }
}

/// DER `Ecdsa-Sig-Value` (what `openssl dgst -sign` writes) → JWS `r ‖ s` of `len`-byte
/// halves (RFC 7518 §3.4).
fn ecdsa_der_to_jws(der: &[u8], len: usize) -> Vec<u8> {
    assert_eq!(der[0], 0x30, "SEQUENCE");
    let mut at = 2;
    let mut out = Vec::new();
    for _ in 0..2 {
        assert_eq!(der[at], 0x02, "INTEGER");
        let n = usize::from(der[at + 1]);
        let value = &der[at + 2..at + 2 + n];
        let value = &value[value.iter().take_while(|b| **b == 0).count()..];
        out.extend(std::iter::repeat_n(0u8, len - value.len()));
        out.extend_from_slice(value);
        at += 2 + n;
    }
    out
}

#[test]
fn rfc7523_private_key_jwt_with_an_es256_assertion_authenticates() {
    let w = World::start();
    let keys = tempfile::tempdir().unwrap();
    let p = |f: &str| keys.path().join(f).to_str().unwrap().to_owned();
    openssl(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", &p("key.pem")]);
    openssl(&["pkey", "-in", &p("key.pem"), "-pubout", "-out", &p("pub.pem")]);
    let c = jwt_client(&w, "ec-backend", &p("pub.pem"));
    let id = c["client_id"].as_str().unwrap().to_owned();
    let now = unix_now();
    let aud = format!("{}/oauth2/token", w.issuer());
    let header = b64url(br#"{"alg":"ES256","typ":"JWT"}"#);
    let claims = serde_json::json!({ "iss": id, "sub": id, "aud": aud, "exp": now + 120, "iat": now, "jti": "ec-1" });
    let input = format!("{header}.{}", b64url(claims.to_string().as_bytes()));
    std::fs::write(p("input"), &input).unwrap();
    openssl(&["dgst", "-sha256", "-sign", &p("key.pem"), "-out", &p("sig"), &p("input")]);
    let signature = ecdsa_der_to_jws(&std::fs::read(p("sig")).unwrap(), 32);
    let assertion = format!("{input}.{}", b64url(&signature));

    let b = Browser::new(w.addr());
    let back = w.login_and_consent(&b, &w.authorize(&id, &[("scope", "openid")]));
    let code = query_param(&back, "code").unwrap();
    let (st, v) = w.token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", &assertion),
        ],
        None,
    );
    assert_eq!(st, 200, "an ES256 client assertion authenticates the client: {v}");
    assert!(v["id_token"].is_string(), "{v}");
}
