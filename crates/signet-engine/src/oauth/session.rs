//! Login sessions at the built-in identity provider: what the session cookie stands
//! for. The cookie's value is a random secret; the store keeps only its hash, the user,
//! when and how they authenticated (RFC 8176 `amr`) and the level that reached. One
//! session serves every authorization request until it expires or the user logs out
//! (single sign-on, OpenID Connect Core §3.1.2.3). A session below the level its group
//! requires for signing can be stepped up with the missing factor.

use super::notice::{LoginError, Notice};
use super::{secret_hash, Loa};
use crate::tokens::login_refused;
use crate::{Engine, EngineError};
use serde_json::json;
use signet_store::{AuditEvent, AuthSession, User};
use zeroize::Zeroizing;

/// A session just opened: the cookie to set.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value (a bearer secret: never logged).
    pub cookie: String,
    /// Its lifetime in seconds (`Max-Age`).
    pub max_age: i64,
}

/// When a session's user authenticated (OpenID Connect Core §2 `auth_time`) and when
/// the session ends, unix seconds.
#[derive(Debug, Clone, Copy)]
struct SessionTimes {
    auth_time: i64,
    expires_at: i64,
}

impl Engine {
    /// Logs a user in with name, password and — when they have an authenticator, or
    /// their group's flow requires it — a one-time code, and opens a session. Failures
    /// (a wrong code too) are throttled and audited like `auth/login`'s; the success is
    /// audited with the session's level.
    pub async fn password_session(
        &self,
        username: &str,
        password: Zeroizing<String>,
        otp: Option<Zeroizing<String>>,
    ) -> Result<NewSession, LoginError> {
        let user = self
            .check_password(username, password)
            .await
            .map_err(LoginError::from_password_check)?;
        let flow = self.auth_flow_of(&user.group_id).await?;
        let step = match otp {
            Some(code) if user.otp_sealed.is_some() => {
                Some(self.check_login_otp(&user, username, &code).await?)
            }
            _ if flow.login_otp && user.otp_sealed.is_none() => {
                return Err(LoginError::Refused(Notice::NoAuthenticatorForLogin))
            }
            _ if flow.login_otp => return Err(LoginError::Refused(Notice::OtpMissing)),
            _ => None,
        };
        let amr: Vec<&str> = if step.is_some() { vec!["pwd", "otp"] } else { vec!["pwd"] };
        let now = self.clock.now();
        let times = SessionTimes { auth_time: now, expires_at: now + flow.session_seconds };
        let session = self.open_session(&user, &amr, times, step, "idp.login").await?;
        Ok(session)
    }

    /// Raises the session of `cookie` with the one-time code (step-up): a new session
    /// replaces it, with `otp` added to its methods and the level they reach. Codes are
    /// throttled with the user's logins (`login_throttle.rs`): a locked name is refused
    /// before the code is looked at, so the code cannot be guessed faster than a
    /// password. The raised session keeps the login's `auth_time` and expiry: a code
    /// alone is not a new authentication (OpenID Connect Core §2 `auth_time`: "Time when
    /// the End-User authentication occurred"), so it neither satisfies `max_age` or
    /// `prompt=login` nor extends the session.
    pub async fn step_up(
        &self,
        cookie: Option<&str>,
        otp: Zeroizing<String>,
    ) -> Result<NewSession, LoginError> {
        let Some((old, user)) = self.live_session(cookie).await? else {
            return Err(LoginError::Refused(Notice::SessionEnded));
        };
        let flow = self.auth_flow_of(&user.group_id).await?;
        if !flow.step_up {
            return Err(LoginError::Refused(Notice::LogInWithEveryFactor));
        }
        self.check_login_lock(&user.username).await.map_err(LoginError::from_password_check)?;
        let step = self.check_login_otp(&user, &user.username, &otp).await?;
        let mut amr: Vec<&str> = old.amr.split(' ').filter(|m| !m.is_empty()).collect();
        if !amr.contains(&"otp") {
            amr.push("otp");
        }
        let times = SessionTimes { auth_time: old.auth_time, expires_at: old.expires_at };
        let new = self.open_session(&user, &amr, times, Some(step), "idp.step_up").await?;
        let mut tx = self.store.begin().await?;
        tx.revoke_auth_session(&old.session_hash).await?;
        tx.commit().await?;
        Ok(new)
    }

