//! The soft module's signing benchmark (`signet bench sign`): digest signatures with
//! per-operation unwrap against the same key kept parsed in memory (the raw aws-lc-rs
//! rate), measured in the same run, interleaved in rounds so that machine noise hits
//! both alike, plus a split of what one unwrap costs.
#![allow(clippy::disallowed_methods)] // a benchmark measures wall time with Instant

use super::{keys::ResidentKey, SoftModule};
use crate::{CryptoError, CryptoModule, KeyBinding};
use signet_types::{KeyAlgorithm, SignatureAlgorithm};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Results for one key type and signature algorithm.
#[derive(Debug, Clone)]
pub struct SignBenchResult {
    /// Key type.
    pub key: KeyAlgorithm,
    /// Signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// Threads used.
    pub threads: usize,
    /// Signatures/s through `CryptoModule::sign_digest` (unwrap → parse → sign → zeroize).
    pub module_rate: f64,
    /// Signatures/s when one call signs a batch of `batch` digests (one unwrap per
    /// authorised request, as the SAM does for a signHash with several hashes).
    pub batch_rate: f64,
    /// Digests per call in `batch_rate`.
    pub batch: usize,
    /// Signatures/s with a key parsed once (raw aws-lc-rs).
    pub resident_rate: f64,
    /// Mean time of one AES-256-GCM unwrap, in microseconds (one thread).
    pub unwrap_us: f64,
    /// Mean time of parsing the unwrapped PKCS#8 key, in microseconds (one thread).
    pub parse_us: f64,
    /// Mean time of one signature with a parsed key, in microseconds (one thread).
    pub sign_us: f64,
}

impl SignBenchResult {
    /// Per-signature-unwrap rate over the raw rate.
    pub fn ratio(&self) -> f64 {
        self.over_raw(self.module_rate)
    }

    /// Per-request (batch) unwrap rate over the raw rate.
    pub fn batch_ratio(&self) -> f64 {
        self.over_raw(self.batch_rate)
    }

    fn over_raw(&self, rate: f64) -> f64 {
        if self.resident_rate > 0.0 {
            rate / self.resident_rate
        } else {
            0.0
        }
    }
}

/// Runs `f` on `threads` threads for `duration`, returning operations per second.
pub(crate) fn rate<F>(threads: usize, duration: Duration, f: F) -> Result<f64, CryptoError>
where
    F: Fn() -> Result<(), CryptoError> + Sync,
{
    let stop = AtomicBool::new(false);
    let count = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    if f().is_err() {
                        failed.store(true, Ordering::Relaxed);
                        break;
                    }
                    n += 1;
                }
                count.fetch_add(n, Ordering::Relaxed);
            });
        }
        std::thread::sleep(duration);
        stop.store(true, Ordering::Relaxed);
    });
    if failed.load(Ordering::Relaxed) {
        return Err(CryptoError::Operation("benchmark operation failed"));
    }
    Ok(count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

pub(crate) fn mean_us<F: FnMut() -> Result<(), CryptoError>>(
    n: u32,
    mut f: F,
) -> Result<f64, CryptoError> {
    let start = Instant::now();
    for _ in 0..n {
        f()?;
    }
    Ok(start.elapsed().as_secs_f64() * 1e6 / f64::from(n))
}

/// Benchmarks one key type and algorithm for about `duration` in total; `batch` is the
/// number of digests per call in the per-request measurement.
pub fn run(
    key: KeyAlgorithm,
    algorithm: SignatureAlgorithm,
    threads: usize,
    batch: usize,
    duration: Duration,
) -> Result<SignBenchResult, CryptoError> {
    let module = SoftModule::from_master_key(&[0x5a; 32])?;
    let binding =
        KeyBinding { owner: "bench-user", credential: "bench-credential", algorithm: key };
    let generated = module.generate_key(&binding)?;
    let resident = module.resident_key_for_benchmark(&generated.wrapped, &binding)?;
    let digest = vec![0x42u8; algorithm.hash().output_len()];
    let threads = threads.max(1);

    let batch = batch.max(1);
    let batch_digests: Vec<&[u8]> = vec![digest.as_slice(); batch];

    // Warm up every path, then alternate rounds so drift affects all alike.
    const ROUNDS: u32 = 4;
    let round = duration / (3 * ROUNDS);
    let via_module =
        || module.sign_digest(&generated.wrapped, &binding, algorithm, &digest).map(drop);
    let via_batch =
        || module.sign_digests(&generated.wrapped, &binding, algorithm, &batch_digests).map(drop);
    let via_resident = || resident.sign_digest(algorithm, &digest).map(drop);
    rate(threads, round / 4, via_module)?;
    rate(threads, round / 4, via_resident)?;
    let (mut module_sum, mut batch_sum, mut resident_sum) = (0.0, 0.0, 0.0);
    for _ in 0..ROUNDS {
        module_sum += rate(threads, round, via_module)?;
        batch_sum += rate(threads, round, via_batch)? * batch as f64;
        resident_sum += rate(threads, round, via_resident)?;
    }

    // Where the difference goes: one thread, each step alone.
    let n = 200;
    let unwrap_us = mean_us(n, || module.wrapper.unwrap(&generated.wrapped, &binding).map(drop))?;
    let pkcs8 = module.wrapper.unwrap(&generated.wrapped, &binding)?;
    let parse_us = mean_us(n, || ResidentKey::parse(key, pkcs8.clone()).map(drop))?;
    let sign_us = mean_us(n, via_resident)?;

    Ok(SignBenchResult {
        key,
        algorithm,
        threads,
        module_rate: module_sum / f64::from(ROUNDS),
        batch_rate: batch_sum / f64::from(ROUNDS),
        batch,
        resident_rate: resident_sum / f64::from(ROUNDS),
        unwrap_us,
        parse_us,
        sign_us,
    })
}
