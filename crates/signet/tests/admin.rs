//! `signet admin`: works while the server runs, prints one JSON object with --json, and
//! refuses bad input with one line and a non-zero exit, leaving nothing half-written.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;

#[test]
fn the_newcomer_path_works_while_the_server_runs() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();

    let g = admin_json(d, &["group", "create", "bank"], "");
    assert_eq!(g["name"], "bank");
    let c = admin_json(d, &["client", "create", "--group", "bank", "--name", "web"], "");
    assert_eq!(c["client_secret"].as_str().unwrap().len(), 43);
    let u = admin_json(
        d,
        &[
            "user",
            "create",
            "ada",
            "--password-stdin",
            "--group",
            "bank",
            "--name",
            "Ada Lovelace",
            "--email",
            "ada@example.org",
            "--phone",
            "+441234567890",
        ],
        "a-long-password\n",
    );
    assert_eq!((u["given_name"].as_str(), u["surname"].as_str()), (Some("Ada"), Some("Lovelace")));
    assert!(u.get("password_hash").is_none());
    let p = admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "246810\n");
    assert_eq!(p["pin_set"], true);

    // Several credentials at once, while the server holds the database open.
    let handles: Vec<_> = ["rsa-2048", "ec-p256", "ec-p384"]
        .into_iter()
        .map(|k| {
            let d = d.to_path_buf();
            std::thread::spawn(move || {
                admin_json(&d, &["credential", "create", "ada", "--key", k, "--multisign", "3"], "")
            })
        })
        .collect();
    let created: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for c in &created {
        assert_eq!(c["status"], "enabled");
        assert_eq!(c["multisign"], 3);
        assert!(c["subject"].as_str().unwrap().contains("CN=Ada Lovelace"));
    }
    let rsa = created.iter().find(|c| c["key"] == "rsa-2048").unwrap();
    let algs: Vec<_> =
        rsa["algorithms"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert!(algs.contains(&"RSA-PSS-SHA256") && !algs.contains(&"RSA-PKCS1-SHA1"), "{algs:?}");

    let legal = admin_json(
        d,
        &["credential", "create", "ada", "--profile", "legal-person", "--scal", "1"],
        "",
    );
    assert!(legal["subject"].as_str().unwrap().contains("O=Ada Lovelace"), "{legal}");
    assert_eq!(legal["scal"], 1);

    let list = admin_json(d, &["credential", "list", "ada"], "");
    assert_eq!(list["credentials"].as_array().unwrap().len(), 4);

    // The exported CA certificates verify, and so does each credential's certificate.
    let out_dir = d.join("ca-out");
    let exported = admin_json(d, &["ca", "export", "--out", out_dir.to_str().unwrap()], "");
    assert_eq!(exported["certificates"].as_array().unwrap().len(), 2);
    let root = out_dir.join("root.pem");
    let issuing = out_dir.join("issuing.pem");
    let out = openssl(&[
        "verify",
        "-x509_strict",
        "-CAfile",
        root.to_str().unwrap(),
        issuing.to_str().unwrap(),
    ]);
    assert!(out.contains(": OK"), "{out}");
    assert_eq!(s.get("/readyz").0, 200, "server unaffected");
    assert!(s.stop());
}

