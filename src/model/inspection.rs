//! Inspection results as records (issue 47): what a sampling or inspection notice reports, one
//! record per product — batches sampled and failed, the failed items with their hazards, the
//! enterprises and brands named as failing with their places, the issuing regulator and the
//! date. Plain data, beside `model.rs` to keep that file short; analysis makes them
//! (`analyze::inspection`), the store keeps them beside the document (`store::inspections`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Table-row keys of a summary table (产品 / 抽查批次 / 不合格批次), beside [`super::field`].
pub mod keys {
    /// Batches sampled of the row's product.
    pub const SAMPLED: &str = "sampled";
    /// Batches failed of the row's product.
    pub const FAILED: &str = "failed";
    /// Batches passed of the row's product.
    pub const PASSED: &str = "passed";
}

/// Where a record's numbers were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordFrom {
    /// The notice's sentences.
    Text,
    /// A table of the notice page (its rows, or a table written into the text).
    Table,
    /// A table of an attachment (rows carrying `field::FROM`).
    Attachment,
}

impl RecordFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordFrom::Text => "text",
            RecordFrom::Table => "table",
            RecordFrom::Attachment => "attachment",
        }
    }

    pub fn parse(s: &str) -> Option<RecordFrom> {
        match s {
            "text" => Some(RecordFrom::Text),
            "table" => Some(RecordFrom::Table),
            "attachment" => Some(RecordFrom::Attachment),
            _ => None,
        }
    }
}

/// A failed test item as the notice writes it and the hazard the clause tables map it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedItem {
    pub item: String,
    /// Canonical hazard (非安全质量 when the tables know the item as no safety item).
    pub hazard: String,
}

/// An enterprise, brand or shop a notice names as failing, with its place when the notice gives
/// one (inside the name, or the table's place column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailingParty {
    pub name: String,
    /// `enterprise`, `brand` or `shop`.
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

/// What one inspection notice reports of one product (or, when it gives only totals over
/// several products, of all of them: `category` and `product` are then `None`). A number the
/// notice does not state is `None`, never a guess.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRecord {
    /// Canonical category, by the same product resolution as findings.
    pub category: Option<String>,
    /// The product as the notice writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub sampled: Option<u64>,
    pub failed: Option<u64>,
    /// Enterprises sampled, when the notice counts them with the batches ("抽查60家企业生产的
    /// 60批次"): none when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enterprises: Option<u64>,
    #[serde(default)]
    pub failed_items: Vec<FailedItem>,
    #[serde(default)]
    pub parties: Vec<FailingParty>,
    pub regulator: Option<String>,
    pub date: Option<NaiveDate>,
    pub from: RecordFrom,
}

impl InspectionRecord {
    /// Failed batches per sampled batch, when both are known and something was sampled.
    pub fn failure_rate(&self) -> Option<f64> {
        match (self.sampled, self.failed) {
            (Some(s), Some(f)) if s > 0 => Some(f as f64 / s as f64),
            _ => None,
        }
    }
}

/// A stored record with the document it came from (store → report, serve).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredInspection {
    pub doc_id: String,
    /// Its place among the document's records.
    pub seq: u32,
    pub title: String,
    pub url: String,
    #[serde(flatten)]
    pub record: InspectionRecord,
}
