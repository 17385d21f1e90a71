//! Analyze: `Document` → `Extraction` (+ `Signal`s).
//!
//! Owns the tokenizer (jieba-rs with the project's user words: rule terms, aliases, cues, place names),
//! the declarative rules (rules/products.toml, hazards.toml, cues.toml), the region gazetteer
//! (dictionaries/), negation / hypothetical / drill / advertising cues, parties, standard numbers and
//! near-duplicate clustering. Data flows one way: parse → [`Analyzer::analyze`] → index + [`signals`].
//!
//! Everything is matched on jieba tokens of folded text (traditional → simplified, full-width → ASCII,
//! ASCII lower-cased), so 电击 inside another word or 东城 inside 广东城 never fires. The Analyzer is
//! built once and shared by `Arc`; analysing a document clones no dictionary.

mod check;
mod cluster;
mod facts;
mod fold;
mod fxhash;
mod regions;
mod rules;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use jieba_rs::Jieba;
use regex::Regex;

pub use check::check;
pub use cluster::{ClusterEntry, ClusterIndex, similarity, sketch};
pub use facts::{Count, Facts, StandardRef, facts, facts_folded};
pub use fold::{fold, fold_into};
pub use regions::Resolved as RegionInfo;

use crate::config::ConfigError;
use crate::model::{
    DocKind, Document, Extraction, Finding, HazardMention, Parties, RegionMention, RegionRole,
    Signal, field,
};
use fxhash::{FxHashMap, FxHashSet};
use regions::Gazetteer;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    Strong,
    Weak,
    TestItem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Category(usize),
    Hazard(usize, Strength),
    Neg,
    NegAdjacent,
    Hypo,
    HypoPost,
    TitleDoc,
    Realis,
    Drill,
    Advert,
    Modifier(usize),
    Vulnerable(usize),
    Place(usize),
    Nationwide,
    NationPublisher,
    Platform(usize),
}

#[derive(Debug)]
struct Category {
    name: String,
    group: String,
    /// Exclusion phrases, as pattern ids of [`Analyzer::substr`].
    exclude: Vec<u32>,
    anchor: Vec<usize>,
    anchor_terms: Vec<String>,
    parts: Vec<String>,
}

#[derive(Debug)]
struct Hazard {
    name: String,
    prefer_groups: Vec<String>,
    minor: bool,
    severity: u8,
    test_items: Vec<String>,
    /// Exclusion phrases, as pattern ids of [`Analyzer::substr`].
    exclude: Vec<u32>,
    /// (categories, prepared items): for these products the items are this hazard's test items.
    product_items: Vec<(Vec<usize>, Vec<String>)>,
}

/// The analysis stage: rules, dictionaries and tokenizer, loaded once. `Send + Sync`.
pub struct Analyzer {
    jieba: Arc<Jieba>,
    categories: Vec<Category>,
    hazards: Vec<Hazard>,
    modifiers: Vec<u8>,
    vulnerable: Vec<String>,
    /// Document kinds with their `any` and `also` words, as pattern ids of `substr`.
    kinds: Vec<(DocKind, Vec<u32>, Vec<u32>)>,
    /// Phrases looked for as substrings of the prepared text rather than as token sequences:
    /// document-kind words, failure and all-pass wording, category and hazard exclusions. One
    /// pass finds them all; `substr_flags` says which list(s) each pattern belongs to.
    substr: AhoCorasick,
    substr_flags: Vec<u8>,
    victim_verbs: Vec<String>,
    all_pass: Vec<String>,
    place_names: Vec<String>,
    platforms: Vec<String>,
    publisher_suffixes: Vec<String>,
    agencies: Vec<String>,
    gaz: Gazetteer,
    /// Anchor term (prepared) → the categories it refines into (`Category::anchor_terms`).
    anchor_term_cats: FxHashMap<String, Vec<usize>>,
    /// Last characters of the anchor terms, sorted.
    anchor_term_ends: Vec<char>,
    /// First token → (token sequence, target).
    matcher: FxHashMap<String, Vec<(Vec<String>, Target)>>,
    org_re: Regex,
    shop_re: Regex,
    brand_re: Regex,
    std_re: Regex,
    dateline_re: Regex,
    failed_batches_re: Regex,
    maker_re: Regex,
    date_re: Regex,
    neg_window: usize,
    neg_breakers: Vec<String>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("categories", &self.categories.len())
            .field("hazards", &self.hazards.len())
            .field("places", &self.gaz.places.len())
            .finish()
    }
}

/// `substr_flags` bits: which phrase list a substring pattern comes from.
const FAILURE: u8 = 1;
const ALL_PASS: u8 = 2;
/// Words a regex cannot match without: an organisation suffix (`org_re`), a shop suffix
/// (`shop_re`), 不合格 (`failed_batches_re`), gb or /t (`std_re`), 牌 (`brand_re`). A document
/// without one skips the regex; the one scan that finds the other phrases finds these too.
const ORG: u8 = 4;
const SHOP: u8 = 8;
const NONCONFORMING: u8 = 16;
const STD: u8 = 32;
const BRAND: u8 = 64;

/// Distinct phrases collected while the rules load, each with an id and list flags; built into one
/// Aho-Corasick automaton so a document is searched for all of them in a single pass.
#[derive(Default)]
struct PatternSet {
    words: Vec<String>,
    flags: Vec<u8>,
    ids: FxHashMap<String, u32>,
}

impl PatternSet {
    /// The id of `word`, added if new, with `flag` set. An empty word (which every text holds)
    /// gets an id no match carries, so it matches nothing, as an exclusion that says nothing should.
    fn id(&mut self, word: &str, flag: u8) -> u32 {
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

    fn build(self) -> Result<(AhoCorasick, Vec<u8>), aho_corasick::BuildError> {
        Ok((AhoCorasick::new(&self.words)?, self.flags))
    }
}

/// One occurrence of a substring pattern: (pattern id, start byte, end byte).
type Hit = (u32, usize, usize);

/// Every occurrence of the patterns of `ac` in `text`, overlapping ones included (a phrase is
/// "in" a text wherever it occurs, as `str::contains` sees it).
fn hits(ac: &AhoCorasick, text: &str) -> Vec<Hit> {
    ac.find_overlapping_iter(text)
        .map(|m| (m.pattern().as_u32(), m.start(), m.end()))
        .collect()
}

/// Whether a hit of one of `ids` covers the byte span `s..e` (the mention lies inside a phrase
/// that excludes it).
fn covered(hits: &[Hit], ids: &[u32], s: usize, e: usize) -> bool {
    hits.iter()
        .any(|&(p, hs, he)| hs <= s && e <= he && ids.contains(&p))
}

/// Text prepared for matching: folded, lower-cased ASCII; title then a newline then the body.
fn prepare(s: &str) -> String {
    fold(s).to_ascii_lowercase()
}

/// Where a token ends a sentence (`Some(true)`) or only a clause (`Some(false)`). Called once per
/// token: a word of letters (most tokens) is told apart by its length and first byte alone.
fn boundary(w: &str) -> Option<bool> {
    let b = w.as_bytes();
    match b.first()? {
        // CJK ideographs (E4..E9 lead bytes) and ASCII letters and digits end nothing
        0xE4..=0xE9 | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' if !b.contains(&b'\n') => None,
        _ if b.contains(&b'\n') => Some(true),
        _ => match w {
            "。" | "！" | "？" | "；" | "!" | "?" | ";" | "…" | "……" => Some(true),
            "，" | "," => Some(false),
            _ => None,
        },
    }
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    s: usize,
    e: usize,
    sent: usize,
    clause: usize,
}

#[derive(Debug, Clone, Copy)]
struct Match {
    a: usize,
    b: usize,
    target: Target,
}

/// Internal hazard mention with all flags.
#[derive(Debug, Clone)]
struct HazM {
    h: usize,
    tok: usize,
    sent: usize,
    term: String,
    /// Byte span of `term` in the text (so its lower-cased form is a slice of the matched text).
    span: (usize, usize),
    negated: bool,
    hypothetical: bool,
    drill: bool,
    advert: bool,
    severity: u8,
    category: Option<usize>,
    /// Products coordinated with the attached one ("插线板和手机充电器"): the mention applies to them too.
    also: Vec<usize>,
}

#[derive(Debug, Clone)]
struct CatM {
    c: usize,
    tok: usize,
    /// One past the mention's last token.
    end: usize,
    sent: usize,
}

#[derive(Debug, Clone)]
struct PlaceM {
    mention: RegionMention,
    sent: usize,
}

/// The text near-duplicate clustering compares: the body, or title and body when the body is
/// too short to tell a repost from another story. Reruns, which cluster in their sink rather than
/// in [`Analyzer::analyze`], use the same choice.
pub fn cluster_text(doc: &Document) -> std::borrow::Cow<'_, str> {
    if clusters_body_alone(doc) {
        std::borrow::Cow::Borrowed(&doc.text)
    } else {
        std::borrow::Cow::Owned(format!("{}\n{}", doc.title, doc.text))
    }
}

/// Whether [`cluster_text`] is the body alone (long enough to tell a repost from another story).
fn clusters_body_alone(doc: &Document) -> bool {
    doc.text.chars().count() >= 20
}

impl Analyzer {
    /// Load rules from `rules_dir` and dictionaries from `dict_dir`; `None` → the repo's files embedded
    /// in the binary. Errors are located (file:line).
    pub fn load(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
    ) -> Result<Analyzer, Vec<ConfigError>> {
        let files = rules::load(rules_dir);
        let dicts = regions::read_dicts(dict_dir).and_then(|d| Gazetteer::load(&d));
        match (files, dicts) {
            (Ok(f), Ok(g)) => Self::build(f, g),
            (f, g) => Err(f
                .err()
                .into_iter()
                .flatten()
                .chain(g.err().into_iter().flatten())
                .collect()),
        }
    }

    fn build(f: rules::RuleFiles, gaz: Gazetteer) -> Result<Analyzer, Vec<ConfigError>> {
        let mut errs = Vec::new();
        let cat_index: HashMap<&str, usize> = f
            .products
            .category
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let mut substr = PatternSet::default();
        for c in &f.cues.failure.cues {
            substr.id(&prepare(c), FAILURE);
        }
        for c in &f.cues.all_pass.cues {
            substr.id(&prepare(c), ALL_PASS);
        }
        let categories: Vec<Category> = f
            .products
            .category
            .iter()
            .map(|c| Category {
                name: c.name.clone(),
                group: c.group.clone(),
                exclude: c
                    .exclude
                    .iter()
                    .map(|s| substr.id(&prepare(s), 0))
                    .collect(),
                anchor: c
                    .anchor
                    .iter()
                    .filter_map(|a| cat_index.get(a.as_str()).copied())
                    .collect(),
                anchor_terms: c.anchor_terms.iter().map(|s| prepare(s)).collect(),
                parts: c.parts.iter().map(|s| prepare(s)).collect(),
            })
            .collect();
        let hazards: Vec<Hazard> = f
            .hazards
            .hazard
            .iter()
            .map(|h| Hazard {
                name: h.name.clone(),
                prefer_groups: h.prefer_groups.clone(),
                minor: h.minor,
                severity: h.severity,
                test_items: h.test_items.clone(),
                exclude: h
                    .exclude
                    .iter()
                    .map(|s| substr.id(&prepare(s), 0))
                    .collect(),
                product_items: h
                    .product_items
                    .iter()
                    .map(|pi| {
                        (
                            pi.categories
                                .iter()
                                .filter_map(|c| cat_index.get(c.as_str()).copied())
                                .collect(),
                            pi.items.iter().map(|s| prepare(s)).collect(),
                        )
                    })
                    .collect(),
            })
            .collect();
        let cues = &f.cues;
        let mut kinds = Vec::new();
        for k in &cues.kind {
            if let Some(kind) = DocKind::parse(&k.kind) {
                kinds.push((
                    kind,
                    k.any.iter().map(|s| substr.id(&prepare(s), 0)).collect(),
                    k.also.iter().map(|s| substr.id(&prepare(s), 0)).collect(),
                ));
            }
        }
        let mut place_names: Vec<String> = gaz.names().map(str::to_string).collect();
        place_names.sort();

        // Every phrase with its target; all phrases become user words first, then are tokenized.
        let mut phrases: Vec<(String, Target)> = Vec::new();
        for (i, c) in f.products.category.iter().enumerate() {
            phrases.push((prepare(&c.name), Target::Category(i)));
            for a in &c.aliases {
                phrases.push((prepare(a), Target::Category(i)));
            }
        }
        for (i, h) in f.hazards.hazard.iter().enumerate() {
            for t in &h.terms {
                phrases.push((prepare(t), Target::Hazard(i, Strength::Strong)));
            }
            for t in &h.weak_terms {
                phrases.push((prepare(t), Target::Hazard(i, Strength::Weak)));
            }
            for t in &h.test_items {
                phrases.push((prepare(t), Target::Hazard(i, Strength::TestItem)));
            }
        }
        // Product-dependent test items match as test items of their hazard; a mention attached to
        // another product is dropped or re-read (see `product_hazard`).
        for (i, h) in f.hazards.hazard.iter().enumerate() {
            for pi in &h.product_items {
                for t in &pi.items {
                    phrases.push((prepare(t), Target::Hazard(i, Strength::TestItem)));
                }
            }
        }
        let list = |v: &[String], t: Target, out: &mut Vec<(String, Target)>| {
            for s in v {
                out.push((prepare(s), t));
            }
        };
        list(&cues.negation.cues, Target::Neg, &mut phrases);
        list(&cues.negation.adjacent, Target::NegAdjacent, &mut phrases);
        list(&cues.hypothetical.cues, Target::Hypo, &mut phrases);
        list(&cues.hypothetical.post, Target::HypoPost, &mut phrases);
        list(&cues.hypothetical.title_doc, Target::TitleDoc, &mut phrases);
        list(&cues.hypothetical.realis, Target::Realis, &mut phrases);
        list(&cues.drill.cues, Target::Drill, &mut phrases);
        list(&cues.advertising.cues, Target::Advert, &mut phrases);
        for (i, m) in cues.modifier.iter().enumerate() {
            list(&m.terms, Target::Modifier(i), &mut phrases);
        }
        for (i, v) in cues.vulnerable.iter().enumerate() {
            list(&v.terms, Target::Vulnerable(i), &mut phrases);
        }
        for (i, n) in place_names.iter().enumerate() {
            phrases.push((prepare(n), Target::Place(i)));
        }
        list(&cues.nationwide.terms, Target::Nationwide, &mut phrases);
        list(
            &cues.nationwide.publishers,
            Target::NationPublisher,
            &mut phrases,
        );
        for (i, p) in cues.platforms.names.iter().enumerate() {
            phrases.push((prepare(p), Target::Platform(i)));
        }

        let mut jieba = Jieba::new();
        let mut user_words: Vec<String> = gaz
            .words
            .iter()
            .filter(|(_, f)| f.is_none())
            .map(|(w, _)| prepare(w))
            .collect();
        // Advertising claims are not user words: "不会爆炸" must stay 不会 + 爆炸 so the negation and the
        // hazard are seen too.
        user_words.extend(
            phrases
                .iter()
                .filter(|(_, t)| *t != Target::Advert)
                .map(|(p, _)| p.clone()),
        );
        user_words.extend(cues.failure.cues.iter().map(|s| prepare(s)));
        user_words.extend(cues.victim.cues.iter().map(|s| prepare(s)));
        user_words.extend(cues.all_pass.cues.iter().map(|s| prepare(s)));
        for c in &categories {
            user_words.extend(c.anchor_terms.iter().cloned());
        }
        // Longer words first, so a short word's suggested frequency does not break a longer one.
        user_words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        user_words.dedup();
        for w in &user_words {
            if w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_alphanumeric()) {
                jieba.add_word(w, None, None);
            }
        }
        // Words with a frequency from words.txt: 0 splits a general-dictionary word that swallows a term.
        for (w, f) in &gaz.words {
            if let Some(f) = f {
                jieba.add_word(&prepare(w), Some(*f), None);
            }
        }
        let mut matcher: FxHashMap<String, Vec<(Vec<String>, Target)>> = FxHashMap::default();
        for (p, t) in &phrases {
            let toks: Vec<String> = jieba
                .cut(p, false)
                .iter()
                .map(|t| t.word.to_string())
                .collect();
            if let Some(first) = toks.first() {
                matcher
                    .entry(first.clone())
                    .or_default()
                    .push((toks.clone(), *t));
            }
        }
        for v in matcher.values_mut() {
            let mut unique: Vec<(Vec<String>, Target)> = Vec::with_capacity(v.len());
            for e in v.drain(..) {
                if !unique.contains(&e) {
                    unique.push(e);
                }
            }
            *v = unique;
        }