#[test]
fn bad_input_exits_non_zero_with_one_line_and_writes_nothing() {
    let dir = data_dir(FAST_CONFIG);
    Server::start(dir.path(), &[], &[]).stop();
    let d = dir.path();
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "a-long-password");

    let cases: &[(&[&str], &str, &str)] = &[
        (&["credential", "create", "nobody"], "", "user `nobody` not found"),
        (&["credential", "create", "ada", "--key", "rsa-1024"], "", "unknown key type"),
        (&["credential", "create", "ada", "--profile", "root-ca"], "", "profile"),
        (&["credential", "create", "ada", "--scal", "3"], "", "scal must be 1 or 2"),
        (&["credential", "create", "ada", "--multisign", "0"], "", "multisign"),
        (&["user", "set-pin", "ada", "--pin-stdin"], "", "empty"),
        (&["user", "set-pin", "ada", "--pin-stdin"], "12\n", "at least 6 digits"),
        (&["user", "set-pin", "ada", "--pin-stdin"], "12ab56\n", "digits only"),
        (&["user", "set-pin", "ghost", "--pin-stdin"], "123456\n", "user `ghost` not found"),
        (&["user", "create", "ada", "--password-stdin"], "another-password", "already exists"),
        (&["user", "create", "bob", "--password-stdin"], "short", "at least 8"),
        (&["user", "create", "bad name", "--password-stdin"], "a-long-password", "username"),
        (
            &["user", "create", "eve", "--password-stdin", "--group", "nogroup"],
            "a-long-password",
            "group `nogroup` not found",
        ),
        (&["group", "create", "default"], "", "already exists"),
        (&["client", "create", "--group", "nogroup", "--name", "x"], "", "not found"),
    ];
    for (args, stdin, expect) in cases {
        assert_refused(d, args, stdin, expect);
    }
    // client registrations (RFC 6749 §3.1.2, RFC 8252 §7.3)
    let clients: &[(&[&str], &str)] = &[
        (&["--redirect-uri", "http://app.example/cb"], "uses http"),
        (&["--redirect-uri", "https://app.example/cb#top"], "has a fragment"),
        (&["--redirect-uri", "/cb"], "is not absolute"),
        (&["--redirect-uri", "https://*.app.example/cb"], "wildcard"),
        (&["--scope", "admin"], "unknown scope `admin`"),
        (&["--scope", "openid", "--claim", "ssn"], "unknown claim `ssn`"),
        (&["--public"], "a public client needs at least one redirect URI"),
    ];
    for (extra, expect) in clients {
        let mut args = vec!["client", "create", "--group", "default", "--name", "x"];
        args.extend_from_slice(extra);
        assert_refused(d, &args, "", expect);
    }
    let list = admin_json(d, &["credential", "list", "ada"], "");
    assert!(list["credentials"].as_array().unwrap().is_empty(), "no credential half-written");
    let clients = admin_json(d, &["client", "list"], "");
    assert_eq!(clients["clients"], serde_json::json!([]), "no client written");
    let shown = admin_json(d, &["user", "show", "ada"], "");
    assert_eq!(shown["has_pin"], false, "no PIN written by the refused attempts");
    assert!(signet(d, &["admin", "user", "show", "bob"], &[], "").status.code() == Some(1));
}

