//! Command-line interface.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Signet — a remote signing engine (CEN EN 419 241, CSC API).
#[derive(Debug, Parser)]
#[command(name = "signet", version, about)]
pub struct Cli {
    /// Options that locate the configuration and state.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Data directory (database, master key, signet.toml) [env: SIGNET_DATA_DIR] [default: ./signet-data]
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Configuration file [env: SIGNET_CONFIG] [default: DATA_DIR/signet.toml if present]
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (creates the database, master key and CA on first start).
    Serve(ServeArgs),
    /// Administer groups, clients, users, credentials and the CA (works while the server runs).
    Admin {
        /// Print one JSON object instead of text.
        #[arg(long, global = true)]
        json: bool,
        /// The admin command.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check or read the tamper-evident audit log (works while the server runs).
    Audit {
        /// The audit command.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Sign files with a credential on a running Signet server (PAdES or CAdES).
    Sign(SignArgs),
    /// Raise signed files to B-T, B-LT or B-LTA on a running Signet server.
    Extend(ExtendArgs),
    /// Measure performance against a baseline run in the same process.
    Bench {
        /// The benchmark.
        #[command(subcommand)]
        command: BenchCommand,
    },
}

/// `signet serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: SIGNET_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Also create (once) a demo group, client, user with a PIN and a credential.
    #[arg(long)]
    pub demo: bool,
}

/// How `signet sign` and `signet extend` reach and log in to the server.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The server's base URL, e.g. https://signet.example.org
    #[arg(long, env = "SIGNET_URL", hide_env_values = true)]
    pub url: String,
    /// A bearer access token (prefer the variable: arguments are visible to other users of
    /// the machine).
    #[arg(long, env = "SIGNET_TOKEN", hide_env_values = true, required_unless_present = "user")]
    pub token: Option<String>,
    /// Log in as this user (CSC `auth/login`) with the password read from standard input.
    #[arg(long, conflicts_with = "token", requires = "password_stdin")]
    pub user: Option<String>,
    /// Read the password of `--user` from the first line of standard input.
    #[arg(long, requires = "user")]
    pub password_stdin: bool,
    /// Trust these PEM certificates for the server's TLS certificate (beside the usual roots).
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
}

/// Where `signet sign` and `signet extend` write their results.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the results into this directory instead of beside each file.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Write the result to this file (only with one input file).
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    pub output: Option<PathBuf>,
    /// Replace output files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// An AdES baseline level (ETSI EN 319 122-1 §6, EN 319 142-1 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// The signature alone.
    #[value(name = "B-B")]
    BB,
    /// With a signature timestamp.
    #[value(name = "B-T")]
    BT,
    /// With the validation material (certificates, OCSP responses, CRLs).
    #[value(name = "B-LT")]
    BLt,
    /// With an archive (document) timestamp over all of it.
    #[value(name = "B-LTA")]
    BLta,
}

impl LevelArg {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BB => "B-B",
            Self::BT => "B-T",
            Self::BLt => "B-LT",
            Self::BLta => "B-LTA",
        }
    }
}

/// The signature format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// PAdES (ETSI EN 319 142-1): the signature inside the PDF.
    Pades,
    /// CAdES (ETSI EN 319 122-1): a CMS signature of any file.
    Cades,
    /// XAdES (ETSI EN 319 132-1): an XML signature (enveloped into an XML document by
    /// default).
    Xades,
}

/// CAdES or XAdES packaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PackagingArg {
    /// The signature apart from the file (`.p7s`; XAdES: `.xades.xml` naming the file).
    Detached,
    /// The file inside the signature (`.p7m`; XAdES: `.xades.xml`).
    Enveloping,
    /// XAdES: the signature inside the XML document (`.signed.xml`), the default.
    Enveloped,
}

