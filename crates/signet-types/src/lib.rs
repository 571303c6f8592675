//! Types shared by every Signet crate: identifiers, algorithms and their OIDs.
//!
//! This crate does no I/O and depends on nothing of Signet's own; see `DESIGN.md`.

pub mod algorithms;
pub mod ids;
pub mod time;

pub use algorithms::{
    HashAlgorithm, KeyAlgorithm, KeyFamily, SignatureAlgorithm, UnknownAlgorithm,
};
pub use ids::{ClientId, CredentialId, GroupId, InvalidId, UserId};
pub use time::{Clock, ManualClock, SystemClock, UnixTime};
