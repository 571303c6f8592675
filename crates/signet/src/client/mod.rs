//! `signet sign` and `signet extend`: client commands that talk to a running Signet server.
//!
//! - Login: CSC v1.0.4.0 §11.2 `auth/login` with HTTP Basic (RFC 7617), or a bearer token
//!   given (RFC 6750 §2.1). A token obtained here is revoked (§11.3 `auth/revoke`) at the end.
//! - Consent: CSC §11.9 `credentials/authorize` with the digests of the whole documents,
//!   `numSignatures` = their count: one SAD for the batch, each document using one digest.
//! - Documents: the Document Signature API's one step (`POST /api/v1/documents/sign`) and
//!   the Signature Update API (`POST /api/v1/signatures/extend`), each file streamed from
//!   disk as the body and the result streamed back into a temporary file that is renamed
//!   into place once complete ([`files`]).
//!
//! A failure is one line: what was being done, then the server's `error_description`
//! (the `{"error", "error_description"}` shape of RFC 6749 §5.2 that the CSC API and
//! Signet's REST API share).

mod extend;
mod files;
mod progress;
mod sign;

pub use extend::run as extend;
pub use sign::run as sign;

use crate::cli::ServerArgs;
use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::{json, Value};
use std::future::Future;
use std::io::BufRead;
use std::time::Duration;
use zeroize::Zeroizing;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a connection may stay silent (the server timestamps and fetches validation
/// material before it answers a B-LT or B-LTA request).
const READ_TIMEOUT: Duration = Duration::from_secs(600);
/// The most of an error body that is read.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Runs a client command, stopping it on Ctrl-C: the command's future is dropped, and with
/// it any temporary output file (deleted on drop), so no partial result is left behind.
pub async fn interruptible(work: impl Future<Output = Result<()>>) -> Result<()> {
    tokio::select! {
        r = work => r,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
    }
}

/// The secrets read from standard input, one per line: the password first, then the PIN.
/// They are never taken from the command line, where other users could read them.
#[derive(Default)]
pub(crate) struct Secrets {
    /// The password of `--user`.
    pub password: Option<Zeroizing<String>>,
    /// The signing PIN.
    pub pin: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("pin", &self.pin.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Secrets {
    /// Reads the secrets asked for from standard input.
    pub fn read(password: bool, pin: bool) -> Result<Self> {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        Self::read_from(&mut input, password, pin)
    }

    fn read_from(input: &mut impl BufRead, password: bool, pin: bool) -> Result<Self> {
        let mut secrets = Self::default();
        if password {
            secrets.password = Some(read_line(input, "password")?);
        }
        if pin {
            secrets.pin = Some(read_line(input, "PIN")?);
        }
        Ok(secrets)
    }
}

/// One line of `input` without its line ending; an empty line or the end of input is refused.
fn read_line(input: &mut impl BufRead, what: &str) -> Result<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    input
        .read_line(&mut line)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    let value = line.strip_suffix('\n').unwrap_or(&line);
    let value = value.strip_suffix('\r').unwrap_or(value);
    if value.is_empty() {
        bail!("no {what} on standard input (one secret per line: the password, then the PIN)");
    }
    Ok(Zeroizing::new(value.to_owned()))
}

/// A server and an access token for it.
pub(crate) struct Session {
    http: reqwest::Client,
    base: String,
    token: Zeroizing<String>,
    /// Whether the token was obtained here (and so is revoked at the end).
    logged_in: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("base", &self.base).finish_non_exhaustive()
    }
}

/// Checks the server options that can be checked without the network.
pub(crate) fn check_url(args: &ServerArgs) -> Result<()> {
    let url = reqwest::Url::parse(&args.url).with_context(|| format!("--url {}", args.url))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        bail!("--url {}: an http:// or https:// URL is needed", args.url);
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("--url {}: give the server's base URL, without a query", args.url);
    }
    Ok(())
}

