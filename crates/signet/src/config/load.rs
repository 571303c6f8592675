//! Layering: defaults → `signet.toml` → `SIGNET_<SECTION>__<KEY>` → command-line flags.

use super::Config;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// What the command line says about where to find the configuration.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--config FILE`.
    pub config_file: Option<PathBuf>,
}

/// The validated configuration and what was noticed while loading it.
#[derive(Debug)]
pub struct LoadedConfig {
    /// The configuration.
    pub config: Config,
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// Unknown keys, to be warned about.
    pub warnings: Vec<String>,
}

const ENV_PREFIX: &str = "SIGNET_";
/// Variables that steer loading itself rather than naming a key.
const ENV_RESERVED: &[&str] = &["SIGNET_CONFIG"];
/// Variables taken as strings whatever they look like (a PIN `0123` or `1e5` is no number).
const ENV_STRINGS: &[&str] = &[super::PIN_ENV];

/// Loads the configuration. `env` is the process environment (passed in for tests).
/// The error is one line, naming the file or key at fault.
pub fn load(sources: &Sources, env: &[(String, String)]) -> Result<LoadedConfig, String> {
    let env_get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let data_dir = sources
        .data_dir
        .clone()
        .or_else(|| env_get("SIGNET_DATA_DIR").map(PathBuf::from))
        .unwrap_or_else(|| Config::default().data_dir);

    let explicit =
        sources.config_file.clone().or_else(|| env_get("SIGNET_CONFIG").map(PathBuf::from));
    let file = match explicit {
        Some(f) if !f.is_file() => {
            return Err(format!("{}: configuration file not found", f.display()))
        }
        Some(f) => Some(f),
        None => Some(data_dir.join("signet.toml")).filter(|f| f.is_file()),
    };
    let mut root = match &file {
        Some(f) => read_toml(f)?,
        None => Table::new(),
    };
    let pin_in_file =
        root.get("crypto").and_then(|c| c.get("pkcs11")).is_some_and(|p| p.get("pin").is_some());
    if pin_in_file {
        return Err(format!(
            "crypto.pkcs11.pin: the PIN is never read from the configuration file; use \
             crypto.pkcs11.pin_file or {}",
            super::PIN_ENV
        ));
    }

    for (name, raw) in env {
        let Some(key) = name.strip_prefix(ENV_PREFIX) else { continue };
        if ENV_RESERVED.contains(&name.as_str()) || key.is_empty() {
            continue;
        }
        let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
        let value = if ENV_STRINGS.contains(&name.as_str()) {
            Value::String(raw.clone())
        } else {
            env_value(raw)
        };
        set_path(&mut root, &path, value).map_err(|e| format!("{name}: {e}"))?;
    }
    if let Some(d) = &sources.data_dir {
        root.insert("data_dir".into(), Value::String(d.display().to_string()));
    }
    if let Some(l) = &sources.listen {
        root.insert("listen".into(), Value::String(l.to_string()));
    }

    let mut warnings = Vec::new();
    let config: Config = {
        let mut on_unknown = |path: serde_ignored::Path<'_>| {
            warnings.push(format!("unknown configuration key `{path}` (ignored)"));
        };
        let de = serde_ignored::Deserializer::new(Value::Table(root), &mut on_unknown);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner().to_string();
            let inner = inner.lines().next().unwrap_or_default().to_owned();
            if key == "." {
                inner
            } else {
                format!("{key}: {inner}")
            }
        })?
    };
    config.validate()?;
    Ok(LoadedConfig { config, file, warnings })
}

fn read_toml(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse::<Table>().map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
        let message = e.message().trim().replace('\n', "; ");
        format!("{}{at}: {message}", path.display())
    })
}

/// An environment value as TOML where it reads as a number, boolean or array;
/// otherwise as a string (addresses, URLs and names need no quoting).
fn env_value(raw: &str) -> Value {
    match format!("v = {raw}").parse::<Table>().ok().and_then(|mut t| t.remove("v")) {
        Some(v @ (Value::Integer(_) | Value::Float(_) | Value::Boolean(_) | Value::Array(_))) => v,
        _ => Value::String(raw.to_owned()),
    }
}