/// Client registration for the authorization-code flow: a confidential client with two
/// exact redirect URIs, scopes and claims, and a public client without a secret, which
/// therefore never gets a token at the token endpoint while the confidential one does.
#[test]
fn clients_register_redirect_uris_scopes_and_claims() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(d, &["group", "create", "bank"], "");

    let web = admin_json(
        d,
        &[
            "client",
            "create",
            "--group",
            "bank",
            "--name",
            "web",
            "--redirect-uri",
            "https://bank.example/oauth/cb?tenant=1",
            "--redirect-uri",
            "http://127.0.0.1:8400/cb",
            "--scope",
            "service",
            "--scope",
            "openid",
            "--scope",
            "credential",
            "--claim",
            "name",
            "--claim",
            "email",
        ],
        "",
    );
    assert_eq!(web["client_secret"].as_str().unwrap().len(), 43);
    assert_eq!(web["public"], false);
    assert_eq!(
        web["redirect_uris"],
        serde_json::json!(["https://bank.example/oauth/cb?tenant=1", "http://127.0.0.1:8400/cb"])
    );
    assert_eq!(web["scopes"], serde_json::json!(["service", "openid", "credential"]));
    assert_eq!(web["claims"], serde_json::json!(["name", "email"]));

    let app = admin_json(
        d,
        &[
            "client",
            "create",
            "--group",
            "bank",
            "--name",
            "app",
            "--public",
            "--redirect-uri",
            "http://[::1]/cb",
            "--scope",
            "credential",
        ],
        "",
    );
    assert_eq!(app["client_secret"], serde_json::Value::Null);
    assert_eq!(app["public"], true);
    assert_eq!(app["scopes"], serde_json::json!(["credential"]));
    assert_eq!(app["claims"], serde_json::json!([]));
    let plain = admin_json(d, &["client", "create", "--group", "default", "--name", "batch"], "");
    assert_eq!(plain["scopes"], serde_json::json!(["service"]), "the default scope");
    assert_eq!(plain["redirect_uris"], serde_json::json!([]));

    // listing: by group and name, the registration without any secret
    let list = admin_json(d, &["client", "list", "--group", "bank"], "");
    let clients = list["clients"].as_array().unwrap();
    let names: Vec<_> = clients.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["app", "web"]);
    assert_eq!(clients[1]["redirect_uris"], web["redirect_uris"]);
    assert_eq!(clients[1]["claims"], web["claims"]);
    assert_eq!(clients[0]["public"], true);
    assert_eq!(admin_json(d, &["client", "list"], "")["clients"].as_array().unwrap().len(), 3);
    let text = signet(d, &["admin", "client", "list"], &[], "");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.starts_with("3 client(s)") && text.contains("bank/app  public"), "{text}");
    let secret = web["client_secret"].as_str().unwrap();
    assert!(!text.contains(secret) && !text.contains("argon2"), "{text}");
    assert!(!list.to_string().contains(secret) && !list.to_string().contains("argon2"));
    let out = signet(d, &["admin", "client", "list", "--group", "nogroup"], &[], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("group `nogroup` not found"));

    // the token endpoint: the confidential client gets a service token, the public one
    // is an invalid client whatever secret it sends
    service_token(&s.addr, &web);
    let app_id = app["client_id"].as_str().unwrap();
    for basic in [format!("{app_id}:"), format!("{app_id}:{secret}")] {
        let out = std::process::Command::new("curl")
            .args(["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", "-u", &basic])
            .args([
                "-d",
                "grant_type=client_credentials",
                &format!("http://{}/oauth2/token", s.addr),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let (body, code) = text.rsplit_once('\n').unwrap();
        assert_eq!(code, "401", "{body}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["error"], "invalid_client", "{v}");
    }
    assert!(s.stop());
}

/// `signet admin ARGS` fails with one line naming `expect`, and with `--json` prints one
/// object with the same reason.
fn assert_refused(d: &std::path::Path, args: &[&str], stdin: &str, expect: &str) {
    let mut all = vec!["admin"];
    all.extend_from_slice(args);
    let out = signet(d, &all, &[], stdin);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    let last = err.trim().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: ") && last.contains(expect), "{args:?}: {err}");

    let mut json_args = vec!["admin", "--json"];
    json_args.extend_from_slice(args);
    let out = signet(d, &json_args, &[], stdin);
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert!(v["error"].as_str().unwrap().contains(expect), "{v}");
}

#[test]
fn admin_refuses_a_data_directory_that_was_never_served() {
    let dir = data_dir(FAST_CONFIG);
    let out = signet(dir.path(), &["admin", "group", "create", "x"], &[], "");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("start `signet serve` once"), "{err}");
    assert!(!dir.path().join("master.key").exists(), "admin never creates a master key");
}

#[test]
fn secrets_never_reach_the_logs() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[("RUST_LOG", "debug")]);
    let d = dir.path();
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "pa55word-xyz");
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "918273");
    let c = admin_json(d, &["client", "create", "--group", "default", "--name", "app"], "");
    let secret = c["client_secret"].as_str().unwrap().to_owned();
    let key = std::fs::read_to_string(d.join("master.key")).unwrap();
    let mut all_logs = s.stderr();
    for args in
        [&["admin", "user", "show", "ada"][..], &["admin", "credential", "create", "ada"][..]]
    {
        let out = signet(d, args, &[("RUST_LOG", "trace")], "");
        all_logs.push_str(&String::from_utf8_lossy(&out.stderr));
        all_logs.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    for needle in ["pa55word-xyz", "918273", secret.as_str(), key.trim(), "$argon2id$"] {
        assert!(!all_logs.contains(needle), "log contains a secret: {needle}");
    }
    assert!(s.stop());
}
