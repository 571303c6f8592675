//! The signing PIN policy: a knowledge factor of the signer (EN 419 241-1 SRA_SAP.1),
//! checked before its hash is stored, and locked after too many failed attempts.

/// Why a new PIN was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinRejected {
    /// Empty PIN.
    #[error("the PIN is empty")]
    Empty,
    /// Shorter than the policy's minimum.
    #[error("the PIN must have at least {0} digits")]
    TooShort(usize),
    /// Longer than the policy's maximum.
    #[error("the PIN must have at most {0} digits")]
    TooLong(usize),
    /// Not made of digits only.
    #[error("the PIN must consist of digits only")]
    NotNumeric,
}

/// Rules for signing PINs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinPolicy {
    /// Fewest digits accepted.
    pub min_length: usize,
    /// Most digits accepted.
    pub max_length: usize,
    /// Failed attempts after which the PIN is locked until it is reset.
    pub max_attempts: u32,
}

impl Default for PinPolicy {
    fn default() -> Self {
        Self { min_length: 6, max_length: 16, max_attempts: 5 }
    }
}

impl PinPolicy {
    /// Checks a new PIN against the policy (numeric, as CSC `PIN.format` "N" announces).
    pub fn check(&self, pin: &str) -> Result<(), PinRejected> {
        if pin.is_empty() {
            return Err(PinRejected::Empty);
        }
        if !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinRejected::NotNumeric);
        }
        if pin.len() < self.min_length {
            return Err(PinRejected::TooShort(self.min_length));
        }
        if pin.len() > self.max_length {
            return Err(PinRejected::TooLong(self.max_length));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_refuses_empty_short_long_and_non_numeric() {
        let p = PinPolicy::default();
        assert_eq!(p.check(""), Err(PinRejected::Empty));
        assert_eq!(p.check("12345"), Err(PinRejected::TooShort(6)));
        assert_eq!(p.check(&"1".repeat(17)), Err(PinRejected::TooLong(16)));
        assert_eq!(p.check("12345a"), Err(PinRejected::NotNumeric));
        assert_eq!(p.check("123456"), Ok(()));
    }
}
