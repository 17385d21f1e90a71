//! What parsing and analysis make of a page (parse → analyze → index / store → score): the
//! `Document`, its `Extraction` (mentions, parties, findings) and the `Signal` rows it yields.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::InspectionRecord;
use super::{Channel, DocKind, Timestamp, china_day};

/// Well-known keys of [`Document::fields`] and of table rows. Sources may add others.
pub mod field {
    pub const PLATFORM: &str = "platform";
    /// Set by the parser from the source ([`crate::config::SourceConfig::publisher`]); signals
    /// count corroboration by it.
    pub const PUBLISHER: &str = "publisher";
    pub const SHOP: &str = "shop";
    pub const SHOP_REGION: &str = "shop_region";
    pub const BRAND: &str = "brand";
    pub const ENTERPRISE: &str = "enterprise";
    pub const PRICE: &str = "price";
    pub const SALES: &str = "sales";
    pub const STATUS: &str = "status";
    pub const REGION: &str = "region";
    pub const MODEL: &str = "model";
    /// What a listing says about certification and standards (3C认证 …；执行标准 …).
    pub const CLAIMS: &str = "claims";
    /// Standard number (standards announcements).
    pub const STANDARD: &str = "standard";
    pub const EFFECTIVE: &str = "effective";
    /// Table-row keys for inspection results.
    pub const PRODUCT: &str = "product";
    pub const PROVINCE: &str = "province";
    pub const ITEMS: &str = "items";
    pub const RESULT: &str = "result";
    /// Production date or batch number of an inspected sample (生产日期/批号).
    pub const BATCH: &str = "batch";
    /// Set on a table row read from a notice's attachment: the attachment's URL.
    pub const FROM: &str = "from";
    /// Set by the parser when a page's text was longer than a document keeps: "kept/total" bytes.
    pub const TEXT_CUT: &str = "text_cut";
}

/// One piece of risk information (parse → analyze → index).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable id: hash of the canonical URL, or of source + native id (see [`doc_id`]).
    pub id: String,
    pub source: String,
    pub channel: Channel,
    /// The kind the source declares, if any; analysis may infer it otherwise.
    pub kind: Option<DocKind>,
    pub url: String,
    pub title: String,
    pub text: String,
    pub published_at: Option<Timestamp>,
    pub fetched_at: Timestamp,
    /// Structured fields the source provides (keys in [`field`]).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Structured table rows (e.g. failed products of an inspection notice: product, enterprise,
    /// province, items).
    #[serde(default)]
    pub rows: Vec<BTreeMap<String, String>>,
    /// The source's default region when it is a local site (a province, city or county name).
    pub region_hint: Option<String>,
    /// Source weight from config (how much one document of this source counts).
    pub weight: f32,
}

