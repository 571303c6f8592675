//! Signet's PKI: X.509 certificate profiles and issuance (RFC 5280; ETSI EN 319 412-2 for
//! natural persons, EN 319 412-3 for legal persons), certificate parsing and PEM.
//!
//! Pure logic (see `DESIGN.md`): nothing here reads a clock, a file, the network or a
//! random source. Times and serial numbers are passed in, and every signature is made by
//! a [`signet_crypto::Signer`] over a digest, so the key stays in its crypto module.
//!
//! ```text
//! issue(IssueRequest { profile, subject, subject_public_key, serial, validity, issuer, urls }, signer)
//!   → DER Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
//! ```
//!
//! [`crl`] issues and verifies RFC 5280 §5 certificate revocation lists, [`ocsp`] parses RFC 6960
//! requests, issues responses and verifies other responders' responses, [`aia`] reads where
//! a certificate's issuer and revocation status are published, and [`tsp`] holds the
//! RFC 3161 time-stamping messages of Signet's TSA.

pub mod aia;
pub mod algorithm_identifier;
pub mod cmp;
pub mod cms;
pub mod content;
pub mod crl;
mod error;
mod extensions;
mod issue;
mod name;
pub mod ocsp;
mod parse;
mod profile;
mod tbs;
mod time;
pub mod tsp;
mod urls;

pub use content::CertificateContent;
pub use error::PkiError;
pub use issue::{issue, serial_from_random, IssueRequest, Issuer, Subject};
pub use name::subject_name;
pub use parse::{parse_certificate, public_key_pem, split_chain, to_pem, CertificateInfo};
pub use profile::{Profile, UnknownProfile};
pub use urls::PkiUrls;
