//! The authorization server and OpenID Connect provider against `signet serve`, driven
//! like a browser (curl with a cookie jar, each redirect asserted): the code flow with
//! PKCE, login, consent, tokens, the ID token and userinfo; and one test per RFC 9700 /
//! OpenID Connect conformance check, named after it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;
use common::browser::{encode, query_param, redeem_public, Browser, REDIRECT, VERIFIER};
use common::oidc_world::{claims, World};
use common::signer::{b64url, sha256};
use common::*;
use serde_json::Value;
use std::process::Command;

#[test]
fn code_flow_with_pkce_issues_tokens_an_id_token_and_userinfo() {
    let w = World::start();
    // Discovery names this issuer and its endpoints (RFC 8414, OpenID Connect Discovery).
    let (st, meta) = http(w.addr(), "GET", "/.well-known/openid-configuration", None, None);
    assert_eq!(st, 200);
    assert_eq!(meta["issuer"], w.issuer());
    assert_eq!(meta["authorization_endpoint"], format!("{}/oauth2/authorize", w.issuer()));
    assert_eq!(meta["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(meta["ui_locales_supported"], serde_json::json!(["en", "fr"]));
    let (_, same) = http(w.addr(), "GET", "/.well-known/oauth-authorization-server", None, None);
    assert_eq!(same, meta);

    let b = Browser::new(w.addr());
    let back = w.login_and_consent(&b, &w.authorize(&w.spa, &[]));
    assert_eq!(query_param(&back, "state").as_deref(), Some("st-123"));
    assert_eq!(query_param(&back, "iss").as_deref(), Some(w.issuer().as_str()));
    let code = query_param(&back, "code").unwrap();

    let (st, tokens) = w.redeem(&code);
    assert_eq!(st, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "openid profile");
    assert!(tokens.get("refresh_token").is_none(), "no offline_access, no refresh: {tokens}");
    let id = claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(id["iss"], w.issuer());
    assert_eq!(id["aud"], w.spa);
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["acr"], "http://eidas.europa.eu/LoA/low");
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    assert!(id["auth_time"].as_i64().unwrap() <= id["iat"].as_i64().unwrap());
    let access = tokens["access_token"].as_str().unwrap();
    let half = &sha256(access.as_bytes())[..16];
    assert_eq!(id["at_hash"], b64url(half));
    // The signature verifies with the published key (RS256, JWKS).
    let (_, jwks) = http(w.addr(), "GET", "/oauth2/jwks", None, None);
    assert_eq!(jwks["keys"][0]["kty"], "RSA", "{jwks}");
    verify_rs256(tokens["id_token"].as_str().unwrap(), &jwks);

    // Userinfo: the claims the client may read and the user consented to, and the level.
    let (st, info) = http(w.addr(), "GET", "/oidc/userinfo", Some(access), None);
    assert_eq!(st, 200, "{info}");
    assert_eq!(info["sub"], id["sub"]);
    assert_eq!(info["name"], "Ada Lovelace");
    assert!(info.get("email").is_none(), "email was not asked for: {info}");
    assert_eq!(info["loa"]["level"], "low");
    // An OpenID token does not open the CSC API (scope service not granted).
    let (st, _) = http(
        w.addr(),
        "POST",
        "/csc/v1/credentials/list",
        Some(access),
        Some(&serde_json::json!({})),
    );
    assert_eq!(st, 401);

    // Single sign-on: a second request in the same browser needs no login or consent.
    let again = b.follow(b.get(&w.authorize(&w.spa, &[("state", "second")])));
    assert_eq!(again.status, 303);
    let location = again.location().unwrap();
    assert!(
        location.starts_with(REDIRECT) && query_param(&location, "code").is_some(),
        "{location}"
    );
    assert!(w.audit().contains("oauth2.authorize"));
}

#[test]
fn rfc9700_code_reuse_is_refused_and_revokes_the_tokens() {
    let w = World::start();
    let code = w.code(&[]);
    let (st, first) = w.redeem(&code);
    assert_eq!(st, 200, "{first}");
    let (st, second) = w.redeem(&code);
    assert_eq!((st, second["error"].as_str()), (400, Some("invalid_grant")), "{second}");
    let access = first["access_token"].as_str().unwrap();
    let (st, _) = http(w.addr(), "GET", "/oidc/userinfo", Some(access), None);
    assert_eq!(st, 401, "the first redemption's token is revoked");
    assert!(w.audit().contains("code used twice"));
}

#[test]
fn rfc6749_code_is_bound_to_its_client() {
    let w = World::start();
    let code = w.code(&[]);
    let (id, secret) = (&w.web.0, &w.web.1);
    let (st, v) = w.token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        Some((id, secret)),
    );
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")), "{v}");
    // … and a confidential client cannot pass as public with its id alone.
    let (st, v) =
        w.token(&[("grant_type", "authorization_code"), ("code", &code), ("client_id", id)], None);
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{v}");
}

