//! Reading a PDF the way an incremental update needs it (ISO 32000-1 §7.5): the header,
//! the last `startxref`, the chain of cross-reference sections (tables §7.5.4 and
//! streams §7.5.8, hybrid files §7.5.8.4 included) back through `/Prev`, and then single
//! objects on demand — directly at their offset or inside an object stream (§7.5.7).
//! Nothing else of the file is read.

use super::filter;
use super::object::{Dict, Object, ObjectId};
use super::parse::{ParseError, Parser};
use super::source::Source;
use super::PdfError;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Where an object lives (§7.5.4, §7.5.8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Free,
    /// At a byte offset, with its generation.
    Offset(u64, u16),
    /// The `index`-th object of object stream `stream`.
    Compressed(u32, u32),
}

/// The first window read for an object; it grows until the object fits.
const FIRST_WINDOW: usize = 16 * 1024;
/// The largest window: no object dictionary or cross-reference table is bigger.
const MAX_WINDOW: usize = 64 * 1024 * 1024;
/// Most cross-reference sections followed (a loop of `/Prev` cannot hang the reader).
const MAX_SECTIONS: usize = 4096;
/// How deep references are followed while reading one object (a `/Length` that refers
/// to itself cannot recurse forever).
const MAX_RESOLVE_DEPTH: usize = 8;

/// A PDF opened for an incremental update.
pub struct PdfReader<'a> {
    source: &'a dyn Source,
    entries: HashMap<u32, Entry>,
    trailer: Dict,
    startxref: u64,
    xref_stream: bool,
    object_streams: RefCell<HashMap<u32, std::rc::Rc<ObjectStream>>>,
}

impl std::fmt::Debug for PdfReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfReader")
            .field("size", &self.source.size())
            .field("objects", &self.entries.len())
            .field("startxref", &self.startxref)
            .finish()
    }
}

#[derive(Debug)]
struct ObjectStream {
    data: Vec<u8>,
    /// Object numbers and their offsets after `/First`.
    offsets: Vec<(u32, usize)>,
    first: usize,
}

impl<'a> PdfReader<'a> {
    /// Opens a PDF: checks the header and reads every cross-reference section.
    pub fn open(source: &'a dyn Source) -> Result<Self, PdfError> {
        let head = source.read_vec(0, 1024)?;
        if !head.windows(5).any(|w| w == b"%PDF-") {
            return Err(PdfError::NotPdf);
        }
        let startxref = find_startxref(source)?;
        let mut reader = Self {
            source,
            entries: HashMap::new(),
            trailer: Dict::new(),
            startxref,
            xref_stream: false,
            object_streams: RefCell::new(HashMap::new()),
        };
        reader.read_sections(startxref)?;
        if reader.trailer.get(b"Encrypt").is_some() {
            return Err(PdfError::Encrypted);
        }
        if reader.trailer.reference(b"Root").is_none() {
            return Err(PdfError::Malformed("the trailer has no /Root catalog".into()));
        }
        Ok(reader)
    }

    /// The file's length: where an update starts.
    pub fn size(&self) -> u64 {
        self.source.size()
    }

    /// The last byte of the file.
    pub fn last_byte(&self) -> Result<Option<u8>, PdfError> {
        let size = self.source.size();
        Ok(if size == 0 { None } else { self.source.read_vec(size - 1, 1)?.first().copied() })
    }

    /// The newest trailer (for a cross-reference stream, its dictionary).
    pub fn trailer(&self) -> &Dict {
        &self.trailer
    }

    /// The offset of the newest cross-reference section (the next update's `/Prev`).
    pub fn startxref(&self) -> u64 {
        self.startxref
    }

    /// Whether the newest section is a cross-reference stream (an update then writes one too).
    pub fn uses_xref_stream(&self) -> bool {
        self.xref_stream
    }

