//! Revocation evidence collected over HTTP for any certificate chain (AdES B-LT): for
//! signatures made with external CAs, and for signatures made elsewhere that Signet is
//! asked to extend. The formats are read and checked by [`signet_pki::aia`],
//! [`signet_pki::ocsp::verify_response`] and [`signet_pki::crl::verify_crl`]; this module
//! moves bytes.
//!
//! ```text
//! collect([leaf, …], now)
//!   for each certificate, leaf first, until a self-signed one:
//!     issuer   = in the chain, else fetched from AIA caIssuers (DER, PEM, certs-only CMS),
//!                recognised by its signature on the certificate
//!     evidence = OCSP (POST application/ocsp-request, RFC 6960 appendix A.1) from the
//!                AIA responders, verified; else the CRL of a distribution point, verified
//!   → Evidence { certificates, crls, ocsp_responses, statuses }
//! ```
//!
//! Production rules: only `http`/`https` URLs; a timeout per request; a size cap on every
//! answer (read in chunks); answers cached in memory until their `nextUpdate` (bounded);
//! a revoked certificate is reported, not refused (the caller decides); no evidence at all
//! for a certificate that is not self-signed is an error naming it and the URLs tried.
//! Trust in the self-signed certificate at the top is the caller's decision too.

mod cache;
mod types;

use crate::EngineError;
use cache::{Cache, CacheKey};
use signet_pki::aia::{
    access_locations, ca_issuers_certificates, is_http_url, is_issued_by, is_self_signed,
};
use signet_pki::crl::{verify_crl, CrlInfo};
use signet_pki::ocsp::{request_der, verify_response, CertStatus, OcspStatusInfo};
use std::sync::Mutex;
use std::time::Duration;
use types::push_once;
pub use types::{CertEvidenceStatus, Evidence, EvidenceSource};

/// Most certificates walked from the leaf up.
const MAX_CHAIN: usize = 8;
/// Cached answers, by default.
pub const DEFAULT_CACHE_ENTRIES: usize = 1024;
/// How long a `caIssuers` answer is reused, in seconds.
const CA_ISSUERS_TTL: i64 = 86_400;
/// Redirects followed per request.
const MAX_REDIRECTS: usize = 3;

/// Fetches, checks and caches revocation evidence. Cheap to share (`Arc`); the cache is
/// per collector.
#[derive(Debug)]
pub struct EvidenceCollector {
    http: reqwest::Client,
    max_response_bytes: usize,
    cache: Mutex<Cache>,
    allow_private: bool,
}

