//! Identity management: a signer's keys — created (after the signer accepts the group's
//! TSP policy documents), listed with their certificates, and deleted (the wrapped blob
//! is destroyed). Callable by the user's own token and by a service token of the user's
//! group; every decision is audited, successes in the same transaction as their effect.

use crate::profiles::PolicyDocument;
use crate::tokens::Caller;
use crate::{Engine, EngineError};
use serde_json::json;
use signet_crypto::KeyBinding;
use signet_store::{AuditEvent, Consent, Credential, CredentialStatus, Group, KeyLifecycle, User};
use signet_types::KeyAlgorithm;

/// Largest `multisign` a key may be configured with (signatures per SAD).
pub const MAX_MULTISIGN: u32 = 1000;

/// A document the signer says they accepted: it must match one of the group's documents
/// exactly (name, version and SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AcceptedDocument {
    /// The document's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// A request to create a signing key.
#[derive(Debug, Clone)]
pub struct KeyRequest {
    /// Key type; the configured default when `None`.
    pub algorithm: Option<KeyAlgorithm>,
    /// The policy documents the signer accepted.
    pub accepted: Vec<AcceptedDocument>,
    /// Free text for the signer.
    pub description: Option<String>,
    /// Sole-control assurance level (CSC `SCAL`): 1 or 2.
    pub scal: u8,
    /// Most signatures one authorisation may cover.
    pub multisign: u32,
}

/// A key and its current certificate, as the APIs show them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyView {
    /// Key id (the CSC `credentialID`).
    pub key_id: String,
    /// The owner's username.
    pub username: String,
    /// Key type.
    pub algorithm: String,
    /// The public key (PEM SubjectPublicKeyInfo), e.g. for a CSR made elsewhere.
    pub public_key_pem: Option<String>,
    /// `active`, `disabled`, `deleted` (key destroyed) or `expired` (one-shot key past its
    /// end).
    pub status: &'static str,
    /// Free text.
    pub description: Option<String>,
    /// SCAL 1 or 2.
    pub scal: i64,
    /// Signatures per authorisation.
    pub multisign: i64,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// When the key was destroyed, unix seconds.
    pub deleted_at: Option<i64>,
    /// A one-shot key's end, unix seconds.
    pub expires_at: Option<i64>,
    /// The current certificate, once one was issued.
    pub certificate: Option<CertificateView>,
}

/// A key's current certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CertificateView {
    /// The profile it was issued under.
    pub profile: String,
    /// The CA connector that issued it.
    pub connector: String,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, hex.
    pub serial_number: String,
    /// notBefore, unix seconds.
    pub valid_from: i64,
    /// notAfter, unix seconds.
    pub valid_to: i64,
    /// `valid`, `revoked` or `expired`.
    pub status: &'static str,
    /// Revocation time, unix seconds.
    pub revoked_at: Option<i64>,
    /// RFC 5280 §5.3.1 reason name.
    pub revocation_reason: Option<String>,
    /// The chain as PEM, leaf first.
    pub chain_pem: Vec<String>,
}

impl Engine {
    /// The TSP policy documents a user of `username`'s group must accept before a key is
    /// created (the caller's own group for a user token).
    pub async fn policy_documents(
        &self,
        caller: &Caller,
        username: Option<&str>,
    ) -> Result<Vec<PolicyDocument>, EngineError> {
        let (_, group) = self.subject_user(caller, username, "keys.documents").await?;
        Ok(self.settings.policies.group(&group.name).documents)
    }

