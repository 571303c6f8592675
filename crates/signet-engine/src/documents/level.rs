//! AdES baseline levels and document formats as the API names them.

use crate::EngineError;
use std::fmt;
use std::str::FromStr;

/// An AdES baseline level (ETSI EN 319 122-1 §4, EN 319 142-1 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// B-B: the signature and its signed attributes.
    BB,
    /// B-T: plus a signature time-stamp.
    BT,
    /// B-LT: plus the validation material.
    BLT,
    /// B-LTA: plus an archive time-stamp (CAdES) or a document time-stamp (PAdES).
    BLTA,
}

impl Level {
    /// `B-B`, `B-T`, `B-LT`, `B-LTA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLT => "B-LT",
            Self::BLTA => "B-LTA",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = EngineError;
    fn from_str(s: &str) -> Result<Self, EngineError> {
        match s {
            "B-B" => Ok(Self::BB),
            "B-T" => Ok(Self::BT),
            "B-LT" => Ok(Self::BLT),
            "B-LTA" => Ok(Self::BLTA),
            _ => Err(EngineError::InvalidInput("level must be B-B, B-T, B-LT or B-LTA".into())),
        }
    }
}

/// A visible PAdES signature.
#[derive(Debug, Clone, Default)]
pub struct VisibleSignature {
    /// The page, from 1.
    pub page: u32,
    /// `[x1, y1, x2, y2]` in points, origin bottom left.
    pub rect: [f64; 4],
    /// The text shown; by default the signer's name, the date, the reason and location.
    pub text: Option<Vec<String>>,
    /// A JPEG shown on the left.
    pub image: Option<Vec<u8>>,
}

/// PAdES options (ISO 32000-1 §12.8.1 signature dictionary entries, §12.7.4.5 field).
#[derive(Debug, Clone, Default)]
pub struct PadesOptions {
    /// The signature field's name (default `SignatureN`).
    pub field_name: Option<String>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact_info: Option<String>,
    /// A visible signature, or invisible when `None`.
    pub visible: Option<VisibleSignature>,
    /// A certification signature with these DocMDP permissions (1, 2 or 3).
    pub certify: Option<u8>,
}

/// The format asked for.
#[derive(Debug, Clone)]
pub enum DocumentFormat {
    /// CAdES (EN 319 122-1), detached or enveloping.
    Cades {
        /// The document goes into the signature.
        enveloping: bool,
    },
    /// PAdES (EN 319 142-1): the signed PDF.
    Pades(PadesOptions),
    /// XAdES (EN 319 132-1): enveloped, enveloping or detached.
    Xades(signet_ades::xades::XadesOptions),
}

impl DocumentFormat {
    /// `cades`, `pades` or `xades`, as stored and as the API says it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Cades { .. } => "cades",
            Self::Pades(_) => "pades",
            Self::Xades(_) => "xades",
        }
    }
}
