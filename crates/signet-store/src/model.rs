//! The records the store keeps, as plain data.
//!
//! Times are unix seconds supplied by the caller from its `Clock` (the store
//! never reads the system clock); ids are text minted by the caller (UUIDs).
//! A `New…` struct is what an insert takes; the record struct is what a read
//! returns.

use std::fmt;

/// A group of service providers: its clients and users share its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Group id.
    pub id: String,
    /// Unique, human-readable name.
    pub name: String,
    /// Whether legacy SHA-1 signing is allowed for this group.
    pub allow_sha1: bool,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A new group: the same fields as the record it becomes.
pub type NewGroup = Group;

/// An OAuth 2.0 client of a service provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Client {
    /// The OAuth `client_id`.
    pub id: String,
    /// Owning group.
    pub group_id: String,
    /// Name, unique within the group.
    pub name: String,
    /// Argon2 PHC string of the client secret; `None` for a public client (and, later,
    /// for a confidential client that authenticates by `private_key_jwt`).
    pub secret_hash: Option<String>,
    /// A public client (RFC 6749 §2.1): it has no secret and must use PKCE. The store
    /// refuses a public client with a `secret_hash`.
    pub public: bool,
    /// The registered redirect URIs, matched by exact string comparison (RFC 6749
    /// §3.1.2, RFC 9700 §4.1.3), in registration order. Stored one per line: a URI
    /// never contains a line break.
    pub redirect_uris: Vec<String>,
    /// The scopes the client may ask for (RFC 6749 §3.3), stored space-separated.
    /// Clients registered before redirect URIs existed have `service`.
    pub scopes: Vec<String>,
    /// The user claims the client may read (OpenID Connect Core §5.1), stored
    /// space-separated.
    pub claims: Vec<String>,
    /// Its public keys for `private_key_jwt` (a JWK Set, RFC 7517 §5, as JSON).
    pub jwks: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A new client: the same fields as the record it becomes.
pub type NewClient = Client;

/// A signer.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// User id.
    pub id: String,
    /// Unique login name.
    pub username: String,
    /// The group the user belongs to.
    pub group_id: String,
    /// Given name (certificate subject `givenName`).
    pub given_name: String,
    /// Surname (certificate subject `surname`).
    pub surname: String,
    /// E-mail address.
    pub email: String,
    /// Phone number for OTP delivery, if any.
    pub phone: Option<String>,
    /// Argon2 PHC string of the password.
    pub password_hash: String,
    /// Argon2 PHC string of the signing PIN, once one is set.
    pub pin_hash: Option<String>,
    /// Consecutive wrong PINs since the last success or reset.
    pub pin_failures: i64,
    /// Whether the PIN is locked after too many failures.
    pub pin_locked: bool,
    /// The offline OTP seed (RFC 6238), sealed by the crypto module; `None` without OTP.
    pub otp_sealed: Option<Vec<u8>>,
    /// The last TOTP time step accepted (a code is never accepted twice).
    pub otp_last_step: i64,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A user to create.
#[derive(Clone)]
pub struct NewUser {
    /// User id.
    pub id: String,
    /// Unique login name.
    pub username: String,
    /// The group the user belongs to.
    pub group_id: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// E-mail address.
    pub email: String,
    /// Phone number, if any.
    pub phone: Option<String>,
    /// Argon2 PHC string of the password, made by the caller.
    pub password_hash: String,
    /// Argon2 PHC string of the PIN, if set at creation.
    pub pin_hash: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// The PIN counter after a failure was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinState {
    /// Consecutive failures, this one included.
    pub failures: i64,
    /// Whether the PIN is now locked.
    pub locked: bool,
}

/// A certificate authority of the embedded PKI ("root", "issuing", …).
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateAuthority {
    /// CA id.
    pub id: String,
    /// The issuing CA's id; `None` for a root.
    pub parent_id: Option<String>,
    /// Subject distinguished name, as text.
    pub name: String,
    /// Key algorithm name or OID.
    pub key_algorithm: String,
    /// The CA key, wrapped by the crypto module's master key.
    pub wrapped_key: Vec<u8>,
    /// The CA certificate, DER.
    pub certificate: Vec<u8>,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A new CA: the same fields as the record it becomes.
pub type NewCa = CertificateAuthority;

/// Revocation status of an issued certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStatus {
    /// Not revoked.
    Valid,
    /// Revoked (see `revoked_at` and `revocation_reason`).
    Revoked,
}

