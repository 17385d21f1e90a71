//! The phrase automaton: every rule phrase found as a substring of a prepared text in one pass
//! (Aho-Corasick), stepping over characters rather than bytes.
//!
//! The texts are mostly Chinese, three UTF-8 bytes a character, and most of their characters are
//! in no phrase at all. A byte automaton (the `aho-corasick` crate's, which this replaced) takes
//! three transitions per character, each a lookup with failure links followed; here a character
//! is decoded once, its class read from a table (0: in no phrase, back to the root with no
//! lookup), and one transition taken. The matches are the same, in the same order: by end, and at
//! one end longest first, as the crate's overlapping search reports them.

use super::fxhash::FxHashMap;

/// One occurrence of a substring pattern: (pattern id, start byte, end byte).
pub(super) type Hit = (u32, usize, usize);

/// No state, no pattern.
const NONE: u32 = u32::MAX;
/// The root state; a transition to it is a transition that does not exist.
const ROOT: u32 = 0;
/// Characters of the Basic Multilingual Plane, each with its class in a table.
const BMP: usize = 1 << 16;
/// A [`Phrases::dense`] entry: the state's number in its low 15 bits, and the top bit set when
/// the state completes a pattern, so a step to a state that reports nothing (most) reads no state
/// record.
const STATE_MASK: u16 = 0x7FFF;
const REPORTS: u16 = 0x8000;
/// Most entries of the full transition table (16 MB): the rules' phrases need about 2 M.
const DENSE_MAX: usize = 8 << 20;

/// Why the automaton cannot be built.
#[derive(Debug, thiserror::Error)]
pub(super) enum BuildError {
    #[error("more than {} distinct characters in the phrases", u16::MAX)]
    TooManyChars,
    #[error("more than {} states", u32::MAX - 1)]
    TooManyStates,
}

/// One state as a step reads it.
#[derive(Debug, Clone, Copy, Default)]
struct State {
    /// Its transitions: `edges[at..at + len]`.
    at: u32,
    len: u32,
    /// The state of its longest proper suffix that is a state.
    fail: u32,
    /// The first state of itself and its failure chain that completes a pattern (`NONE`): most
    /// states report nothing, told by this one field.
    report: u32,
}

/// The automaton of a list of phrases; pattern ids are their indices in the list.
#[derive(Debug, Clone)]
pub(super) struct Phrases {
    /// Class of each BMP character (0: in no phrase).
    bmp: Vec<u16>,
    /// Classes of the characters above the BMP that phrases hold, sorted.
    astral: Vec<(char, u16)>,
    /// The root's transitions, one per class (`ROOT`: none).
    root: Vec<u32>,
    /// What a step reads of each state, in one record.
    states: Vec<State>,
    /// Transitions of every state but the root as (class, state), each state's sorted by class.
    edges: Vec<(u16, u32)>,
    /// Per state, the pattern it completes (`NONE`: none).
    pat: Vec<u32>,
    /// Per state, the next state along its failure chain that completes a pattern (`NONE`).
    out: Vec<u32>,
    /// Byte length of each pattern.
    lens: Vec<u32>,
    /// Every state's transition on every class, `dense[state * classes + class]` (the failure
    /// links followed already), so a character costs one lookup; empty when too large, and then
    /// the sparse transitions and failure links are followed as the text is read. An entry is a
    /// state's number with [`REPORTS`] set when it completes a pattern ([`Phrases::dense_entry`]).
    dense: Vec<u16>,
}

