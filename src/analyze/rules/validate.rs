//! Validation of the parsed rule files as a table of checks: each check looks at one kind of
//! rule and adds a file:line error for every rule it finds wrong. The checks run in table
//! order, so the errors of a load come in the order the files are read by a person: products,
//! then the cross references, hazards, then cues.

use std::collections::HashSet;

use super::*;
use crate::config::{line_in_block, line_of};

/// One check of the rule files: pushes an error for each rule it finds wrong.
type Check = fn(&Rules<'_>, &mut Vec<ConfigError>);

/// Every check, in the order their errors are reported.
const CHECKS: &[Check] = &[
    category_names,
    product_word_lists,
    principal_hazards,
    child_categories,
    anchor_categories,
    joint_names,
    part_of_groups,
    english_terms,
    unclassified_heads,
    standard_families,
    hazard_rules,
    kind_rules,
    genre_rules,
    required_names,
    modifiers,
    suffix_lists,
    standard_title_words,
    negation_cues,
    variant_pairs,
];

/// Every error of the rule files, located.
pub(super) fn validate(f: &RuleFiles) -> Vec<ConfigError> {
    let rules = Rules::new(f);
    let mut errs = Vec::new();
    for check in CHECKS {
        check(&rules, &mut errs);
    }
    errs
}

/// The rule files and the names the checks look references up in.
struct Rules<'a> {
    f: &'a RuleFiles,
    /// Category names of products.toml.
    categories: HashSet<&'a str>,
    /// Hazard names of hazards.toml.
    hazards: HashSet<&'a str>,
    /// Product groups of products.toml.
    groups: HashSet<&'a str>,
}

impl<'a> Rules<'a> {
    fn new(f: &'a RuleFiles) -> Self {
        let cats = &f.products.category;
        Rules {
            f,
            categories: cats.iter().map(|c| c.name.as_str()).collect(),
            hazards: f.hazards.hazard.iter().map(|h| h.name.as_str()).collect(),
            groups: cats.iter().map(|c| c.group.as_str()).collect(),
        }
    }

    /// (label, text) of products.toml.
    fn products(&self) -> (&'a str, &'a str) {
        (&self.f.texts[0].0, &self.f.texts[0].1)
    }

    /// (label, text) of hazards.toml.
    fn hazards_file(&self) -> (&'a str, &'a str) {
        (&self.f.texts[1].0, &self.f.texts[1].1)
    }

    /// (label, text) of cues.toml.
    fn cues(&self) -> (&'a str, &'a str) {
        (&self.f.texts[2].0, &self.f.texts[2].1)
    }
}

/// Why an `en` term cannot be matched as English words, if it cannot: it must be letters (and
/// digits, hyphens, apostrophes) in words separated by single spaces, since jieba cuts Latin text
/// into such words and the term is matched on them.
fn bad_english(t: &str) -> Option<String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '\'' | ':');
    if t.trim() != t || t.is_empty() || t.contains("  ") {
        return Some(format!(
            "en term {t:?}: no empty term, no leading, trailing or double spaces"
        ));
    }
    if !t.chars().all(ok_char) || !t.chars().any(|c| c.is_ascii_alphabetic()) {
        return Some(format!(
            "en term {t:?}: English words only (ASCII letters, digits, hyphens, apostrophes, a field's colon)"
        ));
    }
    None
}

/// Each category has a group and a name of its own, `anchor` goes with `anchor_terms`, and no
/// alias or phrase is empty.
fn category_names(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    let mut names = HashSet::new();
    for (i, c) in r.f.products.category.iter().enumerate() {
        if c.name.trim().is_empty() || c.group.trim().is_empty() {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "name"),
                "category needs a group and a name",
            ));
        }
        if !names.insert(c.name.as_str()) {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "name"),
                format!("duplicate category `{}`", c.name),
            ));
        }
        if c.anchor_terms.is_empty() != c.anchor.is_empty() {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "anchor"),
                "`anchor` and `anchor_terms` go together",
            ));
        }
        if c.aliases
            .iter()
            .chain(&c.exclude)
            .chain(&c.anchor_terms)
            .any(|a| a.trim().is_empty())
        {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "aliases"),
                "empty alias or phrase",
            ));
        }
    }
}

