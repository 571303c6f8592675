//! The signer's portal: a standalone login that only leads to portal pages, the list of
//! keys, and key creation after the group's TSP policy documents are shown and accepted
//! (the acceptance recorded and audited with the key).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a failed unwrap is a failed test

mod common;
use common::browser::Browser;
use common::*;

const TERMS: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

#[test]
fn a_signer_accepts_the_policy_documents_and_creates_a_certified_key() {
    let listen = free_addr();
    let config = format!(
        "public_url = \"http://{listen}\"\n{FAST_CONFIG}\n[[groups.default.documents]]\nname = \"Subscriber terms\"\nversion = \"2.1\"\nurl = \"https://tsp.example/terms\"\nsha256 = \"{TERMS}\"\n"
    );
    let dir = data_dir(&config);
    let d = dir.path();
    let s = Server::start_on(d, &listen);
    admin_json(
        d,
        &["user", "create", "ada", "--password-stdin", "--name", "Ada Lovelace"],
        "pw-12345678",
    );
    let b = Browser::new(&s.addr);

    let a = b.get("/account");
    assert_eq!((a.status, a.location().as_deref()), (303, Some("/login?next=/account")));
    // `next` never leads off the portal.
    let page = b.get("/login?next=https://evil.example/");
    assert!(page.body.contains("name=\"next\" value=\"/account\""), "{}", page.body);
    let page = b.get("/login?next=/account/keys/new");
    let a = b.post(
        "/login",
        &[
            ("csrf", &page.csrf()),
            ("next", "//evil.example"),
            ("username", "ada"),
            ("password", "pw-12345678"),
        ],
    );
    assert_eq!((a.status, a.location().as_deref()), (303, Some("/account")));
    let page = b.follow(a);
    assert!(page.body.contains("no signing key yet"), "{}", page.body);

    let form = b.get("/account/keys/new");
    assert_eq!(form.status, 200);
    for shown in ["Subscriber terms", "version 2.1", TERMS, "https://tsp.example/terms"] {
        assert!(form.body.contains(shown), "{shown} not shown: {}", form.body);
    }
    // Not accepted: refused, nothing created.
    let refused = b.post("/account/keys", &[("csrf", &form.csrf()), ("key", "ec-p256")]);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
    let listed = admin_json(d, &["credential", "list", "ada"], "");
    assert_eq!(listed["credentials"].as_array().map(Vec::len).unwrap_or(0), 0, "{listed}");
    // Accepted: the key is created and certified.
    let created =
        b.post("/account/keys", &[("csrf", &form.csrf()), ("accept", TERMS), ("key", "ec-p256")]);
    assert_eq!(created.status, 303, "{}", created.body);
    let page = b.follow(created);
    assert!(page.body.contains("created and certified"), "{}", page.body);
    assert!(
        page.body.contains("CN=Ada Lovelace") || page.body.contains("Ada Lovelace"),
        "{}",
        page.body
    );
    let listed = admin_json(d, &["credential", "list", "ada"], "");
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 1, "{listed}");
    let audit = String::from_utf8_lossy(&signet(d, &["audit", "list", "--json"], &[], "").stdout)
        .into_owned();
    assert!(audit.contains("keys.create") && audit.contains(TERMS), "acceptance audited: {audit}");
    // The pages speak the browser's language when Signet has it, English otherwise.
    let mut french = Browser::new(&s.addr);
    french.extra.push("Accept-Language: fr-CH, fr;q=0.9, en;q=0.5".into());
    let page = french.get("/login");
    assert!(
        page.body.contains("<html lang=\"fr\">") && page.body.contains("Mot de passe"),
        "{}",
        page.body
    );
    let mut german = Browser::new(&s.addr);
    german.extra.push("Accept-Language: de".into());
    assert!(german.get("/login").body.contains("Password"));
    // A post without the CSRF token changes nothing.
    let forged = Browser::new(&s.addr);
    let a = forged.post("/account/keys", &[("accept", TERMS), ("key", "ec-p256")]);
    assert_eq!(a.status, 403);
}
