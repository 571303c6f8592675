//! The embedded time-stamping authority (RFC 3161): its service key, created at bootstrap
//! and certified by the issuing CA (profile `Tsa`: critical EKU timeStamping), and tokens
//! for CSC `signatures/timestamp` (and later the `/pki/tsa` endpoint and B-T signatures).

use crate::ca::{CaKey, CertOrder, ISSUING_ID};
use crate::{Engine, EngineError};
use signet_crypto::{KeyBinding, ModuleSigner, WrappedKey};
use signet_pki::tsp::{TimeStampRequest, TokenParams};
use signet_pki::{Profile, Subject};
use signet_store::{ServiceKey, StoreError};
use signet_types::{HashAlgorithm, KeyAlgorithm};

/// Id of the TSA's service key.
pub(crate) const TSA_ID: &str = "tsa";
/// Owner in the binding of the TSA key (DESIGN.md invariant 2: never a user's).
const TSA_OWNER: &str = "service:tsa";
/// The TSA policy: ETSI EN 319 421 "best practices policy for time-stamp" (BTSP),
/// itu-t(0) identified-organization(4) etsi(0) time-stamp-policy(2023) policy-identifiers(1) baseline-ts-policy(1).
const TSA_POLICY: &str = "0.4.0.2023.1.1";
/// Accuracy claimed for genTime (the clock reads whole seconds).
const ACCURACY_MILLIS: u32 = 1000;

impl Engine {
    /// Ensures the TSA key and certificate exist; returns whether it was created now.
    pub(crate) async fn ensure_tsa(&self) -> Result<bool, EngineError> {
        if let Some(key) = self.store.service_key_by_id(TSA_ID).await? {
            let algorithm: KeyAlgorithm = key
                .key_algorithm
                .parse()
                .map_err(|_| EngineError::Integrity("TSA key type".into()))?;
            let wrapped = WrappedKey(key.wrapped_key);
            self.crypto(move |m| {
                m.check_key(
                    &wrapped,
                    &KeyBinding { owner: TSA_OWNER, credential: TSA_ID, algorithm },
                )
            })
            .await?;
            return Ok(false);
        }
        let issuing = self.issuing_ca().await?;
        let algorithm = self.settings.ca.key;
        let generated = self
            .crypto(move |m| {
                m.generate_key(&KeyBinding { owner: TSA_OWNER, credential: TSA_ID, algorithm })
            })
            .await?;
        let order = CertOrder {
            profile: Profile::Tsa,
            subject: Subject {
                common_name: format!("{} Time-Stamping Authority", self.settings.ca.organization),
                given_name: None,
                surname: None,
                organization: Some(self.settings.ca.organization.clone()),
                country: self.settings.ca.country.clone(),
                email: None,
            },
            public_key: generated.public_key,
            validity_days: self.settings.ca.issuing_validity_days,
        };
        let issued = self
            .sign_certificate(
                order,
                CaKey::from_record(&issuing)?,
                Some(issuing.certificate.clone()),
            )
            .await?;
        let key = ServiceKey {
            id: TSA_ID.into(),
            purpose: "tsa".into(),
            key_algorithm: algorithm.as_str().into(),
            wrapped_key: generated.wrapped.0,
            certificate: issued.der.clone(),
            created_at: self.clock.now(),
        };
        match self.store.insert_service_key(key).await {
            Ok(_) => {}
            Err(StoreError::Conflict(_)) => return Ok(false), // another node was first
            Err(e) => return Err(e.into()),
        }
        self.store.insert_certificate(issued.into_registry_entry(ISSUING_ID.into(), None)).await?;
        tracing::info!(key = %algorithm, "created TSA key and certificate");
        Ok(true)
    }

