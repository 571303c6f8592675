//! Validation material for B-LT (EN 319 122-1 §5.5, EN 319 142-1 §5.4.2): the
//! certificates of the chains, the CRLs of the CAs that issued them and OCSP responses
//! for the end-entity certificates — the signer's and the TSA's.

use crate::service_keys::TSA;
use crate::{Engine, EngineError};
use signet_ades::pades::ValidationData;

impl Engine {
    /// The embedded PKI's material for `chain` (the signer's certificate first) and for
    /// the TSA: issued and answered in-process, no HTTP.
    pub(crate) async fn embedded_evidence(
        &self,
        chain: &[Vec<u8>],
    ) -> Result<ValidationData, EngineError> {
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
        if !certificates.contains(&tsa.certificate) {
            certificates.push(tsa.certificate.clone());
        }
        let mut crls = Vec::new();
        for ca in [crate::ca::ISSUING_ID, crate::ca::ROOT_ID] {
            if let Some(crl) = self.crl(ca).await? {
                crls.push(crl);
            }
        }
        let mut ocsp_responses = Vec::new();
        for cert in [&chain[0], &tsa.certificate] {
            let request = signet_pki::ocsp::request_der(cert, &issuing.certificate, None)?;
            ocsp_responses.push(self.ocsp(&request).await?);
        }
        Ok(ValidationData { certificates, crls, ocsp_responses })
    }
}
