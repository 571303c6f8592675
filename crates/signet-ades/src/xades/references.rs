//! What a new signature signs and where it goes (EN 319 132-1 §4.2 packagings; XMLDSig
//! §4.4.3 references): one `ds:Reference` per data object, with its digest computed
//! here, and the place of the signature — inside an element of the document, or a
//! document of its own.
//!
//! ```text
//! enveloped            URI=""      enveloped-signature + C14N   the whole document
//! enveloping (XML)     #…-object   C14N                         the ds:Object holding it
//! enveloping (bytes)   #…-object   base64                       the bytes themselves
//! detached, by Id      #Id         C14N                         elements of the document
//! detached             URI         (none)                       the document, external data
//! ```

use super::properties::{default_mime, digest_pair};
use super::sign::{signature_element, HashSink, XadesRequest};
use super::Packaging;
use crate::xml::{self, canonical_element, escape, Parsed};
use crate::AdesError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use signet_crypto::digest::{digest, Hasher};
use uppsala::NodeId;

const ENVELOPED_TRANSFORM: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const BASE64_TRANSFORM: &str = "http://www.w3.org/2000/09/xmldsig#base64";

/// One `ds:Reference`.
pub(crate) struct Reference {
    pub id: String,
    pub uri: String,
    pub transforms: Vec<&'static str>,
    pub digest: Vec<u8>,
    /// The MIME type its DataObjectFormat names.
    pub mime: String,
    pub typ: Option<&'static str>,
}

impl Reference {
    /// The `ds:Reference` element.
    pub fn xml(&self, req: &XadesRequest<'_>) -> String {
        let transforms: String =
            self.transforms.iter().map(|t| format!(r#"<ds:Transform Algorithm="{t}"/>"#)).collect();
        let transforms = if transforms.is_empty() {
            String::new()
        } else {
            format!("<ds:Transforms>{transforms}</ds:Transforms>")
        };
        let typ = self.typ.map(|t| format!(r#" Type="{t}""#)).unwrap_or_default();
        format!(
            r#"<ds:Reference Id="{}"{typ} URI="{}">{transforms}{}</ds:Reference>"#,
            escape(&self.id),
            escape(&self.uri),
            digest_pair(req.algorithm.hash(), &self.digest)
        )
    }
}

/// Where the signature goes.
pub(crate) enum Placement<'a> {
    /// Into an element of the parsed document.
    Inside { parsed: Box<Parsed<'a>>, parent: NodeId },
    /// A document of its own.
    Alone,
}

/// The data references, the `ds:Object`s holding enveloped data, and the placement.
pub(crate) struct Plan<'a> {
    pub references: Vec<Reference>,
    pub objects: String,
    pub placement: Placement<'a>,
}

pub(crate) fn invalid(what: impl Into<String>) -> AdesError {
    AdesError::InvalidRequest(what.into())
}

pub(crate) fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The plan for `req`'s packaging, with its external references (detached only).
pub(crate) fn plan<'a>(req: &XadesRequest<'a>) -> Result<Plan<'a>, AdesError> {
    let o = req.options;
    let mut plan = match o.packaging {
        Packaging::Enveloped => enveloped(req)?,
        Packaging::Enveloping => enveloping(req)?,
        Packaging::Detached if !o.sibling_ids.is_empty() => by_id(req)?,
        Packaging::Detached => Plan {
            references: req.document.map(|bytes| document_by_uri(req, bytes)).into_iter().collect(),
            objects: String::new(),
            placement: Placement::Alone,
        },
    };
    let hash = req.algorithm.hash();
    for e in &o.external {
        if o.packaging != Packaging::Detached {
            return Err(invalid("external references are for detached signatures"));
        }
        if e.digest.len() != hash.output_len() {
            return Err(invalid(format!(
                "the digest of `{}` must be a {hash} digest ({} bytes)",
                short(&e.uri),
                hash.output_len()
            )));
        }
        plan.references.push(Reference {
            id: format!("{}-ref-{}", req.signature_id, plan.references.len()),
            uri: e.uri.clone(),
            transforms: Vec::new(),
            digest: e.digest.clone(),
            mime: e.mime_type.clone().unwrap_or_else(|| default_mime(false).into()),
            typ: None,
        });
    }
    if plan.references.is_empty() {
        return Err(invalid(
            "a detached signature needs the document, element Ids or external references",
        ));
    }
    Ok(plan)
}

/// The document's MIME type: the caller's, or the default for XML or bytes.
fn mime(req: &XadesRequest<'_>, xml: bool) -> String {
    req.options.mime_type.clone().unwrap_or_else(|| default_mime(xml).into())
}

/// Enveloped: the whole document less the signature, `URI=""` (XMLDSig §6.6.4). The
/// signature is not there yet, so the document as it is gives the same octets; they go
/// straight into the hash.
fn enveloped<'a>(req: &XadesRequest<'a>) -> Result<Plan<'a>, AdesError> {
    let bytes =
        req.document.ok_or_else(|| invalid("an enveloped signature needs the XML document"))?;
    let parsed = xml::parse(bytes, &req.limits)?;
    let parent = parent(&parsed, req.options.parent_id.as_deref())?;
    let c14n = req.options.canonicalization;
    let mut h = HashSink(Hasher::new(req.algorithm.hash()));
    xml::canonical_document_to(&parsed.doc, None, c14n, &mut h)?;
    let reference = Reference {
        id: format!("{}-ref-0", req.signature_id),
        uri: String::new(),
        transforms: vec![ENVELOPED_TRANSFORM, c14n.uri()],
        digest: h.0.finish(),
        mime: mime(req, true),
        typ: None,
    };
    Ok(Plan {
        references: vec![reference],
        objects: String::new(),
        placement: Placement::Inside { parsed: Box::new(parsed), parent },
    })
}

