//! Edits of a document's text: new elements are inserted where they belong and every
//! other byte stays as it was (a signature must not reformat what it signs, and a
//! signature being extended must keep every byte its earlier time-stamps cover).

use crate::AdesError;
use std::ops::Range;
use uppsala::{Document, NodeId};

/// Replace `range` of the text by `text`.
#[derive(Debug, Clone)]
pub(crate) struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// Applies non-overlapping edits to `source`.
pub(crate) fn insert(source: &str, mut edits: Vec<Edit>) -> Result<String, AdesError> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out =
        String::with_capacity(source.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut at = 0;
    for e in edits {
        if e.range.start < at || e.range.end > source.len() || e.range.start > e.range.end {
            return Err(AdesError::InvalidDocument("XML: overlapping edits".into()));
        }
        let (Some(keep), Some(_)) = (source.get(at..e.range.start), source.get(e.range.clone()))
        else {
            return Err(AdesError::InvalidDocument("XML: an edit splits a character".into()));
        };
        out.push_str(keep);
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(source.get(at..).unwrap_or_default());
    Ok(out)
}

/// The source range of an element, from its start tag's `<` to its end tag's `>`.
fn range_of(doc: &Document<'_>, node: NodeId) -> Result<Range<usize>, AdesError> {
    doc.node_range(node)
        .filter(|r| r.end <= doc.input_text().len())
        .ok_or_else(|| AdesError::InvalidDocument("XML: an element has no source position".into()))
}

/// The end of an element's start tag (the index just past its `>`), and whether the tag is
/// self-closing (`<a/>`).
fn start_tag_end(source: &str, from: usize) -> Option<(usize, bool)> {
    let bytes = source.as_bytes();
    let mut quote = None;
    let mut i = from;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (None, b'"' | b'\'') => quote = Some(bytes[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return Some((i + 1, i > from && bytes[i - 1] == b'/')),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The edit that makes `fragment` the last child of `element`. A self-closing element is
/// opened (`<a/>` → `<a>fragment</a>`, the same element to every canonicalization).
pub(crate) fn insertion_point_in(
    doc: &Document<'_>,
    element: NodeId,
    fragment: String,
) -> Result<Edit, AdesError> {
    let source = doc.input_text();
    let range = range_of(doc, element)?;
    let (tag_end, empty) = start_tag_end(source, range.start)
        .ok_or_else(|| AdesError::InvalidDocument("XML: a start tag does not end".into()))?;
    if empty {
        let name = doc
            .element(element)
            .map(|e| e.name.prefixed_name().into_owned())
            .ok_or_else(|| AdesError::InvalidDocument("XML: not an element".into()))?;
        return Ok(Edit { range: tag_end - 2..tag_end, text: format!(">{fragment}</{name}>") });
    }
    let end_tag = source[..range.end]
        .rfind("</")
        .filter(|p| *p >= tag_end)
        .ok_or_else(|| AdesError::InvalidDocument("XML: an element has no end tag".into()))?;
    Ok(Edit { range: end_tag..end_tag, text: fragment })
}

/// The start tags of `node` and its ancestors, outermost first, and the matching end
/// tags: a small document in which a fragment placed between the two canonicalizes as it
/// would inside `node` in the whole document (the same in-scope namespaces and `xml:`
/// attributes), without parsing the whole document again.
pub(crate) fn ancestors_skeleton(
    doc: &Document<'_>,
    node: NodeId,
) -> Result<(String, String), AdesError> {
    let source = doc.input_text();
    let mut chain: Vec<NodeId> = doc.ancestors(node);
    chain.reverse();
    chain.push(node);
    let (mut open, mut close) = (String::new(), Vec::new());
    for n in chain {
        let Some(el) = doc.element(n) else { continue };
        let start = range_of(doc, n)?.start;
        let (end, empty) = start_tag_end(source, start)
            .ok_or_else(|| AdesError::InvalidDocument("XML: a start tag does not end".into()))?;
        if empty {
            open.push_str(&source[start..end - 2]);
            open.push('>');
        } else {
            open.push_str(&source[start..end]);
        }
        close.push(format!("</{}>", el.name.prefixed_name()));
    }
    close.reverse();
    Ok((open, close.concat()))
}

/// Escapes text for element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{parse, XmlLimits};

    #[test]
    fn fragments_go_last_in_their_element_and_nothing_else_moves() {
        let xml = br#"<?xml version="1.0"?><a x=">"><b/><c  k='/>'>t</c></a>"#;
        let p = parse(xml, &XmlLimits::default()).unwrap();
        let a = p.root().unwrap();
        let kids = p.doc.children(a);
        let edits = vec![
            insertion_point_in(&p.doc, kids[0], "<n/>".into()).unwrap(),
            insertion_point_in(&p.doc, kids[1], "<m/>".into()).unwrap(),
            insertion_point_in(&p.doc, a, "<z/>".into()).unwrap(),
        ];
        let out = insert(p.text(), edits).unwrap();
        assert_eq!(out, r#"<?xml version="1.0"?><a x=">"><b><n/></b><c  k='/>'>t<m/></c><z/></a>"#);
        let (open, close) = ancestors_skeleton(&p.doc, kids[1]).unwrap();
        assert_eq!(open, r#"<a x=">"><c  k='/>'>"#);
        assert_eq!(close, "</c></a>");
    }
}
