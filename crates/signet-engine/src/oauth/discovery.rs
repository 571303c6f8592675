//! Authorization server metadata (RFC 8414 §2) and OpenID Provider metadata (OpenID
//! Connect Discovery 1.0 §3): one document, served at both well-known addresses.

use crate::Engine;
use serde_json::{json, Value};

use super::Loa;

impl Engine {
    /// The metadata document; `issuer` is the public URL.
    pub fn oauth_metadata(&self) -> Value {
        let issuer = self.issuer();
        let at = |path: &str| format!("{issuer}{path}");
        json!({
            "issuer": issuer,
            "authorization_endpoint": at("/oauth2/authorize"),
            "token_endpoint": at("/oauth2/token"),
            "jwks_uri": at("/oauth2/jwks"),
            "userinfo_endpoint": at("/oidc/userinfo"),
            "revocation_endpoint": at("/oauth2/revoke"),
            "introspection_endpoint": at("/oauth2/introspect"),
            "end_session_endpoint": at("/logout"),
            "scopes_supported": crate::CLIENT_SCOPES,
            "claims_supported": [
                "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash",
                "name", "given_name", "family_name", "email", "phone_number", "loa"
            ],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "token_endpoint_auth_signing_alg_values_supported":
                ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"],
            "revocation_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
            "introspection_endpoint_auth_methods_supported":
                ["client_secret_basic", "client_secret_post", "private_key_jwt"],
            "acr_values_supported": [Loa::Low.acr(), Loa::Substantial.acr(), Loa::High.acr()],
            "prompt_values_supported": ["none", "login", "consent"],
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "authorization_response_iss_parameter_supported": true,
            "authorization_details_types_supported": ["credential"],
        })
    }
}
