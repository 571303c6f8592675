//! Client authentication at the token, revocation and introspection endpoints (RFC 6749
//! §2.3): a secret (`client_secret_basic`, `client_secret_post`), a signed assertion
//! (`private_key_jwt`, RFC 7523 §2.2 and OpenID Connect Core §9), or — for a public
//! client, which has no credentials (RFC 6749 §2.1) — its `client_id` alone.

use super::{jose, secret_hash};
use crate::{Engine, EngineError};
use serde_json::{json, Value};
use signet_store::{AuditEvent, Client};
use zeroize::Zeroizing;

/// RFC 7523 §2.2 `client_assertion_type`.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Longest life of an assertion accepted (its `exp` after now), seconds.
const MAX_ASSERTION_LIFE: i64 = 600;
/// Clock skew tolerated on `iat` and `nbf`, seconds.
const SKEW: i64 = 60;

/// What a client presented to authenticate.
#[derive(Debug)]
pub enum ClientCredentials {
    /// `client_id` and `client_secret`, by HTTP Basic or in the body.
    Secret {
        /// The client id.
        client_id: String,
        /// The secret.
        secret: Zeroizing<String>,
    },
    /// A JWT signed with a key the client registered.
    Assertion {
        /// `client_id`, when sent besides the assertion.
        client_id: Option<String>,
        /// `client_assertion`.
        assertion: String,
    },
    /// `client_id` alone: only a public client may do this.
    Public {
        /// The client id.
        client_id: String,
    },
}

impl Engine {
    /// Authenticates a client at `endpoint` (`oauth2.token`, …) whose URL is
    /// `endpoint_url` (an assertion's audience). A failure is audited and is
    /// `Unauthorized`.
    pub async fn authenticate_oauth_client(
        &self,
        credentials: ClientCredentials,
        endpoint: &str,
        endpoint_url: &str,
    ) -> Result<Client, EngineError> {
        let (client, reason) = match credentials {
            ClientCredentials::Secret { client_id, secret } => {
                return self.authenticate_client(&client_id, secret, endpoint).await;
            }
            ClientCredentials::Public { client_id } => {
                let client = self.store.client_by_id(&client_id).await?;
                match client {
                    Some(c) if c.public => return Ok(c),
                    Some(_) => (None, "confidential client without credentials"),
                    None => (None, "invalid client"),
                }
            }
            ClientCredentials::Assertion { client_id, assertion } => {
                match self.check_assertion(client_id.as_deref(), &assertion, endpoint_url).await? {
                    Ok(c) => return Ok(c),
                    Err((c, why)) => (c, why),
                }
            }
        };
        self.audit(AuditEvent {
            at: self.clock.now(),
            kind: endpoint.into(),
            outcome: "refused".into(),
            user_id: None,
            client_id: client,
            credential_id: None,
            details: json!({ "reason": reason }).to_string(),
        })
        .await?;
        Err(EngineError::Unauthorized("invalid client".into()))
    }

    /// RFC 7523 §3: `iss` and `sub` are the client, `aud` names the endpoint or the
    /// issuer, `exp` is near, `jti` is new, and the signature verifies with one of the
    /// client's registered keys.
    async fn check_assertion(
        &self,
        client_id: Option<&str>,
        assertion: &str,
        endpoint_url: &str,
    ) -> Result<Result<Client, (Option<String>, &'static str)>, EngineError> {
        let Ok(jws) = jose::parse_jws(assertion) else {
            return Ok(Err((None, "malformed client assertion")));
        };
        let claim = |name: &str| jws.claims.get(name).and_then(Value::as_str);
        let Some(issuer) = claim("iss") else {
            return Ok(Err((None, "client assertion without iss")));
        };
        if claim("sub") != Some(issuer) || client_id.is_some_and(|c| c != issuer) {
            return Ok(Err((None, "client assertion iss, sub and client_id differ")));
        }
        let Some(client) = self.store.client_by_id(issuer).await? else {
            return Ok(Err((None, "invalid client")));
        };
        let id = Some(client.id.clone());
        let Some(keys) = client.jwks.as_deref().and_then(|k| serde_json::from_str::<Value>(k).ok())
        else {
            return Ok(Err((id, "client has no registered keys")));
        };
        let kid = jws.header.get("kid").and_then(Value::as_str);
        let verified = keys["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|k| kid.is_none() || k.get("kid").and_then(Value::as_str) == kid)
            .filter_map(|k| jose::spki_from_jwk(k).ok())
            .any(|spki| jose::verify_jws(&jws, &spki).is_ok());
        if !verified {
            return Ok(Err((id, "client assertion signature does not verify")));
        }
        let issuer_url = self.issuer();
        let audience_ok = match jws.claims.get("aud") {
            Some(Value::String(a)) => a == endpoint_url || *a == issuer_url,
            Some(Value::Array(list)) => {
                list.iter().filter_map(Value::as_str).any(|a| a == endpoint_url || a == issuer_url)
            }
            _ => false,
        };
        if !audience_ok {
            return Ok(Err((id, "client assertion for another audience")));
        }
        let now = self.clock.now();
        let time = |name: &str| jws.claims.get(name).and_then(Value::as_i64);
        let Some(exp) = time("exp").filter(|e| *e > now && *e <= now + MAX_ASSERTION_LIFE) else {
            return Ok(Err((id, "client assertion expired or too long-lived")));
        };
        if time("iat").is_some_and(|t| t > now + SKEW)
            || time("nbf").is_some_and(|t| t > now + SKEW)
        {
            return Ok(Err((id, "client assertion not yet valid")));
        }
        let Some(jti) = claim("jti").filter(|j| !j.is_empty() && j.len() <= 256) else {
            return Ok(Err((id, "client assertion without jti")));
        };
        let first = self
            .store
            .record_client_assertion(
                &secret_hash(&format!("{}:{jti}", client.id)),
                &client.id,
                exp,
                now,
            )
            .await?;
        if !first {
            return Ok(Err((id, "client assertion replayed")));
        }
        Ok(Ok(client))
    }
}
