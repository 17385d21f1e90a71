//! The plain data types that flow between stages (design: "The types that flow").
//!
//! Every stage takes and gives these values and nothing else: `Fetched` (crawl → parse), `Document`
//! (parse → analyze → index), `Extraction` and `Signal` (analyze → index / store → score), `Alert` and
//! `SamplingRequest` (score → store → serve). They are serde types so they can be archived, logged,
//! stored as JSON and, later, sent over a message bus unchanged.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod inspection;
mod jurisdiction;
mod warning;
pub use inspection::{
    FailedItem, FailingParty, InspectionRecord, RecordFrom, StoredInspection,
    keys as inspection_keys,
};
pub use jurisdiction::{Contact, Jurisdiction, JurisdictionParty, PartyRole};
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

/// Why the crawler fetched a page; recorded in the archive so a rerun knows what each record was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageRole {
    /// A list / search-result page: only links are taken from it.
    List,
    /// An RSS / Atom feed: only links are taken from it.
    Feed,
    /// A detail or article page: one document.
    Detail,
    /// A JSON API page: zero or more documents.
    Api,
    /// robots.txt.
    Robots,
    /// A file a detail page links to (a notice's spreadsheet, Word, CSV or PDF file): fetched with its page
    /// and read into that page's document (`parse::attachment`), never a document of its own.
    Attachment,
}

impl PageRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PageRole::List => "list",
            PageRole::Feed => "feed",
            PageRole::Detail => "detail",
            PageRole::Api => "api",
            PageRole::Robots => "robots",
            PageRole::Attachment => "attachment",
        }
    }

    pub fn parse(s: &str) -> Option<PageRole> {
        Some(match s {
            "list" => PageRole::List,
            "feed" => PageRole::Feed,
            "detail" => PageRole::Detail,
            "api" => PageRole::Api,
            "robots" => PageRole::Robots,
            "attachment" => PageRole::Attachment,
            _ => return None,
        })
    }

    /// Pages of these roles carry documents and go on to the parse stage.
    pub fn carries_documents(self) -> bool {
        matches!(self, PageRole::Detail | PageRole::Api)
    }
}

/// Links a fetched page leads to.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Discovered {
    /// Detail / article pages (absolute URLs), fetched as `PageRole::Detail`.
    pub details: Vec<String>,
    /// Further list / feed / API pages (absolute URLs), fetched with the page's own role.
    pub next: Vec<String>,
    /// `lastmod` of sitemap entries (details and further sitemaps), where given.
    pub lastmod: BTreeMap<String, Timestamp>,
    /// What the page needed repaired to be read (`feed-entities`, `feed-loose-scan`), counted by
    /// the crawler under these reasons.
    pub repairs: Vec<&'static str>,
    /// The page was a sitemap or sitemap index: its further sitemaps are all read (those whose
    /// `lastmod` says they are unchanged excepted), whether or not it led to unseen pages.
    pub sitemap: bool,
    /// Items the page itself carries as documents (script data of a listing): the crawler pages
    /// on while there are any, as it does through an API.
    pub inline_items: usize,
}

/// One HTTP response as fetched and archived (crawl → parse).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fetched {
    /// Name of the source (config `[[source]] name`).
    pub source: String,
    /// Final URL after redirects.
    pub url: String,
    pub role: PageRole,
    pub status: u16,
    /// Response headers, lower-case names, in received order.
    pub headers: Vec<(String, String)>,
    #[serde(with = "serde_bytes_b64")]
    pub body: Vec<u8>,
    pub fetched_at: Timestamp,
    /// `WARC-Record-ID` of the response record in the archive.
    pub record_id: String,
    /// Attachments of a detail page (role [`PageRole::Attachment`], each archived on its own),
    /// fetched by the crawler with the page so that the page and its files are parsed, committed
    /// and marked processed as one unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Fetched>,
}

impl Fetched {
    /// A page that came from somewhere other than a live fetch (a saved file, a demo or test
    /// page): status 200, no headers, fetched now, in no archive record, no attachments.
    pub fn page(source: &str, url: &str, role: PageRole, body: Vec<u8>) -> Fetched {
        Fetched {
            source: source.to_string(),
            url: url.to_string(),
            role,
            status: 200,
            headers: Vec::new(),
            body,
            fetched_at: chrono::Utc::now(),
            record_id: String::new(),
            attachments: Vec::new(),
        }
    }

    /// The page as a browser rendered it: the response's URL, status, fetch time and headers,
    /// with the rendered `body` of media type `content_type`, archived as record `record_id`.
    pub fn rendered(&mut self, body: Vec<u8>, content_type: String, record_id: String) {
        self.headers.retain(|(k, _)| k != "content-type");
        self.headers
            .push(("content-type".to_string(), content_type));
        self.body = body;
        self.record_id = record_id;
    }

    /// The same page with a `Content-Type` header, as a server would have sent it.
    pub fn with_content_type(mut self, content_type: &str) -> Fetched {
        self.headers
            .push(("content-type".to_string(), content_type.to_string()));
        self
    }

