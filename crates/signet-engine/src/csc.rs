//! The CSC API's use cases (Cloud Signature Consortium API v1.0.4.0 §11): which
//! credentials a caller may see, what they are, and signature activation through the
//! SAM. Authorisation is decided here, once: a user token sees only its own credentials;
//! a service token sees only users of its client's group and can never sign without the
//! user's own factors (the SAM demands the PIN).

use crate::tokens::Caller;
use crate::{Engine, EngineError};
use serde_json::json;
use signet_sam::{AuthorizeRequest, SadValue, SadView, SignRequest};
use signet_store::{AuditEvent, CertificateStatus, Credential, CredentialStatus, Group, User};
use signet_types::{HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
use zeroize::Zeroizing;

/// CSC `cert.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    /// Within its validity and not revoked.
    Valid,
    /// Past `notAfter` (or before `notBefore`).
    Expired,
    /// Revoked by its CA.
    Revoked,
}

impl CertStatus {
    /// Revoked before all else, then expired (outside notBefore..notAfter) at `now`.
    pub(crate) fn of(revoked: bool, info: &signet_pki::CertificateInfo, now: i64) -> Self {
        if revoked {
            Self::Revoked
        } else if now < info.not_before || now > info.not_after {
            Self::Expired
        } else {
            Self::Valid
        }
    }

    /// The CSC text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// A credential as the CSC API describes it.
#[derive(Debug, Clone)]
pub struct CscCredential {
    /// Credential id.
    pub id: String,
    /// Description.
    pub description: Option<String>,
    /// `enabled` / `disabled`.
    pub key_enabled: bool,
    /// Key type.
    pub key: KeyAlgorithm,
    /// Signature algorithms allowed by the key and the group's policy.
    pub algorithms: Vec<SignatureAlgorithm>,
    /// Certificate chain, leaf first (DER).
    pub chain: Vec<Vec<u8>>,
    /// Computed certificate status.
    pub cert_status: CertStatus,
    /// Leaf details.
    pub subject_dn: String,
    /// Issuer DN.
    pub issuer_dn: String,
    /// Serial (hex).
    pub serial_hex: String,
    /// Validity start (unix seconds).
    pub valid_from: i64,
    /// Validity end (unix seconds).
    pub valid_to: i64,
    /// Whether the user has a signing PIN.
    pub pin_set: bool,
    /// Whether the user has an offline OTP (then `credentials/authorize` needs it).
    pub otp: bool,
    /// CSC `authMode` `oauth2code` (the group's flow) rather than `explicit`.
    pub oauth2code: bool,
    /// SCAL 1 or 2.
    pub scal: i64,
    /// Signatures per authorisation.
    pub multisign: i64,
}

/// One page of `credentials/list`.
#[derive(Debug, Clone)]
pub struct CredentialPage {
    /// Credential ids.
    pub ids: Vec<String>,
    /// Where the next page starts, if there is one.
    pub next_page_token: Option<String>,
}

/// A `credentials/authorize` request (CSC v1.0.4.0 §11.6).
#[derive(Debug)]
pub struct CscAuthorize {
    /// `credentialID`.
    pub credential_id: String,
    /// `numSignatures`.
    pub num_signatures: i64,
    /// `hash`: the digests to bind (required at SCAL 2).
    pub hashes: Vec<Vec<u8>>,
    /// `hashAlgo`, when given.
    pub hash_algo: Option<HashAlgorithm>,
    /// `PIN`.
    pub pin: Option<Zeroizing<String>>,
    /// `OTP`.
    pub otp: Option<Zeroizing<String>>,
    /// `description`.
    pub description: Option<String>,
}

/// Largest `maxResults` honoured.
pub const MAX_PAGE: i64 = 100;

impl Engine {
    /// The user a call concerns: the token's own user, or — for a service token — the
    /// named user, who must belong to the client's group (CSC §11.4 `userID`).
    pub async fn csc_subject_user(
        &self,
        caller: &Caller,
        user_id: Option<&str>,
    ) -> Result<User, EngineError> {
        match caller {
            Caller::User { user, .. } => match user_id {
                None => Ok(user.clone()),
                Some(u) if u == user.username || u == user.id => Ok(user.clone()),
                Some(_) => Err(EngineError::InvalidInput("Invalid parameter userID".into())),
            },
            Caller::Service { client, .. } => {
                let name = user_id.ok_or_else(|| {
                    EngineError::InvalidInput(
                        "Missing (or invalid type) string parameter userID".into(),
                    )
                })?;
                let user = self.store.user_by_username(name).await?;
                match user {
                    Some(u) if u.group_id == client.group_id => Ok(u),
                    _ => {
                        self.refusal_audit(
                            caller,
                            None,
                            None,
                            "csc.credentials",
                            "user outside the client's group",
                        )
                        .await?;
                        Err(EngineError::InvalidInput("Invalid parameter userID".into()))
                    }
                }
            }
        }
    }