    /// Creates a signing key for a user: checks the acceptance of every policy document of
    /// the group, generates the key in the crypto module (bound to its owner and id), and
    /// stores the key, the consent and the audit record in one transaction. The key has no
    /// certificate yet: the Enrollment API issues one.
    pub async fn create_key(
        &self,
        caller: &Caller,
        username: Option<&str>,
        req: KeyRequest,
    ) -> Result<KeyView, EngineError> {
        check_key_request(&req)?;
        let (user, group) = self.subject_user(caller, username, "keys.create").await?;
        let algorithm = req.algorithm.unwrap_or(self.settings.default_key);
        let documents = match self.check_consent(&group, &req.accepted) {
            Ok(d) => d,
            Err(e) => {
                self.refusal_audit(
                    caller,
                    Some(&user.id),
                    None,
                    "keys.create",
                    "policy not accepted",
                )
                .await?;
                return Err(e);
            }
        };
        let credential = self
            .new_key(&user, algorithm, req.description.clone(), req.scal, req.multisign, None)
            .await?;
        let audit = self.event(
            caller,
            "keys.create",
            &user,
            &credential.id,
            json!({ "algorithm": algorithm.as_str(), "accepted": documents }),
        );
        self.record_new_key(&credential, None, &documents, audit).await?;
        tracing::info!(key = %credential.id, user = %user.username, %algorithm, "created key");
        self.key_view(credential, &user).await
    }

