//! `signet bench csc`: CSC signHash over HTTP against a server started in this process
//! (SQLite store, soft module), beside the raw signing rate of the same key type.
//!
//! Measurements, each for `--seconds`:
//! 1. raw soft-module signing with the key parsed once (the baseline);
//! 2. signHash with `--batch` hashes per SAD, the SADs authorised beforehand;
//! 3. authorize + signHash per batch (end to end, including the argon2id PIN check);
//! 4. authorize + signHash with one hash per SAD.

use super::http::Conn;
use crate::config::Config;
use crate::open::{open, Mode};
use anyhow::{anyhow, bail, Context};
use base64::Engine as _;
use serde_json::{json, Value};
use signet_engine::Engine;
use signet_types::{HashAlgorithm, KeyAlgorithm};
use std::time::{Duration, Instant};

const PIN: &str = "123456";

struct Target {
    addr: String,
    bearer: String,
    credential: String,
    sign_algo: String,
}

/// One measured mode.
struct Row {
    name: String,
    requests: usize,
    signatures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Row {
    fn per_second(&self, n: usize) -> f64 {
        n as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    fn percentile(&self, p: f64) -> f64 {
        super::percentile_ms(&self.latencies, p)
    }
}

fn digest(i: u64) -> Vec<u8> {
    signet_crypto::digest::digest(HashAlgorithm::Sha256, &i.to_be_bytes())
}

fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}

async fn call(conn: &mut Conn, t: &Target, method: &str, body: Value) -> anyhow::Result<Value> {
    let (status, bytes) =
        conn.post(&format!("/csc/v1/{method}"), &t.bearer, body.to_string().as_bytes()).await?;
    let v: Value = serde_json::from_slice(&bytes).context("response is not JSON")?;
    if status != 200 {
        bail!("{method}: HTTP {status} {v}");
    }
    Ok(v)
}

async fn authorize(conn: &mut Conn, t: &Target, hashes: &[Vec<u8>]) -> anyhow::Result<String> {
    let h: Vec<String> = hashes.iter().map(|d| b64(d)).collect();
    let v = call(
        conn,
        t,
        "credentials/authorize",
        json!({ "credentialID": t.credential, "numSignatures": h.len(), "hash": h, "PIN": PIN }),
    )
    .await?;
    v["SAD"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("no SAD in {v}"))
}

async fn sign(conn: &mut Conn, t: &Target, sad: &str, hashes: &[Vec<u8>]) -> anyhow::Result<usize> {
    let h: Vec<String> = hashes.iter().map(|d| b64(d)).collect();
    let v = call(
        conn,
        t,
        "signatures/signHash",
        json!({ "credentialID": t.credential, "SAD": sad, "hash": h, "signAlgo": t.sign_algo, "hashAlgo": "2.16.840.1.101.3.4.2.1" }),
    )
    .await?;
    let n = v["signatures"].as_array().map_or(0, Vec::len);
    if n != hashes.len() {
        bail!("signHash returned {n} signatures for {} hashes", hashes.len());
    }
    Ok(n)
}

/// Runs `workers` clients concurrently until `duration` passes; each loop iteration is
/// one batch of `batch` hashes (authorised in the loop when `with_authorize`).
async fn timed(
    t: &std::sync::Arc<Target>,
    name: String,
    workers: usize,
    batch: usize,
    duration: Duration,
    with_authorize: bool,
    seed: u64,
) -> anyhow::Result<Row> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(&t.addr).await?;
            let (mut requests, mut sigs, mut lat) = (0usize, 0usize, Vec::new());
            let mut i = seed + (w as u64) * 10_000_000;
            while start.elapsed() < duration {
                let hashes: Vec<Vec<u8>> = (0..batch).map(|k| digest(i + k as u64)).collect();
                i += batch as u64;
                let begun = Instant::now();
                let sad = authorize(&mut conn, &t, &hashes).await?;
                if with_authorize {
                    requests += 1;
                }
                let signing = Instant::now();
                sigs += sign(&mut conn, &t, &sad, &hashes).await?;
                requests += 1;
                lat.push(if with_authorize { begun.elapsed() } else { signing.elapsed() });
            }
            anyhow::Ok((requests, sigs, lat))
        }));
    }
    let mut row =
        Row { name, requests: 0, signatures: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for task in tasks {
        let (r, s, l) = task.await??;
        row.requests += r;
        row.signatures += s;
        row.latencies.extend(l);
    }
    row.elapsed = start.elapsed();
    Ok(row)
}

/// signHash alone: every SAD is authorised first (untimed), then only the signing
/// requests are timed.
async fn sign_only(
    t: &std::sync::Arc<Target>,
    workers: usize,
    batch: usize,
    per_worker: usize,
) -> anyhow::Result<Row> {
    let mut prepared = Vec::new();
    for w in 0..workers {
        let mut conn = Conn::connect(&t.addr).await?;
        let mut sads = Vec::new();
        for j in 0..per_worker {
            let base = 1_000_000_000 + ((w * per_worker + j) * batch) as u64;
            let hashes: Vec<Vec<u8>> = (0..batch).map(|k| digest(base + k as u64)).collect();
            sads.push((authorize(&mut conn, t, &hashes).await?, hashes));
        }
        prepared.push(sads);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for sads in prepared {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(&t.addr).await?;
            let (mut sigs, mut lat) = (0usize, Vec::new());
            for (sad, hashes) in sads {
                let begun = Instant::now();
                sigs += sign(&mut conn, &t, &sad, &hashes).await?;
                lat.push(begun.elapsed());
            }
            anyhow::Ok((sigs, lat))
        }));
    }
    let mut row = Row {
        name: format!("signHash, {batch} hashes/SAD (SADs ready)"),
        requests: 0,
        signatures: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (s, l) = task.await??;
        row.requests += l.len();
        row.signatures += s;
        row.latencies.extend(l);
    }
    row.elapsed = start.elapsed();
    Ok(row)
}

