//! A pool of logged-in sessions. A cryptoki `Session` is `Send` but not `Sync`: each one
//! serves one thread at a time, so concurrent signatures need several (PKCS#11 v2.40
//! §5.6: an application may have many sessions; one login covers all of them).
//!
//! Recovery: when an operation finds its session gone ([`super::error::session_lost`]:
//! `CKR_SESSION_HANDLE_INVALID`, `CKR_DEVICE_ERROR`, …), the session is dropped, the idle
//! ones are checked with `C_GetSessionInfo` (dead ones dropped, logged-out ones logged in
//! again), and the operation runs once more on a fresh session. If that fails too, the
//! caller gets [`CryptoError::Unavailable`] — an error, never a hang: waiting for a free
//! session is bounded by the configured timeout.
//!
//! Deadline: every operation runs with its session on one of the pool's worker threads,
//! and the caller waits at most the configured time for it. A PKCS#11 call that never
//! returns (a hung network HSM; SoftHSM when a session is closed under an operation, which
//! frees memory the operation still uses) costs that worker and session, written off; the
//! request fails as unavailable, and the pool starts another worker and opens another
//! session. Workers live as long as the pool: a thread per operation would pay the thread's
//! start and the library's per-thread set-up (OpenSSL's, under SoftHSM) on every signature.
//!
//! Sessions are opened with `no_drop`: the pool closes a healthy session itself, and never
//! calls `C_CloseSession` on a handle the token has declared invalid (a token that reuses
//! handle numbers could otherwise close someone else's new session).

use super::error::hsm;
use crate::CryptoError;
use cryptoki::context::Pkcs11;
use cryptoki::error::{Error, RvError};
use cryptoki::object::ObjectHandle;
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// What a session remembers of the objects it found (PKCS#11 v2.40 §2.4: an object
/// handle stays valid for a session as long as the session and the object exist).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Cached {
    /// The master wrapping key.
    Wrapping,
    /// The binding MAC key.
    Mac,
    /// A token private key (a service key), by `CKA_ID`.
    Service(Vec<u8>),
}

/// A logged-in session and the object handles it has looked up.
#[derive(Debug)]
pub(crate) struct PooledSession {
    pub(crate) session: Session,
    handles: HashMap<Cached, ObjectHandle>,
}

impl PooledSession {
    /// The handle of `what`, found with `find` on first use in this session.
    pub(crate) fn handle(
        &mut self,
        what: Cached,
        find: impl FnOnce(&Session) -> Result<ObjectHandle, CryptoError>,
    ) -> Result<ObjectHandle, CryptoError> {
        if let Some(h) = self.handles.get(&what) {
            return Ok(*h);
        }
        let h = find(&self.session)?;
        self.handles.insert(what, h);
        Ok(h)
    }
}

/// Test builds only: operations hold this for reading, so that a test can take it for
/// writing to close every session *between* PKCS#11 calls — never during one, because
/// SoftHSM 2.6 frees objects still in use when sessions are closed under a running call
/// (a segmentation fault in `RSA_blinding_off` under `C_Sign`).
#[cfg(test)]
pub(crate) static CALLS: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// The pool.
pub(crate) struct Pool {
    shared: Arc<Shared>,
    /// How long a caller waits for one operation.
    op_timeout: Duration,
    workers: Workers,
}

/// One operation, ready to run on a worker.
type Job = Box<dyn FnOnce() + Send>;

/// Long-lived threads that run the operations (each with the session it was given).
struct Workers {
    queue: mpsc::Sender<Job>,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
}

impl Workers {
    fn new(count: usize) -> Result<Self, CryptoError> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let workers = Self { queue, jobs: Arc::new(Mutex::new(jobs)) };
        for _ in 0..count {
            workers.add()?;
        }
        Ok(workers)
    }

    /// Starts one more worker (at start, and in place of one stuck in the HSM).
    fn add(&self) -> Result<(), CryptoError> {
        let jobs = self.jobs.clone();
        std::thread::Builder::new()
            .name("signet-hsm".into())
            .spawn(move || loop {
                // The lock is held only while waiting for the next job, never while one runs.
                let next = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
                match next {
                    Ok(job) => job(),
                    Err(_) => break, // the pool is gone
                }
            })
            .map(drop)
            .map_err(|_| CryptoError::Unavailable("cannot start an HSM worker thread".into()))
    }
}

/// What leases share with the pool.
struct Shared {
    ctx: Pkcs11,
    slot: Slot,
    pin: AuthPin,
    size: usize,
    timeout: Duration,
    state: Mutex<State>,
    freed: Condvar,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("slot", &self.shared.slot)
            .field("size", &self.shared.size)
            .finish()
    }
}

#[derive(Default)]
struct State {
    idle: Vec<PooledSession>,
    /// Sessions in existence: idle plus leased.
    open: usize,
    /// Operations written off that have not returned yet: while as many as the pool's size
    /// hang, no more sessions (and threads) are spent on the HSM.
    stuck: usize,
}

