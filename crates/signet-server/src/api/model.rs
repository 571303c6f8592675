//! The JSON bodies of the REST API (request and response), with their OpenAPI schemas.
//! Responses are built from the engine's views; the field names are the API's contract.

use serde::{Deserialize, Serialize};
use signet_engine::{AcceptedDocument, CertificateView, KeyView, PolicyDocument};
use utoipa::{IntoParams, ToSchema};

/// `?user=NAME`: the user a service token acts for (a user token acts for itself).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Username of a user in the calling client's group (service tokens only).
    pub user: Option<String>,
}

/// A TSP policy document the signer must accept before a key is created.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    /// Title.
    pub name: String,
    /// Version.
    pub version: String,
    /// Where to read it.
    pub url: Option<String>,
    /// SHA-256 of the document (hex): send it back in `accepted_documents`.
    pub sha256: String,
}

impl From<PolicyDocument> for DocumentOut {
    fn from(d: PolicyDocument) -> Self {
        Self { name: d.name, version: d.version, url: d.url, sha256: d.sha256 }
    }
}

/// `GET /api/v1/policy-documents`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentsOut {
    /// Every document to accept (none: nothing to accept).
    pub documents: Vec<DocumentOut>,
}

/// A document the signer accepted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptedIn {
    /// The document's name, as listed.
    pub name: String,
    /// Its version, as listed.
    pub version: String,
    /// Its SHA-256, as listed.
    pub sha256: String,
}

impl From<AcceptedIn> for AcceptedDocument {
    fn from(a: AcceptedIn) -> Self {
        Self { name: a.name, version: a.version, sha256: a.sha256 }
    }
}

/// `POST /api/v1/keys`: a new signing key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyIn {
    /// The key's owner (service tokens only; a user token creates its own key).
    pub user: Option<String>,
    /// `rsa-2048`, `rsa-3072`, `rsa-4096`, `ec-p256` or `ec-p384`; the configured default
    /// when absent.
    pub algorithm: Option<String>,
    /// The policy documents the signer accepted (all of `GET /api/v1/policy-documents`).
    #[serde(default)]
    pub accepted_documents: Vec<AcceptedIn>,
    /// Free text shown to the signer.
    pub description: Option<String>,
    /// Sole control assurance level, 1 or 2 (default 2).
    pub scal: Option<u8>,
    /// Most signatures one authorisation may cover (default 1).
    pub multisign: Option<u32>,
}

/// `POST /api/v1/keys/{key_id}/certificate`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueIn {
    /// A certificate profile of the group; the group's default when absent.
    pub profile: Option<String>,
}

/// `POST /api/v1/keys/{key_id}/certificate/renew`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewIn {
    /// Certify a new key instead of the same one; the old key and certificate stay until
    /// deleted or revoked.
    #[serde(default)]
    pub new_key: bool,
    /// The new key's algorithm (default: the old key's).
    pub algorithm: Option<String>,
    /// With `new_key`: the policy documents the signer accepted.
    #[serde(default)]
    pub accepted_documents: Vec<AcceptedIn>,
}

/// `POST /api/v1/keys/{key_id}/certificate/revoke`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeIn {
    /// RFC 5280 §5.3.1 reason: `unspecified`, `keyCompromise`, `affiliationChanged`,
    /// `superseded`, `cessationOfOperation`, `certificateHold`, `privilegeWithdrawn`, …
    pub reason: Option<String>,
}

/// A key's current certificate.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateOut {
    /// Profile it was issued under.
    pub profile: String,
    /// CA connector that issued it.
    pub connector: String,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number (hex).
    pub serial_number: String,
    /// notBefore, unix seconds.
    pub valid_from: i64,
    /// notAfter, unix seconds.
    pub valid_to: i64,
    /// `valid`, `revoked` or `expired`.
    pub status: String,
    /// Revocation time, unix seconds.
    pub revoked_at: Option<i64>,
    /// Revocation reason (RFC 5280 name).
    pub revocation_reason: Option<String>,
    /// PEM certificates, leaf first.
    pub chain_pem: Vec<String>,
}

impl From<CertificateView> for CertificateOut {
    fn from(c: CertificateView) -> Self {
        Self {
            profile: c.profile,
            connector: c.connector,
            subject: c.subject,
            issuer: c.issuer,
            serial_number: c.serial_number,
            valid_from: c.valid_from,
            valid_to: c.valid_to,
            status: c.status.to_owned(),
            revoked_at: c.revoked_at,
            revocation_reason: c.revocation_reason,
            chain_pem: c.chain_pem,
        }
    }
}

/// A signing key.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyOut {
    /// Key id; also the CSC `credentialID`.
    pub key_id: String,
    /// Owner.
    pub user: String,
    /// Key type.
    pub algorithm: String,
    /// The public key, PEM.
    pub public_key_pem: Option<String>,
    /// `active`, `disabled`, `deleted` or `expired`.
    pub status: String,
    /// Free text.
    pub description: Option<String>,
    /// SCAL.
    pub scal: i64,
    /// Signatures per authorisation.
    pub multisign: i64,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// When the key was destroyed, unix seconds.
    pub deleted_at: Option<i64>,
    /// A one-shot key's end, unix seconds.
    pub expires_at: Option<i64>,
    /// The current certificate (absent before one is issued).
    pub certificate: Option<CertificateOut>,
}

impl From<KeyView> for KeyOut {
    fn from(k: KeyView) -> Self {
        Self {
            key_id: k.key_id,
            user: k.username,
            algorithm: k.algorithm,
            public_key_pem: k.public_key_pem,
            status: k.status.to_owned(),
            description: k.description,
            scal: k.scal,
            multisign: k.multisign,
            created_at: k.created_at,
            deleted_at: k.deleted_at,
            expires_at: k.expires_at,
            certificate: k.certificate.map(Into::into),
        }
    }
}

/// `GET /api/v1/keys`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeysOut {
    /// The user's keys, oldest id first.
    pub keys: Vec<KeyOut>,
}

/// `POST /api/v1/one-shot`: sign a few hashes with a key made for them alone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OneShotIn {
    /// The signer (service tokens only).
    pub user: Option<String>,
    /// Key type (default: the configured default).
    pub algorithm: Option<String>,
    /// The policy documents the signer accepted.
    #[serde(default)]
    pub accepted_documents: Vec<AcceptedIn>,
    /// Base64 hashes to sign (1 to 100).
    pub hashes: Vec<String>,
    /// Hash algorithm OID (`2.16.840.1.101.3.4.2.1` for SHA-256).
    #[serde(rename = "hashAlgo")]
    pub hash_algo: String,
    /// The signer's signing PIN.
    #[serde(rename = "PIN")]
    pub pin: Option<String>,
    /// The signer's OTP.
    #[serde(rename = "OTP")]
    pub otp: Option<String>,
    /// Shown in the audit record.
    pub description: Option<String>,
}

/// The one-shot credential and its SAD: sign with CSC `signatures/signHash`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneShotOut {
    /// CSC `credentialID`.
    #[serde(rename = "credentialID")]
    pub credential_id: String,
    /// CSC `SAD`, for exactly the given hashes.
    #[serde(rename = "SAD")]
    pub sad: String,
    /// Seconds until the SAD expires.
    #[serde(rename = "expiresIn")]
    pub expires_in: i64,
    /// Base64 DER certificates, signer first.
    pub certificates: Vec<String>,
    /// When the key is destroyed if not used up before, unix seconds.
    pub key_expires_at: i64,
}
