//! Document signing in two steps (the Document Signature API's prepare/complete), CAdES
//! and PAdES: `prepare` builds the signed attributes for the document's digest (for
//! PAdES, the digest of the byte range of the prepared update) and keeps them; the
//! signer authorises exactly their digest, the DTBS/R (CSC `credentials/authorize`,
//! SCAL 2); `complete` has the SAM sign that digest with the SAD, assembles the signature
//! and raises it to the level asked for — B-T with the embedded TSA's signature
//! time-stamp (EN 319 122-1 §5.3), B-LT with the certificates, CRLs and OCSP responses of
//! the signer's and the TSA's chains (§5.5; for PAdES the `/DSS`, EN 319 142-1 §5.4.2),
//! B-LTA with a document time-stamp (PAdES, §5.4.3).

mod evidence;
mod extend;
mod level;
mod pades;
mod sign;
mod signer;
mod xades;

pub use extend::{DetachedContent, ExtendRequest};
pub use level::{DocumentFormat, Level, PadesOptions, VisibleSignature};
pub use sign::{DocumentInput, SignDocuments, MAX_BATCH};
pub use signer::DocumentSigner;

use crate::one_shot::SigningError;
use crate::tokens::Caller;
use crate::{Engine, EngineError};
use signet_ades::cades::{self, CadesRequest, Prepared};
use signet_ades::pades::PreparedPdf;
use signet_ades::pdf::Source;
use signet_ades::xades::PreparedXml;
use signet_store::DocumentTransaction;
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use std::sync::Arc;

/// Largest enveloped document kept between the two steps (a detached signature needs only
/// the digest).
pub const MAX_ENVELOPED_BYTES: usize = 8 * 1024 * 1024;

/// What to prepare.
#[derive(Debug)]
pub struct PrepareDocument {
    /// The credential that will sign.
    pub credential_id: String,
    /// The level asked for.
    pub level: Level,
    /// CAdES (detached or enveloping), PAdES or XAdES.
    pub format: DocumentFormat,
    /// The document (at most [`MAX_ENVELOPED_BYTES`]); for a detached CAdES signature
    /// only its digest is kept; for PAdES the PDF; for XAdES the XML (enveloped), the
    /// data (enveloping) or the document a detached signature names.
    pub document: Option<Vec<u8>>,
    /// The document's digest, for a detached signature.
    pub document_digest: Option<Vec<u8>>,
    /// The signature algorithm; the credential's first (non-SHA-1) one when `None`. Its
    /// hash is the one the digest must be made with.
    pub algorithm: Option<SignatureAlgorithm>,
}

/// A prepared signature: what the signer must authorise.
#[derive(Debug)]
pub struct PreparedDocument {
    /// The transaction id to complete with.
    pub transaction_id: String,
    /// The digest to authorise (CSC `hash`), and to sign.
    pub dtbsr: Vec<u8>,
    /// The signature algorithm (CSC `signAlgo`).
    pub algorithm: SignatureAlgorithm,
    /// Seconds until the transaction expires.
    pub expires_in: i64,
}

/// A document's bytes, in memory or spooled to disk.
pub type SharedSource = Arc<dyn Source + Send + Sync>;

/// A signed document.
pub struct SignedDocument {
    /// For PAdES signed in one step: the original file, which `signature` follows (the
    /// incremental updates), so a large file is never copied into memory.
    pub original: Option<SharedSource>,
    /// The DER CAdES signature, or the signed PDF (or, with `original`, what follows it).
    pub signature: Vec<u8>,
    /// The level reached.
    pub level: Level,
    /// `cades`, `pades` or `xades`.
    pub format: &'static str,
}

impl std::fmt::Debug for SignedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedDocument")
            .field("original", &self.original.as_ref().map(|o| o.size()))
            .field("signature", &self.signature.len())
            .field("level", &self.level)
            .field("format", &self.format)
            .finish()
    }
}

impl SignedDocument {
    /// The whole result in memory (the original, if any, and what follows it).
    pub fn to_vec(&self) -> std::io::Result<Vec<u8>> {
        let mut out = match &self.original {
            Some(o) => o.read_vec(0, usize::try_from(o.size()).unwrap_or(usize::MAX))?,
            None => Vec::new(),
        };
        out.extend_from_slice(&self.signature);
        Ok(out)
    }

