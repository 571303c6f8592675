//! The unsigned signature properties that raise a signature's level (EN 319 132-1 §5.3,
//! §5.4, §5.5; the baseline levels of EN 319 132-1 clause 6):
//!
//! ```text
//! UnsignedSignatureProperties
//!   SignatureTimeStamp          §5.3     B-T: over the canonical ds:SignatureValue
//!   CertificateValues           §5.4.1   B-LT: certificates of the signer's and the TSAs' chains
//!   RevocationValues            §5.4.2   B-LT: CRLs and OCSP responses for them
//!   ArchiveTimeStamp (v1.4.1)   §5.5.2   B-LTA: over the signature and all of the above
//!   TimeStampValidationData     §5.5.1   material for a time-stamp already there, then a new
//!   ArchiveTimeStamp …                   archive time-stamp (repeatable)
//! ```
//!
//! Each is inserted as the last child of `UnsignedSignatureProperties` (created, with
//! `UnsignedProperties` and if need be `QualifyingProperties` in a new `ds:Object`, the
//! first time); no existing byte changes, so what earlier time-stamps cover stays intact.

use super::archive::ArchiveImprint;
use super::locate::{is_archive_timestamp, locate, unsigned_children, SignatureParts};
use super::{XADES, XADES141};
use crate::xml::{
    self, attribute, canonical_element, find_child, insert, insertion_point_in, Canonicalization,
    Edit, Parsed, XmlLimits, DS,
};
use crate::AdesError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use signet_types::HashAlgorithm;

/// The limits for reading signatures being extended.
pub(crate) fn limits() -> XmlLimits {
    XmlLimits::default()
}

/// The canonicalization of the time-stamps: the signature's own (ds:SignedInfo's), when
/// it is one of the six; exclusive C14N otherwise.
pub(crate) fn timestamp_c14n(p: &Parsed<'_>, parts: &SignatureParts) -> Canonicalization {
    super::locate::canonicalization_of(&p.doc, parts.signed_info)
        .and_then(|u| Canonicalization::from_uri(&u))
        .unwrap_or_default()
}

/// The digest a signature time-stamp must cover (EN 319 132-1 §5.3): the canonical
/// `ds:SignatureValue` element, hashed with `hash`.
pub fn signature_timestamp_imprint(
    xml_bytes: &[u8],
    hash: HashAlgorithm,
) -> Result<Vec<u8>, AdesError> {
    let p = xml::parse(xml_bytes, &limits())?;
    let parts = locate(&p)?;
    signature_value_imprint(&p, &parts, hash)
}

fn signature_value_imprint(
    p: &Parsed<'_>,
    parts: &SignatureParts,
    hash: HashAlgorithm,
) -> Result<Vec<u8>, AdesError> {
    let c14n = timestamp_c14n(p, parts);
    let octets = canonical_element(&p.doc, parts.signature_value, c14n, &[])?;
    Ok(signet_crypto::digest::digest(hash, &octets))
}

/// Adds a `SignatureTimeStamp` (B-T) with `token`, whose imprint must be
/// [`signature_timestamp_imprint`] of this signature.
pub fn add_signature_timestamp(xml_bytes: &[u8], token: &[u8]) -> Result<Vec<u8>, AdesError> {
    let info = signet_pki::tsp::parse_token_info(token)?;
    let p = xml::parse(xml_bytes, &limits())?;
    let parts = locate(&p)?;
    if info.message_imprint != signature_value_imprint(&p, &parts, info.hash)? {
        return Err(AdesError::InvalidRequest(
            "the time-stamp token does not cover this signature value".into(),
        ));
    }
    let c14n = timestamp_c14n(&p, &parts);
    let id = fresh_id(&p, &parts, "sts")?;
    let element = format!(
        r#"<xades:SignatureTimeStamp xmlns:xades="{XADES}" xmlns:ds="{DS}" Id="{id}"><ds:CanonicalizationMethod Algorithm="{}"/><xades:EncapsulatedTimeStamp>{}</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>"#,
        c14n.uri(),
        B64.encode(token)
    );
    append_unsigned(&p, &parts, element)
}