/// What becomes of a leased session when the lease ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Back to the pool.
    Return,
    /// `C_CloseSession`: its session objects are destroyed with it (PKCS#11 v2.40 §4.4).
    Close,
    /// Lost: checked, and dropped unless it is still alive.
    Lost,
}

/// A session taken from the pool; it goes back (or is closed) when dropped.
pub(crate) struct Lease {
    pool: Arc<Shared>,
    session: Option<PooledSession>,
    fate: Fate,
    /// Set by whichever comes first: the lease ending (the session goes back), or the
    /// caller giving up waiting (the session is written off). The other then does nothing.
    settled: Arc<AtomicBool>,
}

impl Lease {
    /// The session.
    pub(crate) fn session(&mut self) -> &mut PooledSession {
        // Invariant: `session` is `Some` from construction until `drop` takes it.
        self.session.as_mut().expect("a lease holds its session until it is dropped")
    }

    /// Closes the session instead of returning it: the way to be sure that a session
    /// object whose `C_DestroyObject` failed does not outlive this operation.
    pub(crate) fn close_after(&mut self) {
        self.fate = Fate::Close;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(s) = self.session.take() else { return };
        if self.settled.swap(true, Ordering::SeqCst) {
            // The caller gave up and counted it out: whatever the call did, it is not reused.
            let mut st = self.pool.lock();
            st.stuck = st.stuck.saturating_sub(1);
            return;
        }
        match self.fate {
            Fate::Return => {
                self.pool.lock().idle.push(s);
                self.pool.freed.notify_one();
            }
            Fate::Close => {
                // Closing destroys its session objects; an error means it was gone already.
                let _ = s.session.close();
                self.pool.forget_one();
            }
            Fate::Lost => self.pool.recover(s),
        }
    }
}

impl Pool {
    /// Opens the first session and logs in, so that a wrong PIN or an absent token is
    /// reported at start-up.
    pub(crate) fn new(
        ctx: Pkcs11,
        slot: Slot,
        pin: AuthPin,
        size: usize,
        timeout: Duration,
    ) -> Result<Self, CryptoError> {
        let shared = Arc::new(Shared {
            ctx,
            slot,
            pin,
            size: size.max(1),
            timeout,
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        });
        let first = shared.open_session()?;
        let mut st = shared.lock();
        st.idle.push(first);
        st.open = 1;
        drop(st);
        let workers = Workers::new(shared.size)?;
        Ok(Self { shared, op_timeout: timeout, workers })
    }

