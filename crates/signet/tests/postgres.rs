//! `signet serve` and `signet admin` on PostgreSQL (the scale-out store), from a URL.
//! Runs when `SIGNET_TEST_POSTGRES_URL` names a server; required when
//! `SIGNET_REQUIRE_POSTGRES=1` (the project's test script sets both).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;
use std::process::Command;

fn admin_url() -> Option<String> {
    match std::env::var("SIGNET_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("SIGNET_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "SIGNET_REQUIRE_POSTGRES=1 but SIGNET_TEST_POSTGRES_URL is not set"
            );
            eprintln!("skipped: SIGNET_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tAc", sql])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn serve_and_admin_on_postgres() {
    let Some(admin) = admin_url() else { return };
    let name = format!("signet_e2e_{}", std::process::id());
    psql(&admin, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(&admin, &format!("CREATE DATABASE {name}"));
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let env = [("SIGNET_DATABASE__URL", url.as_str())];

    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &env);
    assert!(s.banner.contains("database        postgres://"), "{}", s.banner);
    assert!(!dir.path().join("signet.db").exists(), "no SQLite file when PostgreSQL is configured");
    assert_eq!(s.get("/readyz").0, 200);

    let run = |args: &[&str], stdin: &str| {
        let out = signet(dir.path(), args, &env, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    run(
        &["admin", "user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "a-long-password",
    );
    run(&["admin", "user", "set-pin", "ada", "--pin-stdin"], "123456");
    let created = run(&["admin", "--json", "credential", "create", "ada", "--key", "ec-p384"], "");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["credential_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(psql(&url, &format!("SELECT count(*) FROM credentials WHERE id = '{id}'")), "1");
    assert_eq!(psql(&url, "SELECT count(*) FROM certificate_authorities"), "2");

    // The database refuses connections: /readyz says so (503, no internals) and recovers.
    psql(&admin, &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"));
    psql(&admin, &format!("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'"));
    let (code, body) = s.get("/readyz");
    assert_eq!(code, 503, "{body}");
    assert_eq!(body, r#"{"crypto":"ok","database":"unavailable","status":"not ready"}"#);
    psql(&admin, &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    assert_eq!(s.get("/readyz").0, 200, "recovers without a restart");
    assert!(s.stop());

    // A restart reuses the CA in PostgreSQL.
    let s = Server::start(dir.path(), &[], &env);
    assert!(s.banner.contains("Signet Root CA,O=Signet (reused)"), "{}", s.banner);
    assert!(s.stop());
    psql(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"));
}

/// Two nodes of one deployment (one PostgreSQL database, one HSM token) started at the
/// same moment on an empty database: one creates the HSM's master keys, the other finds
/// them — not a pair of master keys under the same labels, one per node.
#[test]
fn two_nodes_starting_together_on_an_empty_hsm_share_one_master_key() {
    let Some(admin) = admin_url() else { return };
    let Some(first) = data_dir_on(Module::Pkcs11, FAST_CONFIG) else { return };
    let name = format!("signet_ha_{}", std::process::id());
    psql(&admin, &format!("DROP DATABASE IF EXISTS {name}"));
    psql(&admin, &format!("CREATE DATABASE {name}"));
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    // The second node: its own data directory, the same configuration, token and database.
    let second = tempfile::tempdir().unwrap();
    std::fs::copy(first.path().join("signet.toml"), second.path().join("signet.toml")).unwrap();
    let conf = module_env(first.path());
    let mut env: Vec<(&str, &str)> = conf.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.push(("SIGNET_DATABASE__URL", url.as_str()));

    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(first.path(), &[], &env));
        let b = s.spawn(|| Server::start(second.path(), &[], &env));
        (a.join().unwrap(), b.join().unwrap())
    });
    let master_line = |banner: &str| {
        banner.lines().find(|l| l.contains("master key")).unwrap_or_default().to_owned()
    };
    let (la, lb) = (master_line(&a.banner), master_line(&b.banner));
    let key_id = |l: &str| l.rsplit_once("key id ").map(|(_, id)| id.to_owned()).unwrap();
    assert_eq!(key_id(&la), key_id(&lb), "one master key:\n{la}\n{lb}");
    let created = [&la, &lb].iter().filter(|l| l.contains("(created")).count();
    assert_eq!(created, 1, "created by exactly one node:\n{la}\n{lb}");

    // On the token, seen by another process: one wrapping key and one MAC key.
    let out = Command::new("pkcs11-tool")
        .args(["--module", SOFTHSM, "--token-label", "signet", "--login", "--pin", HSM_PIN])
        .args(["--list-objects", "--type", "secrkey"])
        .envs(module_env(first.path()))
        .output()
        .expect("pkcs11-tool runs");
    let listed = String::from_utf8_lossy(&out.stdout);
    for label in ["signet-master", "signet-master.mac"] {
        let count = listed.lines().filter(|l| l.trim() == format!("label:      {label}")).count();
        assert_eq!(count, 1, "{label}: {listed}");
    }
    // Both nodes serve, with the keys of either.
    assert_eq!(a.get("/readyz").0, 200);
    assert_eq!(b.get("/readyz").0, 200);
    assert!(a.stop() && b.stop());
    psql(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"));
}
