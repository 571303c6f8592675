//! RFC 3161 time-stamping: requests, tokens and responses of Signet's TSA.
//!
//! ```text
//! client ── TimeStampReq (§2.4.1) ──▶ parse_request ──▶ TimeStampRequest
//!                                      issue_token(req, TokenParams{policy, serial, time…}, signer)
//!                                        → TimeStampToken = ContentInfo { SignedData {        -- RFC 5652 §5
//!                                              eContent TSTInfo (§2.4.2),
//!                                              signedAttrs { contentType, messageDigest,
//!                                                            signingCertificateV2 } } }    -- RFC 5035 §3
//! client ◀── TimeStampResp (§2.4.2) ── response_granted(token) | response_rejection(fail, text)
//! ```
//!
//! Pure logic like the rest of the crate: the time, the serial number and the TSA's
//! policy are passed in ([`TokenParams`]), and the token is signed over a digest by a
//! [`signet_crypto::Signer`] holding the TSA key. The ASN.1 is written with `der` derives
//! (the published TSP/ESS crates are on the der 0.7 line); each type quotes its module.

mod asn1;
mod gentime;
mod info;
mod request;
mod response;
mod token;

pub use info::{parse_token_info, TokenInfo};
pub use request::{parse_request, TimeStampRequest};
pub use response::{response_granted, response_rejection, FailureInfo};
pub use token::{issue_token, TokenParams};
