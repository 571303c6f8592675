//! Reading certificates back: the facts the rest of Signet needs (CSC `credentials/info`,
//! the store, the engine), chains stored as concatenated DER, and PEM (RFC 7468).

use crate::time::from_x509_time;
use crate::PkiError;
use base64::Engine;
use der::{Decode, Encode, Reader, SliceReader};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::Certificate;

/// What Signet reads from a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Subject DN as an RFC 4514 string (last RDN first: `CN=…,O=…,C=…`).
    pub subject_dn: String,
    /// Issuer DN, same form.
    pub issuer_dn: String,
    /// Serial number in uppercase hex without a leading zero octet (CSC `cert/serialNumber`
    /// is its decimal form; hex is what OpenSSL prints).
    pub serial_hex: String,
    /// `notBefore`, unix seconds.
    pub not_before: i64,
    /// `notAfter`, unix seconds.
    pub not_after: i64,
    /// The DER `SubjectPublicKeyInfo`.
    pub public_key: Vec<u8>,
    /// `basicConstraints` `cA` (RFC 5280 §4.2.1.9); false when the extension is absent.
    pub is_ca: bool,
}

/// Parses one DER certificate (trailing bytes are refused).
pub fn parse_certificate(der: &[u8]) -> Result<CertificateInfo, PkiError> {
    let cert = Certificate::from_der(der).map_err(PkiError::certificate)?;
    let tbs = cert.tbs_certificate();
    let is_ca = tbs
        .get_extension::<BasicConstraints>()
        .map_err(PkiError::certificate)?
        .is_some_and(|(_, b)| b.ca);
    let public_key = tbs.subject_public_key_info().to_der().map_err(PkiError::certificate)?;
    Ok(CertificateInfo {
        subject_dn: tbs.subject().to_string(),
        issuer_dn: tbs.issuer().to_string(),
        serial_hex: upper_hex(strip_leading_zeros(tbs.serial_number().as_bytes())),
        not_before: from_x509_time(&tbs.validity().not_before),
        not_after: from_x509_time(&tbs.validity().not_after),
        public_key,
        is_ca,
    })
}

/// Splits concatenated DER certificates (how Signet stores a chain, end entity first)
/// into one DER certificate each. Empty input is an empty chain; anything that is not a
/// whole certificate is refused.
pub fn split_chain(concatenated_der: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
    let mut reader = SliceReader::new(concatenated_der).map_err(PkiError::certificate)?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        let start = usize::try_from(reader.position()).map_err(PkiError::certificate)?;
        Certificate::decode(&mut reader).map_err(|e| {
            PkiError::InvalidCertificate(format!("certificate {} of the chain: {e}", out.len() + 1))
        })?;
        let end = usize::try_from(reader.position()).map_err(PkiError::certificate)?;
        let bytes = concatenated_der
            .get(start..end)
            .ok_or_else(|| PkiError::InvalidCertificate("chain offsets out of range".into()))?;
        out.push(bytes.to_vec());
    }
    Ok(out)
}

/// PEM text of a DER certificate (RFC 7468 §5: label `CERTIFICATE`, base64 in lines of
/// 64 characters, LF line ends).
pub fn to_pem(der: &[u8]) -> String {
    pem("CERTIFICATE", der)
}

/// A DER SubjectPublicKeyInfo as PEM (`PUBLIC KEY`, RFC 7468 §13).
pub fn public_key_pem(spki_der: &[u8]) -> String {
    pem("PUBLIC KEY", spki_der)
}

/// RFC 7468 PEM: base64 in 64-column lines between the label's boundaries.
fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut pem = String::with_capacity(b64.len() + b64.len() / 64 + 60);
    pem.push_str(&format!("-----BEGIN {label}-----\n"));
    for line in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn upper_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_lines_are_64_columns() {
        let pem = to_pem(&[0xAB; 100]);
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.first(), Some(&"-----BEGIN CERTIFICATE-----"));
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[2].len(), 64);
        assert_eq!(lines[3].len(), 136 - 128);
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn garbage_is_not_a_chain() {
        assert!(split_chain(&[]).is_ok_and(|c| c.is_empty()));
        assert!(split_chain(&[0x30, 0x03, 1, 2, 3]).is_err());
        assert!(parse_certificate(b"not a certificate").is_err());
    }

    #[test]
    fn hex_has_no_leading_zero_octet() {
        assert_eq!(upper_hex(strip_leading_zeros(&[0, 0x8f, 0x0a])), "8F0A");
    }
}