    /// The underlying bytes.
    pub fn source(&self) -> &'a dyn Source {
        self.source
    }

    /// The next free object number (the trailer's `/Size`, or past every known object).
    pub fn next_object_number(&self) -> u32 {
        let size = self.trailer.integer(b"Size").and_then(|s| u32::try_from(s).ok()).unwrap_or(0);
        let max = self.entries.keys().max().map_or(0, |m| m + 1);
        size.max(max)
    }

    /// The document catalog (§7.7.2).
    pub fn catalog(&self) -> Result<(ObjectId, Dict), PdfError> {
        let id = self
            .trailer
            .reference(b"Root")
            .ok_or_else(|| PdfError::Malformed("the trailer has no /Root catalog".into()))?;
        Ok((id, self.dict(id)?))
    }

    /// An object that must be a dictionary.
    pub fn dict(&self, id: ObjectId) -> Result<Dict, PdfError> {
        match self.object(id)? {
            Object::Dict(d) => Ok(d),
            _ => Err(PdfError::Malformed(format!("object {} {} is not a dictionary", id.0, id.1))),
        }
    }

    /// A value with a reference followed (one level).
    pub fn resolve(&self, o: &Object) -> Result<Object, PdfError> {
        match o {
            Object::Ref(id) => self.object(*id),
            other => Ok(other.clone()),
        }
    }

    /// Reads object `id`; a free or missing object is `null` (§7.3.10).
    pub fn object(&self, id: ObjectId) -> Result<Object, PdfError> {
        self.object_at_depth(id, 0)
    }

    fn object_at_depth(&self, id: ObjectId, depth: usize) -> Result<Object, PdfError> {
        if depth > MAX_RESOLVE_DEPTH {
            return Err(PdfError::Malformed("references nest too deeply".into()));
        }
        match self.entries.get(&id.0).copied() {
            None | Some(Entry::Free) => Ok(Object::Null),
            Some(Entry::Offset(offset, g)) if g == id.1 => {
                let (found, object) = self.indirect_at(offset, depth)?;
                if found != id {
                    return Err(PdfError::Malformed(format!(
                        "the cross-reference entry of object {} points at object {} \
                         (the cross-reference table is broken)",
                        id.0, found.0
                    )));
                }
                Ok(object)
            }
            Some(Entry::Offset(..)) => Ok(Object::Null),
            Some(Entry::Compressed(stream, index)) => {
                if id.1 != 0 {
                    return Ok(Object::Null);
                }
                self.compressed(stream, index, id.0, depth)
            }
        }
    }

    /// The object at `offset`: `n g obj … endobj`, with a stream's data read by `/Length`.
    fn indirect_at(&self, offset: u64, depth: usize) -> Result<(ObjectId, Object), PdfError> {
        let (id, object, data_start) = self.with_window(offset, |p| {
            let id = p.object_header()?;
            let object = p.object()?;
            let data = match object {
                Object::Dict(_) => p.stream_start()?,
                _ => None,
            };
            Ok((id, object, data))
        })?;
        let Some(start) = data_start else { return Ok((id, object)) };
        let Object::Dict(dict) = object else { return Ok((id, object)) };
        let length = match dict.get(b"Length") {
            Some(Object::Integer(n)) => *n,
            Some(Object::Ref(r)) => match self.object_at_depth(*r, depth + 1)? {
                Object::Integer(n) => n,
                _ => return Err(PdfError::Malformed("a stream /Length is not an integer".into())),
            },
            _ => return Err(PdfError::Malformed("a stream has no /Length".into())),
        };
        let length = usize::try_from(length)
            .ok()
            .filter(|l| (*l as u64) <= filter::MAX_DECODED)
            .ok_or_else(|| PdfError::Malformed("a stream /Length is out of range".into()))?;
        let data = self.source.read_vec(offset + start as u64, length)?;
        if data.len() != length {
            return Err(PdfError::Malformed("a stream runs past the end of the file".into()));
        }
        Ok((id, Object::Stream(dict, data)))
    }

    /// Runs `f` over a window of the file at `offset`, growing the window while the
    /// object is cut off by it.
    fn with_window<T>(
        &self,
        offset: u64,
        f: impl Fn(&mut Parser<'_>) -> Result<T, ParseError>,
    ) -> Result<T, PdfError> {
        let mut len = FIRST_WINDOW;
        loop {
            let window = self.source.read_vec(offset, len)?;
            let at_end = window.len() < len;
            match f(&mut Parser::new(&window, 0)) {
                Ok(v) => return Ok(v),
                Err(ParseError::Incomplete) if !at_end && len < MAX_WINDOW => len *= 4,
                Err(ParseError::Incomplete) => {
                    return Err(PdfError::Malformed(format!(
                        "an object at offset {offset} is cut off"
                    )))
                }
                Err(ParseError::Syntax(at, what)) => {
                    return Err(PdfError::Malformed(format!(
                        "{what} at offset {}",
                        offset + at as u64
                    )))
                }
            }
        }
    }

    fn compressed(
        &self,
        stream: u32,
        index: u32,
        number: u32,
        depth: usize,
    ) -> Result<Object, PdfError> {
        let os = self.object_stream(stream, depth)?;
        let (n, offset) = *os.offsets.get(index as usize).ok_or_else(|| {
            PdfError::Malformed(format!("object stream {stream} has no object {index}"))
        })?;
        if n != number {
            return Err(PdfError::Malformed(format!(
                "object stream {stream} holds object {n} where {number} was expected"
            )));
        }
        let mut p = Parser::new(&os.data, os.first + offset);
        p.object().map_err(|e| match e {
            ParseError::Incomplete => PdfError::Malformed(format!("object {number} is cut off")),
            ParseError::Syntax(_, what) => {
                PdfError::Malformed(format!("{what} in object {number}"))
            }
        })
    }

    fn object_stream(
        &self,
        number: u32,
        depth: usize,
    ) -> Result<std::rc::Rc<ObjectStream>, PdfError> {
        if let Some(os) = self.object_streams.borrow().get(&number) {
            return Ok(os.clone());
        }
        let Entry::Offset(offset, _) = self.entries.get(&number).copied().unwrap_or(Entry::Free)
        else {
            return Err(PdfError::Malformed(format!("object stream {number} is not in the file")));
        };
        let (_, object) = self.indirect_at(offset, depth + 1)?;
        let Object::Stream(dict, raw) = object else {
            return Err(PdfError::Malformed(format!("object {number} is not an object stream")));
        };
        let data = filter::decode(&dict, &raw)?;
        let count = dict.integer(b"N").unwrap_or(0);
        let first = dict
            .integer(b"First")
            .and_then(|f| usize::try_from(f).ok())
            .filter(|f| *f <= data.len())
            .ok_or_else(|| PdfError::Malformed("an object stream has a bad /First".into()))?;
        let mut p = Parser::new(&data[..first], 0);
        let mut offsets = Vec::new();
        for _ in 0..count {
            let (Ok(n), Ok(o)) = (p.unsigned(), p.unsigned()) else {
                return Err(PdfError::Malformed("an object stream's index is broken".into()));
            };
            offsets.push((
                u32::try_from(n).unwrap_or(u32::MAX),
                usize::try_from(o).unwrap_or(usize::MAX),
            ));
        }
        let os = std::rc::Rc::new(ObjectStream { data, offsets, first });
        self.object_streams.borrow_mut().insert(number, os.clone());
        Ok(os)
    }

    /// Reads the section at `offset` and every earlier one (`/Prev`, `/XRefStm`).
    fn read_sections(&mut self, offset: u64) -> Result<(), PdfError> {
        let mut next = Some(offset);
        let mut seen = HashSet::new();
        let mut newest = true;
        while let Some(at) = next {
            if !seen.insert(at) || seen.len() > MAX_SECTIONS {
                return Err(PdfError::Malformed("the cross-reference sections form a loop".into()));
            }
            if at >= self.source.size() {
                return Err(PdfError::Malformed(format!(
                    "a cross-reference offset ({at}) is past the end of the file"
                )));
            }
            let (trailer, is_stream) = self.read_section(at)?;
            if !is_stream {
                // §7.5.8.4: a hybrid file's table is completed by the stream it names.
                if let Some(Object::Integer(stm)) = trailer.get(b"XRefStm") {
                    let stm = u64::try_from(*stm)
                        .map_err(|_| PdfError::Malformed("bad /XRefStm".into()))?;
                    self.read_section(stm)?;
                }
            }
            if newest {
                self.trailer = trailer.clone();
                self.xref_stream = is_stream;
                newest = false;
            }
            next = match trailer.get(b"Prev") {
                Some(Object::Integer(p)) => {
                    Some(u64::try_from(*p).map_err(|_| PdfError::Malformed("bad /Prev".into()))?)
                }
                _ => None,
            };
        }
        Ok(())
    }

    /// One section; entries already known (from newer sections) win.
    fn read_section(&mut self, offset: u64) -> Result<(Dict, bool), PdfError> {
        let table = self.source.read_vec(offset, 4)?;
        if table == b"xref" {
            let (rows, trailer) = self.with_window(offset, |p| {
                p.keyword(b"xref")?;
                let mut rows = Vec::new();
                loop {
                    p.skip_white();
                    let save = p.pos;
                    if p.keyword(b"trailer").is_ok() {
                        break;
                    }
                    p.pos = save;
                    let start = p.unsigned()?;
                    let count = p.unsigned()?;
                    for i in 0..count {
                        let o = p.unsigned()?;
                        let g = p.unsigned()?;
                        p.skip_white();
                        let at = p.pos;
                        let kind = match p.word()? {
                            b"n" => true,
                            b"f" => false,
                            _ => return Err(ParseError::Syntax(at, "bad cross-reference entry")),
                        };
                        rows.push((start + i, o, g, kind));
                    }
                }
                let trailer = match p.object()? {
                    Object::Dict(d) => d,
                    _ => return Err(ParseError::Syntax(p.pos, "the trailer is not a dictionary")),
                };
                Ok((rows, trailer))
            })?;
            for (n, o, g, in_use) in rows {
                let (Ok(n), Ok(g)) = (u32::try_from(n), u16::try_from(g)) else {
                    return Err(PdfError::Malformed(
                        "a cross-reference entry is out of range".into(),
                    ));
                };
                let entry = if in_use { Entry::Offset(o, g) } else { Entry::Free };
                self.entries.entry(n).or_insert(entry);
            }
            return Ok((trailer, false));
        }
        let (_, object) = self.indirect_at(offset, 0)?;
        let Object::Stream(dict, raw) = object else {
            return Err(PdfError::Malformed(format!(
                "no cross-reference table or stream at offset {offset}"
            )));
        };
        if dict.name(b"Type") != Some(b"XRef") {
            return Err(PdfError::Malformed(format!(
                "no cross-reference stream at offset {offset}"
            )));
        }
        let data = filter::decode(&dict, &raw)?;
        for (n, entry) in xref_stream_entries(&dict, &data)? {
            self.entries.entry(n).or_insert(entry);
        }
        Ok((dict, true))
    }
}

