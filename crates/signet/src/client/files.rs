//! The files of a client command: the inputs checked and the outputs named before anything
//! goes over the network, uploads streamed from disk, and results written to a temporary
//! file in the output's directory that is renamed into place only once complete (a
//! failure or an interruption deletes it: no half-written result is ever left under the
//! output's name).

use crate::cli::OutputArgs;
use anyhow::{anyhow, bail, Context as _, Result};
use futures_util::{Stream, StreamExt as _, TryStreamExt as _};
use indicatif::ProgressBar;
use std::ffi::OsString;
use std::fs::Permissions;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt as _;

/// Upload chunks.
const CHUNK: usize = 256 * 1024;

/// One input file and where its result goes.
#[derive(Debug)]
pub(crate) struct Job {
    /// The input file.
    pub input: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The result's path.
    pub output: PathBuf,
    /// The input's permissions, given to the result.
    permissions: Permissions,
}

/// Checks the inputs and names the outputs: `name` gives a result's file name from an
/// input's index and path. Refuses `--output` with several inputs, two inputs with the same
/// result, a result that would replace its input, and (without `--force`) one that exists.
/// Creates `--out-dir` once all is well.
pub(crate) fn plan(
    files: &[PathBuf],
    out: &OutputArgs,
    name: impl Fn(usize, &Path) -> OsString,
) -> Result<Vec<Job>> {
    if out.output.is_some() && files.len() > 1 {
        bail!("--output takes one input file, {} were given (use --out-dir)", files.len());
    }
    let mut jobs: Vec<Job> = Vec::with_capacity(files.len());
    for (i, input) in files.iter().enumerate() {
        let meta = std::fs::metadata(input).with_context(|| input.display().to_string())?;
        if !meta.is_file() {
            bail!("{}: not a file", input.display());
        }
        std::fs::File::open(input).with_context(|| input.display().to_string())?;
        let output = match (&out.output, &out.out_dir) {
            (Some(o), _) => o.clone(),
            (None, Some(dir)) => dir.join(name(i, input)),
            (None, None) => input.with_file_name(name(i, input)),
        };
        if let Some(other) = jobs.iter().find(|j| j.output == output) {
            bail!(
                "{} and {} would both be written to {}",
                other.input.display(),
                input.display(),
                output.display()
            );
        }
        if same_file(input, &output) {
            bail!("{}: the result would replace the file itself", input.display());
        }
        if !out.force && output.symlink_metadata().is_ok() {
            bail!("{} exists (use --force to replace it)", output.display());
        }
        jobs.push(Job {
            input: input.clone(),
            size: meta.len(),
            output,
            permissions: meta.permissions(),
        });
    }
    if let Some(dir) = &out.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create --out-dir {}", dir.display()))?;
    }
    Ok(jobs)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `a.pdf` → `a.TAG.pdf` when the name ends with one of `extensions` (any case, kept as
/// written); otherwise `NAME.TAG.DEFAULT` (`TAG` may be empty: `data.bin` → `data.bin.p7s`).
pub(crate) fn tagged(path: &Path, tag: &str, extensions: &[&str], default: &str) -> OsString {
    let name = path.file_name().map(OsString::from).unwrap_or_default();
    let dotted = |s: &str| if s.is_empty() { String::new() } else { format!(".{s}") };
    if let Some(text) = name.to_str() {
        if let Some((stem, ext)) = text.rsplit_once('.') {
            if !stem.is_empty() && extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)) {
                return format!("{stem}{}.{ext}", dotted(tag)).into();
            }
        }
    }
    let mut out = name;
    out.push(format!("{}.{default}", dotted(tag)));
    out
}

/// Whether the file starts like a PDF (ISO 32000-1 §7.5.2: `%PDF-` in the first 1024 bytes,
/// which some producers precede with junk).
pub(crate) fn looks_like_pdf(path: &Path) -> Result<bool> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .with_context(|| path.display().to_string())?;
    Ok(head.windows(5).any(|w| w == b"%PDF-"))
}