impl CertificateStatus {
    /// The stored text: `valid` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Revoked => "revoked",
        }
    }

    /// Reads the stored text; `None` if unknown.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "valid" => Some(Self::Valid),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// A row of the registry of every certificate the embedded CA issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    /// Serial number, lower-case hex.
    pub serial: String,
    /// The issuing CA's id.
    pub ca_id: String,
    /// The credential the certificate belongs to (`None` for CA certificates).
    pub credential_id: Option<String>,
    /// Subject distinguished name, as text.
    pub subject: String,
    /// Start of validity, unix seconds.
    pub not_before: i64,
    /// End of validity, unix seconds.
    pub not_after: i64,
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// Revocation status.
    pub status: CertificateStatus,
    /// Revocation time, unix seconds.
    pub revoked_at: Option<i64>,
    /// Revocation reason (RFC 5280 §5.3.1 name).
    pub revocation_reason: Option<String>,
}

/// Whether a credential may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialStatus {
    /// Usable (CSC `key/status` "enabled").
    Enabled,
    /// Not usable (CSC `key/status` "disabled").
    Disabled,
}

impl CredentialStatus {
    /// The stored text: `enabled` or `disabled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Disabled => "disabled",
        }
    }

    /// Reads the stored text; `None` if unknown.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "enabled" => Some(Self::Enabled),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// A signer's key and certificate (a CSC credential).
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// Credential id (CSC `credentialID`).
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Key algorithm name or OID.
    pub key_algorithm: String,
    /// The private key, wrapped by the crypto module's master key.
    pub wrapped_key: Vec<u8>,
    /// The key's DER SubjectPublicKeyInfo (empty for credentials stored before migration
    /// 0006: their certificate carries it).
    pub public_key: Vec<u8>,
    /// Concatenated DER certificates, signer first.
    pub certificate_chain: Vec<u8>,
    /// Certificate profile name.
    pub profile: String,
    /// Whether the credential may be used.
    pub status: CredentialStatus,
    /// Free text shown to the signer.
    pub description: Option<String>,
    /// CSC sole control assurance level, 1 or 2.
    pub scal: i64,
    /// CSC `multisign`: signatures allowed per authorisation.
    pub multisign: i64,
    /// Creation time, unix seconds.
    pub created_at: i64,
    /// Where the key is in its life cycle.
    pub lifecycle: KeyLifecycle,
}

/// Where a signing key is in its life cycle (migration 0006).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLifecycle {
    /// The CA connector that certified the key (`embedded`, or a configured connector).
    pub connector: String,
    /// When the wrapped key was destroyed (deleted by its owner, or a one-shot key used up
    /// or expired); the key blob is then empty and the credential can never sign again.
    pub destroyed_at: Option<i64>,
    /// A one-shot key's end: it is destroyed at this time if not used up before.
    pub expires_at: Option<i64>,
    /// When an external CA revoked the current certificate at our request (the embedded
    /// CA's revocations are in the certificates registry).
    pub cert_revoked_at: Option<i64>,
    /// The reason given with that revocation (RFC 5280 §5.3.1 name).
    pub cert_revocation_reason: Option<String>,
}

impl Default for KeyLifecycle {
    fn default() -> Self {
        Self {
            connector: EMBEDDED_CONNECTOR.to_owned(),
            destroyed_at: None,
            expires_at: None,
            cert_revoked_at: None,
            cert_revocation_reason: None,
        }
    }
}

/// The connector name of the embedded CA.
pub const EMBEDDED_CONNECTOR: &str = "embedded";

impl Credential {
    /// Whether the credential has a certificate yet (a key is created first and certified
    /// by a separate enrolment).
    pub fn is_certified(&self) -> bool {
        !self.certificate_chain.is_empty()
    }

    /// Whether the key still exists (not deleted, not a used-up one-shot key).
    pub fn key_exists(&self) -> bool {
        self.lifecycle.destroyed_at.is_none() && !self.wrapped_key.is_empty()
    }
}

/// A signer's acceptance of the group's TSP policy documents, recorded when a key is
/// created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// Id.
    pub id: String,
    /// Who accepted.
    pub user_id: String,
    /// The key created under it.
    pub credential_id: String,
    /// JSON list of the documents accepted: `[{"name","version","sha256"}]`.
    pub documents: String,
    /// When, unix seconds.
    pub accepted_at: i64,
}

