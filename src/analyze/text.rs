//! Text and tokens: the prepared (folded, lower-cased) text, jieba tokens with their sentence and
//! clause numbers, the lexicon (the phrase matcher and the word lists tokens are compared with,
//! looked up once per token) with the rule-phrase matches on token sequences and each token's
//! lists, and the one Aho-Corasick pass that finds every phrase matched as a substring (with list
//! flags saying which list each phrase is in, and what a document's hits hold).

use super::phrases::Phrases;
use super::*;

#[path = "glue.rs"]
mod glue;
#[path = "words.rs"]
mod words;
pub(super) use words::Words;

/// `substr_flags` bits: which phrase list a substring pattern comes from.
pub(super) const FAILURE: u8 = 1;
pub(super) const ALL_PASS: u8 = 2;
/// Words a regex cannot match without: an organisation suffix (`org_re`), a shop suffix of
/// cues.toml `[shop]` (`shop_re`), 不合格 (`failed_batches_re`), gb or /t (`std_re`), 牌 (`brand_re`). A document
/// without one skips the regex; the one scan that finds the other phrases finds these too.
pub(super) const ORG: u8 = 4;
pub(super) const SHOP: u8 = 8;
pub(super) const NONCONFORMING: u8 = 16;
pub(super) const STD: u8 = 32;
pub(super) const BRAND: u8 = 64;
/// cues.toml `[tested]`: a list of the items tested, not of those failed.
pub(super) const TESTED: u8 = 128;

/// Distinct phrases collected while the rules load, each with an id and list flags; built into one
/// automaton ([`Phrases`]) so a document is searched for all of them in a single pass.
#[derive(Default)]
pub(super) struct PatternSet {
    words: Vec<String>,
    flags: Vec<u8>,
    ids: FxHashMap<String, u32>,
}

impl PatternSet {
    /// The id of `word`, added if new, with `flag` set. An empty word (which every text holds)
    /// gets an id no match carries, so it matches nothing, as an exclusion that says nothing should.
    pub(super) fn id(&mut self, word: &str, flag: u8) -> u32 {
        if word.is_empty() {
            return u32::MAX;
        }
        let next = self.words.len() as u32;
        let id = *self.ids.entry(word.to_string()).or_insert(next);
        if id == next {
            self.words.push(word.to_string());
            self.flags.push(0);
        }
        if let Some(f) = self.flags.get_mut(id as usize) {
            *f |= flag;
        }
        id
    }

    pub(super) fn build(self) -> Result<(Phrases, Vec<u8>), super::phrases::BuildError> {
        Ok((Phrases::new(&self.words)?, self.flags))
    }
}

/// The byte offset of character `n` of `s`, if it has one (as `char_indices().nth(n)`): where
/// its `n`th lead byte (any byte but a 10xxxxxx continuation) is, counted eight bytes at a time
/// while that many characters remain to pass, then a byte at a time; no character decoded.
pub(super) fn char_offset(s: &str, n: usize) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = s.as_bytes();
    let (mut i, mut left) = (0, n);
    while left >= 8
        && let Some(chunk) = b.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok())
    {
        let w = u64::from_le_bytes(chunk);
        // a continuation byte has its top bit set and the one below it clear
        let cont = (w & !(w << 1) & HIGH) >> 7;
        // the bytes of `cont` are 0 or 1: the multiply sums them into the top byte
        let leads = 8 - (cont.wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
        left -= leads;
        i += 8;
    }
    loop {
        let &byte = b.get(i)?;
        if byte & 0xC0 != 0x80 {
            if left == 0 {
                return Some(i);
            }
            left -= 1;
        }
        i += 1;
    }
}

