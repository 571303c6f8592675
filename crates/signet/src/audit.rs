//! `signet audit verify|list`: the auditor's view of the hash-chained log, read from the
//! same database as the server (safe while it runs).

use crate::cli::AuditCommand;
use crate::config::LoadedConfig;
use crate::open::{open, Mode};
use anyhow::{anyhow, bail};
use serde_json::json;

/// Runs an audit command.
pub async fn run(loaded: LoadedConfig, command: AuditCommand) -> anyhow::Result<()> {
    let opened = open(&loaded.config, Mode::Admin).await?;
    let result = execute(&opened.engine, command).await;
    opened.store.close().await;
    result
}

async fn execute(engine: &signet_engine::Engine, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { json } => match engine.audit_verify().await? {
            Ok(report) => {
                if json {
                    println!(
                        "{}",
                        json!({ "valid": true, "records": report.records, "last_seq": report.last_seq, "last_hash": report.last_hash })
                    );
                } else {
                    println!(
                        "audit log intact: {} records, last #{} ({})",
                        report.records, report.last_seq, report.last_hash
                    );
                }
                Ok(())
            }
            Err(brk) => {
                if json {
                    println!("{}", json!({ "valid": false, "error": brk.to_string() }));
                }
                bail!("audit log broken: {brk}")
            }
        },
        AuditCommand::List { user, since, limit, json } => {
            let since = since.as_deref().map(parse_rfc3339).transpose()?;
            let records = engine.audit_list(user.as_deref(), since, limit).await?;
            if json {
                let rows: Vec<_> = records
                    .iter()
                    .map(|r| {
                        json!({
                            "seq": r.seq, "at": r.at, "kind": r.kind, "outcome": r.outcome,
                            "user_id": r.user_id, "client_id": r.client_id, "credential_id": r.credential_id,
                            "details": serde_json::from_str::<serde_json::Value>(&r.details).unwrap_or(json!(r.details)),
                            "prev_hash": r.prev_hash, "hash": r.hash,
                        })
                    })
                    .collect();
                println!("{}", json!({ "records": rows }));
            } else {
                for r in &records {
                    println!(
                        "#{:<6} {} {:<32} {:<8} user={} client={} credential={} {}",
                        r.seq,
                        r.at,
                        r.kind,
                        r.outcome,
                        r.user_id.as_deref().unwrap_or("-"),
                        r.client_id.as_deref().unwrap_or("-"),
                        r.credential_id.as_deref().unwrap_or("-"),
                        r.details
                    );
                }
            }
            Ok(())
        }
    }
}

/// Parses an RFC 3339 date-time (`2026-11-25T10:00:00Z`, `…+01:00`, fractions ignored)
/// into unix seconds.
fn parse_rfc3339(s: &str) -> anyhow::Result<i64> {
    let bad = || anyhow!("--since: `{s}` is not an RFC 3339 date-time like 2026-11-25T10:00:00Z");
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let num =
        |r: std::ops::Range<usize>| s.get(r).and_then(|t| t.parse::<i64>().ok()).ok_or_else(bad);
    let (y, mo, d, h, mi, se) =
        (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return Err(bad());
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        o if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) && &o[3..4] == ":" => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            sign * (num(s.len() - 5..s.len() - 3)? * 3600 + num(s.len() - 2..s.len())? * 60)
        }
        _ => return Err(bad()),
    };
    // Days from civil (H. Hinnant's algorithm).
    let (y, m) = if mo <= 2 { (y - 1, mo + 9) } else { (y, mo - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn rfc3339_instants() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse_rfc3339("2026-09-21T14:13:20Z").unwrap(), 1_790_000_000);
        assert_eq!(parse_rfc3339("2026-09-21T15:13:20.5+01:00").unwrap(), 1_790_000_000);
        assert!(parse_rfc3339("2026-13-01T00:00:00Z").is_err());
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
