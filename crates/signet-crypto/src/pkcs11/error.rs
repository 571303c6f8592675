//! PKCS#11 return values (PKCS#11 v2.40 §3.6 "Return values") as Signet's errors, and
//! which of them mean the session is gone and must be reopened.

use crate::CryptoError;
use cryptoki::error::{Error, RvError};

/// The error for a failed PKCS#11 call: a lost session or device is reported as
/// [`CryptoError::Unavailable`], anything else as [`CryptoError::Hsm`].
pub(crate) fn hsm(operation: &'static str, e: &Error) -> CryptoError {
    if session_lost(e) {
        return CryptoError::Unavailable(format!(
            "HSM session lost during {operation}: {}",
            code(e)
        ));
    }
    CryptoError::Hsm { operation, code: code(e) }
}

/// `C_Function: CKR_NAME`, without the library's long descriptions.
fn code(e: &Error) -> String {
    match e {
        Error::Pkcs11(rv, function) => format!("{function:?} returned {rv:?}"),
        other => other.to_string(),
    }
}

/// Whether the session (or the whole login state) is gone, so that the session must be
/// dropped and a new one opened and logged in (PKCS#11 v2.40 §3.6):
/// `CKR_SESSION_HANDLE_INVALID` / `CKR_SESSION_CLOSED` (someone called
/// `C_CloseAllSessions`, the token was reset), `CKR_DEVICE_ERROR` /
/// `CKR_DEVICE_REMOVED` / `CKR_TOKEN_NOT_PRESENT` (the device failed or went away),
/// `CKR_USER_NOT_LOGGED_IN` (the login state ended with the last session).
pub(crate) fn session_lost(e: &Error) -> bool {
    matches!(
        e,
        Error::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::DeviceError
                | RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::UserNotLoggedIn
                | RvError::CryptokiNotInitialized,
            _
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cryptoki::context::Function;

    #[test]
    fn lost_sessions_are_unavailable_and_other_failures_name_the_call() {
        let lost = Error::Pkcs11(RvError::SessionHandleInvalid, Function::Sign);
        assert!(session_lost(&lost));
        let e = hsm("signing", &lost);
        assert!(matches!(e, CryptoError::Unavailable(_)), "{e}");
        assert!(e.to_string().contains("SessionHandleInvalid"), "{e}");

        let refused = Error::Pkcs11(RvError::MechanismInvalid, Function::SignInit);
        assert!(!session_lost(&refused));
        let e = hsm("signing", &refused);
        assert_eq!(
            e.to_string(),
            "HSM operation signing failed: SignInit returned MechanismInvalid"
        );
    }
}
