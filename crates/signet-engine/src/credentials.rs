//! Signing credentials: a key generated in the crypto module and bound to its owner and
//! credential id, certified by the embedded issuing CA under a profile.

use crate::ca::{CaKey, CertOrder};
use crate::{Engine, EngineError};
use signet_crypto::KeyBinding;
use signet_pki::{Profile, Subject};
use signet_store::{Credential, CredentialStatus, Group, KeyLifecycle, NewCredential};
use signet_types::{KeyAlgorithm, SignatureAlgorithm};

/// Largest `multisign` a credential may be configured with (signatures per SAD).
pub const MAX_MULTISIGN: u32 = 1000;

/// What to create.
#[derive(Debug, Clone)]
pub struct NewCredentialRequest {
    /// The owner's username.
    pub username: String,
    /// Key type; the configured default when `None`.
    pub key: Option<KeyAlgorithm>,
    /// `natural-person` or `legal-person`.
    pub profile: Profile,
    /// Sole-control assurance level (CSC `SCAL`): 1 or 2.
    pub scal: u8,
    /// Most signatures one authorisation may cover.
    pub multisign: u32,
    /// Free text for the user.
    pub description: Option<String>,
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
    /// `enabled` or `disabled`.
    pub status: String,
    /// SCAL 1 or 2.
    pub scal: i64,
    /// Signatures per authorisation.
    pub multisign: i64,
    /// Description.
    pub description: Option<String>,
    /// Subject DN of the certificate.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Certificate serial number (hex).
    pub serial_number: String,
    /// Validity start, unix seconds.
    pub valid_from: i64,
    /// Validity end, unix seconds.
    pub valid_to: i64,
}

/// The signature algorithms a key may use in a group: SHA-1 only where the group's
/// policy allows it (legacy verifiers).
pub fn allowed_algorithms(key: KeyAlgorithm, group: &Group) -> Vec<SignatureAlgorithm> {
    key.signature_algorithms().into_iter().filter(|a| group.allow_sha1 || !a.is_legacy()).collect()
}

