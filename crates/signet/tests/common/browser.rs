//! A scripted browser for the signer's pages: curl with a cookie jar, following no
//! redirect by itself (each hop is asserted), and the page helpers the flows need. The
//! real-browser run (Chromium through Playwright) is in `tests/peers/`.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Lower-cased header block.
    pub headers: String,
    pub body: String,
}

impl Answer {
    /// The `Location` header.
    pub fn location(&self) -> Option<String> {
        self.raw_header("location")
    }

    /// A header's value (name lower-case), case kept.
    pub fn raw_header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|l| {
            l.split_once(':').filter(|(n, _)| n.trim() == name).map(|(_, v)| v.trim().to_owned())
        })
    }

    /// The value of the hidden `csrf` field of the page's form.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start =
            self.body.find(marker).unwrap_or_else(|| panic!("no csrf field in {}", self.body))
                + marker.len();
        self.body[start..].split('"').next().unwrap_or_default().to_owned()
    }

    /// The form's `action`.
    pub fn form_action(&self) -> String {
        let marker = "<form method=\"post\" action=\"";
        let start = self.body.find(marker).unwrap_or_else(|| panic!("no form in {}", self.body))
            + marker.len();
        self.body[start..].split('"').next().unwrap_or_default().to_owned()
    }
}

/// A browser with its own cookie jar.
pub struct Browser {
    pub addr: String,
    jar: PathBuf,
    _dir: tempfile::TempDir,
    /// Extra headers sent with every request (e.g. a foreign `Origin`).
    pub extra: Vec<String>,
}

impl Browser {
    pub fn new(addr: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let jar = dir.path().join("cookies");
        Self { addr: addr.to_owned(), jar, _dir: dir, extra: Vec::new() }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("http://{}{}", self.addr, path_or_url)
        }
    }

    fn run(&self, args: &[&str]) -> Answer {
        let jar = self.jar.to_str().unwrap_or_default();
        let mut cmd = Command::new("curl");
        cmd.args(["-s", "-S", "--max-time", "60", "-D", "-", "-b", jar, "-c", jar]);
        for h in &self.extra {
            cmd.args(["-H", h]);
        }
        let out = cmd.args(args).output().expect("curl runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Answer {
            status,
            headers: head.to_ascii_lowercase().replace('\r', ""),
            body: body.to_owned(),
        }
        .with_raw_headers(head)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.run(&[&self.url(path)])
    }

    /// POSTs a form (`application/x-www-form-urlencoded`, values encoded here).
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = encode(fields);
        self.run(&[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "--data-binary",
            &body,
            &self.url(path),
        ])
    }

    /// Follows `Location` hops on this server until a page or a redirect elsewhere.
    pub fn follow(&self, mut answer: Answer) -> Answer {
        for _ in 0..10 {
            match answer.location() {
                Some(l) if answer.status == 303 && l.starts_with('/') => answer = self.get(&l),
                _ => return answer,
            }
        }
        answer
    }
}

impl Answer {
    fn with_raw_headers(mut self, raw: &str) -> Self {
        // keep values' case (URLs) while names are matched lower-case
        self.headers = raw
            .lines()
            .map(|l| match l.split_once(':') {
                Some((n, v)) => format!("{}:{}", n.to_ascii_lowercase(), v.trim_end_matches('\r')),
                None => l.trim_end_matches('\r').to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        self
    }
}

/// `application/x-www-form-urlencoded` (WHATWG URL §5.2).
pub fn encode(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{}={}", pct(k), pct(v))).collect::<Vec<_>>().join("&")
}

pub fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A query parameter of a URL, decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1.split('#').next()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| unpct(v))
    })
}

fn unpct(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A PKCE `code_verifier` and its S256 `code_challenge` (RFC 7636 Appendix B).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The challenge of [`VERIFIER`].
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The redirect URI the tests' clients register (nothing listens there: the browser
/// stops at the redirect, which the tests read).
pub const REDIRECT: &str = "http://127.0.0.1:9/cb";

/// Redeems `code` for the public client `client_id`, with [`REDIRECT`] and [`VERIFIER`].
pub fn redeem_public(addr: &str, code: &str, client_id: &str) -> (u16, serde_json::Value) {
    token_request(
        addr,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", client_id),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
}

/// `POST /oauth2/token` with a form, optionally with HTTP Basic: (status, JSON).
pub fn token_request(
    addr: &str,
    fields: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, serde_json::Value) {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST"]);
    if let Some((id, secret)) = basic {
        cmd.args(["-u", &format!("{id}:{secret}")]);
    }
    let out = cmd
        .args([
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "--data-binary",
            &encode(fields),
        ])
        .arg(format!("http://{addr}/oauth2/token"))
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (
        code.trim().parse().unwrap_or(0),
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}
