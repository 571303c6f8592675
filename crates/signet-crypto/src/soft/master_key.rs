//! The soft module's master key file: 32 random bytes as 64 hex digits, mode 0600.

use crate::CryptoError;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use zeroize::Zeroizing;

/// A master key file on disk.
#[derive(Debug)]
pub struct MasterKeyFile<'a> {
    path: &'a Path,
}

impl<'a> MasterKeyFile<'a> {
    /// Names the file.
    pub fn new(path: &'a Path) -> Self {
        Self { path }
    }

    fn error(&self, reason: impl Into<String>) -> CryptoError {
        CryptoError::MasterKey { path: self.path.display().to_string(), reason: reason.into() }
    }

    /// Loads the key, or creates it (mode 0600, never overwriting) when it is missing and
    /// `create` is set. Returns the key and whether it was created.
    pub fn load_or_create(&self, create: bool) -> Result<(Zeroizing<[u8; 32]>, bool), CryptoError> {
        match fs::symlink_metadata(self.path) {
            Ok(_) => Ok((self.load()?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Err(self.error(
                        "missing; the wrapped keys in the database cannot be used without it \
                         (restore it from backup)",
                    ));
                }
                Ok((self.create()?, true))
            }
            Err(e) => Err(self.error(format!("cannot be read: {e}"))),
        }
    }

    fn load(&self) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let meta = fs::symlink_metadata(self.path).map_err(|e| self.error(e.to_string()))?;
        if !meta.file_type().is_file() {
            return Err(self.error("is not a regular file"));
        }
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(self.error(format!(
                "has mode {mode:o}: it must be readable by its owner only (chmod 600)"
            )));
        }
        let text =
            Zeroizing::new(fs::read_to_string(self.path).map_err(|e| self.error(e.to_string()))?);
        let hex_text = text.trim();
        if hex_text.len() != 64 {
            return Err(self.error("must hold exactly 64 hexadecimal digits (32 bytes)"));
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (i, pair) in hex_text.as_bytes().chunks(2).enumerate() {
            let hi = hex_value(pair[0]);
            let lo = hex_value(pair[1]);
            match (hi, lo) {
                (Some(h), Some(l)) => key[i] = (h << 4) | l,
                _ => return Err(self.error("must hold exactly 64 hexadecimal digits (32 bytes)")),
            }
        }
        Ok(key)
    }

    fn create(&self) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
        let mut key = Zeroizing::new([0u8; 32]);
        SystemRandom::new()
            .fill(key.as_mut())
            .map_err(|_| CryptoError::Operation("random number generation"))?;
        let mut text = Zeroizing::new(String::with_capacity(65));
        for b in key.iter() {
            text.push(char::from(HEX[usize::from(b >> 4)]));
            text.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        text.push('\n');
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(self.path)
            .map_err(|e| self.error(format!("cannot be created: {e}")))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| self.error(format!("cannot be written: {e}")))?;
        Ok(key)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}
