//! A small non-cryptographic hasher for the analyzer's internal maps (token → rule, shingle hash →
//! postings, document id → entry). Keys are our own tokens and hashes, not attacker-chosen map
//! sizes worth defending with SipHash, and hashing every token of every document with SipHash was
//! a visible share of extraction time. The mixing is FxHash's (rustc's own hasher).

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0xf135_7aea_2e62_a9c5;

#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(26) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            self.add(tail_word(rest) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The multiply leaves the low bits depending only on the low bits of the input, and
    /// hashbrown picks a bucket by the low bits: document ids that share their first eight
    /// bytes ("line-1", "line-2", …) all fell into one probe sequence, and each lookup walked
    /// it (5,600 instructions a lookup at 10,000 ids). The rotation brings the well-mixed high
    /// bits down, as rustc-hash 2 does.
    #[inline]
    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

/// The bytes of a slice shorter than eight as a little-endian word, zero-padded: the word that
/// copying them into a zeroed `[u8; 8]` gives, read as two overlapping loads instead. The copy
/// had a variable length, so it was a call to memcpy for almost every token hashed.
#[inline]
fn tail_word(b: &[u8]) -> u64 {
    let n = b.len();
    let byte = |at: usize| b.get(at).map_or(0, |&x| u64::from(x));
    let word4 = |at: usize| {
        b.get(at..at + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
    };
    match n {
        0 => 0,
        // bytes 0, n/2 and n-1 cover all of one to three (a byte read twice ORs with itself)
        1..=3 => byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1))),
        // bytes 0..4 and n-4..n cover all of four to seven
        _ => word4(0) | (word4(n - 4) << (8 * (n - 4))),
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxHashMap<K, V> = std::collections::HashMap<K, V, FxBuild>;
pub type FxHashSet<K> = std::collections::HashSet<K, FxBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_they_hold_and_spread_keys() {
        let mut m: FxHashMap<String, usize> = FxHashMap::default();
        let words = [
            "电动自行车",
            "电池",
            "起火",
            "a",
            "",
            "电动自行车用蓄电池",
            "12345678",
            "123456789",
        ];
        for (i, w) in words.iter().enumerate() {
            m.insert(w.to_string(), i);
        }
        for (i, w) in words.iter().enumerate() {
            assert_eq!(m.get(*w), Some(&i));
        }
        assert_eq!(m.get("电动"), None);
        // distinct short keys get distinct hashes (a constant hasher would pass the lookups above)
        let hs: FxHashSet<u64> = (0u32..1000)
            .map(|i| {
                let mut h = FxHasher::default();
                h.write_u32(i);
                h.finish()
            })
            .collect();
        assert_eq!(hs.len(), 1000);
    }

    /// The tail of a key is hashed as the zero-padded copy of its bytes was: the same hash for
    /// every length and byte value, so no map's order moves.
    #[test]
    fn tails_hash_as_their_zero_padded_copy() {
        let copied = |bytes: &[u8]| {
            let mut h = FxHasher::default();
            let mut chunks = bytes.chunks_exact(8);
            for c in &mut chunks {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                h.add(u64::from_le_bytes(w));
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut w = [0u8; 8];
                w[..rest.len()].copy_from_slice(rest);
                h.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
            }
            h.finish()
        };
        let bytes: Vec<u8> = (0..40u32).map(|i| (i * 37 + 0xA1) as u8).collect();
        for len in 0..=bytes.len() {
            for start in 0..4 {
                let Some(key) = bytes.get(start..start + len) else {
                    continue;
                };
                let mut h = FxHasher::default();
                h.write(key);
                assert_eq!(h.finish(), copied(key), "{len} bytes from {start}");
            }
        }
        for w in ["电", "电池", "a", "ab", "abc", "起火了吗", "1234567"] {
            let mut h = FxHasher::default();
            h.write(w.as_bytes());
            assert_eq!(h.finish(), copied(w.as_bytes()), "{w}");
        }
    }

    /// Regression: keys that share their first bytes ("h-1", "h-2", … as `jiance extract` and the
    /// benches number documents) must spread over the low bits hashbrown buckets by, or every
    /// lookup walks one long probe sequence.
    #[test]
    fn keys_sharing_a_prefix_spread_over_the_low_bits() {
        for prefix in ["h-", "line-", "doc-2026-"] {
            let low: FxHashSet<u64> = (0..4096)
                .map(|i| {
                    let mut h = FxHasher::default();
                    h.write(format!("{prefix}{i}").as_bytes());
                    // the document index hashes the id's hash again
                    let mut again = FxHasher::default();
                    again.write_u64(h.finish());
                    again.finish() & 0xFFF
                })
                .collect();
            // 4,096 keys in 4,096 buckets: a uniform hash fills about 63 % of them
            assert!(low.len() > 2200, "{prefix}: {} distinct", low.len());
        }
    }
}
