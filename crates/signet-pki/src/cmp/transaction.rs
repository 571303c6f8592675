//! One CMP transaction as a state machine, without I/O (RFC 9483 §4.1.1 and §4.2):
//!
//! ```text
//! start ──ir/cr/kur──▶ AwaitingResponse ──ip/cp/kup──▶ (implicitConfirm granted) Done
//!                                        └────────────▶ Send(certConf) ▶ AwaitingPkiConf
//!                                                             ──pkiConf──▶ Done
//! start ──rr──▶ AwaitingResponse ──rp──▶ Done(Revoked)
//! any error (rejection, error message, bad protection, …) ▶ Finished
//! ```
//!
//! Every response must be protected as [`ResponseTrust`] says, carry our transactionID
//! and, as recipNonce, the senderNonce of the message it answers (RFC 9483 §3.5).

use super::asn1::{BodyType, PVNO_CMP2000, PVNO_CMP2021};
use super::message::{self, Incoming, Outgoing};
use super::protection::{self, Protection, ResponseTrust};
use super::request::{self, CmpRequest};
use super::response;
use super::CmpError;
use crate::algorithm_identifier::parse_spki;
use der::Decode;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::name::Name;
use x509_cert::Certificate;

/// The fresh random values of one message: RFC 9483 §3.1 asks for a 128-bit senderNonce
/// per message, and every PasswordBasedMac gets its own salt (RFC 9810 §5.1.3.1).
#[derive(Clone, Copy, Debug)]
pub struct Nonces {
    /// `senderNonce`.
    pub sender_nonce: [u8; 16],
    /// The PBM `salt` (unused with signature protection).
    pub salt: [u8; 16],
}

impl Nonces {
    /// Splits 32 random bytes into a senderNonce and a salt.
    pub fn from_random(bytes: [u8; 32]) -> Self {
        let mut sender_nonce = [0; 16];
        let mut salt = [0; 16];
        sender_nonce.copy_from_slice(&bytes[..16]);
        salt.copy_from_slice(&bytes[16..]);
        Self { sender_nonce, salt }
    }
}

/// What to do next.
#[derive(Debug)]
pub enum Step {
    /// Send this DER `PKIMessage` (a certConf) and feed the answer to
    /// [`Transaction::receive`].
    Send(Vec<u8>),
    /// The transaction is complete.
    Done(Outcome),
}

/// The result of a complete transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The certificate of an ir, cr or kur, confirmed (or implicitly confirmed).
    Certificate {
        /// The new certificate (DER).
        certificate_der: Vec<u8>,
        /// `caPubs` of the response: CA certificates the end entity may trust (ip only,
        /// RFC 9483 §4.1.1).
        ca_pubs: Vec<Vec<u8>>,
        /// The response's extraCerts: the CMP server's certificate and chain, and the new
        /// certificate's chain (RFC 9483 §4.1.1).
        extra_certs: Vec<Vec<u8>>,
    },
    /// The rr was granted: the certificate is revoked.
    Revoked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Initialize,
    Certify,
    Update,
    Revoke,
}

impl Kind {
    /// The body that answers this request (RFC 9483 §4.1.1–§4.1.3, §4.2).
    fn response(self) -> BodyType {
        match self {
            Self::Initialize => BodyType::Ip,
            Self::Certify => BodyType::Cp,
            Self::Update => BodyType::Kup,
            Self::Revoke => BodyType::Rp,
        }
    }
}

#[derive(Debug)]
#[cfg_attr(test, derive(Clone))]
enum State {
    AwaitingResponse,
    AwaitingPkiConf(Outcome),
    Finished,
}

/// A CMP transaction in progress. It holds no secret and no key: the protection is given
/// again to [`Transaction::receive`] when a certConf must be protected.
#[derive(Debug)]
#[cfg_attr(test, derive(Clone))]
pub struct Transaction {
    kind: Kind,
    transaction_id: Vec<u8>,
    /// The senderNonce of our last message: the recipNonce the answer must carry.
    sender_nonce: Vec<u8>,
    sender: Name,
    recipient: Name,
    protection: Vec<u8>,
    requested_key: Option<SubjectPublicKeyInfoOwned>,
    state: State,
}

