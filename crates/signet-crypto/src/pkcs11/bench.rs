//! `signet bench sign --module pkcs11`: in one run, digest signatures per second through
//! the HSM with per-operation unwrap (what every signer-key signature costs), through the
//! HSM with a resident token key (the HSM's own signing ceiling), and through the soft
//! module; then, on one thread, where one per-operation signature spends its time.
#![allow(clippy::disallowed_methods)] // a benchmark measures wall time with Instant

use super::blob;
use super::keygen;
use super::master::WrapMechanism;
use super::{sign, wrapped, Pkcs11Module};
use crate::soft::bench::{mean_us, rate};
use crate::soft::SoftModule;
use crate::{CryptoError, CryptoModule, KeyBinding};
use signet_types::{KeyAlgorithm, SignatureAlgorithm};
use std::time::Duration;

/// Results for one key type.
#[derive(Debug, Clone)]
pub struct Pkcs11BenchResult {
    /// Key type.
    pub key: KeyAlgorithm,
    /// Signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// Threads (and HSM sessions).
    pub threads: usize,
    /// Signatures/s through `CryptoModule::sign_digest` on the HSM: verify the blob's tag,
    /// unwrap, sign, destroy.
    pub unwrap_rate: f64,
    /// Signatures/s with a token key resident in the HSM (a held service key).
    pub resident_rate: f64,
    /// Signatures/s through the soft module (unwrap per operation), same key type.
    pub soft_rate: f64,
    /// One thread, µs per step of a per-operation signature: `C_Verify` of the HMAC tag.
    pub verify_us: f64,
    /// `C_UnwrapKey` of the wrapped private key.
    pub unwrap_us: f64,
    /// `C_Sign` with the freshly unwrapped key.
    pub sign_us: f64,
    /// `C_DestroyObject`.
    pub destroy_us: f64,
    /// `C_Sign` with the resident token key.
    pub resident_sign_us: f64,
    /// One operation's dispatch by the session pool (to a worker thread, for the
    /// deadline) with nothing to do.
    pub dispatch_us: f64,
}

impl Pkcs11BenchResult {
    /// Per-operation unwrap over resident-key signing.
    pub fn ratio(&self) -> f64 {
        if self.resident_rate > 0.0 {
            self.unwrap_rate / self.resident_rate
        } else {
            0.0
        }
    }
}

/// Benchmarks one key type on `module` for about `duration` in total.
pub fn run(
    module: &Pkcs11Module,
    key: KeyAlgorithm,
    algorithm: SignatureAlgorithm,
    threads: usize,
    duration: Duration,
) -> Result<Pkcs11BenchResult, CryptoError> {
    let threads = threads.max(1);
    let user = KeyBinding { owner: "bench-user", credential: "bench-credential", algorithm: key };
    let service = KeyBinding { owner: "service:bench", credential: key.as_str(), algorithm: key };
    let wrapped_key = module.generate_key(&user)?;
    let token_key = module.generate_key(&service)?;
    let held = module.hold_service_key(&token_key.wrapped, &service)?;
    let soft = SoftModule::from_master_key(&[0x5a; 32])?;
    let soft_key = soft.generate_key(&user)?;
    let digest = vec![0x42u8; algorithm.hash().output_len()];

    let via_unwrap =
        || module.sign_digest(&wrapped_key.wrapped, &user, algorithm, &digest).map(drop);
    let via_resident = || held.sign_digest(algorithm, &digest).map(drop);
    let via_soft = || soft.sign_digest(&soft_key.wrapped, &user, algorithm, &digest).map(drop);

    // Warm up every path, then alternate rounds so that drift hits all three alike.
    const ROUNDS: u32 = 4;
    let round = duration / (3 * ROUNDS);
    rate(threads, round / 4, via_unwrap)?;
    rate(threads, round / 4, via_resident)?;
    rate(threads, round / 4, via_soft)?;
    let (mut unwrap_sum, mut resident_sum, mut soft_sum) = (0.0, 0.0, 0.0);
    for _ in 0..ROUNDS {
        unwrap_sum += rate(threads, round, via_unwrap)?;
        resident_sum += rate(threads, round, via_resident)?;
        soft_sum += rate(threads, round, via_soft)?;
    }

    let steps = split(module, &wrapped_key.wrapped.0, &user, algorithm, &digest)?;
    let resident_sign_us =
        resident_step(module, &token_key.wrapped.0, &service, algorithm, &digest)?;
    let dispatch_us = mean_us(200, || module.inner.pool.run(|_| Ok(())))?;
    Ok(Pkcs11BenchResult {
        key,
        algorithm,
        threads,
        unwrap_rate: unwrap_sum / f64::from(ROUNDS),
        resident_rate: resident_sum / f64::from(ROUNDS),
        soft_rate: soft_sum / f64::from(ROUNDS),
        verify_us: steps[0],
        unwrap_us: steps[1],
        sign_us: steps[2],
        destroy_us: steps[3],
        resident_sign_us,
        dispatch_us,
    })
}

