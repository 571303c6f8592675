//! Bearer tokens for callers (CSC v1.0.4.0 §8 `auth/login`, RFC 6749 §4.4 client
//! credentials): opaque random values, stored only as their SHA-256, with an expiry and a
//! family so that revoking one token revokes what was issued with it.

use crate::oauth::TokenError;
use crate::{Engine, EngineError};
use serde_json::json;
use signet_store::{AuditEvent, Client, NewToken, Token, TokenKind, User};
use zeroize::Zeroizing;

/// Lifetime of an access token (seconds).
pub const ACCESS_TOKEN_TTL: i64 = 3600;
/// Lifetime of a refresh token (seconds).
pub const REFRESH_TOKEN_TTL: i64 = 30 * 86_400;

/// Who is calling, proven by a valid bearer token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A user-bound token (`auth/login`, or the code flow of a client).
    User {
        /// The user.
        user: User,
        /// The client the user authorised, for a token of the code flow.
        client: Option<Box<Client>>,
        /// The family of the token (for revocation).
        family: String,
    },
    /// A service token of a client (`client_credentials`).
    Service {
        /// The client.
        client: Client,
        /// The family of the token.
        family: String,
    },
}

impl Caller {
    /// The client behind the call, if any.
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::User { client, .. } => client.as_ref().map(|c| c.id.as_str()),
            Self::Service { client, .. } => Some(&client.id),
        }
    }
}

/// Tokens just issued.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IssuedTokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, when asked for (`rememberMe`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

/// Why a token or login was refused (all become HTTP 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Unknown, forged or malformed.
    Invalid,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

/// Checks a secret against its argon2id hash on a blocking thread (it is slow on purpose).
async fn verify_blocking(secret: Zeroizing<String>, phc: String) -> Result<bool, EngineError> {
    tokio::task::spawn_blocking(move || {
        signet_crypto::secret::verify_secret(secret.as_bytes(), &phc)
    })
    .await
    .map_err(|e| EngineError::Internal(e.to_string()))?
    .map_err(EngineError::from)
}

/// The scope of the CSC API's tokens (CSC v1.0.4.0 §8.2): what `authenticate` accepts.
pub const SERVICE_SCOPE: &str = "service";

/// A token row for a new bearer value with the `service` scope.
fn new_token(
    value: &str,
    kind: TokenKind,
    user_id: Option<&str>,
    client_id: Option<&str>,
    family: &str,
    ttl: i64,
    now: i64,
) -> NewToken {
    scoped_token(value, kind, user_id, client_id, SERVICE_SCOPE, family, ttl, now)
}

/// A token row for a new bearer value.
#[allow(clippy::too_many_arguments)]
pub(crate) fn scoped_token(
    value: &str,
    kind: TokenKind,
    user_id: Option<&str>,
    client_id: Option<&str>,
    scope: &str,
    family: &str,
    ttl: i64,
    now: i64,
) -> NewToken {
    NewToken {
        token_hash: token_hash(value),
        kind,
        user_id: user_id.map(str::to_owned),
        client_id: client_id.map(str::to_owned),
        scope: scope.into(),
        family_id: family.to_owned(),
        expires_at: now + ttl,
        created_at: now,
    }
}

/// The audit record of a refused password login: the name as typed (at most 64
/// characters), why, and one figure about the throttle.
pub(crate) fn login_refused(
    now: i64,
    username: &str,
    reason: &str,
    (key, value): (&str, i64),
) -> AuditEvent {
    let mut details = json!({
        "username": username.chars().take(64).collect::<String>(),
        "reason": reason,
    });
    details[key] = json!(value);
    AuditEvent {
        at: now,
        kind: "auth.login".into(),
        outcome: "refused".into(),
        user_id: None,
        client_id: None,
        credential_id: None,
        details: details.to_string(),
    }
}

