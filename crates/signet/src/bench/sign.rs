//! `signet bench sign`: the soft module's digest-signing rate with per-operation unwrap,
//! against the raw aws-lc-rs rate of the same key parsed once, in the same run.

use anyhow::bail;
use signet_crypto::soft::bench::{self, SignBenchResult};
use signet_types::KeyAlgorithm;
use std::time::Duration;

/// Runs `signet bench sign`.
pub fn run(
    key: &str,
    threads: usize,
    batch: usize,
    seconds: f64,
    only: bool,
    json: bool,
) -> anyhow::Result<()> {
    let first: KeyAlgorithm = key.parse()?;
    if !(0.2..=600.0).contains(&seconds) {
        bail!("--seconds must be between 0.2 and 600");
    }
    if threads == 0 || threads > 256 {
        bail!("--threads must be between 1 and 256");
    }
    if batch == 0 || batch > 1000 {
        bail!("--batch must be between 1 and 1000");
    }
    let mut keys = vec![first];
    if !only {
        keys.extend(KeyAlgorithm::ALL.into_iter().filter(|k| *k != first));
    }
    if !json {
        println!("signet bench sign: {threads} thread(s), {seconds} s per key type, soft module (aws-lc-rs)");
        println!(
            "{:<9} {:<17} {:>10} {:>7} {:>11} {:>7} {:>10}   {:>9} {:>9} {:>9}",
            "key",
            "algorithm",
            "per-sig/s",
            "ratio",
            format!("per-req{batch}/s"),
            "ratio",
            "raw/s",
            "unwrap µs",
            "parse µs",
            "sign µs"
        );
    }
    let mut results: Vec<SignBenchResult> = Vec::new();
    for k in keys {
        // The first algorithm each key offers: PKCS#1 v1.5 SHA-256 for RSA, the curve's ECDSA.
        let Some(alg) = k.signature_algorithms().first().copied() else { continue };
        let r = bench::run(k, alg, threads, batch, Duration::from_secs_f64(seconds))?;
        if !json {
            println!(
                "{:<9} {:<17} {:>10.0} {:>7.3} {:>11.0} {:>7.3} {:>10.0}   {:>9.1} {:>9.1} {:>9.1}",
                r.key.as_str(),
                r.algorithm.name(),
                r.module_rate,
                r.ratio(),
                r.batch_rate,
                r.batch_ratio(),
                r.resident_rate,
                r.unwrap_us,
                r.parse_us,
                r.sign_us
            );
        }
        results.push(r);
    }
    if json {
        let rows: Vec<_> = results
            .iter()
            .map(|r| {
                serde_json::json!({
                    "key": r.key.as_str(), "algorithm": r.algorithm.name(), "threads": r.threads,
                    "module_per_second": r.module_rate, "raw_per_second": r.resident_rate, "ratio": r.ratio(),
                    "batch": r.batch, "batch_per_second": r.batch_rate, "batch_ratio": r.batch_ratio(),
                    "unwrap_us": r.unwrap_us, "parse_us": r.parse_us, "sign_us": r.sign_us,
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "benchmark": "sign", "results": rows }));
    } else {
        println!();
        println!("per-sig: one unwrap per signature; per-req: one unwrap per request of {batch} digests (one SAD);");
        println!("ratio = that rate ÷ the raw aws-lc-rs rate with the key parsed once, measured in the same run.");
        println!("Per unwrap: AES-256-GCM open (unwrap µs) + AWS-LC parsing and checking the key (parse µs) +");
        println!("first-use set-up of the fresh key, chiefly RSA blinding (a modular inverse), inside per-sig/s.");
    }
    Ok(())
}
