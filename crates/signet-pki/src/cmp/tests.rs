//! Unit tests of the CMP client against a fake server built from the same ASN.1 types:
//! what OpenSSL's mock cannot be made to send (foreign nonces, wrong bodies, other
//! certReqIds, certificates for another key), our own encodings read back, and garbage,
//! truncated and bit-flipped responses, none of which may panic.

use super::asn1::{
    BodyType, CertOrEncCert, CertRepMessage, CertResponse, CertifiedKeyPair, PkiStatusInfo,
    RevRepContent,
};
use super::crmf::{CertReqMsg, ProofOfPossessionAsn1, RevDetails};
use super::message::{self, Outgoing};
use super::status::int;
use super::*;
use crate::crl::RevocationReason;
use crate::{issue, IssueRequest, PkiUrls, Profile, Subject};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use der::asn1::{Any, Null};
use der::{Decode, Encode};
use signet_crypto::{CryptoError, Signer};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use x509_cert::name::Name;

const NOW: i64 = 1_750_000_000;
const SECRET: &[u8] = b"shared secret";

/// An ECDSA P-256 key.
struct Key {
    pair: EcdsaKeyPair,
    spki: Vec<u8>,
}

impl Key {
    fn new() -> Self {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let spki: PublicKeyX509Der<'_> = pair.public_key().as_der().unwrap();
        let spki = spki.as_ref().to_vec();
        Self { pair, spki }
    }

    /// A self-signed certificate for this key.
    fn certificate(&self, serial: u8) -> Vec<u8> {
        let subject = Subject { common_name: "CMP unit test".into(), ..Subject::default() };
        let urls = PkiUrls::new("https://signet.example.org/");
        let req = IssueRequest {
            profile: Profile::RootCa,
            subject: &subject,
            subject_public_key: &self.spki,
            serial: &[serial],
            not_before: NOW - 100,
            not_after: NOW + 100,
            issuer: None,
            urls: &urls,
            content: None,
        };
        issue(&req, self).unwrap()
    }
}

impl Signer for Key {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256)
    }
    fn public_key(&self) -> &[u8] {
        &self.spki
    }
    fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let d = aws_lc_rs::digest::Digest::import_less_safe(digest, &aws_lc_rs::digest::SHA256)
            .map_err(|_| CryptoError::Operation("test"))?;
        Ok(self.pair.sign_digest(&d).map_err(|_| CryptoError::Operation("test"))?.as_ref().to_vec())
    }
}

fn pbm() -> Protection<'static> {
    Protection::Pbm { reference: b"ref", secret: SECRET }
}

fn trust() -> ResponseTrust<'static> {
    ResponseTrust::Pbm { secret: SECRET }
}

fn nonces(n: u8) -> Nonces {
    Nonces { sender_nonce: [n; 16], salt: [n.wrapping_add(100); 16] }
}

fn subject() -> Name {
    "CN=Test,O=Signet".parse().unwrap()
}

fn request<'a>(key: &'a Key, subject: &'a Name) -> CertificateRequest<'a> {
    CertificateRequest {
        subject,
        public_key_der: &key.spki,
        extensions: &[],
        pop: ProofOfPossession::Signature(key),
        implicit_confirm: false,
    }
}

/// What the fake server puts into its answer.
struct Answer {
    body_type: BodyType,
    body: Vec<u8>,
    /// None: echo the request's senderNonce.
    recip_nonce: Option<Vec<u8>>,
    transaction_id: Option<Vec<u8>>,
}

/// The fake server: answers `request_der` with `answer`, PBM-protected with SECRET.
fn respond(request_der: &[u8], answer: Answer) -> Vec<u8> {
    let req = message::parse(request_der).unwrap();
    let tid = answer
        .transaction_id
        .unwrap_or_else(|| req.header.transaction_id.as_ref().unwrap().as_bytes().to_vec());
    let recip = answer
        .recip_nonce
        .unwrap_or_else(|| req.header.sender_nonce.as_ref().unwrap().as_bytes().to_vec());
    let ca = Name::default();
    let out = Outgoing {
        body_type: answer.body_type,
        body: answer.body,
        sender: &ca,
        recipient: &ca,
        transaction_id: &tid,
        sender_nonce: &[0x5a; 16],
        recip_nonce: Some(&recip),
        implicit_confirm: false,
        now: NOW,
    };
    message::build(&out, &Protection::Pbm { reference: b"srv", secret: SECRET }, &[7; 16]).unwrap()
}

fn status(code: u8) -> PkiStatusInfo {
    PkiStatusInfo { status: int(code).unwrap(), status_string: None, fail_info: None }
}

fn cert_rep(cert: &[u8], cert_req_id: u8, code: u8) -> Vec<u8> {
    CertRepMessage {
        ca_pubs: None,
        response: vec![CertResponse {
            cert_req_id: int(cert_req_id).unwrap(),
            status: status(code),
            certified_key_pair: Some(CertifiedKeyPair {
                cert_or_enc_cert: CertOrEncCert::Certificate(Any::from_der(cert).unwrap()),
                private_key: None,
                publication_info: None,
            }),
            rsp_info: None,
        }],
    }
    .to_der()
    .unwrap()
}

