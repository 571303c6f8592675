//! `signet sign` and `signet extend` — the client commands — against `signet serve`, both
//! the real binary: a PAdES batch under one consent (one file of 5 MB), a detached CAdES
//! signature, extension of a PDF and of a CAdES signature to B-LTA, and the failures (a
//! wrong PIN, a batch that stops at a bad file, options refused before any request). The
//! results are judged by pdfsig, qpdf and OpenSSL; XAdES (enveloped and detached, then
//! extended) by xmlsec1.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
#[path = "../../signet-ades/tests/common/pdf.rs"]
#[allow(dead_code)]
mod pdf;

use common::*;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct World {
    dir: tempfile::TempDir,
    server: Server,
    credential: String,
}

fn world() -> World {
    let listen = free_addr();
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}"));
    let d = dir.path();
    let server = Server::start_on(d, &listen);
    admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "ada-password",
    );
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let c = admin_json(
        d,
        &["credential", "create", "ada", "--key", "ec-p256", "--multisign", "10"],
        "",
    );
    admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");
    World { dir, server, credential: c["credential_id"].as_str().unwrap().to_owned() }
}

impl World {
    fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("ca/root.pem")
    }

    /// `signet sign --url … --user ada --password-stdin --pin-stdin --credential … <args>`
    /// with the password and `pin` on standard input.
    fn sign(&self, pin: &str, args: &[&str]) -> Output {
        let mut all = vec![
            "sign",
            "--url",
            &self.url(),
            "--user",
            "ada",
            "--password-stdin",
            "--pin-stdin",
            "--credential",
            &self.credential,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        all.extend(args.iter().map(|a| (*a).to_owned()));
        client(&all, &format!("ada-password\n{pin}\n"), &[])
    }
}

/// The `signet` binary with `args` and `stdin`, without the user's SIGNET_* variables.
fn client<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = signet_command();
    cmd.args(args).env_remove("SIGNET_URL").env_remove("SIGNET_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The command may exit before reading its input (a refusal): ignore a broken pipe.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// pdfsig says every one of `signatures` signatures in `file` is valid; qpdf finds no error.
fn assert_valid_pdf(w: &World, file: &Path, signatures: usize) {
    let (ok, out) = pdf::qpdf_check(file);
    assert!(ok, "qpdf: {out}");
    let tmp = tempfile::tempdir().unwrap();
    let out = pdf::pdfsig(file, &w.root(), tmp.path());
    assert_eq!(out.matches("Signature is Valid.").count(), signatures, "pdfsig: {out}");
}

/// `openssl cms -verify` of a detached CAdES signature of `content`.
fn openssl_verify(w: &World, p7s: &Path, content: &Path) {
    let o = Command::new("openssl")
        .args(["cms", "-verify", "-cades", "-binary", "-inform", "DER", "-purpose", "any"])
        .arg("-in")
        .arg(p7s)
        .arg("-content")
        .arg(content)
        .arg("-CAfile")
        .arg(w.root())
        .args(["-out", "/dev/null"])
        .output()
        .unwrap();
    let err = text(&o.stderr);
    assert!(o.status.success() && err.contains("Verification successful"), "{err}");
}

#[test]
fn a_batch_of_pdfs_is_signed_under_one_consent() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let originals = [
        ("contract.pdf", pdf::sample_pdf(1, 0)),
        ("annex.pdf", pdf::sample_pdf(3, 2000)),
        ("large.pdf", pdf::sample_pdf(2, 5 * 1024 * 1024)),
    ];
    let mut args = vec!["--format", "pades", "--level", "B-T", "--reason", "CLI batch"];
    args.extend(["--visible", "1:50,50,250,110"]);
    let paths: Vec<String> = originals
        .iter()
        .map(|(name, bytes)| {
            let p = tmp.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p.to_str().unwrap().to_owned()
        })
        .collect();
    args.extend(paths.iter().map(String::as_str));
    let o = w.sign("123456", &args);
    let (stdout, stderr) = (text(&o.stdout), text(&o.stderr));
    assert!(o.status.success(), "{stdout}\n{stderr}");
    // No progress bars when standard error is not a terminal.
    assert_eq!(stderr, "", "nothing on stderr");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for ((name, original), line) in originals.iter().zip(&lines) {
        let out = tmp.path().join(name.replace(".pdf", ".signed.pdf"));
        let input = tmp.path().join(name);
        assert_eq!(
            *line,
            format!("signed {} -> {} (B-T)", input.display(), out.display()),
            "{stdout}"
        );
        let signed = std::fs::read(&out).unwrap();
        assert!(signed.starts_with(original), "{name}: the original bytes come first");
        assert!(signed.windows(9).any(|w| w == b"CLI batch"), "{name}: /Reason");
        assert_valid_pdf(&w, &out, 1);
    }
    // Only the inputs and the results: no temporary files left.
    assert_eq!(
        names(tmp.path()),
        [
            "annex.pdf",
            "annex.signed.pdf",
            "contract.pdf",
            "contract.signed.pdf",
            "large.pdf",
            "large.signed.pdf"
        ]
    );
    // A second run does not replace the results without --force.
    let o = w.sign("123456", &["--format", "pades", "--level", "B-B", &paths[0]]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("exists (use --force"), "{}", text(&o.stderr));
}

