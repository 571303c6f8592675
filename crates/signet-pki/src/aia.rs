//! Where a relying party fetches what it needs to check a certificate it did not issue
//! (AdES B-LT evidence for external CAs), and how the fetched issuer is recognised.
//!
//! ```text
//! AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription  -- RFC 5280 §4.2.2.1
//! AccessDescription  ::=  SEQUENCE {
//!         accessMethod          OBJECT IDENTIFIER,      -- id-ad-ocsp | id-ad-caIssuers
//!         accessLocation        GeneralName  }
//!
//! CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint  -- RFC 5280 §4.2.1.13
//! DistributionPoint ::= SEQUENCE {
//!      distributionPoint       [0]     DistributionPointName OPTIONAL,
//!      reasons                 [1]     ReasonFlags OPTIONAL,
//!      cRLIssuer               [2]     GeneralNames OPTIONAL }
//! DistributionPointName ::= CHOICE {
//!      fullName                [0]     GeneralNames,
//!      nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
//! ```
//!
//! Only `uniformResourceIdentifier` names with the `http` or `https` scheme are returned:
//! LDAP, `file` and other schemes are never fetched. A distribution point that names a
//! `cRLIssuer` (an indirect CRL) or only some `reasons` (a partial CRL) is skipped, since
//! its CRL alone does not tell whether the certificate is revoked.

use crate::cmp::trust::ParsedCert;
use crate::cms::asn1::{ContentInfo, SignedData, ID_SIGNED_DATA};
use crate::PkiError;
use const_oid::db::rfc5280::{ID_AD_CA_ISSUERS, ID_AD_OCSP};
use der::{Decode, Encode};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use x509_cert::Certificate;

/// Most certificates read from one `caIssuers` answer.
const MAX_CA_ISSUERS_CERTIFICATES: usize = 16;

/// The HTTP locations named by a certificate's extensions, each list in the order of the
/// certificate and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessLocations {
    /// `id-ad-ocsp` access locations (RFC 5280 §4.2.2.1, RFC 6960 §3.1).
    pub ocsp: Vec<String>,
    /// `id-ad-caIssuers` access locations: where the issuer's certificate is published.
    pub ca_issuers: Vec<String>,
    /// `fullName` URIs of the complete, direct CRL distribution points (§4.2.1.13).
    pub crl: Vec<String>,
}

/// Reads the AIA and CRL distribution point URLs of a DER certificate. A certificate
/// without these extensions has empty lists; an extension that does not decode, or that
/// appears twice, is an error.
pub fn access_locations(certificate_der: &[u8]) -> Result<AccessLocations, PkiError> {
    let cert = Certificate::from_der(certificate_der).map_err(PkiError::certificate)?;
    let tbs = cert.tbs_certificate();
    let mut out = AccessLocations::default();
    if let Some((_, aia)) =
        tbs.get_extension::<AuthorityInfoAccessSyntax>().map_err(PkiError::certificate)?
    {
        for access in aia.0 {
            let list = match access.access_method {
                m if m == ID_AD_OCSP => &mut out.ocsp,
                m if m == ID_AD_CA_ISSUERS => &mut out.ca_issuers,
                _ => continue,
            };
            push_http(list, &access.access_location);
        }
    }
    if let Some((_, dps)) =
        tbs.get_extension::<CrlDistributionPoints>().map_err(PkiError::certificate)?
    {
        for dp in dps.0 {
            if dp.reasons.is_some() || dp.crl_issuer.is_some() {
                continue;
            }
            if let Some(DistributionPointName::FullName(names)) = &dp.distribution_point {
                for name in names {
                    push_http(&mut out.crl, name);
                }
            }
        }
    }
    Ok(out)
}

/// Whether `url` is an absolute `http://` or `https://` URL with a host: the only kind
/// Signet fetches evidence from.
pub fn is_http_url(url: &str) -> bool {
    if !url.is_ascii() || url.chars().any(|c| c.is_ascii_whitespace() || c.is_ascii_control()) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    rest.split(['/', '?', '#']).next().is_some_and(|host| !host.is_empty())
}

fn push_http(list: &mut Vec<String>, name: &GeneralName) {
    if let GeneralName::UniformResourceIdentifier(uri) = name {
        let url = uri.as_str();
        if is_http_url(url) && !list.iter().any(|u| u == url) {
            list.push(url.to_owned());
        }
    }
}

