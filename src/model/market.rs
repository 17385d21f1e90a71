//! What the market stage reads and finds (issue 20): a platform `Listing`, and the listings
//! flagged as still on sale after a recall or a failed inspection (`OnSaleFinding`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Action, Jurisdiction};

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
