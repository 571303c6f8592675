//! Identifier newtypes ("parse, don't validate"): an id is checked once, when it
//! is read from a request or the command line, and is then trusted.

use std::fmt;

/// The reason an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {reason}")]
pub struct InvalidId {
    kind: &'static str,
    reason: &'static str,
}

/// Longest identifier accepted from outside (ids we mint are 36-character UUIDs).
const MAX_ID_LEN: usize = 128;

fn check(kind: &'static str, s: &str) -> Result<(), InvalidId> {
    if s.is_empty() {
        return Err(InvalidId { kind, reason: "empty" });
    }
    if s.len() > MAX_ID_LEN {
        return Err(InvalidId { kind, reason: "longer than 128 characters" });
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'@'))
    {
        return Err(InvalidId { kind, reason: "only letters, digits and - _ . : @ are allowed" });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks `s` and wraps it.
            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                check($kind, s)?;
                Ok(Self(s.to_owned()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A user (signer) account.
    UserId, "user id"
);
id_type!(
    /// A signing credential: one key, its certificate chain and its policy.
    CredentialId, "credential id"
);
id_type!(
    /// A group of service providers (a tenant).
    GroupId, "group id"
);
id_type!(
    /// An OAuth 2.0 client of a group.
    ClientId, "client id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_empty_long_and_odd_characters() {
        assert!(CredentialId::parse("").is_err());
        assert!(CredentialId::parse(&"a".repeat(129)).is_err());
        assert!(CredentialId::parse("a b").is_err());
        assert!(CredentialId::parse("../x").is_err());
        assert_eq!(CredentialId::parse("cred-1").map(|c| c.to_string()), Ok("cred-1".into()));
    }

    #[test]
    fn deserialising_checks_too() {
        let bad: Result<UserId, _> = serde_json::from_str("\"a;b\"");
        assert!(bad.is_err());
    }
}