    /// `credentials/list`: ids of the user's credentials, `max` per page.
    pub async fn csc_list(
        &self,
        caller: &Caller,
        user_id: Option<&str>,
        max: Option<i64>,
        page_token: Option<&str>,
    ) -> Result<CredentialPage, EngineError> {
        let user = self.csc_subject_user(caller, user_id).await?;
        let max = max.unwrap_or(MAX_PAGE);
        if !(1..=MAX_PAGE).contains(&max) {
            return Err(EngineError::InvalidInput("Invalid parameter maxResults".into()));
        }
        let after = match page_token {
            Some(t) => Some(
                signet_types::CredentialId::parse(t)
                    .map_err(|_| EngineError::InvalidInput("Invalid parameter pageToken".into()))?,
            ),
            None => None,
        };
        // One more than asked tells whether another page follows.
        let mut rows = self
            .store
            .list_credentials(&user.id, max + 1, after.as_ref().map(|a| a.as_str()))
            .await?;
        let more = rows.len() as i64 > max;
        rows.truncate(max as usize);
        let next_page_token = if more { rows.last().map(|c| c.id.clone()) } else { None };
        // Keys without a certificate, and destroyed keys, are not CSC credentials (a page
        // may then hold fewer than maxResults ids; the token still marks where it ended).
        let ids = rows.into_iter().filter(|c| c.is_certified() && c.key_exists()).map(|c| c.id);
        Ok(CredentialPage { ids: ids.collect(), next_page_token })
    }

    /// The credential, its owner and their group, if the caller may use it. A credential
    /// the caller may not see is reported exactly like one that does not exist.
    pub(crate) async fn csc_credential(
        &self,
        caller: &Caller,
        credential_id: &str,
        kind: &str,
    ) -> Result<(User, Credential, Group), EngineError> {
        let invalid = || EngineError::InvalidInput("Invalid parameter credentialID".into());
        let Ok(id) = signet_types::CredentialId::parse(credential_id) else {
            return Err(invalid());
        };
        let Some(credential) = self.store.credential_by_id(id.as_str()).await? else {
            return Err(invalid());
        };
        let owner = self.store.user_by_id(&credential.user_id).await?.ok_or_else(invalid)?;
        let allowed = match caller {
            Caller::User { user, .. } => user.id == owner.id,
            Caller::Service { client, .. } => client.group_id == owner.group_id,
        };
        if !allowed {
            let reason = match caller {
                Caller::User { .. } => "credential of another user",
                Caller::Service { .. } => "credential of a user outside the client's group",
            };
            self.refusal_audit(caller, Some(&owner.id), Some(&credential.id), kind, reason).await?;
            return Err(invalid());
        }
        let group = self.store.group_by_id(&owner.group_id).await?.ok_or_else(|| {
            EngineError::Integrity(format!("user `{}` has no group", owner.username))
        })?;
        Ok((owner, credential, group))
    }

    /// Audits a refusal decided before the SAM was reached (a malformed request, an
    /// algorithm the credential does not offer): every decision leaves a record.
    pub async fn csc_refusal(
        &self,
        caller: &Caller,
        credential_id: Option<&str>,
        kind: &str,
        reason: &str,
    ) -> Result<(), EngineError> {
        let credential_id = credential_id.filter(|c| signet_types::CredentialId::parse(c).is_ok());
        self.refusal_audit(caller, None, credential_id, kind, reason).await
    }

