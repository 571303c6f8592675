//! Document signing in one step (`POST /api/v1/documents/sign`): the signer has
//! authorised the digests of the documents themselves (CSC `credentials/authorize` with
//! the documents' hashes); the engine builds each document's DTBS/R — the CAdES signed
//! attributes over the document digest, or over the PDF byte range of the prepared
//! update — and the SAM signs those, checking the SAD against the documents' digests
//! (the SAD is bound to what the signer saw, EN 419 241-1). A batch signs several
//! documents under one SAD authorised for as many digests.

use super::level::{DocumentFormat, Level};
use super::pades::{self as engine_pades, blocking, invalid};
use super::xades::XadesInput;
use super::{SharedSource, SignedDocument, Target, MAX_ENVELOPED_BYTES};
use crate::one_shot::SigningError;
use crate::tokens::Caller;
use crate::{Engine, EngineError};
use signet_ades::cades::{self, CadesRequest};
use signet_ades::pades::{self, hash_source};
use signet_ades::xades::PreparedXml;
use signet_crypto::digest::Hasher;
use signet_types::SignatureAlgorithm;

/// Most documents in one call.
pub const MAX_BATCH: usize = 50;

/// A document to sign.
pub struct DocumentInput {
    /// Its bytes, in memory or spooled to disk.
    pub source: SharedSource,
    /// The hash of the whole document with the signature algorithm's hash, when it was
    /// computed as the document arrived (the file is then not read again to hash it).
    pub hashed: Option<Hasher>,
}

impl std::fmt::Debug for DocumentInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentInput").field("size", &self.source.size()).finish()
    }
}

/// What to sign in one step.
#[derive(Debug)]
pub struct SignDocuments {
    /// The credential.
    pub credential_id: String,
    /// The SAD, authorised for the documents' digests.
    pub sad: String,
    /// The level.
    pub level: Level,
    /// CAdES, PAdES or XAdES and its options (the same for every document).
    pub format: DocumentFormat,
    /// The signature algorithm (the one the documents were hashed for, if they were);
    /// the credential's first when `None`.
    pub algorithm: Option<SignatureAlgorithm>,
    /// The documents, at most [`MAX_BATCH`].
    pub documents: Vec<DocumentInput>,
}

/// One document's DTBS/R and what its signature value will become.
struct Planned {
    document_digest: Vec<u8>,
    work: Work,
}

/// A prepared signature waiting for its value.
enum Work {
    /// A CMS signature (CAdES, or embedded into a PDF).
    Cms { prepared: cades::Prepared, target: Target },
    /// A XAdES signature.
    Xml(PreparedXml),
}

impl Work {
    fn dtbsr(&self) -> &[u8] {
        match self {
            Self::Cms { prepared, .. } => prepared.digest_to_sign(),
            Self::Xml(p) => p.digest_to_sign(),
        }
    }
}