/// Enveloping: an XML document goes into a `ds:Object` as it is (its document element),
/// other bytes in base64 with the base64 transform (XMLDSig §6.6.2), whose output is the
/// bytes themselves.
fn enveloping<'a>(req: &XadesRequest<'a>) -> Result<Plan<'a>, AdesError> {
    let bytes = req.document.ok_or_else(|| invalid("an enveloping signature needs the data"))?;
    let sid = req.signature_id;
    let object_id = format!("{sid}-object");
    let (c14n, hash) = (req.options.canonicalization, req.algorithm.hash());
    let as_xml = xml::parse(bytes, &req.limits)
        .ok()
        .and_then(|p| p.doc.node_source(p.root().ok()?).map(str::to_owned));
    let (object, transforms, digest) = match as_xml {
        Some(root_text) => {
            let object = format!(r#"<ds:Object Id="{object_id}">{root_text}</ds:Object>"#);
            let text = signature_element(sid, "", &object);
            let p = xml::parse(text.as_bytes(), &req.limits)?;
            let node = p.by_id(&object_id).ok_or_else(|| invalid("the enveloped object"))?;
            let digest = digest(hash, &canonical_element(&p.doc, node, c14n, &[])?);
            (object, vec![c14n.uri()], digest)
        }
        None => (
            format!(
                r#"<ds:Object Id="{object_id}" Encoding="{BASE64_TRANSFORM}">{}</ds:Object>"#,
                B64.encode(bytes)
            ),
            vec![BASE64_TRANSFORM],
            digest(hash, bytes),
        ),
    };
    let reference = Reference {
        id: format!("{sid}-ref-0"),
        uri: format!("#{object_id}"),
        mime: mime(req, transforms != [BASE64_TRANSFORM]),
        transforms,
        digest,
        typ: None,
    };
    Ok(Plan { references: vec![reference], objects: object, placement: Placement::Alone })
}

/// Detached, by `Id`: elements of the document, the signature put into it beside them
/// (never inside one of them: that would be enveloped).
fn by_id<'a>(req: &XadesRequest<'a>) -> Result<Plan<'a>, AdesError> {
    let bytes = req.document.ok_or_else(|| invalid("signing elements by Id needs the document"))?;
    let parsed = xml::parse(bytes, &req.limits)?;
    let parent = parent(&parsed, req.options.parent_id.as_deref())?;
    let (c14n, hash) = (req.options.canonicalization, req.algorithm.hash());
    let mut references = Vec::new();
    for (i, id) in req.options.sibling_ids.iter().enumerate() {
        let node = parsed
            .by_id(id)
            .ok_or_else(|| invalid(format!("no element has the Id `{}`", short(id))))?;
        if node == parent || parsed.doc.ancestors(parent).contains(&node) {
            return Err(invalid(format!(
                "the signature cannot go inside the element `{}` it signs detached: sign it enveloped",
                short(id)
            )));
        }
        references.push(Reference {
            id: format!("{}-ref-{i}", req.signature_id),
            uri: format!("#{id}"),
            transforms: vec![c14n.uri()],
            digest: digest(hash, &canonical_element(&parsed.doc, node, c14n, &[])?),
            mime: mime(req, true),
            typ: None,
        });
    }
    Ok(Plan {
        references,
        objects: String::new(),
        placement: Placement::Inside { parsed: Box::new(parsed), parent },
    })
}

/// Detached: the document itself, named by `document_uri`, its bytes digested as they are.
fn document_by_uri(req: &XadesRequest<'_>, bytes: &[u8]) -> Reference {
    Reference {
        id: format!("{}-ref-0", req.signature_id),
        uri: req.options.document_uri.clone().unwrap_or_else(|| "document".into()),
        transforms: Vec::new(),
        digest: digest(req.algorithm.hash(), bytes),
        mime: mime(req, false),
        typ: None,
    }
}

/// The element (by `Id`) that receives the signature, or the document element.
fn parent(parsed: &Parsed<'_>, id: Option<&str>) -> Result<NodeId, AdesError> {
    match id {
        None => parsed.root(),
        Some(id) => parsed
            .by_id(id)
            .ok_or_else(|| invalid(format!("no element has the Id `{}`", short(id)))),
    }
}
