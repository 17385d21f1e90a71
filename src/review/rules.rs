//! `review.toml`: the case gap, the suppression window, the dismissal reasons and the case
//! examples. Embedded by default; a rules directory holding its own file replaces it. Unknown
//! keys are rejected, every error names the file and line, and every example is run on load.

use std::path::Path;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::config::{ConfigError, line_in_block};
use crate::model::{Action, Alert, AlertStatus, Scope};

pub const DEFAULT_REVIEW_TOML: &str = include_str!("../../rules/review.toml");
pub const REVIEW_FILE: &str = "review.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRules {
    pub cases: CaseRules,
    pub suppression: SuppressionRules,
    #[serde(default)]
    pub dismiss_reason: Vec<DismissReason>,
    #[serde(default)]
    pub case_example: Vec<CaseExample>,
}

// The case rules are the case builder's own settings (cases.rs); they are read from this file.
pub use super::cases::{CaseRules, HazardFamily};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressionRules {
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DismissReason {
    pub key: String,
    pub label: String,
}

/// Two alerts and whether they must fall in one case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseExample {
    pub a: ExampleAlert,
    pub b: ExampleAlert,
    pub same: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleAlert {
    pub category: String,
    pub hazards: Vec<String>,
    pub scope: Scope,
    pub regions: Vec<String>,
    /// First seen and last updated, in days from 0.
    pub first: u32,
    pub last: u32,
}

impl ExampleAlert {
    fn alert(&self, id: &str) -> Alert {
        let day = |n: u32| {
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default() + Duration::days(i64::from(n))
        };
        Alert {
            id: id.to_string(),
            category: self.category.clone(),
            hazards: self.hazards.clone(),
            scope: self.scope,
            regions: self.regions.clone(),
            level: 3,
            action: Action::Notify,
            score: 1.0,
            breakdown: Vec::new(),
            evidence: Vec::new(),
            first_seen: day(self.first),
            updated: day(self.last),
            status: AlertStatus::New,
            summary: String::new(),
            reasons: Vec::new(),
            daily: Vec::new(),
            jurisdictions: Vec::new(),
        }
    }
}

impl ReviewRules {
    /// The rules of `rules_dir/review.toml`, or the embedded ones when there is none.
    pub fn load(rules_dir: Option<&Path>) -> Result<ReviewRules, Vec<ConfigError>> {
        let embedded = || ReviewRules::parse(DEFAULT_REVIEW_TOML, "<embedded>/rules/review.toml");
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(REVIEW_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => ReviewRules::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse, validate and run the examples; `file` names the text in errors.
    pub fn parse(text: &str, file: &str) -> Result<ReviewRules, Vec<ConfigError>> {
        let rules: ReviewRules =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(needle))
                .map_or(0, |i| i + 1)
        };
        if rules.cases.gap_days == 0 {
            errors.push(ConfigError::new(
                file,
                line_of("gap_days"),
                "[cases] gap_days must be at least 1",
            ));
        }
        let mut keys = std::collections::HashSet::new();
        for (n, r) in rules.dismiss_reason.iter().enumerate() {
            let bad_key = r.key.trim().is_empty()
                || !r
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if bad_key {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "dismiss_reason", n, "key"),
                    format!(
                        "dismiss_reason key {:?}: use lower-case letters, digits and '-'",
                        r.key
                    ),
                ));
            } else if !keys.insert(r.key.as_str()) {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "dismiss_reason", n, "key"),
                    format!("dismiss_reason key {:?} appears twice", r.key),
                ));
            }
            if r.label.trim().is_empty() {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "dismiss_reason", n, "label"),
                    "dismiss_reason label is empty",
                ));
            }
        }
        for (n, ex) in rules.case_example.iter().enumerate() {
            let alerts = [ex.a.alert("a"), ex.b.alert("b")];
            let cases = super::cases::build_cases(&[], &alerts, &[], &rules.cases).0;
            let same = cases.len() == 1;
            if same != ex.same {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "case_example", n, "same"),
                    format!(
                        "case example {}: expected {} case(s), the rules make {}",
                        n + 1,
                        if ex.same { "one" } else { "two" },
                        cases.len()
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    /// The label of a reason key, or the text itself when it is free text.
    pub fn reason_label(&self, reason: &str) -> String {
        self.dismiss_reason
            .iter()
            .find(|r| r.key == reason)
            .map_or_else(|| reason.to_string(), |r| r.label.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_rules_load_and_their_examples_pass() {
        let r = ReviewRules::load(None).unwrap();
        assert!(r.case_example.len() >= 4);
        assert!(r.dismiss_reason.iter().any(|d| d.key == "duplicate"));
        assert_eq!(r.reason_label("duplicate"), "重复信息，已由其他预警处理");
        assert_eq!(r.reason_label("自由文本"), "自由文本");
    }

    #[test]
    fn a_failing_example_and_a_bad_key_are_named_by_line() {
        let text = DEFAULT_REVIEW_TOML.replacen("same = false", "same = true", 1)
            + "\n[[dismiss_reason]]\nkey = \"Bad Key\"\nlabel = \"x\"\n";
        let errs = ReviewRules::parse(&text, "review.toml").unwrap_err();
        let msgs: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("case example 3")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("Bad Key")), "{msgs:?}");
        let first_false = text
            .lines()
            .position(|l| l.trim() == "same = true")
            .unwrap();
        assert!(errs.iter().all(|e| e.line > first_false), "{msgs:?}");
    }
}
