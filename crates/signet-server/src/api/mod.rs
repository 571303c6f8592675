//! Signet's REST API under `/api/v1/` (JSON, bearer tokens: a user's own token or a
//! service token of the user's group), described by the OpenAPI document at
//! `/openapi.json`:
//!
//! | area | routes |
//! |---|---|
//! | Identity Management | `GET /policy-documents`, `POST/GET /keys`, `GET/DELETE /keys/{id}` |
//! | Enrollment | `POST /keys/{id}/certificate`, `…/certificate/renew`, `…/certificate/revoke` |
//! | One-shot signing | `POST /one-shot` (then CSC `signatures/signHash`) |
//! | Signature Update | `POST /signatures/extend` (B-T, B-LT, B-LTA; renewal) |
//! | Document Signature | `POST /documents/sign` (one step, batch or streamed), `POST /documents/prepare`, `POST /documents/complete` |

mod body;
mod caller;
mod documents;
mod enrollment;
pub(crate) mod error;
mod extend;
mod keys;
mod model;
mod one_shot;
mod sign;
mod xades;

use axum::routing::{get, post};
use axum::{Json, Router};
use signet_engine::Engine;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The OpenAPI 3.1 description of the REST API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Signet API", description = "Remote signing: identity management, enrollment and one-shot signing. Errors are {\"error\",\"error_description\"}."),
    paths(
        keys::documents, keys::create, keys::list, keys::show, keys::delete,
        enrollment::issue, enrollment::renew, enrollment::revoke,
        one_shot::create,
        documents::prepare, documents::complete, sign::sign, extend::extend,
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "identity", description = "Identity Management: signing keys"),
        (name = "enrollment", description = "Enrollment: certificates through the group's CA"),
        (name = "signing", description = "One-shot credentials"),
        (name = "documents", description = "Document Signature API: CAdES and PAdES, in one step or two"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the paths refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub(crate) fn routes() -> Router<Engine> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/api/v1/policy-documents", get(keys::documents))
        .route("/api/v1/keys", post(keys::create).get(keys::list))
        .route("/api/v1/keys/{key_id}", get(keys::show).delete(keys::delete))
        .route("/api/v1/keys/{key_id}/certificate", post(enrollment::issue))
        .route("/api/v1/keys/{key_id}/certificate/renew", post(enrollment::renew))
        .route("/api/v1/keys/{key_id}/certificate/revoke", post(enrollment::revoke))
        .route("/api/v1/one-shot", post(one_shot::create))
        .route(
            "/api/v1/documents/prepare",
            post(documents::prepare)
                .layer(axum::extract::DefaultBodyLimit::max(documents::PREPARE_LIMIT)),
        )
        .route("/api/v1/documents/complete", post(documents::complete))
        // The body is read by the handler: a JSON batch with its own limit, or a document
        // streamed to disk up to `documents.max_bytes`.
        .route(
            "/api/v1/documents/sign",
            post(sign::sign).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/signatures/extend",
            post(extend::extend).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}