    pub(crate) async fn refusal_audit(
        &self,
        caller: &Caller,
        user_id: Option<&str>,
        credential_id: Option<&str>,
        kind: &str,
        reason: &str,
    ) -> Result<(), EngineError> {
        let caller_user = match caller {
            Caller::User { user, .. } => Some(user.id.clone()),
            Caller::Service { .. } => None,
        };
        self.audit(AuditEvent {
            at: self.clock.now(),
            kind: kind.to_owned(),
            outcome: "refused".into(),
            user_id: user_id.map(str::to_owned).or(caller_user),
            client_id: caller.client_id().map(str::to_owned),
            credential_id: credential_id.map(str::to_owned),
            details: json!({ "reason": reason }).to_string(),
        })
        .await
    }

    /// `credentials/info`.
    pub async fn csc_info(
        &self,
        caller: &Caller,
        credential_id: &str,
    ) -> Result<CscCredential, EngineError> {
        let (user, credential, group) =
            self.csc_credential(caller, credential_id, "csc.credentials.info").await?;
        let key: KeyAlgorithm = credential.key_algorithm.parse().map_err(|_| {
            EngineError::Integrity(format!(
                "credential `{}` has an unknown key type",
                credential.id
            ))
        })?;
        if !credential.key_exists() {
            return Err(EngineError::InvalidInput(
                "The key of the credential identified by credentialID was destroyed".into(),
            ));
        }
        let chain = signet_pki::split_chain(&credential.certificate_chain)?;
        let Some(leaf) = chain.first() else {
            return Err(EngineError::InvalidInput(
                "The credential identified by credentialID has no certificate yet".into(),
            ));
        };
        let info = signet_pki::parse_certificate(leaf)?;
        let cert_status = self.certificate_status(&credential, &info).await?;
        Ok(CscCredential {
            id: credential.id.clone(),
            description: credential.description.clone(),
            key_enabled: credential.status == CredentialStatus::Enabled,
            key,
            algorithms: crate::allowed_algorithms(key, &group),
            chain,
            cert_status,
            subject_dn: info.subject_dn,
            issuer_dn: info.issuer_dn,
            serial_hex: info.serial_hex,
            valid_from: info.not_before,
            valid_to: info.not_after,
            pin_set: user.pin_hash.is_some(),
            otp: user.otp_sealed.is_some(),
            oauth2code: self.auth_flow(&group.name).oauth2code,
            scal: credential.scal,
            multisign: credential.multisign,
        })
    }

    async fn certificate_status(
        &self,
        credential: &Credential,
        info: &signet_pki::CertificateInfo,
    ) -> Result<CertStatus, EngineError> {
        let revoked = self.certificate_revocation(credential, info).await?.is_some();
        Ok(CertStatus::of(revoked, info, self.clock.now()))
    }

    /// When and why a credential's current certificate was revoked, if it was: by an
    /// external CA at our request (recorded on the credential), or in the embedded CA's
    /// registry (a revocation without a reason reads `unspecified`).
    pub(crate) async fn certificate_revocation(
        &self,
        credential: &Credential,
        info: &signet_pki::CertificateInfo,
    ) -> Result<Option<(i64, String)>, EngineError> {
        let life = &credential.lifecycle;
        if let Some(at) = life.cert_revoked_at {
            let reason =
                life.cert_revocation_reason.clone().unwrap_or_else(|| "unspecified".into());
            return Ok(Some((at, reason)));
        }
        let serial = info.serial_hex.to_ascii_lowercase();
        Ok(match self.store.certificate_by_serial(&serial).await? {
            Some(r) if r.status == CertificateStatus::Revoked => Some((
                r.revoked_at.unwrap_or_default(),
                r.revocation_reason.unwrap_or_else(|| "unspecified".into()),
            )),
            _ => None,
        })
    }

