//! The analyzer's tables from the parsed rule files, step by step: categories and hazards with
//! their names resolved to indices, the kind and genre rules, the substring patterns and their
//! flags, the anchor terms, the token-phrase matcher, the noun index, and the word lists taken
//! as they are. `Analyzer::build` (build.rs) calls them in an order that matters (see there).

use super::*;

/// Category name → its index in products.toml.
pub(super) fn category_index(f: &rules::RuleFiles) -> HashMap<&str, usize> {
    f.products
        .category
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect()
}

/// Hazard name → its index in hazards.toml.
pub(super) fn hazard_index(f: &rules::RuleFiles) -> HashMap<&str, usize> {
    f.hazards
        .hazard
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.as_str(), i))
        .collect()
}

/// The failure, all-pass and tested wording: the first substring patterns, with their flags.
pub(super) fn add_verdict_cues(cues: &rules::CuesFile, substr: &mut PatternSet) {
    for c in &cues.failure.cues {
        substr.id(&prepare(c), FAILURE);
    }
    for c in &cues.all_pass.cues {
        substr.id(&prepare(c), ALL_PASS);
    }
    for c in &cues.tested.cues {
        substr.id(&prepare(c), TESTED);
    }
}

/// The categories of products.toml with names resolved to indices; their exclusions become
/// substring patterns.
pub(super) fn categories(
    f: &rules::RuleFiles,
    cat_index: &HashMap<&str, usize>,
    hazard_index: &HashMap<&str, usize>,
    substr: &mut PatternSet,
) -> Vec<Category> {
    f.products
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
            part_of: c.part_of.clone(),
            principal: c
                .principal_hazards
                .iter()
                .filter_map(|h| hazard_index.get(h.as_str()).copied())
                .collect(),
            child: c.child.as_deref().and_then(|n| cat_index.get(n).copied()),
            accessory: c.accessory,
            recall_nationwide: c.recall_nationwide,
            kinds: c
                .kinds
                .iter()
                .filter_map(|k| {
                    let c = cat_index.get(k.category.as_str()).copied()?;
                    Some((k.words.iter().map(|w| prepare(w)).collect(), c))
                })
                .collect(),
            implied_by: c
                .implied_by
                .iter()
                .map(|s| substr.id(&prepare(s), 0))
                .collect(),
        })
        .collect()
}

