//! `signet sign`: signs files with one consent for the batch.
//!
//! 1. Everything that can be checked locally is, before any request: the options, the
//!    inputs, the outputs' names, the secrets on standard input.
//! 2. Each file is hashed whole, streamed from disk, with the hash of the signature
//!    algorithm the server will use (`--hash`; or that of `--sign-algo`; or that of the
//!    credential's first algorithm in CSC `credentials/info` `key.algo`, as the server
//!    picks when no `signAlgo` is given).
//! 3. One CSC `credentials/authorize` (v1.0.4.0 §11.9) binds the SAD to those digests,
//!    `numSignatures` = the number of files.
//! 4. Each file is sent to `POST /api/v1/documents/sign` as the body with the SAD in the
//!    `Signet-SAD` header (each call uses one of the SAD's digests); the signed PDF or the
//!    CAdES signature comes back as the body and is streamed to the output.

use super::files::{self, Job};
use super::{checked, progress, transport, Secrets, Session};
use crate::cli::{FormatArg, HashArg, PackagingArg, SignArgs};
use anyhow::{anyhow, bail, Context as _, Result};
use base64::Engine as _;
use indicatif::ProgressBar;
use serde_json::{json, Value};
use signet_crypto::digest::Hasher;
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use tokio::io::AsyncReadExt as _;
use zeroize::Zeroizing;

/// Read size while hashing.
const HASH_CHUNK: usize = 1 << 20;

/// Runs `signet sign`.
pub async fn run(args: SignArgs) -> Result<()> {
    check_options(&args)?;
    super::check_url(&args.server)?;
    if args.format == FormatArg::Pades {
        for file in &args.files {
            if !files::looks_like_pdf(file)? {
                bail!("{}: not a PDF (use --format cades for other files)", file.display());
            }
        }
    }
    let jobs = files::plan(&args.files, &args.output, |_, path| output_name(&args, path))?;
    let explicit_hash = explicit_hash(&args)?;
    let secrets = Secrets::read(args.server.user.is_some(), args.pin_stdin)?;
    let session = Session::connect(&args.server, secrets.password).await?;
    let result = sign_all(&session, &args, &jobs, explicit_hash, secrets.pin).await;
    session.close().await;
    result
}

/// Options of one format given with another.
fn check_options(args: &SignArgs) -> Result<()> {
    match args.format {
        FormatArg::Pades => {
            if args.packaging.is_some() {
                bail!("--packaging is for CAdES and XAdES (--format cades, --format xades)");
            }
        }
        FormatArg::Cades if args.packaging == Some(PackagingArg::Enveloped) => {
            bail!("--packaging enveloped is for XAdES (--format xades)");
        }
        FormatArg::Cades | FormatArg::Xades => {
            let pades_only = [
                ("--reason", args.reason.is_some()),
                ("--location", args.location.is_some()),
                ("--contact-info", args.contact_info.is_some()),
                ("--field-name", args.field_name.is_some()),
                ("--visible", args.visible.is_some()),
                ("--certify", args.certify.is_some()),
            ];
            if let Some((name, _)) = pades_only.iter().find(|(_, given)| *given) {
                bail!("{name} is for PAdES (--format pades)");
            }
        }
    }
    Ok(())
}

/// `a.pdf` → `a.signed.pdf`; `data.bin` → `data.bin.p7s` (detached) or `data.bin.p7m`;
/// `a.xml` → `a.signed.xml` (enveloped) or `a.xml.xades.xml`.
fn output_name(args: &SignArgs, path: &std::path::Path) -> std::ffi::OsString {
    match (args.format, args.packaging) {
        (FormatArg::Pades, _) => files::tagged(path, "signed", &["pdf"], "pdf"),
        (FormatArg::Xades, None | Some(PackagingArg::Enveloped)) => {
            files::tagged(path, "signed", &["xml"], "xml")
        }
        (FormatArg::Xades, _) => files::tagged(path, "", &[], "xades.xml"),
        (FormatArg::Cades, Some(PackagingArg::Enveloping)) => files::tagged(path, "", &[], "p7m"),
        (FormatArg::Cades, _) => files::tagged(path, "", &[], "p7s"),
    }
}

