//! Validation of an authorization request (RFC 6749 §4.1.1 and §3.1.2, hardened per RFC
//! 9700 §2.1 and §4.1; OpenID Connect Core §3.1.2.1–2; RFC 7636 §4.3; CSC v1.0.4.0
//! §8.4.2 and the RFC 9396 `authorization_details` of CSC v2 §8.4.2). Pure: it takes the
//! parameters and the client, and returns either the request to keep or the error to
//! give — on a page when the redirect URI cannot be trusted (RFC 6749 §4.1.2.1), by
//! redirect otherwise.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use signet_store::Client;
use std::collections::BTreeSet;

/// Longest `state` or `nonce` kept (they are echoed back; a client needs far less).
const MAX_ECHOED: usize = 1024;
/// Most hashes one `credential` authorization may name.
pub const MAX_HASHES: usize = 1000;
/// Longest signer-facing description (CSC `description`: "up to 500 characters").
const MAX_DESCRIPTION: usize = 500;

/// An authorization request that passed validation: what is stored while the signer
/// logs in, consents and approves. The redirect URI in it is one the client registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidRequest {
    /// The client.
    pub client_id: String,
    /// The registered redirect URI to answer at.
    pub redirect_uri: String,
    /// Whether the request named it (then the token request must name it too).
    pub redirect_uri_given: bool,
    /// Requested scopes, all allowed to the client.
    pub scopes: Vec<String>,
    /// The client's `state`, returned unchanged.
    pub state: Option<String>,
    /// OpenID Connect `nonce`, returned in the ID token.
    pub nonce: Option<String>,
    /// PKCE S256 `code_challenge`.
    pub code_challenge: Option<String>,
    /// OpenID Connect `prompt` values.
    pub prompt: Vec<String>,
    /// OpenID Connect `max_age`, seconds.
    pub max_age: Option<i64>,
    /// The user claims the client asks to read (allowed to it and implied by the scopes).
    pub claims: Vec<String>,
    /// What a `credential` authorization is for.
    pub credential: Option<CredentialRequest>,
    /// OpenID Connect `ui_locales`: the languages the client would like the pages in,
    /// best first (language tags, BCP 47). Requests stored before it existed have none.
    #[serde(default)]
    pub ui_locales: Vec<String>,
    /// OpenID Connect `login_hint`: the user name the client expects, to fill in on the
    /// login page (a hint only: the signer may log in as anyone).
    #[serde(default)]
    pub login_hint: Option<String>,
}

impl ValidRequest {
    /// Whether `scope` was asked for.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// The signatures a CSC `credential` scope request asks the signer to approve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRequest {
    /// The credential (checked against the signer once logged in).
    pub credential_id: String,
    /// Signatures authorised.
    pub num_signatures: i64,
    /// The digests, standard base64, in the order given.
    pub hashes: Vec<String>,
    /// Their labels (RFC 9396 `documentDigests[].label`), when given.
    pub labels: Vec<Option<String>>,
    /// Hash algorithm OID, when named.
    pub hash_algo: Option<String>,
    /// Text the application wants the signer to see.
    pub description: Option<String>,
    /// A prepared PAdES transaction (`documents/prepare`) whose DTBS/R is among the
    /// hashes: the approval page shows the PDF (Signet's `document_transaction`).
    #[serde(default)]
    pub transaction_id: Option<String>,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The client or redirect URI cannot be trusted: shown to the user, never redirected
    /// (RFC 6749 §4.1.2.1; RFC 9700 §4.11 no open redirector).
    Page(String),
    /// An error the client is told at its redirect URI (RFC 6749 §4.1.2.1).
    Redirect {
        /// Where.
        redirect_uri: String,
        /// The OAuth error code.
        error: &'static str,
        /// What is wrong.
        description: String,
        /// The client's `state`.
        state: Option<String>,
    },
}

