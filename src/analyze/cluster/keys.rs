//! The index's keys: a whole sketch's and a document id's 64-bit hash, and the map from such a
//! key (or a shingle hash) to an entry with the one insert the index needs.

use std::hash::Hasher;

use super::super::fxhash::{FxHashMap, FxHasher};

/// Key of a whole sketch in the `exact` map (rebuilt on load, never stored).
pub(super) fn sketch_key(sketch: &[u32]) -> u64 {
    let mut h = FxHasher::default();
    h.write_usize(sketch.len());
    for &x in sketch {
        h.write_u32(x);
    }
    h.finish()
}

/// Key of a document id in the `by_doc` map.
pub(super) fn doc_key(doc: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(doc.as_bytes());
    h.finish()
}

/// Map from a 64-bit key (already a hash, or a shingle hash) to an index, with the one
/// insert the index needs (keep or replace an existing value, and say what it was).
#[derive(Debug, Default)]
pub(super) struct Table(pub(super) FxHashMap<u64, u32>);

impl Table {
    #[inline]
    pub(super) fn get(&self, key: u64) -> Option<u32> {
        self.0.get(&key).copied()
    }

    /// Sets `key` to `value` (when `replace`, or when `key` is absent); returns the value it had.
    #[inline]
    pub(super) fn insert(&mut self, key: u64, value: u32, replace: bool) -> Option<u32> {
        use std::collections::hash_map::Entry as Slot;
        match self.0.entry(key) {
            Slot::Occupied(mut o) => {
                let old = *o.get();
                if replace {
                    o.insert(value);
                }
                Some(old)
            }
            Slot::Vacant(v) => {
                v.insert(value);
                None
            }
        }
    }
}
