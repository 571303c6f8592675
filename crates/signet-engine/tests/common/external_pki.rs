//! Another PKI for tests, the way signatures from elsewhere meet Signet: an OpenSSL root
//! and issuing CA, two leaves (one revoked) naming an OCSP responder and CRL
//! distribution points on 127.0.0.1, the OCSP responder (OpenSSL behind a loopback HTTP
//! server, `tests/peers/ocsp_responder.py`) and `python3 -m http.server` serving CRLs
//! and CA certificates. Used with `#[path]` by the engine's and the binary's tests, next
//! to `openssl_ca` (declared at the test crate's root).
#![allow(dead_code)]

use crate::openssl_ca::{now, openssl_ok, Issued, OpensslCa, LEAF_EXTENSIONS, OCSP_EXTENSIONS};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

/// A port nobody listens on now (the OS picks it; the listener is closed at once).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The servers a test started, killed (by their own handle) when the test ends.
#[derive(Default)]
pub struct Servers(Vec<(&'static str, Child)>);

impl Servers {
    pub fn stop(&mut self, name: &str) {
        if let Some(i) = self.0.iter().position(|(n, _)| *n == name) {
            let (_, mut child) = self.0.remove(i);
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Root → issuing CA (CRLDP and caIssuers on the HTTP server) → a good leaf (caIssuers as
/// DER) and a revoked one (caIssuers as certs-only CMS), both with AIA OCSP and a CRLDP;
/// and the issuing CA's designated OCSP responder.
pub struct World {
    pub dir: TempDir,
    pub int: OpensslCa,
    pub root: Vec<u8>,
    pub good: Issued,
    pub revoked: Issued,
    pub responder: Issued,
    pub www: PathBuf,
    pub http_port: u16,
    pub ocsp_port: u16,
    pub now: i64,
}

impl World {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (http_port, ocsp_port) = (free_port(), free_port());
        let base = format!("http://127.0.0.1:{http_port}");
        let root = OpensslCa::root(dir.path(), "root", "Evidence HTTP Root");
        let int = root.subordinate(
            "int",
            "Evidence HTTP Issuing CA",
            &format!(
                "crlDistributionPoints = URI:{base}/root.crl\n\
                 authorityInfoAccess = caIssuers;URI:{base}/root.der\n"
            ),
        );
        let leaf = |ca_issuers: &str| {
            format!(
                "{LEAF_EXTENSIONS}authorityInfoAccess = OCSP;URI:http://127.0.0.1:{ocsp_port}/, \
                 caIssuers;URI:{base}/{ca_issuers}\ncrlDistributionPoints = URI:{base}/int.crl\n"
            )
        };
        let good = int.issue("good", "Good Signer", &leaf("int.der"));
        let revoked = int.issue("revoked", "Revoked Signer", &leaf("int.p7c"));
        int.revoke(&revoked.cert, "keyCompromise");
        let responder = int.issue("responder", "Evidence HTTP OCSP Responder", OCSP_EXTENSIONS);

        let www = dir.path().join("www");
        std::fs::create_dir(&www).unwrap();
        std::fs::write(www.join("root.crl"), root.crl()).unwrap();
        std::fs::write(www.join("int.crl"), int.crl()).unwrap();
        std::fs::write(www.join("root.der"), root.der()).unwrap();
        std::fs::write(www.join("int.der"), int.der()).unwrap();
        let p7c = www.join("int.p7c");
        openssl_ok(&[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            s(&int.issued.cert),
            "-outform",
            "DER",
            "-out",
            s(&p7c),
        ]);
        let root = root.der();
        Self { dir, int, root, good, revoked, responder, www, http_port, ocsp_port, now: now() }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    pub fn ocsp_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.ocsp_port)
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.dir.path().join(format!("{name}.log"))
    }

    /// Starts a server whose output goes to `<name>.log`, and waits until `ready` shows
    /// there (or its port answers).
    pub fn start(&self, servers: &mut Servers, name: &'static str, cmd: &mut Command, port: u16) {
        let log = std::fs::File::create(self.log(name)).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        servers.0.push((name, child));
        for _ in 0..200 {
            let ready = TcpStream::connect(("127.0.0.1", port)).is_ok();
            if ready {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{name} did not start: {}", std::fs::read_to_string(self.log(name)).unwrap());
    }

    pub fn start_http(&self, servers: &mut Servers) {
        let port = self.http_port.to_string();
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "http.server", &port, "--bind", "127.0.0.1", "--directory", s(&self.www)]);
        self.start(servers, "http", &mut cmd, self.http_port);
    }

    /// The OCSP responder: OpenSSL answering each request, behind a Python HTTP server
    /// bound to 127.0.0.1 (`openssl ocsp -port` would listen on every address). Answers
    /// are valid for an hour.
    pub fn start_ocsp(&self, servers: &mut Servers) {
        let (port, index) = (self.ocsp_port.to_string(), self.int.index());
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../signet-engine/tests/peers/ocsp_responder.py");
        let mut cmd = Command::new("python3");
        cmd.arg(script).args([
            &port,
            s(&index),
            s(&self.int.issued.cert),
            s(&self.responder.cert),
            s(&self.responder.key),
            "60",
        ]);
        self.start(servers, "ocsp", &mut cmd, self.ocsp_port);
    }

    /// GET requests the HTTP server has logged so far.
    pub fn http_requests(&self) -> usize {
        std::fs::read_to_string(self.log("http")).unwrap_or_default().matches("\"GET ").count()
    }
}
