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
//! Everything that may wait on the HSM runs on the workers, under the caller's deadline:
//! taking (or opening) the session as well as the operation, and the check of the idle
//! sessions after a loss. The caller and the worker agree on who accounts for a session
//! through the operation's [`Stage`], read and changed only under the pool's lock: a
//! session written off while its call runs is closed when the call returns (ending any
//! object left in it), and the worker that ran it — replaced meanwhile — ends too.
//!
//! Sessions are opened with `no_drop`: the pool closes a healthy session itself, and never
//! calls `C_CloseSession` on a handle the token has declared invalid (a token that reuses
//! handle numbers could otherwise close someone else's new session).
//!
//! When the pool is dropped, its workers are stopped and joined (those stuck in the HSM
//! excepted): a worker thread ending while the process exits runs the library's per-thread
//! clean-up (OpenSSL's, under SoftHSM) against its exit handlers — a double free.

use super::error::hsm;
use crate::CryptoError;
use cryptoki::context::Pkcs11;
use cryptoki::error::{Error, RvError};
use cryptoki::object::ObjectHandle;
use cryptoki::session::{Session, SessionState, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
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

/// One operation, ready to run on a worker; it says whether the worker goes on (`false`:
/// the worker was written off with it and has been replaced).
type Job = Box<dyn FnOnce() -> bool + Send>;

/// Long-lived threads that run the operations (each with the session it was given).
struct Workers {
    /// `None` once the pool is being dropped: the workers then end.
    queue: Option<mpsc::Sender<Job>>,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Workers {
    fn new(count: usize) -> Result<Self, CryptoError> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let workers = Self {
            queue: Some(queue),
            jobs: Arc::new(Mutex::new(jobs)),
            threads: Mutex::new(Vec::new()),
        };
        for _ in 0..count {
            workers.add()?;
        }
        Ok(workers)
    }

    /// Starts one more worker (at start, and in place of one stuck in the HSM).
    fn add(&self) -> Result<(), CryptoError> {
        let jobs = self.jobs.clone();
        let thread = std::thread::Builder::new()
            .name("signet-hsm".into())
            .spawn(move || loop {
                // The lock is held only while waiting for the next job, never while one runs.
                let next = jobs.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let goes_on = match next {
                    Ok(job) => job(),
                    Err(_) => false, // the pool is gone
                };
                if !goes_on {
                    break; // or written off with its job, and replaced
                }
            })
            .map_err(|_| CryptoError::Unavailable("cannot start an HSM worker thread".into()))?;
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.retain(|t| !t.is_finished());
        threads.push(thread);
        Ok(())
    }

    fn submit(&self, job: Job) -> Result<(), CryptoError> {
        match &self.queue {
            Some(queue) if queue.send(job).is_ok() => Ok(()),
            _ => Err(CryptoError::Unavailable("the HSM workers are gone".into())),
        }
    }

    /// Ends the workers and waits (at most `grace` in all) for each to finish, so that none
    /// is still ending when the process exits. One stuck in the HSM is left behind.
    fn stop(&mut self, grace: Duration) {
        drop(self.queue.take());
        // Counted in steps of the sleep (no clock is read: a wait, not a time of day).
        let step = Duration::from_millis(1);
        let mut waited = Duration::ZERO;
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        let me = std::thread::current().id();
        for thread in threads.into_iter().filter(|t| t.thread().id() != me) {
            while !thread.is_finished() && waited < grace {
                std::thread::sleep(step);
                waited += step;
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.workers.stop(Duration::from_secs(2));
    }
}

/// Where an operation handed to the workers stands (an [`AtomicU8`] read and changed only
/// under the pool's lock, so that the caller and the worker agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Stage {
    /// Waiting for a worker, or for a session.
    Queued = 0,
    /// Running on a session.
    Running = 1,
    /// Its session is back (or closed).
    Done = 2,
    /// The caller gave up waiting: the worker does not start it, or, if it was running,
    /// closes its session when the call returns, and ends.
    WrittenOff = 3,
}

/// An operation's stage, shared by the caller and the worker.
#[derive(Debug, Clone)]
struct Ticket(Arc<AtomicU8>);

impl Ticket {
    fn new() -> Self {
        Self(Arc::new(AtomicU8::new(Stage::Queued as u8)))
    }

    /// The stage (read under the pool's lock).
    fn get(&self) -> Stage {
        match self.0.load(Ordering::SeqCst) {
            0 => Stage::Queued,
            1 => Stage::Running,
            2 => Stage::Done,
            _ => Stage::WrittenOff,
        }
    }

    /// Sets the stage (under the pool's lock).
    fn set(&self, stage: Stage) {
        self.0.store(stage as u8, Ordering::SeqCst);
    }
}

/// What a worker reports to the caller.
enum Outcome<T> {
    /// No session could be had (all busy, too many stuck, or the token refused one).
    NoSession(CryptoError),
    /// The operation ran.
    Ran(Result<T, CryptoError>),
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
    /// The operation's stage, for a lease taken by a worker (none for the caller's own).
    ticket: Option<Ticket>,
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

    /// The session seems lost: checked before it is used again, unless it is to be
    /// closed anyway (which also ends the objects in it).
    fn suspect(&mut self) {
        if self.fate == Fate::Return {
            self.fate = Fate::Lost;
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(s) = self.session.take() else { return };
        if let Some(ticket) = &self.ticket {
            let mut st = self.pool.lock();
            if ticket.get() == Stage::WrittenOff {
                // The caller gave up and counted this session out; its call has returned
                // now: end the session, and whatever object the call left in it.
                st.stuck = st.stuck.saturating_sub(1);
                drop(st);
                close_if_open(s);
                self.pool.freed.notify_one();
                return;
            }
            ticket.set(Stage::Done);
        }
        match self.fate {
            Fate::Return => {
                self.pool.lock().idle.push(s);
                self.pool.freed.notify_one();
            }
            Fate::Close => {
                // Closing destroys its session objects.
                close_if_open(s);
                self.pool.forget_one();
            }
            Fate::Lost => self.pool.recover(s),
        }
    }
}

/// `C_CloseSession` of a session the token still knows (`C_GetSessionInfo` answers):
/// never of a handle it has declared invalid.
fn close_if_open(s: PooledSession) {
    if s.session.get_session_info().is_ok() {
        let _ = s.session.close();
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

    /// Runs `op` on a session, on a worker thread, waiting at most the timeout for both
    /// the session and the operation. If the session turns out to be lost, the pool
    /// recovers and `op` runs once more on a fresh session; `op` must therefore be safe to
    /// repeat (every Signet operation is: it signs, wraps or looks up, and destroys on
    /// failure what it made).
    pub(crate) fn run<T, F>(&self, op: F) -> Result<T, CryptoError>
    where
        T: Send + 'static,
        F: Fn(&mut Lease) -> Result<T, CryptoError> + Send + Sync + 'static,
    {
        let op = Arc::new(op);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ticket = Ticket::new();
            let (tx, rx) = mpsc::sync_channel(1);
            let (job, shared, stage) = (op.clone(), self.shared.clone(), ticket.clone());
            let retry = attempt > 1;
            self.workers.submit(Box::new(move || {
                if retry {
                    // After a loss the idle sessions are suspect too (`C_CloseAllSessions`
                    // takes them all): checked before the retry takes one.
                    shared.check_idle();
                }
                let mut lease = match shared.lease_for(&stage) {
                    Ok(Some(lease)) => lease,
                    Ok(None) => return true, // the caller gave up before it started
                    Err(e) => {
                        drop(job); // as below: let go of the module before answering
                        let _ = tx.send(Outcome::NoSession(e));
                        return true;
                    }
                };
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
                // What the operation holds (the module, with this pool) is let go before
                // the caller hears back: the last reference to a module must not end on a
                // worker, which would then stop the pool from its own thread.
                drop(job);
                #[cfg(test)]
                drop(calls);
                if matches!(result, Err(CryptoError::Unavailable(_))) {
                    lease.suspect();
                }
                // The answer first: checking a lost session may take the HSM's time.
                let _ = tx.send(Outcome::Ran(result));
                drop(lease);
                let st = shared.lock();
                let written_off = stage.get() == Stage::WrittenOff;
                drop(st);
                !written_off
            }))?;
            let outcome = match rx.recv_timeout(self.op_timeout) {
                Ok(outcome) => outcome,
                Err(mpsc::RecvTimeoutError::Timeout) => match self.give_up(&ticket) {
                    // It ended just now: its answer is there.
                    Stage::Done => rx.try_recv().map_err(|_| self.no_answer())?,
                    _ => return Err(self.no_answer()),
                },
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(CryptoError::Operation("an HSM operation thread failed"))
                }
            };
            match outcome {
                Outcome::NoSession(e) => return Err(e),
                Outcome::Ran(Err(CryptoError::Unavailable(reason))) => {
                    if attempt >= 2 {
                        return Err(CryptoError::Unavailable(reason));
                    }
                    tracing::warn!(%reason, "HSM session lost; retrying on a fresh session");
                }
                Outcome::Ran(other) => return other,
            }
        }
    }

    /// The caller stops waiting for the operation of `ticket`: what stage it had reached.
    /// One still queued is not started; one running has its session written off and its
    /// worker replaced (both end when the call returns).
    fn give_up(&self, ticket: &Ticket) -> Stage {
        let mut st = self.shared.lock();
        let stage = ticket.get();
        match stage {
            Stage::Queued => ticket.set(Stage::WrittenOff),
            Stage::Running => {
                ticket.set(Stage::WrittenOff);
                st.stuck += 1;
                st.open = st.open.saturating_sub(1);
                drop(st);
                self.shared.freed.notify_one();
                if let Err(e) = self.workers.add() {
                    tracing::warn!(error = %e, "no replacement for a stuck HSM worker");
                }
                tracing::warn!("an HSM operation did not return; its session is written off");
            }
            Stage::Done | Stage::WrittenOff => {}
        }
        stage
    }

    fn no_answer(&self) -> CryptoError {
        CryptoError::Unavailable(format!(
            "the HSM did not answer within {} s",
            self.op_timeout.as_secs_f64()
        ))
    }

    /// A session for the caller's own thread (start-up and the benchmark's step timing).
    pub(crate) fn lease(&self) -> Result<Lease, CryptoError> {
        self.shared.lease()
    }

    /// Test builds: (sessions open, operations stuck, workers running).
    #[cfg(test)]
    pub(crate) fn census(&self) -> (usize, usize, usize) {
        let st = self.shared.lock();
        let threads = self.workers.threads.lock().unwrap_or_else(|p| p.into_inner());
        (st.open, st.stuck, threads.iter().filter(|t| !t.is_finished()).count())
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes an idle session, opens a new one while fewer than `size` exist, or waits up to
    /// the timeout for one to be returned.
    fn lease(self: &Arc<Self>) -> Result<Lease, CryptoError> {
        let lease =
            |s| Lease { pool: self.clone(), session: Some(s), fate: Fate::Return, ticket: None };
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

    /// A session for the operation of `ticket`, on a worker: none if the caller gave up
    /// meanwhile (a session taken for it goes back).
    fn lease_for(self: &Arc<Self>, ticket: &Ticket) -> Result<Option<Lease>, CryptoError> {
        if self.given_up(ticket) {
            return Ok(None);
        }
        let mut lease = self.lease()?;
        let st = self.lock();
        if ticket.get() == Stage::WrittenOff {
            drop(st);
            return Ok(None);
        }
        ticket.set(Stage::Running);
        drop(st);
        lease.ticket = Some(ticket.clone());
        Ok(Some(lease))
    }

    fn given_up(&self, ticket: &Ticket) -> bool {
        let _st = self.lock();
        ticket.get() == Stage::WrittenOff
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
