//! `genTime` (RFC 3161 §2.4.2): a GeneralizedTime that may carry fractions of a second.
//!
//! "The syntax is: YYYYMMDDhhmmss[.s...]Z … The encoding MUST terminate with a "Z" …
//! The decimal point element, if present, MUST be the point option "." The fractional
//! seconds elements, if present, MUST omit all trailing zeros; if the elements correspond
//! to 0, they MUST be wholly omitted, and the decimal point element also MUST be omitted."
//! der's own `GeneralizedTime` refuses fractions, hence this type.

use der::{DateTime, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Tag, Writer};
use std::time::Duration;

/// A UTC instant with millisecond precision, encoded as RFC 3161 §2.4.2 asks.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) struct GenTime {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    pub unix_seconds: u64,
    /// Milliseconds, 0..=999.
    pub millis: u16,
}

impl GenTime {
    /// The `YYYYMMDDhhmmss[.fff]Z` text (trailing zeros of the fraction dropped).
    fn text(&self) -> der::Result<String> {
        if self.millis > 999 {
            return Err(Tag::GeneralizedTime.value_error().into());
        }
        let dt = DateTime::from_unix_duration(Duration::from_secs(self.unix_seconds))?;
        let mut s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minutes(),
            dt.seconds()
        );
        if self.millis != 0 {
            let frac = format!("{:03}", self.millis);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push('Z');
        Ok(s)
    }

    /// Parses the text back; fractions finer than a millisecond are truncated.
    fn parse(bytes: &[u8]) -> der::Result<Self> {
        let bad = || der::Error::from(Tag::GeneralizedTime.value_error());
        let (body, rest) = bytes.split_at_checked(14).ok_or_else(bad)?;
        if !body.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| {
            body[r].iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'))
        };
        let to_u8 = |v: u16| u8::try_from(v).map_err(|_| bad());
        let dt = DateTime::new(
            num(0..4),
            to_u8(num(4..6))?,
            to_u8(num(6..8))?,
            to_u8(num(8..10))?,
            to_u8(num(10..12))?,
            to_u8(num(12..14))?,
        )?;
        let millis = match rest {
            b"Z" => 0,
            [b'.', frac @ .., b'Z'] => {
                // DER: at least one digit, no trailing zero.
                if frac.is_empty() || frac.ends_with(b"0") || !frac.iter().all(u8::is_ascii_digit) {
                    return Err(bad());
                }
                frac.iter()
                    .chain(b"00".iter())
                    .take(3)
                    .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'))
            }
            _ => return Err(bad()),
        };
        Ok(Self { unix_seconds: dt.unix_duration().as_secs(), millis })
    }
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.text()?.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.text()?.as_bytes())
    }
}

impl<'a> DecodeValue<'a> for GenTime {
    type Error = der::Error;

    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Self::parse(&reader.read_vec(header.length())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn text(unix_seconds: u64, millis: u16) -> Option<String> {
        let der = GenTime { unix_seconds, millis }.to_der().ok()?;
        assert_eq!(GenTime::from_der(&der).ok(), Some(GenTime { unix_seconds, millis }));
        String::from_utf8(der.get(2..)?.to_vec()).ok()
    }

    #[test]
    fn fractions_drop_trailing_zeros() {
        assert_eq!(text(1_700_000_000, 0).as_deref(), Some("20231114221320Z"));
        assert_eq!(text(1_700_000_000, 500).as_deref(), Some("20231114221320.5Z"));
        assert_eq!(text(1_700_000_000, 120).as_deref(), Some("20231114221320.12Z"));
        assert_eq!(text(1_700_000_000, 7).as_deref(), Some("20231114221320.007Z"));
        assert!(GenTime { unix_seconds: 0, millis: 1000 }.to_der().is_err());
    }

    #[test]
    fn non_der_texts_are_refused_and_micros_truncated() {
        for bad in ["20231114221320.50Z", "20231114221320.Z", "20231114221320", "2023111422132Z"] {
            assert!(GenTime::parse(bad.as_bytes()).is_err(), "{bad}");
        }
        let t = GenTime::parse(b"20231114221320.123456Z").ok();
        assert_eq!(t, Some(GenTime { unix_seconds: 1_700_000_000, millis: 123 }));
    }
}
