//! Enrollment: certificates for a signer's keys through the group's CA connector —
//! issue, renew (the same key, or a new one), revoke. The connector talks to the CA;
//! the engine records the result and its audit record in one transaction, so the
//! embedded CA's CRL and OCSP answers reflect a revocation at once.

use crate::connector::{subject_for, CaConnector, CertifyRequest, Revoked};
use crate::keys::{AcceptedDocument, KeyView};
use crate::profiles::CertificateProfile;
use crate::tokens::Caller;
use crate::{Engine, EngineError};
use serde_json::json;
use signet_pki::crl::RevocationReason;
use signet_store::{Credential, Group, User};
use signet_types::KeyAlgorithm;
use std::sync::Arc;

/// A renewal with a new key.
#[derive(Debug, Clone, Default)]
pub struct Rekey {
    /// The new key's type; the old key's when `None`.
    pub algorithm: Option<KeyAlgorithm>,
    /// The policy documents the signer accepted (a new key needs them, as any key does).
    pub accepted: Vec<AcceptedDocument>,
}

impl Engine {
    /// Issues a certificate for a key that has none (or whose certificate was revoked or
    /// expired), under `profile` or the group's default profile.
    pub async fn issue_certificate(
        &self,
        caller: &Caller,
        key_id: &str,
        profile: Option<&str>,
    ) -> Result<KeyView, EngineError> {
        const KIND: &str = "enrollment.issue";
        let (user, credential, group) = self.key_of(caller, key_id, KIND).await?;
        if !credential.key_exists() {
            return Err(EngineError::Conflict(format!("key `{key_id}` was deleted")));
        }
        if credential.is_certified() {
            let current = self.key_view(credential.clone(), &user).await?;
            if current.certificate.as_ref().is_some_and(|c| c.status == "valid") {
                return Err(EngineError::Conflict(format!(
                    "key `{key_id}` has a valid certificate: renew or revoke it instead"
                )));
            }
        }
        let profile = self.settings.policies.profile_for(&group.name, profile)?.clone();
        self.certify_and_record(caller, KIND, &user, &group, credential, &profile, None).await
    }

    /// Renews a key's certificate. With `new_key`, a new key of the same type is created
    /// (its creation needs the acceptance of the policy documents, as for any key) and
    /// certified; the old key and certificate stay as they are, to be revoked or deleted
    /// by the caller. Without, the same key is certified again (CMP: kur).
    pub async fn renew_certificate(
        &self,
        caller: &Caller,
        key_id: &str,
        new_key: Option<Rekey>,
    ) -> Result<KeyView, EngineError> {
        const KIND: &str = "enrollment.renew";
        let (user, credential, group) = self.key_of(caller, key_id, KIND).await?;
        if !credential.key_exists() {
            return Err(EngineError::Conflict(format!("key `{key_id}` was deleted")));
        }
        if !credential.is_certified() {
            return Err(EngineError::Conflict(format!(
                "key `{key_id}` has no certificate to renew: issue one first"
            )));
        }
        let profile_name = (!credential.profile.is_empty()).then_some(credential.profile.as_str());
        let profile = self.settings.policies.profile_for(&group.name, profile_name)?.clone();
        let old_leaf = leaf_of(&credential)?;
        match new_key {
            None => {
                self.certify_and_record(
                    caller,
                    KIND,
                    &user,
                    &group,
                    credential,
                    &profile,
                    Some(old_leaf),
                )
                .await
            }
            Some(req) => {
                let documents = self.check_consent(&group, &req.accepted)?;
                let algorithm = match req.algorithm {
                    Some(a) => a,
                    None => credential.key_algorithm.parse::<KeyAlgorithm>().map_err(|_| {
                        EngineError::Integrity(format!("key `{key_id}` has an unknown key type"))
                    })?,
                };
                // The new key keeps the old one's description, SCAL and multisign.
                let fresh = self
                    .new_key(
                        &user,
                        algorithm,
                        credential.description.clone(),
                        u8::try_from(credential.scal).unwrap_or(2),
                        u32::try_from(credential.multisign).unwrap_or(1),
                        None,
                    )
                    .await?;
                let connector = self.connector_for(&group)?;
                let certified = connector
                    .certify(
                        self,
                        CertifyRequest {
                            credential_id: &fresh.id,
                            profile: &profile,
                            subject: subject_for(
                                &user,
                                profile.kind,
                                self.settings.ca.country.clone(),
                            ),
                            public_key: self.public_key_of(&fresh).await?,
                            renewing: Some(old_leaf),
                            validity_seconds: None,
                        },
                    )
                    .await?;
                let mut stored = fresh;
                stored.certificate_chain = certified.chain;
                stored.profile = profile.name.clone();
                stored.lifecycle.connector = connector.name().to_owned();
                let audit = self.event(
                    caller,
                    KIND,
                    &user,
                    &stored.id,
                    json!({ "renews": credential.id, "new_key": true, "profile": profile.name, "connector": connector.name(), "accepted": documents }),
                );
                self.record_new_key(&stored, certified.registry.as_ref(), &documents, audit)
                    .await?;
                self.key_view(stored, &user).await
            }
        }
    }

