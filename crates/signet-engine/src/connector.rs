//! CA connectors: who certifies a group's keys. One trait, two implementations — the
//! `embedded` CA (the issuing CA in this process) and `cmp` (an external CA reached over
//! RFC 9483 lightweight CMP, see [`crate::cmp_connector`]). A group names its connector in
//! configuration; the engine records what a connector did (registry rows, revocations)
//! in the same transaction as its audit record.

use crate::ca::{CaKey, CertOrder, ROOT_ID};
use crate::profiles::CertificateProfile;
use crate::{Engine, EngineError};
use async_trait::async_trait;
use signet_pki::{Profile, Subject};
use signet_store::{IssuedCertificate, User, EMBEDDED_CONNECTOR};

/// What a CA is asked to certify.
#[derive(Debug)]
pub(crate) struct CertifyRequest<'a> {
    /// The credential the key belongs to (registry rows point at it).
    pub credential_id: &'a str,
    /// The profile: kind, content, validity.
    pub profile: &'a CertificateProfile,
    /// The subject's names.
    pub subject: Subject,
    /// The key to certify (DER SubjectPublicKeyInfo).
    pub public_key: Vec<u8>,
    /// The certificate being renewed (CMP kur), if any.
    pub renewing: Option<Vec<u8>>,
    /// A validity shorter than the profile's (one-shot credentials), in seconds.
    pub validity_seconds: Option<i64>,
}

/// A certificate a CA issued.
#[derive(Debug)]
pub(crate) struct Certified {
    /// DER certificates, leaf first, concatenated (the credential's chain).
    pub chain: Vec<u8>,
    /// The embedded CA's registry row, to insert with the credential update.
    pub registry: Option<IssuedCertificate>,
}

/// What a revocation changed, for the engine to record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Revoked {
    /// The embedded CA: mark this serial (lower-case hex) revoked in the registry; the CRL
    /// and OCSP responder read it at once.
    Registry { serial: String },
    /// An external CA confirmed the revocation; it publishes its own CRL and OCSP.
    External,
}

/// A certificate authority that certifies and revokes signers' keys.
#[async_trait]
pub(crate) trait CaConnector: Send + Sync + std::fmt::Debug {
    /// The connector's name in configuration (`embedded`, or the `[connectors.NAME]` key).
    fn name(&self) -> &str;

    /// Issues a certificate for the request's key.
    async fn certify(
        &self,
        engine: &Engine,
        request: CertifyRequest<'_>,
    ) -> Result<Certified, EngineError>;

    /// Revokes `certificate` (DER) with an RFC 5280 §5.3.1 reason.
    async fn revoke(
        &self,
        engine: &Engine,
        certificate: &[u8],
        reason: Option<signet_pki::crl::RevocationReason>,
    ) -> Result<Revoked, EngineError>;
}

/// The embedded issuing CA.
#[derive(Debug)]
pub(crate) struct EmbeddedConnector;

#[async_trait]
impl CaConnector for EmbeddedConnector {
    fn name(&self) -> &str {
        EMBEDDED_CONNECTOR
    }

    async fn certify(
        &self,
        engine: &Engine,
        request: CertifyRequest<'_>,
    ) -> Result<Certified, EngineError> {
        let issuing = engine.issuing_ca().await?;
        let root = engine.store.ca_by_id(ROOT_ID).await?;
        let order = CertOrder {
            profile: request.profile.kind,
            subject: request.subject,
            public_key: request.public_key,
            validity_seconds: request
                .validity_seconds
                .unwrap_or(i64::from(request.profile.validity_days) * 86_400),
            content: Some(request.profile.content.clone()),
        };
        let issued = engine
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
        let registry =
            issued.into_registry_entry(issuing.id.clone(), Some(request.credential_id.to_owned()));
        Ok(Certified { chain, registry: Some(registry) })
    }

    async fn revoke(
        &self,
        _engine: &Engine,
        certificate: &[u8],
        _reason: Option<signet_pki::crl::RevocationReason>,
    ) -> Result<Revoked, EngineError> {
        let serial = signet_pki::parse_certificate(certificate)?.serial_hex.to_ascii_lowercase();
        Ok(Revoked::Registry { serial })
    }
}

/// The subject of a user's certificate under a profile kind: a natural person's given
/// name, surname and e-mail (EN 319 412-2 §4.2.4), or a legal person's organisation name
/// (EN 319 412-3 §4.2.1).
pub(crate) fn subject_for(user: &User, kind: Profile, country: Option<String>) -> Subject {
    let full_name = format!("{} {}", user.given_name, user.surname).trim().to_owned();
    match kind {
        Profile::LegalPerson => Subject {
            common_name: full_name.clone(),
            organization: Some(full_name),
            country,
            ..Subject::default()
        },
        _ => Subject {
            common_name: full_name,
            given_name: Some(user.given_name.clone()).filter(|s| !s.is_empty()),
            surname: Some(user.surname.clone()).filter(|s| !s.is_empty()),
            organization: None,
            country,
            email: Some(user.email.clone()).filter(|s| !s.is_empty()),
        },
    }
}