#[test]
fn rfc7636_pkce_missing_wrong_or_plain_is_refused() {
    let w = World::start();
    let b = Browser::new(w.addr());
    // A public client without PKCE, or with `plain`: refused at the client's redirect URI.
    for extra in [
        vec![("code_challenge", ""), ("code_challenge_method", "")],
        vec![("code_challenge_method", "plain"), ("code_challenge", VERIFIER)],
    ] {
        let a = b.get(&w.authorize(&w.spa, &extra));
        assert_eq!(a.status, 303);
        let l = a.location().unwrap();
        assert_eq!(query_param(&l, "error").as_deref(), Some("invalid_request"), "{l}");
        assert_eq!(query_param(&l, "state").as_deref(), Some("st-123"));
    }
    // A wrong verifier, and none.
    let code = w.code(&[]);
    for verifier in ["", &VERIFIER.replace('d', "e")] {
        let mut f = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", w.spa.as_str()),
        ];
        if !verifier.is_empty() {
            f.push(("code_verifier", verifier));
        }
        let (st, v) = w.token(&f, None);
        assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")), "{v}");
    }
    // A verifier where the request had no challenge (downgrade): the confidential client.
    let b = Browser::new(w.addr());
    let authorize = w.authorize(&w.web.0, &[("code_challenge", ""), ("code_challenge_method", "")]);
    let back = w.login_and_consent(&b, &authorize);
    let code = query_param(&back, "code").unwrap();
    let (st, v) = w.token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
        Some((&w.web.0, &w.web.1)),
    );
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")), "{v}");
}

#[test]
fn rfc9700_redirect_uri_mismatch_query_or_fragment_is_never_redirected_to() {
    let w = World::start();
    let b = Browser::new(w.addr());
    for uri in [
        "http://127.0.0.1:9/other",
        "http://127.0.0.1:9/cb?x=1",
        "http://127.0.0.1:9/cb#f",
        "http://127.0.0.1:9/cb/",
        "https://evil.example/cb",
    ] {
        let a = b.get(&w.authorize(&w.spa, &[("redirect_uri", uri)]));
        assert_eq!(a.status, 400, "{uri}: {}", a.body);
        assert!(a.location().is_none(), "{uri}");
        assert!(a.body.contains("not registered"), "{}", a.body);
    }
    // The token request must name the same redirect URI.
    let code = w.code(&[]);
    let (st, v) = w.token(
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:9/cb?x=1"),
            ("client_id", &w.spa),
            ("code_verifier", VERIFIER),
        ],
        None,
    );
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")), "{v}");
}

