//! Throttling of failed password logins at `auth/login` against `signet serve`: after five
//! consecutive failures of one name, that name is refused with 429 and `Retry-After` —
//! even with the right password, which is not looked at — for 1 s, then 2 s, doubling;
//! a name that does not exist is throttled the same way; another name is not affected;
//! a success clears the count. Every refusal is audited.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;
use std::process::Command;

/// `auth/login` with HTTP Basic: (status, Retry-After header if any).
fn login_status(addr: &str, user: &str, password: &str) -> (u16, Option<u64>) {
    let out = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}", "-X", "POST", "-d", "{}"])
        .args(["-u", &format!("{user}:{password}")])
        .arg(format!("http://{addr}/csc/v1/auth/login"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let status = text.lines().last().unwrap().trim().parse().unwrap();
    let retry = text
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase().strip_prefix("retry-after:").map(|v| v.trim().to_owned())
        })
        .and_then(|v| v.parse().ok());
    (status, retry)
}

fn sleep(seconds: u64) {
    std::thread::sleep(std::time::Duration::from_millis(seconds * 1000 + 200));
}

#[test]
fn failed_logins_lock_the_name_for_doubling_times_and_a_success_clears_them() {
    let dir = data_dir(FAST_CONFIG);
    let s = Server::start(dir.path(), &[], &[]);
    let d = dir.path();
    admin_json(d, &["user", "create", "ada", "--password-stdin"], "ada-password");
    admin_json(d, &["user", "create", "bob", "--password-stdin"], "bob-password");
    for i in 1..=5 {
        assert_eq!(login_status(&s.addr, "ada", "wrong"), (401, None), "failure {i}");
    }
    // Locked for 1 s: the right password is refused without being checked.
    let (status, retry) = login_status(&s.addr, "ada", "ada-password");
    assert_eq!(status, 429);
    assert!(matches!(retry, Some(1)), "Retry-After: {retry:?}");
    // Another name is not affected.
    assert_eq!(login_status(&s.addr, "bob", "bob-password").0, 200);
    sleep(1);
    // The sixth failure locks for 2 s.
    assert_eq!(login_status(&s.addr, "ada", "wrong").0, 401);
    let (status, retry) = login_status(&s.addr, "ada", "ada-password");
    assert_eq!(status, 429);
    assert!(matches!(retry, Some(1 | 2)), "Retry-After: {retry:?}");
    sleep(2);
    // A success clears the count: one failure does not lock any more.
    assert_eq!(login_status(&s.addr, "ada", "ada-password").0, 200);
    assert_eq!(login_status(&s.addr, "ada", "wrong").0, 401);
    assert_eq!(login_status(&s.addr, "ada", "ada-password").0, 200);
    // A name that does not exist is throttled alike (nothing tells it apart).
    for _ in 1..=5 {
        assert_eq!(login_status(&s.addr, "nobody", "guess").0, 401);
    }
    assert_eq!(login_status(&s.addr, "nobody", "guess").0, 429);
    // The refusals are audited.
    let out = signet(d, &["audit", "list", "--json"], &[], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let locked = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["details"].to_string().contains("locked after failed logins"))
        .count();
    assert_eq!(locked, 3, "{v}");
}
