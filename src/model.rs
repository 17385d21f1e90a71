//! The plain data types that flow between stages (design: "The types that flow").
//!
//! Every stage takes and gives these values and nothing else: `Fetched` (crawl → parse), `Document`
//! (parse → analyze → index), `Extraction` and `Signal` (analyze → index / store → score), `Alert` and
//! `SamplingRequest` (score → store → serve). They are serde types so they can be archived, logged,
//! stored as JSON and, later, sent over a message bus unchanged.
//!
//! This file holds what every stage shares (time, channel, document kind, provinces); the types
//! of one hand-over live beside it in `model/` (`fetch.rs` crawl → parse, `document.rs` parse →
//! analyze → score, `alert.rs` score → serve, `market.rs` listings and on-sale findings,
//! `jurisdiction.rs` routing, `inspection.rs` inspection records, `warning.rs` drafted warnings), re-exported here so every path stays `crate::model::X`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod alert;
mod document;
mod fetch;
mod inspection;
mod jurisdiction;
mod market;
mod warning;
pub use alert::*;
pub use document::*;
pub use fetch::*;
pub use inspection::{
    FailedItem, FailingParty, InspectionRecord, RecordFrom, StoredInspection,
    keys as inspection_keys,
};
pub use jurisdiction::{Contact, Jurisdiction, JurisdictionParty, PartyRole};
pub use market::*;
pub use warning::{Warning, WarningKind};

/// UTC instant used everywhere a time is stored.
pub type Timestamp = DateTime<Utc>;

/// The calendar day of an instant in Beijing time (UTC+8), the day Chinese sources and the
/// monitoring centre count on (a notice published at 00:30 on 5 March belongs to 5 March).
pub fn china_day(t: Timestamp) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

/// The five channels of risk information named by the monitoring standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Complaint platforms (12315 / 12365 and the like).
    Complaint,
    /// Regulators' notices: sampling results, risk warnings, recalls.
    Regulator,
    /// E-commerce platforms: listings, reviews, platform spot checks.
    Platform,
    /// Internet media.
    Media,
    /// Standards bodies: new or revised standards, foreign recall notices.
    Standard,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Complaint,
        Channel::Regulator,
        Channel::Platform,
        Channel::Media,
        Channel::Standard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Complaint => "complaint",
            Channel::Regulator => "regulator",
            Channel::Platform => "platform",
            Channel::Media => "media",
            Channel::Standard => "standard",
        }
    }
}

/// What kind of text a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Listing,
    Complaint,
    Media,
    Notice,
    Recall,
    Inspection,
    Standard,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Listing => "listing",
            DocKind::Complaint => "complaint",
            DocKind::Media => "media",
            DocKind::Notice => "notice",
            DocKind::Recall => "recall",
            DocKind::Inspection => "inspection",
            DocKind::Standard => "standard",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        Some(match s {
            "listing" => DocKind::Listing,
            "complaint" => DocKind::Complaint,
            "media" => DocKind::Media,
            "notice" => DocKind::Notice,
            "recall" => DocKind::Recall,
            "inspection" => DocKind::Inspection,
            "standard" => DocKind::Standard,
            _ => return None,
        })
    }
}

/// The 31 provincial-level divisions of the mainland (GB/T 2260), by code, with the canonical
/// names the rules and regions use. For simulations and generated data; analysis resolves places
/// from `dictionaries/regions.tsv`.
pub const PROVINCES: [&str; 31] = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_id_is_stable_and_short() {
        assert_eq!(doc_id("http://a/b"), doc_id("http://a/b"));
        assert_ne!(doc_id("http://a/b"), doc_id("http://a/c"));
        assert_eq!(doc_id("x").len(), 16);
    }

    #[test]
    fn fetched_body_round_trips_through_json() {
        for body in [&b""[..], b"a", b"ab", b"abc", b"\xff\x00\x80gbk\xd6\xd0"] {
            let f = Fetched {
                source: "s".into(),
                url: "http://x/".into(),
                role: PageRole::Detail,
                status: 200,
                headers: vec![],
                body: body.to_vec(),
                fetched_at: Utc::now(),
                record_id: "r".into(),
                attachments: Vec::new(),
            };
            let json = serde_json::to_string(&f).unwrap();
            let back: Fetched = serde_json::from_str(&json).unwrap();
            assert_eq!(back.body, body);
        }
    }
}