impl Transaction {
    /// Builds the first message of a transaction and returns it with the transaction.
    ///
    /// `sender` is the end entity's name for PBM (NULL-DN when `None`, RFC 9483 §3.1);
    /// with signature protection the sender is the protection certificate's subject and
    /// `sender` must be `None` or that name. `recipient` is the CA's name (NULL-DN when
    /// `None`). `transaction_id` must be random (RFC 9483 §3.1: 128 bits); `now` is the
    /// messageTime, unix seconds.
    pub fn start(
        request: &CmpRequest<'_>,
        protection: &Protection<'_>,
        sender: Option<&Name>,
        recipient: Option<&Name>,
        transaction_id: [u8; 16],
        nonces: Nonces,
        now: i64,
    ) -> Result<(Transaction, Vec<u8>), CmpError> {
        let (kind, body_type, body, requested_key, implicit_confirm) = match request {
            CmpRequest::Initialize(r) | CmpRequest::Certify(r) => {
                let (kind, body_type) = match request {
                    CmpRequest::Initialize(_) => (Kind::Initialize, BodyType::Ir),
                    _ => (Kind::Certify, BodyType::Cr),
                };
                let body = request::cert_req_messages(r, None)?;
                (kind, body_type, body, Some(r.public_key_der), r.implicit_confirm)
            }
            CmpRequest::Update { old_certificate_der, request: r } => {
                let old = parse_certificate(old_certificate_der, "the certificate to update")?;
                let body = request::cert_req_messages(r, Some(&old))?;
                (Kind::Update, BodyType::Kur, body, Some(r.public_key_der), r.implicit_confirm)
            }
            CmpRequest::Revoke { certificate_der, reason } => {
                let cert = parse_certificate(certificate_der, "the certificate to revoke")?;
                (Kind::Revoke, BodyType::Rr, request::rev_req_content(&cert, *reason)?, None, false)
            }
        };
        let requested_key = requested_key
            .map(|k| parse_spki(k, "requested"))
            .transpose()
            .map_err(|e| CmpError::InvalidRequest(e.to_string()))?;
        let sender = match (protection, sender) {
            (Protection::Signature { certificate_der, .. }, given) => {
                let cert = parse_certificate(certificate_der, "the protection certificate")?;
                let subject = cert.tbs_certificate().subject().clone();
                if given.is_some_and(|g| *g != subject) {
                    return Err(CmpError::InvalidRequest(
                        "with signature protection the sender must be the certificate's subject"
                            .into(),
                    ));
                }
                subject
            }
            (Protection::Pbm { .. }, given) => given.cloned().unwrap_or_default(),
        };
        let transaction = Transaction {
            kind,
            transaction_id: transaction_id.to_vec(),
            sender_nonce: nonces.sender_nonce.to_vec(),
            sender,
            recipient: recipient.cloned().unwrap_or_default(),
            protection: protection.fingerprint(),
            requested_key,
            state: State::AwaitingResponse,
        };
        let der = transaction.message(
            body_type,
            body,
            None,
            implicit_confirm,
            protection,
            &nonces,
            now,
        )?;
        Ok((transaction, der))
    }

