//! The UserInfo endpoint (OpenID Connect Core §5.3): the claims of the user behind an
//! access token — only those the client may read, the scopes asked for and the user
//! consented to — and the authentication level of the grant (factors and eIDAS level).

use super::Loa;
use crate::tokens::{looks_like_token, token_hash};
use crate::{Engine, EngineError};
use serde_json::{json, Value};
use signet_store::TokenKind;

/// Why the UserInfo endpoint refuses (RFC 6750 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserinfoError {
    /// `invalid_token`: unknown, expired, revoked, or not an access token.
    InvalidToken,
    /// `insufficient_scope`: the token was not issued with `openid`.
    InsufficientScope,
}

impl Engine {
    /// The claims for a bearer access token.
    pub async fn userinfo(
        &self,
        bearer: &str,
    ) -> Result<Result<Value, UserinfoError>, EngineError> {
        let token = if looks_like_token(bearer) {
            self.store.token_by_hash(&token_hash(bearer)).await?
        } else {
            None
        };
        let now = self.clock.now();
        let Some(token) =
            token.filter(|t| t.kind == TokenKind::Access && !t.revoked && now < t.expires_at)
        else {
            return Ok(Err(UserinfoError::InvalidToken));
        };
        if !token.scope.split(' ').any(|s| s == "openid") {
            return Ok(Err(UserinfoError::InsufficientScope));
        }
        let (Some(grant), Some(user)) = (
            self.store.grant_by_id(&token.family_id).await?,
            match &token.user_id {
                Some(u) => self.store.user_by_id(u).await?,
                None => None,
            },
        ) else {
            return Ok(Err(UserinfoError::InvalidToken));
        };
        // What the user agreed to now (a consent may have been narrowed since) and what
        // the grant asked for.
        let consented = self
            .store
            .claims_consent(&user.id, &grant.client_id)
            .await?
            .map(|c| c.claims)
            .unwrap_or_default();
        let released = |claim: &str| {
            grant.claims.split(' ').any(|c| c == claim) && consented.split(' ').any(|c| c == claim)
        };
        let mut out = json!({ "sub": user.id });
        let name = format!("{} {}", user.given_name, user.surname).trim().to_owned();
        for (claim, value) in [
            ("name", Some(name)),
            ("given_name", Some(user.given_name.clone())),
            ("family_name", Some(user.surname.clone())),
            ("email", Some(user.email.clone())),
            ("phone_number", user.phone.clone()),
        ] {
            if let Some(v) = value.filter(|v| !v.is_empty() && released(claim)) {
                out[claim] = json!(v);
            }
        }
        if released("loa") {
            let loa = Loa::parse(&grant.acr).unwrap_or(Loa::Low);
            out["loa"] = json!({
                "level": loa.as_str(),
                "acr": loa.acr(),
                "amr": grant.amr.split(' ').filter(|m| !m.is_empty()).collect::<Vec<_>>(),
                "auth_time": grant.auth_time,
            });
        }
        Ok(Ok(out))
    }
}