/// The hash fixed by the options, if they fix one: `--hash`, or the one `--sign-algo` names.
fn explicit_hash(args: &SignArgs) -> Result<Option<HashAlgorithm>> {
    if let Some(h) = args.hash {
        return Ok(Some(match h {
            HashArg::Sha256 => HashAlgorithm::Sha256,
            HashArg::Sha384 => HashAlgorithm::Sha384,
            HashArg::Sha512 => HashAlgorithm::Sha512,
        }));
    }
    match &args.sign_algo {
        None => Ok(None),
        Some(oid) => hash_of(oid).map(Some).ok_or_else(|| {
            anyhow!("--sign-algo {oid}: give --hash too (this algorithm does not name its hash)")
        }),
    }
}

/// The hash of a signature algorithm OID that names it (not RSASSA-PSS, whose hash is in
/// its parameters, nor plain rsaEncryption).
fn hash_of(oid: &str) -> Option<HashAlgorithm> {
    HashAlgorithm::ALL
        .into_iter()
        .flat_map(|h| [SignatureAlgorithm::RsaPkcs1(h), SignatureAlgorithm::Ecdsa(h)])
        .find(|a| a.oid().to_string() == oid)
        .map(SignatureAlgorithm::hash)
}

/// The hash of the algorithm the server picks without `signAlgo`: the credential's first
/// non-legacy one (CSC `credentials/info`, `key.algo` in the server's order).
async fn credential_hash(session: &Session, credential: &str) -> Result<HashAlgorithm> {
    let info = session
        .call("/csc/v1/credentials/info", &json!({ "credentialID": credential }))
        .await
        .with_context(|| format!("reading credential {credential}"))?;
    let first = info["key"]["algo"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(hash_of)
        .find(|h| *h != HashAlgorithm::Sha1);
    Ok(first.unwrap_or(HashAlgorithm::Sha256))
}

async fn sign_all(
    session: &Session,
    args: &SignArgs,
    jobs: &[Job],
    explicit_hash: Option<HashAlgorithm>,
    pin: Option<Zeroizing<String>>,
) -> Result<()> {
    let hash = match explicit_hash {
        Some(h) => h,
        None => credential_hash(session, &args.credential).await?,
    };
    let total: u64 = jobs.iter().map(|j| j.size).sum();

    let bar = progress::bytes("hashing", total);
    let mut digests = Vec::with_capacity(jobs.len());
    for job in jobs {
        bar.set_message(progress::label(&job.input));
        let digest = hash_file(&job.input, hash, &bar)
            .await
            .with_context(|| format!("hashing {}", job.input.display()))?;
        digests.push(base64::engine::general_purpose::STANDARD.encode(digest));
    }
    bar.finish_and_clear();

    let sad = authorize(session, args, hash, digests, pin).await.with_context(|| {
        format!("authorizing {} with credential {}", count(jobs.len()), args.credential)
    })?;

    let query = query(args, hash);
    let content_type = match args.format {
        FormatArg::Pades => "application/pdf",
        FormatArg::Cades => "application/octet-stream",
        FormatArg::Xades => "application/xml",
    };
    let bar = progress::bytes("signing", total);
    for job in jobs {
        bar.set_message(progress::label(&job.input));
        let mut query = query.clone();
        if (args.format, args.packaging) == (FormatArg::Xades, Some(PackagingArg::Detached)) {
            // The detached signature names the file as it is beside it.
            if let Some(name) = job.input.file_name().and_then(|n| n.to_str()) {
                query.push(("documentUri", name.to_owned()));
            }
        }
        let level = sign_one(session, &query, content_type, &sad, job, args.output.force, &bar)
            .await
            .with_context(|| format!("signing {}", job.input.display()))?;
        bar.suspend(|| {
            println!("signed {} -> {} ({level})", job.input.display(), job.output.display())
        });
    }
    bar.finish_and_clear();
    Ok(())
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 document".into()
    } else {
        format!("{n} documents")
    }
}

/// The file's digest, read in chunks counted on `bar`.
async fn hash_file(
    path: &std::path::Path,
    hash: HashAlgorithm,
    bar: &ProgressBar,
) -> Result<Vec<u8>> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Hasher::new(hash);
    let mut buf = vec![0u8; HASH_CHUNK];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bar.inc(n as u64);
    }
    Ok(hasher.finish())
}

