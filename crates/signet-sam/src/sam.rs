//! The SAM's three operations: authorise (issue a SAD), extend, and sign.

use crate::audit::{self, Subject};
use crate::sad::{hash_text, SadValue, SadView};
use crate::SamError;
use serde_json::json;
use signet_crypto::{CryptoModule, KeyBinding, WrappedKey};
use signet_store::{Credential, CredentialStatus, NewSad, Store, User};
use signet_types::{Clock, HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use std::sync::Arc;
use zeroize::Zeroizing;

/// How the SAM is configured.
#[derive(Debug, Clone, Copy)]
pub struct SamSettings {
    /// Lifetime of a SAD in seconds (CSC `expiresIn`).
    pub sad_ttl_seconds: i64,
    /// Wrong PINs before the PIN locks.
    pub pin_max_attempts: u32,
}

impl Default for SamSettings {
    fn default() -> Self {
        Self { sad_ttl_seconds: 300, pin_max_attempts: 5 }
    }
}

/// `credentials/authorize`: the signer's evidence and what it authorises.
#[derive(Debug)]
pub struct AuthorizeRequest {
    /// The signer (resolved from the caller's token by the engine).
    pub user: User,
    /// The credential to activate; it must belong to `user`.
    pub credential: Credential,
    /// The calling application, if any.
    pub client_id: Option<String>,
    /// Signatures authorised (CSC `numSignatures`).
    pub num_signatures: i64,
    /// The digests authorised (CSC `hash`); required at SCAL 2.
    pub hashes: Vec<Vec<u8>>,
    /// Their algorithm when the caller names it.
    pub hash_algo: Option<HashAlgorithm>,
    /// The signing PIN.
    pub pin: Option<Zeroizing<String>>,
    /// The one-time password, required when the user has an OTP.
    pub otp: Option<Zeroizing<String>>,
    /// Free text shown to the signer (CSC `description`), kept in the audit.
    pub description: Option<String>,
}

/// `signatures/signHash`: a SAD and the digests to sign.
#[derive(Debug)]
pub struct SignRequest {
    /// The signer.
    pub user: User,
    /// The credential.
    pub credential: Credential,
    /// The calling application, if any.
    pub client_id: Option<String>,
    /// The SAD from `credentials/authorize`.
    pub sad: SadValue,
    /// The digests, in order.
    pub hashes: Vec<Vec<u8>>,
    /// What the signer authorised, when it is not `hashes` itself: the digests of whole
    /// documents, one per entry of `hashes`, from which the SSA computed the DTBS/R it
    /// signs (EN 419 241-1 SRA_SAP.1: the SAD binds the data to be signed as the signer
    /// saw it). The SAD is checked against these; `hashes` are signed.
    pub authorized: Option<Vec<Vec<u8>>>,
    /// The signature algorithm (already resolved from `signAlgo`/`hashAlgo`).
    pub algorithm: SignatureAlgorithm,
    /// Whether the user's group allows SHA-1.
    pub allow_sha1: bool,
}

/// The Signature Activation Module.
#[derive(Clone)]
pub struct Sam {
    store: Arc<dyn Store>,
    crypto: Arc<dyn CryptoModule>,
    clock: Arc<dyn Clock>,
    settings: SamSettings,
}

impl std::fmt::Debug for Sam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sam").field("settings", &self.settings).finish()
    }
}

fn subject<'a>(user: &'a User, credential: &'a Credential, client: Option<&'a str>) -> Subject<'a> {
    Subject { user_id: &user.id, client_id: client, credential_id: &credential.id }
}

/// Which factor failed.
#[derive(Debug, Clone, Copy)]
enum Factor {
    Pin,
    Otp,
}

/// Digest lengths the SAM accepts when no algorithm is named (SHA-1/256/384/512).
const DIGEST_LENGTHS: [usize; 4] = [20, 32, 48, 64];

impl Sam {
    /// Assembles the SAM.
    pub fn new(
        store: Arc<dyn Store>,
        crypto: Arc<dyn CryptoModule>,
        clock: Arc<dyn Clock>,
        settings: SamSettings,
    ) -> Self {
        Self { store, crypto, clock, settings }
    }

    /// The settings in force.
    pub fn settings(&self) -> SamSettings {
        self.settings
    }

