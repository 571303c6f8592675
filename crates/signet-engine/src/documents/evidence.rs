//! Validation material for B-LT (EN 319 122-1 §5.5, EN 319 142-1 §5.4.2): for each
//! end-entity certificate that must stay verifiable (a signer's, a TSA's), its chain, the
//! CRLs of the CAs that issued it and an OCSP response for it. Certificates of the
//! embedded PKI are answered in-process; others by their own responders, named in their
//! AIA and CRL distribution points (fetched over HTTP).

use crate::service_keys::TSA;
use crate::{Engine, EngineError};
use signet_ades::pades::ValidationData;

/// The longest chain followed.
const MAX_CHAIN: usize = 8;

impl Engine {
    /// The material for our own signature: the signer's chain and the embedded TSA.
    pub(crate) async fn embedded_evidence(
        &self,
        chain: &[Vec<u8>],
    ) -> Result<ValidationData, EngineError> {
        let tsa = self
            .service_key(&TSA)
            .await?
            .ok_or_else(|| EngineError::Unavailable("the TSA key does not exist yet".into()))?;
        let leaf = chain
            .first()
            .ok_or_else(|| EngineError::Integrity("a signer's chain is empty".into()))?;
        self.evidence_for(&[leaf.clone(), tsa.certificate.clone()], chain).await
    }

    /// The material for each of `leaves`, their chains built from `pool` (and the embedded
    /// CAs): certificates, CRLs, OCSP responses, without duplicates.
    pub(crate) async fn evidence_for(
        &self,
        leaves: &[Vec<u8>],
        pool: &[Vec<u8>],
    ) -> Result<ValidationData, EngineError> {
        let issuing = self.issuing_ca().await?;
        let mut pool = pool.to_vec();
        pool.push(issuing.certificate.clone());
        if let Some(root) = self.ca_certificate_der(crate::ca::ROOT_ID).await? {
            pool.push(root);
        }
        let mut out = ValidationData::default();
        let mut embedded_crls = false;
        for leaf in leaves {
            let chain = chain_from(leaf, &pool)?;
            if chain.get(1) == Some(&issuing.certificate) {
                let request = signet_pki::ocsp::request_der(leaf, &issuing.certificate, None)?;
                push(&mut out.ocsp_responses, self.ocsp(&request).await?);
                embedded_crls = true;
                chain.into_iter().for_each(|c| push(&mut out.certificates, c));
            } else {
                let found = self.external_evidence(&chain).await?;
                found.certificates.into_iter().for_each(|c| push(&mut out.certificates, c));
                found.crls.into_iter().for_each(|c| push(&mut out.crls, c));
                found.ocsp_responses.into_iter().for_each(|c| push(&mut out.ocsp_responses, c));
            }
        }
        if embedded_crls {
            for ca in [crate::ca::ISSUING_ID, crate::ca::ROOT_ID] {
                if let Some(crl) = self.crl(ca).await? {
                    push(&mut out.crls, crl);
                }
            }
        }
        Ok(out)
    }

    /// Material from the responders a certificate of another PKI names (its AIA OCSP
    /// responder, else its CRL distribution point; missing issuers from caIssuers). A
    /// revoked certificate is logged: its material is evidence all the same.
    async fn external_evidence(&self, chain: &[Vec<u8>]) -> Result<ValidationData, EngineError> {
        let collector = self.evidence.as_ref().ok_or_else(|| {
            EngineError::Unavailable("validation material of other PKIs cannot be fetched".into())
        })?;
        let found = collector.collect(chain, self.clock.now()).await?;
        for subject in found.revoked() {
            tracing::warn!(%subject, "a certificate being extended is revoked");
        }
        Ok(ValidationData {
            certificates: found.certificates,
            crls: found.crls,
            ocsp_responses: found.ocsp_responses,
        })
    }
}

fn push(list: &mut Vec<Vec<u8>>, item: Vec<u8>) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// `leaf` and its issuers from `pool`, matched by name, up to a self-signed certificate
/// or the last issuer found.
pub(crate) fn chain_from(leaf: &[u8], pool: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, EngineError> {
    let infos: Vec<(Vec<u8>, signet_pki::CertificateInfo)> = pool
        .iter()
        .filter_map(|c| signet_pki::parse_certificate(c).ok().map(|i| (c.clone(), i)))
        .collect();
    let mut chain = vec![leaf.to_vec()];
    let mut current = signet_pki::parse_certificate(leaf)?;
    while chain.len() < MAX_CHAIN && current.issuer_dn != current.subject_dn {
        let Some((der, info)) = infos
            .iter()
            .find(|(der, i)| i.subject_dn == current.issuer_dn && i.is_ca && !chain.contains(der))
        else {
            break;
        };
        chain.push(der.clone());
        current = info.clone();
    }
    Ok(chain)
}