/// The certificates of a `caIssuers` answer (RFC 5280 §4.2.2.1: "either a single DER
/// encoded certificate … or a collection of certificates in a BER or DER encoded
/// 'certs-only' CMS message"), each as DER. PEM text (`CERTIFICATE` blocks), which some
/// CAs serve, is read too; BER that is not DER is refused.
pub fn ca_issuers_certificates(body: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
    let bad = |why: String| PkiError::InvalidCertificate(format!("caIssuers answer: {why}"));
    if body.starts_with(b"-----BEGIN") {
        let certs = Certificate::load_pem_chain(body).map_err(|e| bad(e.to_string()))?;
        return limited(certs.iter().map(|c| c.to_der().map_err(|e| bad(e.to_string()))));
    }
    if Certificate::from_der(body).is_ok() {
        return Ok(vec![body.to_vec()]);
    }
    // RFC 5652 §5.1: a SignedData with no signers whose certificates are the payload.
    let ci = ContentInfo::from_der(body)
        .map_err(|e| bad(format!("neither a DER certificate nor a CMS message ({e})")))?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(bad(format!("a CMS message of type {}, not signedData", ci.content_type)));
    }
    let sd: SignedData = ci.content.decode_as().map_err(|e| bad(format!("SignedData: {e}")))?;
    let certs = sd.certificates.map(|s| s.into_vec()).unwrap_or_default();
    let out = limited(certs.iter().filter_map(|any| {
        // CertificateChoices: only plain certificates (a SEQUENCE) are of use here.
        let der = any.to_der().ok()?;
        Certificate::from_der(&der).is_ok().then_some(Ok(der))
    }))?;
    if out.is_empty() {
        return Err(bad("the CMS message holds no certificate".into()));
    }
    Ok(out)
}

fn limited(
    certs: impl Iterator<Item = Result<Vec<u8>, PkiError>>,
) -> Result<Vec<Vec<u8>>, PkiError> {
    let out = certs.take(MAX_CA_ISSUERS_CERTIFICATES + 1).collect::<Result<Vec<_>, _>>()?;
    if out.len() > MAX_CA_ISSUERS_CERTIFICATES {
        return Err(PkiError::InvalidCertificate(format!(
            "caIssuers answer: more than {MAX_CA_ISSUERS_CERTIFICATES} certificates"
        )));
    }
    Ok(out)
}

/// Whether `issuer_der` issued `certificate_der`: the certificate's `issuer` equals the
/// candidate's `subject` and the certificate's signature verifies with the candidate's
/// key (RFC 5280 §6.1.3 (a)(1), (a)(4)). Anything that does not parse is `false`.
pub fn is_issued_by(certificate_der: &[u8], issuer_der: &[u8]) -> bool {
    match (ParsedCert::parse(certificate_der), ParsedCert::parse(issuer_der)) {
        (Ok(cert), Ok(issuer)) => cert.signed_by(&issuer),
        _ => false,
    }
}

/// Whether a certificate is self-signed (RFC 5280 §3.2: subject and issuer are the same
/// and its own key verifies its signature): a trust anchor candidate, the end of a chain.
pub fn is_self_signed(certificate_der: &[u8]) -> bool {
    is_issued_by(certificate_der, certificate_der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::Ia5String;

    #[test]
    fn only_http_and_https_urls_with_a_host() {
        for ok in ["http://ca.example/x.crl", "HTTPS://ca.example", "http://127.0.0.1:8080/o"] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "ldap://ca.example/cn=x?certificateRevocationList",
            "file:///etc/passwd",
            "ftp://ca.example/x.crl",
            "http://",
            "http:///path",
            "https://ca.example/a b",
            "ca.example/x.crl",
            "",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }

    #[test]
    fn uris_are_filtered_and_deduplicated() {
        let mut list = Vec::new();
        for u in ["http://a.example/1", "ldap://a.example/1", "http://a.example/1"] {
            push_http(
                &mut list,
                &GeneralName::UniformResourceIdentifier(Ia5String::new(u).unwrap()),
            );
        }
        push_http(&mut list, &GeneralName::DnsName(Ia5String::new("http://b.example").unwrap()));
        assert_eq!(list, ["http://a.example/1"]);
    }

    #[test]
    fn garbage_is_neither_a_certificate_nor_a_collection() {
        assert!(access_locations(b"junk").is_err());
        assert!(ca_issuers_certificates(b"junk").is_err());
        assert!(ca_issuers_certificates(b"-----BEGIN CERTIFICATE-----\nAA==\n").is_err());
        assert!(!is_issued_by(b"junk", b"junk"));
        assert!(!is_self_signed(b"junk"));
    }
}
