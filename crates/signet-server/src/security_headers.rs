//! Response headers every answer carries, so that no response of Signet's can be framed,
//! sniffed into another type, or leak its URL to another site (issue 7 point 4: "every
//! page: frame-ancestors 'none', a strict Content-Security-Policy"). A route that serves
//! a page will set its own CSP (its styles, its form target) and keep the rest; these
//! are the defaults for everything else: JSON, DER, PDF and XML answers load nothing.

use axum::http::header::{self, HeaderName, HeaderValue};
use axum::response::Response;

/// `Content-Security-Policy` (CSP Level 3) when a route sets none: nothing may load,
/// nothing may frame it, no form may post from it.
const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the headers a response lacks.
pub(crate) async fn add(mut response: Response) -> Response {
    let h = response.headers_mut();
    let defaults: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
