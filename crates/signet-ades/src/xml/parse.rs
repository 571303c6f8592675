//! Parsing untrusted XML. uppsala parses; this module sets its limits and checks what it
//! does not: no DTD at all (no external entity can be fetched and no entity can expand —
//! XXE and "billion laughs" are refused before any expansion), a depth limit enforced by
//! the parser before it recurses, a cap on attributes per element (namespace
//! declarations included, XML 1.0 §3.1) checked by a linear scan *before* parsing (the
//! parser's duplicate-attribute checks are quadratic in an element's attributes), UTF-8
//! only, and `Id` values unique across the document (XMLDSig §4.4.3.3 and the signature
//! wrapping defences: a same-document reference must name exactly one element).

use crate::AdesError;
use std::collections::HashSet;
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

/// A parsed document and its `Id`s.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub doc: Document<'a>,
    /// The values of the `Id`, `ID`, `id` and `xml:id` attributes (each names one element).
    pub ids: HashSet<String>,
}

impl<'a> Parsed<'a> {
    /// The document element.
    pub fn root(&self) -> Result<NodeId, AdesError> {
        self.doc.document_element().ok_or_else(|| bad("the document has no root element"))
    }

    /// The element whose `Id` is `id` (found by a walk of the tree: the index is only of
    /// values, so that parsing a large document does not pay for lookups it rarely needs).
    pub fn by_id(&self, id: &str) -> Option<NodeId> {
        if !self.ids.contains(id) {
            return None;
        }
        self.doc.descendants(self.doc.root()).into_iter().find(|n| {
            self.doc.element(*n).is_some_and(|el| {
                el.attributes.iter().any(|a| {
                    is_id_name(a.name.prefix.as_deref(), &a.name.local_name) && a.value == id
                })
            })
        })
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
    let ids = scan_start_tags(text.as_bytes(), limits.max_attributes)?;
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
    Ok(Parsed { doc, ids })
}

/// Whether an attribute name is one of the `Id` attributes of XMLDSig same-document
/// references: `Id`, `ID`, `id` (no prefix) or `xml:id`.
fn is_id_name(prefix: Option<&str>, local: &str) -> bool {
    match prefix {
        None => matches!(local, "Id" | "ID" | "id"),
        Some(p) => p == "xml" && local == "id",
    }
}

/// One pass over the text before it is parsed: refuses a start tag with more than `max`
/// attributes (namespace declarations count) and an `Id` value given twice, and returns
/// the `Id` values. Comments, CDATA sections, processing instructions and declarations
/// are skipped; what is not well-formed is left for the parser to refuse.
fn scan_start_tags(text: &[u8], max: usize) -> Result<HashSet<String>, AdesError> {
    let skip_to = |from: usize, end: &[u8]| -> usize {
        text[from..]
            .windows(end.len())
            .position(|w| w == end)
            .map_or(text.len(), |p| from + p + end.len())
    };
    let mut ids = HashSet::new();
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
            let (attributes, end) = start_tag_attributes(text, i);
            i = end;
            if attributes.len() > max {
                return Err(bad(format!("an element has more than {max} attributes")));
            }
            for (name, value) in attributes {
                let (prefix, local) = match name.split_once(':') {
                    Some((p, l)) => (Some(p), l),
                    None => (None, name),
                };
                if is_id_name(prefix, local) && !ids.insert(normalize(value)) {
                    return Err(bad(format!(
                        "the Id `{}` names more than one element",
                        short(&normalize(value))
                    )));
                }
            }
        }
    }
    Ok(ids)
}

/// The attributes `(name, raw value)` of the start tag whose name begins at `from`, and
/// where the tag ends.
fn start_tag_attributes(text: &[u8], from: usize) -> (Vec<(&str, &str)>, usize) {
    let mut out = Vec::new();
    let mut i = from;
    let is_space = |b: u8| b.is_ascii_whitespace();
    let is_name_end = |b: u8| is_space(b) || matches!(b, b'=' | b'>' | b'/');
    while i < text.len() && !is_name_end(text[i]) {
        i += 1; // the element's name
    }
    loop {
        while i < text.len() && (is_space(text[i]) || text[i] == b'/') {
            i += 1;
        }
        if i >= text.len() || text[i] == b'>' {
            return (out, i);
        }
        let name_start = i;
        while i < text.len() && !is_name_end(text[i]) {
            i += 1;
        }
        let name_end = i;
        while i < text.len() && is_space(text[i]) {
            i += 1;
        }
        if i >= text.len() || text[i] != b'=' {
            return (out, i); // not well-formed: the parser says why
        }
        i += 1;
        while i < text.len() && is_space(text[i]) {
            i += 1;
        }
        let Some(&quote) = text.get(i).filter(|q| matches!(q, b'"' | b'\'')) else {
            return (out, i);
        };
        let value_start = i + 1;
        let Some(len) = text[value_start..].iter().position(|b| *b == quote) else {
            return (out, text.len());
        };
        i = value_start + len + 1;
        if let (Ok(name), Ok(value)) = (
            std::str::from_utf8(&text[name_start..name_end]),
            std::str::from_utf8(&text[value_start..value_start + len]),
        ) {
            out.push((name, value));
        }
    }
}

/// An attribute value as the parser reports it (XML 1.0 §3.3.3, no DTD): white space
/// characters become spaces, character and predefined entity references are replaced.
fn normalize(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            if let Some(end) = rest.find(';') {
                let name = &rest[1..end];
                let ch = match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                if let Some(ch) = ch {
                    out.push(ch);
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        out.push(if matches!(c, '\t' | '\n' | '\r') { ' ' } else { c });
        rest = &rest[c.len_utf8()..];
    }
    out
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
        let dup = parse(br#"<r Id="a&#x62;"><x Id="ab"/></r>"#, &limits).unwrap_err().to_string();
        assert!(dup.contains("Id `ab`"), "{dup}");
        let p = parse(br#"<r><x xml:id="k"/><y Id="j"/></r>"#, &limits).unwrap();
        assert!(p.by_id("k").is_some() && p.by_id("j").is_some() && p.by_id("z").is_none());
        for bad in [
            &br#"<r a="1" b="2" c="3" d="4"/>"#[..],
            br#"<r xmlns:a="1" xmlns:b="2" xmlns="3" x="4"/>"#,
        ] {
            let e = parse(bad, &limits).unwrap_err().to_string();
            assert!(e.contains("more than 3 attributes"), "{e}");
        }
    }
}
