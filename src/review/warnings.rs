//! Drafting risk warnings (风险警示) and consumer tips (消费提示) from an alert, by the rules of
//! `rules/warnings.toml` (issue 47 item 5): the product, its hazards, what to check, what to do
//! and where to complain. A draft is only a proposal: an analyst edits it and a named person
//! approves it before anything is published (serve/warnings.rs).

use std::path::Path;

use serde::Deserialize;

use crate::config::{ConfigError, line_in_block};
use crate::model::{Action, Alert, WarningKind};

pub const DEFAULT_WARNINGS_TOML: &str = include_str!("../../rules/warnings.toml");
pub const WARNINGS_FILE: &str = "warnings.toml";

/// The hazard left out beside a named one (a named hazard says more).
const UNSPECIFIED: &str = "未指明";

/// What a consumer checks and does about one hazard.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    pub check: String,
    pub act: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HazardAdvice {
    name: String,
    check: String,
    act: String,
}

/// A product and hazards whose draft must and must not hold some words (`jiance check`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    category: String,
    hazards: Vec<String>,
    #[serde(default)]
    must: Vec<String>,
    #[serde(default)]
    must_not: Vec<String>,
}

/// The rules of `warnings.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningRules {
    warning_level: u8,
    complain: String,
    default: Advice,
    #[serde(default)]
    hazard: Vec<HazardAdvice>,
    #[serde(default)]
    example: Vec<Example>,
}

/// A drafted text before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: WarningKind,
    pub hazards: Vec<String>,
    pub title: String,
    pub body: String,
}