    /// Writes a refusal in its own transaction and returns it. If the audit record
    /// cannot be written the answer is "unavailable": no decision goes unrecorded.
    async fn refuse(
        &self,
        kind: &str,
        s: &Subject<'_>,
        e: SamError,
        extra: serde_json::Value,
    ) -> SamError {
        let event = audit::refused(self.clock.now(), kind, s, e.audit_reason(), extra);
        let written = async {
            let mut tx = self.store.begin().await?;
            tx.append_audit(event).await?;
            tx.commit().await
        }
        .await;
        match written {
            Ok(()) => e,
            Err(err) => {
                tracing::error!(error = %err, "could not write the audit record of a refusal");
                SamError::Unavailable("audit log".into())
            }
        }
    }

    /// Checks the PIN and issues a SAD for the hashes (SCAL 2) or a count (SCAL 1).
    pub async fn authorize(&self, req: AuthorizeRequest) -> Result<SadView, SamError> {
        const KIND: &str = "credentials.authorize";
        let s = subject(&req.user, &req.credential, req.client_id.as_deref());
        let extra = json!({ "numSignatures": req.num_signatures, "hashes": req.hashes.iter().map(|h| hash_text(h)).collect::<Vec<_>>() });
        if let Err(e) = check_authorize(&req, self.clock.now()) {
            return Err(self.refuse(KIND, &s, e, extra).await);
        }
        match self.check_pin(&req.user, req.pin.as_deref().map(|p| p.as_str())).await {
            Ok(()) => {}
            // A wrong PIN is counted in the same transaction as its audit record.
            Err(SamError::InvalidPin { .. }) => {
                return Err(self.record_auth_failure(&req.user, &s, extra, Factor::Pin).await)
            }
            Err(e) => return Err(self.refuse(KIND, &s, e, extra).await),
        }
        let otp_step = match self.check_otp(&req.user, req.otp.as_deref().map(|o| o.as_str())).await
        {
            Ok(step) => step,
            // A wrong OTP counts towards the same lock: six digits must not be guessable.
            Err(SamError::InvalidOtp) => {
                return Err(self.record_auth_failure(&req.user, &s, extra, Factor::Otp).await)
            }
            Err(e) => return Err(self.refuse(KIND, &s, e, extra).await),
        };
        let factors: &[&str] = if otp_step.is_some() { &["pin", "otp"] } else { &["pin"] };

        let sad = SadValue::generate()?;
        let now = self.clock.now();
        let expires_at = now + self.settings.sad_ttl_seconds;
        let hashes: Vec<String> = req.hashes.iter().map(|h| hash_text(h)).collect();
        let record = NewSad {
            sad_hash: sad.storage_hash(),
            user_id: req.user.id.clone(),
            credential_id: req.credential.id.clone(),
            client_id: req.client_id.clone(),
            hash_algo: req.hash_algo.map(|h| h.oid().to_string()),
            hashes: hashes.clone(),
            remaining: req.num_signatures,
            factors: factors.join(","),
            expires_at,
            created_at: now,
        };
        let mut details = json!({
            "numSignatures": req.num_signatures,
            "hashes": hashes,
            "factors": factors,
            "expiresAt": expires_at,
        });
        if let (Some(d), Some(desc)) = (details.as_object_mut(), &req.description) {
            d.insert("description".into(), json!(desc.chars().take(500).collect::<String>()));
        }
        let mut tx = self.store.begin().await?;
        if let Some(step) = otp_step {
            // Each code is accepted once, decided by the database (DESIGN.md).
            if !tx.advance_otp_step(&req.user.id, step).await? {
                drop(tx);
                let replay = json!({ "replayed": true });
                return Err(self.refuse(KIND, &s, SamError::InvalidOtp, replay).await);
            }
        }
        tx.reset_pin_failures(&req.user.id).await?;
        tx.insert_sad(record).await?;
        tx.append_audit(audit::event(now, KIND, "granted", &s, details)).await?;
        tx.commit().await?;
        Ok(SadView { value: sad.into_string(), expires_in: self.settings.sad_ttl_seconds })
    }

