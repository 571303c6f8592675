//! `signet bench sign`: the soft module's digest-signing rate with per-operation unwrap,
//! against the raw aws-lc-rs rate of the same key parsed once, in the same run.

use crate::cli::BenchCommand;
use anyhow::bail;
use signet_crypto::soft::bench::{self, SignBenchResult};
use signet_types::KeyAlgorithm;
use std::time::Duration;

/// Runs a benchmark command.
pub fn run(command: BenchCommand) -> anyhow::Result<()> {
    let BenchCommand::Sign { key, threads, seconds, only, json } = command;
    let first: KeyAlgorithm = key.parse()?;
    if !(0.2..=600.0).contains(&seconds) {
        bail!("--seconds must be between 0.2 and 600");
    }
    if threads == 0 || threads > 256 {
        bail!("--threads must be between 1 and 256");
    }
    let mut keys = vec![first];
    if !only {
        keys.extend(KeyAlgorithm::ALL.into_iter().filter(|k| *k != first));
    }
    if !json {
        println!("signet bench sign: {threads} thread(s), {seconds} s per key type, soft module (aws-lc-rs)");
        println!(
            "{:<9} {:<17} {:>12} {:>12} {:>7}   {:>9} {:>9} {:>9}",
            "key", "algorithm", "unwrap/op/s", "raw/s", "ratio", "unwrap µs", "parse µs", "sign µs"
        );
    }
    let mut results: Vec<SignBenchResult> = Vec::new();
    for k in keys {
        // The first algorithm each key offers: PKCS#1 v1.5 SHA-256 for RSA, the curve's ECDSA.
        let Some(alg) = k.signature_algorithms().first().copied() else { continue };
        let r = bench::run(k, alg, threads, Duration::from_secs_f64(seconds))?;
        if !json {
            println!(
                "{:<9} {:<17} {:>12.0} {:>12.0} {:>7.3}   {:>9.1} {:>9.1} {:>9.1}",
                r.key.as_str(),
                r.algorithm.name(),
                r.module_rate,
                r.resident_rate,
                r.ratio(),
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
                    "unwrap_us": r.unwrap_us, "parse_us": r.parse_us, "sign_us": r.sign_us,
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "benchmark": "sign", "results": rows }));
    } else {
        println!();
        println!("ratio = signatures/s with unwrap per operation ÷ raw aws-lc-rs rate with the key parsed once.");
        println!("The difference is one AES-256-GCM open of the PKCS#8 blob (unwrap µs) plus parsing and");
        println!("checking the private key (parse µs), paid on every signature so that no plaintext key outlives it.");
    }
    Ok(())
}