/// products.toml's word lists hold no empty word: an empty child word would begin every word
/// (every product would be one for children) and an empty citing word stand at every character.
fn product_word_lists(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    let p = &r.f.products;
    for (key, list) in [
        ("child_words", &p.child_words),
        ("citing", &p.citing),
        ("declaring", &p.declaring),
        ("anaphora", &p.anaphora),
    ] {
        if list.iter().any(|w| w.trim().is_empty()) {
            let at = pt.find(&format!("\n{key} =")).map_or(0, |i| i + 1);
            errs.push(ConfigError::new(
                pl,
                line_of(pt, at),
                format!("`{key}` holds an empty word"),
            ));
        }
    }
}

/// A category's principal hazards are hazards of hazards.toml.
fn principal_hazards(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    for (i, c) in r.f.products.category.iter().enumerate() {
        for h in &c.principal_hazards {
            if !r.hazards.contains(h.as_str()) {
                errs.push(ConfigError::new(
                    pl,
                    line_in_block(pt, "category", i, "principal_hazards"),
                    format!("unknown hazard `{h}` in principal_hazards"),
                ));
            }
        }
    }
}

/// A category's child is a category, and a child needs the words that make a product one for
/// children; a category's kinds name known categories and their words.
fn child_categories(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    for (i, c) in r.f.products.category.iter().enumerate() {
        if let Some(child) = &c.child
            && !r.categories.contains(child.as_str())
        {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "child"),
                format!("unknown child category `{child}`"),
            ));
        }
        for k in &c.kinds {
            if !r.categories.contains(k.category.as_str()) || k.words.is_empty() {
                errs.push(ConfigError::new(
                    pl,
                    line_in_block(pt, "category", i, "kinds"),
                    format!("a kind needs words and a known category (`{}`)", k.category),
                ));
            }
        }
        if c.child.is_some() && r.f.products.child_words.is_empty() {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "child"),
                "`child` needs the file's `child_words`".to_string(),
            ));
        }
    }
}

/// The groups a category's part words are parts of are product groups.
fn part_of_groups(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    for (i, c) in r.f.products.category.iter().enumerate() {
        for g in &c.part_of {
            if !r.groups.contains(g.as_str()) {
                errs.push(ConfigError::new(
                    pl,
                    line_in_block(pt, "category", i, "part_of"),
                    format!("unknown product group `{g}` in part_of"),
                ));
            }
        }
    }
}

/// A category's joint names are aliases of another category (what a mention goes through).
fn joint_names(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    let cats = &r.f.products.category;
    for (i, c) in cats.iter().enumerate() {
        for j in &c.joint {
            let held = cats
                .iter()
                .enumerate()
                .any(|(k, o)| k != i && (o.name == *j || o.aliases.contains(j)));
            if !held {
                errs.push(ConfigError::new(
                    pl,
                    line_in_block(pt, "category", i, "joint"),
                    format!("joint name `{j}` is no alias of another category"),
                ));
            }
        }
    }
}

/// A category's anchors are categories.
fn anchor_categories(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    for (i, c) in r.f.products.category.iter().enumerate() {
        for a in &c.anchor {
            if !r.categories.contains(a.as_str()) {
                errs.push(ConfigError::new(
                    pl,
                    line_in_block(pt, "category", i, "anchor"),
                    format!("unknown anchor category `{a}`"),
                ));
            }
        }
    }
}

/// The `en` terms of categories, then of hazards, can be matched as English words.
fn english_terms(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (pl, pt) = r.products();
    for (i, c) in r.f.products.category.iter().enumerate() {
        if let Some(why) = c.en.iter().find_map(|t| bad_english(t)) {
            errs.push(ConfigError::new(
                pl,
                line_in_block(pt, "category", i, "en"),
                why,
            ));
        }
    }
    let (hl, ht) = r.hazards_file();
    for (i, h) in r.f.hazards.hazard.iter().enumerate() {
        for (key, terms) in [("en", &h.en), ("en_items", &h.en_items)] {
            if let Some(why) = terms.iter().find_map(|t| bad_english(t)) {
                errs.push(ConfigError::new(
                    hl,
                    line_in_block(ht, "hazard", i, key),
                    why,
                ));
            }
        }
        hazard_substances(r, i, h, errs);
    }
}