impl Document {
    /// A document of text alone, as `jiance extract` makes one from a line of JSON: no URL, no
    /// kind, no fields or rows, fetched now, weight 1. Callers set what else they know with
    /// struct update syntax (`Document { kind, ..Document::of_text(…) }`).
    pub fn of_text(
        id: impl Into<String>,
        source: impl Into<String>,
        channel: Channel,
        title: impl Into<String>,
        text: impl Into<String>,
    ) -> Document {
        Document {
            id: id.into(),
            source: source.into(),
            channel,
            kind: None,
            url: String::new(),
            title: title.into(),
            text: text.into(),
            published_at: None,
            fetched_at: chrono::Utc::now(),
            fields: BTreeMap::new(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        }
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The day the document counts on: its publication day, else the day it was fetched.
    pub fn day(&self) -> NaiveDate {
        china_day(self.published_at.unwrap_or(self.fetched_at))
    }
}

/// Stable document id: the first 16 hex digits of SHA-1 over `key` (a canonical URL, or
/// `source\u{1f}native-id`).
pub fn doc_id(key: &str) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(key.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a region mention stands in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionRole {
    /// Where the event happened (the only role that places a signal).
    Event,
    /// Only inside a company or organisation name (天津XX车业有限公司).
    Company,
    /// A media dateline (中新网上海3月5日电).
    Dateline,
    /// The publisher's own location (XX市市场监督管理局 as author).
    Publisher,
    /// A shop's location on a platform listing.
    Shop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionMention {
    /// As written in the text.
    pub text: String,
    /// GB/T 2260 six-digit code; `000000` for 全国, empty for places abroad.
    pub code: String,
    /// Canonical province name (浙江省), `全国`, or `境外:<country>`.
    pub province: String,
    /// Canonical prefecture-level city, when known.
    pub city: Option<String>,
    pub role: RegionRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardMention {
    /// Canonical hazard name (taxonomy).
    pub hazard: String,
    /// The term that matched, as written.
    pub term: String,
    /// GB/T 22760 level 1–4 after modifiers.
    pub severity: u8,
    /// Under a negation cue (未发生起火, 不会爆炸, 未检出).
    pub negated: bool,
    /// Under a hypothetical, advice or drill cue (如果, 提醒, 演练).
    pub hypothetical: bool,
    /// The canonical category this mention is attached to, if any.
    pub category: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Parties {
    #[serde(default)]
    pub brands: Vec<String>,
    #[serde(default)]
    pub enterprises: Vec<String>,
    #[serde(default)]
    pub shops: Vec<String>,
    #[serde(default)]
    pub platforms: Vec<String>,
}

impl Parties {
    pub fn is_empty(&self) -> bool {
        self.brands.is_empty()
            && self.enterprises.is_empty()
            && self.shops.is_empty()
            && self.platforms.is_empty()
    }

    /// Add the other's parties, keeping each list free of repeats and in first-seen order.
    pub fn merge(&mut self, other: &Parties) {
        fn add(into: &mut Vec<String>, from: &[String]) {
            for s in from {
                if !into.contains(s) {
                    into.push(s.clone());
                }
            }
        }
        add(&mut self.brands, &other.brands);
        add(&mut self.enterprises, &other.enterprises);
        add(&mut self.shops, &other.shops);
        add(&mut self.platforms, &other.platforms);
    }
}

/// One risk finding inside a document: a (category, hazard, place) the document reports as real.
/// A document has one finding per product-hazard pair, and an inspection notice one per failed row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub category: String,
    pub hazard: String,
    pub severity: u8,
    /// Canonical province, `全国`, `境外:<country>`; `None` when the text does not place it.
    pub province: Option<String>,
    pub city: Option<String>,
    /// Parties tied to this finding (an inspection row's enterprise, a listing's shop and brand).
    #[serde(default)]
    pub parties: Parties,
    /// The product noun as written, when no rule knows the product (category `未归类`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

/// What analysis read from one document (analyze → index, signals).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub doc_id: String,
    /// The document kind: the source's, or inferred from the text.
    pub kind: DocKind,
    /// Canonical categories mentioned, most salient first.
    pub categories: Vec<String>,
    pub hazards: Vec<HazardMention>,
    pub regions: Vec<RegionMention>,
    pub parties: Parties,
    /// Standard numbers as written in canonical form (GB 17761-2024, GB/T 22760-2020).
    pub standards: Vec<String>,
    /// Vulnerable groups named (儿童, 婴幼儿, 老人).
    pub vulnerable: Vec<String>,
    /// Real risk findings; empty when `is_signal` is false.
    pub findings: Vec<Finding>,
    pub is_signal: bool,
    /// Why the document is not a signal (`negated`, `drill`, `all-pass inspection`, `no hazard` …).
    pub reason: Option<String>,
    /// Near-duplicate cluster id: reposts of one story share it.
    pub cluster: String,
    /// Set when the text was longer than the analysis reads: how much was read of how much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_cut: Option<TextCut>,
    /// An inspection notice's results, a record per product (`model/inspection.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inspections: Vec<InspectionRecord>,
}

/// A text cut to bound the work spent on one document: `kept` of `total` bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextCut {
    pub kept: u64,
    pub total: u64,
}

/// Where to cut `text` to at most `max` bytes: at the last sentence end (。！？ or a newline) in
/// the final 2,000 bytes before the limit, else at a character boundary (`kept` is a boundary to
/// truncate at). None when it fits.
pub fn cut_text(text: &str, max: usize) -> Option<TextCut> {
    if text.len() <= max {
        return None;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window_start = end.saturating_sub(2000);
    if let Some(i) = text[..end]
        .rfind(['。', '！', '？', '\n'])
        .filter(|&i| i >= window_start)
    {
        end = i + text[i..].chars().next().map_or(1, char::len_utf8);
    }
    Some(TextCut {
        kept: end as u64,
        total: text.len() as u64,
    })
}

impl Extraction {
    /// An extraction that found nothing: no mentions, not a signal, its own cluster.
    pub fn empty(doc_id: &str, kind: DocKind) -> Extraction {
        Extraction {
            doc_id: doc_id.to_string(),
            kind,
            categories: Vec::new(),
            hazards: Vec::new(),
            regions: Vec::new(),
            parties: Parties::default(),
            standards: Vec::new(),
            vulnerable: Vec::new(),
            findings: Vec::new(),
            is_signal: false,
            reason: None,
            cluster: doc_id.to_string(),
            text_cut: None,
            inspections: Vec::new(),
        }
    }
}

/// One real risk signal: a row per (document, category, hazard, province) (analyze → store → score).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub doc_id: String,
    pub time: Timestamp,
    pub category: String,
    pub hazard: String,
    pub severity: u8,
    /// Canonical province, `全国`, `境外:<country>`, or `None` when unknown.
    pub province: Option<String>,
    pub city: Option<String>,
    /// The publisher (the unit of independent corroboration): the source's `publisher`, by
    /// default its site; the source name for documents parsed before publishers existed.
    pub source: String,
    pub channel: Channel,
    pub kind: DocKind,
    /// Source weight.
    pub weight: f32,
    pub cluster: String,
    #[serde(default)]
    pub parties: Parties,
    /// The product noun as written when no category rule knows the product (category `未归类`,
    /// from [`Finding::product`]): what reports and the dashboard list as new kinds of product.
    /// Absent in signals stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

impl Signal {
    /// The Beijing-time day the signal counts on.
    pub fn day(&self) -> NaiveDate {
        china_day(self.time)
    }
}