    /// An RFC 3161 time-stamp token over `imprint` (DER `ContentInfo`), with the TSA
    /// certificate and its issuer included (CSC `signatures/timestamp`).
    pub async fn timestamp(
        &self,
        hash: HashAlgorithm,
        imprint: Vec<u8>,
        nonce: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, EngineError> {
        let mut request = TimeStampRequest::new(hash, imprint)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        request.nonce = nonce;
        request.cert_req = true;
        match self.timestamp_token(request).await? {
            Ok(token) => Ok(token),
            Err(signet_pki::PkiError::TimeStampRequest { reason, .. }) => {
                Err(EngineError::InvalidInput(reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// RFC 3161 §3.4 over HTTP: a DER `TimeStampReq` in, a DER `TimeStampResp` out. A
    /// request the TSA cannot serve is answered with a rejection carrying its
    /// failure info, as the RFC asks, not with an HTTP error.
    pub async fn timestamp_http(&self, request_der: &[u8]) -> Result<Vec<u8>, EngineError> {
        let request = match signet_pki::tsp::parse_request(request_der) {
            Ok(r) => r,
            Err(signet_pki::PkiError::TimeStampRequest { failure, reason }) => {
                return Ok(signet_pki::tsp::response_rejection(failure, &reason));
            }
            Err(_) => {
                let fail = signet_pki::tsp::FailureInfo::BadDataFormat;
                return Ok(signet_pki::tsp::response_rejection(fail, "malformed request"));
            }
        };
        match self.timestamp_token(request).await? {
            Ok(token) => Ok(signet_pki::tsp::response_granted(&token)),
            Err(signet_pki::PkiError::TimeStampRequest { failure, reason }) => {
                Ok(signet_pki::tsp::response_rejection(failure, &reason))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Issues a token for a parsed request with the embedded TSA key. The inner result is
    /// the PKI's: a request the TSA refuses (another policy) comes back as
    /// `PkiError::TimeStampRequest` for the caller to answer in its own protocol.
    async fn timestamp_token(
        &self,
        request: TimeStampRequest,
    ) -> Result<Result<Vec<u8>, signet_pki::PkiError>, EngineError> {
        let key = self
            .store
            .service_key_by_id(TSA_ID)
            .await?
            .ok_or_else(|| EngineError::Unavailable("the TSA key does not exist yet".into()))?;
        let issuing = self.issuing_ca().await?;
        let algorithm: KeyAlgorithm =
            key.key_algorithm.parse().map_err(|_| EngineError::Integrity("TSA key type".into()))?;
        let sign_alg = *algorithm
            .signature_algorithms()
            .first()
            .ok_or_else(|| EngineError::Internal("TSA key has no algorithm".into()))?;
        let public_key = signet_pki::parse_certificate(&key.certificate)?.public_key;
        let serial = signet_pki::serial_from_random(signet_crypto::random_bytes::<16>()?);
        let gen_time = self.clock.now();
        let policy = const_oid::ObjectIdentifier::new(TSA_POLICY)
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let token = self
            .crypto(move |module| {
                let wrapped = WrappedKey(key.wrapped_key.clone());
                let signer = ModuleSigner {
                    module,
                    key: &wrapped,
                    binding: KeyBinding { owner: TSA_OWNER, credential: TSA_ID, algorithm },
                    algorithm: sign_alg,
                    public_key: &public_key,
                };
                let chain: [&[u8]; 1] = [&issuing.certificate];
                let params = TokenParams {
                    policy,
                    serial: &serial,
                    gen_time,
                    gen_time_millis: 0,
                    accuracy_millis: Some(ACCURACY_MILLIS),
                    tsa_certificate: &key.certificate,
                    chain: &chain,
                    ordering: false,
                };
                Ok(signet_pki::tsp::issue_token(&request, &params, &signer))
            })
            .await?;
        Ok(token)
    }
}

/// The `TimeStampResp` of a TSA that cannot sign right now (RFC 3161 §2.4.2 systemFailure).
pub fn tsa_system_failure() -> Vec<u8> {
    signet_pki::tsp::response_rejection(
        signet_pki::tsp::FailureInfo::SystemFailure,
        "the TSA cannot sign now",
    )
}
