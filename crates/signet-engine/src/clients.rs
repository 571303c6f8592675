//! OAuth 2.0 clients of a group's service providers (RFC 6749 §2): registration and
//! listing. A client is confidential (a secret, shown once) or public (no secret, PKCE
//! required); it lists the exact redirect URIs it may use, the scopes it may ask for and
//! the user claims it may read.

use crate::accounts::{check_name, conflict, hash};
use crate::{Engine, EngineError};
use signet_store::{Client, NewClient};
use std::collections::BTreeMap;

/// The scopes a client may be allowed: CSC v1.0.4.0 §8 (`service`, `credential`) and
/// OpenID Connect Core §5.4 and §11 (`openid`, `profile`, `email`, `phone`,
/// `offline_access`).
pub const CLIENT_SCOPES: &[&str] =
    &["service", "credential", "openid", "profile", "email", "phone", "offline_access"];

/// The user claims a client may be allowed to read (OpenID Connect Core §5.1, and `loa`:
/// the eIDAS level of assurance of the authentication).
pub const CLIENT_CLAIMS: &[&str] =
    &["name", "given_name", "family_name", "email", "phone_number", "loa"];

/// Most redirect URIs one client may register.
const MAX_REDIRECT_URIS: usize = 32;
/// Longest redirect URI accepted, in bytes.
const MAX_REDIRECT_URI_LEN: usize = 2048;

/// A client to register.
#[derive(Debug, Clone, Default)]
pub struct NewClientRequest {
    /// Group name.
    pub group: String,
    /// Client name, unique in the group.
    pub name: String,
    /// The exact redirect URIs (RFC 6749 §3.1.2); at least one for a public client.
    pub redirect_uris: Vec<String>,
    /// A public client (RFC 6749 §2.1): no secret; it must use PKCE.
    pub public: bool,
    /// Allowed scopes, from [`CLIENT_SCOPES`]; at least one.
    pub scopes: Vec<String>,
    /// User claims it may read, from [`CLIENT_CLAIMS`]; they need the `openid` scope.
    pub claims: Vec<String>,
    /// Public keys for `private_key_jwt` client authentication (RFC 7523 §2.2).
    pub jwt_keys: Vec<JwtKey>,
}

/// A client's public key for `private_key_jwt`.
#[derive(Debug, Clone)]
pub enum JwtKey {
    /// A DER `SubjectPublicKeyInfo` (from a PEM `PUBLIC KEY`).
    Spki(Vec<u8>),
    /// A JWK (RFC 7517 §4), public members only.
    Jwk(serde_json::Value),
}

/// Most keys one client may register.
const MAX_JWT_KEYS: usize = 8;

/// A client just created: the only time its secret is shown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientCreated {
    /// The client as operators see it.
    #[serde(flatten)]
    pub client: ClientView,
    /// OAuth 2.0 `client_secret` (stored only as an argon2id hash); `None` for a public
    /// client.
    pub client_secret: Option<String>,
}

/// A client as shown to operators (never its secret or the secret's hash).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClientView {
    /// OAuth 2.0 `client_id`.
    pub client_id: String,
    /// Client name.
    pub name: String,
    /// Group name.
    pub group: String,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Whether it is a public client.
    pub public: bool,
    /// Allowed scopes.
    pub scopes: Vec<String>,
    /// User claims it may read.
    pub claims: Vec<String>,
    /// The ids (RFC 7638 thumbprints) of its `private_key_jwt` keys.
    pub jwt_key_ids: Vec<String>,
}

