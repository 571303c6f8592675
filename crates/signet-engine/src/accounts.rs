//! Groups of service providers, their users and signing PINs (clients: `clients.rs`).

use crate::bootstrap::DEFAULT_GROUP;
use crate::{Engine, EngineError};
use signet_store::{Group, NewGroup, NewUser, User};
use zeroize::Zeroizing;

/// Shortest password accepted for a user account.
const MIN_PASSWORD_LEN: usize = 8;

/// A group as shown to operators.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupView {
    /// Group id.
    pub id: String,
    /// Unique name.
    pub name: String,
    /// Whether SHA-1 signatures are allowed for its users.
    pub allow_sha1: bool,
}

impl From<Group> for GroupView {
    fn from(g: Group) -> Self {
        Self { id: g.id, name: g.name, allow_sha1: g.allow_sha1 }
    }
}

/// A user as shown to operators (never the hashes).
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserView {
    /// User id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Group name.
    pub group: String,
    /// Given name.
    pub given_name: String,
    /// Surname.
    pub surname: String,
    /// E-mail address, if known.
    pub email: Option<String>,
    /// Phone number, if known.
    pub phone: Option<String>,
    /// Whether a signing PIN is set.
    pub has_pin: bool,
    /// Whether the PIN is locked after too many failures.
    pub pin_locked: bool,
    /// Whether the user has an offline OTP.
    pub has_otp: bool,
}

/// Fields of a new user.
#[derive(Debug, Clone, Default)]
pub struct NewUserRequest {
    /// Login name.
    pub username: String,
    /// Password (hashed with argon2id before it is stored).
    pub password: Zeroizing<String>,
    /// Group name; the default group when `None`.
    pub group: Option<String>,
    /// "Given Surname".
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone (E.164).
    pub phone: Option<String>,
}

pub(crate) fn check_name(kind: &str, name: &str) -> Result<(), EngineError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(EngineError::InvalidInput(format!(
            "{kind} `{}` is invalid: use 1-64 letters, digits, - _ . @",
            name.chars().take(64).collect::<String>()
        )))
    }
}

impl Engine {
    /// Creates a group of service providers.
    pub async fn create_group(
        &self,
        name: &str,
        allow_sha1: bool,
    ) -> Result<GroupView, EngineError> {
        check_name("group name", name)?;
        let group = NewGroup {
            id: crate::new_id(),
            name: name.to_owned(),
            allow_sha1,
            created_at: self.clock.now(),
        };
        let g: GroupView = self
            .store
            .create_group(group)
            .await
            .map_err(|e| conflict(e, format!("group `{name}` already exists")))?
            .into();
        self.admin_audit(
            "group.create",
            None,
            None,
            serde_json::json!({ "group": g.name, "allow_sha1": g.allow_sha1 }),
        )
        .await?;
        Ok(g)
    }

    pub(crate) async fn group_named(&self, name: &str) -> Result<Group, EngineError> {
        self.store
            .group_by_name(name)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("group `{name}`")))
    }

    /// Creates a user account.
    pub async fn create_user(&self, req: NewUserRequest) -> Result<UserView, EngineError> {
        check_name("username", &req.username)?;
        if req.password.chars().count() < MIN_PASSWORD_LEN {
            return Err(EngineError::InvalidInput(format!(
                "the password must have at least {MIN_PASSWORD_LEN} characters"
            )));
        }
        if let Some(e) = &req.email {
            if !e.contains('@') || e.contains(char::is_whitespace) || e.len() > 254 {
                return Err(EngineError::InvalidInput(format!("`{e}` is not an e-mail address")));
            }
        }
        if let Some(p) = &req.phone {
            let digits = p.strip_prefix('+').unwrap_or(p);
            if digits.len() < 6 || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(EngineError::InvalidInput(format!(
                    "`{p}` is not a phone number in E.164 form (+4912345678)"
                )));
            }
        }
        let (given_name, surname) = split_name(req.name.as_deref(), &req.username)?;
        let group = self.group_named(req.group.as_deref().unwrap_or(DEFAULT_GROUP)).await?;
        let password_hash = hash(req.password.as_bytes()).await?;
        let user = NewUser {
            id: crate::new_id(),
            username: req.username.clone(),
            group_id: group.id,
            given_name,
            surname,
            email: req.email.clone().unwrap_or_default(),
            phone: req.phone.clone(),
            password_hash,
            pin_hash: None,
            created_at: self.clock.now(),
        };
        let user = self
            .store
            .create_user(user)
            .await
            .map_err(|e| conflict(e, format!("user `{}` already exists", req.username)))?;
        self.admin_audit(
            "user.create",
            Some(&user.id),
            None,
            serde_json::json!({ "username": user.username, "group": group.name }),
        )
        .await?;
        Ok(user_view(user, group.name))
    }

    pub(crate) async fn user_named(&self, username: &str) -> Result<User, EngineError> {
        self.store
            .user_by_username(username)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("user `{username}`")))
    }

    /// Shows a user.
    pub async fn user(&self, username: &str) -> Result<UserView, EngineError> {
        let user = self.user_named(username).await?;
        let group =
            self.store.group_by_id(&user.group_id).await?.map(|g| g.name).unwrap_or_default();
        Ok(user_view(user, group))
    }

    /// Sets (or resets) a user's signing PIN; this also lifts a lock.
    pub async fn set_pin(&self, username: &str, pin: &str) -> Result<(), EngineError> {
        self.settings
            .pin_policy
            .check(pin)
            .map_err(|e| EngineError::InvalidInput(e.to_string()))?;
        let user = self.user_named(username).await?;
        let pin_hash = hash(pin.as_bytes()).await?;
        self.store.set_pin(&user.id, &pin_hash).await?;
        self.admin_audit(
            "user.set_pin",
            Some(&user.id),
            None,
            serde_json::json!({ "username": user.username }),
        )
        .await?;
        Ok(())
    }
}