    /// First header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

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

/// A product offered on a platform, as its listing says (stored with the listing; read by the
/// market stage for on-sale matching and sampling purchases).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub doc_id: String,
    pub url: String,
    pub title: String,
    pub platform: String,
    pub shop: String,
    /// Where the platform says the shop ships from, as written ("广东 深圳").
    pub shop_region: String,
    /// Canonical province of the shop, when its place resolves.
    pub province: Option<String>,
    pub brand: String,
    pub model: String,
    pub enterprise: String,
    pub price: Option<f64>,
    /// Units sold as the platform counts them (月销 1200+ → 1200), when it says.
    pub sales: Option<u64>,
    /// The sales figure as written.
    pub sales_text: String,
    pub categories: Vec<String>,
    /// The day the listing was published or last seen.
    pub day: NaiveDate,
}

/// Why a product must not be on sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlagBasis {
    /// A recall notice names it.
    Recall,
    /// A failed batch of a sampling inspection.
    Failed,
    /// A category of the CCC catalogue offered without a CCC claim.
    Ccc,
    /// A new mandatory standard in force, an older one or none claimed.
    Standard,
    /// A product the rules forbid to sell.
    Banned,
}

impl FlagBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            FlagBasis::Recall => "recall",
            FlagBasis::Failed => "failed",
            FlagBasis::Ccc => "ccc",
            FlagBasis::Standard => "standard",
            FlagBasis::Banned => "banned",
        }
    }

    /// Every basis, in order (recall matches first, then the rules a listing breaks).
    pub const ALL: [FlagBasis; 5] = [
        FlagBasis::Recall,
        FlagBasis::Failed,
        FlagBasis::Ccc,
        FlagBasis::Standard,
        FlagBasis::Banned,
    ];

    pub fn parse(s: &str) -> Option<FlagBasis> {
        FlagBasis::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// A recall or failed batch matched (not a rule the listing breaks).
    pub fn is_match(self) -> bool {
        matches!(self, FlagBasis::Recall | FlagBasis::Failed)
    }

    /// How the dashboard and the CSV name it.
    pub fn label(self) -> &'static str {
        match self {
            FlagBasis::Recall => "召回",
            FlagBasis::Failed => "抽检不合格",
            FlagBasis::Ccc => "未标CCC",
            FlagBasis::Standard => "标准过期",
            FlagBasis::Banned => "禁售产品",
        }
    }
}

/// A product a recall or a failed inspection batch names: one model of a recall, one failed row.
/// For a rule a listing breaks (CCC, standard, banned), the rule: `title` names it, `product` and
/// `categories` the listing's category, `doc_id` / `url` the standards channel's announcement or
/// `rules:…`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flagged {
    /// The notice it comes from.
    pub doc_id: String,
    /// Which of the notice's products (model of a recall, row of an inspection), from 0.
    pub row: usize,
    pub basis: FlagBasis,
    pub url: String,
    pub title: String,
    pub product: String,
    /// The notice's product categories (a recall of an e-bike charger is about 电动自行车充电器
    /// and 电动自行车).
    pub categories: Vec<String>,
    pub brand: String,
    pub model: String,
    pub batch: String,
    pub enterprise: String,
    pub day: NaiveDate,
    /// The other notices naming the same product (a recall republished by a province, a city
    /// and the news), earliest first, at most [`Flagged::ALSO_IN_MAX`]: one listing gets one
    /// finding per product, not one per copy of its notice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<NoticeRef>,
    /// How many notices name the product, this one included (0 in records from before the
    /// merge: read as 1).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub notices: usize,
}

impl Flagged {
    /// The most other notices a flagged product lists; the count stays whole in `notices`.
    pub const ALSO_IN_MAX: usize = 20;
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Another notice naming a flagged product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRef {
    pub doc_id: String,
    pub url: String,
    pub day: NaiveDate,
}

/// A listing still selling a recalled or failed product (issue 20): what matched and how sure it
/// is, and the action — notify the platform, which takes the listing down (the standard's 6.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnSaleFinding {
    /// Stable per (notice, product, listing).
    pub id: String,
    pub listing: Listing,
    pub flagged: Flagged,
    /// What matched: `model`, `brand`, `enterprise`, `batch`; for a rule broken, `category` and
    /// `no-ccc`, `old-standard`, `no-standard` or `banned-term`.
    pub matched: Vec<String>,
    /// 0–1, from the weights of `rules/market.toml`.
    pub confidence: f64,
    pub action: Action,
    /// Whom the action is addressed to: the platform.
    pub notify: String,
    /// One sentence for the platform or the local unit.
    pub summary: String,
    /// Why it must not be on sale, in one clause (召回产品仍在售; 属于强制性产品认证目录…).
    #[serde(default)]
    pub reason: String,
    /// The first scoring day it was found (kept across runs).
    pub first_seen: NaiveDate,
    /// The regulators of the places of the shop selling it and of the enterprise behind the
    /// product (属地, issue 47), each with the listing or notice naming its party.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jurisdictions: Vec<Jurisdiction>,
}

/// Base64 for body bytes in JSON, so `Fetched` stays a plain serde type.
mod serde_bytes_b64 {
    use serde::{Deserialize, Deserializer, Serializer};

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        s.serialize_str(&out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = Vec::with_capacity(s.len() / 4 * 3);
        let mut acc = 0u32;
        let mut bits = 0;
        for c in s.bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => break,
                _ => return Err(serde::de::Error::custom("invalid base64 in body")),
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        Ok(out)
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
