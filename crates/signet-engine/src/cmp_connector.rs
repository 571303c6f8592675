//! The `cmp` CA connector: an external CA reached over Lightweight CMP (RFC 9483) with
//! HTTP transfer (RFC 6712 / RFC 9811: `POST`, `Content-Type: application/pkixcmp`).
//! The messages are built and checked by [`signet_pki::cmp`]; this module moves bytes.
//!
//! - certify: `ir` for a new key (§4.1.1), `kur` when renewing the same key (§4.1.3),
//!   with `raVerified` proof of possession: Signet is the RA that generated the key
//!   inside its own crypto module, and only the SAM uses a signer's key (DESIGN.md
//!   invariant 2), so the key never signs a CRMF request.
//! - revoke: `rr` (§4.2).
//! - protection: PBM with a shared secret, or a signature with the connector's own key
//!   and certificate; responses are checked the same way (PBM secret, or a chain to the
//!   configured trust anchors).

use crate::connector::{CaConnector, Certified, CertifyRequest, Revoked};
use crate::{Engine, EngineError};
use async_trait::async_trait;
use signet_crypto::soft::FileKey;
use signet_pki::cmp::{
    CertificateRequest, CmpError, CmpRequest, Nonces, Outcome, ProofOfPossession, Protection,
    ResponseTrust, Step, Transaction,
};
use signet_pki::crl::RevocationReason;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// How a CMP connector protects its requests.
#[derive(Clone)]
pub enum CmpProtection {
    /// PasswordBasedMac with a shared secret (RFC 9483 §4.1.1 "MAC-based protection");
    /// `reference` is the senderKID the CA knows the secret by.
    Pbm {
        /// senderKID.
        reference: String,
        /// The shared secret.
        secret: Zeroizing<Vec<u8>>,
    },
    /// A signature with the connector's key (RFC 9483 §3.2).
    Signature {
        /// The protection key.
        key: Arc<FileKey>,
        /// Its certificate (DER).
        certificate: Vec<u8>,
        /// Intermediate certificates to send in extraCerts (DER).
        chain: Vec<Vec<u8>>,
    },
}

impl std::fmt::Debug for CmpProtection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pbm { reference, .. } => write!(f, "Pbm {{ reference: {reference:?} }}"),
            Self::Signature { .. } => f.write_str("Signature"),
        }
    }
}

/// A configured CMP connector.
#[derive(Debug, Clone)]
pub struct CmpSettings {
    /// The CA's CMP endpoint (`http://ca.example/pkix/`).
    pub url: String,
    /// Request protection.
    pub protection: CmpProtection,
    /// Trust anchors for signature-protected responses (DER); with PBM the responses are
    /// checked with the shared secret instead.
    pub trusted: Vec<Vec<u8>>,
    /// Ask the CA to skip certConf (it may refuse).
    pub implicit_confirm: bool,
    /// Per HTTP exchange.
    pub timeout: Duration,
}

/// The connector.
#[derive(Debug)]
pub(crate) struct CmpConnector {
    name: String,
    settings: CmpSettings,
    http: reqwest::Client,
}

