//! `market.toml`: model-number prefixes, name endings and labels, brand aliases, the on-sale
//! weights, and must / must-not examples, as data: of on-sale matches (`[[example]]`) and of
//! party identity (`[[same_party]]`: two names that are, or are not, one shop, brand or
//! enterprise for a sampling request).
//!
//! The default file is embedded; a rules directory holding its own `market.toml` replaces it.
//! Unknown keys are rejected and every error names the file and line. Loading (`super::load`)
//! runs every example after these checks, so a rule change that breaks one fails `jiance check`.

use serde::Deserialize;
use std::collections::HashMap;

use crate::config::{ConfigError, line_in_block};

use super::names;

/// The embedded default rules.
pub const DEFAULT_MARKET_TOML: &str = include_str!("../../rules/market.toml");
/// File name looked up inside a rules directory.
pub const MARKET_FILE: &str = "market.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    model: ModelRules,
    names: NameRules,
    onsale: OnSaleWeights,
    #[serde(default)]
    brand: Vec<BrandRule>,
    #[serde(default)]
    example: Vec<Example>,
    #[serde(default)]
    same_party: Vec<SameParty>,
    #[serde(default)]
    product: Vec<ProductRule>,
}

/// One product of a category that holds several (`[[product]]`): the nouns it is written with.
/// A bed rail and a high chair are both 儿童家具; a listing naming one is not the other.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductRule {
    pub category: String,
    pub nouns: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelRules {
    pub prefixes: Vec<String>,
    pub min_chars: usize,
    pub min_digits_only: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameRules {
    pub enterprise_suffixes: Vec<String>,
    pub brand_affixes: Vec<String>,
    #[serde(default)]
    pub shop_labels: Vec<String>,
    #[serde(default)]
    pub shop_prefixes: Vec<String>,
    /// Endings of a shop's name around a brand (旗舰店, 专营店, 工厂店): what is left names the
    /// brand the shop sells, so 格致优选店 and 格致工厂店 are two shops of one brand.
    #[serde(default)]
    pub shop_suffixes: Vec<String>,
}

/// What each kind of agreement adds to an on-sale finding's confidence (`[onsale]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnSaleWeights {
    pub threshold: f64,
    pub model: f64,
    pub brand: f64,
    pub enterprise: f64,
    pub batch: f64,
    pub other_brand: f64,
    pub other_category: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrandRule {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}

/// A must / must-not example: a flagged product, a listing, and whether they must match.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub flagged: ExampleFlagged,
    pub listing: ExampleListing,
    pub matches: bool,
}

