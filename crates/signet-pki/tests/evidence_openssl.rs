//! Revocation evidence made by another CA — OpenSSL 3 (`openssl ca`, `openssl ocsp` as a
//! responder, `openssl ca -gencrl`) — read and checked by Signet: AIA and CRLDP locations,
//! caIssuers answers (DER, PEM, certs-only CMS), OCSP responses signed by the CA or its
//! designated responder (accepted) or by anyone else (refused), and CRLs of this CA
//! (accepted) or of another one (refused).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/openssl_ca.rs"]
mod openssl_ca;

use openssl_ca::{now, openssl_ok, Issued, OpensslCa, LEAF_EXTENSIONS, OCSP_EXTENSIONS};
use signet_pki::aia::{access_locations, ca_issuers_certificates, is_issued_by, is_self_signed};
use signet_pki::crl::{verify_crl, RevocationReason};
use signet_pki::ocsp::{verify_response, CertStatus};
use signet_pki::PkiError;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const LEAF_LOCATIONS: &str = "authorityInfoAccess = OCSP;URI:http://ocsp.example/, \
    caIssuers;URI:http://aia.example/ca.p7c, caIssuers;URI:ldap://aia.example/cn=ca\n\
    crlDistributionPoints = URI:http://crl.example/ca.crl, URI:ldap://crl.example/cn=ca\n";

/// Root → CA → {good, revoked (keyCompromise), OCSP responder}; and an unrelated root with
/// its own responder.
struct Pki {
    dir: TempDir,
    root: OpensslCa,
    ca: OpensslCa,
    good: Issued,
    revoked: Issued,
    responder: Issued,
    other: OpensslCa,
    other_responder: Issued,
    now: i64,
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = OpensslCa::root(dir.path(), "root", "Evidence Root");
        let ca = root.subordinate(
            "ca",
            "Evidence CA",
            "crlDistributionPoints = URI:http://crl.example/root.crl\n\
             authorityInfoAccess = caIssuers;URI:http://aia.example/root.der\n",
        );
        let leaf = format!("{LEAF_EXTENSIONS}{LEAF_LOCATIONS}");
        let good = ca.issue("good", "Good Signer", &leaf);
        let revoked = ca.issue("revoked", "Revoked Signer", &leaf);
        ca.revoke(&revoked.cert, "keyCompromise");
        let responder = ca.issue("responder", "Evidence OCSP Responder", OCSP_EXTENSIONS);
        let other = OpensslCa::root(dir.path(), "other", "Other Root");
        let other_responder = other.issue("responder", "Other OCSP Responder", OCSP_EXTENSIONS);
        Self { dir, root, ca, good, revoked, responder, other, other_responder, now: now() }
    }

    /// `openssl ocsp -reqout` about `leaf` (`digest`: e.g. "-sha256" for the CertID).
    fn request(&self, leaf: &Issued, digest: Option<&str>) -> PathBuf {
        let req = self.dir.path().join("req.der");
        let mut args = vec!["ocsp", "-issuer", s(&self.ca.issued.cert)];
        args.extend(digest);
        args.extend(["-cert", s(&leaf.cert), "-no_nonce", "-reqout", s(&req)]);
        openssl_ok(&args);
        req
    }

    /// OpenSSL's responder answers `req` from the CA's index, signing with `signer`.
    fn respond(&self, req: &Path, signer: &Issued, extra: &[&str]) -> Vec<u8> {
        let resp = self.dir.path().join("resp.der");
        let index = self.ca.index();
        let mut args = vec![
            "ocsp",
            "-index",
            s(&index),
            "-CA",
            s(&self.ca.issued.cert),
            "-rsigner",
            s(&signer.cert),
            "-rkey",
            s(&signer.key),
            "-reqin",
            s(req),
            "-respout",
            s(&resp),
            "-ndays",
            "1",
        ];
        args.extend(extra);
        openssl_ok(&args);
        std::fs::read(resp).unwrap()
    }

    fn verify(
        &self,
        resp: &[u8],
        leaf: &Issued,
    ) -> Result<signet_pki::ocsp::OcspStatusInfo, PkiError> {
        verify_response(resp, &leaf.der(), &self.ca.der(), self.now)
    }
}

