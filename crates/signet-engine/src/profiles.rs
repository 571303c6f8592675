//! Certificate profiles and group policies, as configured: which profile a group's keys
//! are certified under, through which CA connector, which TSP policy documents a signer
//! accepts before a key is created, and how long one-shot credentials live.

use crate::EngineError;
use signet_pki::content::{policy, QcStatements, QcType};
use signet_pki::{CertificateContent, Profile};
use signet_store::EMBEDDED_CONNECTOR;
use signet_types::KeyAlgorithm;
use std::collections::BTreeMap;

/// One certificate profile (ETSI EN 319 412-2 natural person, EN 319 412-3 legal person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateProfile {
    /// Its name in configuration and in the API (`qualified-signer`).
    pub name: String,
    /// Natural or legal person.
    pub kind: Profile,
    /// Certificate policies and QC statements.
    pub content: CertificateContent,
    /// Certificate validity in days.
    pub validity_days: u32,
    /// Key types a key must have to be certified under this profile.
    pub key_types: Vec<KeyAlgorithm>,
}

impl CertificateProfile {
    /// A profile built from the switches of the configuration: `qualified` adds
    /// QcCompliance and the QcType that fits the kind (esign for natural persons, eseal for
    /// legal persons, EN 319 412-5 §4.2.3); `qscd` adds QcSSCD. Without explicit policies
    /// the EN 319 411-1/-2 policy that fits is used: QCP-n / QCP-l (with -qscd when the key
    /// is in a QSCD) for qualified profiles, NCP+ otherwise (the key never leaves the
    /// signing server's crypto module).
    pub fn new(name: &str, kind: Profile, switches: ProfileSwitches) -> Result<Self, EngineError> {
        if !kind.is_end_entity() {
            return Err(EngineError::InvalidInput(format!(
                "profile `{name}`: kind must be natural-person or legal-person"
            )));
        }
        if switches.qscd && !switches.qualified {
            return Err(EngineError::InvalidInput(format!(
                "profile `{name}`: qscd needs qualified = true (QcSSCD is a qualified statement)"
            )));
        }
        let natural = kind == Profile::NaturalPerson;
        let policies = if switches.policies.is_empty() {
            vec![match (switches.qualified, switches.qscd, natural) {
                (true, true, true) => policy::QCP_N_QSCD,
                (true, false, true) => policy::QCP_N,
                (true, true, false) => policy::QCP_L_QSCD,
                (true, false, false) => policy::QCP_L,
                (false, _, _) => policy::NCP_PLUS,
            }]
        } else {
            switches.policies
        };
        let qc_statements = switches.qualified.then_some(QcStatements {
            compliance: true,
            sscd: switches.qscd,
            qc_type: Some(if natural { QcType::ESign } else { QcType::ESeal }),
            pds: switches.pds,
        });
        if switches.validity_days == 0 {
            return Err(EngineError::InvalidInput(format!(
                "profile `{name}`: validity_days must be at least 1"
            )));
        }
        Ok(Self {
            name: name.to_owned(),
            kind,
            content: CertificateContent { policies, cps_uri: switches.cps_uri, qc_statements },
            validity_days: switches.validity_days,
            key_types: if switches.key_types.is_empty() {
                KeyAlgorithm::ALL.to_vec()
            } else {
                switches.key_types
            },
        })
    }

    /// Whether the profile is a qualified one (QcCompliance).
    pub fn qualified(&self) -> bool {
        self.content.qc_statements.as_ref().is_some_and(|q| q.compliance)
    }
}

/// What a configured profile says, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ProfileSwitches {
    /// EU qualified certificate.
    pub qualified: bool,
    /// Key in a QSCD.
    pub qscd: bool,
    /// Explicit policy OIDs.
    pub policies: Vec<const_oid::ObjectIdentifier>,
    /// CPS URI.
    pub cps_uri: Option<String>,
    /// PDS locations.
    pub pds: Vec<signet_pki::content::PdsLocation>,
    /// Validity in days.
    pub validity_days: u32,
    /// Allowed key types (empty: all).
    pub key_types: Vec<KeyAlgorithm>,
}

