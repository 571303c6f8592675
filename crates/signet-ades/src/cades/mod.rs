//! CAdES signatures (ETSI EN 319 122-1), from B-B to B-LTA, and reading any CMS signature
//! back.
//!
//! ```text
//! B-B    prepare → DTBS/R (signed by the SAM) → complete                         this file
//! B-T    signature_timestamp_imprint → TSA → add_signature_timestamp             timestamp.rs
//! B-LT   add_validation_data (certificates, CRLs, OCSP into SignedData)          validation_data.rs
//! B-LTA  archive_timestamp_imprint → TSA → add_archive_timestamp (repeatable)    archive.rs
//! any    inspect → SignatureInfo { signer, validation data, tokens, level }      inspect.rs
//! ```
//!
//! B-B (EN 319 122-1 §5, EN 319 122-2 §6.3 "CAdES-B-B"): a CMS SignedData (RFC 5652) with
//! the signed attributes content-type, message-digest, signing-time and
//! signing-certificate-v2, detached (the content is not included) or enveloping
//! (attached: the content is the eContent).
//!
//! EN 319 122-1 §5.2.1 content-type and §5.2.2 message-digest are required; §5.2.3
//! signing-certificate-v2 references the signer's certificate (SHA-256 of it, with
//! issuerSerial); §5.2.1 signing-time is present in B-B (EN 319 122-2 Table 1: "shall be
//! present" at B-B). The signer's certificate and its chain (without the trust anchor
//! when the caller leaves it out) go into `certificates` (§5.1).

mod archive;
mod inspect;
mod timestamp;
mod validation_data;
mod view;

pub use archive::{
    add_archive_timestamp, archive_timestamp_imprint, archive_timestamp_imprint_for_digest,
    ArchiveImprint, ID_AA_ATS_HASH_INDEX_V3, ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
};
pub use inspect::{inspect, CadesLevel, SignatureInfo};
pub use timestamp::{
    add_signature_timestamp, signature_timestamp_imprint, ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
};
pub use validation_data::add_validation_data;

use crate::AdesError;
use signet_pki::cms::{signed_data, SignedAttributes, SignedDataParts};
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// `id-data` (RFC 5652 §4): the content type of a signed document.
pub use signet_pki::cms::ID_DATA;

/// Detached or enveloping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// The content is not in the signature (`.p7s` beside the document).
    Detached,
    /// The content is the signature's eContent.
    Enveloping,
}

/// What a CAdES B-B signature is made of, before the signature value.
#[derive(Debug)]
pub struct CadesRequest<'a> {
    /// The digest of the content, with `algorithm.hash()` (for a detached signature the
    /// content itself need never reach the server).
    pub content_digest: &'a [u8],
    /// The content, for an enveloping signature (its digest must be `content_digest`).
    pub content: Option<&'a [u8]>,
    /// The signature algorithm (its hash is the digest algorithm). SHA-1 is refused.
    pub algorithm: SignatureAlgorithm,
    /// The signer's certificate (DER).
    pub signer_certificate: &'a [u8],
    /// Further certificates of the chain (DER), issuer first.
    pub chain: &'a [Vec<u8>],
    /// The claimed signing time, unix seconds (the engine's clock); `None` for PAdES,
    /// whose claimed time is the signature dictionary's `/M` (EN 319 142-1 §5.3 excludes
    /// the signing-time attribute there).
    pub signing_time: Option<i64>,
}

/// A signature waiting for its value.
#[derive(Debug, Clone)]
pub struct Prepared {
    attributes: SignedAttributes,
    algorithm: SignatureAlgorithm,
    signer_certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    content: Option<Vec<u8>>,
    to_sign: Vec<u8>,
}

impl Prepared {
    /// The digest to sign (the DTBS/R): the hash of the DER signed attributes.
    pub fn digest_to_sign(&self) -> &[u8] {
        &self.to_sign
    }

    /// The algorithm the signature value must be made with.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The DER signed attributes, to keep between the two steps.
    pub fn signed_attributes_der(&self) -> Result<Vec<u8>, AdesError> {
        Ok(self.attributes.to_be_signed()?)
    }