    /// The media type of [`SignedDocument::signature`].
    pub fn media_type(&self) -> &'static str {
        match self.format {
            "pades" => "application/pdf",
            "xades" => "application/xml",
            _ => "application/pkcs7-signature",
        }
    }
}

impl Engine {
    /// Prepares a CAdES signature for `req.credential_id`.
    pub async fn prepare_document(
        &self,
        caller: &Caller,
        req: PrepareDocument,
    ) -> Result<PreparedDocument, EngineError> {
        let signer = self
            .document_signer(
                caller,
                &req.credential_id,
                req.algorithm,
                req.level,
                "documents.prepare",
            )
            .await?;
        let algorithm = signer.algorithm;
        let chain = &signer.chain;
        let leaf = signer.leaf()?;
        let rest: Vec<Vec<u8>> = chain.iter().skip(1).cloned().collect();
        let now = self.clock.now();
        let format = req.format.name();
        let (digest, content, signing_time) = match &req.format {
            DocumentFormat::Cades { enveloping } => {
                let digest = cades_digest(&req, algorithm)?;
                (digest, if *enveloping { req.document } else { None }, Some(now))
            }
            DocumentFormat::Xades(options) => {
                return self.prepare_xades(caller, &signer, &req, options, now).await
            }
            DocumentFormat::Pades(options) => {
                let pdf = match (req.document, req.document_digest) {
                    (Some(pdf), None) => pdf,
                    _ => {
                        return Err(EngineError::InvalidInput(
                            "PAdES needs the PDF itself (document), not a digest".into(),
                        ))
                    }
                };
                if pdf.len() > MAX_ENVELOPED_BYTES {
                    return Err(EngineError::InvalidInput(format!(
                        "a PDF signed in two steps may have at most {MAX_ENVELOPED_BYTES} bytes; \
                         sign larger ones in one step (documents/sign streams them)"
                    )));
                }
                let options = pades::signature_options(options, leaf, now)?;
                let capacity = pades::capacity(chain, req.level);
                let (document, digest) = pades::blocking(move || {
                    let (prepared, digest) =
                        pades::prepare(&pdf, &options, capacity, algorithm.hash())?;
                    Ok(([pdf.as_slice(), prepared.update()].concat(), digest))
                })
                .await?;
                (digest, Some(document), None)
            }
        };
        let prepared = cades::prepare(&CadesRequest {
            content_digest: &digest,
            content: if format == "cades" { content.as_deref() } else { None },
            algorithm,
            signer_certificate: leaf,
            chain: &rest,
            signing_time,
        })
        .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let kept = Kept {
            format,
            signed_attributes: prepared
                .signed_attributes_der()
                .map_err(|e| EngineError::Internal(e.to_string()))?,
            content,
            dtbsr: prepared.digest_to_sign().to_vec(),
        };
        self.keep_transaction(caller, &signer, req.level, kept, now).await
    }

    /// Stores what `complete` needs as a document transaction that expires with the SAD
    /// lifetime; returns what the signer must authorise.
    pub(crate) async fn keep_transaction(
        &self,
        caller: &Caller,
        signer: &DocumentSigner,
        level: Level,
        kept: Kept,
        now: i64,
    ) -> Result<PreparedDocument, EngineError> {
        let ttl = self.settings.sad_ttl_seconds;
        let t = DocumentTransaction {
            id: crate::new_id(),
            user_id: signer.user.id.clone(),
            credential_id: signer.credential.id.clone(),
            client_id: caller.client_id().map(str::to_owned),
            format: kept.format.into(),
            level: level.as_str().into(),
            sign_algorithm: signer.algorithm.name(),
            signed_attributes: kept.signed_attributes,
            certificates: signer.chain.concat(),
            content: kept.content,
            dtbsr: kept.dtbsr,
            created_at: now,
            expires_at: now + ttl,
            completed_at: None,
        };
        self.store.insert_document_transaction(&t).await?;
        Ok(PreparedDocument {
            transaction_id: t.id,
            dtbsr: t.dtbsr,
            algorithm: signer.algorithm,
            expires_in: ttl,
        })
    }

