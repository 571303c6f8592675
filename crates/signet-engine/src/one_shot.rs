//! One-shot credentials for occasional signers: one call creates a fresh key, has it
//! certified for a few minutes, and has the SAM issue a SAD for exactly the given hashes.
//! The key signs those hashes through the SAM (CSC `signatures/signHash` with the returned
//! credential id and SAD) and is destroyed in the transaction of the last signature; a key
//! never used is destroyed by the sweep once it expires. Its certificate outlives the key
//! by minutes at most, so there is nothing to revoke.

use crate::connector::{subject_for, CertifyRequest};
use crate::keys::{check_key_request, AcceptedDocument, KeyRequest};
use crate::tokens::Caller;
use crate::{Engine, EngineError};
use serde_json::json;
use signet_sam::{AuthorizeRequest, SadView, SamError};
use signet_store::AuditEvent;
use signet_types::{HashAlgorithm, KeyAlgorithm};
use zeroize::Zeroizing;

/// Most hashes one one-shot credential signs.
pub const MAX_ONE_SHOT_HASHES: usize = 100;

/// A one-shot signing request.
#[derive(Debug)]
pub struct OneShotRequest {
    /// Key type; the configured default when `None`.
    pub algorithm: Option<KeyAlgorithm>,
    /// The policy documents the signer accepted.
    pub accepted: Vec<AcceptedDocument>,
    /// The hashes to sign (1 to [`MAX_ONE_SHOT_HASHES`]).
    pub hashes: Vec<Vec<u8>>,
    /// Their hash algorithm.
    pub hash_algo: HashAlgorithm,
    /// The signer's PIN.
    pub pin: Option<Zeroizing<String>>,
    /// The signer's OTP.
    pub otp: Option<Zeroizing<String>>,
    /// Shown in the audit record.
    pub description: Option<String>,
}

/// What a one-shot request returns.
#[derive(Debug)]
pub struct OneShotIssued {
    /// The credential id to sign with (CSC `credentialID`).
    pub credential_id: String,
    /// The SAD for exactly the hashes.
    pub sad: SadView,
    /// The certificate chain, leaf first (DER).
    pub chain: Vec<Vec<u8>>,
    /// When the key is destroyed if not used up before, unix seconds.
    pub key_expires_at: i64,
}

/// Why a signing use case failed (one-shot credentials, document signing): before the
/// SAM (policy, profile, CA, input) or in it (authentication, SAD).
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A use-case error.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The SAM refused the authorisation.
    #[error(transparent)]
    Sam(#[from] SamError),
}

impl From<signet_store::StoreError> for SigningError {
    fn from(e: signet_store::StoreError) -> Self {
        Self::Engine(e.into())
    }
}

impl From<signet_pki::PkiError> for SigningError {
    fn from(e: signet_pki::PkiError) -> Self {
        Self::Engine(e.into())
    }
}

impl Engine {
    /// Creates a one-shot credential and its SAD. If the SAM refuses the authentication,
    /// the new key is destroyed at once.
    pub async fn one_shot(
        &self,
        caller: &Caller,
        username: Option<&str>,
        req: OneShotRequest,
    ) -> Result<OneShotIssued, SigningError> {
        const KIND: &str = "one_shot.create";
        if req.hashes.is_empty() || req.hashes.len() > MAX_ONE_SHOT_HASHES {
            return Err(EngineError::InvalidInput(format!(
                "give between 1 and {MAX_ONE_SHOT_HASHES} hashes"
            ))
            .into());
        }
        if req.hashes.iter().any(|h| h.len() != req.hash_algo.output_len()) {
            return Err(EngineError::InvalidInput(format!(
                "every hash must be {} bytes for {}",
                req.hash_algo.output_len(),
                req.hash_algo
            ))
            .into());
        }
        let multisign = u32::try_from(req.hashes.len()).unwrap_or(u32::MAX);
        check_key_request(&KeyRequest {
            algorithm: req.algorithm,
            accepted: Vec::new(),
            description: req.description.clone(),
            scal: 2,
            multisign,
        })?;
        let (user, group) = self.subject_user(caller, username, KIND).await?;
        let documents = match self.check_consent(&group, &req.accepted) {
            Ok(d) => d,
            Err(e) => {
                self.refusal_audit(caller, Some(&user.id), None, KIND, "policy not accepted")
                    .await?;
                return Err(e.into());
            }
        };
        let policy = self.settings.policies.group(&group.name);
        let profile = self.settings.policies.profile_for(&group.name, None)?.clone();
        let algorithm = req.algorithm.unwrap_or(self.settings.default_key);
        if !profile.key_types.contains(&algorithm) {
            return Err(EngineError::InvalidInput(format!(
                "profile `{}` does not allow {algorithm} keys",
                profile.name
            ))
            .into());
        }
        let lifetime = i64::from(policy.one_shot_minutes) * 60;
        let expires_at = self.clock.now() + lifetime;
        let mut credential = self
            .new_key(&user, algorithm, req.description.clone(), 2, multisign, Some(expires_at))
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
                    validity_seconds: Some(lifetime),
                },
            )
            .await?;
        credential.certificate_chain = certified.chain;
        credential.profile = profile.name.clone();
        credential.lifecycle.connector = connector.name().to_owned();

        let audit = self.event(
            caller,
            KIND,
            &user,
            &credential.id,
            json!({ "algorithm": algorithm.as_str(), "profile": profile.name, "expires_at": expires_at, "hashes": req.hashes.len(), "accepted": documents }),
        );
        self.record_new_key(&credential, certified.registry.as_ref(), &documents, audit).await?;

        let chain = signet_pki::split_chain(&credential.certificate_chain)?;
        let authorised = self
            .sam
            .authorize(AuthorizeRequest {
                user: user.clone(),
                credential: credential.clone(),
                client_id: caller.client_id().map(str::to_owned),
                num_signatures: req.hashes.len() as i64,
                hashes: req.hashes,
                hash_algo: Some(req.hash_algo),
                pin: req.pin,
                otp: req.otp,
                description: req.description,
            })
            .await;
        match authorised {
            Ok(sad) => Ok(OneShotIssued {
                credential_id: credential.id,
                sad,
                chain,
                key_expires_at: expires_at,
            }),
            Err(e) => {
                // The SAM refused (and audited why): the key must never be usable.
                self.destroy_one_shot(&credential.id, &user.id, "authorisation refused").await?;
                Err(e.into())
            }
        }
    }

    /// Destroys the keys of one-shot credentials past their expiry, each in a transaction
    /// with its audit record; returns how many. `signet serve` runs it every minute.
    pub async fn sweep_one_shot(&self) -> Result<usize, EngineError> {
        let mut destroyed = 0;
        loop {
            let ids = self.store.expired_one_shot_credentials(self.clock.now(), 100).await?;
            if ids.is_empty() {
                return Ok(destroyed);
            }
            for id in ids {
                let Some(c) = self.store.credential_by_id(&id).await? else { continue };
                if self.destroy_one_shot(&c.id, &c.user_id, "expired").await? {
                    destroyed += 1;
                }
            }
        }
    }

    async fn destroy_one_shot(
        &self,
        credential_id: &str,
        user_id: &str,
        why: &str,
    ) -> Result<bool, EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx.destroy_credential_key(credential_id, now).await? {
            return Ok(false);
        }
        tx.append_audit(AuditEvent {
            at: now,
            kind: "one_shot.destroy".into(),
            outcome: "success".into(),
            user_id: Some(user_id.to_owned()),
            client_id: None,
            credential_id: Some(credential_id.to_owned()),
            details: json!({ "reason": why }).to_string(),
        })
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
