//! The embedded time-stamping authority (RFC 3161): its service key, created at bootstrap
//! and certified by the issuing CA (profile `Tsa`: critical EKU timeStamping), and tokens
//! for CSC `signatures/timestamp` (and later the `/pki/tsa` endpoint and B-T signatures).

use crate::service_keys::TSA;
use crate::{Engine, EngineError};
use signet_pki::tsp::{TimeStampRequest, TokenParams};
use signet_types::HashAlgorithm;

/// The TSA policy: ETSI EN 319 421 "best practices policy for time-stamp" (BTSP),
/// itu-t(0) identified-organization(4) etsi(0) time-stamp-policy(2023) policy-identifiers(1) baseline-ts-policy(1).
const TSA_POLICY: &str = "0.4.0.2023.1.1";
/// Accuracy claimed for genTime (the clock reads whole seconds).
const ACCURACY_MILLIS: u32 = 1000;

impl Engine {
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
            .service_key(&TSA)
            .await?
            .ok_or_else(|| EngineError::Unavailable("the TSA key does not exist yet".into()))?;
        let serial = signet_pki::serial_from_random(signet_crypto::random_bytes::<16>()?);
        let gen_time = self.clock.now();
        let policy = const_oid::ObjectIdentifier::new(TSA_POLICY)
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let token = self
            .crypto(move |_| {
                let signer = key.signer();
                let chain: [&[u8]; 1] = [&key.issuing.certificate];
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
