//! Bad configuration and damaged state at start: a clear one-line reason, a non-zero
//! exit, and nothing lost.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;
use std::os::unix::fs::PermissionsExt;

/// Runs `signet serve` expecting it to refuse to start; returns its last stderr line.
fn refused(dir: &std::path::Path, env: &[(&str, &str)]) -> String {
    let out = signet(dir, &["serve", "--listen", "127.0.0.1:0"], env, "");
    assert!(!out.status.success(), "serve should refuse to start");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    let last = err.trim().lines().last().unwrap_or_default().to_owned();
    assert!(last.starts_with("error: "), "{err}");
    last
}

#[test]
fn malformed_toml_names_file_and_line() {
    let dir = data_dir("listen = \"127.0.0.1:0\"\n[database\nurl = 1\n");
    let e = refused(dir.path(), &[]);
    assert!(e.contains("signet.toml (line 2)"), "{e}");
    assert!(!dir.path().join("master.key").exists(), "nothing created");
}

#[test]
fn invalid_values_name_the_key() {
    let dir = data_dir(FAST_CONFIG);
    for (var, value, expect) in [
        ("SIGNET_CRYPTO__MODULE", "hsm", "crypto.module"),
        ("SIGNET_DATABASE__URL", "mysql://x", "database.url"),
        ("SIGNET_CA__KEY", "rsa-1024", "ca.key"),
        ("SIGNET_PIN__MAX_ATTEMPTS", "0", "pin.max_attempts"),
        ("SIGNET_PUBLIC_URL", "ftp://x", "public_url"),
        ("SIGNET_TLS__CERT_FILE", "/nonexistent.pem", "tls"),
    ] {
        let e = refused(dir.path(), &[(var, value)]);
        assert!(e.contains(expect), "{var}={value}: {e}");
    }
    assert!(!dir.path().join("master.key").exists(), "nothing created");
}

#[test]
fn unknown_keys_are_warned_about_and_the_server_starts() {
    let dir = data_dir(&format!("{FAST_CONFIG}[databse]\nurl = \"x\"\n"));
    let s = Server::start(dir.path(), &[], &[("SIGNET_CRYPTO__MODUL", "soft")]);
    let log = s.stderr();
    assert!(log.contains("unknown configuration key `databse`"), "{log}");
    assert!(log.contains("unknown configuration key `crypto.modul`"), "{log}");
    assert!(s.stop());
}

#[test]
fn environment_overrides_the_file() {
    let dir = data_dir(&format!("{FAST_CONFIG}public_url = \"https://file.example\"\n"));
    let s = Server::start(dir.path(), &[], &[("SIGNET_PUBLIC_URL", "https://env.example/")]);
    assert!(s.banner.contains("public URL      https://env.example\n"), "{}", s.banner);
    assert!(s.stop());
}

#[test]
fn master_key_problems_refuse_to_start_and_lose_nothing() {
    let dir = data_dir(FAST_CONFIG);
    Server::start(dir.path(), &[], &[]).stop();
    let key = dir.path().join("master.key");
    let original = std::fs::read(&key).unwrap();

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = refused(dir.path(), &[]);
    assert!(e.contains("mode 644") && e.contains("chmod 600"), "{e}");

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::write(&key, "zz").unwrap();
    let e = refused(dir.path(), &[]);
    assert!(e.contains("64 hexadecimal digits"), "{e}");

    std::fs::remove_file(&key).unwrap();
    let e = refused(dir.path(), &[]);
    assert!(e.contains("missing"), "{e}");
    assert!(!key.exists(), "a missing key is never silently replaced next to existing keys");

    // Another master key (e.g. a wrong backup) is named as such, at start.
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let e = refused(dir.path(), &[]);
    assert!(e.contains("another master key"), "{e}");

    // Restoring the right key brings everything back.
    std::fs::write(&key, &original).unwrap();
    let s = Server::start(dir.path(), &[], &[]);
    assert_eq!(s.get("/readyz").0, 200);
    assert!(s.stop());
}

#[test]
fn an_unreachable_postgres_is_a_clear_error() {
    let dir = data_dir(FAST_CONFIG);
    let e =
        refused(dir.path(), &[("SIGNET_DATABASE__URL", "postgres://signet:pw@127.0.0.1:1/signet")]);
    assert!(e.contains("database postgres://signet:***@127.0.0.1:1/signet"), "{e}");
    assert!(!e.contains(":pw@"), "password hidden: {e}");
}

#[test]
fn a_corrupted_wrapped_ca_key_stops_the_start_with_a_clear_reason() {
    let dir = data_dir(FAST_CONFIG);
    Server::start(dir.path(), &[], &[]).stop();
    let db = dir.path().join("signet.db");
    let script = "import sqlite3, sys\n\
                  c = sqlite3.connect(sys.argv[1])\n\
                  c.execute(\"UPDATE certificate_authorities SET wrapped_key = zeroblob(120) WHERE id = 'issuing'\")\n\
                  c.commit()\n";
    let ok = std::process::Command::new("python3")
        .args(["-c", script, db.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(ok.success());
    let e = refused(dir.path(), &[]);
    assert!(e.contains("embedded CA") && e.contains("corrupted or does not belong"), "{e}");
}
