//! `signet bench …`: performance measured as ratios against a baseline run in the same
//! process (machines are noisy; absolute times are not comparable).
#![allow(clippy::disallowed_methods)] // benchmarks measure wall time with Instant

mod csc;
mod http;
mod pki;
mod sign;

use crate::cli::BenchCommand;

/// Runs a benchmark command.
pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Sign { key, threads, batch, seconds, only, json } => {
            sign::run(&key, threads, batch, seconds, only, json)
        }
        BenchCommand::Csc { key, concurrency, batch, seconds, json } => {
            csc::run(&key, concurrency, batch, seconds, json).await
        }
        BenchCommand::Pki { key, concurrency, seconds, json } => {
            pki::run(&key, concurrency, seconds, json).await
        }
    }
}
