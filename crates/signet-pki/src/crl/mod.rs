//! Certificate revocation lists (RFC 5280 §5): issued by Signet's CAs, and verified when
//! fetched from other CAs ([`verify_crl`]).
//!
//! ```text
//! issue_crl(CrlParams { issuer_certificate, this_update, next_update, crl_number, revoked }, signer)
//!   → DER CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
//!       tbsCertList = v2, issuer = the issuer certificate's subject,
//!                     revokedCertificates { serial, revocationDate, [reasonCode] },
//!                     crlExtensions { authorityKeyIdentifier, cRLNumber }
//! ```
//!
//! Pure logic: the times and the CRL number are passed in, and the list is signed over a
//! digest by a [`signet_crypto::Signer`] holding the issuing CA's key.

mod issue;
mod reason;
mod verify;

pub use issue::{issue_crl, CrlParams, RevokedEntry};
pub use reason::{RevocationReason, UnknownRevocationReason};
pub use verify::{verify_crl, CrlInfo};
