//! Writing an incremental update (ISO 32000-1 §7.5.6): new and changed objects appended
//! after the original bytes, which stay untouched, then a cross-reference section for
//! just those objects — a table, or a cross-reference stream when the file already uses
//! them (§7.5.8) — whose trailer points back at the previous section with `/Prev`.

use super::object::{Dict, Object, ObjectId};
use super::reader::PdfReader;
use super::PdfError;
use std::collections::BTreeMap;

/// The objects of one update, before it is written.
#[derive(Debug)]
pub struct Update {
    next: u32,
    objects: BTreeMap<ObjectId, Vec<u8>>,
}

/// A written update.
#[derive(Debug)]
pub struct Written {
    /// The bytes to append to the original file.
    pub bytes: Vec<u8>,
    /// Where each object starts, relative to the start of `bytes`.
    pub offsets: BTreeMap<ObjectId, usize>,
}

impl Update {
    /// An empty update of the file `reader` reads.
    pub fn new(reader: &PdfReader<'_>) -> Self {
        Self { next: reader.next_object_number(), objects: BTreeMap::new() }
    }

    /// A new object number.
    pub fn allocate(&mut self) -> ObjectId {
        let id = ObjectId(self.next, 0);
        self.next += 1;
        id
    }

    /// Adds `object` as a new object.
    pub fn add(&mut self, object: &Object) -> ObjectId {
        let id = self.allocate();
        self.put(id, object);
        id
    }

    /// Writes `object` under `id` (a new object, or a new version of an old one).
    pub fn put(&mut self, id: ObjectId, object: &Object) {
        let mut body = Vec::new();
        object.write(&mut body);
        self.objects.insert(id, body);
    }

    /// Writes `body` (already serialised) under `id`.
    pub fn put_raw(&mut self, id: ObjectId, body: Vec<u8>) {
        self.objects.insert(id, body);
    }

    /// Writes the update: objects, cross-reference section and trailer.
    pub fn write(mut self, reader: &PdfReader<'_>) -> Result<Written, PdfError> {
        let base = reader.size();
        let mut bytes = Vec::new();
        if !matches!(reader.last_byte()?, Some(b'\n' | b'\r')) {
            bytes.push(b'\n');
        }
        let xref_id = reader.uses_xref_stream().then(|| self.allocate());
        let mut offsets = BTreeMap::new();
        for (id, body) in &self.objects {
            offsets.insert(*id, bytes.len());
            bytes.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
            bytes.extend_from_slice(body);
            bytes.extend_from_slice(b"\nendobj\n");
        }
        let mut trailer = Dict::new();
        trailer.set(b"Size", Object::Integer(i64::from(self.next)));
        for key in [&b"Root"[..], b"Info", b"ID"] {
            if let Some(v) = reader.trailer().get(key) {
                trailer.set(key, v.clone());
            }
        }
        trailer.set(b"Prev", Object::Integer(reader.startxref() as i64));
        let xref_at = base + bytes.len() as u64;
        match xref_id {
            None => {
                bytes.extend_from_slice(b"xref\n");
                for run in runs(offsets.keys().map(|id| id.0)) {
                    bytes.extend_from_slice(format!("{} {}\n", run.0, run.1).as_bytes());
                    for n in run.0..run.0 + run.1 {
                        let (id, at) = offsets
                            .iter()
                            .find(|(id, _)| id.0 == n)
                            .map(|(id, at)| (*id, *at))
                            .ok_or_else(|| PdfError::Malformed("update numbering".into()))?;
                        bytes.extend_from_slice(
                            format!("{:010} {:05} n\r\n", base + at as u64, id.1).as_bytes(),
                        );
                    }
                }
                bytes.extend_from_slice(b"trailer\n");
                trailer.write(&mut bytes);
                bytes.push(b'\n');
            }
            Some(xref_id) => {
                // §7.5.8.2: the stream lists itself too.
                offsets.insert(xref_id, bytes.len());
                let entries: Vec<(u32, u64, u16)> =
                    offsets.iter().map(|(id, at)| (id.0, base + *at as u64, id.1)).collect();
                let width = (1..=8).find(|w| xref_at >> (8 * w) == 0).unwrap_or(8);
                let mut data = Vec::with_capacity(entries.len() * (width + 3));
                for (_, offset, g) in &entries {
                    data.push(1);
                    data.extend_from_slice(&offset.to_be_bytes()[8 - width..]);
                    data.extend_from_slice(&g.to_be_bytes());
                }
                let index = runs(entries.iter().map(|e| e.0))
                    .flat_map(|(s, n)| {
                        [Object::Integer(i64::from(s)), Object::Integer(i64::from(n))]
                    })
                    .collect();
                trailer.set(b"Type", Object::name("XRef"));
                trailer.set(b"Index", Object::Array(index));
                trailer.set(
                    b"W",
                    Object::Array(vec![
                        Object::Integer(1),
                        Object::Integer(width as i64),
                        Object::Integer(2),
                    ]),
                );
                bytes.extend_from_slice(format!("{} {} obj\n", xref_id.0, xref_id.1).as_bytes());
                Object::Stream(trailer, data).write(&mut bytes);
                bytes.extend_from_slice(b"\nendobj\n");
            }
        }
        bytes.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        Ok(Written { bytes, offsets })
    }
}

/// Consecutive runs `(first, count)` of sorted object numbers.
fn runs(numbers: impl Iterator<Item = u32>) -> impl Iterator<Item = (u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for n in numbers {
        match out.last_mut() {
            Some((s, c)) if *s + *c == n => *c += 1,
            _ => out.push((n, 1)),
        }
    }
    out.into_iter()
}
