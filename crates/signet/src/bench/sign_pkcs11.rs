//! `signet bench sign --module pkcs11`: digest signatures per second, in one run, through
//! SoftHSM2 with per-operation unwrap (every signer-key signature), through SoftHSM2 with
//! a resident token key (the HSM's own ceiling), and through the soft module; and where a
//! per-operation signature spends its time (one thread, each PKCS#11 call alone).
//!
//! The token is a throwaway: a SoftHSM2 token made in a new temporary directory (this
//! process's SOFTHSM2_CONF points there) and removed at the end. A configured HSM is never
//! touched.

use anyhow::{bail, Context};
use signet_crypto::pkcs11::bench::{self, Pkcs11BenchResult};
use signet_crypto::pkcs11::scratch::ScratchToken;
use signet_crypto::pkcs11::Pkcs11Module;
use signet_types::KeyAlgorithm;
use std::path::Path;
use std::time::Duration;

/// Runs the benchmark (blocking: call it off the async runtime).
pub fn run(
    library: &Path,
    key: &str,
    threads: usize,
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
    let token = ScratchToken::create(library, "signet-bench", "bench-pin")
        .with_context(|| format!("a throwaway SoftHSM2 token with {}", library.display()))?;
    let mut config = token.config.clone();
    config.sessions = threads;
    config.timeout = Duration::from_secs(60);
    let (module, _) = Pkcs11Module::open(&config, true).context("the PKCS#11 module")?;

    let mut keys = vec![first];
    if !only {
        keys.extend(KeyAlgorithm::ALL.into_iter().filter(|k| *k != first));
    }
    if !json {
        println!(
            "signet bench sign --module pkcs11: {threads} thread(s) and HSM session(s), {seconds} s per key type, SoftHSM2 (throwaway token)"
        );
        println!(
            "{:<9} {:<17} {:>12} {:>12} {:>7} {:>10}   {:>9} {:>9} {:>9} {:>10} {:>12} {:>11}",
            "key",
            "algorithm",
            "HSM unwrap/s",
            "HSM resid/s",
            "ratio",
            "soft/s",
            "verify µs",
            "unwrap µs",
            "sign µs",
            "destroy µs",
            "resident µs",
            "dispatch µs"
        );
    }
    let mut results: Vec<Pkcs11BenchResult> = Vec::new();
    for k in keys {
        let Some(alg) = k.signature_algorithms().first().copied() else { continue };
        let r = bench::run(&module, k, alg, threads, Duration::from_secs_f64(seconds))?;
        if !json {
            println!(
                "{:<9} {:<17} {:>12.0} {:>12.0} {:>7.3} {:>10.0}   {:>9.1} {:>9.1} {:>9.1} {:>10.1} {:>12.1} {:>11.1}",
                r.key.as_str(),
                r.algorithm.name(),
                r.unwrap_rate,
                r.resident_rate,
                r.ratio(),
                r.soft_rate,
                r.verify_us,
                r.unwrap_us,
                r.sign_us,
                r.destroy_us,
                r.resident_sign_us,
                r.dispatch_us
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
                    "hsm_unwrap_per_second": r.unwrap_rate, "hsm_resident_per_second": r.resident_rate,
                    "ratio": r.ratio(), "soft_per_second": r.soft_rate,
                    "verify_us": r.verify_us, "unwrap_us": r.unwrap_us, "sign_us": r.sign_us,
                    "destroy_us": r.destroy_us, "resident_sign_us": r.resident_sign_us,
                    "dispatch_us": r.dispatch_us,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({ "benchmark": "sign", "module": "pkcs11", "results": rows })
        );
    } else {
        println!();
        println!("HSM unwrap: per signature, C_Verify of the blob's HMAC tag + C_UnwrapKey + C_Sign + C_DestroyObject;");
        println!("HSM resid: C_Sign with a token key that stays in the HSM; ratio = HSM unwrap ÷ HSM resid;");
        println!(
            "soft: the soft module (AES-GCM unwrap + parse + sign) on the same key type, same run."
        );
        println!("µs columns, one thread: each PKCS#11 call of a per-operation signature, C_Sign");
        println!(
            "with the resident key, and the pool's dispatch of one operation (to a worker thread,"
        );
        println!("for the deadline) doing nothing.");
    }
    drop(module);
    drop(token);
    Ok(())
}