    /// Completes a prepared signature with a SAD for its DTBS/R: the SAM signs (and audits
    /// the signature), the transaction is closed (once), and the signature is assembled and
    /// raised to its level.
    pub async fn complete_document(
        &self,
        caller: &Caller,
        transaction_id: &str,
        sad: &str,
    ) -> Result<SignedDocument, SigningError> {
        let not_found = || {
            EngineError::NotFound(format!(
                "document transaction `{}`",
                transaction_id.chars().take(64).collect::<String>()
            ))
        };
        let t = self.store.document_transaction(transaction_id).await?.ok_or_else(not_found)?;
        let (user, _, _) = self
            .csc_credential(caller, &t.credential_id, "documents.complete")
            .await
            .map_err(|_| not_found())?;
        if user.id != t.user_id {
            return Err(not_found().into());
        }
        let now = self.clock.now();
        if t.completed_at.is_some() {
            return Err(
                EngineError::Conflict("this document transaction is completed".into()).into()
            );
        }
        if t.expires_at <= now {
            return Err(
                EngineError::Conflict("this document transaction has expired".into()).into()
            );
        }
        let level: Level = t.level.parse()?;
        let algorithm = SignatureAlgorithm::from_name(&t.sign_algorithm).ok_or_else(|| {
            EngineError::Integrity("a stored signature algorithm is unknown".into())
        })?;
        let signature = self
            .csc_sign_hash(caller, &t.credential_id, sad, vec![t.dtbsr.clone()], algorithm)
            .await?
            .pop()
            .ok_or_else(|| EngineError::Internal("the SAM returned no signature".into()))?;
        if !self.store.complete_document_transaction(&t.id, now).await? {
            return Err(
                EngineError::Conflict("this document transaction is completed".into()).into()
            );
        }
        let chain = signet_pki::split_chain(&t.certificates)?;
        let (leaf, rest) = chain
            .split_first()
            .ok_or_else(|| EngineError::Integrity("a stored chain is empty".into()))?;
        if t.format == "xades" {
            let stored = |b: Option<Vec<u8>>| {
                b.and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| {
                    EngineError::Integrity("a XAdES transaction has no prepared document".into())
                })
            };
            let prepared = PreparedXml::restore(
                stored(t.content)?,
                stored(Some(t.signed_attributes))?,
                algorithm,
                leaf,
                t.dtbsr,
            )
            .map_err(ades)?;
            return Ok(self.finish_xades(prepared, &signature, level, &chain).await?);
        }
        let pades = t.format == "pades";
        let enveloped = if pades { None } else { t.content.as_deref() };
        let prepared = Prepared::restore(&t.signed_attributes, algorithm, leaf, rest, enveloped)
            .map_err(ades)?;
        let target = if pades {
            let document = t.content.ok_or_else(|| {
                EngineError::Integrity("a PAdES transaction has no document".into())
            })?;
            // The whole prepared document was kept: it is its own "update" of nothing.
            let pdf = PreparedPdf::from_document(document).map_err(|e| ades(e.into()))?;
            Target::Pades { original: Arc::new(Vec::new()), pdf }
        } else {
            Target::Cades
        };
        let mut signed = self.finish(&prepared, &signature, level, &chain, target).await?;
        if pades {
            signed.original = None;
        }
        Ok(signed)
    }

    /// Assembles a signature around its value and raises it to `level`.
    pub(crate) async fn finish(
        &self,
        prepared: &Prepared,
        value: &[u8],
        level: Level,
        chain: &[Vec<u8>],
        target: Target,
    ) -> Result<SignedDocument, EngineError> {
        let mut cms = cades::complete(prepared, value).map_err(ades_engine)?;
        if level >= Level::BT {
            cms = self.signature_timestamp(&cms).await?;
        }
        let Target::Pades { original, mut pdf } = target else {
            if level >= Level::BLT {
                let evidence = self.embedded_evidence(chain).await?;
                cms = cades::add_validation_data(
                    &cms,
                    &evidence.certificates,
                    &evidence.crls,
                    &evidence.ocsp_responses,
                )
                .map_err(ades_engine)?;
            }
            if level >= Level::BLTA {
                cms = self.archive_timestamp(prepared, &cms).await?;
            }
            return Ok(SignedDocument { original: None, signature: cms, level, format: "cades" });
        };
        pdf.embed(&cms).map_err(|e| ades_engine(e.into()))?;
        let tail = self.pades_augment(original.clone(), pdf.into_update(), chain, level).await?;
        Ok(SignedDocument { original: Some(original), signature: tail, level, format: "pades" })
    }

    /// Adds an archive-time-stamp-v3 (EN 319 122-1 §5.5.3) from the embedded TSA, with the
    /// signature's own hash; a detached signature's content is known by its digest.
    async fn archive_timestamp(
        &self,
        prepared: &Prepared,
        cms: &[u8],
    ) -> Result<Vec<u8>, EngineError> {
        let hash = prepared.algorithm().hash();
        let imprint = if prepared.content().is_some() {
            cades::archive_timestamp_imprint(cms, None, hash)
        } else {
            let digest = prepared.content_digest().map_err(ades_engine)?;
            cades::archive_timestamp_imprint_for_digest(cms, &digest, hash)
        }
        .map_err(ades_engine)?;
        let token = self.timestamp(hash, imprint.digest().to_vec(), None).await?;
        cades::add_archive_timestamp(cms, &token, &imprint).map_err(ades_engine)
    }

    /// Adds the embedded TSA's signature time-stamp (EN 319 122-1 §5.3) to a CMS signature.
    async fn signature_timestamp(&self, cms: &[u8]) -> Result<Vec<u8>, EngineError> {
        let imprint =
            cades::signature_timestamp_imprint(cms, HashAlgorithm::Sha256).map_err(ades_engine)?;
        let token = self.timestamp(HashAlgorithm::Sha256, imprint, None).await?;
        cades::add_signature_timestamp(cms, &token).map_err(ades_engine)
    }

    /// Deletes document transactions past their expiry (with the documents they hold);
    /// `signet serve` runs it every minute. Returns how many.
    pub async fn sweep_document_transactions(&self) -> Result<u64, EngineError> {
        Ok(self.store.delete_expired_document_transactions(self.clock.now()).await?)
    }
}

