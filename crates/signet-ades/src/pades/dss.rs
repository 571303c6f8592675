//! The Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): the
//! certificates, OCSP responses and CRLs a verifier needs, as streams listed in the
//! catalog's `/DSS` (`/Certs`, `/OCSPs`, `/CRLs`), and per signature a VRI entry keyed by
//! the upper-case hexadecimal SHA-1 of its `/Contents`. Added by incremental update;
//! what an earlier store holds is kept and not written twice.

use crate::pdf::{dict, filter, Dict, Object, ObjectId, PdfReader, Source, Update};
use crate::AdesError;
use signet_types::HashAlgorithm;
use std::collections::HashMap;

/// Validation material for one signature (or time-stamp).
#[derive(Debug, Clone, Default)]
pub struct ValidationData {
    /// DER certificates.
    pub certificates: Vec<Vec<u8>>,
    /// DER CRLs.
    pub crls: Vec<Vec<u8>>,
    /// DER `OCSPResponse`s.
    pub ocsp_responses: Vec<Vec<u8>>,
}

const KINDS: [(&[u8], &[u8]); 3] = [(b"Certs", b"Cert"), (b"OCSPs", b"OCSP"), (b"CRLs", b"CRL")];

/// The update that adds `entries` — each the `/Contents` of a signature (as stored, with
/// its padding) and its validation material — to the document's DSS.
pub fn add_validation_data(
    pdf: &dyn Source,
    entries: &[(&[u8], &ValidationData)],
) -> Result<Vec<u8>, AdesError> {
    let reader = PdfReader::open(pdf)?;
    let (catalog_id, mut catalog) = reader.catalog()?;
    let (dss_id, mut dss) = match catalog.get(b"DSS") {
        Some(Object::Ref(id)) => (Some(*id), reader.dict(*id)?),
        Some(Object::Dict(d)) => (None, d.clone()),
        _ => (None, dict([("Type", Object::name("DSS"))])),
    };
    let mut update = Update::new(&reader);
    // Known streams by content: those already in the store, then the ones added.
    let mut known: HashMap<Vec<u8>, ObjectId> = HashMap::new();
    let mut lists: Vec<Vec<Object>> = Vec::new();
    for (key, _) in KINDS {
        let list = match dss.get(key).map(|l| reader.resolve(l)).transpose()? {
            Some(Object::Array(a)) => a,
            _ => Vec::new(),
        };
        for item in &list {
            if let Object::Ref(id) = item {
                if let Object::Stream(d, data) = reader.object(*id)? {
                    if let Ok(decoded) = filter::decode(&d, &data) {
                        known.insert(fingerprint(&decoded), *id);
                    }
                }
            }
        }
        lists.push(list);
    }
    let mut vri = match dss.get(b"VRI").map(|v| reader.resolve(v)).transpose()? {
        Some(Object::Dict(d)) => d,
        _ => Dict::new(),
    };
    for (contents, data) in entries {
        let mut per_signature = Dict::new();
        for (i, items) in
            [&data.certificates, &data.ocsp_responses, &data.crls].into_iter().enumerate()
        {
            let mut refs = Vec::new();
            for item in items {
                let fp = fingerprint(item);
                let id = match known.get(&fp) {
                    Some(id) => *id,
                    None => {
                        let id = update.add(&Object::Stream(Dict::new(), item.clone()));
                        known.insert(fp, id);
                        lists[i].push(Object::Ref(id));
                        id
                    }
                };
                if !refs.contains(&Object::Ref(id)) {
                    refs.push(Object::Ref(id));
                }
            }
            if !refs.is_empty() {
                per_signature.set(KINDS[i].1, Object::Array(refs));
            }
        }
        let key = hex::encode_upper(signet_crypto::digest::digest(HashAlgorithm::Sha1, contents));
        vri.set(key.as_bytes(), Object::Dict(per_signature));
    }
    for (i, (key, _)) in KINDS.iter().enumerate() {
        if !lists[i].is_empty() {
            dss.set(key, Object::Array(std::mem::take(&mut lists[i])));
        }
    }
    dss.set(b"VRI", Object::Dict(vri));
    match dss_id {
        Some(id) => update.put(id, &Object::Dict(dss)),
        None => {
            let id = update.add(&Object::Dict(dss));
            catalog.set(b"DSS", Object::Ref(id));
            update.put(catalog_id, &Object::Dict(catalog));
        }
    }
    Ok(update.write(&reader)?.bytes)
}

fn fingerprint(data: &[u8]) -> Vec<u8> {
    signet_crypto::digest::digest(HashAlgorithm::Sha256, data)
}
