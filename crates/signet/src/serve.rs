//! `signet serve`: open (creating on first start), bootstrap, print what exists, listen.

use crate::config::LoadedConfig;
use crate::open::{open, Mode};
use anyhow::Context;
use signet_server::{ServerOptions, TlsFiles};

/// Runs the server until SIGTERM/SIGINT.
pub async fn run(loaded: LoadedConfig, demo: bool) -> anyhow::Result<()> {
    let config = &loaded.config;
    let mut opened = open(config, Mode::Serve).await?;
    let report = opened.engine.bootstrap().await.context("embedded CA")?;
    if let Some(lock) = opened.first_start.take() {
        lock.release().await;
    }

    let created = |c: bool| if c { "created" } else { "reused" };
    println!("Signet {}", env!("CARGO_PKG_VERSION"));
    println!("  data directory  {}", config.data_dir.display());
    if let Some(f) = &loaded.file {
        println!("  configuration   {}", f.display());
    }
    let db_note = if opened.database_created {
        "created, migrations applied"
    } else {
        "reused, migrations checked"
    };
    println!("  database        {} ({db_note})", opened.database);
    println!("  master key      {}", opened.master_key);
    println!("  root CA         {} ({})", report.root_subject, created(report.created_root_ca));
    println!(
        "  issuing CA      {} ({})",
        report.issuing_subject,
        created(report.created_issuing_ca)
    );
    println!("  TSA             RFC 3161 key and certificate ({})", created(report.created_tsa));
    println!("  OCSP responder  delegated key and certificate ({})", created(report.created_ocsp));
    println!(
        "  token signing   RS256 key for ID tokens, JWKS at /oauth2/jwks ({})",
        created(report.created_token_key)
    );
    println!("  public URL      {}", config.public_url());

    if demo {
        let d = opened.engine.ensure_demo().await.context("creating the demo data")?;
        print_demo(&d, config);
    }

    let options = ServerOptions {
        listen: config.listen,
        tls: config
            .tls
            .as_ref()
            .map(|t| TlsFiles { cert_file: t.cert_file.clone(), key_file: t.key_file.clone() }),
    };
    let scheme = if options.tls.is_some() { "https" } else { "http" };
    let store = opened.store.clone();
    let sweeper = tokio::spawn(sweep_one_shot_keys(opened.engine.clone()));
    let served =
        signet_server::serve(opened.engine, options, signet_server::shutdown_signal(), |addr| {
            println!("  listening on    {scheme}://{addr}  (GET /healthz, /readyz)");
            tracing::info!(%addr, "listening");
        })
        .await;
    sweeper.abort();
    served?;
    store.close().await;
    println!("Signet stopped.");
    Ok(())
}

/// Every minute (any node may run it): destroys the keys of one-shot credentials past
/// their expiry (each by exactly one transaction), and deletes expired document
/// transactions with the documents they hold.
async fn sweep_one_shot_keys(engine: signet_engine::Engine) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        match engine.sweep_one_shot().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(destroyed = n, "one-shot keys past their expiry destroyed"),
            Err(e) => tracing::warn!(error = %e, "one-shot key sweep failed"),
        }
        match engine.sweep_document_transactions().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "expired document transactions deleted"),
            Err(e) => tracing::warn!(error = %e, "document transaction sweep failed"),
        }
    }
}

fn print_demo(d: &signet_engine::DemoReport, config: &crate::config::Config) {
    let dir = config.data_dir.display();
    println!();
    println!("Demo ({}):", if d.created { "created now" } else { "already there" });
    println!("  group           {}", d.group);
    match (&d.client_id, &d.client_secret) {
        (Some(id), Some(secret)) => {
            println!("  client_id       {id}");
            println!("  client_secret   {secret}   (shown once: copy it now)");
        }
        _ => println!("  client          demo-app (its secret was shown when it was created)"),
    }
    println!("  user            {} / password {} / PIN {}", d.username, d.password, d.pin);
    println!("  credential      {}", d.credential_id);
    println!();
    println!("Next, in another terminal:");
    println!("  signet --data-dir {dir} admin credential list {}", d.username);
    println!("  signet --data-dir {dir} admin ca export --out ./signet-ca");
    println!("  curl -s {}/readyz", config.public_url());
    println!();
}