impl Engine {
    /// Signs `req.documents` in one step.
    pub async fn sign_documents(
        &self,
        caller: &Caller,
        req: SignDocuments,
    ) -> Result<Vec<SignedDocument>, SigningError> {
        if req.documents.is_empty() || req.documents.len() > MAX_BATCH {
            return Err(EngineError::InvalidInput(format!(
                "give between 1 and {MAX_BATCH} documents"
            ))
            .into());
        }
        let signer = self
            .document_signer(caller, &req.credential_id, req.algorithm, req.level, "documents.sign")
            .await?;
        let algorithm = signer.algorithm;
        let leaf = signer.leaf()?.clone();
        let rest: Vec<Vec<u8>> = signer.chain.iter().skip(1).cloned().collect();
        let now = self.clock.now();
        let capacity = engine_pades::capacity(&signer.chain, req.level);
        let options = match &req.format {
            DocumentFormat::Pades(o) => Some(engine_pades::signature_options(o, &leaf, now)?),
            DocumentFormat::Cades { .. } | DocumentFormat::Xades(_) => None,
        };
        let enveloping = matches!(req.format, DocumentFormat::Cades { enveloping: true });
        let mut planned = Vec::with_capacity(req.documents.len());
        for doc in req.documents {
            if let DocumentFormat::Xades(xades_options) = &req.format {
                let (document_digest, bytes) = blocking(move || {
                    let size = usize::try_from(doc.source.size()).unwrap_or(usize::MAX);
                    let bytes = doc
                        .source
                        .read_vec(0, size)
                        .map_err(|e| EngineError::Internal(e.to_string()))?;
                    let digest = match doc.hashed {
                        Some(h) => h.finish(),
                        None => signet_crypto::digest::digest(algorithm.hash(), &bytes),
                    };
                    Ok((digest, bytes))
                })
                .await?;
                let prepared = super::xades::prepare(XadesInput {
                    document: Some(bytes),
                    options: xades_options,
                    algorithm,
                    chain: &signer.chain,
                    now,
                })
                .await?;
                planned.push(Planned { document_digest, work: Work::Xml(prepared) });
                continue;
            }
            let doc_options = options.clone();
            let (document_digest, content_digest, content, target) = blocking(move || {
                let hash = algorithm.hash();
                let hasher = match doc.hashed {
                    Some(h) => h,
                    None => {
                        let mut h = Hasher::new(hash);
                        hash_source(doc.source.as_ref(), doc.source.size(), &mut h)
                            .map_err(|e| invalid(e.into()))?;
                        h
                    }
                };
                let document_digest = hasher.clone().finish();
                match doc_options {
                    Some(options) => {
                        let pdf = pades::prepare_signature(doc.source.as_ref(), &options, capacity)
                            .map_err(invalid)?;
                        let range_digest = pdf.digest_after(hasher);
                        Ok((
                            document_digest,
                            range_digest,
                            None,
                            Target::Pades { original: doc.source, pdf },
                        ))
                    }
                    None => {
                        let content = if enveloping {
                            let size = usize::try_from(doc.source.size()).unwrap_or(usize::MAX);
                            if size > MAX_ENVELOPED_BYTES {
                                return Err(EngineError::InvalidInput(format!(
                                    "an enveloped document may have at most {MAX_ENVELOPED_BYTES} \
                                     bytes; sign larger ones detached"
                                )));
                            }
                            Some(
                                doc.source
                                    .read_vec(0, size)
                                    .map_err(|e| EngineError::Internal(e.to_string()))?,
                            )
                        } else {
                            None
                        };
                        Ok((document_digest.clone(), document_digest, content, Target::Cades))
                    }
                }
            })
            .await?;
            let prepared = cades::prepare(&CadesRequest {
                content_digest: &content_digest,
                content: content.as_deref(),
                algorithm,
                signer_certificate: &leaf,
                chain: &rest,
                signing_time: options.is_none().then_some(now),
            })
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
            planned.push(Planned { document_digest, work: Work::Cms { prepared, target } });
        }
        let dtbsrs = planned.iter().map(|p| p.work.dtbsr().to_vec()).collect();
        let authorized = planned.iter().map(|p| p.document_digest.clone()).collect();
        let values = self
            .sam_sign(caller, &req.credential_id, &req.sad, dtbsrs, Some(authorized), algorithm)
            .await?;
        if values.len() != planned.len() {
            return Err(EngineError::Internal("the SAM returned too few signatures".into()).into());
        }
        let mut out = Vec::with_capacity(planned.len());
        for (p, value) in planned.into_iter().zip(values) {
            out.push(match p.work {
                Work::Cms { prepared, target } => {
                    self.finish(&prepared, &value, req.level, &signer.chain, target).await?
                }
                Work::Xml(prepared) => {
                    self.finish_xades(prepared, &value, req.level, &signer.chain).await?
                }
            });
        }
        Ok(out)
    }
}