fn refused(r: Result<impl std::fmt::Debug, PkiError>, what: &str) -> String {
    match r {
        Err(PkiError::OcspResponseRefused(m) | PkiError::CrlRefused(m)) => m,
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn ocsp_good_and_revoked_from_the_ca_or_its_designated_responder() {
    let p = Pki::new();
    for (leaf, digest, signer, extra) in [
        (&p.good, None, &p.responder, &[][..]),
        (&p.good, Some("-sha256"), &p.responder, &["-resp_key_id"][..]),
        (&p.good, None, &p.ca.issued, &[][..]),
        (&p.revoked, None, &p.responder, &[][..]),
        (&p.revoked, Some("-sha256"), &p.ca.issued, &["-resp_key_id"][..]),
    ] {
        let what = format!("{} {digest:?} signed by {}", s(&leaf.cert), s(&signer.cert));
        let resp = p.respond(&p.request(leaf, digest), signer, extra);
        let info = p.verify(&resp, leaf).unwrap_or_else(|e| panic!("{what}: {e}"));
        if std::ptr::eq(leaf, &p.good) {
            assert_eq!(info.status, CertStatus::Good, "{what}");
        } else {
            assert!(
                matches!(info.status, CertStatus::Revoked { at, reason: Some(RevocationReason::KeyCompromise) }
                    if (p.now - 600..=p.now + 60).contains(&at)),
                "{what}: {:?}",
                info.status
            );
        }
        assert!((p.now - 600..=p.now + 60).contains(&info.this_update), "{what}");
        assert!((p.now - 600..=p.now + 60).contains(&info.produced_at), "{what}");
        let next = info.next_update.expect("-ndays 1 gives a nextUpdate");
        assert!((info.this_update + 86_000..=info.this_update + 86_800).contains(&next), "{what}");
        let delegated = std::ptr::eq(signer, &p.responder);
        assert_eq!(info.responder_certificate, delegated.then(|| p.responder.der()), "{what}");
    }
}

#[test]
fn ocsp_responses_signed_by_anyone_else_or_stale_are_refused() {
    let p = Pki::new();
    let req = p.request(&p.good, None);

    // A designated responder of an unrelated CA (its certificate is in `certs`).
    let m = refused(p.verify(&p.respond(&req, &p.other_responder, &[]), &p.good), "other CA");
    assert!(m.contains("not issued by the issuing CA"), "{m}");
    // A certificate of the CA without id-kp-OCSPSigning.
    let m = refused(p.verify(&p.respond(&req, &p.good, &[]), &p.good), "no EKU");
    assert!(m.contains("OCSPSigning"), "{m}");
    // The unrelated root itself, with and without its certificate in `certs`.
    for extra in [&["-resp_key_id"][..], &["-resp_no_certs"][..]] {
        let m = refused(p.verify(&p.respond(&req, &p.other.issued, extra), &p.good), "other root");
        assert!(m.contains("responderID") || m.contains("not issued by"), "{extra:?}: {m}");
    }

    // A flipped bit in the signature (the last field when `certs` is left out).
    let mut tampered = p.respond(&req, &p.ca.issued, &["-resp_no_certs"]);
    assert!(p.verify(&tampered, &p.good).is_ok());
    let last = tampered.len() - 3;
    tampered[last] ^= 0x01;
    let m = refused(p.verify(&tampered, &p.good), "tampered");
    assert!(m.contains("does not verify"), "{m}");

    let good = p.respond(&req, &p.responder, &[]);
    // The answer is about another certificate.
    let m = refused(p.verify(&good, &p.revoked), "other serial");
    assert!(m.contains("no SingleResponse"), "{m}");
    // Too late (nextUpdate passed) and too early (thisUpdate in the future).
    let (ca, leaf) = (p.ca.der(), p.good.der());
    let m = refused(verify_response(&good, &leaf, &ca, p.now + 2 * 86_400), "late");
    assert!(m.contains("nextUpdate"), "{m}");
    let m = refused(verify_response(&good, &leaf, &ca, p.now - 3_600), "early");
    assert!(m.contains("thisUpdate"), "{m}");
    // Asked with the wrong issuer: not a refusal of the response, a wrong question.
    let e = verify_response(&good, &leaf, &p.root.der(), p.now).unwrap_err();
    assert!(matches!(e, PkiError::InvalidCertificate(_)), "{e}");
}

#[test]
fn crls_of_the_issuer_are_applied_and_others_refused() {
    let p = Pki::new();
    let crl = p.ca.crl();
    let info = verify_crl(&crl, &p.ca.der(), p.now).unwrap();
    assert!((p.now - 600..=p.now + 60).contains(&info.this_update));
    assert_eq!(info.next_update.map(|n| n - info.this_update), Some(86_400));
    assert!(info.crl_number.is_some());
    assert_eq!(info.revoked().len(), 1);
    assert_eq!(info.status(&p.good.der()).unwrap(), CertStatus::Good);
    assert_eq!(info.status(&p.responder.der()).unwrap(), CertStatus::Good);
    assert!(matches!(
        info.status(&p.revoked.der()).unwrap(),
        CertStatus::Revoked { reason: Some(RevocationReason::KeyCompromise), .. }
    ));
    refused(info.status(&p.other_responder.der()), "a certificate of another issuer");

    // The root's CRL answers for the CA certificate.
    let root_info = verify_crl(&p.root.crl(), &p.root.der(), p.now).unwrap();
    assert_eq!(root_info.status(&p.ca.der()).unwrap(), CertStatus::Good);

    // Another CA's CRL, and a CRL of an impostor CA with the same name but another key.
    let m = refused(verify_crl(&p.other.crl(), &p.ca.der(), p.now), "other CA");
    assert!(m.contains("Other Root"), "{m}");
    let impostor = OpensslCa::root(p.dir.path(), "impostor", "Evidence CA");
    let m = refused(verify_crl(&impostor.crl(), &p.ca.der(), p.now), "impostor");
    assert!(m.contains("signature"), "{m}");
    // Out of its validity interval.
    let m = refused(verify_crl(&crl, &p.ca.der(), p.now + 2 * 86_400), "late");
    assert!(m.contains("nextUpdate"), "{m}");
    let m = refused(verify_crl(&crl, &p.ca.der(), p.now - 3_600), "early");
    assert!(m.contains("thisUpdate"), "{m}");
}

#[test]
fn locations_issuers_and_ca_issuers_answers() {
    let p = Pki::new();
    let (root, ca, good) = (p.root.der(), p.ca.der(), p.good.der());

    let l = access_locations(&good).unwrap();
    assert_eq!(l.ocsp, ["http://ocsp.example/"]);
    assert_eq!(l.ca_issuers, ["http://aia.example/ca.p7c"], "LDAP is not fetched");
    assert_eq!(l.crl, ["http://crl.example/ca.crl"], "LDAP is not fetched");
    let l = access_locations(&ca).unwrap();
    assert!(l.ocsp.is_empty());
    assert_eq!(l.ca_issuers, ["http://aia.example/root.der"]);
    assert_eq!(l.crl, ["http://crl.example/root.crl"]);
    assert_eq!(access_locations(&root).unwrap(), Default::default());

    assert!(is_issued_by(&good, &ca) && is_issued_by(&ca, &root));
    assert!(!is_issued_by(&good, &root) && !is_issued_by(&ca, &p.other.der()));
    assert!(is_self_signed(&root) && !is_self_signed(&ca) && !is_self_signed(&good));

    assert_eq!(ca_issuers_certificates(&ca).unwrap(), std::slice::from_ref(&ca));
    let pem = std::fs::read(&p.ca.issued.cert).unwrap();
    assert_eq!(ca_issuers_certificates(&pem).unwrap(), std::slice::from_ref(&ca));
    let p7c = p.dir.path().join("chain.p7c");
    openssl_ok(&[
        "crl2pkcs7",
        "-nocrl",
        "-certfile",
        s(&p.ca.issued.cert),
        "-certfile",
        s(&p.root.issued.cert),
        "-outform",
        "DER",
        "-out",
        s(&p7c),
    ]);
    let certs = ca_issuers_certificates(&std::fs::read(&p7c).unwrap()).unwrap();
    assert_eq!(certs.len(), 2);
    assert!(certs.contains(&ca) && certs.contains(&root));
    assert!(ca_issuers_certificates(&p.ca.crl()).is_err(), "a CRL is not a certificate");
}
