//! The names and aliases of every category, prepared for placing a product noun no alias holds
//! (`NounIndex::resolve`): the name sharing the longest head word, then the most of the noun's
//! modifier, then the category whose name holds it; else the first head rule of cues.toml
//! `[unclassified]` it meets, or in English the group whose names share its last word.

use super::*;

/// How near a name is to a noun (see [`NounIndex::resolve`]), compared in order.
type Key = (usize, bool, usize, usize, std::cmp::Reverse<usize>);

/// A head rule of cues.toml `[unclassified]`, prepared.
#[derive(Debug, Default)]
pub(crate) struct HeadRule {
    /// Endings, one of which the noun has.
    pub(super) ends: Vec<String>,
    /// Words one of which the noun must hold (none: any noun).
    pub(super) with: Vec<String>,
    pub(super) category: usize,
    /// Whether it places a noun over a name sharing its head but not its `with` word (with no
    /// `with` words, over every name sharing its head).
    pub(super) over_alias: bool,
}

/// The names and aliases of every category, prepared, for placing a noun no alias matched.
#[derive(Debug, Default)]
pub(crate) struct NounIndex {
    /// Last character → (name or alias as characters, category), in rule-file order.
    by_end: FxHashMap<char, Vec<(Vec<char>, usize)>>,
    /// Head words too general to place a noun by themselves (用品, 产品).
    generic_heads: Vec<String>,
    /// The last characters of `generic_heads`, as `head_lasts` is of the head rules' endings: a
    /// noun ending in none of them ends in no generic head, without a walk over them.
    generic_lasts: Option<CharSet>,
    /// The head rules, in order.
    heads: Vec<HeadRule>,
    /// The last characters of every ending of `heads`: a noun ending in none of them takes no
    /// head, without a suffix test per ending. `None` when an ending is empty (it fits any noun).
    head_lasts: Option<CharSet>,
    /// Per category, phrases it excludes: a noun holding one is not placed there.
    excludes: Vec<Vec<String>>,
    /// English head word (the last word of a name, lower case) → its group's fallback
    /// `其他<group>`, for a head the English names of one group hold most often ("cookers": rice,
    /// slow and pressure cookers are appliances, so "egg cookers" are `其他家用电器`).
    en_heads: FxHashMap<String, usize>,
    /// Per category, its name as characters: of names sharing as much with a noun, the one
    /// whose category's name holds more of the noun's modifier wins (塑料餐盒: 塑料餐饮具's
    /// 餐盒, not a paper one).
    category_names: Vec<Vec<char>>,
    /// A standard family's clause title (prepared) → the category of an unknown product noun
    /// that failed it (hazards.toml `standard_family.unknown`; titles two families disagree on
    /// are left out).
    by_failed_item: FxHashMap<String, usize>,
    /// Per category, its group's fallback `其他<group>` (when the rules have one).
    group_fallback: Vec<Option<usize>>,
}

/// `noun.ends_with(e)`, the last bytes compared first: most endings of the head rules end in
/// another character than a noun, and each whole comparison was a call to `memcmp`.
#[inline]
fn ends_in(noun: &str, e: &str) -> bool {
    e.as_bytes()
        .last()
        .is_none_or(|l| noun.as_bytes().last() == Some(l))
        && noun.ends_with(e)
}

impl NounIndex {
    pub(super) fn new(
        names: impl Iterator<Item = (String, usize)>,
        generic_heads: Vec<String>,
        heads: Vec<HeadRule>,
    ) -> NounIndex {
        let ends = || heads.iter().flat_map(|h| &h.ends);
        let head_lasts = ends()
            .all(|e| !e.is_empty())
            .then(|| CharSet::new(ends().filter_map(|e| e.chars().next_back())));
        let generic_lasts = generic_heads
            .iter()
            .all(|g| !g.is_empty())
            .then(|| CharSet::new(generic_heads.iter().filter_map(|g| g.chars().next_back())));
        let mut ix = NounIndex {
            generic_heads,
            generic_lasts,
            heads,
            head_lasts,
            ..NounIndex::default()
        };
        for (name, c) in names {
            let chars: Vec<char> = name.chars().collect();
            if chars.len() < 2 {
                continue;
            }
            if let Some(&last) = chars.last() {
                ix.by_end.entry(last).or_default().push((chars, c));
            }
        }
        ix
    }

    /// The English head words and the group fallback each places a noun in (see `en_heads`).
    pub(super) fn with_en_heads(mut self, en_heads: FxHashMap<String, usize>) -> NounIndex {
        self.en_heads = en_heads;
        self
    }

