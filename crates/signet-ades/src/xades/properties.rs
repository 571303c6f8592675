//! The signed qualifying properties of a XAdES B-B signature (ETSI EN 319 132-1 §4.3,
//! §5.2; namespace `http://uri.etsi.org/01903/v1.3.2#`), in the order of the schema:
//!
//! ```text
//! QualifyingProperties Target="#sig"
//!   SignedProperties Id="sig-signedprops"
//!     SignedSignatureProperties
//!       SigningTime                 §5.2.1   the claimed time of signing (UTC)
//!       SigningCertificateV2        §5.2.2   SHA-256 of the signer's certificate + IssuerSerialV2
//!       SignaturePolicyIdentifier   §5.2.9   optional: the policy's id and digest
//!       SignerRoleV2                §5.2.6   optional: claimed roles
//!     SignedDataObjectProperties
//!       DataObjectFormat            §5.2.4   the MIME type of each signed data object
//!       CommitmentTypeIndication    §5.2.3   optional: why the signer signs
//! ```

use super::{SignaturePolicy, XADES};
use crate::xml::escape;
use crate::AdesError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use der::{Decode, Encode};
use signet_pki::cms::asn1::IssuerSerial;
use signet_types::HashAlgorithm;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::Certificate;

/// The commitment types of EN 319 132-1 §5.2.3 (the `v1.2.2#` URIs of TS 101 903),
/// by the API's names.
const COMMITMENTS: [(&str, &str); 6] = [
    ("proof-of-origin", "http://uri.etsi.org/01903/v1.2.2#ProofOfOrigin"),
    ("proof-of-receipt", "http://uri.etsi.org/01903/v1.2.2#ProofOfReceipt"),
    ("proof-of-delivery", "http://uri.etsi.org/01903/v1.2.2#ProofOfDelivery"),
    ("proof-of-sender", "http://uri.etsi.org/01903/v1.2.2#ProofOfSender"),
    ("proof-of-approval", "http://uri.etsi.org/01903/v1.2.2#ProofOfApproval"),
    ("proof-of-creation", "http://uri.etsi.org/01903/v1.2.2#ProofOfCreation"),
];

/// The identifier of a commitment type: one of the six names, or a URI (`urn:oid:…`).
pub fn commitment_uri(name: &str) -> Result<String, AdesError> {
    if let Some((_, uri)) = COMMITMENTS.iter().find(|(n, u)| *n == name || *u == name) {
        return Ok((*uri).to_string());
    }
    if name.contains(':') && !name.chars().any(char::is_whitespace) && name.len() <= 1024 {
        return Ok(name.to_string());
    }
    Err(AdesError::InvalidRequest(format!(
        "commitment type: one of {} or a URI",
        COMMITMENTS.map(|(n, _)| n).join(", ")
    )))
}

/// What goes into the signed properties.
pub(crate) struct SignedProperties<'a> {
    pub signature_id: &'a str,
    pub signing_time: i64,
    pub signer_certificate: &'a [u8],
    pub policy: Option<&'a SignaturePolicy>,
    pub roles: &'a [String],
    pub commitment: Option<String>,
    /// `(reference Id, MIME type)` of each signed data object.
    pub formats: Vec<(String, String)>,
}

/// `<ds:DigestMethod/><ds:DigestValue/>` for `data`.
pub(crate) fn digest_pair(hash: HashAlgorithm, digest: &[u8]) -> String {
    format!(
        r#"<ds:DigestMethod Algorithm="{}"/><ds:DigestValue>{}</ds:DigestValue>"#,
        super::algorithms::digest_uri(hash),
        B64.encode(digest)
    )
}

/// `xsd:dateTime` in UTC, as XAdES writes SigningTime (EN 319 132-1 §5.2.1).
pub(crate) fn xml_time(unix: i64) -> String {
    let d = crate::pades::pdf_date(unix); // D:YYYYMMDDHHmmSS…
    format!("{}-{}-{}T{}:{}:{}Z", &d[2..6], &d[6..8], &d[8..10], &d[10..12], &d[12..14], &d[14..16])
}