/// Adds validation material (B-LT, EN 319 132-1 §5.4): certificates as
/// `CertificateValues`, CRLs and OCSP responses as `RevocationValues`. Once the signature
/// has an archive time-stamp, the material goes into a new
/// `xadesv141:TimeStampValidationData` (§5.5.1) instead, after it. What the signature
/// already holds is not added twice; with nothing new, the signature is returned as it is.
pub fn add_validation_data(
    xml_bytes: &[u8],
    certificates: &[Vec<u8>],
    crls: &[Vec<u8>],
    ocsp_responses: &[Vec<u8>],
) -> Result<Vec<u8>, AdesError> {
    let p = xml::parse(xml_bytes, &limits())?;
    let parts = locate(&p)?;
    let held = held_values(&p, &parts);
    let new = |items: &[Vec<u8>]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in items {
            let b = B64.encode(i);
            if !held.contains(&b) && !out.contains(&b) {
                out.push(b);
            }
        }
        out
    };
    let (certs, crls, ocsps) = (new(certificates), new(crls), new(ocsp_responses));
    if certs.is_empty() && crls.is_empty() && ocsps.is_empty() {
        return Ok(xml_bytes.to_vec());
    }
    let wrap = |tag: &str, items: &[String]| -> String {
        items.iter().map(|b| format!("<xades:{tag}>{b}</xades:{tag}>")).collect()
    };
    let cert_values = |ns: &str| {
        if certs.is_empty() {
            String::new()
        } else {
            format!(
                "<xades:CertificateValues{ns}>{}</xades:CertificateValues>",
                wrap("EncapsulatedX509Certificate", &certs)
            )
        }
    };
    let revocation_values = |ns: &str| {
        if crls.is_empty() && ocsps.is_empty() {
            return String::new();
        }
        let crl_values = if crls.is_empty() {
            String::new()
        } else {
            format!("<xades:CRLValues>{}</xades:CRLValues>", wrap("EncapsulatedCRLValue", &crls))
        };
        let ocsp_values = if ocsps.is_empty() {
            String::new()
        } else {
            format!(
                "<xades:OCSPValues>{}</xades:OCSPValues>",
                wrap("EncapsulatedOCSPValue", &ocsps)
            )
        };
        format!("<xades:RevocationValues{ns}>{crl_values}{ocsp_values}</xades:RevocationValues>")
    };
    let doc = &p.doc;
    let children = unsigned_children(doc, &parts);
    let ns = format!(r#" xmlns:xades="{XADES}""#);
    if children.iter().any(|c| is_archive_timestamp(doc, *c)) {
        let id = fresh_id(&p, &parts, "tsvd")?;
        let element = format!(
            r#"<xades141:TimeStampValidationData xmlns:xades141="{XADES141}" xmlns:xades="{XADES}" Id="{id}">{}{}</xades141:TimeStampValidationData>"#,
            cert_values(""),
            revocation_values("")
        );
        return append_unsigned(&p, &parts, element);
    }
    // Before any archive time-stamp: into the existing CertificateValues and
    // RevocationValues, or new ones.
    let existing =
        |local: &str| children.iter().copied().find(|c| xml::is_element(doc, *c, XADES, local));
    let mut edits: Vec<Result<Edit, AdesError>> = Vec::new();
    let mut fresh = String::new();
    match existing("CertificateValues") {
        Some(cv) if !certs.is_empty() => {
            edits.push(insertion_point_in(doc, cv, wrap_ns("EncapsulatedX509Certificate", &certs)))
        }
        Some(_) => {}
        None => fresh.push_str(&cert_values(&ns)),
    }
    match existing("RevocationValues") {
        Some(rv) if !(crls.is_empty() && ocsps.is_empty()) => {
            let crl_el = find_child(doc, rv, XADES, "CRLValues");
            let ocsp_el = find_child(doc, rv, XADES, "OCSPValues");
            if !crls.is_empty() {
                match (crl_el, ocsp_el) {
                    (Some(c), _) => edits.push(insertion_point_in(
                        doc,
                        c,
                        wrap_ns("EncapsulatedCRLValue", &crls),
                    )),
                    (None, Some(o)) => edits.push(before(
                        doc,
                        o,
                        format!(
                            r#"<xades:CRLValues{ns}>{}</xades:CRLValues>"#,
                            wrap("EncapsulatedCRLValue", &crls)
                        ),
                    )),
                    (None, None) => edits.push(insertion_point_in(
                        doc,
                        rv,
                        format!(
                            r#"<xades:CRLValues{ns}>{}</xades:CRLValues>"#,
                            wrap("EncapsulatedCRLValue", &crls)
                        ),
                    )),
                }
            }
            if !ocsps.is_empty() {
                match ocsp_el {
                    Some(o) => edits.push(insertion_point_in(
                        doc,
                        o,
                        wrap_ns("EncapsulatedOCSPValue", &ocsps),
                    )),
                    None => edits.push(insertion_point_in(
                        doc,
                        rv,
                        format!(
                            r#"<xades:OCSPValues{ns}>{}</xades:OCSPValues>"#,
                            wrap("EncapsulatedOCSPValue", &ocsps)
                        ),
                    )),
                }
            }
        }
        Some(_) => {}
        None => fresh.push_str(&revocation_values(&ns)),
    }
    let mut edits: Vec<Edit> = edits.into_iter().collect::<Result<_, _>>()?;
    if !fresh.is_empty() {
        edits.extend(unsigned_edits(&p, &parts, fresh)?);
    }
    Ok(insert(p.text(), edits)?.into_bytes())
}

