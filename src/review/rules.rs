//! `review.toml`: the case gap, the suppression window, the dismissal reasons and the case
//! examples. Embedded by default; a rules directory holding its own file replaces it. Unknown
//! keys are rejected, every error names the file and line, and every example is run on load.

use std::path::Path;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

use crate::config::{ConfigError, line_in_block};
use crate::model::{Channel, DocKind, Parties, Signal};

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRules {
    pub gap_days: u32,
}

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

/// Two pieces of evidence and whether they must fall in one case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseExample {
    pub a: ExampleSignal,
    pub b: ExampleSignal,
    pub same: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleSignal {
    pub category: String,
    pub hazard: String,
    pub province: Option<String>,
    pub brand: Option<String>,
    pub enterprise: Option<String>,
    pub channel: Channel,
    #[serde(default)]
    pub day: u32,
}

impl ExampleSignal {
    fn signal(&self, id: &str) -> Signal {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
            + Duration::days(i64::from(self.day));
        let kind = match self.channel {
            Channel::Complaint => DocKind::Complaint,
            Channel::Regulator => DocKind::Notice,
            Channel::Platform => DocKind::Listing,
            Channel::Media => DocKind::Media,
            Channel::Standard => DocKind::Standard,
        };
        Signal {
            doc_id: id.to_string(),
            time: day.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc(),
            category: self.category.clone(),
            hazard: self.hazard.clone(),
            severity: 2,
            province: self.province.clone(),
            city: None,
            source: format!("example-{id}"),
            channel: self.channel,
            kind,
            weight: 1.0,
            cluster: id.to_string(),
            parties: Parties {
                brands: self.brand.iter().cloned().collect(),
                enterprises: self.enterprise.iter().cloned().collect(),
                ..Default::default()
            },
            product: None,
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
            let signals = [ex.a.signal("a"), ex.b.signal("b")];
            let cases = super::cases::build_cases(&signals, &[], &rules.cases).0;
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
