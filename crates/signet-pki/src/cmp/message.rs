//! One `PKIMessage` (RFC 9810 §5.1) written and read: the header of RFC 9483 §3.1, the
//! body in its `[n]` EXPLICIT tag, protection and extraCerts.
//!
//! ```text
//! header = { pvno 2, sender, recipient, messageTime, protectionAlg, senderKID,
//!            transactionID, senderNonce, recipNonce?, generalInfo { implicitConfirm }? }
//! message = { header, body, protection(DER(ProtectedPart { header, body })), extraCerts }
//! ```

use super::asn1::{
    BodyType, InfoTypeAndValue, PkiHeader, PkiMessage, ProtectedPart, ID_IT_IMPLICIT_CONFIRM,
    PVNO_CMP2000,
};
use super::protection::Protection;
use super::CmpError;
use der::asn1::{Any, BitString, GeneralizedTime, Null, OctetString};
use der::{Decode, Encode, Tag, TagNumber, Tagged};
use std::time::Duration;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

/// Everything of an outgoing message but its protection.
pub(crate) struct Outgoing<'a> {
    pub body_type: BodyType,
    /// DER of the body's content (e.g. `CertReqMessages`).
    pub body: Vec<u8>,
    pub sender: &'a Name,
    pub recipient: &'a Name,
    pub transaction_id: &'a [u8],
    pub sender_nonce: &'a [u8],
    pub recip_nonce: Option<&'a [u8]>,
    /// Ask for implicit confirmation (RFC 9483 §4.1.1, generalInfo implicitConfirm).
    pub implicit_confirm: bool,
    /// messageTime, unix seconds.
    pub now: i64,
}

/// Writes and protects a message; `salt` is this message's PBM salt.
pub(crate) fn build(
    out: &Outgoing<'_>,
    protection: &Protection<'_>,
    salt: &[u8],
) -> Result<Vec<u8>, CmpError> {
    let p = protection.header(salt)?;
    let sender = p.sender.as_ref().unwrap_or(out.sender);
    let header = PkiHeader {
        pvno: PVNO_CMP2000,
        sender: GeneralName::DirectoryName(sender.clone()),
        recipient: GeneralName::DirectoryName(out.recipient.clone()),
        message_time: Some(generalized_time(out.now)?),
        protection_alg: Some(p.protection_alg.clone()),
        sender_kid: p.sender_kid,
        recip_kid: None,
        transaction_id: Some(octets(out.transaction_id)?),
        sender_nonce: Some(octets(out.sender_nonce)?),
        recip_nonce: out.recip_nonce.map(octets).transpose()?,
        free_text: None,
        general_info: out.implicit_confirm.then(|| {
            vec![InfoTypeAndValue {
                info_type: ID_IT_IMPLICIT_CONFIRM,
                info_value: Some(Any::from(Null)),
            }]
        }),
    };
    let header = Any::encode_from(&header).map_err(CmpError::encoding("PKIHeader"))?;
    let body = Any::new(context_tag(out.body_type as u32), out.body.clone())
        .map_err(CmpError::encoding("PKIBody"))?;
    let part = ProtectedPart { header, body };
    let part_der = part.to_der().map_err(CmpError::encoding("ProtectedPart"))?;
    let protection_value = protection.protect(&p.protection_alg, &part_der)?;
    let message = PkiMessage {
        header: part.header,
        body: part.body,
        protection: Some(
            BitString::from_bytes(&protection_value)
                .map_err(CmpError::encoding("PKIProtection"))?,
        ),
        extra_certs: p.extra_certs,
    };
    message.to_der().map_err(CmpError::encoding("PKIMessage"))
}

/// A received message, its header and body type read.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub message: PkiMessage,
    pub header: PkiHeader,
    pub body_type: BodyType,
}

impl Incoming {
    /// DER of `ProtectedPart`, from the header and body exactly as received.
    pub(crate) fn protected_part(&self) -> Result<Vec<u8>, CmpError> {
        ProtectedPart { header: self.message.header.clone(), body: self.message.body.clone() }
            .to_der()
            .map_err(CmpError::malformed("ProtectedPart"))
    }

    /// Decodes the body's content as `T` (it must fill the explicit tag exactly).
    pub(crate) fn body<'a, T: Decode<'a, Error = der::Error>>(&'a self) -> Result<T, CmpError> {
        T::from_der(self.message.body.value())
            .map_err(|e| CmpError::Malformed(format!("{} body: {e}", self.body_type.name())))
    }

    /// Whether the header's generalInfo carries implicitConfirm (RFC 9810 §5.1.1.1).
    pub(crate) fn implicit_confirm(&self) -> bool {
        self.header.general_info.iter().flatten().any(|i| i.info_type == ID_IT_IMPLICIT_CONFIRM)
    }

    /// The extraCerts, as DER.
    pub(crate) fn extra_certs(&self) -> Vec<Vec<u8>> {
        self.message.extra_certs.iter().flatten().filter_map(|c| c.to_der().ok()).collect()
    }
}

/// Reads a DER `PKIMessage`.
pub(crate) fn parse(der: &[u8]) -> Result<Incoming, CmpError> {
    let message = PkiMessage::from_der(der).map_err(CmpError::malformed("PKIMessage"))?;
    let header: PkiHeader = message.header.decode_as().map_err(CmpError::malformed("PKIHeader"))?;
    let body_type = match message.body.tag() {
        Tag::ContextSpecific { constructed: true, number } => {
            BodyType::from_tag_number(number.0)
                .ok_or_else(|| CmpError::Protocol(format!("unexpected PKIBody [{}]", number.0)))?
        }
        other => return Err(CmpError::Malformed(format!("PKIBody has tag {other}"))),
    };
    Ok(Incoming { message, header, body_type })
}

fn context_tag(number: u32) -> Tag {
    Tag::ContextSpecific { constructed: true, number: TagNumber(number) }
}

fn octets(bytes: &[u8]) -> Result<OctetString, CmpError> {
    OctetString::new(bytes).map_err(CmpError::encoding("OCTET STRING"))
}

/// messageTime is a GeneralizedTime in Zulu with whole seconds (RFC 9810 §5.1.1).
fn generalized_time(unix_seconds: i64) -> Result<GeneralizedTime, CmpError> {
    let out = || CmpError::InvalidRequest(format!("time {unix_seconds} is out of range"));
    let secs = u64::try_from(unix_seconds).map_err(|_| out())?;
    GeneralizedTime::from_unix_duration(Duration::from_secs(secs)).map_err(|_| out())
}
