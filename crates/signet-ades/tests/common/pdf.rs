//! Test PDFs written from scratch (classic cross-reference table), and the peers that
//! judge signed ones: pyHanko, pdfsig (poppler) and qpdf.

use std::path::Path;
use std::process::Command;

/// A PDF of `pages` pages of text, with `padding` extra bytes of content stream on page 1
/// (to make large files), and a classic cross-reference table.
pub fn sample_pdf(pages: usize, padding: usize) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    // 1: catalog, 2: pages, 3: font, then per page: page + contents.
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects
        .push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    for i in 0..pages {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let mut content =
            format!("BT /F1 18 Tf 72 760 Td (Contract page {}) Tj ET\n", i + 1).into_bytes();
        if i == 0 {
            let line =
                b"% filler to make a large document, never drawn ..............................\n";
            while content.len() < padding {
                content.extend_from_slice(line);
            }
        }
        let mut s = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        s.extend_from_slice(&content);
        s.extend_from_slice(b"\nendstream");
        objects.push(s);
    }
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The same document rewritten by qpdf with object streams and a cross-reference stream.
pub fn with_object_streams(pdf: &[u8], dir: &Path) -> Vec<u8> {
    let (i, o) = (dir.join("plain.pdf"), dir.join("objstm.pdf"));
    std::fs::write(&i, pdf).unwrap();
    let s = Command::new("qpdf")
        .args(["--object-streams=generate", i.to_str().unwrap(), o.to_str().unwrap()])
        .status()
        .expect("qpdf runs");
    assert!(s.success());
    let out = std::fs::read(&o).unwrap();
    assert!(out.windows(5).any(|w| w == b"/XRef"), "qpdf wrote a cross-reference stream");
    out
}

fn run(cmd: &mut Command) -> (bool, String) {
    let o = cmd.output().expect("the peer runs");
    (
        o.status.success(),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
    )
}

/// The peers venv's directory, when present (required under `SIGNET_REQUIRE_PEERS=1`).
pub fn venv_bin() -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv-peers/bin");
    if p.join("pyhanko").exists() {
        return Some(p);
    }
    assert!(
        std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"),
        "pyhanko CLI missing in {}",
        p.display()
    );
    eprintln!("skipped pyHanko: no CLI at {}", p.display());
    None
}

/// `pyhanko sign validate --executive-summary` with `root` trusted, no revocation checks:
/// one line per signature.
pub fn pyhanko_validate(pdf: &Path, root_pem: &Path, extra: &[&str]) -> Option<String> {
    let bin = venv_bin()?;
    let mut cmd = Command::new(bin.join("pyhanko"));
    cmd.args([
        "sign",
        "validate",
        "--executive-summary",
        "--no-revocation-check",
        "--trust-replace",
        "--trust",
    ])
    .arg(root_pem)
    .args(extra)
    .arg(pdf);
    Some(run(&mut cmd).1)
}

/// The verdict lines of pyHanko's `--executive-summary` output: one
/// `field:sha256-fingerprint:STATUS` line per signature. Anything else (log lines, a
/// Python deprecation warning on stderr) is not a verdict.
pub fn pyhanko_verdicts(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| {
            let parts: Vec<&str> = l.split(':').collect();
            parts.len() == 3
                && parts[1].len() == 64
                && parts[1].bytes().all(|b| b.is_ascii_hexdigit())
        })
        .collect()
}

/// `pdfsig` with `root` in a fresh NSS database.
pub fn pdfsig(pdf: &Path, root_pem: &Path, dir: &Path) -> String {
    let db = dir.join("nssdb");
    if !db.exists() {
        std::fs::create_dir_all(&db).unwrap();
        let db_arg = format!("sql:{}", db.display());
        assert!(run(Command::new("certutil").args(["-N", "-d", &db_arg, "--empty-password"])).0);
        let (ok, out) = run(Command::new("certutil")
            .args(["-A", "-d", &db_arg, "-n", "root", "-t", "CT,C,C", "-i"])
            .arg(root_pem));
        assert!(ok, "{out}");
    }
    run(Command::new("pdfsig").arg("-nssdir").arg(format!("sql:{}", db.display())).arg(pdf)).1
}

/// `qpdf --check`: whether the file's syntax is clean.
pub fn qpdf_check(pdf: &Path) -> (bool, String) {
    run(Command::new("qpdf").arg("--check").arg(pdf))
}
