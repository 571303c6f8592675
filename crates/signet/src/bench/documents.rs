//! `signet bench documents`: PAdES signing of one PDF (1 MB and 50 MB by default) in
//! this process, beside two references measured in the same run:
//! 1. the floor: SHA-256 of the file (read from disk, as the engine reads it);
//! 2. Signet B-B and B-LTA: the one-step path of `POST /api/v1/documents/sign` without
//!    HTTP — CSC authorize of the document's digest (PIN checked), then the engine reads
//!    the file from disk once (hash and byte range), prepares the update, the SAM signs,
//!    and the update is written (B-LTA: + signature time-stamp, /DSS with CRLs and OCSP,
//!    document time-stamp, all from the embedded PKI);
//! 3. the peer: pyHanko signing the same file with a local key of the same type
//!    (`tests/peers/pyhanko_sign_bench.py`, when the peers' venv is there).
//!
//! The median of `--rounds` is reported, with the process's peak resident memory (the
//! file is streamed from disk: it should not grow with the file).

use crate::config::Config;
use crate::open::{open, Mode};
use anyhow::{bail, Context};
use serde_json::json;
use signet_ades::pdf::FileSource;
use signet_engine::{
    Caller, CscAuthorize, DocumentFormat, DocumentInput, Engine, Level, PadesOptions, SignDocuments,
};
use signet_types::{HashAlgorithm, KeyAlgorithm};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The benchmark signer's PIN.
pub(super) const PIN: &str = "123456";

/// Runs `signet bench documents`.
pub async fn run(
    sizes_mb: &[u64],
    rounds: usize,
    pyhanko: Option<PathBuf>,
    json_out: bool,
) -> anyhow::Result<()> {
    if sizes_mb.is_empty()
        || sizes_mb.iter().any(|s| !(1..=2048).contains(s))
        || !(1..=50).contains(&rounds)
    {
        bail!("--sizes: 1..2048 MB each; --rounds 1..50");
    }
    in_scratch("documents", |config, dir| async move {
        run_in(&config, &dir, sizes_mb, rounds, pyhanko, json_out).await
    })
    .await
}

/// Runs `f` with a configuration whose data directory is in a scratch directory of its
/// own (also given to `f`), removed afterwards.
pub(super) async fn in_scratch<F, Fut>(name: &str, f: F) -> anyhow::Result<()>
where
    F: FnOnce(Config, PathBuf) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let suffix: String =
        signet_crypto::random_bytes::<6>()?.iter().map(|b| format!("{b:02x}")).collect();
    let dir = std::env::temp_dir().join(format!("signet-bench-{name}-{suffix}"));
    std::fs::create_dir_all(&dir)?;
    let config =
        Config { data_dir: dir.join("data"), listen: "127.0.0.1:0".parse()?, ..Config::default() };
    let result = f(config, dir.clone()).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The benchmark signer (EC P-256, PIN [`PIN`]) logged in: its caller and credential.
pub(super) async fn signer(engine: &Engine) -> anyhow::Result<(Caller, String)> {
    let credential = super::bench_signer(engine, Some(KeyAlgorithm::EcP256), PIN, 1).await?;
    let token =
        engine.login("bench", Zeroizing::new("bench-password".into()), false).await?.access_token;
    let caller = engine.authenticate(&token).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok((caller, credential))
}

/// A SAD for one SHA-256 `digest` (CSC authorize with the PIN).
pub(super) async fn authorize(
    engine: &Engine,
    caller: &Caller,
    credential: &str,
    digest: Vec<u8>,
) -> anyhow::Result<String> {
    let authorized = engine
        .csc_authorize(
            caller,
            CscAuthorize {
                credential_id: credential.to_owned(),
                num_signatures: 1,
                hashes: vec![digest],
                hash_algo: Some(HashAlgorithm::Sha256),
                pin: Some(Zeroizing::new(PIN.into())),
                otp: None,
                description: None,
            },
        )
        .await?;
    Ok(authorized.value)
}

struct Measured {
    size_mb: u64,
    hash: Duration,
    /// B-B with the SAD authorised beforehand: the work pyHanko also does.
    b_b: Duration,
    /// B-B including the CSC authorize (argon2id PIN check).
    b_b_authorize: Duration,
    b_lta: Duration,
    pyhanko: Option<Duration>,
}

