//! Group authentication flows at the built-in identity provider (`[groups.NAME.auth]`):
//! a one-time code at login, step-up before signing when the session's level is below
//! the group's, signers without a second factor refused, CSC `authMode` `oauth2code`;
//! and the group's branding on its pages.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;
use common::browser::{encode, query_param, redeem_public, Answer, Browser, CHALLENGE, REDIRECT};
use common::signer::{b64, sha256};
use common::*;
use serde_json::json;

const GROUPS: &str = r##"
[groups.bank.auth]
signing_loa = "substantial"
csc_auth_mode = "oauth2code"
[groups.bank.branding]
name = "Bank Trust Services"
color = "#0a7d4f"
[groups.strict.auth]
login_factors = ["password", "otp"]
"##;

/// A TOTP generator for a user enrolled with `set-otp`.
fn enrol_otp(d: &std::path::Path, user: &str) -> totp_rs::TOTP {
    let enrolled = admin_json(d, &["user", "set-otp", user], "");
    let seed = totp_rs::Secret::Encoded(enrolled["secret"].as_str().unwrap().to_owned())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, seed).unwrap()
}

/// The code of the 30-second step `offset` steps from now.
fn code(totp: &totp_rs::TOTP, offset: i64) -> String {
    let now = unix_now();
    totp.generate(u64::try_from(now + offset * 30).unwrap())
}

#[allow(clippy::disallowed_methods)] // the server's TOTP steps follow the system clock
fn unix_now() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    i64::try_from(now.as_secs()).unwrap()
}

/// Waits until at least 15 s remain in the current TOTP step, so that the test's codes
/// (previous, current, next step) keep their meaning while it runs.
fn early_in_a_step() {
    let into = unix_now().rem_euclid(30);
    if into > 15 {
        std::thread::sleep(std::time::Duration::from_secs(u64::try_from(31 - into).unwrap()));
    }
}