/// A word written in CJK unified ideographs only (the common block), and not empty.
pub(super) fn han_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Whether a word is of Latin letters only (a word of an English text, or one a Chinese name
/// writes as it is).
pub(super) fn latin_word(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The bit of a byte length in a mask of lengths (63 for 63 bytes and longer).
pub(super) fn len_bit(n: usize) -> u64 {
    1 << n.min(63)
}

/// The hash of a place name in [`Analyzer`]'s `place_hashes`.
pub(super) fn place_hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    super::fxhash::FxBuild::default().hash_one(s)
}

/// A filter in front of a word table asked about once per token ([`Lexicon`]): one bit per class
/// of words (their byte length, first three and last two bytes) in 64 K bits (8 KB). A clear bit
/// proves the word is not a key, so only the few tokens whose class holds a key are compared
/// with the keys of that class; most tokens start no rule phrase and are in no list.
#[derive(Debug, Clone)]
pub(super) struct WordFilter(Vec<u64>);

impl WordFilter {
    /// Number of slots (bits).
    pub(super) const SLOTS: usize = 1 << 16;

    pub(super) fn new<'w>(words: impl IntoIterator<Item = &'w str>) -> Self {
        let mut bits = vec![0u64; Self::SLOTS / 64];
        for w in words {
            let k = Self::slot(w);
            if let Some(b) = bits.get_mut(k >> 6) {
                *b |= 1 << (k & 63);
            }
        }
        WordFilter(bits)
    }

    /// The class of `w`: one of [`WordFilter::SLOTS`].
    #[inline]
    pub(super) fn slot(w: &str) -> usize {
        let b = w.as_bytes();
        let at = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
        let n = b.len();
        let last = |back: usize| {
            u64::from(
                n.checked_sub(back)
                    .and_then(|i| b.get(i))
                    .copied()
                    .unwrap_or(0),
            )
        };
        let key = at(0)
            | at(1) << 8
            | at(2) << 16
            | last(1) << 24
            | last(2) << 32
            | (n as u64 & 0xFF) << 40;
        // Fibonacci hashing: the top 16 bits of the product mix every byte of the key
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
    }

    /// Whether some word is of slot `k` ([`WordFilter::slot`]): false when a word of that slot
    /// is surely not one of the words.
    #[inline]
    pub(super) fn holds_slot(&self, k: usize) -> bool {
        self.0.get(k >> 6).is_some_and(|b| (b >> (k & 63)) & 1 == 1)
    }
}

/// Bits of [`Tokens::kinds`]: the word lists a token is in. Each was a walk over its list (a
/// byte comparison per word of the same length) wherever a token was asked; one lookup per token
/// now answers them all, made with the phrase matcher's own.
pub(super) mod lex {
    /// The first word of a rule phrase (a key of the phrase matcher).
    pub(in crate::analyze) const RULE: u16 = 1;
    /// cues.toml `[coordination]` words.
    pub(in crate::analyze) const JOIN: u16 = 2;
    /// cues.toml `[unclassified] object_verbs`.
    pub(in crate::analyze) const OBJECT_VERB: u16 = 4;
    /// cues.toml `[unclassified] not_before`.
    pub(in crate::analyze) const LEAD_NOT: u16 = 8;
    /// cues.toml `[brands] marks`.
    pub(in crate::analyze) const BRAND_MARK: u16 = 16;
    /// products.toml `child_words`.
    pub(in crate::analyze) const CHILD: u16 = 32;
    /// cues.toml `[victim] instruments` and `means`.
    pub(in crate::analyze) const INSTRUMENT: u16 = 64;
    pub(in crate::analyze) const MEANS: u16 = 128;
    /// cues.toml `[victim] cues` and `[damaged] words`.
    pub(in crate::analyze) const VICTIM_VERB: u16 = 256;
    pub(in crate::analyze) const DAMAGED: u16 = 512;
    /// cues.toml `[defects] leads`.
    pub(in crate::analyze) const DEFECT_LEAD: u16 = 1024;
    /// products.toml `anaphora`.
    pub(in crate::analyze) const ANAPHOR: u16 = 2048;
    /// hazards.toml `substances` measures.
    pub(in crate::analyze) const MEASURE: u16 = 4096;
    /// products.toml `child_owners` (孩子, 女儿): whose a product is.
    pub(in crate::analyze) const CHILD_OWNER: u16 = 8192;
}

/// What a word is to the rules: the phrases it opens and the [`lex`] lists it is in.
#[derive(Debug, Default)]
pub(super) struct LexEntry {
    bits: u16,
    rules: Vec<(Vec<String>, Target)>,
}