impl Engine {
    /// Creates a key pair for the user, has the issuing CA certify it, and stores the
    /// wrapped key with the certificate chain — the credential and its certificate
    /// registry entry in one transaction.
    pub async fn create_credential(
        &self,
        req: NewCredentialRequest,
    ) -> Result<CredentialView, EngineError> {
        if !(1..=2).contains(&req.scal) {
            return Err(EngineError::InvalidInput("scal must be 1 or 2".into()));
        }
        if req.multisign == 0 || req.multisign > MAX_MULTISIGN {
            return Err(EngineError::InvalidInput(format!(
                "multisign must be between 1 and {MAX_MULTISIGN}"
            )));
        }
        if !req.profile.is_end_entity() {
            return Err(EngineError::InvalidInput(
                "the profile must be natural-person or legal-person".into(),
            ));
        }
        if let Some(d) = &req.description {
            if d.chars().count() > 255 || d.chars().any(char::is_control) {
                return Err(EngineError::InvalidInput(
                    "the description must be at most 255 printable characters".into(),
                ));
            }
        }
        let user = self.user_named(&req.username).await?;
        let issuing = self.issuing_ca().await?;
        let root = self.store.ca_by_id(crate::ca::ROOT_ID).await?;
        let algorithm = req.key.unwrap_or(self.settings.default_key);
        let id = crate::new_id();

        let (owner, cred) = (user.id.clone(), id.clone());
        let key = self
            .crypto(move |m| {
                m.generate_key(&KeyBinding { owner: &owner, credential: &cred, algorithm })
            })
            .await?;

        let full_name = format!("{} {}", user.given_name, user.surname).trim().to_owned();
        let subject = match req.profile {
            Profile::LegalPerson => Subject {
                common_name: full_name.clone(),
                given_name: None,
                surname: None,
                organization: Some(full_name),
                country: self.settings.ca.country.clone(),
                email: None,
            },
            _ => Subject {
                common_name: full_name,
                given_name: Some(user.given_name.clone()).filter(|s| !s.is_empty()),
                surname: Some(user.surname.clone()).filter(|s| !s.is_empty()),
                organization: None,
                country: self.settings.ca.country.clone(),
                email: Some(user.email.clone()).filter(|s| !s.is_empty()),
            },
        };
        let order = CertOrder {
            profile: req.profile,
            subject,
            public_key: key.public_key,
            validity_days: self.settings.certificate_validity_days,
            content: None,
        };
        let issued = self
            .sign_certificate(
                order,
                CaKey::from_record(&issuing)?,
                Some(issuing.certificate.clone()),
            )
            .await?;

        let mut chain = issued.der.clone();
        chain.extend_from_slice(&issuing.certificate);
        if let Some(root) = &root {
            chain.extend_from_slice(&root.certificate);
        }
        let credential = NewCredential {
            id: id.clone(),
            user_id: user.id.clone(),
            key_algorithm: algorithm.as_str().to_owned(),
            wrapped_key: key.wrapped.0,
            certificate_chain: chain,
            profile: req.profile.as_str().to_owned(),
            status: CredentialStatus::Enabled,
            description: req.description.clone(),
            scal: i64::from(req.scal),
            multisign: i64::from(req.multisign),
            created_at: self.clock.now(),
            lifecycle: KeyLifecycle::default(),
        };
        let registry = issued.into_registry_entry(issuing.id.clone(), Some(id));
        let stored = self.store.create_credential(credential, registry).await?;
        self.admin_audit(
            "credential.create",
            Some(&user.id),
            Some(&stored.id),
            serde_json::json!({ "key": algorithm.as_str(), "profile": stored.profile, "scal": stored.scal, "multisign": stored.multisign }),
        )
        .await?;
        tracing::info!(credential = %stored.id, user = %user.username, key = %algorithm, "created credential");
        self.credential_view(stored, &user.username, &user.group_id).await
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

    /// Revokes a credential's certificate (RFC 5280 §5.3.1 reason names); the CRL and
    /// OCSP answers of the embedded CA reflect it at once, and the credential can no
    /// longer sign. Audited.
    pub async fn revoke_credential(
        &self,
        credential_id: &str,
        reason: Option<&str>,
    ) -> Result<String, EngineError> {
        use signet_pki::crl::RevocationReason;
        let reason = match reason {
            Some(r) => Some(r.parse::<RevocationReason>().map_err(|_| {
                let names: Vec<&str> = RevocationReason::ALL.iter().map(|r| r.as_str()).collect();
                EngineError::InvalidInput(format!(
                    "unknown revocation reason `{r}` (one of {})",
                    names.join(", ")
                ))
            })?),
            None => None,
        };
        let id = signet_types::CredentialId::parse(credential_id)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let c = self
            .store
            .credential_by_id(id.as_str())
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("credential `{credential_id}`")))?;
        let chain = signet_pki::split_chain(&c.certificate_chain)?;
        let leaf = chain
            .first()
            .ok_or_else(|| EngineError::Integrity("credential without certificate".into()))?;
        let serial = signet_pki::parse_certificate(leaf)?.serial_hex.to_ascii_lowercase();
        // The registry keeps the RFC 5280 name; "unspecified" is recorded as no reason
        // (RFC 5280 §5.3.1: the reasonCode is then omitted).
        let reason =
            reason.filter(|r| *r != RevocationReason::Unspecified).map(RevocationReason::as_str);
        if !self.store.revoke_certificate(&serial, self.clock.now(), reason).await? {
            return Err(EngineError::Conflict(format!(
                "the certificate of credential `{credential_id}` is already revoked"
            )));
        }
        self.admin_audit(
            "credential.revoke",
            Some(&c.user_id),
            Some(&c.id),
            serde_json::json!({ "serial": serial, "reason": reason.unwrap_or("unspecified") }),
        )
        .await?;
        Ok(serial)
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
        let chain = signet_pki::split_chain(&c.certificate_chain)?;
        let leaf = chain.first().ok_or_else(|| {
            EngineError::Integrity(format!("credential `{}` has no certificate", c.id))
        })?;
        let info = signet_pki::parse_certificate(leaf)?;
        Ok(CredentialView {
            credential_id: c.id,
            username: username.to_owned(),
            key: key.as_str().to_owned(),
            algorithms: allowed_algorithms(key, &group).iter().map(|a| a.name()).collect(),
            profile: c.profile,
            status: c.status.as_str().to_owned(),
            scal: c.scal,
            multisign: c.multisign,
            description: c.description,
            subject: info.subject_dn,
            issuer: info.issuer_dn,
            serial_number: info.serial_hex,
            valid_from: info.not_before,
            valid_to: info.not_after,
        })
    }
}