/// The entries of a cross-reference stream (§7.5.8.2, §7.5.8.3): `/W` field widths and
/// `/Index` subsections.
fn xref_stream_entries(dict: &Dict, data: &[u8]) -> Result<Vec<(u32, Entry)>, PdfError> {
    let bad = |what: &str| PdfError::Malformed(format!("cross-reference stream: {what}"));
    let widths: Vec<usize> = match dict.get(b"W") {
        Some(Object::Array(w)) if w.len() == 3 => w
            .iter()
            .map(|x| match x {
                Object::Integer(i) if (0..=8).contains(i) => Ok(*i as usize),
                _ => Err(bad("bad /W")),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(bad("no /W")),
    };
    let size = dict.integer(b"Size").ok_or_else(|| bad("no /Size"))?;
    let index: Vec<i64> = match dict.get(b"Index") {
        Some(Object::Array(a)) => a
            .iter()
            .map(|x| match x {
                Object::Integer(i) if *i >= 0 => Ok(*i),
                _ => Err(bad("bad /Index")),
            })
            .collect::<Result<_, _>>()?,
        _ => vec![0, size],
    };
    let row = widths.iter().sum::<usize>();
    if row == 0 || !index.len().is_multiple_of(2) {
        return Err(bad("bad /W or /Index"));
    }
    let field = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let mut rows = data.chunks_exact(row);
    let mut out = Vec::new();
    for pair in index.chunks(2) {
        for n in pair[0]..pair[0] + pair[1] {
            let r = rows.next().ok_or_else(|| bad("fewer rows than /Index says"))?;
            let (a, rest) = r.split_at(widths[0]);
            let (b, c) = rest.split_at(widths[1]);
            // §7.5.8.3: a missing type field means type 1.
            let kind = if widths[0] == 0 { 1 } else { field(a) };
            let n = u32::try_from(n).map_err(|_| bad("object number out of range"))?;
            let entry = match kind {
                0 => Entry::Free,
                1 => Entry::Offset(field(b), u16::try_from(field(c)).unwrap_or(0)),
                2 => Entry::Compressed(
                    u32::try_from(field(b)).map_err(|_| bad("bad object stream number"))?,
                    u32::try_from(field(c)).map_err(|_| bad("bad object stream index"))?,
                ),
                _ => continue, // §7.5.8.3: unknown types are null references.
            };
            out.push((n, entry));
        }
    }
    Ok(out)
}

/// The offset after the last `startxref` (§7.5.5), looked for in the file's last KiB.
fn find_startxref(source: &dyn Source) -> Result<u64, PdfError> {
    let size = source.size();
    let tail_len = size.min(2048);
    let tail = source.read_vec(size - tail_len, tail_len as usize)?;
    let at = tail.windows(9).rposition(|w| w == b"startxref").ok_or_else(|| {
        PdfError::Malformed("no startxref at the end of the file (truncated?)".into())
    })?;
    let mut p = Parser::new(&tail[at + 9..], 0);
    let offset = p
        .unsigned()
        .map_err(|_| PdfError::Malformed("startxref is not followed by an offset".into()))?;
    if !tail[at..].windows(5).any(|w| w == b"%%EOF") {
        return Err(PdfError::Malformed("the file does not end with %%EOF (truncated?)".into()));
    }
    Ok(offset)
}
