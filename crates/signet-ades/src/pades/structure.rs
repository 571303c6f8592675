//! Where a signature goes in the document's structure: the page tree (ISO 32000-1
//! §7.7.3), the interactive form and its fields (§12.7.2, §12.7.3), signature fields
//! (§12.7.4.5) and the permissions dictionary (§12.8.4, DocMDP §12.8.2.2).

use crate::pdf::{Dict, Object, ObjectId, PdfError, PdfReader};
use std::collections::HashSet;

/// Deepest page tree walked.
const MAX_TREE_DEPTH: usize = 32;
/// Most fields looked at (a form with more is refused rather than walked forever).
const MAX_FIELDS: usize = 100_000;

/// The object id of page `index` (0-based).
pub(crate) fn page(reader: &PdfReader<'_>, index: u32) -> Result<ObjectId, PdfError> {
    let (_, catalog) = reader.catalog()?;
    let root = catalog
        .reference(b"Pages")
        .ok_or_else(|| PdfError::Malformed("the catalog has no /Pages tree".into()))?;
    let mut node = root;
    let mut skip = i64::from(index);
    let mut seen = HashSet::new();
    for _ in 0..MAX_TREE_DEPTH {
        if !seen.insert(node) {
            return Err(PdfError::Malformed("the page tree has a cycle".into()));
        }
        let d = reader.dict(node)?;
        if d.name(b"Type") == Some(b"Page") || d.get(b"Kids").is_none() {
            if skip == 0 {
                return Ok(node);
            }
            break;
        }
        let kids = match reader.resolve(d.get(b"Kids").unwrap_or(&Object::Null))? {
            Object::Array(k) => k,
            _ => return Err(PdfError::Malformed("a page tree node has no /Kids array".into())),
        };
        let mut next = None;
        for kid in kids {
            let Object::Ref(kid) = kid else {
                return Err(PdfError::Malformed("a page tree kid is not a reference".into()));
            };
            let kd = reader.dict(kid)?;
            let count = if kd.name(b"Type") == Some(b"Pages") {
                kd.integer(b"Count").unwrap_or(0)
            } else {
                1
            };
            if skip < count {
                next = Some(kid);
                break;
            }
            skip -= count;
        }
        match next {
            Some(k) => node = k,
            None => break,
        }
    }
    Err(PdfError::Unsupported(format!("the document has no page {}", index + 1)))
}

/// A signature already in the document.
#[derive(Debug, Clone)]
pub struct ExistingSignature {
    /// The field's name (`/T`).
    pub field_name: String,
    /// `/Sig` or `/DocTimeStamp`.
    pub document_timestamp: bool,
    /// `/SubFilter`.
    pub sub_filter: String,
    /// The `/Contents` string as stored (the DER signature and its zero padding).
    pub contents: Vec<u8>,
    /// `/ByteRange`.
    pub byte_range: Vec<i64>,
    /// The DocMDP permission (`/P`) if this is a certification signature.
    pub certification: Option<i64>,
}

impl ExistingSignature {
    /// The DER signature without the padding (its length is read from the DER header).
    pub fn der(&self) -> Result<&[u8], PdfError> {
        let c = &self.contents;
        let bad = || {
            PdfError::Malformed(format!("the signature in field `{}` is not DER", self.field_name))
        };
        if c.len() < 2 || c[0] != 0x30 {
            return Err(bad());
        }
        let (len, header) = match c[1] {
            l if l < 0x80 => (usize::from(l), 2),
            0x81..=0x84 => {
                let n = usize::from(c[1] - 0x80);
                let bytes = c.get(2..2 + n).ok_or_else(bad)?;
                (bytes.iter().fold(0usize, |a, b| a << 8 | usize::from(*b)), 2 + n)
            }
            _ => return Err(bad()),
        };
        c.get(..header + len).ok_or_else(bad)
    }
}

/// The interactive form: where it is and what is in it.
#[derive(Debug)]
pub(crate) struct Form {
    /// The AcroForm's own object, when it is indirect.
    pub id: Option<ObjectId>,
    pub dict: Dict,
    /// The top-level `/Fields`.
    pub fields: Vec<Object>,
}