/// Encapsulated values with their namespace declared (inserted into elements whose
/// prefix for XAdES may be another).
fn wrap_ns(tag: &str, items: &[String]) -> String {
    items
        .iter()
        .map(|b| format!(r#"<xades:{tag} xmlns:xades="{XADES}">{b}</xades:{tag}>"#))
        .collect()
}

/// Inserts `fragment` just before the element `node`.
fn before(
    doc: &uppsala::Document<'_>,
    node: uppsala::NodeId,
    fragment: String,
) -> Result<Edit, AdesError> {
    let start = doc
        .node_range(node)
        .ok_or_else(|| AdesError::InvalidDocument("XML: an element has no source position".into()))?
        .start;
    Ok(Edit { range: start..start, text: fragment })
}

/// Adds an archive time-stamp (B-LTA, EN 319 132-1 §5.5.2) with `token` over `imprint`,
/// computed by [`super::archive_timestamp_imprint`] on exactly these bytes.
pub fn add_archive_timestamp(
    xml_bytes: &[u8],
    token: &[u8],
    imprint: &ArchiveImprint,
) -> Result<Vec<u8>, AdesError> {
    let info = signet_pki::tsp::parse_token_info(token)?;
    if info.message_imprint != imprint.digest() || info.hash != imprint.hash() {
        return Err(AdesError::InvalidRequest(
            "the time-stamp token does not cover this archive imprint".into(),
        ));
    }
    if !imprint.is_of(xml_bytes) {
        return Err(AdesError::InvalidRequest(
            "the archive imprint was computed on other bytes".into(),
        ));
    }
    let p = xml::parse(xml_bytes, &limits())?;
    let parts = locate(&p)?;
    let id = fresh_id(&p, &parts, "ats")?;
    let element = format!(
        r#"<xades141:ArchiveTimeStamp xmlns:xades141="{XADES141}" xmlns:xades="{XADES}" xmlns:ds="{DS}" Id="{id}"><ds:CanonicalizationMethod Algorithm="{}"/><xades:EncapsulatedTimeStamp>{}</xades:EncapsulatedTimeStamp></xades141:ArchiveTimeStamp>"#,
        imprint.canonicalization().uri(),
        B64.encode(token)
    );
    append_unsigned(&p, &parts, element)
}

/// Base64 of every certificate, CRL and OCSP response the signature already holds.
fn held_values(p: &Parsed<'_>, parts: &SignatureParts) -> Vec<String> {
    let doc = &p.doc;
    doc.descendants(parts.signature)
        .into_iter()
        .filter(|n| {
            [
                (DS, "X509Certificate"),
                (XADES, "EncapsulatedX509Certificate"),
                (XADES, "EncapsulatedCRLValue"),
                (XADES, "EncapsulatedOCSPValue"),
            ]
            .iter()
            .any(|(ns, local)| xml::is_element(doc, *n, ns, local))
        })
        .map(|n| xml::text_of(doc, n).split_whitespace().collect::<String>())
        .collect()
}

/// An `Id` not yet used in the document: `{signature Id}-{kind}-{n}`.
fn fresh_id(p: &Parsed<'_>, parts: &SignatureParts, kind: &str) -> Result<String, AdesError> {
    let derived;
    let base = match attribute(&p.doc, parts.signature, "Id") {
        Some(id) => id,
        None => {
            derived = derived_id(p, parts);
            &derived
        }
    };
    (1..10_000)
        .map(|n| format!("{base}-{kind}-{n}"))
        .find(|id| p.by_id(id).is_none())
        .ok_or_else(|| AdesError::InvalidDocument("XAdES: no free Id".into()))
}

/// Appends `element` to `UnsignedSignatureProperties`.
fn append_unsigned(
    p: &Parsed<'_>,
    parts: &SignatureParts,
    element: String,
) -> Result<Vec<u8>, AdesError> {
    Ok(insert(p.text(), unsigned_edits(p, parts, element)?)?.into_bytes())
}

/// [`unsigned_edit`], and the signature's `Id` when new qualifying properties must
/// target a signature that has none.
fn unsigned_edits(
    p: &Parsed<'_>,
    parts: &SignatureParts,
    element: String,
) -> Result<Vec<Edit>, AdesError> {
    let mut edits = vec![unsigned_edit(p, parts, element)?];
    if parts.qualifying.is_none() && attribute(&p.doc, parts.signature, "Id").is_none() {
        edits.push(signature_id_edit(p, parts)?);
    }
    Ok(edits)
}

/// The edit that puts `element` last in `UnsignedSignatureProperties`, creating the
/// containers it needs.
fn unsigned_edit(
    p: &Parsed<'_>,
    parts: &SignatureParts,
    element: String,
) -> Result<Edit, AdesError> {
    let doc = &p.doc;
    if let Some(usp) = parts.unsigned_signature {
        return insertion_point_in(doc, usp, element);
    }
    let usp = format!(
        r#"<xades:UnsignedSignatureProperties xmlns:xades="{XADES}">{element}</xades:UnsignedSignatureProperties>"#
    );
    if let Some(q) = parts.qualifying {
        if let Some(up) = find_child(doc, q, XADES, "UnsignedProperties") {
            return insertion_point_in(doc, up, usp);
        }
        return insertion_point_in(
            doc,
            q,
            format!(
                r#"<xades:UnsignedProperties xmlns:xades="{XADES}">{usp}</xades:UnsignedProperties>"#
            ),
        );
    }
    // A plain XMLDSig signature: its qualifying properties go into a new ds:Object.
    let target = attribute(doc, parts.signature, "Id")
        .map(str::to_owned)
        .unwrap_or_else(|| derived_id(p, parts));
    insertion_point_in(
        doc,
        parts.signature,
        format!(
            r##"<ds:Object xmlns:ds="{DS}"><xades:QualifyingProperties xmlns:xades="{XADES}" Target="#{target}"><xades:UnsignedProperties>{usp}</xades:UnsignedProperties></xades:QualifyingProperties></ds:Object>"##
        ),
    )
}

/// An `Id` for a signature that has none (its qualifying properties must target it):
/// from its signature value, so that it is the same at every extension.
fn derived_id(p: &Parsed<'_>, parts: &SignatureParts) -> String {
    let value = xml::text_of(&p.doc, parts.signature_value);
    let d = signet_crypto::digest::digest(HashAlgorithm::Sha256, value.as_bytes());
    format!("sig-{}", hex::encode(&d[..8]))
}

/// Adds the derived `Id` to the signature's start tag. The `ds:Signature` element is not
/// covered by its own references (the enveloped-signature transform removes it), so this
/// changes nothing that was signed.
fn signature_id_edit(p: &Parsed<'_>, parts: &SignatureParts) -> Result<Edit, AdesError> {
    let start = p
        .doc
        .node_range(parts.signature)
        .ok_or_else(|| AdesError::InvalidDocument("XML: an element has no source position".into()))?
        .start;
    let name_end = p.text()[start..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map(|i| start + i)
        .ok_or_else(|| AdesError::InvalidDocument("XML: a start tag does not end".into()))?;
    Ok(Edit { range: name_end..name_end, text: format!(r#" Id="{}""#, derived_id(p, parts)) })
}
