//! The appearance of a visible signature (ISO 32000-1 §12.5.5 appearance streams,
//! §12.7.4.5 signature fields): a form XObject with a frame, the signer's lines of text
//! in Helvetica (a standard Type 1 font, §9.6.2.2, WinAnsiEncoding) and, optionally, a
//! JPEG image (DCTDecode, §7.4.8) on the left.

use crate::pdf::{dict, Object};
use crate::AdesError;

/// A JPEG image for the appearance.
#[derive(Debug, Clone)]
pub struct Jpeg {
    data: Vec<u8>,
    width: u32,
    height: u32,
    components: u8,
}

impl Jpeg {
    /// Reads the size and colour components from the JPEG's SOF marker.
    pub fn parse(data: Vec<u8>) -> Result<Self, AdesError> {
        let bad = || AdesError::InvalidRequest("the signature image must be a JPEG file".into());
        if !data.starts_with(&[0xFF, 0xD8]) {
            return Err(bad());
        }
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return Err(bad());
            }
            let marker = data[i + 1];
            let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let height = u32::from(u16::from_be_bytes([data[i + 5], data[i + 6]]));
                let width = u32::from(u16::from_be_bytes([data[i + 7], data[i + 8]]));
                let components = data[i + 9];
                if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) {
                    return Err(bad());
                }
                return Ok(Self { data, width, height, components });
            }
            i += 2 + len;
        }
        Err(bad())
    }

    fn xobject(&self) -> Object {
        let space = match self.components {
            1 => "DeviceGray",
            3 => "DeviceRGB",
            _ => "DeviceCMYK",
        };
        Object::Stream(
            dict([
                ("Type", Object::name("XObject")),
                ("Subtype", Object::name("Image")),
                ("Width", Object::Integer(i64::from(self.width))),
                ("Height", Object::Integer(i64::from(self.height))),
                ("ColorSpace", Object::name(space)),
                ("BitsPerComponent", Object::Integer(8)),
                ("Filter", Object::name("DCTDecode")),
            ]),
            self.data.clone(),
        )
    }
}

/// The appearance stream for a rectangle of `width` × `height` points: the form XObject,
/// and the image XObject it draws, if any.
pub(crate) fn appearance(
    width: f64,
    height: f64,
    lines: &[String],
    image: Option<&Jpeg>,
) -> (Object, Option<Object>) {
    let mut ops = String::new();
    // A thin frame.
    ops.push_str(&format!(
        "q 0.5 w 0 0 0 RG 0.25 0.25 {} {} re S Q\n",
        num(width - 0.5),
        num(height - 0.5)
    ));
    let mut text_left = 4.0;
    if let Some(img) = image {
        let box_h = height - 8.0;
        let box_w = (width * 0.35).min(box_h * f64::from(img.width) / f64::from(img.height));
        let draw_h = box_w * f64::from(img.height) / f64::from(img.width);
        ops.push_str(&format!(
            "q {} 0 0 {} 4 {} cm /Im1 Do Q\n",
            num(box_w),
            num(draw_h),
            num((height - draw_h) / 2.0)
        ));
        text_left = box_w + 8.0;
    }
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1).max(1) as f64;
    let n = lines.len().max(1) as f64;
    let size = (((height - 6.0) / (n * 1.25)).min((width - text_left - 4.0) / (longest * 0.52)))
        .clamp(2.0, 12.0);
    ops.push_str(&format!(
        "BT /F1 {} Tf {} TL {} {} Td\n",
        num(size),
        num(size * 1.25),
        num(text_left),
        num(height - 3.0 - size)
    ));
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            ops.push_str("T* ");
        }
        ops.push('(');
        ops.push_str(&escape(line));
        ops.push_str(") Tj\n");
    }
    ops.push_str("ET\n");
    let font = dict([
        ("Type", Object::name("Font")),
        ("Subtype", Object::name("Type1")),
        ("BaseFont", Object::name("Helvetica")),
        ("Encoding", Object::name("WinAnsiEncoding")),
    ]);
    let mut resources = dict([("Font", Object::Dict(dict([("F1", Object::Dict(font))])))]);
    let image_object = image.map(Jpeg::xobject);
    if image_object.is_some() {
        // The image is written as its own object; the caller fills in the reference.
        resources.set(b"XObject", Object::Dict(dict([("Im1", Object::Null)])));
    }
    let form = Object::Stream(
        dict([
            ("Type", Object::name("XObject")),
            ("Subtype", Object::name("Form")),
            ("BBox", rect([0.0, 0.0, width, height])),
            ("Resources", Object::Dict(resources)),
        ]),
        ops.into_bytes(),
    );
    (form, image_object)
}

/// An empty appearance, for an invisible signature (a zero-size widget still has one, as
/// PDF/A and pyHanko expect).
pub(crate) fn empty() -> Object {
    Object::Stream(
        dict([
            ("Type", Object::name("XObject")),
            ("Subtype", Object::name("Form")),
            ("BBox", rect([0.0, 0.0, 0.0, 0.0])),
        ]),
        Vec::new(),
    )
}

/// A rectangle `[x1 y1 x2 y2]`.
pub(crate) fn rect(r: [f64; 4]) -> Object {
    Object::Array(r.iter().map(|v| Object::Real(num(*v).into_bytes())).collect())
}

/// A number as PDF writes reals (§7.3.3: no exponent).
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A literal string in WinAnsiEncoding: Latin-1 characters as they are, others as `?`;
/// `(`, `)` and `\` escaped (§7.3.4.2).
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) >= 0xA0 && (c as u32) <= 0xFF => {
                out.push_str(&format!("\\{:03o}", c as u32))
            }
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_a_literal_string() {
        assert_eq!(escape("a(b)\\c"), "a\\(b\\)\\\\c");
        assert_eq!(escape("Zoë 東"), "Zo\\353 ?");
    }

    #[test]
    fn a_jpeg_size_is_read_and_other_files_are_refused() {
        // SOI, APP0 (length 4), SOF0: height 2, width 3, 3 components.
        let jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 17, 8, 0, 2, 0, 3, 3, 0, 0, 0, 0,
        ];
        let j = Jpeg::parse(jpeg).unwrap();
        assert_eq!((j.width, j.height, j.components), (3, 2, 3));
        assert!(Jpeg::parse(b"\x89PNG\r\n".to_vec()).is_err());
    }
}