fn answer(body_type: BodyType, body: Vec<u8>) -> Answer {
    Answer { body_type, body, recip_nonce: None, transaction_id: None }
}

#[test]
fn an_ir_is_confirmed_and_completed_by_pki_conf() {
    let key = Key::new();
    let subject = subject();
    let ir = CmpRequest::Initialize(request(&key, &subject));
    let (mut tx, ir_der) =
        Transaction::start(&ir, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
    let cert = key.certificate(1);
    let ip = respond(&ir_der, answer(BodyType::Ip, cert_rep(&cert, 0, 1))); // grantedWithMods
    let Step::Send(cert_conf) = tx.receive(&ip, &pbm(), &trust(), nonces(2), NOW).unwrap() else {
        panic!("expected a certConf");
    };
    // The certConf answers the ip's senderNonce and carries SHA-256(cert) (ECDSA-SHA256).
    let cc = message::parse(&cert_conf).unwrap();
    assert_eq!(cc.body_type, BodyType::CertConf);
    assert_eq!(cc.header.recip_nonce.as_ref().unwrap().as_bytes(), [0x5a; 16]);
    assert_eq!(cc.header.sender_nonce.as_ref().unwrap().as_bytes(), [2; 16]);
    assert_eq!(cc.header.transaction_id.as_ref().unwrap().as_bytes(), [1; 16]);
    let statuses: Vec<super::asn1::CertStatus> = cc.body().unwrap();
    assert_eq!(
        statuses[0].cert_hash.as_bytes(),
        signet_crypto::digest::digest(HashAlgorithm::Sha256, &cert)
    );
    // Our own PBM verifies with our verifier (OpenSSL checks it in the integration tests).
    assert!(protection::verify(&cc, &trust(), NOW).is_ok());

    // The pkiConf must answer the certConf's nonce, not the ir's.
    let conf = respond(&cert_conf, answer(BodyType::PkiConf, Null.to_der().unwrap()));
    match tx.receive(&conf, &pbm(), &trust(), nonces(3), NOW).unwrap() {
        Step::Done(Outcome::Certificate { certificate_der, ca_pubs, extra_certs }) => {
            assert_eq!(certificate_der, cert);
            assert!(ca_pubs.is_empty() && extra_certs.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(tx.receive(&conf, &pbm(), &trust(), nonces(4), NOW), Err(CmpError::Finished)));
}

#[test]
fn responses_that_do_not_fit_the_transaction_are_refused() {
    let key = Key::new();
    let subject = subject();
    let ir = CmpRequest::Initialize(request(&key, &subject));
    let cert = key.certificate(2);
    let other_cert = Key::new().certificate(3);
    let cases: Vec<(Answer, &str)> = vec![
        (
            Answer {
                recip_nonce: Some(vec![9; 16]),
                ..answer(BodyType::Ip, cert_rep(&cert, 0, 0))
            },
            "recipNonce",
        ),
        (
            Answer {
                transaction_id: Some(vec![9; 16]),
                ..answer(BodyType::Ip, cert_rep(&cert, 0, 0))
            },
            "transactionID",
        ),
        (answer(BodyType::Cp, cert_rep(&cert, 0, 0)), "expected ip, got cp"),
        (answer(BodyType::PkiConf, Null.to_der().unwrap()), "expected ip, got pkiconf"),
        (answer(BodyType::Ip, cert_rep(&cert, 1, 0)), "certReqId"),
        (answer(BodyType::Ip, cert_rep(&other_cert, 0, 0)), "another public key"),
    ];
    for (a, expected) in cases {
        let (mut tx, ir_der) =
            Transaction::start(&ir, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
        let ip = respond(&ir_der, a);
        let err = tx.receive(&ip, &pbm(), &trust(), nonces(2), NOW).unwrap_err();
        assert!(matches!(&err, CmpError::Protocol(m) if m.contains(expected)), "{expected}: {err}");
        assert!(tx.is_finished());
    }

    // waiting (polling is not supported) is reported with the CA's status.
    let (mut tx, ir_der) =
        Transaction::start(&ir, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
    let ip = respond(&ir_der, answer(BodyType::Ip, cert_rep(&cert, 0, 3)));
    let err = tx.receive(&ip, &pbm(), &trust(), nonces(2), NOW).unwrap_err();
    assert_eq!(err.rejection().map(|r| r.status), Some(PkiStatus::Waiting), "{err}");

    // Another protection than the transaction's.
    let (mut tx, ir_der) =
        Transaction::start(&ir, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
    let ip = respond(&ir_der, answer(BodyType::Ip, cert_rep(&cert, 0, 0)));
    let other = Protection::Pbm { reference: b"other", secret: SECRET };
    let err = tx.receive(&ip, &other, &trust(), nonces(2), NOW).unwrap_err();
    assert!(matches!(err, CmpError::InvalidRequest(_)), "{err}");
}

#[test]
fn a_revocation_ends_with_the_rp() {
    let key = Key::new();
    let cert = key.certificate(4);
    let rr = CmpRequest::Revoke { certificate_der: &cert, reason: RevocationReason::KeyCompromise };
    let (mut tx, rr_der) =
        Transaction::start(&rr, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();

    // What we sent: issuer [3] and serialNumber [1] in the template, reasonCode 1.
    let sent = message::parse(&rr_der).unwrap();
    assert_eq!(sent.body_type, BodyType::Rr);
    let details: Vec<RevDetails> = sent.body().unwrap();
    let template = &details[0].cert_details;
    assert_eq!(template.serial_number.as_ref().unwrap().as_bytes(), [4]);
    assert!(template.issuer.is_some() && template.subject.is_none());
    let ext = &details[0].crl_entry_details.as_ref().unwrap()[0];
    assert_eq!(ext.extn_id.to_string(), "2.5.29.21");
    assert_eq!(ext.extn_value.as_bytes(), [0x0a, 0x01, 0x01]);

    let rp = RevRepContent { status: vec![status(0)], rev_certs: None, crls: None };
    let rp = respond(&rr_der, answer(BodyType::Rp, rp.to_der().unwrap()));
    assert!(matches!(
        tx.receive(&rp, &pbm(), &trust(), nonces(2), NOW),
        Ok(Step::Done(Outcome::Revoked))
    ));
}

#[test]
fn requests_are_encoded_as_rfc_4211_says() {
    let key = Key::new();
    let subject = subject();
    let old = key.certificate(5);
    let kur = CmpRequest::Update { old_certificate_der: &old, request: request(&key, &subject) };
    let (_, der) = Transaction::start(&kur, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
    let msg = message::parse(&der).unwrap();
    assert_eq!(msg.body_type, BodyType::Kur);
    assert_eq!(msg.header.pvno, 2);
    assert_eq!(msg.header.sender_kid.as_ref().unwrap().as_bytes(), b"ref");
    let reqs: Vec<CertReqMsg> = msg.body().unwrap();
    let cert_req = &reqs[0].cert_req;
    // subject is [5] EXPLICIT Name, publicKey [6] IMPLICIT SubjectPublicKeyInfo.
    let template = cert_req.cert_template.to_der().unwrap();
    let name = subject.to_der().unwrap();
    assert!(template.windows(name.len() + 2).any(|w| w[0] == 0xa5 && w[2..] == name[..]));
    assert!(template.windows(key.spki.len() - 2).any(|w| w == &key.spki[2..]));
    let controls = cert_req.controls.as_ref().unwrap();
    assert_eq!(controls[0].attr_type.to_string(), "1.3.6.1.5.5.7.5.1.5");
    // The POP signature is over DER(certReq) with the new key.
    let Some(ProofOfPossessionAsn1::Signature(popo)) = &reqs[0].popo else { panic!() };
    assert!(signet_crypto::verify::verify_signature(
        key.algorithm(),
        &key.spki,
        &cert_req.to_der().unwrap(),
        popo.signature.as_bytes().unwrap(),
    ));

    // raVerified is `[0] NULL` (80 00); implicitConfirm goes into generalInfo.
    let ra = CmpRequest::Certify(CertificateRequest {
        pop: ProofOfPossession::RaVerified,
        implicit_confirm: true,
        ..request(&key, &subject)
    });
    let (_, der) = Transaction::start(&ra, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
    let msg = message::parse(&der).unwrap();
    assert!(msg.implicit_confirm());
    let reqs: Vec<CertReqMsg> = msg.body().unwrap();
    assert_eq!(reqs[0].popo.to_der().unwrap(), [0x80, 0x00]);
}

#[test]
fn garbage_truncated_and_flipped_responses_never_panic() {
    let key = Key::new();
    let subject = subject();
    let ir = CmpRequest::Initialize(request(&key, &subject));
    let (tx, ir_der) =
        Transaction::start(&ir, &pbm(), None, None, [1; 16], nonces(1), NOW).unwrap();
    let ip = respond(&ir_der, answer(BodyType::Ip, cert_rep(&key.certificate(6), 0, 0)));
    let feed = |bytes: &[u8]| tx.clone().receive(bytes, &pbm(), &trust(), nonces(2), NOW);
    assert!(matches!(feed(&ip), Ok(Step::Send(_))));

    for len in 0..ip.len() {
        assert!(feed(&ip[..len]).is_err(), "truncated to {len}");
    }
    for i in 0..ip.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut flipped = ip.clone();
            flipped[i] ^= mask;
            assert!(feed(&flipped).is_err(), "byte {i} ^ {mask:#x}");
        }
    }
    // Pseudo-random garbage, some of it starting like a SEQUENCE.
    let mut x: u32 = 0x1234_5678;
    for n in 0..300 {
        let len = (n * 7) % 400;
        let mut g: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x.to_le_bytes()[0]
            })
            .collect();
        if n % 2 == 0 && len > 4 {
            g[0] = 0x30;
            g[1] = 0x82;
        }
        assert!(feed(&g).is_err());
    }
    // Trailing bytes after a valid message are refused too.
    let mut long = ip.clone();
    long.push(0);
    assert!(feed(&long).is_err());
}
