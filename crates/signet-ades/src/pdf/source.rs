//! Where the bytes of a PDF come from: memory or a file on disk, read at offsets. A large
//! upload is spooled to a file and only the parts an update needs are read (the trailer,
//! the cross-reference sections and a few objects), so memory stays bounded.

use std::io;

/// Random access to the bytes of a file.
pub trait Source {
    /// The length in bytes.
    fn size(&self) -> u64;
    /// Reads into `buf` from `offset`; returns how many bytes were read (fewer than
    /// `buf.len()` only at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// Reads `len` bytes from `offset` (fewer at the end of the file).
    fn read_vec(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let available = self.size().saturating_sub(offset);
        let len = len.min(usize::try_from(available).unwrap_or(usize::MAX));
        let mut buf = vec![0; len];
        let mut done = 0;
        while done < len {
            let n = self.read_at(offset + done as u64, &mut buf[done..])?;
            if n == 0 {
                break;
            }
            done += n;
        }
        buf.truncate(done);
        Ok(buf)
    }
}

impl Source for [u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

impl Source for Vec<u8> {
    fn size(&self) -> u64 {
        self.as_slice().size()
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        self.as_slice().read_at(offset, buf)
    }
}

/// A file on disk (its length is read once, when it is opened).
#[derive(Debug)]
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

impl FileSource {
    /// Opens `file` for reading at offsets.
    pub fn new(file: std::fs::File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Self { file, len })
    }
}

impl Source for FileSource {
    fn size(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&self.file, buf, offset)
    }
}

/// A file with bytes appended to it (an update not yet written anywhere): what the next
/// update reads.
#[derive(Clone, Copy)]
pub struct Appended<'a> {
    /// The file.
    pub base: &'a dyn Source,
    /// What follows it.
    pub tail: &'a [u8],
}

impl std::fmt::Debug for Appended<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Appended")
            .field("base", &self.base.size())
            .field("tail", &self.tail.len())
            .finish()
    }
}

impl Source for Appended<'_> {
    fn size(&self) -> u64 {
        self.base.size() + self.tail.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let base = self.base.size();
        if offset < base {
            let n = self.base.read_at(offset, buf)?;
            if n == buf.len() || offset + n as u64 != base {
                return Ok(n);
            }
            let more = self.tail.read_at(0, &mut buf[n..])?;
            return Ok(n + more);
        }
        self.tail.read_at(offset - base, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appended_source_reads_across_the_seam() {
        let base = b"hello ".to_vec();
        let a = Appended { base: &base, tail: b"world" };
        assert_eq!(a.size(), 11);
        assert_eq!(a.read_vec(3, 5).unwrap(), b"lo wo");
        assert_eq!(a.read_vec(8, 10).unwrap(), b"rld");
        assert_eq!(a.read_vec(0, 11).unwrap(), b"hello world");
    }
}
