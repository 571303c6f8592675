//! `credentials/*` (CSC v1.0.4.0 §11.4–11.8).

use super::caller::Authenticated;
use super::error::CscError;
use super::params::Params;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use signet_engine::{CscAuthorize, CscCredential, Engine};
use signet_types::{HashAlgorithm, SignatureAlgorithm};
use zeroize::Zeroizing;

pub(crate) async fn list(
    State(engine): State<Engine>,
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let page = engine
        .csc_list(
            &caller,
            p.opt_string("userID")?,
            p.opt_int("maxResults")?,
            p.opt_string("pageToken")?,
        )
        .await?;
    let mut out = json!({ "credentialIDs": page.ids });
    if let (Some(o), Some(next)) = (out.as_object_mut(), page.next_page_token) {
        o.insert("nextPageToken".into(), json!(next));
    }
    Ok(Json(out))
}

/// CSC `key.algo`: each signature algorithm's OID once (all PSS variants share one).
fn algo_oids(algs: &[SignatureAlgorithm]) -> Vec<String> {
    let mut oids: Vec<String> = Vec::new();
    for a in algs {
        let o = a.oid().to_string();
        if !oids.contains(&o) {
            oids.push(o);
        }
    }
    oids
}

pub(crate) async fn info(
    State(engine): State<Engine>,
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let id = p.string("credentialID")?;
    let certificates = p.opt_string("certificates")?.unwrap_or("single");
    if !matches!(certificates, "none" | "single" | "chain") {
        return Err(CscError::invalid_request("Invalid parameter certificates"));
    }
    let cert_info = p.opt_bool("certInfo")?.unwrap_or(false);
    let auth_info = p.opt_bool("authInfo")?.unwrap_or(false);
    let c = engine.csc_info(&caller, id).await?;
    Ok(Json(info_json(&c, certificates, cert_info, auth_info)))
}

fn info_json(c: &CscCredential, certificates: &str, cert_info: bool, auth_info: bool) -> Value {
    let b64 = |d: &Vec<u8>| base64::engine::general_purpose::STANDARD.encode(d);
    let mut key = Map::new();
    key.insert("status".into(), json!(if c.key_enabled { "enabled" } else { "disabled" }));
    key.insert("algo".into(), json!(algo_oids(&c.algorithms)));
    key.insert("len".into(), json!(c.key.bits()));
    if let Some(curve) = c.key.curve() {
        key.insert("curve".into(), json!(curve.to_string()));
    }
    let mut cert = Map::new();
    cert.insert("status".into(), json!(c.cert_status.as_str()));
    match certificates {
        "single" => {
            cert.insert(
                "certificates".into(),
                json!(c.chain.iter().take(1).map(b64).collect::<Vec<_>>()),
            );
        }
        "chain" => {
            cert.insert("certificates".into(), json!(c.chain.iter().map(b64).collect::<Vec<_>>()));
        }
        _ => {}
    }
    if cert_info {
        cert.insert("issuerDN".into(), json!(c.issuer_dn));
        cert.insert("serialNumber".into(), json!(c.serial_hex));
        cert.insert("subjectDN".into(), json!(c.subject_dn));
        cert.insert("validFrom".into(), json!(super::time::generalized(c.valid_from)));
        cert.insert("validTo".into(), json!(super::time::generalized(c.valid_to)));
    }
    let mut out = Map::new();
    if let Some(d) = &c.description {
        out.insert("description".into(), json!(d));
    }
    out.insert("key".into(), Value::Object(key));
    out.insert("cert".into(), Value::Object(cert));
    out.insert("authMode".into(), json!(if c.oauth2code { "oauth2code" } else { "explicit" }));
    out.insert("SCAL".into(), json!(c.scal.to_string()));
    if auth_info {
        out.insert(
            "PIN".into(),
            json!({ "presence": "true", "format": "N", "label": "PIN", "description": "Your signing PIN" }),
        );
        if c.otp {
            out.insert(
                "OTP".into(),
                json!({
                    "presence": "true", "type": "offline", "format": "N", "label": "OTP",
                    "description": "The 6-digit code of your authenticator app",
                    "ID": "totp", "provider": "signet",
                }),
            );
        }
    }
    out.insert("multisign".into(), json!(c.multisign));
    out.insert("lang".into(), json!("en-US"));
    Value::Object(out)
}

/// An optional CSC `hashAlgo` OID.
pub(crate) fn hash_algo(p: &Params, name: &str) -> Result<Option<HashAlgorithm>, CscError> {
    p.opt_string(name)?
        .map(|s| {
            HashAlgorithm::from_oid_str(s)
                .map_err(|_| CscError::invalid_request(format!("Invalid parameter {name}")))
        })
        .transpose()
}

fn parse_authorize(p: &Params) -> Result<CscAuthorize, CscError> {
    let credential_id = p.string("credentialID")?.to_owned();
    let num = p.int("numSignatures")?;
    let hashes = p.opt_hashes("hash")?.unwrap_or_default();
    let hash_algo = hash_algo(p, "hashAlgo")?;
    let pin = p.opt_string("PIN")?.map(|s| Zeroizing::new(s.to_owned()));
    let otp = p.opt_string("OTP")?.map(|s| Zeroizing::new(s.to_owned()));
    let description = p.opt_string("description")?.map(str::to_owned);
    if description.as_ref().is_some_and(|d| d.chars().count() > 500) {
        return Err(CscError::invalid_request("Invalid parameter description"));
    }
    Ok(CscAuthorize {
        credential_id,
        num_signatures: num,
        hashes,
        hash_algo,
        pin,
        otp,
        description,
    })
}

pub(crate) async fn authorize(
    State(engine): State<Engine>,
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let r = match parse_authorize(&p) {
        Ok(r) => r,
        Err(e) => {
            let id = p.opt_string("credentialID").ok().flatten();
            engine.csc_refusal(&caller, id, "credentials.authorize", e.description()).await?;
            return Err(e);
        }
    };
    let sad = engine.csc_authorize(&caller, r).await?;
    Ok(Json(json!({ "SAD": sad.value, "expiresIn": sad.expires_in })))
}

pub(crate) async fn extend(
    State(engine): State<Engine>,
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let id = p.string("credentialID")?;
    let sad = p.string("SAD")?;
    let sad = engine.csc_extend(&caller, id, sad).await?;
    Ok(Json(json!({ "SAD": sad.value, "expiresIn": sad.expires_in })))
}

pub(crate) async fn send_otp(
    State(engine): State<Engine>,
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let id = p.string("credentialID")?;
    engine.csc_info(&caller, id).await?; // the credential must exist and be visible
    Err(CscError::invalid_request("No online OTP channel is configured for this credential"))
}
