//! A test root and one signer with a key of any type (the PAdES tests).

use super::Key;
use signet_crypto::soft::SoftModule;
use signet_pki::{issue, IssueRequest, Issuer, PkiUrls, Profile, Subject};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};

/// 2026-09-21: the tests' "now".
pub const NOW: i64 = 1_790_000_000;

/// A root CA (EC P-256) and a natural person's certificate (`name`) for `key`.
pub fn root_and_leaf(module: &SoftModule, key: &Key, name: &str) -> (Vec<u8>, Vec<u8>) {
    let ca = Key::new(module, KeyAlgorithm::EcP256, "ca");
    let urls = PkiUrls::new("https://signet.example.org/");
    let ca_signer = ca.signer(module, SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256));
    let subject = |cn: &str| Subject {
        common_name: cn.into(),
        organization: Some("Signet Test".into()),
        ..Subject::default()
    };
    let root = issue(
        &IssueRequest {
            profile: Profile::RootCa,
            subject: &subject("PAdES Test Root"),
            subject_public_key: &ca.public_key,
            serial: &[1],
            not_before: NOW - 86_400,
            not_after: NOW + 3650 * 86_400,
            issuer: None,
            urls: &urls,
            content: None,
        },
        &ca_signer,
    )
    .unwrap();
    let leaf = issue(
        &IssueRequest {
            profile: Profile::NaturalPerson,
            subject: &Subject {
                given_name: name.split(' ').next().map(str::to_owned),
                surname: name.split(' ').nth(1).map(str::to_owned),
                ..subject(name)
            },
            subject_public_key: &key.public_key,
            serial: &[2],
            not_before: NOW - 3_600,
            not_after: NOW + 3650 * 86_400,
            issuer: Some(Issuer { certificate_der: &root, ca_id: "root" }),
            urls: &urls,
            content: None,
        },
        &ca_signer,
    )
    .unwrap();
    (root, leaf)
}
