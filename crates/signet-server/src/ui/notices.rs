//! The engine's notices to the signer ([`Notice`]: a wrong password, PIN or code, a
//! locked name…) in the page's language, and the status of the page that shows one.

use super::texts::Texts;
use axum::http::StatusCode;
use signet_engine::oauth::Notice;

/// The sentence for `notice` in the language of `t`.
pub(super) fn say(t: &Texts, notice: &Notice) -> String {
    match notice {
        Notice::WrongLogin => t.get("notice_wrong_login"),
        Notice::TooManyLogins { retry_after } => {
            t.fill("notice_too_many_logins", &[("seconds", &retry_after.to_string())])
        }
        Notice::NoAuthenticatorForLogin => t.get("notice_no_authenticator_for_login"),
        Notice::OtpMissing => t.get("notice_otp_missing"),
        Notice::WrongOtp => t.get("notice_wrong_otp"),
        Notice::OtpReplayed => t.get("notice_otp_replayed"),
        Notice::NoAuthenticator => t.get("notice_no_authenticator"),
        Notice::SessionEnded => t.get("notice_session_ended"),
        Notice::LogInWithEveryFactor => t.get("notice_log_in_with_every_factor"),
        Notice::OtherGroup { group } => t.fill("notice_other_group", &[("group", group)]),
        Notice::StrongerLogin => t.get("notice_stronger_login"),
        Notice::WrongPin { remaining } => {
            t.fill("notice_wrong_pin", &[("remaining", &remaining.to_string())])
        }
        Notice::PinMissing => t.get("notice_pin_missing"),
        Notice::PinLocked => t.get("notice_pin_locked"),
        Notice::PinNotSet => t.get("notice_pin_not_set"),
        Notice::SignatureRefused { reason } => {
            t.fill("notice_signature_refused", &[("reason", reason)])
        }
    }
}

/// The status of a page that shows `notice` after a refused login or step-up: 401 for
/// a wrong answer, 403 for what no answer on this form can change, 429 for a lock.
pub(super) fn status(notice: &Notice) -> StatusCode {
    match notice {
        Notice::TooManyLogins { .. } => StatusCode::TOO_MANY_REQUESTS,
        Notice::NoAuthenticatorForLogin
        | Notice::NoAuthenticator
        | Notice::LogInWithEveryFactor
        | Notice::OtherGroup { .. }
        | Notice::PinLocked
        | Notice::PinNotSet => StatusCode::FORBIDDEN,
        Notice::WrongLogin
        | Notice::OtpMissing
        | Notice::WrongOtp
        | Notice::OtpReplayed
        | Notice::SessionEnded
        | Notice::StrongerLogin
        | Notice::WrongPin { .. }
        | Notice::PinMissing
        | Notice::SignatureRefused { .. } => StatusCode::UNAUTHORIZED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn texts(lang: &'static str) -> &'static Texts {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::ACCEPT_LANGUAGE, HeaderValue::from_static(lang));
        super::super::texts::for_request(&h)
    }

    #[test]
    fn every_notice_has_its_words_in_every_language_with_the_values_filled_in() {
        let all = [
            Notice::WrongLogin,
            Notice::TooManyLogins { retry_after: 42 },
            Notice::NoAuthenticatorForLogin,
            Notice::OtpMissing,
            Notice::WrongOtp,
            Notice::OtpReplayed,
            Notice::NoAuthenticator,
            Notice::SessionEnded,
            Notice::LogInWithEveryFactor,
            Notice::OtherGroup { group: "acme".into() },
            Notice::StrongerLogin,
            Notice::WrongPin { remaining: 2 },
            Notice::PinMissing,
            Notice::PinLocked,
            Notice::PinNotSet,
            Notice::SignatureRefused { reason: "the hash is not approved".into() },
        ];
        for lang in ["en", "fr"] {
            let t = texts(lang);
            for n in &all {
                let said = say(t, n);
                assert!(!said.starts_with("notice_") && !said.contains('{'), "{lang}: {said}");
            }
        }
        let (en, fr) = (texts("en"), texts("fr"));
        assert!(say(en, &Notice::WrongPin { remaining: 2 }).contains('2'));
        assert!(say(fr, &Notice::TooManyLogins { retry_after: 42 }).contains("42"));
        assert!(say(fr, &Notice::OtherGroup { group: "acme".into() }).contains("acme"));
        assert_ne!(say(en, &Notice::WrongOtp), say(fr, &Notice::WrongOtp));
    }
}
