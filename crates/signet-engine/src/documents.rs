//! Document signing in two steps (the Document Signature API's prepare/complete), CAdES
//! for now: `prepare` builds the signed attributes for the document's digest and keeps
//! them; the signer authorises exactly their digest, the DTBS/R (CSC
//! `credentials/authorize`, SCAL 2); `complete` has the SAM sign that digest with the SAD,
//! assembles the signature and raises it to the level asked for — B-T with the embedded
//! TSA's signature time-stamp (EN 319 122-1 §5.3), B-LT with the certificates, CRLs and
//! OCSP responses of the signer's and the TSA's chains (§5.5).

use crate::one_shot::SigningError;
use crate::service_keys::TSA;
use crate::tokens::Caller;
use crate::{CertStatus, Engine, EngineError};
use signet_ades::cades::{self, CadesRequest, Prepared};
use signet_store::DocumentTransaction;
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use std::fmt;
use std::str::FromStr;

/// Largest enveloped document kept between the two steps (a detached signature needs only
/// the digest).
pub const MAX_ENVELOPED_BYTES: usize = 8 * 1024 * 1024;

/// An AdES baseline level (ETSI EN 319 122-1 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// B-B: the signature and its signed attributes.
    BB,
    /// B-T: plus a signature time-stamp.
    BT,
    /// B-LT: plus the validation material.
    BLT,
}

impl Level {
    /// `B-B`, `B-T`, `B-LT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLT => "B-LT",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = EngineError;
    fn from_str(s: &str) -> Result<Self, EngineError> {
        match s {
            "B-B" => Ok(Self::BB),
            "B-T" => Ok(Self::BT),
            "B-LT" => Ok(Self::BLT),
            "B-LTA" => Err(EngineError::InvalidInput(
                "level B-LTA is not available yet (B-B, B-T, B-LT)".into(),
            )),
            _ => Err(EngineError::InvalidInput("level must be B-B, B-T or B-LT".into())),
        }
    }
}

/// What to prepare.
#[derive(Debug)]
pub struct PrepareDocument {
    /// The credential that will sign.
    pub credential_id: String,
    /// The level asked for.
    pub level: Level,
    /// Enveloping (the document goes into the signature) or detached.
    pub enveloping: bool,
    /// The document (at most [`MAX_ENVELOPED_BYTES`]); for a detached signature only its
    /// digest is kept.
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
    /// The DER CAdES signature.
    pub signature: Vec<u8>,
    /// The level reached.
    pub level: Level,
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
        let hash = algorithm.hash();
        let digest = match (&req.document, &req.document_digest) {
            (Some(doc), None) => {
                if doc.len() > MAX_ENVELOPED_BYTES {
                    return Err(EngineError::InvalidInput(format!(
                        "an enveloped document may have at most {MAX_ENVELOPED_BYTES} bytes; \
                         sign larger ones detached, by digest"
                    )));
                }
                signet_crypto::digest::digest(hash, doc)
            }
            (None, Some(d)) if d.len() == hash.output_len() => d.clone(),
            (None, Some(_)) => {
                return Err(EngineError::InvalidInput(format!(
                    "the document digest must be a {hash} digest ({} bytes) for {}",
                    hash.output_len(),
                    algorithm.name()
                )))
            }
            _ => {
                return Err(EngineError::InvalidInput(
                    "give either the document (enveloping) or its digest (detached)".into(),
                ))
            }
        };
        if req.enveloping && req.document.is_none() {
            return Err(EngineError::InvalidInput(
                "an enveloping signature needs the document, not only its digest".into(),
            ));
        }
        let content = if req.enveloping { req.document } else { None };
        let chain = &info.chain;
        let leaf = chain.first().ok_or_else(|| {
            EngineError::Integrity(format!("credential `{}` has no certificate", credential.id))
        })?;
        let rest: Vec<Vec<u8>> = chain.iter().skip(1).cloned().collect();
        let now = self.clock.now();
        let prepared = cades::prepare(&CadesRequest {
            content_digest: &digest,
            content: content.as_deref(),
            algorithm,
            signer_certificate: leaf,
            chain: &rest,
            signing_time: now,
        })
        .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let ttl = self.settings.sad_ttl_seconds;
        let t = DocumentTransaction {
            id: crate::new_id(),
            user_id: user.id.clone(),
            credential_id: credential.id.clone(),
            client_id: caller.client_id().map(str::to_owned),
            format: "cades".into(),
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
        let prepared =
            Prepared::restore(&t.signed_attributes, algorithm, leaf, rest, t.content.as_deref())
                .map_err(ades)?;
        let mut signed = cades::complete(&prepared, &signature).map_err(ades)?;
        if level >= Level::BT {
            let imprint =
                cades::signature_timestamp_imprint(&signed, HashAlgorithm::Sha256).map_err(ades)?;
            let token = self.timestamp(HashAlgorithm::Sha256, imprint, None).await?;
            signed = cades::add_signature_timestamp(&signed, &token).map_err(ades)?;
        }
        if level >= Level::BLT {
            signed = self.add_embedded_validation_data(&signed, &chain).await?;
        }
        Ok(SignedDocument { signature: signed, level })
    }

    /// Deletes document transactions past their expiry (with the documents they hold);
    /// `signet serve` runs it every minute. Returns how many.
    pub async fn sweep_document_transactions(&self) -> Result<u64, EngineError> {
        Ok(self.store.delete_expired_document_transactions(self.clock.now()).await?)
    }

    /// B-LT material from the embedded PKI: the certificates of the signer's chain and the
    /// TSA's, the CRLs of the CAs that issued them, and OCSP responses for the signer's and
    /// the TSA's certificates.
    async fn add_embedded_validation_data(
        &self,
        signature: &[u8],
        chain: &[Vec<u8>],
    ) -> Result<Vec<u8>, EngineError> {
        let issuing = self.issuing_ca().await?;
        if chain.get(1) != Some(&issuing.certificate) {
            return Err(EngineError::InvalidInput(
                "B-LT is available for certificates of the embedded CA only, for now".into(),
            ));
        }
        let tsa = self
            .service_key(&TSA)
            .await?
            .ok_or_else(|| EngineError::Unavailable("the TSA key does not exist yet".into()))?;
        let mut certificates = chain.to_vec();
        certificates.push(tsa.certificate.clone());
        let mut crls = Vec::new();
        for ca in [crate::ca::ISSUING_ID, crate::ca::ROOT_ID] {
            if let Some(crl) = self.crl(ca).await? {
                crls.push(crl);
            }
        }
        let mut responses = Vec::new();
        for cert in [&chain[0], &tsa.certificate] {
            let request = signet_pki::ocsp::request_der(cert, &issuing.certificate, None)?;
            responses.push(self.ocsp(&request).await?);
        }
        cades::add_validation_data(signature, &certificates, &crls, &responses).map_err(ades_engine)
    }
}

fn ades(e: signet_ades::AdesError) -> SigningError {
    SigningError::Engine(ades_engine(e))
}

fn ades_engine(e: signet_ades::AdesError) -> EngineError {
    EngineError::Internal(format!("AdES: {e}"))
}
