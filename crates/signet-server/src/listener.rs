//! Binding the listener, TLS, and graceful shutdown on SIGTERM/SIGINT.

use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use signet_engine::Engine;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How long in-flight requests may take to finish after a shutdown signal.
const GRACE: Duration = Duration::from_secs(10);

/// TLS certificate chain and private key, PEM.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// Private key.
    pub key_file: PathBuf,
}

/// Where and how to listen.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Socket address.
    pub listen: SocketAddr,
    /// TLS, or plain HTTP when `None`.
    pub tls: Option<TlsFiles>,
}

/// The server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be loaded.
    #[error("TLS: cannot load {cert} / {key}: {source}")]
    Tls {
        /// Certificate file.
        cert: String,
        /// Key file.
        key: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Binds the address (so that a busy port is reported before anything else) and returns
/// the bound listener with its actual address (port 0 picks a free one).
pub fn bind(listen: SocketAddr) -> Result<(std::net::TcpListener, SocketAddr), ServerError> {
    let l = std::net::TcpListener::bind(listen)
        .map_err(|source| ServerError::Bind { addr: listen, source })?;
    l.set_nonblocking(true).map_err(|source| ServerError::Bind { addr: listen, source })?;
    let addr = l.local_addr().map_err(|source| ServerError::Bind { addr: listen, source })?;
    Ok((l, addr))
}

/// Serves `engine` until `shutdown` completes, then lets requests in flight finish.
/// `on_ready` is called with the bound address once the listener is up.
pub async fn serve(
    engine: Engine,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    let app = crate::router(engine).into_make_service();
    let tls = match &options.tls {
        Some(t) => {
            // One process-wide provider: aws-lc-rs, as everywhere else in Signet. An
            // error only means another part of the process installed one first.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            let config =
                RustlsConfig::from_pem_file(&t.cert_file, &t.key_file).await.map_err(|source| {
                    ServerError::Tls {
                        cert: t.cert_file.display().to_string(),
                        key: t.key_file.display().to_string(),
                        source,
                    }
                })?;
            Some(config)
        }
        None => None,
    };
    let (listener, addr) = bind(options.listen)?;
    let handle = Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        stopper.graceful_shutdown(Some(GRACE));
    });
    on_ready(addr);
    match tls {
        Some(config) => {
            axum_server::from_tcp_rustls(listener, config).handle(handle).serve(app).await?
        }
        None => axum_server::from_tcp(listener).handle(handle).serve(app).await?,
    }
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled: a signal that arrives once the server
/// says it is ready (even before the shutdown task has run) shuts it down gracefully
/// instead of killing it. Call it inside the runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
                }
                (term, int) => {
                    if let Some(e) = term.err().or(int.err()) {
                        tracing::warn!(error = %e, "cannot listen for SIGTERM/SIGINT");
                    }
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