impl CmpConnector {
    pub(crate) fn new(name: &str, settings: CmpSettings) -> Result<Self, EngineError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| EngineError::Internal(format!("CMP HTTP client: {e}")))?;
        Ok(Self { name: name.to_owned(), settings, http })
    }

    fn protection(&self) -> Protection<'_> {
        match &self.settings.protection {
            CmpProtection::Pbm { reference, secret } => {
                Protection::Pbm { reference: reference.as_bytes(), secret }
            }
            CmpProtection::Signature { key, certificate, chain } => {
                Protection::Signature { signer: key.as_ref(), certificate_der: certificate, chain }
            }
        }
    }

    fn trust(&self) -> ResponseTrust<'_> {
        match &self.settings.protection {
            CmpProtection::Pbm { secret, .. } => ResponseTrust::Pbm { secret },
            CmpProtection::Signature { .. } => {
                ResponseTrust::Signature { trusted: &self.settings.trusted }
            }
        }
    }

    /// Builds the first message. Synchronous on purpose: a request borrows a `dyn Signer`
    /// (not `Sync`), so it must not live across an await.
    fn start(
        &self,
        engine: &Engine,
        request: &CmpRequest<'_>,
    ) -> Result<(Transaction, Vec<u8>), EngineError> {
        Transaction::start(
            request,
            &self.protection(),
            None,
            None,
            signet_crypto::random_bytes::<16>()?,
            Nonces::from_random(signet_crypto::random_bytes::<32>()?),
            engine.clock.now(),
        )
        .map_err(|e| self.error(e))
    }

    /// Runs a started transaction to its end (certConf/pkiConf included).
    async fn finish(
        &self,
        engine: &Engine,
        mut tx: Transaction,
        mut message: Vec<u8>,
    ) -> Result<Outcome, EngineError> {
        loop {
            let response = self.post(message).await?;
            let nonces = Nonces::from_random(signet_crypto::random_bytes::<32>()?);
            // The protection is rebuilt for each step, never held across an await.
            let step = tx.receive(
                &response,
                &self.protection(),
                &self.trust(),
                nonces,
                engine.clock.now(),
            );
            match step {
                Ok(Step::Send(next)) => message = next,
                Ok(Step::Done(outcome)) => return Ok(outcome),
                Err(e) => return Err(self.error(e)),
            }
        }
    }

    async fn post(&self, body: Vec<u8>) -> Result<Vec<u8>, EngineError> {
        let unavailable = |what: String| {
            EngineError::Unavailable(format!("CA connector `{}`: {what}", self.name))
        };
        let response = self
            .http
            .post(&self.settings.url)
            .header(reqwest::header::CONTENT_TYPE, "application/pkixcmp")
            .body(body)
            .send()
            .await
            .map_err(|e| unavailable(format!("no answer from the CA ({e})")))?;
        // RFC 6712 §3.3: an error PKIMessage may come with any status; read the body and
        // let the CMP layer judge it. A body that is no CMP message is a transport failure.
        let status = response.status();
        let bytes =
            response.bytes().await.map_err(|e| unavailable(format!("reading the answer: {e}")))?;
        if bytes.is_empty() {
            return Err(unavailable(format!("empty answer with HTTP status {status}")));
        }
        Ok(bytes.to_vec())
    }

    /// A CA refusal is the caller's to see (`ca_rejected`); anything else is logged and
    /// reported as the CA being unusable.
    fn error(&self, e: CmpError) -> EngineError {
        match e.rejection() {
            Some(r) => EngineError::CaRejected(format!("the CA refused the request: {r}")),
            None => {
                tracing::warn!(connector = %self.name, error = %e, "CMP exchange failed");
                EngineError::Unavailable(format!("CA connector `{}`: {e}", self.name))
            }
        }
    }
}

#[async_trait]
impl CaConnector for CmpConnector {
    fn name(&self) -> &str {
        &self.name
    }

    async fn certify(
        &self,
        engine: &Engine,
        request: CertifyRequest<'_>,
    ) -> Result<Certified, EngineError> {
        let subject = signet_pki::subject_name(request.profile.kind, &request.subject)?;
        let subject = der::Encode::to_der(&subject)
            .and_then(|d| <x509_cert::name::Name as der::Decode>::from_der(&d))
            .map_err(|e| EngineError::Internal(format!("subject name: {e}")))?;
        let (tx, first) = {
            let template = CertificateRequest {
                subject: &subject,
                public_key_der: &request.public_key,
                extensions: &[],
                pop: ProofOfPossession::RaVerified,
                implicit_confirm: self.settings.implicit_confirm,
            };
            let cmp_request = match &request.renewing {
                Some(old) => CmpRequest::Update { old_certificate_der: old, request: template },
                None => CmpRequest::Initialize(template),
            };
            self.start(engine, &cmp_request)?
        };
        let Outcome::Certificate { certificate_der, ca_pubs, extra_certs } =
            self.finish(engine, tx, first).await?
        else {
            return Err(EngineError::Internal(
                "CMP: a certificate request ended without one".into(),
            ));
        };
        // The chain: the certificate, then the CA certificates the CA sent (extraCerts,
        // then caPubs), each once.
        let mut chain = certificate_der.clone();
        let mut seen = vec![certificate_der];
        for c in extra_certs.into_iter().chain(ca_pubs) {
            if !seen.contains(&c) {
                chain.extend_from_slice(&c);
                seen.push(c);
            }
        }
        Ok(Certified { chain, registry: None })
    }

    async fn revoke(
        &self,
        engine: &Engine,
        certificate: &[u8],
        reason: Option<RevocationReason>,
    ) -> Result<Revoked, EngineError> {
        let (tx, first) = self.start(
            engine,
            &CmpRequest::Revoke {
                certificate_der: certificate,
                reason: reason.unwrap_or(RevocationReason::Unspecified),
            },
        )?;
        match self.finish(engine, tx, first).await? {
            Outcome::Revoked => Ok(Revoked::External),
            Outcome::Certificate { .. } => {
                Err(EngineError::Internal("CMP: a revocation answered with a certificate".into()))
            }
        }
    }
}
