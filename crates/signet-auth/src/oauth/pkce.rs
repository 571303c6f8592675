//! PKCE (RFC 7636): the token request's `code_verifier` against the authorization
//! request's S256 `code_challenge`.

/// RFC 7636 §4.6: BASE64URL(SHA-256(code_verifier)) must equal the challenge; a verifier
/// without a challenge is refused too (RFC 9700 §2.1.1, PKCE downgrade).
pub fn check_verifier(challenge: Option<&str>, verifier: Option<&str>) -> Result<(), &'static str> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err("code_verifier sent but the authorization request had no PKCE"),
        (Some(_), None) => Err("PKCE: missing code_verifier"),
        (Some(c), Some(v)) => {
            // RFC 7636 §4.1: 43 to 128 unreserved characters.
            let shape = (43..=128).contains(&v.len())
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let digest =
                signet_crypto::digest::digest(signet_types::HashAlgorithm::Sha256, v.as_bytes());
            if shape && super::jose::b64url(&digest) == c {
                Ok(())
            } else {
                Err("PKCE: code_verifier does not match the code_challenge")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_verifier;

    #[test]
    fn pkce_verifier_matches_rfc7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert_eq!(check_verifier(Some(challenge), Some(verifier)), Ok(()));
        assert!(check_verifier(Some(challenge), Some(&verifier.replace('d', "e"))).is_err());
        assert!(check_verifier(Some(challenge), None).is_err());
        assert!(check_verifier(None, Some(verifier)).is_err());
        assert!(check_verifier(Some(challenge), Some("short")).is_err());
        assert_eq!(check_verifier(None, None), Ok(()));
    }
}