        let alt = |v: &[String]| {
            let mut v: Vec<String> = v.iter().map(|s| regex::escape(s)).collect();
            v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
            v.join("|")
        };
        let org_suffixes: Vec<String> = cues
            .company
            .suffixes
            .iter()
            .filter(|s| !s.ends_with('店'))
            .cloned()
            .collect();
        for suffix in &org_suffixes {
            substr.id(&prepare(suffix), ORG);
        }
        for (words, flag) in [
            (&["旗舰店", "专营店", "专卖店"][..], SHOP),
            (&["不合格"], NONCONFORMING),
            (&["gb", "/t"], STD),
            (&["牌"], BRAND),
        ] {
            for w in words {
                substr.id(w, flag);
            }
        }
        let org_re = Regex::new(&format!(
            r"[\p{{Han}}A-Za-z0-9（）()·]{{1,30}}?(?:{})",
            alt(&org_suffixes)
        ));
        let shop_re = Regex::new(r"[\p{Han}A-Za-z0-9]{2,16}?(?:官方旗舰店|旗舰店|专营店|专卖店)");
        let brand_re = Regex::new(
            r"(?:“([^”，。]{1,12})”牌|品牌(?:为|是|：|:)?\s*“([^”，。]{1,12})”|品牌[：:]\s*([\p{Han}A-Za-z0-9]{2,10}))",
        );
        let std_re = Regex::new(
            r"(?i)(?:^|[^a-z/])(GB/T|GB/Z|GB|[A-Z]{2}/T|DB\d{2}/T)\s*(\d{3,5}(?:\.\d{1,3})?)(?:\s*[-—–]\s*((?:19|20)\d{2}))?",
        );
        let dateline_re = Regex::new(r"^\s*(?:\d{1,2}月\d{1,2}日)?\s*(?:电|讯|消息)");
        let failed_batches_re = Regex::new(
            r"(?:\d+|[一二两三四五六七八九十]+)\s*(?:批次|批|家|个)[^，。；]{0,8}不合格|不合格(?:产品|项目|批次)|不合格率",
        );
        let date_re = Regex::new(r"\d{1,2}月\d{1,2}日|\d{1,2}日(?:凌晨|上午|中午|下午|晚|早|夜)");
        // the home of an unnamed maker: "[乐清市]一家电器厂生产的…", "某玩具厂制造的…"
        let maker_re = Regex::new(
            r"^(?:\p{Han}{0,8}?(?:市|县|区|镇))?(?:一家|某)\p{Han}{0,10}?(?:公司|厂|企业)(?:生产|制造|出产)",
        );
        let (org_re, shop_re, brand_re, std_re, dateline_re, failed_batches_re, maker_re, date_re) =
            match (
                org_re,
                shop_re,
                brand_re,
                std_re,
                dateline_re,
                failed_batches_re,
                maker_re,
                date_re,
            ) {
                (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e), Ok(f), Ok(g), Ok(h)) => {
                    (a, b, c, d, e, f, g, h)
                }
                (a, ..) => {
                    errs.push(ConfigError::new(
                        &f.texts[2].0,
                        rules::table_line(&f.texts[2].1, "company"),
                        format!(
                            "bad suffix list: {}",
                            a.err().map(|e| e.to_string()).unwrap_or_default()
                        ),
                    ));
                    return Err(errs);
                }
            };
        let (substr, substr_flags) = match substr.build() {
            Ok(x) => x,
            Err(e) => {
                errs.push(ConfigError::new(
                    &f.texts[2].0,
                    1,
                    format!("phrase lists: {e}"),
                ));
                return Err(errs);
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let mut anchor_term_cats: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        for (ci, c) in categories.iter().enumerate() {
            if c.anchor.is_empty() {
                continue;
            }
            for t in &c.anchor_terms {
                let v = anchor_term_cats.entry(t.clone()).or_default();
                if !v.contains(&ci) {
                    v.push(ci);
                }
            }
        }
        let mut anchor_term_ends: Vec<char> = anchor_term_cats
            .keys()
            .filter_map(|t| t.chars().next_back())
            .collect();
        anchor_term_ends.sort_unstable();
        anchor_term_ends.dedup();
        Ok(Analyzer {
            anchor_term_cats,
            anchor_term_ends,
            jieba: Arc::new(jieba),
            categories,
            hazards,
            modifiers: cues.modifier.iter().map(|m| m.raise).collect(),
            vulnerable: cues.vulnerable.iter().map(|v| v.name.clone()).collect(),
            kinds,
            substr,
            substr_flags,
            victim_verbs: cues.victim.cues.iter().map(|s| prepare(s)).collect(),
            all_pass: cues.all_pass.cues.iter().map(|s| prepare(s)).collect(),
            place_names,
            platforms: cues.platforms.names.clone(),
            publisher_suffixes: cues.publisher.suffixes.iter().map(|s| prepare(s)).collect(),
            agencies: cues.dateline.agencies.iter().map(|s| prepare(s)).collect(),
            gaz,
            matcher,
            org_re,
            shop_re,
            brand_re,
            std_re,
            dateline_re,
            failed_batches_re,
            maker_re,
            date_re,
            neg_window: cues.negation.window.unwrap_or(6),
            neg_breakers: cues.negation.breakers.iter().map(|s| prepare(s)).collect(),
        })
    }

    /// Whether a substring hit is of a phrase in the list(s) `flag` names.
    fn flagged(&self, hit: &Hit, flag: u8) -> bool {
        self.substr_flags
            .get(hit.0 as usize)
            .is_some_and(|f| f & flag != 0)
    }

    /// The tokenizer with our user words (the index uses it).
    pub fn jieba(&self) -> Arc<Jieba> {
        Arc::clone(&self.jieba)
    }

    /// Whether a mention of hazard `h` through `term` (prepared) stands for a product `cat`: a word that
    /// is a product-dependent test item (rules/hazards.toml `product_items`) names the item's hazard for
    /// those products and nothing else, and no other hazard for them ("挤压" of a power bank is its
    /// crush test, a fire item; "挤压" of a pram is a pinch).
    fn keeps_term(&self, h: usize, term: &str, cat: Option<usize>) -> bool {
        for (hi, hz) in self.hazards.iter().enumerate() {
            for (cats, items) in &hz.product_items {
                if !items.iter().any(|i| i == term) {
                    continue;
                }
                let for_product = cat.is_some_and(|c| cats.contains(&c));
                if for_product && hi != h {
                    return false;
                }
                if !for_product && hi == h && !hz.test_items.iter().any(|t| prepare(t) == term) {
                    return false;
                }
            }
        }
        true
    }

    /// Test items that check a hazard (for sampling requests).
    pub fn test_items(&self, hazard: &str) -> &[String] {
        self.hazards
            .iter()
            .find(|h| h.name == hazard)
            .map(|h| h.test_items.as_slice())
            .unwrap_or(&[])
    }

    pub fn categories(&self) -> Vec<&str> {
        self.categories.iter().map(|c| c.name.as_str()).collect()
    }

    pub fn hazards(&self) -> Vec<&str> {
        self.hazards.iter().map(|h| h.name.as_str()).collect()
    }

    /// Default severity of a hazard (1–4).
    pub fn hazard_severity(&self, hazard: &str) -> Option<u8> {
        self.hazards
            .iter()
            .find(|h| h.name == hazard)
            .map(|h| h.severity)
    }

    /// Resolve a place name (province, city, county; full or short form; 全国; a country) →
    /// (code, province, city). Same-named counties in several provinces resolve to nothing.
    pub fn resolve_region(&self, name: &str) -> Option<RegionInfo> {
        self.resolve_text(name)
    }

    /// Resolve a short place text ("广东深圳", "浙江省杭州市余杭区", "宁波"): the most specific place
    /// named in it that agrees with the first.
    fn resolve_text(&self, name: &str) -> Option<RegionInfo> {
        let f = prepare(name.trim());
        if let Some(r) = self.gaz.resolve_in(&f, &[]) {
            return Some(r);
        }
        let (w, _) = self.tokens(&f);
        let mut ctx: Vec<String> = Vec::new();
        let mut best: Option<RegionInfo> = None;
        for m in self.matches(&w) {
            let Target::Place(i) = m.target else { continue };
            let Some(r) = self
                .place_names
                .get(i)
                .and_then(|n| self.gaz.resolve_in(n, &ctx))
            else {
                continue;
            };
            match &best {
                None => {
                    ctx.push(r.province.clone());
                    best = Some(r);
                }
                Some(b)
                    if b.province == r.province && (b.city.is_none() || b.city == r.city) && r.code != b.code
                    // deeper level: more trailing non-zero digits
                    && r.code.trim_end_matches('0').len() > b.code.trim_end_matches('0').len() =>
                {
                    best = Some(r);
                }
                _ => {}
            }
        }
        best
    }

    fn tokens<'a>(&self, text: &'a str) -> (Vec<&'a str>, Vec<Tok>) {
        let cut = self.jieba.cut(text, false);
        let mut words = Vec::with_capacity(cut.len());
        let mut toks = Vec::with_capacity(cut.len());
        let (mut sent, mut clause) = (0, 0);
        for t in cut {
            words.push(t.word);
            toks.push(Tok {
                s: t.byte_start,
                e: t.byte_end,
                sent,
                clause,
            });
            match boundary(t.word) {
                Some(true) => {
                    sent += 1;
                    clause += 1;
                }
                Some(false) => clause += 1,
                None => {}
            }
        }
        (words, toks)
    }

    fn matches(&self, words: &[&str]) -> Vec<Match> {
        let mut out = Vec::new();
        for i in 0..words.len() {
            let Some(cands) = self.matcher.get(words[i]) else {
                continue;
            };
            for (pat, target) in cands {
                let b = i + pat.len();
                if b <= words.len() && pat.iter().zip(&words[i..b]).all(|(p, w)| p == w) {
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

    /// `full` is the prepared title, a newline and the prepared text, `found` its substring
    /// hits; the text starts at byte `text_start`.
    fn infer_kind(
        &self,
        doc: &Document,
        (full, found): (&str, &[Hit]),
        text_start: usize,
    ) -> DocKind {
        if let Some(k) = doc.kind {
            return k;
        }
        if doc.field(field::SHOP).is_some()
            || (doc.field(field::PLATFORM).is_some() && doc.field(field::PRICE).is_some())
        {
            return DocKind::Listing;
        }
        if !doc.rows.is_empty() {
            return DocKind::Inspection;
        }
        if doc.channel == crate::model::Channel::Complaint {
            return DocKind::Complaint;
        }
        // the title, then the title with the first 300 characters of the text: a word counts in a
        // scope when it ends inside it
        let title_end = text_start.saturating_sub(1);
        let head_end = full
            .get(text_start..)
            .and_then(|t| t.char_indices().nth(300))
            .map_or(full.len(), |(i, _)| text_start + i);
        let in_scope =
            |ids: &[u32], end: usize| found.iter().any(|&(p, _, e)| e <= end && ids.contains(&p));
        for (i, scope_end) in [title_end, head_end].into_iter().enumerate() {
            for (kind, any, also) in &self.kinds {
                // a standards announcement says so in its title; a news story may mention a standard
                if i == 1
                    && *kind == DocKind::Standard
                    && doc.channel != crate::model::Channel::Standard
                {
                    continue;
                }
                if in_scope(any, scope_end) && (also.is_empty() || in_scope(also, scope_end)) {
                    return *kind;
                }
            }
        }
        match doc.channel {
            crate::model::Channel::Complaint => DocKind::Complaint,
            crate::model::Channel::Platform => DocKind::Listing,
            crate::model::Channel::Regulator => DocKind::Notice,
            crate::model::Channel::Standard => DocKind::Standard,
            crate::model::Channel::Media => DocKind::Media,
        }
    }

    /// Category mentions of a token stream, with anchored refinement (电动车 + 锂电池 → 电动自行车用蓄电池).
    fn category_mentions(
        &self,
        // the prepared text and its substring hits
        (text, hits): (&str, &[Hit]),
        words: &[&str],
        toks: &[Tok],
        ms: &[Match],
        title_end: usize,
        hazard_sents: Option<&FxHashSet<usize>>,
    ) -> Vec<CatM> {
        let mut cats: Vec<CatM> = Vec::new();
        // Longest match wins where two category phrases overlap.
        let mut spans: Vec<(usize, usize, usize)> = ms
            .iter()
            .filter_map(|m| match m.target {
                Target::Category(c) => Some((m.a, m.b, c)),
                _ => None,
            })
            .collect();
        spans.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
        let mut covered_to = 0;
        for (a, b, c) in spans {
            if a < covered_to {
                continue;
            }
            let (s, e) = (toks[a].s, toks[b - 1].e);
            if covered(hits, &self.categories[c].exclude, s, e) {
                continue;
            }
            covered_to = b;
            cats.push(CatM {
                c,
                tok: a,
                end: b,
                sent: toks[a].sent,
            });
        }
        // Anchors: a refining category replaces its anchor in sentences holding one of its anchor terms
        // (电动车 … 锂电池). When the anchor is what the document is about (in its title, or its most
        // named category), an anchor term in a later sentence with no other product refines it too
        // ("起火车辆的锂电池系网购的非原厂电池" in an e-bike story is the e-bike battery).
        // Tokens naming an anchor term of a refining category: the term itself, or a word ending
        // in it at most two characters longer that is no rule phrase of its own (新电池 but not
        // 蓄电池). (token, category) pairs in token order, found with at most three lookups a token,
        // and none for a token whose last character ends no anchor term (most tokens).
        let mut term_toks: Vec<(usize, usize)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if w.chars()
                .next_back()
                .is_none_or(|c| self.anchor_term_ends.binary_search(&c).is_err())
            {
                continue;
            }
            let mut hit = |t: &str| {
                for &ci in self.anchor_term_cats.get(t).map_or(&[][..], Vec::as_slice) {
                    if !term_toks.contains(&(i, ci)) {
                        term_toks.push((i, ci));
                    }
                }
            };
            hit(w);
            let mut suffixes = w.char_indices().skip(1).take(2).map(|(k, _)| &w[k..]);
            if let Some(first) = suffixes.next()
                && !self.matcher.contains_key(*w)
            {
                hit(first);
                if let Some(second) = suffixes.next() {
                    hit(second);
                }
            }
        }
        let mut counts: FxHashMap<usize, usize> = FxHashMap::default();
        for m in &cats {
            *counts.entry(m.c).or_default() += 1;
        }
        let most = counts
            .iter()
            .max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c)))
            .map(|(c, _)| *c);
        for (ci, cat) in self.categories.iter().enumerate() {
            if cat.anchor.is_empty() {
                continue;
            }
            let doc_about_anchor = cats.iter().any(|m| {
                cat.anchor.contains(&m.c) && (toks[m.tok].s < title_end || Some(m.c) == most)
            });
            // first anchor-term token of each sentence, in one pass
            let mut firsts: Vec<(usize, usize)> = Vec::new();
            for &(i, _) in term_toks.iter().filter(|&&(_, c)| c == ci) {
                let Some(t) = toks.get(i) else { continue };
                if firsts.last().is_none_or(|&(s, _)| s != t.sent) {
                    firsts.push((t.sent, i));
                }
            }
            for (sent, term_tok) in firsts {
                // a battery named where nothing happens ("该车采用石墨烯电池") describes the bike
                if hazard_sents.is_some_and(|h| !h.contains(&sent)) {
                    continue;
                }
                let is_term_cat = |m: &CatM| {
                    cat.anchor_terms
                        .iter()
                        .any(|t| words.get(m.tok).is_some_and(|w| w == t))
                };
                let anchor_m = cats
                    .iter()
                    .find(|m| m.sent == sent && cat.anchor.contains(&m.c));
                // "电动自行车及充电器": two products side by side; the anchor stays, the term is refined
                if let Some(a) = anchor_m
                    && term_tok >= a.end
                    && words
                        .get(a.end..term_tok)
                        .is_some_and(|b| !b.is_empty() && b.iter().all(|w| JOIN_WORDS.contains(w)))
                {
                    cats.retain(|m| !(m.sent == sent && m.tok == term_tok));
                    cats.push(CatM {
                        c: ci,
                        tok: term_tok,
                        end: term_tok + 1,
                        sent,
                    });
                    continue;
                }
                let anchor_tok = anchor_m.map(|m| m.tok);
                let at = match anchor_tok {
                    Some(t) => t,
                    None if doc_about_anchor
                        && !cats
                            .iter()
                            .any(|m| m.sent == sent && !is_term_cat(m) && m.c != ci) =>
                    {
                        term_tok
                    }
                    None => continue,
                };
                cats.retain(|m| {
                    !(m.sent == sent && (cat.anchor.contains(&m.c) || is_term_cat(m) || m.c == ci))
                });
                cats.push(CatM {
                    c: ci,
                    tok: at,
                    end: at + 1,
                    sent,
                });
            }
        }
        // A part word (插头) gives way to another product named in its sentence.
        let is_part: Vec<bool> = cats
            .iter()
            .map(|m| {
                let t = span_text(text, toks, m.tok, m.end);
                self.categories[m.c].parts.iter().any(|p| p == t)
            })
            .collect();
        let part_only: Vec<bool> = cats
            .iter()
            .zip(&is_part)
            .map(|(m, &part)| {
                part && cats
                    .iter()
                    .zip(&is_part)
                    .any(|(o, &o_part)| o.sent == m.sent && o.c != m.c && !o_part)
            })
            .collect();
        let mut k = 0;
        cats.retain(|_| {
            k += 1;
            !part_only[k - 1]
        });
        // A generic word (充电器, 锂电池) in a document that names the refined product in full
        // (电动车充电器, 电动车锂电池) is that product.
        let texts: Vec<&str> = cats
            .iter()
            .map(|m| span_text(text, toks, m.tok, m.end))
            .collect();
        let mut reassign: Vec<(usize, usize)> = Vec::new();
        for (i, a) in cats.iter().enumerate() {
            for (j, b) in cats.iter().enumerate() {
                if a.c != b.c
                    && !self.categories[b.c].anchor.is_empty()
                    && texts[j].chars().count() > texts[i].chars().count()
                    && !texts[i].is_empty()
                    && texts[j].ends_with(texts[i])
                {
                    reassign.push((i, b.c));
                    break;
                }
            }
        }
        for (i, c) in reassign {
            cats[i].c = c;
        }
        cats.sort_by_key(|m| m.tok);
        cats
    }

    /// Analyse one document.
    pub fn analyze(&self, doc: &Document, clusters: &mut ClusterIndex) -> Extraction {
        self.run(doc, clusters, false).0
    }

    /// [`Analyzer::analyze`] and the document's [`Facts`] (what `jiance extract` prints), read
    /// from the text the analysis has already folded.
    pub fn analyze_with_facts(
        &self,
        doc: &Document,
        clusters: &mut ClusterIndex,
    ) -> (Extraction, Facts) {
        let (ex, facts) = self.run(doc, clusters, true);
        (ex, facts.unwrap_or_default())
    }

    fn run(
        &self,
        doc: &Document,
        clusters: &mut ClusterIndex,
        want_facts: bool,
    ) -> (Extraction, Option<Facts>) {
        // folded title, newline, folded text: parties and places are copied from it as written
        let mut full_orig = String::with_capacity(doc.title.len() + 1 + doc.text.len());
        fold_into(&doc.title, &mut full_orig);
        let has_title = !full_orig.trim().is_empty();
        full_orig.push('\n');
        let text_start = full_orig.len();
        fold_into(&doc.text, &mut full_orig);
        // … and lower-cased for matching
        let full = full_orig.to_ascii_lowercase();
        let found = hits(&self.substr, &full);
        let has = |flag: u8| found.iter().any(|h| self.flagged(h, flag));
        let kind = self.infer_kind(doc, (&full, &found), text_start);
        let (words, toks) = self.tokens(&full);
        let ms = self.matches(&words);
        let n_sent = toks.last().map_or(1, |t| t.sent + 1);
        let title_sent = 0usize;

        // Cue positions.
        let mut neg: Vec<(usize, usize)> = Vec::new(); // (clause, end tok)
        let mut neg_adj: Vec<usize> = Vec::new(); // end tok
        let mut hypo: Vec<(usize, usize)> = Vec::new(); // (sent, start tok)
        let mut hypo_post: FxHashSet<usize> = FxHashSet::default(); // clause
        let mut realis_sent: FxHashSet<usize> = FxHashSet::default();
        let mut drill_sent: FxHashSet<usize> = FxHashSet::default();
        let mut advert_sent: FxHashSet<usize> = FxHashSet::default();
        let mut raise_sent: FxHashMap<usize, u8> = FxHashMap::default();
        let mut title_doc_hypo = false;
        let mut doc_drill = false;
        let mut vulnerable: Vec<String> = Vec::new();
        let mut platforms_txt: Vec<String> = Vec::new();
        for m in &ms {
            let t = toks[m.a];
            match m.target {
                Target::Neg => neg.push((t.clause, m.b)),
                Target::NegAdjacent => neg_adj.push(m.b),
                Target::Hypo => hypo.push((t.sent, m.a)),
                Target::HypoPost => {
                    hypo_post.insert(t.clause);
                }
                Target::TitleDoc if has_title && t.sent == title_sent && t.s < text_start => {
                    title_doc_hypo = true
                }
                Target::Realis => {
                    realis_sent.insert(t.sent);
                }
                Target::Drill => {
                    drill_sent.insert(t.sent);
                    if has_title && t.s < text_start {
                        doc_drill = true;
                    }
                }
                Target::Advert => {
                    advert_sent.insert(t.sent);
                }
                Target::Modifier(i) => {
                    let r = self.modifiers.get(i).copied().unwrap_or(0);
                    let e = raise_sent.entry(t.sent).or_insert(0);
                    *e = (*e).max(r);
                }
                Target::Vulnerable(i) => {
                    if let Some(v) = self.vulnerable.get(i)
                        && !vulnerable.contains(v)
                    {
                        vulnerable.push(v.clone());
                    }
                }
                Target::Platform(i) => {
                    if let Some(p) = self.platforms.get(i)
                        && !platforms_txt.contains(p)
                    {
                        platforms_txt.push(p.clone());
                    }
                }
                _ => {}
            }
        }
        // byte range of each sentence, in one pass
        let mut sent_ranges: Vec<(usize, usize)> = vec![(0, 0); n_sent];
        for t in toks.iter().rev() {
            if let Some(r) = sent_ranges.get_mut(t.sent) {
                if r.1 == 0 {
                    r.1 = t.e;
                }
                r.0 = t.s;
            }
        }
        let sent_text = |sent: usize| -> &str {
            let (s, e) = sent_ranges.get(sent).copied().unwrap_or((0, 0));
            full.get(s..e).unwrap_or("")
        };
        // sentences holding failure wording: a hit inside the byte range of its first token's sentence
        let failure_sent: FxHashSet<usize> = found
            .iter()
            .filter(|h| self.flagged(h, FAILURE))
            .filter_map(|&(_, hs, he)| {
                let k = toks.partition_point(|t| t.e <= hs);
                let sent = toks.get(k)?.sent;
                let (s, e) = sent_ranges.get(sent).copied()?;
                (s <= hs && he <= e).then_some(sent)
            })
            .collect();
        // All-pass wording with no failure wording left once the all-pass phrases are taken out
        // ("3批次不合格，其余均合格" is not an all-pass notice; "未发现不合格产品" is).
        let all_pass_cue = has(ALL_PASS) && {
            let mut rest = full.clone();
            for c in &self.all_pass {
                rest = rest.replace(c.as_str(), "");
            }
            !(rest.contains("不合格") || rest.contains("不符合") || rest.contains("不达标"))
        };
        // each regex below runs only over a text holding a word it cannot match without
        let failure_count = has(NONCONFORMING) && self.failed_batches_re.is_match(&full);
        let exempt = matches!(kind, DocKind::Recall | DocKind::Inspection);

        // Categories.
        let hazard_sents: FxHashSet<usize> = ms
            .iter()
            .filter(|m| matches!(m.target, Target::Hazard(_, Strength::Strong)))
            .map(|m| toks[m.a].sent)
            .collect();
        let cats = self.category_mentions(
            (&full, &found),
            &words,
            &toks,
            &ms,
            if has_title { text_start } else { 0 },
            Some(&hazard_sents),
        );
        // Products a fire reached (引燃了被褥, 童鞋被烧毁) are victims, not sources.
        let victim: Vec<bool> = cats
            .iter()
            .map(|c| {
                let clause = toks[c.tok].clause;
                let is_verb = |w: &str| self.victim_verbs.iter().any(|v| v == w);
                let before = (0..c.tok)
                    .rev()
                    .take_while(|&k| toks[k].clause == clause)
                    .any(|k| is_verb(words[k]));
                let after = words.get(c.end) == Some(&"被")
                    && words.get(c.end + 1).is_some_and(|w| is_verb(w));
                before || after
            })
            .collect();
        let categories = self.rank_categories(&cats, text_start, &toks);

        // Hazards.
        let title_raise = if has_title {
            raise_sent.get(&title_sent).copied().unwrap_or(0)
        } else {
            0
        };
        let mut hz: Vec<HazM> = Vec::new();
        let mut hz_spans: Vec<(usize, usize)> = Vec::new();
        let mut hmatches: Vec<&Match> = ms
            .iter()
            .filter(|m| matches!(m.target, Target::Hazard(..)))
            .collect();
        hmatches.sort_by_key(|m| (m.a, std::cmp::Reverse(m.b), strength_rank(m.target)));
        for m in hmatches {
            let Target::Hazard(h, strength) = m.target else {
                continue;
            };
            let t = toks[m.a];
            // a token range already used by a stronger / longer hazard term of another hazard is skipped
            if hz_spans
                .iter()
                .any(|&(a, b)| m.a >= a && m.b <= b && (a, b) != (m.a, m.b))
            {
                continue;
            }
            if strength != Strength::Strong && !failure_sent.contains(&t.sent) {
                continue;
            }
            let (s, e) = (t.s, toks[m.b - 1].e);
            if covered(&found, &self.hazards[h].exclude, s, e) {
                continue;
            }
            if hz.iter().any(|x| x.tok == m.a && x.h == h) {
                continue;
            }
            hz_spans.push((m.a, m.b));
            // A negation reaches forward in its clause, at most `window` tokens, and not past a causal
            // word ("物业未及时处理导致起火" is a fire).
            let negated = neg.iter().any(|&(c, end)| {
                c == t.clause
                    && end <= m.a
                    && m.a - end <= self.neg_window
                    // the word right after the cue is what it negates (未引起火灾), so it never breaks;
                    // nor does a causal word inside a relative clause ("未发生因充电引发的火灾")
                    && !words
                        .get(end + 1..m.a)
                        .unwrap_or(&[])
                        .iter()
                        .enumerate()
                        .any(|(k, w)| {
                            self.neg_breakers.iter().any(|b| b == w)
                                && words.get(end + 2 + k) != Some(&"的")
                        })
            }) || neg_adj.iter().any(|&end| {
                end <= m.a && end + 1 >= m.a && toks.get(end).is_some_and(|x| x.clause == t.clause)
            });
            let drill = doc_drill || drill_sent.contains(&t.sent);
            let hypothetical_cue = (title_doc_hypo
                && !realis_sent.contains(&t.sent)
                && !self.date_re.is_match(sent_text(t.sent)))
                || hypo.iter().any(|&(sent, a)| sent == t.sent && a < m.a)
                || hypo_post.contains(&t.clause);
            let hypothetical = hypothetical_cue && !exempt;
            let advert = kind == DocKind::Listing
                && (advert_sent.contains(&t.sent) || (has_title && t.s < text_start));
            let base = self.hazards[h].severity;
            let raise = raise_sent
                .get(&t.sent)
                .copied()
                .unwrap_or(0)
                .max(title_raise);
            let severity = (base + raise).min(4);
            hz.push(HazM {
                h,
                tok: m.a,
                sent: t.sent,
                term: full_orig.get(s..e).unwrap_or("").to_string(),
                span: (s, e),
                negated,
                hypothetical: hypothetical || drill || advert,
                drill,
                advert,
                severity,
                category: None,
                also: Vec::new(),
            });
        }
        // Attach each hazard to the nearest category of its sentence, else the title's, else the top one.
        let top = categories.first().copied();
        let title_cat = cats
            .iter()
            .find(|c| has_title && c.sent == title_sent)
            .map(|c| c.c);
        for m in &mut hz {
            let prefer = &self.hazards[m.h].prefer_groups;
            let clause = toks[m.tok].clause;
            let same: Option<&CatM> = cats
                .iter()
                .zip(&victim)
                .filter(|(c, v)| c.sent == m.sent && !**v)
                .map(|(c, _)| c)
                .min_by_key(|c| {
                    let preferred =
                        prefer.is_empty() || prefer.contains(&self.categories[c.c].group);
                    (
                        !preferred,
                        toks[c.tok].clause.abs_diff(clause),
                        c.tok.abs_diff(m.tok),
                        c.tok > m.tok,
                    )
                });
            m.category = same.map(|c| c.c).or(title_cat).or(top);
            if let Some(same) = same {
                m.also = coordinated(&cats, same, &words);
            }
        }

        hz.retain(|m| {
            let term = full.get(m.span.0..m.span.1).unwrap_or("");
            self.keeps_term(m.h, term, m.category)
        });

        // A refined category (电动自行车用蓄电池) takes over its anchor's mentions of a hazard it also
        // has in the document: "电动车起火" in the title and "电池起火" in the body are one battery fire.
        let mut categories = categories;
        for ci in 0..self.categories.len() {
            let anchors = &self.categories[ci].anchor;
            if anchors.is_empty() {
                continue;
            }
            let refined_hazards: Vec<usize> = hz
                .iter()
                .filter(|m| m.category == Some(ci))
                .map(|m| m.h)
                .collect();
            let mut moved = false;
            for m in &mut hz {
                if m.category.is_some_and(|c| anchors.contains(&c))
                    && refined_hazards.contains(&m.h)
                {
                    m.category = Some(ci);
                    moved = true;
                }
            }
            if moved
                && let (Some(pr), Some(pa)) = (
                    categories.iter().position(|&c| c == ci),
                    categories.iter().position(|&c| anchors.contains(&c)),
                )
                && pr > pa
            {
                let c = categories.remove(pr);
                categories.insert(pa, c);
            }
        }
        let top = categories.first().copied();

        // Regions.
        // organisation and shop names: parties, and the places inside them are company places
        let org_names = if has(ORG) {
            self.org_spans(&full_orig)
        } else {
            Vec::new()
        };
        let shop_names: Vec<(usize, usize)> = if has(SHOP) {
            self.shop_re
                .find_iter(&full_orig)
                .map(|m| (m.start(), m.end()))
                .collect()
        } else {
            Vec::new()
        };
        let places = self.place_mentions(
            doc,
            (&full, &full_orig),
            &toks,
            &ms,
            text_start,
            &[org_names.as_slice(), shop_names.as_slice()].concat(),
        );
        let shop_region = doc.field(field::SHOP_REGION).and_then(|r| {
            self.resolve_text(r).map(|x| RegionMention {
                text: r.to_string(),
                code: x.code,
                province: x.province,
                city: x.city,
                role: RegionRole::Shop,
            })
        });
        let hint = doc
            .region_hint
            .as_deref()
            .and_then(|h| self.resolve_text(h));
        let doc_place = self.doc_place(&places, hint.as_ref(), shop_region.as_ref());
        // The event place of a sentence: its first event province, with the first city named in it.
        let place_of = |sent: usize| -> (Option<String>, Option<String>) {
            let evs: Vec<&RegionMention> = places
                .iter()
                .filter(|p| {
                    p.sent == sent
                        && p.mention.role == RegionRole::Event
                        && p.mention.province != "全国"
                })
                .map(|p| &p.mention)
                .collect();
            match evs.first() {
                Some(first) => {
                    let city = evs
                        .iter()
                        .filter(|m| m.province == first.province)
                        .find_map(|m| m.city.clone());
                    (Some(first.province.clone()), city)
                }
                None => doc_place.clone(),
            }
        };

        // Parties.
        let mut parties = Parties::default();
        let push = |v: &mut Vec<String>, s: &str| {
            let s = s.trim();
            if !s.is_empty() && !v.iter().any(|x| x == s) {
                v.push(s.to_string());
            }
        };
        if let Some(b) = doc.field(field::BRAND) {
            push(&mut parties.brands, b);
        }
        if let Some(s) = doc.field(field::SHOP) {
            push(&mut parties.shops, s);
        }
        if let Some(p) = doc.field(field::PLATFORM) {
            push(&mut parties.platforms, p);
        }
        if let Some(e) = doc.field(field::ENTERPRISE) {
            push(&mut parties.enterprises, e);
        }
        for row in &doc.rows {
            if let Some(e) = row.get(field::ENTERPRISE) {
                push(&mut parties.enterprises, e);
            }
        }
        for &(s, e) in &org_names {
            if let Some(name) = full_orig.get(s..e) {
                push(&mut parties.enterprises, name);
            }
        }
        for &(so, eo) in &shop_names {
            let start = strip_lead(&full_orig, so, eo, &self.platforms);
            if let Some(name) = full_orig.get(start..eo).filter(|n| n.chars().count() >= 4) {
                push(&mut parties.shops, name);
            }
        }
        let brand_word = has(BRAND);
        for c in brand_word
            .then(|| self.brand_re.captures_iter(&full_orig))
            .into_iter()
            .flatten()
        {
            if let Some(b) = c.get(1).or(c.get(2)).or(c.get(3)) {
                push(&mut parties.brands, b.as_str());
            }
        }
        for p in &platforms_txt {
            push(&mut parties.platforms, p);
        }
        let listing_parties = Parties {
            brands: doc
                .field(field::BRAND)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
            shops: doc
                .field(field::SHOP)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
            platforms: doc
                .field(field::PLATFORM)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
            enterprises: doc
                .field(field::ENTERPRISE)
                .map(|s| vec![s.to_string()])
                .unwrap_or_default(),
        };

        // Standards.
        let mut standards: Vec<String> = Vec::new();
        let std_word = has(STD);
        for c in std_word
            .then(|| self.std_re.captures_iter(&full_orig))
            .into_iter()
            .flatten()
        {
            let prefix = c.get(1).map_or("", |m| m.as_str()).to_ascii_uppercase();
            let num = c.get(2).map_or("", |m| m.as_str());
            let s = match c.get(3) {
                Some(y) => format!("{prefix} {num}-{}", y.as_str()),
                None => format!("{prefix} {num}"),
            };
            if !standards.contains(&s) {
                standards.push(s);
            }
        }

        // Findings.
        let mut findings: Vec<Finding> = Vec::new();
        let mut reason: Option<&str> = None;
        if kind == DocKind::Standard {
            reason = Some("standard announcement");
        } else {
            let failed_rows: Vec<&BTreeMap<String, String>> = doc
                .rows
                .iter()
                .filter(|r| row_failed(r, failure_count))
                .collect();
            if kind == DocKind::Inspection && !failed_rows.is_empty() {
                for row in failed_rows {
                    findings.extend(
                        self.row_findings(row, top, &doc_place, &title_cat)
                            .into_iter()
                            .map(|mut f| {
                                f.severity = (f.severity + title_raise).min(4);
                                f
                            }),
                    );
                }
            } else if kind == DocKind::Inspection
                && (!doc.rows.is_empty() || all_pass_cue)
                && !doc_drill
            {
                reason = Some("all-pass inspection");
            } else {
                // An inspection that reports failed batches without naming a known item still is one.
                if kind == DocKind::Inspection
                    && failure_count
                    && !doc_drill
                    && !hz.iter().any(|m| !m.negated && !m.hypothetical)
                    && let (Some(c), Some(h)) = (
                        top,
                        self.hazards.iter().position(|h| h.name == "非安全质量"),
                    )
                {
                    findings.push(Finding {
                        category: self.categories[c].name.clone(),
                        hazard: self.hazards[h].name.clone(),
                        severity: self.hazards[h].severity,
                        province: doc_place.0.clone(),
                        city: doc_place.1.clone(),
                        parties: Parties::default(),
                    });
                }
                for m in &hz {
                    if m.negated || m.hypothetical {
                        continue;
                    }
                    // a minor hazard next to a severe one of the same product is its cause; an
                    // inspection's failed items are each a finding of their own
                    if self.hazards[m.h].minor
                        && kind != DocKind::Inspection
                        && hz.iter().any(|o| {
                            o.sent == m.sent
                                && o.category == m.category
                                && !o.negated
                                && !o.hypothetical
                                && self.hazards[o.h].severity >= 3
                        })
                    {
                        continue;
                    }
                    let Some(first) = m.category else { continue };
                    for c in std::iter::once(first).chain(m.also.iter().copied()) {
                        let cat = self.categories[c].name.clone();
                        let hazard = self.hazards[m.h].name.clone();
                        if let Some(f) = findings
                            .iter_mut()
                            .find(|f| f.category == cat && f.hazard == hazard)
                        {
                            f.severity = f.severity.max(m.severity);
                            continue;
                        }
                        let (province, city) = place_of(m.sent);
                        let fparties = match kind {
                            DocKind::Listing | DocKind::Complaint => {
                                let mut p = listing_parties.clone();
                                if kind == DocKind::Complaint {
                                    p.merge(&Parties {
                                        enterprises: vec![],
                                        ..parties.clone()
                                    });
                                }
                                p
                            }
                            _ => {
                                let st = sent_text(m.sent);
                                let keep = |v: &[String]| {
                                    v.iter()
                                        .filter(|x| st.contains(x.to_ascii_lowercase().as_str()))
                                        .cloned()
                                        .collect::<Vec<_>>()
                                };
                                Parties {
                                    brands: keep(&parties.brands),
                                    enterprises: keep(&parties.enterprises),
                                    shops: keep(&parties.shops),
                                    platforms: keep(&parties.platforms),
                                }
                            }
                        };
                        findings.push(Finding {
                            category: cat,
                            hazard,
                            severity: m.severity,
                            province,
                            city,
                            parties: fparties,
                        });
                    }
                }
            }
            if findings.is_empty() && reason.is_none() {
                reason = Some(if hz.iter().any(|m| m.drill) || doc_drill {
                    "drill"
                } else if kind == DocKind::Listing
                    && (hz.iter().any(|m| m.advert) || !advert_sent.is_empty())
                {
                    "advertising"
                } else if hz.iter().any(|m| m.negated) {
                    "negated"
                } else if hz.iter().any(|m| m.hypothetical) {
                    "hypothetical/advice"
                } else if !hz.is_empty() && categories.is_empty() {
                    "no product"
                } else {
                    "no hazard"
                });
            }
        }
        let is_signal = !findings.is_empty();

        // `cluster_text`, folded: the body, or title and body — both already in `full_orig`
        let cluster_folded = if clusters_body_alone(doc) {
            full_orig.get(text_start..).unwrap_or_default()
        } else {
            full_orig.as_str()
        };
        let cluster = clusters.assign_folded(&doc.id, cluster_folded);

        let hazards = hz
            .iter()
            .map(|m| HazardMention {
                hazard: self.hazards[m.h].name.clone(),
                term: m.term.clone(),
                severity: m.severity,
                negated: m.negated,
                hypothetical: m.hypothetical,
                category: m.category.map(|c| self.categories[c].name.clone()),
            })
            .collect();
        // Categories: for a signal, the products of its findings first, then the others the document is
        // about (in the title, named twice, or carrying a hazard); a passing mention ("用手机拍下") is left
        // out. Otherwise every product named, most salient first.
        let mut category_names: Vec<String> = Vec::new();
        if is_signal {
            for &c in &categories {
                let name = &self.categories[c].name;
                if findings.iter().any(|f| &f.category == name) {
                    category_names.push(name.clone());
                }
            }
            for &c in &categories {
                let name = &self.categories[c].name;
                let n = cats
                    .iter()
                    .zip(&victim)
                    .filter(|(m, v)| m.c == c && !**v)
                    .count();
                let in_title = cats
                    .iter()
                    .any(|m| m.c == c && has_title && toks[m.tok].s < text_start);
                let carries = hz.iter().any(|m| m.category == Some(c));
                if !category_names.contains(name) && (n >= 2 || in_title || carries) {
                    category_names.push(name.clone());
                }
            }
        } else {
            category_names = categories
                .iter()
                .map(|&c| self.categories[c].name.clone())
                .collect();
        }
        let mut regions: Vec<RegionMention> = places.into_iter().map(|p| p.mention).collect();
        regions.extend(shop_region);
        let facts = want_facts.then(|| facts_folded(&full_orig, &standards));
        let ex = Extraction {
            doc_id: doc.id.clone(),
            kind,
            categories: category_names,
            hazards,
            regions,
            parties,
            standards,
            vulnerable,
            findings,
            is_signal,
            reason: if is_signal {
                None
            } else {
                reason.map(str::to_string)
            },
            cluster,
        };
        (ex, facts)
    }

    /// Categories ordered by salience: title mentions count three times, then count, then first position.
    fn rank_categories(&self, cats: &[CatM], text_start: usize, toks: &[Tok]) -> Vec<usize> {
        let mut score: BTreeMap<usize, (u32, usize)> = BTreeMap::new();
        for m in cats {
            let w = if toks[m.tok].s < text_start { 3 } else { 1 };
            let e = score.entry(m.c).or_insert((0, m.tok));
            e.0 += w;
            e.1 = e.1.min(m.tok);
        }
        let mut v: Vec<(usize, (u32, usize))> = score.into_iter().collect();
        v.sort_by_key(|&(_, (s, first))| (std::cmp::Reverse(s), first));
        v.into_iter().map(|(c, _)| c).collect()
    }

    /// Organisation names (…有限公司, …集团, …厂) as byte spans of `text`; "一公司", "某厂" are not names.
    fn org_spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for m in self.org_re.find_iter(text) {
            // 厂家, 公司内, 集团化 …: the suffix is the start of another word
            if text[m.end()..].starts_with([
                '家', '商', '区', '房', '长', '方', '址', '内', '里', '牌', '化', '址',
            ]) {
                continue;
            }
            let start = strip_lead(text, m.start(), m.end(), &self.platforms);
            let name = &text[start..m.end()];
            if name.chars().count() < 4 {
                continue;
            }
            // "一服装厂", "一家电动车公司": an indefinite mention, not a name (第一, 统一 are names)
            let chars: Vec<char> = name.chars().collect();
            if let Some(k) = chars.iter().rposition(|&c| c == '一')
                && (k == 0 || !"第统唯万".contains(chars[k - 1]))
            {
                continue;
            }
            let bad = [
                "一公司",
                "一家公司",
                "一厂",
                "一工厂",
                "一家工厂",
                "某公司",
                "该公司",
                "这家公司",
                "本公司",
                "子公司",
                "分公司",
                "一集团",
                "该厂",
                "工厂",
            ];
            if bad
                .iter()
                .any(|b| name.ends_with(b) && name.chars().count() <= b.chars().count() + 3)
                || name.starts_with("该")
                || name.starts_with("一家")
            {
                continue;
            }
            out.push((start, m.end()));
        }
        out
    }

    fn place_mentions(
        &self,
        doc: &Document,
        (full, full_orig): (&str, &str),
        toks: &[Tok],
        ms: &[Match],
        text_start: usize,
        // organisation and shop name spans: a place inside one is a company place
        org: &[(usize, usize)],
    ) -> Vec<PlaceM> {
        // Context: provinces named unambiguously anywhere, to choose among same-named counties.
        let mut ctx: Vec<String> = Vec::new();
        for m in ms {
            if let Target::Place(i) = m.target
                && let Some(r) = self
                    .place_names
                    .get(i)
                    .and_then(|n| self.gaz.resolve_in(n, &[]))
                && !ctx.contains(&r.province)
            {
                ctx.push(r.province);
            }
        }
        if let Some(r) = doc
            .region_hint
            .as_deref()
            .and_then(|h| self.resolve_text(h))
        {
            ctx.push(r.province);
        }
        let text_head_end = full[text_start.min(full.len())..]
            .char_indices()
            .nth(60)
            .map_or(full.len(), |(i, _)| text_start + i);
        let mut out: Vec<PlaceM> = Vec::new();
        // Longest place match wins where two overlap (浙江省杭州市 → 浙江省, 杭州市).
        let mut spans: Vec<&Match> = ms
            .iter()
            .filter(|m| {
                matches!(
                    m.target,
                    Target::Place(_) | Target::Nationwide | Target::NationPublisher
                )
            })
            .collect();
        spans.sort_by_key(|m| (m.a, std::cmp::Reverse(m.b)));
        let mut covered = 0;
        for m in spans {
            if m.a < covered {
                continue;
            }
            covered = m.b;
            let (s, e) = (toks[m.a].s, toks[m.b - 1].e);
            let written = full_orig.get(s..e).unwrap_or("").to_string();
            let sent = toks[m.a].sent;
            let (resolved, publisher_nation) = match m.target {
                Target::Nationwide => (
                    Some(RegionInfo {
                        code: "000000".into(),
                        province: "全国".into(),
                        city: None,
                    }),
                    false,
                ),
                Target::NationPublisher => (
                    Some(RegionInfo {
                        code: "000000".into(),
                        province: "全国".into(),
                        city: None,
                    }),
                    true,
                ),
                Target::Place(i) => (
                    self.place_names
                        .get(i)
                        .and_then(|n| self.gaz.resolve_in(n, &ctx)),
                    false,
                ),
                _ => (None, false),
            };
            let Some(r) = resolved else { continue };
            let after = &full[e..];
            let before = &full[..s];
            // a person's origin (来自安徽的, 河南籍) is not where anything happened: not recorded;
            // nor is a word after a number ("第30周至第45周" holds no 周至县)
            if ["来自", "老家", "原籍", "祖籍", "户籍"]
                .iter()
                .any(|p| before.ends_with(p))
                || after.starts_with('籍')
                || before.ends_with(|c: char| c.is_ascii_digit())
            {
                continue;
            }
            let role = if publisher_nation {
                RegionRole::Publisher
            } else if s >= text_start
                && e <= text_head_end
                && self.is_dateline(full, text_start, s, after)
            {
                RegionRole::Dateline
            } else if org.iter().any(|&(os, oe)| os <= s && e <= oe)
                || self.maker_re.is_match(after)
            {
                // inside a company name, or the home of an unnamed maker ("乐清市一家电器厂生产的插座")
                RegionRole::Company
            } else if self
                .publisher_suffixes
                .iter()
                .any(|p| after.starts_with(p.as_str()))
                || (before.ends_with("据") && (after.starts_with("市") || after.starts_with("省")))
            {
                RegionRole::Publisher
            } else {
                RegionRole::Event
            };
            out.push(PlaceM {
                mention: RegionMention {
                    text: written,
                    code: r.code,
                    province: r.province,
                    city: r.city,
                    role,
                },
                sent,
            });
        }
        out
    }

    /// A place at the start of the body followed by "3月5日电" / "讯", or inside "（记者 …）".
    fn is_dateline(&self, full: &str, text_start: usize, s: usize, after: &str) -> bool {
        let prefix = &full[text_start..s];
        if prefix.contains(['，', '。', ',']) {
            return false;
        }
        if self.dateline_re.is_match(after) {
            return true;
        }
        let open = prefix.rfind(['（', '(']);
        let close = prefix.rfind(['）', ')']);
        if let Some(o) = open
            && close.is_none_or(|c| c < o)
            && prefix[o..].contains("记者")
        {
            return true;
        }
        self.agencies.iter().any(|a| {
            prefix
                .trim_start()
                .trim_start_matches(['【', '['])
                .starts_with(a.as_str())
                && prefix.chars().count() <= 12
        }) && {
            let head: String = after.chars().take(12).collect();
            head.split(['，', '。', ','])
                .next()
                .is_some_and(|h| h.contains("日电") || h.contains('讯'))
        }
    }

    /// The document's place: the most named event province (not 全国), else 全国 if named, else the
    /// source's region hint, else a publisher's own place, else the listing's shop region.
    fn doc_place(
        &self,
        places: &[PlaceM],
        hint: Option<&RegionInfo>,
        shop: Option<&RegionMention>,
    ) -> (Option<String>, Option<String>) {
        let mut count: Vec<(String, Option<String>, usize, usize)> = Vec::new();
        for (i, p) in places.iter().enumerate() {
            if p.mention.role != RegionRole::Event || p.mention.province == "全国" {
                continue;
            }
            match count.iter_mut().find(|c| c.0 == p.mention.province) {
                Some(c) => {
                    c.2 += 1;
                    if c.1.is_none() {
                        c.1 = p.mention.city.clone();
                    }
                }
                None => count.push((p.mention.province.clone(), p.mention.city.clone(), 1, i)),
            }
        }
        count.sort_by_key(|c| (std::cmp::Reverse(c.2), c.3));
        if let Some(c) = count.first() {
            return (Some(c.0.clone()), c.1.clone());
        }
        if places.iter().any(|p| {
            p.mention.province == "全国"
                && matches!(p.mention.role, RegionRole::Event | RegionRole::Publisher)
        }) {
            return (Some("全国".into()), None);
        }
        if let Some(h) = hint {
            return (Some(h.province.clone()), h.city.clone());
        }
        // A local regulator's, fire brigade's or newspaper's own place: its reports are about its area.
        if let Some(p) = places
            .iter()
            .find(|p| p.mention.role == RegionRole::Publisher && p.mention.province != "全国")
        {
            return (Some(p.mention.province.clone()), p.mention.city.clone());
        }
        if let Some(s) = shop {
            return (Some(s.province.clone()), s.city.clone());
        }
        (None, None)
    }

    /// One finding per hazard of a failed inspection row.
    fn row_findings(
        &self,
        row: &BTreeMap<String, String>,
        top: Option<usize>,
        doc_place: &(Option<String>, Option<String>),
        title_cat: &Option<usize>,
    ) -> Vec<Finding> {
        let get = |k: &str| {
            row.get(k)
                .map(String::as_str)
                .filter(|s| !s.trim().is_empty())
        };
        let category = get(field::PRODUCT)
            .and_then(|p| {
                let pf = prepare(p);
                let (w, t) = self.tokens(&pf);
                let ms = self.matches(&w);
                let cats =
                    self.category_mentions((&pf, &hits(&self.substr, &pf)), &w, &t, &ms, 0, None);
                // "锂电池组" in an e-bike notice is the e-bike battery
                let refined = self.categories.iter().position(|r| {
                    r.anchor
                        .iter()
                        .any(|a| Some(*a) == *title_cat || Some(*a) == top)
                        && r.anchor_terms.iter().any(|t| pf.contains(t.as_str()))
                        && cats.first().is_none_or(|c| !r.anchor.contains(&c.c))
                });
                refined.or(cats.first().map(|c| c.c))
            })
            .or(*title_cat)
            .or(top);
        let Some(category) = category else {
            return Vec::new();
        };
        let mut hazards: Vec<usize> = Vec::new();
        if let Some(items) = get(field::ITEMS) {
            let it = prepare(items);
            let (w, _) = self.tokens(&it);
            let ms = self.matches(&w);
            let terms: Vec<&Match> = ms
                .iter()
                .filter(|m| {
                    matches!(
                        m.target,
                        Target::Hazard(_, Strength::Strong | Strength::Weak)
                    )
                })
                .collect();
            for m in &ms {
                if let Target::Hazard(h, s) = m.target {
                    let term = w.get(m.a..m.b).unwrap_or(&[]).concat();
                    if !self.keeps_term(h, &term, Some(category)) {
                        continue;
                    }
                    let product_item = self.hazards[h]
                        .product_items
                        .iter()
                        .any(|(cs, items)| cs.contains(&category) && items.contains(&term));
                    if s == Strength::TestItem
                        && !product_item
                        && terms.iter().any(|t| t.a < m.b && m.a < t.b)
                    {
                        continue;
                    }
                    if !hazards.contains(&h) {
                        hazards.push(h);
                    }
                }
            }
        }
        if hazards.is_empty()
            && let Some(h) = self.hazards.iter().position(|h| h.name == "非安全质量")
        {
            hazards.push(h);
        }
        let (province, city) = get(field::PROVINCE)
            .and_then(|p| self.resolve_text(p))
            .map(|r| (Some(r.province), r.city))
            .or_else(|| {
                get(field::ENTERPRISE)
                    .and_then(|e| {
                        let ef = prepare(e);
                        let (w, _) = self.tokens(&ef);
                        self.matches(&w).iter().find_map(|m| match m.target {
                            Target::Place(i) => self
                                .place_names
                                .get(i)
                                .and_then(|n| self.gaz.resolve_in(n, &[])),
                            _ => None,
                        })
                    })
                    .map(|r| (Some(r.province), r.city))
            })
            .unwrap_or_else(|| doc_place.clone());
        let parties = Parties {
            enterprises: get(field::ENTERPRISE)
                .map(|e| vec![e.to_string()])
                .unwrap_or_default(),
            brands: get(field::BRAND)
                .map(|e| vec![e.to_string()])
                .unwrap_or_default(),
            ..Parties::default()
        };
        hazards
            .into_iter()
            .map(|h| Finding {
                category: self.categories[category].name.clone(),
                hazard: self.hazards[h].name.clone(),
                severity: self.hazards[h].severity,
                province: province.clone(),
                city: city.clone(),
                parties: parties.clone(),
            })
            .collect()
    }
}

