//! The subject's distinguished name (RFC 5280 §4.1.2.6) and e-mail alternative name
//! (RFC 5280 §4.2.1.6), checked against the profile's rules.
//!
//! Attribute values are `UTF8String` (RFC 5280 §4.1.2.4: "CAs conforming to this profile
//! MUST use either the PrintableString or UTF8String encoding of DirectoryString"), except
//! `countryName`, which X.520 fixes as a two-letter `PrintableString` (ISO 3166-1 alpha-2).
//! Every RDN holds one attribute; the order is C, O, givenName, surname, CN.

use crate::issue::Subject;
use crate::{PkiError, Profile};
use const_oid::db::rfc4519::{COMMON_NAME, COUNTRY_NAME, GIVEN_NAME, ORGANIZATION_NAME, SURNAME};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, Ia5String, PrintableStringRef, Utf8StringRef};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

/// `ub-common-name` and `ub-organization-name` (RFC 5280 appendix A.1).
const UB_COMMON_NAME: usize = 64;
const UB_ORGANIZATION_NAME: usize = 64;
/// `ub-name`, the bound of `givenName` and `surname` (X520name, RFC 5280 appendix A.1).
const UB_NAME: usize = 32768;
/// `ub-emailaddress-length` (RFC 5280 appendix A.1).
const UB_EMAIL: usize = 255;

/// Builds the subject name of `profile` from `subject`.
///
/// - Every profile needs a `commonName`.
/// - Natural persons (EN 319 412-2 §4.2.4) need `givenName` and/or `surname`; they may
///   carry the `organizationName` of an organisation they are associated with.
/// - Legal persons (EN 319 412-3 §4.2.1) need `organizationName` (the full registered
///   name) and carry no personal names.
/// - CAs carry no personal names.
/// - TSA and OCSP responder certificates name a service: CN + organizationName, no
///   personal names.
pub fn subject_name(profile: Profile, subject: &Subject) -> Result<RdnSequence, PkiError> {
    let personal = subject.given_name.is_some() || subject.surname.is_some();
    match profile {
        Profile::NaturalPerson if !personal => {
            return Err(invalid(
                "a natural person's certificate needs a givenName and/or a surname (EN 319 412-2 §4.2.4)",
            ))
        }
        Profile::LegalPerson if subject.organization.is_none() => {
            return Err(invalid(
                "a legal person's certificate needs an organizationName (EN 319 412-3 §4.2.1)",
            ))
        }
        Profile::Tsa | Profile::Ocsp | Profile::TokenSigning
            if subject.organization.is_none() =>
        {
            return Err(invalid(&format!(
                "a {profile} certificate needs an organizationName (the service's operator)"
            )))
        }
        Profile::LegalPerson
        | Profile::RootCa
        | Profile::IssuingCa
        | Profile::Tsa
        | Profile::Ocsp
        | Profile::TokenSigning
            if personal =>
        {
            return Err(invalid(&format!(
                "givenName and surname name a natural person; profile {profile} does not carry them"
            )))
        }
        _ => {}
    }

    let mut rdns = Vec::new();
    if let Some(c) = &subject.country {
        rdns.push(rdn(COUNTRY_NAME, country(c)?)?);
    }
    if let Some(o) = &subject.organization {
        rdns.push(rdn(ORGANIZATION_NAME, utf8("organizationName", o, UB_ORGANIZATION_NAME)?)?);
    }
    if let Some(g) = &subject.given_name {
        rdns.push(rdn(GIVEN_NAME, utf8("givenName", g, UB_NAME)?)?);
    }
    if let Some(s) = &subject.surname {
        rdns.push(rdn(SURNAME, utf8("surname", s, UB_NAME)?)?);
    }
    rdns.push(rdn(COMMON_NAME, utf8("commonName", &subject.common_name, UB_COMMON_NAME)?)?);
    Ok(RdnSequence::from(rdns))
}

