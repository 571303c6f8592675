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
mod flow;
mod id_token;
mod interaction;
pub(crate) mod jose;
mod request;
mod session;
mod userinfo;

pub use client_auth::{ClientCredentials, JWT_BEARER};
pub use code::{CodeRedemption, OAuthTokens, TokenError};
pub use flow::AuthFlow;
pub use interaction::{ApprovePage, ConsentPage, Interaction, LoginPage, PageContext, StepUpPage};
pub use request::{CredentialRequest, RequestError, ValidRequest};
pub use session::NewSession;
pub use userinfo::UserinfoError;

/// How long a validated authorization request waits for the signer (seconds).
pub const REQUEST_TTL: i64 = 600;
/// How long an authorization code may be redeemed (seconds; RFC 6749 §4.1.2: "a maximum
/// authorization code lifetime of 10 minutes is RECOMMENDED" — one minute is plenty).
pub const CODE_TTL: i64 = 60;
/// Lifetime of a login session at the identity provider (seconds) when the group sets
/// none.
pub const SESSION_TTL: i64 = 8 * 3600;
/// Lifetime of an ID token (seconds).
pub const ID_TOKEN_TTL: i64 = 300;

/// An eIDAS level of assurance (Regulation (EU) 2015/1502 §2.1), as OpenID Connect
/// `acr` values (the eIDAS SAML URIs, also used by eIDAS OIDC profiles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Loa {
    /// One factor.
    Low,
    /// Two factors of different kinds.
    Substantial,
    /// Two factors, one of them bound to a protected device.
    High,
}

impl Loa {
    /// `low`, `substantial`, `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Substantial => "substantial",
            Self::High => "high",
        }
    }

    /// The `acr` URI.
    pub fn acr(self) -> &'static str {
        match self {
            Self::Low => "http://eidas.europa.eu/LoA/low",
            Self::Substantial => "http://eidas.europa.eu/LoA/substantial",
            Self::High => "http://eidas.europa.eu/LoA/high",
        }
    }

    /// Parses [`Loa::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "substantial" => Some(Self::Substantial),
            "high" => Some(Self::High),
            _ => None,
        }
    }

    /// The level that the RFC 8176 methods proven reach: a password alone is low; a
    /// password and a one-time code (another kind of factor) substantial.
    pub fn of_methods(amr: &[&str]) -> Self {
        let knowledge = amr.iter().any(|m| *m == "pwd" || *m == "pin");
        let possession = amr.iter().any(|m| *m == "otp" || *m == "hwk" || *m == "swk");
        if knowledge && possession {
            Self::Substantial
        } else {
            Self::Low
        }
    }
}

/// `#rrggbb` (a page colour that is safe to put in a stylesheet).
pub fn is_hex_color(c: &str) -> bool {
    c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Hex SHA-256 of a secret a browser or client holds (cookie, code, assertion id).
fn secret_hash(value: &str) -> String {
    crate::tokens::token_hash(value)
}

impl crate::Engine {
    /// How the pages of a group look (its policy's branding, defaults otherwise).
    pub fn branding(&self, group: &str) -> crate::Branding {
        self.settings.policies.groups.get(group).map(|p| p.branding.clone()).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::Loa;

    #[test]
    fn levels_of_assurance_follow_the_factors() {
        assert_eq!(Loa::of_methods(&["pwd"]), Loa::Low);
        assert_eq!(Loa::of_methods(&["otp"]), Loa::Low);
        assert_eq!(Loa::of_methods(&["pwd", "otp"]), Loa::Substantial);
        assert!(Loa::Low < Loa::Substantial && Loa::Substantial < Loa::High);
        for l in [Loa::Low, Loa::Substantial, Loa::High] {
            assert_eq!(Loa::parse(l.as_str()), Some(l));
        }
    }
}