impl RequestError {
    /// The URL to send the browser to for a `Redirect` error (with `error`,
    /// `error_description`, `state` and `iss`); `None` for a `Page` error.
    pub fn redirect_url(&self, issuer: &str) -> Option<String> {
        let Self::Redirect { redirect_uri, error, description, state } = self else {
            return None;
        };
        let mut params = vec![("error", *error), ("error_description", description.as_str())];
        if let Some(s) = state {
            params.push(("state", s));
        }
        Some(super::response_url(issuer, redirect_uri, &params))
    }
}

/// Validates the parameters (already split from the query, in order) of a request of
/// `client` (`None`: no such client).
pub fn validate(
    params: &[(String, String)],
    client: Option<&Client>,
) -> Result<ValidRequest, RequestError> {
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let client_id = get("client_id").unwrap_or("");
    let Some(client) = client.filter(|c| c.id == client_id) else {
        return Err(RequestError::Page(if client_id.is_empty() {
            "The request names no client (client_id).".into()
        } else {
            "The application that sent you here is not registered.".into()
        }));
    };
    let repeated = repeated_parameter(params);
    if repeated.is_some_and(|n| n == "client_id" || n == "redirect_uri") {
        return Err(RequestError::Page("The request repeats a parameter.".into()));
    }
    // RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: exact string comparison with a registered
    // URI; none given is allowed only when exactly one is registered.
    let (redirect_uri, given) = match get("redirect_uri") {
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => (uri.to_owned(), true),
        Some(_) => {
            return Err(RequestError::Page(
                "The application asked to return to an address it has not registered.".into(),
            ))
        }
        None => match client.redirect_uris.as_slice() {
            [only] => (only.clone(), false),
            _ => {
                return Err(RequestError::Page(
                    "The request names no redirect_uri and the application has several.".into(),
                ))
            }
        },
    };
    let state = get("state").map(str::to_owned);
    let fail = |error: &'static str, description: &str| RequestError::Redirect {
        redirect_uri: redirect_uri.clone(),
        error,
        description: description.to_owned(),
        state: state.clone().filter(|s| s.len() <= MAX_ECHOED),
    };
    if let Some(name) = repeated {
        return Err(fail("invalid_request", &format!("Parameter {name} is repeated")));
    }
    if state.as_ref().is_some_and(|s| s.len() > MAX_ECHOED) {
        return Err(fail("invalid_request", "Parameter state is too long"));
    }
    if get("request").is_some() {
        return Err(fail("request_not_supported", "Request objects are not supported"));
    }
    if get("request_uri").is_some() {
        return Err(fail("request_uri_not_supported", "request_uri is not supported"));
    }
    match get("response_type") {
        Some("code") => {}
        None => return Err(fail("invalid_request", "Missing parameter response_type")),
        Some(_) => {
            return Err(fail(
                "unsupported_response_type",
                "Only the authorization code flow (response_type=code) is supported",
            ))
        }
    }
    if get("response_mode").is_some_and(|m| m != "query") {
        return Err(fail("invalid_request", "Only response_mode=query is supported"));
    }

    let code_challenge = pkce(get("code_challenge"), get("code_challenge_method"), client)
        .map_err(|d| fail("invalid_request", d))?;

    let mut scopes: Vec<String> = Vec::new();
    for s in get("scope").unwrap_or("").split(' ').filter(|s| !s.is_empty()) {
        if !scopes.iter().any(|k| k == s) {
            scopes.push(s.to_owned());
        }
    }
    let details = match get("authorization_details") {
        Some(text) => Some(authorization_details(text).map_err(|d| fail("invalid_request", &d))?),
        None => None,
    };
    if details.is_some() && !scopes.iter().any(|s| s == "credential") {
        // RFC 9396 §2: the details are the request; CSC v2 allows them in place of the
        // `credential` scope.
        scopes.push("credential".into());
    }
    if scopes.is_empty() {
        return Err(fail("invalid_scope", "Missing parameter scope"));
    }
    if let Some(bad) = scopes.iter().find(|s| !client.scopes.contains(s)) {
        let shown: String = bad.chars().take(64).collect();
        return Err(fail("invalid_scope", &format!("Scope {shown} is not allowed to this client")));
    }
    let has = |s: &str| scopes.iter().any(|k| k == s);
    if has("service") && has("credential") {
        return Err(fail("invalid_scope", "Scopes service and credential are exclusive"));
    }

    let nonce = get("nonce").map(str::to_owned);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_ECHOED) {
        return Err(fail("invalid_request", "Parameter nonce is too long"));
    }
    let prompt: Vec<String> = get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(bad) = prompt
        .iter()
        .find(|p| !["none", "login", "consent", "select_account"].contains(&p.as_str()))
    {
        let shown: String = bad.chars().take(32).collect();
        return Err(fail("invalid_request", &format!("Unknown prompt value {shown}")));
    }
    if prompt.len() > 1 && prompt.iter().any(|p| p == "none") {
        // OpenID Connect Core §3.1.2.1: none with any other value is an error.
        return Err(fail("invalid_request", "prompt=none cannot be combined with other values"));
    }
    let max_age = match get("max_age") {
        Some(m) => Some(
            m.parse::<i64>()
                .ok()
                .filter(|v| *v >= 0)
                .ok_or_else(|| fail("invalid_request", "Invalid parameter max_age"))?,
        ),
        None => None,
    };

    let credential = if has("credential") {
        let mut req = match details {
            Some(d) => d,
            None => csc_credential(&get).map_err(|d| fail("invalid_request", &d))?,
        };
        req.transaction_id = get("document_transaction")
            .filter(|t| !t.is_empty() && t.len() <= 64)
            .map(str::to_owned);
        Some(req)
    } else {
        None
    };

    Ok(ValidRequest {
        client_id: client.id.clone(),
        redirect_uri,
        redirect_uri_given: given,
        claims: if has("openid") { released_claims(&scopes, &client.claims) } else { Vec::new() },
        scopes,
        state,
        nonce,
        code_challenge,
        prompt,
        max_age,
        credential,
        ui_locales: ui_locales(get("ui_locales")),
        login_hint: login_hint(get("login_hint")),
    })
}

