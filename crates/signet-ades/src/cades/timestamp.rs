//! B-T: the signature time-stamp (ETSI EN 319 122-1 §5.3, EN 319 122-2 §6.3 "CAdES-B-T").

use crate::AdesError;
use const_oid::ObjectIdentifier;
use signet_types::HashAlgorithm;

/// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A; EN 319 122-1 §5.3).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// The message imprint a signature time-stamp must cover (B-T, EN 319 122-1 §5.3): the
/// hash of the signer's signature value (the contents of the `signature` OCTET STRING,
/// RFC 3161 Appendix A).
pub fn signature_timestamp_imprint(
    signature: &[u8],
    hash: HashAlgorithm,
) -> Result<Vec<u8>, AdesError> {
    let value = signet_pki::cms::signature_value(signature)?;
    Ok(signet_crypto::digest::digest(hash, &value))
}

/// Makes a B-B signature a B-T one (EN 319 122-2 §6.3 "CAdES-B-T"): the time-stamp token
/// (a DER `TimeStampToken` over [`signature_timestamp_imprint`]) becomes the unsigned
/// attribute signature-time-stamp. Signed content and attributes are left untouched.
pub fn add_signature_timestamp(signature: &[u8], token: &[u8]) -> Result<Vec<u8>, AdesError> {
    Ok(signet_pki::cms::add_unsigned_attribute(signature, ID_AA_SIGNATURE_TIME_STAMP_TOKEN, token)?)
}
