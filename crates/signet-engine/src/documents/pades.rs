//! PAdES in the engine (EN 319 142-1): the PDF update is prepared around the document,
//! its byte-range digest is signed as a CAdES-detached signature by the SAM, and the
//! result is raised to B-T (signature time-stamp in the CMS), B-LT (the `/DSS`) and B-LTA
//! (a document time-stamp).

use super::level::{Level, PadesOptions};
use super::SharedSource;
use crate::{Engine, EngineError};
use signet_ades::pades::{self, Appearance, Jpeg, PreparedPdf, SignatureOptions};
use signet_ades::pdf::{Appended, Source};
use signet_types::HashAlgorithm;

/// Room for the CMS beyond its certificates: signature value, attributes and, from B-T,
/// the time-stamp token with the TSA's certificate.
const CMS_ROOM: usize = 4096;
const TOKEN_ROOM: usize = 8192;

/// What the signature dictionary and appearance say, from the API's options and the
/// signer's certificate.
pub(crate) fn signature_options(
    options: &PadesOptions,
    signer_certificate: &[u8],
    now: i64,
) -> Result<SignatureOptions, EngineError> {
    let info = signet_pki::parse_certificate(signer_certificate)?;
    let name = common_name(&info.subject_dn);
    let appearance = match &options.visible {
        None => None,
        Some(v) => {
            let lines = match &v.text {
                Some(t) => t.clone(),
                None => {
                    let mut l =
                        vec![format!("Digitally signed by {name}"), format!("Date: {}", utc(now))];
                    if let Some(r) = &options.reason {
                        l.push(format!("Reason: {r}"));
                    }
                    if let Some(loc) = &options.location {
                        l.push(format!("Location: {loc}"));
                    }
                    l
                }
            };
            let image = v
                .image
                .clone()
                .map(Jpeg::parse)
                .transpose()
                .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
            Some(Appearance { page: v.page, rect: v.rect, lines, image })
        }
    };
    Ok(SignatureOptions {
        field_name: options.field_name.clone(),
        signer_name: Some(name),
        reason: options.reason.clone(),
        location: options.location.clone(),
        contact_info: options.contact_info.clone(),
        signing_time: now,
        appearance,
        certify: options.certify,
    })
}

/// The room to reserve for the CMS of a signer with this chain.
pub(crate) fn capacity(chain: &[Vec<u8>], level: Level) -> usize {
    let certs: usize = chain.iter().map(Vec::len).sum();
    certs + CMS_ROOM + if level >= Level::BT { TOKEN_ROOM } else { 0 }
}

/// Prepares the update and returns it with the byte-range digest (run off the async
/// runtime: it reads and hashes the whole file).
pub(crate) fn prepare(
    pdf: &dyn Source,
    options: &SignatureOptions,
    capacity: usize,
    hash: HashAlgorithm,
) -> Result<(PreparedPdf, Vec<u8>), EngineError> {
    let prepared = pades::prepare_signature(pdf, options, capacity).map_err(invalid)?;
    let digest = prepared.digest(pdf, hash).map_err(|e| invalid(e.into()))?;
    Ok((prepared, digest))
}

impl Engine {
    /// Raises a signed PDF (`original` followed by `tail`) from B-T to `level`: B-LT adds a
    /// `/DSS` with the material for its signatures (and document time-stamps), B-LTA then
    /// a document time-stamp. Returns the new tail.
    pub(crate) async fn pades_augment(
        &self,
        original: SharedSource,
        tail: Vec<u8>,
        chain: &[Vec<u8>],
        level: Level,
    ) -> Result<Vec<u8>, EngineError> {
        let mut tail = tail;
        if level >= Level::BLT {
            let evidence = self.embedded_evidence(chain).await?;
            let base = original.clone();
            tail = blocking(move || {
                let pdf = Appended { base: base.as_ref(), tail: &tail };
                let sigs = pades::signatures(&pdf).map_err(invalid)?;
                let entries: Vec<(&[u8], &pades::ValidationData)> =
                    sigs.iter().map(|s| (s.contents.as_slice(), &evidence)).collect();
                let update = pades::add_validation_data(&pdf, &entries).map_err(invalid)?;
                Ok([tail.as_slice(), &update].concat())
            })
            .await?;
        }
        if level >= Level::BLTA {
            tail = self.document_timestamp(original, tail).await?;
        }
        Ok(tail)
    }

    /// Appends a document time-stamp (EN 319 142-1 §5.4.3) from the embedded TSA to
    /// `original` followed by `tail`; returns the new tail.
    pub(crate) async fn document_timestamp(
        &self,
        original: SharedSource,
        tail: Vec<u8>,
    ) -> Result<Vec<u8>, EngineError> {
        let (tail, mut prepared, digest) = blocking(move || {
            let pdf = Appended { base: original.as_ref(), tail: &tail };
            let prepared = pades::prepare_document_timestamp(&pdf, TOKEN_ROOM).map_err(invalid)?;
            let digest =
                prepared.digest(&pdf, HashAlgorithm::Sha256).map_err(|e| invalid(e.into()))?;
            Ok((tail, prepared, digest))
        })
        .await?;
        let token = self.timestamp(HashAlgorithm::Sha256, digest, None).await?;
        prepared.embed(&token).map_err(|e| invalid(e.into()))?;
        Ok([tail.as_slice(), prepared.update()].concat())
    }
}

/// Runs PDF work on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, EngineError> + Send + 'static,
) -> Result<T, EngineError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| EngineError::Internal(e.to_string()))?
}

/// A document the PDF layer refuses is the caller's problem (a clear 400).
pub(crate) fn invalid(e: signet_ades::AdesError) -> EngineError {
    EngineError::InvalidInput(e.to_string())
}

/// The CN of an RFC 4514 DN, or the whole DN.
fn common_name(dn: &str) -> String {
    dn.split(',')
        .find_map(|rdn| rdn.trim().strip_prefix("CN="))
        .map_or_else(|| dn.to_string(), str::to_owned)
}

/// `YYYY-MM-DD HH:MM UTC`.
fn utc(unix: i64) -> String {
    let d = signet_ades::pades::pdf_date(unix);
    // D:YYYYMMDDHHmmSS…
    format!("{}-{}-{} {}:{} UTC", &d[2..6], &d[6..8], &d[8..10], &d[10..12], &d[12..14])
}
