//! The rules' vocabulary as search concepts: each product category with its name and aliases,
//! each hazard with its name and terms, as the rule files write them (search expands a query
//! word to its whole concept, so the words come from the same files the analysis reads and a new
//! alias needs no rebuild).

use super::rules::{self, RuleFiles};

/// One concept: a canonical name and every word the rules read as it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Concept {
    /// The canonical category or hazard name.
    pub name: String,
    /// The name first, then the aliases or terms in file order (no repeats).
    pub words: Vec<String>,
}

/// Categories and hazards as concepts, in rule-file order (earlier wins where two share a word).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Vocabulary {
    pub categories: Vec<Concept>,
    pub hazards: Vec<Concept>,
    /// Every word already folded and lower-cased ([`Vocabulary::folded`]), as search compares
    /// them: folding builds the traditional-script converter when a word may need it, a third of
    /// a `jiance search`'s start, so the tokenizer cache keeps the folded words.
    #[serde(default)]
    pub folded: bool,
}

fn concept(name: &str, words: &[String], skip: &[String]) -> Concept {
    let mut out = vec![name.to_string()];
    for w in words {
        let w = w.trim();
        if !w.is_empty() && !out.iter().any(|o| o == w) && !skip.iter().any(|s| s == w) {
            out.push(w.to_string());
        }
    }
    Concept {
        name: name.to_string(),
        words: out,
    }
}

impl Vocabulary {
    /// Categories with their aliases, hazards with their (strong) terms. Left out: the group
    /// fallbacks (`其他…`), out-of-scope and unclassified categories and the two catch-all
    /// hazards, which name no one thing; aliases that are also `parts` (they name a part of other
    /// products); weak terms and test items, which report a hazard only beside a failure word.
    pub(super) fn from_rules(f: &RuleFiles) -> Vocabulary {
        let categories = f
            .products
            .category
            .iter()
            .filter(|c| {
                !c.name.starts_with("其他")
                    && !c.name.starts_with(rules::OUT_OF_SCOPE)
                    && c.name != rules::UNCLASSIFIED
            })
            .map(|c| concept(&c.name, &c.aliases, &c.parts))
            .collect();
        let hazards = f
            .hazards
            .hazard
            .iter()
            .filter(|h| h.name != rules::UNSPECIFIED && h.name != rules::NON_SAFETY)
            .map(|h| concept(&h.name, &h.terms, &[]))
            .collect();
        Vocabulary {
            categories,
            hazards,
            folded: false,
        }
    }

    /// The same concepts with every word folded and lower-cased, as search compares words.
    pub fn folded(&self) -> Vocabulary {
        if self.folded {
            return self.clone();
        }
        let fold = |list: &[Concept]| -> Vec<Concept> {
            list.iter()
                .map(|c| Concept {
                    name: c.name.clone(),
                    words: c
                        .words
                        .iter()
                        .map(|w| super::fold::fold(w).to_lowercase())
                        .collect(),
                })
                .collect()
        };
        Vocabulary {
            categories: fold(&self.categories),
            hazards: fold(&self.hazards),
            folded: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_comes_from_the_rule_files() {
        let f = rules::load(None).unwrap();
        let v = Vocabulary::from_rules(&f);
        let ebike = v
            .categories
            .iter()
            .find(|c| c.name == "电动自行车")
            .unwrap();
        assert_eq!(ebike.words[0], "电动自行车");
        assert!(ebike.words.iter().any(|w| w == "电瓶车"));
        let fire = v.hazards.iter().find(|h| h.name == "火灾").unwrap();
        assert!(fire.words.iter().any(|w| w == "自燃"));
        assert!(
            !fire.words.iter().any(|w| w == "焦味"),
            "weak terms stay out"
        );
        assert!(!v.categories.iter().any(|c| c.name == rules::UNCLASSIFIED));
        assert!(!v.hazards.iter().any(|h| h.name == rules::UNSPECIFIED));
    }
}
