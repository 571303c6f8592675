//! `signet extend`: raises signed files to B-T, B-LT or B-LTA (ETSI EN 319 142-1 for
//! PAdES, EN 319 122-1 for CAdES) with the Signature Update API,
//! `POST /api/v1/signatures/extend`, and renews a B-LTA one when asked for B-LTA again.
//!
//! - A PDF (`%PDF-` in its first 1024 bytes) is streamed as the body with the level in
//!   the query; the extended PDF comes back as the body and is streamed to the output.
//! - Anything else is taken as a CAdES signature (DER CMS `ContentInfo`) and sent in the
//!   JSON form `{"signature", "level", "content"?}`, base64; a detached signature's content
//!   (`--content`) is needed to add an archive timestamp (B-LTA), whose imprint covers it
//!   (EN 319 122-1 §5.5.3).

use super::files::{self, Job};
use super::{checked, progress, transport, Secrets, Session};
use crate::cli::{ExtendArgs, LevelArg};
use anyhow::{anyhow, bail, Context as _, Result};
use base64::Engine as _;
use indicatif::ProgressBar;
use serde_json::json;
use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A signed PDF.
    Pdf,
    /// A CAdES signature.
    Cades,
    /// An XML document with a XAdES or XMLDSig signature.
    Xml,
}

/// Runs `signet extend`.
pub async fn run(args: ExtendArgs) -> Result<()> {
    if args.level == LevelArg::BB {
        bail!("--level B-B: a signature is extended to B-T, B-LT or B-LTA");
    }
    super::check_url(&args.server)?;
    let kinds = args
        .files
        .iter()
        .map(|f| {
            Ok(if files::looks_like_pdf(f)? {
                Kind::Pdf
            } else if files::looks_like_xml(f)? {
                Kind::Xml
            } else {
                Kind::Cades
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(content) = &args.content {
        if args.files.len() != 1 {
            bail!("--content goes with one signature file, {} were given", args.files.len());
        }
        if kinds.first() == Some(&Kind::Pdf) {
            bail!(
                "--content is for a detached CAdES or XAdES signature; {} is a PDF",
                args.files[0].display()
            );
        }
        let meta = std::fs::metadata(content)
            .with_context(|| format!("--content {}", content.display()))?;
        if !meta.is_file() {
            bail!("--content {}: not a file", content.display());
        }
    }
    let jobs = files::plan(&args.files, &args.output, |i, path| match kinds.get(i) {
        Some(Kind::Pdf) => files::tagged(path, "extended", &["pdf"], "pdf"),
        Some(Kind::Xml) => files::tagged(path, "extended", &["xml"], "xml"),
        _ => files::tagged(path, "extended", &["p7s", "p7m"], "p7s"),
    })?;
    let secrets = Secrets::read(args.server.user.is_some(), false)?;
    let session = Session::connect(&args.server, secrets.password).await?;
    let result = extend_all(&session, &args, &jobs, &kinds).await;
    session.close().await;
    result
}

async fn extend_all(
    session: &Session,
    args: &ExtendArgs,
    jobs: &[Job],
    kinds: &[Kind],
) -> Result<()> {
    let total: u64 = jobs.iter().map(|j| j.size).sum();
    let bar = progress::bytes("extending", total);
    for (job, kind) in jobs.iter().zip(kinds) {
        bar.set_message(progress::label(&job.input));
        let level = match kind {
            Kind::Pdf => extend_stream(session, args, job, "application/pdf", &bar).await,
            Kind::Xml if args.content.is_none() => {
                extend_stream(session, args, job, "application/xml", &bar).await
            }
            Kind::Cades | Kind::Xml => extend_json(session, args, job, *kind, &bar).await,
        }
        .with_context(|| format!("extending {}", job.input.display()))?;
        bar.suspend(|| {
            println!("extended {} -> {} ({level})", job.input.display(), job.output.display())
        });
    }
    bar.finish_and_clear();
    Ok(())
}

/// A PDF or an XML document, streamed both ways: the level reached.
async fn extend_stream(
    session: &Session,
    args: &ExtendArgs,
    job: &Job,
    content_type: &str,
    bar: &ProgressBar,
) -> Result<String> {
    let body = files::upload(&job.input, bar).await?;
    let response = session
        .post("/api/v1/signatures/extend")
        .query(&[("level", args.level.as_str())])
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .map_err(|e| transport(&e))?;
    let response = checked(response).await?;
    let level = super::sign::reported_level(&response, args.level.as_str());
    files::write(job, args.output.force, response.bytes_stream()).await?;
    Ok(level)
}

/// A CAdES signature (or an XML one with its detached content) in the JSON form: the
/// level reached.
async fn extend_json(
    session: &Session,
    args: &ExtendArgs,
    job: &Job,
    kind: Kind,
    bar: &ProgressBar,
) -> Result<String> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let signature = read(&job.input).await?;
    let field = if kind == Kind::Xml { "document" } else { "signature" };
    let mut body = json!({ field: b64(&signature), "level": args.level.as_str() });
    if let Some(content) = &args.content {
        body["content"] = json!(b64(&read(content).await?));
    }
    bar.inc(job.size);
    let answer = session.call("/api/v1/signatures/extend", &body).await?;
    let extended = answer[field]
        .as_str()
        .ok_or_else(|| anyhow!("the server's answer has no signature"))
        .and_then(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| anyhow!("the server's signature is not base64"))
        })?;
    files::write_bytes(job, args.output.force, extended).await?;
    Ok(answer["level"].as_str().unwrap_or(args.level.as_str()).to_owned())
}

async fn read(path: &Path) -> Result<Vec<u8>> {
    tokio::fs::read(path).await.with_context(|| format!("cannot read {}", path.display()))
}