/// The `substances` rule of hazard `i`: endings of one character each, and neither list empty.
fn hazard_substances(r: &Rules<'_>, i: usize, h: &HazardRule, errs: &mut Vec<ConfigError>) {
    let Some(sub) = &h.substances else {
        return;
    };
    let (hl, ht) = r.hazards_file();
    let mut why = Vec::new();
    if let Some(e) = sub.endings.iter().find(|e| e.chars().count() != 1) {
        why.push(format!("substances ending {e:?}: one character each"));
    }
    if sub.endings.is_empty() || sub.measures.is_empty() {
        why.push("substances: endings and measures must not be empty".to_string());
    }
    // (a blank measure word would be a blank user word of the tokenizer)
    if sub.measures.iter().any(|m| m.trim().is_empty()) {
        why.push("substances: a blank measure word".to_string());
    }
    for w in why {
        errs.push(ConfigError::new(
            hl,
            line_in_block(ht, "hazard", i, "substances"),
            w,
        ));
    }
}

/// A head rule of cues.toml `[unclassified]` names a category and has endings.
fn unclassified_heads(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    for h in &r.f.cues.unclassified.heads {
        if !r.categories.contains(h.category.as_str()) {
            errs.push(ConfigError::new(
                cl,
                table_line(ct, "unclassified"),
                format!("unknown category `{}` in [unclassified] heads", h.category),
            ));
        }
        if h.ends.is_empty() {
            errs.push(ConfigError::new(
                cl,
                table_line(ct, "unclassified"),
                "a head rule needs `ends`",
            ));
        }
    }
}

/// A standard family names known groups or categories, and its clauses known hazards, each
/// with an item and an example.
fn standard_families(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = r.hazards_file();
    for (i, fam) in r.f.hazards.standard_family.iter().enumerate() {
        let line = line_in_block(ht, "standard_family", i, "standard");
        for g in &fam.groups {
            if !r.groups.contains(g.as_str()) {
                errs.push(ConfigError::new(hl, line, format!("unknown group `{g}`")));
            }
        }
        for c in &fam.categories {
            if !r.categories.contains(c.as_str()) {
                errs.push(ConfigError::new(
                    hl,
                    line,
                    format!("unknown category `{c}`"),
                ));
            }
        }
        if let Some(u) = &fam.unknown
            && !r.categories.contains(u.category.as_str())
        {
            errs.push(ConfigError::new(
                hl,
                line,
                format!("unknown category `{}` in unknown", u.category),
            ));
        }
        if fam.groups.is_empty() && fam.categories.is_empty() {
            errs.push(ConfigError::new(
                hl,
                line,
                "a standard family needs `groups` or `categories`",
            ));
        }
        for c in &fam.items {
            if !r.hazards.contains(c.hazard.as_str()) {
                errs.push(ConfigError::new(
                    hl,
                    example_line(ht, line, &c.item),
                    format!("unknown hazard `{}` for item `{}`", c.hazard, c.item),
                ));
            }
            if c.item.trim().is_empty() || c.example.trim().is_empty() {
                errs.push(ConfigError::new(
                    hl,
                    example_line(ht, line, &c.item),
                    "a clause needs an item and an example",
                ));
            }
        }
    }
}

/// Each hazard in turn: a name of its own, its pairs, product items and groups, a severity of
/// GB/T 22760, and non-empty terms.
fn hazard_rules(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = r.hazards_file();
    let mut names = HashSet::new();
    for (i, h) in r.f.hazards.hazard.iter().enumerate() {
        if !names.insert(h.name.as_str()) {
            errs.push(ConfigError::new(
                hl,
                line_in_block(ht, "hazard", i, "name"),
                format!("duplicate hazard `{}`", h.name),
            ));
        }
        hazard_pairs(r, i, h, errs);
        hazard_product_items(r, i, h, errs);
        hazard_categories(r, i, "protective", &h.protective, errs);
        hazard_groups(r, i, h, errs);
        if !(1..=4).contains(&h.severity) {
            errs.push(ConfigError::new(
                hl,
                line_in_block(ht, "hazard", i, "severity"),
                "severity must be 1–4 (GB/T 22760)",
            ));
        }
        if h.terms.is_empty() && h.weak_terms.is_empty() && h.test_items.is_empty() {
            errs.push(ConfigError::new(
                hl,
                line_in_block(ht, "hazard", i, "terms"),
                "hazard has no terms",
            ));
        }
        if h.terms
            .iter()
            .chain(&h.weak_terms)
            .chain(&h.test_items)
            .any(|t| t.trim().is_empty())
        {
            errs.push(ConfigError::new(
                hl,
                line_in_block(ht, "hazard", i, "terms"),
                "empty term",
            ));
        }
    }
}