impl EvidenceCollector {
    /// A collector whose requests each time out after `timeout` (connection and answer
    /// included) and whose answers may be at most `max_response_bytes` long.
    pub fn new(timeout: Duration, max_response_bytes: usize) -> Result<Self, EngineError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .user_agent(concat!("signet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EngineError::Internal(format!("evidence HTTP client: {e}")))?;
        Ok(Self {
            http,
            max_response_bytes,
            cache: Mutex::new(Cache::new(DEFAULT_CACHE_ENTRIES)),
            allow_private: false,
        })
    }

    /// The same collector, allowed (`true`) or not to fetch from loopback, private and
    /// link-local addresses. The URLs come from certificates anyone may submit (the
    /// Signature Update API): by default they cannot make the service reach its own
    /// network.
    pub fn allow_private_addresses(self, allow: bool) -> Self {
        Self { allow_private: allow, ..self }
    }

    /// The same collector with room for `entries` cached answers (0: no cache).
    pub fn with_cache_capacity(self, entries: usize) -> Self {
        Self { cache: Mutex::new(Cache::new(entries)), ..self }
    }

    /// Collects the evidence for `chain` (DER certificates, leaf first; it may lack
    /// issuers, which are then fetched from AIA caIssuers) at `now` (unix seconds): for
    /// each certificate up to a self-signed one, a verified OCSP response from its AIA
    /// responder, or else the verified CRL of its distribution point.
    pub async fn collect(&self, chain: &[Vec<u8>], now: i64) -> Result<Evidence, EngineError> {
        let Some(leaf) = chain.first() else {
            return Err(EngineError::InvalidInput("the certificate chain is empty".into()));
        };
        for (i, cert) in chain.iter().enumerate() {
            signet_pki::parse_certificate(cert).map_err(|e| {
                EngineError::InvalidInput(format!("certificate {} of the chain: {e}", i + 1))
            })?;
        }
        let mut pool: Vec<Vec<u8>> = Vec::new();
        chain.iter().for_each(|c| push_once(&mut pool, c));
        let mut evidence = Evidence::default();
        let mut current = leaf.clone();
        for _ in 0..MAX_CHAIN {
            let subject = subject(&current);
            push_once(&mut evidence.certificates, &current);
            if is_self_signed(&current) {
                evidence.statuses.push((subject, CertEvidenceStatus::SelfSigned));
                return Ok(evidence);
            }
            let issuer = self.issuer(&current, &subject, &mut pool, now).await?;
            let status = self.status(&current, &subject, &issuer, now, &mut evidence).await?;
            tracing::debug!(%subject, ?status, "revocation evidence collected");
            evidence.statuses.push((subject, status));
            current = issuer;
        }
        Err(EngineError::InvalidInput(format!(
            "no self-signed certificate within {MAX_CHAIN} issuers of `{}`",
            subject(leaf)
        )))
    }

    /// The certificate that issued `cert`: from the chain (or earlier fetches), else from
    /// its caIssuers locations.
    async fn issuer(
        &self,
        cert: &[u8],
        subject: &str,
        pool: &mut Vec<Vec<u8>>,
        now: i64,
    ) -> Result<Vec<u8>, EngineError> {
        let find = |pool: &[Vec<u8>]| pool.iter().find(|c| is_issued_by(cert, c)).cloned();
        if let Some(issuer) = find(pool) {
            return Ok(issuer);
        }
        let urls = locations(cert)?.ca_issuers;
        if urls.is_empty() {
            return Err(EngineError::InvalidInput(format!(
                "the issuer of `{subject}` is not in the chain, and the certificate names no \
                 http(s) caIssuers location to fetch it from"
            )));
        }
        let mut tried = Vec::new();
        for url in &urls {
            let key = CacheKey::CaIssuers(url.clone());
            let fetched = match self.cached(&key, now) {
                Some(body) => Ok(body),
                None => self.fetch(url, None).await,
            };
            let outcome = fetched.and_then(|body| {
                let certs = ca_issuers_certificates(&body).map_err(|e| e.to_string())?;
                certs.iter().for_each(|c| push_once(pool, c));
                let issuer = find(pool)
                    .ok_or_else(|| "no certificate in the answer issued it".to_owned())?;
                self.store(key, body, now + CA_ISSUERS_TTL, now);
                Ok(issuer)
            });
            match outcome {
                Ok(issuer) => return Ok(issuer),
                Err(why) => {
                    tracing::warn!(%subject, %url, %why, "caIssuers location unusable");
                    tried.push(format!("{url}: {why}"));
                }
            }
        }
        Err(EngineError::Unavailable(format!(
            "the issuer of `{subject}` could not be fetched (tried {})",
            tried.join("; ")
        )))
    }

    /// OCSP first, then the CRLs; the answer used is added to `evidence`.
    async fn status(
        &self,
        cert: &[u8],
        subject: &str,
        issuer: &[u8],
        now: i64,
        evidence: &mut Evidence,
    ) -> Result<CertEvidenceStatus, EngineError> {
        let locations = locations(cert)?;
        let mut tried = Vec::new();
        for url in &locations.ocsp {
            match self.ocsp(url, cert, issuer, now).await {
                Ok((der, info)) => {
                    let source = EvidenceSource::Ocsp { url: url.clone() };
                    let status = match info.status {
                        CertStatus::Good => {
                            CertEvidenceStatus::Good { source, next_update: info.next_update }
                        }
                        CertStatus::Revoked { at, reason } => {
                            CertEvidenceStatus::Revoked { at, reason, source }
                        }
                        CertStatus::Unknown => {
                            tracing::warn!(%subject, %url, "OCSP responder answered unknown");
                            tried.push(format!("{url}: the responder does not know it"));
                            continue;
                        }
                    };
                    push_once(&mut evidence.ocsp_responses, &der);
                    if let Some(responder) = &info.responder_certificate {
                        push_once(&mut evidence.certificates, responder);
                    }
                    return Ok(status);
                }
                Err(why) => {
                    tracing::warn!(%subject, %url, %why, "no OCSP answer; trying the next source");
                    tried.push(format!("{url}: {why}"));
                }
            }
        }
        for url in &locations.crl {
            let outcome = self.crl(url, issuer, now).await.and_then(|(der, info)| {
                Ok((der, info.status(cert).map_err(|e| e.to_string())?, info.next_update))
            });
            match outcome {
                Ok((der, status, next_update)) => {
                    let source = EvidenceSource::Crl { url: url.clone() };
                    let status = match status {
                        CertStatus::Good => CertEvidenceStatus::Good { source, next_update },
                        CertStatus::Revoked { at, reason } => {
                            CertEvidenceStatus::Revoked { at, reason, source }
                        }
                        // A CRL answers good or revoked; kept for completeness.
                        CertStatus::Unknown => {
                            tried.push(format!("{url}: the CRL does not answer for it"));
                            continue;
                        }
                    };
                    push_once(&mut evidence.crls, &der);
                    return Ok(status);
                }
                Err(why) => {
                    tracing::warn!(%subject, %url, %why, "CRL unusable");
                    tried.push(format!("{url}: {why}"));
                }
            }
        }
        if tried.is_empty() {
            return Err(EngineError::InvalidInput(format!(
                "no revocation evidence for `{subject}`: it names no http(s) OCSP responder \
                 and no CRL distribution point"
            )));
        }
        Err(EngineError::Unavailable(format!(
            "no revocation evidence for `{subject}` (tried {})",
            tried.join("; ")
        )))
    }

    /// A verified OCSP answer about `cert` from `url` (cached until its nextUpdate).
    async fn ocsp(
        &self,
        url: &str,
        cert: &[u8],
        issuer: &[u8],
        now: i64,
    ) -> Result<(Vec<u8>, OcspStatusInfo), String> {
        // No nonce (RFC 6960 §4.4.1 makes it optional; RFC 5019 responders ignore it), so
        // the request is the same each time and the answer can be cached.
        let request = request_der(cert, issuer, None).map_err(|e| e.to_string())?;
        let key = CacheKey::Ocsp { url: url.to_owned(), request: request.clone() };
        if let Some(body) = self.cached(&key, now) {
            match verify_response(&body, cert, issuer, now) {
                Ok(info) => return Ok((body, info)),
                Err(_) => self.forget(&key),
            }
        }
        let body = self.fetch(url, Some(&request)).await?;
        let info = verify_response(&body, cert, issuer, now).map_err(|e| e.to_string())?;
        if let Some(next) = info.next_update {
            self.store(key, body.clone(), next, now);
        }
        Ok((body, info))
    }

    /// A verified CRL of `issuer` from `url` (cached until its nextUpdate).
    async fn crl(&self, url: &str, issuer: &[u8], now: i64) -> Result<(Vec<u8>, CrlInfo), String> {
        let key = CacheKey::Crl(url.to_owned());
        if let Some(body) = self.cached(&key, now) {
            match verify_crl(&body, issuer, now) {
                Ok(info) => return Ok((body, info)),
                Err(_) => self.forget(&key),
            }
        }
        let body = self.fetch(url, None).await?;
        let info = verify_crl(&body, issuer, now).map_err(|e| e.to_string())?;
        if let Some(next) = info.next_update {
            self.store(key, body.clone(), next, now);
        }
        Ok((body, info))
    }

    /// GET `url`, or POST an OCSP request to it; the body of a 2xx answer, at most
    /// `max_response_bytes` long.
    async fn fetch(&self, url: &str, ocsp_request: Option<&[u8]>) -> Result<Vec<u8>, String> {
        if !is_http_url(url) {
            return Err("not an http(s) URL".into());
        }
        if !self.allow_private {
            refuse_private(url).await?;
        }
        let request = match ocsp_request {
            Some(body) => self
                .http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/ocsp-request")
                .header(reqwest::header::ACCEPT, "application/ocsp-response")
                .body(body.to_vec()),
            None => self.http.get(url),
        };
        tracing::debug!(%url, ocsp = ocsp_request.is_some(), "fetching revocation evidence");
        let mut response = request.send().await.map_err(|e| format!("no answer ({e})"))?;
        if !response.status().is_success() {
            return Err(format!("HTTP status {}", response.status()));
        }
        let cap = self.max_response_bytes;
        let too_big = || format!("the answer is larger than the {cap}-byte limit");
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(too_big());
        }
        let mut body = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| format!("reading the answer: {e}"))?
        {
            if body.len() + chunk.len() > cap {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn cached(&self, key: &CacheKey, now: i64) -> Option<Vec<u8>> {
        let hit = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(key, now);
        if hit.is_some() {
            tracing::debug!(?key, "revocation evidence from the cache");
        }
        hit
    }

    fn store(&self, key: CacheKey, body: Vec<u8>, until: i64, now: i64) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).put(key, body, until, now);
    }

