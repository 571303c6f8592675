//! B-LTA: the archive-time-stamp-v3 attribute (ETSI EN 319 122-1 §5.5.3) with its
//! ats-hash-index-v3 (§5.5.2); EN 319 122-2 §6.3 "CAdES-B-LTA". Sans I/O: the imprint is
//! computed here, the TSA is asked by the caller, the token is put in here.
//!
//! ```text
//! ATSHashIndexV3 = SEQUENCE { hashIndAlgorithm,                                  -- §5.5.2
//!                    { H(CertificateChoices)   for each in SignedData.certificates },
//!                    { H(RevocationInfoChoice) for each in SignedData.crls },
//!                    { H(attrType ‖ AttributeValue) for each value of each unsigned attribute } }
//! imprint = H( eContentType                                                     -- §5.5.3 1)
//!            ‖ H(content)          (the eContent, or the detached content)      -- §5.5.3 2)
//!            ‖ version ‖ sid ‖ digestAlgorithm ‖ [0] signedAttrs
//!              ‖ signatureAlgorithm ‖ signature   (the SignerInfo's fields)     -- §5.5.3 3)
//!            ‖ ATSHashIndexV3 )                                                 -- §5.5.3 4)
//! token.SignerInfo.unsignedAttrs    += ats-hash-index-v3 { ATSHashIndexV3 }
//! signature.SignerInfo.unsignedAttrs += archive-time-stamp-v3 { token }
//! ```
//!
//! Every element enters with its tag, length and value, as encoded ("in their binary
//! encoded form without any modification"). Each hash is made with the one algorithm of
//! the archive time-stamp's imprint (§5.5.2: hashIndAlgorithm "shall be the same as the
//! hash algorithm used for computing the archive time-stamp's message imprint"). A later
//! archive time-stamp (renewal) covers the earlier one: it is an unsigned attribute value.

use super::view::SignatureView;
use crate::AdesError;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use signet_crypto::digest::digest;
use signet_pki::algorithm_identifier::digest_algorithm_identifier;
use signet_pki::cms::asn1::{ContentInfo, SignedData, SignerInfo, ID_SIGNED_DATA};
use signet_types::HashAlgorithm;
use spki::AlgorithmIdentifierOwned;

/// `id-aa-ets-archiveTimestampV3` (EN 319 122-1 §5.5.3):
/// `{ itu-t(0) identified-organization(4) etsi(0) electronic-signature-standard(1733)
/// attributes(2) 4 }`.
pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");

/// `id-aa-ATSHashIndex-v3` (EN 319 122-1 §5.5.2):
/// `{ itu-t(0) identified-organization(4) etsi(0) cades(19122) attributes(1) 5 }`.
pub const ID_AA_ATS_HASH_INDEX_V3: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");

/// EN 319 122-1 §5.5.2. `hashIndAlgorithm` has no DEFAULT in the v3 syntax (the v1
/// `ATSHashIndex` of TS 101 733 had one): it is always written.
///
/// ```text
/// ATSHashIndexV3 ::= SEQUENCE {
///     hashIndAlgorithm             AlgorithmIdentifier,
///     certificatesHashIndex        SEQUENCE OF OCTET STRING,
///     crlsHashIndex                SEQUENCE OF OCTET STRING,
///     unsignedAttrValuesHashIndex  SEQUENCE OF OCTET STRING }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct AtsHashIndexV3 {
    hash_ind_algorithm: AlgorithmIdentifierOwned,
    certificates_hash_index: Vec<OctetString>,
    crls_hash_index: Vec<OctetString>,
    unsigned_attr_values_hash_index: Vec<OctetString>,
}

/// What an archive time-stamp must cover, and the ats-hash-index-v3 that goes into its
/// token: the result of [`archive_timestamp_imprint`], kept until the token is back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveImprint {
    hash: HashAlgorithm,
    digest: Vec<u8>,
    hash_index: Vec<u8>,
    /// H(eContentType ‖ signer fields): ties the imprint to its signature.
    signer: Vec<u8>,
}