/// Every name of `names`, hazard `i`'s `key`, is a category of products.toml.
fn hazard_categories(
    r: &Rules<'_>,
    i: usize,
    key: &str,
    names: &[String],
    errs: &mut Vec<ConfigError>,
) {
    let (hl, ht) = r.hazards_file();
    for c in names.iter().filter(|c| !r.categories.contains(c.as_str())) {
        errs.push(ConfigError::new(
            hl,
            line_in_block(ht, "hazard", i, key),
            format!("unknown category `{c}` in {key}"),
        ));
    }
}

/// The pairs of hazard `i` name known categories and words on both sides.
fn hazard_pairs(r: &Rules<'_>, i: usize, h: &HazardRule, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = r.hazards_file();
    for pr in &h.pairs {
        hazard_categories(r, i, "pairs", &pr.categories, errs);
        if pr.who.is_empty() || pr.did.is_empty() {
            errs.push(ConfigError::new(
                hl,
                line_in_block(ht, "hazard", i, "pairs"),
                "a pair needs words in both `who` and `did`",
            ));
        }
    }
}

/// The product items of hazard `i` name known categories and non-empty items.
fn hazard_product_items(r: &Rules<'_>, i: usize, h: &HazardRule, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = r.hazards_file();
    for pi in &h.product_items {
        hazard_categories(r, i, "product_items", &pi.categories, errs);
        if pi.items.is_empty() || pi.items.iter().any(|t| t.trim().is_empty()) {
            errs.push(ConfigError::new(
                hl,
                line_in_block(ht, "hazard", i, "product_items"),
                "product_items needs non-empty items",
            ));
        }
    }
}

/// The preferred groups of hazard `i` are product groups; its only groups are groups or
/// categories.
fn hazard_groups(r: &Rules<'_>, i: usize, h: &HazardRule, errs: &mut Vec<ConfigError>) {
    let (hl, ht) = r.hazards_file();
    // (key, name, whether a category's name is allowed too)
    let named = h
        .prefer_groups
        .iter()
        .map(|g| ("prefer_groups", g, false))
        .chain(h.only_groups.iter().map(|g| ("only_groups", g, true)));
    for (key, g, category_too) in named {
        if r.groups.contains(g.as_str()) || (category_too && r.categories.contains(g.as_str())) {
            continue;
        }
        errs.push(ConfigError::new(
            hl,
            line_in_block(ht, "hazard", i, key),
            format!(
                "unknown product group{} `{g}`",
                if category_too { " or category" } else { "" }
            ),
        ));
    }
}

/// A document-kind rule names a known kind.
fn kind_rules(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    for (i, k) in r.f.cues.kind.iter().enumerate() {
        if crate::model::DocKind::parse(&k.kind).is_none() {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "kind", i, "kind"),
                format!("unknown kind `{}`", k.kind),
            ));
        }
    }
}