    /// Verifies the PIN against its argon2id hash, off the async threads.
    async fn check_pin(&self, user: &User, pin: Option<&str>) -> Result<(), SamError> {
        let Some(hash) = user.pin_hash.clone() else { return Err(SamError::PinNotSet) };
        if user.pin_locked {
            return Err(SamError::PinLocked);
        }
        let Some(pin) = pin else { return Err(SamError::PinMissing) };
        let pin = Zeroizing::new(pin.to_owned());
        let ok = tokio::task::spawn_blocking(move || {
            signet_crypto::secret::verify_secret(pin.as_bytes(), &hash)
        })
        .await
        .map_err(|e| SamError::Internal(e.to_string()))?
        .map_err(|e| SamError::Internal(e.to_string()))?;
        if ok {
            Ok(())
        } else {
            Err(SamError::InvalidPin { remaining: 0 })
        }
    }

    /// Counts a wrong PIN or OTP and audits it in one transaction.
    async fn record_auth_failure(
        &self,
        user: &User,
        s: &Subject<'_>,
        extra: serde_json::Value,
        factor: Factor,
    ) -> SamError {
        let max = i64::from(self.settings.pin_max_attempts);
        let result = async {
            let mut tx = self.store.begin().await?;
            let state = tx.record_pin_failure(&user.id, max).await?;
            let error = match (state.locked, factor) {
                (true, _) => SamError::PinLocked,
                (false, Factor::Pin) => {
                    SamError::InvalidPin { remaining: (max - state.failures).max(0) }
                }
                (false, Factor::Otp) => SamError::InvalidOtp,
            };
            let mut extra = extra;
            if let Some(d) = extra.as_object_mut() {
                d.insert("failures".into(), json!(state.failures));
                d.insert("locked".into(), json!(state.locked));
            }
            let reason = match factor {
                Factor::Pin => "wrong PIN",
                Factor::Otp => "wrong OTP",
            };
            let event = audit::refused(self.clock.now(), "credentials.authorize", s, reason, extra);
            tx.append_audit(event).await?;
            tx.commit().await?;
            Ok::<_, signet_store::StoreError>(error)
        }
        .await;
        result.unwrap_or_else(SamError::from)
    }

    /// Checks the OTP when the user has one: the matching time step, to be recorded as
    /// used (`StoreTx::advance_otp_step`) in the transaction of what it grants.
    /// `Ok(None)`: the user has no OTP. The identity provider uses it for login and
    /// step-up; it counts and audits failures itself.
    pub async fn check_otp(
        &self,
        user: &User,
        code: Option<&str>,
    ) -> Result<Option<i64>, SamError> {
        let Some(sealed) = user.otp_sealed.clone() else { return Ok(None) };
        let Some(code) = code.map(str::to_owned) else { return Err(SamError::OtpMissing) };
        let crypto = self.crypto.clone();
        let (owner, now) = (user.id.clone(), self.clock.now());
        let step = tokio::task::spawn_blocking(move || {
            let seed = crypto.open_secret(&WrappedKey(sealed), &owner, crate::otp::OTP_PURPOSE)?;
            Ok::<_, signet_crypto::CryptoError>(crate::otp::matching_step(&seed, &code, now))
        })
        .await
        .map_err(|e| SamError::Internal(e.to_string()))??;
        step.map(Some).ok_or(SamError::InvalidOtp)
    }

    /// Replaces a valid SAD by a new one with a fresh expiry and the same remaining
    /// authorisation (CSC `credentials/extendTransaction`). The old SAD stops working.
    pub async fn extend(
        &self,
        user: &User,
        credential: &Credential,
        client_id: Option<&str>,
        sad: SadValue,
    ) -> Result<SadView, SamError> {
        const KIND: &str = "credentials.extendTransaction";
        let s = subject(user, credential, client_id);
        let now = self.clock.now();
        let row = match self.valid_sad(user, credential, &sad, now).await {
            Ok(row) => row,
            Err(e) => return Err(self.refuse(KIND, &s, e, json!({})).await),
        };
        let new = SadValue::generate()?;
        let expires_at = now + self.settings.sad_ttl_seconds;
        let mut tx = self.store.begin().await?;
        if !tx.consume_sad(&row.sad_hash, row.version, 0, &[], now).await? {
            drop(tx);
            return Err(self.refuse(KIND, &s, SamError::SadInvalid, json!({ "race": true })).await);
        }
        tx.insert_sad(NewSad {
            sad_hash: new.storage_hash(),
            user_id: row.user_id.clone(),
            credential_id: row.credential_id.clone(),
            client_id: row.client_id.clone(),
            hash_algo: row.hash_algo.clone(),
            hashes: row.hashes.clone(),
            remaining: row.remaining,
            factors: row.factors.clone(),
            expires_at,
            created_at: now,
        })
        .await?;
        let details = json!({ "remaining": row.remaining, "expiresAt": expires_at });
        tx.append_audit(audit::event(now, KIND, "granted", &s, details)).await?;
        tx.commit().await?;
        Ok(SadView { value: new.into_string(), expires_in: self.settings.sad_ttl_seconds })
    }