/// A prepared document signature waiting for the signer's authorisation (two-step
/// document signing, migration 0007).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentTransaction {
    /// Transaction id.
    pub id: String,
    /// The signer.
    pub user_id: String,
    /// The credential that will sign.
    pub credential_id: String,
    /// The client that prepared it, if a service token did.
    pub client_id: Option<String>,
    /// `cades` (later `pades`, `xades`).
    pub format: String,
    /// `B-B`, `B-T`, `B-LT`.
    pub level: String,
    /// Signature algorithm name.
    pub sign_algorithm: String,
    /// DER signed attributes (what the DTBS/R is the digest of).
    pub signed_attributes: Vec<u8>,
    /// The signer's certificate chain at preparation (concatenated DER, signer first).
    pub certificates: Vec<u8>,
    /// The content, for an enveloping signature.
    pub content: Option<Vec<u8>>,
    /// The digest the signer authorises.
    pub dtbsr: Vec<u8>,
    /// Creation, unix seconds.
    pub created_at: i64,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Completion, unix seconds.
    pub completed_at: Option<i64>,
}

/// A new credential: the same fields as the record it becomes.
pub type NewCredential = Credential;

/// What a bearer token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An OAuth 2.0 access token presented to the CSC API.
    Access,
    /// An OAuth 2.0 refresh token, exchanged for a new access token.
    Refresh,
    /// A token of the `service` scope (CSC `oauth2/authorize` `scope=service`).
    Service,
}

impl TokenKind {
    /// The stored text: `access`, `refresh` or `service`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
            Self::Service => "service",
        }
    }

    /// Reads the stored text; `None` if unknown.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "access" => Some(Self::Access),
            "refresh" => Some(Self::Refresh),
            "service" => Some(Self::Service),
            _ => None,
        }
    }
}

/// A bearer token to store. Only the hash of the token is kept: the token
/// itself is shown once to the client and never written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// Lower-case hex SHA-256 of the bearer token.
    pub token_hash: String,
    /// What the token is for.
    pub kind: TokenKind,
    /// The user the token acts for (`None` for a client-only token).
    pub user_id: Option<String>,
    /// The OAuth client it was issued to.
    pub client_id: Option<String>,
    /// Granted scope, space-separated (RFC 6749 §3.3).
    pub scope: String,
    /// Shared by an access token and its refresh token, so that revoking one
    /// can revoke them all.
    pub family_id: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Issue time, unix seconds.
    pub created_at: i64,
}

/// A stored bearer token. Expiry is the caller's to check, with its `Clock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lower-case hex SHA-256 of the bearer token.
    pub token_hash: String,
    /// What the token is for.
    pub kind: TokenKind,
    /// The user the token acts for.
    pub user_id: Option<String>,
    /// The OAuth client it was issued to.
    pub client_id: Option<String>,
    /// Granted scope, space-separated.
    pub scope: String,
    /// The token's family (see [`NewToken::family_id`]).
    pub family_id: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Whether the token was revoked.
    pub revoked: bool,
    /// Issue time, unix seconds.
    pub created_at: i64,
}

/// Signature Activation Data to store (CSC `credentials/authorize`): the
/// authorisation of up to `remaining` signatures with one credential, bound to
/// a user and, at SCAL 2, to the listed document hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSad {
    /// Lower-case hex SHA-256 of the SAD given to the client.
    pub sad_hash: String,
    /// The signer.
    pub user_id: String,
    /// The credential the SAD unlocks.
    pub credential_id: String,
    /// The client the SAD was issued to.
    pub client_id: Option<String>,
    /// Hash algorithm OID of `hashes` (CSC `hashAlgo`), when hashes are bound.
    pub hash_algo: Option<String>,
    /// The authorised digests, base64 (never containing ','); empty when the
    /// SAD authorises a count only (SCAL 1).
    pub hashes: Vec<String>,
    /// Signatures still allowed (CSC `numSignatures`).
    pub remaining: i64,
    /// The factors that were checked, e.g. `"pin,otp"`.
    pub factors: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Issue time, unix seconds.
    pub created_at: i64,
}

