//! Signing authorised by a `credential` scope access token instead of a SAD (CSC
//! v1.0.4.0 §11.9: "SAD … not needed if the signing application has passed an access
//! token in the Authorization HTTP header with scope credential"): `signatures/signHash`
//! and `documents/complete`. The token stands for the SAD the SAM issued when the signer
//! approved in the browser; the SAD, sealed in the grant, is opened and consumed by the
//! SAM as any other — bound to the user, the credential and the approved hashes — and
//! the token is spent with it.

use super::interaction::grant_purpose;
use crate::tokens::{looks_like_token, token_hash, TokenRefusal};
use crate::{Caller, Engine, EngineError, SignedDocument, SigningError};
use serde_json::json;
use signet_crypto::WrappedKey;
use signet_sam::SamError;
use signet_store::{AuditEvent, Grant, TokenKind};
use signet_types::SignatureAlgorithm;
use zeroize::Zeroizing;

/// A live credential token, opened: who it acts for and the SAD it stands for.
struct Opened {
    token_hash: String,
    caller: Caller,
    sad: Zeroizing<String>,
}

/// Why a token is refused (HTTP 401), with the user and client to audit.
type Refusal = (TokenRefusal, &'static str, Option<String>, Option<String>);

impl Engine {
    /// Signs `hashes` with the credential a `credential` token was issued for. The outer
    /// error refuses the token (HTTP 401); the inner one is the SAM's.
    pub async fn csc_sign_hash_with_token(
        &self,
        bearer: &str,
        credential_id: &str,
        hashes: Vec<Vec<u8>>,
        algorithm: SignatureAlgorithm,
    ) -> Result<Result<Vec<Vec<u8>>, SamError>, TokenRefusal> {
        let o =
            match self.open_credential_token(bearer, credential_id, "signatures.signHash").await? {
                Ok(o) => o,
                Err(e) => return Ok(Err(e)),
            };
        let signed = self.sam_sign(&o.caller, credential_id, &o.sad, hashes, None, algorithm).await;
        if signed.is_ok() {
            self.spend(&o.token_hash).await;
        }
        Ok(signed)
    }

    /// `documents/complete` of a transaction whose DTBS/R the signer approved in the
    /// browser (the hash of the `credential` request).
    pub async fn complete_document_with_token(
        &self,
        bearer: &str,
        transaction_id: &str,
    ) -> Result<Result<SignedDocument, SigningError>, TokenRefusal> {
        let t = match self.store.document_transaction(transaction_id).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                return Ok(Err(EngineError::NotFound(format!(
                    "document transaction `{}`",
                    transaction_id.chars().take(64).collect::<String>()
                ))
                .into()))
            }
            Err(e) => return Ok(Err(e.into())),
        };
        let o =
            match self.open_credential_token(bearer, &t.credential_id, "documents.complete").await?
            {
                Ok(o) => o,
                Err(e) => return Ok(Err(e.into())),
            };
        let signed = self.complete_document(&o.caller, transaction_id, &o.sad).await;
        if signed.is_ok() {
            self.spend(&o.token_hash).await;
        }
        Ok(signed)
    }

    /// The token's grant must be for `credential_id`; refusals are audited as `kind`.
    async fn open_credential_token(
        &self,
        bearer: &str,
        credential_id: &str,
        kind: &str,
    ) -> Result<Result<Opened, SamError>, TokenRefusal> {
        let found = match self.credential_grant(bearer).await {
            Ok(found) => found,
            Err(e) => return Ok(Err(SamError::Unavailable(e.to_string()))),
        };
        let (token_hash, caller, grant) = match found {
            Ok(f) => f,
            Err((refusal, reason, user, client)) => {
                let event = AuditEvent {
                    at: self.clock.now(),
                    kind: kind.into(),
                    outcome: "refused".into(),
                    user_id: user,
                    client_id: client,
                    credential_id: Some(credential_id.chars().take(64).collect()),
                    details: json!({ "reason": reason }).to_string(),
                };
                if let Err(e) = self.audit(event).await {
                    tracing::error!(error = %e, "could not audit a refused credential token");
                }
                return Err(refusal);
            }
        };
        if grant.credential_id.as_deref() != Some(credential_id) {
            let refused = self
                .csc_refusal(
                    &caller,
                    Some(credential_id),
                    kind,
                    "credential token of another credential",
                )
                .await;
            return Ok(Err(match refused {
                Ok(()) => SamError::CredentialNotFound,
                Err(e) => SamError::Unavailable(e.to_string()),
            }));
        }
        let sealed = WrappedKey(grant.sealed_sad.clone().unwrap_or_default());
        let (owner, purpose) = (grant.user_id.clone(), grant_purpose(&grant.id));
        let sad = match self.crypto(move |m| m.open_secret(&sealed, &owner, &purpose)).await {
            Ok(plain) => Zeroizing::new(String::from_utf8_lossy(&plain).into_owned()),
            Err(e) => return Ok(Err(SamError::Integrity(e.to_string()))),
        };
        Ok(Ok(Opened { token_hash, caller, sad }))
    }

    /// One approval, one use: the token is spent with its SAD.
    async fn spend(&self, token_hash: &str) {
        let spent = async {
            let mut tx = self.store.begin().await?;
            tx.revoke_token(token_hash).await?;
            tx.commit().await
        };
        if let Err(e) = spent.await {
            tracing::error!(error = %e, "could not spend a credential token");
        }
    }

    /// The live `credential` token, its caller and grant; or why it is refused.
    async fn credential_grant(
        &self,
        bearer: &str,
    ) -> Result<Result<(String, Caller, Grant), Refusal>, EngineError> {
        let hash = token_hash(bearer);
        let token =
            if looks_like_token(bearer) { self.store.token_by_hash(&hash).await? } else { None };
        let Some(t) = token.filter(|t| t.kind == TokenKind::Access) else {
            return Ok(Err((TokenRefusal::Invalid, "unknown or malformed token", None, None)));
        };
        let who = (t.user_id.clone(), t.client_id.clone());
        if t.revoked {
            return Ok(Err((TokenRefusal::Revoked, "revoked or spent token", who.0, who.1)));
        }
        if self.clock.now() >= t.expires_at {
            return Ok(Err((TokenRefusal::Expired, "expired token", who.0, who.1)));
        }
        let grant = self.store.grant_by_id(&t.family_id).await?;
        let Some(grant) = grant.filter(|g| g.credential_id.is_some() && g.sealed_sad.is_some())
        else {
            return Ok(Err((TokenRefusal::Invalid, "not a credential token", who.0, who.1)));
        };
        let user = self.store.user_by_id(&grant.user_id).await?;
        let client = self.store.client_by_id(&grant.client_id).await?.map(Box::new);
        let Some(user) = user else {
            return Ok(Err((TokenRefusal::Invalid, "token of a deleted user", who.0, who.1)));
        };
        Ok(Ok((hash, Caller::User { user, client, family: t.family_id }, grant)))
    }
}
