//! Attribute-key decisions remembered per key: a bounded map read under one lock per list.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::keys::KeyDecision;

/// Keys remembered by [`KeyDecisionCache`]; past this, decisions are computed each time.
const KEY_CACHE_CAPACITY: usize = 4096;

/// A bounded map from attribute key to its [`KeyDecision`], read far more often than written.
#[derive(Debug, Default)]
pub(super) struct KeyDecisionCache(
    std::sync::RwLock<HashMap<Box<str>, KeyDecision, BuildHasherDefault<KeyHasher>>>,
);

/// A word-at-a-time multiplicative hash (the Fx hash): several times faster than SipHash on
/// attribute keys. Not DoS-resistant, which is fine here: keys are names chosen by the
/// application's code, and the cache is bounded, so collisions only slow its lookups.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KeyDecisionCache {
    /// The decision for each of `keys`, in order: one read lock for all of them, `decide` for
    /// those not cached, then one write lock to remember those while there is room.
    pub(super) fn decide_all<'k>(
        &self,
        keys: impl Iterator<Item = &'k str>,
        decide: impl Fn(&str) -> KeyDecision,
    ) -> Vec<KeyDecision> {
        let mut misses: Vec<(&'k str, KeyDecision)> = Vec::new();
        let decisions = match self.0.read() {
            Ok(map) => {
                let room = map.len() < KEY_CACHE_CAPACITY;
                keys.map(|key| {
                    map.get(key).copied().unwrap_or_else(|| {
                        let decision = decide(key);
                        if room {
                            misses.push((key, decision));
                        }
                        decision
                    })
                })
                .collect()
            }
            // Poisoned (a panic elsewhere while writing): decide without the cache.
            Err(_) => return keys.map(decide).collect(),
        };
        if !misses.is_empty() {
            if let Ok(mut map) = self.0.write() {
                for (key, decision) in misses {
                    if map.len() >= KEY_CACHE_CAPACITY {
                        break;
                    }
                    map.insert(key.into(), decision);
                }
            }
        }
        decisions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{RedactionConfig, Redactor};
    use opentelemetry::KeyValue;

    #[test]
    fn key_decisions_stay_right_past_the_cache_capacity() {
        let redactor = Redactor::new(&RedactionConfig::default()).expect("defaults compile");
        let n = KEY_CACHE_CAPACITY + 100;
        // Twice over the same keys: the second pass reads the cache, or computes past capacity.
        for _ in 0..2 {
            let mut attrs: Vec<KeyValue> = (0..n)
                .flat_map(|i| {
                    [
                        KeyValue::new(format!("retrieval.documents.{i}.document.id"), "doc"),
                        KeyValue::new(format!("tool.{i}.password"), "hunter2-plain"),
                    ]
                })
                .collect();
            redactor.redact_attributes(&mut attrs);
            // The originals in order (a summary attribute may follow them).
            assert!(attrs.len() >= 2 * n, "attributes were lost");
            for (i, pair) in attrs[..2 * n].chunks(2).enumerate() {
                assert_eq!(
                    pair[0].key.as_str(),
                    format!("retrieval.documents.{i}.document.id")
                );
                assert_eq!(pair[0].value.as_str(), "doc", "{:?}", pair[0]);
                assert_eq!(pair[1].key.as_str(), format!("tool.{i}.password"));
                assert_ne!(pair[1].value.as_str(), "hunter2-plain", "{:?}", pair[1]);
            }
        }
        let cached = redactor.key_cache.0.read().expect("not poisoned").len();
        assert_eq!(cached, KEY_CACHE_CAPACITY);
    }
}