impl ArchiveImprint {
    /// The hash algorithm of the imprint (ask the TSA with this one).
    pub fn hash(&self) -> HashAlgorithm {
        self.hash
    }

    /// The message imprint (`hashedMessage`) to time-stamp.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    /// The DER `ATSHashIndexV3` value the imprint covers.
    pub fn hash_index_der(&self) -> &[u8] {
        &self.hash_index
    }
}

/// Computes the archive-time-stamp-v3 imprint of a CAdES signature (EN 319 122-1 §5.5.3)
/// and its ats-hash-index-v3 (§5.5.2), with `hash`.
///
/// The content is the eContent of an enveloping signature, or `detached_content` for a
/// detached one (required then; for an enveloping signature a given content must be the
/// eContent). The validation data (B-LT) should be in the signature before: the index
/// covers what is there now. The signer's fields must be DER as they are, so that
/// [`add_archive_timestamp`] keeps every covered byte; SHA-1 is refused.
pub fn archive_timestamp_imprint(
    signature_der: &[u8],
    detached_content: Option<&[u8]>,
    hash: HashAlgorithm,
) -> Result<ArchiveImprint, AdesError> {
    if hash == HashAlgorithm::Sha1 {
        return Err(AdesError::InvalidRequest(
            "SHA-1 is not allowed for archive time-stamps (ETSI TS 119 312)".into(),
        ));
    }
    let view = SignatureView::parse(signature_der)?;
    let content = match (view.e_content, detached_content) {
        (Some(e_content), None) => e_content,
        (Some(e_content), Some(given)) if e_content == given => e_content,
        (Some(_), Some(_)) => {
            return Err(AdesError::InvalidRequest(
                "the content given is not the enveloping signature's eContent".into(),
            ))
        }
        (None, Some(given)) => given,
        (None, None) => {
            return Err(AdesError::InvalidRequest(
                "the archive time-stamp of a detached signature covers its content: give it".into(),
            ))
        }
    };
    imprint(&view, &digest(hash, content), hash)
}

/// [`archive_timestamp_imprint`] for a detached signature whose content is known only by
/// its digest with `hash` (a service that signed a document by its digest: §5.5.3 2)
/// needs only H(content)).
pub fn archive_timestamp_imprint_for_digest(
    signature_der: &[u8],
    content_digest: &[u8],
    hash: HashAlgorithm,
) -> Result<ArchiveImprint, AdesError> {
    if hash == HashAlgorithm::Sha1 || content_digest.len() != hash.output_len() {
        return Err(AdesError::InvalidRequest(format!(
            "an archive time-stamp needs a {hash} content digest (SHA-1 is not allowed)"
        )));
    }
    let view = SignatureView::parse(signature_der)?;
    if view.e_content.is_some() {
        return Err(AdesError::InvalidRequest(
            "an enveloping signature's archive time-stamp covers its eContent".into(),
        ));
    }
    imprint(&view, content_digest, hash)
}

fn imprint(
    view: &SignatureView<'_>,
    content_hash: &[u8],
    hash: HashAlgorithm,
) -> Result<ArchiveImprint, AdesError> {
    signer_survives_reencoding(view)?;
    let hash_index = hash_index(view, hash)?;
    let mut input = view.e_content_type_der.to_vec();
    input.extend_from_slice(content_hash);
    view.signer.signed_fields.iter().for_each(|f| input.extend_from_slice(f));
    input.extend_from_slice(&hash_index);
    Ok(ArchiveImprint {
        hash,
        digest: digest(hash, &input),
        hash_index,
        signer: signer_digest(view, hash),
    })
}

