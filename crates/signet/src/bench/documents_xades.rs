//! `signet bench documents --format xades`: XAdES B-B enveloped signing of one XML
//! document (100 KB and 20 MB by default) in this process, beside the peer measured in the
//! same run: xmlsec1 signing the same document with a local key of the same type (EC
//! P-256, ECDSA-SHA256, exclusive C14N) from a template made beforehand. xmlsec1's
//! process start-up is measured apart (`xmlsec1 --version`) and reported beside it.
//!
//! Signet's time is the one-step path of `POST /api/v1/documents/sign` without HTTP: the
//! SAD authorised beforehand (as the peer holds its key), then timed: the document read
//! and hashed (as while receiving an upload), parsed, canonicalized and digested, the
//! signed properties and `ds:SignedInfo` written, the SAM's signature (audited, SQLite
//! commit), the signature inserted. The median of `--rounds` is reported, with the
//! process's peak resident memory.

use super::documents::{authorize, in_scratch, median, peak_rss_kib, signer, PeerKey};
use crate::config::Config;
use crate::open::{open, Mode};
use anyhow::{bail, Context};
use serde_json::json;
use signet_ades::pdf::FileSource;
use signet_ades::xades::XadesOptions;
use signet_engine::{Caller, DocumentFormat, DocumentInput, Engine, Level, SignDocuments};
use signet_types::HashAlgorithm;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs the benchmark.
pub async fn run(sizes_kb: &[u64], rounds: usize, json_out: bool) -> anyhow::Result<()> {
    if sizes_kb.is_empty()
        || sizes_kb.iter().any(|s| !(1..=262_144).contains(s))
        || !(1..=50).contains(&rounds)
    {
        bail!("--xml-sizes-kb: 1..262144 KB each; --rounds 1..50");
    }
    in_scratch("xades", |config, dir| async move {
        run_in(&config, &dir, sizes_kb, rounds, json_out).await
    })
    .await
}

struct Measured {
    size_kb: u64,
    signet: Duration,
    xmlsec1: Option<Duration>,
}

async fn run_in(
    config: &Config,
    dir: &Path,
    sizes_kb: &[u64],
    rounds: usize,
    json_out: bool,
) -> anyhow::Result<()> {
    let opened = open(config, Mode::Serve).await?;
    let engine = opened.engine.clone();
    let (caller, credential) = signer(&engine).await?;
    let peer = PeerKey::new(dir)?;
    let xmlsec1 = which_xmlsec1();
    let startup =
        xmlsec1.then(|| median((0..rounds.max(3)).map(|_| time_xmlsec1_version()).collect()));
    let baseline_rss = peak_rss_kib();
    let mut rows = Vec::new();
    for &size in sizes_kb {
        let xml = dir.join(format!("{size}kb.xml"));
        write_xml(&xml, size * 1024)?;
        let template = dir.join(format!("{size}kb-template.xml"));
        if xmlsec1 {
            write_template(&xml, &template)?;
        }
        let (mut signet, mut peer_times) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            signet.push(sign_once(&engine, &caller, &credential, &xml).await?);
            if xmlsec1 {
                peer_times.push(xmlsec1_sign(
                    &peer,
                    &template,
                    &dir.join(format!("out-{round}.xml")),
                )?);
            }
        }
        rows.push(Measured {
            size_kb: size,
            signet: median(signet),
            xmlsec1: xmlsec1.then(|| median(peer_times)),
        });
        let _ = std::fs::remove_file(&xml);
        let _ = std::fs::remove_file(&template);
    }
    let peak = peak_rss_kib();
    opened.store.close().await;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    if json_out {
        let sizes: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "size_kb": r.size_kb, "signet_b_b_ms": ms(r.signet), "xmlsec1_ms": r.xmlsec1.map(ms),
                    "xmlsec1_to_signet": r.xmlsec1.map(|p| p.as_secs_f64() / r.signet.as_secs_f64()),
                })
            })
            .collect();
        println!(
            "{}",
            json!({ "benchmark": "documents", "format": "xades", "key": "ec-p256", "rounds": rounds,
                "sizes": sizes, "xmlsec1_startup_ms": startup.map(ms), "peak_rss_kib": peak,
                "rss_before_kib": baseline_rss })
        );
        return Ok(());
    }
    println!("signet bench documents --format xades: enveloped B-B, EC P-256, ECDSA-SHA256, exclusive C14N, median of {rounds}");
    println!("{:>10} {:>12} {:>12} {:>12}", "size", "Signet ms", "xmlsec1 ms", "xmlsec1/Signet");
    for r in &rows {
        println!(
            "{:>8}KB {:>12.1} {:>12} {:>12}",
            r.size_kb,
            ms(r.signet),
            r.xmlsec1.map_or("-".into(), |p| format!("{:.1}", ms(p))),
            r.xmlsec1.map_or("-".into(), |p| format!(
                "{:.2}x",
                p.as_secs_f64() / r.signet.as_secs_f64()
            )),
        );
    }
    println!();
    match startup {
        Some(s) => println!("xmlsec1 process start-up alone (xmlsec1 --version): {:.1} ms, part of each xmlsec1 time", ms(s)),
        None => println!("xmlsec1: not run (not installed)."),
    }
    println!(
        "peak resident memory of this process: {} MiB (before the documents: {} MiB)",
        peak / 1024,
        baseline_rss / 1024
    );
    println!("Goal: faster than xmlsec1 on both sizes (xmlsec1/Signet > 1).");
    Ok(())
}

