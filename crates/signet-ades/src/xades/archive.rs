//! The archive time-stamp's input (EN 319 132-1 §5.5.2, the "not distributed" case; the
//! same rules as TS 101 903 v1.4.1 §8.2.1): the concatenation, in this order, of
//!
//! 1. each `ds:Reference` of `ds:SignedInfo`, in order, dereferenced and transformed as
//!    XMLDSig §4.4.3 says (a node-set result canonicalized with the time-stamp's method);
//! 2. `ds:SignedInfo`, `ds:SignatureValue` and `ds:KeyInfo` (if present), canonicalized;
//! 3. each child of `UnsignedSignatureProperties` before the new time-stamp (that is,
//!    every one there now: the new one goes last), canonicalized;
//! 4. each `ds:Object` other than the one holding the qualifying properties,
//!    canonicalized (EN 319 132-1 V1.2.1 §5.5.2.3 step 6; EU DSS leaves out referenced
//!    objects only for the older 1.3.2 ArchiveTimeStamp);
//!
//! hashed with the time-stamp's hash. References are resolved here for what signing
//! services use: `URI=""`, `#id` and `#xpointer(/)`/`#xpointer(id('…'))` in the same
//! document, and external URIs whose content the caller supplies; transforms
//! enveloped-signature, the six C14N methods and base64. XPath and XSLT transforms are
//! refused with a clear error.

use super::locate::{locate, unsigned_children, SignatureParts};
use super::sign::HashSink;
use super::unsigned::{limits, timestamp_c14n};
use super::XADES;
use crate::xml::{
    self, attribute, canonical_element, canonical_octets, child_elements, find_child, is_element,
    Canonicalization, Parsed, DS,
};
use crate::AdesError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bergshamra_xml::NodeSet;
use signet_crypto::digest::{digest, Hasher};
use signet_types::HashAlgorithm;
use uppsala::{NodeId, NodeKind};

/// The digest an archive time-stamp must cover, with what it was computed on.
#[derive(Debug, Clone)]
pub struct ArchiveImprint {
    hash: HashAlgorithm,
    digest: Vec<u8>,
    canonicalization: Canonicalization,
    document: Vec<u8>,
}

impl ArchiveImprint {
    /// The hash of the imprint.
    pub fn hash(&self) -> HashAlgorithm {
        self.hash
    }

    /// The imprint: what the time-stamp token's `messageImprint` must be.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    /// The canonicalization it was computed with (written into the time-stamp).
    pub fn canonicalization(&self) -> Canonicalization {
        self.canonicalization
    }

    /// Whether it was computed on `xml_bytes`.
    pub(crate) fn is_of(&self, xml_bytes: &[u8]) -> bool {
        digest(HashAlgorithm::Sha256, xml_bytes) == self.document
    }
}

fn unsupported(what: impl std::fmt::Display) -> AdesError {
    AdesError::InvalidDocument(format!("XAdES archive time-stamp: {what}"))
}

/// The imprint of a new archive time-stamp for the signature in `xml_bytes`. `detached`
/// gives the content of external references by their URI.
pub fn archive_timestamp_imprint(
    xml_bytes: &[u8],
    detached: &[(String, Vec<u8>)],
    hash: HashAlgorithm,
) -> Result<ArchiveImprint, AdesError> {
    let p = xml::parse(xml_bytes, &limits())?;
    let parts = locate(&p)?;
    let c14n = timestamp_c14n(&p, &parts);
    let doc = &p.doc;
    let mut sink = HashSink(Hasher::new(hash));
    let references: Vec<NodeId> = child_elements(doc, parts.signed_info)
        .into_iter()
        .filter(|r| is_element(doc, *r, DS, "Reference"))
        .collect();
    for r in &references {
        reference_octets(&p, &parts, *r, detached, c14n, &mut sink)?;
    }
    let element = |node: NodeId, sink: &mut HashSink| -> Result<(), AdesError> {
        sink.0.update(&canonical_element(doc, node, c14n, &[])?);
        Ok(())
    };
    element(parts.signed_info, &mut sink)?;
    element(parts.signature_value, &mut sink)?;
    if let Some(k) = parts.key_info {
        element(k, &mut sink)?;
    }
    for c in unsigned_children(doc, &parts) {
        element(c, &mut sink)?;
    }
    for o in &parts.objects {
        if find_child(doc, *o, XADES, "QualifyingProperties").is_some() {
            continue;
        }
        element(*o, &mut sink)?;
    }
    Ok(ArchiveImprint {
        hash,
        digest: sink.0.finish(),
        canonicalization: c14n,
        document: digest(HashAlgorithm::Sha256, xml_bytes),
    })
}

