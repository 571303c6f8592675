//! B-LT: validation data inside the signature (ETSI EN 319 122-1 §5.5, EN 319 122-2 §6.3
//! "CAdES-B-LT").

use crate::AdesError;

/// Makes a B-T signature a B-LT one (EN 319 122-1 §5.5, EN 319 122-2 §6.3 "CAdES-B-LT"):
/// the certificates of the signer's and the time-stamps' chains go into
/// `SignedData.certificates`, their CRLs and OCSP responses into `SignedData.crls` (OCSP
/// as `id-ri-ocsp-response`, RFC 5940). The signature and its attributes are untouched.
///
/// Before an archive time-stamp is renewed ([`super::add_archive_timestamp`] again), the
/// validation data of the previous archive time-stamp's TSA is added the same way: the
/// next archive time-stamp then covers it.
pub fn add_validation_data(
    signature: &[u8],
    certificates: &[Vec<u8>],
    crls: &[Vec<u8>],
    ocsp_responses: &[Vec<u8>],
) -> Result<Vec<u8>, AdesError> {
    Ok(signet_pki::cms::add_validation_data(signature, certificates, crls, ocsp_responses)?)
}