/// Longest `login_hint` kept (a user name or an e-mail address).
const MAX_LOGIN_HINT: usize = 256;

/// The `login_hint` when it can be a user name: not empty, at most
/// [`MAX_LOGIN_HINT`] bytes, no control characters. Otherwise none: it is a hint (OpenID
/// Connect Core §3.1.2.1), never a reason to refuse the request.
fn login_hint(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|h| !h.is_empty() && h.len() <= MAX_LOGIN_HINT && !h.chars().any(char::is_control))
        .map(str::to_owned)
}

/// Most `ui_locales` tags kept.
const MAX_UI_LOCALES: usize = 8;

/// The `ui_locales` tags that look like language tags (BCP 47: letters, digits and
/// hyphens, at most 35 characters), in order. OpenID Connect Core §3.1.2.1: a
/// language the provider does not have is no error, so neither is a malformed tag: it is
/// left out.
fn ui_locales(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split_ascii_whitespace()
        .filter(|t| {
            t.len() <= 35
                && t.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .take(MAX_UI_LOCALES)
        .map(str::to_owned)
        .collect()
}

/// The first parameter given more than once (RFC 6749 §3.1: "MUST NOT be included
/// more than once").
fn repeated_parameter(params: &[(String, String)]) -> Option<&str> {
    let mut seen = BTreeSet::new();
    params.iter().map(|(n, _)| n.as_str()).find(|n| !seen.insert(*n))
}

/// PKCE (RFC 7636 §4.3, RFC 9700 §2.1.1): S256 only — `plain` is refused — and
/// required of public clients. The challenge is BASE64URL(SHA-256(verifier)): 43
/// characters.
fn pkce(
    challenge: Option<&str>,
    method: Option<&str>,
    client: &Client,
) -> Result<Option<String>, &'static str> {
    match (challenge, method) {
        (None, None) if client.public => {
            Err("PKCE is required: send code_challenge with code_challenge_method=S256")
        }
        (None, None) => Ok(None),
        (None, Some(_)) => Err("Missing parameter code_challenge"),
        (Some(_), None | Some("plain")) => {
            Err("PKCE method plain is not allowed: use code_challenge_method=S256")
        }
        (Some(c), Some("S256")) => {
            let ok = c.len() == 43
                && base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(c)
                    .is_ok_and(|b| b.len() == 32);
            if ok {
                Ok(Some(c.to_owned()))
            } else {
                Err("Invalid parameter code_challenge: BASE64URL(SHA-256(code_verifier)) expected")
            }
        }
        (Some(_), Some(_)) => Err("Unsupported code_challenge_method: use S256"),
    }
}

/// The claims a client may read and that the scopes ask for (OpenID Connect Core §5.4);
/// `loa` (the authentication level) whenever the client is allowed it.
fn released_claims(scopes: &[String], allowed: &[String]) -> Vec<String> {
    let mut wanted: Vec<&str> = vec!["loa"];
    for s in scopes {
        match s.as_str() {
            "profile" => wanted.extend(["name", "given_name", "family_name"]),
            "email" => wanted.push("email"),
            "phone" => wanted.push("phone_number"),
            _ => {}
        }
    }
    allowed.iter().filter(|c| wanted.contains(&c.as_str())).cloned().collect()
}

/// The CSC v1.0.4.0 §8.4.2 parameters of a `credential` scope request.
fn csc_credential<'a>(get: &dyn Fn(&str) -> Option<&'a str>) -> Result<CredentialRequest, String> {
    let credential_id = get("credentialID")
        .filter(|c| !c.is_empty())
        .ok_or("Missing parameter credentialID")?
        .to_owned();
    let num_signatures = get("numSignatures")
        .ok_or("Missing parameter numSignatures")?
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_HASHES as i64).contains(n))
        .ok_or("Invalid parameter numSignatures")?;
    // CSC §8.4.2: "one or more base64url-encoded hash values … separated by commas"; the
    // standard alphabet is accepted too, as clients send both.
    let hashes: Vec<String> = get("hash")
        .ok_or("Missing parameter hash")?
        .split(',')
        .map(|h| digest_b64(h).ok_or_else(|| "Invalid parameter hash".to_owned()))
        .collect::<Result<_, _>>()?;
    if hashes.len() != num_signatures as usize {
        return Err("numSignatures does not match the number of hashes".into());
    }
    Ok(CredentialRequest {
        credential_id,
        num_signatures,
        labels: vec![None; hashes.len()],
        hashes,
        hash_algo: get("hashAlgorithmOID").map(str::to_owned),
        description: description(get("description"))?,
        transaction_id: None,
    })
}

