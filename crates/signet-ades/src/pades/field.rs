//! Adding a signature (ETSI EN 319 142-1 §5.3, ISO 32000-1 §12.8): one incremental update
//! with the signature dictionary (its `/Contents` hole and `/ByteRange` placeholder), a
//! signature field merged with its widget annotation on the chosen page, the page's
//! `/Annots`, the AcroForm's `/Fields` and `/SigFlags 3`, and for a certification
//! signature the DocMDP transform and the catalog's `/Perms`.

use super::appearance::{self, rect};
use super::prepared::{PreparedPdf, BYTE_RANGE_KEY, BYTE_RANGE_WIDTH, CONTENTS_KEY};
use super::structure::{self, Form};
use super::Kind;
use crate::pdf::{dict, Dict, Object, PdfError, PdfReader, Update};
use crate::AdesError;

/// Builds the update that adds a signature of `kind`, with `capacity` bytes reserved for
/// the signature value.
pub(crate) fn prepare(
    reader: &PdfReader<'_>,
    kind: &Kind<'_>,
    capacity: usize,
) -> Result<PreparedPdf, AdesError> {
    let (catalog_id, mut catalog) = reader.catalog()?;
    let form = structure::form(reader, &catalog)?;
    let (names, existing) = structure::signatures_and_names(reader, &form)?;
    let options = match kind {
        Kind::Signature(o) => Some(*o),
        Kind::DocumentTimestamp => None,
    };
    if let Some(p) = existing.iter().find_map(|s| s.certification) {
        if p == 1 {
            return Err(AdesError::InvalidRequest(
                "the document is certified with no changes allowed (DocMDP P=1): it cannot be \
                 signed again"
                    .into(),
            ));
        }
    }
    let certify = options.and_then(|o| o.certify);
    if certify.is_some() && !existing.is_empty() {
        return Err(AdesError::InvalidRequest(
            "a certification signature must be the document's first signature".into(),
        ));
    }
    let field_name = match options.and_then(|o| o.field_name.clone()) {
        Some(n) if names.contains(&n) => {
            return Err(AdesError::InvalidRequest(format!(
                "the document already has a field `{n}`"
            )))
        }
        Some(n) if n.is_empty() || n.contains('.') => {
            return Err(AdesError::InvalidRequest(
                "a field name must be non-empty, without dots".into(),
            ))
        }
        Some(n) => n,
        None => (1..)
            .map(|i| format!("Signature{i}"))
            .find(|n| !names.contains(n))
            .unwrap_or_else(|| "Signature".into()),
    };
    let visible = options.and_then(|o| o.appearance.as_ref());
    let page_index = visible.map_or(0, |v| v.page.saturating_sub(1));
    let page_id = structure::page(reader, page_index)?;
    let mut page = reader.dict(page_id)?;

    let mut update = Update::new(reader);
    let sig_id = update.allocate();
    let widget_id = update.allocate();

    // The appearance (§12.5.5): text and image for a visible signature, empty otherwise.
    let (ap, field_rect) = match visible {
        Some(v) => {
            let [x1, y1, x2, y2] = v.rect;
            let (w, h) = (x2 - x1, y2 - y1);
            if !(w.is_finite() && h.is_finite()) || w < 10.0 || h < 10.0 {
                return Err(AdesError::InvalidRequest(
                    "the signature rectangle must be at least 10 x 10 points".into(),
                ));
            }
            let (mut form_xobject, image) =
                appearance::appearance(w, h, &v.lines, v.image.as_ref());
            if let Some(image) = image {
                let image_id = update.add(&image);
                if let Object::Stream(d, _) = &mut form_xobject {
                    if let Some(Object::Dict(res)) =
                        d.0.iter_mut().find(|(k, _)| k == b"Resources").map(|(_, v)| v)
                    {
                        res.set(b"XObject", Object::Dict(dict([("Im1", Object::Ref(image_id))])));
                    }
                }
            }
            (form_xobject, v.rect)
        }
        None => (appearance::empty(), [0.0; 4]),
    };
    let ap_id = update.add(&ap);

    let widget = dict([
        ("Type", Object::name("Annot")),
        ("Subtype", Object::name("Widget")),
        ("FT", Object::name("Sig")),
        ("T", Object::text(&field_name)),
        ("V", Object::Ref(sig_id)),
        // §12.5.3: Print (4) + Locked (128).
        ("F", Object::Integer(132)),
        ("Rect", rect(field_rect)),
        ("P", Object::Ref(page_id)),
        ("AP", Object::Dict(dict([("N", Object::Ref(ap_id))]))),
    ]);
    update.put(widget_id, &Object::Dict(widget));

    // The page's /Annots: an indirect array is rewritten in its own object.
    match page.get(b"Annots").cloned() {
        Some(Object::Ref(annots_id)) => {
            let mut annots = match reader.object(annots_id)? {
                Object::Array(a) => a,
                _ => Vec::new(),
            };
            annots.push(Object::Ref(widget_id));
            update.put(annots_id, &Object::Array(annots));
        }
        Some(Object::Array(mut a)) => {
            a.push(Object::Ref(widget_id));
            page.set(b"Annots", Object::Array(a));
            update.put(page_id, &Object::Dict(page));
        }
        _ => {
            page.set(b"Annots", Object::Array(vec![Object::Ref(widget_id)]));
            update.put(page_id, &Object::Dict(page));
        }
    }

    // The AcroForm (§12.7.2): the new field, and SigFlags SignaturesExist | AppendOnly.
    let Form { id: form_id, mut dict, mut fields } = form;
    fields.push(Object::Ref(widget_id));
    match dict.get(b"Fields") {
        Some(Object::Ref(fields_id)) => update.put(*fields_id, &Object::Array(fields)),
        _ => dict.set(b"Fields", Object::Array(fields)),
    }
    dict.set(b"SigFlags", Object::Integer(3));
    let mut catalog_changed = false;
    match form_id {
        Some(id) => update.put(id, &Object::Dict(dict)),
        None => {
            let id = update.add(&Object::Dict(dict));
            catalog.set(b"AcroForm", Object::Ref(id));
            catalog_changed = true;
        }
    }
    if certify.is_some() {
        // §12.8.4: the catalog's /Perms names the certification signature.
        let mut perms = match catalog.get(b"Perms").map(|p| reader.resolve(p)).transpose()? {
            Some(Object::Dict(p)) => p,
            _ => Dict::new(),
        };
        perms.set(b"DocMDP", Object::Ref(sig_id));
        catalog.set(b"Perms", Object::Dict(perms));
        catalog_changed = true;
    }
    if catalog_changed {
        update.put(catalog_id, &Object::Dict(catalog));
    }

    update.put_raw(sig_id, signature_dictionary(kind, capacity));
    let written = update.write(reader)?;
    Ok(PreparedPdf::new(reader.size(), written.bytes)?)
}