/// What a reference yields as it goes through its transforms.
enum Data {
    Nodes(NodeSet),
    Octets(Vec<u8>),
}

/// Dereferences `reference` and applies its transforms (XMLDSig §4.4.3); the octets go to
/// `sink`.
fn reference_octets(
    p: &Parsed<'_>,
    parts: &SignatureParts,
    reference: NodeId,
    detached: &[(String, Vec<u8>)],
    c14n: Canonicalization,
    sink: &mut HashSink,
) -> Result<(), AdesError> {
    let doc = &p.doc;
    let uri =
        attribute(doc, reference, "URI").ok_or_else(|| unsupported("a reference without a URI"))?;
    let mut data = if uri.is_empty() {
        Data::Nodes(NodeSet::all_without_comments(doc))
    } else if uri == "#xpointer(/)" {
        Data::Nodes(NodeSet::all(doc))
    } else if let Some(id) = uri.strip_prefix("#xpointer(id('").and_then(|s| s.strip_suffix("'))"))
    {
        let node =
            p.by_id(id).ok_or_else(|| unsupported(format!("no element has the Id `{id}`")))?;
        Data::Nodes(NodeSet::tree_with_comments(node, doc))
    } else if let Some(id) = uri.strip_prefix('#') {
        let node =
            p.by_id(id).ok_or_else(|| unsupported(format!("no element has the Id `{id}`")))?;
        Data::Nodes(NodeSet::tree_without_comments(node, doc))
    } else {
        let content = detached.iter().find(|(u, _)| u == uri).ok_or_else(|| {
            unsupported(format!("the content of the detached reference `{uri}` is needed"))
        })?;
        Data::Octets(content.1.clone())
    };
    let transforms = find_child(doc, reference, DS, "Transforms")
        .map(|t| child_elements(doc, t))
        .unwrap_or_default();
    for t in transforms {
        let algorithm = attribute(doc, t, "Algorithm").unwrap_or_default();
        data = match (algorithm, data) {
            ("http://www.w3.org/2000/09/xmldsig#enveloped-signature", Data::Nodes(set)) => {
                Data::Nodes(set.subtract(&NodeSet::tree_with_comments(parts.signature, doc)))
            }
            ("http://www.w3.org/2000/09/xmldsig#base64", Data::Nodes(set)) => {
                Data::Octets(decode(&string_value(p, &set))?)
            }
            ("http://www.w3.org/2000/09/xmldsig#base64", Data::Octets(o)) => {
                Data::Octets(decode(&String::from_utf8_lossy(&o))?)
            }
            (a, Data::Nodes(set)) if Canonicalization::from_uri(a).is_some() => {
                let method = Canonicalization::from_uri(a).unwrap_or_default();
                Data::Octets(canonical_octets(doc, &set, method, &prefix_list(p, t))?)
            }
            (a, _) => return Err(unsupported(format!("the transform `{a}` is not supported"))),
        };
    }
    match data {
        Data::Octets(o) => sink.0.update(&o),
        Data::Nodes(set) => sink.0.update(&canonical_octets(doc, &set, c14n, &[])?),
    }
    Ok(())
}

/// The `InclusiveNamespaces PrefixList` of an exclusive C14N transform.
fn prefix_list(p: &Parsed<'_>, transform: NodeId) -> Vec<String> {
    find_child(&p.doc, transform, "http://www.w3.org/2001/10/xml-exc-c14n#", "InclusiveNamespaces")
        .and_then(|n| attribute(&p.doc, n, "PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The string value of a node-set: its text nodes in document order (the input of the
/// base64 transform, XMLDSig §6.6.2).
fn string_value(p: &Parsed<'_>, set: &NodeSet) -> String {
    let mut out = String::new();
    for n in p.doc.descendants(p.doc.root()) {
        if set.contains_id(n) {
            if let Some(NodeKind::Text(t)) | Some(NodeKind::CData(t)) = p.doc.node_kind(n) {
                out.push_str(t);
            }
        }
    }
    out
}

fn decode(text: &str) -> Result<Vec<u8>, AdesError> {
    let compact: String = text.split_whitespace().collect();
    B64.decode(compact).map_err(|_| unsupported("a base64 transform's input is not base64"))
}