/// RFC 9396 `authorization_details` with one entry of CSC v2 type `credential`:
/// `credentialID`, `documentDigests` (`hash`, `label`) and `hashAlgorithmOID`.
fn authorization_details(text: &str) -> Result<CredentialRequest, String> {
    let bad = |what: &str| format!("Invalid parameter authorization_details: {what}");
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
    let entries = value.as_array().ok_or_else(|| bad("not an array"))?;
    let [entry] = entries.as_slice() else { return Err(bad("exactly one entry is supported")) };
    if entry.get("type").and_then(|t| t.as_str()) != Some("credential") {
        return Err(bad("type must be credential"));
    }
    let credential_id = entry
        .get("credentialID")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| bad("credentialID missing"))?
        .to_owned();
    let digests = entry
        .get("documentDigests")
        .and_then(|d| d.as_array())
        .filter(|d| !d.is_empty() && d.len() <= MAX_HASHES)
        .ok_or_else(|| bad("documentDigests missing or too long"))?;
    let mut hashes = Vec::with_capacity(digests.len());
    let mut labels = Vec::with_capacity(digests.len());
    for d in digests {
        let hash = d
            .get("hash")
            .and_then(|h| h.as_str())
            .and_then(digest_b64)
            .ok_or_else(|| bad("a documentDigests hash is not base64"))?;
        let label = match d.get("label") {
            None => None,
            Some(l) => Some(
                l.as_str()
                    .filter(|l| l.chars().count() <= 256)
                    .ok_or_else(|| bad("a label is not a short string"))?
                    .to_owned(),
            ),
        };
        hashes.push(hash);
        labels.push(label);
    }
    Ok(CredentialRequest {
        credential_id,
        num_signatures: hashes.len() as i64,
        hashes,
        labels,
        hash_algo: entry.get("hashAlgorithmOID").and_then(|h| h.as_str()).map(str::to_owned),
        description: description(entry.get("description").and_then(|d| d.as_str()))?,
        transaction_id: None,
    })
}

