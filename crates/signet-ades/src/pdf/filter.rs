//! Stream filters an update must read (ISO 32000-1 §7.4): FlateDecode with the PNG
//! predictors of §7.4.4.4 — what cross-reference streams and object streams use.
//! Decoded output is capped so that a hostile stream cannot exhaust memory.

use super::object::{Dict, Object};
use super::PdfError;
use std::io::Read;

/// The most a decoded cross-reference or object stream may hold.
pub const MAX_DECODED: u64 = 256 * 1024 * 1024;

/// Decodes a stream's data by its `/Filter` and `/DecodeParms`.
pub fn decode(dict: &Dict, data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<&[u8]> = match dict.get(b"Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_slice()],
        Some(Object::Array(a)) => a
            .iter()
            .map(|f| match f {
                Object::Name(n) => Ok(n.as_slice()),
                _ => Err(PdfError::Unsupported("a stream filter that is not a name".into())),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(PdfError::Malformed("a stream /Filter is not a name".into())),
    };
    let params = match dict.get(b"DecodeParms") {
        Some(Object::Dict(d)) => Some(d.clone()),
        Some(Object::Array(a)) => a.first().and_then(Object::as_dict).cloned(),
        _ => None,
    };
    match filters.as_slice() {
        [] => Ok(data.to_vec()),
        [b"FlateDecode"] => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(data)
                .take(MAX_DECODED + 1)
                .read_to_end(&mut out)
                .map_err(|e| {
                    PdfError::Malformed(format!("a Flate stream does not inflate: {e}"))
                })?;
            if out.len() as u64 > MAX_DECODED {
                return Err(PdfError::Unsupported("a stream decodes to more than 256 MiB".into()));
            }
            match params {
                Some(p) => unpredict(&p, out),
                None => Ok(out),
            }
        }
        other => Err(PdfError::Unsupported(format!(
            "stream filter {}",
            other
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Undoes a PNG predictor (§7.4.4.4, `/Predictor` ≥ 10): each row starts with its
/// filter type byte (None, Sub, Up, Average, Paeth).
fn unpredict(params: &Dict, data: Vec<u8>) -> Result<Vec<u8>, PdfError> {
    let predictor = params.integer(b"Predictor").unwrap_or(1);
    if predictor == 1 {
        return Ok(data);
    }
    if predictor < 10 {
        return Err(PdfError::Unsupported(format!("TIFF predictor {predictor}")));
    }
    let colors = params.integer(b"Colors").unwrap_or(1);
    let bits = params.integer(b"BitsPerComponent").unwrap_or(8);
    let columns = params.integer(b"Columns").unwrap_or(1);
    let bpp = usize::try_from((colors * bits + 7) / 8).unwrap_or(0).max(1);
    let row = usize::try_from((colors * bits * columns + 7) / 8)
        .ok()
        .filter(|r| *r > 0 && *r < 1 << 20)
        .ok_or_else(|| PdfError::Malformed("bad predictor parameters".into()))?;
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        let (kind, raw) =
            chunk.split_first().ok_or_else(|| PdfError::Malformed("empty row".into()))?;
        if raw.len() != row {
            return Err(PdfError::Malformed("a predicted stream ends inside a row".into()));
        }
        let mut cur = raw.to_vec();
        for i in 0..row {
            let left = if i >= bpp { cur[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = cur[i].wrapping_add(match kind {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => return Err(PdfError::Malformed("unknown PNG row filter".into())),
            });
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) =
        ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::dict;
    use std::io::Write;

    #[test]
    fn inflates_and_undoes_the_up_predictor() {
        // Two rows of 3 columns, PNG "Up": the second row is stored as differences.
        let raw = [2u8, 1, 2, 3, 2, 1, 1, 1];
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&raw).unwrap();
        let d = dict([
            ("Filter", Object::name("FlateDecode")),
            (
                "DecodeParms",
                Object::Dict(dict([
                    ("Predictor", Object::Integer(12)),
                    ("Columns", Object::Integer(3)),
                ])),
            ),
        ]);
        assert_eq!(decode(&d, &z.finish().unwrap()).unwrap(), vec![1, 2, 3, 2, 3, 4]);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let d = dict([("Filter", Object::name("LZWDecode"))]);
        assert!(matches!(decode(&d, b"x"), Err(PdfError::Unsupported(_))));
        let d = dict([("Filter", Object::name("FlateDecode"))]);
        assert!(matches!(decode(&d, b"not zlib"), Err(PdfError::Malformed(_))));
    }
}
