//! GeneralizedTime text (`YYYYMMDDHHMMSSZ`, CSC `validFrom`/`validTo`).

/// Formats unix seconds as `YYYYMMDDHHMMSSZ` (proleptic Gregorian, UTC).
pub(crate) fn generalized(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}{:02}{:02}{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_instants() {
        assert_eq!(super::generalized(0), "19700101000000Z");
        assert_eq!(super::generalized(951_782_400), "20000229000000Z");
        assert_eq!(super::generalized(1_790_000_000), "20260921141320Z");
    }
}
