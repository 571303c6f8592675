//! XAdES signatures (ETSI EN 319 132-1), from B-B to B-LTA, on XMLDSig (W3C XML Signature
//! 1.1). Pure logic, like the CAdES module: the signature value comes from the SAM in a
//! second step, time-stamp tokens and validation material are passed in.
//!
//! ```text
//! B-B    prepare → DTBS/R = H(C14N(ds:SignedInfo)) (signed by the SAM) → complete   sign.rs
//! B-T    signature_timestamp_imprint → TSA → add_signature_timestamp               unsigned.rs
//! B-LT   add_validation_data (CertificateValues, RevocationValues; later
//!        xadesv141:TimeStampValidationData)                                         unsigned.rs
//! B-LTA  archive_timestamp_imprint → TSA → add_archive_timestamp (repeatable)       archive.rs
//! any    inspect → the signer, its certificates, tokens and level                   inspect.rs
//! ```
//!
//! Packagings (EN 319 132-1 §4.2): *enveloped* (the signature inside the signed document,
//! the reference `URI=""` with the enveloped-signature transform), *enveloping* (the data
//! in a `ds:Object` of the signature: XML as it is, other bytes in base64 with the base64
//! transform) and *detached* (references to elements of the same document by `Id`, or to
//! external resources by URI and digest).
//!
//! New elements are inserted into the document's text; nothing else in it changes.

mod algorithms;
mod archive;
mod inspect;
mod locate;
mod properties;
mod references;
mod sign;
mod unsigned;

pub use algorithms::{digest_uri, signature_from_uri, signature_uri};
pub use archive::{archive_timestamp_imprint, ArchiveImprint};
pub use inspect::{inspect, XadesInfo};
pub use properties::commitment_uri;
pub use sign::{complete, prepare, sign, PreparedXml, XadesRequest};
pub use unsigned::{
    add_archive_timestamp, add_signature_timestamp, add_validation_data,
    signature_timestamp_imprint,
};

use crate::xml::Canonicalization;
use signet_types::HashAlgorithm;

/// `http://uri.etsi.org/01903/v1.3.2#`: XAdES (EN 319 132-1 Annex A).
pub const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// `http://uri.etsi.org/01903/v1.4.1#`: the XAdES 1.4.1 elements (`ArchiveTimeStamp`,
/// `TimeStampValidationData`).
pub const XADES141: &str = "http://uri.etsi.org/01903/v1.4.1#";
/// The `Type` of the reference to the signed properties (EN 319 132-1 §4.3.6).
pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";

/// Where the signature is, relative to what it signs (EN 319 132-1 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Packaging {
    /// Inside the signed XML document.
    #[default]
    Enveloped,
    /// The signed data inside the signature.
    Enveloping,
    /// Beside the signed data: elements of the document by `Id`, or external resources.
    Detached,
}

impl Packaging {
    /// `enveloped`, `enveloping`, `detached`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Enveloped => "enveloped",
            Self::Enveloping => "enveloping",
            Self::Detached => "detached",
        }
    }

    /// From the API's name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Enveloped, Self::Enveloping, Self::Detached].into_iter().find(|p| p.name() == name)
    }
}

/// A resource signed by URI, whose digest the caller computed (XMLDSig §4.4.3.1).
#[derive(Debug, Clone)]
pub struct ExternalReference {
    /// The URI written into `ds:Reference/@URI`.
    pub uri: String,
    /// Its digest with the signature's hash.
    pub digest: Vec<u8>,
    /// Its MIME type (DataObjectFormat), `application/octet-stream` by default.
    pub mime_type: Option<String>,
}

/// An explicit signature policy (EN 319 132-1 §5.2.9).
#[derive(Debug, Clone)]
pub struct SignaturePolicy {
    /// The policy's identifier (a URI, `urn:oid:…` for an OID).
    pub identifier: String,
    /// The hash of the policy document's digest.
    pub hash: HashAlgorithm,
    /// The policy document's digest.
    pub digest: Vec<u8>,
    /// Where the policy document can be read (`SPURI`).
    pub uri: Option<String>,
}

/// What a XAdES signature is asked to be.
#[derive(Debug, Clone, Default)]
pub struct XadesOptions {
    /// Enveloped (default), enveloping or detached.
    pub packaging: Packaging,
    /// The canonicalization of `ds:SignedInfo`, of the references and of the
    /// time-stamped elements; exclusive C14N by default.
    pub canonicalization: Canonicalization,
    /// The `Id` of the element that receives the signature (enveloped; detached with
    /// `sibling_ids`); the document element when `None`.
    pub parent_id: Option<String>,
    /// Detached: the elements of the document signed by `#Id` references.
    pub sibling_ids: Vec<String>,
    /// Detached without `sibling_ids`: the URI by which the signature names the document
    /// it was given (default `document`).
    pub document_uri: Option<String>,
    /// Detached: other resources, by URI and digest.
    pub external: Vec<ExternalReference>,
    /// The MIME type of the document (`text/xml` for XML, else
    /// `application/octet-stream`).
    pub mime_type: Option<String>,
    /// Claimed roles (SignerRoleV2).
    pub signer_roles: Vec<String>,
    /// A commitment type: a name of [`commitment_uri`] or a URI.
    pub commitment_type: Option<String>,
    /// An explicit signature policy.
    pub signature_policy: Option<SignaturePolicy>,
}
