//! The tamper-evident audit log: what an event is, the hash chain that links
//! the records, and its verification (pure: no I/O, so an exported log can be
//! checked offline).
//!
//! Record `n` carries `hash_n = SHA-256("signet-audit-v1" ‖ hash_{n-1} ‖ n ‖
//! body_n)` with `hash_0` = 32 zero bytes (the genesis); see [`chain_hash`] for
//! the exact encoding. The database keeps the head (last seq and hash) in its
//! own row, so a deleted tail is detected too.
//!
//! The chain has no key: it detects an edited, deleted or moved record, but
//! someone able to rewrite every later record *and* the head can forge a
//! consistent log. Anchoring the head elsewhere (e.g. a timestamped export)
//! closes that gap; it is not this crate's job.

use std::fmt;

use aws_lc_rs::digest;

/// The hash before the first record: 64 zeros (32 zero bytes, hex).
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Domain separation tag that starts every hashed record (version 1 of the
/// encoding).
const DOMAIN: &[u8] = b"signet-audit-v1";

/// Something to record: an authorisation decision, a signature, a token
/// issued or revoked. Written with [`crate::StoreTx::append_audit`] in the
/// transaction of its effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// When it happened, unix seconds (from the caller's `Clock`).
    pub at: i64,
    /// What happened, e.g. `"credentials/authorize"`, `"signatures/signHash"`.
    pub kind: String,
    /// How it ended, e.g. `"ok"`, `"invalid_request"`.
    pub outcome: String,
    /// The user concerned.
    pub user_id: Option<String>,
    /// The OAuth client that asked.
    pub client_id: Option<String>,
    /// The credential concerned.
    pub credential_id: Option<String>,
    /// Further facts, as JSON text built by the caller (never a secret: no
    /// PIN, OTP, SAD or token).
    pub details: String,
}

/// A stored audit record: an [`AuditEvent`] with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the log: 1, 2, 3… without gaps.
    pub seq: i64,
    /// See [`AuditEvent::at`].
    pub at: i64,
    /// See [`AuditEvent::kind`].
    pub kind: String,
    /// See [`AuditEvent::outcome`].
    pub outcome: String,
    /// See [`AuditEvent::user_id`].
    pub user_id: Option<String>,
    /// See [`AuditEvent::client_id`].
    pub client_id: Option<String>,
    /// See [`AuditEvent::credential_id`].
    pub credential_id: Option<String>,
    /// See [`AuditEvent::details`].
    pub details: String,
    /// The previous record's hash (lower-case hex; [`GENESIS_HASH`] for seq 1).
    pub prev_hash: String,
    /// This record's [`chain_hash`], lower-case hex.
    pub hash: String,
}

impl AuditRecord {
    /// Builds the record for `event` at `seq` after `prev_hash` (32 bytes).
    pub(crate) fn chained(seq: i64, prev_hash: &[u8; 32], event: AuditEvent) -> Self {
        let hash = chain_hash(prev_hash, seq, &event);
        Self {
            seq,
            at: event.at,
            kind: event.kind,
            outcome: event.outcome,
            user_id: event.user_id,
            client_id: event.client_id,
            credential_id: event.credential_id,
            details: event.details,
            prev_hash: hex::encode(prev_hash),
            hash: hex::encode(hash),
        }
    }

    fn body(&self) -> Body<'_> {
        Body {
            at: self.at,
            kind: &self.kind,
            outcome: &self.outcome,
            user_id: self.user_id.as_deref(),
            client_id: self.client_id.as_deref(),
            credential_id: self.credential_id.as_deref(),
            details: &self.details,
        }
    }

    /// Whether `hash` is the chain hash of this record's contents placed at
    /// `seq` after its own `prev_hash`.
    fn hashes_at(&self, seq: i64) -> bool {
        decode_hash(&self.prev_hash)
            .is_some_and(|prev| hex::encode(hash_body(&prev, seq, &self.body())) == self.hash)
    }
}

/// Which audit records to read, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only records naming this user.
    pub user_id: Option<String>,
    /// Only records at or after this time, unix seconds.
    pub since: Option<i64>,
    /// Only records with a greater seq (keyset pagination: pass the last seq of
    /// the previous page).
    pub after_seq: Option<i64>,
    /// At most this many records.
    pub limit: i64,
}