impl Engine {
    /// Registers an OAuth client in a group; a confidential client's secret is returned
    /// here, once.
    pub async fn create_client(&self, req: NewClientRequest) -> Result<ClientCreated, EngineError> {
        check_name("client name", &req.name)?;
        let redirect_uris = dedup(req.redirect_uris);
        for uri in &redirect_uris {
            check_redirect_uri(uri)?;
        }
        if redirect_uris.len() > MAX_REDIRECT_URIS {
            return Err(EngineError::InvalidInput(format!(
                "at most {MAX_REDIRECT_URIS} redirect URIs per client"
            )));
        }
        if req.public && redirect_uris.is_empty() {
            return Err(EngineError::InvalidInput(
                "a public client needs at least one redirect URI (--redirect-uri)".into(),
            ));
        }
        let scopes = dedup(req.scopes);
        check_known("scope", &scopes, CLIENT_SCOPES)?;
        if scopes.is_empty() {
            return Err(EngineError::InvalidInput("a client needs at least one scope".into()));
        }
        let claims = dedup(req.claims);
        check_known("claim", &claims, CLIENT_CLAIMS)?;
        if !claims.is_empty() && !scopes.iter().any(|s| s == "openid") {
            return Err(EngineError::InvalidInput(
                "user claims are released through OpenID Connect: add the scope `openid`".into(),
            ));
        }

        if req.jwt_keys.len() > MAX_JWT_KEYS {
            return Err(EngineError::InvalidInput(format!(
                "at most {MAX_JWT_KEYS} keys per client"
            )));
        }
        if req.public && !req.jwt_keys.is_empty() {
            return Err(EngineError::InvalidInput(
                "a public client has no credentials: it cannot register keys".into(),
            ));
        }
        let jwks = jwk_set(&req.jwt_keys)?;
        let g = self.group_named(&req.group).await?;
        let secret = if req.public { None } else { Some(signet_auth::generate_secret()?) };
        let secret_hash = match &secret {
            Some(s) => Some(hash(s.as_bytes()).await?),
            None => None,
        };
        let name = req.name;
        let client = NewClient {
            id: crate::new_id(),
            group_id: g.id,
            name: name.clone(),
            secret_hash,
            public: req.public,
            redirect_uris,
            scopes,
            claims,
            jwks,
            created_at: self.clock.now(),
        };
        let client = self.store.create_client(client).await.map_err(|e| {
            conflict(e, format!("group `{}` already has a client named `{name}`", g.name))
        })?;
        self.admin_audit(
            "client.create",
            None,
            None,
            serde_json::json!({
                "client_id": client.id,
                "group": g.name,
                "name": client.name,
                "public": client.public,
                "redirect_uris": client.redirect_uris,
                "scopes": client.scopes,
                "claims": client.claims,
                "jwt_keys": key_ids(client.jwks.as_deref()),
            }),
        )
        .await?;
        Ok(ClientCreated { client: client_view(client, g.name), client_secret: secret })
    }

    /// The clients of one group (by name), or of every group (by group, then name).
    pub async fn list_clients(&self, group: Option<&str>) -> Result<Vec<ClientView>, EngineError> {
        let mut groups = BTreeMap::new();
        let clients = match group {
            Some(name) => {
                let g = self.group_named(name).await?;
                let clients = self.store.list_clients(Some(&g.id)).await?;
                groups.insert(g.id, g.name);
                clients
            }
            None => self.store.list_clients(None).await?,
        };
        let mut views = Vec::with_capacity(clients.len());
        for c in clients {
            if !groups.contains_key(&c.group_id) {
                let name = self.store.group_by_id(&c.group_id).await?.map(|g| g.name);
                groups.insert(c.group_id.clone(), name.unwrap_or_default());
            }
            let group = groups.get(&c.group_id).cloned().unwrap_or_default();
            views.push(client_view(c, group));
        }
        views.sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
        Ok(views)
    }
}

fn client_view(c: Client, group: String) -> ClientView {
    ClientView {
        client_id: c.id,
        name: c.name,
        group,
        redirect_uris: c.redirect_uris,
        public: c.public,
        scopes: c.scopes,
        claims: c.claims,
        jwt_key_ids: key_ids(c.jwks.as_deref()),
    }
}

/// The JWK Set of a client's keys (public members, `kid` the RFC 7638 thumbprint), JSON;
/// `None` without keys. Each key must be RSA (2048 bits or more) or EC P-256/P-384.
fn jwk_set(keys: &[JwtKey]) -> Result<Option<String>, EngineError> {
    if keys.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let bad =
            |e: &dyn std::fmt::Display| EngineError::InvalidInput(format!("key {}: {e}", i + 1));
        let spki = match key {
            JwtKey::Spki(der) => der.clone(),
            JwtKey::Jwk(jwk) => crate::oauth::jose::spki_from_jwk(jwk).map_err(|e| bad(&e))?,
        };
        let alg = crate::oauth::jose::default_alg(&spki).map_err(|e| bad(&e))?;
        out.push(crate::oauth::jose::jwk_from_spki(&spki, alg).map_err(|e| bad(&e))?);
    }
    Ok(Some(serde_json::json!({ "keys": out }).to_string()))
}