/// Every word a token is looked up as: the phrase matcher (first token → the distinct token
/// sequences and targets of the phrases it opens) and the word lists of [`lex`], in one table
/// behind one [`WordFilter`], sorted by its slot: a token it lets through is compared with the
/// words of its slot only (a hash map hashed the token again: two thirds of a lookup).
#[derive(Debug)]
pub(super) struct Lexicon {
    /// (word, entry), sorted by [`WordFilter::slot`] and then by word.
    entries: Vec<(String, LexEntry)>,
    /// `entries[starts[k]..starts[k + 1]]` are the words of slot `k` (`SLOTS + 1` bounds).
    starts: Vec<u32>,
    keys: WordFilter,
}

impl Lexicon {
    pub(super) fn new(
        matcher: FxHashMap<String, Vec<(Vec<String>, Target)>>,
        lists: &[(u16, Vec<String>)],
    ) -> Self {
        let mut words: FxHashMap<String, LexEntry> = matcher
            .into_iter()
            .map(|(w, rules)| {
                let bits = lex::RULE;
                (w, LexEntry { bits, rules })
            })
            .collect();
        for (bit, list) in lists {
            for w in list {
                words.entry(w.clone()).or_default().bits |= bit;
            }
        }
        let keys = WordFilter::new(words.keys().map(String::as_str));
        let mut entries: Vec<(usize, String, LexEntry)> = words
            .into_iter()
            .map(|(w, e)| (WordFilter::slot(&w), w, e))
            .collect();
        entries.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        // starts[k]: how many entries are of slots below k
        let (mut starts, mut at) = (Vec::with_capacity(WordFilter::SLOTS + 1), 0);
        for k in 0..=WordFilter::SLOTS {
            while entries.get(at).is_some_and(|e| e.0 < k) {
                at += 1;
            }
            starts.push(at as u32);
        }
        let entries = entries.into_iter().map(|(_, w, e)| (w, e)).collect();
        Lexicon {
            entries,
            starts,
            keys,
        }
    }

    #[inline]
    fn entry(&self, w: &str) -> Option<&LexEntry> {
        let k = WordFilter::slot(w);
        if !self.keys.holds_slot(k) {
            return None;
        }
        let (a, b) = (*self.starts.get(k)?, *self.starts.get(k + 1)?);
        self.entries
            .get(a as usize..b as usize)?
            .iter()
            .find(|(key, _)| same_word(key, w))
            .map(|(_, e)| e)
    }

    /// The phrases `w` opens (as token sequences with their targets), `None` when it opens none.
    pub(super) fn rules(&self, w: &str) -> Option<&[(Vec<String>, Target)]> {
        self.entry(w)
            .filter(|e| e.bits & lex::RULE != 0)
            .map(|e| e.rules.as_slice())
    }

    /// Whether `w` opens a rule phrase.
    pub(super) fn is_rule_word(&self, w: &str) -> bool {
        self.entry(w).is_some_and(|e| e.bits & lex::RULE != 0)
    }
}

/// Pushes token `w`, starting at byte `s` of the text, of (sentence, clause) `at`.
#[inline(always)]
fn push_token<'a>(
    words: &mut Vec<&'a str>,
    toks: &mut Vec<Tok>,
    w: &'a str,
    s: usize,
    at: (usize, usize),
) {
    words.push(w);
    toks.push(Tok {
        s,
        e: s + w.len(),
        sent: at.0,
        clause: at.1,
    });
}

/// `a == b` for words as short as tokens, one to four Chinese characters compared in place:
/// a call to `memcmp` for each took more than the comparison itself.
#[inline(always)]
pub(super) fn same_word(a: &str, b: &str) -> bool {
    fn arr<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
        s.try_into().ok()
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && match a.len() {
            3 => arr::<3>(a) == arr::<3>(b),
            6 => arr::<6>(a) == arr::<6>(b),
            9 => arr::<9>(a) == arr::<9>(b),
            12 => arr::<12>(a) == arr::<12>(b),
            _ => a == b,
        }
}

/// A set of characters asked about once per token: a bit per character of the Basic
/// Multilingual Plane (8 KB), where a binary search over a few dozen characters took half a
/// dozen steps a token; characters above it, sorted.
#[derive(Debug, Clone, Default)]
pub(super) struct CharSet {
    bmp: Vec<u64>,
    rest: Vec<char>,
}

