//! `standards.toml`: which product standard sets which test items, by category (issue 20). A
//! sampling request names its test items with the standard's number ("GB 43854-2024 过充电"),
//! each once.
//!
//! The default file is embedded; a rules directory holding its own `standards.toml` replaces it.
//! Every error names the file and line.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::config::{ConfigError, line_in_block};
use crate::model::TestItem;

pub const DEFAULT_STANDARDS_TOML: &str = include_str!("../../rules/standards.toml");
pub const STANDARDS_FILE: &str = "standards.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    standard: Vec<Raw>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    number: String,
    title: String,
    categories: Vec<String>,
    items: Vec<String>,
    #[serde(default)]
    effective: Option<String>,
    #[serde(default)]
    replaces: Vec<String>,
}

/// One product standard.
#[derive(Debug, Clone, PartialEq)]
pub struct Standard {
    pub number: String,
    pub title: String,
    pub categories: Vec<String>,
    pub items: Vec<String>,
    pub effective: Option<NaiveDate>,
    /// The standards it replaces ("GB 811-2010").
    pub replaces: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Standards {
    pub standards: Vec<Standard>,
}

/// "GB 43854-2024", "GB 4706.8-2008", "GB/T 22760-2020".
pub fn is_standard_number(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("GB/T ").or_else(|| s.strip_prefix("GB ")) else {
        return false;
    };
    let Some((num, year)) = rest.rsplit_once('-') else {
        return false;
    };
    let num_ok = !num.is_empty()
        && num
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    num_ok && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())
}

/// An item name for comparing: folded, without punctuation and the words joining clauses (耐热、
/// 耐火 and 耐热耐火 are one key) and without what names it as a test ("保护", "性能", "试验").
fn stem(item: &str) -> String {
    let folded = crate::analyze::fold(item).to_lowercase();
    let mut s: String = folded
        .split(|c: char| !c.is_alphanumeric() || matches!(c, '和' | '及' | '与' | '或'))
        .collect();
    for w in ["试验", "性能", "保护", "要求"] {
        if s.len() > w.len() + 3 {
            s = s.trim_end_matches(w).to_string();
        }
    }
    s
}

/// Do two item keys name one clause: equal, or one extending the other's name (耐热耐火 and
/// 耐热耐火耐起痕), the shorter of at least four characters so 短路 and 外部短路 stay two.
fn same_item(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short == long || (short.chars().count() >= 4 && long.starts_with(short))
}