#[test]
fn a_detached_cades_signature_with_a_token_and_its_extension_to_b_lta() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let data: Vec<u8> =
        (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let file = tmp.path().join("data.bin");
    std::fs::write(&file, &data).unwrap();
    let out_dir = tmp.path().join("out");
    let token = login(&w.server.addr, "ada", "ada-password");
    let url = w.url();
    let args = [
        "sign",
        "--url",
        &url,
        "--credential",
        &w.credential,
        "--pin-stdin",
        "--format",
        "cades",
        "--level",
        "B-T",
        "--out-dir",
        out_dir.to_str().unwrap(),
        file.to_str().unwrap(),
    ];
    // The token from the environment, the PIN alone on standard input.
    let o = client(&args, "123456\n", &[("SIGNET_TOKEN", &token)]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let p7s = out_dir.join("data.bin.p7s");
    assert_eq!(
        text(&o.stdout).trim(),
        format!("signed {} -> {} (B-T)", file.display(), p7s.display())
    );
    openssl_verify(&w, &p7s, &file);

    // Extended to B-LTA with its content (the archive timestamp covers it).
    let o = client(
        &[
            "extend",
            "--url",
            &url,
            "--token",
            &token,
            "--level",
            "B-LTA",
            "--content",
            file.to_str().unwrap(),
            p7s.to_str().unwrap(),
        ],
        "",
        &[],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lta = out_dir.join("data.bin.extended.p7s");
    assert_eq!(
        text(&o.stdout).trim(),
        format!("extended {} -> {} (B-LTA)", p7s.display(), lta.display())
    );
    openssl_verify(&w, &lta, &file);
    let dump =
        openssl(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", lta.to_str().unwrap()]);
    // id-aa-ets-archiveTimestampV3 (ETSI EN 319 122-1 §5.5.3).
    assert!(dump.contains("0.4.0.1733.2.4"), "an archive timestamp: {dump}");
}

#[test]
fn a_signed_pdf_is_extended_to_b_lta() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("deed.pdf");
    std::fs::write(&file, pdf::sample_pdf(2, 100_000)).unwrap();
    let signed_path = tmp.path().join("deed-signed.pdf");
    let o = w.sign(
        "123456",
        &[
            "--format",
            "pades",
            "--level",
            "B-B",
            "--output",
            signed_path.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let signed = std::fs::read(&signed_path).unwrap();
    assert!(!signed.windows(13).any(|w| w == b"/ETSI.RFC3161"));

    // Logged in with the password alone on standard input.
    let url = w.url();
    let args = [
        "extend",
        "--url",
        &url,
        "--user",
        "ada",
        "--password-stdin",
        "--level",
        "b-lta",
        signed_path.to_str().unwrap(),
    ];
    let o = client(&args, "ada-password\n", &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lta = tmp.path().join("deed-signed.extended.pdf");
    assert_eq!(
        text(&o.stdout).trim(),
        format!("extended {} -> {} (B-LTA)", signed_path.display(), lta.display())
    );
    let extended = std::fs::read(&lta).unwrap();
    assert!(extended.starts_with(&signed), "an incremental update of the signed file");
    assert!(extended.windows(13).any(|w| w == b"/ETSI.RFC3161"), "a document timestamp");
    assert_valid_pdf(&w, &lta, 1);
}

#[test]
fn a_wrong_pin_or_a_bad_file_fails_with_the_servers_words_and_leaves_nothing() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.pdf");
    std::fs::write(&good, pdf::sample_pdf(1, 300_000)).unwrap();
    let junk = tmp.path().join("junk.pdf");

    let o = w.sign("999999", &["--format", "pades", "--level", "B-T", good.to_str().unwrap()]);
    let stderr = text(&o.stderr);
    assert!(!o.status.success());
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: authorizing 1 document"), "{stderr}");
    assert!(stderr.contains("The PIN is invalid (invalid_pin)"), "the server's words: {stderr}");
    assert_eq!(text(&o.stdout), "");
    assert_eq!(names(tmp.path()), ["good.pdf"], "no output file");

    // A batch stops at the first failure and names the file; what was signed stays. (A
    // truncated PDF: the server refuses it.)
    let mut cut = pdf::sample_pdf(1, 0);
    cut.truncate(cut.len() / 2);
    std::fs::write(&junk, cut).unwrap();
    let o = w.sign(
        "123456",
        &["--format", "pades", "--level", "B-B", good.to_str().unwrap(), junk.to_str().unwrap()],
    );
    let stderr = text(&o.stderr);
    assert!(!o.status.success());
    assert!(stderr.starts_with(&format!("error: signing {}: ", junk.display())), "{stderr}");
    assert!(stderr.contains("(invalid_request)"), "{stderr}");
    assert_eq!(text(&o.stdout).lines().count(), 1, "{}", text(&o.stdout));
    assert_eq!(names(tmp.path()), ["good.pdf", "good.signed.pdf", "junk.pdf"]);
}

#[test]
fn bad_options_are_refused_before_any_request() {
    // Nothing listens there: a refusal that mentions the option came before the network.
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a.pdf");
    let b = tmp.path().join("b.pdf");
    std::fs::write(&a, pdf::sample_pdf(1, 0)).unwrap();
    std::fs::write(&b, pdf::sample_pdf(1, 0)).unwrap();
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "not a PDF").unwrap();
    let (a, b, notes) = (a.to_str().unwrap(), b.to_str().unwrap(), notes.to_str().unwrap());
    let url = format!("http://{}", free_addr());
    let sign = |extra: &[&str]| {
        let mut args = vec!["sign", "--url", &url, "--token", "t", "--credential", "c"];
        args.extend_from_slice(extra);
        client(&args, "", &[])
    };
    for (extra, says) in [
        (
            vec!["--format", "pades", "--level", "B-T", "--output", "x.pdf", a, b],
            "--output takes one",
        ),
        (vec!["--format", "cades", "--level", "B-T", "--reason", "r", a], "--reason is for PAdES"),
        (
            vec!["--format", "pades", "--level", "B-T", "--packaging", "enveloping", a],
            "--packaging",
        ),
        (vec!["--format", "pades", "--level", "B-T", "--visible", "0:1,1,2,2", a], "from 1"),
        (vec!["--format", "pades", "--level", "B-T", "--visible", "1:5,5,2,2", a], "x1 < x2"),
        (vec!["--format", "pades", "--level", "B-T", "missing.pdf"], "missing.pdf"),
        (vec!["--format", "pades", "--level", "B-T", notes], "not a PDF"),
        (vec!["--format", "pades", "--level", "B-T", "--output", a, a], "replace the file itself"),
        (
            vec!["--format", "pades", "--level", "B-T", "--sign-algo", "1.2.840.113549.1.1.10", a],
            "--hash",
        ),
    ] {
        let o = sign(&extra);
        let stderr = text(&o.stderr);
        assert!(!o.status.success(), "{extra:?}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
        assert!(!stderr.contains("no answer"), "{extra:?} went to the network: {stderr}");
    }
    // --token and --user together, --user without --password-stdin: clap refuses them.
    for extra in [
        vec!["--user", "ada", "--password-stdin", "--format", "pades", "--level", "B-T", a],
        vec!["--format", "pades", "--level", "B-T", "--certify", "4", a],
    ] {
        assert_eq!(sign(&extra).status.code(), Some(2), "{extra:?}");
    }
    let o = client(&["extend", "--url", &url, "--token", "t", "--level", "B-B", a], "", &[]);
    assert!(text(&o.stderr).contains("B-T, B-LT or B-LTA"), "{}", text(&o.stderr));
    let o = client(
        &["extend", "--url", &url, "--token", "t", "--level", "B-LTA", "--content", b, a],
        "",
        &[],
    );
    assert!(text(&o.stderr).contains("is a PDF"), "{}", text(&o.stderr));
    // And nothing was written.
    assert_eq!(names(tmp.path()), ["a.pdf", "b.pdf", "notes.txt"]);
    // A server that is not there: one line naming the failure.
    let o = sign(&["--format", "pades", "--level", "B-T", a]);
    let stderr = text(&o.stderr);
    assert!(
        stderr.starts_with("error: reading credential c: no answer from the server"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// `xmlsec1 --verify` with the embedded root trusted, in `dir` (where a detached
/// signature's file is): its verdict and output.
fn xmlsec1(w: &World, dir: &Path, file: &Path) -> (bool, String) {
    let o = Command::new("xmlsec1")
        .args(["--verify", "--enabled-key-data", "x509", "--trusted-pem"])
        .arg(w.root())
        .arg(file)
        .current_dir(dir)
        .output()
        .unwrap();
    let out = format!("{}{}", text(&o.stdout), text(&o.stderr));
    (o.status.success() && out.contains("OK"), out)
}

#[test]
fn xml_files_are_signed_with_xades_and_extended() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let invoices: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let f = d.join(format!("invoice-{i}.xml"));
            std::fs::write(&f, format!("<Invoice xmlns=\"urn:i\"><ID>{i}</ID></Invoice>\n"))
                .unwrap();
            f
        })
        .collect();
    let mut args = vec!["--format", "xades", "--level", "B-T"];
    args.extend(invoices.iter().map(|p| p.to_str().unwrap()));
    let o = w.sign("123456", &args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    for f in &invoices {
        let signed = f.with_extension("signed.xml");
        let (ok, out) = xmlsec1(&w, d, &signed);
        assert!(ok, "{}: {out}", signed.display());
        let o = client(
            &[
                "extend",
                "--url",
                &w.url(),
                "--user",
                "ada",
                "--password-stdin",
                "--level",
                "B-LTA",
                signed.to_str().unwrap(),
            ],
            "ada-password\n",
            &[],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        let extended = f.with_extension("signed.extended.xml");
        assert!(text(&o.stdout).contains("(B-LTA)"), "{}", text(&o.stdout));
        let (ok, out) = xmlsec1(&w, d, &extended);
        assert!(ok, "{}: {out}", extended.display());
        assert!(text(&std::fs::read(&extended).unwrap()).contains("ArchiveTimeStamp"));
    }
    // Detached: the signature names the file by its name, beside it.
    let data = d.join("scan.jpg");
    std::fs::write(&data, b"\xff\xd8 not really a picture").unwrap();
    let o = w.sign(
        "123456",
        &["--format", "xades", "--level", "B-B", "--packaging", "detached", data.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let sig = d.join("scan.jpg.xades.xml");
    let (ok, out) = xmlsec1(&w, d, &sig);
    assert!(ok, "{out}");
    std::fs::write(&data, b"another picture").unwrap();
    assert!(!xmlsec1(&w, d, &sig).0, "a changed file still verifies");
}
