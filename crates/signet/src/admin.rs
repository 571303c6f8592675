//! `signet admin …`: operator commands on the same database and master key as the server
//! (safe while it runs). With `--json` each prints exactly one JSON object.

use crate::cli::{
    AdminCommand, CaCommand, ClientCommand, CredentialCommand, CryptoCommand, GroupCommand,
    UserCommand,
};
use crate::config::LoadedConfig;
use crate::open::{open, Mode};
use anyhow::{bail, Context};
use serde_json::{json, Value};
use signet_engine::{Engine, NewClientRequest, NewCredentialRequest, NewUserRequest};
use std::io::Read;
use zeroize::Zeroizing;

/// Runs one admin command and prints its result.
pub async fn run(
    loaded: LoadedConfig,
    command: AdminCommand,
    json_out: bool,
) -> anyhow::Result<()> {
    if let AdminCommand::Crypto { command: CryptoCommand::Migrate { to, limit } } = command {
        return crate::admin_crypto::migrate(&loaded, to, limit, json_out).await;
    }
    let opened = open(&loaded.config, Mode::Admin).await?;
    let result = execute(&opened.engine, command).await;
    opened.store.close().await;
    let (value, text) = result?;
    if json_out {
        println!("{value}");
    } else {
        println!("{text}");
    }
    Ok(())
}