#[test]
fn rfc9700_open_redirect_is_impossible() {
    let w = World::start();
    let b = Browser::new(w.addr());
    // Unknown client: an error page, whatever redirect_uri says.
    let a = b.get(&w.authorize("no-such-client", &[("redirect_uri", "https://evil.example/")]));
    assert_eq!(a.status, 400);
    assert!(a.location().is_none());
    // An unknown or forged interaction id leads nowhere.
    let a = b.get("/oauth2/interaction/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_eq!(a.status, 404);
    assert!(a.location().is_none());
    // Logout takes no redirect target.
    let a = b.get("/logout?post_logout_redirect_uri=https://evil.example/");
    assert_eq!(a.status, 200);
    assert!(a.location().is_none());
    // Pages cannot be framed and load nothing from elsewhere.
    let a = b.follow(b.get(&w.authorize(&w.spa, &[])));
    let csp = a.raw_header("content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(a.raw_header("x-frame-options").as_deref(), Some("DENY"));
}

#[test]
fn oidc_state_and_iss_are_returned_and_nonce_is_echoed() {
    let w = World::start();
    let code = w.code(&[("state", "a b&c=d"), ("nonce", "nonce-42")]);
    let (_, tokens) = w.redeem(&code);
    assert_eq!(claims(tokens["id_token"].as_str().unwrap())["nonce"], "nonce-42");
    let b = Browser::new(w.addr());
    let back = w.login_and_consent(&b, &w.authorize(&w.spa, &[("state", "a b&c=d")]));
    assert_eq!(query_param(&back, "state").as_deref(), Some("a b&c=d"));
    assert_eq!(query_param(&back, "iss").as_deref(), Some(w.issuer().as_str()));
}

#[test]
fn rfc9700_refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let w = World::start();
    let code = w.code(&[("scope", "openid offline_access")]);
    let (_, t) = w.redeem(&code);
    let r1 = t["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |r: &str| {
        w.token(
            &[("grant_type", "refresh_token"), ("refresh_token", r), ("client_id", &w.spa)],
            None,
        )
    };
    let (st, t2) = refresh(&r1);
    assert_eq!(st, 200, "{t2}");
    let r2 = t2["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    let (st, v) = refresh(&r1);
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")), "{v}");
    let (st, v) = refresh(&r2);
    assert_eq!(
        (st, v["error"].as_str()),
        (400, Some("invalid_grant")),
        "reuse revoked the family: {v}"
    );
    let (st, _) =
        http(w.addr(), "GET", "/oidc/userinfo", Some(t2["access_token"].as_str().unwrap()), None);
    assert_eq!(st, 401);
}

/// OpenID Connect Core §11 and §3.1.2.4: the signer consents to `offline_access` (a
/// refresh token) and to `service` (the CSC API on their behalf) as to claims; the
/// consent page words them, `prompt=none` gets `consent_required` while consent is
/// missing, a consent is remembered, a request for more asks again, and `prompt=consent`
/// always shows the page — even when no claim is asked for.
#[test]
fn oidc_consent_covers_offline_access_service_and_prompt_consent() {
    let w = World::start();
    let tool = admin_json(
        w.dir.path(),
        &[
            "client",
            "create",
            "--group",
            "default",
            "--name",
            "tool",
            "--redirect-uri",
            REDIRECT,
            "--public",
            "--scope",
            "openid",
            "--scope",
            "offline_access",
            "--scope",
            "service",
        ],
        "",
    );
    let tool = tool["client_id"].as_str().unwrap().to_owned();
    let b = Browser::new(w.addr());
    // No claim, no access: signed in without a consent page.
    let page = b.follow(b.get(&w.authorize(&tool, &[("scope", "openid")])));
    let back = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "ada-password")],
    ));
    assert_eq!(back.status, 303, "{}", back.body);
    assert!(query_param(&back.location().unwrap(), "code").is_some());

    // A refresh token needs consent: prompt=none cannot get it …
    let none = b.follow(
        b.get(&w.authorize(&tool, &[("scope", "openid offline_access"), ("prompt", "none")])),
    );
    let l = none.location().unwrap_or_default();
    assert_eq!(query_param(&l, "error").as_deref(), Some("consent_required"), "{l}");
    // … the page asks for it, and the answer is remembered.
    let page = b.follow(b.get(&w.authorize(&tool, &[("scope", "openid offline_access")])));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Share your information"), "{}", page.body);
    assert!(page.body.contains("keep this access while you are not signed in"), "{}", page.body);
    let back =
        b.follow(b.post(&page.form_action(), &[("csrf", &page.csrf()), ("decision", "allow")]));
    let code = query_param(&back.location().unwrap(), "code").unwrap();
    let (st, t) = redeem_public(w.addr(), &code, &tool);
    assert_eq!(st, 200, "{t}");
    assert!(t["refresh_token"].is_string(), "{t}");
    let again = b.follow(b.get(&w.authorize(&tool, &[("scope", "openid offline_access")])));
    assert_eq!(again.status, 303, "consented already: {}", again.body);
    assert!(query_param(&again.location().unwrap(), "code").is_some());

    // The CSC API on the signer's behalf is more than was consented: asked again, and a
    // refusal gives no code.
    let page = b.follow(b.get(&w.authorize(&tool, &[("scope", "openid service")])));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("use the signing service on your behalf"), "{}", page.body);
    let back =
        b.follow(b.post(&page.form_action(), &[("csrf", &page.csrf()), ("decision", "deny")]));
    let l = back.location().unwrap();
    assert_eq!(query_param(&l, "error").as_deref(), Some("access_denied"), "{l}");
    assert!(query_param(&l, "code").is_none());

    // prompt=consent shows the page even with nothing but openid (the consent above is
    // recorded with one-second times: the request comes a second later).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let page = b.follow(b.get(&w.authorize(&tool, &[("scope", "openid"), ("prompt", "consent")])));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("asks to sign you in with your account"), "{}", page.body);
    let back =
        b.follow(b.post(&page.form_action(), &[("csrf", &page.csrf()), ("decision", "allow")]));
    assert!(query_param(&back.location().unwrap(), "code").is_some());
    // Consenting again kept what was consented before.
    let again = b.follow(b.get(&w.authorize(&tool, &[("scope", "openid offline_access")])));
    assert_eq!(again.status, 303, "{}", again.body);
}