    /// The SAD record, if it is bound to this user and credential and not expired.
    async fn valid_sad(
        &self,
        user: &User,
        credential: &Credential,
        sad: &SadValue,
        now: i64,
    ) -> Result<signet_store::Sad, SamError> {
        let row = self.store.sad_by_hash(&sad.storage_hash()).await?.ok_or(SamError::SadInvalid)?;
        if row.user_id != user.id || row.credential_id != credential.id || row.remaining <= 0 {
            return Err(SamError::SadInvalid);
        }
        if now >= row.expires_at {
            return Err(SamError::SadExpired);
        }
        Ok(row)
    }

    /// Checks the SAD against the request, signs, then consumes the SAD and audits the
    /// signature in one transaction: the signatures are released only if that commits.
    pub async fn sign_hash(&self, req: SignRequest) -> Result<Vec<Vec<u8>>, SamError> {
        const KIND: &str = "signatures.signHash";
        let s = subject(&req.user, &req.credential, req.client_id.as_deref());
        let texts: Vec<String> = req.hashes.iter().map(|h| hash_text(h)).collect();
        let mut extra = json!({ "algorithm": req.algorithm.name(), "hashes": texts });
        if let Some(docs) = &req.authorized {
            extra["documents"] = docs.iter().map(|h| hash_text(h)).collect();
        }
        let now = self.clock.now();
        let (row, remaining_hashes) = match self.check_sign(&req, now).await {
            Ok(v) => v,
            Err(e) => return Err(self.refuse(KIND, &s, e, extra).await),
        };
        let key_alg: KeyAlgorithm = req
            .credential
            .key_algorithm
            .parse()
            .map_err(|_| SamError::Integrity("unknown key type".into()))?;

        let remaining = row.remaining - req.hashes.len() as i64;
        // Sign first, outside any database transaction, so that concurrent requests do
        // not queue behind one writer while keys are in use. Nothing leaves the SAM until
        // the SAD is consumed (compare-and-set on the version read above) and the audit
        // record is written, in one transaction: a request that loses the race to a
        // concurrent one (a replay) has its signatures dropped and is refused.
        let crypto = self.crypto.clone();
        let wrapped = WrappedKey(req.credential.wrapped_key.clone());
        let (owner, cred, algorithm) =
            (req.user.id.clone(), req.credential.id.clone(), req.algorithm);
        let hashes = req.hashes;
        let signed = tokio::task::spawn_blocking(move || {
            let digests: Vec<&[u8]> = hashes.iter().map(Vec::as_slice).collect();
            crypto.sign_digests(
                &wrapped,
                &KeyBinding { owner: &owner, credential: &cred, algorithm: key_alg },
                algorithm,
                &digests,
            )
        })
        .await
        .map_err(|e| SamError::Internal(e.to_string()))?;
        let signatures = match signed {
            Ok(sigs) => sigs,
            Err(e) => {
                // The SAD stays unconsumed: nothing was signed.
                let e = SamError::from(e);
                tracing::error!(error = %e, credential = %req.credential.id, "signing failed");
                return Err(self.refuse(KIND, &s, e, extra).await);
            }
        };
        let mut tx = self.store.begin().await?;
        if !tx.consume_sad(&row.sad_hash, row.version, remaining, &remaining_hashes, now).await? {
            drop(tx);
            drop(signatures);
            return Err(self.refuse(KIND, &s, SamError::SadInvalid, extra).await);
        }
        // A one-shot key signs exactly what was authorised: once its SAD is used up, the
        // key is destroyed in the same transaction as the signature's audit record.
        let destroyed = remaining == 0
            && req.credential.lifecycle.expires_at.is_some()
            && tx.destroy_credential_key(&req.credential.id, now).await?;
        let mut details = extra;
        if let Some(d) = details.as_object_mut() {
            d.insert("count".into(), json!(signatures.len()));
            d.insert("remaining".into(), json!(remaining));
            if destroyed {
                d.insert("key_destroyed".into(), json!(true));
            }
        }
        tx.append_audit(audit::event(now, KIND, "success", &s, details)).await?;
        tx.commit().await?;
        Ok(signatures)
    }

