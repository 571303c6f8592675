//! Signet's AdES formats. Pure logic (see `DESIGN.md`): bytes, a clock value and a
//! signature in, bytes out. The signer's key is never here: a signature is made in two
//! steps so that the SAM can sign exactly the digest the signer authorised.
//!
//! ```text
//! prepared  = cades::prepare(&CadesRequest { content digest, signer certificate, … })
//! DTBS/R    = prepared.digest_to_sign()          -- authorised by the signer, signed by the SAM
//! signature = cades::complete(prepared, signature value)
//! augment   : add_signature_timestamp (B-T), add_validation_data (B-LT),
//!             archive_timestamp_imprint + add_archive_timestamp (B-LTA, repeatable)
//! read      : cades::inspect(any CMS signature) → signer, validation data, tokens, level
//! PAdES     : pades::prepare_signature → digest of the byte range → CAdES → embed
//! XAdES     : xades::prepare → H(C14N(ds:SignedInfo)) → xades::complete; unsigned
//!             properties for B-T, B-LT, B-LTA on the XML layer (`xml`)
//! ```

pub mod cades;
mod error;
pub mod pades;
pub mod pdf;
pub mod xades;
pub mod xml;

pub use error::AdesError;
