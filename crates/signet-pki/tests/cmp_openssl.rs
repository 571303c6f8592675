//! The CMP client (`signet_pki::cmp`, RFC 9483 over RFC 9810) against OpenSSL 3's CMP
//! mock server (`openssl cmp -port N …`): ir, cr, kur and rr round trips with
//! PasswordBasedMac and with signature protection, certConf/pkiConf, implicit
//! confirmation, raVerified, rejections with their failure bits and text, server error
//! messages, a wrong shared secret, and tampered, unprotected or untrusted responses.
//!
//! The HTTP transfer (RFC 6712: POST, `application/pkixcmp`) is done here; the library
//! only turns bytes into bytes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tsa::s;
use common::{ca_subject, natural_person, openssl, write_pem, Hierarchy, TestSigner};
use signet_pki::cmp::{
    CertificateRequest, CmpError, CmpRequest, Nonces, Outcome, PkiStatus, ProofOfPossession,
    Protection, ResponseTrust, Step, Transaction,
};
use signet_pki::crl::RevocationReason;
use signet_pki::Profile;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tempfile::TempDir;
use x509_cert::name::Name;

/// 2025-06-15: inside every fixture's validity; the messageTime of our requests.
const NOW: i64 = 1_750_000_000;
const REFERENCE: &[u8] = b"1234";
const SECRET: &[u8] = b"test1234";

// ---------------------------------------------------------------------------------------
// The mock server and HTTP

