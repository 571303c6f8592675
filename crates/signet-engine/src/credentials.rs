//! Signing credentials: a key generated in the crypto module and bound to its owner and
//! credential id, certified by the embedded issuing CA under a profile.

use crate::connector::{subject_for, CertifyRequest};
use crate::keys::{check_key_request, KeyRequest};
use crate::{Engine, EngineError};
use signet_store::{Credential, CredentialStatus, Group};
use signet_types::{KeyAlgorithm, SignatureAlgorithm};

/// What to create.
#[derive(Debug, Clone)]
pub struct NewCredentialRequest {
    /// The owner's username.
    pub username: String,
    /// Key type; the configured default when `None`.
    pub key: Option<KeyAlgorithm>,
    /// A certificate profile of the user's group; the group's default when `None`.
    pub profile: Option<String>,
    /// Sole-control assurance level (CSC `SCAL`): 1 or 2.
    pub scal: u8,
    /// Most signatures one authorisation may cover.
    pub multisign: u32,
    /// Free text for the user.
    pub description: Option<String>,
    /// The operator states that the user accepted the group's TSP policy documents.
    pub accepted_by_operator: bool,
}

/// A credential as shown to operators and users.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CredentialView {
    /// Credential id (CSC `credentialID`).
    pub credential_id: String,
    /// Owner's username.
    pub username: String,
    /// Key type.
    pub key: String,
    /// Signature algorithms this credential may use under its group's policy.
    pub algorithms: Vec<String>,
    /// Certificate profile.
    pub profile: String,
    /// `enabled`, `disabled` or `deleted` (key destroyed).
    pub status: String,
    /// SCAL 1 or 2.
    pub scal: i64,
    /// Signatures per authorisation.
    pub multisign: i64,
    /// Description.
    pub description: Option<String>,
    /// Subject DN of the certificate (none before a certificate is issued).
    pub subject: Option<String>,
    /// Issuer DN.
    pub issuer: Option<String>,
    /// Certificate serial number (hex).
    pub serial_number: Option<String>,
    /// Validity start, unix seconds.
    pub valid_from: Option<i64>,
    /// Validity end, unix seconds.
    pub valid_to: Option<i64>,
}

/// The signature algorithms a key may use in a group: SHA-1 only where the group's
/// policy allows it (legacy verifiers).
pub fn allowed_algorithms(key: KeyAlgorithm, group: &Group) -> Vec<SignatureAlgorithm> {
    key.signature_algorithms().into_iter().filter(|a| group.allow_sha1 || !a.is_legacy()).collect()
}

impl Engine {
    /// Creates a key pair for the user and has the group's CA connector certify it under
    /// the requested (or the group's default) profile; the credential, its registry row,
    /// the consent and the audit record are written in one transaction. When the group
    /// has TSP policy documents, the operator must state that the user accepted them
    /// (`accepted_by_operator`, e.g. on a signed paper form).
    pub async fn create_credential(
        &self,
        req: NewCredentialRequest,
    ) -> Result<CredentialView, EngineError> {
        check_key_request(&KeyRequest {
            algorithm: req.key,
            accepted: Vec::new(),
            description: req.description.clone(),
            scal: req.scal,
            multisign: req.multisign,
        })?;
        let user = self.user_named(&req.username).await?;
        let group = self.store.group_by_id(&user.group_id).await?.ok_or_else(|| {
            EngineError::Integrity(format!("user `{}` has no group", user.username))
        })?;
        let profile =
            self.settings.policies.profile_for(&group.name, req.profile.as_deref())?.clone();
        let algorithm = req.key.unwrap_or(self.settings.default_key);
        if !profile.key_types.contains(&algorithm) {
            return Err(EngineError::InvalidInput(format!(
                "profile `{}` does not allow {algorithm} keys",
                profile.name
            )));
        }
        let documents = self.settings.policies.group(&group.name).documents;
        if !documents.is_empty() && !req.accepted_by_operator {
            return Err(EngineError::ConsentRequired(format!(
                "group `{}` has TSP policy documents: state that the user accepted them \
                 (--accepted-policies)",
                group.name
            )));
        }
        let mut credential = self
            .new_key(&user, algorithm, req.description.clone(), req.scal, req.multisign, None)
            .await?;
        let connector = self.connector_for(&group)?;
        let certified = connector
            .certify(
                self,
                CertifyRequest {
                    credential_id: &credential.id,
                    profile: &profile,
                    subject: subject_for(&user, profile.kind, self.settings.ca.country.clone()),
                    public_key: credential.public_key.clone(),
                    renewing: None,
                    validity_seconds: None,
                },
            )
            .await?;
        credential.certificate_chain = certified.chain;
        credential.profile = profile.name.clone();
        credential.lifecycle.connector = connector.name().to_owned();

        let accepted = crate::keys::documents_json(&documents);
        let audit = signet_store::AuditEvent {
            at: self.clock.now(),
            kind: "admin.credential.create".into(),
            outcome: "success".into(),
            user_id: Some(user.id.clone()),
            client_id: None,
            credential_id: Some(credential.id.clone()),
            details: serde_json::json!({
                "key": algorithm.as_str(), "profile": profile.name, "connector": connector.name(),
                "scal": credential.scal, "multisign": credential.multisign,
                "accepted": accepted, "accepted_by": "operator",
            })
            .to_string(),
        };
        self.record_new_key(&credential, certified.registry.as_ref(), &accepted, audit).await?;
        tracing::info!(credential = %credential.id, user = %user.username, key = %algorithm, "created credential");
        self.credential_view(credential, &user.username, &user.group_id).await
    }