/// One enveloped B-B signature in one step, the SAD authorised beforehand.
async fn sign_once(
    engine: &Engine,
    caller: &Caller,
    credential: &str,
    xml: &Path,
) -> anyhow::Result<Duration> {
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, &std::fs::read(xml)?);
    let sad = authorize(engine, caller, credential, digest).await?;
    let start = Instant::now();
    let bytes = std::fs::read(xml)?;
    let mut hashed = signet_crypto::digest::Hasher::new(HashAlgorithm::Sha256);
    hashed.update(&bytes);
    let source = FileSource::new(std::fs::File::open(xml)?)?;
    let signed = engine
        .sign_documents(
            caller,
            SignDocuments {
                credential_id: credential.to_owned(),
                sad,
                level: Level::BB,
                format: DocumentFormat::Xades(XadesOptions::default()),
                algorithm: None,
                documents: vec![DocumentInput { source: Arc::new(source), hashed: Some(hashed) }],
            },
        )
        .await?;
    let elapsed = start.elapsed();
    if signed.first().map_or(0, |s| s.signature.len()) <= bytes.len() {
        bail!("nothing signed");
    }
    Ok(elapsed)
}

/// An invoice-like XML document of about `size` bytes.
fn write_xml(path: &Path, size: u64) -> anyhow::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" xmlns:cbc=\"urn:cbc\">\n")?;
    let mut written = 0u64;
    let mut n = 0u64;
    while written < size {
        let line = format!(
            "  <Line n=\"{n}\"><cbc:Item>Widget &amp; part {n}</cbc:Item><cbc:Quantity unit=\"EA\">{}</cbc:Quantity><cbc:Price>{}.50</cbc:Price></Line>\n",
            n % 17 + 1,
            n % 997
        );
        f.write_all(line.as_bytes())?;
        written += line.len() as u64;
        n += 1;
    }
    f.write_all(b"</Invoice>\n")?;
    f.flush()?;
    Ok(())
}

/// The document with an xmlsec1 signature template as the last child of its root.
fn write_template(xml: &Path, template: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(xml)?;
    let at = text.rfind("</Invoice>").context("the bench document's end")?;
    let signature = concat!(
        r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>"#,
        r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
        r#"<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>"#,
        r#"<ds:Reference URI=""><ds:Transforms>"#,
        r#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>"#,
        r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>"#,
        r#"<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/>"#,
        r#"</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo>"#,
        r#"</ds:Signature>"#
    );
    std::fs::write(template, format!("{}{signature}{}", &text[..at], &text[at..]))?;
    Ok(())
}

fn which_xmlsec1() -> bool {
    Command::new("xmlsec1").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

fn time_xmlsec1_version() -> Duration {
    let start = Instant::now();
    let _ = Command::new("xmlsec1").arg("--version").output();
    start.elapsed()
}

/// xmlsec1 signs the template with the peer's key (the whole process, timed).
fn xmlsec1_sign(peer: &PeerKey, template: &Path, out: &Path) -> anyhow::Result<Duration> {
    let key = format!("{},{}", peer.key.display(), peer.cert.display());
    let start = Instant::now();
    let o = Command::new("xmlsec1")
        .args(["--sign", "--privkey-pem", &key, "--output"])
        .arg(out)
        .arg(template)
        .output()
        .context("running xmlsec1")?;
    let elapsed = start.elapsed();
    if !o.status.success() {
        bail!("xmlsec1 failed: {}", String::from_utf8_lossy(&o.stderr));
    }
    Ok(elapsed)
}
