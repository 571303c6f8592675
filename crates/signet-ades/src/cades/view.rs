//! A read-only view of a CMS signature (RFC 5652 §3 ContentInfo, §5 SignedData) that
//! keeps every element exactly as it was encoded: what an archive time-stamp hashes (ETSI
//! EN 319 122-1 §5.5.2 and §5.5.3 take fields "in their binary encoded form without any
//! modification and including the tag, length and value octets") and what
//! [`super::inspect`] reports. DER is required (definite lengths, primitive OCTET
//! STRINGs); nothing here re-encodes.
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
//! SignedData  ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE {
//!                   eContentType, eContent [0] EXPLICIT OCTET STRING OPTIONAL },
//!                   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL,
//!                   signerInfos SET OF SignerInfo }
//! SignerInfo  ::= SEQUENCE { version, sid (SEQUENCE | [0] IMPLICIT OCTET STRING),
//!                   digestAlgorithm, signedAttrs [0] IMPLICIT OPTIONAL,
//!                   signatureAlgorithm, signature OCTET STRING,
//!                   unsignedAttrs [1] IMPLICIT OPTIONAL }
//! ```

use crate::AdesError;
use const_oid::ObjectIdentifier;
use der::asn1::AnyRef;
use der::{Decode, Reader, SliceReader};
use signet_pki::cms::asn1::ID_SIGNED_DATA;

const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
pub(super) const OID: u8 = 0x06;
pub(super) const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
/// `[0]` constructed: an EXPLICIT wrapper or an IMPLICIT SET OF.
const CONTEXT_0: u8 = 0xA0;
/// `[1]` constructed.
pub(super) const CONTEXT_1: u8 = 0xA1;
/// `[0]` primitive: `SignerIdentifier.subjectKeyIdentifier [0] IMPLICIT OCTET STRING`.
pub(super) const SID_KEY_ID: u8 = 0x80;

/// One `Attribute` (RFC 5652 §5.3): its type and each value, as encoded.
#[derive(Debug)]
pub(super) struct AttributeView<'a> {
    /// `attrType`.
    pub oid: ObjectIdentifier,
    /// The DER of `attrType` (tag, length, value).
    pub attr_type: &'a [u8],
    /// Each `AttributeValue` of `attrValues` (tag, length, value).
    pub values: Vec<&'a [u8]>,
}

/// The only `SignerInfo` of a SignedData.
#[derive(Debug)]
pub(super) struct SignerView<'a> {
    /// The whole SignerInfo.
    pub der: &'a [u8],
    /// version, sid, digestAlgorithm, signedAttrs (when present, with its `[0]` tag),
    /// signatureAlgorithm and signature, in their order (EN 319 122-1 §5.5.3 item 3).
    pub signed_fields: Vec<&'a [u8]>,
    /// `sid`: an IssuerAndSerialNumber SEQUENCE or a `[0]` subjectKeyIdentifier.
    pub sid: &'a [u8],
    /// `digestAlgorithm`.
    pub digest_algorithm: &'a [u8],
    /// `signatureAlgorithm`.
    pub signature_algorithm: &'a [u8],
    /// The contents of `signature`.
    pub signature: &'a [u8],
    /// `signedAttrs` (empty when absent).
    pub signed_attrs: Vec<AttributeView<'a>>,
    /// `unsignedAttrs` (empty when absent).
    pub unsigned_attrs: Vec<AttributeView<'a>>,
}

/// A SignedData with exactly one signer.
#[derive(Debug)]
pub(super) struct SignatureView<'a> {
    /// `eContentType`.
    pub e_content_type: ObjectIdentifier,
    /// The DER of `eContentType` (EN 319 122-1 §5.5.3 item 1).
    pub e_content_type_der: &'a [u8],
    /// The contents of `eContent` (enveloping); `None`: detached.
    pub e_content: Option<&'a [u8]>,
    /// Each `CertificateChoices` of `certificates`.
    pub certificates: Vec<&'a [u8]>,
    /// Each `RevocationInfoChoice` of `crls`.
    pub crls: Vec<&'a [u8]>,
    /// The signer.
    pub signer: SignerView<'a>,
}

impl<'a> SignatureView<'a> {
    /// Reads a DER `ContentInfo` holding a SignedData with exactly one SignerInfo.
    pub fn parse(content_info: &'a [u8]) -> Result<Self, AdesError> {
        let mut ci = Fields::of(content_info, SEQUENCE, "ContentInfo")?;
        let content_type = oid(ci.next(OID, "ContentInfo.contentType")?)?;
        if content_type != ID_SIGNED_DATA {
            return Err(AdesError::InvalidSignature(format!(
                "the ContentInfo holds {content_type}, not a SignedData (id-signedData)"
            )));
        }
        let mut wrapper = Fields::of(
            ci.next(CONTEXT_0, "ContentInfo.content")?,
            CONTEXT_0,
            "ContentInfo.content",
        )?;
        ci.end("ContentInfo")?;
        let mut sd = Fields::of(wrapper.next(SEQUENCE, "SignedData")?, SEQUENCE, "SignedData")?;
        wrapper.end("ContentInfo.content")?;

        sd.next(INTEGER, "SignedData.version")?;
        sd.next(SET, "SignedData.digestAlgorithms")?;
        let mut encap =
            Fields::of(sd.next(SEQUENCE, "encapContentInfo")?, SEQUENCE, "encapContentInfo")?;
        let e_content_type_der = encap.next(OID, "eContentType")?;
        let e_content = match encap.optional(CONTEXT_0) {
            Some(wrapped) => {
                let mut inner = Fields::of(wrapped, CONTEXT_0, "eContent")?;
                let octets = inner.next(OCTET_STRING, "eContent (a primitive OCTET STRING)")?;
                inner.end("eContent")?;
                Some(contents(octets)?)
            }
            None => None,
        };
        encap.end("encapContentInfo")?;
        let certificates = match sd.optional(CONTEXT_0) {
            Some(set) => Fields::of(set, CONTEXT_0, "certificates")?.items,
            None => Vec::new(),
        };
        let crls = match sd.optional(CONTEXT_1) {
            Some(set) => Fields::of(set, CONTEXT_1, "crls")?.items,
            None => Vec::new(),
        };
        let signer_infos = Fields::of(sd.next(SET, "signerInfos")?, SET, "signerInfos")?.items;
        sd.end("SignedData")?;
        let signer = match signer_infos.as_slice() {
            [one] => SignerView::parse(one)?,
            [] => {
                return Err(AdesError::InvalidSignature("the SignedData has no SignerInfo".into()))
            }
            more => {
                return Err(AdesError::InvalidSignature(format!(
                    "the SignedData has {} SignerInfos; exactly one is supported",
                    more.len()
                )))
            }
        };
        Ok(Self {
            e_content_type: oid(e_content_type_der)?,
            e_content_type_der,
            e_content,
            certificates,
            crls,
            signer,
        })
    }
}