fn key_ids(jwks: Option<&str>) -> Vec<String> {
    let set: serde_json::Value =
        jwks.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    set["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect()
}

/// `items` without repeats, in their first order.
fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn check_known(kind: &str, items: &[String], known: &[&str]) -> Result<(), EngineError> {
    match items.iter().find(|i| !known.contains(&i.as_str())) {
        None => Ok(()),
        Some(bad) => Err(EngineError::InvalidInput(format!(
            "unknown {kind} `{}`: use {}",
            bad.chars().take(64).collect::<String>(),
            known.join(", ")
        ))),
    }
}

/// A redirect URI as RFC 6749 §3.1.2 and RFC 9700 §4.1.3 want it for exact matching:
/// absolute, without a fragment, without a wildcard, over `https` — or plain `http` to a
/// loopback address of a native app (RFC 8252 §7.3: `127.0.0.0/8`, `[::1]`, and
/// `localhost`). It is stored as given: the authorization endpoint compares strings.
pub fn check_redirect_uri(uri: &str) -> Result<(), EngineError> {
    let refuse = |why: &str| {
        let shown: String = uri.chars().take(128).collect();
        Err(EngineError::InvalidInput(format!("redirect URI `{}` {why}", shown.escape_debug())))
    };
    if uri.len() > MAX_REDIRECT_URI_LEN {
        return refuse(&format!("is longer than {MAX_REDIRECT_URI_LEN} bytes"));
    }
    // The URL parser would quietly drop these; an exact match must not depend on it.
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("contains whitespace or control characters");
    }
    if uri.contains('#') {
        return refuse("has a fragment (RFC 6749 §3.1.2)");
    }
    if uri.contains('*') {
        return refuse("has a wildcard: redirect URIs are matched exactly");
    }
    if !has_scheme(uri) {
        return refuse("is not absolute (https://host/path)");
    }
    let url = match reqwest::Url::parse(uri) {
        Ok(url) => url,
        Err(e) => return refuse(&format!("is not a valid URI: {e}")),
    };
    let scheme = url.scheme();
    if scheme != "https" && scheme != "http" {
        return refuse(&format!(
            "uses `{scheme}:`: only https, or http to a loopback address, is allowed"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("has user information");
    }
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return refuse("has no host");
    };
    if scheme == "http" && !is_loopback(host) {
        return refuse(
            "uses http: only https, or http to a loopback address (127.0.0.1, [::1], \
             localhost), is allowed",
        );
    }
    Ok(())
}

/// Whether `uri` starts with a scheme (RFC 3986 §3.1: `ALPHA *( ALPHA / DIGIT / "+" /
/// "-" / "." ) ":"`), i.e. is absolute rather than a relative reference.
fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `127.0.0.0/8`, `[::1]` or `localhost`, as the URL parser serialises hosts.
fn is_loopback(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok_and(|a| a.is_loopback());
    }
    host.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback()) || host == "localhost"
}

#[cfg(test)]
mod tests {
    use super::check_redirect_uri;

    #[test]
    fn redirect_uris_are_absolute_https_or_loopback_http_without_fragment_or_wildcard() {
        for ok in [
            "https://app.example/cb",
            "https://app.example:8443/oauth/cb?tenant=1",
            "http://127.0.0.1:8400/cb",
            "http://127.9.9.9/cb",
            "http://[::1]:8400/cb",
            "http://localhost/cb",
            "http://LOCALHOST:1/cb",
        ] {
            assert!(check_redirect_uri(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("http://app.example/cb", "uses http"),
            ("http://128.0.0.1/cb", "uses http"),
            ("http://[::2]/cb", "uses http"),
            ("http://localhost.evil.example/cb", "uses http"),
            ("https://app.example/cb#x", "fragment"),
            ("https://app.example/cb#", "fragment"),
            ("/cb", "not absolute"),
            ("app.example/cb", "not absolute"),
            ("https://*.app.example/cb", "wildcard"),
            ("https://app.example/*", "wildcard"),
            ("https://user:pw@app.example/cb", "user information"),
            ("https://app.example/c b", "whitespace"),
            ("https://app.example/cb\n", "whitespace"),
            ("ftp://app.example/cb", "uses `ftp:`"),
            ("com.example.app:/cb", "uses `com.example.app:`"),
            ("https://", "not a valid URI"),
            ("", "not absolute"),
        ] {
            let err = check_redirect_uri(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert!(check_redirect_uri(&format!("https://a.example/{}", "x".repeat(2048))).is_err());
    }
}