impl WarningRules {
    /// The rules of `rules_dir/warnings.toml`, or the embedded ones when there is none.
    pub fn load(rules_dir: Option<&Path>) -> Result<WarningRules, Vec<ConfigError>> {
        let embedded =
            || WarningRules::parse(DEFAULT_WARNINGS_TOML, "<embedded>/rules/warnings.toml");
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(WARNINGS_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => WarningRules::parse(&text, &file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse and validate, and draft every example; `file` names the text in errors.
    pub fn parse(text: &str, file: &str) -> Result<WarningRules, Vec<ConfigError>> {
        let rules: WarningRules =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let top = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(0, |i| i + 1)
        };
        if !(1..=4).contains(&rules.warning_level) {
            errors.push(ConfigError::new(
                file,
                top("warning_level"),
                format!("warning_level {} is not a level 1–4", rules.warning_level),
            ));
        }
        if rules.complain.trim().is_empty() {
            errors.push(ConfigError::new(file, top("complain"), "complain is empty"));
        }
        if rules.default.check.trim().is_empty() || rules.default.act.trim().is_empty() {
            errors.push(ConfigError::new(
                file,
                top("[default]"),
                "[default] needs both check and act",
            ));
        }
        for (n, h) in rules.hazard.iter().enumerate() {
            let at = |key: &str| line_in_block(text, "hazard", n, key);
            if h.name.trim().is_empty() {
                errors.push(ConfigError::new(file, at("name"), "hazard name is empty"));
            }
            if rules.hazard[..n].iter().any(|o| o.name == h.name) {
                errors.push(ConfigError::new(
                    file,
                    at("name"),
                    format!("hazard {:?} is listed twice", h.name),
                ));
            }
            for (key, v) in [("check", &h.check), ("act", &h.act)] {
                if v.trim().is_empty() {
                    errors.push(ConfigError::new(
                        file,
                        at(key),
                        format!("hazard {:?}: {key} is empty", h.name),
                    ));
                }
            }
        }
        if errors.is_empty() {
            for (n, ex) in rules.example.iter().enumerate() {
                let at = |key: &str| line_in_block(text, "example", n, key);
                let draft = rules.draft(&example_alert(ex));
                let all = format!("{}\n{}", draft.title, draft.body);
                for w in ex.must.iter().filter(|w| !all.contains(w.as_str())) {
                    errors.push(ConfigError::new(
                        file,
                        at("must"),
                        format!("the draft for {} lacks {w:?}: {all}", ex.category),
                    ));
                }
                for w in ex.must_not.iter().filter(|w| all.contains(w.as_str())) {
                    errors.push(ConfigError::new(
                        file,
                        at("must_not"),
                        format!("the draft for {} holds {w:?}: {all}", ex.category),
                    ));
                }
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    /// Rules that still draft something (the last resort when the embedded file fails to load,
    /// which its tests rule out).
    pub fn fallback() -> WarningRules {
        WarningRules {
            warning_level: 3,
            complain: "如发现问题产品，可拨打12315投诉举报。".into(),
            default: Advice {
                check: "查看产品是否有厂名厂址、合格证和警示说明".into(),
                act: "发现异常时立即停止使用".into(),
            },
            hazard: Vec::new(),
            example: Vec::new(),
        }
    }

    fn advice(&self, hazard: &str) -> (&str, &str) {
        self.hazard
            .iter()
            .find(|h| h.name == hazard)
            .map_or((&self.default.check, &self.default.act), |h| {
                (&h.check, &h.act)
            })
    }

    /// The draft for an alert: a 风险警示 when it asks for sampling or reaches `warning_level`,
    /// else a 消费提示. 未指明 stands only when no hazard is named.
    pub fn draft(&self, alert: &Alert) -> Draft {
        let kind = if alert.action == Action::Sample || alert.level >= self.warning_level {
            WarningKind::Warning
        } else {
            WarningKind::Tip
        };
        let mut hazards: Vec<String> = Vec::new();
        for h in &alert.hazards {
            if !hazards.contains(h) {
                hazards.push(h.clone());
            }
        }
        if hazards.iter().any(|h| h != UNSPECIFIED) {
            hazards.retain(|h| h != UNSPECIFIED);
        }
        let named: Vec<&str> = hazards.iter().map(String::as_str).collect();
        let risk = if named.is_empty() || named == [UNSPECIFIED] {
            "质量安全风险".to_string()
        } else {
            format!("{}风险", named.join("、"))
        };
        let title = format!("{}：{}存在{}", kind.label(), alert.category, risk);
        let place = if alert.regions.is_empty() {
            String::new()
        } else {
            alert.regions.join("、")
        };
        let mut body = format!(
            "{} 至 {}，{}监测到{}{}相关风险信息 {} 条。",
            alert.first_seen,
            alert.updated,
            if place.is_empty() {
                "我们".to_string()
            } else {
                format!("在{place}")
            },
            alert.category,
            if named.is_empty() || named == [UNSPECIFIED] {
                String::new()
            } else {
                format!("的{}", named.join("、"))
            },
            alert.evidence.len()
        );
        if !alert.summary.trim().is_empty() {
            body.push_str(alert.summary.trim());
        }
        body.push_str("\n\n请消费者注意：\n");
        let mut seen_checks: Vec<&str> = Vec::new();
        let mut seen_acts: Vec<&str> = Vec::new();
        let list = if named.is_empty() {
            vec![UNSPECIFIED]
        } else {
            named.clone()
        };
        for h in &list {
            let (check, act) = self.advice(h);
            if !seen_checks.contains(&check) {
                seen_checks.push(check);
            }
            if !seen_acts.contains(&act) {
                seen_acts.push(act);
            }
        }
        for c in &seen_checks {
            body.push_str(&format!("· 查看：{c}。\n"));
        }
        for a in &seen_acts {
            body.push_str(&format!("· 处置：{a}。\n"));
        }
        body.push('\n');
        body.push_str(self.complain.trim());
        Draft {
            kind,
            hazards,
            title,
            body,
        }
    }
}

/// The alert an example is drafted for: its product and hazards, level 2, notify, no evidence.
fn example_alert(ex: &Example) -> Alert {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    Alert {
        id: "example".into(),
        category: ex.category.clone(),
        hazards: ex.hazards.clone(),
        scope: crate::model::Scope::Regional,
        regions: vec!["浙江省".into()],
        level: 2,
        action: Action::Notify,
        score: 0.0,
        breakdown: Vec::new(),
        evidence: Vec::new(),
        first_seen: day,
        updated: day,
        status: crate::model::AlertStatus::New,
        summary: String::new(),
        reasons: Vec::new(),
        daily: Vec::new(),
        jurisdictions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> WarningRules {
        match WarningRules::load(None) {
            Ok(r) => r,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn alert(category: &str, hazards: &[&str], level: u8, action: Action) -> Alert {
        let mut a = example_alert(&Example {
            category: category.into(),
            hazards: hazards.iter().map(|h| h.to_string()).collect(),
            must: Vec::new(),
            must_not: Vec::new(),
        });
        a.level = level;
        a.action = action;
        a.evidence = vec!["d1".into(), "d2".into(), "d3".into()];
        a
    }

    #[test]
    fn a_serious_alert_gets_a_warning_and_a_mild_one_a_tip() {
        let r = rules();
        let d = r.draft(&alert("电热毯", &["火灾", "触电"], 3, Action::Notify));
        assert_eq!(d.kind, WarningKind::Warning);
        assert!(d.title.starts_with("风险警示：电热毯"), "{}", d.title);
        assert!(
            d.body.contains("火灾、触电") && d.body.contains(" 3 条"),
            "{}",
            d.body
        );
        assert!(d.body.contains("12315"), "{}", d.body);
        let d = r.draft(&alert("保温杯", &["非安全质量"], 1, Action::Notify));
        assert_eq!(d.kind, WarningKind::Tip);
        let d = r.draft(&alert("移动电源", &["火灾"], 1, Action::Sample));
        assert_eq!(d.kind, WarningKind::Warning);
    }

    #[test]
    fn an_unnamed_hazard_never_stands_beside_a_named_one() {
        let r = rules();
        let d = r.draft(&alert(
            "儿童手表",
            &["未指明", "信息安全"],
            2,
            Action::Notify,
        ));
        assert_eq!(d.hazards, ["信息安全"]);
        assert!(!d.title.contains("未指明") && !d.body.contains("未指明"));
        let d = r.draft(&alert("折叠椅", &["未指明"], 2, Action::Notify));
        assert!(d.title.contains("质量安全风险"), "{}", d.title);
    }

    #[test]
    fn rule_errors_name_the_line() {
        let text = "warning_level = 9\ncomplain = \"\"\n[default]\ncheck = \"a\"\nact = \"b\"\n[[hazard]]\nname = \"火灾\"\ncheck = \"\"\nact = \"c\"\n";
        let errs = WarningRules::parse(text, "w.toml")
            .err()
            .unwrap_or_default();
        assert!(errs.iter().any(|e| e.line == 1), "{errs:?}");
        assert!(errs.iter().any(|e| e.line == 2), "{errs:?}");
        assert!(errs.iter().any(|e| e.line == 8), "{errs:?}");
        let ex = "warning_level = 3\ncomplain = \"x\"\n[default]\ncheck = \"a\"\nact = \"b\"\n[[example]]\ncategory = \"电热毯\"\nhazards = [\"火灾\"]\nmust = [\"燃气\"]\n";
        let errs = WarningRules::parse(ex, "w.toml").err().unwrap_or_default();
        assert!(errs.iter().any(|e| e.line == 9), "{errs:?}");
        assert!(WarningRules::parse("nonsense = 1", "w.toml").is_err());
    }
}
