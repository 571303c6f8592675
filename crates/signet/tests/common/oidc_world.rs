//! The world of the authorization-server tests: `signet serve` with a signer (Ada, with a
//! PIN and an EC credential), a public client (`spa`, PKCE) and a confidential one
//! (`web`), and the steps a browser and a client take against it.

use super::browser::{
    encode, query_param, redeem_public, token_request, Browser, CHALLENGE, REDIRECT,
};
use super::*;
use serde_json::Value;

pub struct World {
    pub dir: tempfile::TempDir,
    pub server: Server,
    /// Public client (PKCE).
    pub spa: String,
    /// Confidential client: id and secret.
    pub web: (String, String),
    pub credential: String,
}

impl World {
    pub fn start() -> Self {
        Self::start_on(Module::Soft).expect("the soft module is always there")
    }

    /// The world on a crypto module (`None`: SoftHSM2 is not installed here).
    pub fn start_on(module: Module) -> Option<Self> {
        let (dir, server, credential) = serve_with_ada(module)?;
        let d = dir.path();
        let client = |name: &str, public: bool| {
            let mut args = vec![
                "client",
                "create",
                "--group",
                "default",
                "--name",
                name,
                "--redirect-uri",
                REDIRECT,
                "--scope",
                "openid",
                "--scope",
                "profile",
                "--scope",
                "email",
                "--scope",
                "offline_access",
                "--scope",
                "credential",
                "--scope",
                "service",
                "--claim",
                "name",
                "--claim",
                "loa",
            ];
            if public {
                args.push("--public");
            }
            admin_json(d, &args, "")
        };
        let spa = client("spa", true)["client_id"].as_str().unwrap().to_owned();
        let web = client("web", false);
        let web = (
            web["client_id"].as_str().unwrap().to_owned(),
            web["client_secret"].as_str().unwrap().to_owned(),
        );
        Some(Self { dir, server, spa, web, credential })
    }

    pub fn addr(&self) -> &str {
        &self.server.addr
    }

    pub fn issuer(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// `/oauth2/authorize?…` for the public client with PKCE, state and nonce, plus `extra`
    /// (which replace a default of the same name).
    pub fn authorize(&self, client: &str, extra: &[(&str, &str)]) -> String {
        let mut fields: Vec<(&str, &str)> = vec![
            ("response_type", "code"),
            ("client_id", client),
            ("redirect_uri", REDIRECT),
            ("scope", "openid profile"),
            ("state", "st-123"),
            ("nonce", "n-0S6_WzA2Mj"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ];
        for (k, v) in extra {
            fields.retain(|(n, _)| n != k);
            if !v.is_empty() {
                fields.push((k, v));
            }
        }
        format!("/oauth2/authorize?{}", encode(&fields))
    }

    /// Logs in on the login page the flow shows, consents when asked, and returns the
    /// redirect back to the client.
    pub fn login_and_consent(&self, b: &Browser, authorize: &str) -> String {
        let page = b.follow(b.get(authorize));
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Log in"), "{}", page.body);
        let next = b.post(
            &page.form_action(),
            &[("csrf", &page.csrf()), ("username", "ada"), ("password", "ada-password")],
        );
        assert_eq!(next.status, 303, "{}", next.body);
        let mut page = b.follow(next);
        if page.body.contains("Share your information") {
            page = b.follow(
                b.post(&page.form_action(), &[("csrf", &page.csrf()), ("decision", "allow")]),
            );
        }
        assert_eq!(page.status, 303, "expected a redirect to the client: {}", page.body);
        let location = page.location().unwrap();
        assert!(location.starts_with(REDIRECT), "{location}");
        location
    }

    /// `POST /oauth2/token` with a form, optionally HTTP Basic.
    pub fn token(&self, fields: &[(&str, &str)], basic: Option<(&str, &str)>) -> (u16, Value) {
        token_request(self.addr(), fields, basic)
    }

    /// Redeems a code for the public client with the right verifier.
    pub fn redeem(&self, code: &str) -> (u16, Value) {
        redeem_public(self.addr(), code, &self.spa)
    }

    /// A code for the public client, through a fresh browser.
    pub fn code(&self, extra: &[(&str, &str)]) -> String {
        let b = Browser::new(self.addr());
        let back = self.login_and_consent(&b, &self.authorize(&self.spa, extra));
        query_param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"))
    }

    pub fn audit(&self) -> String {
        let out = signet(self.dir.path(), &["audit", "list", "--json"], &[], "");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// `signet serve` on `module` (listening where its `public_url` says) with Ada: password
/// `ada-password`, PIN `123456`, an EC P-256 credential. The data directory, the server
/// and the credential's id (`None`: SoftHSM2 is not installed here).
pub fn serve_with_ada(module: Module) -> Option<(tempfile::TempDir, Server, String)> {
    let listen = free_addr();
    let dir = data_dir_on(module, &format!("public_url = \"http://{listen}\"\n{FAST_CONFIG}"))?;
    let d = dir.path();
    let server = Server::start_on(d, &listen);
    let ada = ["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"];
    admin_json(d, &[&ada[..], &["--email", "ada@example.org"]].concat(), "ada-password");
    admin_json(d, &["user", "set-pin", "ada", "--pin-stdin"], "123456");
    let c = admin_json(d, &["credential", "create", "ada", "--key", "ec-p256"], "");
    Some((dir, server, c["credential_id"].as_str().unwrap().to_owned()))
}

/// The claims of a JWT (its payload, not checked).
pub fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&signer::unb64url(part)).unwrap()
}