impl Standards {
    pub fn load(rules_dir: Option<&Path>) -> Result<Standards, Vec<ConfigError>> {
        let embedded =
            || Standards::parse(DEFAULT_STANDARDS_TOML, "<embedded>/rules/standards.toml");
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(STANDARDS_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Standards::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    pub fn parse(text: &str, file: &str) -> Result<Standards, Vec<ConfigError>> {
        let f: File =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let mut out = Vec::new();
        for (i, raw) in f.standard.into_iter().enumerate() {
            let line = |key: &str| line_in_block(text, "standard", i, key);
            if !is_standard_number(&raw.number) {
                errors.push(ConfigError::new(
                    file,
                    line("number"),
                    format!(
                        "number {:?} is not a standard number with its year (GB 43854-2024, GB/T 22760-2020)",
                        raw.number
                    ),
                ));
            }
            if raw.categories.is_empty() || raw.categories.iter().any(|c| c.trim().is_empty()) {
                errors.push(ConfigError::new(
                    file,
                    line("categories"),
                    format!(
                        "standard {}: categories must name at least one category",
                        raw.number
                    ),
                ));
            }
            let mut seen = Vec::new();
            for item in &raw.items {
                let s = stem(item);
                if item.trim().is_empty() || seen.contains(&s) {
                    errors.push(ConfigError::new(
                        file,
                        line("items"),
                        format!(
                            "standard {}: item {item:?} is empty or named twice",
                            raw.number
                        ),
                    ));
                }
                seen.push(s);
            }
            if raw.items.is_empty() {
                errors.push(ConfigError::new(
                    file,
                    line("items"),
                    format!("standard {}: no test items", raw.number),
                ));
            }
            let effective = match raw.effective.as_deref().map(|d| d.parse::<NaiveDate>()) {
                None => None,
                Some(Ok(d)) => Some(d),
                Some(Err(_)) => {
                    errors.push(ConfigError::new(
                        file,
                        line("effective"),
                        format!(
                            "effective {:?} is not a date YYYY-MM-DD",
                            raw.effective.unwrap_or_default()
                        ),
                    ));
                    None
                }
            };
            for old in &raw.replaces {
                if !is_standard_number(old) || *old == raw.number {
                    errors.push(ConfigError::new(
                        file,
                        line("replaces"),
                        format!(
                            "standard {}: replaces {old:?}, which is not another standard number with its year",
                            raw.number
                        ),
                    ));
                }
            }
            if !raw.replaces.is_empty() && effective.is_none() {
                errors.push(ConfigError::new(
                    file,
                    line("replaces"),
                    format!(
                        "standard {}: replaces others but gives no effective day",
                        raw.number
                    ),
                ));
            }
            out.push(Standard {
                number: raw.number,
                title: raw.title,
                categories: raw.categories,
                items: raw.items,
                effective,
                replaces: raw.replaces,
            });
        }
        if errors.is_empty() {
            Ok(Standards { standards: out })
        } else {
            Err(errors)
        }
    }

    /// The test items for sampling a category for hazards whose test items are `hazard_items`
    /// (hazards.toml), as of `as_of`. A category a standard in effect covers gets that
    /// standard's items only — those checking one of the hazards first (what the evidence says
    /// failed), then its other clauses — so a hazard's items of another product (甲醛释放量 for
    /// a battery) never reach the laboratory. A category no standard covers keeps the hazards'
    /// items, unnumbered. Each item once, spellings of one clause folded ([`same_item`]).
    pub fn items(
        &self,
        category: &str,
        hazard_items: &[String],
        as_of: NaiveDate,
    ) -> Vec<TestItem> {
        let hazard_stems: Vec<String> = hazard_items.iter().map(|i| stem(i)).collect();
        let relevant = |item: &str| {
            let s = stem(item);
            hazard_stems
                .iter()
                .any(|h| !h.is_empty() && (h.contains(&s) || s.contains(h.as_str())))
        };
        let mut out: Vec<TestItem> = Vec::new();
        let mut push = |item: &str, standard: &str, title: &str| {
            let s = stem(item);
            if !s.is_empty() && !out.iter().any(|t| same_item(&stem(&t.item), &s)) {
                out.push(TestItem {
                    item: item.to_string(),
                    standard: standard.to_string(),
                    title: title.to_string(),
                });
            }
        };
        let in_effect: Vec<&Standard> = self
            .standards
            .iter()
            .filter(|s| s.categories.iter().any(|c| c == category))
            .filter(|s| s.effective.is_none_or(|d| d <= as_of))
            .collect();
        for first in [true, false] {
            for st in &in_effect {
                for item in st.items.iter().filter(|i| !first || relevant(i)) {
                    push(item, &st.number, &st.title);
                }
            }
        }
        if in_effect.is_empty() {
            for item in hazard_items {
                push(item, "", "");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_table_loads_and_numbers_are_checked() {
        let s = Standards::load(None).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(s.standards.len() >= 10);
        assert!(is_standard_number("GB 4706.8-2008"));
        assert!(is_standard_number("GB/T 22760-2020"));
        assert!(!is_standard_number("GB 43854"));
        assert!(!is_standard_number("43854-2024"));
        let bad = DEFAULT_STANDARDS_TOML.replacen(
            "number = \"GB 43854-2024\"",
            "number = \"GB43854\"",
            1,
        );
        let errs = Standards::parse(&bad, "s.toml").unwrap_err();
        let line = bad.lines().position(|l| l.contains("GB43854")).unwrap() + 1;
        assert!(
            errs[0].to_string().starts_with(&format!("s.toml:{line}:")),
            "{errs:?}"
        );
    }

    #[test]
    fn items_come_from_the_standard_in_effect_once_each_with_its_number() {
        let s = Standards::load(None).unwrap();
        let fire: Vec<String> = ["过充电保护", "外部短路", "热失控", "阻燃性能", "过充电"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let items = s.items("电动自行车用蓄电池", &fire, day("2026-11-20"));
        let names: Vec<&str> = items.iter().map(|t| t.item.as_str()).collect();
        // the items the hazards name first, then the standard's other clauses
        assert_eq!(names[..3], ["过充电", "外部短路", "热失控"], "{items:?}");
        assert_eq!(names.len(), 9, "{items:?}");
        assert!(items.iter().all(|t| t.standard == "GB 43854-2024"));
        // before the standard took effect it names nothing; the hazards' items stay, unnumbered
        let before = s.items("电动自行车用蓄电池", &fire, day("2024-01-01"));
        assert!(before.iter().all(|t| t.standard.is_empty()));
        assert_eq!(
            before.len(),
            4,
            "过充电保护 and 过充电 are one item: {before:?}"
        );
        // no hazard item among the standard's: all of its items
        let all = s.items("童车", &["甲醛含量".to_string()], day("2026-11-20"));
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn an_e_bike_battery_request_lists_no_item_of_another_family_and_none_twice() {
        let s = Standards::load(None).unwrap();
        // the hazards an alert's signals carry: fire, and a chemical one a stray signal added
        let hazards: Vec<String> = [
            "过充电保护",
            "热失控",
            "甲醛释放量",
            "邻苯二甲酸酯",
            "耐热、耐火",
            "耐热耐火",
            "耐热、耐火和耐起痕",
            "pH值",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let items = s.items("电动自行车用蓄电池", &hazards, day("2026-11-20"));
        let battery: Vec<&String> = s
            .standards
            .iter()
            .filter(|st| st.categories.iter().any(|c| c == "电动自行车用蓄电池"))
            .flat_map(|st| &st.items)
            .collect();
        for t in &items {
            assert!(
                battery.contains(&&t.item),
                "{} is not a battery clause",
                t.item
            );
        }
        let keys: Vec<String> = items.iter().map(|t| stem(&t.item)).collect();
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert!(!same_item(a, b), "one clause twice: {a} / {b}");
            }
        }
        // without a standard the hazards' items stay, each clause once
        let loose = s.items("无标准品", &hazards, day("2026-11-20"));
        let names: Vec<&str> = loose.iter().map(|t| t.item.as_str()).collect();
        assert_eq!(
            names,
            [
                "过充电保护",
                "热失控",
                "甲醛释放量",
                "邻苯二甲酸酯",
                "耐热、耐火",
                "pH值"
            ]
        );
    }
}
