//! Runs the real `signet` binary: each test gets its own data directory and a port the
//! OS picks (`--listen 127.0.0.1:0`, read back from the start-up summary).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub mod browser;
pub mod oidc_world;
pub mod signer;

pub const BIN: &str = env!("CARGO_BIN_EXE_signet");

/// The test harness's own variables: `signet` would read them as configuration (every
/// `SIGNET_*` is) and warn that it does not know them.
const HARNESS_VARS: &[&str] = &[
    "SIGNET_REQUIRE_PEERS",
    "SIGNET_REQUIRE_POSTGRES",
    "SIGNET_TEST_POSTGRES_URL",
    "SIGNET_TEST_PG_PORT",
];

/// The `signet` binary, without the harness's variables or the caller's `RUST_LOG`.
pub fn signet_command() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("RUST_LOG");
    for var in HARNESS_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// A fast test configuration: EC CA keys, so first start takes milliseconds.
pub const FAST_CONFIG: &str =
    "[ca]\nkey = \"ec-p256\"\n[certificates]\ndefault_key = \"ec-p256\"\n";

/// A free loopback address (the port is released for the caller to bind).
pub fn free_addr() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").to_string()
}

/// A data directory with `signet.toml`.
pub fn data_dir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("signet.toml"), config).expect("write config");
    dir
}

/// The crypto module a test's server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    /// The embedded soft module (master key file).
    Soft,
    /// The PKCS#11 module on a SoftHSM2 token made for the test.
    Pkcs11,
}

/// SoftHSM2's PKCS#11 library (Debian).
pub const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
/// The user PIN of the tests' SoftHSM tokens.
pub const HSM_PIN: &str = "1234";

/// A data directory with `signet.toml` = `config` plus, for [`Module::Pkcs11`], a SoftHSM2
/// token of its own (`DIR/softhsm2.conf`, tokens in `DIR/tokens`, PIN in `DIR/hsm.pin`)
/// and the `[crypto]` section that uses it. Every `signet` started on the directory gets
/// `SOFTHSM2_CONF` pointing there ([`module_env`]). `None` (the test is skipped) when
/// SoftHSM2 is missing — a failure instead with `SIGNET_REQUIRE_PEERS=1`.
pub fn data_dir_on(module: Module, config: &str) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config.to_owned();
    if module == Module::Pkcs11 {
        if !Path::new(SOFTHSM).exists()
            || Command::new("softhsm2-util").arg("--version").output().is_err()
        {
            assert!(
                std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
                "SIGNET_REQUIRE_PEERS=1 but SoftHSM2 (softhsm2-util, {SOFTHSM}) is missing"
            );
            eprintln!("skipped: no SoftHSM2");
            return None;
        }
        let d = dir.path();
        std::fs::create_dir(d.join("tokens")).expect("tokens dir");
        let conf = d.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                d.join("tokens").display()
            ),
        )
        .expect("softhsm2.conf");
        let out = Command::new("softhsm2-util")
            .args([
                "--init-token",
                "--free",
                "--label",
                "signet",
                "--so-pin",
                "12345678",
                "--pin",
                HSM_PIN,
            ])
            .env("SOFTHSM2_CONF", &conf)
            .output()
            .expect("softhsm2-util runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let pin = d.join("hsm.pin");
        {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&pin)
                .expect("pin file");
            f.write_all(HSM_PIN.as_bytes()).expect("write pin");
        }
        config.push_str(&format!(
            "\n[crypto]\nmodule = \"pkcs11\"\n[crypto.pkcs11]\nlibrary = \"{SOFTHSM}\"\ntoken_label = \"signet\"\npin_file = \"{}\"\nsessions = 4\n",
            pin.display()
        ));
    }
    std::fs::write(dir.path().join("signet.toml"), config).expect("write config");
    Some(dir)
}

/// The environment a `signet` on `dir` needs: `SOFTHSM2_CONF` when the directory has its
/// own SoftHSM2 token.
pub fn module_env(dir: &Path) -> Vec<(String, String)> {
    let conf = dir.join("softhsm2.conf");
    if conf.exists() {
        vec![("SOFTHSM2_CONF".to_owned(), conf.display().to_string())]
    } else {
        Vec::new()
    }
}

/// `pkcs11-tool --list-objects` on the directory's token (another process: it sees the
/// token objects, never the server's session objects): the labels of the private keys.
pub fn token_private_keys(dir: &Path) -> Vec<String> {
    let out = Command::new("pkcs11-tool")
        .args(["--module", SOFTHSM, "--token-label", "signet", "--login", "--pin", HSM_PIN])
        .args(["--list-objects", "--type", "privkey"])
        .envs(module_env(dir))
        .output()
        .expect("pkcs11-tool runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let count = text.matches("Private Key Object").count();
    let labels: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("label:").map(|v| v.trim().to_owned()))
        .collect();
    assert_eq!(labels.len(), count, "every private key has a label: {text}");
    labels
}

/// `signet --data-dir DIR <args>` with extra environment, stdin given.
pub fn signet(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = signet_command();
    cmd.arg("--data-dir").arg(dir).args(args).envs(module_env(dir));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn signet");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("signet runs")
}

/// An admin command with `--json`: its one JSON object, or a panic with the output.
pub fn admin_json(dir: &Path, args: &[&str], stdin: &str) -> serde_json::Value {
    let mut all = vec!["admin", "--json"];
    all.extend_from_slice(args);
    let out = signet(dir, &all, &[], stdin);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{args:?} failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim().lines().count(), 1, "exactly one JSON line: {stdout}");
    serde_json::from_str(stdout.trim()).expect("JSON output")
}

