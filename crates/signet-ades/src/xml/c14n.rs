//! The canonicalization methods of XMLDSig (§6.5): Canonical XML 1.0 and 1.1 (inclusive)
//! and Exclusive XML Canonicalization 1.0, each with or without comments, applied to a
//! node-set of a parsed document — a subtree, or the whole document less a subtree (the
//! enveloped-signature transform, XMLDSig §6.6.4).

use crate::AdesError;
use bergshamra_c14n::C14nMode;
use bergshamra_xml::NodeSet;
use uppsala::{Document, NodeId};

/// A canonicalization method, as the API names it and as XMLDSig identifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Canonicalization {
    /// Exclusive C14N 1.0 (`http://www.w3.org/2001/10/xml-exc-c14n#`), the default: the
    /// signed part does not change when the document around it does.
    #[default]
    Exclusive,
    /// Exclusive C14N 1.0 with comments.
    ExclusiveWithComments,
    /// Canonical XML 1.0 (`http://www.w3.org/TR/2001/REC-xml-c14n-20010315`).
    Inclusive,
    /// Canonical XML 1.0 with comments.
    InclusiveWithComments,
    /// Canonical XML 1.1 (`http://www.w3.org/2006/12/xml-c14n11`).
    Inclusive11,
    /// Canonical XML 1.1 with comments.
    Inclusive11WithComments,
}

const ALL: [Canonicalization; 6] = [
    Canonicalization::Exclusive,
    Canonicalization::ExclusiveWithComments,
    Canonicalization::Inclusive,
    Canonicalization::InclusiveWithComments,
    Canonicalization::Inclusive11,
    Canonicalization::Inclusive11WithComments,
];

impl Canonicalization {
    /// The API's name: `exclusive`, `inclusive`, `inclusive-1.1`, each optionally
    /// followed by `-with-comments`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exclusive => "exclusive",
            Self::ExclusiveWithComments => "exclusive-with-comments",
            Self::Inclusive => "inclusive",
            Self::InclusiveWithComments => "inclusive-with-comments",
            Self::Inclusive11 => "inclusive-1.1",
            Self::Inclusive11WithComments => "inclusive-1.1-with-comments",
        }
    }

    /// From the API's name.
    pub fn from_name(name: &str) -> Option<Self> {
        ALL.into_iter().find(|c| c.name() == name)
    }

    /// The algorithm URI (XMLDSig §6.5).
    pub fn uri(self) -> &'static str {
        self.mode().uri()
    }

    /// From an algorithm URI.
    pub fn from_uri(uri: &str) -> Option<Self> {
        ALL.into_iter().find(|c| c.uri() == uri)
    }

    fn mode(self) -> C14nMode {
        match self {
            Self::Exclusive => C14nMode::Exclusive,
            Self::ExclusiveWithComments => C14nMode::ExclusiveWithComments,
            Self::Inclusive => C14nMode::Inclusive,
            Self::InclusiveWithComments => C14nMode::InclusiveWithComments,
            Self::Inclusive11 => C14nMode::Inclusive11,
            Self::Inclusive11WithComments => C14nMode::Inclusive11WithComments,
        }
    }

    /// Whether comments are kept.
    pub fn with_comments(self) -> bool {
        self.mode().with_comments()
    }
}

fn failed(e: impl std::fmt::Display) -> AdesError {
    AdesError::InvalidDocument(format!("XML canonicalization: {e}"))
}

/// The canonical form of the element `node` and its descendants (comments kept only
/// with a `…WithComments` method), in the context of its document (inherited namespace
/// declarations and, for inclusive C14N 1.0, `xml:` attributes).
pub(crate) fn canonical_element(
    doc: &Document<'_>,
    node: NodeId,
    method: Canonicalization,
    prefixes: &[String],
) -> Result<Vec<u8>, AdesError> {
    let set = if method.with_comments() {
        NodeSet::tree_with_comments(node, doc)
    } else {
        NodeSet::tree_without_comments(node, doc)
    };
    canonical_octets(doc, &set, method, prefixes)
}