/// The text of tokens `a..b` (jieba's tokens cover the text without gaps, so this is their
/// concatenation).
fn span_text<'t>(text: &'t str, toks: &[Tok], a: usize, b: usize) -> &'t str {
    match (toks.get(a), b.checked_sub(1).and_then(|l| toks.get(l))) {
        (Some(x), Some(y)) if a < b => text.get(x.s..y.e).unwrap_or(""),
        _ => "",
    }
}

/// Start of an organisation or shop name inside a regex match that began at the start of a run of
/// characters: after the last function word (由, 在, 向 …) or platform name that leaves at least four
/// characters ("涉事电动车由天津某车业有限公司" → "天津某车业有限公司").
fn strip_lead(text: &str, start: usize, end: usize, platforms: &[String]) -> usize {
    const MARKERS: [char; 15] = [
        '由', '为', '是', '向', '被', '对', '在', '经', '据', '与', '和', '及', '、', '了', '从',
    ];
    let Some(s) = text.get(start..end) else {
        return start;
    };
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    let mut cut = start;
    for (k, &(off, c)) in chars.iter().enumerate() {
        if MARKERS.contains(&c) && n - k > 4 {
            cut = start + off + c.len_utf8();
        }
    }
    for p in platforms {
        // most names hold no platform name: a char test before building a substring searcher
        if !p.chars().next().is_some_and(|c| s.contains(c)) {
            continue;
        }
        if let Some(pos) = text[cut..end].find(p.as_str()) {
            let after = cut + pos + p.len();
            if text[after..end].chars().count() >= 4 {
                cut = after;
            }
        }
    }
    cut
}

