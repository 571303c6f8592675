//! The Signature Update API (`POST /api/v1/signatures/extend`): a signature made by
//! anyone — Signet, pyHanko, OpenSSL, EU DSS — raised to a higher baseline level with
//! fresh material, and renewed when called again on a B-LTA one.
//!
//! - CAdES (EN 319 122-1): B-T adds the signature-time-stamp if there is none; B-LT adds
//!   the certificates, CRLs and OCSP responses of the signer's and every time-stamp's
//!   chain into `SignedData`; B-LTA adds an archive-time-stamp-v3 over all of it (again
//!   at every call: archival renewal, §5.5.3).
//! - PAdES (EN 319 142-1): B-T adds a document time-stamp if no signature is covered by
//!   one; B-LT adds a `/DSS` with the material of every signature and document
//!   time-stamp (VRI per signature); B-LTA adds a document time-stamp after it (again at
//!   every call, each time after a DSS holding the material of the previous one).
//! - XAdES (EN 319 132-1): SignatureTimeStamp, CertificateValues and RevocationValues,
//!   ArchiveTimeStamp — renewed with TimeStampValidationData and a new ArchiveTimeStamp
//!   at every call (`xades.rs`).

use super::level::Level;
use super::pades::{blocking, invalid};
use super::{ades_engine, SharedSource, SignedDocument};
use crate::{Engine, EngineError};
use signet_ades::cades::{self, SignatureInfo};
use signet_ades::pades;
use signet_ades::pdf::Appended;
use signet_types::HashAlgorithm;

/// What to extend.
pub struct ExtendRequest {
    /// The signed PDF, the CAdES signature (DER) or the XAdES signature (XML).
    pub document: SharedSource,
    /// The level to reach: B-T, B-LT or B-LTA.
    pub level: Level,
    /// A detached CAdES signature's content (needed for B-LTA), or its digest.
    pub content: Option<DetachedContent>,
}

impl std::fmt::Debug for ExtendRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtendRequest")
            .field("size", &self.document.size())
            .field("level", &self.level)
            .finish()
    }
}

/// What a detached signature signed.
#[derive(Debug, Clone)]
pub enum DetachedContent {
    /// The content itself.
    Bytes(Vec<u8>),
    /// Its digest, with this hash.
    Digest(HashAlgorithm, Vec<u8>),
}

/// The largest CAdES signature read into memory (a PDF is read from its source).
const MAX_CMS: u64 = 64 * 1024 * 1024;

impl Engine {
    /// Extends the signature(s) of `req.document` to `req.level`.
    pub async fn extend_signature(
        &self,
        req: ExtendRequest,
    ) -> Result<SignedDocument, EngineError> {
        if req.level < Level::BT {
            return Err(EngineError::InvalidInput("extend to B-T, B-LT or B-LTA".into()));
        }
        let head =
            req.document.read_vec(0, 1024).map_err(|e| EngineError::Internal(e.to_string()))?;
        if head.windows(5).any(|w| w == b"%PDF-") {
            return self.extend_pades(req.document, req.level).await;
        }
        if super::xades::looks_like_xml(&head) {
            let size = usize::try_from(req.document.size()).unwrap_or(usize::MAX);
            let xml =
                req.document.read_vec(0, size).map_err(|e| EngineError::Internal(e.to_string()))?;
            let signature = self.extend_xades(xml, req.level, req.content).await?;
            return Ok(SignedDocument {
                original: None,
                signature,
                level: req.level,
                format: "xades",
            });
        }
        if req.document.size() > MAX_CMS {
            return Err(EngineError::InvalidInput(
                "the signature is not a PDF and too large for a CMS signature".into(),
            ));
        }
        let size = usize::try_from(req.document.size()).unwrap_or(usize::MAX);
        let cms =
            req.document.read_vec(0, size).map_err(|e| EngineError::Internal(e.to_string()))?;
        let signature = self.extend_cades(cms, req.level, req.content).await?;
        Ok(SignedDocument { original: None, signature, level: req.level, format: "cades" })
    }