/// A running `signet serve`, stopped (SIGTERM, then kill) when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    /// Everything the server printed to stdout up to "listening on".
    pub banner: String,
    stderr_path: PathBuf,
}

impl Server {
    /// Starts `signet serve` and waits for its "listening on" line.
    pub fn start(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Self::try_start(dir, extra, env).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts `signet serve` on `listen` (when certificates must name a reachable URL:
    /// the config's `public_url` is then set to the same address).
    pub fn start_on(dir: &Path, listen: &str) -> Server {
        Self::try_start_on(dir, listen, &[], &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts and returns the server, or the reason it did not come up.
    pub fn try_start(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Result<Server, String> {
        Self::try_start_on(dir, "127.0.0.1:0", extra, env)
    }

    fn try_start_on(
        dir: &Path,
        listen: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Server, String> {
        let stderr_path = dir.join(format!("stderr-{}.log", std::process::id()));
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let mut cmd = signet_command();
        cmd.arg("--data-dir").arg(dir).arg("serve").arg("--listen").arg(listen).args(extra);
        cmd.envs(module_env(dir));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(stderr).spawn().expect("spawn signet serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = String::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    banner.push_str(&line);
                    banner.push('\n');
                    if let Some(rest) = line.trim().strip_prefix("listening on") {
                        let url = rest.split_whitespace().next().unwrap_or_default();
                        let addr = url.split("://").nth(1).unwrap_or_default().to_owned();
                        // Keep draining stdout so the server never blocks on a full pipe.
                        std::thread::spawn(move || while rx.recv().is_ok() {});
                        return Ok(Server { child, addr, banner, stderr_path });
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                    return Err(format!("server did not start: {banner}\n{err}"));
                }
            }
        }
    }

    /// `curl` against the server: (HTTP status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        curl(&[&format!("http://{}{path}", self.addr)])
    }

    /// Sends SIGTERM and waits for the exit; returns whether it exited successfully.
    pub fn stop(mut self) -> bool {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        for _ in 0..200 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// What the server logged.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs curl with `args` and returns (status, body).
pub fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-S", "--max-time", "20", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_owned())
}

/// File mode bits.
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
}

/// `openssl …` output (stdout + stderr).
pub fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl").args(args).output().expect("openssl runs");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// POSTs JSON with an optional bearer token: (status, parsed body, raw headers).
pub fn post(
    addr: &str,
    path: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> (u16, serde_json::Value, String) {
    let url = format!("http://{addr}{path}");
    let auth = token.map(|t| format!("Authorization: Bearer {t}"));
    let mut args: Vec<&str> = vec![
        "-s",
        "-S",
        "--max-time",
        "60",
        "-D",
        "-",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
    ];
    if let Some(a) = &auth {
        args.extend(["-H", a.as_str()]);
    }
    let body = body.to_string();
    args.extend(["--data-binary", body.as_str(), url.as_str()]);
    let out = Command::new("curl").args(&args).output().expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    (status, json, head.to_ascii_lowercase())
}

/// `auth/login` with HTTP Basic: the access token.
pub fn login(addr: &str, user: &str, password: &str) -> String {
    let out = Command::new("curl")
        .args([
            "-s",
            "-u",
            &format!("{user}:{password}"),
            "-X",
            "POST",
            "-d",
            "{}",
            &format!("http://{addr}/csc/v1/auth/login"),
        ])
        .output()
        .expect("curl runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("login answers JSON");
    v["access_token"].as_str().unwrap_or_else(|| panic!("login failed: {v}")).to_owned()
}

/// The Python of the peers' virtual environment (pyHanko), if installed. Required when
/// `SIGNET_REQUIRE_PEERS=1` (the project's test script).
pub fn peers_python() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-peers/bin/python");
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
        "SIGNET_REQUIRE_PEERS=1 but {} is missing",
        p.display()
    );
    eprintln!("skipped: no peers venv at {}", p.display());
    None
}

/// Any method, JSON body optional, bearer token optional: (status, parsed body).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    let url = format!("http://{addr}{path}");
    let auth = token.map(|t| format!("Authorization: Bearer {t}"));
    let mut args: Vec<&str> =
        vec!["-s", "-S", "--max-time", "60", "-o", "-", "-w", "\n%{http_code}", "-X", method];
    if let Some(a) = &auth {
        args.extend(["-H", a.as_str()]);
    }
    let text_body = body.map(|b| b.to_string());
    if let Some(b) = &text_body {
        args.extend(["-H", "Content-Type: application/json", "--data-binary", b.as_str()]);
    }
    args.push(url.as_str());
    let out = Command::new("curl").args(&args).output().expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
    let json = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    (code.trim().parse().unwrap_or(0), json)
}

/// A service token of a client (`client_credentials` with HTTP Basic).
pub fn service_token(addr: &str, client: &serde_json::Value) -> String {
    let (id, secret) =
        (client["client_id"].as_str().unwrap(), client["client_secret"].as_str().unwrap());
    let out = Command::new("curl")
        .args([
            "-s",
            "-X",
            "POST",
            "-u",
            &format!("{id}:{secret}"),
            "-d",
            "grant_type=client_credentials",
            &format!("http://{addr}/oauth2/token"),
        ])
        .output()
        .expect("curl runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("token JSON");
    v["access_token"].as_str().unwrap_or_else(|| panic!("no token: {v}")).to_owned()
}
