//! RFC 6960 OCSP judged by OpenSSL 3 (`openssl ocsp`): requests OpenSSL makes are
//! parsed, responses issued by a delegated responder (Profile::Ocsp) are verified up to
//! the root, their statuses and nonces read back, and a tampered response refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::tsa::s;
use common::{natural_person, openssl, serial, write_pem, Hierarchy, TestSigner};
use signet_pki::crl::RevocationReason;
use signet_pki::ocsp::{
    cert_id_matches_issuer, issue_response, parse_request, response_error, CertStatus,
    OcspErrorStatus, OcspRequest, ResponseParams, SingleStatus,
};
use signet_pki::{PkiError, Profile, Subject};
use signet_types::HashAlgorithm;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const PRODUCED_AT: i64 = 1_714_557_600; // 2024-05-01T10:00:00Z

struct Responder {
    h: &'static Hierarchy,
    cert: Vec<u8>,
    signer: TestSigner,
    dir: TempDir,
    issuing_pem: PathBuf,
    ca_file: PathBuf,
    ees: Vec<PathBuf>,
    ee_ders: Vec<Vec<u8>>,
}

impl Responder {
    fn new() -> Self {
        let h = Hierarchy::ec_root_rsa_issuing();
        let signer = TestSigner::ec_p256();
        let subject = Subject {
            common_name: "Signet Test OCSP Responder".into(),
            organization: Some("Signet Test TSP".into()),
            country: Some("BE".into()),
            ..Subject::default()
        };
        let cert = h.end_entity(Profile::Ocsp, &subject, signer.spki(), 50);
        let dir = tempfile::tempdir().unwrap();
        let issuing_pem = write_pem(dir.path(), "issuing.pem", &h.issuing);
        let ca_file = dir.path().join("root_and_issuing.pem");
        std::fs::write(&ca_file, signet_pki::to_pem(&h.root) + &signet_pki::to_pem(&h.issuing))
            .unwrap();
        let key = TestSigner::ec_p256();
        let ee_ders: Vec<Vec<u8>> = (51..=53)
            .map(|n| h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), n))
            .collect();
        let ees = ee_ders
            .iter()
            .zip(51..)
            .map(|(ee, n)| write_pem(dir.path(), &format!("ee{n}.pem"), ee))
            .collect();
        Self { h, cert, signer, dir, issuing_pem, ca_file, ees, ee_ders }
    }

    /// `openssl ocsp -reqout` for the given certificates.
    fn request(&self, name: &str, ees: &[&Path], args: &[&str]) -> (PathBuf, OcspRequest) {
        let req = self.dir.path().join(name);
        let mut all = vec!["ocsp"];
        all.extend_from_slice(args); // a digest option must come before -cert
        all.extend(["-issuer", s(&self.issuing_pem)]);
        for ee in ees {
            all.extend(["-cert", s(ee)]);
        }
        all.extend(["-reqout", s(&req)]);
        let (ok, text) = openssl(&all);
        assert!(ok, "openssl ocsp -reqout: {text}");
        let parsed = parse_request(&std::fs::read(&req).unwrap()).unwrap();
        (req, parsed)
    }

    fn respond(&self, req: &OcspRequest, statuses: &[CertStatus]) -> Vec<u8> {
        let singles: Vec<SingleStatus<'_>> = req
            .ids
            .iter()
            .zip(statuses)
            .map(|(id, status)| SingleStatus {
                id,
                status: *status,
                this_update: PRODUCED_AT - 60,
                next_update: Some(2_300_000_000),
            })
            .collect();
        let params = ResponseParams {
            responder_certificate: &self.cert,
            produced_at: PRODUCED_AT,
            responses: &singles,
            nonce: req.nonce.as_deref(),
            include_certificates: &[],
        };
        issue_response(&params, &self.signer).unwrap()
    }

    /// OpenSSL judges `resp` twice, returning (both succeeded, both outputs):
    ///
    /// 1. `openssl ocsp -respin resp -reqin req -issuer … -CAfile …` verifies the
    ///    signature up to the root and checks the nonce against the request's.
    /// 2. `openssl ocsp -respin resp -issuer … -cert ee… -CAfile … -no_nonce` prints each
    ///    certificate's status. (OpenSSL 3.0 builds a request of its own from `-cert` and
    ///    then ignores `-reqin`, so the two cannot be combined in one run.)
    ///
    /// `digest` ("-sha256") is how the request's CertIDs were hashed.
    fn check_with(
        &self,
        resp: &[u8],
        req: &Path,
        ees: &[&Path],
        digest: Option<&str>,
    ) -> (bool, String) {
        let path = self.dir.path().join("resp.der");
        std::fs::write(&path, resp).unwrap();
        let common =
            ["-respin", s(&path), "-issuer", s(&self.issuing_pem), "-CAfile", s(&self.ca_file)];
        let mut first = vec!["ocsp"];
        first.extend(common);
        first.extend(["-reqin", s(req)]);
        let (ok1, text1) = openssl(&first);
        let mut second = vec!["ocsp"];
        second.extend(digest);
        second.extend(common);
        for ee in ees {
            second.extend(["-cert", s(ee)]);
        }
        second.push("-no_nonce");
        let (ok2, text2) = openssl(&second);
        (ok1 && ok2, format!("{text1}\n{text2}"))
    }

    fn check(&self, resp: &[u8], req: &Path, ees: &[&Path]) -> (bool, String) {
        self.check_with(resp, req, ees, None)
    }
}