/// One thread, one session: `C_Sign` with the resident token key.
fn resident_step(
    module: &Pkcs11Module,
    bytes: &[u8],
    binding: &KeyBinding<'_>,
    algorithm: SignatureAlgorithm,
    digest: &[u8],
) -> Result<f64, CryptoError> {
    let blob = blob::parse(bytes)?;
    let key = module.inner.token_key(&blob, binding)?;
    let mut lease = module.inner.pool.lease()?;
    let handle = module.inner.token_key_handle(lease.session(), &key)?;
    mean_us(100, || {
        sign::sign_digest(&lease.session().session, handle, algorithm, digest).map(drop)
    })
}

/// One thread, one session: the mean time of each PKCS#11 call of a per-operation
/// signature, measured step by step.
fn split(
    module: &Pkcs11Module,
    bytes: &[u8],
    binding: &KeyBinding<'_>,
    algorithm: SignatureAlgorithm,
    digest: &[u8],
) -> Result<[f64; 4], CryptoError> {
    let inner = &module.inner;
    let blob = blob::parse(bytes)?;
    let (&mechanism, wrapped_bytes) = blob.body.split_first().ok_or(CryptoError::UnwrapFailed)?;
    let mechanism = WrapMechanism::from_byte(mechanism).ok_or(CryptoError::UnwrapFailed)?;
    let data = blob::tagged_data(blob.kind, &blob.key_id, blob::key_fields(binding), blob.body);
    let template = keygen::unwrapped_private_key(binding.algorithm);
    let mut lease = inner.pool.lease()?;
    let wrap_key = inner.master.wrap_key(lease.session())?;
    let n = 50;
    let verify_us = mean_us(n, || inner.master.verify(lease.session(), &data, blob.tag))?;
    let mut keys = Vec::with_capacity(n as usize);
    let unwrap_us = mean_us(n, || {
        let k = lease
            .session()
            .session
            .unwrap_key(&mechanism.mechanism(), wrap_key, wrapped_bytes, &template)
            .map_err(|e| super::error::hsm("C_UnwrapKey", &e))?;
        keys.push(k);
        Ok(())
    })?;
    let first = *keys.first().ok_or(CryptoError::Operation("no key unwrapped"))?;
    let sign_us = mean_us(n, || {
        sign::sign_digest(&lease.session().session, first, algorithm, digest).map(drop)
    })?;
    let mut pending = keys.into_iter();
    let destroy_us = mean_us(n, || {
        let k = pending.next().ok_or(CryptoError::Operation("no key left to destroy"))?;
        lease
            .session()
            .session
            .destroy_object(k)
            .map_err(|e| super::error::hsm("C_DestroyObject", &e))
    })?;
    // Anything left (never, unless a step failed) goes with the session.
    let rest: Vec<_> = pending.collect();
    if !rest.is_empty() {
        wrapped::destroy(&mut lease, &rest);
    }
    Ok([verify_us, unwrap_us, sign_us, destroy_us])
}