/// `IssuerSerialV2`: the DER `IssuerSerial` of RFC 5035, base64 (EN 319 132-1 §5.2.2).
fn issuer_serial_v2(certificate: &[u8]) -> Result<String, AdesError> {
    let cert = Certificate::from_der(certificate)
        .map_err(|e| AdesError::InvalidRequest(format!("the signer's certificate: {e}")))?;
    let tbs = cert.tbs_certificate();
    let der = IssuerSerial {
        issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
        serial_number: tbs.serial_number().clone(),
    }
    .to_der()
    .map_err(AdesError::encoding("IssuerSerialV2"))?;
    Ok(B64.encode(der))
}

/// The `xades:QualifyingProperties` element with the signed properties (and an
/// `xades` namespace declaration of its own, so it reads the same wherever it is put).
pub(crate) fn qualifying_properties(p: &SignedProperties<'_>) -> Result<String, AdesError> {
    let sid = escape(p.signature_id);
    let cert_digest = signet_crypto::digest::digest(HashAlgorithm::Sha256, p.signer_certificate);
    let mut signature_props = format!(
        "<xades:SigningTime>{}</xades:SigningTime>\
         <xades:SigningCertificateV2><xades:Cert><xades:CertDigest>{}</xades:CertDigest>\
         <xades:IssuerSerialV2>{}</xades:IssuerSerialV2></xades:Cert></xades:SigningCertificateV2>",
        xml_time(p.signing_time),
        digest_pair(HashAlgorithm::Sha256, &cert_digest),
        issuer_serial_v2(p.signer_certificate)?,
    );
    if let Some(policy) = p.policy {
        let qualifier = match &policy.uri {
            Some(u) => format!(
                "<xades:SigPolicyQualifiers><xades:SigPolicyQualifier><xades:SPURI>{}</xades:SPURI>\
                 </xades:SigPolicyQualifier></xades:SigPolicyQualifiers>",
                escape(u)
            ),
            None => String::new(),
        };
        signature_props.push_str(&format!(
            "<xades:SignaturePolicyIdentifier><xades:SignaturePolicyId><xades:SigPolicyId>\
             <xades:Identifier>{}</xades:Identifier></xades:SigPolicyId><xades:SigPolicyHash>{}\
             </xades:SigPolicyHash>{qualifier}</xades:SignaturePolicyId></xades:SignaturePolicyIdentifier>",
            escape(&policy.identifier),
            digest_pair(policy.hash, &policy.digest)
        ));
    }
    if !p.roles.is_empty() {
        let roles: String = p
            .roles
            .iter()
            .map(|r| format!("<xades:ClaimedRole>{}</xades:ClaimedRole>", escape(r)))
            .collect();
        signature_props.push_str(&format!(
            "<xades:SignerRoleV2><xades:ClaimedRoles>{roles}</xades:ClaimedRoles></xades:SignerRoleV2>"
        ));
    }
    let mut object_props: String = p
        .formats
        .iter()
        .map(|(reference, mime)| {
            format!(
                "<xades:DataObjectFormat ObjectReference=\"#{}\"><xades:MimeType>{}</xades:MimeType>\
                 </xades:DataObjectFormat>",
                escape(reference),
                escape(mime)
            )
        })
        .collect();
    if let Some(c) = &p.commitment {
        object_props.push_str(&format!(
            "<xades:CommitmentTypeIndication><xades:CommitmentTypeId><xades:Identifier>{}\
             </xades:Identifier></xades:CommitmentTypeId><xades:AllSignedDataObjects/>\
             </xades:CommitmentTypeIndication>",
            escape(c)
        ));
    }
    Ok(format!(
        "<xades:QualifyingProperties xmlns:xades=\"{XADES}\" Target=\"#{sid}\">\
         <xades:SignedProperties Id=\"{sid}-signedprops\">\
         <xades:SignedSignatureProperties>{signature_props}</xades:SignedSignatureProperties>\
         <xades:SignedDataObjectProperties>{object_props}</xades:SignedDataObjectProperties>\
         </xades:SignedProperties></xades:QualifyingProperties>"
    ))
}

/// The default MIME type of what a reference signs.
pub(crate) fn default_mime(xml: bool) -> &'static str {
    if xml {
        "text/xml"
    } else {
        "application/octet-stream"
    }
}
