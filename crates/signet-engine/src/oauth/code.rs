//! Authorization codes: issued when the signer has said yes, redeemed once at the token
//! endpoint (RFC 6749 §4.1.2–4.1.4) for an access token, a refresh token and, with the
//! `openid` scope, an ID token. A code presented twice is refused and everything the
//! first redemption issued is revoked (RFC 6749 §4.1.2, RFC 9700 §4.2.4); a code is
//! bound to its client, its redirect URI and its PKCE challenge (RFC 7636 §4.6).

use super::interaction::response_url;
use super::request::ValidRequest;
use super::{secret_hash, CODE_TTL};
use crate::tokens::{scoped_token, ACCESS_TOKEN_TTL, REFRESH_TOKEN_TTL};
use crate::{Engine, EngineError};
use serde_json::json;
use signet_auth::oauth::check_verifier;
use signet_store::{AuditEvent, AuthRequestRecord, AuthSession, Client, Grant, TokenKind, User};

/// A code just issued, as the redirect that carries it.
#[derive(Debug)]
pub(super) struct IssuedCode {
    /// The redirect URI with `code`, `state` and `iss`.
    pub redirect: String,
}

/// What the client sends to redeem a code (RFC 6749 §4.1.3, RFC 7636 §4.5).
#[derive(Debug, Clone)]
pub struct CodeRedemption {
    /// `code`.
    pub code: String,
    /// `redirect_uri`, when sent.
    pub redirect_uri: Option<String>,
    /// `code_verifier`, when sent.
    pub code_verifier: Option<String>,
}

/// The token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Debug, Clone, serde::Serialize)]
pub struct OAuthTokens {
    /// The access token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// The refresh token, for `offline_access` and `service` grants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The ID token, with the `openid` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// The granted scopes.
    pub scope: String,
}

/// A token endpoint error (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    /// `invalid_grant`, `invalid_request`, …
    pub error: &'static str,
    /// What is wrong.
    pub description: String,
}

impl TokenError {
    fn grant(description: &str) -> Self {
        Self { error: "invalid_grant", description: description.to_owned() }
    }
}

impl Engine {
    /// Issues the code of an answered request: the request is marked answered (once),
    /// the grant stored with its hash, and the decision audited, in one transaction.
    pub(super) async fn issue_code(
        &self,
        record: &AuthRequestRecord,
        request: &ValidRequest,
        session: &AuthSession,
        user: &User,
        grant_id: &str,
        credential: Option<(String, Vec<u8>)>,
    ) -> Result<IssuedCode, EngineError> {
        let now = self.clock.now();
        let code = signet_crypto::secret::generate_secret()?;
        let (credential_id, sealed_sad) = match credential {
            Some((c, s)) => (Some(c), Some(s)),
            None => (None, None),
        };
        let grant = Grant {
            id: grant_id.to_owned(),
            code_hash: secret_hash(&code),
            client_id: request.client_id.clone(),
            user_id: user.id.clone(),
            redirect_uri: if request.redirect_uri_given {
                request.redirect_uri.clone()
            } else {
                String::new()
            },
            scope: request.scopes.join(" "),
            claims: request.claims.join(" "),
            nonce: request.nonce.clone(),
            code_challenge: request.code_challenge.clone(),
            auth_time: session.auth_time,
            amr: session.amr.clone(),
            acr: session.acr.clone(),
            credential_id: credential_id.clone(),
            sealed_sad,
            code_expires_at: now + CODE_TTL,
            redeemed: false,
            created_at: now,
        };
        let mut tx = self.store.begin().await?;
        if !tx.finish_auth_request(&record.id).await? {
            return Err(EngineError::Conflict(
                "This authorization request has been answered already.".into(),
            ));
        }
        tx.insert_grant(&grant).await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: "oauth2.authorize".into(),
            outcome: "granted".into(),
            user_id: Some(user.id.clone()),
            client_id: Some(request.client_id.clone()),
            credential_id,
            details: json!({
                "grant": grant.id,
                "scope": grant.scope,
                "claims": request.claims,
                "amr": session.amr,
                "loa": session.acr,
            })
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        let mut params = vec![("code", code.as_str())];
        if let Some(s) = &request.state {
            params.push(("state", s));
        }
        Ok(IssuedCode { redirect: response_url(&self.issuer(), &request.redirect_uri, &params) })
    }

