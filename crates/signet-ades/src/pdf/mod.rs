//! The PDF file layer PAdES needs (ISO 32000-1 §7): read the cross-reference chain and
//! single objects of an existing file, and append an incremental update. Large files are
//! never parsed whole: see [`reader::PdfReader`].

pub mod filter;
pub mod object;
pub mod parse;
pub mod reader;
pub mod source;
pub mod update;

pub use object::{dict, Dict, Object, ObjectId};
pub use reader::PdfReader;
pub use source::{Appended, FileSource, Source};
pub use update::{Update, Written};

/// Why a PDF could not be read or updated.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No `%PDF-` header.
    #[error("the document is not a PDF (no %PDF- header)")]
    NotPdf,
    /// The file is damaged where an update must rely on it.
    #[error("the PDF cannot be updated safely: {0}")]
    Malformed(String),
    /// A feature this implementation does not handle.
    #[error("the PDF uses something not supported: {0}")]
    Unsupported(String),
    /// Encrypted PDFs are refused.
    #[error("encrypted PDFs cannot be signed here; remove the encryption first")]
    Encrypted,
    /// The bytes could not be read.
    #[error("the document could not be read: {0}")]
    Io(#[from] std::io::Error),
}
