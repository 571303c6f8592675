//! The in-memory cache of fetched evidence: an answer is kept until its `nextUpdate`, so
//! that extending many signatures of one CA asks that CA once per update period. Bounded:
//! when full, expired entries go first, then the one that expires soonest.

use std::collections::HashMap;

/// What was fetched, and from where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum CacheKey {
    /// An OCSP answer to exactly this request (the request names the certificate).
    Ocsp { url: String, request: Vec<u8> },
    /// A CRL from a distribution point.
    Crl(String),
    /// A `caIssuers` answer (certificates).
    CaIssuers(String),
}

#[derive(Debug)]
struct Entry {
    body: Vec<u8>,
    /// Unix seconds after which the entry is not used.
    until: i64,
}

/// A bounded map from [`CacheKey`] to an answer and its expiry.
#[derive(Debug)]
pub(super) struct Cache {
    capacity: usize,
    entries: HashMap<CacheKey, Entry>,
}

impl Cache {
    pub(super) fn new(capacity: usize) -> Self {
        Self { capacity, entries: HashMap::new() }
    }

    /// The answer stored under `key`, if it has not expired at `now`.
    pub(super) fn get(&self, key: &CacheKey, now: i64) -> Option<Vec<u8>> {
        self.entries.get(key).filter(|e| now < e.until).map(|e| e.body.clone())
    }

    /// Stores an answer until `until` (nothing is stored when that has passed, or when the
    /// capacity is zero).
    pub(super) fn put(&mut self, key: CacheKey, body: Vec<u8>, until: i64, now: i64) {
        if until <= now || self.capacity == 0 {
            return;
        }
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.entries.retain(|_, e| now < e.until);
            if self.entries.len() >= self.capacity {
                let soonest =
                    self.entries.iter().min_by_key(|(_, e)| e.until).map(|(k, _)| k.clone());
                if let Some(k) = soonest {
                    self.entries.remove(&k);
                }
            }
        }
        self.entries.insert(key, Entry { body, until });
    }

    /// Forgets one answer (it no longer verifies).
    pub(super) fn remove(&mut self, key: &CacheKey) {
        self.entries.remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crl(n: u8) -> CacheKey {
        CacheKey::Crl(format!("http://ca.example/{n}.crl"))
    }

    #[test]
    fn entries_live_until_their_next_update() {
        let mut c = Cache::new(4);
        c.put(crl(1), vec![1], 200, 100);
        assert_eq!(c.get(&crl(1), 199), Some(vec![1]));
        assert_eq!(c.get(&crl(1), 200), None);
        assert_eq!(c.get(&crl(2), 150), None);
        c.put(crl(3), vec![3], 100, 100);
        assert_eq!(c.len(), 1, "an answer already expired is not stored");
        c.remove(&crl(1));
        assert_eq!(c.get(&crl(1), 150), None);
    }

    #[test]
    fn a_full_cache_drops_expired_then_soonest_entries() {
        let mut c = Cache::new(2);
        c.put(crl(1), vec![1], 150, 100);
        c.put(crl(2), vec![2], 500, 100);
        // At 160, entry 1 has expired and makes room.
        c.put(crl(3), vec![3], 400, 160);
        assert_eq!(c.len(), 2);
        assert_eq!((c.get(&crl(2), 170), c.get(&crl(3), 170)), (Some(vec![2]), Some(vec![3])));
        // Nothing expired: the one expiring soonest (3, at 400) goes.
        c.put(crl(4), vec![4], 300, 170);
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(&crl(3), 170), None);
        assert_eq!(c.get(&crl(4), 170), Some(vec![4]));
        // Replacing an entry does not evict another one.
        c.put(crl(4), vec![5], 900, 170);
        assert_eq!((c.len(), c.get(&crl(2), 170)), (2, Some(vec![2])));
        assert!(Cache::new(0).get(&crl(1), 0).is_none());
    }
}