#[test]
fn oidc_prompt_none_without_a_session_answers_login_required() {
    let w = World::start();
    let b = Browser::new(w.addr());
    let a = b.follow(b.get(&w.authorize(&w.spa, &[("prompt", "none")])));
    assert_eq!(a.status, 303);
    let l = a.location().unwrap();
    assert_eq!(query_param(&l, "error").as_deref(), Some("login_required"), "{l}");
}

#[test]
fn csrf_token_missing_or_cross_origin_post_is_refused() {
    let w = World::start();
    let b = Browser::new(w.addr());
    let page = b.follow(b.get(&w.authorize(&w.spa, &[])));
    let action = page.form_action();
    let a = b.post(&action, &[("username", "ada"), ("password", "ada-password")]);
    assert_eq!(a.status, 403, "{}", a.body);
    let mut evil = Browser::new(w.addr());
    evil.extra.push("Origin: https://evil.example".into());
    let page = evil.follow(evil.get(&w.authorize(&w.spa, &[])));
    let a = evil.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "ada-password")],
    );
    assert_eq!(a.status, 403, "{}", a.body);
    // A form larger than any page posts is refused before anything reads it.
    let page = b.follow(b.get(&w.authorize(&w.spa, &[])));
    let big = "x".repeat(70 * 1024);
    let fields = [("csrf", page.csrf()), ("username", big), ("password", "p".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let a = b.post(&page.form_action(), &fields);
    assert_eq!(a.status, 413, "{}", a.body);
}

#[test]
fn csc_credential_scope_signs_exactly_the_approved_hashes_once() {
    credential_flow(&World::start());
}

/// The same on SoftHSM2: the SAD sealed by the HSM, the key unwrapped there for the one
/// signature, and no signer key left on the token.
#[test]
fn csc_credential_scope_on_the_hsm() {
    let Some(w) = World::start_on(Module::Pkcs11) else { return };
    credential_flow(&w);
    let labels = token_private_keys(w.dir.path());
    assert!(labels.iter().all(|l| l.starts_with("signet:service:")), "{labels:?}");
}

fn credential_flow(w: &World) {
    let digest = sha256(b"the contract");
    let hash = b64url(&digest);
    let b = Browser::new(w.addr());
    let authorize = w.authorize(
        &w.spa,
        &[
            ("scope", "credential"),
            ("credentialID", &w.credential),
            ("numSignatures", "1"),
            ("hash", &hash),
            ("description", "Loan contract 42"),
        ],
    );
    let page = b.follow(b.get(&authorize.replace("/oauth2/authorize", "/csc/v1/oauth2/authorize")));
    let page = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "ada-password")],
    ));
    assert!(page.body.contains("Approve the signature"), "{}", page.body);
    assert!(page.body.contains("Loan contract 42"));
    assert!(page.body.contains(&digest.iter().map(|b| format!("{b:02x}")).collect::<String>()));
    // A wrong PIN keeps the signer on the page, with the attempts left.
    let wrong = b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("decision", "allow"), ("pin", "000000")],
    );
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("Wrong PIN"), "{}", wrong.body);
    let back = b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("decision", "allow"), ("pin", "123456")],
    );
    assert_eq!(back.status, 303, "{}", back.body);
    let code = query_param(&back.location().unwrap(), "code").unwrap();
    let (st, t) = w.redeem(&code);
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["scope"], "credential");
    let token = t["access_token"].as_str().unwrap();
    let sign = |h: &str| {
        post(
            w.addr(),
            "/csc/v1/signatures/signHash",
            Some(token),
            &serde_json::json!({ "credentialID": w.credential, "hash": [h], "signAlgo": "1.2.840.10045.4.3.2" }),
        )
    };
    // Another hash than the approved one is refused by the SAM.
    let other = signer::b64(&sha256(b"another"));
    let (st, v, _) = sign(&other);
    assert_eq!(st, 400, "{v}");
    let std_hash = signer::b64(&digest);
    let (st, v, _) = sign(&std_hash);
    assert_eq!(st, 200, "{v}");
    // The signature verifies with the credential's certificate (OpenSSL).
    let (_, info) = http(
        w.addr(),
        "POST",
        "/csc/v1/credentials/info",
        Some(&login(w.addr(), "ada", "ada-password")),
        Some(&serde_json::json!({ "credentialID": w.credential, "certificates": "single" })),
    );
    let cert = signer::unb64(info["cert"]["certificates"][0].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.der"), cert).unwrap();
    std::fs::write(dir.path().join("data"), b"the contract").unwrap();
    std::fs::write(dir.path().join("sig"), signer::unb64(v["signatures"][0].as_str().unwrap()))
        .unwrap();
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        &p("c.der"),
        "-pubkey",
        "-noout",
        "-out",
        &p("pub.pem"),
    ]);
    let verified = openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        &p("pub.pem"),
        "-signature",
        &p("sig"),
        &p("data"),
    ]);
    assert!(verified.contains("Verified OK"), "{verified}");
    // The token is spent: a replay is refused, and audited.
    let (st, _, _) = sign(&std_hash);
    assert_eq!(st, 401);
    let audit = w.audit();
    assert!(
        audit.contains("signatures.signHash") && audit.contains("revoked or spent token"),
        "{audit}"
    );
}