impl CharSet {
    pub(super) fn new(chars: impl IntoIterator<Item = char>) -> Self {
        let mut bmp = vec![0u64; 1 << 10];
        let mut rest = Vec::new();
        for c in chars {
            let u = c as usize;
            match bmp.get_mut(u >> 6) {
                Some(w) => *w |= 1 << (u & 63),
                None => rest.push(c),
            }
        }
        rest.sort_unstable();
        rest.dedup();
        CharSet { bmp, rest }
    }

    pub(super) fn contains(&self, c: char) -> bool {
        let u = c as usize;
        match self.bmp.get(u >> 6) {
            Some(w) => (w >> (u & 63)) & 1 == 1,
            None => self.rest.binary_search(&c).is_ok(),
        }
    }

    /// Whether `w` opens with one of the characters (false for an empty word). Asked once per
    /// token: a three-byte character (most of a Chinese text) is read from its bytes in place.
    #[inline(always)]
    pub(super) fn holds_first(&self, w: &str) -> bool {
        match *w.as_bytes() {
            [b0 @ 0xE0..=0xEF, b1, b2, ..] => self.holds_bmp(b0, b1, b2),
            _ => w.chars().next().is_some_and(|c| self.contains(c)),
        }
    }

    /// Whether `w` ends with one of the characters (false for an empty word); as
    /// [`CharSet::holds_first`].
    #[inline(always)]
    pub(super) fn holds_last(&self, w: &str) -> bool {
        match *w.as_bytes() {
            [.., b0 @ 0xE0..=0xEF, b1, b2] => self.holds_bmp(b0, b1, b2),
            _ => w.chars().next_back().is_some_and(|c| self.contains(c)),
        }
    }

    /// Whether one of the characters stands anywhere in `s`: its characters read from their bytes
    /// in place, as [`CharSet::holds_first`] reads one.
    pub(super) fn holds_any(&self, s: &str) -> bool {
        let b = s.as_bytes();
        let mut i = 0;
        while let Some(&b0) = b.get(i) {
            if let (0xE0..=0xEF, Some(&b1), Some(&b2)) = (b0, b.get(i + 1), b.get(i + 2)) {
                if self.holds_bmp(b0, b1, b2) {
                    return true;
                }
                i += 3;
                continue;
            }
            let Some(c) = s.get(i..).and_then(|r| r.chars().next()) else {
                return false;
            };
            if self.contains(c) {
                return true;
            }
            i += c.len_utf8();
        }
        false
    }

    /// [`CharSet::contains`] of the three-byte character `b0 b1 b2` (in the BMP).
    #[inline(always)]
    fn holds_bmp(&self, b0: u8, b1: u8, b2: u8) -> bool {
        let u =
            (usize::from(b0 & 0x0F) << 12) | (usize::from(b1 & 0x3F) << 6) | usize::from(b2 & 0x3F);
        self.bmp
            .get(u >> 6)
            .is_some_and(|w| (w >> (u & 63)) & 1 == 1)
    }
}

pub(super) use super::phrases::Hit;

/// Every occurrence of the patterns of `ac` in `text`, overlapping ones included (a phrase is
/// "in" a text wherever it occurs, as `str::contains` sees it).
pub(super) fn hits(ac: &Phrases, text: &str) -> Vec<Hit> {
    ac.hits(text)
}

/// Whether a hit of one of `ids` covers the byte span `s..e` (the mention lies inside a phrase
/// that excludes it).
pub(super) fn covered(hits: &[Hit], ids: &[u32], s: usize, e: usize) -> bool {
    // most categories exclude nothing: their spans need no walk over the hits
    !ids.is_empty()
        && hits
            .iter()
            .any(|&(p, hs, he)| hs <= s && e <= he && ids.contains(&p))
}

/// Text prepared for matching: folded, lower-cased ASCII; title then a newline then the body.
pub(super) fn prepare(s: &str) -> String {
    fold(s).to_ascii_lowercase()
}

/// A word list as the prepared text writes it ([`prepare`]), for matching in it.
pub(super) fn prepared(list: &[String]) -> Vec<String> {
    list.iter().map(|w| prepare(w)).collect()
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) s: usize,
    pub(super) e: usize,
    pub(super) sent: usize,
    pub(super) clause: usize,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Match {
    pub(super) a: usize,
    pub(super) b: usize,
    pub(super) target: Target,
}

