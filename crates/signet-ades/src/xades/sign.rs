//! XAdES B-B in two steps (EN 319 132-1 §4, XMLDSig §3.1): `prepare` computes the
//! references' digests, writes the signed properties and `ds:SignedInfo`, and returns the
//! digest of the canonical `ds:SignedInfo` — the DTBS/R the SAM signs under the signer's
//! SAD; `complete` writes the signature value into the prepared document.

use super::algorithms::{ec_field_len, signature_uri, signature_value};
use super::properties::{commitment_uri, qualifying_properties, SignedProperties};
use super::references::{invalid, plan, Placement, Plan, Reference};
use super::{XadesOptions, SIGNED_PROPERTIES_TYPE};
use crate::xml::{
    self, ancestors_skeleton, canonical_element, insert, insertion_point_in, Parsed, XmlLimits, DS,
};
use crate::AdesError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use signet_crypto::digest::{digest, Hasher};
use signet_types::SignatureAlgorithm;

/// What to sign.
#[derive(Debug)]
pub struct XadesRequest<'a> {
    /// The document: the XML to sign (enveloped), the data to envelop, or the document a
    /// detached signature names; `None` for a detached signature of external resources.
    pub document: Option<&'a [u8]>,
    /// Packaging and properties.
    pub options: &'a XadesOptions,
    /// The signature algorithm; its hash digests the references too.
    pub algorithm: SignatureAlgorithm,
    /// The signer's certificate (DER).
    pub signer_certificate: &'a [u8],
    /// The rest of the chain (DER), written into `ds:KeyInfo` after the signer's.
    pub chain: &'a [Vec<u8>],
    /// The claimed signing time (unix seconds).
    pub signing_time: i64,
    /// The signature's `Id` (unique: the caller makes it at random); the other `Id`s
    /// derive from it.
    pub signature_id: &'a str,
    /// Bounds on the document.
    pub limits: XmlLimits,
}

/// A signature waiting for its value.
#[derive(Debug, Clone)]
pub struct PreparedXml {
    document: String,
    signature_id: String,
    algorithm: SignatureAlgorithm,
    field_len: Option<usize>,
    digest_to_sign: Vec<u8>,
}

impl PreparedXml {
    /// The DTBS/R: the digest of the canonical `ds:SignedInfo`.
    pub fn digest_to_sign(&self) -> &[u8] {
        &self.digest_to_sign
    }

    /// The prepared document (the signature value still empty), to keep between the
    /// two steps.
    pub fn document(&self) -> &str {
        &self.document
    }

    /// The signature's `Id`.
    pub fn signature_id(&self) -> &str {
        &self.signature_id
    }

    /// A prepared signature kept between the two steps.
    pub fn restore(
        document: String,
        signature_id: String,
        algorithm: SignatureAlgorithm,
        signer_certificate: &[u8],
        digest_to_sign: Vec<u8>,
    ) -> Result<Self, AdesError> {
        Ok(Self {
            field_len: field_len(signer_certificate)?,
            document,
            signature_id,
            algorithm,
            digest_to_sign,
        })
    }
}

fn field_len(certificate: &[u8]) -> Result<Option<usize>, AdesError> {
    let info = signet_pki::parse_certificate(certificate)?;
    Ok(ec_field_len(&info.public_key))
}