/// Stored Signature Activation Data. `version` changes on every update; a
/// consumer passes the version it read, so concurrent consumers cannot both
/// use the same authorisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sad {
    /// Lower-case hex SHA-256 of the SAD.
    pub sad_hash: String,
    /// The signer.
    pub user_id: String,
    /// The credential the SAD unlocks.
    pub credential_id: String,
    /// The client the SAD was issued to.
    pub client_id: Option<String>,
    /// Hash algorithm OID of `hashes`.
    pub hash_algo: Option<String>,
    /// The authorised digests not yet signed, base64.
    pub hashes: Vec<String>,
    /// Signatures still allowed.
    pub remaining: i64,
    /// The factors that were checked.
    pub factors: String,
    /// Compare-and-set version: 0 at insert, +1 per change.
    pub version: i64,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Issue time, unix seconds.
    pub created_at: i64,
}

// Debug by hand where a field is secret: hashes are hidden, wrapped keys are
// shown only by length, so a record can be logged without leaking either.

/// Shows a secret field as hidden (or absent).
struct Hidden(bool);

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "<hidden>" } else { "None" })
    }
}

/// Shows a wrapped key by its length only.
struct Len(usize);

impl fmt::Debug for Len {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("group_id", &self.group_id)
            .field("name", &self.name)
            .field("secret_hash", &Hidden(self.secret_hash.is_some()))
            .field("public", &self.public)
            .field("redirect_uris", &self.redirect_uris)
            .field("scopes", &self.scopes)
            .field("claims", &self.claims)
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("group_id", &self.group_id)
            .field("given_name", &self.given_name)
            .field("surname", &self.surname)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("password_hash", &Hidden(true))
            .field("pin_hash", &Hidden(self.pin_hash.is_some()))
            .field("otp_sealed", &Hidden(self.otp_sealed.is_some()))
            .field("pin_failures", &self.pin_failures)
            .field("pin_locked", &self.pin_locked)
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("group_id", &self.group_id)
            .field("given_name", &self.given_name)
            .field("surname", &self.surname)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("password_hash", &Hidden(true))
            .field("pin_hash", &Hidden(self.pin_hash.is_some()))
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("id", &self.id)
            .field("parent_id", &self.parent_id)
            .field("name", &self.name)
            .field("key_algorithm", &self.key_algorithm)
            .field("wrapped_key", &Len(self.wrapped_key.len()))
            .field("certificate", &Len(self.certificate.len()))
            .field("created_at", &self.created_at)
            .finish()
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("key_algorithm", &self.key_algorithm)
            .field("wrapped_key", &Len(self.wrapped_key.len()))
            .field("certificate_chain", &Len(self.certificate_chain.len()))
            .field("profile", &self.profile)
            .field("status", &self.status)
            .field("description", &self.description)
            .field("scal", &self.scal)
            .field("multisign", &self.multisign)
            .field("created_at", &self.created_at)
            .field("lifecycle", &self.lifecycle)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in [CredentialStatus::Enabled, CredentialStatus::Disabled] {
            assert_eq!(CredentialStatus::parse(s.as_str()), Some(s));
        }
        for s in [CertificateStatus::Valid, CertificateStatus::Revoked] {
            assert_eq!(CertificateStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CredentialStatus::parse("ENABLED"), None);
        for k in [TokenKind::Access, TokenKind::Refresh, TokenKind::Service] {
            assert_eq!(TokenKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(TokenKind::parse("bearer"), None);
    }

    #[test]
    fn debug_hides_secrets() {
        let user = User {
            id: "u1".into(),
            username: "alice".into(),
            group_id: "g1".into(),
            given_name: "Alice".into(),
            surname: "Liddell".into(),
            email: "alice@example.org".into(),
            phone: None,
            password_hash: "$argon2id$secret-password-hash".into(),
            pin_hash: Some("$argon2id$secret-pin-hash".into()),
            pin_failures: 0,
            pin_locked: false,
            otp_sealed: Some(b"secret-sealed-seed".to_vec()),
            otp_last_step: 0,
            created_at: 0,
        };
        let shown = format!("{user:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("alice"));

        let cred = Credential {
            id: "c1".into(),
            user_id: "u1".into(),
            key_algorithm: "rsa-2048".into(),
            wrapped_key: vec![0xAB; 40],
            public_key: Vec::new(),
            certificate_chain: vec![1, 2, 3],
            profile: "qualified".into(),
            status: CredentialStatus::Enabled,
            description: None,
            scal: 2,
            multisign: 1,
            created_at: 0,
            lifecycle: KeyLifecycle::default(),
        };
        let shown = format!("{cred:?}");
        assert!(shown.contains("<40 bytes>"), "{shown}");
        assert!(!shown.contains("171"), "{shown}");
    }
}

/// A key of the service itself (TSA, OCSP responder), wrapped by the crypto module,
/// with its certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceKey {
    /// Id, e.g. `tsa`.
    pub id: String,
    /// `tsa` or `ocsp`.
    pub purpose: String,
    /// Key type name.
    pub key_algorithm: String,
    /// The wrapped private key.
    pub wrapped_key: Vec<u8>,
    /// DER certificate.
    pub certificate: Vec<u8>,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

impl fmt::Debug for ServiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceKey")
            .field("id", &self.id)
            .field("purpose", &self.purpose)
            .field("key_algorithm", &self.key_algorithm)
            .field("wrapped_key", &Len(self.wrapped_key.len()))
            .field("certificate", &Len(self.certificate.len()))
            .finish()
    }
}

/// A CRL as issued: its number, validity, how many revocations it lists, and its DER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCrl {
    /// Issuing CA.
    pub ca_id: String,
    /// CRL number (RFC 5280 §5.2.3).
    pub number: i64,
    /// thisUpdate, unix seconds.
    pub this_update: i64,
    /// nextUpdate, unix seconds.
    pub next_update: i64,
    /// Revoked certificates it lists.
    pub revoked: i64,
    /// DER CertificateList.
    pub der: Vec<u8>,
}