/// Makes a B-LT (or B-LTA) signature B-LTA (EN 319 122-2 §6.3 "CAdES-B-LTA"): the
/// ats-hash-index-v3 of `imprint` becomes an unsigned attribute of the token's SignerInfo
/// (EN 319 122-1 §5.5.3), and the token becomes the archive-time-stamp-v3 unsigned
/// attribute of the signature's SignerInfo. The imprint's hash algorithm is added to
/// `digestAlgorithms` when missing (§5.5.3 recommends it).
///
/// `token_der` is the DER `TimeStampToken` over [`ArchiveImprint::digest`]; a token over
/// another imprint, or a signature that is not (or no longer) the one the imprint was
/// computed for, is refused.
pub fn add_archive_timestamp(
    signature_der: &[u8],
    token_der: &[u8],
    imprint: &ArchiveImprint,
) -> Result<Vec<u8>, AdesError> {
    let info = signet_pki::tsp::parse_token_info(token_der)?;
    if info.hash != imprint.hash || info.message_imprint != imprint.digest {
        return Err(AdesError::InvalidRequest(
            "the time-stamp token does not cover this archive imprint".into(),
        ));
    }
    let view = SignatureView::parse(signature_der)?;
    if hash_index(&view, imprint.hash)? != imprint.hash_index
        || signer_digest(&view, imprint.hash) != imprint.signer
    {
        return Err(AdesError::InvalidRequest(
            "the signature is not the one the archive imprint was computed for, or it changed since"
                .into(),
        ));
    }
    let token_view = SignatureView::parse(token_der)?;
    if token_view.signer.unsigned_attrs.iter().any(|a| a.oid == ID_AA_ATS_HASH_INDEX_V3) {
        return Err(AdesError::InvalidRequest(
            "the time-stamp token already carries an ats-hash-index-v3".into(),
        ));
    }
    // The token's signer is re-encoded too: its signed attributes must come back as signed.
    signer_survives_reencoding(&token_view)?;
    let token = signet_pki::cms::add_unsigned_attribute(
        token_der,
        ID_AA_ATS_HASH_INDEX_V3,
        &imprint.hash_index,
    )?;
    let signed = signet_pki::cms::add_unsigned_attribute(
        signature_der,
        ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
        &token,
    )?;
    let signed = with_digest_algorithm(&signed, imprint.hash)?;
    if signer_digest(&SignatureView::parse(&signed)?, imprint.hash) != imprint.signer {
        return Err(AdesError::InvalidSignature(
            "adding the archive time-stamp changed bytes it covers".into(),
        ));
    }
    Ok(signed)
}

/// The DER `ATSHashIndexV3` of the signature as it is now (§5.5.2): every
/// CertificateChoices, every RevocationInfoChoice, and every value of every unsigned
/// attribute (its attrType's encoding followed by the value's), in their order.
fn hash_index(view: &SignatureView<'_>, hash: HashAlgorithm) -> Result<Vec<u8>, AdesError> {
    let h =
        |bytes: &[u8]| OctetString::new(digest(hash, bytes)).map_err(AdesError::encoding("hash"));
    let hashes = |elements: &[&[u8]]| elements.iter().map(|e| h(e)).collect::<Result<Vec<_>, _>>();
    let mut values = Vec::new();
    for attr in &view.signer.unsigned_attrs {
        for value in &attr.values {
            values.push(h(&[attr.attr_type, value].concat())?);
        }
    }
    AtsHashIndexV3 {
        hash_ind_algorithm: digest_algorithm_identifier(hash),
        certificates_hash_index: hashes(&view.certificates)?,
        crls_hash_index: hashes(&view.crls)?,
        unsigned_attr_values_hash_index: values,
    }
    .to_der()
    .map_err(AdesError::encoding("ATSHashIndexV3"))
}

fn signer_digest(view: &SignatureView<'_>, hash: HashAlgorithm) -> Vec<u8> {
    let mut bytes = view.e_content_type_der.to_vec();
    view.signer.signed_fields.iter().for_each(|f| bytes.extend_from_slice(f));
    digest(hash, &bytes)
}