    /// The group fallback of an English noun's head word, when no name shares more of it.
    fn en_head(&self, noun: &str) -> Option<usize> {
        if !noun.ends_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let head = noun.rsplit([' ', '-']).next()?;
        // (a bare head names no kind of product: "cookers" alone is what the names share)
        (head.len() < noun.len())
            .then(|| self.en_heads.get(head).copied())
            .flatten()
    }

    /// The name of each category (by index), prepared, for breaking ties (see `category_names`).
    pub(super) fn with_category_names(mut self, names: Vec<Vec<char>>) -> NounIndex {
        self.category_names = names;
        self
    }

    /// Each category's group fallback (by index; see `group_fallback`).
    pub(super) fn with_group_fallbacks(mut self, fallbacks: Vec<Option<usize>>) -> NounIndex {
        self.group_fallback = fallbacks;
        self
    }
    /// The clause titles that place an unknown product noun (see `by_failed_item`).
    pub(super) fn with_failed_items(mut self, items: FxHashMap<String, usize>) -> NounIndex {
        self.by_failed_item = items;
        self
    }

    /// The category of a product noun no rule places that failed the clause `item` (prepared).
    pub(super) fn of_failed_item(&self, item: &str) -> Option<usize> {
        self.by_failed_item.get(item).copied()
    }

    /// The phrases each category excludes (by index), prepared.
    pub(super) fn with_excludes(mut self, excludes: Vec<Vec<String>>) -> NounIndex {
        self.excludes = excludes;
        self
    }

    /// The category whose name or alias is exactly this noun (prepared).
    pub(super) fn exact(&self, noun: &str) -> Option<usize> {
        let chars: Vec<char> = noun.chars().collect();
        self.by_end
            .get(chars.last()?)?
            .iter()
            .find(|(name, _)| *name == chars)
            .map(|&(_, c)| c)
    }

    /// Whether category `c` excludes a phrase the noun holds.
    fn excluded(&self, noun: &str, c: usize) -> bool {
        self.excludes
            .get(c)
            .is_some_and(|es| es.iter().any(|e| noun.contains(e.as_str())))
    }

    /// Whether `w` is a head word too general to name a product alone (产品, 用品).
    pub(super) fn is_generic_head(&self, w: &str) -> bool {
        self.generic_heads.iter().any(|g| g == w)
    }

    /// The category a noun (prepared) is nearest to: the name or alias sharing the longest head
    /// word with it (two characters or more, shorter than the noun, not only a generic head:
    /// 快热式电热水器 → the category of 电热水器); of those sharing as long a head, the one sharing
    /// most characters of its modifier (一次性塑料餐盒 is nearer 一次性餐盒 than 纸餐盒), then the
    /// earlier category of the rule file. Else the first head rule it meets. A noun ending in a
    /// generic head (书桌椅套装, 宠物喂食用品) is a kind of what stands before it, placed as that.
    pub(super) fn resolve(&self, noun: &str) -> Option<usize> {
        self.resolve_preferring(noun, &|_| false)
    }