/// A running `openssl cmp` mock server, killed on drop (also when a test fails).
struct Mock {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Mock {
    /// Starts the mock on a free loopback port below 32768 and waits until it listens.
    fn start(dir: &Path, args: &[&str]) -> Mock {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        for _ in 0..30 {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let port = 20_000 + ((std::process::id() * 31 + n * 7_919) % 12_000) as u16;
            // The mock binds all interfaces: the port must be free on both families.
            if TcpListener::bind(("0.0.0.0", port)).is_err()
                || TcpListener::bind(("::", port)).is_err()
            {
                continue;
            }
            let log = dir.join(format!("mock-{port}.log"));
            let out = std::fs::File::create(&log).unwrap();
            let child = Command::new("/usr/bin/openssl")
                .arg("cmp")
                .args(["-port", &port.to_string()])
                .args(args)
                .stdin(Stdio::null())
                .stdout(out.try_clone().unwrap())
                .stderr(out)
                .spawn()
                .expect("OpenSSL (/usr/bin/openssl) must be installed for these tests");
            let mut mock = Mock { child, port, log };
            // It prints "ACCEPT [::]:PORT" once listening; give it up to 10 s.
            for _ in 0..200 {
                if mock.child.try_wait().unwrap().is_some() {
                    break; // exited: most likely the port was taken meanwhile
                }
                if std::fs::read_to_string(&mock.log).unwrap_or_default().contains("ACCEPT") {
                    return mock;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = mock.child.kill();
            let _ = mock.child.wait();
        }
        panic!("could not start the OpenSSL CMP mock server");
    }

    /// POSTs a DER PKIMessage and returns the response body.
    fn post(&self, der: &[u8]) -> Vec<u8> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let head = format!(
            "POST /pkix/ HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/pkixcmp\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.port,
            der.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(der).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or_else(|| {
            panic!("no HTTP response: {:?}\n{}", String::from_utf8_lossy(&raw), self.log())
        });
        let headers = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        assert!(headers.starts_with("http/1.") && headers.contains(" 200"), "{headers}");
        assert!(headers.contains("content-type: application/pkixcmp"), "{headers}");
        raw[split + 4..].to_vec()
    }

    fn log(&self) -> String {
        format!("--- mock log ---\n{}", std::fs::read_to_string(&self.log).unwrap_or_default())
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Fixtures

/// Keys and certificates of one test: the test CA hierarchy (root EC P-384 → issuing
/// RSA-3072), the key to certify and the certificate the mock hands out for it, the
/// client's own signing certificate and the mock server's.
struct Pki {
    h: &'static Hierarchy,
    dir: TempDir,
    /// The key being certified (POP signer).
    new_key: TestSigner,
    /// What the mock returns (`-rsp_cert`): a certificate for `new_key`.
    issued: Vec<u8>,
    /// The client's protection key and certificate (signature protection).
    client_key: TestSigner,
    client_cert: Vec<u8>,
    /// The mock's protection certificate (its key is an OpenSSL PEM file).
    server_cert: Vec<u8>,
    root_pem: PathBuf,
    issuing_pem: PathBuf,
    rsp_pem: PathBuf,
    srv_pem: PathBuf,
    srv_key: PathBuf,
}

impl Pki {
    fn new() -> Pki {
        let h = Hierarchy::ec_root_rsa_issuing();
        let dir = tempfile::tempdir().unwrap();
        let new_key = TestSigner::ec_p256();
        let issued = h.end_entity(Profile::NaturalPerson, &natural_person(), new_key.spki(), 60);
        let client_key = TestSigner::ec_p256();
        let client_cert =
            h.end_entity(Profile::NaturalPerson, &natural_person(), client_key.spki(), 61);

        let srv_key = dir.path().join("srv.key");
        let spki = dir.path().join("srv.spki");
        let (ok, text) = openssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            s(&srv_key),
        ]);
        assert!(ok, "{text}");
        let (ok, text) =
            openssl(&["pkey", "-in", s(&srv_key), "-pubout", "-outform", "DER", "-out", s(&spki)]);
        assert!(ok, "{text}");
        let server_cert = h.end_entity(
            Profile::LegalPerson,
            &ca_subject("Signet Test CMP Server"),
            &std::fs::read(&spki).unwrap(),
            62,
        );
        Pki {
            root_pem: write_pem(dir.path(), "root.pem", &h.root),
            issuing_pem: write_pem(dir.path(), "issuing.pem", &h.issuing),
            rsp_pem: write_pem(dir.path(), "rsp.pem", &issued),
            srv_pem: write_pem(dir.path(), "srv.pem", &server_cert),
            h,
            dir,
            new_key,
            issued,
            client_key,
            client_cert,
            server_cert,
            srv_key,
        }
    }

    /// A PasswordBasedMac mock CA: `-srv_ref -srv_secret -rsp_cert -rsp_capubs
    /// -rsp_extracerts` and `extra`.
    fn pbm_mock(&self, extra: &[&str]) -> Mock {
        let mut args = vec!["-srv_ref", "1234", "-srv_secret", "pass:test1234"];
        args.extend(self.rsp_args());
        args.extend(extra);
        Mock::start(self.dir.path(), &args)
    }

    /// A signature-protecting mock CA: `-srv_cert -srv_key -srv_untrusted -srv_trusted`
    /// plus the response options.
    fn signature_mock(&self, extra: &[&str]) -> Mock {
        let mut args = vec![
            "-srv_cert",
            s(&self.srv_pem),
            "-srv_key",
            s(&self.srv_key),
            "-srv_untrusted",
            s(&self.issuing_pem),
            "-srv_trusted",
            s(&self.root_pem),
        ];
        args.extend(self.rsp_args());
        args.extend(extra);
        Mock::start(self.dir.path(), &args)
    }

    fn rsp_args(&self) -> [&str; 6] {
        [
            "-rsp_cert",
            s(&self.rsp_pem),
            "-rsp_capubs",
            s(&self.root_pem),
            "-rsp_extracerts",
            s(&self.issuing_pem),
        ]
    }

    fn chain(&self) -> Vec<Vec<u8>> {
        vec![self.h.issuing.clone()]
    }

    fn trusted(&self) -> Vec<Vec<u8>> {
        vec![self.h.root.clone()]
    }

    fn cert_request<'a>(&'a self, subject: &'a Name) -> CertificateRequest<'a> {
        CertificateRequest {
            subject,
            public_key_der: self.new_key.spki(),
            extensions: &[],
            pop: ProofOfPossession::Signature(&self.new_key),
            implicit_confirm: false,
        }
    }
}

fn subject() -> Name {
    "CN=Ada Lovelace,C=GB".parse().unwrap()
}

fn pbm() -> Protection<'static> {
    Protection::Pbm { reference: REFERENCE, secret: SECRET }
}

fn nonces() -> Nonces {
    Nonces::from_random(signet_crypto::random_bytes::<32>().unwrap())
}

fn transaction_id() -> [u8; 16] {
    signet_crypto::random_bytes::<16>().unwrap()
}

/// Runs a whole transaction against `mock`; returns the outcome and the number of HTTP
/// round trips (1 without certConf, 2 with certConf/pkiConf).
fn run(
    mock: &Mock,
    request: &CmpRequest<'_>,
    protection: &Protection<'_>,
    trust: &ResponseTrust<'_>,
) -> Result<(Outcome, usize), CmpError> {
    let (mut tx, mut message) =
        Transaction::start(request, protection, None, None, transaction_id(), nonces(), NOW)?;
    for trips in 1..=3 {
        let response = mock.post(&message);
        match tx.receive(&response, protection, trust, nonces(), NOW)? {
            Step::Send(next) => message = next,
            Step::Done(outcome) => {
                assert!(tx.is_finished());
                return Ok((outcome, trips));
            }
        }
    }
    panic!("the transaction did not end after three round trips")
}

/// Checks the certificate outcome of an ir/cr/kur.
fn assert_certificate(pki: &Pki, outcome: &Outcome, with_ca_pubs: bool) {
    let Outcome::Certificate { certificate_der, ca_pubs, extra_certs } = outcome else {
        panic!("expected a certificate, got {outcome:?}");
    };
    assert_eq!(certificate_der, &pki.issued);
    if with_ca_pubs {
        assert_eq!(ca_pubs, std::slice::from_ref(&pki.h.root)); // -rsp_capubs, in ip only
    } else {
        assert!(ca_pubs.is_empty(), "caPubs outside ip");
    }
    assert!(extra_certs.contains(&pki.h.issuing), "-rsp_extracerts missing");
}

fn rejection(result: Result<(Outcome, usize), CmpError>) -> signet_pki::cmp::Rejection {
    match result {
        Err(CmpError::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn pbm_ir_cr_kur_and_rr_round_trip_with_cert_conf() {
    let pki = Pki::new();
    let mock = pki.pbm_mock(&[]);
    let subject = subject();
    let trust = ResponseTrust::Pbm { secret: SECRET };

    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let (outcome, trips) =
        run(&mock, &ir, &pbm(), &trust).unwrap_or_else(|e| panic!("ir: {e}\n{}", mock.log()));
    assert_eq!(trips, 2, "ir → ip, certConf → pkiConf");
    assert_certificate(&pki, &outcome, true);

    let cr = CmpRequest::Certify(pki.cert_request(&subject));
    let (outcome, trips) =
        run(&mock, &cr, &pbm(), &trust).unwrap_or_else(|e| panic!("cr: {e}\n{}", mock.log()));
    assert_eq!(trips, 2);
    assert_certificate(&pki, &outcome, false);

    let kur = CmpRequest::Update {
        old_certificate_der: &pki.issued,
        request: pki.cert_request(&subject),
    };
    let (outcome, trips) =
        run(&mock, &kur, &pbm(), &trust).unwrap_or_else(|e| panic!("kur: {e}\n{}", mock.log()));
    assert_eq!(trips, 2);
    assert_certificate(&pki, &outcome, false);

    let rr = CmpRequest::Revoke {
        certificate_der: &pki.issued,
        reason: RevocationReason::KeyCompromise,
    };
    let (outcome, trips) =
        run(&mock, &rr, &pbm(), &trust).unwrap_or_else(|e| panic!("rr: {e}\n{}", mock.log()));
    assert_eq!((outcome, trips), (Outcome::Revoked, 1));
}

#[test]
fn signature_protected_ir_cr_kur_and_rr_round_trip() {
    let pki = Pki::new();
    let mock = pki.signature_mock(&[]);
    let subject = subject();
    let chain = pki.chain();
    let trusted = pki.trusted();
    let trust = ResponseTrust::Signature { trusted: &trusted };
    let protection = Protection::Signature {
        signer: &pki.client_key,
        certificate_der: &pki.client_cert,
        chain: &chain,
    };

    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let (outcome, trips) =
        run(&mock, &ir, &protection, &trust).unwrap_or_else(|e| panic!("ir: {e}\n{}", mock.log()));
    assert_eq!(trips, 2);
    assert_certificate(&pki, &outcome, true);
    let Outcome::Certificate { extra_certs, .. } = &outcome else { unreachable!() };
    assert_eq!(extra_certs.first(), Some(&pki.server_cert), "RFC 9483 §3.3: protection cert first");

    let cr = CmpRequest::Certify(pki.cert_request(&subject));
    let (outcome, _) =
        run(&mock, &cr, &protection, &trust).unwrap_or_else(|e| panic!("cr: {e}\n{}", mock.log()));
    assert_certificate(&pki, &outcome, false);

    // RFC 9483 §4.1.3: a kur is signed with the key of the certificate to be updated.
    let old_protection =
        Protection::Signature { signer: &pki.new_key, certificate_der: &pki.issued, chain: &chain };
    let kur = CmpRequest::Update {
        old_certificate_der: &pki.issued,
        request: pki.cert_request(&subject),
    };
    let (outcome, _) = run(&mock, &kur, &old_protection, &trust)
        .unwrap_or_else(|e| panic!("kur: {e}\n{}", mock.log()));
    assert_certificate(&pki, &outcome, false);

    let rr =
        CmpRequest::Revoke { certificate_der: &pki.issued, reason: RevocationReason::Superseded };
    let (outcome, trips) = run(&mock, &rr, &old_protection, &trust)
        .unwrap_or_else(|e| panic!("rr: {e}\n{}", mock.log()));
    assert_eq!((outcome, trips), (Outcome::Revoked, 1));
}

#[test]
fn implicit_confirm_is_used_only_when_granted() {
    let pki = Pki::new();
    let subject = subject();
    let trust = ResponseTrust::Pbm { secret: SECRET };
    let asking = CertificateRequest { implicit_confirm: true, ..pki.cert_request(&subject) };
    let ir = CmpRequest::Initialize(asking);

    // -grant_implicitconf: ip carries implicitConfirm, no certConf is sent.
    let mock = pki.pbm_mock(&["-grant_implicitconf"]);
    let (outcome, trips) =
        run(&mock, &ir, &pbm(), &trust).unwrap_or_else(|e| panic!("{e}\n{}", mock.log()));
    assert_eq!(trips, 1);
    assert_certificate(&pki, &outcome, true);
    // Not asked for: certConf/pkiConf even on a granting server.
    let cr = CmpRequest::Certify(pki.cert_request(&subject));
    let (_, trips) = run(&mock, &cr, &pbm(), &trust).unwrap();
    assert_eq!(trips, 2);
    drop(mock);

    // A server that does not grant it: certConf/pkiConf as usual.
    let mock = pki.pbm_mock(&[]);
    let (outcome, trips) = run(&mock, &ir, &pbm(), &trust).unwrap();
    assert_eq!(trips, 2);
    assert_certificate(&pki, &outcome, true);
}

#[test]
fn ra_verified_pop_needs_a_server_that_accepts_it() {
    let pki = Pki::new();
    let subject = subject();
    let trust = ResponseTrust::Pbm { secret: SECRET };
    let ir = CmpRequest::Initialize(CertificateRequest {
        pop: ProofOfPossession::RaVerified,
        ..pki.cert_request(&subject)
    });

    let mock = pki.pbm_mock(&[]);
    let r = rejection(run(&mock, &ir, &pbm(), &trust));
    assert_eq!((r.body, r.status), ("ip", PkiStatus::Rejection), "{r}");
    assert_eq!(r.fail_info, ["badPOP"], "{r}");
    drop(mock);

    let mock = pki.pbm_mock(&["-accept_raverified"]);
    let (outcome, _) =
        run(&mock, &ir, &pbm(), &trust).unwrap_or_else(|e| panic!("{e}\n{}", mock.log()));
    assert_certificate(&pki, &outcome, true);
}

#[test]
fn a_rejection_carries_status_fail_info_and_text() {
    let pki = Pki::new();
    let subject = subject();
    let trust = ResponseTrust::Pbm { secret: SECRET };
    // badRequest (bit 2) + badPOP (bit 9) = 4 + 512.
    let mock = pki.pbm_mock(&[
        "-pkistatus",
        "2",
        "-failurebits",
        "516",
        "-statusstring",
        "policy says no",
    ]);
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let err = run(&mock, &ir, &pbm(), &trust).unwrap_err();
    let r = err.rejection().unwrap_or_else(|| panic!("{err}\n{}", mock.log())).clone();
    assert_eq!((r.body, r.status), ("ip", PkiStatus::Rejection));
    assert_eq!(r.fail_info, ["badRequest", "badPOP"]);
    assert_eq!(r.status_string, ["policy says no"]);
    let text = err.to_string();
    assert!(
        text.contains("rejection") && text.contains("badPOP") && text.contains("policy says no"),
        "{text}"
    );

    let rr =
        CmpRequest::Revoke { certificate_der: &pki.issued, reason: RevocationReason::Unspecified };
    let r = rejection(run(&mock, &rr, &pbm(), &trust));
    assert_eq!((r.body, r.status), ("rp", PkiStatus::Rejection), "{r}");
    assert_eq!(r.status_string, ["policy says no"]);
}

#[test]
fn server_error_messages_are_rejections() {
    let pki = Pki::new();
    let subject = subject();
    let trust = ResponseTrust::Pbm { secret: SECRET };

    // The 3.0 mock revokes only the certificate it issued (-rsp_cert).
    let mock = pki.pbm_mock(&[]);
    let rr = CmpRequest::Revoke {
        certificate_der: &pki.client_cert,
        reason: RevocationReason::KeyCompromise,
    };
    let r = rejection(run(&mock, &rr, &pbm(), &trust));
    assert_eq!((r.body, r.status), ("error", PkiStatus::Rejection), "{r}");
    assert!(r.fail_info.contains(&"badRequest".to_string()), "{r}");
    assert!(!r.status_string.is_empty() || !r.error_details.is_empty(), "{r}");
    drop(mock);

    let mock = pki.pbm_mock(&["-send_error"]);
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let r = rejection(run(&mock, &ir, &pbm(), &trust));
    assert_eq!(r.body, "error", "{r}");
}

#[test]
fn a_wrong_shared_secret_is_detected() {
    let pki = Pki::new();
    let subject = subject();
    let mock = pki.pbm_mock(&[]);
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));

    // The server cannot verify our MAC and says so in an error message protected with
    // its (other) secret: we cannot verify that one either.
    let wrong = Protection::Pbm { reference: REFERENCE, secret: b"not-the-secret" };
    let err =
        run(&mock, &ir, &wrong, &ResponseTrust::Pbm { secret: b"not-the-secret" }).unwrap_err();
    let CmpError::Protection { reason, unverified } = &err else { panic!("{err}\n{}", mock.log()) };
    assert!(reason.contains("does not verify"), "{err}");
    let unverified = unverified.as_deref().unwrap_or_else(|| panic!("{err}"));
    assert!(unverified.starts_with("error with status rejection"), "{unverified}");

    // Our request is right, but we check the response with another secret.
    let err = run(&mock, &ir, &pbm(), &ResponseTrust::Pbm { secret: b"test1235" }).unwrap_err();
    assert!(matches!(&err, CmpError::Protection { unverified: None, .. }), "{err}");
    // … or expect a signature.
    let trusted = pki.trusted();
    let err = run(&mock, &ir, &pbm(), &ResponseTrust::Signature { trusted: &trusted }).unwrap_err();
    assert!(matches!(&err, CmpError::Protection { .. }), "{err}");
}

/// Starts an ir, sends it, and returns the transaction, the protection's pieces and the
/// raw ip.
fn first_response(
    mock: &Mock,
    request: &CmpRequest<'_>,
    protection: &Protection<'_>,
) -> (Transaction, Vec<u8>) {
    let (tx, ir) =
        Transaction::start(request, protection, None, None, transaction_id(), nonces(), NOW)
            .unwrap();
    let ip = mock.post(&ir);
    (tx, ip)
}

/// The same response with the last byte of the issued certificate (its signature) flipped.
fn tampered(response: &[u8], issued: &[u8]) -> Vec<u8> {
    let at = response.windows(issued.len()).position(|w| w == issued).unwrap();
    let mut out = response.to_vec();
    out[at + issued.len() - 1] ^= 0x01;
    out
}

#[test]
fn tampered_responses_fail_protection() {
    let pki = Pki::new();
    let subject = subject();
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));

