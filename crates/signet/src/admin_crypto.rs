//! `signet admin crypto migrate --to pkcs11`: the soft module's keys into the HSM, with a
//! progress bar (drawn on standard error when it is a terminal) and one result.

use crate::cli::MigrateTarget;
use crate::config::{CryptoModuleKind, LoadedConfig};
use crate::open::{open_pkcs11, open_with, Mode};
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};
use serde_json::json;
use signet_crypto::pkcs11::SoftToPkcs11;
use signet_crypto::soft::SoftModule;
use signet_crypto::{CryptoModule, KeyMigration};
use std::sync::Arc;

/// Runs the migration and prints its result.
pub async fn migrate(
    loaded: &LoadedConfig,
    to: MigrateTarget,
    limit: Option<u64>,
    json_out: bool,
) -> anyhow::Result<()> {
    let MigrateTarget::Pkcs11 = to;
    let config = &loaded.config;
    // The old blobs need the soft master key; it is never created here.
    let key_file = config.master_key_file();
    let (soft, _) = SoftModule::open(&key_file, false)
        .with_context(|| format!("the soft module's master key {}", key_file.display()))?;
    // The HSM's master keys are created if the token has none and create_keys allows it.
    let (hsm, created) = open_pkcs11(config, true).await?;
    let summary = format!("PKCS#11 token `{}` (key id {})", hsm.token_label(), hsm.master_key_id());
    let module: Arc<dyn CryptoModule> = Arc::new(hsm.clone());
    let opened = open_with(config, Mode::Admin, Some((module, summary))).await?;
    let migration: Arc<dyn KeyMigration> = Arc::new(SoftToPkcs11::new(soft, hsm.clone()));

    let total = opened.engine.key_blob_count().await?;
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        .with_style(
            ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} keys  {wide_msg}")
                .map(|s| s.progress_chars("=> "))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
        .with_prefix("migrating")
        .with_finish(ProgressFinish::AndClear);
    let progress = {
        let bar = bar.clone();
        move |event: &signet_engine::MigrationEvent| {
            if let signet_engine::MigrationEvent::Moved { kind, id } = event {
                bar.set_message(format!("{} {id}", kind.as_str()));
            }
            bar.inc(1);
        }
    };
    let result = opened.engine.migrate_keys(migration, limit, &progress).await;
    bar.finish_and_clear();
    opened.store.close().await;
    let report = result?;

    let moved: u64 = report.moved.values().sum();
    let switched = config.crypto.module == CryptoModuleKind::Pkcs11;
    if json_out {
        println!(
            "{}",
            json!({
                "to": "pkcs11", "token": hsm.token_label(), "master_key_id": hsm.master_key_id(),
                "master_key_created": created, "total": report.total, "moved": moved,
                "moved_by_kind": report.moved, "skipped": report.skipped,
                "remaining": report.remaining,
            })
        );
    } else {
        let kinds: Vec<String> = report.moved.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "moved {moved} of {} stored keys into PKCS#11 token `{}` (master key id {}{}){}",
            report.total,
            hsm.token_label(),
            hsm.master_key_id(),
            if created { ", created now" } else { "" },
            if kinds.is_empty() { String::new() } else { format!(": {}", kinds.join(", ")) }
        );
        println!("  already in the HSM   {}", report.skipped);
        if report.remaining > 0 {
            println!("  still to move        {} (run the command again)", report.remaining);
        } else if !switched {
            println!("  next: set crypto.module = \"pkcs11\" and start signet serve");
        }
    }
    Ok(())
}