async fn run_in(
    config: &Config,
    dir: &Path,
    sizes_mb: &[u64],
    rounds: usize,
    pyhanko: Option<PathBuf>,
    json_out: bool,
) -> anyhow::Result<()> {
    let opened = open(config, Mode::Serve).await?;
    let engine = opened.engine.clone();
    let (caller, credential) = signer(&engine).await?;
    let peer = PeerKey::new(dir)?;
    let python = pyhanko.or_else(default_python).filter(|p| p.exists());

    let baseline_rss = peak_rss_kib();
    let mut rows = Vec::new();
    for &size in sizes_mb {
        let pdf = dir.join(format!("{size}mb.pdf"));
        write_pdf(&pdf, size * 1024 * 1024)?;
        let mut hash = Vec::new();
        let (mut b_b, mut b_b_authorize, mut b_lta) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            hash.push(time_hash(&pdf)?);
            b_b.push(sign_once(&engine, &caller, &credential, &pdf, Level::BB, false).await?);
            b_b_authorize
                .push(sign_once(&engine, &caller, &credential, &pdf, Level::BB, true).await?);
            b_lta.push(sign_once(&engine, &caller, &credential, &pdf, Level::BLTA, false).await?);
        }
        let pyhanko = match &python {
            Some(p) => Some(peer.pyhanko(p, &pdf, rounds)?),
            None => None,
        };
        rows.push(Measured {
            size_mb: size,
            hash: median(hash),
            b_b: median(b_b),
            b_b_authorize: median(b_b_authorize),
            b_lta: median(b_lta),
            pyhanko,
        });
        let _ = std::fs::remove_file(&pdf);
    }
    let peak = peak_rss_kib();
    opened.store.close().await;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    if json_out {
        let sizes: Vec<_> = rows
            .iter()
            .map(|r| json!({
                "size_mb": r.size_mb, "sha256_ms": ms(r.hash), "b_b_ms": ms(r.b_b),
                "b_b_with_authorize_ms": ms(r.b_b_authorize), "b_lta_ms": ms(r.b_lta),
                "b_b_to_sha256": r.b_b.as_secs_f64() / r.hash.as_secs_f64(),
                "pyhanko_b_b_ms": r.pyhanko.map(ms),
                "pyhanko_to_signet_b_b": r.pyhanko.map(|p| p.as_secs_f64() / r.b_b.as_secs_f64()),
            }))
            .collect();
        println!(
            "{}",
            json!({ "benchmark": "documents", "key": "ec-p256", "rounds": rounds, "sizes": sizes,
            "peak_rss_kib": peak, "rss_before_kib": baseline_rss })
        );
        return Ok(());
    }
    println!("signet bench documents: PAdES, EC P-256, SHA-256, median of {rounds} round(s), SQLite, soft module");
    println!(
        "{:>8} {:>10} {:>9} {:>8} {:>14} {:>10} {:>11} {:>8}",
        "size",
        "sha256 ms",
        "B-B ms",
        "B-B/sha",
        "B-B+auth ms",
        "B-LTA ms",
        "pyHanko ms",
        "pyH/B-B"
    );
    for r in &rows {
        println!(
            "{:>6}MB {:>10.1} {:>9.1} {:>8.2} {:>14.1} {:>10.1} {:>11} {:>8}",
            r.size_mb,
            ms(r.hash),
            ms(r.b_b),
            r.b_b.as_secs_f64() / r.hash.as_secs_f64(),
            ms(r.b_b_authorize),
            ms(r.b_lta),
            r.pyhanko.map_or("-".into(), |p| format!("{:.1}", ms(p))),
            r.pyhanko
                .map_or("-".into(), |p| format!("{:.1}x", p.as_secs_f64() / r.b_b.as_secs_f64())),
        );
    }
    println!();
    println!(
        "peak resident memory of this process: {} MiB (before the documents: {} MiB)",
        peak / 1024,
        baseline_rss / 1024
    );
    println!(
        "Goals: B-B within 2x the SHA-256 floor for 50 MB; pyHanko ≥ 10x slower than Signet B-B."
    );
    println!("B-B: the SAD authorised beforehand (pyHanko does the same work with a local key): one pass");
    println!("over the file (hash), the update, the SAM's signature (audited, SQLite commit). B-B+auth adds the");
    println!("CSC authorize with its argon2id PIN check. B-LTA adds two time-stamps, the /DSS (CRLs, OCSP");
    println!("responses) and a second incremental update.");
    if python.is_none() {
        println!("pyHanko: not run (no peers venv; pass --pyhanko PATH/TO/python).");
    }
    Ok(())
}

