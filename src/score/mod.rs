//! stub
use crate::config::ConfigError;
use crate::model::*;
use chrono::NaiveDate;
use std::collections::HashSet;
use std::path::Path;
pub struct ScoringRules;
impl ScoringRules {
    pub fn load(rules_dir: Option<&Path>) -> Result<ScoringRules, Vec<ConfigError>> {
        todo!("{rules_dir:?}")
    }
}
pub struct ScoreInput<'a> {
    pub signals: &'a [Signal],
    pub as_of: NaiveDate,
    pub sampled: &'a HashSet<String>,
    pub test_items: &'a dyn Fn(&str) -> Vec<String>,
    pub previous: &'a [Alert],
}
pub struct ScoreOutput {
    pub alerts: Vec<Alert>,
    pub sampling: Vec<SamplingRequest>,
    pub dismissed: Vec<Alert>,
}
pub fn score(rules: &ScoringRules, input: &ScoreInput) -> ScoreOutput {
    let _ = rules;
    todo!("{}", input.as_of)
}