/// The subject's e-mail address as an `rfc822Name` (RFC 5280 §4.2.1.6: an addr-spec of
/// RFC 2822 §3.4.1 in an IA5String; EN 319 412-2 §4.3.5 places e-mail here, not in the DN).
pub(crate) fn email_general_name(email: &str) -> Result<GeneralName, PkiError> {
    let well_formed = email.len() <= UB_EMAIL
        && email.is_ascii()
        && !email.chars().any(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if !well_formed {
        return Err(invalid(&format!(
            "`{}` is not an e-mail address (local@domain, ASCII)",
            shorten(email)
        )));
    }
    let ia5 =
        Ia5String::new(email).map_err(|_| invalid("the e-mail address is not IA5 (ASCII)"))?;
    Ok(GeneralName::Rfc822Name(ia5))
}

fn rdn(oid: ObjectIdentifier, value: Any) -> Result<RelativeDistinguishedName, PkiError> {
    RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue { oid, value }])
        .map_err(PkiError::encoding("RelativeDistinguishedName"))
}

fn utf8(field: &str, value: &str, upper_bound: usize) -> Result<Any, PkiError> {
    if value.trim().is_empty() {
        return Err(invalid(&format!("{field} is empty")));
    }
    if value.chars().count() > upper_bound {
        return Err(invalid(&format!("{field} is longer than {upper_bound} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(&format!("{field} contains control characters")));
    }
    let s = Utf8StringRef::new(value).map_err(PkiError::encoding("UTF8String"))?;
    Any::encode_from(&s).map_err(PkiError::encoding("UTF8String"))
}

fn country(value: &str) -> Result<Any, PkiError> {
    if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(invalid(&format!(
            "countryName `{}` is not an ISO 3166-1 alpha-2 code (two capital letters)",
            shorten(value)
        )));
    }
    let s = PrintableStringRef::new(value).map_err(PkiError::encoding("PrintableString"))?;
    Any::encode_from(&s).map_err(PkiError::encoding("PrintableString"))
}

fn invalid(reason: &str) -> PkiError {
    PkiError::InvalidSubject(reason.to_owned())
}

fn shorten(s: &str) -> String {
    s.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> Subject {
        Subject {
            common_name: "Ada Lovelace".into(),
            given_name: Some("Ada".into()),
            surname: Some("Lovelace".into()),
            organization: None,
            country: Some("GB".into()),
            email: None,
        }
    }

    #[test]
    fn natural_person_name_is_ordered_and_typed() -> Result<(), PkiError> {
        let name = subject_name(Profile::NaturalPerson, &subject())?;
        // RFC 4514 prints the last RDN first.
        assert_eq!(name.to_string(), "CN=Ada Lovelace,SN=Lovelace,GN=Ada,C=GB");
        Ok(())
    }

    #[test]
    fn profile_rules_are_enforced() {
        let mut s = subject();
        s.given_name = None;
        s.surname = None;
        assert!(subject_name(Profile::NaturalPerson, &s).is_err());
        assert!(subject_name(Profile::LegalPerson, &subject()).is_err());
        assert!(subject_name(Profile::RootCa, &subject()).is_err());
        s.organization = Some("ACME SA".into());
        assert!(subject_name(Profile::LegalPerson, &s).is_ok());
    }

    #[test]
    fn bad_values_are_refused() {
        for (cn, c) in [(" ", "GB"), ("x", "gb"), ("x", "GBR"), ("a\u{0}b", "GB")] {
            let mut s = subject();
            s.common_name = cn.into();
            s.country = Some(c.into());
            assert!(subject_name(Profile::NaturalPerson, &s).is_err(), "{cn:?} {c:?}");
        }
        let mut s = subject();
        s.common_name = "x".repeat(65);
        assert!(subject_name(Profile::NaturalPerson, &s).is_err());
    }

    #[test]
    fn emails_are_checked() {
        assert!(email_general_name("ada@example.org").is_ok());
        for bad in ["", "ada", "@x", "ada@", "a b@x", "ada@x@y", "adá@x"] {
            assert!(email_general_name(bad).is_err(), "{bad}");
        }
    }
}
