//! Parsing untrusted XML. uppsala parses; this module sets its limits and checks what it
//! does not: no DTD at all (no external entity can be fetched and no entity can expand —
//! XXE and "billion laughs" are refused before any expansion), a depth limit enforced by
//! the parser before it recurses, a cap on attributes per element (namespace
//! declarations included, XML 1.0 §3.1) checked by a linear scan *before* parsing (the
//! parser's duplicate-attribute checks are quadratic in an element's attributes), UTF-8
//! only, and `Id` values unique across the document (XMLDSig §4.4.3.3 and the signature
//! wrapping defences: a same-document reference must name exactly one element).

use crate::AdesError;
use std::collections::HashMap;
use uppsala::{Document, NodeId, NodeKind};

/// Bounds on what is parsed.
#[derive(Debug, Clone, Copy)]
pub struct XmlLimits {
    /// The largest document, in bytes.
    pub max_bytes: usize,
    /// The deepest element nesting.
    pub max_depth: u32,
    /// The most attributes on one element.
    pub max_attributes: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        Self { max_bytes: 256 * 1024 * 1024, max_depth: 100, max_attributes: 256 }
    }
}

/// A parsed document and its `Id` index.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub doc: Document<'a>,
    /// `Id`, `ID`, `id` and `xml:id` values → their element.
    pub ids: HashMap<String, NodeId>,
}

impl<'a> Parsed<'a> {
    /// The document element.
    pub fn root(&self) -> Result<NodeId, AdesError> {
        self.doc.document_element().ok_or_else(|| bad("the document has no root element"))
    }

    /// The element whose `Id` is `id`.
    pub fn by_id(&self, id: &str) -> Option<NodeId> {
        self.ids.get(id).copied()
    }

    /// The source text.
    pub fn text(&self) -> &'a str {
        self.doc.input_text()
    }
}

fn bad(what: impl std::fmt::Display) -> AdesError {
    AdesError::InvalidDocument(format!("XML: {what}"))
}

/// The document as UTF-8 text (a byte order mark is kept; another encoding is refused).
pub(crate) fn as_text<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<&'a str, AdesError> {
    if bytes.len() > limits.max_bytes {
        return Err(bad(format!("the document is larger than {} bytes", limits.max_bytes)));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad("the document is not UTF-8"))?;
    let head = text.trim_start_matches('\u{feff}');
    if let Some(decl) = head.strip_prefix("<?xml").and_then(|d| d.split("?>").next()) {
        if let Some(enc) = decl.split("encoding").nth(1) {
            let name: String = enc
                .trim_start_matches(|c: char| c.is_whitespace() || c == '=')
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !name.eq_ignore_ascii_case("utf-8") && !name.eq_ignore_ascii_case("us-ascii") {
                return Err(bad(format!("encoding {name} is not supported: send UTF-8")));
            }
        }
    }
    Ok(text)
}

/// Parses `bytes` within `limits`.
pub(crate) fn parse<'a>(bytes: &'a [u8], limits: &XmlLimits) -> Result<Parsed<'a>, AdesError> {
    let text = as_text(bytes, limits)?;
    check_start_tags(text.as_bytes(), limits.max_attributes)?;
    // No DTD is ever needed by a document to be signed: the parser refuses the
    // declaration itself, before any entity is declared, expanded or fetched.
    let doc = uppsala::Parser::new()
        .with_forbid_dtd(true)
        .with_max_depth(limits.max_depth)
        .parse(text)
        .map_err(|e| {
            let e = e.to_string();
            if e.contains("DOCTYPE") || e.contains("DTD") {
                bad("document type declarations (DTDs, entities) are not accepted")
            } else {
                bad(short(&e))
            }
        })?;
    let mut ids = HashMap::new();
    for node in doc.descendants(doc.root()) {
        let Some(el) = doc.element(node) else { continue };
        for a in &el.attributes {
            let name = &*a.name.local_name;
            let is_id = match a.name.namespace_uri.as_deref() {
                None => matches!(name, "Id" | "ID" | "id"),
                Some(ns) => ns == "http://www.w3.org/XML/1998/namespace" && name == "id",
            };
            if is_id && ids.insert(a.value.to_string(), node).is_some() {
                return Err(bad(format!(
                    "the Id `{}` names more than one element",
                    short(&a.value)
                )));
            }
        }
    }
    Ok(Parsed { doc, ids })
}