    /// [`NounIndex::resolve`], where of names sharing as long a head a category `prefer` holds
    /// wins (a list member beside gas stoves: 金属软管 is a gas hose, not a car's brake hose).
    pub(super) fn resolve_preferring(
        &self,
        noun: &str,
        prefer: &dyn Fn(usize) -> bool,
    ) -> Option<usize> {
        let chars: Vec<char> = noun.chars().collect();
        if chars.len() < 2 {
            return None;
        }
        if self
            .generic_lasts
            .as_ref()
            .is_none_or(|lasts| lasts.holds_last(noun))
            && let Some(rest) = self
                .generic_heads
                .iter()
                // the last bytes compared first: most nouns end in no generic head, and each
                // comparison of a whole head was a call
                .filter(|g| g.is_empty() || g.as_bytes().last() == noun.as_bytes().last())
                .find_map(|g| noun.strip_suffix(g.as_str()))
                .filter(|r| r.chars().count() >= 2)
            && let Some(c) = self.resolve_preferring(rest, prefer)
        {
            return Some(c);
        }
        // ((shared head length, shared modifier characters, modifier characters the category's
        // name holds, its name's characters the noun lacks), category, the name)
        let mut best: Option<(Key, usize, &[char])> = None;
        // (shared head length, shared modifier characters) of the nearest category that refused
        // the noun by its `exclude`
        let mut refused: Option<(usize, usize)> = None;
        for (name, c) in chars
            .last()
            .and_then(|l| self.by_end.get(l))
            .map_or(&[][..], Vec::as_slice)
        {
            let k = chars
                .iter()
                .rev()
                .zip(name.iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            // The head must leave the noun a modifier of its own: a bare head (机械) is no kind
            // of product. (Whether the category excludes the noun is asked last, of a candidate
            // that would be the best: it is a substring search per excluded phrase.)
            if k < 2 || k >= chars.len() {
                continue;
            }
            // English shares whole words: "egg cookers" and "rice cookers" share " cookers",
            // "lockers" and "cookers" share nothing
            let at = chars.len() - k;
            if chars[chars.len() - 1].is_ascii_alphabetic()
                && chars[at] != ' '
                && !(chars[at - 1] == ' ' && (k == name.len() || name[name.len() - k - 1] == ' '))
            {
                continue;
            }
            // the shared head less its leading blanks, compared in place (no string built)
            let shared = &chars[chars.len() - k..];
            let shared = &shared[shared.iter().take_while(|c| c.is_whitespace()).count()..];
            // an English name's modifier words must all stand in the noun: "car seats" is no
            // name of "infant bath seats", "seats" alone would be
            if chars[chars.len() - 1].is_ascii_alphabetic() {
                let noun_words: String = chars.iter().collect();
                let modifier: String = name[..name.len() - k].iter().collect();
                if !modifier
                    .split_whitespace()
                    .all(|w| noun_words.split_whitespace().any(|n| n == w))
                {
                    continue;
                }
            }
            if self
                .generic_heads
                .iter()
                .any(|g| g.chars().eq(shared.iter().copied()))
            {
                continue;
            }
            let modifier = &name[..name.len() - k];
            let own = &chars[..chars.len() - k];
            let common = own.iter().filter(|ch| modifier.contains(ch)).count();
            // (and of those, the name saying least the noun does not: 塑料餐饮具 over
            // 一次性塑料餐饮具 for a plain plastic box)
            let (in_name, unsaid) = self.category_names.get(*c).map_or((0, 0), |n| {
                let held = own.iter().filter(|ch| n.contains(ch)).count();
                (held, n.iter().filter(|ch| !chars.contains(ch)).count())
            });
            let key = (k, prefer(*c), common, in_name, std::cmp::Reverse(unsaid));
            // the earlier category (met first) keeps a tie
            if best.is_none_or(|(bk, _, _)| key > bk) {
                if !self.excluded(noun, *c) {
                    best = Some((key, *c, name.as_slice()));
                } else if refused.is_none_or(|r| (k, common) > r) {
                    refused = Some((k, common));
                }
            }
        }
        // a noun a category refuses (宠物玩具 is no toy) is no sibling's that shares no more of it
        // than the head the refusing one shared (磁性玩具 shares 玩具 only)
        if let (Some((key, _, _)), Some(r)) = (best, refused)
            && (key.0, key.2) <= r
        {
            best = None;
        }
        if let Some((_, c, name)) = best {
            // a rule marked `over_alias` says more when the noun holds its word and the name does
            // not (电热饭盒 is an electric one, not the lunch box of 饭盒)
            // (the name is characters: a word is looked for in it as characters, no string built)
            let name_holds = |w: &str| {
                let w: Vec<char> = w.chars().collect();
                name.windows(w.len()).any(|x| x == w.as_slice())
            };
            // (the first such rule the noun meets decides, and a rule of the name's own category
            // met first keeps it: 电热发梳 is a hair comb, before the rule of 电 makes an appliance;
            // one with no words of its own holds for every noun of its head: a 机械门铃 is no
            // 可视门铃 for sharing its head; a rule whose word places in the name's own group's
            // fallback says nothing the name does not: 智能 + 晾衣机 is the clothes airer, an
            // appliance already)
            let own_fallback = self.group_fallback.get(c).copied().flatten();
            let over = self
                .heads
                .iter()
                .find(|h| {
                    h.over_alias
                        && h.ends.iter().any(|e| ends_in(noun, e))
                        && (h.with.is_empty()
                            || own_fallback != Some(h.category)
                                && h.with.iter().any(|w| {
                                    noun.contains(w.as_str()) && (h.category == c || !name_holds(w))
                                }))
                })
                .map(|h| h.category);
            return Some(over.unwrap_or(c));
        }
        if let Some(lasts) = &self.head_lasts
            && noun.chars().next_back().is_none_or(|l| !lasts.contains(l))
        {
            return self.en_head(noun);
        }
        self.heads
            .iter()
            .find(|h| {
                h.ends.iter().any(|e| ends_in(noun, e))
                    && (h.with.is_empty() || h.with.iter().any(|w| noun.contains(w.as_str())))
            })
            .map(|h| h.category)
            .or_else(|| self.en_head(noun))
    }
}