impl Analyzer {
    /// Whether a substring hit is of a phrase in the list(s) `flag` names.
    pub(super) fn flagged(&self, hit: &Hit, flag: u8) -> bool {
        self.substr_flags
            .get(hit.0 as usize)
            .is_some_and(|f| f & flag != 0)
    }

    pub(super) fn tokens<'a>(&self, text: &'a str) -> (Vec<&'a str>, Vec<Tok>) {
        let (words, toks, _) = self.tokens_in_sentences(text);
        (words, toks)
    }

    /// [`Analyzer::tokens`] and the byte range of each sentence (one, empty, for a text without
    /// tokens), noted as the tokens are made rather than in a pass of their own.
    pub(super) fn tokens_in_sentences<'a>(
        &self,
        text: &'a str,
    ) -> (Vec<&'a str>, Vec<Tok>, Vec<(usize, usize)>) {
        // the tokens are taken as jieba makes them (no vector of its own to count first), so
        // the vectors are sized from the text's length: a token is four to six bytes of Chinese
        let guess = text.len() / 4 + 1;
        // a sentence's range is pushed at its end: first start (`open`) and last end are locals
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(guess / 16 + 1);
        let (mut open, mut last_end) = (usize::MAX, 0);
        let mut words = Vec::with_capacity(guess);
        let mut toks = Vec::with_capacity(guess);
        let (mut sent, mut clause) = (0, 0);
        // whether the open sentence has a token of more than whitespace: a blank line ends no
        // sentence, so what whitespace a copy gives a text does not renumber its sentences (the
        // first line counts whatever it holds: a document's title line, empty or not, is its
        // sentence 0)
        let mut content = true;
        // the first line end at or after the token: tokens follow each other, so a search from
        // a token's start runs once per line, where a scan of every token's bytes took a sixth
        // of this loop
        // (memchr's vector search: `str::find` of a char took the portable one)
        let line_end = |from: usize| {
            text.as_bytes()
                .get(from..)
                .and_then(|r| memchr::memchr(b'\n', r))
                .map_or(usize::MAX, |k| from + k)
        };
        let mut next_nl = line_end(0);
        self.jieba.cut_with(text, false, |t| {
            open = open.min(t.byte_start);
            last_end = t.byte_end;
            // a general-dictionary word that glues a place to what follows it (北京市民, 北京市消协,
            // 美国市场) is the place and the rest, so the place is seen (and so for a failure or
            // an adverb glued to a rule word: 温升过高, 突然折断)
            if t.word.len() >= 9
                && let Some(k) = self.glued(t.word)
            {
                content = true;
                let (place, rest) = t.word.split_at(k);
                push_token(&mut words, &mut toks, place, t.byte_start, (sent, clause));
                push_token(
                    &mut words,
                    &mut toks,
                    rest,
                    t.byte_start + k,
                    (sent, clause),
                );
                return;
            }
            // a device's head glued to the modal after it (故事 + 机会) goes back to the device
            // (two characters first: the one test most tokens take)
            if t.word.len() == 6
                && let (Some(prev), Some(w)) = (toks.last_mut(), words.last_mut())
                && let Some(joined) = self.head_glued(text, prev.s, t.byte_start, t.word)
            {
                *w = joined;
                prev.e = t.byte_start + 3;
                push_token(
                    &mut words,
                    &mut toks,
                    &t.word[3..],
                    t.byte_start + 3,
                    (sent, clause),
                );
                return;
            }
            push_token(&mut words, &mut toks, t.word, t.byte_start, (sent, clause));
            if next_nl < t.byte_start {
                next_nl = line_end(t.byte_start);
            }
            // (asked until the sentence has content: once a sentence, not once a token)
            if !content {
                content = !t.word.trim().is_empty();
            }
            match super::clauses::boundary(t.word, next_nl < t.byte_end) {
                Some(true) if content => {
                    ranges.push((open, last_end));
                    open = usize::MAX;
                    sent += 1;
                    clause += 1;
                    content = false;
                }
                Some(false) => clause += 1,
                _ => {}
            }
        });
        if open < usize::MAX {
            ranges.push((open, last_end));
        } else if ranges.is_empty() {
            ranges.push((0, 0));
        }
        (words, toks, ranges)
    }

    /// Whether `s` is one of the place names: its hash first, the sorted names only when a name
    /// hashes the same (a binary search costs a dozen string comparisons, the hash one pass).
    pub(super) fn is_place_name(&self, s: &str) -> bool {
        self.place_hashes.contains(&place_hash(s))
            && self
                .place_names
                .binary_search_by(|n| n.as_str().cmp(s))
                .is_ok()
    }

    /// Hazard pairs (hazards.toml `pairs`): a clause holding a `who` and a `did` word of one pair
    /// (or a sentence holding the `who` word before the `did` word, for a `sentence` pair),
    /// in a sentence naming one of the pair's products (or in a text naming only the pair's
    /// products), reports the pair's hazard at the `did` word, as a strong term would.
    pub(super) fn pair_matches(&self, toks: &[Tok], ms: &mut Vec<Match>) {
        if self.pairs.is_empty() {
            return;
        }
        // (pair, clause) of every `who` word, and (sentence, category) of every product: one pass
        let mut who: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
        let mut cats: Vec<(usize, usize)> = Vec::new();
        let mut any_did = false;
        for m in ms.iter() {
            match m.target {
                Target::PairWho(i) => who.push((i, toks[m.a].clause, toks[m.a].sent, m.a, m.b)),
                Target::PairDid(_) => any_did = true,
                Target::Category(c) => cats.push((toks[m.a].sent, c)),
                _ => {}
            }
        }
        if !any_did || who.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for d in ms.iter() {
            let Target::PairDid(i) = d.target else {
                continue;
            };
            let Some((h, pair_cats, in_sentence)) = self.pairs.get(i) else {
                continue;
            };
            let (clause, sent) = (toks[d.a].clause, toks[d.a].sent);
            let by_who = who.iter().any(|&(wi, wc, ws, a, b)| {
                wi == i
                    && ((wc == clause && (b <= d.a || a >= d.b))
                        || (*in_sentence && ws == sent && b <= d.a))
            });
            // the product in the sentence, or — when every product the text names is one of the
            // pair's, or the first it names is — anywhere: "设备" and "它" stand for the camera of
            // the sentence before (and the sofa it points at is no product of interest)
            let product = pair_cats.is_empty()
                || cats
                    .iter()
                    .any(|&(s, c)| s == sent && pair_cats.contains(&c))
                || (!cats.is_empty() && cats.iter().all(|(_, c)| pair_cats.contains(c)))
                || cats.first().is_some_and(|(_, c)| pair_cats.contains(c));
            if by_who && product {
                found.push(Match {
                    a: d.a,
                    b: d.b,
                    target: Target::Hazard(*h, Strength::Strong),
                });
            }
        }
        ms.extend(found);
    }

    pub(super) fn matches(&self, words: &[&str]) -> Vec<Match> {
        self.matches_into(words, None)
    }

    /// [`Analyzer::matches`], and with `kinds` (zeroed, a slot per word) each word's [`lex`]
    /// bits written to its slot: the one lookup a word takes serves both. (Written only for the
    /// third of words in some list: a push per word cost more than the zeroing.)
    pub(super) fn matches_into(&self, words: &[&str], mut kinds: Option<&mut [u16]>) -> Vec<Match> {
        // (sized ahead for a typical text, where pushes grew it several times)
        let mut out = Vec::with_capacity(words.len() / 8);
        for i in 0..words.len() {
            let entry = self.lexicon.entry(words[i]);
            if let (Some(k), Some(e)) = (kinds.as_deref_mut(), entry)
                && let Some(slot) = k.get_mut(i)
            {
                *slot = e.bits;
            }
            let Some(cands) = entry.filter(|e| e.bits & lex::RULE != 0).map(|e| &e.rules) else {
                continue;
            };
            for (pat, target) in cands {
                let b = i + pat.len();
                // the first word is the key just looked up: only the rest is compared
                if b <= words.len()
                    && pat
                        .iter()
                        .skip(1)
                        .zip(words.get(i + 1..b).unwrap_or(&[]))
                        .all(|(p, w)| same_word(p, w))
                {
                    out.push(Match {
                        a: i,
                        b,
                        target: *target,
                    });
                }
            }
        }
        out
    }
}