/// A TSP policy document a signer must accept before a key is created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyDocument {
    /// Its title.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Where the signer reads it.
    pub url: Option<String>,
    /// SHA-256 of the document, lower-case hex: what the signer's acceptance binds to.
    pub sha256: String,
}

/// How a group of service providers certifies its signers' keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPolicy {
    /// The profile a key is certified under when none is asked for.
    pub default_profile: String,
    /// Every profile the group may use (the default among them).
    pub profiles: Vec<String>,
    /// The CA connector: `embedded` or a configured connector's name.
    pub connector: String,
    /// Documents to accept before a key is created.
    pub documents: Vec<PolicyDocument>,
    /// Lifetime of a one-shot credential's key and certificate, in minutes.
    pub one_shot_minutes: u32,
    /// The AdES levels the group's credentials may sign documents at (a TSP may require
    /// long-term signatures, or not offer archival ones).
    pub document_levels: Vec<crate::Level>,
    /// How the group's pages look.
    pub branding: Branding,
    /// How the group's signers authenticate.
    pub auth: crate::oauth::AuthFlow,
}

/// How a group's pages (login, consent, approval) look: its name, colour and logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branding {
    /// The name shown; the group's name when unset.
    pub display_name: Option<String>,
    /// The main colour, `#rrggbb`.
    pub color: String,
    /// The logo: its media type and bytes (PNG, JPEG or SVG).
    pub logo: Option<(String, Vec<u8>)>,
}

impl Default for Branding {
    fn default() -> Self {
        Self { display_name: None, color: "#1d4e89".into(), logo: None }
    }
}

impl Default for GroupPolicy {
    fn default() -> Self {
        Self {
            default_profile: Profile::NaturalPerson.as_str().to_owned(),
            profiles: vec![
                Profile::NaturalPerson.as_str().to_owned(),
                Profile::LegalPerson.as_str().to_owned(),
            ],
            connector: EMBEDDED_CONNECTOR.to_owned(),
            documents: Vec::new(),
            one_shot_minutes: 10,
            document_levels: vec![
                crate::Level::BB,
                crate::Level::BT,
                crate::Level::BLT,
                crate::Level::BLTA,
            ],
            branding: Branding::default(),
            auth: crate::oauth::AuthFlow::default(),
        }
    }
}

/// Every profile and group policy.
#[derive(Debug, Clone, Default)]
pub struct PolicySettings {
    /// Profiles by name; `natural-person` and `legal-person` always exist (NCP+, no QC
    /// statements) unless configured otherwise.
    pub profiles: BTreeMap<String, CertificateProfile>,
    /// Group policies by group name; a group not listed gets [`GroupPolicy::default`].
    pub groups: BTreeMap<String, GroupPolicy>,
}

impl PolicySettings {
    /// The built-in profiles `natural-person` and `legal-person` (NCP+, no QC statements,
    /// every key type) with `validity_days`, and no group policies.
    pub fn with_builtins(validity_days: u32) -> Self {
        let mut s = Self::default();
        for kind in [Profile::NaturalPerson, Profile::LegalPerson] {
            s.profiles.insert(
                kind.as_str().to_owned(),
                CertificateProfile {
                    name: kind.as_str().to_owned(),
                    kind,
                    content: CertificateContent {
                        policies: vec![policy::NCP_PLUS],
                        cps_uri: None,
                        qc_statements: None,
                    },
                    validity_days: validity_days.max(1),
                    key_types: KeyAlgorithm::ALL.to_vec(),
                },
            );
        }
        s
    }