    async fn extend_cades(
        &self,
        mut cms: Vec<u8>,
        level: Level,
        content: Option<DetachedContent>,
    ) -> Result<Vec<u8>, EngineError> {
        let info = cades::inspect(&cms).map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        if info.signature_timestamps.is_empty() {
            cms = self.signature_timestamp(&cms).await?;
        }
        if level >= Level::BLT {
            let info = cades::inspect(&cms).map_err(ades_engine)?;
            let needed = cms_leaves(&info)?;
            let evidence = self.evidence_for(&needed.leaves, &needed.pool).await?;
            cms = cades::add_validation_data(
                &cms,
                &evidence.certificates,
                &evidence.crls,
                &evidence.ocsp_responses,
            )
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        }
        if level >= Level::BLTA {
            let hash = match info.digest_algorithm {
                HashAlgorithm::Sha1 => HashAlgorithm::Sha256,
                h => h,
            };
            let imprint = match (&info.content, content) {
                (Some(_), _) => cades::archive_timestamp_imprint(&cms, None, hash),
                (None, Some(DetachedContent::Bytes(b))) => {
                    cades::archive_timestamp_imprint(&cms, Some(&b), hash)
                }
                (None, Some(DetachedContent::Digest(h, d))) => {
                    cades::archive_timestamp_imprint_for_digest(&cms, &d, h)
                }
                (None, None) => {
                    return Err(EngineError::InvalidInput(
                        "B-LTA of a detached signature needs its content (or its digest)".into(),
                    ))
                }
            }
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
            let token = self.timestamp(imprint.hash(), imprint.digest().to_vec(), None).await?;
            cms = cades::add_archive_timestamp(&cms, &token, &imprint).map_err(ades_engine)?;
        }
        Ok(cms)
    }

    async fn extend_pades(
        &self,
        original: SharedSource,
        level: Level,
    ) -> Result<SignedDocument, EngineError> {
        let base = original.clone();
        let signatures =
            blocking(move || pades::signatures(base.as_ref()).map_err(invalid)).await?;
        let last_cades =
            signatures.iter().rposition(|s| !s.document_timestamp).ok_or_else(|| {
                EngineError::InvalidInput("the PDF has no signature to extend".into())
            })?;
        let mut tail = Vec::new();
        // B-T: a document time-stamp, unless the last signature already has a time-stamp.
        let stamped_after = signatures[last_cades + 1..].iter().any(|s| s.document_timestamp);
        let has_token = {
            let der = signatures[last_cades]
                .der()
                .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
            !cades::inspect(der)
                .map_err(|e| EngineError::InvalidInput(e.to_string()))?
                .signature_timestamps
                .is_empty()
        };
        if !stamped_after && !has_token {
            tail = self.document_timestamp(original.clone(), tail).await?;
        }
        if level >= Level::BLT {
            let base = original.clone();
            let current = tail.clone();
            let signatures = blocking(move || {
                pades::signatures(&Appended { base: base.as_ref(), tail: &current })
                    .map_err(invalid)
            })
            .await?;
            let mut entries = Vec::new();
            for s in &signatures {
                let der = s.der().map_err(|e| EngineError::InvalidInput(e.to_string()))?;
                let info =
                    cades::inspect(der).map_err(|e| EngineError::InvalidInput(e.to_string()))?;
                let needed = cms_leaves(&info)?;
                entries.push((
                    s.contents.clone(),
                    self.evidence_for(&needed.leaves, &needed.pool).await?,
                ));
            }
            let base = original.clone();
            tail = blocking(move || {
                let pdf = Appended { base: base.as_ref(), tail: &tail };
                let refs: Vec<(&[u8], &pades::ValidationData)> =
                    entries.iter().map(|(c, e)| (c.as_slice(), e)).collect();
                let update = pades::add_validation_data(&pdf, &refs).map_err(invalid)?;
                Ok([tail.as_slice(), &update].concat())
            })
            .await?;
        }
        if level >= Level::BLTA {
            tail = self.document_timestamp(original.clone(), tail).await?;
        }
        Ok(SignedDocument { original: Some(original), signature: tail, level, format: "pades" })
    }
}

/// Certificates that need validation material, and the certificates to build their chains.
struct Needed {
    leaves: Vec<Vec<u8>>,
    pool: Vec<Vec<u8>>,
}

/// The end-entity certificates of a CMS signature or time-stamp token that need material
/// (the signer's, and each embedded token's TSA), and every certificate found with them.
fn cms_leaves(info: &SignatureInfo) -> Result<Needed, EngineError> {
    let mut leaves = vec![info.signer_certificate.clone()];
    let mut pool = info.certificates.clone();
    for token in info.signature_timestamps.iter().chain(&info.archive_timestamps) {
        let t = cades::inspect(token)
            .map_err(|e| EngineError::InvalidInput(format!("a time-stamp token: {e}")))?;
        if !leaves.contains(&t.signer_certificate) {
            leaves.push(t.signer_certificate);
        }
        pool.extend(t.certificates);
    }
    Ok(Needed { leaves, pool })
}