/// One signature of `pdf` in one step. The client's digest (what the signer approves)
/// is computed before the clock starts; then, timed: the CSC authorize of that digest
/// (PIN checked) when `with_authorize`, the server's own pass over the file (as while
/// receiving an upload: read and hashed once), and the engine's signing.
async fn sign_once(
    engine: &Engine,
    caller: &Caller,
    credential: &str,
    pdf: &Path,
    level: Level,
    with_authorize: bool,
) -> anyhow::Result<Duration> {
    let digest = hash_file(pdf)?.finish();
    let ready = if with_authorize {
        None
    } else {
        Some(authorize(engine, caller, credential, digest.clone()).await?)
    };
    let start = Instant::now();
    let sad = match ready {
        Some(sad) => sad,
        None => authorize(engine, caller, credential, digest).await?,
    };
    let hashed = hash_file(pdf)?;
    let source = FileSource::new(std::fs::File::open(pdf)?)?;
    let signed = engine
        .sign_documents(
            caller,
            SignDocuments {
                credential_id: credential.to_owned(),
                sad,
                level,
                format: DocumentFormat::Pades(PadesOptions::default()),
                algorithm: None,
                documents: vec![DocumentInput { source: Arc::new(source), hashed: Some(hashed) }],
            },
        )
        .await?;
    let elapsed = start.elapsed();
    if signed.first().map_or(0, |s| s.signature.len()) == 0 {
        bail!("nothing signed");
    }
    Ok(elapsed)
}

fn hash_file(path: &Path) -> anyhow::Result<signet_crypto::digest::Hasher> {
    let source = FileSource::new(std::fs::File::open(path)?)?;
    let mut h = signet_crypto::digest::Hasher::new(HashAlgorithm::Sha256);
    signet_ades::pades::hash_source(&source, signet_ades::pdf::Source::size(&source), &mut h)?;
    Ok(h)
}

fn time_hash(path: &Path) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let _ = hash_file(path)?.finish();
    Ok(start.elapsed())
}

pub(super) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A PDF of about `size` bytes, written in pieces (one page; the bulk is a content
/// stream of comments).
fn write_pdf(path: &Path, size: u64) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
    ];
    let mut offsets = Vec::new();
    let mut at = header.len() as u64;
    f.write_all(header)?;
    for (i, body) in objects.iter().enumerate() {
        offsets.push(at);
        let text = format!("{} 0 obj\n{body}\nendobj\n", i + 1);
        f.write_all(text.as_bytes())?;
        at += text.len() as u64;
    }
    let line =
        b"% bench filler, never drawn ......................................................\n";
    let text = b"BT /F1 24 Tf 72 760 Td (Bench document) Tj ET\n";
    let lines = size.saturating_sub(at) / line.len() as u64;
    let length = text.len() as u64 + lines * line.len() as u64;
    offsets.push(at);
    let head = format!("4 0 obj\n<< /Length {length} >>\nstream\n");
    f.write_all(head.as_bytes())?;
    f.write_all(text)?;
    for _ in 0..lines {
        f.write_all(line)?;
    }
    let tail = "\nendstream\nendobj\n";
    f.write_all(tail.as_bytes())?;
    at += (head.len() + tail.len()) as u64 + length;
    offsets.push(at);
    let font = "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n";
    f.write_all(font.as_bytes())?;
    at += font.len() as u64;
    let mut xref = String::from("xref\n0 6\n0000000000 65535 f\r\n");
    for o in &offsets {
        xref.push_str(&format!("{o:010} 00000 n\r\n"));
    }
    xref.push_str(&format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{at}\n%%EOF\n"));
    f.write_all(xref.as_bytes())?;
    f.flush()?;
    Ok(())
}

/// The peer's EC P-256 key and self-signed certificate (OpenSSL).
pub(super) struct PeerKey {
    pub(super) key: PathBuf,
    pub(super) cert: PathBuf,
}

impl PeerKey {
    pub(super) fn new(dir: &Path) -> anyhow::Result<Self> {
        let (key, cert) = (dir.join("peer.key"), dir.join("peer.pem"));
        let ok = std::process::Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
            ])
            .args(["-subj", "/CN=Bench Peer", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !ok {
            bail!("openssl could not make the peer's key");
        }
        Ok(Self { key, cert })
    }

    fn pyhanko(&self, python: &Path, pdf: &Path, rounds: usize) -> anyhow::Result<Duration> {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/pyhanko_sign_bench.py");
        let out = std::process::Command::new(python)
            .arg(&script)
            .arg(&self.key)
            .arg(&self.cert)
            .arg(pdf)
            .arg(rounds.to_string())
            .output()
            .context("running pyHanko")?;
        if !out.status.success() {
            bail!("pyHanko failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).context("pyHanko's output")?;
        let s = v["seconds_per_document"].as_f64().context("pyHanko's time")?;
        Ok(Duration::from_secs_f64(s))
    }
}

fn default_python() -> Option<PathBuf> {
    Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-peers/bin/python"))
}

/// The process's peak resident set size (VmHWM), KiB.
pub(super) fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