    /// Runs `op` on a session, on a worker thread, waiting at most the timeout. If the
    /// session turns out to be lost, the pool recovers and `op` runs once more on a fresh
    /// session; `op` must therefore be safe to repeat (every Signet operation is: it signs,
    /// wraps or looks up, and destroys on failure what it made).
    pub(crate) fn run<T, F>(&self, op: F) -> Result<T, CryptoError>
    where
        T: Send + 'static,
        F: Fn(&mut Lease) -> Result<T, CryptoError> + Send + Sync + 'static,
    {
        let op = Arc::new(op);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let lease = self.lease()?;
            let settled = lease.settled.clone();
            let (tx, rx) = mpsc::sync_channel(1);
            let job = op.clone();
            let submitted = self.workers.queue.send(Box::new(move || {
                let mut lease = lease;
                #[cfg(test)]
                let calls = CALLS.read().unwrap_or_else(|p| p.into_inner());
                let result = match job(&mut lease) {
                    // Some tokens report an operation cut short by a lost session or login
                    // as a general failure (SoftHSM: CKR_FUNCTION_FAILED when the sessions
                    // are closed during C_UnwrapKey): ask the session itself.
                    Err(e @ CryptoError::Hsm { .. }) if !alive(lease.session()) => {
                        Err(CryptoError::Unavailable(format!("HSM session lost: {e}")))
                    }
                    other => other,
                };
                #[cfg(test)]
                drop(calls);
                if matches!(result, Err(CryptoError::Unavailable(_))) {
                    lease.fate = Fate::Lost;
                }
                drop(lease);
                let _ = tx.send(result);
            }));
            if submitted.is_err() {
                return Err(CryptoError::Unavailable("the HSM workers are gone".into()));
            }
            let result = match rx.recv_timeout(self.op_timeout) {
                Ok(result) => result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // Written off before the thread can return it (it checks the flag).
                    if !settled.swap(true, Ordering::SeqCst) {
                        self.shared.lock().stuck += 1;
                        self.shared.forget_one();
                    }
                    // The stuck worker is replaced; if it ever returns, it serves again.
                    if let Err(e) = self.workers.add() {
                        tracing::warn!(error = %e, "no replacement for a stuck HSM worker");
                    }
                    tracing::warn!("an HSM operation did not return; its session is written off");
                    return Err(CryptoError::Unavailable(format!(
                        "the HSM did not answer within {} s",
                        self.op_timeout.as_secs_f64()
                    )));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(CryptoError::Operation("an HSM operation thread failed"))
                }
            };
            match result {
                Err(CryptoError::Unavailable(reason)) => {
                    self.shared.check_idle();
                    if attempt >= 2 {
                        return Err(CryptoError::Unavailable(reason));
                    }
                    tracing::warn!(%reason, "HSM session lost; retrying on a fresh session");
                }
                other => return other,
            }
        }
    }

    /// A session for the caller's own thread (start-up and the benchmark's step timing).
    pub(crate) fn lease(&self) -> Result<Lease, CryptoError> {
        self.shared.lease()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes an idle session, opens a new one while fewer than `size` exist, or waits up to
    /// the timeout for one to be returned.
    fn lease(self: &Arc<Self>) -> Result<Lease, CryptoError> {
        let lease = |s| Lease {
            pool: self.clone(),
            session: Some(s),
            fate: Fate::Return,
            settled: Arc::new(AtomicBool::new(false)),
        };
        let mut st = self.lock();
        loop {
            if st.stuck >= self.size {
                return Err(CryptoError::Unavailable(format!(
                    "{} HSM operations have not returned; no new session is opened until they do",
                    st.stuck
                )));
            }
            if let Some(s) = st.idle.pop() {
                return Ok(lease(s));
            }
            if st.open < self.size {
                st.open += 1;
                drop(st);
                return match self.open_session() {
                    Ok(s) => Ok(lease(s)),
                    Err(e) => {
                        self.forget_one();
                        Err(e)
                    }
                };
            }
            let (guard, waited) = self
                .freed
                .wait_timeout_while(st, self.timeout, |s| s.idle.is_empty() && s.open >= self.size)
                .unwrap_or_else(|p| p.into_inner());
            st = guard;
            if waited.timed_out() {
                return Err(CryptoError::Unavailable(format!(
                    "all {} HSM sessions stayed busy for {} s",
                    self.size,
                    self.timeout.as_secs_f64()
                )));
            }
        }
    }

    /// One session fewer exists.
    fn forget_one(&self) {
        let mut st = self.lock();
        st.open = st.open.saturating_sub(1);
        drop(st);
        self.freed.notify_one();
    }

    /// A session reported lost: keep it only if it still answers and is logged in.
    fn recover(&self, s: PooledSession) {
        match self.revive(s) {
            Some(alive) => {
                self.lock().idle.push(alive);
                self.freed.notify_one();
            }
            None => self.forget_one(),
        }
    }

    /// After a loss the idle sessions are suspect too (`C_CloseAllSessions` takes them
    /// all): check each one now rather than fail the next request with it.
    fn check_idle(&self) {
        let idle = std::mem::take(&mut self.lock().idle);
        for s in idle {
            self.recover(s);
        }
    }

    /// `C_GetSessionInfo` (PKCS#11 v2.40 §5.6): a session the token no longer knows is
    /// dropped without closing; one that lost its login (the login ends with the
    /// application's last session) logs in again.
    fn revive(&self, s: PooledSession) -> Option<PooledSession> {
        let info = s.session.get_session_info().ok()?;
        match info.session_state() {
            SessionState::RwUser | SessionState::RoUser => Some(s),
            _ => self.login(&s.session).ok().map(|()| s),
        }
    }

    fn open_session(&self) -> Result<PooledSession, CryptoError> {
        let session =
            self.ctx.open_rw_session_no_drop(self.slot).map_err(|e| hsm("C_OpenSession", &e))?;
        if let Err(e) = self.login(&session) {
            let _ = session.close();
            return Err(e);
        }
        Ok(PooledSession { session, handles: HashMap::new() })
    }

    fn login(&self, session: &Session) -> Result<(), CryptoError> {
        match session.login(UserType::User, Some(&self.pin)) {
            Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(()),
            Err(Error::Pkcs11(RvError::PinIncorrect, _)) => {
                Err(CryptoError::Setup("the HSM refused the user PIN (CKR_PIN_INCORRECT)".into()))
            }
            Err(Error::Pkcs11(RvError::PinLocked, _)) => {
                Err(CryptoError::Setup("the token's user PIN is locked (CKR_PIN_LOCKED)".into()))
            }
            Err(e) => Err(hsm("C_Login", &e)),
        }
    }

    /// Closes every idle session (the pool is being dropped).
    fn close_idle(&self) {
        let idle = std::mem::take(&mut self.lock().idle);
        for s in idle {
            let _ = s.session.close();
        }
    }
}

/// Whether the session still exists and is logged in (`C_GetSessionInfo`).
fn alive(s: &PooledSession) -> bool {
    s.session.get_session_info().is_ok_and(|info| {
        matches!(info.session_state(), SessionState::RwUser | SessionState::RoUser)
    })
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.close_idle();
    }
}
