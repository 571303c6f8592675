//! Revocation evidence collected over HTTP from real peers: an OpenSSL CA hierarchy, the
//! OpenSSL OCSP responder (`openssl ocsp -reqin/-respout` behind a loopback HTTP server) and `python3 -m http.server` serving the
//! CRLs and CA certificates, all on 127.0.0.1 ports picked for each test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/external_pki.rs"]
mod external_pki;
#[path = "../../signet-pki/tests/common/openssl_ca.rs"]
mod openssl_ca;

use external_pki::{Servers, World};
use signet_engine::evidence::{CertEvidenceStatus, EvidenceCollector, EvidenceSource};
use signet_engine::EngineError;
use signet_pki::crl::RevocationReason;
use signet_pki::ocsp::CertStatus;
use std::net::TcpListener;
use std::time::Duration;

const LIMIT: usize = 1 << 20;

/// The responders here are on 127.0.0.1: a collector allowed to reach them.
fn collector() -> EvidenceCollector {
    EvidenceCollector::new(Duration::from_secs(2), LIMIT).unwrap().allow_private_addresses(true)
}

fn crl_source(w: &World, file: &str) -> EvidenceSource {
    EvidenceSource::Crl { url: format!("{}/{file}", w.base()) }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leaf_alone_gets_its_issuers_ocsp_and_crl_then_the_cache_answers() {
    let w = World::new();
    let mut servers = Servers::default();
    w.start_http(&mut servers);
    w.start_ocsp(&mut servers);
    let c = collector();
    let (good, int) = (w.good.der(), w.int.der());

    let ev = c.collect(std::slice::from_ref(&good), w.now).await.unwrap();
    assert_eq!(ev.certificates, [good.clone(), w.responder.der(), int.clone(), w.root.clone()]);
    assert_eq!(ev.ocsp_responses.len(), 1);
    let info = signet_pki::ocsp::verify_response(&ev.ocsp_responses[0], &good, &int, w.now);
    assert_eq!(info.unwrap().status, CertStatus::Good);
    assert_eq!(ev.crls.len(), 1);
    let root_crl = signet_pki::crl::verify_crl(&ev.crls[0], &w.root, w.now).unwrap();
    assert_eq!(root_crl.status(&int).unwrap(), CertStatus::Good);
    let subjects: Vec<&str> = ev.statuses.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        subjects,
        ["CN=Good Signer", "CN=Evidence HTTP Issuing CA", "CN=Evidence HTTP Root"]
    );
    assert!(matches!(&ev.statuses[0].1,
        CertEvidenceStatus::Good { source: EvidenceSource::Ocsp { url }, next_update: Some(n) }
            if *url == w.ocsp_url() && (w.now + 3_000..=w.now + 3_900).contains(n)));
    assert!(matches!(&ev.statuses[1].1,
        CertEvidenceStatus::Good { source, .. } if *source == crl_source(&w, "root.crl")));
    assert_eq!(ev.statuses[2].1, CertEvidenceStatus::SelfSigned);
    assert!(ev.revoked().is_empty());
    // int.der, root.der and root.crl, once each.
    assert_eq!(w.http_requests(), 3, "{}", std::fs::read_to_string(w.log("http")).unwrap());

    // Again: nothing is fetched, from either server, and the evidence is the same.
    let again = c.collect(std::slice::from_ref(&good), w.now + 60).await.unwrap();
    assert_eq!(again, ev);
    assert_eq!(w.http_requests(), 3);
    servers.stop("http");
    servers.stop("ocsp");
    assert_eq!(c.collect(std::slice::from_ref(&good), w.now + 120).await.unwrap(), ev);
    // Past the OCSP answer's nextUpdate (an hour) the cached answer is not used: with both
    // servers gone the collector asks again, and its error names what it tried.
    let later = c.collect(&[good], w.now + 3_700).await.unwrap_err();
    assert!(later.to_string().contains("int.crl"), "{later}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_leaf_is_reported_with_its_reason() {
    let w = World::new();
    let mut servers = Servers::default();
    w.start_http(&mut servers);
    w.start_ocsp(&mut servers);
    let ev = collector().collect(&[w.revoked.der()], w.now).await.unwrap();
    assert!(
        matches!(&ev.statuses[0].1,
        CertEvidenceStatus::Revoked { reason: Some(RevocationReason::KeyCompromise), source: EvidenceSource::Ocsp { .. }, at }
            if (w.now - 600..=w.now + 60).contains(at)),
        "{:?}",
        ev.statuses[0]
    );
    assert_eq!(ev.revoked(), ["CN=Revoked Signer"]);
    assert!(ev.certificates.contains(&w.int.der()), "fetched as certs-only CMS");
    assert_eq!(ev.statuses[2].1, CertEvidenceStatus::SelfSigned);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_ocsp_responder_the_crl_answers() {
    let w = World::new();
    let mut servers = Servers::default();
    w.start_http(&mut servers);
    let c = collector();

    // A responder that accepts connections and never answers: the request times out.
    let silent = TcpListener::bind(("127.0.0.1", w.ocsp_port)).unwrap();
    let chain = [w.good.der()];
    let collect = c.collect(&chain, w.now);
    let ev = tokio::time::timeout(Duration::from_secs(20), collect).await.unwrap().unwrap();
    assert!(
        matches!(&ev.statuses[0].1,
        CertEvidenceStatus::Good { source, next_update: Some(_) } if *source == crl_source(&w, "int.crl")),
        "{:?}",
        ev.statuses[0]
    );
    assert!(ev.ocsp_responses.is_empty());
    assert_eq!(ev.crls.len(), 2);
    drop(silent);

    // Nobody listening: refused at once; the (cached) CRL says revoked.
    let ev = c.collect(&[w.revoked.der(), w.int.der()], w.now).await.unwrap();
    assert!(
        matches!(&ev.statuses[0].1,
        CertEvidenceStatus::Revoked { reason: Some(RevocationReason::KeyCompromise), source, .. }
            if *source == crl_source(&w, "int.crl")),
        "{:?}",
        ev.statuses[0]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_nothing_reachable_the_error_names_the_certificate_and_the_urls() {
    let w = World::new();
    let chain = [w.good.der(), w.int.der(), w.root.clone()];
    let e = collector().collect(&chain, w.now).await.unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, EngineError::Unavailable(_)), "{m}");
    assert!(m.contains("`CN=Good Signer`"), "{m}");
    assert!(m.contains(&w.ocsp_url()) && m.contains(&format!("{}/int.crl", w.base())), "{m}");

    let e = collector().collect(&[w.good.der()], w.now).await.unwrap_err();
    let m = e.to_string();
    assert!(m.contains("issuer of `CN=Good Signer`"), "{m}");
    assert!(m.contains(&format!("{}/int.der", w.base())), "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_beyond_the_size_limit_are_refused() {
    let w = World::new();
    let mut servers = Servers::default();
    w.start_http(&mut servers);
    w.start_ocsp(&mut servers);
    let small =
        EvidenceCollector::new(Duration::from_secs(2), 100).unwrap().allow_private_addresses(true);
    let chain = [w.good.der(), w.int.der(), w.root.clone()];
    let m = small.collect(&chain, w.now).await.unwrap_err().to_string();
    assert_eq!(m.matches("larger than the 100-byte limit").count(), 2, "{m}");
}

#[tokio::test(flavor = "multi_thread")]
async fn by_default_private_addresses_are_not_fetched() {
    let w = World::new();
    let mut servers = Servers::default();
    w.start_http(&mut servers);
    w.start_ocsp(&mut servers);
    let strict = EvidenceCollector::new(Duration::from_secs(2), LIMIT).unwrap();
    let err = strict.collect(&[w.good.der(), w.int.der()], w.now).await.unwrap_err().to_string();
    assert!(err.contains("private address"), "{err}");
    assert_eq!(w.http_requests(), 0, "nothing was fetched");
}
