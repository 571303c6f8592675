//! Finding the parts of a signature in a parsed document (XMLDSig §4, EN 319 132-1 §4.3):
//! the first `ds:Signature` that carries XAdES qualifying properties (or, for a plain
//! XMLDSig signature being extended, the first `ds:Signature`).

use super::{XADES, XADES141};
use crate::xml::{attribute, child_elements, find_child, is_element, Parsed, DS};
use crate::AdesError;
use uppsala::{Document, NodeId};

/// A signature's elements.
#[derive(Debug)]
pub(crate) struct SignatureParts {
    pub signature: NodeId,
    pub signed_info: NodeId,
    pub signature_value: NodeId,
    pub key_info: Option<NodeId>,
    /// `xades:QualifyingProperties`, if any.
    pub qualifying: Option<NodeId>,
    /// `xades:UnsignedSignatureProperties`, if any.
    pub unsigned_signature: Option<NodeId>,
    /// Every `ds:Object` child of the signature.
    pub objects: Vec<NodeId>,
}

fn missing(what: &str) -> AdesError {
    AdesError::InvalidDocument(format!("XAdES: the signature has no {what}"))
}

/// The signature's parts.
pub(crate) fn locate(p: &Parsed<'_>) -> Result<SignatureParts, AdesError> {
    let doc = &p.doc;
    let signatures: Vec<NodeId> = doc
        .descendants(doc.root())
        .into_iter()
        .filter(|n| is_element(doc, *n, DS, "Signature"))
        .collect();
    let qualifying_of = |sig: NodeId| {
        child_elements(doc, sig)
            .into_iter()
            .filter(|o| is_element(doc, *o, DS, "Object"))
            .find_map(|o| find_child(doc, o, XADES, "QualifyingProperties"))
    };
    let signature = signatures
        .iter()
        .copied()
        .find(|s| qualifying_of(*s).is_some())
        .or_else(|| signatures.first().copied())
        .ok_or_else(|| {
            AdesError::InvalidDocument("XAdES: the document has no ds:Signature".into())
        })?;
    let signed_info =
        find_child(doc, signature, DS, "SignedInfo").ok_or_else(|| missing("ds:SignedInfo"))?;
    let signature_value = find_child(doc, signature, DS, "SignatureValue")
        .ok_or_else(|| missing("ds:SignatureValue"))?;
    let qualifying = qualifying_of(signature);
    let unsigned_signature = qualifying
        .and_then(|q| find_child(doc, q, XADES, "UnsignedProperties"))
        .and_then(|u| find_child(doc, u, XADES, "UnsignedSignatureProperties"));
    Ok(SignatureParts {
        signature,
        signed_info,
        signature_value,
        key_info: find_child(doc, signature, DS, "KeyInfo"),
        qualifying,
        unsigned_signature,
        objects: child_elements(doc, signature)
            .into_iter()
            .filter(|o| is_element(doc, *o, DS, "Object"))
            .collect(),
    })
}

/// The children of `UnsignedSignatureProperties`, in order.
pub(crate) fn unsigned_children(doc: &Document<'_>, parts: &SignatureParts) -> Vec<NodeId> {
    parts.unsigned_signature.map(|u| child_elements(doc, u)).unwrap_or_default()
}

/// Whether `node` is an archive time-stamp (`xadesv141:ArchiveTimeStamp`).
pub(crate) fn is_archive_timestamp(doc: &Document<'_>, node: NodeId) -> bool {
    is_element(doc, node, XADES141, "ArchiveTimeStamp")
}

/// The `Algorithm` of a child `ds:CanonicalizationMethod`.
pub(crate) fn canonicalization_of(doc: &Document<'_>, node: NodeId) -> Option<String> {
    find_child(doc, node, DS, "CanonicalizationMethod")
        .and_then(|c| attribute(doc, c, "Algorithm"))
        .map(str::to_owned)
}
