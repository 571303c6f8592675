//! What a client may learn of and do to tokens at the authorization server: token
//! introspection (RFC 7662) and revocation (RFC 7009), both for authenticated clients.
//!
//! A client sees only the tokens of its own realm: its service tokens, and the tokens of
//! users of its group. Any other token — unknown, expired, revoked, or another group's —
//! is reported `{"active": false}` (RFC 7662 §2.2: nothing about why). A client revokes
//! only the tokens issued to it (RFC 7009 §2.1: the server "verifies whether the token
//! was issued to the client making the revocation request"); a revocation of any other
//! token is accepted and does nothing (§2.2).

use crate::tokens::{looks_like_token, token_hash};
use crate::{Engine, EngineError};
use serde_json::json;
use signet_store::{AuditEvent, Client, Token, TokenKind};

/// RFC 7662 §2.2: what the authorization server says of a token.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Introspection {
    /// Whether the token is active (issued here, not expired, not revoked).
    pub active: bool,
    /// Its scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The client it was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The user's name, for a user's token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `access_token` or `refresh_token` (RFC 7009 §2.1 hint values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    /// Expiry, unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issue time, unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// The subject: the user's id, or the client's for a service token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

impl Engine {
    /// The token `value` if it is of `client`'s realm, with its user's name.
    async fn realm_token(
        &self,
        client: &Client,
        value: &str,
    ) -> Result<Option<(Token, Option<String>)>, EngineError> {
        if !looks_like_token(value) {
            return Ok(None);
        }
        let Some(token) = self.store.token_by_hash(&token_hash(value)).await? else {
            return Ok(None);
        };
        if token.client_id.as_deref() == Some(client.id.as_str()) {
            return Ok(Some((token, None)));
        }
        let user = match &token.user_id {
            Some(u) => self.store.user_by_id(u).await?,
            None => None,
        };
        Ok(user.filter(|u| u.group_id == client.group_id).map(|u| (token, Some(u.username))))
    }

    /// RFC 7662: introspection of `value` by `client`.
    pub async fn introspect(
        &self,
        client: &Client,
        value: &str,
    ) -> Result<Introspection, EngineError> {
        let now = self.clock.now();
        let Some((t, username)) = self.realm_token(client, value).await? else {
            return Ok(Introspection::default());
        };
        if t.revoked || now >= t.expires_at {
            return Ok(Introspection::default());
        }
        Ok(Introspection {
            active: true,
            scope: Some(t.scope.clone()),
            // RFC 7662 §2.2: the client the token was issued to — none for a token of
            // CSC `auth/login`, which no client asked for.
            client_id: t.client_id.clone(),
            username,
            token_type: Some(match t.kind {
                TokenKind::Refresh => "refresh_token",
                TokenKind::Access | TokenKind::Service => "access_token",
            }),
            exp: Some(t.expires_at),
            iat: Some(t.created_at),
            sub: t.user_id.clone().or_else(|| t.client_id.clone()),
        })
    }

    /// RFC 7009: `client` revokes `value`, if it was issued to `client` (§2.1); any other
    /// token is left alone. A refresh token takes its family (the access tokens issued
    /// with it) along. Audited, with how many tokens were revoked.
    pub async fn revoke_for_client(&self, client: &Client, value: &str) -> Result<(), EngineError> {
        let target = match self.realm_token(client, value).await? {
            Some((t, _)) if t.client_id.as_deref() == Some(client.id.as_str()) => Some(t),
            _ => None,
        };
        let mut tx = self.store.begin().await?;
        let revoked = match &target {
            Some(t) if t.kind == TokenKind::Refresh => tx.revoke_token_family(&t.family_id).await?,
            Some(t) => u64::from(tx.revoke_token(&t.token_hash).await?),
            None => 0,
        };
        tx.append_audit(AuditEvent {
            at: self.clock.now(),
            kind: "oauth2.revoke".into(),
            outcome: "success".into(),
            user_id: target.as_ref().and_then(|t| t.user_id.clone()),
            client_id: Some(client.id.clone()),
            credential_id: None,
            details: json!({ "revoked": revoked }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