    /// The content's digest (the message-digest attribute), with the algorithm's hash.
    pub fn content_digest(&self) -> Result<Vec<u8>, AdesError> {
        Ok(self.attributes.message_digest()?)
    }

    /// The content of an enveloping signature.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// A prepared signature restored from what was kept between the two steps (another
    /// node may complete it): the digest to sign is computed again from the attributes.
    pub fn restore(
        signed_attributes_der: &[u8],
        algorithm: SignatureAlgorithm,
        signer_certificate: &[u8],
        chain: &[Vec<u8>],
        content: Option<&[u8]>,
    ) -> Result<Prepared, AdesError> {
        let attributes = SignedAttributes::from_der(signed_attributes_der)?;
        let to_sign = attributes.digest(algorithm.hash())?;
        Ok(Prepared {
            attributes,
            algorithm,
            signer_certificate: signer_certificate.to_vec(),
            chain: chain.to_vec(),
            content: content.map(<[u8]>::to_vec),
            to_sign,
        })
    }
}

/// Builds the signed attributes and the digest to sign.
pub fn prepare(req: &CadesRequest<'_>) -> Result<Prepared, AdesError> {
    let hash: HashAlgorithm = req.algorithm.hash();
    if req.algorithm.is_legacy() {
        return Err(AdesError::InvalidRequest(format!(
            "{} is not allowed for new AdES signatures (ETSI TS 119 312)",
            req.algorithm.name()
        )));
    }
    if req.content_digest.len() != hash.output_len() {
        return Err(AdesError::InvalidRequest(format!(
            "the content digest must be {} bytes for {}",
            hash.output_len(),
            req.algorithm.name()
        )));
    }
    if let Some(content) = req.content {
        if signet_crypto::digest::digest(hash, content) != req.content_digest {
            return Err(AdesError::InvalidRequest(
                "the content digest is not the digest of the content".into(),
            ));
        }
    }
    let key = signet_pki::parse_certificate(req.signer_certificate)?.public_key;
    let spki = signet_pki::algorithm_identifier::parse_spki(&key, "signer")?;
    if signet_pki::algorithm_identifier::key_family(&spki)? != req.algorithm.family() {
        return Err(AdesError::InvalidRequest(format!(
            "{} does not fit the certificate's key",
            req.algorithm.name()
        )));
    }
    let attributes = SignedAttributes::new(
        ID_DATA,
        req.content_digest,
        req.signer_certificate,
        req.signing_time,
    )?;
    let to_sign = attributes.digest(hash)?;
    Ok(Prepared {
        attributes,
        algorithm: req.algorithm,
        signer_certificate: req.signer_certificate.to_vec(),
        chain: req.chain.to_vec(),
        content: req.content.map(<[u8]>::to_vec),
        to_sign,
    })
}

/// Assembles the DER CAdES signature (a `ContentInfo`) around the signature value.
pub fn complete(prepared: &Prepared, signature: &[u8]) -> Result<Vec<u8>, AdesError> {
    let mut certificates: Vec<&[u8]> = vec![&prepared.signer_certificate];
    certificates.extend(prepared.chain.iter().map(Vec::as_slice));
    Ok(signed_data(&SignedDataParts {
        content_type: ID_DATA,
        content: prepared.content.as_deref(),
        signer_certificate: &prepared.signer_certificate,
        certificates: &certificates,
        algorithm: prepared.algorithm,
        signed_attributes: &prepared.attributes,
        signature,
    })?)
}

/// Both steps with a [`signet_crypto::Signer`] that holds the key (tests, tools).
pub fn sign(
    req: &CadesRequest<'_>,
    signer: &dyn signet_crypto::Signer,
) -> Result<Vec<u8>, AdesError> {
    let prepared = prepare(req)?;
    let signature = signer
        .sign_digest(prepared.digest_to_sign())
        .map_err(|e| AdesError::Pki(signet_pki::PkiError::Signing(e)))?;
    complete(&prepared, &signature)
}

impl CadesRequest<'_> {
    /// Detached or enveloping, by whether the content is given.
    pub fn packaging(&self) -> Packaging {
        if self.content.is_some() {
            Packaging::Enveloping
        } else {
            Packaging::Detached
        }
    }
}