/// Whether the file starts like XML: its first character after a byte order mark and
/// white space is `<`.
pub(crate) fn looks_like_xml(path: &Path) -> Result<bool> {
    use std::io::Read as _;
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .with_context(|| path.display().to_string())?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    Ok(head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<'))
}

/// The file as a streamed request body, each chunk counted on `bar` as it is read.
pub(crate) async fn upload(path: &Path, bar: &ProgressBar) -> Result<reqwest::Body> {
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let bar = bar.clone();
    let stream = tokio_util::io::ReaderStream::with_capacity(file, CHUNK)
        .inspect_ok(move |chunk| bar.inc(chunk.len() as u64));
    Ok(reqwest::Body::wrap_stream(stream))
}

/// Writes `stream` to the job's output: into a temporary file beside it, synced, given the
/// input's permissions, then renamed over the output (refused if it appeared meanwhile
/// and `force` is off). Returns the bytes written.
pub(crate) async fn write<S, B, E>(job: &Job, force: bool, stream: S) -> Result<u64>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    let dir = match job.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!(".{}.", progress_name(&job.output));
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".part")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    let std_file = tmp.as_file().try_clone().context("temporary file")?;
    let mut file = tokio::io::BufWriter::with_capacity(CHUNK, tokio::fs::File::from_std(std_file));
    let mut stream = std::pin::pin!(stream);
    let mut total = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| anyhow!("the answer was cut off: {e}"))?;
        let chunk = chunk.as_ref();
        total += chunk.len() as u64;
        file.write_all(chunk)
            .await
            .with_context(|| format!("cannot write {}", tmp.path().display()))?;
    }
    if total == 0 {
        bail!("the server's answer is empty");
    }
    file.flush().await.context("flush")?;
    file.get_ref()
        .sync_all()
        .await
        .with_context(|| format!("cannot sync {}", tmp.path().display()))?;
    drop(file);
    std::fs::set_permissions(tmp.path(), job.permissions.clone())
        .with_context(|| format!("cannot set the permissions of {}", tmp.path().display()))?;
    let persisted =
        if force { tmp.persist(&job.output) } else { tmp.persist_noclobber(&job.output) };
    persisted.map_err(|e| anyhow!("cannot write {}: {}", job.output.display(), e.error))?;
    Ok(total)
}

/// Writes bytes already in memory to the job's output, as [`write`] does.
pub(crate) async fn write_bytes(job: &Job, force: bool, bytes: Vec<u8>) -> Result<u64> {
    write(job, force, futures_util::stream::iter([Ok::<_, std::convert::Infallible>(bytes)])).await
}

fn progress_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_named_after_their_inputs() {
        let t = |p: &str, tag: &str, exts: &[&str], d: &str| {
            tagged(Path::new(p), tag, exts, d).to_string_lossy().into_owned()
        };
        assert_eq!(t("dir/a.pdf", "signed", &["pdf"], "pdf"), "a.signed.pdf");
        assert_eq!(t("A.PDF", "signed", &["pdf"], "pdf"), "A.signed.PDF");
        assert_eq!(t("scan", "signed", &["pdf"], "pdf"), "scan.signed.pdf");
        assert_eq!(t(".pdf", "signed", &["pdf"], "pdf"), ".pdf.signed.pdf");
        assert_eq!(t("data.bin", "", &[], "p7s"), "data.bin.p7s");
        assert_eq!(t("data.bin.p7s", "extended", &["p7s", "p7m"], "p7s"), "data.bin.extended.p7s");
        assert_eq!(t("sig.der", "extended", &["p7s", "p7m"], "p7s"), "sig.der.extended.p7s");
    }

    #[tokio::test]
    async fn a_result_appears_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.pdf");
        std::fs::write(&input, b"%PDF-1.7 original").unwrap();
        let out = OutputArgs { out_dir: None, output: None, force: false };
        let jobs =
            plan(std::slice::from_ref(&input), &out, |_, p| tagged(p, "signed", &["pdf"], "pdf"))
                .unwrap();
        let job = &jobs[0];
        assert_eq!(job.output, dir.path().join("in.signed.pdf"));
        // A stream that fails half-way leaves nothing behind.
        let broken = futures_util::stream::iter([Ok(b"half".to_vec()), Err("connection reset")]);
        let e = write(job, false, broken).await.unwrap_err();
        assert!(e.to_string().contains("cut off"), "{e}");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![OsString::from("in.pdf")]);
        // A complete one is renamed into place; a second run needs --force.
        assert_eq!(write_bytes(job, false, b"signed".to_vec()).await.unwrap(), 6);
        assert_eq!(std::fs::read(&job.output).unwrap(), b"signed");
        let again =
            plan(std::slice::from_ref(&input), &out, |_, p| tagged(p, "signed", &["pdf"], "pdf"));
        assert!(again.unwrap_err().to_string().contains("--force"));
        // --output with two files, and a result that is its own input, are refused.
        let two = [input.clone(), input.clone()];
        let out = OutputArgs { out_dir: None, output: Some(dir.path().join("x.pdf")), force: true };
        assert!(plan(&two, &out, |_, p| p.as_os_str().into())
            .unwrap_err()
            .to_string()
            .contains("--output"));
        let out = OutputArgs { out_dir: None, output: Some(input.clone()), force: true };
        assert!(plan(std::slice::from_ref(&input), &out, |_, p| p.as_os_str().into()).is_err());
    }
}
