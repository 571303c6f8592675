//! What [`super::EvidenceCollector::collect`] returns: the evidence itself (certificates,
//! CRLs, OCSP responses, ready for `cades::add_validation_data`) and, per certificate of
//! the chain, what it says.

use signet_pki::crl::RevocationReason;

/// Where a status came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceSource {
    /// An OCSP response from this responder.
    Ocsp {
        /// The responder's URL (AIA `id-ad-ocsp`).
        url: String,
    },
    /// A CRL from this distribution point.
    Crl {
        /// The distribution point's URL.
        url: String,
    },
}

/// What the evidence says about one certificate of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertEvidenceStatus {
    /// Not revoked, according to `source`.
    Good {
        /// Where the answer came from.
        source: EvidenceSource,
        /// When the answer is superseded (its `nextUpdate`), unix seconds.
        next_update: Option<i64>,
    },
    /// Revoked at `at` (unix seconds): evidence, not an error — the caller decides.
    Revoked {
        /// `revocationTime` / `revocationDate`.
        at: i64,
        /// The reason, when given.
        reason: Option<RevocationReason>,
        /// Where the answer came from.
        source: EvidenceSource,
    },
    /// A self-signed certificate: the top of the chain, a trust anchor candidate (no
    /// revocation evidence exists for it).
    SelfSigned,
}

/// Everything a B-LT signature needs about a chain (each item once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// The chain, leaf first, with fetched issuers and delegated OCSP responders (DER).
    pub certificates: Vec<Vec<u8>>,
    /// CRLs used (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses used (DER `OCSPResponse`).
    pub ocsp_responses: Vec<Vec<u8>>,
    /// Per certificate of the chain, leaf first: its subject (RFC 4514) and status.
    pub statuses: Vec<(String, CertEvidenceStatus)>,
}

impl Evidence {
    /// The subjects of the certificates found revoked.
    pub fn revoked(&self) -> Vec<&str> {
        self.statuses
            .iter()
            .filter(|(_, s)| matches!(s, CertEvidenceStatus::Revoked { .. }))
            .map(|(subject, _)| subject.as_str())
            .collect()
    }
}

pub(super) fn push_once(list: &mut Vec<Vec<u8>>, item: &[u8]) {
    if !list.iter().any(|x| x == item) {
        list.push(item.to_vec());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_subjects_are_listed() {
        let source = EvidenceSource::Crl { url: "http://ca.example/c.crl".into() };
        let e = Evidence {
            statuses: vec![
                ("CN=a".into(), CertEvidenceStatus::Revoked { at: 1, reason: None, source }),
                ("CN=root".into(), CertEvidenceStatus::SelfSigned),
            ],
            ..Evidence::default()
        };
        assert_eq!(e.revoked(), ["CN=a"]);
    }
}