    /// Every check before the SAD is consumed; returns the SAD row and the hashes it will
    /// still authorise afterwards.
    async fn check_sign(
        &self,
        req: &SignRequest,
        now: i64,
    ) -> Result<(signet_store::Sad, Vec<String>), SamError> {
        if req.credential.user_id != req.user.id {
            return Err(SamError::SadInvalid);
        }
        usable_key(&req.credential, now)?;
        let key: KeyAlgorithm = req
            .credential
            .key_algorithm
            .parse()
            .map_err(|_| SamError::Integrity("unknown key type".into()))?;
        if !key.supports(req.algorithm) || (req.algorithm.is_legacy() && !req.allow_sha1) {
            return Err(SamError::InvalidAlgorithm);
        }
        if req.hashes.is_empty() {
            return Err(SamError::HashesRequired("empty hash array"));
        }
        if req.hashes.iter().any(|h| h.len() != req.algorithm.hash().output_len()) {
            return Err(SamError::DigestLength);
        }
        let bound = match &req.authorized {
            None => &req.hashes,
            Some(docs) if docs.len() == req.hashes.len() => docs,
            Some(_) => return Err(SamError::HashesRequired("one document digest per signature")),
        };
        if bound.iter().any(|h| h.len() != req.algorithm.hash().output_len()) {
            return Err(SamError::DigestLength);
        }
        let row = self.valid_sad(&req.user, &req.credential, &req.sad, now).await?;
        if req.hashes.len() as i64 > row.remaining {
            return Err(SamError::SignaturesExhausted);
        }
        let mut left = row.hashes.clone();
        if !left.is_empty() {
            for h in bound {
                let t = hash_text(h);
                match left.iter().position(|x| *x == t) {
                    Some(i) => {
                        left.swap_remove(i);
                    }
                    None => return Err(SamError::HashNotAuthorized),
                }
            }
        }
        Ok((row, left))
    }
}

/// Whether the credential's key can sign at `now`: it exists (not deleted, not a one-shot
/// key used up or past its expiry), it is certified, and the credential is enabled.
fn usable_key(credential: &signet_store::Credential, now: i64) -> Result<(), SamError> {
    if !credential.key_exists() {
        return Err(SamError::KeyUnavailable("was destroyed"));
    }
    if credential.lifecycle.expires_at.is_some_and(|t| t <= now) {
        return Err(SamError::KeyUnavailable("has expired"));
    }
    if !credential.is_certified() {
        return Err(SamError::KeyUnavailable("has no certificate yet"));
    }
    if credential.status != CredentialStatus::Enabled {
        return Err(SamError::CredentialDisabled);
    }
    Ok(())
}

/// Checks of an authorisation that need no secret.
fn check_authorize(req: &AuthorizeRequest, now: i64) -> Result<(), SamError> {
    if req.credential.user_id != req.user.id {
        return Err(SamError::Internal("credential of another user".into()));
    }
    usable_key(&req.credential, now)?;
    if req.num_signatures < 1 {
        return Err(SamError::InvalidNumSignatures);
    }
    if req.num_signatures > req.credential.multisign {
        return Err(SamError::TooManySignatures);
    }
    if req.credential.scal >= 2 && req.hashes.len() as i64 != req.num_signatures {
        return Err(SamError::HashesRequired(
            "at SCAL 2 the hashes to sign must be given, one per signature",
        ));
    }
    if req.hashes.len() as i64 > req.num_signatures {
        return Err(SamError::HashesRequired("more hashes than numSignatures"));
    }
    let len_ok = |h: &Vec<u8>| match req.hash_algo {
        Some(a) => h.len() == a.output_len(),
        None => DIGEST_LENGTHS.contains(&h.len()),
    };
    if !req.hashes.iter().all(len_ok) {
        return Err(SamError::DigestLength);
    }
    Ok(())
}