/// The fields a record's hash covers besides the previous hash and the seq.
struct Body<'a> {
    at: i64,
    kind: &'a str,
    outcome: &'a str,
    user_id: Option<&'a str>,
    client_id: Option<&'a str>,
    credential_id: Option<&'a str>,
    details: &'a str,
}

/// The chain hash of `event` stored at `seq` after a record whose hash is
/// `prev_hash` (32 bytes; all zeros for seq 1):
///
/// ```text
/// SHA-256( "signet-audit-v1"
///        ‖ prev_hash                      32 bytes
///        ‖ seq                            u64 big-endian (the i64's 8 bytes)
///        ‖ at                             i64 big-endian
///        ‖ for kind, outcome, user_id, client_id, credential_id, details:
///              presence (1 byte: 0 = None, 1 = present)
///            ‖ length (u32 big-endian) ‖ UTF-8 bytes   (both 0-length when None)
/// )
/// ```
///
/// Stored as lower-case hex. Both appending and verifying use this function.
pub fn chain_hash(prev_hash: &[u8; 32], seq: i64, event: &AuditEvent) -> [u8; 32] {
    hash_body(
        prev_hash,
        seq,
        &Body {
            at: event.at,
            kind: &event.kind,
            outcome: &event.outcome,
            user_id: event.user_id.as_deref(),
            client_id: event.client_id.as_deref(),
            credential_id: event.credential_id.as_deref(),
            details: &event.details,
        },
    )
}

fn hash_body(prev_hash: &[u8; 32], seq: i64, body: &Body<'_>) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(DOMAIN);
    ctx.update(prev_hash);
    ctx.update(&seq.to_be_bytes());
    ctx.update(&body.at.to_be_bytes());
    let fields = [
        Some(body.kind),
        Some(body.outcome),
        body.user_id,
        body.client_id,
        body.credential_id,
        Some(body.details),
    ];
    for field in fields {
        match field {
            None => ctx.update(&[0, 0, 0, 0, 0]),
            Some(text) => {
                // Fields are far below 4 GiB; saturating keeps this total.
                let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
                ctx.update(&[1]);
                ctx.update(&len.to_be_bytes());
                ctx.update(text.as_bytes());
            }
        }
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Reads a stored hash: exactly 64 hex digits.
pub(crate) fn decode_hash(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// A log that verified: how much of it, and where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Records checked.
    pub records: usize,
    /// The last record's seq (0 for an empty log).
    pub last_seq: i64,
    /// The last record's hash ([`GENESIS_HASH`] for an empty log).
    pub last_hash: String,
}

/// The first problem found in a log, naming where it is.
///
/// Records are checked in seq order; for each one, against the record before
/// it (the genesis, seq 0, before the first):
///
/// 1. a seq not above the previous one → [`ChainBreak::Reordered`] (the input
///    is not ordered by seq);
/// 2. a seq more than one above the previous one → [`ChainBreak::Missing`]
///    after the previous seq (a gap: records were deleted);
/// 3. a hash that is not the [`chain_hash`] of the record's own contents, seq
///    and `prev_hash` → [`ChainBreak::Reordered`] if the contents hash
///    correctly at another seq up to the head (the record was moved: seqs
///    swapped or renumbered), else [`ChainBreak::Altered`];
/// 4. a record intact at its seq whose `prev_hash` is not the previous
///    record's hash → [`ChainBreak::Missing`] after the previous seq (the chain
///    was cut between them: records removed and the rest renumbered with
///    recomputed hashes, or the previous record rewritten with a recomputed
///    hash).
///
/// Finally the last record must be the head the database keeps
/// ([`ChainBreak::HeadMismatch`] otherwise: a deleted or rewritten tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The record's contents do not match its hash.
    Altered {
        /// The altered record.
        seq: i64,
    },
    /// Records are missing after this one (or the link to it was cut).
    Missing {
        /// The last intact record before the break (0: the genesis).
        after_seq: i64,
    },
    /// The record is not at the seq it was written at.
    Reordered {
        /// The seq it is found at.
        seq: i64,
    },
    /// The log does not end at the head: its tail was deleted or rewritten.
    HeadMismatch {
        /// The head's seq.
        head_seq: i64,
        /// The last record's seq (0 for an empty log).
        last_seq: i64,
    },
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Altered { seq } => write!(f, "record {seq} was altered"),
            Self::Missing { after_seq } => {
                write!(f, "records are missing after record {after_seq}")
            }
            Self::Reordered { seq } => {
                write!(f, "record {seq} is out of order (it was written at another position)")
            }
            Self::HeadMismatch { head_seq, last_seq } if head_seq > last_seq => write!(
                f,
                "the log ends at record {last_seq} but its head is record {head_seq}: \
                 the last records were deleted"
            ),
            Self::HeadMismatch { head_seq, last_seq } if head_seq == last_seq => {
                write!(f, "record {last_seq} does not match the log's head: it was rewritten")
            }
            Self::HeadMismatch { head_seq, last_seq } => {
                write!(f, "the log goes on to record {last_seq} past its head, record {head_seq}")
            }
        }
    }
}