/// A must / must-not example of identity: two names as a sampling request and its history meet
/// them (a shop, a brand, an enterprise, in any spelling) and whether they are one party, so a
/// new shop ending or alias that merges two brands, or fails to merge one, fails `jiance check`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SameParty {
    pub a: String,
    pub b: String,
    pub same: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExampleFlagged {
    /// The product's name as the notice writes it (多功能宝宝餐椅).
    pub product: String,
    pub brand: String,
    pub model: String,
    pub enterprise: String,
    pub batch: String,
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExampleListing {
    pub title: String,
    pub brand: String,
    pub model: String,
    pub enterprise: String,
    pub categories: Vec<String>,
}

/// The loaded rules, with the brand aliases folded into a lookup table.
#[derive(Debug, Clone)]
pub struct MarketRules {
    pub model: ModelRules,
    pub names: NameRules,
    pub onsale: OnSaleWeights,
    /// Folded alias (and folded canonical name) → canonical brand name.
    pub(super) brands: HashMap<String, String>,
    /// Canonical brand name → its folded aliases (for finding a brand in a title).
    pub(super) aliases: HashMap<String, Vec<String>>,
    pub examples: Vec<Example>,
    pub same_party: Vec<SameParty>,
    /// `[[product]]` with the nouns folded (width, case, traditional characters).
    pub products: Vec<ProductRule>,
}

impl MarketRules {
    /// Parse and validate the fields (not the examples: `super::load` runs them); the rules with
    /// the errors found, or the TOML error. `file` names the text in errors.
    pub(super) fn parse_fields(
        text: &str,
        file: &str,
    ) -> Result<(MarketRules, Vec<ConfigError>), Vec<ConfigError>> {
        let f: File =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let key_line = |section: &str, key: &str| line_of(text, section, key);
        let w = &f.onsale;
        for (key, v) in [
            ("threshold", w.threshold),
            ("model", w.model),
            ("brand", w.brand),
            ("enterprise", w.enterprise),
            ("batch", w.batch),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                errors.push(ConfigError::new(
                    file,
                    key_line("onsale", key),
                    format!("{key} must be within 0–1, got {v}"),
                ));
            }
        }
        for (key, v) in [
            ("other_brand", w.other_brand),
            ("other_category", w.other_category),
        ] {
            if !(v.is_finite() && (-1.0..=0.0).contains(&v)) {
                errors.push(ConfigError::new(
                    file,
                    key_line("onsale", key),
                    format!("{key} is a penalty within -1–0, got {v}"),
                ));
            }
        }
        if w.model >= w.threshold && w.threshold > 0.0 {
            errors.push(ConfigError::new(
                file,
                key_line("onsale", "model"),
                format!(
                    "model ({}) must stay below threshold ({}): a model number alone is not enough",
                    w.model, w.threshold
                ),
            ));
        }
        if f.model.min_chars < 2 {
            errors.push(ConfigError::new(
                file,
                key_line("model", "min_chars"),
                "min_chars must be at least 2",
            ));
        }
        let mut brands = HashMap::new();
        let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
        for (i, b) in f.brand.iter().enumerate() {
            let line = line_in_block(text, "brand", i, "name");
            let canon = names::fold_brand(&b.name, &f.names.brand_affixes);
            if canon.is_empty() {
                errors.push(ConfigError::new(file, line, "brand name is empty"));
                continue;
            }
            for a in std::iter::once(&b.name).chain(&b.aliases) {
                let key = names::fold_brand(a, &f.names.brand_affixes);
                if key.is_empty() {
                    errors.push(ConfigError::new(
                        file,
                        line_in_block(text, "brand", i, "aliases"),
                        format!("brand {:?}: an alias is empty", b.name),
                    ));
                    continue;
                }
                if let Some(other) = brands.get(&key)
                    && other != &b.name
                {
                    errors.push(ConfigError::new(
                        file,
                        line_in_block(text, "brand", i, "aliases"),
                        format!(
                            "alias {a:?} of brand {:?} already names brand {other:?}",
                            b.name
                        ),
                    ));
                    continue;
                }
                brands.insert(key.clone(), b.name.clone());
                aliases.entry(b.name.clone()).or_default().push(key);
            }
        }
        let mut products = Vec::with_capacity(f.product.len());
        let mut noun_of: HashMap<(String, String), usize> = HashMap::new();
        for (i, p) in f.product.iter().enumerate() {
            let line = line_in_block(text, "product", i, "nouns");
            let nouns: Vec<String> = p.nouns.iter().map(|n| fold_noun(n)).collect();
            if p.category.trim().is_empty()
                || nouns.is_empty()
                || nouns.iter().any(String::is_empty)
            {
                errors.push(ConfigError::new(
                    file,
                    line,
                    "a product needs its category and at least one noun, none empty",
                ));
                continue;
            }
            for n in &nouns {
                if let Some(&other) = noun_of.get(&(p.category.clone(), n.clone()))
                    && other != i
                {
                    errors.push(ConfigError::new(
                        file,
                        line,
                        format!(
                            "noun {n:?} of {} is already product {} of the category",
                            p.category,
                            other + 1
                        ),
                    ));
                }
                noun_of.insert((p.category.clone(), n.clone()), i);
            }
            products.push(ProductRule {
                category: p.category.clone(),
                nouns,
            });
        }
        let rules = MarketRules {
            model: f.model,
            names: f.names,
            onsale: f.onsale,
            brands,
            aliases,
            examples: f.example,
            same_party: f.same_party,
            products,
        };
        Ok((rules, errors))
    }

    /// The canonical name of a brand as written (an alias resolved; else the folded text).
    pub fn brand(&self, written: &str) -> String {
        let affixes = &self.names.brand_affixes;
        let key = names::fold_brand(written, affixes);
        if let Some(canon) = self.brands.get(&key) {
            return canon.clone();
        }
        // "GEZHI/格致" is one brand written twice, not a third brand: a part that is a known
        // spelling decides, else the Chinese part (what a listing writing one part would use).
        let parts: Vec<String> = names::brand_parts(written)
            .map(|p| names::fold_brand(p, affixes))
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() < 2 {
            return key;
        }
        if let Some(canon) = parts.iter().find_map(|p| self.brands.get(p)) {
            return canon.clone();
        }
        parts
            .iter()
            .find(|p| !p.is_ascii())
            .or(parts.first())
            .cloned()
            .unwrap_or(key)
    }

    /// The brand a shop's name carries once its ending is cut (格致工厂店 → 格致), `None` when
    /// no ending of `[names] shop_suffixes` closes it or less than two characters are left.
    pub fn shop_brand(&self, written: &str) -> Option<String> {
        let shop = self.shop(written);
        let rest = self
            .names
            .shop_suffixes
            .iter()
            .map(|x| crate::analyze::fold(x).to_lowercase())
            .filter(|x| !x.is_empty())
            .filter_map(|x| shop.strip_suffix(x.as_str()).map(str::to_string))
            .min_by_key(String::len)?;
        (rest.chars().count() >= 2).then(|| self.brand(&rest))
    }

    /// The keys a party's name is compared by in sampling (DB33/T 980 §6.2): its shop form and
    /// its enterprise form (a history entry may be either), its canonical brand, and the brand
    /// its shop name carries (格致工厂店 → 格致). Two names sharing a key are one party.
    pub fn identity(&self, name: &str) -> Vec<String> {
        let mut keys = vec![
            self.shop(name),
            names::enterprise(name, &self.names.enterprise_suffixes),
            self.brand(name),
        ];
        keys.extend(self.shop_brand(name));
        keys.retain(|k| !k.is_empty());
        keys.sort();
        keys.dedup();
        keys
    }

    /// Are two names one shop, brand or enterprise ([`MarketRules::identity`])?
    pub fn same_party(&self, a: &str, b: &str) -> bool {
        let b = self.identity(b);
        self.identity(a).iter().any(|k| b.contains(k))
    }

    /// The `[[product]]` entries of `categories` that `text` names (their indices): a bed rail's
    /// listing names 床护栏, a high chair's recall 餐椅. Empty when it names none of them.
    pub fn products_named(&self, text: &str, categories: &[String]) -> Vec<usize> {
        let text = fold_noun(text);
        self.products
            .iter()
            .enumerate()
            .filter(|(_, p)| categories.contains(&p.category))
            .filter(|(_, p)| p.nouns.iter().any(|n| text.contains(n.as_str())))
            .map(|(i, _)| i)
            .collect()
    }

    /// A shop's name as a key: one shop written several ways is one key ([`names::shop`]).
    pub fn shop(&self, written: &str) -> String {
        names::shop(written, &self.names.shop_labels, &self.names.shop_prefixes)
    }

    /// The folded ways of writing a canonical brand (itself included).
    pub(super) fn brand_spellings(&self, canon: &str) -> Vec<String> {
        let mut out = self.aliases.get(canon).cloned().unwrap_or_default();
        let own = names::fold_brand(canon, &self.names.brand_affixes);
        if !out.contains(&own) {
            out.push(own);
        }
        out
    }
}