#[test]
fn good_revoked_and_unknown_verify_with_openssl() {
    let r = Responder::new();
    let ees: Vec<&Path> = r.ees.iter().map(PathBuf::as_path).collect();
    let revoked = CertStatus::Revoked {
        at: PRODUCED_AT - 86_400,
        reason: Some(RevocationReason::KeyCompromise),
    };
    for (name, args, hash) in [
        ("nononce.der", &["-no_nonce"][..], HashAlgorithm::Sha1),
        ("nonce.der", &[][..], HashAlgorithm::Sha1),
        ("sha256.der", &["-sha256"][..], HashAlgorithm::Sha256),
    ] {
        let (req_path, req) = r.request(name, &ees, args);
        assert_eq!(req.ids.len(), 3, "{name}");
        assert_eq!(req.nonce.is_none(), args.contains(&"-no_nonce"), "{name}");
        for (id, n) in req.ids.iter().zip(51..) {
            assert_eq!(id.hash, hash, "{name}");
            assert_eq!(id.serial, serial(n), "{name}");
            assert!(cert_id_matches_issuer(id, &r.h.issuing).unwrap(), "{name}");
            assert!(!cert_id_matches_issuer(id, &r.h.root).unwrap(), "{name}");
        }
        let resp = r.respond(&req, &[CertStatus::Good, revoked, CertStatus::Unknown]);
        let digest = args.iter().copied().find(|a| a.starts_with("-sha"));
        let (ok, text) = r.check_with(&resp, &req_path, &ees, digest);
        assert!(ok && text.contains("Response verify OK"), "{name}: {text}");
        assert!(text.contains(&format!("{}: good", s(ees[0]))), "{name}: {text}");
        assert!(text.contains(&format!("{}: revoked", s(ees[1]))), "{name}: {text}");
        assert!(text.contains("Reason: keyCompromise"), "{name}: {text}");
        assert!(text.contains(&format!("{}: unknown", s(ees[2]))), "{name}: {text}");
        assert!(!text.to_lowercase().contains("nonce"), "{name}: {text}");
        assert_eq!(text.matches("Response verify OK").count(), 2, "{name}: {text}");
    }
}

#[test]
fn a_single_certificate_and_a_text_dump() {
    let r = Responder::new();
    let ee = r.ees[0].as_path();
    let (req_path, req) = r.request("one.der", &[ee], &[]);
    let resp = r.respond(&req, &[CertStatus::Good]);
    let (ok, text) = r.check(&resp, &req_path, &[ee]);
    assert!(ok && text.contains("Response verify OK"), "{text}");
    let path = r.dir.path().join("one.resp");
    std::fs::write(&path, &resp).unwrap();
    let (ok, text) = openssl(&["ocsp", "-respin", s(&path), "-resp_text", "-noverify"]);
    assert!(ok, "{text}");
    assert!(text.contains("OCSP Response Status: successful (0x0)"), "{text}");
    assert!(text.contains("Response Type: Basic OCSP Response"), "{text}");
    assert!(text.contains("Responder Id: "), "{text}");
    assert!(text.contains("Produced At: May  1 10:00:00 2024 GMT"), "{text}");
    assert!(text.contains("OCSP Nonce"), "{text}");
}

#[test]
fn tampering_or_a_foreign_nonce_fails_verification() {
    let r = Responder::new();
    let ee = r.ees[0].as_path();
    let (req_path, req) = r.request("t.der", &[ee], &[]);
    let resp = r.respond(&req, &[CertStatus::Good]);

    // One byte of tbsResponseData (a digit of producedAt) changed.
    let at = b"20240501100000Z";
    let pos = resp.windows(at.len()).position(|w| w == at).unwrap();
    let mut tampered = resp.clone();
    tampered[pos + 13] = b'1';
    let (ok, text) = r.check(&tampered, &req_path, &[ee]);
    assert!(!ok && !text.contains("Response verify OK"), "{text}");

    // A response carrying another request's nonce.
    let (other_path, other) = r.request("t2.der", &[ee], &[]);
    assert_ne!(other.nonce, req.nonce);
    let (ok, text) = r.check(&resp, &other_path, &[ee]);
    assert!(!ok && text.to_lowercase().contains("nonce"), "{text}");
}