/// What a document transaction keeps of a prepared signature.
pub(crate) struct Kept {
    /// `cades`, `pades` or `xades`.
    pub format: &'static str,
    /// The CAdES signed attributes (DER), or the XAdES signature's `Id`.
    pub signed_attributes: Vec<u8>,
    /// The enveloped document, the prepared PDF, or the prepared XML.
    pub content: Option<Vec<u8>>,
    /// The digest the signer authorises.
    pub dtbsr: Vec<u8>,
}

/// What a CMS signature value becomes.
pub(crate) enum Target {
    /// A CAdES signature.
    Cades,
    /// Embedded into a prepared PDF update of `original`.
    Pades { original: SharedSource, pdf: PreparedPdf },
}

/// The digest a CAdES signature covers: of the document, or given.
fn cades_digest(
    req: &PrepareDocument,
    algorithm: SignatureAlgorithm,
) -> Result<Vec<u8>, EngineError> {
    let hash = algorithm.hash();
    let enveloping = matches!(req.format, DocumentFormat::Cades { enveloping: true });
    if enveloping && req.document.is_none() {
        return Err(EngineError::InvalidInput(
            "an enveloping signature needs the document, not only its digest".into(),
        ));
    }
    match (&req.document, &req.document_digest) {
        (Some(doc), None) => {
            if doc.len() > MAX_ENVELOPED_BYTES {
                return Err(EngineError::InvalidInput(format!(
                    "an enveloped document may have at most {MAX_ENVELOPED_BYTES} bytes; \
                     sign larger ones detached, by digest"
                )));
            }
            Ok(signet_crypto::digest::digest(hash, doc))
        }
        (None, Some(d)) if d.len() == hash.output_len() => Ok(d.clone()),
        (None, Some(_)) => Err(EngineError::InvalidInput(format!(
            "the document digest must be a {hash} digest ({} bytes) for {}",
            hash.output_len(),
            algorithm.name()
        ))),
        _ => Err(EngineError::InvalidInput(
            "give either the document (enveloping) or its digest (detached)".into(),
        )),
    }
}

fn ades(e: signet_ades::AdesError) -> SigningError {
    SigningError::Engine(ades_engine(e))
}

pub(crate) fn ades_engine(e: signet_ades::AdesError) -> EngineError {
    EngineError::Internal(format!("AdES: {e}"))
}