/// Category mentions joined to `at` by 和 / 与 / 及 / 、 / 或 alone ("插线板和手机充电器").
const JOIN_WORDS: [&str; 9] = ["和", "与", "及", "、", "以及", "或", "或者", "跟", "及其"];

fn coordinated(cats: &[CatM], at: &CatM, words: &[&str]) -> Vec<usize> {
    const JOIN: [&str; 9] = JOIN_WORDS;
    let mut chain: Vec<&CatM> = cats.iter().filter(|c| c.sent == at.sent).collect();
    chain.sort_by_key(|c| c.tok);
    let Some(pos) = chain.iter().position(|c| c.tok == at.tok) else {
        return Vec::new();
    };
    let joined = |a: &CatM, b: &CatM| {
        b.tok > a.end
            && words
                .get(a.end..b.tok)
                .is_some_and(|between| between.iter().all(|w| JOIN.contains(w)))
    };
    let mut out = Vec::new();
    let mut i = pos;
    while i + 1 < chain.len() && joined(chain[i], chain[i + 1]) {
        out.push(chain[i + 1].c);
        i += 1;
    }
    let mut i = pos;
    while i > 0 && joined(chain[i - 1], chain[i]) {
        out.push(chain[i - 1].c);
        i -= 1;
    }
    out.retain(|&c| c != at.c);
    out.dedup();
    out
}