impl Session {
    /// Builds the HTTP client and logs in with `password` (for `--user`), or takes the token.
    pub async fn connect(args: &ServerArgs, password: Option<Zeroizing<String>>) -> Result<Self> {
        check_url(args)?;
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("signet/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT);
        if let Some(path) = &args.ca_cert {
            let pem =
                std::fs::read(path).with_context(|| format!("--ca-cert {}", path.display()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("--ca-cert {}: not PEM certificates", path.display()))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().context("cannot set up the HTTP client")?;
        let base = args.url.trim_end_matches('/').to_owned();
        match (&args.token, &args.user, password) {
            (Some(token), _, _) => {
                Ok(Self { http, base, token: Zeroizing::new(token.clone()), logged_in: false })
            }
            (None, Some(user), Some(password)) => {
                let token = login(&http, &base, user, &password)
                    .await
                    .with_context(|| format!("logging in to {base} as {user}"))?;
                Ok(Self { http, base, token, logged_in: true })
            }
            _ => bail!("give --token, or --user with --password-stdin"),
        }
    }

    /// The full URL of an API path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A POST to `path` with the bearer token.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(self.token.as_str())
    }

    /// POSTs a JSON body to `path`; the JSON answer, or the server's error.
    pub async fn call(&self, path: &str, body: &Value) -> Result<Value> {
        let response = self.post(path).json(body).send().await.map_err(|e| transport(&e))?;
        let response = checked(response).await?;
        response.json().await.map_err(|e| anyhow!("the server's answer is not JSON: {e}"))
    }

    /// Revokes the token if it was obtained by logging in; failures are ignored (the
    /// token expires anyway).
    pub async fn close(self) {
        if self.logged_in {
            let body = json!({ "token": self.token.as_str() });
            let _ = self.post("/csc/v1/auth/revoke").json(&body).send().await;
        }
    }
}

/// CSC `auth/login` with HTTP Basic: the access token.
async fn login(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
) -> Result<Zeroizing<String>> {
    let response = http
        .post(format!("{base}/csc/v1/auth/login"))
        .basic_auth(user, Some(password))
        .json(&json!({}))
        .send()
        .await
        .map_err(|e| transport(&e))?;
    let v: Value = checked(response).await?.json().await.context("the login answer")?;
    v["access_token"]
        .as_str()
        .map(|t| Zeroizing::new(t.to_owned()))
        .ok_or_else(|| anyhow!("the login answer has no access_token"))
}

/// The response if its status is a success; otherwise an error that carries the server's
/// `error_description` (and code), or the status and the start of the body.
pub(crate) async fn checked(response: reqwest::Response) -> Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut stream).await {
        body.extend_from_slice(&chunk);
        if body.len() > ERROR_BODY_LIMIT {
            break;
        }
    }
    Err(anyhow!(error_message(status, &body)))
}

/// The one-line message for an error answer.
fn error_message(status: reqwest::StatusCode, body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        if let Some(description) = v["error_description"].as_str() {
            return match v["error"].as_str() {
                Some(code) => format!("{description} ({code})"),
                None => description.to_owned(),
            };
        }
        if let Some(code) = v["error"].as_str() {
            return format!("{code} (HTTP {status})");
        }
    }
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text: String = text.chars().take(200).collect();
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {text}")
    }
}

/// A request that got no answer: the cause chain in one line (reqwest's top-level message
/// alone says little, e.g. "error sending request").
pub(crate) fn transport(e: &reqwest::Error) -> anyhow::Error {
    let mut line = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        line.push_str(": ");
        line.push_str(&s.to_string());
        source = s.source();
    }
    anyhow!("no answer from the server: {line}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_read_one_per_line_password_first() {
        let mut input = std::io::Cursor::new(b"pass word\r\n123456\n".to_vec());
        let s = Secrets::read_from(&mut input, true, true).unwrap();
        assert_eq!(s.password.as_deref().map(String::as_str), Some("pass word"));
        assert_eq!(s.pin.as_deref().map(String::as_str), Some("123456"));
        let mut input = std::io::Cursor::new(b"654321".to_vec());
        let s = Secrets::read_from(&mut input, false, true).unwrap();
        assert_eq!(
            (s.password.is_none(), s.pin.as_deref().map(String::as_str)),
            (true, Some("654321"))
        );
        let mut input = std::io::Cursor::new(b"only-the-password\n".to_vec());
        let e = Secrets::read_from(&mut input, true, true).unwrap_err();
        assert!(e.to_string().contains("no PIN"), "{e}");
    }

    #[test]
    fn error_answers_become_one_line() {
        let s = reqwest::StatusCode::BAD_REQUEST;
        let body = br#"{"error":"invalid_pin","error_description":"The PIN is invalid"}"#;
        assert_eq!(error_message(s, body), "The PIN is invalid (invalid_pin)");
        assert_eq!(
            error_message(s, b"<html>\n  oops\n</html>"),
            "HTTP 400 Bad Request: <html> oops </html>"
        );
        assert_eq!(error_message(reqwest::StatusCode::BAD_GATEWAY, b""), "HTTP 502 Bad Gateway");
    }
}
