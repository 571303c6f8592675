//! Unix seconds ↔ X.509 `Time` (RFC 5280 §4.1.2.5):
//!
//! ```text
//! Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
//! ```
//!
//! "CAs conforming to this profile MUST always encode certificate validity dates through
//! the year 2049 as UTCTime; certificate validity dates in 2050 or later MUST be encoded
//! as GeneralizedTime." Both are written in Zulu time with seconds (§4.1.2.5.1, §4.1.2.5.2).

use crate::PkiError;
use der::asn1::{GeneralizedTime, UtcTime};
use der::DateTime;
use std::time::Duration;
use x509_cert::time::Time;

/// Encodes unix seconds as a `Time`: UTCTime through 2049, GeneralizedTime from 2050.
pub(crate) fn to_x509_time(unix_seconds: i64) -> Result<Time, PkiError> {
    let secs = u64::try_from(unix_seconds).map_err(|_| PkiError::TimeOutOfRange(unix_seconds))?;
    let dt = DateTime::from_unix_duration(Duration::from_secs(secs))
        .map_err(|_| PkiError::TimeOutOfRange(unix_seconds))?;
    if dt.year() <= UtcTime::MAX_YEAR {
        let utc =
            UtcTime::from_date_time(dt).map_err(|_| PkiError::TimeOutOfRange(unix_seconds))?;
        Ok(Time::UtcTime(utc))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// Decodes a `Time` to unix seconds.
pub(crate) fn from_x509_time(time: &Time) -> i64 {
    // A DateTime is at most 9999-12-31, far inside i64 seconds.
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_time_through_2049_generalized_time_from_2050() {
        let end_2049 = 2_524_607_999; // 2049-12-31T23:59:59Z
        assert!(matches!(to_x509_time(end_2049), Ok(Time::UtcTime(_))));
        assert!(matches!(to_x509_time(end_2049 + 1), Ok(Time::GeneralTime(_))));
        for t in [0, 1_700_000_000, end_2049, end_2049 + 1, 4_102_444_800] {
            let x = to_x509_time(t).map(|x| from_x509_time(&x));
            assert_eq!(x.ok(), Some(t));
        }
    }

    #[test]
    fn times_outside_the_x509_range_are_refused() {
        assert!(matches!(to_x509_time(-1), Err(PkiError::TimeOutOfRange(-1))));
        assert!(to_x509_time(253_402_300_800).is_err()); // year 10000
    }
}
