//! `[groups.NAME.auth]` and `[groups.NAME.branding]`: how a group's signers authenticate
//! at the built-in identity provider, and how its pages look (issue 7).
//!
//! ```toml
//! [groups.acme.auth]
//! login_factors = ["password", "otp"]    # default ["password"]
//! signing_factors = ["pin", "otp"]       # default ["pin"] (+ otp for users who have one)
//! signing_loa = "substantial"            # low (default) | substantial
//! session_minutes = 480
//! step_up = true                          # may Signet ask a weaker session for the missing factor
//! csc_auth_mode = "oauth2code"           # explicit (default) | oauth2code
//!
//! [groups.acme.branding]
//! name = "ACME Trust"
//! color = "#0a7d4f"
//! logo_file = "/etc/signet/acme.svg"     # PNG, JPEG or SVG, at most 256 KiB
//! ```

use serde::Deserialize;
use signet_engine::oauth::{AuthFlow, Loa};
use signet_engine::Branding;
use std::path::PathBuf;

/// The largest logo accepted.
const MAX_LOGO_BYTES: u64 = 256 * 1024;

/// `[groups.NAME.auth]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Factors proven at login: `password`, and `otp`.
    #[serde(default)]
    pub login_factors: Vec<String>,
    /// Factors proven to approve a signature: `pin`, and `otp`.
    #[serde(default)]
    pub signing_factors: Vec<String>,
    /// The level a session must reach before a signature is approved.
    pub signing_loa: Option<String>,
    /// Lifetime of a login session.
    pub session_minutes: Option<i64>,
    /// Whether a weaker session may be stepped up.
    pub step_up: Option<bool>,
    /// CSC `authMode` of the group's credentials.
    pub csc_auth_mode: Option<String>,
}

/// `[groups.NAME.branding]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingConfig {
    /// The name shown on the pages.
    pub name: Option<String>,
    /// The main colour, `#rrggbb`.
    pub color: Option<String>,
    /// A logo file.
    pub logo_file: Option<PathBuf>,
}

/// The engine's flow; errors say what is wrong (the caller prefixes the key).
pub fn auth_flow(c: &AuthConfig) -> Result<AuthFlow, String> {
    let mut flow = AuthFlow::default();
    match words(&c.login_factors).as_slice() {
        [] | ["password"] => {}
        ["password", "otp"] | ["otp", "password"] => flow.login_otp = true,
        _ => return Err("login_factors: use [\"password\"] or [\"password\", \"otp\"]".into()),
    }
    match words(&c.signing_factors).as_slice() {
        [] | ["pin"] => {}
        ["pin", "otp"] | ["otp", "pin"] => flow.signing_otp = true,
        _ => return Err("signing_factors: use [\"pin\"] or [\"pin\", \"otp\"]".into()),
    }
    if let Some(l) = &c.signing_loa {
        flow.signing_loa = Loa::parse(l).ok_or("signing_loa: use low or substantial".to_owned())?;
    }
    if let Some(m) = c.session_minutes {
        flow.session_seconds = m.saturating_mul(60);
    }
    if let Some(s) = c.step_up {
        flow.step_up = s;
    }
    match c.csc_auth_mode.as_deref() {
        None | Some("explicit") => {}
        Some("oauth2code") => flow.oauth2code = true,
        Some(_) => return Err("csc_auth_mode: use explicit or oauth2code".into()),
    }
    flow.check()?;
    Ok(flow)
}

/// The engine's branding, with the logo read now.
pub fn branding(c: &BrandingConfig) -> Result<Branding, String> {
    let mut b = Branding::default();
    if let Some(name) = &c.name {
        if name.trim().is_empty() || name.chars().count() > 80 {
            return Err("name: 1 to 80 characters".into());
        }
        b.display_name = Some(name.clone());
    }
    if let Some(color) = &c.color {
        if !signet_engine::oauth::is_hex_color(color) {
            return Err("color: use #rrggbb".into());
        }
        b.color = color.clone();
    }
    if let Some(path) = &c.logo_file {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let media_type = match ext.as_str() {
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "svg" => "image/svg+xml",
            _ => return Err("logo_file: a .png, .jpg or .svg file".into()),
        };
        let size = std::fs::metadata(path)
            .map_err(|e| format!("logo_file: {}: {e}", path.display()))?
            .len();
        if size > MAX_LOGO_BYTES {
            return Err(format!("logo_file: larger than {MAX_LOGO_BYTES} bytes"));
        }
        let bytes =
            std::fs::read(path).map_err(|e| format!("logo_file: {}: {e}", path.display()))?;
        b.logo = Some((media_type.to_owned(), bytes));
    }
    Ok(b)
}

fn words(items: &[String]) -> Vec<&str> {
    items.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_parse_and_bad_values_are_named() {
        let c = AuthConfig {
            login_factors: vec!["password".into(), "otp".into()],
            signing_loa: Some("substantial".into()),
            session_minutes: Some(30),
            step_up: Some(false),
            csc_auth_mode: Some("oauth2code".into()),
            ..AuthConfig::default()
        };
        let f = auth_flow(&c).unwrap();
        assert!(f.login_otp && !f.step_up && f.oauth2code);
        assert_eq!((f.signing_loa, f.session_seconds), (Loa::Substantial, 1800));
        assert_eq!(auth_flow(&AuthConfig::default()).unwrap(), AuthFlow::default());
        for (bad, key) in [
            (
                AuthConfig { login_factors: vec!["sms".into()], ..Default::default() },
                "login_factors",
            ),
            (AuthConfig { signing_loa: Some("high".into()), ..Default::default() }, "high"),
            (AuthConfig { session_minutes: Some(0), ..Default::default() }, "session_minutes"),
            (
                AuthConfig { csc_auth_mode: Some("implicit".into()), ..Default::default() },
                "csc_auth_mode",
            ),
        ] {
            let e = auth_flow(&bad).unwrap_err();
            assert!(e.contains(key), "{e}");
        }
        assert!(
            branding(&BrandingConfig { color: Some("red".into()), ..Default::default() }).is_err()
        );
        let b = branding(&BrandingConfig {
            name: Some("ACME".into()),
            color: Some("#0a7d4f".into()),
            logo_file: None,
        })
        .unwrap();
        assert_eq!((b.display_name.as_deref(), b.color.as_str()), (Some("ACME"), "#0a7d4f"));
    }
}