    let mock = pki.pbm_mock(&[]);
    let trust = ResponseTrust::Pbm { secret: SECRET };
    let (mut tx, ip) = first_response(&mock, &ir, &pbm());
    let err = tx.receive(&tampered(&ip, &pki.issued), &pbm(), &trust, nonces(), NOW).unwrap_err();
    assert!(matches!(&err, CmpError::Protection { .. }), "{err}");
    // The transaction is over after a failure.
    assert!(tx.is_finished());
    assert!(matches!(tx.receive(&ip, &pbm(), &trust, nonces(), NOW), Err(CmpError::Finished)));
    // The untouched response is accepted by its own transaction only.
    let (mut tx, ip) = first_response(&mock, &ir, &pbm());
    let (mut other, _) =
        Transaction::start(&ir, &pbm(), None, None, transaction_id(), nonces(), NOW).unwrap();
    let err = other.receive(&ip, &pbm(), &trust, nonces(), NOW).unwrap_err();
    assert!(matches!(&err, CmpError::Protocol(m) if m.contains("transactionID")), "{err}");
    assert!(matches!(tx.receive(&ip, &pbm(), &trust, nonces(), NOW), Ok(Step::Send(_))));
    drop(mock);

    let mock = pki.signature_mock(&[]);
    let chain = pki.chain();
    let trusted = pki.trusted();
    let trust = ResponseTrust::Signature { trusted: &trusted };
    let protection = Protection::Signature {
        signer: &pki.client_key,
        certificate_der: &pki.client_cert,
        chain: &chain,
    };
    let (mut tx, ip) = first_response(&mock, &ir, &protection);
    let err =
        tx.receive(&tampered(&ip, &pki.issued), &protection, &trust, nonces(), NOW).unwrap_err();
    let CmpError::Protection { reason, .. } = &err else { panic!("{err}") };
    assert!(reason.contains("signature does not verify"), "{err}");
}

#[test]
fn signed_responses_must_chain_to_a_trusted_certificate() {
    let pki = Pki::new();
    let subject = subject();
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let mock = pki.signature_mock(&[]);
    let chain = pki.chain();
    let protection = Protection::Signature {
        signer: &pki.client_key,
        certificate_der: &pki.client_cert,
        chain: &chain,
    };

    // Another root, of an unrelated hierarchy.
    let other = Hierarchy::new(TestSigner::ec_p256(), TestSigner::ec_p256());
    let untrusted = [other.root.clone()];
    let (mut tx, ip) = first_response(&mock, &ir, &protection);
    let err = tx
        .receive(&ip, &protection, &ResponseTrust::Signature { trusted: &untrusted }, nonces(), NOW)
        .unwrap_err();
    let CmpError::Protection { reason, .. } = &err else { panic!("{err}") };
    assert!(reason.contains("does not chain"), "{err}");

    // The right root, but at a time when the server's certificate was not yet valid.
    let trusted = pki.trusted();
    let trust = ResponseTrust::Signature { trusted: &trusted };
    let (mut tx, ip) = first_response(&mock, &ir, &protection);
    let err = tx.receive(&ip, &protection, &trust, nonces(), common::NOT_BEFORE - 1).unwrap_err();
    assert!(
        matches!(&err, CmpError::Protection { reason, .. } if reason.contains("validity")),
        "{err}"
    );

    // Trusting the server's own certificate directly works.
    let direct = [pki.server_cert.clone()];
    let (mut tx, ip) = first_response(&mock, &ir, &protection);
    let step =
        tx.receive(&ip, &protection, &ResponseTrust::Signature { trusted: &direct }, nonces(), NOW);
    assert!(matches!(step, Ok(Step::Send(_))), "{step:?}");
}

#[test]
fn unprotected_responses_are_refused() {
    let pki = Pki::new();
    let subject = subject();
    let mock = pki.pbm_mock(&["-send_unprotected"]);
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let err = run(&mock, &ir, &pbm(), &ResponseTrust::Pbm { secret: SECRET }).unwrap_err();
    let CmpError::Protection { reason, .. } = &err else { panic!("{err}\n{}", mock.log()) };
    assert!(reason.contains("not protected"), "{err}");
}

#[test]
fn requests_that_cannot_be_built_are_refused() {
    let pki = Pki::new();
    let subject = subject();
    // A POP signer that does not hold the requested key.
    let wrong_pop = CmpRequest::Initialize(CertificateRequest {
        pop: ProofOfPossession::Signature(&pki.client_key),
        ..pki.cert_request(&subject)
    });
    let err = Transaction::start(&wrong_pop, &pbm(), None, None, transaction_id(), nonces(), NOW)
        .unwrap_err();
    assert!(matches!(&err, CmpError::InvalidRequest(_)), "{err}");
    // A protection certificate that is not the signer's.
    let chain = pki.chain();
    let mismatched = Protection::Signature {
        signer: &pki.new_key,
        certificate_der: &pki.client_cert,
        chain: &chain,
    };
    let ir = CmpRequest::Initialize(pki.cert_request(&subject));
    let err = Transaction::start(&ir, &mismatched, None, None, transaction_id(), nonces(), NOW)
        .unwrap_err();
    assert!(matches!(&err, CmpError::InvalidRequest(_)), "{err}");
    // Garbage as the certificate to revoke.
    let rr = CmpRequest::Revoke {
        certificate_der: b"\x30\x03\x02\x01\x01",
        reason: RevocationReason::Unspecified,
    };
    assert!(Transaction::start(&rr, &pbm(), None, None, transaction_id(), nonces(), NOW).is_err());
}
