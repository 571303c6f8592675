//! Signet's HTTP server: the axum router and the listener (plain or TLS through rustls),
//! with graceful shutdown. Routes map engine results to HTTP; they hold no domain logic.

mod api;
mod csc;
mod health;
mod listener;
mod oauth2;
mod pki;
mod security_headers;
mod ui;

pub use api::ApiDoc;
pub use listener::{serve, shutdown_signal, ServerError, ServerOptions, TlsFiles};

use axum::Router;
use signet_engine::Engine;

/// The application's routes.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .merge(health::routes())
        .merge(csc::routes())
        .merge(oauth2::routes())
        .merge(ui::routes())
        .merge(api::routes())
        .merge(pki::routes())
        .layer(axum::middleware::map_response(security_headers::add))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(engine)
}
