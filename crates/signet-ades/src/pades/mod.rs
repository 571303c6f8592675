//! PAdES baseline signatures (ETSI EN 319 142-1): CAdES-detached signatures in PDF
//! signature dictionaries, added by incremental update (ISO 32000-1 §7.5.6) so the bytes
//! of the original — and of every earlier signature — stay untouched.
//!
//! ```text
//! prepared = pades::prepare_signature(pdf, &options, capacity)   -- the update, with a hole
//! digest   = prepared.digest(pdf, SHA-256)                      -- over the /ByteRange
//! cms      = CAdES over `digest` (no signing-time: EN 319 142-1 §5.3), + signature time-stamp (B-T)
//! prepared.embed(cms); signed = pdf ‖ prepared.update()
//! B-LT:  signed ‖ pades::add_validation_data(signed, …)        -- the /DSS (§5.4.2)
//! B-LTA: … ‖ a document time-stamp (prepare_document_timestamp, §5.4.3)
//! ```
//!
//! The original document is read through [`Source`], and only the parts an update needs
//! are read, so a file of hundreds of megabytes is handled from disk in bounded memory.

mod appearance;
mod dss;
mod field;
mod prepared;
mod structure;

pub use appearance::Jpeg;
pub use dss::{add_validation_data, ValidationData};
pub use field::pdf_date;
pub use prepared::{hash_source, PreparedPdf};
pub use structure::ExistingSignature;

use crate::pdf::{PdfReader, Source};
use crate::AdesError;

/// A visible signature's place and look.
#[derive(Debug, Clone)]
pub struct Appearance {
    /// The page, from 1.
    pub page: u32,
    /// `[x1 y1 x2 y2]` in default user space units (points), origin bottom left.
    pub rect: [f64; 4],
    /// The lines of text shown (signer, date, reason…).
    pub lines: Vec<String>,
    /// An image shown on the left.
    pub image: Option<Jpeg>,
}

/// What the signature dictionary and field say.
#[derive(Debug, Clone, Default)]
pub struct SignatureOptions {
    /// The field's name; `SignatureN` (the first free) when `None`.
    pub field_name: Option<String>,
    /// `/Name`: the signer's name.
    pub signer_name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// `/M`, the claimed signing time (unix seconds).
    pub signing_time: i64,
    /// Visible when `Some`; an invisible (zero-size) widget on page 1 otherwise.
    pub appearance: Option<Appearance>,
    /// A certification signature with DocMDP permissions `P` (ISO 32000-1 §12.8.2.2:
    /// 1 no changes, 2 form filling and signing, 3 also annotations).
    pub certify: Option<u8>,
}

/// What is being added.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind<'a> {
    Signature(&'a SignatureOptions),
    DocumentTimestamp,
}

/// Prepares a signature: the update with the signature field and dictionary, and room for
/// `capacity` bytes of CMS (the signature, its time-stamp token and certificates).
pub fn prepare_signature(
    pdf: &dyn Source,
    options: &SignatureOptions,
    capacity: usize,
) -> Result<PreparedPdf, AdesError> {
    if let Some(p) = options.certify {
        if !(1..=3).contains(&p) {
            return Err(AdesError::InvalidRequest("DocMDP permissions must be 1, 2 or 3".into()));
        }
    }
    let reader = PdfReader::open(pdf)?;
    field::prepare(&reader, &Kind::Signature(options), capacity)
}

/// Prepares a document time-stamp (EN 319 142-1 §5.4.3, `/SubFilter /ETSI.RFC3161`): the
/// digest of its byte range is the time-stamp request's message imprint, and the token is
/// what is embedded.
pub fn prepare_document_timestamp(
    pdf: &dyn Source,
    capacity: usize,
) -> Result<PreparedPdf, AdesError> {
    let reader = PdfReader::open(pdf)?;
    field::prepare(&reader, &Kind::DocumentTimestamp, capacity)
}

/// The signatures and document time-stamps in a PDF, in the order they were made.
pub fn signatures(pdf: &dyn Source) -> Result<Vec<ExistingSignature>, AdesError> {
    let reader = PdfReader::open(pdf)?;
    let (_, catalog) = reader.catalog()?;
    let form = structure::form(&reader, &catalog)?;
    Ok(structure::signatures_and_names(&reader, &form)?.1)
}