    /// Checks a one-time code of `user` for a login or step-up: the time step to record
    /// as used. A wrong code counts as a failed login of `username` and is audited.
    async fn check_login_otp(
        &self,
        user: &User,
        username: &str,
        code: &str,
    ) -> Result<i64, LoginError> {
        match self.sam.check_otp(user, Some(code)).await {
            Ok(Some(step)) => Ok(step),
            Ok(None) => Err(LoginError::Refused(Notice::NoAuthenticator)),
            Err(signet_sam::SamError::InvalidOtp | signet_sam::SamError::OtpMissing) => {
                self.record_login_failure(username, "wrong one-time code").await?;
                Err(LoginError::Refused(Notice::WrongOtp))
            }
            Err(e) => Err(EngineError::Unavailable(e.to_string()).into()),
        }
    }

    /// Opens a session for `user` proven by `amr`, with its authentication time and
    /// expiry, recording the one-time code's time step as used (once: a replayed code is
    /// refused) and auditing it as `kind`.
    async fn open_session(
        &self,
        user: &User,
        amr: &[&str],
        times: SessionTimes,
        otp_step: Option<i64>,
        kind: &str,
    ) -> Result<NewSession, LoginError> {
        let now = self.clock.now();
        let cookie = signet_crypto::secret::generate_secret().map_err(EngineError::from)?;
        let level = Loa::of_methods(amr);
        let session = AuthSession {
            session_hash: secret_hash(&cookie),
            user_id: user.id.clone(),
            auth_time: times.auth_time,
            amr: amr.join(" "),
            acr: level.as_str().into(),
            expires_at: times.expires_at,
            revoked: false,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        if let Some(step) = otp_step {
            if !tx.advance_otp_step(&user.id, step).await? {
                drop(tx);
                self.audit(login_refused(
                    now,
                    &user.username,
                    "one-time code replayed",
                    ("step", step),
                ))
                .await?;
                return Err(LoginError::Refused(Notice::OtpReplayed));
            }
        }
        tx.clear_login_failures(&crate::login_throttle::subject(&user.username)).await?;
        tx.insert_auth_session(&session).await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: kind.into(),
            outcome: "success".into(),
            user_id: Some(user.id.clone()),
            client_id: None,
            credential_id: None,
            details: json!({ "amr": amr, "loa": level.as_str() }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(NewSession { cookie, max_age: (times.expires_at - now).max(0) })
    }

    /// The live session a cookie stands for, and its user: `None` for no cookie, an
    /// unknown, ended or expired session.
    pub(crate) async fn live_session(
        &self,
        cookie: Option<&str>,
    ) -> Result<Option<(AuthSession, User)>, EngineError> {
        let Some(cookie) = cookie.filter(|c| crate::tokens::looks_like_token(c)) else {
            return Ok(None);
        };
        let Some(session) = self.store.auth_session(&secret_hash(cookie)).await? else {
            return Ok(None);
        };
        if session.revoked || self.clock.now() >= session.expires_at {
            return Ok(None);
        }
        let user = self.store.user_by_id(&session.user_id).await?;
        Ok(user.map(|u| (session, u)))
    }

    /// Ends the session of a cookie (logout); audited when there was one.
    pub async fn logout(&self, cookie: Option<&str>) -> Result<(), EngineError> {
        let Some((session, user)) = self.live_session(cookie).await? else { return Ok(()) };
        let mut tx = self.store.begin().await?;
        tx.revoke_auth_session(&session.session_hash).await?;
        tx.append_audit(AuditEvent {
            at: self.clock.now(),
            kind: "idp.logout".into(),
            outcome: "success".into(),
            user_id: Some(user.id),
            client_id: None,
            credential_id: None,
            details: "{}".into(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