/// The text of tokens `a..b` (jieba's tokens cover the text without gaps, so this is their
/// concatenation).
pub(super) fn span_text<'t>(text: &'t str, toks: &[Tok], a: usize, b: usize) -> &'t str {
    match (toks.get(a), b.checked_sub(1).and_then(|l| toks.get(l))) {
        (Some(x), Some(y)) if a < b => text.get(x.s..y.e).unwrap_or(""),
        _ => "",
    }
}

/// One document as the rules see it: title and text folded into one buffer (as written, and
/// lower-cased for matching), the substring hits of that buffer and the document's kind.
pub(super) struct Prepared<'d> {
    pub(super) doc: &'d Document,
    /// Folded title, a newline, folded text: parties and places are copied from it as written.
    pub(super) orig: String,
    /// `orig` with ASCII lower-cased: what every rule matches.
    pub(super) full: String,
    /// Byte where the text starts (after the title and its newline).
    pub(super) text_start: usize,
    pub(super) has_title: bool,
    /// Substring hits of every phrase list in `full`.
    pub(super) found: Vec<Hit>,
    /// What `found` holds, asked of it again and again (a walk over the hits each time): a bit
    /// per phrase id, and the lists (`substr_flags`) of the phrases found.
    pub(super) found_ids: Vec<u64>,
    pub(super) found_flags: u8,
    pub(super) kind: DocKind,
}