/// The canonical form of the whole document without comments (a same-document
/// reference `URI=""`, XMLDSig §4.4.3.3), less the subtree `without` (the
/// enveloped-signature transform).
#[cfg(test)]
pub(crate) fn canonical_document(
    doc: &Document<'_>,
    without: Option<NodeId>,
    method: Canonicalization,
    prefixes: &[String],
) -> Result<Vec<u8>, AdesError> {
    let mut set = NodeSet::all_without_comments(doc);
    if let Some(node) = without {
        set = set.subtract(&NodeSet::tree_with_comments(node, doc));
    }
    canonical_octets(doc, &set, method, prefixes)
}

/// The canonical form of the whole document without comments (a same-document
/// reference `URI=""`, XMLDSig §4.4.3.3), less the subtree `without` (the
/// enveloped-signature transform), into a sink (a hash): the octets are never all in
/// memory.
pub(crate) fn canonical_document_to<W: bergshamra_c14n::C14nSink>(
    doc: &Document<'_>,
    without: Option<NodeId>,
    method: Canonicalization,
    sink: &mut W,
) -> Result<(), AdesError> {
    let comments = method.with_comments();
    let set = match without {
        // The whole document: no node-set to build (comments go with the method).
        None if !comments => None,
        None => Some(NodeSet::all_without_comments(doc)),
        Some(node) => Some(
            NodeSet::all_without_comments(doc).subtract(&NodeSet::tree_with_comments(node, doc)),
        ),
    };
    bergshamra_c14n::canonicalize_doc_to(doc, method.mode(), set.as_ref(), &[] as &[String], sink)
        .map_err(failed)
}

/// The canonical form of a node-set.
pub(crate) fn canonical_octets(
    doc: &Document<'_>,
    set: &NodeSet,
    method: Canonicalization,
    prefixes: &[String],
) -> Result<Vec<u8>, AdesError> {
    bergshamra_c14n::canonicalize_doc(doc, method.mode(), Some(set), prefixes).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::canonical_document;
    use super::*;
    use crate::xml::{parse, XmlLimits};

    #[test]
    fn names_and_uris_round_trip() {
        for c in ALL {
            assert_eq!(Canonicalization::from_name(c.name()), Some(c));
            assert_eq!(Canonicalization::from_uri(c.uri()), Some(c));
        }
        assert_eq!(Canonicalization::Exclusive.uri(), "http://www.w3.org/2001/10/xml-exc-c14n#");
    }

    #[test]
    fn a_subtree_keeps_its_inherited_namespaces_only_when_inclusive() {
        let xml = br#"<a xmlns="urn:a" xmlns:x="urn:x"><!-- c --><b  y="2"  x:z="1">t</b></a>"#;
        let p = parse(xml, &XmlLimits::default()).unwrap();
        let b = p.doc.children(p.root().unwrap())[1];
        let inc = canonical_element(&p.doc, b, Canonicalization::Inclusive, &[]).unwrap();
        assert_eq!(
            String::from_utf8(inc).unwrap(),
            r#"<b xmlns="urn:a" xmlns:x="urn:x" y="2" x:z="1">t</b>"#
        );
        let exc = canonical_element(&p.doc, b, Canonicalization::Exclusive, &[]).unwrap();
        assert_eq!(
            String::from_utf8(exc).unwrap(),
            r#"<b xmlns="urn:a" xmlns:x="urn:x" y="2" x:z="1">t</b>"#
        );
        let whole = canonical_document(&p.doc, Some(b), Canonicalization::Exclusive, &[]).unwrap();
        // Exclusive C14N renders only the namespaces an element uses (xmlns:x is not).
        assert_eq!(String::from_utf8(whole).unwrap(), r#"<a xmlns="urn:a"></a>"#);
    }
}