/// An OTP enrolment, shown once: the seed for the user's authenticator app.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OtpEnrolment {
    /// Username.
    pub username: String,
    /// The seed in base32 (RFC 4648), as authenticator apps take it.
    pub secret: String,
    /// `otpauth://totp/…` URI (the Key Uri Format of authenticator apps).
    pub uri: String,
}

impl Engine {
    /// Gives the user an offline OTP (RFC 6238 TOTP, SHA-1, 6 digits, 30 s): a fresh
    /// 160-bit seed, sealed by the crypto module; from now on `credentials/authorize`
    /// needs the PIN and a code. Re-enrolling replaces the seed.
    pub async fn set_otp(&self, username: &str) -> Result<OtpEnrolment, EngineError> {
        let user = self.user_named(username).await?;
        let seed = zeroize::Zeroizing::new(signet_crypto::random_bytes::<20>()?);
        let owner = user.id.clone();
        let plain = seed.clone();
        let sealed = self
            .crypto(move |m| m.seal_secret(plain.as_ref(), &owner, signet_sam::OTP_PURPOSE))
            .await?;
        self.store.set_otp(&user.id, Some(&sealed.0)).await?;
        self.admin_audit(
            "user.set_otp",
            Some(&user.id),
            None,
            serde_json::json!({ "username": user.username }),
        )
        .await?;
        let secret = base32(seed.as_ref());
        let uri = format!(
            "otpauth://totp/Signet:{0}?secret={secret}&issuer=Signet&algorithm=SHA1&digits={1}&period={2}",
            user.username,
            signet_sam::OTP_DIGITS,
            signet_sam::OTP_STEP_SECONDS
        );
        Ok(OtpEnrolment { username: user.username, secret, uri })
    }
}

/// RFC 4648 base32 without padding.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn user_view(u: User, group: String) -> UserView {
    UserView {
        id: u.id,
        username: u.username,
        group,
        given_name: u.given_name,
        surname: u.surname,
        email: Some(u.email).filter(|e| !e.is_empty()),
        phone: u.phone,
        has_pin: u.pin_hash.is_some(),
        pin_locked: u.pin_locked,
        has_otp: u.otp_sealed.is_some(),
    }
}

/// "Given Surname" → (given, surname); the last word is the surname. Without a name, the
/// username stands as the given name.
fn split_name(name: Option<&str>, username: &str) -> Result<(String, String), EngineError> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok((username.to_owned(), String::new()));
    };
    if name.len() > 128 || name.chars().any(char::is_control) {
        return Err(EngineError::InvalidInput(
            "the name must be at most 128 printable characters".into(),
        ));
    }
    Ok(match name.rsplit_once(' ') {
        Some((given, surname)) => (given.trim().to_owned(), surname.to_owned()),
        None => (name.to_owned(), String::new()),
    })
}

/// argon2id on a blocking thread (it is deliberately slow).
pub(crate) async fn hash(secret: &[u8]) -> Result<String, EngineError> {
    let secret = Zeroizing::new(secret.to_vec());
    tokio::task::spawn_blocking(move || signet_auth::hash_secret(&secret))
        .await
        .map_err(|e| EngineError::Internal(e.to_string()))?
        .map_err(EngineError::from)
}

/// Replaces a store conflict's message with one that names the thing for the user.
pub(crate) fn conflict(e: signet_store::StoreError, message: String) -> EngineError {
    match e {
        signet_store::StoreError::Conflict(_) => EngineError::Conflict(message),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(super::base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(super::base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn names_split_on_the_last_space() {
        assert_eq!(
            split_name(Some("Ada Maria Lovelace"), "u").unwrap(),
            ("Ada Maria".into(), "Lovelace".into())
        );
        assert_eq!(split_name(None, "ada").unwrap(), ("ada".into(), String::new()));
        assert!(split_name(Some("bad\u{7}name"), "u").is_err());
    }
}
