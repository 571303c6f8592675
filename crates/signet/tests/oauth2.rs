//! The authorization server's client endpoints against `signet serve`: token
//! introspection (RFC 7662) and revocation (RFC 7009). A client sees only its realm (its
//! own service tokens, its group's users' tokens); anything else is `{"active": false}`.
//! A client revokes only the tokens issued to it, and a revoked token no longer opens
//! the CSC API. Bad client authentication and bad requests get the RFC 6749 §5.2 error
//! shape.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;
use serde_json::Value;
use std::process::Command;

/// `POST path` with a form body and HTTP Basic `id:secret`: (status, JSON body).
fn form(addr: &str, path: &str, basic: Option<(&str, &str)>, body: &str) -> (u16, Value) {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST"]);
    if let Some((id, secret)) = basic {
        cmd.args(["-u", &format!("{id}:{secret}")]);
    }
    let out = cmd
        .args(["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body])
        .arg(format!("http://{addr}{path}"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap(), serde_json::from_str(body).unwrap_or(Value::Null))
}

fn creds(c: &Value) -> (&str, &str) {
    (c["client_id"].as_str().unwrap(), c["client_secret"].as_str().unwrap())
}

#[test]
fn clients_introspect_and_revoke_the_tokens_of_their_realm_only() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(d, &["group", "create", "bank"], "");
    let bank = admin_json(d, &["client", "create", "--group", "bank", "--name", "web"], "");
    let other = admin_json(d, &["client", "create", "--group", "default", "--name", "app"], "");
    let ada = admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--group", "bank", "--name", "Ada L"],
        "ada-password",
    );
    // Ada's access and refresh tokens.
    let out = Command::new("curl")
        .args([
            "-s",
            "-u",
            "ada:ada-password",
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
        ])
        .args(["-d", r#"{"rememberMe":true}"#, &format!("http://{}/csc/v1/auth/login", s.addr)])
        .output()
        .unwrap();
    let tokens: Value = serde_json::from_slice(&out.stdout).unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let service = service_token(&s.addr, &bank);

    // The bank's client sees Ada's tokens and its own.
    let (st, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), &format!("token={access}"));
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["active"], true, "{v}");
    assert_eq!(v["username"], "ada");
    assert_eq!(v["sub"], ada["id"], "{v} {ada}");
    assert_eq!(v["token_type"], "access_token");
    assert!(v["exp"].as_i64().unwrap() > v["iat"].as_i64().unwrap(), "{v}");
    // RFC 7662 §2.2: no client asked for Ada's `auth/login` token, so none is named.
    assert!(v.get("client_id").is_none(), "{v}");
    let (_, v) = form(
        &s.addr,
        "/oauth2/introspect",
        Some(creds(&bank)),
        &format!("token={refresh}&token_type_hint=refresh_token"),
    );
    assert_eq!(
        (v["active"].clone(), v["token_type"].clone()),
        (true.into(), "refresh_token".into()),
        "{v}"
    );
    let (_, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), &format!("token={service}"));
    assert_eq!(
        (v["active"].clone(), v["sub"].clone()),
        (true.into(), bank["client_id"].clone()),
        "{v}"
    );
    // Another group's client learns nothing, and neither does anyone of a made-up token.
    for (client, token) in [
        (&other, access),
        (&other, service.as_str()),
        (&bank, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ] {
        let (st, v) =
            form(&s.addr, "/oauth2/introspect", Some(creds(client)), &format!("token={token}"));
        assert_eq!((st, v.clone()), (200, serde_json::json!({ "active": false })));
    }
    // Another group's revocation is accepted and does nothing.
    let (st, _) = form(&s.addr, "/oauth2/revoke", Some(creds(&other)), &format!("token={access}"));
    assert_eq!(st, 200);
    let (_, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), &format!("token={access}"));
    assert_eq!(v["active"], true, "{v}");
    // RFC 7009 §2.1: Ada's tokens were not issued to the bank's client (no client asked
    // for them): its revocation (client secret in the body this time) is accepted and
    // does nothing; so is another client of the bank revoking the bank's service token.
    let (id, secret) = creds(&bank);
    let (st, v) = form(
        &s.addr,
        "/oauth2/revoke",
        None,
        &format!("token={refresh}&client_id={id}&client_secret={secret}"),
    );
    assert_eq!(st, 200, "{v}");
    let (_, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), &format!("token={access}"));
    assert_eq!(v["active"], true, "{v}");
    let batch = admin_json(d, &["client", "create", "--group", "bank", "--name", "batch"], "");
    let (st, _) = form(&s.addr, "/oauth2/revoke", Some(creds(&batch)), &format!("token={service}"));
    assert_eq!(st, 200);
    let (_, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), &format!("token={service}"));
    assert_eq!(v["active"], true, "another client of the group cannot revoke it: {v}");
    // The batch client revokes its own service token: it no longer opens the CSC API.
    let batch_token = service_token(&s.addr, &batch);
    let (st, _) =
        form(&s.addr, "/oauth2/revoke", Some(creds(&batch)), &format!("token={batch_token}"));
    assert_eq!(st, 200);
    let (_, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&batch)), &format!("token={batch_token}"));
    assert_eq!(v, serde_json::json!({ "active": false }));
    let (st, _) = http(
        &s.addr,
        "POST",
        "/csc/v1/credentials/list",
        Some(&batch_token),
        Some(&serde_json::json!({ "userID": ada["id"] })),
    );
    assert_eq!(st, 401);

    // Refusals.
    let (st, v) =
        form(&s.addr, "/oauth2/introspect", Some((id, "wrong")), &format!("token={service}"));
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{v}");
    let (st, v) = form(&s.addr, "/oauth2/revoke", None, &format!("token={service}"));
    assert_eq!((st, v["error"].as_str()), (401, Some("invalid_client")), "{v}");
    let (st, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), "token_type_hint=access_token");
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    let (st, v) = form(&s.addr, "/oauth2/revoke", Some(creds(&bank)), "token=%zz");
    assert_eq!((st, v["error"].as_str()), (400, Some("invalid_request")), "{v}");
    // The bank's service token still works: nothing else was revoked.
    let (_, v) =
        form(&s.addr, "/oauth2/introspect", Some(creds(&bank)), &format!("token={service}"));
    assert_eq!(v["active"], true, "{v}");
}