/// CSC `credentials/authorize` for the digests: the SAD.
async fn authorize(
    session: &Session,
    args: &SignArgs,
    hash: HashAlgorithm,
    digests: Vec<String>,
    pin: Option<Zeroizing<String>>,
) -> Result<Zeroizing<String>> {
    let mut body = json!({
        "credentialID": args.credential,
        "numSignatures": digests.len(),
        "hash": digests,
        "hashAlgo": hash.oid().to_string(),
    });
    if let Some(pin) = &pin {
        body["PIN"] = Value::String(pin.to_string());
    }
    let answer = session.call("/csc/v1/credentials/authorize", &body).await;
    if let Some(Value::String(s)) = body.get_mut("PIN") {
        zeroize::Zeroize::zeroize(s);
    }
    answer?["SAD"]
        .as_str()
        .map(|s| Zeroizing::new(s.to_owned()))
        .ok_or_else(|| anyhow!("the server's answer has no SAD"))
}

/// The query string of `documents/sign`.
fn query(args: &SignArgs, hash: HashAlgorithm) -> Vec<(&'static str, String)> {
    let mut q = vec![
        ("credentialID", args.credential.clone()),
        (
            "format",
            match args.format {
                FormatArg::Pades => "pades".into(),
                FormatArg::Cades => "cades".into(),
                FormatArg::Xades => "xades".into(),
            },
        ),
        ("level", args.level.as_str().into()),
    ];
    if let Some(p) = args.packaging {
        let p = match p {
            PackagingArg::Detached => "detached",
            PackagingArg::Enveloping => "enveloping",
            PackagingArg::Enveloped => "enveloped",
        };
        q.push(("packaging", p.into()));
    }
    if let Some(a) = &args.sign_algo {
        q.push(("signAlgo", a.clone()));
        q.push(("hashAlgo", hash.oid().to_string()));
    }
    let text = [
        ("reason", &args.reason),
        ("location", &args.location),
        ("contactInfo", &args.contact_info),
        ("fieldName", &args.field_name),
    ];
    for (name, value) in text {
        if let Some(v) = value {
            q.push((name, v.clone()));
        }
    }
    if let Some(c) = args.certify {
        q.push(("certify", c.to_string()));
    }
    if let Some(v) = &args.visible {
        q.push(("page", v.page.to_string()));
        let [x1, y1, x2, y2] = v.rect;
        q.push(("rect", format!("{x1},{y1},{x2},{y2}")));
    }
    q
}

/// Sends one file and writes its result; the level the server reports.
async fn sign_one(
    session: &Session,
    query: &[(&'static str, String)],
    content_type: &str,
    sad: &str,
    job: &Job,
    force: bool,
    bar: &ProgressBar,
) -> Result<String> {
    let body = files::upload(&job.input, bar).await?;
    let response = session
        .post("/api/v1/documents/sign")
        .query(query)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .header("Signet-SAD", sad)
        .body(body)
        .send()
        .await
        .map_err(|e| transport(&e))?;
    let response = checked(response).await?;
    let level = reported_level(&response, query_level(query));
    files::write(job, force, response.bytes_stream()).await?;
    Ok(level)
}

fn query_level<'a>(query: &'a [(&'static str, String)]) -> &'a str {
    query.iter().find(|(k, _)| *k == "level").map_or("", |(_, v)| v.as_str())
}

/// The level a document answer reports in its `Signet-Level` header, else the one asked for.
pub(super) fn reported_level(response: &reqwest::Response, requested: &str) -> String {
    response
        .headers()
        .get("signet-level")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(requested)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_algorithms_name_their_hash() {
        assert_eq!(hash_of("1.2.840.10045.4.3.2"), Some(HashAlgorithm::Sha256));
        assert_eq!(hash_of("1.2.840.10045.4.3.3"), Some(HashAlgorithm::Sha384));
        assert_eq!(hash_of("1.2.840.113549.1.1.13"), Some(HashAlgorithm::Sha512));
        assert_eq!(hash_of("1.2.840.113549.1.1.10"), None, "PSS carries its hash apart");
        assert_eq!(hash_of("1.2.840.113549.1.1.1"), None);
    }
}
