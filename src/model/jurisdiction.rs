//! Routing to the jurisdiction (属地, issue 47): the regulators an alert or on-sale finding is
//! handed to — the places of the enterprises and shops of its evidence, with their parties,
//! documents and contact. Plain data, beside `model.rs` to keep that file short.

use serde::{Deserialize, Serialize};

/// What a party of an alert's or on-sale finding's evidence is to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartyRole {
    /// The maker (生产企业) or the enterprise a notice names.
    Enterprise,
    /// The shop selling the product.
    Shop,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Enterprise => "enterprise",
            PartyRole::Shop => "shop",
        }
    }

    /// How the texts and the package name it.
    pub fn label(self) -> &'static str {
        match self {
            PartyRole::Enterprise => "生产企业",
            PartyRole::Shop => "销售店铺",
        }
    }
}

/// One party in a jurisdiction, with the evidence documents that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JurisdictionParty {
    pub role: PartyRole,
    pub name: String,
    pub documents: Vec<String>,
}

/// A regulator's area (属地) an alert or on-sale finding is handed to: a province, and the city
/// when the party's place names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jurisdiction {
    /// Canonical province (浙江省).
    pub province: String,
    /// Canonical prefecture-level city (宁波市), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Its enterprises first, then its shops, each in the order the evidence names them.
    pub parties: Vec<JurisdictionParty>,
    /// Every document of its parties, each once, in evidence order.
    pub documents: Vec<String>,
    /// Whom to send it to there, from `rules/jurisdictions.toml` (the city's unit, else the
    /// province's), when the rules name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
}

/// A regulator's unit to hand alerts to (`rules/jurisdictions.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Canonical province (浙江省).
    pub province: String,
    /// Canonical city (宁波市); absent for the province's own unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The unit (宁波市市场监督管理局).
    pub unit: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
}

impl Jurisdiction {
    /// The name a text gives it: province and city (浙江省宁波市).
    pub fn name(&self) -> String {
        format!("{}{}", self.province, self.city.as_deref().unwrap_or(""))
    }
}