/// The digest the signer authorises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashArg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// `signet sign`
#[derive(Debug, Args)]
#[command(after_help = "Secrets come from standard input, one per line: the password \
(with --user) first, then the PIN (with --pin-stdin).\n\
Outputs: a.pdf -> a.signed.pdf (PAdES), data.bin -> data.bin.p7s (CAdES detached) or \
data.bin.p7m (enveloping), beside each file or in --out-dir.")]
pub struct SignArgs {
    /// The server and how to log in.
    #[command(flatten)]
    pub server: ServerArgs,
    /// The signing credential's id.
    #[arg(long, value_name = "ID")]
    pub credential: String,
    /// Read the signing PIN from standard input (after the password, if any).
    #[arg(long)]
    pub pin_stdin: bool,
    /// The signature format.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The baseline level to reach.
    #[arg(long, value_enum, ignore_case = true)]
    pub level: LevelArg,
    /// CAdES packaging (detached by default) or XAdES packaging (enveloped by default).
    #[arg(long, value_enum)]
    pub packaging: Option<PackagingArg>,
    /// PAdES `/Reason`.
    #[arg(long)]
    pub reason: Option<String>,
    /// PAdES `/Location`.
    #[arg(long)]
    pub location: Option<String>,
    /// PAdES `/ContactInfo`.
    #[arg(long)]
    pub contact_info: Option<String>,
    /// PAdES signature field name [default: the server's, SignatureN].
    #[arg(long)]
    pub field_name: Option<String>,
    /// PAdES visible signature: PAGE:x1,y1,x2,y2 (page from 1, points from the bottom left).
    #[arg(long, value_name = "PAGE:x1,y1,x2,y2", value_parser = parse_visible)]
    pub visible: Option<Visible>,
    /// PAdES certification signature with these DocMDP permissions (1, 2 or 3).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    pub certify: Option<u8>,
    /// CSC `signAlgo` OID [default: the credential's first algorithm].
    #[arg(long, value_name = "OID")]
    pub sign_algo: Option<String>,
    /// The digest of the documents to authorise [default: the hash of --sign-algo, or of
    /// the credential's first algorithm].
    #[arg(long, value_enum)]
    pub hash: Option<HashArg>,
    /// Where to write the results.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The files to sign (one authorisation covers them all).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// A visible signature's place.
#[derive(Debug, Clone, PartialEq)]
pub struct Visible {
    /// The page, from 1.
    pub page: u32,
    /// `x1,y1,x2,y2` in points.
    pub rect: [f64; 4],
}

fn parse_visible(s: &str) -> Result<Visible, String> {
    let bad = || format!("expected PAGE:x1,y1,x2,y2, e.g. 1:50,50,250,110; got {s:?}");
    let (page, rect) = s.split_once(':').ok_or_else(bad)?;
    let page: u32 = page.trim().parse().map_err(|_| bad())?;
    if page == 0 {
        return Err("pages are numbered from 1".into());
    }
    let v: Vec<f64> = rect
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let rect: [f64; 4] = v.try_into().map_err(|_| bad())?;
    if !rect.iter().all(|x| x.is_finite()) || rect[0] >= rect[2] || rect[1] >= rect[3] {
        return Err(format!("{s:?}: the rectangle needs x1 < x2 and y1 < y2"));
    }
    Ok(Visible { page, rect })
}

/// `signet extend`
#[derive(Debug, Args)]
#[command(after_help = "PDFs are sent as they are; other files are taken as CAdES signatures \
(DER CMS). Outputs: a.signed.pdf -> a.signed.extended.pdf, data.bin.p7s -> \
data.bin.extended.p7s, beside each file or in --out-dir.")]
pub struct ExtendArgs {
    /// The server and how to log in.
    #[command(flatten)]
    pub server: ServerArgs,
    /// The level to reach (B-LTA again renews an archive timestamp).
    #[arg(long, value_enum, ignore_case = true)]
    pub level: LevelArg,
    /// The content of a detached CAdES signature (needed for B-LTA; one FILE only).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// Where to write the results.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The signed files: PDFs, or CAdES signatures.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `signet admin …`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Groups of service providers.
    Group {
        /// Group command.
        #[command(subcommand)]
        command: GroupCommand,
    },
    /// OAuth clients of a group.
    Client {
        /// Client command.
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// User accounts.
    User {
        /// User command.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Signing credentials.
    Credential {
        /// Credential command.
        #[command(subcommand)]
        command: CredentialCommand,
    },
    /// The embedded certificate authority.
    Ca {
        /// CA command.
        #[command(subcommand)]
        command: CaCommand,
    },
    /// The crypto module's stored keys.
    Crypto {
        /// Crypto command.
        #[command(subcommand)]
        command: CryptoCommand,
    },
}

/// `signet admin crypto …`
#[derive(Debug, Subcommand)]
pub enum CryptoCommand {
    /// Re-wrap every stored key and sealed secret of the soft module under the HSM's master
    /// keys ([crypto.pkcs11]; the soft master key file is read). Each key is moved in a
    /// transaction of its own with an audit record: an interrupted run loses nothing, and
    /// running it again moves only what is left. Stop the servers first; afterwards set
    /// crypto.module = "pkcs11".
    Migrate {
        /// The target module.
        #[arg(long, value_enum)]
        to: MigrateTarget,
        /// Move at most this many keys in this run (the rest stay for the next).
        #[arg(long)]
        limit: Option<u64>,
    },
}

/// Where `signet admin crypto migrate` moves keys to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateTarget {
    /// The PKCS#11 HSM of [crypto.pkcs11].
    Pkcs11,
}

/// `signet admin group …`
#[derive(Debug, Subcommand)]
pub enum GroupCommand {
    /// Create a group.
    Create {
        /// Unique name.
        name: String,
        /// Allow legacy SHA-1 signatures for this group's users.
        #[arg(long)]
        allow_sha1: bool,
    },
}

/// `signet admin client …`
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create a client; a confidential client's secret is shown once.
    Create {
        /// The group it belongs to.
        #[arg(long)]
        group: String,
        /// Its name, unique in the group.
        #[arg(long)]
        name: String,
        /// A redirect URI of the authorization-code flow, matched exactly (repeatable):
        /// https, or http to 127.0.0.1, [::1] or localhost; no fragment, no wildcard.
        #[arg(long = "redirect-uri", value_name = "URI")]
        redirect_uris: Vec<String>,
        /// A public client (browser or native app): no secret, PKCE required; needs a
        /// --redirect-uri.
        #[arg(long)]
        public: bool,
        /// An allowed scope (repeatable): service, credential, openid, profile, email,
        /// phone, offline_access.
        #[arg(long = "scope", value_name = "SCOPE", default_value = "service")]
        scopes: Vec<String>,
        /// A user claim it may read (repeatable; needs --scope openid): name, given_name,
        /// family_name, email, phone_number, loa.
        #[arg(long = "claim", value_name = "CLAIM")]
        claims: Vec<String>,
        /// A public key for `private_key_jwt` client authentication (repeatable): a PEM
        /// `PUBLIC KEY` file (RSA 2048+ or EC P-256/P-384) or a JWK Set JSON file.
        #[arg(long = "jwt-key-file", value_name = "FILE")]
        jwt_key_files: Vec<std::path::PathBuf>,
    },
    /// List clients with their redirect URIs, scopes and claims (never a secret).
    List {
        /// Only this group's clients.
        #[arg(long)]
        group: Option<String>,
    },
}

/// `signet admin user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        /// Login name.
        username: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Group name [default: default].
        #[arg(long)]
        group: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Phone number (E.164).
        #[arg(long)]
        phone: Option<String>,
        /// Full name, "Given Surname".
        #[arg(long)]
        name: Option<String>,
    },
    /// Set or reset the signing PIN (lifts a lock); the PIN is read from standard input.
    SetPin {
        /// Login name.
        username: String,
        /// Read the PIN from standard input (required).
        #[arg(long, required = true)]
        pin_stdin: bool,
    },
    /// Give the user an offline OTP (TOTP); prints the seed and an otpauth:// URI once.
    SetOtp {
        /// Login name.
        username: String,
    },
    /// Show a user.
    Show {
        /// Login name.
        username: String,
    },
}

