//! CMS SignedData (RFC 5652) as Signet writes it, for time-stamp tokens (RFC 3161) and
//! CAdES signatures (ETSI EN 319 122-1): the signed attributes are built first, their DER
//! is hashed and signed by whoever holds the key (the SAM for a signer, the crypto module
//! for the TSA), and the SignedData is assembled around the signature.
//!
//! ```text
//! attrs     = SET { contentType, messageDigest = H(content), [signingTime], signingCertificateV2 }
//! signature = sign(H(DER(attrs) with the SET OF tag))           -- RFC 5652 §5.4
//! ContentInfo { id-signedData, SignedData { version, {H}, encapContentInfo { type, [content] },
//!                                           certificates, signerInfos { SignerInfo { v1, issuerAndSerial, … } } } }
//! ```

pub mod asn1;
mod signed_data;

pub use signed_data::{
    add_unsigned_attribute, add_validation_data, signature_value, signed_data, SignedAttributes,
    SignedDataParts, ID_DATA, ID_RI_OCSP_RESPONSE, ID_SIGNING_TIME,
};
