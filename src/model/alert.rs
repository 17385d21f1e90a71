//! What scoring decides (score → store → serve): the `Alert` with its scope, action, status and
//! score terms, and the `SamplingRequest` drafted from it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Jurisdiction, doc_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Regional,
    Systemic,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Regional => "regional",
            Scope::Systemic => "systemic",
        }
    }
}

/// The three actions the standard allows for a piece of risk information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Dismiss,
    Notify,
    Sample,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Dismiss => "dismiss",
            Action::Notify => "notify",
            Action::Sample => "sample",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    New,
    Escalated,
    Deescalated,
    Ongoing,
    Closed,
    Acknowledged,
}

/// One named number in an alert's score, so every figure is explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreTerm {
    pub name: String,
    pub value: f64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable per (category, scope, region): see [`alert_id`].
    pub id: String,
    pub category: String,
    pub hazards: Vec<String>,
    pub scope: Scope,
    /// Provinces (or `全国`) the alert covers.
    pub regions: Vec<String>,
    /// Risk level 1–4 (severity × likelihood).
    pub level: u8,
    pub action: Action,
    pub score: f64,
    pub breakdown: Vec<ScoreTerm>,
    /// Evidence document ids, strongest first.
    pub evidence: Vec<String>,
    pub first_seen: NaiveDate,
    pub updated: NaiveDate,
    pub status: AlertStatus,
    /// One sentence a person reads first.
    pub summary: String,
    /// Why, one sentence each (the rise, its chance, corroboration, severity, the action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The cell's daily counts over the baseline, guard and window days, each with what the
    /// baseline expected of that day: what the alert page charts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub daily: Vec<DayCount>,
    /// The regulators to hand it to (属地): where the enterprises and shops of its evidence are,
    /// each with its parties and documents. `regions` stays the place of the events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jurisdictions: Vec<Jurisdiction>,
}

/// One day of an alert's cell: its weighted, de-duplicated count and the baseline's expectation
/// of it, with the band (central 95 %) a day's count falls in when nothing has changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: NaiveDate,
    pub observed: f64,
    pub expected: f64,
    pub low: f64,
    pub high: f64,
    /// The day is in the scored window (else the baseline or the guard days between).
    pub window: bool,
    /// Left out of the baseline (an outage, a disturbance): no expectation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excluded: bool,
}

/// Stable alert id: the same problem keeps its id from day to day.
pub fn alert_id(category: &str, scope: Scope, region: &str) -> String {
    doc_id(&format!(
        "alert\u{1f}{category}\u{1f}{}\u{1f}{region}",
        scope.as_str()
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingRequest {
    pub alert_id: String,
    pub category: String,
    /// Test items to check, from the hazards' rules.
    pub test_items: Vec<String>,
    pub regions: Vec<String>,
    pub platforms: Vec<String>,
    /// Whom to buy from: never one sampled within the configured period.
    pub shops: Vec<String>,
    pub brands: Vec<String>,
    pub enterprises: Vec<String>,
    pub batches: u32,
    pub deadline: NaiveDate,
    /// Concrete listings to buy (issue 20): at most one per shop, brand and enterprise, none
    /// sampled before, by evidence, region and units sold; at most `batches`.
    #[serde(default)]
    pub purchases: Vec<Purchase>,
    /// The test items with the standard that sets each ("过充电", GB 43854-2024), each once.
    #[serde(default)]
    pub items: Vec<TestItem>,
    /// Why its purchases come in their order beyond evidence, place and units sold: the repeat
    /// offenders whose listings it buys first (issue 47). Empty when it buys from none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// One listing a sampling request proposes to buy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Purchase {
    pub doc_id: String,
    pub url: String,
    pub title: String,
    pub platform: String,
    pub shop: String,
    pub province: Option<String>,
    pub brand: String,
    pub model: String,
    pub enterprise: String,
    pub price: Option<f64>,
    pub sales: Option<u64>,
    /// Why this one (预警证据, 属地店铺, 销量 …).
    pub why: String,
}

/// A test item and the standard that sets it (empty when no standard of the rules covers the
/// product).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestItem {
    pub item: String,
    pub standard: String,
    /// The standard's title.
    pub title: String,
}