impl Phrases {
    /// The automaton of `words`, which are distinct (the loader's pattern set keeps them so; a
    /// repeated word would be found under its first id only). An empty word is never found.
    pub(super) fn new<S: AsRef<str>>(words: &[S]) -> Result<Phrases, BuildError> {
        let mut classes: FxHashMap<char, u16> = FxHashMap::default();
        let mut bmp = vec![0u16; BMP];
        let mut astral: Vec<(char, u16)> = Vec::new();
        // the trie: root transitions dense, the others in short lists while building
        let mut root: Vec<u32> = vec![ROOT];
        let mut kids: Vec<Vec<(u16, u32)>> = vec![Vec::new()];
        let mut pat: Vec<u32> = vec![NONE];
        let mut lens = Vec::with_capacity(words.len());
        for (id, w) in words.iter().enumerate() {
            let w = w.as_ref();
            lens.push(u32::try_from(w.len()).map_err(|_| BuildError::TooManyStates)?);
            if w.is_empty() {
                continue;
            }
            let mut s = ROOT;
            for c in w.chars() {
                let next_class = classes.len() + 1;
                let cls = match classes.get(&c) {
                    Some(&k) => k,
                    None => {
                        let k = u16::try_from(next_class).map_err(|_| BuildError::TooManyChars)?;
                        classes.insert(c, k);
                        match bmp.get_mut(c as usize) {
                            Some(slot) => *slot = k,
                            None => astral.push((c, k)),
                        }
                        root.push(ROOT);
                        k
                    }
                };
                let found = if s == ROOT {
                    root.get(usize::from(cls)).copied().filter(|&n| n != ROOT)
                } else {
                    kids.get(s as usize)
                        .and_then(|k| k.iter().find(|e| e.0 == cls))
                        .map(|e| e.1)
                };
                s = match found {
                    Some(n) => n,
                    None => {
                        let n = u32::try_from(kids.len())
                            .ok()
                            .filter(|&n| n != NONE)
                            .ok_or(BuildError::TooManyStates)?;
                        kids.push(Vec::new());
                        pat.push(NONE);
                        if s == ROOT {
                            if let Some(slot) = root.get_mut(usize::from(cls)) {
                                *slot = n;
                            }
                        } else if let Some(k) = kids.get_mut(s as usize) {
                            k.push((cls, n));
                        }
                        n
                    }
                };
            }
            if let Some(p) = pat.get_mut(s as usize)
                && *p == NONE
            {
                *p = id as u32;
            }
        }
        astral.sort_unstable();
        for k in &mut kids {
            k.sort_unstable();
        }
        let mut states = Vec::with_capacity(kids.len());
        let mut edges = Vec::new();
        for (n, (k, p)) in kids.iter().zip(&pat).enumerate() {
            // the root's children report their own pattern; `link` sets the others'
            states.push(State {
                at: edges.len() as u32,
                len: k.len() as u32,
                fail: ROOT,
                report: if *p == NONE { NONE } else { n as u32 },
            });
            edges.extend_from_slice(k);
        }
        let mut ac = Phrases {
            bmp,
            astral,
            root,
            states,
            edges,
            pat,
            out: vec![NONE; kids.len()],
            lens,
            dense: Vec::new(),
        };
        let order = ac.link(&kids);
        ac.densify(&order);
        Ok(ac)
    }

    /// Failure and output links, breadth first (a state's links need those of shorter states).
    /// Returns the states in the order they were linked (breadth first, the root's children
    /// first).
    fn link(&mut self, kids: &[Vec<(u16, u32)>]) -> Vec<u32> {
        let mut queue: std::collections::VecDeque<u32> =
            self.root.iter().copied().filter(|&n| n != ROOT).collect();
        let mut order = Vec::with_capacity(self.states.len());
        // the root's children fail to the root, which completes no pattern
        while let Some(u) = queue.pop_front() {
            order.push(u);
            for &(cls, v) in kids.get(u as usize).map_or(&[][..], Vec::as_slice) {
                let fail_of = |s: u32| self.states.get(s as usize).map_or(ROOT, |x| x.fail);
                let mut f = fail_of(u);
                let target = loop {
                    if let Some(n) = self.step(f, cls) {
                        break n;
                    }
                    if f == ROOT {
                        break ROOT;
                    }
                    f = fail_of(f);
                };
                let out = if self.pat.get(target as usize).is_some_and(|&p| p != NONE) {
                    target
                } else {
                    self.out.get(target as usize).copied().unwrap_or(NONE)
                };
                let own = self.pat.get(v as usize).is_some_and(|&p| p != NONE);
                if let Some(x) = self.states.get_mut(v as usize) {
                    x.fail = target;
                    x.report = if own { v } else { out };
                }
                if let Some(x) = self.out.get_mut(v as usize) {
                    *x = out;
                }
                queue.push_back(v);
            }
        }
        order
    }