    /// A user's keys with their certificates, in id order (the caller's own for a user
    /// token).
    pub async fn list_keys(
        &self,
        caller: &Caller,
        username: Option<&str>,
    ) -> Result<Vec<KeyView>, EngineError> {
        const PAGE: i64 = 100;
        let (user, _) = self.subject_user(caller, username, "keys.list").await?;
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self.store.list_credentials(&user.id, PAGE, after.as_deref()).await?;
            let full = page.len() as i64 == PAGE;
            after = page.last().map(|c| c.id.clone());
            for c in page {
                out.push(self.key_view(c, &user).await?);
            }
            if !full {
                return Ok(out);
            }
        }
    }

    /// One key, if the caller may see it.
    pub async fn key(&self, caller: &Caller, key_id: &str) -> Result<KeyView, EngineError> {
        let (user, credential, _) = self.key_of(caller, key_id, "keys.show").await?;
        self.key_view(credential, &user).await
    }

    /// Deletes a key: the wrapped blob is destroyed and the credential disabled, in the
    /// transaction that writes the audit record. Signing with it afterwards fails with
    /// "the key was destroyed". The certificate, if any, is left to expire or be revoked
    /// through the Enrollment API.
    pub async fn delete_key(&self, caller: &Caller, key_id: &str) -> Result<(), EngineError> {
        let (user, credential, _) = self.key_of(caller, key_id, "keys.delete").await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx.destroy_credential_key(&credential.id, now).await? {
            drop(tx);
            return Err(EngineError::Conflict(format!("key `{key_id}` was already deleted")));
        }
        tx.append_audit(self.event(caller, "keys.delete", &user, &credential.id, json!({})))
            .await?;
        tx.commit().await?;
        tracing::info!(key = %credential.id, user = %user.username, "deleted key");
        Ok(())
    }

    /// Generates a key bound to its owner and a new id, as an uncertified credential
    /// (nothing is stored).
    pub(crate) async fn new_key(
        &self,
        user: &User,
        algorithm: KeyAlgorithm,
        description: Option<String>,
        scal: u8,
        multisign: u32,
        expires_at: Option<i64>,
    ) -> Result<Credential, EngineError> {
        let id = crate::new_id();
        let (owner, cred) = (user.id.clone(), id.clone());
        let key = self
            .crypto(move |m| {
                m.generate_key(&KeyBinding { owner: &owner, credential: &cred, algorithm })
            })
            .await?;
        Ok(Credential {
            id,
            user_id: user.id.clone(),
            key_algorithm: algorithm.as_str().to_owned(),
            wrapped_key: key.wrapped.0,
            public_key: key.public_key,
            certificate_chain: Vec::new(),
            profile: String::new(),
            status: CredentialStatus::Enabled,
            description,
            scal: i64::from(scal),
            multisign: i64::from(multisign),
            created_at: self.clock.now(),
            lifecycle: KeyLifecycle { expires_at, ..KeyLifecycle::default() },
        })
    }

    /// Stores a new key — its credential, the embedded CA's registry row if any, the
    /// signer's consent to `documents` and the audit record — in one transaction.
    pub(crate) async fn record_new_key(
        &self,
        credential: &Credential,
        registry: Option<&signet_store::IssuedCertificate>,
        documents: &serde_json::Value,
        audit: AuditEvent,
    ) -> Result<(), EngineError> {
        let mut tx = self.store.begin().await?;
        tx.insert_credential(credential).await?;
        if let Some(row) = registry {
            tx.insert_certificate(row).await?;
        }
        tx.insert_consent(&Consent {
            id: crate::new_id(),
            user_id: credential.user_id.clone(),
            credential_id: credential.id.clone(),
            documents: documents.to_string(),
            accepted_at: audit.at,
        })
        .await?;
        tx.append_audit(audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the signer accepted every document of the group, exactly; returns what was
    /// accepted as JSON for the consent record.
    pub(crate) fn check_consent(
        &self,
        group: &Group,
        accepted: &[AcceptedDocument],
    ) -> Result<serde_json::Value, EngineError> {
        let required = self.settings.policies.group(&group.name).documents;
        let missing: Vec<String> = required
            .iter()
            .filter(|d| {
                !accepted.iter().any(|a| {
                    a.name == d.name
                        && a.version == d.version
                        && a.sha256.eq_ignore_ascii_case(&d.sha256)
                })
            })
            .map(|d| format!("{} version {}", d.name, d.version))
            .collect();
        if !missing.is_empty() {
            return Err(EngineError::ConsentRequired(format!(
                "the signer must accept the group's TSP policy documents first: {} \
                 (see GET /api/v1/policy-documents)",
                missing.join(", ")
            )));
        }
        Ok(documents_json(&required))
    }

    /// The user an API call acts for: the caller itself for a user token; for a service
    /// token, `username` in the client's group (a user outside it is reported as not
    /// found, and audited).
    pub(crate) async fn subject_user(
        &self,
        caller: &Caller,
        username: Option<&str>,
        kind: &str,
    ) -> Result<(User, Group), EngineError> {
        let user = match (caller, username) {
            (Caller::User { user, .. }, None) => user.clone(),
            (Caller::User { user, .. }, Some(name)) if name == user.username => user.clone(),
            (Caller::User { user, .. }, Some(_)) => {
                self.refusal_audit(caller, Some(&user.id), None, kind, "another user's keys")
                    .await?;
                return Err(EngineError::Forbidden(
                    "a user token acts for its own user only".into(),
                ));
            }
            (Caller::Service { .. }, None) => {
                return Err(EngineError::InvalidInput(
                    "a service token must name the user (`user`)".into(),
                ))
            }
            (Caller::Service { client, .. }, Some(name)) => {
                let found = match self.store.user_by_username(name).await? {
                    Some(u) if u.group_id == client.group_id => u,
                    other => {
                        let reason = "user outside the client's group";
                        let id = other.map(|u| u.id);
                        self.refusal_audit(caller, id.as_deref(), None, kind, reason).await?;
                        return Err(EngineError::NotFound(format!(
                            "user `{}`",
                            name.chars().take(64).collect::<String>()
                        )));
                    }
                };
                found
            }
        };
        let group = self.store.group_by_id(&user.group_id).await?.ok_or_else(|| {
            EngineError::Integrity(format!("user `{}` has no group", user.username))
        })?;
        Ok((user, group))
    }

    /// A key the caller may manage, with its owner and group; another user's key is
    /// reported as not found (and audited).
    pub(crate) async fn key_of(
        &self,
        caller: &Caller,
        key_id: &str,
        kind: &str,
    ) -> Result<(User, Credential, Group), EngineError> {
        self.csc_credential(caller, key_id, kind).await.map_err(|e| match e {
            EngineError::InvalidInput(_) => EngineError::NotFound(format!(
                "key `{}`",
                key_id.chars().take(64).collect::<String>()
            )),
            other => other,
        })
    }

    /// An audit event of a successful key operation.
    pub(crate) fn event(
        &self,
        caller: &Caller,
        kind: &str,
        user: &User,
        credential_id: &str,
        details: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            at: self.clock.now(),
            kind: kind.to_owned(),
            outcome: "success".into(),
            user_id: Some(user.id.clone()),
            client_id: caller.client_id().map(str::to_owned),
            credential_id: Some(credential_id.to_owned()),
            details: details.to_string(),
        }
    }

    pub(crate) async fn key_view(
        &self,
        c: Credential,
        user: &User,
    ) -> Result<KeyView, EngineError> {
        let now = self.clock.now();
        let status = if !c.key_exists() {
            "deleted"
        } else if c.lifecycle.expires_at.is_some_and(|t| t <= now) {
            "expired"
        } else if c.status == CredentialStatus::Enabled {
            "active"
        } else {
            "disabled"
        };
        let certificate =
            if c.is_certified() { Some(self.certificate_view(&c).await?) } else { None };
        let public_key_pem = match self.public_key_of(&c).await {
            Ok(spki) => Some(signet_pki::public_key_pem(&spki)),
            Err(_) => None,
        };
        Ok(KeyView {
            key_id: c.id,
            username: user.username.clone(),
            algorithm: c.key_algorithm,
            public_key_pem,
            status,
            description: c.description,
            scal: c.scal,
            multisign: c.multisign,
            created_at: c.created_at,
            deleted_at: c.lifecycle.destroyed_at,
            expires_at: c.lifecycle.expires_at,
            certificate,
        })
    }

    async fn certificate_view(&self, c: &Credential) -> Result<CertificateView, EngineError> {
        let chain = signet_pki::split_chain(&c.certificate_chain)?;
        let leaf = chain
            .first()
            .ok_or_else(|| EngineError::Integrity(format!("key `{}` has an empty chain", c.id)))?;
        let info = signet_pki::parse_certificate(leaf)?;
        let revocation = self.certificate_revocation(c, &info).await?;
        let status = crate::CertStatus::of(revocation.is_some(), &info, self.clock.now()).as_str();
        let (revoked_at, reason) = revocation.map_or((None, None), |(at, r)| (Some(at), Some(r)));
        Ok(CertificateView {
            profile: c.profile.clone(),
            connector: c.lifecycle.connector.clone(),
            subject: info.subject_dn,
            issuer: info.issuer_dn,
            serial_number: info.serial_hex,
            valid_from: info.not_before,
            valid_to: info.not_after,
            status,
            revoked_at,
            revocation_reason: reason,
            chain_pem: chain.iter().map(|d| signet_pki::to_pem(d)).collect(),
        })
    }
}

/// The record of accepted documents kept with a consent and in its audit record.
pub(crate) fn documents_json(documents: &[PolicyDocument]) -> serde_json::Value {
    json!(documents
        .iter()
        .map(|d| json!({ "name": d.name, "version": d.version, "sha256": d.sha256 }))
        .collect::<Vec<_>>())
}

/// Checks a key request's own fields.
pub(crate) fn check_key_request(req: &KeyRequest) -> Result<(), EngineError> {
    if !(1..=2).contains(&req.scal) {
        return Err(EngineError::InvalidInput("scal must be 1 or 2".into()));
    }
    if req.multisign == 0 || req.multisign > MAX_MULTISIGN {
        return Err(EngineError::InvalidInput(format!(
            "multisign must be between 1 and {MAX_MULTISIGN}"
        )));
    }
    if let Some(d) = &req.description {
        if d.chars().count() > 255 || d.chars().any(char::is_control) {
            return Err(EngineError::InvalidInput(
                "the description must be at most 255 printable characters".into(),
            ));
        }
    }
    Ok(())
}
