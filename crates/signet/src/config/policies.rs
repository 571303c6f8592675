//! `[profiles.NAME]` and `[groups.NAME]`: certificate profiles and each group's policy
//! (profile, CA connector, TSP policy documents, one-shot credential lifetime).
//!
//! ```toml
//! [profiles.qualified-signer]
//! kind = "natural-person"            # or "legal-person"
//! qualified = true                   # QcCompliance + QcType esign/eseal (EN 319 412-5)
//! qscd = true                        # QcSSCD
//! policies = ["0.4.0.194112.1.2"]    # default: derived from kind/qualified/qscd
//! cps_url = "https://tsp.example/cps"
//! pds = [{ url = "https://tsp.example/pds-en.pdf", language = "en" }]
//! validity_days = 365                # default: certificates.validity_days
//! key_types = ["rsa-3072", "ec-p256"] # default: every key type
//!
//! [groups.acme]
//! profile = "qualified-signer"       # default profile; must be among `profiles`
//! profiles = ["qualified-signer", "legal-person"]
//! connector = "embedded"             # or a [connectors.NAME]
//! one_shot_minutes = 10
//! document_levels = ["B-LT", "B-LTA"] # AdES levels its credentials sign at (default: all)
//! documents = [{ name = "ACME TSP policy", version = "2.1", url = "https://…", file = "policy.pdf" }]
//! ```

use serde::Deserialize;
use signet_engine::{
    CertificateProfile, GroupPolicy, PolicyDocument, PolicySettings, ProfileSwitches,
};
use signet_pki::content::PdsLocation;
use signet_pki::Profile;
use signet_types::KeyAlgorithm;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `[profiles.NAME]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// `natural-person` or `legal-person`.
    pub kind: String,
    /// An EU qualified certificate.
    #[serde(default)]
    pub qualified: bool,
    /// The key is in a QSCD.
    #[serde(default)]
    pub qscd: bool,
    /// Certificate policy OIDs.
    #[serde(default)]
    pub policies: Vec<String>,
    /// CPS URL.
    pub cps_url: Option<String>,
    /// PKI disclosure statements.
    #[serde(default)]
    pub pds: Vec<PdsConfig>,
    /// Validity in days.
    pub validity_days: Option<u32>,
    /// Allowed key types.
    #[serde(default)]
    pub key_types: Vec<KeyAlgorithm>,
}

/// One PDS location.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdsConfig {
    /// https URL.
    pub url: String,
    /// Two-letter language code.
    pub language: String,
}

/// `[groups.NAME]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// Default profile.
    pub profile: Option<String>,
    /// Profiles the group may use.
    #[serde(default)]
    pub profiles: Vec<String>,
    /// CA connector.
    pub connector: Option<String>,
    /// One-shot credential lifetime, minutes.
    pub one_shot_minutes: Option<u32>,
    /// AdES levels documents may be signed at.
    #[serde(default)]
    pub document_levels: Vec<String>,
    /// TSP policy documents to accept before a key is created.
    #[serde(default)]
    pub documents: Vec<DocumentConfig>,
    /// How the group's signers authenticate (`[groups.NAME.auth]`).
    pub auth: Option<super::group_pages::AuthConfig>,
    /// How the group's pages look (`[groups.NAME.branding]`).
    pub branding: Option<super::group_pages::BrandingConfig>,
}

/// One policy document: its hash is `sha256`, or computed from `file` at start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentConfig {
    /// Title.
    pub name: String,
    /// Version.
    pub version: String,
    /// Where signers read it.
    pub url: Option<String>,
    /// SHA-256 hex.
    pub sha256: Option<String>,
    /// A local copy to hash.
    pub file: Option<PathBuf>,
}