    /// The full transition table ([`Phrases::dense`]), or none when it would pass [`DENSE_MAX`]
    /// entries or a state's number would not fit in 15 bits. A state's row is its failure
    /// state's (already filled: breadth first, a failure state is shallower) with its own
    /// transitions written over it.
    fn densify(&mut self, order: &[u32]) {
        let (n, k) = (self.states.len(), self.root.len());
        if n > usize::from(STATE_MASK) || n.saturating_mul(k) > DENSE_MAX {
            return;
        }
        let mut dense = vec![0u16; n * k];
        for (slot, &next) in dense.iter_mut().zip(&self.root) {
            *slot = self.dense_entry(next);
        }
        for &u in order {
            let Some(st) = self.states.get(u as usize).copied() else {
                continue;
            };
            let (row, fail) = (u as usize * k, st.fail as usize * k);
            if row.max(fail) + k > dense.len() {
                continue;
            }
            dense.copy_within(fail..fail + k, row);
            let edges = self
                .edges
                .get(st.at as usize..(st.at + st.len) as usize)
                .unwrap_or(&[]);
            for &(cls, next) in edges {
                if let Some(slot) = dense.get_mut(row + usize::from(cls)) {
                    *slot = self.dense_entry(next);
                }
            }
        }
        self.dense = dense;
    }

    /// State `s` as [`Phrases::dense`] holds it: its number, with [`REPORTS`] set when it
    /// completes a pattern.
    fn dense_entry(&self, s: u32) -> u16 {
        let reports = self
            .states
            .get(s as usize)
            .is_some_and(|x| x.report != NONE);
        (s as u16 & STATE_MASK) | if reports { REPORTS } else { 0 }
    }

    /// The transition of state `s` on class `cls`, if it has one.
    #[inline(always)]
    fn step(&self, s: u32, cls: u16) -> Option<u32> {
        if s == ROOT {
            return self
                .root
                .get(usize::from(cls))
                .copied()
                .filter(|&n| n != ROOT);
        }
        let st = self.states.get(s as usize).copied().unwrap_or_default();
        let edges = self
            .edges
            .get(st.at as usize..(st.at + st.len) as usize)
            .unwrap_or(&[]);
        // most states have one or two transitions; a long list is searched by halves
        if edges.len() <= 8 {
            edges.iter().find(|e| e.0 == cls).map(|e| e.1)
        } else {
            edges
                .binary_search_by_key(&cls, |e| e.0)
                .ok()
                .and_then(|k| edges.get(k))
                .map(|e| e.1)
        }
    }

    /// The class of character `c` (0: in no phrase).
    #[inline(always)]
    fn class(&self, c: u32) -> u16 {
        match self.bmp.get(c as usize) {
            Some(&k) => k,
            None => char::from_u32(c)
                .and_then(|c| {
                    self.astral
                        .binary_search_by_key(&c, |e| e.0)
                        .ok()
                        .and_then(|k| self.astral.get(k))
                })
                .map_or(0, |e| e.1),
        }
    }

