//! XAdES in the engine (EN 319 132-1): the signature is prepared around the document
//! (`ds:SignedInfo` over its references and signed properties), the SAM signs the digest
//! of the canonical `ds:SignedInfo`, and the result is raised to B-T (SignatureTimeStamp
//! from the embedded TSA), B-LT (CertificateValues, RevocationValues) and B-LTA
//! (ArchiveTimeStamp) — and, through the Signature Update API, extended again later
//! (TimeStampValidationData for the last archive time-stamp, then a new one).

use super::extend::DetachedContent;
use super::level::Level;
use super::pades::{blocking, invalid};
use super::{
    DocumentSigner, Kept, PrepareDocument, PreparedDocument, SignedDocument, MAX_ENVELOPED_BYTES,
};
use crate::tokens::Caller;
use crate::{Engine, EngineError};
use signet_ades::xades::{self, PreparedXml, XadesOptions, XadesRequest};
use signet_ades::xml::XmlLimits;
use signet_types::{HashAlgorithm, SignatureAlgorithm};

/// What a XAdES signature is prepared from.
pub(crate) struct XadesInput<'a> {
    pub document: Option<Vec<u8>>,
    pub options: &'a XadesOptions,
    pub algorithm: SignatureAlgorithm,
    pub chain: &'a [Vec<u8>],
    pub now: i64,
}

/// A fresh signature `Id` (an XML `Id` starts with a letter).
pub(crate) fn signature_id() -> String {
    format!("sig-{}", crate::new_id())
}

/// Prepares the signature off the async runtime (it parses and canonicalizes the whole
/// document).
pub(crate) async fn prepare(input: XadesInput<'_>) -> Result<PreparedXml, EngineError> {
    let (leaf, rest) = input
        .chain
        .split_first()
        .ok_or_else(|| EngineError::Integrity("a signer's chain is empty".into()))?;
    let (leaf, rest) = (leaf.clone(), rest.to_vec());
    let options = input.options.clone();
    let (document, algorithm, now) = (input.document, input.algorithm, input.now);
    blocking(move || {
        xades::prepare(&XadesRequest {
            document: document.as_deref(),
            options: &options,
            algorithm,
            signer_certificate: &leaf,
            chain: &rest,
            signing_time: now,
            signature_id: &signature_id(),
            limits: XmlLimits::default(),
        })
        .map_err(invalid)
    })
    .await
}

