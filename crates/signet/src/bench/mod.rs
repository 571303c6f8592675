//! `signet bench …`: performance measured as ratios against a baseline run in the same
//! process (machines are noisy; absolute times are not comparable).
#![allow(clippy::disallowed_methods)] // benchmarks measure wall time with Instant

mod csc;
mod documents;
mod documents_xades;
mod http;
mod pki;
mod sign;
mod sign_pkcs11;

use crate::cli::BenchCommand;

/// Runs a benchmark command.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Sign {
            module: crate::cli::BenchModule::Pkcs11,
            pkcs11_library,
            key,
            threads,
            seconds,
            only,
            json,
            ..
        } => {
            tokio::task::spawn_blocking(move || {
                sign_pkcs11::run(&pkcs11_library, &key, threads, seconds, only, json)
            })
            .await?
        }
        BenchCommand::Sign { key, threads, batch, seconds, only, json, .. } => {
            sign::run(&key, threads, batch, seconds, only, json)
        }
        BenchCommand::Csc { key, concurrency, batch, seconds, json } => {
            csc::run(&key, concurrency, batch, seconds, json).await
        }
        BenchCommand::Pki { key, concurrency, seconds, json } => {
            pki::run(&key, concurrency, seconds, json).await
        }
        BenchCommand::Documents { format, sizes, xml_sizes_kb, rounds, pyhanko, json } => {
            match format.as_str() {
                "pades" => documents::run(&sizes, rounds, pyhanko, json).await,
                "xades" => documents_xades::run(&xml_sizes_kb, rounds, json).await,
                _ => anyhow::bail!("--format: pades or xades"),
            }
        }
    }
}

/// The benchmarks' signer: user `bench` (password `bench-password`, PIN `pin`) with one
/// SCAL 2 credential of `key` (the configured default when `None`) allowing `multisign`
/// hashes per SAD; the embedded CA is created first. Returns the credential id.
pub(crate) async fn bench_signer(
    engine: &signet_engine::Engine,
    key: Option<signet_types::KeyAlgorithm>,
    pin: &str,
    multisign: u32,
) -> anyhow::Result<String> {
    engine.bootstrap().await?;
    engine
        .create_user(signet_engine::NewUserRequest {
            username: "bench".into(),
            password: zeroize::Zeroizing::new("bench-password".into()),
            name: Some("Bench Signer".into()),
            ..signet_engine::NewUserRequest::default()
        })
        .await?;
    engine.set_pin("bench", pin).await?;
    let c = engine
        .create_credential(signet_engine::NewCredentialRequest {
            username: "bench".into(),
            key,
            profile: None,
            scal: 2,
            multisign,
            description: None,
            accepted_by_operator: true,
        })
        .await?;
    Ok(c.credential_id)
}

/// The `p` quantile (0..=1) of `latencies`, in milliseconds (0 when there are none).
pub(crate) fn percentile_ms(latencies: &[std::time::Duration], p: f64) -> f64 {
    let mut l = latencies.to_vec();
    l.sort();
    l.get(((l.len() as f64 - 1.0) * p).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// A server started in this process for a benchmark, stopped with [`InProcess::stop`].
pub(crate) struct InProcess {
    /// `127.0.0.1:port`.
    pub addr: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), signet_server::ServerError>>,
}

impl InProcess {
    /// Serves `engine` on `listen` (port 0: any free port) until stopped.
    pub async fn start(
        engine: signet_engine::Engine,
        listen: std::net::SocketAddr,
    ) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, bound) = tokio::sync::oneshot::channel();
        let options = signet_server::ServerOptions { listen, tls: None };
        let task = tokio::spawn(signet_server::serve(
            engine,
            options,
            async move {
                let _ = stopped.await;
            },
            move |addr| {
                let _ = ready.send(addr);
            },
        ));
        let addr = bound.await.context("server did not start")?.to_string();
        Ok(Self { addr, stop, task })
    }

    /// Stops the server and waits for it to drain.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