fn set_path(table: &mut Table, path: &[String], value: Value) -> Result<(), String> {
    match path {
        [] => Ok(()),
        [last] => {
            table.insert(last.clone(), value);
            Ok(())
        }
        [first, rest @ ..] => {
            let entry = table.entry(first.clone()).or_insert_with(|| Value::Table(Table::new()));
            match entry {
                Value::Table(t) => set_path(t, rest, value),
                _ => Err(format!("`{first}` is a value, not a section")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn with_file(toml: &str) -> (tempfile::TempDir, Sources) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("signet.toml"), toml).unwrap();
        let s = Sources { data_dir: Some(dir.path().to_path_buf()), ..Sources::default() };
        (dir, s)
    }

    #[test]
    fn defaults_need_no_file() {
        let c = load(&Sources::default(), &[]).unwrap();
        assert_eq!(c.config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.config.data_dir, PathBuf::from("./signet-data"));
        assert!(c.config.database_url().ends_with("signet-data/signet.db"));
        assert!(c.file.is_none());
    }

    #[test]
    fn file_then_env_then_flags() {
        let (_d, mut s) = with_file("listen = \"127.0.0.1:9000\"\n[database]\nmax_connections = 3\n[pin]\nmax_attempts = 4\n");
        let e = env(&[("SIGNET_DATABASE__MAX_CONNECTIONS", "7"), ("SIGNET_CA__KEY", "ec-p256")]);
        let c = load(&s, &e).unwrap().config;
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.database.max_connections, 7);
        assert_eq!(c.pin.max_attempts, 4);
        assert_eq!(c.ca.key, signet_types::KeyAlgorithm::EcP256);
        s.listen = Some("127.0.0.1:9100".parse().unwrap());
        assert_eq!(load(&s, &e).unwrap().config.listen.port(), 9100);
    }

    #[test]
    fn unknown_keys_are_warned_about() {
        let (_d, s) = with_file("[databse]\nurl = \"x\"\n");
        let c = load(&s, &env(&[("SIGNET_CRYPTO__MODUL", "soft")])).unwrap();
        assert!(c.warnings.iter().any(|w| w.contains("databse")), "{:?}", c.warnings);
        assert!(c.warnings.iter().any(|w| w.contains("crypto.modul")), "{:?}", c.warnings);
    }

    #[test]
    fn invalid_values_give_one_line_naming_the_key() {
        let (_d, s) = with_file("[crypto]\nmodule = \"hsm\"\n");
        let e = load(&s, &[]).unwrap_err();
        assert!(e.starts_with("crypto.module: ") && !e.contains('\n'), "{e}");

        let e = load(&Sources::default(), &env(&[("SIGNET_LISTEN", "nowhere")])).unwrap_err();
        assert!(e.starts_with("listen: "), "{e}");

        let e =
            load(&Sources::default(), &env(&[("SIGNET_DATABASE__URL", "mysql://x")])).unwrap_err();
        assert!(e.starts_with("database.url"), "{e}");

        let e = load(&Sources::default(), &env(&[("SIGNET_CA__KEY", "rsa-1024")])).unwrap_err();
        assert!(e.contains("ca.key") && e.contains("rsa-1024"), "{e}");
    }

    #[test]
    fn pkcs11_settings_come_from_file_and_environment_and_the_pin_never_from_the_file() {
        let lib = tempfile::NamedTempFile::new().unwrap();
        let lib = lib.path().display().to_string();
        let base = format!(
            "[crypto]\nmodule = \"pkcs11\"\n[crypto.pkcs11]\nlibrary = \"{lib}\"\ntoken_label = \"signet\"\n"
        );
        // The PIN in the file is refused, naming both ways to give it.
        let (_d, s) = with_file(&format!("{base}pin = \"1234\"\n"));
        let e = load(&s, &[]).unwrap_err();
        assert!(e.contains("crypto.pkcs11.pin") && e.contains("SIGNET_CRYPTO__PKCS11__PIN"), "{e}");
        assert!(!e.contains("1234"), "{e}");
        // No PIN at all: refused.
        let (_d, s) = with_file(&base);
        assert!(load(&s, &[]).unwrap_err().contains("crypto.pkcs11.pin_file"));
        // From the environment, kept a string even when it looks like a number.
        let c = load(&s, &env(&[("SIGNET_CRYPTO__PKCS11__PIN", "0123")])).unwrap().config;
        let settings = c.crypto.pkcs11.settings().unwrap();
        assert_eq!(settings.pin.as_str(), "0123");
        assert_eq!(
            (settings.wrap_key_label.as_str(), settings.mac_key_label.as_str()),
            ("signet-master", "signet-master.mac")
        );
        assert!(!format!("{c:?}").contains("0123"), "Debug hides the PIN");
        let c = load(&s, &env(&[("SIGNET_CRYPTO__PKCS11__PIN", "1e5")])).unwrap().config;
        assert_eq!(c.crypto.pkcs11.settings().unwrap().pin.as_str(), "1e5");
        // From a private file; a readable one is refused.
        let pin_dir = tempfile::tempdir().unwrap();
        let pin = pin_dir.path().join("pin");
        std::fs::write(&pin, "4321\n").unwrap();
        let (_d, s) = with_file(&format!("{base}pin_file = \"{}\"\n", pin.display()));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = load(&s, &[]).unwrap().config;
        assert_eq!(c.crypto.pkcs11.settings().unwrap().pin.as_str(), "4321");
        std::fs::set_permissions(&pin, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = c.crypto.pkcs11.settings().unwrap_err();
        assert!(e.contains("mode 644"), "{e}");
        // A missing library or token label names the key.
        let (_d, s) = with_file(
            "[crypto]\nmodule = \"pkcs11\"\n[crypto.pkcs11]\nlibrary = \"/nonexistent.so\"\n",
        );
        assert!(load(&s, &[]).unwrap_err().starts_with("crypto.pkcs11.library"));
    }

    #[test]
    fn malformed_toml_names_the_file_and_line() {
        let (_d, s) = with_file("listen = \"127.0.0.1:1\"\n[pin\n");
        let e = load(&s, &[]).unwrap_err();
        assert!(e.contains("signet.toml (line 2)") && !e.contains('\n'), "{e}");
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        let s =
            Sources { config_file: Some("/nonexistent/signet.toml".into()), ..Sources::default() };
        assert!(load(&s, &[]).unwrap_err().contains("not found"));
    }
}