    /// `credentials/authorize`: the SAM checks the PIN and issues a SAD. A group whose
    /// credentials are authorised in the browser (`authMode` `oauth2code`) refuses it.
    pub async fn csc_authorize(
        &self,
        caller: &Caller,
        r: CscAuthorize,
    ) -> Result<SadView, signet_sam::SamError> {
        let (_, _, group) = self
            .csc_credential(caller, &r.credential_id, "credentials.authorize")
            .await
            .map_err(to_sam)?;
        if self.auth_flow(&group.name).oauth2code {
            self.refusal_audit(
                caller,
                None,
                Some(&r.credential_id),
                "credentials.authorize",
                "authMode oauth2code",
            )
            .await
            .map_err(to_sam)?;
            return Err(signet_sam::SamError::Oauth2CodeOnly);
        }
        self.sam_authorize(caller, r).await
    }

    /// The SAM checks the signer's factors and issues a SAD: for `credentials/authorize`
    /// and for the approval page of the browser flow.
    pub(crate) async fn sam_authorize(
        &self,
        caller: &Caller,
        r: CscAuthorize,
    ) -> Result<SadView, signet_sam::SamError> {
        let (user, credential, _) = self
            .csc_credential(caller, &r.credential_id, "credentials.authorize")
            .await
            .map_err(to_sam)?;
        self.sam
            .authorize(AuthorizeRequest {
                user,
                credential,
                client_id: caller.client_id().map(str::to_owned),
                num_signatures: r.num_signatures,
                hashes: r.hashes,
                hash_algo: r.hash_algo,
                pin: r.pin,
                otp: r.otp,
                description: r.description,
            })
            .await
    }

    /// `credentials/extendTransaction`.
    pub async fn csc_extend(
        &self,
        caller: &Caller,
        credential_id: &str,
        sad: &str,
    ) -> Result<SadView, signet_sam::SamError> {
        let (user, credential, _) = self
            .csc_credential(caller, credential_id, "credentials.extendTransaction")
            .await
            .map_err(to_sam)?;
        let sad = SadValue::parse(sad)?;
        self.sam.extend(&user, &credential, caller.client_id(), sad).await
    }

    /// `signatures/signHash`: the SAM consumes the SAD and signs.
    pub async fn csc_sign_hash(
        &self,
        caller: &Caller,
        credential_id: &str,
        sad: &str,
        hashes: Vec<Vec<u8>>,
        algorithm: SignatureAlgorithm,
    ) -> Result<Vec<Vec<u8>>, signet_sam::SamError> {
        self.sam_sign(caller, credential_id, sad, hashes, None, algorithm).await
    }

