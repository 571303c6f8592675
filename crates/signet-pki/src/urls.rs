//! Where relying parties fetch a CA's certificate, its CRL and OCSP answers; written into
//! the `authorityInfoAccess` (RFC 5280 §4.2.2.1) and `cRLDistributionPoints`
//! (RFC 5280 §4.2.1.13) extensions of the certificates a CA issues.

/// The public base URL of this Signet deployment, from which the PKI URLs are derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiUrls {
    /// e.g. `https://signet.example.org` (a trailing `/` is ignored).
    pub public_url: String,
}

impl PkiUrls {
    /// Creates the URL set for a base URL.
    pub fn new(public_url: impl Into<String>) -> Self {
        Self { public_url: public_url.into() }
    }

    fn base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// The CA certificate (DER) of `ca_id`: the `id-ad-caIssuers` access location.
    pub fn ca_issuers(&self, ca_id: &str) -> String {
        format!("{}/pki/ca/{ca_id}.crt", self.base())
    }

    /// The OCSP responder: the `id-ad-ocsp` access location (RFC 6960 §3.1).
    pub fn ocsp(&self) -> String {
        format!("{}/pki/ocsp", self.base())
    }

    /// The CRL (DER) of `ca_id`: the distribution point's `fullName`.
    pub fn crl(&self, ca_id: &str) -> String {
        format!("{}/pki/crl/{ca_id}.crl", self.base())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_ignore_a_trailing_slash() {
        for base in ["https://s.example", "https://s.example/"] {
            let u = PkiUrls::new(base);
            assert_eq!(u.ca_issuers("ca-1"), "https://s.example/pki/ca/ca-1.crt");
            assert_eq!(u.ocsp(), "https://s.example/pki/ocsp");
            assert_eq!(u.crl("ca-1"), "https://s.example/pki/crl/ca-1.crl");
        }
    }
}
