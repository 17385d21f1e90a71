//! Loading `market.toml`: the file (or the embedded default) parsed and its fields checked
//! (`super::rules`), then every example run — on-sale examples through the matcher
//! (`super::onsale`), party examples through the identity rules — so a rule change that breaks
//! one fails `jiance check`. Here, above both, so the rules never import the matcher that reads
//! them.

use std::collections::HashMap;
use std::path::Path;

use super::onsale::example_confidence;
use super::rules::{
    DEFAULT_MARKET_TOML, MARKET_FILE, MarketRules, ModelRules, NameRules, OnSaleWeights,
};
use crate::config::{ConfigError, line_in_block};

impl MarketRules {
    /// The rules of `rules_dir/market.toml`, or the embedded defaults when no directory is given
    /// or it has no `market.toml`.
    pub fn load(rules_dir: Option<&Path>) -> Result<MarketRules, Vec<ConfigError>> {
        let embedded = || MarketRules::parse(DEFAULT_MARKET_TOML, "<embedded>/rules/market.toml");
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(MARKET_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => MarketRules::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// The embedded rules (checked by the tests; an empty rule set if they ever failed to load,
    /// which `jiance check` and the tests report).
    pub fn embedded() -> MarketRules {
        MarketRules::parse(DEFAULT_MARKET_TOML, "<embedded>/rules/market.toml").unwrap_or_else(
            |e| {
                tracing::error!(errors = ?e, "embedded market.toml does not load");
                MarketRules {
                    model: ModelRules {
                        prefixes: Vec::new(),
                        min_chars: 4,
                        min_digits_only: 6,
                    },
                    names: NameRules {
                        enterprise_suffixes: Vec::new(),
                        brand_affixes: Vec::new(),
                        shop_labels: Vec::new(),
                        shop_prefixes: Vec::new(),
                        shop_suffixes: Vec::new(),
                    },
                    onsale: OnSaleWeights {
                        threshold: 1.0,
                        model: 0.6,
                        brand: 0.3,
                        enterprise: 0.2,
                        batch: 0.1,
                        other_brand: -0.5,
                        other_category: -0.3,
                    },
                    brands: HashMap::new(),
                    aliases: HashMap::new(),
                    examples: Vec::new(),
                    same_party: Vec::new(),
                    products: Vec::new(),
                }
            },
        )
    }

    /// Parse, validate and run the examples; `file` names the text in errors.
    pub fn parse(text: &str, file: &str) -> Result<MarketRules, Vec<ConfigError>> {
        let (rules, mut errors) = MarketRules::parse_fields(text, file)?;
        check_examples(&rules, text, file, &mut errors);
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }
}

/// Run the `[[example]]` and `[[same_party]]` examples, adding an error for each that fails.
fn check_examples(rules: &MarketRules, text: &str, file: &str, errors: &mut Vec<ConfigError>) {
    for (i, ex) in rules.examples.iter().enumerate() {
        let found = example_confidence(rules, ex);
        let matched = found.is_some_and(|c| c >= rules.onsale.threshold);
        if matched != ex.matches {
            errors.push(ConfigError::new(
                file,
                line_in_block(text, "example", i, "matches"),
                format!(
                    "example {}: listing {:?} {} product {:?} {:?}, but the rules say it {} (confidence {})",
                    i + 1,
                    ex.listing.title,
                    if ex.matches { "must match" } else { "must not match" },
                    ex.flagged.brand,
                    ex.flagged.model,
                    if matched { "matches" } else { "does not" },
                    found.map_or("none: no model matched".to_string(), |c| format!("{c:.2}")),
                ),
            ));
        }
    }
    for (i, ex) in rules.same_party.iter().enumerate() {
        let same = rules.same_party(&ex.a, &ex.b);
        if same != ex.same {
            errors.push(ConfigError::new(
                file,
                line_in_block(text, "same_party", i, "same"),
                format!(
                    "same_party {}: {:?} and {:?} {} one party, but the rules {} (keys {:?} and {:?})",
                    i + 1,
                    ex.a,
                    ex.b,
                    if ex.same { "must be" } else { "must not be" },
                    if same { "make them one" } else { "keep them apart" },
                    rules.identity(&ex.a),
                    rules.identity(&ex.b),
                ),
            ));
        }
    }
}
