//! The embedded CA: signing certificates with CA keys held by the crypto module, and
//! exporting the CA certificates.

use crate::{Engine, EngineError};
use signet_crypto::{CryptoError, CryptoModule, KeyBinding, ModuleSigner, WrappedKey};
use signet_pki::{IssueRequest, Issuer, PkiUrls, Profile, Subject};
use signet_store::{CertificateAuthority, CertificateStatus, IssuedCertificate};
use signet_types::KeyAlgorithm;

/// Owner recorded in the binding of every CA key: service keys never sign for a user
/// (DESIGN.md invariant 2), and a user's blob cannot be passed off as a CA key.
pub(crate) const CA_OWNER: &str = "service:ca";
/// Id of the root CA.
pub(crate) const ROOT_ID: &str = "root";
/// Id of the issuing CA that signs end-entity certificates.
pub(crate) const ISSUING_ID: &str = "issuing";
/// Certificates start a minute in the past, to tolerate small clock differences.
const BACKDATE_SECONDS: i64 = 60;

/// A CA key as the crypto module needs it.
pub(crate) struct CaKey {
    pub id: String,
    pub algorithm: KeyAlgorithm,
    pub wrapped: WrappedKey,
    pub public_key: Vec<u8>,
}

impl CaKey {
    /// A one-shot signer over this CA key, with its first signature algorithm.
    pub(crate) fn signer<'a>(
        &'a self,
        module: &'a dyn CryptoModule,
    ) -> Result<ModuleSigner<'a>, CryptoError> {
        let algorithm = *self
            .algorithm
            .signature_algorithms()
            .first()
            .ok_or(CryptoError::Operation("CA key has no signature algorithm"))?;
        Ok(ModuleSigner {
            module,
            key: &self.wrapped,
            binding: KeyBinding {
                owner: CA_OWNER,
                credential: &self.id,
                algorithm: self.algorithm,
            },
            algorithm,
            public_key: &self.public_key,
        })
    }

    pub(crate) fn from_record(ca: &CertificateAuthority) -> Result<Self, EngineError> {
        let algorithm = ca.key_algorithm.parse().map_err(|_| {
            EngineError::Integrity(format!("CA `{}` has an unknown key type", ca.id))
        })?;
        Ok(Self {
            id: ca.id.clone(),
            algorithm,
            wrapped: WrappedKey(ca.wrapped_key.clone()),
            public_key: signet_pki::parse_certificate(&ca.certificate)?.public_key,
        })
    }
}

/// What to certify.
pub(crate) struct CertOrder {
    pub profile: Profile,
    pub subject: Subject,
    pub public_key: Vec<u8>,
    /// Validity in seconds (clipped to the issuer's).
    pub validity_seconds: i64,
    /// A configured profile's policies and QC statements (end entities only).
    pub content: Option<signet_pki::CertificateContent>,
}

/// A certificate just issued.
pub(crate) struct Issued {
    pub der: Vec<u8>,
    /// Lower-case hex, no leading zero byte.
    pub serial_hex: String,
    pub subject_dn: String,
    pub not_before: i64,
    pub not_after: i64,
}

impl Issued {
    /// The certificate's row in the registry of everything the embedded CA issued.
    pub(crate) fn into_registry_entry(
        self,
        ca_id: String,
        credential_id: Option<String>,
    ) -> IssuedCertificate {
        IssuedCertificate {
            serial: self.serial_hex,
            ca_id,
            credential_id,
            subject: self.subject_dn,
            not_before: self.not_before,
            not_after: self.not_after,
            der: self.der,
            status: CertificateStatus::Valid,
            revoked_at: None,
            revocation_reason: None,
        }
    }
}

/// A CA certificate for export.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaCertificate {
    /// `root` or `issuing`.
    pub id: String,
    /// Subject DN.
    pub subject: String,
    /// PEM text.
    pub pem: String,
}

impl Engine {
    /// Signs `order` with `signer` (a CA key). `issuer_cert` is the signer's certificate,
    /// or `None` for a self-signed root (then `order.public_key` must be the signer's).
    pub(crate) async fn sign_certificate(
        &self,
        order: CertOrder,
        signer: CaKey,
        issuer_cert: Option<Vec<u8>>,
    ) -> Result<Issued, EngineError> {
        let serial = signet_pki::serial_from_random(signet_crypto::random_bytes::<16>()?);
        let serial_hex: String = serial.iter().map(|b| format!("{b:02x}")).collect();
        let now = self.clock.now();
        let not_before = now - BACKDATE_SECONDS;
        let mut not_after = now + order.validity_seconds;
        if let Some(issuer) = &issuer_cert {
            // A certificate never outlives its issuer (RFC 5280 §6.1.3 would reject it later).
            not_after = not_after.min(signet_pki::parse_certificate(issuer)?.not_after);
        }
        let urls = PkiUrls::new(self.settings.public_url.clone());
        let der = self
            .crypto(move |module| {
                let req = IssueRequest {
                    profile: order.profile,
                    subject: &order.subject,
                    subject_public_key: &order.public_key,
                    serial: &serial,
                    not_before,
                    not_after,
                    issuer: issuer_cert
                        .as_deref()
                        .map(|der| Issuer { certificate_der: der, ca_id: signer.id.as_str() }),
                    urls: &urls,
                    content: order.content.as_ref(),
                };
                let signing = signer.signer(module)?;
                Ok(signet_pki::issue(&req, &signing))
            })
            .await??;
        let subject_dn = signet_pki::parse_certificate(&der)?.subject_dn;
        Ok(Issued { der, serial_hex, subject_dn, not_before, not_after })
    }

    /// The root and issuing CA certificates, as PEM.
    pub async fn ca_certificates(&self) -> Result<Vec<CaCertificate>, EngineError> {
        let cas = self.store.list_cas().await?;
        if cas.is_empty() {
            return Err(EngineError::NotFound("CA hierarchy (start `signet serve` once)".into()));
        }
        cas.iter()
            .map(|ca| {
                Ok(CaCertificate {
                    id: ca.id.clone(),
                    subject: signet_pki::parse_certificate(&ca.certificate)?.subject_dn,
                    pem: signet_pki::to_pem(&ca.certificate),
                })
            })
            .collect()
    }

    /// One CA certificate (DER) by id, for the AIA caIssuers URL `/pki/ca/{id}.crt`.
    pub async fn ca_certificate_der(&self, id: &str) -> Result<Option<Vec<u8>>, EngineError> {
        Ok(self.store.ca_by_id(id).await?.map(|ca| ca.certificate))
    }

    pub(crate) async fn issuing_ca(&self) -> Result<CertificateAuthority, EngineError> {
        self.store.ca_by_id(ISSUING_ID).await?.ok_or_else(|| {
            EngineError::NotFound("issuing CA (start `signet serve` once to create it)".into())
        })
    }
}
