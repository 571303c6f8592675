//! The OAuth 2.0 authorization server's and OpenID provider's protocol pieces, without
//! I/O: validation of authorization requests (RFC 6749, RFC 9700, OpenID Connect Core,
//! CSC v1.0.4.0 §8.4.2, RFC 9396), PKCE (RFC 7636), JOSE (RFC 7515/7517/7518/7638/7523),
//! the eIDAS levels of assurance and a group's authentication flow. The use cases that
//! combine them with the store, the SAM and the audit log are the engine's.

mod flow;
pub mod jose;
mod pkce;
pub mod request;

pub use flow::{AuthFlow, SESSION_TTL};
pub use pkce::check_verifier;
pub use request::{CredentialRequest, RequestError, ValidRequest};

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

/// The redirect URI with `params` added to its query (RFC 6749 §4.1.2: "retaining" the
/// query it had) and `iss` (RFC 9207 §2).
pub fn response_url(issuer: &str, redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let Ok(mut url) = url::Url::parse(redirect_uri) else { return redirect_uri.to_owned() };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("iss", issuer);
    }
    url.into()
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