/// Whether a signed document is XML (its first markup, after a byte order mark and
/// white space, is `<`) rather than a PDF or a DER CMS signature.
pub(crate) fn looks_like_xml(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

impl Engine {
    /// The first step for XAdES: the signature prepared around the document and kept
    /// (at most [`MAX_ENVELOPED_BYTES`]) with its DTBS/R until it is completed.
    pub(crate) async fn prepare_xades(
        &self,
        caller: &Caller,
        signer: &DocumentSigner,
        req: &PrepareDocument,
        options: &XadesOptions,
        now: i64,
    ) -> Result<PreparedDocument, EngineError> {
        if req.document_digest.is_some() {
            return Err(EngineError::InvalidInput(
                "XAdES takes the document itself; external resources are named with their \
                 digests in the xades options"
                    .into(),
            ));
        }
        if req.document.as_ref().is_some_and(|d| d.len() > MAX_ENVELOPED_BYTES) {
            return Err(EngineError::InvalidInput(format!(
                "a document signed in two steps may have at most {MAX_ENVELOPED_BYTES} bytes; \
                 sign larger ones in one step (documents/sign)"
            )));
        }
        let prepared = prepare(XadesInput {
            document: req.document.clone(),
            options,
            algorithm: signer.algorithm,
            chain: &signer.chain,
            now,
        })
        .await?;
        let kept = Kept {
            format: "xades",
            signed_attributes: prepared.signature_id().as_bytes().to_vec(),
            content: Some(prepared.document().as_bytes().to_vec()),
            dtbsr: prepared.digest_to_sign().to_vec(),
        };
        self.keep_transaction(caller, signer, req.level, kept, now).await
    }

    /// Writes the SAM's signature value into a prepared signature and raises it to
    /// `level` with the embedded TSA and PKI's material for `chain`.
    pub(crate) async fn finish_xades(
        &self,
        prepared: PreparedXml,
        value: &[u8],
        level: Level,
        chain: &[Vec<u8>],
    ) -> Result<SignedDocument, EngineError> {
        let value = value.to_vec();
        let mut xml =
            blocking(move || xades::complete(&prepared, &value).map_err(super::ades_engine))
                .await?;
        if level >= Level::BT {
            xml = self.xades_signature_timestamp(xml).await?;
        }
        if level >= Level::BLT {
            let evidence = self.embedded_evidence(chain).await?;
            xml = blocking(move || {
                xades::add_validation_data(
                    &xml,
                    &evidence.certificates,
                    &evidence.crls,
                    &evidence.ocsp_responses,
                )
                .map_err(super::ades_engine)
            })
            .await?;
        }
        if level >= Level::BLTA {
            xml = self.xades_archive_timestamp(xml, Vec::new(), HashAlgorithm::Sha256).await?;
        }
        Ok(SignedDocument { original: None, signature: xml, level, format: "xades" })
    }

    /// Adds a SignatureTimeStamp from the embedded TSA.
    async fn xades_signature_timestamp(&self, xml: Vec<u8>) -> Result<Vec<u8>, EngineError> {
        let (xml, imprint) = blocking(move || {
            let imprint =
                xades::signature_timestamp_imprint(&xml, HashAlgorithm::Sha256).map_err(invalid)?;
            Ok((xml, imprint))
        })
        .await?;
        let token = self.timestamp(HashAlgorithm::Sha256, imprint, None).await?;
        blocking(move || xades::add_signature_timestamp(&xml, &token).map_err(super::ades_engine))
            .await
    }

    /// Adds an ArchiveTimeStamp from the embedded TSA over everything the signature holds.
    async fn xades_archive_timestamp(
        &self,
        xml: Vec<u8>,
        detached: Vec<(String, Vec<u8>)>,
        hash: HashAlgorithm,
    ) -> Result<Vec<u8>, EngineError> {
        let (xml, imprint) = blocking(move || {
            let imprint =
                xades::archive_timestamp_imprint(&xml, &detached, hash).map_err(invalid)?;
            Ok((xml, imprint))
        })
        .await?;
        let token = self.timestamp(imprint.hash(), imprint.digest().to_vec(), None).await?;
        blocking(move || {
            xades::add_archive_timestamp(&xml, &token, &imprint).map_err(super::ades_engine)
        })
        .await
    }

    /// Extends a XAdES (or plain XMLDSig) signature made by anyone: B-T adds a
    /// SignatureTimeStamp if there is none; B-LT the material of the signer's and every
    /// TSA's chain (into TimeStampValidationData once an archive time-stamp exists);
    /// B-LTA a new ArchiveTimeStamp at every call (archival renewal, EN 319 132-1 §5.5.2).
    pub(crate) async fn extend_xades(
        &self,
        xml: Vec<u8>,
        level: Level,
        content: Option<DetachedContent>,
    ) -> Result<Vec<u8>, EngineError> {
        let (mut xml, info) = inspect(xml).await?;
        if info.signature_timestamps.is_empty() {
            xml = self.xades_signature_timestamp(xml).await?;
        }
        if level >= Level::BLT {
            let (current, info) = inspect(xml).await?;
            let mut leaves = vec![info.signer_certificate.clone()];
            let mut pool = info.certificates.clone();
            for token in info.signature_timestamps.iter().chain(&info.archive_timestamps) {
                let t = signet_ades::cades::inspect(token)
                    .map_err(|e| EngineError::InvalidInput(format!("a time-stamp token: {e}")))?;
                if !leaves.contains(&t.signer_certificate) {
                    leaves.push(t.signer_certificate);
                }
                pool.extend(t.certificates);
            }
            let evidence = self.evidence_for(&leaves, &pool).await?;
            xml = blocking(move || {
                xades::add_validation_data(
                    &current,
                    &evidence.certificates,
                    &evidence.crls,
                    &evidence.ocsp_responses,
                )
                .map_err(invalid)
            })
            .await?;
        }
        if level >= Level::BLTA {
            let detached = match (content, info.external_references.as_slice()) {
                (None, []) => Vec::new(),
                (Some(DetachedContent::Bytes(b)), [uri]) => vec![(uri.clone(), b)],
                (Some(DetachedContent::Digest(..)), [_]) => return Err(EngineError::InvalidInput(
                    "B-LTA of a detached XAdES signature needs the content itself, not its digest"
                        .into(),
                )),
                (None, _) => {
                    return Err(EngineError::InvalidInput(
                        "B-LTA of a detached XAdES signature needs the content it signs".into(),
                    ))
                }
                (Some(_), _) => {
                    return Err(EngineError::InvalidInput(
                        "the content is for a signature with exactly one external reference".into(),
                    ))
                }
            };
            xml = self.xades_archive_timestamp(xml, detached, info.timestamp_hash()).await?;
        }
        Ok(xml)
    }
}

async fn inspect(xml: Vec<u8>) -> Result<(Vec<u8>, xades::XadesInfo), EngineError> {
    blocking(move || {
        let info = xades::inspect(&xml).map_err(invalid)?;
        Ok((xml, info))
    })
    .await
}
