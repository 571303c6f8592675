//! Shared by the signet-ades integration tests.
#![allow(dead_code)]

pub mod keys;
pub mod pdf;
