//! Postings of the near-duplicate index: for each lookup key, the entries holding it, newest
//! first, as chunks in one `u32` arena.
//!
//! Why chunks and not one node per entry: on homogeneous text a lookup walks hundreds of
//! postings of one key. Through a linked list of single nodes every step waited on the load of
//! the node before it, and the candidate's probe could only be fetched after that: two dependent
//! cache misses a candidate (profiled: three quarters of the lookup's time). In a chunk the next
//! entries are already in hand, so the probes of several candidates are fetched at once.
//!
//! A chunk is a header of three words (next older chunk or [`NONE`], entries in the list from
//! this chunk on, capacity and fill) and its entries, oldest first. A key's first chunk holds one
//! entry (16 bytes, against 12 for a node: most keys of varied text are held by one document);
//! each new chunk doubles the list up to [`MAX_CHUNK`] entries.

use super::{NONE, Table};

/// Entries of the largest chunk: 128 bytes of entries, two cache lines.
const MAX_CHUNK: u32 = 32;
/// Words of a chunk's header: next, depth, capacity << 16 | fill.
const HEADER: usize = 3;

/// Lookup key → its list of entries.
#[derive(Debug, Default)]
pub(super) struct Postings {
    /// Key → offset of its newest chunk in `arena`.
    heads: Table,
    arena: Vec<u32>,
}

/// One chunk as a walk sees it.
pub(super) struct Chunk<'a> {
    /// The next older chunk, or [`NONE`].
    pub(super) next: u32,
    /// Entries, oldest first.
    pub(super) entries: &'a [u32],
}

impl Postings {
    pub(super) fn clear(&mut self) {
        self.heads.0.clear();
        self.arena.clear();
    }

    /// Adds `entry` as the newest posting of `key`. Returns false, adding nothing, when the arena
    /// cannot address more (four thousand million words: an unbounded index of some hundred
    /// million documents); the entry is then found through its other keys or not at all.
    pub(super) fn push(&mut self, key: u32, entry: u32) -> bool {
        use std::collections::hash_map::Entry as Slot;
        let Self { heads, arena } = self;
        let slot = heads.0.entry(u64::from(key));
        let head = match &slot {
            Slot::Occupied(o) => *o.get(),
            Slot::Vacant(_) => NONE,
        };
        let (depth, cap, fill) = header(arena, head);
        if head != NONE && fill < cap {
            let h = head as usize;
            let Some([d, cf, rest @ ..]) = arena.get_mut(h + 1..h + HEADER + fill as usize + 1)
            else {
                return false;
            };
            let Some(last) = rest.last_mut() else {
                return false;
            };
            (*d, *cf, *last) = (depth + 1, (cap << 16) | (fill + 1), entry);
            return true;
        }
        let cap = depth.max(1).next_power_of_two().min(MAX_CHUNK);
        let at = arena.len();
        let Ok(offset) = u32::try_from(at) else {
            return false;
        };
        if offset
            .checked_add(HEADER as u32 + cap)
            .is_none_or(|end| end == NONE)
        {
            return false;
        }
        arena.extend_from_slice(&[head, depth + 1, (cap << 16) | 1, entry]);
        arena.resize(at + HEADER + cap as usize, NONE);
        match slot {
            Slot::Occupied(mut o) => {
                o.insert(offset);
            }
            Slot::Vacant(v) => {
                v.insert(offset);
            }
        }
        true
    }

    /// The newest chunk of `key` and how many entries its list holds, if any.
    #[inline]
    pub(super) fn head(&self, key: u32) -> Option<(u32, u32)> {
        let head = self.heads.get(u64::from(key))?;
        let (depth, ..) = header(&self.arena, head);
        Some((head, depth))
    }

    /// The chunk at `offset` (from [`Postings::head`] or a chunk's `next`).
    #[inline]
    pub(super) fn chunk(&self, offset: u32) -> Option<Chunk<'_>> {
        let at = offset as usize;
        let &[next, _, cf] = self.arena.get(at..at + HEADER)? else {
            return None;
        };
        let entries = self
            .arena
            .get(at + HEADER..at + HEADER + (cf & 0xffff) as usize)?;
        Some(Chunk { next, entries })
    }

    /// Asks for the chunk at `offset` to be brought into the cache (a walk asks for the next
    /// chunk as it starts one: the chunks of a list lie apart, each a cache miss).
    #[inline]
    pub(super) fn prefetch_chunk(&self, offset: u32) {
        let at = offset as usize;
        if let Some(words) = self
            .arena
            .get(at..(at + HEADER + MAX_CHUNK as usize).min(self.arena.len()))
        {
            words.iter().step_by(16).for_each(super::prefetch);
        }
    }

    /// Every key with its entries, newest first (tests).
    #[cfg(test)]
    pub(super) fn lists(&self) -> Vec<(u32, Vec<u32>)> {
        let mut out: Vec<(u32, Vec<u32>)> = self
            .heads
            .0
            .iter()
            .map(|(&k, &head)| {
                let mut list = Vec::new();
                let mut at = head;
                while let Some(c) = self.chunk(at) {
                    list.extend(c.entries.iter().rev());
                    at = c.next;
                }
                (k as u32, list)
            })
            .collect();
        out.sort();
        out
    }
}

/// Depth, capacity and fill of the chunk at `offset` (zeros for [`NONE`] or a bad offset).
fn header(arena: &[u32], offset: u32) -> (u32, u32, u32) {
    let at = offset as usize;
    match arena.get(at + 1..at + HEADER) {
        Some(&[depth, cf]) => (depth, cf >> 16, cf & 0xffff),
        _ => (0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_every_entry_newest_first_with_their_depth() {
        let mut p = Postings::default();
        let mut expected: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        // key k holds every entry divisible by k: lists of 1 to 500 entries, chunks of all sizes
        for entry in 0..500u32 {
            for key in [1u32, 2, 3, 7, 250, 499] {
                if entry % key == 0 {
                    assert!(p.push(key, entry));
                    expected.entry(key).or_default().insert(0, entry);
                }
            }
        }
        let expected: Vec<(u32, Vec<u32>)> = expected.into_iter().collect();
        assert_eq!(p.lists(), expected);
        for (key, list) in &expected {
            assert_eq!(p.head(*key).map(|h| h.1), Some(list.len() as u32));
        }
        assert_eq!(p.head(5), None);
        // a singleton costs a header and one entry
        let mut one = Postings::default();
        one.push(9, 4);
        assert_eq!(one.arena.len(), HEADER + 1);
        // chunks stop growing at MAX_CHUNK
        let (mut chunks, mut at) = (0, p.head(1).map_or(NONE, |h| h.0));
        while let Some(c) = p.chunk(at) {
            assert!(c.entries.len() as u32 <= MAX_CHUNK);
            (chunks, at) = (chunks + 1, c.next);
        }
        assert!(chunks < 30, "500 entries in {chunks} chunks");
        p.clear();
        assert!(p.lists().is_empty());
    }
}
