//! Revocation status of the embedded CA's certificates: CRLs (RFC 5280 §5) and a
//! delegated OCSP responder (RFC 6960), both built from the certificate registry, so a
//! revocation shows in the next answer.

use crate::ca::CaKey;
use crate::service_keys::OCSP;
use crate::{Engine, EngineError};
use signet_pki::crl::{CrlParams, RevocationReason, RevokedEntry};
use signet_pki::ocsp::{CertStatus, OcspErrorStatus, ResponseParams, SingleStatus};
use signet_store::{CertificateStatus, StoreError, StoredCrl};

/// A CRL is valid for a day (its nextUpdate) …
const CRL_VALIDITY: i64 = 86_400;
/// … and a new one is issued an hour before that, or at once after a revocation.
const CRL_RENEW_BEFORE: i64 = 3_600;
/// OCSP answers announce their next update an hour ahead.
const OCSP_VALIDITY: i64 = 3_600;
/// Most certificates one OCSP request may ask about.
const MAX_OCSP_IDS: usize = 20;

fn hex_to_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

/// Lower-case hex of a serial without leading zero bytes, as the registry keys it.
fn serial_key(serial: &[u8]) -> String {
    let start = serial.iter().position(|b| *b != 0).unwrap_or(serial.len());
    serial[start..].iter().map(|b| format!("{b:02x}")).collect()
}

impl Engine {
    /// The CA's current CRL (DER), issuing a new one (next number) when revocations
    /// changed or the stored one nears its nextUpdate. `None` for an unknown CA.
    pub async fn crl(&self, ca_id: &str) -> Result<Option<Vec<u8>>, EngineError> {
        let Some(ca) = self.store.ca_by_id(ca_id).await? else { return Ok(None) };
        let revoked = self.store.revoked_certificates(ca_id).await?;
        let now = self.clock.now();
        let latest = self.store.latest_crl(ca_id).await?;
        if let Some(l) = &latest {
            if l.revoked == revoked.len() as i64 && now < l.next_update - CRL_RENEW_BEFORE {
                return Ok(Some(l.der.clone()));
            }
        }
        let number = latest.as_ref().map_or(1, |l| l.number + 1);
        let entries = revoked
            .iter()
            .map(|(serial, at, reason)| {
                Ok(RevokedEntry {
                    serial: hex_to_bytes(serial).ok_or_else(|| {
                        EngineError::Integrity(format!("registry serial `{serial}`"))
                    })?,
                    revoked_at: *at,
                    reason: reason.as_deref().and_then(|r| r.parse::<RevocationReason>().ok()),
                })
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        let key = CaKey::from_record(&ca)?;
        let issuer = ca.certificate.clone();
        let der = self
            .crypto(move |module| {
                let signer = key.signer(module)?;
                let params = CrlParams {
                    issuer_certificate: &issuer,
                    this_update: now,
                    next_update: now + CRL_VALIDITY,
                    crl_number: u64::try_from(number).unwrap_or(1),
                    revoked: &entries,
                };
                Ok(signet_pki::crl::issue_crl(&params, &signer))
            })
            .await??;
        let stored = StoredCrl {
            ca_id: ca_id.to_owned(),
            number,
            this_update: now,
            next_update: now + CRL_VALIDITY,
            revoked: revoked.len() as i64,
            der: der.clone(),
        };
        match self.store.insert_crl(&stored).await {
            Ok(()) => Ok(Some(der)),
            // Another node issued this number first: serve theirs.
            Err(StoreError::Conflict(_)) => Ok(self.store.latest_crl(ca_id).await?.map(|l| l.der)),
            Err(e) => Err(e.into()),
        }
    }

    /// Answers a DER OCSPRequest with a DER OCSPResponse signed by the delegated
    /// responder; malformed requests get `malformedRequest` (RFC 6960 §2.3).
    pub async fn ocsp(&self, request_der: &[u8]) -> Result<Vec<u8>, EngineError> {
        let request = match signet_pki::ocsp::parse_request(request_der) {
            Ok(r) if !r.ids.is_empty() && r.ids.len() <= MAX_OCSP_IDS => r,
            _ => return Ok(signet_pki::ocsp::response_error(OcspErrorStatus::MalformedRequest)),
        };
        let Some(responder) = self.service_key(&OCSP).await? else {
            return Ok(signet_pki::ocsp::response_error(OcspErrorStatus::TryLater));
        };
        let issuing = &responder.issuing;
        let now = self.clock.now();
        let mut statuses = Vec::with_capacity(request.ids.len());
        for id in &request.ids {
            let status = if responder.issuing_hashes.matches(id) {
                match self.store.certificate_by_serial(&serial_key(&id.serial)).await? {
                    Some(c) if c.ca_id == issuing.id && c.status == CertificateStatus::Revoked => {
                        CertStatus::Revoked {
                            at: c.revoked_at.unwrap_or(now),
                            reason: c.revocation_reason.as_deref().and_then(|r| r.parse().ok()),
                        }
                    }
                    Some(c) if c.ca_id == issuing.id => CertStatus::Good,
                    _ => CertStatus::Unknown,
                }
            } else {
                // Not a certificate of the CA this responder is delegated by.
                CertStatus::Unknown
            };
            statuses.push(status);
        }
        let response = self
            .crypto(move |_| {
                let signer = responder.signer();
                let singles: Vec<SingleStatus<'_>> = request
                    .ids
                    .iter()
                    .zip(statuses)
                    .map(|(id, status)| SingleStatus {
                        id,
                        status,
                        this_update: now,
                        next_update: Some(now + OCSP_VALIDITY),
                    })
                    .collect();
                let params = ResponseParams {
                    responder_certificate: &responder.certificate,
                    produced_at: now,
                    responses: &singles,
                    nonce: request.nonce.as_deref(),
                    include_certificates: &[],
                };
                Ok(signet_pki::ocsp::issue_response(&params, &signer))
            })
            .await??;
        Ok(response)
    }
}

/// An OCSPResponse with status `internalError` (RFC 6960 §2.3).
pub fn ocsp_internal_error() -> Vec<u8> {
    signet_pki::ocsp::response_error(OcspErrorStatus::InternalError)
}

/// An OCSPResponse with status `malformedRequest` (RFC 6960 §2.3).
pub fn ocsp_malformed() -> Vec<u8> {
    signet_pki::ocsp::response_error(OcspErrorStatus::MalformedRequest)
}