    /// Every occurrence of every phrase in `text`, overlapping ones included (a phrase is "in" a
    /// text wherever it occurs, as `str::contains` sees it): by end, and longest first at one end.
    pub(super) fn hits(&self, text: &str) -> Vec<Hit> {
        // (sized ahead for a typical text, where pushes grew it several times)
        let mut found = Vec::with_capacity(text.len() / 64);
        // the tables in locals: the loop keeps them in registers
        let (dense, classes) = (self.dense.as_slice(), self.root.len());
        let b = text.as_bytes();
        let mut s = ROOT;
        let mut i = 0;
        while let Some(&b0) = b.get(i) {
            // the character at `i` (the text is valid UTF-8): its code point and length
            let (c, n) = match b0 {
                0..0x80 => (u32::from(b0), 1),
                0xE0..0xF0 => match (b.get(i + 1), b.get(i + 2)) {
                    (Some(&b1), Some(&b2)) => (
                        u32::from(b0 & 0x0F) << 12
                            | u32::from(b1 & 0x3F) << 6
                            | u32::from(b2 & 0x3F),
                        3,
                    ),
                    _ => break,
                },
                _ => match text.get(i..).and_then(|r| r.chars().next()) {
                    Some(ch) => (ch as u32, ch.len_utf8()),
                    None => break,
                },
            };
            i += n;
            let cls = self.class(c);
            if cls == 0 {
                // a character of no phrase: no state continues through it
                s = ROOT;
                continue;
            }
            // the full table says whether the state reports: most do not, and are not read
            let reports = match dense.get(s as usize * classes + usize::from(cls)) {
                Some(&next) => {
                    s = u32::from(next & STATE_MASK);
                    next & REPORTS != 0
                }
                None => {
                    s = self.follow(s, cls);
                    true
                }
            };
            if reports {
                let t = self.states.get(s as usize).map_or(NONE, |x| x.report);
                if t != NONE {
                    self.report(t, i, &mut found);
                }
            }
        }
        found
    }

    /// The state after `s` on class `cls` without the full table: transitions and failure links.
    #[inline(never)]
    fn follow(&self, mut s: u32, cls: u16) -> u32 {
        loop {
            if let Some(next) = self.step(s, cls) {
                return next;
            }
            if s == ROOT {
                return ROOT;
            }
            s = self.states.get(s as usize).map_or(ROOT, |x| x.fail);
        }
    }

    /// The patterns of state `t` and of those its output links reach, all ending at byte `end`.
    /// Out of the loop over characters: few characters complete a phrase.
    #[inline(never)]
    fn report(&self, mut t: u32, end: usize, found: &mut Vec<Hit>) {
        while let Some(&p) = self.pat.get(t as usize) {
            let len = self.lens.get(p as usize).copied().unwrap_or(0) as usize;
            found.push((p, end.saturating_sub(len), end));
            t = self.out.get(t as usize).copied().unwrap_or(NONE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    fn crate_hits(words: &[&str], text: &str) -> Vec<Hit> {
        let ac = AhoCorasick::new(words).unwrap();
        ac.find_overlapping_iter(text)
            .map(|m| (m.pattern().as_u32(), m.start(), m.end()))
            .collect()
    }

    /// The same hits, in the same order, as the crate's overlapping search: nested, overlapping
    /// and repeated phrases, ASCII and characters of one, three and four bytes.
    #[test]
    fn finds_what_the_crate_finds() {
        let words = [
            "不合格",
            "合格",
            "格",
            "抽查",
            "抽查不合格",
            "gb",
            "gb/t",
            "b/t 1",
            "电池",
            "锂电池",
            "锂电",
            "电",
            "池",
            "😀a",
            "ü",
            "召回",
            "回收",
            "召回收",
        ];
        let texts = [
            "本次抽查不合格产品3批次，合格率为95%，依据gb/t 1002。",
            "锂电池锂电池电池池电",
            "😀a😀😀ab ü über",
            "召回收回召回",
            "",
            "xyz",
            "格格格合合格不不合格",
        ];
        let ac = Phrases::new(&words).unwrap();
        for t in texts {
            assert_eq!(ac.hits(t), crate_hits(&words, t), "{t}");
        }
    }

    /// Random texts over a small alphabet, where phrases overlap everywhere.
    #[test]
    fn agrees_on_random_texts() {
        let alphabet = ['a', 'b', '中', '国', '😀', ' '];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        let mut words: Vec<String> = Vec::new();
        for _ in 0..60 {
            let len = 1 + next(4);
            let w: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            // distinct words, as the phrase lists give them
            if !words.contains(&w) {
                words.push(w);
            }
        }
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let ac = Phrases::new(&refs).unwrap();
        assert!(!ac.dense.is_empty());
        // and without the full table, following failure links as the text is read
        let mut sparse = ac.clone();
        sparse.dense.clear();
        for _ in 0..200 {
            let len = next(40);
            let t: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let want = crate_hits(&refs, &t);
            assert_eq!(ac.hits(&t), want, "{t}");
            assert_eq!(sparse.hits(&t), want, "{t}");
        }
    }
}
