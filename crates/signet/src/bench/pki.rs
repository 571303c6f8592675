//! `signet bench pki`: the TSA (RFC 3161) and the OCSP responder (RFC 6960) over HTTP,
//! against a server started in this process, beside the raw signing rate of the same key
//! type (the TSA and OCSP keys have the CA's key type).
//!
//! Measurements, each for `--seconds`, with `--concurrency` keep-alive clients:
//! 1. raw soft-module signing with the key parsed once (the baseline);
//! 2. `POST /pki/tsa`: a SHA-256 TimeStampReq with a fresh nonce each time → a granted
//!    token (one signature each);
//! 3. `POST /pki/ocsp`: a request for a good certificate with a fresh nonce each time → a
//!    signed response. With a nonce nothing can be cached (RFC 5019 §2.2.1), so this is
//!    the uncached cost: Signet signs every response.

use super::http::Conn;
use crate::config::Config;
use crate::open::{open, Mode};
use anyhow::{anyhow, bail};
use serde_json::json;
use signet_types::{HashAlgorithm, KeyAlgorithm};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One measured endpoint.
struct Row {
    name: &'static str,
    done: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Row {
    fn rate(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    fn percentile(&self, p: f64) -> f64 {
        super::percentile_ms(&self.latencies, p)
    }
}

/// What a request of one kind is made of (a fresh nonce per request).
#[derive(Clone, Copy)]
enum Kind {
    Tsa,
    Ocsp,
}

struct Target {
    addr: String,
    certificate: Vec<u8>,
    issuer: Vec<u8>,
}

impl Target {
    fn request(&self, kind: Kind, i: u64) -> anyhow::Result<(&'static str, &'static str, Vec<u8>)> {
        // A positive INTEGER in minimal DER: top bit clear, first octet non-zero.
        let mut nonce = signet_crypto::random_bytes::<8>()?.to_vec();
        nonce[0] = (nonce[0] & 0x7f) | 0x01;
        nonce.extend(i.to_be_bytes());
        Ok(match kind {
            Kind::Tsa => {
                let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, &nonce);
                let mut req =
                    signet_pki::tsp::TimeStampRequest::new(HashAlgorithm::Sha256, digest)?;
                req.nonce = Some(nonce);
                req.cert_req = true;
                ("/pki/tsa", "application/timestamp-query", req.to_der()?)
            }
            Kind::Ocsp => (
                "/pki/ocsp",
                "application/ocsp-request",
                signet_pki::ocsp::request_der(&self.certificate, &self.issuer, Some(&nonce))?,
            ),
        })
    }
}

async fn measure(
    target: &Arc<Target>,
    name: &'static str,
    kind: Kind,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<Row> {
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let t = target.clone();
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::connect(&t.addr).await?;
            let mut latencies = Vec::new();
            let mut i = (w as u64) << 40;
            while start.elapsed() < duration {
                let (path, content_type, body) = t.request(kind, i)?;
                i += 1;
                let t0 = Instant::now();
                let (status, answer) = conn.post_as(path, content_type, None, &body).await?;
                latencies.push(t0.elapsed());
                // Only a granted token (PKIStatusInfo { status 0 }, RFC 3161 §2.4.2) or a
                // successful response (OCSPResponseStatus 0, RFC 6960 §4.2.1) counts.
                let ok = match kind {
                    Kind::Tsa => answer.windows(5).take(8).any(|w| w == [0x30, 3, 2, 1, 0]),
                    Kind::Ocsp => answer.windows(3).take(8).any(|w| w == [0x0a, 1, 0]),
                };
                if status != 200 || !ok || answer.len() < 256 {
                    bail!("{path}: HTTP {status}, {} bytes, not a signed answer", answer.len());
                }
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await??);
    }
    Ok(Row { name, done: latencies.len(), elapsed: start.elapsed(), latencies })
}

/// Runs `signet bench pki`.
pub async fn run(
    key: &str,
    concurrency: usize,
    seconds: f64,
    json_out: bool,
) -> anyhow::Result<()> {
    let key: KeyAlgorithm = key.parse()?;
    if !(1..=64).contains(&concurrency) || !(0.5..=600.0).contains(&seconds) {
        bail!("--concurrency 1..64, --seconds 0.5..600");
    }
    let suffix: String =
        signet_crypto::random_bytes::<6>()?.iter().map(|b| format!("{b:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("signet-bench-pki-{suffix}"));
    let mut config =
        Config { data_dir: dir.clone(), listen: "127.0.0.1:0".parse()?, ..Config::default() };
    config.ca.key = key; // the TSA and OCSP responder keys take the CA's key type
    config.certificates.default_key = KeyAlgorithm::EcP256;
    let result = run_in(&config, key, concurrency, seconds, json_out).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_in(
    config: &Config,
    key: KeyAlgorithm,
    concurrency: usize,
    seconds: f64,
    json_out: bool,
) -> anyhow::Result<()> {
    let opened = open(config, Mode::Serve).await?;
    let engine = &opened.engine;
    let credential_id = super::bench_signer(engine, None, "123456", 1).await?;
    let chain = engine.credential_chain(&credential_id).await?;
    let (certificate, issuer) = match chain.as_slice() {
        [leaf, issuer, ..] => (leaf.clone(), issuer.clone()),
        _ => bail!("the bench credential has no issuer certificate"),
    };
    // The service keys sign as the CA key's first non-legacy algorithm.
    let algorithm = *key
        .signature_algorithms()
        .iter()
        .find(|a| !a.is_legacy())
        .ok_or_else(|| anyhow!("no algorithm"))?;

    let server = super::InProcess::start(engine.clone(), config.listen).await?;
    let addr = server.addr.clone();
    let target = Arc::new(Target { addr: addr.clone(), certificate, issuer });
    let duration = Duration::from_secs_f64(seconds);

    let raw = tokio::task::spawn_blocking(move || {
        signet_crypto::soft::bench::run(key, algorithm, concurrency, 1, duration)
    })
    .await??;
    let raw_rate = raw.resident_rate;
    let rows = vec![
        measure(&target, "TSA tokens (POST /pki/tsa)", Kind::Tsa, concurrency, duration).await?,
        measure(&target, "OCSP responses (POST /pki/ocsp)", Kind::Ocsp, concurrency, duration)
            .await?,
    ];
    server.stop().await;
    opened.store.close().await;

    if json_out {
        let modes: Vec<_> = rows
            .iter()
            .map(|r| json!({ "mode": r.name, "per_second": r.rate(), "p50_ms": r.percentile(0.5), "p99_ms": r.percentile(0.99), "ratio_to_raw": r.rate() / raw_rate }))
            .collect();
        println!(
            "{}",
            json!({ "benchmark": "pki", "key": key.as_str(), "algorithm": algorithm.name(), "concurrency": concurrency, "raw_per_second": raw_rate, "ocsp_cache": false, "modes": modes })
        );
        return Ok(());
    }
    println!(
        "signet bench pki: {} ({}), concurrency {concurrency}, in-process server on {addr}, SQLite, soft module",
        key.as_str(),
        algorithm.name()
    );
    println!("{:<36} {:>9} {:>9} {:>9} {:>7}", "mode", "per s", "p50 ms", "p99 ms", "ratio");
    println!(
        "{:<36} {:>9.0} {:>9} {:>9} {:>7.3}",
        "raw soft module (key parsed once)", raw_rate, "-", "-", 1.0
    );
    for r in &rows {
        println!(
            "{:<36} {:>9.0} {:>9.2} {:>9.2} {:>7.3}",
            r.name,
            r.rate(),
            r.percentile(0.5),
            r.percentile(0.99),
            r.rate() / raw_rate
        );
    }
    println!();
    println!("ratio = answers/s ÷ the raw rate measured above in this run (goal ≥ 0.7). Every request carries");
    println!("a fresh nonce, so every answer is signed: OCSP responses are not cached (RFC 5019 caching would");
    println!("only help nonce-less requests). Each answer costs one unwrap of the service key and one signature,");
    println!("plus a registry lookup (OCSP) or the token's CMS assembly (TSA), DER and HTTP.");
    Ok(())
}