    /// The SAM signs `hashes`; the SAD is checked against `authorized` when given (the
    /// digests of the documents the signer approved, from which `hashes` were built).
    pub(crate) async fn sam_sign(
        &self,
        caller: &Caller,
        credential_id: &str,
        sad: &str,
        hashes: Vec<Vec<u8>>,
        authorized: Option<Vec<Vec<u8>>>,
        algorithm: SignatureAlgorithm,
    ) -> Result<Vec<Vec<u8>>, signet_sam::SamError> {
        let (user, credential, group) = self
            .csc_credential(caller, credential_id, "signatures.signHash")
            .await
            .map_err(to_sam)?;
        // A destroyed or uncertified key is refused (and audited) by the SAM itself.
        let usable = credential.key_exists() && credential.is_certified();
        let status = if usable {
            self.csc_info(caller, credential_id).await.map_err(to_sam)?.cert_status
        } else {
            CertStatus::Valid
        };
        match status {
            CertStatus::Valid => {}
            CertStatus::Expired => {
                return Err(signet_sam::SamError::CertificateNotValid("expired"))
            }
            CertStatus::Revoked => {
                return Err(signet_sam::SamError::CertificateNotValid("revoked"))
            }
        }
        let sad = match SadValue::parse(sad) {
            Ok(s) => s,
            Err(e) => {
                self.refusal_audit(
                    caller,
                    Some(&user.id),
                    Some(&credential.id),
                    "signatures.signHash",
                    "malformed SAD",
                )
                .await
                .map_err(to_sam)?;
                return Err(e);
            }
        };
        self.sam
            .sign_hash(SignRequest {
                user,
                credential,
                client_id: caller.client_id().map(str::to_owned),
                sad,
                hashes,
                authorized,
                algorithm,
                allow_sha1: group.allow_sha1,
            })
            .await
    }
}

/// Engine errors met before the SAM is reached, in the SAM's vocabulary.
fn to_sam(e: EngineError) -> signet_sam::SamError {
    use signet_sam::SamError as S;
    match e {
        EngineError::InvalidInput(m) if m == "Invalid parameter credentialID" => {
            S::CredentialNotFound
        }
        EngineError::Unavailable(m) => S::Unavailable(m),
        EngineError::Integrity(m) => S::Integrity(m),
        other => S::Internal(other.to_string()),
    }
}

/// Resolves CSC `signAlgo` (+ `hashAlgo`, + `signAlgoParams` for RSASSA-PSS, RFC 4055
/// §3.1) to one signature algorithm. The error is the CSC description.
pub fn sign_algorithm(
    sign_algo: &str,
    hash: Option<HashAlgorithm>,
    pss_params: Option<&[u8]>,
) -> Result<SignatureAlgorithm, String> {
    use der::Decode;
    use signet_types::algorithms::oid;
    let invalid = || "Invalid parameter signAlgo".to_owned();
    let sign_oid = const_oid::ObjectIdentifier::new(sign_algo).map_err(|_| invalid())?;
    if sign_oid == oid::RSA_ENCRYPTION {
        // Plain rsaEncryption: PKCS#1 v1.5 with the hash named by hashAlgo.
        return hash
            .map(SignatureAlgorithm::RsaPkcs1)
            .ok_or_else(|| "Missing (or invalid type) string parameter hashAlgo".to_owned());
    }
    if sign_oid == oid::RSASSA_PSS {
        let from_params = match pss_params {
            Some(der) => {
                let any = der::Any::from_der(der)
                    .map_err(|_| "Invalid parameter signAlgoParams".to_owned())?;
                let id =
                    spki::AlgorithmIdentifierOwned { oid: oid::RSASSA_PSS, parameters: Some(any) };
                Some(
                    signet_pki::algorithm_identifier::signature_algorithm_from_identifier(&id)
                        .map_err(|_| "Invalid parameter signAlgoParams".to_owned())?,
                )
            }
            None => None,
        };
        return match (from_params, hash) {
            (Some(a), Some(h)) if a.hash() != h => Err("Invalid parameter hashAlgo".into()),
            (Some(a), _) => Ok(a),
            (None, Some(h)) => Ok(SignatureAlgorithm::RsaPss(h)),
            (None, None) => Err("Missing (or invalid type) string parameter signAlgoParams".into()),
        };
    }
    let alg = SignatureAlgorithm::from_oid(&sign_oid, None).map_err(|_| invalid())?;
    match hash {
        Some(h) if h != alg.hash() => Err("Invalid parameter hashAlgo".into()),
        _ => Ok(alg),
    }
}

#[cfg(test)]
mod tests {
    use super::sign_algorithm;
    use signet_types::{HashAlgorithm, SignatureAlgorithm};

    /// RSASSA-PSS-params as pyHanko (asn1crypto) sends them: SHA-256, MGF1(SHA-256), salt 32,
    /// hash identifiers with explicit NULL parameters.
    const PYHANKO_PSS: &str =
        "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg";

    fn b64(s: &str) -> Vec<u8> {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.decode(s).unwrap()
    }

    #[test]
    fn resolves_csc_sign_algorithms() {
        let pss = b64(PYHANKO_PSS);
        assert_eq!(
            sign_algorithm("1.2.840.113549.1.1.10", Some(HashAlgorithm::Sha256), Some(&pss)),
            Ok(SignatureAlgorithm::RsaPss(HashAlgorithm::Sha256))
        );
        assert_eq!(
            sign_algorithm("1.2.840.113549.1.1.1", Some(HashAlgorithm::Sha384), None),
            Ok(SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha384))
        );
        assert_eq!(
            sign_algorithm("1.2.840.10045.4.3.2", None, None),
            Ok(SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256))
        );
        assert!(sign_algorithm("1.2.840.113549.1.1.11", Some(HashAlgorithm::Sha512), None).is_err());
        assert!(sign_algorithm("1.2.3.4", None, None).is_err());
        assert!(sign_algorithm("not an oid", None, None).is_err());
        assert!(sign_algorithm("1.2.840.113549.1.1.10", Some(HashAlgorithm::Sha384), Some(&pss))
            .is_err());
    }
}
