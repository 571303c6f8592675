//! Offline one-time passwords (RFC 6238 TOTP: HMAC-SHA-1, 6 digits, 30-second steps, as
//! common authenticator apps use them) as the signer's second factor.

use totp_rs::{Algorithm, TOTP};

/// Purpose under which the OTP seed is sealed by the crypto module.
pub const OTP_PURPOSE: &str = "otp";
/// Length of a TOTP time step (RFC 6238 §4.1, X = 30 s).
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;

/// The time step whose code `code` is, checking the current step and one on each side
/// for clock drift (RFC 6238 §5.2), compared in constant time; `None` if it matches none.
pub(crate) fn matching_step(seed: &[u8], code: &str, now: i64) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECONDS as u64, seed.to_vec());
    let current = now.div_euclid(STEP_SECONDS);
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let Ok(at) = u64::try_from(step * STEP_SECONDS) else { continue };
        let expected = totp.generate(at);
        let diff = expected.bytes().zip(code.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff == 0 && expected.len() == code.len() {
            found = Some(step);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 seed "12345678901234567890", 8 digits: we use 6, the
    /// last six digits of the RFC's values.
    #[test]
    fn rfc6238_vectors() {
        let seed = b"12345678901234567890";
        assert_eq!(matching_step(seed, "287082", 59), Some(1));
        assert_eq!(matching_step(seed, "081804", 1_111_111_109), Some(37_037_036));
        assert_eq!(matching_step(seed, "005924", 1_234_567_890), Some(41_152_263));
        // One step of drift each way is accepted, two are not.
        assert_eq!(matching_step(seed, "005924", 1_234_567_890 + 30), Some(41_152_263));
        assert_eq!(matching_step(seed, "005924", 1_234_567_890 + 60), None);
        assert_eq!(matching_step(seed, "00592", 1_234_567_890), None);
        assert_eq!(matching_step(seed, "00592a", 1_234_567_890), None);
    }
}