fn strength_rank(t: Target) -> u8 {
    match t {
        Target::Hazard(_, Strength::Strong) => 0,
        Target::Hazard(_, Strength::Weak) => 1,
        _ => 2,
    }
}

/// Whether a standard number (as in [`Extraction::standards`]) is mandatory: GB without /T or /Z.
pub fn standard_is_mandatory(number: &str) -> bool {
    let n = number.trim_start().to_ascii_uppercase();
    n.starts_with("GB ")
        || (n.starts_with("GB") && n[2..].starts_with(|c: char| c.is_ascii_digit()))
}

/// A row of an inspection table is failed when its result says so; without a result, when it lists
/// failed items or the notice speaks of failures (its table is then the failed-products table).
fn row_failed(row: &BTreeMap<String, String>, notice_has_failures: bool) -> bool {
    let result = row
        .get(field::RESULT)
        .map(|s| fold(s).into_owned())
        .unwrap_or_default();
    if !result.trim().is_empty() {
        return result.contains("不合格") || result.contains("不符合") || result.contains("不达标");
    }
    notice_has_failures || row.get(field::ITEMS).is_some_and(|s| !s.trim().is_empty())
}

/// One Signal per Finding of a signal document.
pub fn signals(doc: &Document, ex: &Extraction) -> Vec<Signal> {
    if !ex.is_signal {
        return Vec::new();
    }
    ex.findings
        .iter()
        .map(|f| Signal {
            doc_id: doc.id.clone(),
            time: doc.published_at.unwrap_or(doc.fetched_at),
            category: f.category.clone(),
            hazard: f.hazard.clone(),
            severity: f.severity,
            province: f.province.clone(),
            city: f.city.clone(),
            source: doc.source.clone(),
            channel: doc.channel,
            kind: ex.kind,
            weight: doc.weight,
            cluster: ex.cluster.clone(),
            parties: f.parties.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::check::example_doc;
    use super::*;
    use std::sync::OnceLock;

    pub(super) fn shared() -> &'static Analyzer {
        an()
    }

    fn an() -> &'static Analyzer {
        static AN: OnceLock<Analyzer> = OnceLock::new();
        AN.get_or_init(|| match Analyzer::load(None, None) {
            Ok(a) => a,
            Err(e) => panic!("embedded rules must load: {e:?}"),
        })
    }

    fn run(title: &str, text: &str, kind: Option<DocKind>) -> Extraction {
        an().analyze(&example_doc(title, text, kind), &mut ClusterIndex::new())
    }

    fn listing(text: &str) -> Document {
        let mut d = example_doc(
            "20000毫安充电宝 大容量快充 防爆阻燃",
            text,
            Some(DocKind::Listing),
        );
        d.fields.insert(field::SHOP.into(), "闪电数码专营店".into());
        d.fields.insert(field::PLATFORM.into(), "拼多多".into());
        d.fields.insert(field::BRAND.into(), "雷霆".into());
        d.fields
            .insert(field::SHOP_REGION.into(), "广东深圳".into());
        d
    }

    fn finding<'a>(x: &'a Extraction, cat: &str, hazard: &str) -> Option<&'a Finding> {
        x.findings
            .iter()
            .find(|f| f.category == cat && f.hazard == hazard)
    }

    #[test]
    fn analyzer_is_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Analyzer>();
        let a = std::sync::Arc::new(Analyzer::load(None, None).unwrap());
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let a = std::sync::Arc::clone(&a);
                std::thread::spawn(move || {
                    let mut d = example_doc("", "小区电动车起火。", None);
                    d.id = format!("t{i}");
                    a.analyze(&d, &mut ClusterIndex::new()).is_signal
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().unwrap());
        }
    }

    #[test]
    fn key_words_are_single_tokens() {
        let j = an().jieba();
        let text = "他说电动自行车、电动自行车用蓄电池、移动电源和充电宝都查，还有邻苯二甲酸酯与磁通量指数，地点在内蒙古和杭州市";
        let words: Vec<&str> = j.cut(text, false).iter().map(|t| t.word).collect();
        for w in [
            "电动自行车",
            "电动自行车用蓄电池",
            "移动电源",
            "充电宝",
            "邻苯二甲酸酯",
            "磁通量指数",
            "内蒙古",
            "杭州市",
        ] {
            assert!(words.contains(&w), "{w} not a token in {words:?}");
        }
    }

    #[test]
    fn rules_match_tokens_not_substrings() {
        let x = run("", "广东城区一家工厂做放电击穿实验，一切正常。", None);
        assert!(
            !x.hazards.iter().any(|h| h.hazard == "触电"),
            "{:?}",
            x.hazards
        );
        assert!(
            x.regions.iter().all(|r| r.province == "广东省"),
            "{:?}",
            x.regions
        );
        let y = run("", "汽车站旁一辆电动车起火。", None);
        assert_eq!(y.categories, vec!["电动自行车"]);
    }

    #[test]
    fn negation_cancels_and_plain_report_counts() {
        let x = run(
            "",
            "昨晚小区车棚里的电动车未发生起火，物业排查后恢复供电。",
            None,
        );
        assert!(!x.is_signal);
        assert_eq!(x.reason.as_deref(), Some("negated"));
        assert!(x.hazards.iter().all(|h| h.negated));
        let y = run("", "昨晚小区车棚里的电动车起火，物业排查后恢复供电。", None);
        assert!(y.is_signal, "{:?}", y.reason);
        assert_eq!(y.findings[0].category, "电动自行车");
        assert_eq!(y.findings[0].hazard, "火灾");
        // the cue negates only what follows it in its clause
        let z = run("", "电动车在楼下起火，未造成人员伤亡。", None);
        assert!(z.is_signal);
    }

    #[test]
    fn drill_in_title_or_sentence_is_not_a_signal() {
        let x = run(
            "消防救援大队开展电动车火灾应急演练",
            "现场模拟电动车电池在楼道充电时起火，队员三分钟内扑灭明火。",
            None,
        );
        assert!(!x.is_signal);
        assert_eq!(x.reason.as_deref(), Some("drill"));
        let y = run("", "上午，某小区组织居民进行充电宝起火逃生演练。", None);
        assert_eq!(y.reason.as_deref(), Some("drill"));
        // a drill cancels a recall's finding too
        let z = run(
            "召回演练",
            "企业模拟召回部分移动电源，因电芯缺陷可能起火。",
            Some(DocKind::Recall),
        );
        assert_eq!(z.reason.as_deref(), Some("drill"));
    }

    #[test]
    fn hypothetical_advice_is_not_a_signal() {
        let x = run(
            "",
            "专家提醒，如果充电宝出现鼓包，应立即停止使用，以防爆炸起火。",
            None,
        );
        assert!(!x.is_signal);
        assert_eq!(x.reason.as_deref(), Some("hypothetical/advice"));
        let y = run("冬季取暖器使用小常识", "取暖器离被褥太近容易起火。", None);
        assert_eq!(y.reason.as_deref(), Some("hypothetical/advice"));
        // a dated event sentence under an advice title is still a report
        let z = run(
            "电动车起火频发，如何防范？",
            "昨晚，杭州市拱墅区一小区车棚内电动车起火。",
            None,
        );
        assert!(z.is_signal, "{:?}", z.reason);
        let w = run(
            "电动车起火频发，如何防范？",
            "电动车起火多发生在夜间充电时。",
            None,
        );
        assert!(!w.is_signal);
    }

    #[test]
    fn listing_claims_are_advertising_but_reviews_are_real() {
        let ad = an().analyze(
            &listing("商品详情：采用防火阻燃外壳，多重保护，不会爆炸，安全无忧。"),
            &mut ClusterIndex::new(),
        );
        assert!(!ad.is_signal);
        assert_eq!(ad.reason.as_deref(), Some("advertising"));
        let review = an().analyze(
            &listing("商品详情：采用防火阻燃外壳，不会爆炸。\n买家评价：用了三天，充电时冒烟了，外壳烫得不敢碰。"),
            &mut ClusterIndex::new(),
        );
        assert!(review.is_signal, "{:?} {:?}", review.reason, review.hazards);
        let f = finding(&review, "移动电源", "火灾").expect("fire finding");
        assert_eq!(f.province.as_deref(), Some("广东省"));
        assert_eq!(f.city.as_deref(), Some("深圳市"));
        assert_eq!(f.parties.shops, vec!["闪电数码专营店"]);
        assert_eq!(f.parties.platforms, vec!["拼多多"]);
        assert_eq!(f.parties.brands, vec!["雷霆"]);
        assert!(
            review
                .regions
                .iter()
                .any(|r| r.role == RegionRole::Shop && r.province == "广东省")
        );
    }

    #[test]
    fn recall_wording_reports_real_defects() {
        let text = "近日，宁波某电器有限公司向国家市场监督管理总局备案了召回计划，召回部分型号电热暖手宝。本次召回范围内的产品，由于加热片温控元件设计缺陷，长时间使用可能导致表面温度过高，存在烫伤风险。";
        let x = run("宁波某电器有限公司召回部分电热暖手宝", text, None);
        assert_eq!(x.kind, DocKind::Recall);
        assert!(x.is_signal, "{:?} {:?}", x.reason, x.hazards);
        let f = finding(&x, "电热暖手器", "烫伤/烧伤").expect("burn finding");
        // the place is only in the company name; the notice is national
        assert_eq!(f.province.as_deref(), Some("全国"));
        assert!(
            x.regions
                .iter()
                .any(|r| r.text == "宁波" && r.role == RegionRole::Company)
        );
        // the same hedged wording in a media explainer is hypothetical
        let y = run(
            "",
            "电热暖手宝长时间使用可能导致表面温度过高，存在烫伤风险。",
            Some(DocKind::Media),
        );
        assert!(!y.is_signal);
    }

    fn row(
        product: &str,
        enterprise: &str,
        province: &str,
        items: &str,
    ) -> BTreeMap<String, String> {
        [
            (field::PRODUCT, product),
            (field::ENTERPRISE, enterprise),
            (field::PROVINCE, province),
            (field::ITEMS, items),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn inspection_rows_become_findings() {
        let mut d = example_doc(
            "市场监管总局关于2024年儿童用品和电子产品质量国家监督抽查情况的通告",
            "本次共抽查120家企业生产的130批次产品，发现11批次产品不合格。不合格产品详见附件。",
            None,
        );
        d.channel = crate::model::Channel::Regulator;
        d.rows = vec![
            row(
                "移动电源",
                "东莞市极光电子科技有限公司",
                "广东",
                "过充电保护、标志和说明",
            ),
            row("磁力积木", "汕头市澄海区乐童玩具厂", "广东省", "磁通量指数"),
            row("毛绒玩具", "扬州某玩具有限公司", "江苏", "小零件"),
        ];
        let x = an().analyze(&d, &mut ClusterIndex::new());
        assert_eq!(x.kind, DocKind::Inspection);
        assert!(x.is_signal);
        let f = finding(&x, "移动电源", "火灾").expect("过充电保护 → 火灾");
        assert_eq!(f.province.as_deref(), Some("广东省"));
        assert_eq!(f.parties.enterprises, vec!["东莞市极光电子科技有限公司"]);
        assert!(finding(&x, "移动电源", "标志说明不合格").is_some());
        assert!(finding(&x, "磁性玩具", "误吞").is_some());
        let small = finding(&x, "玩具", "窒息").expect("小零件 → 窒息");
        assert_eq!(small.province.as_deref(), Some("江苏省"));
        assert!(
            finding(&x, "玩具", "误吞").is_none(),
            "a term beats a test item: {:?}",
            x.findings
        );
        assert!(
            x.parties
                .enterprises
                .contains(&"汕头市澄海区乐童玩具厂".to_string())
        );
    }

    #[test]
    fn inspection_rows_read_products_in_the_notice_context() {
        let mut d = example_doc(
            "2024年浙江省电动自行车及充电器产品质量监督抽查结果",
            "本次抽查发现不合格产品3批次。",
            None,
        );
        let mut passed = row("电动自行车", "无锡某车业有限公司", "江苏", "");
        passed.insert(field::RESULT.into(), "合格".into());
        d.rows = vec![
            row("锂电池组", "宁德某新能源有限公司", "福建", "过充电保护"),
            row("电动自行车", "天津市某车业有限公司", "", "最高车速"),
            passed,
        ];
        let x = an().analyze(&d, &mut ClusterIndex::new());
        assert!(
            finding(&x, "电动自行车用蓄电池", "火灾").is_some(),
            "{:?}",
            x.findings
        );
        // no province column: the place at the head of the enterprise name
        let f = finding(&x, "电动自行车", "交通事故/失控").expect("speed finding");
        assert_eq!(f.province.as_deref(), Some("天津市"));
        assert_eq!(
            x.findings.len(),
            2,
            "the passed row is no finding: {:?}",
            x.findings
        );
    }

    #[test]
    fn all_pass_inspection_is_not_a_signal() {
        let x = run(
            "杭州市市场监管局电动自行车产品质量监督抽查结果公告",
            "本次共抽查电动自行车30批次，涉及阻燃性能、过充电保护等项目，经检验均合格。",
            None,
        );
        assert_eq!(x.kind, DocKind::Inspection);
        assert!(!x.is_signal);
        assert_eq!(x.reason.as_deref(), Some("all-pass inspection"));
        assert!(
            x.regions
                .iter()
                .any(|r| r.text == "杭州市" && r.role == RegionRole::Publisher)
        );
    }

    #[test]
    fn failing_inspection_text_without_rows_is_a_signal() {
        let x = run(
            "电动自行车产品质量监督抽查结果公告",
            "本次抽查电动自行车30批次，3批次不合格，不合格项目为最高车速、阻燃性能。",
            Some(DocKind::Inspection),
        );
        assert!(x.is_signal);
        assert!(
            finding(&x, "电动自行车", "火灾").is_some(),
            "{:?}",
            x.findings
        );
        assert!(finding(&x, "电动自行车", "交通事故/失控").is_some());
    }

    #[test]
    fn standards_are_extracted_and_never_signals() {
        let x = run(
            "市场监管总局（国家标准委）发布电动自行车用锂离子蓄电池强制性国家标准",
            "GB 43854－2024《电动自行车用锂离子蓄电池》将于2024年11月1日起实施，新标准增加了防止电池起火的要求；风险评估参照ＧＢ／Ｔ　22760-2020。",
            None,
        );
        assert_eq!(x.kind, DocKind::Standard);
        assert!(!x.is_signal);
        assert_eq!(x.reason.as_deref(), Some("standard announcement"));
        assert!(
            x.standards.contains(&"GB 43854-2024".to_string()),
            "{:?}",
            x.standards
        );
        assert!(
            standard_is_mandatory("GB 43854-2024") && !standard_is_mandatory("GB/T 22760-2020")
        );
        assert!(
            x.standards.contains(&"GB/T 22760-2020".to_string()),
            "{:?}",
            x.standards
        );
    }

    #[test]
    fn traditional_text_is_folded() {
        let x = run("", "昨晚樓道裡一輛電動自行車充電時起火，鄰居報警。", None);
        assert!(x.is_signal);
        assert!(finding(&x, "电动自行车", "火灾").is_some());
    }

    #[test]
    fn company_and_dateline_places_are_not_the_event() {
        let x = run(
            "",
            "中新网北京3月5日电（记者 张伟）4日晚，江苏省南京市鼓楼区一居民楼内电动车充电时起火，涉事电动车由天津某车业有限公司生产。",
            None,
        );
        let role = |t: &str| x.regions.iter().find(|r| r.text == t).map(|r| r.role);
        assert_eq!(role("北京"), Some(RegionRole::Dateline));
        assert_eq!(role("天津"), Some(RegionRole::Company));
        assert_eq!(role("南京市"), Some(RegionRole::Event));
        let f = finding(&x, "电动自行车", "火灾").expect("finding");
        assert_eq!(f.province.as_deref(), Some("江苏省"));
        assert_eq!(f.city.as_deref(), Some("南京市"));
        assert!(
            x.parties
                .enterprises
                .contains(&"天津某车业有限公司".to_string())
        );
        let y = run(
            "",
            "本报杭州讯 昨天，温州一小区地下车库内电瓶车起火。",
            None,
        );
        assert_eq!(
            y.regions.iter().find(|r| r.text == "杭州").map(|r| r.role),
            Some(RegionRole::Dateline)
        );
        assert_eq!(y.findings[0].city.as_deref(), Some("温州市"));
    }

    #[test]
    fn abroad_and_nationwide() {
        let x = run(
            "美国召回一款儿童磁力珠",
            "美国消费品安全委员会日前发布召回通告，磁力珠磁体脱落可能被儿童误吞。",
            None,
        );
        assert!(x.is_signal);
        assert_eq!(x.findings[0].province.as_deref(), Some("境外:美国"));
        assert!(x.findings[0].severity >= 4);
        assert!(x.vulnerable.contains(&"儿童".to_string()));
        let y = run(
            "",
            "市场监管总局通报，部分电动自行车充电器存在过充电保护缺陷，已有多起起火事故。",
            None,
        );
        assert!(y.is_signal, "{:?}", y.reason);
        assert_eq!(y.findings[0].province.as_deref(), Some("全国"));
        assert!(y.regions.iter().any(|r| r.code == "000000"));
    }

    #[test]
    fn ambiguous_names_and_roles_resolve_like_a_monitor() {
        let place = |text: &str| {
            let x = run("", text, None);
            assert!(x.is_signal, "{text}: {:?}", x.reason);
            (x.findings[0].province.clone(), x.findings[0].city.clone())
        };
        let p = |s: &str| Some(s.to_string());
        // 朝阳区 alone is Beijing's; 长春市朝阳区 is Jilin's; 朝阳市 is a city of Liaoning
        assert_eq!(place("朝阳区一小区内电动车充电时起火。").0, p("北京市"));
        assert_eq!(
            place("长春市朝阳区一居民家的电暖器起火。"),
            (p("吉林省"), p("长春市"))
        );
        assert_eq!(
            place("辽宁朝阳市一居民家中的取暖器起火。"),
            (p("辽宁省"), p("朝阳市"))
        );
        // the many 鼓楼区: the city or province named beside it decides; alone it places nothing
        assert_eq!(
            place("南京鼓楼区一餐馆燃气灶爆燃。"),
            (p("江苏省"), p("南京市"))
        );
        assert_eq!(
            place("福州鼓楼区一居民家中燃气热水器漏气。"),
            (p("福建省"), p("福州市"))
        );
        assert_eq!(
            place("开封市鼓楼区一居民家的电冰箱起火。"),
            (p("河南省"), p("开封市"))
        );
        assert_eq!(place("鼓楼区一居民家的电冰箱起火。").0, None);
        // a company's home is not the event; nor is an unnamed maker's home
        let x = run(
            "",
            "温州市乐清市一家电器厂生产的插座在桂林市销售时被发现漏电。",
            None,
        );
        let role = |x: &Extraction, t: &str| x.regions.iter().find(|r| r.text == t).map(|r| r.role);
        assert_eq!(role(&x, "温州市"), Some(RegionRole::Company));
        assert_eq!(role(&x, "桂林市"), Some(RegionRole::Event));
        assert_eq!(x.findings[0].province.as_deref(), Some("广西壮族自治区"));
        // a dateline names the agency's desk; the event is in the story
        let y = run(
            "",
            "中新网上海5月3日电 浙江温州市鹿城区一处自建房内电动自行车充电时起火。",
            None,
        );
        assert_eq!(role(&y, "上海"), Some(RegionRole::Dateline));
        assert_eq!(y.findings[0].province.as_deref(), Some("浙江省"));
        // a publisher's place places a story that names no other
        let z = run(
            "",
            "据杭州市消防救援支队消息，一居民家中的电热毯过热起火。",
            None,
        );
        assert_eq!(role(&z, "杭州市"), Some(RegionRole::Publisher));
        assert_eq!(z.findings[0].province.as_deref(), Some("浙江省"));
        // places abroad and the whole country
        assert_eq!(
            place("日本消费者厅通报，某品牌电热水壶底座熔化，2人烫伤。").0,
            p("境外:日本")
        );
        assert_eq!(
            place("全国多地接连发生电动自行车楼道起火事故。").0,
            p("全国")
        );
        // a number before a county name is a count, not a place ("第30周至第45周" holds no 周至县)
        let w = run(
            "",
            "召回2022年第30周至第45周生产的轮胎，可能发生爆胎。",
            Some(DocKind::Recall),
        );
        assert!(
            w.regions.iter().all(|r| r.province != "陕西省"),
            "{:?}",
            w.regions
        );
    }

    #[test]
    fn test_items_depend_on_the_product() {
        let hazards = |x: &Extraction| {
            let mut v: Vec<String> = x.findings.iter().map(|f| f.hazard.clone()).collect();
            v.sort();
            v.dedup();
            v
        };
        // 挤压 of a power bank / battery is the crush test: a fire item
        let x = run(
            "移动电源产品质量监督抽查结果",
            "抽查移动电源30批次，不合格4批次，不合格项目为挤压和标志和说明。",
            Some(DocKind::Inspection),
        );
        assert_eq!(hazards(&x), ["标志说明不合格", "火灾"]);
        let rows = vec![row("锂离子电池", "某电池有限公司", "", "挤压、重物冲击")];
        let mut d = example_doc(
            "锂离子电池抽查结果",
            "1批次不合格。",
            Some(DocKind::Inspection),
        );
        d.rows = rows;
        let y = an().analyze(&d, &mut ClusterIndex::new());
        assert_eq!(hazards(&y), ["火灾"]);
        // …but 挤压 of a pram is still a pinch
        let z = run(
            "婴儿推车抽查结果",
            "抽查婴儿推车20批次，不合格3批次，不合格项目为挤压、剪切和卡夹。",
            Some(DocKind::Inspection),
        );
        assert_eq!(hazards(&z), ["夹伤/挤压"]);
        // a test passed is no finding: the item needs a failure word
        let w = run(
            "",
            "这款充电宝经过挤压、针刺等严苛测试，从未发生起火。",
            None,
        );
        assert!(!w.is_signal, "{:?}", w.findings);
        // an inspection's failed capacity is a finding beside its fire item (not the fire's cause)
        let v = run(
            "移动电源抽查结果",
            "抽查移动电源25批次，不合格5批次，不合格项目为额定容量和挤压。",
            Some(DocKind::Inspection),
        );
        assert_eq!(hazards(&v), ["功能失效", "火灾"]);
    }

    #[test]
    fn what_a_fire_reached_is_not_its_source() {
        let x = run(
            "",
            "昨晚，一名租客的手机在床头充电时起火，引燃了枕头和床单。",
            None,
        );
        assert_eq!(x.categories, ["手机"]);
        let y = run(
            "",
            "仓库发生火灾，起火原因为违规给电动车电池充电，大量童鞋被烧毁。",
            None,
        );
        assert!(
            !y.categories.contains(&"童鞋".to_string()),
            "{:?}",
            y.categories
        );
        // a battery named where nothing happens describes the bike
        let z = run(
            "",
            "某品牌发布新款电动自行车，该车采用石墨烯电池，续航100公里。",
            None,
        );
        assert_eq!(z.categories, ["电动自行车"]);
    }

    #[test]
    fn region_hint_places_an_unplaced_story() {
        let mut d = example_doc(
            "",
            "一名女子在家给电动车电瓶充电时电瓶爆炸，手臂被烧伤。",
            None,
        );
        d.region_hint = Some("宁波市".into());
        let x = an().analyze(&d, &mut ClusterIndex::new());
        let f = finding(&x, "电动自行车用蓄电池", "爆炸").expect("battery explosion");
        assert_eq!(f.province.as_deref(), Some("浙江省"));
        assert_eq!(f.city.as_deref(), Some("宁波市"));
        assert_eq!(
            an().resolve_region("慈溪").map(|r| r.province),
            Some("浙江省".to_string())
        );
    }

    #[test]
    fn battery_words_make_an_ebike_fire_a_battery_fire() {
        let x = run(
            "男子楼道给电动车充电起火",
            "据了解，起火时电动车的锂电池正在充电，火势很快蔓延。",
            None,
        );
        assert_eq!(
            x.categories.first().map(String::as_str),
            Some("电动自行车用蓄电池"),
            "{:?}",
            x.categories
        );
        assert!(finding(&x, "电动自行车用蓄电池", "火灾").is_some());
        assert!(
            finding(&x, "电动自行车", "火灾").is_none(),
            "{:?}",
            x.findings
        );
        let y = run("", "骑手称电动车刹车失灵，撞上路边护栏。", None);
        assert!(finding(&y, "电动自行车", "交通事故/失控").is_some());
    }

    #[test]
    fn severity_is_raised_for_deaths_and_children() {
        let x = run("", "卷发棒过热，一名女孩头皮被烫伤。", None);
        let y = run("", "卷发棒过热，一名顾客头皮被烫伤。", None);
        assert_eq!(
            finding(&y, "皮肤及毛发护理器具", "烫伤/烧伤").map(|f| f.severity),
            Some(3)
        );
        // 女孩 is not a listed vulnerable term; 孩子 is
        let z = run("", "卷发棒过热，孩子头皮被烫伤。", None);
        assert_eq!(
            finding(&z, "皮肤及毛发护理器具", "烫伤/烧伤").map(|f| f.severity),
            Some(4)
        );
        assert!(x.is_signal);
    }

    #[test]
    fn kinds_are_inferred() {
        assert_eq!(
            run(
                "关于2024年第二批电热毯产品质量监督抽查不合格情况的通告",
                "",
                None
            )
            .kind,
            DocKind::Inspection
        );
        assert_eq!(
            run("消费者投诉网购充电宝鼓包", "", None).kind,
            DocKind::Complaint
        );
        assert_eq!(run("小区电动车起火", "", None).kind, DocKind::Media);
    }

    #[test]
    fn signals_are_one_per_finding() {
        let mut d = example_doc("", "杭州市一小区电动车起火，同时一个充电宝爆炸。", None);
        d.weight = 0.5;
        let x = an().analyze(&d, &mut ClusterIndex::new());
        let s = signals(&d, &x);
        assert_eq!(s.len(), x.findings.len());
        assert!(s.len() >= 2);
        assert!(s.iter().all(|s| s.weight == 0.5
            && s.cluster == x.cluster
            && s.time == d.fetched_at
            && s.doc_id == d.id));
        let neg = example_doc("", "电动车未起火。", None);
        let nx = an().analyze(&neg, &mut ClusterIndex::new());
        assert!(signals(&neg, &nx).is_empty());
    }

    #[test]
    fn reposts_share_a_cluster_through_analyze() {
        let body = "3月4日晚，温州市鹿城区一小区地下车库内一辆正在充电的电动自行车突然起火，火势蔓延至旁边三辆电动车。物业保安用灭火器扑救并报警，消防员十分钟内扑灭明火，无人受伤。初步调查显示，起火车辆电池为车主网购的非原厂电池。";
        let mut idx = ClusterIndex::new();
        let mut a = example_doc(
            "温州一车库电动车起火",
            &format!("中新网温州3月5日电 {body}"),
            None,
        );
        a.id = "a".into();
        let mut b = example_doc(
            "温州车库电瓶车起火 殃及三车",
            &format!("本报温州讯 {body}\n责任编辑：陈晨"),
            None,
        );
        b.id = "b".into();
        let mut c = example_doc(
            "",
            "宁波市海曙区一家商场的儿童游乐区，一名男孩被扭扭车夹伤手指，商场已暂停该设备并联系家长协商处理后续事宜。",
            None,
        );
        c.id = "c".into();
        assert_eq!(an().analyze(&a, &mut idx).cluster, "a");
        assert_eq!(an().analyze(&b, &mut idx).cluster, "a");
        assert_eq!(an().analyze(&c, &mut idx).cluster, "c");
    }

    #[test]
    fn check_reports_failing_example_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut products = include_str!("../../rules/products.toml").to_string();
        products.push_str("\n[[category]]\ngroup = \"测试\"\nname = \"测试品\"\naliases = [\"测试品\"]\nexamples = { match = [\"这段文字里没有那个词\"] }\n");
        let line = products.lines().count();
        std::fs::write(dir.path().join("products.toml"), products).unwrap();
        std::fs::write(
            dir.path().join("hazards.toml"),
            include_str!("../../rules/hazards.toml"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("cues.toml"),
            include_str!("../../rules/cues.toml"),
        )
        .unwrap();
        let errs = check(Some(dir.path()), None);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].file.ends_with("products.toml"));
        assert_eq!(errs[0].line, line);
        assert!(errs[0].message.contains("这段文字里没有那个词"));
        // a syntax error is located too
        std::fs::write(
            dir.path().join("hazards.toml"),
            "[[hazard]]\nname = \"火灾\"\nseverity = \"four\"\n",
        )
        .unwrap();
        let errs = check(Some(dir.path()), None);
        assert!(
            errs.iter()
                .any(|e| e.file.ends_with("hazards.toml") && e.line == 3),
            "{errs:?}"
        );
    }

    #[test]
    fn parties_from_text() {
        let x = run(
            "",
            "消费者在拼多多闪电数码专营店购买的充电宝起火，联系厂家无果；该产品由深圳市极速电子有限公司生产，品牌：极速。美的集团未回应。",
            Some(DocKind::Complaint),
        );
        assert!(
            x.parties.shops.contains(&"闪电数码专营店".to_string()),
            "{:?}",
            x.parties
        );
        assert!(
            x.parties
                .enterprises
                .contains(&"深圳市极速电子有限公司".to_string()),
            "{:?}",
            x.parties
        );
        assert!(
            x.parties.enterprises.contains(&"美的集团".to_string()),
            "{:?}",
            x.parties
        );
        assert!(
            !x.parties.enterprises.iter().any(|e| e.contains("厂")),
            "{:?}",
            x.parties
        );
        assert_eq!(x.parties.brands, vec!["极速"]);
        assert_eq!(x.parties.platforms, vec!["拼多多"]);
        assert!(
            x.regions
                .iter()
                .any(|r| r.text == "深圳市" && r.role == RegionRole::Company)
        );
    }

    /// Random texts made of the characters the rules, clustering and the facts scanners look at
    /// (keywords, digits and numerals, stops, full-width and traditional forms, other scripts):
    /// nothing panics, a document's facts from the analyzer's folded buffer are those `facts`
    /// reads from its raw title and text, and clustering through that buffer agrees with
    /// clustering the raw text.
    #[test]
    fn random_texts_do_not_panic_and_the_shared_buffer_agrees() {
        // fragments rather than single characters, so that counts, models and batches form
        let pool: Vec<&str> = [
            "召回",
            "抽查了",
            "批次号",
            "型号为",
            "生产批号:",
            "批次",
            "不合格",
            "受伤",
            "死亡",
            "中毒",
            "名",
            "人",
            "位",
            "个",
            "台",
            "辆",
            "万",
            "千",
            "两",
            "十二",
            "三百",
            "1.2",
            "60",
            "8",
            "0",
            "20240311",
            "KT-1705",
            "PB-20A型",
            "至",
            "-",
            "/",
            ".",
            " ",
            "_",
            "，",
            "。",
            "；",
            ";",
            "、",
            "：",
            "（",
            "）",
            "“",
            "”",
            "\n",
            "\r",
            "①",
            "〇",
            "٣",
            "１２",
            "ＡＢ",
            "　",
            "日电",
            "讯",
            "本报",
            "记者",
            "中新网",
            "上海",
            "杭州市",
            "鼓楼区",
            "朝阳区",
            "有限公司",
            "厂",
            "旗舰店",
            "GB/T 22760-2020",
            "GB 17761",
            "牌",
            "电动自行车",
            "充電寶",
            "起火",
            "爆炸",
            "未发生",
            "演练",
            "😀",
            "é",
            "x",
        ]
        .to_vec();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let (mut with_facts, mut raw) = (ClusterIndex::new(), ClusterIndex::new());
        let mut found = 0;
        for i in 0..3000 {
            let mut text = |max: u64| -> String {
                let len = next() % max;
                (0..len)
                    .map(|_| pool[(next() % pool.len() as u64) as usize])
                    .collect()
            };
            let (title, body) = (text(6), text(60));
            let mut d = example_doc(&title, &body, None);
            d.id = format!("r{i}");
            let (e, f) = an().analyze_with_facts(&d, &mut with_facts);
            assert_eq!(e.is_signal, !e.findings.is_empty());
            assert_eq!(f, facts(&title, &body, &e.standards), "{title}\n{body}");
            let (_, c) = raw.assign(&d.id, &cluster_text(&d));
            assert_eq!(e.cluster, c, "{title}\n{body}");
            found += f.counts.len() + f.models.len() + f.batches.len();
        }
        // the texts held things to find
        assert!(found > 1000, "{found}");
    }

    #[test]
    fn odd_and_long_input_does_not_panic() {
        for (t, x) in [
            ("", ""),
            ("。。。", "，，，\n\n"),
            ("🔥🔥", "🔥电动车🔥起火🔥"),
            ("ＧＢ", "GB/T"),
            ("（", "（记者"),
            ("中新网", "中新网上海"),
        ] {
            let e = run(t, x, None);
            assert_eq!(e.is_signal, !e.findings.is_empty());
        }
        let mut d = example_doc("", "", Some(DocKind::Inspection));
        d.rows = vec![BTreeMap::new(), row("", "", "", "")];
        let e = an().analyze(&d, &mut ClusterIndex::new());
        assert!(!e.is_signal);
        // a long repetitive notice: one finding per (category, hazard)
        let long = "杭州市一小区电动车起火，充电宝爆炸。".repeat(400);
        let e = run("", &long, None);
        assert_eq!(e.findings.len(), 2, "{:?}", e.findings);
    }

    #[test]
    fn every_rule_example_passes() {
        let errs = check(None, None);
        for e in &errs {
            eprintln!("{e}");
        }
        assert!(errs.is_empty(), "{} failing rule examples", errs.len());
    }
}

