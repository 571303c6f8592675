//! PDF objects (ISO 32000-1 §7.3) as far as an incremental update needs them: read from
//! the file, changed, and written back. Strings and names keep their bytes exactly as
//! they were written (escapes included), so an object that is copied into an update is
//! written back byte for byte.

use std::fmt::Write as _;

/// An object number and generation (ISO 32000-1 §7.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub u32, pub u16);

/// A PDF object.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A real number, as written.
    Real(Vec<u8>),
    /// A name, without the slash, as written (`#xx` escapes kept).
    Name(Vec<u8>),
    /// A literal string's bytes between the parentheses, as written (escapes kept).
    Literal(Vec<u8>),
    /// A hexadecimal string, decoded.
    Hex(Vec<u8>),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// A stream: its dictionary and its (still encoded) data.
    Stream(Dict, Vec<u8>),
    /// An indirect reference `n g R`.
    Ref(ObjectId),
}

/// A dictionary, keys in the order they were read (so that a copied object keeps its shape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dict(pub Vec<(Vec<u8>, Object)>);

impl Dict {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// The value of `key` (a name without its slash).
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key`, replacing an earlier value in place.
    pub fn set(&mut self, key: &[u8], value: Object) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_vec(), value)),
        }
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &[u8]) {
        self.0.retain(|(k, _)| k != key);
    }

    /// The value of `key` when it is a name.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The value of `key` when it is an integer.
    pub fn integer(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Object::Integer(i)) => Some(*i),
            _ => None,
        }
    }

    /// The value of `key` when it is an indirect reference.
    pub fn reference(&self, key: &[u8]) -> Option<ObjectId> {
        match self.get(key) {
            Some(Object::Ref(id)) => Some(*id),
            _ => None,
        }
    }
}

impl Object {
    /// A name object.
    pub fn name(n: &str) -> Self {
        Self::Name(n.as_bytes().to_vec())
    }

    /// A text string (ISO 32000-1 §7.9.2.2): PDFDocEncoding for printable ASCII, else
    /// UTF-16BE with its byte order mark, written as a hexadecimal string.
    pub fn text(s: &str) -> Self {
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            Self::Hex(s.as_bytes().to_vec())
        } else {
            let mut bytes = vec![0xfe, 0xff];
            for unit in s.encode_utf16() {
                bytes.extend_from_slice(&unit.to_be_bytes());
            }
            Self::Hex(bytes)
        }
    }

    /// The dictionary of a dictionary or a stream.
    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            Self::Dict(d) | Self::Stream(d, _) => Some(d),
            _ => None,
        }
    }

    /// Writes the object (ISO 32000-1 §7.3).
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => out.extend_from_slice(b"null"),
            Self::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Self::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Self::Real(r) => out.extend_from_slice(r),
            Self::Name(n) => {
                out.push(b'/');
                out.extend_from_slice(n);
            }
            Self::Literal(s) => {
                out.push(b'(');
                out.extend_from_slice(s);
                out.push(b')');
            }
            Self::Hex(s) => {
                out.push(b'<');
                let mut hex = String::with_capacity(s.len() * 2);
                for b in s {
                    let _ = write!(hex, "{b:02X}");
                }
                out.extend_from_slice(hex.as_bytes());
                out.push(b'>');
            }
            Self::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    item.write(out);
                }
                out.push(b']');
            }
            Self::Dict(d) => d.write(out),
            Self::Stream(d, data) => {
                let mut d = d.clone();
                d.set(b"Length", Object::Integer(data.len() as i64));
                d.write(out);
                out.extend_from_slice(b"\nstream\n");
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream");
            }
            Self::Ref(ObjectId(n, g)) => out.extend_from_slice(format!("{n} {g} R").as_bytes()),
        }
    }
}

impl Dict {
    /// Writes `<< /Key value … >>`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"<<");
        for (k, v) in &self.0 {
            out.push(b'/');
            out.extend_from_slice(k);
            out.push(b' ');
            v.write(out);
        }
        out.extend_from_slice(b">>");
    }
}

/// Builds a dictionary from `(key, value)` pairs.
pub fn dict<const N: usize>(entries: [(&str, Object); N]) -> Dict {
    Dict(entries.into_iter().map(|(k, v)| (k.as_bytes().to_vec(), v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_it_holds() {
        let d = dict([
            ("Type", Object::name("Sig")),
            ("Kids", Object::Array(vec![Object::Ref(ObjectId(4, 0)), Object::Integer(-2)])),
            ("T", Object::text("Signature1")),
        ]);
        let mut out = Vec::new();
        d.write(&mut out);
        assert_eq!(out, b"<</Type /Sig/Kids [4 0 R -2]/T <5369676E617475726531>>>".to_vec());
    }

    #[test]
    fn text_outside_ascii_is_utf16() {
        let Object::Hex(b) = Object::text("Zoë") else { panic!() };
        assert_eq!(b, vec![0xfe, 0xff, 0, b'Z', 0, b'o', 0, 0xeb]);
    }
}