    /// Feeds the DER of a response and returns the next step. Any error finishes the
    /// transaction: a rejection ([`CmpError::Rejected`]) as well as a response that is
    /// malformed, badly protected or foreign to this transaction.
    ///
    /// `protection` must be the one given to [`Transaction::start`] (it protects the
    /// certConf); `nonces` are used only when a certConf is sent; `now` (unix seconds) is
    /// its messageTime and the time at which a signer's certificates must be valid.
    pub fn receive(
        &mut self,
        response_der: &[u8],
        protection: &Protection<'_>,
        trust: &ResponseTrust<'_>,
        nonces: Nonces,
        now: i64,
    ) -> Result<Step, CmpError> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        if matches!(state, State::Finished) {
            return Err(CmpError::Finished);
        }
        if protection.fingerprint() != self.protection {
            return Err(CmpError::InvalidRequest(
                "the protection differs from the one the transaction started with".into(),
            ));
        }
        let msg = message::parse(response_der)?;
        if let Err(e) = protection::verify(&msg, trust, now) {
            return Err(match (e, msg.body_type) {
                (CmpError::Protection { reason, .. }, BodyType::Error) => CmpError::Protection {
                    reason,
                    unverified: response::unverified_error_text(&msg),
                },
                (e, _) => e,
            });
        }
        let server_nonce = self.check_header(&msg)?;
        if msg.body_type == BodyType::Error {
            return Err(response::error(&msg));
        }
        match state {
            State::AwaitingResponse => {
                self.expect(&msg, self.kind.response())?;
                if self.kind == Kind::Revoke {
                    response::rev_rep(&msg)?;
                    return Ok(Step::Done(Outcome::Revoked));
                }
                let issued = response::cert_rep(&msg)?;
                self.check_key(&issued.certificate_der)?;
                let certificate_der = issued.certificate_der;
                let body = request::cert_conf(&certificate_der)?;
                let outcome = Outcome::Certificate {
                    certificate_der,
                    ca_pubs: issued.ca_pubs,
                    extra_certs: msg.extra_certs(),
                };
                if msg.implicit_confirm() {
                    return Ok(Step::Done(outcome));
                }
                let der = self.message(
                    BodyType::CertConf,
                    body,
                    Some(&server_nonce),
                    false,
                    protection,
                    &nonces,
                    now,
                )?;
                self.sender_nonce = nonces.sender_nonce.to_vec();
                self.state = State::AwaitingPkiConf(outcome);
                Ok(Step::Send(der))
            }
            State::AwaitingPkiConf(outcome) => {
                self.expect(&msg, BodyType::PkiConf)?;
                response::pki_conf(&msg)?;
                Ok(Step::Done(outcome))
            }
            State::Finished => Err(CmpError::Finished),
        }
    }

    /// The transactionID, for logs.
    pub fn transaction_id(&self) -> &[u8] {
        &self.transaction_id
    }

    /// Whether the transaction is over (done or failed).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &self,
        body_type: BodyType,
        body: Vec<u8>,
        recip_nonce: Option<&[u8]>,
        implicit_confirm: bool,
        protection: &Protection<'_>,
        nonces: &Nonces,
        now: i64,
    ) -> Result<Vec<u8>, CmpError> {
        let out = Outgoing {
            body_type,
            body,
            sender: &self.sender,
            recipient: &self.recipient,
            transaction_id: &self.transaction_id,
            sender_nonce: &nonces.sender_nonce,
            recip_nonce,
            implicit_confirm,
            now,
        };
        message::build(&out, protection, &nonces.salt)
    }

    /// RFC 9483 §3.5 header checks; returns the response's senderNonce.
    fn check_header(&self, msg: &Incoming) -> Result<Vec<u8>, CmpError> {
        let h = &msg.header;
        if h.pvno != PVNO_CMP2000 && h.pvno != PVNO_CMP2021 {
            return Err(CmpError::Protocol(format!("unsupported pvno {}", h.pvno)));
        }
        if h.transaction_id.as_ref().map(|t| t.as_bytes()) != Some(self.transaction_id.as_slice()) {
            return Err(CmpError::Protocol("the response carries another transactionID".into()));
        }
        if h.recip_nonce.as_ref().map(|n| n.as_bytes()) != Some(self.sender_nonce.as_slice()) {
            return Err(CmpError::Protocol(
                "the response's recipNonce is not our senderNonce".into(),
            ));
        }
        match &h.sender_nonce {
            Some(n) if !n.as_bytes().is_empty() => Ok(n.as_bytes().to_vec()),
            _ => Err(CmpError::Protocol("the response has no senderNonce".into())),
        }
    }

    fn expect(&self, msg: &Incoming, expected: BodyType) -> Result<(), CmpError> {
        if msg.body_type == expected {
            Ok(())
        } else {
            Err(CmpError::Protocol(format!(
                "expected {}, got {}",
                expected.name(),
                msg.body_type.name()
            )))
        }
    }

    /// The certificate must be for the key we asked for (RFC 9483 §4.1.1: the EE checks
    /// the returned certificate before confirming it).
    fn check_key(&self, certificate_der: &[u8]) -> Result<(), CmpError> {
        let cert = Certificate::from_der(certificate_der)
            .map_err(|e| CmpError::Malformed(format!("the issued certificate: {e}")))?;
        match &self.requested_key {
            Some(k) if k != cert.tbs_certificate().subject_public_key_info() => {
                Err(CmpError::Protocol("the issued certificate is for another public key".into()))
            }
            _ => Ok(()),
        }
    }
}

fn parse_certificate(der: &[u8], what: &str) -> Result<Certificate, CmpError> {
    Certificate::from_der(der).map_err(|e| CmpError::InvalidRequest(format!("{what}: {e}")))
}
