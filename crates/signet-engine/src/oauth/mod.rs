//! The OAuth 2.0 authorization server (RFC 6749, hardened per RFC 9700) and OpenID
//! Connect provider (OpenID Connect Core 1.0) of the built-in identity provider, with the
//! CSC v1.0.4.0 §8 `service` and `credential` scopes: the signer logs in, consents and
//! approves in the browser, and the client redeems a single-use code for tokens.
//!
//! Everything single-use (a request's answer, a code, a refresh token, a client
//! assertion) is decided by the database (DESIGN.md: never one node's memory).

mod client_auth;
mod code;
mod credential_token;
mod discovery;
mod id_token;
mod interaction;
mod notice;
mod session;
mod userinfo;

pub use client_auth::{ClientCredentials, JWT_BEARER};
pub use code::{CodeRedemption, OAuthTokens, TokenError};
pub use interaction::{
    ApprovePage, ConsentPage, Interaction, LoginPage, PageContext, StepUpPage, CONSENTED_SCOPES,
};
pub use notice::{LoginError, Notice};
pub use session::NewSession;
pub use signet_auth::oauth::{
    is_hex_color, AuthFlow, CredentialRequest, Loa, RequestError, ValidRequest, SESSION_TTL,
};
pub(crate) use signet_auth::oauth::{jose, request};
pub use userinfo::UserinfoError;

/// How long a validated authorization request waits for the signer (seconds).
pub const REQUEST_TTL: i64 = 600;
/// How long an authorization code may be redeemed (seconds; RFC 6749 §4.1.2: "a maximum
/// authorization code lifetime of 10 minutes is RECOMMENDED" — one minute is plenty).
pub const CODE_TTL: i64 = 60;
/// Lifetime of an ID token (seconds).
pub const ID_TOKEN_TTL: i64 = 300;

/// Hex SHA-256 of a secret a browser or client holds (cookie, code, assertion id).
fn secret_hash(value: &str) -> String {
    crate::tokens::token_hash(value)
}

impl crate::Engine {
    /// How the pages of a group look (its policy's branding, defaults otherwise);
    /// borrowed, as every page asks and a logo may be large.
    pub fn branding(&self, group: &str) -> &crate::Branding {
        static DEFAULT: std::sync::OnceLock<crate::Branding> = std::sync::OnceLock::new();
        match self.settings.policies.groups.get(group) {
            Some(p) => &p.branding,
            None => DEFAULT.get_or_init(crate::Branding::default),
        }
    }

    /// A group's authentication flow (its policy's, defaults otherwise).
    pub fn auth_flow(&self, group: &str) -> AuthFlow {
        self.settings.policies.groups.get(group).map(|p| p.auth.clone()).unwrap_or_default()
    }

    /// The authentication flow of the group with this id.
    pub(crate) async fn auth_flow_of(
        &self,
        group_id: &str,
    ) -> Result<AuthFlow, crate::EngineError> {
        let group = self.store.group_by_id(group_id).await?;
        Ok(group.map(|g| self.auth_flow(&g.name)).unwrap_or_default())
    }
}