    /// Enables or disables a credential (an operator's decision, audited).
    pub async fn set_credential_enabled(
        &self,
        credential_id: &str,
        enabled: bool,
    ) -> Result<(), EngineError> {
        let id = signet_types::CredentialId::parse(credential_id)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let c = self
            .store
            .credential_by_id(id.as_str())
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("credential `{credential_id}`")))?;
        let status = if enabled { CredentialStatus::Enabled } else { CredentialStatus::Disabled };
        self.store.set_credential_status(&c.id, status).await?;
        let kind = if enabled { "credential.enable" } else { "credential.disable" };
        self.admin_audit(kind, Some(&c.user_id), Some(&c.id), serde_json::json!({})).await
    }

    /// Revokes a credential's certificate (RFC 5280 §5.3.1 reason names) through the CA
    /// connector that issued it: with the embedded CA the CRL and OCSP answers reflect it
    /// at once; an external CA is asked over CMP. The credential can no longer sign.
    /// Audited as an operator's action, in the transaction that records it.
    pub async fn revoke_credential(
        &self,
        credential_id: &str,
        reason: Option<&str>,
    ) -> Result<String, EngineError> {
        let reason = crate::enrollment::parse_reason(reason)?;
        let id = signet_types::CredentialId::parse(credential_id)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let c = self
            .store
            .credential_by_id(id.as_str())
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("credential `{credential_id}`")))?;
        if !c.is_certified() {
            return Err(EngineError::Conflict(format!(
                "credential `{credential_id}` has no certificate"
            )));
        }
        let user = self.store.user_by_id(&c.user_id).await?.ok_or_else(|| {
            EngineError::Integrity(format!("credential `{credential_id}` has no owner"))
        })?;
        let group = self.store.group_by_id(&user.group_id).await?.ok_or_else(|| {
            EngineError::Integrity(format!("user `{}` has no group", user.username))
        })?;
        self.revoke_current("admin.credential.revoke", None, &user, &c, &group, reason).await
    }

    /// A credential's certificate chain (DER, leaf first), for operators and tools.
    pub async fn credential_chain(&self, credential_id: &str) -> Result<Vec<Vec<u8>>, EngineError> {
        let c = self
            .store
            .credential_by_id(credential_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("credential `{credential_id}`")))?;
        Ok(signet_pki::split_chain(&c.certificate_chain)?)
    }

    /// All of a user's credentials, in id order.
    pub async fn list_credentials(
        &self,
        username: &str,
    ) -> Result<Vec<CredentialView>, EngineError> {
        const PAGE: i64 = 100;
        let user = self.user_named(username).await?;
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.store.list_credentials(&user.id, PAGE, after.as_deref()).await?;
            let full = page.len() as i64 == PAGE;
            after = page.last().map(|c| c.id.clone());
            for c in page {
                out.push(self.credential_view(c, &user.username, &user.group_id).await?);
            }
            if !full {
                return Ok(out);
            }
        }
    }

    async fn credential_view(
        &self,
        c: Credential,
        username: &str,
        group_id: &str,
    ) -> Result<CredentialView, EngineError> {
        let group = self
            .store
            .group_by_id(group_id)
            .await?
            .ok_or_else(|| EngineError::Integrity(format!("user `{username}` has no group")))?;
        let key: KeyAlgorithm = c.key_algorithm.parse().map_err(|_| {
            EngineError::Integrity(format!("credential `{}` has an unknown key type", c.id))
        })?;
        let info = match signet_pki::split_chain(&c.certificate_chain)?.first() {
            Some(leaf) => Some(signet_pki::parse_certificate(leaf)?),
            None => None,
        };
        let status = if c.key_exists() { c.status.as_str() } else { "deleted" };
        Ok(CredentialView {
            status: status.to_owned(),
            credential_id: c.id,
            username: username.to_owned(),
            key: key.as_str().to_owned(),
            algorithms: allowed_algorithms(key, &group).iter().map(|a| a.name()).collect(),
            profile: c.profile,
            scal: c.scal,
            multisign: c.multisign,
            description: c.description,
            subject: info.as_ref().map(|i| i.subject_dn.clone()),
            issuer: info.as_ref().map(|i| i.issuer_dn.clone()),
            serial_number: info.as_ref().map(|i| i.serial_hex.clone()),
            valid_from: info.as_ref().map(|i| i.not_before),
            valid_to: info.as_ref().map(|i| i.not_after),
        })
    }
}
