//! `signet`: the server, the admin CLI, the sign/extend client and the benchmarks in one
//! binary.

mod admin;
mod admin_crypto;
mod audit;
mod bench;
mod cli;
mod client;
mod config;
mod logging;
mod open;
mod serve;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json_errors = matches!(
        &cli.command,
        Command::Admin { json: true, .. }
            | Command::Audit {
                command: cli::AuditCommand::Verify { json: true }
                    | cli::AuditCommand::List { json: true, .. }
            }
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the chain of causes, outermost first.
            let line = format!("{e:#}").replace('\n', " ");
            if json_errors {
                println!("{}", serde_json::json!({ "error": line }));
            }
            eprintln!("error: {line}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve(args) => args.listen,
        _ => None,
    };
    let sources = config::Sources {
        data_dir: cli.global.data_dir.clone(),
        listen,
        config_file: cli.global.config.clone(),
    };
    match cli.command {
        Command::Serve(args) => {
            let loaded = load_config(&sources)?;
            serve::run(loaded, args.demo).await
        }
        Command::Admin { json, command } => {
            let loaded = load_config(&sources)?;
            admin::run(loaded, command, json).await
        }
        Command::Audit { command } => {
            let loaded = load_config(&sources)?;
            audit::run(loaded, command).await
        }
        // Client commands: no configuration or data directory, only the server's URL.
        Command::Sign(args) => client::interruptible(client::sign(args)).await,
        Command::Extend(args) => client::interruptible(client::extend(args)).await,
        Command::Bench { command } => bench::run(command).await,
    }
}

fn load_config(sources: &config::Sources) -> anyhow::Result<config::LoadedConfig> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let loaded = config::load(sources, &env).map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    logging::init(&loaded.config.log);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    Ok(loaded)
}