/// `signet admin credential …`
#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Create a key and certificate for a user.
    Create {
        /// Owner's login name.
        username: String,
        /// rsa-2048 | rsa-3072 | rsa-4096 | ec-p256 | ec-p384 [default: certificates.default_key]
        #[arg(long)]
        key: Option<String>,
        /// A certificate profile of the user's group (natural-person, legal-person, or a
        /// configured `[profiles.NAME]`) [default: the group's default profile]
        #[arg(long)]
        profile: Option<String>,
        /// Sole control assurance level: 1 or 2.
        #[arg(long, default_value_t = 2)]
        scal: u8,
        /// Most signatures one authorisation may cover.
        #[arg(long, default_value_t = 1)]
        multisign: u32,
        /// Free text shown to the user.
        #[arg(long)]
        description: Option<String>,
        /// State that the user accepted the group's TSP policy documents (e.g. on a signed
        /// form); required when the group has any.
        #[arg(long)]
        accepted_policies: bool,
    },
    /// Disable a credential: it can no longer be authorised or sign.
    Disable {
        /// Credential id.
        credential_id: String,
    },
    /// Enable a disabled credential.
    Enable {
        /// Credential id.
        credential_id: String,
    },
    /// Revoke a credential's certificate (CRL and OCSP reflect it at once).
    Revoke {
        /// Credential id.
        credential_id: String,
        /// RFC 5280 reason: keyCompromise, affiliationChanged, superseded, cessationOfOperation, …
        #[arg(long)]
        reason: Option<String>,
    },
    /// List a user's credentials.
    List {
        /// Owner's login name.
        username: String,
    },
}