    fn forget(&self, key: &CacheKey) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// Refuses a URL whose host resolves to a loopback, private, link-local or unspecified
/// address. (A name that resolves differently when reqwest connects is not caught; the
/// documented setting is the control.)
async fn refuse_private(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    let host = parsed.host_str().ok_or("no host")?.trim_matches(['[', ']']).to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addrs = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("the host does not resolve ({e})"))?;
    for a in addrs {
        let ip = a.ip();
        let private = match ip {
            std::net::IpAddr::V4(v4) => {
                v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
            }
            std::net::IpAddr::V6(v6) => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80
            }
        };
        if private {
            return Err(format!(
                "refused: {host} is a private address ({ip}); see documents.fetch_private_addresses"
            ));
        }
    }
    Ok(())
}

fn subject(cert: &[u8]) -> String {
    signet_pki::parse_certificate(cert).map_or_else(|_| "?".into(), |i| i.subject_dn)
}

fn locations(cert: &[u8]) -> Result<signet_pki::aia::AccessLocations, EngineError> {
    access_locations(cert).map_err(|e| EngineError::InvalidInput(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collector() -> EvidenceCollector {
        EvidenceCollector::new(Duration::from_secs(1), 1 << 20).unwrap()
    }

    #[tokio::test]
    async fn empty_and_garbage_chains_are_bad_input() {
        let c = collector();
        assert!(matches!(c.collect(&[], 0).await, Err(EngineError::InvalidInput(_))));
        let e = c.collect(&[b"junk".to_vec()], 0).await;
        assert!(matches!(&e, Err(EngineError::InvalidInput(m)) if m.contains("certificate 1")));
    }

    #[tokio::test]
    async fn only_http_urls_are_fetched() {
        let c = collector();
        for url in ["file:///etc/passwd", "ldap://ca.example/x", "gopher://x"] {
            assert_eq!(c.fetch(url, None).await, Err("not an http(s) URL".into()), "{url}");
        }
    }
}