/// A genre names a known kind once, a severity of GB/T 22760, and `also` only with `evidence`.
fn genre_rules(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    let genres = &r.f.cues.genre;
    for (i, g) in genres.iter().enumerate() {
        if crate::model::DocKind::parse(&g.kind).is_none() {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "genre", i, "kind"),
                format!("unknown kind `{}`", g.kind),
            ));
        }
        if genres[..i].iter().any(|o| o.kind == g.kind) {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "genre", i, "kind"),
                format!("duplicate genre `{}`", g.kind),
            ));
        }
        if g.severity.is_some_and(|s| !(1..=4).contains(&s)) {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "genre", i, "severity"),
                "severity must be 1–4 (GB/T 22760)",
            ));
        }
        if !g.relay_also.is_empty() && (g.kind != "standard" || g.evidence.is_empty()) {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "genre", i, "relay_also"),
                "`relay_also` belongs to the standard genre, with `evidence`",
            ));
        }
        if !g.also.is_empty() && g.evidence.is_empty() {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "genre", i, "also"),
                "`also` needs `evidence`",
            ));
        }
    }
}

/// Names the analyzer itself relies on (fallbacks): a rule set without them cannot say what the
/// code means to say.
fn required_names(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let ((pl, _), (hl, _)) = (r.products(), r.hazards_file());
    for name in REQUIRED_HAZARDS {
        if !r.hazards.contains(name) {
            errs.push(ConfigError::new(
                hl,
                1,
                format!("hazard `{name}` is missing: the analyzer needs it"),
            ));
        }
    }
    for name in REQUIRED_CATEGORIES {
        if !r.categories.contains(name) {
            errs.push(ConfigError::new(
                pl,
                1,
                format!("category `{name}` is missing: the analyzer needs it"),
            ));
        }
    }
}

/// A modifier raises the level by at most 3.
fn modifiers(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    for (i, m) in r.f.cues.modifier.iter().enumerate() {
        if m.raise > 3 {
            errs.push(ConfigError::new(
                cl,
                line_in_block(ct, "modifier", i, "raise"),
                "raise must be 0–3",
            ));
        }
    }
}

/// An empty suffix list would make every run of characters an organisation or shop name.
fn suffix_lists(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    for (table, list) in [
        ("company", &r.f.cues.company.suffixes),
        ("shop", &r.f.cues.shop.suffixes),
    ] {
        if list.is_empty() || list.iter().any(|s| s.trim().is_empty()) {
            errs.push(ConfigError::new(
                cl,
                table_line(ct, table),
                format!("[{table}] needs non-empty suffixes"),
            ));
        }
    }
}

/// `[standard_titles]` holds no empty word: one would be in every text.
fn standard_title_words(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    let t = &r.f.cues.standard_titles;
    if t.changes
        .iter()
        .chain(&t.international)
        .any(|w| w.trim().is_empty())
    {
        errs.push(ConfigError::new(
            cl,
            table_line(ct, "standard_titles"),
            "[standard_titles] holds an empty word".to_string(),
        ));
    }
}

/// Negation needs cues.
fn negation_cues(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    if r.f.cues.negation.cues.is_empty() {
        errs.push(ConfigError::new(
            cl,
            line_of(ct, ct.find("[negation]").unwrap_or(0)),
            "negation needs cues",
        ));
    }
}

