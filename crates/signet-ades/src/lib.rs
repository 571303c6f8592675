//! Signet's AdES formats. Pure logic (see `DESIGN.md`): bytes, a clock value and a
//! signature in, bytes out. The signer's key is never here: a signature is made in two
//! steps so that the SAM can sign exactly the digest the signer authorised.
//!
//! ```text
//! prepared  = cades::prepare(&CadesRequest { content digest, signer certificate, … })
//! DTBS/R    = prepared.digest_to_sign()          -- authorised by the signer, signed by the SAM
//! signature = cades::complete(prepared, signature value)
//! ```

pub mod cades;
mod error;
pub mod pades;
pub mod pdf;

pub use error::AdesError;