/// Adding an unsigned attribute re-encodes the SignerInfo; refuses a signer whose covered
/// fields would not come back byte for byte (not DER, or a subjectKeyIdentifier signer,
/// which Signet does not augment).
fn signer_survives_reencoding(view: &SignatureView<'_>) -> Result<(), AdesError> {
    let si = SignerInfo::from_der(view.signer.der)
        .map_err(|e| AdesError::invalid("the signer cannot be augmented", e))?;
    let enc = AdesError::encoding("SignerInfo");
    let mut again = vec![si.version.to_der(), si.sid.to_der(), si.digest_algorithm.to_der()];
    if let Some(attrs) = &si.signed_attrs {
        // [0] IMPLICIT SET OF: the SET's encoding under the context tag.
        again.push(attrs.to_der().map(|mut d| {
            if let Some(tag) = d.first_mut() {
                *tag = 0xA0;
            }
            d
        }));
    }
    again.extend([si.signature_algorithm.to_der(), si.signature.to_der()]);
    let again = again.into_iter().collect::<Result<Vec<_>, _>>().map_err(enc)?;
    if !again.iter().map(Vec::as_slice).eq(view.signer.signed_fields.iter().copied()) {
        return Err(AdesError::InvalidSignature(
            "the SignerInfo is not DER: adding an attribute would change bytes the archive time-stamp covers"
                .into(),
        ));
    }
    Ok(())
}

