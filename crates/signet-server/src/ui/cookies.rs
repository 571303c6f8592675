//! The pages' cookies: the login session and the CSRF token. Both are HttpOnly and
//! SameSite=Lax (the session must survive the top-level redirect from the client), host
//! only, and Secure with the `__Host-` prefix when the service is reached over TLS
//! (RFC 6265bis §4.1.3.2).

use axum::http::{header, HeaderMap};

/// The cookie names for a service whose public URL is `issuer`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names {
    pub session: &'static str,
    pub csrf: &'static str,
    secure: bool,
}

impl Names {
    pub fn for_issuer(issuer: &str) -> Self {
        if issuer.starts_with("https://") {
            Self { session: "__Host-signet_session", csrf: "__Host-signet_csrf", secure: true }
        } else {
            Self { session: "signet_session", csrf: "signet_csrf", secure: false }
        }
    }

    /// A `Set-Cookie` value; `max_age` 0 deletes it.
    pub fn set(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }
}

/// A cookie's value from the request (RFC 6265 §5.4), if it has the shape of ours.
pub(crate) fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .filter(|v| {
            v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Whether a form post passes the CSRF checks: its `csrf` field equals the CSRF cookie
/// (compared in constant time), and an `Origin` header, when sent, names this host.
pub(crate) fn csrf_ok(headers: &HeaderMap, names: &Names, field: Option<&str>) -> bool {
    let (Some(cookie), Some(field)) = (get(headers, names.csrf), field) else { return false };
    let same = cookie.len() == field.len()
        && cookie.bytes().zip(field.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    same && origin_matches_host(headers)
}

/// `Origin` absent (older browsers), equal in host and port to `Host` (the Fetch
/// standard sends it on every cross-origin POST), or `null` on a request the browser
/// itself marks `Sec-Fetch-Site: same-origin` (a header pages cannot set): browsers send
/// `null` when the page's referrer policy withholds the origin.
fn origin_matches_host(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        return site == Some("same-origin");
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const T: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.append(n, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn csrf_needs_the_cookie_the_field_and_a_same_origin() {
        let n = Names::for_issuer("http://127.0.0.1:8080");
        let cookie = format!("a=b; signet_csrf={T}");
        let ok = headers(&[(header::COOKIE, &cookie), (header::HOST, "127.0.0.1:8080")]);
        assert!(csrf_ok(&ok, &n, Some(T)));
        assert!(!csrf_ok(&ok, &n, Some(&T.replace('a', "b"))));
        assert!(!csrf_ok(&ok, &n, None));
        let no_cookie = headers(&[(header::HOST, "127.0.0.1:8080")]);
        assert!(!csrf_ok(&no_cookie, &n, Some(T)));
        let cross = headers(&[
            (header::COOKIE, &cookie),
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "https://evil.example"),
        ]);
        assert!(!csrf_ok(&cross, &n, Some(T)));
        let same = headers(&[
            (header::COOKIE, &cookie),
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "http://127.0.0.1:8080"),
        ]);
        assert!(csrf_ok(&same, &n, Some(T)));
        let null = |site: &str| {
            let h = headers(&[
                (header::COOKIE, &cookie),
                (header::HOST, "127.0.0.1:8080"),
                (header::ORIGIN, "null"),
                (header::HeaderName::from_static("sec-fetch-site"), site),
            ]);
            csrf_ok(&h, &n, Some(T))
        };
        assert!(null("same-origin"));
        assert!(!null("cross-site") && !null("same-site"));
    }

    #[test]
    fn cookies_are_secure_and_prefixed_over_tls() {
        let n = Names::for_issuer("https://sign.example");
        assert_eq!(n.session, "__Host-signet_session");
        let c = n.set(n.session, T, 60);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(c.contains("Path=/") && !c.contains("Domain"));
        assert!(!Names::for_issuer("http://x").set("s", T, 1).contains("Secure"));
    }
}