#[test]
fn error_responses_and_bad_inputs() {
    let r = Responder::new();
    for (status, name) in [
        (OcspErrorStatus::MalformedRequest, "malformedrequest"),
        (OcspErrorStatus::InternalError, "internalerror"),
        (OcspErrorStatus::TryLater, "trylater"),
        (OcspErrorStatus::SigRequired, "sigrequired"),
        (OcspErrorStatus::Unauthorized, "unauthorized"),
    ] {
        let path = r.dir.path().join(format!("{name}.resp"));
        std::fs::write(&path, response_error(status)).unwrap();
        let (_, text) = openssl(&["ocsp", "-respin", s(&path), "-resp_text", "-noverify"]);
        assert!(text.to_lowercase().contains(name), "{name}: {text}");
    }
    assert!(matches!(parse_request(b"\x30\x00"), Err(PkiError::OcspRequest(_))));

    let (_, req) = r.request("bad.der", &[r.ees[0].as_path()], &[]);
    let single = [SingleStatus {
        id: &req.ids[0],
        status: CertStatus::Good,
        this_update: 0,
        next_update: None,
    }];
    let params = ResponseParams {
        responder_certificate: &r.cert,
        produced_at: PRODUCED_AT,
        responses: &single,
        nonce: None,
        include_certificates: &[],
    };
    // Another key than the responder's.
    assert!(matches!(
        issue_response(&params, &r.h.issuing_signer),
        Err(PkiError::SignerKeyMismatch { .. })
    ));
    // A certificate without id-kp-OCSPSigning.
    let p = ResponseParams { responder_certificate: &r.h.issuing, ..params };
    assert!(matches!(
        issue_response(&p, &r.h.issuing_signer),
        Err(PkiError::InvalidOcspResponse(_))
    ));
    let p = ResponseParams { responses: &[], ..params };
    assert!(matches!(issue_response(&p, &r.signer), Err(PkiError::InvalidOcspResponse(_))));
}

/// The request Signet sends as an OCSP client reads back in OpenSSL and in our parser:
/// SHA-1 CertID of the right issuer and serial, and the nonce.
#[test]
fn client_requests_are_read_by_openssl_and_match_the_issuer() {
    let h = Hierarchy::ec_root_rsa_issuing();
    let key = TestSigner::ec_p256();
    let ee = h.end_entity(Profile::NaturalPerson, &natural_person(), key.spki(), 77);
    let der = signet_pki::ocsp::request_der(&ee, &h.issuing, Some(&[5u8; 16])).unwrap();
    let parsed = signet_pki::ocsp::parse_request(&der).unwrap();
    assert_eq!(parsed.ids.len(), 1);
    assert!(signet_pki::ocsp::cert_id_matches_issuer(&parsed.ids[0], &h.issuing).unwrap());
    assert!(!signet_pki::ocsp::cert_id_matches_issuer(&parsed.ids[0], &h.root).unwrap());
    let issuing = signet_pki::ocsp::IssuerHashes::new(&h.issuing).unwrap();
    assert!(issuing.matches(&parsed.ids[0]));
    assert!(!signet_pki::ocsp::IssuerHashes::new(&h.root).unwrap().matches(&parsed.ids[0]));
    assert_eq!(parsed.ids[0].serial, serial(77));
    // The extension value is the nonce as an OCTET STRING (what OpenSSL sends, too).
    let mut nonce = vec![0x04, 16];
    nonce.extend([5u8; 16]);
    assert_eq!(parsed.nonce, Some(nonce));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("req.der");
    std::fs::write(&f, &der).unwrap();
    let (ok, text) = openssl(&["ocsp", "-reqin", f.to_str().unwrap(), "-req_text"]);
    assert!(ok, "{text}");
    assert!(text.contains("Hash Algorithm: sha1") && text.contains("OCSP Nonce"), "{text}");
}

/// Signet's own responses (responderID byKey, a delegated responder, an RSA issuing CA)
/// pass Signet's client-side check: all three statuses read back, and only at a time
/// inside their validity interval.
#[test]
fn our_responses_pass_our_client_verification() {
    let r = Responder::new();
    let ees: Vec<&Path> = r.ees.iter().map(PathBuf::as_path).collect();
    let (_, req) = r.request("own.der", &ees, &["-no_nonce"]);
    let revoked = CertStatus::Revoked {
        at: PRODUCED_AT - 86_400,
        reason: Some(RevocationReason::Superseded),
    };
    let resp = r.respond(&req, &[CertStatus::Good, revoked, CertStatus::Unknown]);
    for (der, expected) in r.ee_ders.iter().zip([CertStatus::Good, revoked, CertStatus::Unknown]) {
        let info =
            signet_pki::ocsp::verify_response(&resp, der, &r.h.issuing, PRODUCED_AT).unwrap();
        assert_eq!(info.status, expected);
        assert_eq!(info.produced_at, PRODUCED_AT);
        assert_eq!(info.responder_certificate.as_deref(), Some(&r.cert[..]));
    }
    let late = signet_pki::ocsp::verify_response(&resp, &r.ee_ders[0], &r.h.issuing, 2_400_000_000);
    assert!(matches!(late, Err(PkiError::OcspResponseRefused(_))));
}