fn description(d: Option<&str>) -> Result<Option<String>, String> {
    match d {
        Some(d) if d.chars().count() > MAX_DESCRIPTION => {
            Err(format!("Parameter description is longer than {MAX_DESCRIPTION} characters"))
        }
        Some(d) => Ok(Some(d.to_owned())),
        None => Ok(None),
    }
}

/// A digest in base64url or base64 (20 to 64 bytes), as standard base64.
fn digest_b64(text: &str) -> Option<String> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let trimmed = text.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .ok()
        .filter(|b| (20..=64).contains(&b.len()))?;
    Some(STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(public: bool) -> Client {
        Client {
            id: "c1".into(),
            group_id: "g".into(),
            name: "app".into(),
            secret_hash: (!public).then(|| "x".into()),
            public,
            redirect_uris: vec!["https://app.example/cb".into(), "http://127.0.0.1:9/cb".into()],
            scopes: vec!["openid".into(), "profile".into(), "credential".into(), "service".into()],
            claims: vec!["name".into(), "email".into(), "loa".into()],
            jwks: None,
            created_at: 0,
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
    }

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("response_type", "code"),
            ("client_id", "c1"),
            ("redirect_uri", "https://app.example/cb"),
            ("scope", "openid profile"),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]
    }

    fn redirect_error(r: Result<ValidRequest, RequestError>) -> (&'static str, String) {
        match r {
            Err(RequestError::Redirect { error, description, .. }) => (error, description),
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_request_keeps_what_the_flow_needs() {
        let r = validate(&params(&base()), Some(&client(true))).unwrap();
        assert_eq!(r.redirect_uri, "https://app.example/cb");
        assert_eq!(r.state.as_deref(), Some("xyz"));
        assert_eq!(r.code_challenge.as_deref(), Some(CHALLENGE));
        // profile implies name (allowed) and given/family name (not allowed); loa allowed
        assert_eq!(r.claims, vec!["name".to_owned(), "loa".to_owned()]);
    }

    #[test]
    fn untrusted_client_or_redirect_uri_is_never_redirected_to() {
        for (name, value) in [
            ("client_id", "nope"),
            ("redirect_uri", "https://evil.example/cb"),
            ("redirect_uri", "https://app.example/cb?x=1"),
            ("redirect_uri", "https://app.example/cb#f"),
            ("redirect_uri", "https://app.example/cb/"),
            ("redirect_uri", "HTTPS://app.example/cb"),
        ] {
            let mut p = base();
            p.retain(|(n, _)| *n != name);
            p.push((name, value));
            let r = validate(&params(&p), Some(&client(true)));
            assert!(matches!(r, Err(RequestError::Page(_))), "{name}={value}: {r:?}");
        }
        let mut p = base();
        p.push(("redirect_uri", "https://app.example/cb"));
        assert!(matches!(validate(&params(&p), Some(&client(true))), Err(RequestError::Page(_))));
    }

    #[test]
    fn pkce_is_required_of_public_clients_and_plain_is_refused() {
        let mut p = base();
        p.retain(|(n, _)| !n.starts_with("code_challenge"));
        assert!(redirect_error(validate(&params(&p), Some(&client(true))))
            .1
            .contains("PKCE is required"));
        assert!(validate(&params(&p), Some(&client(false))).is_ok(), "optional when confidential");
        let mut plain = p.clone();
        plain.extend([("code_challenge", CHALLENGE), ("code_challenge_method", "plain")]);
        assert!(redirect_error(validate(&params(&plain), Some(&client(false))))
            .1
            .contains("plain"));
        let mut no_method = p.clone();
        no_method.push(("code_challenge", CHALLENGE));
        assert!(redirect_error(validate(&params(&no_method), Some(&client(false))))
            .1
            .contains("plain"));
        let mut short = p;
        short.extend([("code_challenge", "abc"), ("code_challenge_method", "S256")]);
        assert_eq!(
            redirect_error(validate(&params(&short), Some(&client(false)))).0,
            "invalid_request"
        );
    }

    #[test]
    fn ui_locales_keep_the_language_tags_in_order_and_drop_the_rest() {
        assert_eq!(ui_locales(Some("fr-CA fr  en")), ["fr-CA", "fr", "en"]);
        assert_eq!(ui_locales(Some("<script> 1x fr_FR de")), ["de"]);
        assert!(ui_locales(None).is_empty());
        assert_eq!(ui_locales(Some(&"a ".repeat(50))).len(), MAX_UI_LOCALES);
    }

    #[test]
    fn a_login_hint_is_kept_only_when_it_can_be_a_user_name() {
        assert_eq!(login_hint(Some(" ada@example.org ")).as_deref(), Some("ada@example.org"));
        assert_eq!(login_hint(Some("ada\nbob")), None);
        assert_eq!(login_hint(Some("")), None);
        assert_eq!(login_hint(Some(&"a".repeat(MAX_LOGIN_HINT + 1))), None);
    }

    #[test]
    fn scopes_response_types_and_prompts_are_checked() {
        let with = |name: &'static str, value: &'static str| {
            let mut p = base();
            p.retain(|(n, _)| *n != name);
            p.push((name, value));
            validate(&params(&p), Some(&client(true)))
        };
        assert_eq!(redirect_error(with("scope", "openid email_x")).0, "invalid_scope");
        assert_eq!(redirect_error(with("scope", "service credential")).0, "invalid_scope");
        assert_eq!(redirect_error(with("response_type", "token")).0, "unsupported_response_type");
        assert_eq!(redirect_error(with("prompt", "none login")).0, "invalid_request");
        assert_eq!(redirect_error(with("max_age", "-1")).0, "invalid_request");
        assert_eq!(redirect_error(with("request", "eyJ")).0, "request_not_supported");
        let mut twice = base();
        twice.push(("scope", "openid"));
        assert!(redirect_error(validate(&params(&twice), Some(&client(true))))
            .1
            .contains("repeated"));
    }

    #[test]
    fn credential_requests_carry_hashes_in_both_syntaxes() {
        let h = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
        let mut p = base();
        p.retain(|(n, _)| *n != "scope");
        p.extend([
            ("scope", "credential"),
            ("credentialID", "cred-1"),
            ("numSignatures", "1"),
            ("hash", h),
        ]);
        let r = validate(&params(&p), Some(&client(true))).unwrap();
        let c = r.credential.unwrap();
        assert_eq!((c.credential_id.as_str(), c.num_signatures), ("cred-1", 1));
        assert_eq!(c.hashes, vec!["n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=".to_owned()]);

        let mut mismatch = p.clone();
        mismatch.retain(|(n, _)| *n != "numSignatures");
        mismatch.push(("numSignatures", "2"));
        assert!(redirect_error(validate(&params(&mismatch), Some(&client(true))))
            .1
            .contains("numSignatures"));

        let details = format!(
            r#"[{{"type":"credential","credentialID":"cred-2","documentDigests":[{{"hash":"{h}","label":"contract.pdf"}}],"hashAlgorithmOID":"2.16.840.1.101.3.4.2.1"}}]"#
        );
        let mut p = base();
        p.retain(|(n, _)| *n != "scope");
        p.push(("scope", "openid"));
        let p = params(&p)
            .into_iter()
            .chain([("authorization_details".to_owned(), details)])
            .collect::<Vec<_>>();
        let r = validate(&p, Some(&client(true))).unwrap();
        assert!(r.has_scope("credential"));
        let c = r.credential.unwrap();
        assert_eq!(c.credential_id, "cred-2");
        assert_eq!(c.labels, vec![Some("contract.pdf".to_owned())]);
    }
}
