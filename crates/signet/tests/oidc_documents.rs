//! A PDF approved in the browser: the application prepares a PAdES signature, sends the
//! signer to `/csc/v1/oauth2/authorize` with the DTBS/R and its `document_transaction`;
//! the approval page shows the PDF itself; the `credential` token then completes the
//! signature once, and pyHanko validates the signed PDF.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;
#[path = "../../signet-ades/tests/common/pdf.rs"]
#[allow(dead_code)]
mod pdf;

use common::browser::{encode, query_param, redeem_public, Browser, CHALLENGE, REDIRECT};
use common::signer::{b64, unb64};
use common::*;
use serde_json::json;

#[test]
fn the_signer_reads_the_pdf_approves_it_and_the_token_completes_the_signature_once() {
    let listen = free_addr();
    let dir = data_dir(&format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}"));
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "pw-12345678",
    );
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let cred = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "");
    let cred = cred["credential_id"].as_str().unwrap().to_owned();
    let app = admin_json(
        d,
        &[
            "client",
            "create",
            "--group",
            "default",
            "--name",
            "app",
            "--redirect-uri",
            REDIRECT,
            "--public",
            "--scope",
            "credential",
        ],
        "",
    );
    let app = app["client_id"].as_str().unwrap().to_owned();
    admin_json(d, &["ca", "export", "--out", d.join("ca").to_str().unwrap()], "");

    // The application prepares the signature (here with the signer's API token).
    let token = login(&s.addr, "ada", "pw-12345678");
    let original = pdf::sample_pdf(2, 0);
    let (st, p, _) = post(
        &s.addr,
        "/api/v1/documents/prepare",
        Some(&token),
        &json!({ "credentialID": cred, "format": "pades", "level": "B-B", "document": b64(&original) }),
    );
    assert_eq!(st, 201, "{p}");
    let tid = p["transactionID"].as_str().unwrap();
    let dtbsr = unb64(p["hashes"][0].as_str().unwrap());
    let hash = b64(&dtbsr).trim_end_matches('=').replace('+', "-").replace('/', "_");
    let authorize = format!(
        "/csc/v1/oauth2/authorize?{}",
        encode(&[
            ("response_type", "code"),
            ("client_id", &app),
            ("redirect_uri", REDIRECT),
            ("scope", "credential"),
            ("credentialID", &cred),
            ("numSignatures", "1"),
            ("hash", &hash),
            ("document_transaction", tid),
            ("description", "Contract to sign"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
    );
    let b = Browser::new(&s.addr);
    let page = b.follow(b.get(&authorize));
    let page = b.follow(b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("username", "ada"), ("password", "pw-12345678")],
    ));
    assert!(page.body.contains("Approve the signature"), "{}", page.body);
    let document_path = page.form_action().replace("/approve", "/document");
    assert!(page.body.contains(&format!("<iframe src=\"{document_path}\"")), "{}", page.body);
    // The frame shows the PDF as it will be signed, to this signer only.
    let shown = b.get(&document_path);
    assert_eq!(shown.status, 200);
    assert_eq!(shown.raw_header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(shown.raw_header("x-frame-options").as_deref(), Some("SAMEORIGIN"));
    assert!(shown.body.starts_with("%PDF-"), "not a PDF");
    assert_eq!(Browser::new(&s.addr).get(&document_path).status, 404, "no session, no document");

    let back = b.post(
        &page.form_action(),
        &[("csrf", &page.csrf()), ("decision", "allow"), ("pin", "123456")],
    );
    assert_eq!(back.status, 303, "{}", back.body);
    let code = query_param(&back.location().unwrap(), "code").unwrap();
    let (_, t) = redeem_public(&s.addr, &code, &app);
    let credential_token = t["access_token"].as_str().unwrap();
    let complete = || {
        post(
            &s.addr,
            "/api/v1/documents/complete",
            Some(credential_token),
            &json!({ "transactionID": tid }),
        )
    };
    let (st, done, _) = complete();
    assert_eq!(st, 200, "{done}");
    let signed = unb64(done["document"].as_str().unwrap());
    let file = d.join("signed.pdf");
    std::fs::write(&file, &signed).unwrap();
    if let Some(out) = pdf::pyhanko_validate(&file, &d.join("ca/root.pem"), &[]) {
        let verdicts = pdf::pyhanko_verdicts(&out);
        assert_eq!(verdicts.len(), 1, "{out}");
        assert!(verdicts[0].ends_with(":VALID"), "{out}");
    }
    // The token is spent with its SAD.
    let (st, v, _) = complete();
    assert_eq!(st, 401, "{v}");
}