impl std::error::Error for ChainBreak {}

/// Verifies a log record by record, so a long log need not be in memory at
/// once. Feed every record in seq order with [`ChainVerifier::push`], then
/// call [`ChainVerifier::finish`] with the head.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    max_seq: i64,
    records: usize,
    last_seq: i64,
    last_hash: String,
}

impl ChainVerifier {
    /// A verifier for a log whose seqs go up to `max_seq` (the head's seq):
    /// a record found at the wrong seq is looked for at every seq up to it, to
    /// tell a moved record from an altered one.
    pub fn new(max_seq: i64) -> Self {
        Self { max_seq, records: 0, last_seq: 0, last_hash: GENESIS_HASH.to_owned() }
    }

    /// Checks the next record (see [`ChainBreak`] for the rules).
    pub fn push(&mut self, record: &AuditRecord) -> Result<(), ChainBreak> {
        let seq = record.seq;
        if seq <= self.last_seq {
            return Err(ChainBreak::Reordered { seq });
        }
        if seq > self.last_seq + 1 {
            return Err(ChainBreak::Missing { after_seq: self.last_seq });
        }
        if !record.hashes_at(seq) {
            let moved = (1..=self.max_seq.max(seq)).any(|s| s != seq && record.hashes_at(s));
            return Err(if moved {
                ChainBreak::Reordered { seq }
            } else {
                ChainBreak::Altered { seq }
            });
        }
        if record.prev_hash != self.last_hash {
            return Err(ChainBreak::Missing { after_seq: self.last_seq });
        }
        self.records += 1;
        self.last_seq = seq;
        self.last_hash.clone_from(&record.hash);
        Ok(())
    }

    /// Ends the check: with `Some(head)`, the last record must be the head
    /// `(seq, hash)`.
    pub fn finish(self, head: Option<(i64, String)>) -> Result<ChainReport, ChainBreak> {
        if let Some((head_seq, head_hash)) = head {
            if head_seq != self.last_seq || head_hash != self.last_hash {
                return Err(ChainBreak::HeadMismatch { head_seq, last_seq: self.last_seq });
            }
        }
        Ok(ChainReport {
            records: self.records,
            last_seq: self.last_seq,
            last_hash: self.last_hash,
        })
    }
}