/// Builds the signature and its DTBS/R.
pub fn prepare(req: &XadesRequest<'_>) -> Result<PreparedXml, AdesError> {
    if req.algorithm.is_legacy() {
        return Err(invalid("SHA-1 is not used for new signatures"));
    }
    let sid = req.signature_id;
    if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(invalid("a signature Id is letters, digits, '-' and '_'"));
    }
    if !sid.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return Err(invalid("a signature Id starts with a letter"));
    }
    let o = req.options;
    let c14n = o.canonicalization;
    let hash = req.algorithm.hash();
    let Plan { mut references, objects, placement } = plan(req)?;
    if let Placement::Inside { parsed, .. } = &placement {
        if parsed.ids.iter().any(|id| id.starts_with(sid)) {
            return Err(invalid("the signature Id is already used in the document"));
        }
    }
    let (open, close) = match &placement {
        Placement::Inside { parsed, parent } => ancestors_skeleton(&parsed.doc, *parent)?,
        Placement::Alone => (String::new(), String::new()),
    };
    // The signed properties, canonicalized where they will stand.
    let qp = qualifying_properties(&SignedProperties {
        signature_id: sid,
        signing_time: req.signing_time,
        signer_certificate: req.signer_certificate,
        policy: o.signature_policy.as_ref(),
        roles: &o.signer_roles,
        commitment: o.commitment_type.as_deref().map(commitment_uri).transpose()?,
        formats: references.iter().map(|r| (r.id.clone(), r.mime.clone())).collect(),
    })?;
    let qp_object = format!("<ds:Object>{qp}</ds:Object>");
    let props_id = format!("{sid}-signedprops");
    let props_digest = {
        let text = format!("{open}{}{close}", signature_element(sid, "", &qp_object));
        let p = xml::parse(text.as_bytes(), &req.limits)?;
        let node = p.by_id(&props_id).ok_or_else(|| invalid("the signed properties"))?;
        digest(hash, &canonical_element(&p.doc, node, c14n, &[])?)
    };
    references.push(Reference {
        id: format!("{sid}-ref-props"),
        uri: format!("#{props_id}"),
        transforms: vec![c14n.uri()],
        digest: props_digest,
        mime: String::new(),
        typ: Some(SIGNED_PROPERTIES_TYPE),
    });
    let refs: String = references.iter().map(|r| r.xml(req)).collect();
    let signed_info = format!(
        r#"<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{}"/><ds:SignatureMethod Algorithm="{}"/>{refs}</ds:SignedInfo>"#,
        c14n.uri(),
        signature_uri(req.algorithm)
    );
    let digest_to_sign = {
        let text = format!("{open}{}{close}", signature_element(sid, &signed_info, ""));
        let p = xml::parse(text.as_bytes(), &req.limits)?;
        let node = find_signed_info(&p)?;
        digest(hash, &canonical_element(&p.doc, node, c14n, &[])?)
    };
    let mut certs =
        format!("<ds:X509Certificate>{}</ds:X509Certificate>", B64.encode(req.signer_certificate));
    for c in req.chain {
        certs.push_str(&format!("<ds:X509Certificate>{}</ds:X509Certificate>", B64.encode(c)));
    }
    let body = format!(
        r#"{signed_info}<ds:SignatureValue Id="{sid}-value"></ds:SignatureValue><ds:KeyInfo><ds:X509Data>{certs}</ds:X509Data></ds:KeyInfo>{objects}{qp_object}"#
    );
    let signature = signature_element(sid, &body, "");
    let document = match placement {
        Placement::Inside { parsed, parent } => {
            insert(parsed.text(), vec![insertion_point_in(&parsed.doc, parent, signature)?])?
        }
        Placement::Alone => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{signature}"),
    };
    Ok(PreparedXml {
        document,
        signature_id: sid.to_string(),
        algorithm: req.algorithm,
        field_len: field_len(req.signer_certificate)?,
        digest_to_sign,
    })
}

/// Writes the SAM's signature value (DER for ECDSA, as the crypto module returns it) into
/// the prepared document: the signed XML.
pub fn complete(prepared: &PreparedXml, value: &[u8]) -> Result<Vec<u8>, AdesError> {
    let value = signature_value(prepared.algorithm, value, prepared.field_len)?;
    let empty =
        format!(r#"<ds:SignatureValue Id="{}-value"></ds:SignatureValue>"#, prepared.signature_id);
    let at = prepared
        .document
        .find(&empty)
        .ok_or_else(|| invalid("the prepared document has no empty signature value"))?;
    let filled = format!(
        r#"<ds:SignatureValue Id="{}-value">{}</ds:SignatureValue>"#,
        prepared.signature_id,
        B64.encode(value)
    );
    let mut out = Vec::with_capacity(prepared.document.len() + filled.len());
    out.extend_from_slice(&prepared.document.as_bytes()[..at]);
    out.extend_from_slice(filled.as_bytes());
    out.extend_from_slice(&prepared.document.as_bytes()[at + empty.len()..]);
    Ok(out)
}

/// Both steps with a [`signet_crypto::Signer`] that holds the key (tests, tools).
pub fn sign(
    req: &XadesRequest<'_>,
    signer: &dyn signet_crypto::Signer,
) -> Result<Vec<u8>, AdesError> {
    let prepared = prepare(req)?;
    let value = signer
        .sign_digest(prepared.digest_to_sign())
        .map_err(|e| AdesError::Pki(signet_pki::PkiError::Signing(e)))?;
    complete(&prepared, &value)
}

/// `<ds:Signature xmlns:ds=… Id=…>` around `body` and `tail`.
pub(crate) fn signature_element(sid: &str, body: &str, tail: &str) -> String {
    format!(r#"<ds:Signature xmlns:ds="{DS}" Id="{sid}">{body}{tail}</ds:Signature>"#)
}

fn find_signed_info(p: &Parsed<'_>) -> Result<uppsala::NodeId, AdesError> {
    p.doc
        .descendants(p.doc.root())
        .into_iter()
        .find(|n| xml::is_element(&p.doc, *n, DS, "SignedInfo"))
        .ok_or_else(|| invalid("no ds:SignedInfo"))
}

/// Canonical octets straight into a hash.
pub(crate) struct HashSink(pub Hasher);

impl bergshamra_c14n::C14nSink for HashSink {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