/// The signature dictionary (§12.8.1 Table 252; EN 319 142-1 §5.3 for `/SubFilter
/// /ETSI.CAdES.detached` and §5.4 for `/ETSI.RFC3161` document time-stamps), with the
/// `/ByteRange` placeholder first and the `/Contents` hole next.
fn signature_dictionary(kind: &Kind<'_>, capacity: usize) -> Vec<u8> {
    let mut out = b"<<".to_vec();
    out.extend_from_slice(BYTE_RANGE_KEY);
    out.extend_from_slice(b"[0 0 0 0]");
    out.extend(std::iter::repeat_n(b' ', BYTE_RANGE_WIDTH - 9));
    out.extend_from_slice(CONTENTS_KEY);
    out.push(b'<');
    out.extend(std::iter::repeat_n(b'0', capacity * 2));
    out.push(b'>');
    let rest = match kind {
        Kind::DocumentTimestamp => dict([
            ("Type", Object::name("DocTimeStamp")),
            ("Filter", Object::name("Adobe.PPKLite")),
            ("SubFilter", Object::name("ETSI.RFC3161")),
        ]),
        Kind::Signature(o) => {
            let mut d = dict([
                ("Type", Object::name("Sig")),
                ("Filter", Object::name("Adobe.PPKLite")),
                ("SubFilter", Object::name("ETSI.CAdES.detached")),
                // EN 319 142-1 §5.3: the claimed signing time is /M (not a signed attribute).
                ("M", Object::text(&pdf_date(o.signing_time))),
            ]);
            for (key, value) in [
                (&b"Name"[..], &o.signer_name),
                (b"Reason", &o.reason),
                (b"Location", &o.location),
                (b"ContactInfo", &o.contact_info),
            ] {
                if let Some(v) = value {
                    d.set(key, Object::text(v));
                }
            }
            if let Some(p) = o.certify {
                // §12.8.2.2: the DocMDP transform and its permissions P.
                let params = dict([
                    ("Type", Object::name("TransformParams")),
                    ("P", Object::Integer(i64::from(p))),
                    ("V", Object::name("1.2")),
                ]);
                let reference = dict([
                    ("Type", Object::name("SigRef")),
                    ("TransformMethod", Object::name("DocMDP")),
                    ("TransformParams", Object::Dict(params)),
                ]);
                d.set(b"Reference", Object::Array(vec![Object::Dict(reference)]));
            }
            d
        }
    };
    let mut tail = Vec::new();
    rest.write(&mut tail);
    // Drop the inner `<<` and `>>`: the entries join ours.
    out.extend_from_slice(&tail[2..tail.len() - 2]);
    out.extend_from_slice(b">>");
    out
}

/// A PDF date (§7.9.4) in UTC: `D:YYYYMMDDHHmmSS+00'00'`.
pub fn pdf_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "D:{year:04}{month:02}{day:02}{:02}{:02}{:02}+00'00'",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

impl From<PdfError> for AdesError {
    fn from(e: PdfError) -> Self {
        AdesError::Pdf(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_pdf_dates_in_utc() {
        assert_eq!(pdf_date(0), "D:19700101000000+00'00'");
        assert_eq!(pdf_date(1_700_000_000), "D:20231114221320+00'00'");
        assert_eq!(pdf_date(951_782_400), "D:20000229000000+00'00'");
    }
}