pub(crate) fn token_hash(token: &str) -> String {
    signet_crypto::digest::digest(signet_types::HashAlgorithm::Sha256, token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn looks_like_token(t: &str) -> bool {
    t.len() == 43 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Engine {
    /// `auth/login`: checks the user's password; issues an access token, and a refresh
    /// token when `remember_me`. Both outcomes are audited. Failures are counted per login
    /// name, and a name locked by them is refused without a look at the password
    /// (`login_throttle.rs`).
    pub async fn login(
        &self,
        username: &str,
        password: Zeroizing<String>,
        remember_me: bool,
    ) -> Result<IssuedTokens, EngineError> {
        let user = self.check_password(username, password).await?;
        let now = self.clock.now();
        let family = crate::new_id();
        let access = signet_crypto::secret::generate_secret()?;
        let refresh =
            if remember_me { Some(signet_crypto::secret::generate_secret()?) } else { None };
        let mut tx = self.store.begin().await?;
        tx.clear_login_failures(&crate::login_throttle::subject(username)).await?;
        tx.insert_token(new_token(
            &access,
            TokenKind::Access,
            Some(&user.id),
            None,
            &family,
            ACCESS_TOKEN_TTL,
            now,
        ))
        .await?;
        if let Some(r) = &refresh {
            tx.insert_token(new_token(
                r,
                TokenKind::Refresh,
                Some(&user.id),
                None,
                &family,
                REFRESH_TOKEN_TTL,
                now,
            ))
            .await?;
        }
        tx.append_audit(AuditEvent {
            at: now,
            kind: "auth.login".into(),
            outcome: "success".into(),
            user_id: Some(user.id.clone()),
            client_id: None,
            credential_id: None,
            details: json!({ "rememberMe": remember_me }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(IssuedTokens {
            access_token: access,
            refresh_token: refresh,
            expires_in: ACCESS_TOKEN_TTL,
        })
    }

    /// Checks a login name and password (throttled per name, `login_throttle.rs`). A
    /// failure is counted and audited in one transaction; a success is the caller's to
    /// record, together with what it grants (and clears the failure count there).
    pub(crate) async fn check_password(
        &self,
        username: &str,
        password: Zeroizing<String>,
    ) -> Result<User, EngineError> {
        self.check_login_lock(username).await?;
        let user = self.store.user_by_username(username).await?;
        let ok = match &user {
            Some(u) => {
                let hash = u.password_hash.clone();
                verify_blocking(password, hash).await?
            }
            None => {
                // Spend the same time on an unknown user as on a wrong password.
                let _ = tokio::task::spawn_blocking(move || {
                    signet_crypto::secret::hash_secret(password.as_bytes())
                })
                .await;
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            self.record_login_failure(username, "invalid username or password").await?;
            return Err(EngineError::Unauthorized("invalid username or password".into()));
        };
        Ok(user)
    }

    /// `auth/login` with a `refresh_token` (CSC v1.0.4.0 §11.2): a new access token and a
    /// new refresh token in the same family, the presented one spent (rotation, RFC 9700
    /// §4.14.2). The new refresh token keeps the family's original expiry. A refresh token
    /// presented again after it was spent — a sign that it was stolen — revokes the whole
    /// family (reuse detection), so neither the thief nor the user keeps a live token; the
    /// compare-and-set on the presented token makes two concurrent uses count as a reuse.
    /// Every outcome is audited.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        client: Option<&Client>,
    ) -> Result<IssuedTokens, EngineError> {
        let now = self.clock.now();
        let token = if looks_like_token(refresh_token) {
            self.store.token_by_hash(&token_hash(refresh_token)).await?
        } else {
            None
        };
        // A refresh token serves only the client it was issued to (RFC 6749 §6): the CSC
        // `auth/login` ones have none, the code flow's their client.
        let token = token.filter(|t| {
            t.kind == TokenKind::Refresh && t.client_id.as_deref() == client.map(|c| c.id.as_str())
        });
        let Some(t) = token.clone().filter(|t| !t.revoked && now < t.expires_at) else {
            match token.filter(|t| t.revoked) {
                Some(spent) => return Err(self.refresh_reused(&spent, now).await?),
                None => {
                    self.refresh_refused("invalid refresh token", now).await?;
                    return Err(EngineError::Unauthorized(
                        "the refresh token is invalid, expired or revoked".into(),
                    ));
                }
            }
        };
        let access = signet_crypto::secret::generate_secret()?;
        let refresh = signet_crypto::secret::generate_secret()?;
        let mut tx = self.store.begin().await?;
        if !tx.revoke_token(&t.token_hash).await? {
            // Spent by a concurrent call between the read and now: a reuse.
            drop(tx);
            return Err(self.refresh_reused(&t, now).await?);
        }
        let user = t.user_id.as_deref();
        let client_id = t.client_id.as_deref();
        tx.insert_token(scoped_token(
            &access,
            TokenKind::Access,
            user,
            client_id,
            &t.scope,
            &t.family_id,
            ACCESS_TOKEN_TTL,
            now,
        ))
        .await?;
        let left = (t.expires_at - now).max(1);
        tx.insert_token(scoped_token(
            &refresh,
            TokenKind::Refresh,
            user,
            client_id,
            &t.scope,
            &t.family_id,
            left,
            now,
        ))
        .await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: "auth.login".into(),
            outcome: "success".into(),
            user_id: t.user_id.clone(),
            client_id: t.client_id.clone(),
            credential_id: None,
            details: json!({ "refresh": true, "rotated": true }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(IssuedTokens {
            access_token: access,
            refresh_token: Some(refresh),
            expires_in: ACCESS_TOKEN_TTL,
        })
    }

    /// A spent refresh token presented again: its family is revoked and the reuse
    /// audited, in one transaction. Returns the refusal.
    async fn refresh_reused(&self, spent: &Token, now: i64) -> Result<EngineError, EngineError> {
        let mut tx = self.store.begin().await?;
        let revoked = tx.revoke_token_family(&spent.family_id).await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: "auth.login".into(),
            outcome: "refused".into(),
            user_id: spent.user_id.clone(),
            client_id: spent.client_id.clone(),
            credential_id: None,
            details: json!({
                "refresh": true,
                "reason": "refresh token reused: its family is revoked",
                "revoked": revoked,
            })
            .to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(EngineError::Unauthorized("the refresh token is invalid, expired or revoked".into()))
    }

    async fn refresh_refused(&self, reason: &str, now: i64) -> Result<(), EngineError> {
        self.audit(AuditEvent {
            at: now,
            kind: "auth.login".into(),
            outcome: "refused".into(),
            user_id: None,
            client_id: None,
            credential_id: None,
            details: json!({ "refresh": true, "reason": reason }).to_string(),
        })
        .await
    }

    /// Authenticates a client by its secret (RFC 6749 §2.3.1); a failure is audited. A
    /// client without a secret (a public client, RFC 6749 §2.1) never authenticates this
    /// way, whatever it sends.
    pub async fn authenticate_client(
        &self,
        client_id: &str,
        secret: Zeroizing<String>,
        endpoint: &str,
    ) -> Result<Client, EngineError> {
        let client = self.store.client_by_id(client_id).await?;
        let ok = match client.as_ref().and_then(|c| c.secret_hash.clone()) {
            Some(hash) => verify_blocking(secret, hash).await?,
            None => false,
        };
        match client.filter(|_| ok) {
            Some(client) => Ok(client),
            None => {
                self.audit(AuditEvent {
                    at: self.clock.now(),
                    kind: endpoint.into(),
                    outcome: "refused".into(),
                    user_id: None,
                    client_id: None,
                    credential_id: None,
                    details: json!({ "reason": "invalid client" }).to_string(),
                })
                .await?;
                Err(EngineError::Unauthorized("invalid client".into()))
            }
        }
    }

    /// `grant_type=client_credentials` (RFC 6749 §4.4): a group-wide `service` token for a
    /// confidential client. Only a client registered with the `service` scope may use this
    /// grant (RFC 6749 §5.2 `unauthorized_client` otherwise), and a `scope` it names must
    /// be within what it may ask for and what the grant issues — `service` alone (§3.3,
    /// `invalid_scope` otherwise). A wrong secret is `Err(Unauthorized)`; a refusal of
    /// the authenticated client is `Ok(Err(_))`; both are audited.
    pub async fn client_credentials(
        &self,
        client_id: &str,
        secret: Zeroizing<String>,
        scope: Option<&str>,
    ) -> Result<Result<IssuedTokens, TokenError>, EngineError> {
        let client = self.authenticate_client(client_id, secret, "oauth2.token").await?;
        let now = self.clock.now();
        if let Some(refusal) = client_credentials_refusal(&client, scope) {
            self.audit(AuditEvent {
                at: now,
                kind: "oauth2.token".into(),
                outcome: "refused".into(),
                user_id: None,
                client_id: Some(client.id.clone()),
                credential_id: None,
                details: json!({
                    "grant_type": "client_credentials",
                    "error": refusal.error,
                    "reason": refusal.description,
                })
                .to_string(),
            })
            .await?;
            return Ok(Err(refusal));
        }
        let access = signet_crypto::secret::generate_secret()?;
        let mut tx = self.store.begin().await?;
        tx.insert_token(new_token(
            &access,
            TokenKind::Service,
            None,
            Some(&client.id),
            &crate::new_id(),
            ACCESS_TOKEN_TTL,
            now,
        ))
        .await?;
        tx.append_audit(AuditEvent {
            at: now,
            kind: "oauth2.token".into(),
            outcome: "success".into(),
            user_id: None,
            client_id: Some(client.id.clone()),
            credential_id: None,
            details: json!({ "grant_type": "client_credentials" }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(Ok(IssuedTokens {
            access_token: access,
            refresh_token: None,
            expires_in: ACCESS_TOKEN_TTL,
        }))
    }

    /// Resolves a bearer access token to its caller. A refusal is audited, naming the
    /// token's owner when the token is known (an expired or revoked one).
    pub async fn authenticate(&self, bearer: &str) -> Result<Caller, TokenRefusal> {
        let token = if looks_like_token(bearer) {
            match self.store.token_by_hash(&token_hash(bearer)).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, "token lookup failed");
                    None
                }
            }
        } else {
            None
        };
        let refusal = match &token {
            None => Some(TokenRefusal::Invalid),
            Some(t) if t.revoked => Some(TokenRefusal::Revoked),
            Some(t) if self.clock.now() >= t.expires_at => Some(TokenRefusal::Expired),
            // Only the CSC `service` scope opens the API: a `credential` token serves
            // one signHash, an OpenID Connect one the userinfo endpoint.
            Some(t) if !t.scope.split(' ').any(|s| s == SERVICE_SCOPE) => {
                Some(TokenRefusal::Invalid)
            }
            Some(_) => None,
        };
        let resolved = match (&token, refusal) {
            (Some(t), None) => match (t.kind, &t.user_id, &t.client_id) {
                (TokenKind::Access, Some(u), client_id) => {
                    let client = match client_id {
                        Some(c) => self.store.client_by_id(c).await.ok().flatten().map(Box::new),
                        None => None,
                    };
                    self.store.user_by_id(u).await.ok().flatten().map(|user| Caller::User {
                        user,
                        client,
                        family: t.family_id.clone(),
                    })
                }
                (TokenKind::Service, _, Some(c)) => self
                    .store
                    .client_by_id(c)
                    .await
                    .ok()
                    .flatten()
                    .map(|client| Caller::Service { client, family: t.family_id.clone() }),
                _ => None, // a refresh token is not an access token
            },
            _ => None,
        };
        if let Some(caller) = resolved {
            return Ok(caller);
        }
        let refusal = refusal.unwrap_or(TokenRefusal::Invalid);
        let reason = match refusal {
            TokenRefusal::Invalid => "unknown or malformed token",
            TokenRefusal::Expired => "expired token",
            TokenRefusal::Revoked => "revoked token",
        };
        let event = AuditEvent {
            at: self.clock.now(),
            kind: "auth.token".into(),
            outcome: "refused".into(),
            user_id: token.as_ref().and_then(|t| t.user_id.clone()),
            client_id: token.as_ref().and_then(|t| t.client_id.clone()),
            credential_id: None,
            details: json!({ "reason": reason }).to_string(),
        };
        if let Err(e) = self.audit(event).await {
            tracing::error!(error = %e, "could not audit a refused token");
        }
        Err(refusal)
    }

    /// `auth/revoke`: revokes an access or refresh token of the caller. With
    /// `token_type_hint` absent either kind is accepted. Revoking a refresh token also
    /// revokes its access tokens (same family). Unknown tokens are ignored (RFC 7009 §2.2).
    pub async fn revoke(&self, caller: &Caller, token: &str) -> Result<(), EngineError> {
        let (family, user_id, client_id) = match caller {
            Caller::User { user, client, family } => {
                (family, Some(user.id.clone()), client.as_ref().map(|c| c.id.clone()))
            }
            Caller::Service { client, family } => (family, None, Some(client.id.clone())),
        };
        let target = if looks_like_token(token) {
            self.store.token_by_hash(&token_hash(token)).await?
        } else {
            None
        };
        let mut tx = self.store.begin().await?;
        let mut revoked = 0u64;
        if let Some(t) = target {
            let same_owner = t.user_id == user_id && t.client_id == client_id;
            if same_owner {
                revoked = if t.kind == TokenKind::Refresh {
                    tx.revoke_token_family(&t.family_id).await?
                } else {
                    u64::from(tx.revoke_token(&t.token_hash).await?)
                };
            }
        }
        tx.append_audit(AuditEvent {
            at: self.clock.now(),
            kind: "auth.revoke".into(),
            outcome: "success".into(),
            user_id,
            client_id,
            credential_id: None,
            details: json!({ "revoked": revoked, "family": family }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes one audit event in its own transaction.
    pub(crate) async fn audit(&self, event: AuditEvent) -> Result<(), EngineError> {
        let mut tx = self.store.begin().await?;
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Why an authenticated client may not have a `client_credentials` token, if it may not:
/// the client was not registered with the `service` scope (RFC 6749 §5.2
/// `unauthorized_client`: "not authorized to use this authorization grant type"), or the
/// `scope` it asks for is not `service` or not its own (§5.2 `invalid_scope`). An empty
/// `scope` is no scope (§4.4.2: optional).
fn client_credentials_refusal(client: &Client, scope: Option<&str>) -> Option<TokenError> {
    if !client.scopes.iter().any(|s| s == SERVICE_SCOPE) {
        return Some(TokenError {
            error: "unauthorized_client",
            description: "The client is not registered for the service scope".into(),
        });
    }
    let asked = scope.unwrap_or("").split(' ').filter(|s| !s.is_empty());
    if asked.into_iter().any(|s| s != SERVICE_SCOPE) {
        return Some(TokenError {
            error: "invalid_scope",
            description: "client_credentials issues the service scope only".into(),
        });
    }
    None
}