pub(crate) fn form(reader: &PdfReader<'_>, catalog: &Dict) -> Result<Form, PdfError> {
    let (id, dict) = match catalog.get(b"AcroForm") {
        Some(Object::Ref(id)) => (Some(*id), reader.dict(*id)?),
        Some(Object::Dict(d)) => (None, d.clone()),
        _ => (None, Dict::new()),
    };
    let fields = match reader.resolve(dict.get(b"Fields").unwrap_or(&Object::Null))? {
        Object::Array(f) => f,
        _ => Vec::new(),
    };
    Ok(Form { id, dict, fields })
}

/// Every field name in use and every signature, in the order they were signed.
pub(crate) fn signatures_and_names(
    reader: &PdfReader<'_>,
    form: &Form,
) -> Result<(HashSet<String>, Vec<ExistingSignature>), PdfError> {
    let mut names = HashSet::new();
    let mut sigs = Vec::new();
    let mut stack: Vec<(Object, String)> =
        form.fields.iter().map(|f| (f.clone(), String::new())).collect();
    let mut seen = HashSet::new();
    while let Some((field, parent)) = stack.pop() {
        if seen.len() > MAX_FIELDS {
            return Err(PdfError::Unsupported("more than 100,000 form fields".into()));
        }
        if let Object::Ref(id) = field {
            if !seen.insert(id) {
                continue;
            }
        }
        let Object::Dict(d) = reader.resolve(&field)? else { continue };
        let partial = match d.get(b"T") {
            Some(t) => text(t),
            None => String::new(),
        };
        let name = match (parent.is_empty(), partial.is_empty()) {
            (_, true) => parent.clone(),
            (true, false) => partial,
            (false, false) => format!("{parent}.{partial}"),
        };
        if !name.is_empty() {
            names.insert(name.clone());
        }
        if d.name(b"FT") == Some(b"Sig") {
            if let Some(v) = d.get(b"V") {
                if let Object::Dict(sig) = reader.resolve(v)? {
                    sigs.push(existing(reader, &sig, name.clone())?);
                }
            }
        }
        if let Some(kids) = d.get(b"Kids") {
            if let Object::Array(kids) = reader.resolve(kids)? {
                stack.extend(kids.into_iter().map(|k| (k, name.clone())));
            }
        }
    }
    sigs.sort_by_key(|s| s.byte_range.get(2).copied().unwrap_or(0));
    Ok((names, sigs))
}

fn existing(
    reader: &PdfReader<'_>,
    sig: &Dict,
    field_name: String,
) -> Result<ExistingSignature, PdfError> {
    let contents = match sig.get(b"Contents") {
        Some(Object::Hex(b)) => b.clone(),
        Some(Object::Literal(b)) => b.clone(),
        _ => Vec::new(),
    };
    let byte_range = match sig.get(b"ByteRange") {
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|x| match x {
                Object::Integer(i) => Some(*i),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut certification = None;
    if let Some(Object::Array(refs)) =
        sig.get(b"Reference").map(|r| reader.resolve(r)).transpose()?
    {
        for r in refs {
            if let Object::Dict(r) = reader.resolve(&r)? {
                if r.name(b"TransformMethod") == Some(b"DocMDP") {
                    let p =
                        match r.get(b"TransformParams").map(|p| reader.resolve(p)).transpose()? {
                            Some(Object::Dict(p)) => p.integer(b"P").unwrap_or(2),
                            _ => 2,
                        };
                    certification = Some(p);
                }
            }
        }
    }
    Ok(ExistingSignature {
        field_name,
        document_timestamp: sig.name(b"Type") == Some(b"DocTimeStamp"),
        sub_filter: sig
            .name(b"SubFilter")
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default(),
        contents,
        byte_range,
        certification,
    })
}

/// A text string's value (§7.9.2.2), for names and comparisons.
fn text(o: &Object) -> String {
    let bytes = match o {
        Object::Hex(b) => b.clone(),
        Object::Literal(b) => unescape(b),
        _ => return String::new(),
    };
    if bytes.starts_with(&[0xfe, 0xff]) {
        let units: Vec<u16> =
            bytes[2..].chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|b| char::from(*b)).collect()
    }
}

/// The bytes of a literal string (§7.3.4.2 escapes).
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&e) = raw.get(i) else { break };
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'\r' | b'\n' => {
                if e == b'\r' && raw.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_strings_are_unescaped() {
        assert_eq!(unescape(b"a\\(b\\)\\\\\\101\\n"), b"a(b)\\A\n".to_vec());
        assert_eq!(text(&Object::Hex(vec![0xfe, 0xff, 0, b'S'])), "S");
    }
}
