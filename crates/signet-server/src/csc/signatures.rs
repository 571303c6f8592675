//! `signatures/signHash` (CSC v1.0.4.0 §11.9): authorised by a SAD, or — without one —
//! by a `credential` scope access token from the oauth2code flow (§8.4).

use super::caller::Authenticated;
use super::credentials::hash_algo;
use super::error::CscError;
use super::params::Params;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};
use signet_engine::Engine;

/// A parsed `signatures/signHash` request.
struct SignHash {
    credential_id: String,
    sad: Option<String>,
    hashes: Vec<Vec<u8>>,
    algorithm: signet_types::SignatureAlgorithm,
}

fn parse(p: &Params) -> Result<SignHash, CscError> {
    let credential_id = p.string("credentialID")?.to_owned();
    let sad = p.opt_string("SAD")?.map(str::to_owned);
    let hashes = p.hashes("hash")?;
    let sign_algo = p.string("signAlgo")?;
    let hash = hash_algo(p, "hashAlgo")?;
    let params = match p.opt_string("signAlgoParams")? {
        Some(b) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|_| CscError::invalid_request("Invalid parameter signAlgoParams"))?,
        ),
        None => None,
    };
    let algorithm = signet_engine::sign_algorithm(sign_algo, hash, params.as_deref())
        .map_err(CscError::invalid_request)?;
    Ok(SignHash { credential_id, sad, hashes, algorithm })
}

pub(crate) async fn sign_hash(
    State(engine): State<Engine>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    if p.opt_string("SAD")?.is_none() {
        return sign_with_credential_token(&engine, &headers, &p).await;
    }
    let Authenticated(caller) = Authenticated::from_headers(&headers, &engine).await?;
    let req = match parse(&p) {
        Ok(r) => r,
        Err(e) => {
            let id = p.opt_string("credentialID").ok().flatten();
            engine.csc_refusal(&caller, id, "signatures.signHash", e.description()).await?;
            return Err(e);
        }
    };
    let sad = req.sad.unwrap_or_default();
    let signatures =
        engine.csc_sign_hash(&caller, &req.credential_id, &sad, req.hashes, req.algorithm).await?;
    Ok(answer(&signatures))
}

/// signHash without a SAD: the bearer must be a `credential` token for this credential.
async fn sign_with_credential_token(
    engine: &Engine,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Json<Value>, CscError> {
    let Some(bearer) = super::caller::bearer(headers) else {
        return Err(CscError::token(None));
    };
    let req = parse(p)?;
    let signed = engine
        .csc_sign_hash_with_token(bearer, &req.credential_id, req.hashes, req.algorithm)
        .await
        .map_err(|r| CscError::token(Some(r)))?;
    Ok(answer(&signed?))
}

fn answer(signatures: &[Vec<u8>]) -> Json<Value> {
    let encoded: Vec<String> =
        signatures.iter().map(|s| base64::engine::general_purpose::STANDARD.encode(s)).collect();
    Json(json!({ "signatures": encoded }))
}