/// Each variant pair rewrites a word to a different one of the same byte length (offsets into
/// the text must hold), folded already (a traditional form is folded before variants apply).
fn variant_pairs(r: &Rules<'_>, errs: &mut Vec<ConfigError>) {
    let (cl, ct) = r.cues();
    let line = table_line(ct, "variants");
    for (from, to) in &r.f.cues.variants.pairs {
        let why = if from.is_empty() || from == to {
            Some("a variant pair rewrites a word to a different one")
        } else if from.len() != to.len() {
            Some("a variant and its standard form must be of the same length in bytes")
        } else if crate::analyze::fold::fold(from) != from.as_str() {
            Some("write the variant folded (simplified, half-width): folding runs first")
        } else {
            None
        };
        if let Some(why) = why {
            let at = example_line(ct, line, from);
            errs.push(ConfigError::new(
                cl,
                at,
                format!("variant {from:?} → {to:?}: {why}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_texts, read_texts};

    /// Loads the embedded rules with `from` replaced by `with` in rule file `file` (0 products.toml,
    /// 2 cues.toml), and asserts one error whose message `says` holds, in that file, at its first
    /// line starting with `at`.
    fn assert_error_at(
        file: usize,
        at: &str,
        (from, with): (&str, &str),
        says: &dyn Fn(&str) -> bool,
    ) {
        let Ok(mut texts) = read_texts(None) else {
            panic!("embedded rules must read");
        };
        let name = texts[file].0.clone();
        let line = texts[file]
            .1
            .lines()
            .position(|l| l.starts_with(at))
            .map(|i| i + 1);
        texts[file].1 = texts[file].1.replacen(from, with, 1);
        let Err(errs) = parse_texts(texts) else {
            panic!("`{with}` must not load");
        };
        let found: Vec<_> = errs
            .iter()
            .filter(|e| says(&e.message))
            .map(|e| (e.file.ends_with(&name), Some(e.line)))
            .collect();
        assert_eq!(found, [(true, line)], "{errs:?}");
    }

    /// An empty word in one of products.toml's word lists is an error naming the file and the
    /// list's line.
    #[test]
    fn an_empty_word_in_a_product_word_list_is_located() {
        assert_error_at(0, "citing = [", ("citing = [", "citing = [\"\", "), &|m| {
            m == "`citing` holds an empty word"
        });
    }

    /// A joint name no other category holds is an error at the `joint` line.
    #[test]
    fn a_joint_name_no_category_holds_is_located() {
        assert_error_at(
            0,
            "joint = [",
            ("joint = [", "joint = [\"开关灯泡\", "),
            &|m| m.contains("joint name `开关灯泡`"),
        );
    }

    /// An empty word in cues.toml `[standard_titles]` (it would stand in every text) is an error
    /// at the table's line.
    #[test]
    fn an_empty_standard_title_word_is_located() {
        let empty = ("changes = [\"修改单\"", "changes = [\"\", \"修改单\"");
        assert_error_at(2, "[standard_titles]", empty, &|m| {
            m == "[standard_titles] holds an empty word"
        });
    }

    /// A hazard's `only_groups` names groups or single categories, its `prefer_groups` groups
    /// only; a blank substance measure word and an unknown category in `pairs`, `protective` or
    /// `product_items` are errors; each names hazards.toml.
    #[test]
    fn hazard_groups_and_substances_are_checked() {
        let Ok(texts) = read_texts(None) else {
            panic!("embedded rules must read");
        };
        let Some(h) = texts
            .iter()
            .position(|(name, _)| name.ends_with("hazards.toml"))
        else {
            panic!("no hazards.toml among the rule files");
        };
        let errors_with = |from: &str, to: &str| {
            let mut t = texts.clone();
            assert!(t[h].1.contains(from), "{from} not in hazards.toml");
            t[h].1 = t[h].1.replacen(from, to, 1);
            match parse_texts(t) {
                Ok(_) => Vec::new(),
                Err(errs) => errs
                    .into_iter()
                    .filter(|e| e.file.ends_with("hazards.toml"))
                    .map(|e| e.message)
                    .collect(),
            }
        };
        // a category in only_groups loads; in prefer_groups it does not
        assert!(errors_with("only_groups = [\"", "only_groups = [\"电热水壶\", \"").is_empty());
        let e = errors_with("prefer_groups = [\"", "prefer_groups = [\"电热水壶\", \"");
        assert!(
            e.iter().any(|m| m == "unknown product group `电热水壶`"),
            "{e:?}"
        );
        let e = errors_with("only_groups = [\"", "only_groups = [\"电热锅\", \"");
        assert!(
            e.iter()
                .any(|m| m == "unknown product group or category `电热锅`"),
            "{e:?}"
        );
        // every key naming categories names known ones
        for (from, to, key) in [
            (
                "pairs = [{ who = [",
                "pairs = [{ categories = [\"电热锅\"], who = [",
                "pairs",
            ),
            (
                "protective = [\"",
                "protective = [\"电热锅\", \"",
                "protective",
            ),
            (
                "product_items = [{ categories = [\"",
                "product_items = [{ categories = [\"电热锅\", \"",
                "product_items",
            ),
        ] {
            let e = errors_with(from, to);
            let want = format!("unknown category `电热锅` in {key}");
            assert!(e.contains(&want), "{key}: {e:?}");
        }
        let e = errors_with("measures = [\"", "measures = [\" \", \"");
        assert!(
            e.iter().any(|m| m == "substances: a blank measure word"),
            "{e:?}"
        );
    }
}