/// Adds `hash` to `SignedData.digestAlgorithms` when no identifier of it is there.
fn with_digest_algorithm(content_info: &[u8], hash: HashAlgorithm) -> Result<Vec<u8>, AdesError> {
    let ci =
        ContentInfo::from_der(content_info).map_err(|e| AdesError::invalid("ContentInfo", e))?;
    let mut sd: SignedData =
        ci.content.decode_as().map_err(|e| AdesError::invalid("SignedData", e))?;
    if sd.digest_algorithms.iter().any(|a| a.oid == hash.oid()) {
        return Ok(content_info.to_vec());
    }
    sd.digest_algorithms
        .insert(digest_algorithm_identifier(hash))
        .map_err(AdesError::encoding("digestAlgorithms"))?;
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: der::asn1::Any::encode_from(&sd).map_err(AdesError::encoding("SignedData"))?,
    }
    .to_der()
    .map_err(AdesError::encoding("ContentInfo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One DER element (definite length, minimal form).
    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let value = parts.concat();
        let len = value.len().to_be_bytes();
        let len: Vec<u8> = len.iter().copied().skip_while(|b| *b == 0).collect();
        let mut out = vec![tag];
        match len.as_slice() {
            [] => out.push(0),
            [n] if *n < 0x80 => out.push(*n),
            long => out.extend([&[0x80 | long.len() as u8][..], long].concat()),
        }
        out.extend(value);
        out
    }

    fn oid(s: &str) -> Vec<u8> {
        ObjectIdentifier::new_unwrap(s).to_der().unwrap_or_default()
    }

    /// A signature with one certificate, one OCSP response, the content "hello" and an
    /// unsigned attribute 1.2.3.4 with the values 5 and 6: (DER, the signer's fields).
    fn signature(signed_attrs: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
        let sha256 = oid("2.16.840.1.101.3.4.2.1");
        let fields: Vec<Vec<u8>> = vec![
            vec![0x02, 0x01, 0x01],
            tlv(0x30, &[&tlv(0x30, &[]), &[0x02, 0x01, 0x01]]), // issuer {}, serial 1
            tlv(0x30, &[&sha256]),
            signed_attrs.to_vec(),
            tlv(0x30, &[&oid("1.2.840.10045.4.3.2")]),
            tlv(0x04, &[b"sig"]),
        ];
        let values = tlv(0x31, &[&[0x02, 0x01, 0x05], &[0x02, 0x01, 0x06]]);
        let unsigned = tlv(0xA1, &[&tlv(0x30, &[&oid("1.2.3.4"), &values])]);
        let signed_data = tlv(
            0x30,
            &[
                &[0x02, 0x01, 0x01],
                &tlv(0x31, &[&tlv(0x30, &[&sha256])]),
                &tlv(0x30, &[&oid("1.2.840.113549.1.7.1"), &tlv(0xA0, &[&tlv(0x04, &[b"hello"])])]),
                &tlv(0xA0, &[&tlv(0x30, &[&[0x05, 0x00]])]),
                &tlv(0xA1, &[&tlv(0xA1, &[&oid("1.3.6.1.5.5.7.16.2"), &[0x05, 0x00]])]),
                &tlv(0x31, &[&tlv(0x30, &[&fields.concat(), &unsigned])]),
            ],
        );
        (tlv(0x30, &[&oid("1.2.840.113549.1.7.2"), &tlv(0xA0, &[&signed_data])]), fields)
    }

    fn attribute(oid_text: &str, value: &[u8]) -> Vec<u8> {
        tlv(0x30, &[&oid(oid_text), &tlv(0x31, &[value])])
    }

    #[test]
    fn the_index_and_the_imprint_take_the_elements_as_encoded() -> Result<(), AdesError> {
        let data = oid("1.2.840.113549.1.7.1");
        let (der, fields) = signature(&tlv(0xA0, &[&attribute("1.2.840.113549.1.9.3", &data)]));
        let view = SignatureView::parse(&der)?;
        assert_eq!(view.e_content, Some(&b"hello"[..]));
        assert_eq!(view.signer.signed_fields, fields.iter().map(Vec::as_slice).collect::<Vec<_>>());

        let h = |b: &[u8]| tlv(0x04, &[&digest(HashAlgorithm::Sha256, b)]);
        let attr_type = oid("1.2.3.4");
        let expected = tlv(
            0x30,
            &[
                &tlv(0x30, &[&oid("2.16.840.1.101.3.4.2.1")]), // written although SHA-256
                &tlv(0x30, &[&h(&tlv(0x30, &[&[0x05, 0x00]]))]),
                &tlv(0x30, &[&h(&tlv(0xA1, &[&oid("1.3.6.1.5.5.7.16.2"), &[0x05, 0x00]]))]),
                &tlv(
                    0x30,
                    &[
                        &h(&[&attr_type[..], &[0x02, 0x01, 0x05]].concat()),
                        &h(&[&attr_type[..], &[0x02, 0x01, 0x06]].concat()),
                    ],
                ),
            ],
        );
        assert_eq!(hash_index(&view, HashAlgorithm::Sha256)?, expected);

        let imprint = archive_timestamp_imprint(&der, None, HashAlgorithm::Sha256)?;
        let input =
            [&data[..], &digest(HashAlgorithm::Sha256, b"hello"), &fields.concat(), &expected];
        assert_eq!(imprint.digest(), digest(HashAlgorithm::Sha256, &input.concat()));
        assert_eq!(imprint.hash_index_der(), expected);
        Ok(())
    }

    #[test]
    fn a_signer_that_re_encoding_would_change_is_refused() {
        // SET OF not in DER order: adding an attribute would sort it, changing covered bytes.
        let one = [0x02, 0x01, 0x01];
        let unsorted = tlv(0xA0, &[&attribute("1.2.3.5", &one), &attribute("1.2.3.4", &one)]);
        let (der, _) = signature(&unsorted);
        assert!(matches!(
            archive_timestamp_imprint(&der, None, HashAlgorithm::Sha256),
            Err(AdesError::InvalidSignature(_))
        ));
        let sorted = tlv(0xA0, &[&attribute("1.2.3.4", &one), &attribute("1.2.3.5", &one)]);
        assert!(
            archive_timestamp_imprint(&signature(&sorted).0, None, HashAlgorithm::Sha256).is_ok()
        );
    }
}
