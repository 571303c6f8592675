//! A group's authentication flow (issue 7): which factors its signers prove at login and
//! before a signature, how long a login session lasts, whether a weaker session may be
//! stepped up, and how its CSC credentials are authorised.

use super::Loa;

/// Lifetime of a login session at the identity provider (seconds) when the group sets
/// none.
pub const SESSION_TTL: i64 = 8 * 3600;

/// How a group's signers authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFlow {
    /// Login needs the one-time code besides the password (a substantial session).
    pub login_otp: bool,
    /// Approving a signature needs the one-time code besides the signing PIN: signers
    /// without an authenticator cannot sign through the browser.
    pub signing_otp: bool,
    /// The level a session must have reached before the approval page is shown.
    pub signing_loa: Loa,
    /// Lifetime of a login session, seconds.
    pub session_seconds: i64,
    /// Whether a session below `signing_loa` may be raised by asking for the missing
    /// factor (step-up); otherwise the signer logs in again with every factor.
    pub step_up: bool,
    /// CSC `authMode` of the group's credentials: `oauth2code` (approval in the browser
    /// only; `credentials/authorize` refuses) instead of `explicit`.
    pub oauth2code: bool,
}

impl Default for AuthFlow {
    fn default() -> Self {
        Self {
            login_otp: false,
            signing_otp: false,
            signing_loa: Loa::Low,
            session_seconds: SESSION_TTL,
            step_up: true,
            oauth2code: false,
        }
    }
}

impl AuthFlow {
    /// The level a login with this flow reaches at least.
    pub fn login_loa(&self) -> Loa {
        if self.login_otp {
            Loa::Substantial
        } else {
            Loa::Low
        }
    }

    /// Checks the flow is consistent; the message names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !(60..=7 * 86_400).contains(&self.session_seconds) {
            return Err("session_minutes must be between 1 and 10080".into());
        }
        if self.signing_loa == Loa::High {
            return Err("signing_loa high needs a device-bound factor, which the built-in \
                        identity provider does not offer yet: use low or substantial"
                .into());
        }
        Ok(())
    }
}
