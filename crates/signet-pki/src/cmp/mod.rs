//! A sans-I/O CMP client for the Lightweight CMP profile (RFC 9483) of CMP (RFC 9810,
//! which obsoletes RFC 4210) with CRMF requests (RFC 4211): Signet's connector to an
//! external CA.
//!
//! ```text
//! (tx, ir) = Transaction::start(Initialize(CertificateRequest { subject, publicKey, pop }),
//!                               Protection::Pbm { reference, secret } | Signature { … },
//!                               sender, recipient, transactionID, Nonces, now)
//! POST ir (application/pkixcmp) ──▶ CA ──▶ ip
//! tx.receive(ip, protection, ResponseTrust, Nonces, now) → Step::Send(certConf)    -- §4.1.1
//! POST certConf ──▶ CA ──▶ pkiConf
//! tx.receive(pkiConf, …) → Step::Done(Outcome::Certificate { certificate, caPubs, extraCerts })
//!
//! cr → cp (§4.1.2), kur → kup (§4.1.3) likewise; rr → rp → Done(Revoked) (§4.2);
//! implicitConfirm granted → Done right after ip/cp/kup.
//! ```
//!
//! Pure logic: the caller does the HTTP transfer (RFC 9811 / RFC 6712: POST with
//! `Content-Type: application/pkixcmp`), and passes in the random transactionID, nonces
//! and salts and the time. Every response is checked: protection (PBM with the shared
//! secret, or a signature by a certificate that chains to a trusted one), transactionID,
//! recipNonce, body type, certReqId, status and the issued certificate's key. A refusal by
//! the CA is [`CmpError::Rejected`]; anything else is a protocol, protection or format
//! error. The ASN.1 is written with `der` derives.

mod asn1;
mod crmf;
mod error;
mod message;
mod protection;
mod request;
mod response;
mod status;
#[cfg(test)]
mod tests;
mod transaction;
pub(crate) mod trust;

pub use error::CmpError;
pub use protection::{Protection, ResponseTrust, PBM_ITERATIONS, PBM_MAX_ITERATIONS};
pub use request::{CertificateRequest, CmpRequest, ProofOfPossession};
pub use status::{PkiStatus, Rejection};
pub use transaction::{Nonces, Outcome, Step, Transaction};