/// RFC 6749 §4.4 and §5.2: `client_credentials` gives a group-wide `service` token only
/// to a client registered with the `service` scope; a client registered for `openid`
/// only, or for `credential` only, is `unauthorized_client`, and a `scope` other than
/// `service` is `invalid_scope`. The refusals are audited.
#[test]
fn client_credentials_needs_the_service_scope() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    let uri = "https://app.example/cb";
    let create = |name: &str, scopes: &[&str]| {
        let mut args = vec!["client", "create", "--group", "default", "--name", name];
        args.extend(["--redirect-uri", uri]);
        for sc in scopes {
            args.extend(["--scope", sc]);
        }
        admin_json(d, &args, "")
    };
    let oidc_only = create("oidc", &["openid"]);
    let credential_only = create("signing", &["credential"]);
    let both = create("both", &["openid", "service"]);
    for client in [&oidc_only, &credential_only] {
        for body in ["grant_type=client_credentials", "grant_type=client_credentials&scope=service"]
        {
            let (st, v) = form(&s.addr, "/oauth2/token", Some(creds(client)), body);
            assert_eq!((st, v["error"].as_str()), (400, Some("unauthorized_client")), "{v}");
            assert!(v["access_token"].is_null(), "{v}");
        }
    }
    for scope in ["openid", "service openid", "admin"] {
        let body = format!("grant_type=client_credentials&scope={}", scope.replace(' ', "+"));
        let (st, v) = form(&s.addr, "/oauth2/token", Some(creds(&both)), &body);
        assert_eq!((st, v["error"].as_str()), (400, Some("invalid_scope")), "{scope}: {v}");
    }
    let (st, v) = form(
        &s.addr,
        "/oauth2/token",
        Some(creds(&both)),
        "grant_type=client_credentials&scope=service",
    );
    assert_eq!((st, v["scope"].as_str()), (200, Some("service")), "{v}");
    let audit = String::from_utf8_lossy(&signet(d, &["audit", "list", "--json"], &[], "").stdout)
        .into_owned();
    assert!(audit.contains("unauthorized_client"), "the refusal is audited");
}

/// RFC 6749 §3.2: a parameter given twice is `invalid_request`; §2.3: so is a client
/// that authenticates in more than one way in one request (HTTP Basic and a secret in the
/// body, HTTP Basic and an assertion, a secret and an assertion). No token is issued.
#[test]
fn repeated_parameters_and_two_authentication_methods_are_invalid_requests() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let app =
        admin_json(dir.path(), &["client", "create", "--group", "default", "--name", "app"], "");
    let (id, secret) = creds(&app);
    let assertion = "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=e30.e30.AA";
    let cases = [
        (
            Some((id, secret)),
            "grant_type=client_credentials&grant_type=client_credentials".into(),
            "/oauth2/token",
        ),
        (
            None,
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}&client_secret={secret}"),
            "/oauth2/token",
        ),
        (
            Some((id, secret)),
            "grant_type=client_credentials&scope=service&scope=service".into(),
            "/oauth2/token",
        ),
        (
            Some((id, secret)),
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
            "/oauth2/token",
        ),
        (
            Some((id, secret)),
            format!("grant_type=authorization_code&code=x&{assertion}"),
            "/oauth2/token",
        ),
        (
            None,
            format!("grant_type=authorization_code&code=x&client_id={id}&client_secret={secret}&{assertion}"),
            "/oauth2/token",
        ),
        (Some((id, secret)), "token=a&token=b".into(), "/oauth2/revoke"),
        (Some((id, secret)), format!("token=a&client_secret={secret}"), "/oauth2/introspect"),
    ];
    for (basic, body, path) in &cases {
        let (st, v) = form(&s.addr, path, *basic, body);
        assert_eq!((st, v["error"].as_str()), (400, Some("invalid_request")), "{path} {body}: {v}");
        assert!(v["access_token"].is_null(), "{v}");
    }
    // One method, each parameter once: a token.
    let (st, v) =
        form(&s.addr, "/oauth2/token", Some((id, secret)), "grant_type=client_credentials");
    assert_eq!(st, 200, "{v}");
}
