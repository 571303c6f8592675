//! Who signs a document and with what: the credential checked for the caller (its
//! certificate valid, its key enabled) and the signature algorithm chosen among those it
//! offers (never SHA-1 for new AdES signatures, ETSI TS 119 312).

use super::Level;
use crate::tokens::Caller;
use crate::{CertStatus, Engine, EngineError};
use signet_store::{Credential, User};
use signet_types::SignatureAlgorithm;

/// A credential ready to sign documents.
#[derive(Debug)]
pub struct DocumentSigner {
    pub(crate) user: User,
    pub(crate) credential: Credential,
    /// The certificate chain, the signer's first.
    pub(crate) chain: Vec<Vec<u8>>,
    /// The algorithm the signatures are made with.
    pub algorithm: SignatureAlgorithm,
}

impl DocumentSigner {
    /// The signer's certificate.
    pub(crate) fn leaf(&self) -> Result<&Vec<u8>, EngineError> {
        self.chain.first().ok_or_else(|| {
            EngineError::Integrity(format!(
                "credential `{}` has no certificate",
                self.credential.id
            ))
        })
    }
}

impl Engine {
    /// Resolves `credential_id` for `caller` and the algorithm (`requested`, or the
    /// credential's first non-SHA-1 one); `level` must be one the group allows.
    pub async fn document_signer(
        &self,
        caller: &Caller,
        credential_id: &str,
        requested: Option<SignatureAlgorithm>,
        level: Level,
        operation: &str,
    ) -> Result<DocumentSigner, EngineError> {
        let (user, credential, group) =
            self.csc_credential(caller, credential_id, operation).await?;
        let policy = self.settings.policies.group(&group.name);
        if !policy.document_levels.contains(&level) {
            let allowed: Vec<&str> = policy.document_levels.iter().map(|l| l.as_str()).collect();
            return Err(EngineError::InvalidInput(format!(
                "level {level} is not allowed for this credential's group (allowed: {})",
                allowed.join(", ")
            )));
        }
        let info = self.csc_info(caller, credential_id).await?;
        if info.cert_status != CertStatus::Valid || !info.key_enabled {
            return Err(EngineError::InvalidInput(format!(
                "the credential cannot sign: its certificate is {} and its key {}",
                info.cert_status.as_str(),
                if info.key_enabled { "enabled" } else { "disabled" }
            )));
        }
        let allowed = crate::allowed_algorithms(info.key, &group);
        let algorithm = match requested {
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
        Ok(DocumentSigner { user, credential, chain: info.chain, algorithm })
    }
}
