//! The PDF object syntax (ISO 32000-1 §7.2 lexical conventions, §7.3 objects) over a
//! window of the file. Running off the end of the window is `Incomplete` (the reader then
//! reads a larger window), anything else that does not fit the grammar is `Syntax`.

use super::object::{Dict, Object, ObjectId};

/// Why bytes could not be read as an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The window ended inside the object.
    Incomplete,
    /// Not PDF syntax, at this offset in the window.
    Syntax(usize, &'static str),
}

/// Deepest nesting of arrays and dictionaries accepted (a hostile file cannot exhaust
/// the stack).
const MAX_DEPTH: usize = 64;

/// White-space characters (ISO 32000-1 §7.2.2, Table 1).
pub fn is_white(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// Delimiters (§7.2.2, Table 2).
fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delimiter(b)
}

/// A cursor over a window of bytes.
#[derive(Debug)]
pub struct Parser<'a> {
    buf: &'a [u8],
    /// The current position.
    pub pos: usize,
}

impl<'a> Parser<'a> {
    /// A parser at `pos` in `buf`.
    pub fn new(buf: &'a [u8], pos: usize) -> Self {
        Self { buf, pos }
    }

    fn peek(&self) -> Result<u8, ParseError> {
        self.buf.get(self.pos).copied().ok_or(ParseError::Incomplete)
    }

