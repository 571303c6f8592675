//! OpenSSL's CMP mock server (`openssl cmp -port N …`) as the external CA of a test: it
//! binds all interfaces, so the port must be free on both address families, and it
//! prints `ACCEPT` once it listens. Killed when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct CmpMock {
    child: Child,
    log: PathBuf,
}

/// A port free on 0.0.0.0 and :: now (for the mock, which binds both).
pub fn free_port() -> u16 {
    for _ in 0..50 {
        let l = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        if TcpListener::bind(("0.0.0.0", port)).is_ok() && TcpListener::bind(("::", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port for the CMP mock");
}

impl CmpMock {
    /// Starts the mock on `port` with `args` and waits until it listens.
    pub fn start(dir: &Path, port: u16, args: &[&str]) -> CmpMock {
        let log = dir.join(format!("cmp-mock-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new("openssl")
            .arg("cmp")
            .args(["-port", &port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("openssl runs");
        let mut mock = CmpMock { child, log };
        for _ in 0..200 {
            if mock.child.try_wait().unwrap().is_some() {
                panic!("the CMP mock exited: {}", mock.log());
            }
            if mock.log().contains("ACCEPT") {
                return mock;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the CMP mock did not start: {}", mock.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for CmpMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
