//! The Signature Activation Module (SAM, EN 419 241-1 §7.3; EN 419 241-2): the only
//! component that uses signer keys (DESIGN.md invariant 2).
//!
//! It checks the signer's authentication evidence (the signing PIN), then issues
//! Signature Activation Data (SAD) bound to the user, the credential, the exact hashes
//! (SCAL 2) or a count (SCAL 1), the factors used and an expiry. A signature request
//! hands the SAD back with the hashes; the SAM checks every binding, consumes the SAD
//! atomically in the database, unwraps the key in the crypto module, signs, and writes
//! the audit record in the same transaction (invariants 3 and 4). Every refusal is
//! audited too.

mod audit;
mod error;
mod otp;
mod sad;
mod sam;

pub use error::SamError;
pub use otp::{DIGITS as OTP_DIGITS, OTP_PURPOSE, STEP_SECONDS as OTP_STEP_SECONDS};
pub use sad::{SadValue, SadView};
pub use sam::{AuthorizeRequest, Sam, SamSettings, SignRequest};