/// Failed password logins of one login name (the built-in identity provider's
/// throttling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Consecutive failures since the last success.
    pub failures: i64,
    /// Unix seconds before which a login is refused without checking the password.
    pub locked_until: i64,
}

/// A signer's login session at the built-in identity provider (migration 0010).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSession {
    /// Lower-case hex SHA-256 of the session cookie's value.
    pub session_hash: String,
    /// The signed-in user.
    pub user_id: String,
    /// When the user last authenticated, unix seconds (OpenID Connect `auth_time`).
    pub auth_time: i64,
    /// Authentication methods proven (RFC 8176), space-separated.
    pub amr: String,
    /// The level of assurance they reach (`low`, `substantial`, `high`).
    pub acr: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Whether the session was ended (logout).
    pub revoked: bool,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// A validated authorization request waiting for the signer (migration 0010).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequestRecord {
    /// Random id carried by the pages.
    pub id: String,
    /// The client that sent it.
    pub client_id: String,
    /// The validated request, JSON (the engine's type).
    pub request: String,
    /// Expiry, unix seconds.
    pub expires_at: i64,
    /// Whether a code was issued for it.
    pub done: bool,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// An authorization a signer gave a client: its code and what it grants (migration
/// 0010). The tokens issued for it have `id` as their family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// Id, and the family of the tokens issued for it.
    pub id: String,
    /// Lower-case hex SHA-256 of the authorization code.
    pub code_hash: String,
    /// The client.
    pub client_id: String,
    /// The signer.
    pub user_id: String,
    /// The redirect URI the code was sent to (RFC 6749 §4.1.3 checks it again).
    pub redirect_uri: String,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// User claims the client may read, space-separated.
    pub claims: String,
    /// OpenID Connect `nonce`, echoed in the ID token.
    pub nonce: Option<String>,
    /// PKCE `code_challenge` (S256, RFC 7636 §4.2).
    pub code_challenge: Option<String>,
    /// When the signer authenticated, unix seconds.
    pub auth_time: i64,
    /// Authentication methods (RFC 8176), space-separated.
    pub amr: String,
    /// Level of assurance reached.
    pub acr: String,
    /// The credential of a CSC `credential` scope grant.
    pub credential_id: Option<String>,
    /// The SAD issued when the signer approved, sealed by the crypto module.
    pub sealed_sad: Option<Vec<u8>>,
    /// The code's expiry, unix seconds.
    pub code_expires_at: i64,
    /// Whether the code was redeemed.
    pub redeemed: bool,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// The user claims a signer agreed to let a client read (migration 0010).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsConsent {
    /// The signer.
    pub user_id: String,
    /// The client.
    pub client_id: String,
    /// The claims, space-separated.
    pub claims: String,
    /// When, unix seconds.
    pub created_at: i64,
}