/// A product noun or a text to look for one in, folded as titles are compared.
fn fold_noun(s: &str) -> String {
    crate::analyze::fold(s.trim()).to_lowercase()
}

/// The line of `key` inside `[section]` (the section's line when the key is absent; 0 when the
/// section is).
fn line_of(text: &str, section: &str, key: &str) -> usize {
    let header = format!("[{section}]");
    let mut in_section = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            if in_section.is_some() {
                break;
            }
            if t == header {
                in_section = Some(i + 1);
            }
            continue;
        }
        if in_section.is_some() && t.split('=').next().map(str::trim) == Some(key) {
            return i + 1;
        }
    }
    in_section.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_load_and_their_examples_hold() {
        let r = MarketRules::load(None).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(r.examples.len() >= 6);
        assert!(r.examples.iter().any(|e| !e.matches));
        assert!(r.same_party.iter().any(|e| e.same) && r.same_party.iter().any(|e| !e.same));
        assert_eq!(r.brand("BeiLiYuan"), "倍力源");
        assert_eq!(r.brand("倍力源牌"), "倍力源");
    }

    #[test]
    fn a_broken_example_and_a_bad_weight_are_errors_on_their_lines() {
        let text = DEFAULT_MARKET_TOML
            .replace("threshold = 0.75", "threshold = 1.5")
            .replacen(
                "listing = { title = \"倍力源 移动电源 3PB-1234\", brand = \"倍力源\" }\nmatches = false",
                "listing = { title = \"倍力源 移动电源 3PB-1234\", brand = \"倍力源\" }\nmatches = true",
                1,
            );
        let errs = MarketRules::parse(&text, "m.toml").unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
        assert!(
            msgs.iter()
                .any(|m| m.contains(&format!("m.toml:{}", line("threshold = 1.5")))),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("must match")), "{msgs:?}");
    }

    #[test]
    fn a_shop_suffix_example_that_does_not_hold_fails_check_on_its_line() {
        // without 工厂店 among the shop endings, 格致工厂店 is no longer 格致's shop
        let text = DEFAULT_MARKET_TOML.replace("\"工厂店\", ", "");
        assert_ne!(text, DEFAULT_MARKET_TOML);
        let errs = MarketRules::parse(&text, "m.toml").unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        let first = text
            .lines()
            .position(|l| l.contains("[[same_party]]"))
            .unwrap();
        assert!(
            msgs.iter().any(|m| m.contains("must be one party")
                && m.contains("工厂店")
                && m.starts_with("m.toml:")
                && m["m.toml:".len()..]
                    .split(':')
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .is_some_and(|n| n > first)),
            "{msgs:?}"
        );
    }

    #[test]
    fn every_product_table_names_a_category_of_the_taxonomy() {
        let products = include_str!("../../rules/products.toml");
        let r = MarketRules::load(None).unwrap();
        assert!(r.products.len() >= 6);
        for p in &r.products {
            assert!(
                products.contains(&format!("name = \"{}\"", p.category)),
                "{} is no category of products.toml",
                p.category
            );
        }
        let kids = ["儿童家具".to_string()];
        assert_eq!(
            r.products_named("升降款儿童床護欄", &kids),
            r.products_named("床边围栏", &kids)
        );
        assert!(r.products_named("移动电源", &kids).is_empty());
    }

    #[test]
    fn an_alias_naming_two_brands_is_an_error() {
        let text =
            DEFAULT_MARKET_TOML.replace("aliases = [\"TUYUE\"]", "aliases = [\"BEILIYUAN\"]");
        let errs = MarketRules::parse(&text, "m.toml").unwrap_err();
        assert!(
            errs.iter().any(|e| e.to_string().contains("already names")),
            "{errs:?}"
        );
    }
}