fn authorize(client: &str, extra: &[(&str, &str)]) -> String {
    let mut f: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", client),
        ("redirect_uri", REDIRECT),
        ("state", "s1"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    f.extend_from_slice(extra);
    format!("/csc/v1/oauth2/authorize?{}", encode(&f))
}

/// A public client of `group` for the test's redirect URI, allowed `scopes`.
fn client_with(d: &std::path::Path, group: &str, scopes: &[&str]) -> String {
    let mut args = vec!["client", "create", "--group", group, "--name", "app"];
    args.extend(["--redirect-uri", REDIRECT, "--public"]);
    for scope in scopes {
        args.extend(["--scope", scope]);
    }
    let c = admin_json(d, &args, "");
    c["client_id"].as_str().unwrap().to_owned()
}

/// A public client of `group` allowed the CSC scopes.
fn client(d: &std::path::Path, group: &str) -> String {
    client_with(d, group, &["credential", "service"])
}

#[test]
fn step_up_before_signing_and_oauth2code_credentials() {
    let listen = free_addr();
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}{GROUPS}"));
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    admin_json(d, &["group", "create", "bank"], "");
    for user in ["ada", "bob"] {
        admin_json(
            d,
            &["user", "create", user, "--password-stdin", "--group", "bank"],
            "pw-12345678",
        );
        admin_json(d, &["user", "set-pin", user, "--pin-stdin"], "123456");
    }
    let cred = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "");
    let cred = cred["credential_id"].as_str().unwrap().to_owned();
    let bob_cred = admin_json(d, &["credential", "create", "bob", "--key", "ec-p256"], "");
    let totp = enrol_otp(d, "ada");
    let app = client(d, "bank");
    let digest = sha256(b"deed");
    let hash = b64(&digest).trim_end_matches('=').replace('+', "-").replace('/', "_");
    let credential_request = |c: &str| {
        authorize(
            &app,
            &[
                ("scope", "credential"),
                ("credentialID", c),
                ("numSignatures", "1"),
                ("hash", &hash),
            ],
        )
    };

    // The group's credentials are authorised in the browser only.
    let token = login(&s.addr, "ada", "pw-12345678");
    let (_, info, _) =
        post(&s.addr, "/csc/v1/credentials/info", Some(&token), &json!({ "credentialID": cred }));
    assert_eq!(info["authMode"], "oauth2code", "{info}");
    let (st, v, _) = post(
        &s.addr,
        "/csc/v1/credentials/authorize",
        Some(&token),
        &json!({ "credentialID": cred, "numSignatures": 1, "hash": [b64(&digest)], "PIN": "123456" }),
    );
    assert_eq!(st, 400, "{v}");
    assert!(v["error_description"].as_str().unwrap().contains("oauth2code"), "{v}");

    early_in_a_step();
    let b = Browser::new(&s.addr);
    let page = b.follow(b.get(&credential_request(&cred)));
    // Branded login page, password only.
    assert!(page.body.contains("Bank Trust Services"), "{}", page.body);
    assert!(!page.body.contains("name=\"otp\""));
    let (_, css) = curl(&[&format!("http://{}/branding/bank.css", s.addr)]);
    assert!(css.contains("#0a7d4f"), "{css}");
    let page = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "pw-12345678")],
    ));
    // A password session is below `substantial`: step-up with the one-time code.
    assert!(page.body.contains("Confirm it is you"), "{}", page.body);
    // Posting to the approval form directly does not skip the step-up.
    let approve = page.form_action().replace("/step-up", "/approve");
    let skipped =
        b.post(&approve, &[("csrf", &page.csrf()), ("decision", "allow"), ("pin", "123456")]);
    assert_eq!(skipped.status, 200, "{}", skipped.body);
    assert!(skipped.body.contains("Confirm it is you"), "{}", skipped.body);
    let wrong = b.post(&page.form_action(), &[("csrf", &page.csrf()), ("otp", "000000")]);
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("Wrong one-time code"), "{}", wrong.body);
    let page =
        b.follow(b.post(&page.form_action(), &[("csrf", &page.csrf()), ("otp", &code(&totp, -1))]));
    assert!(page.body.contains("Approve the signature"), "{}", page.body);
    assert!(page.body.contains("name=\"otp\""), "the approval asks for a fresh code too");
    let back = b.post(
        &page.form_action(),
        &[
            ("csrf", &page.csrf()),
            ("decision", "allow"),
            ("pin", "123456"),
            ("otp", &code(&totp, 0)),
        ],
    );
    assert_eq!(back.status, 303, "{}", back.body);
    let code_value = query_param(&back.location().unwrap(), "code").unwrap();
    let (_, t) = redeem_public(&s.addr, &code_value, &app);
    let (st, v, _) = post(
        &s.addr,
        "/csc/v1/signatures/signHash",
        Some(t["access_token"].as_str().unwrap()),
        &json!({ "credentialID": cred, "hash": [b64(&digest)], "signAlgo": "1.2.840.10045.4.3.2" }),
    );
    assert_eq!(st, 200, "{v}");
    let audit = String::from_utf8_lossy(&signet(d, &["audit", "list", "--json"], &[], "").stdout)
        .into_owned();
    assert!(audit.contains("idp.step_up"), "step-up is audited");

    // An account of another group is told to log in with one of the bank's.
    admin_json(d, &["user", "create", "eve", "--password-stdin"], "pw-12345678");
    let b = Browser::new(&s.addr);
    let page = b.follow(b.get(&credential_request(&cred)));
    let page = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "eve"), ("password", "pw-12345678")],
    ));
    assert!(page.body.contains("This application is for accounts of bank"), "{}", page.body);

    // Bob has no second factor: the group's signing level cannot be reached.
    let b = Browser::new(&s.addr);
    let page = b.follow(b.get(&credential_request(bob_cred["credential_id"].as_str().unwrap())));
    let back = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "bob"), ("password", "pw-12345678")],
    ));
    assert_eq!(back.status, 303, "{}", back.body);
    assert_eq!(query_param(&back.location().unwrap(), "error").as_deref(), Some("access_denied"));
}

/// Waits until the wall clock is in the first 300 ms of a second (the login lock counts
/// whole seconds).
fn early_in_a_second() {
    #[allow(clippy::disallowed_methods)] // the server's lock follows the system clock
    let into =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_millis();
    if into > 300 {
        std::thread::sleep(std::time::Duration::from_millis(u64::from(1001 - into)));
    }
}

/// The `auth_time` of an ID token.
fn auth_time(tokens: &serde_json::Value) -> i64 {
    let jwt = tokens["id_token"].as_str().unwrap_or_else(|| panic!("no ID token: {tokens}"));
    let payload = common::signer::unb64url(jwt.split('.').nth(1).unwrap());
    let claims: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    claims["auth_time"].as_i64().unwrap()
}

