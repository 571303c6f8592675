//! `signatures/signHash` (CSC v1.0.4.0 §11.9).

use super::caller::Authenticated;
use super::credentials::hash_algo;
use super::error::CscError;
use super::params::Params;
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use base64::Engine as _;
use serde_json::{json, Value};
use signet_engine::Engine;

/// A parsed `signatures/signHash` request.
struct SignHash {
    credential_id: String,
    sad: String,
    hashes: Vec<Vec<u8>>,
    algorithm: signet_types::SignatureAlgorithm,
}

fn parse(p: &Params) -> Result<SignHash, CscError> {
    let credential_id = p.string("credentialID")?.to_owned();
    let sad = p.string("SAD")?.to_owned();
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
    Authenticated(caller): Authenticated,
    body: Bytes,
) -> Result<Json<Value>, CscError> {
    let p = Params::parse(&body)?;
    let req = match parse(&p) {
        Ok(r) => r,
        Err(e) => {
            let id = p.opt_string("credentialID").ok().flatten();
            engine.csc_refusal(&caller, id, "signatures.signHash", e.description()).await?;
            return Err(e);
        }
    };
    let signatures = engine
        .csc_sign_hash(&caller, &req.credential_id, &req.sad, req.hashes, req.algorithm)
        .await?;
    let encoded: Vec<String> =
        signatures.iter().map(|s| base64::engine::general_purpose::STANDARD.encode(s)).collect();
    Ok(Json(json!({ "signatures": encoded })))
}
