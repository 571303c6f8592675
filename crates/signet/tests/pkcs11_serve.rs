//! `signet serve` on a SoftHSM2 token: start-up errors name what is wrong (PIN, PIN in the
//! file, missing master key), and `/readyz` reflects the HSM.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;

fn hsm_dir() -> Option<tempfile::TempDir> {
    data_dir_on(Module::Pkcs11, FAST_CONFIG)
}

fn append(dir: &std::path::Path, text: &str) {
    let path = dir.join("signet.toml");
    let mut config = std::fs::read_to_string(&path).unwrap();
    config.push_str(text);
    std::fs::write(path, config).unwrap();
}

#[test]
fn a_wrong_pin_or_a_pin_in_the_file_stops_the_start_with_one_clear_line() {
    let Some(dir) = hsm_dir() else { return };
    let d = dir.path();
    std::fs::write(d.join("hsm.pin"), "9999").unwrap();
    let err = Server::try_start(d, &[], &[]).err().unwrap();
    assert!(err.contains("refused the user PIN"), "{err}");
    assert!(!err.contains("9999"), "the PIN is never printed: {err}");
    // A PIN given both in a file and in the environment is refused as ambiguous.
    let err = Server::try_start(d, &[], &[("SIGNET_CRYPTO__PKCS11__PIN", HSM_PIN)]).err().unwrap();
    assert!(err.contains("not both"), "{err}");
    append(d, "pin = \"1234\"\n");
    let err = Server::try_start(d, &[], &[]).err().unwrap();
    assert!(
        err.contains("crypto.pkcs11.pin: the PIN is never read from the configuration file"),
        "{err}"
    );
}

#[test]
fn readyz_reflects_the_hsm_and_a_lost_master_key_stops_the_next_start() {
    let Some(dir) = hsm_dir() else { return };
    let d = dir.path();
    let server = Server::start(d, &[], &[]);
    assert!(
        server.banner.contains("PKCS#11 token `signet`, key `signet-master` (created"),
        "{}",
        server.banner
    );
    let (s, body) = server.get("/readyz");
    assert_eq!((s, body.contains("\"crypto\":\"ok\"")), (200, true), "{body}");
    // The MAC master key deleted from the token by someone else: not ready any more.
    let out = std::process::Command::new("pkcs11-tool")
        .args(["--module", SOFTHSM, "--token-label", "signet", "--login", "--pin", HSM_PIN])
        .args(["--delete-object", "--type", "secrkey", "--label", "signet-master.mac"])
        .envs(module_env(d))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (s, body) = server.get("/readyz");
    assert_eq!((s, body.contains("\"crypto\":\"unavailable\"")), (503, true), "{body}");
    assert!(server.stop());
    // With keys in the database and the master key gone, Signet refuses to start rather
    // than create a new one that could open none of them.
    let err = Server::try_start(d, &[], &[]).err().unwrap();
    assert!(err.contains("no secret key labelled `signet-master.mac`"), "{err}");
}