    /// `grant_type=authorization_code` for an authenticated client. Every refusal is
    /// audited; a second redemption also revokes what the first issued.
    pub async fn redeem_code(
        &self,
        client: &Client,
        r: CodeRedemption,
    ) -> Result<Result<OAuthTokens, TokenError>, EngineError> {
        let now = self.clock.now();
        let grant = if crate::tokens::looks_like_token(&r.code) {
            self.store.grant_by_code(&secret_hash(&r.code)).await?
        } else {
            None
        };
        let Some(grant) = grant else {
            return self.code_refused(client, None, "unknown code", false).await;
        };
        if grant.client_id != client.id {
            // RFC 6749 §4.1.3: the code must have been issued to this client.
            return self.code_refused(client, Some(&grant), "code of another client", false).await;
        }
        if grant.redeemed {
            return self.code_refused(client, Some(&grant), "code used twice", true).await;
        }
        if now >= grant.code_expires_at {
            return self.code_refused(client, Some(&grant), "expired code", false).await;
        }
        let uri_ok = match (&r.redirect_uri, grant.redirect_uri.is_empty()) {
            (Some(sent), false) => *sent == grant.redirect_uri,
            (None, false) => false,
            (Some(sent), true) => {
                client.redirect_uris.len() == 1 && client.redirect_uris[0] == *sent
            }
            (None, true) => true,
        };
        if !uri_ok {
            return self.code_refused(client, Some(&grant), "redirect_uri mismatch", false).await;
        }
        if let Err(why) =
            check_verifier(grant.code_challenge.as_deref(), r.code_verifier.as_deref())
        {
            return self.code_refused(client, Some(&grant), why, false).await;
        }
        let user = self
            .store
            .user_by_id(&grant.user_id)
            .await?
            .ok_or_else(|| EngineError::Integrity("grant without user".into()))?;
        let scopes: Vec<&str> = grant.scope.split(' ').collect();
        let credential = grant.credential_id.is_some();
        let access = signet_crypto::secret::generate_secret()?;
        let access_ttl = if credential {
            // The token serves the SAD sealed in the grant: no longer than it lives.
            self.sam_settings_ttl().min(ACCESS_TOKEN_TTL)
        } else {
            ACCESS_TOKEN_TTL
        };
        let refresh =
            if !credential && scopes.iter().any(|s| *s == "offline_access" || *s == "service") {
                Some(signet_crypto::secret::generate_secret()?)
            } else {
                None
            };
        let id_token = if scopes.contains(&"openid") {
            Some(self.id_token(&grant, &user, &access, now).await?)
        } else {
            None
        };

        let mut tx = self.store.begin().await?;
        if !tx.redeem_grant(&grant.id).await? {
            // Redeemed by a concurrent request between the read and now.
            drop(tx);
            return self.code_refused(client, Some(&grant), "code used twice", true).await;
        }
        let user_id = Some(grant.user_id.as_str());
        let client_id = Some(client.id.as_str());
        tx.insert_token(scoped_token(
            &access,
            TokenKind::Access,
            user_id,
            client_id,
            &grant.scope,
            &grant.id,
            access_ttl,
            now,
        ))
        .await?;
        if let Some(r) = &refresh {
            tx.insert_token(scoped_token(
                r,
                TokenKind::Refresh,
                user_id,
                client_id,
                &grant.scope,
                &grant.id,
                REFRESH_TOKEN_TTL,
                now,
            ))
            .await?;
        }
        tx.append_audit(AuditEvent {
            at: now,
            kind: "oauth2.token".into(),
            outcome: "success".into(),
            user_id: Some(grant.user_id.clone()),
            client_id: Some(client.id.clone()),
            credential_id: grant.credential_id.clone(),
            details: json!({
                "grant_type": "authorization_code",
                "grant": grant.id,
                "scope": grant.scope,
                "refresh_token": refresh.is_some(),
                "id_token": id_token.is_some(),
            })
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(Ok(OAuthTokens {
            access_token: access,
            token_type: "Bearer",
            expires_in: access_ttl,
            refresh_token: refresh,
            id_token,
            scope: grant.scope,
        }))
    }

    fn sam_settings_ttl(&self) -> i64 {
        self.settings.sad_ttl_seconds
    }

    async fn code_refused(
        &self,
        client: &Client,
        grant: Option<&Grant>,
        reason: &str,
        revoke: bool,
    ) -> Result<Result<OAuthTokens, TokenError>, EngineError> {
        let mut tx = self.store.begin().await?;
        let revoked = match grant.filter(|_| revoke) {
            Some(g) => tx.revoke_token_family(&g.id).await?,
            None => 0,
        };
        tx.append_audit(AuditEvent {
            at: self.clock.now(),
            kind: "oauth2.token".into(),
            outcome: "refused".into(),
            user_id: grant.map(|g| g.user_id.clone()),
            client_id: Some(client.id.clone()),
            credential_id: grant.and_then(|g| g.credential_id.clone()),
            details: json!({
                "grant_type": "authorization_code",
                "reason": reason,
                "revoked": revoked,
            })
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        let description = match reason {
            "code used twice" => "The code was used already; the tokens issued for it are revoked",
            "redirect_uri mismatch" => "redirect_uri does not match the authorization request",
            r if r.starts_with("PKCE") || r.starts_with("code_verifier") => r,
            _ => "The code is invalid, expired or was issued to another client",
        };
        Ok(Err(TokenError::grant(description)))
    }
}
