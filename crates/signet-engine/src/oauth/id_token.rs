//! The ID token (OpenID Connect Core §2, §3.1.3.6) and the key set that verifies it
//! (RFC 7517). It is a JWS signed with the token-signing service key, held in the
//! crypto module like the TSA's and the OCSP responder's.

use super::jose;
use super::{Loa, ID_TOKEN_TTL};
use crate::{Engine, EngineError};
use serde_json::{json, Value};
use signet_crypto::Signer;
use signet_store::{Grant, User};
use signet_types::HashAlgorithm;

impl Engine {
    /// The signed ID token of a grant, for the access token issued with it.
    pub(super) async fn id_token(
        &self,
        grant: &Grant,
        user: &User,
        access_token: &str,
        now: i64,
    ) -> Result<String, EngineError> {
        let key = self.token_key().await?;
        let signer = key.signer();
        let alg = jose::jws_alg(signer.algorithm())
            .ok_or_else(|| EngineError::Integrity("token key algorithm".into()))?;
        let kid = jose::jwk_from_spki(signer.public_key(), alg)
            .map_err(|e| EngineError::Integrity(e.to_string()))?["kid"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let loa = Loa::parse(&grant.acr).unwrap_or(Loa::Low);
        let mut claims = json!({
            "iss": self.issuer(),
            "sub": user.id,
            "aud": grant.client_id,
            "exp": now + ID_TOKEN_TTL,
            "iat": now,
            "auth_time": grant.auth_time,
            "acr": loa.acr(),
            "amr": grant.amr.split(' ').filter(|m| !m.is_empty()).collect::<Vec<_>>(),
            // §3.1.3.6: the left half of the SHA-256 of the access token, base64url.
            "at_hash": at_hash(access_token),
        });
        if let Some(nonce) = &grant.nonce {
            claims["nonce"] = json!(nonce);
        }
        jose::sign_jws(&signer, &kid, &claims).map_err(|e| EngineError::Integrity(e.to_string()))
    }

    /// The JWK Set of the keys ID tokens are signed with (RFC 7517 §5).
    pub async fn jwks(&self) -> Result<Value, EngineError> {
        let key = self.token_key().await?;
        let signer = key.signer();
        let alg = jose::jws_alg(signer.algorithm())
            .ok_or_else(|| EngineError::Integrity("token key algorithm".into()))?;
        let jwk = jose::jwk_from_spki(signer.public_key(), alg)
            .map_err(|e| EngineError::Integrity(e.to_string()))?;
        Ok(json!({ "keys": [jwk] }))
    }

    async fn token_key(
        &self,
    ) -> Result<std::sync::Arc<crate::service_keys::LoadedServiceKey>, EngineError> {
        self.service_key(&crate::service_keys::TOKEN)
            .await?
            .ok_or_else(|| EngineError::Unavailable("the token-signing key is not set up".into()))
    }
}

/// OpenID Connect Core §3.1.3.6 `at_hash`.
fn at_hash(access_token: &str) -> String {
    let digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, access_token.as_bytes());
    jose::b64url(&digest[..digest.len() / 2])
}

#[cfg(test)]
mod tests {
    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223 b00361a396177a9cb410ff61f20015ad
        assert_eq!(super::at_hash("abc"), "ungWv48Bz-pBQUDeXa4iIw");
    }
}