    /// Checks that every group names profiles that exist, with its default among them.
    pub fn check(&self, connectors: &[String]) -> Result<(), EngineError> {
        for (group, p) in &self.groups {
            for name in p.profiles.iter().chain(std::iter::once(&p.default_profile)) {
                if !self.profiles.contains_key(name) {
                    return Err(EngineError::InvalidInput(format!(
                        "groups.{group}: unknown profile `{name}`"
                    )));
                }
            }
            if !p.profiles.contains(&p.default_profile) {
                return Err(EngineError::InvalidInput(format!(
                    "groups.{group}: the default profile `{}` must be one of profiles",
                    p.default_profile
                )));
            }
            if p.connector != EMBEDDED_CONNECTOR && !connectors.contains(&p.connector) {
                return Err(EngineError::InvalidInput(format!(
                    "groups.{group}: unknown connector `{}`",
                    p.connector
                )));
            }
            if p.document_levels.is_empty() {
                return Err(EngineError::InvalidInput(format!(
                    "groups.{group}: document_levels must name at least one level"
                )));
            }
            if !(1..=1440).contains(&p.one_shot_minutes) {
                return Err(EngineError::InvalidInput(format!(
                    "groups.{group}: one_shot_minutes must be between 1 and 1440"
                )));
            }
            p.auth
                .check()
                .map_err(|e| EngineError::InvalidInput(format!("groups.{group}.auth: {e}")))?;
            if !crate::oauth::is_hex_color(&p.branding.color) {
                return Err(EngineError::InvalidInput(format!(
                    "groups.{group}.branding: color must be #rrggbb"
                )));
            }
        }
        Ok(())
    }

    /// A group's policy by the group's name.
    pub fn group(&self, name: &str) -> GroupPolicy {
        self.groups.get(name).cloned().unwrap_or_default()
    }

    /// A profile the group may use: `requested`, or the group's default.
    pub fn profile_for(
        &self,
        group_name: &str,
        requested: Option<&str>,
    ) -> Result<&CertificateProfile, EngineError> {
        let group = self.group(group_name);
        let name = requested.unwrap_or(&group.default_profile);
        if !group.profiles.iter().any(|p| p == name) {
            return Err(EngineError::InvalidInput(format!(
                "certificate profile `{}` is not available to this group (one of {})",
                name.chars().take(64).collect::<String>(),
                group.profiles.join(", ")
            )));
        }
        self.profiles.get(name).ok_or_else(|| {
            EngineError::Integrity(format!("group `{group_name}` names a missing profile `{name}`"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_switches_pick_the_etsi_policy_and_statements() {
        let p = CertificateProfile::new(
            "q",
            Profile::LegalPerson,
            ProfileSwitches {
                qualified: true,
                qscd: true,
                validity_days: 30,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(p.content.policies, vec![policy::QCP_L_QSCD]);
        let qc = p.content.qc_statements.as_ref().unwrap();
        assert!(qc.compliance && qc.sscd && qc.qc_type == Some(QcType::ESeal));
        assert!(p.qualified());
        let plain = CertificateProfile::new(
            "n",
            Profile::NaturalPerson,
            ProfileSwitches { validity_days: 30, ..Default::default() },
        )
        .unwrap();
        assert_eq!(plain.content.policies, vec![policy::NCP_PLUS]);
        assert!(plain.content.qc_statements.is_none() && !plain.qualified());
        assert!(CertificateProfile::new(
            "bad",
            Profile::NaturalPerson,
            ProfileSwitches { qscd: true, validity_days: 30, ..Default::default() }
        )
        .is_err());
    }

    #[test]
    fn groups_use_only_their_profiles() {
        let mut s = PolicySettings::with_builtins(365);
        s.groups.insert(
            "acme".into(),
            GroupPolicy {
                profiles: vec!["legal-person".into()],
                default_profile: "legal-person".into(),
                ..Default::default()
            },
        );
        s.check(&[]).unwrap();
        assert_eq!(s.profile_for("acme", None).unwrap().kind, Profile::LegalPerson);
        assert!(s.profile_for("acme", Some("natural-person")).is_err());
        assert_eq!(
            s.profile_for("other", Some("natural-person")).unwrap().kind,
            Profile::NaturalPerson
        );
        s.groups.get_mut("acme").unwrap().connector = "nowhere".into();
        assert!(s.check(&[]).is_err());
    }
}
