//! Reading CSC request bodies field by field, so that each problem gets the message the
//! CSC specification gives it ("Missing (or invalid type) string parameter X").

use super::error::CscError;
use base64::Engine as _;
use serde_json::{Map, Value};

/// A parsed JSON object body (an empty body counts as `{}`).
#[derive(Debug)]
pub struct Params(Map<String, Value>);

impl Params {
    /// Parses the body; anything but a JSON object is refused.
    pub fn parse(body: &[u8]) -> Result<Self, CscError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(Self(m)),
            Ok(_) => Err(CscError::invalid_request("The request body must be a JSON object")),
            Err(_) => Err(CscError::invalid_request("The request body is not valid JSON")),
        }
    }

    fn missing(kind: &str, name: &str) -> CscError {
        CscError::invalid_request(format!("Missing (or invalid type) {kind} parameter {name}"))
    }

    /// A required string.
    pub fn string(&self, name: &str) -> Result<&str, CscError> {
        self.opt_string(name)?.ok_or_else(|| Self::missing("string", name))
    }

    /// An optional string (present but not a string is an error).
    pub fn opt_string(&self, name: &str) -> Result<Option<&str>, CscError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Self::missing("string", name)),
        }
    }

    /// An optional boolean.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, CscError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Self::missing("boolean", name)),
        }
    }

    /// An optional integer.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, CscError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| Self::missing("integer", name)),
        }
    }

    /// A required integer.
    pub fn int(&self, name: &str) -> Result<i64, CscError> {
        self.opt_int(name)?.ok_or_else(|| Self::missing("integer", name))
    }

    /// An optional array of base64 digests; each must decode.
    pub fn opt_hashes(&self, name: &str) -> Result<Option<Vec<Vec<u8>>>, CscError> {
        let items = match self.0.get(name) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(Self::missing("array", name)),
        };
        if items.len() > 1000 {
            return Err(CscError::invalid_request(format!("Too many values in parameter {name}")));
        }
        items
            .iter()
            .map(|v| {
                v.as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .ok_or_else(|| {
                        CscError::invalid_request("Invalid Base64 hash string parameter")
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A required, non-empty array of base64 digests.
    pub fn hashes(&self, name: &str) -> Result<Vec<Vec<u8>>, CscError> {
        let h = self.opt_hashes(name)?.ok_or_else(|| Self::missing("array", name))?;
        if h.is_empty() {
            return Err(CscError::invalid_request("Empty hash array"));
        }
        Ok(h)
    }
}
