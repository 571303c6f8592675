//! A signature dictionary waiting for its value (ISO 32000-1 §12.8.1): the update that
//! adds it is written with a `/Contents` hole of fixed size, the `/ByteRange` covering
//! everything but the hole is filled in, and the digest over that byte range is what the
//! CMS signature (or the RFC 3161 token) signs. The value is then written into the hole
//! without moving a byte.

use crate::pdf::{PdfError, Source};
use signet_crypto::digest::Hasher;
use signet_types::HashAlgorithm;

/// What marks the placeholders in a signature dictionary being written.
pub(crate) const BYTE_RANGE_KEY: &[u8] = b"/ByteRange ";
pub(crate) const CONTENTS_KEY: &[u8] = b"/Contents ";
/// Room for `[0 a b c]` with three offsets of up to 20 digits.
pub(crate) const BYTE_RANGE_WIDTH: usize = 66;

/// The update of a prepared signature: the original file's length, the bytes to append
/// and where the `/Contents` hole is in them.
#[derive(Debug, Clone)]
pub struct PreparedPdf {
    base: u64,
    update: Vec<u8>,
    /// The hole, `<` to `>` inclusive, as offsets in `update`.
    hole: (usize, usize),
}

impl PreparedPdf {
    /// Finds the hole of the last signature dictionary in `update` (appended to a file of
    /// `base` bytes) and writes its `/ByteRange` (§12.8.1, Table 252).
    pub fn new(base: u64, mut update: Vec<u8>) -> Result<Self, PdfError> {
        let hole = find_hole(&update)?;
        let total = base + update.len() as u64;
        let range = [0, base + hole.0 as u64, base + hole.1 as u64, total - (base + hole.1 as u64)];
        let text = format!("[{} {} {} {}]", range[0], range[1], range[2], range[3]);
        let at = rfind(&update, BYTE_RANGE_KEY)
            .ok_or_else(|| PdfError::Malformed("no /ByteRange placeholder".into()))?
            + BYTE_RANGE_KEY.len();
        if text.len() > BYTE_RANGE_WIDTH || update.len() < at + BYTE_RANGE_WIDTH {
            return Err(PdfError::Malformed("the /ByteRange does not fit its placeholder".into()));
        }
        update[at..at + BYTE_RANGE_WIDTH].fill(b' ');
        update[at..at + text.len()].copy_from_slice(text.as_bytes());
        Ok(Self { base, update, hole })
    }

    /// A prepared signature kept whole (original and update in one buffer, as the
    /// two-step API stores it): the hole is found from its `/ByteRange`.
    pub fn from_document(document: Vec<u8>) -> Result<Self, PdfError> {
        let hole = find_hole(&document)?;
        let prepared = Self { base: 0, update: document, hole };
        let range = prepared.byte_range();
        let at = rfind(&prepared.update, BYTE_RANGE_KEY)
            .ok_or_else(|| PdfError::Malformed("no /ByteRange".into()))?;
        let written = &prepared.update[at + BYTE_RANGE_KEY.len()..];
        let expected = format!("[{} {} {} {}]", range[0], range[1], range[2], range[3]);
        if !written.starts_with(expected.as_bytes()) {
            return Err(PdfError::Malformed(
                "the stored /ByteRange does not match its hole".into(),
            ));
        }
        Ok(prepared)
    }

    /// `/ByteRange` (§12.8.1): `[0, hole start, hole end, rest]`, offsets in the whole file.
    pub fn byte_range(&self) -> [u64; 4] {
        let total = self.base + self.update.len() as u64;
        let end = self.base + self.hole.1 as u64;
        [0, self.base + self.hole.0 as u64, end, total - end]
    }

    /// How many bytes of signature the hole holds.
    pub fn capacity(&self) -> usize {
        (self.hole.1 - self.hole.0 - 2) / 2
    }

    /// The length of the original file.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// The bytes to append to the original file.
    pub fn update(&self) -> &[u8] {
        &self.update
    }

    /// Consumes the prepared signature: the bytes to append.
    pub fn into_update(self) -> Vec<u8> {
        self.update
    }

    /// The digest of the byte range: the original file read from `source`, then the
    /// update without its hole.
    pub fn digest(&self, source: &dyn Source, hash: HashAlgorithm) -> Result<Vec<u8>, PdfError> {
        let mut hasher = Hasher::new(hash);
        hash_source(source, self.base, &mut hasher)?;
        Ok(self.digest_after(hasher))
    }

    /// The digest of the whole original file (what a signer approves when the SAD is
    /// bound to the document) and of the byte range, reading the file once.
    pub fn digests(
        &self,
        source: &dyn Source,
        hash: HashAlgorithm,
    ) -> Result<(Vec<u8>, Vec<u8>), PdfError> {
        let mut hasher = Hasher::new(hash);
        hash_source(source, self.base, &mut hasher)?;
        Ok((hasher.clone().finish(), self.digest_after(hasher)))
    }

    /// The digest of the byte range when `prefix` has already hashed the original file
    /// (done while the upload was received: the file is read once).
    pub fn digest_after(&self, mut prefix: Hasher) -> Vec<u8> {
        prefix.update(&self.update[..self.hole.0]);
        prefix.update(&self.update[self.hole.1..]);
        prefix.finish()
    }

    /// Writes the DER signature into the hole (§12.8.1: a hexadecimal string, zero
    /// padded).
    pub fn embed(&mut self, signature: &[u8]) -> Result<(), PdfError> {
        if signature.len() > self.capacity() {
            return Err(PdfError::Unsupported(format!(
                "the signature ({} bytes) is larger than the room reserved for it ({} bytes)",
                signature.len(),
                self.capacity()
            )));
        }
        let hex = hex::encode_upper(signature);
        let start = self.hole.0 + 1;
        self.update[start..start + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(())
    }
}

/// Hashes the first `len` bytes of `source` in 1 MiB pieces.
pub fn hash_source(source: &dyn Source, len: u64, hasher: &mut Hasher) -> Result<(), PdfError> {
    const PIECE: usize = 1 << 20;
    let mut buf = vec![0u8; PIECE];
    let mut at = 0u64;
    while at < len {
        let want = PIECE.min(usize::try_from(len - at).unwrap_or(PIECE));
        let n = source.read_at(at, &mut buf[..want])?;
        if n == 0 {
            return Err(PdfError::Malformed("the document is shorter than it was".into()));
        }
        hasher.update(&buf[..n]);
        at += n as u64;
    }
    Ok(())
}

/// The `/Contents <00…00>` hole of the last signature dictionary in `bytes` (ours write
/// `/ByteRange` first, `/Contents` next).
fn find_hole(bytes: &[u8]) -> Result<(usize, usize), PdfError> {
    let range = rfind(bytes, BYTE_RANGE_KEY)
        .ok_or_else(|| PdfError::Malformed("no /ByteRange placeholder".into()))?;
    let key = bytes[range..]
        .windows(CONTENTS_KEY.len())
        .position(|w| w == CONTENTS_KEY)
        .map(|p| range + p)
        .ok_or_else(|| PdfError::Malformed("no /Contents placeholder".into()))?;
    let start = key + CONTENTS_KEY.len();
    if bytes.get(start) != Some(&b'<') {
        return Err(PdfError::Malformed("the /Contents placeholder is not a hex string".into()));
    }
    let len = bytes[start + 1..]
        .iter()
        .position(|b| *b == b'>')
        .ok_or_else(|| PdfError::Malformed("the /Contents placeholder is not closed".into()))?;
    Ok((start, start + len + 2))
}

pub(crate) fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