impl<'a> SignerView<'a> {
    fn parse(signer_info: &'a [u8]) -> Result<Self, AdesError> {
        let mut f = Fields::of(signer_info, SEQUENCE, "SignerInfo")?;
        let version = f.next(INTEGER, "SignerInfo.version")?;
        let sid = match f.optional(SEQUENCE).or_else(|| f.optional(SID_KEY_ID)) {
            Some(sid) => sid,
            None => return Err(AdesError::InvalidSignature("SignerInfo.sid is missing".into())),
        };
        let digest_algorithm = f.next(SEQUENCE, "SignerInfo.digestAlgorithm")?;
        let signed = f.optional(CONTEXT_0);
        let signature_algorithm = f.next(SEQUENCE, "SignerInfo.signatureAlgorithm")?;
        let signature = f.next(OCTET_STRING, "SignerInfo.signature")?;
        let unsigned = f.optional(CONTEXT_1);
        f.end("SignerInfo")?;
        let mut signed_fields = vec![version, sid, digest_algorithm];
        signed_fields.extend(signed);
        signed_fields.extend([signature_algorithm, signature]);
        Ok(Self {
            der: signer_info,
            signed_fields,
            sid,
            digest_algorithm,
            signature_algorithm,
            signature: contents(signature)?,
            signed_attrs: signed.map(attributes).transpose()?.unwrap_or_default(),
            unsigned_attrs: unsigned.map(attributes).transpose()?.unwrap_or_default(),
        })
    }
}

/// `SET OF Attribute` (under any tag): `Attribute ::= SEQUENCE { attrType, attrValues SET }`.
fn attributes(set: &[u8]) -> Result<Vec<AttributeView<'_>>, AdesError> {
    let tag = set.first().copied().unwrap_or_default();
    Fields::of(set, tag, "attributes")?
        .items
        .into_iter()
        .map(|attr| {
            let mut f = Fields::of(attr, SEQUENCE, "Attribute")?;
            let attr_type = f.next(OID, "Attribute.attrType")?;
            let values = Fields::of(f.next(SET, "Attribute.attrValues")?, SET, "attrValues")?.items;
            f.end("Attribute")?;
            Ok(AttributeView { oid: oid(attr_type)?, attr_type, values })
        })
        .collect()
}

/// The contents octets of one DER element.
pub(super) fn contents(tlv: &[u8]) -> Result<&[u8], AdesError> {
    Ok(AnyRef::from_der(tlv).map_err(|e| AdesError::invalid("DER element", e))?.value())
}

/// An OBJECT IDENTIFIER element.
pub(super) fn oid(tlv: &[u8]) -> Result<ObjectIdentifier, AdesError> {
    ObjectIdentifier::from_der(tlv).map_err(|e| AdesError::invalid("OBJECT IDENTIFIER", e))
}

/// The elements inside one constructed DER element, read in order.
pub(super) struct Fields<'a> {
    /// Each inner element (tag, length, value).
    pub items: Vec<&'a [u8]>,
    pos: usize,
}

impl<'a> Fields<'a> {
    /// Splits `tlv`, which must carry the tag `tag`, into its elements.
    pub fn of(tlv: &'a [u8], tag: u8, what: &str) -> Result<Self, AdesError> {
        if tlv.first() != Some(&tag) {
            return Err(AdesError::InvalidSignature(format!("{what}: unexpected tag")));
        }
        let mut reader =
            SliceReader::new(contents(tlv)?).map_err(|e| AdesError::invalid(what, e))?;
        let mut items = Vec::new();
        while !reader.is_finished() {
            items.push(reader.tlv_bytes().map_err(|e| AdesError::invalid(what, e))?);
        }
        Ok(Self { items, pos: 0 })
    }

    /// The next element if it carries `tag`.
    pub fn optional(&mut self, tag: u8) -> Option<&'a [u8]> {
        let item = self.items.get(self.pos).filter(|i| i.first() == Some(&tag))?;
        self.pos += 1;
        Some(item)
    }

    /// The next element, which must carry `tag`.
    pub fn next(&mut self, tag: u8, what: &str) -> Result<&'a [u8], AdesError> {
        self.optional(tag)
            .ok_or_else(|| AdesError::InvalidSignature(format!("{what} is missing or malformed")))
    }

    /// Refuses trailing elements.
    pub fn end(&self, what: &str) -> Result<(), AdesError> {
        if self.pos == self.items.len() {
            Ok(())
        } else {
            Err(AdesError::InvalidSignature(format!("{what} has unexpected trailing fields")))
        }
    }
}