impl Prepared<'_> {
    /// The record of what `found` holds ([`Prepared::has`], [`Prepared::any`]).
    pub(super) fn found_sets(an: &Analyzer, found: &[Hit]) -> (Vec<u64>, u8) {
        let mut ids = vec![0u64; an.substr_flags.len().div_ceil(64)];
        let mut flags = 0;
        for &(id, _, _) in found {
            if let Some(w) = ids.get_mut(id as usize / 64) {
                *w |= 1 << (id % 64);
            }
            flags |= an.substr_flags.get(id as usize).copied().unwrap_or(0);
        }
        (ids, flags)
    }

    /// Whether the text holds a phrase of the list(s) `flag` names.
    pub(super) fn has(&self, flag: u8) -> bool {
        self.found_flags & flag != 0
    }

    /// Whether one of the phrases `ids` occurs anywhere.
    pub(super) fn any(&self, ids: &[u32]) -> bool {
        ids.iter().any(|&id| {
            self.found_ids
                .get(id as usize / 64)
                .is_some_and(|w| w >> (id % 64) & 1 == 1)
        })
    }

    /// Whether a token lies in the title.
    pub(super) fn in_title(&self, t: &Tok) -> bool {
        self.has_title && t.s < self.text_start
    }
}

/// The tokens of a [`Prepared`] text, their rule-phrase matches and each sentence's byte range.
pub(super) struct Tokens<'t> {
    pub(super) words: Vec<&'t str>,
    pub(super) toks: Vec<Tok>,
    pub(super) ms: Vec<Match>,
    /// Per token, the [`lex`] lists its word is in.
    pub(super) kinds: Vec<u16>,
    pub(super) sent_ranges: Vec<(usize, usize)>,
    pub(super) full: &'t str,
}

impl<'t> Tokens<'t> {
    pub(super) fn new(an: &Analyzer, full: &'t str) -> Tokens<'t> {
        let (words, toks, sent_ranges) = an.tokens_in_sentences(full);
        let mut kinds = vec![0; words.len()];
        let mut ms = an.matches_into(&words, Some(&mut kinds));
        an.pair_matches(&toks, &mut ms);
        an.substance_matches(&words, &kinds, &toks, &mut ms);
        Tokens {
            words,
            toks,
            ms,
            kinds,
            sent_ranges,
            full,
        }
    }

    /// Whether token `k` is in one of the [`lex`] lists `bits` names (false past the end).
    #[inline]
    pub(super) fn is(&self, k: usize, bits: u16) -> bool {
        self.kinds.get(k).is_some_and(|b| b & bits != 0)
    }

    /// Whether a token of the [`lex`] lists `bits` stands before token `k` in its clause.
    pub(super) fn before_in_clause(&self, k: usize, bits: u16) -> bool {
        let Some(clause) = self.toks.get(k).map(|x| x.clause) else {
            return false;
        };
        (0..k)
            .rev()
            .take_while(|&j| self.toks[j].clause == clause)
            .any(|j| self.is(j, bits))
    }

    /// The text of sentence `sent` (prepared, lower-cased).
    pub(super) fn sent_text(&self, sent: usize) -> &'t str {
        let (s, e) = self.sent_ranges.get(sent).copied().unwrap_or((0, 0));
        self.full.get(s..e).unwrap_or("")
    }