/// Step-up codes are throttled with the logins of the name: after FREE_FAILURES wrong
/// codes the next attempt, even with the right code, is refused with 429 and the lock
/// message (audited) before the code is looked at. And a step-up is not a new
/// authentication (OpenID Connect Core §2): the ID token issued after it carries the
/// `auth_time` of the password login.
#[test]
fn step_up_codes_are_throttled_and_keep_the_logins_auth_time() {
    let listen = free_addr();
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}{GROUPS}"));
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    admin_json(d, &["group", "create", "bank"], "");
    admin_json(d, &["user", "create", "ada", "--password-stdin", "--group", "bank"], "pw-12345678");
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let cred = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "");
    let cred = cred["credential_id"].as_str().unwrap().to_owned();
    let totp = enrol_otp(d, "ada");
    let app = client_with(d, "bank", &["credential", "openid"]);
    let hash = b64(&sha256(b"deed")).trim_end_matches('=').replace('+', "-").replace('/', "_");
    let sign_request = authorize(
        &app,
        &[
            ("scope", "credential"),
            ("credentialID", &cred),
            ("numSignatures", "1"),
            ("hash", &hash),
        ],
    );
    let openid_request = authorize(&app, &[("scope", "openid"), ("nonce", "n-1")]);

    // A password login, and the ID token of that session.
    let b = Browser::new(&s.addr);
    let page = b.follow(b.get(&openid_request));
    let back = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "pw-12345678")],
    ));
    let code_value = query_param(&back.location().unwrap(), "code").unwrap();
    let (st, first) = redeem_public(&s.addr, &code_value, &app);
    assert_eq!(st, 200, "{first}");
    let logged_in_at = auth_time(&first);
    // A step-up later than the login would show in a refreshed auth_time.
    std::thread::sleep(std::time::Duration::from_secs(2));

    early_in_a_step();
    let page = b.follow(b.get(&sign_request));
    assert!(page.body.contains("Confirm it is you"), "{}", page.body);
    let action = page.form_action();
    let csrf = page.csrf();
    for i in 0..5 {
        if i == 4 {
            early_in_a_second();
        }
        let wrong = b.post(&action, &[("csrf", &csrf), ("otp", "000000")]);
        assert_eq!(wrong.status, 401, "{}", wrong.body);
        assert!(wrong.body.contains("Wrong one-time code"), "{}", wrong.body);
    }
    // The fifth failure locks the name until the next second: the attempt comes within.
    let locked = b.post(&action, &[("csrf", &csrf), ("otp", &code(&totp, 0))]);
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(locked.body.contains("Too many failed logins"), "{}", locked.body);
    assert!(locked.body.contains("Confirm it is you"), "still the step-up page");
    let audit = String::from_utf8_lossy(&signet(d, &["audit", "list", "--json"], &[], "").stdout)
        .into_owned();
    assert!(audit.contains("locked after failed logins"), "the lock is audited: {audit}");

    // Once the lock has passed, the right code raises the session …
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let page = b.follow(b.post(&action, &[("csrf", &csrf), ("otp", &code(&totp, 0))]));
    assert!(page.body.contains("Approve the signature"), "{}", page.body);
    // … and the raised session's ID token still says when the signer logged in.
    let back = b.follow(b.get(&openid_request));
    assert_eq!(back.status, 303, "{}", back.body);
    let code_value = query_param(&back.location().unwrap(), "code").unwrap();
    let (st, second) = redeem_public(&s.addr, &code_value, &app);
    assert_eq!(st, 200, "{second}");
    assert_eq!(auth_time(&second), logged_in_at, "a step-up is not a new login");
}

#[test]
fn a_group_may_require_the_one_time_code_at_login() {
    let listen = free_addr();
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}{GROUPS}"));
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    admin_json(d, &["group", "create", "strict"], "");
    admin_json(
        d,
        &["user", "create", "carl", "--password-stdin", "--group", "strict"],
        "pw-12345678",
    );
    let totp = enrol_otp(d, "carl");
    let app = client(d, "strict");
    early_in_a_step();
    let b = Browser::new(&s.addr);
    let page = b.follow(b.get(&authorize(&app, &[("scope", "service")])));
    assert!(page.body.contains("name=\"otp\""), "{}", page.body);
    let without = b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "carl"), ("password", "pw-12345678")],
    );
    assert_eq!(without.status, 401);
    assert!(without.body.contains("one-time code"), "{}", without.body);
    let back = b.follow(b.post(
        &page.form_action(),
        &[
            ("csrf", &page.csrf()),
            ("username", "carl"),
            ("password", "pw-12345678"),
            ("otp", &code(&totp, 0)),
        ],
    ));
    // The `service` scope acts on the signer's behalf: consented once.
    assert!(back.body.contains("use the signing service on your behalf"), "{}", back.body);
    let back =
        b.follow(b.post(&back.form_action(), &[("csrf", &back.csrf()), ("decision", "allow")]));
    assert_eq!(back.status, 303, "{}", back.body);
    assert!(query_param(&back.location().unwrap(), "code").is_some());
    // The same code again is a replay.
    let b2 = Browser::new(&s.addr);
    let page = b2.follow(b2.get(&authorize(&app, &[("scope", "service")])));
    let again = b2.post(
        &page.form_action(),
        &[
            ("csrf", &page.csrf()),
            ("username", "carl"),
            ("password", "pw-12345678"),
            ("otp", &code(&totp, 0)),
        ],
    );
    assert_eq!(again.status, 401, "{}", again.body);
}

