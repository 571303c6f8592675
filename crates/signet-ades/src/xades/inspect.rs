//! Reading a XAdES (or plain XMLDSig) signature back: its signer, the certificates and
//! revocation values it carries, its time-stamp tokens and its level (EN 319 132-1 §4;
//! the baseline levels B-B, B-T, B-LT, B-LTA of its clause 6). The signature itself is
//! not verified here. A plain XMLDSig signature that Signet extended (time-stamps but no
//! signed properties) reads as B-T and above, as the time-stamps make it; strictly it is
//! not XAdES B-B (no SigningCertificateV2), which `xades` tells.

use super::algorithms::signature_from_uri;
use super::locate::{is_archive_timestamp, locate, unsigned_children};
use super::unsigned::limits;
use super::{XADES, XADES141};
use crate::xml::{self, attribute, find_child, is_element, text_of, DS};
use crate::AdesError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// What a signature holds.
#[derive(Debug, Clone, Default)]
pub struct XadesInfo {
    /// The signer's certificate: the one `SigningCertificateV2` names, else the first
    /// in `ds:KeyInfo`.
    pub signer_certificate: Vec<u8>,
    /// Every certificate it carries (KeyInfo, CertificateValues, TimeStampValidationData).
    pub certificates: Vec<Vec<u8>>,
    /// CRLs it carries.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses it carries.
    pub ocsp_responses: Vec<Vec<u8>>,
    /// Signature time-stamp tokens.
    pub signature_timestamps: Vec<Vec<u8>>,
    /// Archive time-stamp tokens, in order.
    pub archive_timestamps: Vec<Vec<u8>>,
    /// The signature algorithm, if Signet knows it.
    pub algorithm: Option<SignatureAlgorithm>,
    /// Whether it has XAdES signed properties.
    pub xades: bool,
    /// How many `ds:Reference`s `ds:SignedInfo` has.
    pub references: usize,
    /// The URIs of the references to external resources (not `""` or `#…`).
    pub external_references: Vec<String>,
}

impl XadesInfo {
    /// `B-B`, `B-T`, `B-LT` or `B-LTA` (`XMLDSig` without signed properties).
    pub fn level(&self) -> &'static str {
        if !self.archive_timestamps.is_empty() {
            "B-LTA"
        } else if !self.signature_timestamps.is_empty()
            && (!self.crls.is_empty() || !self.ocsp_responses.is_empty())
        {
            "B-LT"
        } else if !self.signature_timestamps.is_empty() {
            "B-T"
        } else if self.xades {
            "B-B"
        } else {
            "XMLDSig"
        }
    }

    /// The hash to time-stamp with: the signature's, SHA-256 for SHA-1 or unknown.
    pub fn timestamp_hash(&self) -> HashAlgorithm {
        match self.algorithm.map(SignatureAlgorithm::hash) {
            Some(HashAlgorithm::Sha1) | None => HashAlgorithm::Sha256,
            Some(h) => h,
        }
    }
}

/// Reads the signature in `xml_bytes` (the first with XAdES properties, else the first).
pub fn inspect(xml_bytes: &[u8]) -> Result<XadesInfo, AdesError> {
    let p = xml::parse(xml_bytes, &limits())?;
    let parts = locate(&p)?;
    let doc = &p.doc;
    let b64 = |n| {
        let text: String = text_of(doc, n).split_whitespace().collect();
        B64.decode(text)
            .map_err(|_| AdesError::InvalidDocument("XAdES: a value is not base64".into()))
    };
    let mut info = XadesInfo {
        algorithm: find_child(doc, parts.signed_info, DS, "SignatureMethod")
            .and_then(|m| attribute(doc, m, "Algorithm"))
            .and_then(signature_from_uri),
        references: xml::child_elements(doc, parts.signed_info)
            .into_iter()
            .filter(|r| is_element(doc, *r, DS, "Reference"))
            .count(),
        ..XadesInfo::default()
    };
    for r in xml::child_elements(doc, parts.signed_info) {
        if !is_element(doc, r, DS, "Reference") {
            continue;
        }
        if let Some(uri) = attribute(doc, r, "URI") {
            if !uri.is_empty() && !uri.starts_with('#') {
                info.external_references.push(uri.to_string());
            }
        }
    }
    let mut cert_digest = None;
    for n in doc.descendants(parts.signature) {
        if is_element(doc, n, DS, "X509Certificate")
            || is_element(doc, n, XADES, "EncapsulatedX509Certificate")
        {
            let c = b64(n)?;
            if !info.certificates.contains(&c) {
                info.certificates.push(c);
            }
        } else if is_element(doc, n, XADES, "EncapsulatedCRLValue") {
            info.crls.push(b64(n)?);
        } else if is_element(doc, n, XADES, "EncapsulatedOCSPValue") {
            info.ocsp_responses.push(b64(n)?);
        } else if is_element(doc, n, XADES, "SignedProperties") {
            info.xades = true;
        } else if is_element(doc, n, XADES, "CertDigest") && cert_digest.is_none() {
            let method =
                find_child(doc, n, DS, "DigestMethod").and_then(|m| attribute(doc, m, "Algorithm"));
            let value = find_child(doc, n, DS, "DigestValue").map(b64).transpose()?;
            if let (Some(h), Some(v)) = (method.and_then(super::algorithms::digest_from_uri), value)
            {
                cert_digest = Some((h, v));
            }
        }
    }
    for c in unsigned_children(doc, &parts) {
        let token = || -> Result<Vec<u8>, AdesError> {
            let e = find_child(doc, c, XADES, "EncapsulatedTimeStamp").ok_or_else(|| {
                AdesError::InvalidDocument("XAdES: a time-stamp without its token".into())
            })?;
            b64(e)
        };
        if is_element(doc, c, XADES, "SignatureTimeStamp") {
            info.signature_timestamps.push(token()?);
        } else if is_archive_timestamp(doc, c) || is_element(doc, c, XADES, "ArchiveTimeStamp") {
            info.archive_timestamps.push(token()?);
        } else if is_element(doc, c, XADES141, "TimeStampValidationData") {
            // Its values were collected with the others above.
        }
    }
    info.signer_certificate = match cert_digest {
        Some((h, d)) => info
            .certificates
            .iter()
            .find(|c| signet_crypto::digest::digest(h, c) == d)
            .cloned()
            .ok_or_else(|| {
                AdesError::InvalidDocument(
                    "XAdES: the signing certificate is not in the signature".into(),
                )
            })?,
        None => info.certificates.first().cloned().ok_or_else(|| {
            AdesError::InvalidDocument("XAdES: the signature carries no certificate".into())
        })?,
    };
    Ok(info)
}
