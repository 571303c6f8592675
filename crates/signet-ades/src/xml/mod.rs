//! The XML layer under XAdES: a parser that refuses what a signing service must never
//! process (document type declarations — hence external entities and entity expansion —,
//! nesting past a depth, elements with too many attributes, duplicate `Id`s), the six
//! W3C canonicalization methods (through bergshamra's C14N on uppsala's DOM), and small
//! text edits that insert new elements without touching the bytes around them.
//!
//! Nothing here fetches anything: a reference to an external resource is resolved by the
//! caller (XMLDSig §4.4.3.1 leaves dereferencing to the application).

mod c14n;
mod edit;
mod parse;

pub use c14n::Canonicalization;
pub(crate) use c14n::{canonical_document_to, canonical_element, canonical_octets};
pub(crate) use edit::{ancestors_skeleton, escape, insert, insertion_point_in, Edit};
pub use parse::XmlLimits;
pub(crate) use parse::{attribute, child_elements, find_child, is_element, parse, text_of, Parsed};

/// `http://www.w3.org/2000/09/xmldsig#` (XMLDSig core).
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