/// What the signer is told when an answer does not go through (a wrong password, a
/// wrong PIN, a forged form, an unknown request) is in the browser's language, like the
/// rest of the page; the English reader still reads English.
#[test]
fn a_french_signer_reads_every_refusal_in_french() {
    let listen = free_addr();
    let pin = "[pin]\nmax_attempts = 3\n";
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}{pin}"));
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "pw-12345678");
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let cred = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "");
    let cred = cred["credential_id"].as_str().unwrap().to_owned();
    let app = client(d, "default");
    let hash = b64(&sha256(b"bail")).trim_end_matches('=').replace('+', "-").replace('/', "_");
    let request = authorize(
        &app,
        &[
            ("scope", "credential"),
            ("credentialID", &cred),
            ("numSignatures", "1"),
            ("hash", &hash),
        ],
    );
    let log_in = |b: &Browser, page: &Answer, password: &str| {
        let fields =
            [("csrf", page.csrf()), ("username", "ada".into()), ("password", password.into())];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        b.post(&page.form_action(), &fields)
    };
    let wrong_pin = |b: &Browser, approve: &Answer| {
        b.post(
            &approve.form_action(),
            &[("csrf", &approve.csrf()), ("decision", "allow"), ("pin", "000000")],
        )
    };
    let mut b = Browser::new(&s.addr);
    b.extra.push("Accept-Language: fr-FR, fr;q=0.9".into());
    let page = b.follow(b.get(&request));
    assert!(page.body.contains("<html lang=\"fr\">"), "{}", page.body);

    let wrong = log_in(&b, &page, "not-the-password");
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(wrong.body.contains("mot de passe incorrect"), "{}", wrong.body);
    assert!(!wrong.body.contains("Wrong"), "{}", wrong.body);

    let approve = b.follow(log_in(&b, &page, "pw-12345678"));
    assert!(approve.body.contains("Approuver la signature"), "{}", approve.body);
    let refused = wrong_pin(&b, &approve);
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("Code PIN incorrect"), "{}", refused.body);
    assert!(refused.body.contains("essai(s) restant(s)"), "{}", refused.body);

    // A forged post (no CSRF token) and an unknown request: the refusal pages too.
    let forged = b.post(&approve.form_action(), &[("decision", "allow"), ("pin", "123456")]);
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert!(forged.body.contains("Demande refusée"), "{}", forged.body);
    let unknown = b.get("/oauth2/interaction/no-such-request");
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.body.contains("Demande introuvable"), "{}", unknown.body);

    // The same wrong PIN read in English (nothing was signed: the PIN was wrong).
    let english = Browser::new(&s.addr);
    let page = english.follow(english.get(&request));
    let approve = english.follow(log_in(&english, &page, "pw-12345678"));
    let refused = wrong_pin(&english, &approve);
    assert!(refused.body.contains("Wrong PIN. 1 attempt(s) left."), "{}", refused.body);
}

/// OpenID Connect Core §3.1.2.1 hints from the application: `ui_locales` chooses the
/// pages' language before the browser's, and `login_hint` fills in the user name.
#[test]
fn ui_locales_and_login_hint_shape_the_login_page() {
    let listen = free_addr();
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}"));
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    let app = client(d, "default");
    // The application may ask for the pages' language (OpenID Connect ui_locales): it
    // comes before the browser's; a language Signet lacks is passed over.
    let asked = authorize(&app, &[("scope", "service"), ("ui_locales", "de fr-CA en")]);
    let english = Browser::new(&s.addr);
    let page = english.follow(english.get(&asked));
    assert!(page.body.contains("<html lang=\"fr\">"), "{}", page.body);
    let mut french = Browser::new(&s.addr);
    french.extra.push("Accept-Language: fr".into());
    let asked = authorize(&app, &[("scope", "service"), ("ui_locales", "en")]);
    let page = french.follow(french.get(&asked));
    assert!(page.body.contains("<html lang=\"en\">"), "{}", page.body);

    // OpenID Connect login_hint fills in the user name (escaped: it is the client's text).
    let hinted = authorize(&app, &[("scope", "service"), ("login_hint", "ada")]);
    let fresh = Browser::new(&s.addr);
    let page = fresh.follow(fresh.get(&hinted));
    assert!(
        page.body.contains("name=\"username\" autocomplete=\"username\" required value=\"ada\""),
        "{}",
        page.body
    );
    let forged = authorize(&app, &[("scope", "service"), ("login_hint", "x\"><b>bold</b>")]);
    let page = fresh.follow(fresh.get(&forged));
    assert!(page.body.contains("value=\"x&#34;&#62;&#60;b&#62;bold"), "{}", page.body);
    assert!(!page.body.contains("<b>bold"), "{}", page.body);
}