/// A small labelled set of realistic texts (written for this project) that runs the whole stage: each
/// case names whether it is a signal, the (category, hazard) findings expected, and the province.
#[cfg(test)]
mod corpus {
    use super::check::example_doc;
    use super::*;

    struct Case {
        title: &'static str,
        text: &'static str,
        kind: Option<DocKind>,
        signal: bool,
        findings: &'static [(&'static str, &'static str)],
        province: Option<&'static str>,
    }

    const CASES: &[Case] = &[
        Case {
            title: "",
            text: "3日凌晨，福建省泉州市丰泽区一栋自建房一楼停放的电动自行车在充电过程中起火，浓烟蔓延至楼上，造成2人死亡。",
            kind: None,
            signal: true,
            findings: &[("电动自行车", "火灾")],
            province: Some("福建省"),
        },
        Case {
            title: "网购充电宝用了一周就鼓包",
            text: "我在某电商平台买的充电宝，才用了一周外壳就鼓包了，晚上充电时还有焦糊味，联系商家只同意换货不肯退款，希望有关部门管一管。",
            kind: Some(DocKind::Complaint),
            signal: true,
            // A burning smell alone is a weak term (rules/hazards.toml): the bulge is the finding.
            findings: &[("移动电源", "爆炸")],
            province: None,
        },
        Case {
            title: "",
            text: "近日，成都市武侯区一名3岁男童误吞了6颗磁力珠，磁珠在肠道内相互吸引导致肠穿孔，经过手术才转危为安。医生提醒家长，磁力珠不要给低龄儿童玩耍。",
            kind: None,
            signal: true,
            findings: &[("磁性玩具", "误吞")],
            province: Some("四川省"),
        },
        Case {
            title: "冬季使用电热毯要注意什么",
            text: "电热毯使用不当容易引发火灾，建议不要折叠使用，也不要长时间通电。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "记者从广州市消防救援支队获悉，今年以来全市共接报电动自行车火灾37起，其中大部分发生在夜间充电时段。",
            kind: None,
            signal: true,
            findings: &[("电动自行车", "火灾")],
            province: Some("广东省"),
        },
        Case {
            title: "某品牌电热水壶漏电 消费者被电击",
            text: "家住郑州市金水区的李女士反映，她上个月购买的电热水壶在使用时漏电，手碰到壶身时被电了一下，所幸没有受伤。",
            kind: None,
            signal: true,
            findings: &[("电热水壶", "触电")],
            province: Some("河南省"),
        },
        Case {
            title: "",
            text: "该款卡式炉的气罐在加热火锅时发生爆炸，飞溅的碎片划伤了两名食客的面部，事发于长沙市开福区一家餐馆。",
            kind: None,
            signal: true,
            findings: &[("家用燃气灶具", "爆炸"), ("家用燃气灶具", "机械伤害")],
            province: Some("湖南省"),
        },
        Case {
            title: "消防部门开展电动自行车火灾扑救实战演练",
            text: "演练模拟小区车棚内电动车充电时起火，消防员迅速出动扑灭明火。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "经检测，该批次儿童服装未检出可分解致癌芳香胺染料，甲醛含量符合标准要求。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "关于召回部分儿童安全座椅的公告",
            text: "本次召回范围内的儿童安全座椅，由于卡扣强度不足，在发生碰撞时可能断裂，导致儿童被甩出，存在安全隐患。",
            kind: None,
            signal: true,
            findings: &[("机动车儿童乘员用约束系统", "机械伤害")],
            province: None,
        },
        Case {
            title: "",
            text: "西安市雁塔区一名女子使用卷发棒时，卷发棒突然冒火花，头发被烧焦，头皮出现烫伤。",
            kind: None,
            signal: true,
            findings: &[
                ("皮肤及毛发护理器具", "火灾"),
                ("皮肤及毛发护理器具", "烫伤/烧伤"),
            ],
            province: Some("陕西省"),
        },
        Case {
            title: "新国标电动车头盔选购指南",
            text: "选购头盔时要认准3C标志，劣质头盔一摔就碎，起不到保护作用。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "据澳大利亚竞争与消费者委员会通报，一款儿童学步车存在侧翻风险，已有婴儿从学步车中跌落受伤。",
            kind: None,
            signal: true,
            findings: &[("童车", "跌落/倾倒")],
            province: Some("境外:澳大利亚"),
        },
        Case {
            title: "",
            text: "重庆市渝北区一小区内，一辆新能源汽车在地下停车场充电时突然自燃，整车被烧毁，所幸无人员伤亡。",
            kind: None,
            signal: true,
            findings: &[("汽车", "火灾")],
            province: Some("重庆市"),
        },
        Case {
            title: "",
            text: "昨天下午，家住青岛市黄岛区的王先生发现家中燃气热水器有异味，随后一家三口出现头晕症状，被诊断为一氧化碳中毒。",
            kind: None,
            signal: true,
            findings: &[("家用燃气快速热水器", "中毒")],
            province: Some("山东省"),
        },
        Case {
            title: "双十一充电宝热销 商家承诺安全无忧",
            text: "多家店铺的充电宝宣传采用防爆电芯，不会爆炸。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "合肥市民张女士投诉称，孩子在某商场游乐区玩耍时，手指被婴儿推车的折叠关节夹伤，缝了三针。",
            kind: None,
            signal: true,
            findings: &[("童车", "夹伤/挤压")],
            province: Some("安徽省"),
        },
        Case {
            title: "",
            text: "天津市一家电动车经销店内，数十辆电动自行车整齐摆放，店主介绍新国标车型的刹车性能更好。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "儿童卫衣绳带过长存勒伤隐患",
            text: "江苏省市场监管局抽检童装42批次，其中5批次绳带项目不合格，存在勒伤风险。",
            kind: None,
            signal: true,
            findings: &[("儿童及婴幼儿服装", "勒伤/缠绕")],
            province: Some("江苏省"),
        },
        Case {
            title: "",
            text: "深夜，哈尔滨市南岗区一居民家中的取暖器倾倒后引燃沙发，火势迅速蔓延，消防员救出被困老人一名。",
            kind: None,
            signal: true,
            findings: &[("室内加热器", "跌落/倾倒"), ("室内加热器", "火灾")],
            province: Some("黑龙江省"),
        },
        Case {
            title: "浙江省市场监督管理局关于2024年电热毯产品质量省级监督抽查情况的通告",
            text: "本次抽查电热毯60批次，发现不合格产品6批次，不合格项目涉及发热、对触及带电部件的防护、标志和说明。",
            kind: None,
            signal: true,
            findings: &[
                ("电热毯", "烫伤/烧伤"),
                ("电热毯", "触电"),
                ("电热毯", "标志说明不合格"),
            ],
            province: Some("浙江省"),
        },
        Case {
            title: "",
            text: "12315投诉：在拼多多购买的插线板使用两天后插孔处烧焦冒烟，商家称是用户使用不当。投诉人所在地：江西省南昌市。",
            kind: Some(DocKind::Complaint),
            signal: true,
            findings: &[("插头插座", "火灾")],
            province: Some("江西省"),
        },
        Case {
            title: "长安汽车发布新款SUV",
            text: "长安汽车今日在重庆发布旗下新款SUV，新车搭载全新动力系统，续航里程提升至600公里。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "苏州市吴中区一家幼儿园内，一名幼儿被儿童床护栏间隙卡住头部，老师发现后及时解救，孩子无大碍。",
            kind: None,
            signal: true,
            findings: &[("儿童家具", "夹伤/挤压")],
            province: Some("江苏省"),
        },
        Case {
            title: "",
            text: "在昆明市官渡区，一名外卖骑手驾驶电动自行车时刹车失灵，与一辆小汽车相撞，骑手腿部骨折。",
            kind: None,
            signal: true,
            findings: &[("电动自行车", "交通事故/失控")],
            province: Some("云南省"),
        },
        Case {
            title: "",
            text: "南宁市一名消费者反映，网购的学生书包有刺鼻异味，送检后发现甲醛含量超标三倍。",
            kind: None,
            signal: true,
            findings: &[("学生文具", "化学危害")],
            province: Some("广西壮族自治区"),
        },
        Case {
            title: "",
            text: "电动自行车用锂离子蓄电池新国标今年11月实施，新标准要求电池在过充、短路、挤压、针刺等情况下不起火不爆炸。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "記者從台北市消防局獲悉，一輛電動機車在騎樓下充電時起火，火勢延燒至住宅一樓。",
            kind: None,
            signal: true,
            findings: &[("摩托车", "火灾")],
            province: Some("台湾省"),
        },
        Case {
            title: "",
            text: "日前，市场监管总局发布消费提示，提醒消费者谨慎选购电热暖手宝，避免长时间贴身使用导致低温烫伤。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "【投诉对象】某电器官方旗舰店【投诉问题】在京东购买的电吹风使用时尾部冒火花并有烧焦味，差点烧到头发【投诉要求】退一赔三",
            kind: Some(DocKind::Complaint),
            signal: true,
            findings: &[("皮肤及毛发护理器具", "火灾")],
            province: None,
        },
        Case {
            title: "",
            text: "日本经济产业省日前通报，一款在日本销售的移动电源因发生多起起火事故被厂家召回，涉及约5万台。",
            kind: None,
            signal: true,
            findings: &[("移动电源", "火灾")],
            province: Some("境外:日本"),
        },
        Case {
            title: "",
            text: "为从源头上消除隐患，我市严禁电动自行车进楼入户、飞线充电，杜绝火灾事故发生。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "内蒙古呼和浩特市赛罕区一户居民家中的电暖器因长时间使用过热起火，屋内一名8个月大的宝宝被及时抱出。",
            kind: None,
            signal: true,
            findings: &[("室内加热器", "火灾")],
            province: Some("内蒙古自治区"),
        },
        Case {
            title: "",
            text: "上周，厦门市思明区的陈先生反映，家中安装不到一年的智能门锁频繁故障，多次把老人锁在门外。",
            kind: None,
            signal: true,
            findings: &[("电子门锁", "功能失效")],
            province: Some("福建省"),
        },
        Case {
            title: "",
            text: "贵阳市质监部门在一家批发市场查获一批无3C认证的插线板和手机充电器，共计1200余件，均已依法扣押。",
            kind: None,
            signal: true,
            findings: &[("插头插座", "假冒伪劣"), ("电源适配器及充电器", "假冒伪劣")],
            province: Some("贵州省"),
        },
        Case {
            title: "",
            text: "香港消费者委员会测试发现，市面上有3款电热水壶的手柄温度过高，使用时可能烫伤。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "广州市天河区一小区内，一名老人在阳台晾衣服时，电动晾衣架突然坠落，砸伤了老人的头部。",
            kind: None,
            signal: true,
            findings: &[("电动晾衣架", "跌落/倾倒"), ("电动晾衣架", "机械伤害")],
            province: Some("广东省"),
        },
        Case {
            title: "济南一商场儿童摇摇车漏电 男童被电击",
            text: "5日下午，济南市历下区某商场门口的一台摇摇车漏电，一名5岁男童触碰后被电击倒地，经抢救脱离危险。",
            kind: None,
            signal: true,
            findings: &[("玩具", "触电")],
            province: Some("山东省"),
        },
        Case {
            title: "",
            text: "兰州市一名市民反映，其购买的电饭煲内胆涂层大面积脱落，送检后发现有害物质超标，已向12315投诉。",
            kind: None,
            signal: true,
            findings: &[("自动电饭锅", "化学危害")],
            province: Some("甘肃省"),
        },
        Case {
            title: "",
            text: "海口市美兰区一家酒店的客房内，一台电视机突然冒烟起火，住客及时逃生，酒店方面表示将全面排查电器。",
            kind: None,
            signal: true,
            findings: &[("彩色电视机", "火灾")],
            province: Some("海南省"),
        },
        Case {
            title: "2024年第三季度儿童玩具产品质量监督抽查结果",
            text: "本次抽查玩具50批次，发现4批次不合格，其余均合格。",
            kind: None,
            signal: true,
            findings: &[("玩具", "非安全质量")],
            province: None,
        },
        Case {
            title: "",
            text: "消费者王女士在某直播间购买的儿童积木，拆开后发现零件边缘有毛刺，孩子玩耍时手指被划伤。",
            kind: Some(DocKind::Complaint),
            signal: true,
            findings: &[("玩具", "机械伤害")],
            province: None,
        },
        Case {
            title: "",
            text: "该款空气炸锅采用全新加热技术，烹饪时无油烟，外壳不烫手。",
            kind: None,
            signal: false,
            findings: &[],
            province: None,
        },
        Case {
            title: "",
            text: "经查，起火原因为电动自行车锂电池故障。",
            kind: None,
            signal: true,
            findings: &[("电动自行车用蓄电池", "火灾")],
            province: None,
        },
        Case {
            title: "",
            text: "苏州一男子网购“三无”电动车充电器，使用一周后充电器炸裂。",
            kind: None,
            signal: true,
            findings: &[
                ("电动自行车充电器", "假冒伪劣"),
                ("电动自行车充电器", "爆炸"),
            ],
            province: Some("江苏省"),
        },
        Case {
            title: "",
            text: "来自安徽的务工人员小李在杭州萧山的出租屋内给电瓶车充电，电瓶车突然起火。",
            kind: None,
            signal: true,
            findings: &[("电动自行车", "火灾")],
            province: Some("浙江省"),
        },
        Case {
            title: "",
            text: "追评：暖风机用了半个月，插头位置烧黑了，差评！",
            kind: Some(DocKind::Listing),
            signal: true,
            findings: &[("室内加热器", "火灾")],
            province: None,
        },
        Case {
            title: "",
            text: "石家庄市裕华区一居民家的空调外机突然起火，火苗顺着外墙往上窜，消防员用时20分钟将火扑灭。",
            kind: None,
            signal: true,
            findings: &[("房间空气调节器", "火灾")],
            province: Some("河北省"),
        },
    ];

    #[test]
    fn labelled_cases() {
        let an = super::tests::shared();
        let mut failures = Vec::new();
        for (i, c) in CASES.iter().enumerate() {
            let x = an.analyze(
                &example_doc(c.title, c.text, c.kind),
                &mut ClusterIndex::new(),
            );
            let got: Vec<(String, String)> = x
                .findings
                .iter()
                .map(|f| (f.category.clone(), f.hazard.clone()))
                .collect();
            let want: Vec<(String, String)> = c
                .findings
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            let same_findings = got.len() == want.len() && want.iter().all(|w| got.contains(w));
            let province = x.findings.first().and_then(|f| f.province.clone());
            if x.is_signal != c.signal
                || !same_findings
                || (c.signal && province.as_deref() != c.province)
            {
                failures.push(format!(
                    "case {i} ({}{}): signal {} reason {:?} findings {got:?} province {province:?} categories {:?}",
                    c.title,
                    c.text.chars().take(20).collect::<String>(),
                    x.is_signal,
                    x.reason,
                    x.categories
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
