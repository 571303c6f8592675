//! XAdES options of the Document Signature API (ETSI EN 319 132-1): packaging, the
//! canonicalization, where the signature goes, what else it signs, and the optional
//! signed properties.

use super::error::ApiError;
use base64::Engine as _;
use serde::Deserialize;
use signet_ades::xades::{ExternalReference, Packaging, SignaturePolicy, XadesOptions};
use signet_ades::xml::Canonicalization;
use signet_types::HashAlgorithm;
use utoipa::ToSchema;

/// XAdES options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct XadesIn {
    /// `exclusive` (default), `exclusive-with-comments`, `inclusive`,
    /// `inclusive-with-comments`, `inclusive-1.1`, `inclusive-1.1-with-comments`.
    pub canonicalization: Option<String>,
    /// Enveloped (and detached with `siblingIds`): the `Id` of the element the signature
    /// is put into (the document element by default).
    #[serde(rename = "parentId")]
    pub parent_id: Option<String>,
    /// Detached: elements of the document signed by `#Id` references (the signature is
    /// put into the document beside them).
    #[serde(rename = "siblingIds", default)]
    pub sibling_ids: Vec<String>,
    /// Detached without `siblingIds`: the URI by which the signature names the document
    /// (default `document`).
    #[serde(rename = "documentUri")]
    pub document_uri: Option<String>,
    /// Detached: other resources signed by URI, each with its digest (the signature
    /// algorithm's hash) computed by the caller.
    #[serde(default)]
    pub references: Vec<ReferenceIn>,
    /// The MIME type of the document (DataObjectFormat); `text/xml` for XML.
    #[serde(rename = "mimeType")]
    pub mime_type: Option<String>,
    /// Claimed roles (SignerRoleV2).
    #[serde(rename = "signerRoles", default)]
    pub signer_roles: Vec<String>,
    /// `proof-of-origin`, `proof-of-receipt`, `proof-of-delivery`, `proof-of-sender`,
    /// `proof-of-approval`, `proof-of-creation`, or a URI (CommitmentTypeIndication).
    #[serde(rename = "commitmentType")]
    pub commitment_type: Option<String>,
    /// An explicit signature policy (SignaturePolicyIdentifier).
    #[serde(rename = "signaturePolicy")]
    pub signature_policy: Option<PolicyIn>,
}

/// A resource signed by URI.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceIn {
    /// The URI written into the reference.
    pub uri: String,
    /// Its digest, base64.
    pub digest: String,
    /// Its MIME type.
    #[serde(rename = "mimeType")]
    pub mime_type: Option<String>,
}

/// A signature policy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyIn {
    /// The policy's identifier (a URI; `urn:oid:…` for an OID).
    pub identifier: String,
    /// The hash algorithm OID of `digest`.
    #[serde(rename = "hashAlgo")]
    pub hash_algo: String,
    /// The digest of the policy document, base64.
    pub digest: String,
    /// Where the policy document is published (SPURI).
    pub uri: Option<String>,
}

fn b64(s: &str, name: &str) -> Result<Vec<u8>, ApiError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| ApiError::invalid_request(format!("Invalid parameter {name}: not base64")))
}

impl XadesIn {
    /// The engine's options for `packaging` (`enveloped` by default).
    pub fn into_options(self, packaging: Option<&str>) -> Result<XadesOptions, ApiError> {
        let packaging = match packaging {
            None => Packaging::Enveloped,
            Some(p) => Packaging::from_name(p).ok_or_else(|| {
                ApiError::invalid_request(
                    "Invalid parameter packaging: enveloped, enveloping or detached",
                )
            })?,
        };
        let canonicalization = match self.canonicalization.as_deref() {
            None => Canonicalization::default(),
            Some(c) => Canonicalization::from_name(c).ok_or_else(|| {
                ApiError::invalid_request(
                    "Invalid parameter xades.canonicalization: exclusive, inclusive or \
                     inclusive-1.1, optionally -with-comments",
                )
            })?,
        };
        let external = self
            .references
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                Ok(ExternalReference {
                    digest: b64(&r.digest, &format!("xades.references[{i}].digest"))?,
                    uri: r.uri,
                    mime_type: r.mime_type,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let signature_policy = self
            .signature_policy
            .map(|p| {
                Ok::<_, ApiError>(SignaturePolicy {
                    hash: HashAlgorithm::from_oid_str(&p.hash_algo).map_err(|_| {
                        ApiError::invalid_request(
                            "Invalid parameter xades.signaturePolicy.hashAlgo",
                        )
                    })?,
                    digest: b64(&p.digest, "xades.signaturePolicy.digest")?,
                    identifier: p.identifier,
                    uri: p.uri,
                })
            })
            .transpose()?;
        if let Some(c) = &self.commitment_type {
            signet_ades::xades::commitment_uri(c).map_err(|e| {
                ApiError::invalid_request(format!("Invalid parameter xades.commitmentType: {e}"))
            })?;
        }
        Ok(XadesOptions {
            packaging,
            canonicalization,
            parent_id: self.parent_id,
            sibling_ids: self.sibling_ids,
            document_uri: self.document_uri,
            external,
            mime_type: self.mime_type,
            signer_roles: self.signer_roles,
            commitment_type: self.commitment_type,
            signature_policy,
        })
    }
}
