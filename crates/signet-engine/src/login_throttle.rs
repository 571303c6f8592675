//! Throttling of failed password logins (issue 7, the built-in identity provider;
//! RFC 9700 §4.8.2's advice against online guessing): after [`FREE_FAILURES`]
//! consecutive failures of one login name, each further failure refuses that name for
//! twice as long as the one before — 1 s, 2 s, 4 s … up to [`MAX_LOCK_SECONDS`] — and a
//! refused attempt is answered without checking the password, so a guesser spends
//! neither our argon2id time nor learns anything. Names that do not exist are throttled
//! alike (no account enumeration). The counter lives in the database, shared by every
//! node; a success clears it.

use crate::tokens::login_refused;
use crate::{Engine, EngineError};
use signet_store::StoreTx;

/// Consecutive failures allowed before the first lock.
pub const FREE_FAILURES: i64 = 5;
/// The longest lock.
pub const MAX_LOCK_SECONDS: i64 = 900;

/// The throttle's key for a login name: SHA-256 of the name, lower-cased.
pub(crate) fn subject(username: &str) -> String {
    signet_crypto::digest::digest(
        signet_types::HashAlgorithm::Sha256,
        username.to_lowercase().as_bytes(),
    )
    .iter()
    .map(|b| format!("{b:02x}"))
    .collect()
}

/// How long to lock after the `failures`-th consecutive failure (0: not yet).
pub(crate) fn lock_seconds(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from(failures - FREE_FAILURES).unwrap_or(u32::MAX).min(20);
    (1i64 << doublings).min(MAX_LOCK_SECONDS)
}

impl Engine {
    /// Refuses (and audits) a login of a name that is locked now.
    pub(crate) async fn check_login_lock(&self, username: &str) -> Result<(), EngineError> {
        let now = self.clock.now();
        let Some(t) = self.store.login_throttle(&subject(username)).await? else {
            return Ok(());
        };
        if t.locked_until <= now {
            return Ok(());
        }
        let retry_after = t.locked_until - now;
        self.audit(login_refused(
            now,
            username,
            "locked after failed logins",
            ("retry_after", retry_after),
        ))
        .await?;
        Err(EngineError::TooManyRequests {
            message: format!("Too many failed logins; try again in {retry_after} s"),
            retry_after,
        })
    }

    /// Counts a failed login of `username` in `tx` (with its audit record), locking the
    /// name when the failures pass [`FREE_FAILURES`]; returns the lock in seconds.
    /// Counts a failed login of `username` and audits it with `reason` (and the lock it
    /// caused), in one transaction.
    pub(crate) async fn record_login_failure(
        &self,
        username: &str,
        reason: &str,
    ) -> Result<(), EngineError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let lock = self.count_login_failure(&mut tx, username, now).await?;
        tx.append_audit(login_refused(now, username, reason, ("locked_for", lock))).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_login_failure(
        &self,
        tx: &mut Box<dyn StoreTx>,
        username: &str,
        now: i64,
    ) -> Result<i64, EngineError> {
        let key = subject(username);
        let failures = tx.login_failed(&key, now).await?;
        let lock = lock_seconds(failures);
        if lock > 0 {
            tx.lock_login(&key, now + lock).await?;
        }
        Ok(lock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_after_the_free_failures_up_to_the_cap() {
        let locks: Vec<i64> = (1..=8).map(lock_seconds).collect();
        assert_eq!(locks, [0, 0, 0, 0, 1, 2, 4, 8]);
        assert_eq!(lock_seconds(100), MAX_LOCK_SECONDS);
        assert_eq!(subject("Ada"), subject("ada"));
        assert_ne!(subject("ada"), subject("bob"));
    }
}