    /// Skips white space and comments.
    pub fn skip_white(&mut self) {
        while let Some(&b) = self.buf.get(self.pos) {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(&c) = self.buf.get(self.pos) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A regular-character token (a number, keyword or operator).
    fn token(&mut self) -> Result<&'a [u8], ParseError> {
        let start = self.pos;
        while let Some(&b) = self.buf.get(self.pos) {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == self.buf.len() {
            // A token may continue past the window.
            return Err(ParseError::Incomplete);
        }
        Ok(&self.buf[start..self.pos])
    }

    /// The next regular-character token (after white space).
    pub fn word(&mut self) -> Result<&'a [u8], ParseError> {
        self.skip_white();
        self.token()
    }

    /// Expects the keyword `kw` next (after white space).
    pub fn keyword(&mut self, kw: &[u8]) -> Result<(), ParseError> {
        self.skip_white();
        let at = self.pos;
        if self.token()? == kw {
            Ok(())
        } else {
            Err(ParseError::Syntax(at, "unexpected keyword"))
        }
    }

    /// An unsigned integer token.
    pub fn unsigned(&mut self) -> Result<u64, ParseError> {
        self.skip_white();
        let at = self.pos;
        let t = self.token()?;
        std::str::from_utf8(t)
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or(ParseError::Syntax(at, "expected an unsigned integer"))
    }

    /// `n g obj` (§7.3.10): the header of an indirect object.
    pub fn object_header(&mut self) -> Result<ObjectId, ParseError> {
        let at = self.pos;
        let n = self.unsigned()?;
        let g = self.unsigned()?;
        self.keyword(b"obj")?;
        let n = u32::try_from(n).map_err(|_| ParseError::Syntax(at, "object number too large"))?;
        let g = u16::try_from(g).map_err(|_| ParseError::Syntax(at, "generation too large"))?;
        Ok(ObjectId(n, g))
    }

    /// One object (a reference `n g R` included).
    pub fn object(&mut self) -> Result<Object, ParseError> {
        self.object_at_depth(0)
    }

    fn object_at_depth(&mut self, depth: usize) -> Result<Object, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError::Syntax(self.pos, "nesting too deep"));
        }
        self.skip_white();
        let at = self.pos;
        match self.peek()? {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.token()?.to_vec()))
            }
            b'(' => self.literal(),
            b'<' if self.buf.get(self.pos + 1) == Some(&b'<') => {
                self.pos += 2;
                Ok(Object::Dict(self.dict_body(depth)?))
            }
            b'<' => self.hex(),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_white();
                    if self.peek()? == b']' {
                        self.pos += 1;
                        return Ok(Object::Array(items));
                    }
                    items.push(self.object_at_depth(depth + 1)?);
                }
            }
            b if is_regular(b) => {
                let t = self.token()?;
                match t {
                    b"null" => Ok(Object::Null),
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    _ => self.number_or_ref(t, at),
                }
            }
            _ => Err(ParseError::Syntax(at, "unexpected delimiter")),
        }
    }

    fn number_or_ref(&mut self, t: &[u8], at: usize) -> Result<Object, ParseError> {
        let text = std::str::from_utf8(t).map_err(|_| ParseError::Syntax(at, "bad number"))?;
        if let Ok(n) = text.parse::<i64>() {
            // `n g R`: look ahead without consuming unless it is one.
            let save = self.pos;
            if n >= 0 && t.iter().all(u8::is_ascii_digit) {
                if let Ok(g) = self.unsigned() {
                    self.skip_white();
                    if self.buf.get(self.pos) == Some(&b'R')
                        && self.buf.get(self.pos + 1).is_none_or(|b| !is_regular(*b))
                    {
                        self.pos += 1;
                        if let (Ok(n), Ok(g)) = (u32::try_from(n), u16::try_from(g)) {
                            return Ok(Object::Ref(ObjectId(n, g)));
                        }
                        return Err(ParseError::Syntax(at, "reference out of range"));
                    }
                }
            }
            self.pos = save;
            return Ok(Object::Integer(n));
        }
        let real = text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'))
            && text.bytes().any(|b| b.is_ascii_digit());
        if real {
            Ok(Object::Real(t.to_vec()))
        } else {
            Err(ParseError::Syntax(at, "unknown keyword"))
        }
    }

    fn dict_body(&mut self, depth: usize) -> Result<Dict, ParseError> {
        let mut d = Dict::new();
        loop {
            self.skip_white();
            let at = self.pos;
            match self.peek()? {
                b'>' => {
                    if self.buf.get(self.pos + 1).ok_or(ParseError::Incomplete)? != &b'>' {
                        return Err(ParseError::Syntax(at, "expected >>"));
                    }
                    self.pos += 2;
                    return Ok(d);
                }
                b'/' => {
                    self.pos += 1;
                    let key = self.token()?.to_vec();
                    let value = self.object_at_depth(depth + 1)?;
                    // §7.3.7: a null value is the same as no entry.
                    if value != Object::Null {
                        d.0.push((key, value));
                    }
                }
                _ => return Err(ParseError::Syntax(at, "expected a name key")),
            }
        }
    }

    fn literal(&mut self) -> Result<Object, ParseError> {
        self.pos += 1;
        let start = self.pos;
        let mut depth = 1usize;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'(' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        let s = self.buf[start..self.pos].to_vec();
                        self.pos += 1;
                        return Ok(Object::Literal(s));
                    }
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn hex(&mut self) -> Result<Object, ParseError> {
        let at = self.pos;
        self.pos += 1;
        let mut digits = Vec::new();
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'>' => break,
                b if b.is_ascii_hexdigit() => digits.push(b),
                b if is_white(b) => {}
                _ => return Err(ParseError::Syntax(at, "bad hexadecimal string")),
            }
        }
        if digits.len() % 2 == 1 {
            digits.push(b'0'); // §7.3.4.3: a missing final digit is 0.
        }
        let value = |d: u8| match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            _ => d - b'A' + 10,
        };
        Ok(Object::Hex(digits.chunks(2).map(|p| value(p[0]) << 4 | value(p[1])).collect()))
    }

    /// After a stream dictionary: the `stream` keyword and its end-of-line (§7.3.8.1);
    /// returns the offset in the window where the data starts.
    pub fn stream_start(&mut self) -> Result<Option<usize>, ParseError> {
        self.skip_white();
        let save = self.pos;
        if self.buf.len() < self.pos + 6 {
            return Err(ParseError::Incomplete);
        }
        if &self.buf[self.pos..self.pos + 6] != b"stream" {
            self.pos = save;
            return Ok(None);
        }
        self.pos += 6;
        match self.peek()? {
            b'\r' => {
                self.pos += 1;
                if self.peek()? == b'\n' {
                    self.pos += 1;
                }
            }
            b'\n' => self.pos += 1,
            _ => return Err(ParseError::Syntax(self.pos, "stream keyword without end of line")),
        }
        Ok(Some(self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Object, ParseError> {
        Parser::new(s.as_bytes(), 0).object()
    }

    #[test]
    fn reads_the_object_kinds() {
        let o =
            parse("<< /Type /Catalog /Pages 2 0 R /N [1 -2 3.5 (a(b)\\)c) <4142 4>] /X null >> ")
                .unwrap();
        let d = o.as_dict().unwrap();
        assert_eq!(d.name(b"Type"), Some(&b"Catalog"[..]));
        assert_eq!(d.reference(b"Pages"), Some(ObjectId(2, 0)));
        assert_eq!(d.get(b"X"), None);
        let Some(Object::Array(a)) = d.get(b"N") else { panic!() };
        assert_eq!(a[0], Object::Integer(1));
        assert_eq!(a[1], Object::Integer(-2));
        assert_eq!(a[2], Object::Real(b"3.5".to_vec()));
        assert_eq!(a[3], Object::Literal(b"a(b)\\)c".to_vec()));
        assert_eq!(a[4], Object::Hex(vec![0x41, 0x42, 0x40]));
    }

    #[test]
    fn integers_are_not_references_unless_r_follows() {
        let o = parse("[1 2 3 0 R 4] ").unwrap();
        assert_eq!(
            o,
            Object::Array(vec![
                Object::Integer(1),
                Object::Integer(2),
                Object::Ref(ObjectId(3, 0)),
                Object::Integer(4)
            ])
        );
    }

    #[test]
    fn a_cut_object_is_incomplete_and_garbage_is_syntax() {
        assert_eq!(parse("<< /Type /Cat"), Err(ParseError::Incomplete));
        assert!(matches!(parse("<< 3 4 >> "), Err(ParseError::Syntax(..))));
        assert!(matches!(parse(&"[".repeat(100)), Err(ParseError::Syntax(..))));
    }

    #[test]
    fn reads_an_object_header_and_stream_start() {
        let buf = b"12 0 obj\n<< /Length 3 >>\nstream\r\nabc\nendstream";
        let mut p = Parser::new(buf, 0);
        assert_eq!(p.object_header().unwrap(), ObjectId(12, 0));
        p.object().unwrap();
        let start = p.stream_start().unwrap().unwrap();
        assert_eq!(&buf[start..start + 3], b"abc");
    }
}