/// Verifies an RS256 JWS with the first key of a JWK Set, with OpenSSL.
fn verify_rs256(jwt: &str, jwks: &Value) {
    let (input, sig) = jwt.rsplit_once('.').unwrap();
    let n = signer::unb64url(jwks["keys"][0]["n"].as_str().unwrap());
    let e = signer::unb64url(jwks["keys"][0]["e"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
    // An ASN.1 description of the RSA public key for `openssl asn1parse -genconf`.
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let conf = format!(
        "asn1=SEQUENCE:pubkey\n[pubkey]\nalg=SEQUENCE:alg\nkey=BITWRAP,SEQUENCE:rsa\n[alg]\noid=OID:rsaEncryption\nnull=NULL\n[rsa]\nn=INTEGER:0x{}\ne=INTEGER:0x{}\n",
        hex(&n),
        hex(&e)
    );
    std::fs::write(p("key.conf"), conf).unwrap();
    openssl(&["asn1parse", "-genconf", &p("key.conf"), "-out", &p("key.der"), "-noout"]);
    std::fs::write(p("input"), input).unwrap();
    std::fs::write(p("sig"), signer::unb64url(sig)).unwrap();
    let out = openssl(&[
        "dgst",
        "-sha256",
        "-keyform",
        "DER",
        "-verify",
        &p("key.der"),
        "-signature",
        &p("sig"),
        &p("input"),
    ]);
    assert!(out.contains("Verified OK"), "{out}");
}

#[test]
fn rfc7009_a_public_client_revokes_its_tokens_but_cannot_introspect() {
    let w = World::start();
    let code = w.code(&[("scope", "openid offline_access")]);
    let (_, t) = w.redeem(&code);
    let refresh = t["refresh_token"].as_str().unwrap();
    let post_form = |path: &str, fields: &[(&str, &str)]| {
        let out = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--data-binary"])
            .arg(encode(fields))
            .arg(format!("http://{}{path}", w.addr()))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let introspect = post_form("/oauth2/introspect", &[("token", refresh), ("client_id", &w.spa)]);
    assert_eq!(introspect, "401");
    let revoke = post_form("/oauth2/revoke", &[("token", refresh), ("client_id", &w.spa)]);
    assert_eq!(revoke, "200");
    let (st, v) = w.token(
        &[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", &w.spa)],
        None,
    );
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_grant")), "{v}");
    let (st, _) =
        http(w.addr(), "GET", "/oidc/userinfo", Some(t["access_token"].as_str().unwrap()), None);
    assert_eq!(st, 401, "the access token went with its refresh token");
}

#[test]
fn rfc9396_authorization_details_of_type_credential_are_approved_like_hashes() {
    let w = World::start();
    let (_, info) = http(w.addr(), "GET", "/csc/v1/info", None, None);
    assert!(
        info["authType"].as_array().unwrap().contains(&serde_json::json!("oauth2code")),
        "{info}"
    );
    assert_eq!(info["oauth2"], w.issuer());
    let digest = sha256(b"annex");
    let details = serde_json::json!([{
        "type": "credential",
        "credentialID": w.credential,
        "documentDigests": [{ "hash": signer::b64(&digest), "label": "Annex A.pdf" }],
        "hashAlgorithmOID": "2.16.840.1.101.3.4.2.1",
    }]);
    let b = Browser::new(w.addr());
    let authorize =
        w.authorize(&w.spa, &[("scope", ""), ("authorization_details", &details.to_string())]);
    let page = b.follow(b.get(&authorize));
    let page = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "ada-password")],
    ));
    assert!(page.body.contains("Annex A.pdf"), "{}", page.body);
    let back = b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("decision", "allow"), ("pin", "123456")],
    );
    let code = query_param(&back.location().unwrap(), "code").unwrap();
    let (_, t) = w.redeem(&code);
    let (st, v, _) = post(
        w.addr(),
        "/csc/v1/signatures/signHash",
        Some(t["access_token"].as_str().unwrap()),
        &serde_json::json!({ "credentialID": w.credential, "hash": [signer::b64(&digest)], "signAlgo": "1.2.840.10045.4.3.2" }),
    );
    assert_eq!(st, 200, "{v}");
}
