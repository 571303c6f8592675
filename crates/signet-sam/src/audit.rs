//! Audit events written by the SAM (DESIGN.md invariant 4). Details are JSON without
//! secrets: hash values are public (they are what the signer approved), PINs and SADs
//! never appear.

use serde_json::{json, Value};
use signet_store::AuditEvent;

/// What a decision concerned.
pub(crate) struct Subject<'a> {
    pub user_id: &'a str,
    pub client_id: Option<&'a str>,
    pub credential_id: &'a str,
}

pub(crate) fn event(
    at: i64,
    kind: &str,
    outcome: &str,
    s: &Subject<'_>,
    details: Value,
) -> AuditEvent {
    AuditEvent {
        at,
        kind: kind.to_owned(),
        outcome: outcome.to_owned(),
        user_id: Some(s.user_id.to_owned()),
        client_id: s.client_id.map(str::to_owned),
        credential_id: Some(s.credential_id.to_owned()),
        details: details.to_string(),
    }
}

pub(crate) fn refused(
    at: i64,
    kind: &str,
    s: &Subject<'_>,
    reason: &str,
    extra: Value,
) -> AuditEvent {
    let mut details = json!({ "reason": reason });
    if let (Some(d), Value::Object(e)) = (details.as_object_mut(), extra) {
        d.extend(e);
    }
    event(at, kind, "refused", s, details)
}
