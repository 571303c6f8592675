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
mod level;
mod pades;

pub use level::{DocumentFormat, Level, PadesOptions, VisibleSignature};

use crate::one_shot::SigningError;
use crate::tokens::Caller;
use crate::{CertStatus, Engine, EngineError};
use signet_ades::cades::{self, CadesRequest, Prepared};
use signet_ades::pades::PreparedPdf;
use signet_store::DocumentTransaction;
use signet_types::{HashAlgorithm, SignatureAlgorithm};

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
    /// CAdES (detached or enveloping) or PAdES.
    pub format: DocumentFormat,
    /// The document (at most [`MAX_ENVELOPED_BYTES`]); for a detached CAdES signature
    /// only its digest is kept; for PAdES the PDF.
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

/// A signed document.
#[derive(Debug)]
pub struct SignedDocument {
    /// The DER CAdES signature, or the signed PDF.
    pub signature: Vec<u8>,
    /// The level reached.
    pub level: Level,
    /// `cades` or `pades`.
    pub format: &'static str,
}

impl SignedDocument {
    /// The media type of [`SignedDocument::signature`].
    pub fn media_type(&self) -> &'static str {
        if self.format == "pades" {
            "application/pdf"
        } else {
            "application/pkcs7-signature"
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
        let (user, credential, group) =
            self.csc_credential(caller, &req.credential_id, "documents.prepare").await?;
        let info = self.csc_info(caller, &req.credential_id).await?;
        if info.cert_status != CertStatus::Valid || !info.key_enabled {
            return Err(EngineError::InvalidInput(format!(
                "the credential cannot sign: its certificate is {} and its key {}",
                info.cert_status.as_str(),
                if info.key_enabled { "enabled" } else { "disabled" }
            )));
        }
        let allowed = crate::allowed_algorithms(info.key, &group);
        let algorithm = match req.algorithm {
            Some(a) if allowed.contains(&a) && !a.is_legacy() => a,
            Some(a) => {
                return Err(EngineError::InvalidInput(format!(
                    "{} is not available to this credential for documents",
                    a.name()
                )))
            }
            None => *allowed.iter().find(|a| !a.is_legacy()).ok_or_else(|| {
                EngineError::Integrity("the credential has no signature algorithm".into())
            })?,
        };
        let chain = &info.chain;
        let leaf = chain.first().ok_or_else(|| {
            EngineError::Integrity(format!("credential `{}` has no certificate", credential.id))
        })?;
        let rest: Vec<Vec<u8>> = chain.iter().skip(1).cloned().collect();
        let now = self.clock.now();
        let format = req.format.name();
        let (digest, content, signing_time) = match &req.format {
            DocumentFormat::Cades { .. } if req.level == Level::BLTA => {
                return Err(EngineError::InvalidInput(
                    "CAdES B-LTA is not available yet (PAdES B-LTA is)".into(),
                ))
            }
            DocumentFormat::Cades { enveloping } => {
                let digest = cades_digest(&req, algorithm)?;
                (digest, if *enveloping { req.document } else { None }, Some(now))
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
        let ttl = self.settings.sad_ttl_seconds;
        let t = DocumentTransaction {
            id: crate::new_id(),
            user_id: user.id.clone(),
            credential_id: credential.id.clone(),
            client_id: caller.client_id().map(str::to_owned),
            format: format.into(),
            level: req.level.as_str().into(),
            sign_algorithm: algorithm.name(),
            signed_attributes: prepared
                .signed_attributes_der()
                .map_err(|e| EngineError::Internal(e.to_string()))?,
            certificates: chain.concat(),
            content,
            dtbsr: prepared.digest_to_sign().to_vec(),
            created_at: now,
            expires_at: now + ttl,
            completed_at: None,
        };
        self.store.insert_document_transaction(&t).await?;
        Ok(PreparedDocument { transaction_id: t.id, dtbsr: t.dtbsr, algorithm, expires_in: ttl })
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
        let pades = t.format == "pades";
        let enveloped = if pades { None } else { t.content.as_deref() };
        let prepared = Prepared::restore(&t.signed_attributes, algorithm, leaf, rest, enveloped)
            .map_err(ades)?;
        let mut signed = cades::complete(&prepared, &signature).map_err(ades)?;
        if level >= Level::BT {
            signed = self.signature_timestamp(&signed).await?;
        }
        if pades {
            let document = t.content.ok_or_else(|| {
                EngineError::Integrity("a PAdES transaction has no document".into())
            })?;
            let mut pdf = PreparedPdf::from_document(document).map_err(|e| ades(e.into()))?;
            pdf.embed(&signed).map_err(|e| ades(e.into()))?;
            let pdf = pdf.into_update();
            let pdf = if level >= Level::BLT {
                self.pades_augment(pdf, &chain, level).await?
            } else {
                pdf
            };
            return Ok(SignedDocument { signature: pdf, level, format: "pades" });
        }
        if level >= Level::BLT {
            let evidence = self.embedded_evidence(&chain).await?;
            signed = cades::add_validation_data(
                &signed,
                &evidence.certificates,
                &evidence.crls,
                &evidence.ocsp_responses,
            )
            .map_err(ades)?;
        }
        if level >= Level::BLTA {
            return Err(EngineError::InvalidInput(
                "CAdES B-LTA is not available yet (PAdES B-LTA is)".into(),
            )
            .into());
        }
        Ok(SignedDocument { signature: signed, level, format: "cades" })
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

fn ades_engine(e: signet_ades::AdesError) -> EngineError {
    EngineError::Internal(format!("AdES: {e}"))
}