/// `signet admin ca …`
#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Write the root and issuing CA certificates as PEM files into a directory.
    Export {
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `signet audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; exit 1 naming the first altered, missing or reordered record.
    Verify {
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List records, oldest first.
    List {
        /// Only records of this user (username).
        #[arg(long)]
        user: Option<String>,
        /// Only records at or after this time (RFC 3339, e.g. 2026-11-25T10:00:00Z).
        #[arg(long)]
        since: Option<String>,
        /// At most this many records.
        #[arg(long, default_value_t = 1000)]
        limit: i64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// The crypto module `signet bench sign` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchModule {
    /// The soft module against raw aws-lc-rs.
    Soft,
    /// SoftHSM2 (per-operation unwrap, resident key) beside the soft module.
    Pkcs11,
}

/// `signet bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Digest signing through the soft module (unwrap per operation) vs the raw aws-lc-rs rate;
    /// with `--module pkcs11`, through SoftHSM2 with per-operation unwrap vs a resident HSM
    /// key vs the soft module, in one run.
    Sign {
        /// `soft`, or `pkcs11`: a throwaway SoftHSM2 token made in a temporary directory
        /// (its own SOFTHSM2_CONF) and removed at the end; never a configured HSM.
        #[arg(long, value_enum, default_value = "soft")]
        module: BenchModule,
        /// The SoftHSM2 PKCS#11 library for `--module pkcs11`.
        #[arg(long, default_value = "/usr/lib/softhsm/libsofthsm2.so")]
        pkcs11_library: PathBuf,
        /// Key type to report first: rsa-2048 | rsa-3072 | rsa-4096 | ec-p256 | ec-p384.
        #[arg(long, default_value = "rsa-2048")]
        key: String,
        /// Signing threads.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Digests per request in the per-request (batch) measurement.
        #[arg(long, default_value_t = 10)]
        batch: usize,
        /// Seconds per key type (split between the three measurements).
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Only the chosen key type.
        #[arg(long)]
        only: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// CSC signHash over HTTP against an in-process server, beside the raw signing rate.
    Csc {
        /// Key type of the credential.
        #[arg(long, default_value = "rsa-2048")]
        key: String,
        /// Concurrent clients (each with its own keep-alive connection).
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// Hashes per SAD in the batch measurement.
        #[arg(long, default_value_t = 100)]
        batch: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// TSA tokens/s and OCSP responses/s over HTTP beside the raw signing rate of the
    /// same key type.
    Pki {
        /// Key type of the CA, and so of the TSA and OCSP responder keys. (Concurrency 4
        /// keeps two requests in flight per core of a 2-core machine: one being signed
        /// while the other crosses HTTP; the baseline then runs 4 threads too.)
        #[arg(long, default_value = "rsa-3072")]
        key: String,
        /// Concurrent clients (each with its own keep-alive connection).
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// PAdES signing of large PDFs (B-B, B-LTA) beside SHA-256 of the file and pyHanko;
    /// with `--format xades`, XAdES enveloped signing of XML beside xmlsec1.
    Documents {
        /// `pades` or `xades`.
        #[arg(long, default_value = "pades")]
        format: String,
        /// PDF sizes in MB, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,50")]
        sizes: Vec<u64>,
        /// XML sizes in KB, comma-separated (`--format xades`).
        #[arg(long, value_delimiter = ',', default_value = "100,20480")]
        xml_sizes_kb: Vec<u64>,
        /// Rounds per size (the median is reported).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// The Python with pyHanko for the peer [default: .venv-peers/bin/python of the source tree].
        #[arg(long)]
        pyhanko: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}
