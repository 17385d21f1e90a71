//! A risk warning (风险警示) or consumer tip (消费提示) drafted from an alert: the plain record the
//! store keeps, review drafts and serve publishes once a named person approved it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which text it is: a 风险警示 for a serious alert, else a 消费提示.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WarningKind {
    /// 风险警示
    Warning,
    /// 消费提示
    Tip,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::Warning => "warning",
            WarningKind::Tip => "tip",
        }
    }

    /// The Chinese name a title starts with.
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::Warning => "风险警示",
            WarningKind::Tip => "消费提示",
        }
    }

    pub fn parse(s: &str) -> Option<WarningKind> {
        [WarningKind::Warning, WarningKind::Tip]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A drafted text and where it stands. `approved_by` is set only by an approval, and only an
/// approved text is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// `w-` and the alert's id: one text per alert, edited in place.
    pub id: String,
    pub alert_id: String,
    pub kind: WarningKind,
    pub category: String,
    pub hazards: Vec<String>,
    pub title: String,
    pub body: String,
    pub drafted_by: String,
    pub drafted_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<DateTime<Utc>>,
}

impl Warning {
    pub fn id_for(alert_id: &str) -> String {
        format!("w-{alert_id}")
    }

    pub fn published(&self) -> bool {
        self.approved_by.is_some()
    }
}
