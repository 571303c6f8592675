//! What the signer's pages tell the signer when an answer did not go through (a wrong
//! password, PIN or code, a locked name, a login that is not strong enough). The engine
//! states the fact; the page words it in the signer's language, so that no English
//! sentence chosen here ends up on a French page.

use crate::EngineError;

/// One thing to tell the signer about their last answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The user name or the password is wrong (which one is not said).
    WrongLogin,
    /// The name is locked after failed logins, for this many seconds.
    TooManyLogins {
        /// Seconds until a new attempt is looked at.
        retry_after: i64,
    },
    /// The group requires a one-time code at login and the signer has no authenticator.
    NoAuthenticatorForLogin,
    /// The one-time code was not entered, and it is needed.
    OtpMissing,
    /// The one-time code is wrong.
    WrongOtp,
    /// The one-time code was used already (RFC 6238 §5.2: once per time step).
    OtpReplayed,
    /// A step-up was asked of a signer without an authenticator.
    NoAuthenticator,
    /// The session to raise has ended.
    SessionEnded,
    /// The group does not raise sessions: log in again with every factor.
    LogInWithEveryFactor,
    /// The signer logged in with an account of another group than the client's.
    OtherGroup {
        /// The client's group.
        group: String,
    },
    /// Signing needs a stronger login than this session's, and the group does not
    /// raise sessions: log in again with the one-time code.
    StrongerLogin,
    /// The signing PIN is wrong.
    WrongPin {
        /// Attempts left before the PIN locks.
        remaining: i64,
    },
    /// The signing PIN was not entered.
    PinMissing,
    /// The signing PIN is locked.
    PinLocked,
    /// The signer has no signing PIN.
    PinNotSet,
    /// The signature cannot be authorised for another reason (in English: it is the
    /// SAM's, for the service provider to read).
    SignatureRefused {
        /// The SAM's reason.
        reason: String,
    },
}

/// Why a login or step-up did not open a session.
#[derive(Debug)]
pub enum LoginError {
    /// The signer's answer was refused: shown on the form again.
    Refused(Notice),
    /// Not the signer's doing (the database or the crypto module).
    Failed(EngineError),
}

impl From<EngineError> for LoginError {
    fn from(e: EngineError) -> Self {
        Self::Failed(e)
    }
}

impl From<signet_store::StoreError> for LoginError {
    fn from(e: signet_store::StoreError) -> Self {
        Self::Failed(e.into())
    }
}

impl LoginError {
    /// A refusal of the name and password check shared with `auth/login`: a wrong pair,
    /// or a locked name, is the signer's to read; anything else is a failure.
    pub(crate) fn from_password_check(e: EngineError) -> Self {
        match e {
            EngineError::Unauthorized(_) => Self::Refused(Notice::WrongLogin),
            EngineError::TooManyRequests { retry_after, .. } => {
                Self::Refused(Notice::TooManyLogins { retry_after })
            }
            other => Self::Failed(other),
        }
    }
}

/// What a failed approval tells the signer, or `None` when it is not the signer's doing.
pub(crate) fn approval_notice(e: &signet_sam::SamError) -> Option<Notice> {
    use signet_sam::SamError as S;
    Some(match e {
        S::InvalidPin { remaining } => Notice::WrongPin { remaining: *remaining },
        S::PinMissing => Notice::PinMissing,
        S::PinLocked => Notice::PinLocked,
        S::PinNotSet => Notice::PinNotSet,
        S::InvalidOtp => Notice::WrongOtp,
        S::OtpMissing => Notice::OtpMissing,
        S::Unavailable(_) | S::Internal(_) | S::Integrity(_) => return None,
        other => Notice::SignatureRefused { reason: other.to_string() },
    })
}