async fn setup(engine: &Engine, key: KeyAlgorithm, batch: usize) -> anyhow::Result<String> {
    super::bench_signer(engine, Some(key), PIN, u32::try_from(batch)?).await
}

/// Runs `signet bench csc`.
pub async fn run(
    key: &str,
    concurrency: usize,
    batch: usize,
    seconds: f64,
    json_out: bool,
) -> anyhow::Result<()> {
    let key: KeyAlgorithm = key.parse()?;
    if !(1..=64).contains(&concurrency)
        || !(1..=1000).contains(&batch)
        || !(0.5..=600.0).contains(&seconds)
    {
        bail!("--concurrency 1..64, --batch 1..1000, --seconds 0.5..600");
    }
    let algorithm = *key.signature_algorithms().first().ok_or_else(|| anyhow!("no algorithm"))?;
    let suffix: String =
        signet_crypto::random_bytes::<6>()?.iter().map(|b| format!("{b:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("signet-bench-{suffix}"));
    let mut config =
        Config { data_dir: dir.clone(), listen: "127.0.0.1:0".parse()?, ..Config::default() };
    config.ca.key = KeyAlgorithm::EcP256; // a fast CA: the benchmark measures signing, not set-up
    let result = run_in(&config, key, algorithm, concurrency, batch, seconds, json_out).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_in(
    config: &Config,
    key: KeyAlgorithm,
    algorithm: signet_types::SignatureAlgorithm,
    concurrency: usize,
    batch: usize,
    seconds: f64,
    json_out: bool,
) -> anyhow::Result<()> {
    let opened = open(config, Mode::Serve).await?;
    let credential = setup(&opened.engine, key, batch).await?;
    let server = super::InProcess::start(opened.engine.clone(), config.listen).await?;
    let addr = server.addr.clone();
    let basic = base64::engine::general_purpose::STANDARD.encode("bench:bench-password");
    let mut conn = Conn::connect(&addr).await?;
    let (status, body) = conn.post("/csc/v1/auth/login", &format!("Basic {basic}"), b"{}").await?;
    let login: Value = serde_json::from_slice(&body)?;
    if status != 200 {
        bail!("login: {status} {login}");
    }
    let token = login["access_token"].as_str().ok_or_else(|| anyhow!("no token"))?;
    let target = std::sync::Arc::new(Target {
        addr: addr.clone(),
        bearer: format!("Bearer {token}"),
        credential,
        sign_algo: algorithm.oid().to_string(),
    });
    let duration = Duration::from_secs_f64(seconds);

    // 1. Baseline: the same key type signing with its key parsed once, same thread count.
    let raw = tokio::task::spawn_blocking(move || {
        signet_crypto::soft::bench::run(key, algorithm, concurrency, 1, duration)
    })
    .await??;
    let raw_rate = raw.resident_rate;
    // 2. signHash alone, sized to last about `seconds` at the raw rate.
    let per_worker =
        ((raw_rate * seconds) / (batch * concurrency) as f64).ceil().clamp(2.0, 400.0) as usize;
    let rows = vec![
        sign_only(&target, concurrency, batch, per_worker).await?,
        timed(
            &target,
            format!("authorize+signHash, {batch} hashes/SAD"),
            concurrency,
            batch,
            duration,
            true,
            1,
        )
        .await?,
        timed(
            &target,
            "authorize+signHash, 1 hash/SAD".into(),
            concurrency,
            1,
            duration,
            true,
            5_000_000_000,
        )
        .await?,
    ];
    server.stop().await;
    opened.store.close().await;

    if json_out {
        let out: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({ "mode": r.name, "requests_per_second": r.per_second(r.requests), "signatures_per_second": r.per_second(r.signatures),
                        "p50_ms": r.percentile(0.5), "p99_ms": r.percentile(0.99), "ratio_to_raw": r.per_second(r.signatures) / raw_rate })
            })
            .collect();
        println!(
            "{}",
            json!({ "benchmark": "csc", "key": key.as_str(), "concurrency": concurrency, "batch": batch, "raw_per_second": raw_rate, "modes": out })
        );
        return Ok(());
    }
    println!("signet bench csc: {} ({}), concurrency {concurrency}, in-process server on {addr}, SQLite, soft module", key.as_str(), algorithm.name());
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "mode", "req/s", "sig/s", "p50 ms", "p99 ms", "ratio"
    );
    println!(
        "{:<40} {:>9} {:>9.0} {:>9} {:>9} {:>7.3}",
        "raw soft module (key parsed once)", "-", raw_rate, "-", "-", 1.0
    );
    for r in &rows {
        println!(
            "{:<40} {:>9.1} {:>9.0} {:>9.2} {:>9.2} {:>7.3}",
            r.name,
            r.per_second(r.requests),
            r.per_second(r.signatures),
            r.percentile(0.5),
            r.percentile(0.99),
            r.per_second(r.signatures) / raw_rate
        );
    }
    let sign_ms = batch as f64 / raw_rate * concurrency as f64 * 1e3;
    println!();
    println!("ratio = signatures/s ÷ the raw rate measured above in this run. Latency is per signHash request");
    println!("(per authorize+signHash pair in the end-to-end rows). Signing {batch} hashes takes ~{sign_ms:.1} ms of one");
    println!("core; the rest of a signHash is the SAD's compare-and-set, the audit append and commit, one unwrap,");
    println!("JSON and HTTP. An authorize costs one argon2id PIN verification (19 MiB, t=2), its own audit record");
    println!("and commit: with one hash per SAD that dominates.");
    Ok(())
}