/// The hazards of hazards.toml with category names resolved; their exclusions become substring
/// patterns.
pub(super) fn hazards(
    f: &rules::RuleFiles,
    cat_index: &HashMap<&str, usize>,
    substr: &mut PatternSet,
) -> Vec<Hazard> {
    f.hazards
        .hazard
        .iter()
        .map(|h| Hazard {
            name: h.name.clone(),
            prefer_groups: h.prefer_groups.clone(),
            only_groups: h.only_groups.clone(),
            minor: h.minor,
            protective: h
                .protective
                .iter()
                .filter_map(|c| cat_index.get(c.as_str()).copied())
                .collect(),
            findings_only: h.findings_only,
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
        .collect()
}

/// Product-dependent items by term: one lookup per hazard mention (`keeps_term`).
pub(super) fn product_terms(
    hazards: &[Hazard],
) -> FxHashMap<String, Vec<(usize, Vec<usize>, bool)>> {
    let mut product_terms: FxHashMap<String, Vec<(usize, Vec<usize>, bool)>> = FxHashMap::default();
    for (hi, hz) in hazards.iter().enumerate() {
        let general: Vec<String> = hz.test_items.iter().map(|t| prepare(t)).collect();
        for (cats, items) in &hz.product_items {
            for item in items {
                let entries = product_terms.entry(item.clone()).or_default();
                match entries.iter_mut().find(|(h, _, _)| *h == hi) {
                    Some((_, cs, _)) => {
                        for c in cats {
                            if !cs.contains(c) {
                                cs.push(*c);
                            }
                        }
                    }
                    None => entries.push((hi, cats.clone(), general.contains(item))),
                }
            }
        }
    }
    product_terms
}

/// The company suffixes that name an organisation (those ending in 店 name a shop).
pub(super) fn org_suffixes(cues: &rules::CuesFile) -> Vec<String> {
    cues.company
        .suffixes
        .iter()
        .filter(|s| !s.ends_with('店'))
        .cloned()
        .collect()
}

/// The document-kind rules of cues.toml with a known kind, their words as substring patterns.
pub(super) fn kind_rules(cues: &rules::CuesFile, substr: &mut PatternSet) -> Vec<KindRule> {
    let mut kinds = Vec::new();
    for k in &cues.kind {
        if let Some(kind) = DocKind::parse(&k.kind) {
            kinds.push(KindRule {
                kind,
                any: k.any.iter().map(|s| substr.id(&prepare(s), 0)).collect(),
                also: k.also.iter().map(|s| substr.id(&prepare(s), 0)).collect(),
                title_only: k.title_only,
            });
        }
    }
    kinds
}

/// The genres of cues.toml with a known kind, their words as substring patterns.
pub(super) fn genres(cues: &rules::CuesFile, substr: &mut PatternSet) -> Vec<Genre> {
    let mut ids =
        |v: &[String]| -> Vec<u32> { v.iter().map(|s| substr.id(&prepare(s), 0)).collect() };
    cues.genre
        .iter()
        .filter_map(|g| {
            Some(Genre {
                kind: DocKind::parse(&g.kind)?,
                evidence: ids(&g.evidence),
                also: ids(&g.also),
                relay_also: ids(&g.relay_also),
                unless: ids(&g.unless),
                service: ids(&g.service),
                consequence_real: g.consequence_real,
                items_count: g.items_count,
                requirements: g.requirements,
                unnamed: g.unnamed,
                principal: g.principal,
                severity: g.severity,
                publisher_place: g.publisher_place,
                national_first: g.national_first,
            })
        })
        .collect()
}

/// The words a regex cannot match without (see [`ORG`]), flagged so a document without one
/// skips the regex.
pub(super) fn add_regex_gates(
    cues: &rules::CuesFile,
    org_suffixes: &[String],
    substr: &mut PatternSet,
) {
    for suffix in org_suffixes {
        substr.id(&prepare(suffix), ORG);
    }
    for (words, flag) in [
        (&["不合格"][..], NONCONFORMING),
        (&["gb", "/t"], STD),
        (&["牌", "商标"], BRAND),
    ] {
        for w in words {
            substr.id(w, flag);
        }
    }
    for suffix in &cues.shop.suffixes {
        substr.id(&prepare(suffix), SHOP);
    }
    // a brand mark of `[brands]` (牌, 品牌) marks a text worth the token walk of brand_spans
    for mark in &cues.brands.marks {
        substr.id(&prepare(mark), BRAND);
    }
}

/// Anchor term → the anchored categories it refines into, and the last characters of those
/// terms.
pub(super) fn anchor_terms(categories: &[Category]) -> (FxHashMap<String, Vec<usize>>, CharSet) {
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
    let anchor_term_ends = CharSet::new(
        anchor_term_cats
            .keys()
            .filter_map(|t| t.chars().next_back()),
    );
    (anchor_term_cats, anchor_term_ends)
}

/// English names and hazard terms (foreign recalls) are phrases but no user words: jieba
/// already cuts Latin text into words, so a term matches whole words only ("lead" is no match
/// in "leads"), and the text is lower-cased, so in any case.
pub(super) fn add_foreign_phrases(f: &rules::RuleFiles, phrases: &mut Vec<(String, Target)>) {
    for (i, c) in f.products.category.iter().enumerate() {
        for a in &c.en {
            phrases.push((prepare(a), Target::Category(i)));
        }
    }
    for (i, h) in f.hazards.hazard.iter().enumerate() {
        for t in &h.en {
            phrases.push((prepare(t), Target::Hazard(i, Strength::Strong)));
        }
        for t in &h.en_items {
            phrases.push((prepare(t), Target::Hazard(i, Strength::TestItem)));
        }
    }
}

/// The register words of two characters or more (prepared), with their index in the list.
fn register_words(cues: &rules::CuesFile) -> impl Iterator<Item = (usize, String)> {
    cues.generic
        .register
        .iter()
        .map(|w| prepare(w))
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 2)
}

/// The variant spellings that fold: a written form of the same byte length as the rules' one.
fn variant_pairs(cues: &rules::CuesFile) -> impl Iterator<Item = &(String, String)> {
    cues.variants
        .pairs
        .iter()
        .filter(|(a, b)| !a.is_empty() && a != b && a.len() == b.len())
}

/// First token → the distinct (token sequence, target) of every phrase, cut by `jieba`.
pub(super) fn phrase_matcher(
    jieba: &Jieba,
    phrases: &[(String, Target)],
) -> FxHashMap<String, Vec<(Vec<String>, Target)>> {
    // Cutting the ~10 k phrases was the largest step left of a start: both cores, each half.
    let cut = |part: &[(String, Target)]| -> Vec<Vec<String>> {
        part.iter()
            .map(|(p, _)| {
                jieba
                    .cut(p, false)
                    .iter()
                    .map(|t| t.word.to_string())
                    .collect()
            })
            .collect()
    };
    let (front, back) = phrases.split_at(phrases.len() / 2);
    let mut cuts = std::thread::scope(|s| {
        let back = s.spawn(|| cut(back));
        let mut cuts = cut(front);
        cuts.extend(back.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        cuts
    });
    let mut matcher: FxHashMap<String, Vec<(Vec<String>, Target)>> = FxHashMap::default();
    for ((_, t), toks) in phrases.iter().zip(cuts.drain(..)) {
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
    matcher
}

/// The indices of the hazards 未指明 and 非安全质量 and of the category 未归类, which the
/// analysis falls back on; `None` when one is missing.
pub(super) fn required(
    hazards: &[Hazard],
    categories: &[Category],
) -> Option<(usize, usize, usize)> {
    let hazard_named = |n: &str| hazards.iter().position(|h| h.name == n);
    Some((
        hazard_named(rules::UNSPECIFIED)?,
        hazard_named(rules::NON_SAFETY)?,
        categories
            .iter()
            .position(|c| c.name == rules::UNCLASSIFIED)?,
    ))
}

/// What [`Analyzer::build`] computed in steps; [`assemble`] adds the word lists taken as
/// they are from the rule files.
pub(super) struct Tables {
    pub(super) vocabulary: Arc<Vocabulary>,
    pub(super) jieba: Arc<Jieba>,
    pub(super) categories: Vec<Category>,
    pub(super) hazards: Vec<Hazard>,
    pub(super) product_terms: FxHashMap<String, Vec<(usize, Vec<usize>, bool)>>,
    pub(super) kinds: Vec<KindRule>,
    pub(super) genres: Vec<Genre>,
    pub(super) unaffected: Vec<u32>,
    pub(super) declaring: Vec<u32>,
    pub(super) unspecified: usize,
    pub(super) non_safety: usize,
    pub(super) unclassified: usize,
    pub(super) substr: super::phrases::Phrases,
    pub(super) substr_flags: Vec<u8>,
    pub(super) place_names: Vec<String>,
    pub(super) anchor_term_cats: FxHashMap<String, Vec<usize>>,
    pub(super) anchor_term_ends: CharSet,
    pub(super) matcher: FxHashMap<String, Vec<(Vec<String>, Target)>>,
    pub(super) org_re: Regex,
    pub(super) shop_re: Regex,
}

/// The index placing a product noun no alias matched: every category name and alias, the
/// generic heads, and the heads of cues.toml `[unclassified]` with a known category.
pub(super) fn noun_index(
    f: &rules::RuleFiles,
    cat_index: &HashMap<&str, usize>,
) -> nouns::NounIndex {
    let cues = &f.cues;
    let names = f.products.category.iter().enumerate().flat_map(|(i, c)| {
        std::iter::once(&c.name)
            .chain(&c.aliases)
            .chain(&c.en)
            .map(move |a| (prepare(a), i))
    });
    // a phrase a category excludes ("medical face masks") places no noun holding it there
    let excludes = f
        .products
        .category
        .iter()
        .map(|c| c.exclude.iter().map(|e| prepare(e)).collect())
        .collect();
    let heads: Vec<nouns::HeadRule> = cues
        .unclassified
        .heads
        .iter()
        .filter_map(|h| {
            Some(nouns::HeadRule {
                ends: h.ends.iter().map(|s| prepare(s)).collect(),
                with: h.with.iter().map(|s| prepare(s)).collect(),
                category: cat_index.get(h.category.as_str()).copied()?,
                over_alias: h.over_alias,
            })
        })
        .collect();
    nouns::NounIndex::new(
        names,
        cues.unclassified
            .generic_heads
            .iter()
            .map(|s| prepare(s))
            .collect(),
        heads,
    )
    .with_excludes(excludes)
    .with_en_heads(en_heads(f))
    .with_failed_items(failed_items(f, cat_index))
    .with_category_names(
        f.products
            .category
            .iter()
            .map(|c| prepare(&c.name).chars().collect())
            .collect(),
    )
    .with_group_fallbacks({
        // (a group's fallback is a category of that group)
        let cats = &f.products.category;
        let fallbacks: HashMap<&str, usize> = cats
            .iter()
            .enumerate()
            .filter(|(_, d)| rules::is_group_fallback(&d.name, &d.group))
            .map(|(i, d)| (d.group.as_str(), i))
            .collect();
        cats.iter()
            .map(|c| fallbacks.get(c.group.as_str()).copied())
            .collect()
    })
}

/// Clause titles of the standard families that place unknown nouns (`unknown`) → that category.
/// Only titles of five characters or more: a short item (结构, 机械强度) names checks of many kinds
/// of product. A title two families send to different categories places nothing.
fn failed_items(
    f: &rules::RuleFiles,
    cat_index: &HashMap<&str, usize>,
) -> FxHashMap<String, usize> {
    let mut out: FxHashMap<String, Option<usize>> = FxHashMap::default();
    for fam in &f.hazards.standard_family {
        let Some(c) = fam
            .unknown
            .as_ref()
            .and_then(|u| cat_index.get(u.category.as_str()))
        else {
            continue;
        };
        for item in fam.items.iter().filter(|i| i.item.chars().count() >= 5) {
            let e = out.entry(prepare(&item.item)).or_insert(Some(*c));
            if *e != Some(*c) {
                *e = None;
            }
        }
    }
    // (a title of a family without `unknown` is no appliance's own either)
    for fam in f
        .hazards
        .standard_family
        .iter()
        .filter(|f| f.unknown.is_none())
    {
        for item in &fam.items {
            if let Some(e) = out.get_mut(&prepare(&item.item)) {
                *e = None;
            }
        }
    }
    out.into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
}

/// English head words → the fallback `其他<group>` of the group whose categories' English names
/// end in it most often (two or more, strictly more than any other group's): an unknown "egg cookers" is an
/// appliance because rice, slow and pressure cookers mostly are. A head of no clear group
/// ("chargers": phones', cars' and e-bikes') places nothing.
fn en_heads(f: &rules::RuleFiles) -> FxHashMap<String, usize> {
    let cats = &f.products.category;
    let fallback: HashMap<&str, usize> = cats
        .iter()
        .enumerate()
        .filter(|(_, c)| rules::is_group_fallback(&c.name, &c.group) || c.name == c.group)
        .map(|(i, c)| (c.group.as_str(), i))
        .collect();
    // head → group → categories naming it
    let mut by_head: HashMap<String, HashMap<&str, usize>> = HashMap::new();
    for c in cats {
        if fallback
            .get(c.group.as_str())
            .is_none_or(|&i| cats[i].name == c.name)
        {
            continue;
        }
        let heads: std::collections::HashSet<String> =
            c.en.iter()
                .filter_map(|e| prepare(e).rsplit([' ', '-']).next().map(str::to_string))
                .collect();
        for h in heads {
            *by_head
                .entry(h)
                .or_default()
                .entry(c.group.as_str())
                .or_default() += 1;
        }
    }
    let mut out = FxHashMap::default();
    for (head, groups) in by_head {
        let mut counts: Vec<(usize, &str)> = groups.iter().map(|(g, n)| (*n, *g)).collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        // (two categories at least: one category's word is its own, not its group's — the
        // charging "stations" of cars say nothing of power stations)
        let clear = counts.first().is_some_and(|top| top.0 >= 2)
            && counts.get(1).is_none_or(|second| counts[0].0 > second.0);
        if let Some(&(_, group)) = counts.first()
            && clear
            && let Some(&i) = fallback.get(group)
        {
            out.insert(head, i);
        }
    }
    out
}

/// Every hazard pair of hazards.toml, in order: its hazard, the categories it names and whether
/// its `who` word may stand in an earlier clause of the sentence.
pub(super) fn pairs(
    f: &rules::RuleFiles,
    cat_index: &HashMap<&str, usize>,
) -> Vec<(usize, Vec<usize>, bool)> {
    f.hazards
        .hazard
        .iter()
        .enumerate()
        .flat_map(|(h, r)| r.pairs.iter().map(move |pr| (h, pr)))
        .map(|(h, pr)| {
            let cats = pr
                .categories
                .iter()
                .filter_map(|c| cat_index.get(c.as_str()).copied())
                .collect();
            (h, cats, pr.sentence)
        })
        .collect()
}

/// The endings of a product noun (prepared): the `[unclassified]` suffixes, and every Han ending
/// of two characters or more of a head rule that needs no modifier — a noun its head rule places
/// is a product noun (麦克风, 拨浪鼓), though no suffix was written for it. (Single characters of
/// the head rules stay out unless listed: 被 and 席 end passives and 出席 as often as quilts.)
fn noun_suffixes(u: &rules::Unclassified) -> Vec<String> {
    let mut out: Vec<String> = u.suffixes.iter().map(|s| prepare(s)).collect();
    for h in u.heads.iter().filter(|h| h.with.is_empty()) {
        for e in &h.ends {
            if e.chars().count() >= 2 && super::super::text::han_word(e) {
                out.push(prepare(e));
            }
        }
    }
    // (single characters first: most product nouns end in one, and `Endings` asks in order)
    out.sort_unstable_by(|a, b| (a.chars().count(), a).cmp(&(b.chars().count(), b)));
    out.dedup();
    out
}

/// The categories that refine another (products.toml `anchor`).
fn anchored(categories: &[Category]) -> Vec<usize> {
    categories
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.anchor.is_empty())
        .map(|(ci, _)| ci)
        .collect()
}

/// (prepared phrase, category) of every products.toml `joint` name.
fn joints(f: &rules::RuleFiles, cat_index: &HashMap<&str, usize>) -> Vec<(String, usize)> {
    f.products
        .category
        .iter()
        .filter_map(|c| Some((c, cat_index.get(c.name.as_str()).copied()?)))
        .flat_map(|(c, ci)| c.joint.iter().map(move |j| (prepare(j), ci)))
        .collect()
}

/// The analyzer of the built `t`, the gazetteer and the word lists of the rule files (prepared).
pub(super) fn assemble(
    f: &rules::RuleFiles,
    cat_index: &HashMap<&str, usize>,
    gaz: Gazetteer,
    t: Tables,
) -> Analyzer {
    let cues = &f.cues;
    let words = prepared;
    Analyzer {
        vocabulary: t.vocabulary,
        genres: t.genres,
        unaffected: t.unaffected,
        unspecified: t.unspecified,
        non_safety: t.non_safety,
        unclassified: t.unclassified,
        noun_suffixes: Endings::new(noun_suffixes(&cues.unclassified)),
        noun_not: Endings::new(words(&cues.unclassified.not)),
        objects: object_words(&cues.unclassified),
        citing: finders(words(&f.products.citing)),
        declaring: t.declaring,
        nouns: noun_index(f, cat_index),
        anchor_term_cats: t.anchor_term_cats,
        anchor_term_ends: t.anchor_term_ends,
        child_words: words(&f.products.child_words),
        child_firsts: first_chars(&f.products.child_words),
        jieba: t.jieba,
        anchored: anchored(&t.categories),
        child_cats: super::super::compounds::child_categories(&t.categories),
        joints: joints(f, cat_index),
        categories: t.categories,
        hazards: t.hazards,
        product_terms: t.product_terms,
        modifiers: cues.modifier.iter().map(|m| m.raise).collect(),
        vulnerable: cues.vulnerable.iter().map(|v| v.name.clone()).collect(),
        kind_masks: super::kind::kind_masks(&t.kinds, t.substr_flags.len()),
        kinds: t.kinds,
        substr: t.substr,
        substr_flags: t.substr_flags,
        victim_lists: words(&cues.victim.lists),
        victim_away: (
            words(&cues.victim.away),
            words(&cues.victim.from),
            words(&cues.victim.distance),
        ),
        consequence_words: words(&cues.consequence.words).into_iter().collect(),
        consequence_firsts: first_chars(&cues.consequence.words),
        defects: super::hazards::DefectCues {
            words: words(&cues.defects.words),
            items: words(&cues.defects.items),
        },
        place_glue: words(&cues.place_glue.words),
        failure_words: words(&cues.failure.cues).into_iter().collect(),
        failure_lens: words(&cues.failure.cues)
            .iter()
            .fold(0, |m, w| m | len_bit(w.len())),
        failure_lasts: CharSet::new(
            words(&cues.failure.cues)
                .iter()
                .filter_map(|w| w.chars().next_back()),
        ),
        place_firsts: CharSet::new(t.place_names.iter().filter_map(|n| n.chars().next())),
        place_lasts: CharSet::new(t.place_names.iter().filter_map(|n| n.chars().next_back())),
        glue_lasts: CharSet::new(
            t.place_names
                .iter()
                .chain(&words(&cues.place_glue.words))
                .filter_map(|n| n.chars().next_back()),
        ),
        variants: variant_pairs(cues).cloned().collect(),
        variant_froms: Words::new(variant_pairs(cues).map(|(a, _)| a.clone())),
        place_hashes: t.place_names.iter().map(|n| place_hash(n)).collect(),
        place_names: t.place_names,
        platforms: cues.platforms.names.clone(),
        publisher_suffixes: Openings::new(words(&cues.publisher.suffixes)),
        publisher_ends: Endings::new(words(&cues.publisher.suffixes)),
        agencies: words(&cues.dateline.agencies),
        gaz,
        lexicon: Lexicon::new(
            t.matcher,
            &[
                (lex::JOIN, words(&cues.coordination.words)),
                (lex::OBJECT_VERB, words(&cues.unclassified.object_verbs)),
                (lex::LEAD_NOT, words(&cues.unclassified.not_before)),
                (lex::BRAND_MARK, words(&cues.brands.marks)),
                (lex::CHILD, words(&f.products.child_words)),
                (lex::CHILD_OWNER, words(&f.products.child_owners)),
                (lex::INSTRUMENT, words(&cues.victim.instruments)),
                (lex::MEANS, words(&cues.victim.means)),
                (lex::VICTIM_VERB, words(&cues.victim.cues)),
                (lex::DAMAGED, words(&cues.damaged.words)),
                (lex::DEFECT_LEAD, words(&cues.defects.leads)),
                (lex::ANAPHOR, words(&f.products.anaphora)),
                (
                    lex::MEASURE,
                    words(&super::super::substances::measure_words(f)),
                ),
            ],
        ),
        org_re: t.org_re,
        shop_re: t.shop_re,
        brand_re: LazyRegex::new(regexes::BRAND),
        std_re: LazyRegex::new(regexes::STD),
        dateline_re: LazyRegex::new(regexes::DATELINE),
        failed_batches_re: LazyRegex::new(regexes::FAILED_BATCHES),
        partial_pass_re: LazyRegex::new(regexes::PARTIAL_PASS),
        maker_re: LazyRegex::new(regexes::MAKER),
        date_re: LazyRegex::new(regexes::DATE),
        neg_window: cues.negation.window.unwrap_or(6),
        failure_statistics: words(&cues.failure.statistics),
        failure_respondents: words(&cues.failure.respondents),
        pairs: pairs(f, cat_index),
        substances: super::super::substances::table(f),
        brand_not: words(&cues.brands.not),
        mandatory_titles: text::Words::new(super::mandatory_titles(f)),
        title_changes: text::Words::new(words(&cues.standard_titles.changes)),
        title_international: text::Words::new(words(&cues.standard_titles.international)),
        place_lead: last_chars(&cues.place_roles.lead),
        standard_origin: text::Words::new(words(&cues.place_roles.standard)),
        standard_bodies: prepared(&cues.place_roles.standard_bodies),
        standard_verbs: prepared(&cues.place_roles.standard_verbs),
        meeting_verbs: text::Words::new(words(&cues.place_roles.meeting_verbs)),
        meeting_nouns: text::Words::new(words(&cues.place_roles.meeting_nouns)),
        makers: text::Words::new(words(&cues.place_roles.makers)),
        not_between: text::Words::new(words(&cues.place_roles.not_between)),
        generic_min: cues.generic.min.unwrap_or(3),
        register_words: register_words(cues).collect(),
        register_firsts: CharSet::new(register_words(cues).filter_map(|(_, w)| w.chars().next())),
        persons: Endings::new(words(&cues.generic.persons)),
        origin_words: Endings::new(words(&cues.origin.words)),
        made_in: Openings::new(words(&cues.made_in.words)),
        made_in_before: Endings::new(words(&cues.made_in.before)),
        made_in_not: Openings::new(words(&cues.made_in.not)),
        join_words: words(&cues.coordination.words),
        not_names: words(&cues.not_names.words),
        neg_words: cues::NegWords::new(&cues.negation),
        use_words: UseWords::new(&cues.hypothetical),
        drill_method: (words(&cues.drill.method), words(&cues.drill.demonstrate)),
        drill_disclosure: words(&cues.drill.disclosure),
        hypo_happened: words(&cues.hypothetical.happened),
        hypo_happened_prefix: words(&cues.hypothetical.happened_prefix),
        hypo_particular: words(&cues.hypothetical.particular),
        hypo_unconfirmed: words(&cues.hypothetical.unconfirmed),
        hypo_not_retraction: words(&cues.hypothetical.not_retraction()),
    }
}

/// cues.toml `[unclassified]` words around an object noun, prepared.
fn object_words(u: &crate::analyze::rules::Unclassified) -> objects::ObjectWords {
    let words = prepared;
    objects::ObjectWords {
        counts: words(&u.object_counts),
        fillers: words(&u.object_fillers),
        openers: words(&u.object_openers),
    }
}

/// A substring search (memchr's SIMD one) for each word, built once: `match_indices` set one
/// up for every text.
fn finders(words: Vec<String>) -> Vec<memchr::memmem::Finder<'static>> {
    words
        .iter()
        .map(|w| memchr::memmem::Finder::new(w.as_str()).into_owned())
        .collect()
}

/// The first character of each word, prepared, as a set.
fn first_chars(words: &[String]) -> CharSet {
    CharSet::new(words.iter().filter_map(|w| prepare(w).chars().next()))
}

/// The last character of each word, prepared.
fn last_chars(words: &[String]) -> Vec<char> {
    words
        .iter()
        .filter_map(|w| prepare(w).chars().next_back())
        .collect()
}