/// Refuses a start tag with more than `max` attributes (namespace declarations count),
/// in one pass over the text: comments, CDATA sections, processing instructions and
/// declarations are skipped; in a start tag, each `=` outside quotes is one attribute.
fn check_start_tags(text: &[u8], max: usize) -> Result<(), AdesError> {
    let skip_to = |from: usize, end: &[u8]| -> usize {
        text[from..]
            .windows(end.len())
            .position(|w| w == end)
            .map_or(text.len(), |p| from + p + end.len())
    };
    let mut i = 0;
    while let Some(p) = text[i..].iter().position(|b| *b == b'<') {
        i += p + 1;
        let rest = &text[i..];
        if rest.starts_with(b"!--") {
            i = skip_to(i, b"-->");
        } else if rest.starts_with(b"![CDATA[") {
            i = skip_to(i, b"]]>");
        } else if rest.starts_with(b"?") {
            i = skip_to(i, b"?>");
        } else if rest.starts_with(b"!") || rest.starts_with(b"/") {
            i = skip_to(i, b">");
        } else {
            let (mut quote, mut count) = (None, 0usize);
            while i < text.len() {
                match (quote, text[i]) {
                    (None, b'"' | b'\'') => quote = Some(text[i]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'=') => count += 1,
                    (None, b'>') => break,
                    _ => {}
                }
                i += 1;
            }
            if count > max {
                return Err(bad(format!("an element has more than {max} attributes")));
            }
        }
    }
    Ok(())
}

fn short(s: &str) -> String {
    s.chars().take(120).collect()
}

/// Whether `node` is the element `{ns}local`.
pub(crate) fn is_element(doc: &Document<'_>, node: NodeId, ns: &str, local: &str) -> bool {
    doc.element(node).is_some_and(|e| e.name.matches(Some(ns), local))
}

/// The child elements of `node`.
pub(crate) fn child_elements(doc: &Document<'_>, node: NodeId) -> Vec<NodeId> {
    doc.children_iter(node).filter(|c| doc.element(*c).is_some()).collect()
}

/// The first child element `{ns}local` of `node`.
pub(crate) fn find_child(
    doc: &Document<'_>,
    node: NodeId,
    ns: &str,
    local: &str,
) -> Option<NodeId> {
    doc.children_iter(node).find(|c| is_element(doc, *c, ns, local))
}

/// An unqualified attribute of an element.
pub(crate) fn attribute<'d>(doc: &'d Document<'_>, node: NodeId, name: &str) -> Option<&'d str> {
    doc.element(node)?
        .attributes
        .iter()
        .find(|a| a.name.namespace_uri.is_none() && *a.name.local_name == *name)
        .map(|a| &*a.value)
}

/// The text content of an element (its text and CDATA children, concatenated), trimmed.
pub(crate) fn text_of(doc: &Document<'_>, node: NodeId) -> String {
    let mut out = String::new();
    for c in doc.descendants(node) {
        match doc.node_kind(c) {
            Some(NodeKind::Text(t)) | Some(NodeKind::CData(t)) => out.push_str(t),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_namespace_declarations_are_counted_before_parsing() {
        let limits = XmlLimits { max_attributes: 3, ..XmlLimits::default() };
        let ok = br#"<r a="1" b='x=y>'><!-- <c d="1" e="2" f="3" g="4"> --><![CDATA[<h i=1 j=2 k=3 l=4>]]><?pi m=1 n=2 o=3 p=4?></r>"#;
        assert!(parse(ok, &limits).is_ok());
        for bad in [
            &br#"<r a="1" b="2" c="3" d="4"/>"#[..],
            br#"<r xmlns:a="1" xmlns:b="2" xmlns="3" x="4"/>"#,
        ] {
            let e = parse(bad, &limits).unwrap_err().to_string();
            assert!(e.contains("more than 3 attributes"), "{e}");
        }
    }
}