/// Verifies a whole log: `records` must be every record, ordered by seq;
/// `head` is the database's head row, if known. Reports the first problem
/// (see [`ChainBreak`]).
pub fn verify_chain(
    records: &[AuditRecord],
    head: Option<(i64, String)>,
) -> Result<ChainReport, ChainBreak> {
    let last = records.last().map_or(0, |r| r.seq);
    let max_seq = head.as_ref().map_or(last, |(seq, _)| last.max(*seq));
    let mut verifier = ChainVerifier::new(max_seq);
    for record in records {
        verifier.push(record)?;
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(i: i64) -> AuditEvent {
        AuditEvent {
            at: 1_700_000_000 + i,
            kind: "signatures/signHash".into(),
            outcome: "ok".into(),
            user_id: Some(format!("user-{}", i % 3)),
            client_id: None,
            credential_id: Some("cred".into()),
            details: format!("{{\"n\":{i}}}"),
        }
    }

    fn log(n: i64) -> Vec<AuditRecord> {
        let mut prev = [0u8; 32];
        (1..=n)
            .map(|seq| {
                let r = AuditRecord::chained(seq, &prev, event(seq));
                prev = decode_hash(&r.hash).expect("hex");
                r
            })
            .collect()
    }

    fn head(records: &[AuditRecord]) -> Option<(i64, String)> {
        records.last().map(|r| (r.seq, r.hash.clone()))
    }

    #[test]
    fn genesis_is_32_zero_bytes() {
        assert_eq!(decode_hash(GENESIS_HASH), Some([0u8; 32]));
        assert_eq!(decode_hash("00"), None);
        assert_eq!(decode_hash(&"zz".repeat(32)), None);
    }

    #[test]
    fn encoding_is_fixed() {
        // Pins the byte layout: a change here breaks every stored log.
        let e = AuditEvent {
            at: 2,
            kind: "k".into(),
            outcome: "o".into(),
            user_id: None,
            client_id: Some(String::new()),
            credential_id: None,
            details: "{}".into(),
        };
        let mut bytes = b"signet-audit-v1".to_vec();
        bytes.extend([0u8; 32]);
        bytes.extend(1u64.to_be_bytes());
        bytes.extend(2i64.to_be_bytes());
        bytes.extend([1, 0, 0, 0, 1, b'k', 1, 0, 0, 0, 1, b'o']);
        bytes.extend([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        bytes.extend([1, 0, 0, 0, 2, b'{', b'}']);
        let expected = digest::digest(&digest::SHA256, &bytes);
        assert_eq!(chain_hash(&[0; 32], 1, &e).as_slice(), expected.as_ref());
        // None and Some("") differ
        let mut none = e.clone();
        none.client_id = None;
        assert_ne!(chain_hash(&[0; 32], 1, &e), chain_hash(&[0; 32], 1, &none));
    }

    #[test]
    fn intact_logs_verify() {
        let empty = verify_chain(&[], Some((0, GENESIS_HASH.into()))).expect("empty");
        assert_eq!((empty.records, empty.last_seq), (0, 0));
        let records = log(5);
        let report = verify_chain(&records, head(&records)).expect("intact");
        assert_eq!((report.records, report.last_seq), (5, 5));
        assert_eq!(report.last_hash, records[4].hash);
        assert!(verify_chain(&records, None).is_ok());
    }

    #[test]
    fn each_break_is_named() {
        let records = log(6);
        let h = head(&records);

        let mut edited = records.clone();
        edited[2].details = "{\"n\":99}".into();
        assert_eq!(verify_chain(&edited, h.clone()), Err(ChainBreak::Altered { seq: 3 }));

        let mut gap = records.clone();
        gap.remove(3);
        assert_eq!(verify_chain(&gap, h.clone()), Err(ChainBreak::Missing { after_seq: 3 }));

        let mut swapped = records.clone();
        swapped.swap(1, 4);
        swapped[1].seq = 2;
        swapped[4].seq = 5;
        assert_eq!(verify_chain(&swapped, h.clone()), Err(ChainBreak::Reordered { seq: 2 }));

        let mut unsorted = records.clone();
        unsorted.swap(1, 2);
        assert_eq!(verify_chain(&unsorted, h.clone()), Err(ChainBreak::Missing { after_seq: 1 }));

        // record 4 rewritten with a recomputed hash: record 5 no longer links
        let mut forged = records.clone();
        let prev = decode_hash(&forged[2].hash).expect("hex");
        let mut e = event(4);
        e.outcome = "refused".into();
        forged[3] = AuditRecord::chained(4, &prev, e);
        assert_eq!(verify_chain(&forged, h.clone()), Err(ChainBreak::Missing { after_seq: 4 }));

        let tail = &records[..5];
        let err = verify_chain(tail, h.clone()).unwrap_err();
        assert_eq!(err, ChainBreak::HeadMismatch { head_seq: 6, last_seq: 5 });
        assert!(err.to_string().contains("deleted"), "{err}");

        let mut bad_hex = records.clone();
        bad_hex[0].prev_hash = "not hex".into();
        assert_eq!(verify_chain(&bad_hex, h), Err(ChainBreak::Altered { seq: 1 }));
    }

    #[test]
    fn reasons_are_one_line() {
        for b in [
            ChainBreak::Altered { seq: 17 },
            ChainBreak::Missing { after_seq: 3 },
            ChainBreak::Reordered { seq: 4 },
            ChainBreak::HeadMismatch { head_seq: 9, last_seq: 8 },
            ChainBreak::HeadMismatch { head_seq: 8, last_seq: 8 },
            ChainBreak::HeadMismatch { head_seq: 7, last_seq: 8 },
        ] {
            let text = b.to_string();
            assert!(!text.contains('\n'), "{text}");
        }
        assert_eq!(ChainBreak::Altered { seq: 17 }.to_string(), "record 17 was altered");
    }
}
