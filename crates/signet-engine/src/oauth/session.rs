//! Login sessions at the built-in identity provider: what the session cookie stands
//! for. The cookie's value is a random secret; the store keeps only its hash, the user,
//! when and how they authenticated (RFC 8176 `amr`) and the level that reached. One
//! session serves every authorization request until it expires or the user logs out
//! (single sign-on, OpenID Connect Core §3.1.2.3).

use super::{secret_hash, Loa, SESSION_TTL};
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

impl Engine {
    /// Logs a user in with name and password and opens a session. Failures are
    /// throttled and audited like `auth/login`'s; the success is audited with the
    /// session's level.
    pub async fn password_session(
        &self,
        username: &str,
        password: Zeroizing<String>,
    ) -> Result<NewSession, EngineError> {
        let user = self.check_password(username, password).await?;
        let now = self.clock.now();
        let cookie = signet_crypto::secret::generate_secret()?;
        let amr = ["pwd"];
        let level = Loa::of_methods(&amr);
        let session = AuthSession {
            session_hash: secret_hash(&cookie),
            user_id: user.id.clone(),
            auth_time: now,
            amr: amr.join(" "),
            acr: level.as_str().into(),
            expires_at: now + SESSION_TTL,
            revoked: false,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        tx.clear_login_failures(&crate::login_throttle::subject(username)).await?;
        tx.insert_auth_session(&session).await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: "idp.login".into(),
            outcome: "success".into(),
            user_id: Some(user.id),
            client_id: None,
            credential_id: None,
            details: json!({ "amr": amr, "loa": level.as_str() }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(NewSession { cookie, max_age: SESSION_TTL })
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