/// Executes a command: its JSON result and its text form.
async fn execute(engine: &Engine, command: AdminCommand) -> anyhow::Result<(Value, String)> {
    Ok(match command {
        AdminCommand::Group { command: GroupCommand::Create { name, allow_sha1 } } => {
            let g = engine.create_group(&name, allow_sha1).await?;
            let text = format!(
                "created group {} (id {}, SHA-1 {})",
                g.name,
                g.id,
                if g.allow_sha1 { "allowed" } else { "refused" }
            );
            (json!(g), text)
        }
        AdminCommand::Client {
            command:
                ClientCommand::Create {
                    group,
                    name,
                    redirect_uris,
                    public,
                    scopes,
                    claims,
                    jwt_key_files,
                },
        } => {
            let mut jwt_keys = Vec::new();
            for f in &jwt_key_files {
                jwt_keys.extend(read_jwt_keys(f)?);
            }
            let c = engine
                .create_client(NewClientRequest {
                    group,
                    name,
                    redirect_uris,
                    public,
                    scopes,
                    claims,
                    jwt_keys,
                })
                .await?;
            let v = &c.client;
            let mut text = format!(
                "created {} client {} in group {}\n  client_id      {}",
                if v.public { "public" } else { "confidential" },
                v.name,
                v.group,
                v.client_id
            );
            if let Some(secret) = &c.client_secret {
                text.push_str(&format!("\n  client_secret  {secret}"));
            }
            text.push_str(&format!(
                "\n  redirect_uris  {}\n  scopes         {}\n  claims         {}",
                words(&v.redirect_uris),
                words(&v.scopes),
                words(&v.claims)
            ));
            if !v.jwt_key_ids.is_empty() {
                text.push_str(&format!("\n  jwt keys       {}", words(&v.jwt_key_ids)));
            }
            text.push_str(if v.public {
                "\n(no secret: a public client uses PKCE)"
            } else {
                "\n(the secret is shown once; store it now)"
            });
            (json!(c), text)
        }
        AdminCommand::Client { command: ClientCommand::List { group } } => {
            let list = engine.list_clients(group.as_deref()).await?;
            let mut text = format!("{} client(s)", list.len());
            for c in &list {
                text.push_str(&format!(
                    "\n  {}  {}/{}  {}  scopes {}  claims {}  redirect_uris {}",
                    c.client_id,
                    c.group,
                    c.name,
                    if c.public { "public" } else { "confidential" },
                    words(&c.scopes),
                    words(&c.claims),
                    words(&c.redirect_uris)
                ));
            }
            (json!({ "clients": list }), text)
        }
        AdminCommand::User {
            command: UserCommand::Create { username, password_stdin: _, group, email, phone, name },
        } => {
            let password = read_stdin_secret("password")?;
            let u = engine
                .create_user(NewUserRequest { username, password, group, name, email, phone })
                .await?;
            let text = format!("created user {} (id {}, group {})", u.username, u.id, u.group);
            (json!(u), text)
        }
        AdminCommand::User { command: UserCommand::SetPin { username, pin_stdin: _ } } => {
            let pin = read_stdin_secret("PIN")?;
            engine.set_pin(&username, &pin).await?;
            (json!({ "username": username, "pin_set": true }), format!("PIN set for {username}"))
        }
        AdminCommand::User { command: UserCommand::SetOtp { username } } => {
            let e = engine.set_otp(&username).await?;
            let text = format!(
                "OTP set for {}\n  secret  {}\n  uri     {}\n(shown once: enter it in the user's authenticator app now)",
                e.username, e.secret, e.uri
            );
            (json!(e), text)
        }
        AdminCommand::User { command: UserCommand::Show { username } } => {
            let u = engine.user(&username).await?;
            let text = format!(
                "{} (id {})\n  group    {}\n  name     {} {}\n  email    {}\n  phone    {}\n  PIN      {}",
                u.username,
                u.id,
                u.group,
                u.given_name,
                u.surname,
                u.email.as_deref().unwrap_or("-"),
                u.phone.as_deref().unwrap_or("-"),
                if !u.has_pin { "not set" } else if u.pin_locked { "locked" } else { "set" }
            );
            (json!(u), text)
        }
        AdminCommand::Credential {
            command:
                CredentialCommand::Create {
                    username,
                    key,
                    profile,
                    scal,
                    multisign,
                    description,
                    accepted_policies,
                },
        } => {
            let key = key
                .map(|k| k.parse())
                .transpose()
                .map_err(|e: signet_types::UnknownAlgorithm| anyhow::anyhow!(e))?;
            let c = engine
                .create_credential(NewCredentialRequest {
                    username,
                    key,
                    profile,
                    scal,
                    multisign,
                    description,
                    accepted_by_operator: accepted_policies,
                })
                .await?;
            let text = format!(
                "created credential {}\n  key      {}\n  profile  {}\n  subject  {}\n  serial   {}",
                c.credential_id,
                c.key,
                c.profile,
                c.subject.as_deref().unwrap_or("-"),
                c.serial_number.as_deref().unwrap_or("-")
            );
            (json!(c), text)
        }
        AdminCommand::Credential { command: CredentialCommand::Disable { credential_id } } => {
            engine.set_credential_enabled(&credential_id, false).await?;
            (
                json!({ "credential_id": credential_id, "status": "disabled" }),
                format!("credential {credential_id} disabled"),
            )
        }
        AdminCommand::Credential { command: CredentialCommand::Enable { credential_id } } => {
            engine.set_credential_enabled(&credential_id, true).await?;
            (
                json!({ "credential_id": credential_id, "status": "enabled" }),
                format!("credential {credential_id} enabled"),
            )
        }
        AdminCommand::Credential {
            command: CredentialCommand::Revoke { credential_id, reason },
        } => {
            let serial = engine.revoke_credential(&credential_id, reason.as_deref()).await?;
            let reason = reason.unwrap_or_else(|| "unspecified".into());
            let text = format!(
                "revoked the certificate {serial} of credential {credential_id} ({reason})"
            );
            (json!({ "credential_id": credential_id, "serial": serial, "reason": reason }), text)
        }
        AdminCommand::Credential { command: CredentialCommand::List { username } } => {
            let list = engine.list_credentials(&username).await?;
            let mut text = format!("{} credential(s) of {username}", list.len());
            for c in &list {
                text.push_str(&format!(
                    "\n  {}  {}  {}  {}  SCAL {}  multisign {}  {}",
                    c.credential_id,
                    c.key,
                    c.profile,
                    c.status,
                    c.scal,
                    c.multisign,
                    c.subject.as_deref().unwrap_or("(no certificate)")
                ));
            }
            (json!({ "username": username, "credentials": list }), text)
        }
        AdminCommand::Ca { command: CaCommand::Export { out } } => {
            let cas = engine.ca_certificates().await?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let mut files = Vec::new();
            for ca in &cas {
                let path = out.join(format!("{}.pem", ca.id));
                std::fs::write(&path, &ca.pem)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                files.push(json!({ "id": ca.id, "subject": ca.subject, "file": path.display().to_string() }));
            }
            let text = files
                .iter()
                .map(|f| {
                    format!(
                        "wrote {} ({})",
                        f["file"].as_str().unwrap_or(""),
                        f["subject"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            (json!({ "certificates": files }), text)
        }
        AdminCommand::Crypto { .. } => bail!("handled before the engine is opened"),
    })
}

/// A list for the text output: space-separated, `-` when empty.
fn words(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(" ")
    }
}

/// Reads a secret from standard input: everything up to the end, less one trailing
/// newline. Empty input is refused here; length rules are the engine's.
fn read_stdin_secret(what: &str) -> anyhow::Result<Zeroizing<String>> {
    let mut s = Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut s)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    let trimmed = s.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&s);
    if trimmed.is_empty() {
        bail!("the {what} read from standard input is empty");
    }
    Ok(Zeroizing::new(trimmed.to_owned()))
}

/// The keys of a `--jwt-key-file`: PEM `PUBLIC KEY` blocks, or a JWK Set (RFC 7517 §5).
fn read_jwt_keys(path: &std::path::Path) -> anyhow::Result<Vec<signet_engine::JwtKey>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if text.trim_start().starts_with('{') {
        let set: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", path.display()))?;
        let keys = set["keys"]
            .as_array()
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("{}: a JWK Set needs a `keys` array", path.display()))?;
        return Ok(keys.into_iter().map(signet_engine::JwtKey::Jwk).collect());
    }
    let ders =
        crate::config::connectors::pem_file(path, "PUBLIC KEY").map_err(anyhow::Error::msg)?;
    if ders.is_empty() {
        anyhow::bail!("{}: no PEM PUBLIC KEY block and not a JWK Set", path.display());
    }
    Ok(ders.into_iter().map(signet_engine::JwtKey::Spki).collect())
}