    /// Revokes a key's current certificate (RFC 5280 §5.3.1 reason; none is
    /// `unspecified`). With the embedded CA the CRL and OCSP answers change at once.
    pub async fn revoke_key_certificate(
        &self,
        caller: &Caller,
        key_id: &str,
        reason: Option<&str>,
    ) -> Result<KeyView, EngineError> {
        const KIND: &str = "enrollment.revoke";
        let reason = parse_reason(reason)?;
        let (user, credential, group) = self.key_of(caller, key_id, KIND).await?;
        if !credential.is_certified() {
            return Err(EngineError::Conflict(format!("key `{key_id}` has no certificate")));
        }
        let current = self.key_view(credential.clone(), &user).await?;
        if current.certificate.as_ref().is_some_and(|c| c.status == "revoked") {
            return Err(EngineError::Conflict(format!(
                "the certificate of key `{key_id}` is already revoked"
            )));
        }
        self.revoke_current(KIND, caller.client_id(), &user, &credential, &group, reason).await?;
        let fresh = self
            .store
            .credential_by_id(&credential.id)
            .await?
            .ok_or_else(|| EngineError::Integrity(format!("key `{key_id}` vanished")))?;
        self.key_view(fresh, &user).await
    }

    /// Revokes a credential's current certificate through the connector that issued it
    /// and records the revocation and its audit record (`kind`) in one transaction.
    /// Returns the serial (lower-case hex). Used by the Enrollment API and by operators.
    pub(crate) async fn revoke_current(
        &self,
        kind: &str,
        client_id: Option<&str>,
        user: &User,
        credential: &Credential,
        group: &Group,
        reason: Option<RevocationReason>,
    ) -> Result<String, EngineError> {
        let conflict = || {
            EngineError::Conflict(format!(
                "the certificate of credential `{}` is already revoked",
                credential.id
            ))
        };
        if credential.lifecycle.cert_revoked_at.is_some() {
            return Err(conflict());
        }
        let connector = self
            .connector_named(&credential.lifecycle.connector)
            .or_else(|_| self.connector_for(group))?;
        let leaf = leaf_of(credential)?;
        let serial = signet_pki::parse_certificate(&leaf)?.serial_hex.to_ascii_lowercase();
        let outcome = connector.revoke(self, &leaf, reason).await?;
        // The registry keeps the RFC 5280 name; "unspecified" is recorded as no reason
        // (RFC 5280 §5.3.1: the reasonCode is then omitted).
        let recorded =
            reason.filter(|r| *r != RevocationReason::Unspecified).map(RevocationReason::as_str);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let changed = match &outcome {
            Revoked::Registry { serial } => tx.revoke_certificate(serial, now, recorded).await?,
            Revoked::External => tx.mark_external_revoked(&credential.id, now, recorded).await?,
        };
        if !changed {
            drop(tx);
            return Err(conflict());
        }
        tx.append_audit(signet_store::AuditEvent {
            at: now,
            kind: kind.to_owned(),
            outcome: "success".into(),
            user_id: Some(user.id.clone()),
            client_id: client_id.map(str::to_owned),
            credential_id: Some(credential.id.clone()),
            details: json!({ "serial": serial, "reason": recorded.unwrap_or("unspecified"), "connector": connector.name() }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(serial)
    }

    /// Has the group's connector certify the credential's key and records the new chain,
    /// the registry row and the audit record in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn certify_and_record(
        &self,
        caller: &Caller,
        kind: &str,
        user: &User,
        group: &Group,
        credential: Credential,
        profile: &CertificateProfile,
        renewing: Option<Vec<u8>>,
    ) -> Result<KeyView, EngineError> {
        let algorithm: KeyAlgorithm = credential.key_algorithm.parse().map_err(|_| {
            EngineError::Integrity(format!("key `{}` has an unknown key type", credential.id))
        })?;
        if !profile.key_types.contains(&algorithm) {
            return Err(EngineError::InvalidInput(format!(
                "profile `{}` does not allow {algorithm} keys (allowed: {})",
                profile.name,
                profile.key_types.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        let connector = self.connector_for(group)?;
        let public_key = self.public_key_of(&credential).await?;
        let certified = connector
            .certify(
                self,
                CertifyRequest {
                    credential_id: &credential.id,
                    profile,
                    subject: subject_for(user, profile.kind, self.settings.ca.country.clone()),
                    public_key,
                    renewing,
                    validity_seconds: None,
                },
            )
            .await?;
        let mut tx = self.store.begin().await?;
        if !tx
            .set_credential_certificate(
                &credential.id,
                &certified.chain,
                &profile.name,
                connector.name(),
            )
            .await?
        {
            drop(tx);
            return Err(EngineError::Conflict(format!("key `{}` was deleted", credential.id)));
        }
        if let Some(row) = &certified.registry {
            tx.insert_certificate(row).await?;
        }
        tx.append_audit(self.event(
            caller,
            kind,
            user,
            &credential.id,
            json!({ "profile": profile.name, "connector": connector.name() }),
        ))
        .await?;
        tx.commit().await?;
        let fresh =
            self.store.credential_by_id(&credential.id).await?.ok_or_else(|| {
                EngineError::Integrity(format!("key `{}` vanished", credential.id))
            })?;
        self.key_view(fresh, user).await
    }

    /// The public key (DER SPKI) of a credential's key: stored beside the wrapped key, or
    /// for credentials stored before migration 0006, read from its certificate.
    pub(crate) async fn public_key_of(&self, c: &Credential) -> Result<Vec<u8>, EngineError> {
        if !c.public_key.is_empty() {
            return Ok(c.public_key.clone());
        }
        Ok(signet_pki::parse_certificate(&leaf_of(c)?)?.public_key)
    }

    /// The group's connector.
    pub(crate) fn connector_for(&self, group: &Group) -> Result<Arc<dyn CaConnector>, EngineError> {
        self.connector_named(&self.settings.policies.group(&group.name).connector)
    }

    fn connector_named(&self, name: &str) -> Result<Arc<dyn CaConnector>, EngineError> {
        self.connectors.get(name).cloned().ok_or_else(|| {
            EngineError::Integrity(format!("CA connector `{name}` is not configured"))
        })
    }
}

fn leaf_of(c: &Credential) -> Result<Vec<u8>, EngineError> {
    signet_pki::split_chain(&c.certificate_chain)?
        .into_iter()
        .next()
        .ok_or_else(|| EngineError::Integrity(format!("key `{}` has an empty chain", c.id)))
}

/// An RFC 5280 §5.3.1 reason name, or a clear error listing them.
pub(crate) fn parse_reason(reason: Option<&str>) -> Result<Option<RevocationReason>, EngineError> {
    reason
        .map(|r| {
            r.parse::<RevocationReason>().map_err(|_| {
                let names: Vec<&str> = RevocationReason::ALL.iter().map(|r| r.as_str()).collect();
                EngineError::InvalidInput(format!(
                    "unknown revocation reason `{}` (one of {})",
                    r.chars().take(40).collect::<String>(),
                    names.join(", ")
                ))
            })
        })
        .transpose()
}