    /// The sentence holding byte span `hs..he`, if one does.
    pub(super) fn sent_of_span(&self, hs: usize, he: usize) -> Option<usize> {
        let k = self.toks.partition_point(|t| t.e <= hs);
        let sent = self.toks.get(k)?.sent;
        let (s, e) = self.sent_ranges.get(sent).copied()?;
        (s <= hs && he <= e).then_some(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// jieba's cut without the HMM works out its route as it walks the trie, with no DAG
    /// (vendor/jieba-rs/JIANCE.md); tagging still builds the DAG and reads the route from it.
    /// Both give the same words at the same places, with the analyzer's own dictionary, on every
    /// line of the labelled set as the analyzer prepares it.
    #[test]
    fn the_cut_without_a_dag_is_the_dags_route() {
        let j = &super::super::tests::shared().jieba;
        let labelled = include_str!("../../tests/eval/labelled.jsonl");
        let ours = [
            "",
            "Type-C快充头 abc123 x\r\ny 𠮷野家",
            "南京市长江大桥，电热水壶漏电",
        ];
        for line in ours.into_iter().chain(labelled.lines()) {
            let t = prepare(line);
            let cut: Vec<_> = j
                .cut(&t, false)
                .iter()
                .map(|k| (k.word, k.byte_start))
                .collect();
            let tagged: Vec<_> = j
                .tag(&t, false)
                .iter()
                .map(|k| (k.word, k.byte_start))
                .collect();
            assert_eq!(cut, tagged, "{line}");
        }
    }

    /// A word's first and last characters, read from its bytes, are held as `contains` holds them.
    #[test]
    fn first_and_last_characters_are_held_as_characters_are() {
        let set = CharSet::new(['池', 'a', '😀', 'é', '\u{ffff}', '器']);
        let words = [
            "",
            "a",
            "池",
            "电池",
            "池电",
            "ab",
            "😀x",
            "x😀",
            "é",
            "xé",
            "éx",
            "充电器",
            "器a",
            "\u{ffff}",
        ];
        for w in words {
            let first = w.chars().next().is_some_and(|c| set.contains(c));
            let last = w.chars().next_back().is_some_and(|c| set.contains(c));
            assert_eq!(set.holds_first(w), first, "{w}");
            assert_eq!(set.holds_last(w), last, "{w}");
        }
    }

    /// Every word of the lists is found with its bits, under every slot, and no other word is.
    #[test]
    fn the_lexicon_finds_its_words_and_no_others() {
        let join: Vec<String> = ["和", "及", "与", "a", "ab", "电动自行车"]
            .map(String::from)
            .to_vec();
        // enough words that several share a slot
        let many: Vec<String> = (0..20_000).map(|n| format!("词{n}")).collect();
        let lx = Lexicon::new(
            FxHashMap::default(),
            &[(lex::JOIN, join.clone()), (lex::CHILD, many.clone())],
        );
        for w in &join {
            assert_eq!(lx.entry(w).map(|e| e.bits), Some(lex::JOIN), "{w}");
        }
        for w in &many {
            assert_eq!(lx.entry(w).map(|e| e.bits), Some(lex::CHILD), "{w}");
        }
        for w in ["", "b", "和和", "电动车", "词", "词20000", "电动自行"] {
            assert!(lx.entry(w).is_none(), "{w}");
        }
    }

    /// Where `char_indices().nth(n)` is, past the end included.
    #[test]
    fn char_offset_is_where_the_nth_character_starts() {
        let long = "市场监管局公布抽检结果，a😀ü。".repeat(5);
        for s in ["", "a", "抽查ab😀ü。", "😀😀", "abc", long.as_str()] {
            for n in 0..80 {
                assert_eq!(
                    char_offset(s, n),
                    s.char_indices().nth(n).map(|(i, _)| i),
                    "{s} {n}"
                );
            }
        }
    }
}