/// Builds the engine's profiles and group policies; errors name the key.
pub fn policy_settings(
    profiles: &BTreeMap<String, ProfileConfig>,
    groups: &BTreeMap<String, GroupConfig>,
    connectors: &[String],
    default_validity_days: u32,
) -> Result<PolicySettings, String> {
    let mut out = PolicySettings::with_builtins(default_validity_days);
    for (name, p) in profiles {
        let at = |e: String| format!("profiles.{name}: {e}");
        let kind = match p.kind.as_str() {
            "natural-person" => Profile::NaturalPerson,
            "legal-person" => Profile::LegalPerson,
            other => {
                return Err(at(format!("kind `{other}` is not natural-person or legal-person")))
            }
        };
        let mut policies = Vec::new();
        for oid in &p.policies {
            policies.push(oid.parse().map_err(|_| at(format!("policy `{oid}` is not an OID")))?);
        }
        if let Some(url) = &p.cps_url {
            check_url(url).map_err(at)?;
        }
        for pds in &p.pds {
            check_url(&pds.url).map_err(at)?;
            if pds.language.len() != 2 || !pds.language.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(at(format!(
                    "pds language `{}` is not a two-letter code",
                    pds.language
                )));
            }
        }
        let switches = ProfileSwitches {
            qualified: p.qualified,
            qscd: p.qscd,
            policies,
            cps_uri: p.cps_url.clone(),
            pds: p
                .pds
                .iter()
                .map(|d| PdsLocation { url: d.url.clone(), language: d.language.clone() })
                .collect(),
            validity_days: p.validity_days.unwrap_or(default_validity_days),
            key_types: p.key_types.clone(),
        };
        let profile = CertificateProfile::new(name, kind, switches).map_err(|e| e.to_string())?;
        out.profiles.insert(name.clone(), profile);
    }
    for (name, g) in groups {
        let mut policy = GroupPolicy::default();
        if let Some(p) = &g.profile {
            policy.default_profile = p.clone();
        }
        if !g.profiles.is_empty() {
            policy.profiles = g.profiles.clone();
        } else if let Some(p) = &g.profile {
            if !policy.profiles.contains(p) {
                policy.profiles = vec![p.clone()];
            }
        }
        if let Some(c) = &g.connector {
            policy.connector = c.clone();
        }
        if let Some(m) = g.one_shot_minutes {
            policy.one_shot_minutes = m;
        }
        if !g.document_levels.is_empty() {
            policy.document_levels = g
                .document_levels
                .iter()
                .map(|l| {
                    l.parse().map_err(|e: signet_engine::EngineError| {
                        format!("groups.{name}.document_levels: {e}")
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        for (i, d) in g.documents.iter().enumerate() {
            let at = |e: String| format!("groups.{name}.documents[{i}]: {e}");
            let sha256 = match (&d.sha256, &d.file) {
                (Some(h), None) => {
                    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(at("sha256 must be 64 hex digits".into()));
                    }
                    h.to_ascii_lowercase()
                }
                (None, Some(file)) => {
                    let bytes = std::fs::read(file)
                        .map_err(|e| at(format!("cannot read {}: {e}", file.display())))?;
                    hex::encode(signet_crypto::digest::digest(
                        signet_types::HashAlgorithm::Sha256,
                        &bytes,
                    ))
                }
                _ => return Err(at("give exactly one of sha256 or file".into())),
            };
            if let Some(url) = &d.url {
                check_url(url).map_err(at)?;
            }
            if d.name.trim().is_empty() || d.version.trim().is_empty() {
                return Err(at("name and version must not be empty".into()));
            }
            policy.documents.push(PolicyDocument {
                name: d.name.clone(),
                version: d.version.clone(),
                url: d.url.clone(),
                sha256,
            });
        }
        if let Some(a) = &g.auth {
            policy.auth =
                super::group_pages::auth_flow(a).map_err(|e| format!("groups.{name}.auth.{e}"))?;
        }
        if let Some(b) = &g.branding {
            policy.branding = super::group_pages::branding(b)
                .map_err(|e| format!("groups.{name}.branding.{e}"))?;
        }
        out.groups.insert(name.clone(), policy);
    }
    out.check(connectors).map_err(|e| e.to_string())?;
    Ok(out)
}

fn check_url(url: &str) -> Result<(), String> {
    if (url.starts_with("https://") || url.starts_with("http://"))
        && url.is_ascii()
        && !url.contains(|c: char| c.is_ascii_whitespace() || c.is_ascii_control())
    {
        Ok(())
    } else {
        Err(format!("`{url}` is not an http(s) URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: serde::de::DeserializeOwned>(s: &str) -> T {
        toml::from_str(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn qualified_profile_and_group_with_a_document_file() {
        let dir = tempfile::tempdir().unwrap();
        let doc = dir.path().join("policy.txt");
        std::fs::write(&doc, b"abc").unwrap();
        let profiles: BTreeMap<String, ProfileConfig> = parse(
            r#"q = { kind = "natural-person", qualified = true, qscd = true, key_types = ["ec-p256"] }"#,
        );
        let groups: BTreeMap<String, GroupConfig> = parse(&format!(
            r#"acme = {{ profile = "q", documents = [{{ name = "TSP policy", version = "1", file = "{}" }}] }}"#,
            doc.display()
        ));
        let s = policy_settings(&profiles, &groups, &[], 30).unwrap();
        let p = s.profile_for("acme", None).unwrap();
        assert!(p.qualified() && p.key_types == vec![KeyAlgorithm::EcP256]);
        assert_eq!(p.validity_days, 30);
        let g = s.group("acme");
        // SHA-256("abc"), FIPS 180-2 appendix B.1
        assert_eq!(
            g.documents[0].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn errors_name_the_key() {
        let profiles: BTreeMap<String, ProfileConfig> = parse(r#"q = { kind = "robot" }"#);
        let e = policy_settings(&profiles, &BTreeMap::new(), &[], 30).unwrap_err();
        assert!(e.starts_with("profiles.q:"), "{e}");
        let groups: BTreeMap<String, GroupConfig> = parse(r#"acme = { profile = "nope" }"#);
        let e = policy_settings(&BTreeMap::new(), &groups, &[], 30).unwrap_err();
        assert!(e.contains("groups.acme") && e.contains("nope"), "{e}");
        let groups: BTreeMap<String, GroupConfig> =
            parse(r#"acme = { documents = [{ name = "x", version = "1" }] }"#);
        let e = policy_settings(&BTreeMap::new(), &groups, &[], 30).unwrap_err();
        assert!(e.contains("groups.acme.documents[0]"), "{e}");
        let groups: BTreeMap<String, GroupConfig> = parse(r#"acme = { connector = "elsewhere" }"#);
        assert!(policy_settings(&BTreeMap::new(), &groups, &[], 30).is_err());
    }
}
