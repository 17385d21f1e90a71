//! Listings that break the rules (issue 20, item 2), under `rules/compliance.toml`:
//!
//! - **CCC**: a listing of a category of the compulsory-certification catalogue (`[ccc]
//!   categories`) whose title, attributes and text claim no CCC mark and give no certificate
//!   number (a claim just after a negation — 无3C认证 — is none; 3C数码 is not a claim);
//! - **standard**: a listing of a category under a mandatory standard the rules track through its
//!   transition — a GB standard of `standards.toml` with an `effective` day, or one the standards
//!   channel announced with its 实施日期 — that, from that day, claims an older standard (one the
//!   new one replaces, or the same number with an earlier year) or none;
//! - **banned**: a listing whose title names a product the rules forbid to sell (`[[banned]]`),
//!   from the day the ban began.
//!
//! Each breach becomes an [`OnSaleFinding`] beside the recall matches, with its reason, addressed
//! to the platform. The examples of the file run against the shipped or given `standards.toml`
//! when the rules load, so `jiance check` fails on a rule change that breaks one.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::standards::{Standards, is_standard_number};
use crate::analyze::fold;
use crate::config::{ConfigError, line_in_block};
use crate::model::{
    Action, DocKind, Document, Extraction, FlagBasis, Flagged, Listing, OnSaleFinding, doc_id,
    field,
};

pub const DEFAULT_COMPLIANCE_TOML: &str = include_str!("../../rules/compliance.toml");
pub const COMPLIANCE_FILE: &str = "compliance.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    claims: ClaimRules,
    ccc: CccRules,
    standard: StandardRules,
    #[serde(default)]
    banned: Vec<BannedRaw>,
    #[serde(default)]
    example: Vec<Example>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimRules {
    negations: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CccRules {
    pub categories: Vec<String>,
    pub claims: Vec<String>,
    pub certificate_digits: usize,
    pub confidence: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardRules {
    confidence: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BannedRaw {
    name: String,
    terms: Vec<String>,
    reason: String,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
}

/// A must / must-not example: a listing, a day, and the breaches it must show (`ccc`,
/// `standard`, `banned`; none when empty).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub listing: ExampleListing,
    pub as_of: String,
    pub finds: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExampleListing {
    pub title: String,
    pub text: String,
    pub categories: Vec<String>,
}

/// A product no one may sell.
#[derive(Debug, Clone, PartialEq)]
pub struct Banned {
    pub name: String,
    pub terms: Vec<String>,
    pub reason: String,
    pub since: Option<NaiveDate>,
    pub categories: Vec<String>,
}

/// A mandatory standard followed through its transition: from `effective`, listings of its
/// categories must claim it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracked {
    pub number: String,
    pub title: String,
    pub categories: Vec<String>,
    pub effective: NaiveDate,
    pub replaces: Vec<String>,
    /// The standards channel's document announcing it ("" for the rules' table).
    pub doc_id: String,
    pub url: String,
}

/// The loaded rules, with the standards `standards.toml` tracks.
#[derive(Debug, Clone)]
pub struct Compliance {
    negations: Vec<String>,
    pub ccc: CccRules,
    standard_confidence: f64,
    pub banned: Vec<Banned>,
    /// The standards of `standards.toml` tracked through their transition.
    pub table: Vec<Tracked>,
    pub examples: Vec<Example>,
}

/// One rule a listing breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub basis: FlagBasis,
    /// The rule: "CCC目录：移动电源", "GB 811-2022《摩托车乘员头盔》", "禁售：电子烟（网络销售）".
    pub rule: String,
    pub category: String,
    /// Why, in one clause for the platform.
    pub reason: String,
    /// `category` / `no-ccc`, `old-standard`, `no-standard`, `banned-term`.
    pub matched: Vec<String>,
    pub confidence: f64,
    /// The standards channel's announcement behind a standard breach.
    pub doc_id: String,
    pub url: String,
    pub day: NaiveDate,
}

fn fold_upper(s: &str) -> String {
    fold(s).to_uppercase()
}

/// The standard numbers a text names, normalised: "执行标准：ＧＢ８１１－２０１０" → GB 811-2010,
/// "GB/T 35590-2023" as it is. A number without its year is not one (it names no edition).
pub fn standard_numbers(text: &str) -> Vec<String> {
    let s: Vec<char> = fold_upper(text).chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 1 < s.len() {
        // "GB" starting a word: 16GB is memory, not a standard
        if !(s[i] == 'G' && s[i + 1] == 'B') || (i > 0 && s[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        let mut kind = String::from("GB");
        if j + 1 < s.len() && s[j] == '/' && s[j + 1].is_ascii_alphabetic() {
            kind.push('/');
            kind.push(s[j + 1]);
            j += 2;
        }
        while j < s.len() && s[j] == ' ' {
            j += 1;
        }
        let start = j;
        while j < s.len() && (s[j].is_ascii_digit() || (s[j] == '.' && j > start)) {
            j += 1;
        }
        let num: String = s[start..j].iter().collect::<String>();
        let num = num.trim_end_matches('.').to_string();
        while j < s.len() && s[j] == ' ' {
            j += 1;
        }
        if num.is_empty() || j >= s.len() || !matches!(s[j], '-' | '—' | '–' | '－' | '‐') {
            i += 2;
            continue;
        }
        j += 1;
        while j < s.len() && s[j] == ' ' {
            j += 1;
        }
        let y0 = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j - y0 == 4 {
            let year: String = s[y0..j].iter().collect();
            let n = format!("{kind} {num}-{year}");
            if is_standard_number(&n) && !out.contains(&n) {
                out.push(n);
            }
        }
        i = j.max(i + 2);
    }
    out
}

/// "GB 811-2022" → ("GB 811", 2022).
fn base_year(number: &str) -> Option<(&str, u32)> {
    let (base, year) = number.rsplit_once('-')?;
    Some((base, year.parse().ok()?))
}

/// What a listing's page says, for looking for claims: title, every attribute, head of its text.
pub fn claim_text(doc: &Document) -> String {
    let mut s = doc.title.clone();
    for v in doc.fields.values() {
        s.push(' ');
        s.push_str(v);
    }
    s.push(' ');
    s.push_str(&doc.text);
    s
}

/// A standard the standards channel announced, when it is mandatory and says when it takes
/// effect: its number, 实施日期, categories, and the standards it replaces (本标准代替 …).
pub fn tracked_from(doc: &Document, ex: &Extraction) -> Option<Tracked> {
    if ex.kind != DocKind::Standard {
        return None;
    }
    let named = doc.field(field::STANDARD).unwrap_or_default();
    let number = standard_numbers(named)
        .into_iter()
        .next()
        .or_else(|| standard_numbers(&doc.title).into_iter().next())?;
    if !number.starts_with("GB ") {
        return None;
    }
    let effective = parse_day(doc.field(field::EFFECTIVE)?)?;
    let mut categories: Vec<String> = ex.findings.iter().map(|f| f.category.clone()).collect();
    categories.extend(ex.categories.iter().cloned());
    categories.sort();
    categories.dedup();
    if categories.is_empty() {
        return None;
    }
    let replaces = doc
        .text
        .split("代替")
        .skip(1)
        .filter_map(|after| {
            let head: String = after.chars().take(24).collect();
            standard_numbers(&head).into_iter().next()
        })
        .filter(|n| *n != number)
        .collect();
    let title = doc
        .title
        .split('《')
        .nth(1)
        .and_then(|t| t.split('》').next())
        .unwrap_or(&doc.title)
        .to_string();
    Some(Tracked {
        number,
        title,
        categories,
        effective,
        replaces,
        doc_id: doc.id.clone(),
        url: doc.url.clone(),
    })
}

/// A day as notices write it: 2027-03-01, 2027/3/1, 2027年3月1日, 2027.03.01.
fn parse_day(s: &str) -> Option<NaiveDate> {
    let digits: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match digits.as_slice() {
        [y, m, d, ..] => NaiveDate::from_ymd_opt(*y as i32, *m, *d),
        _ => None,
    }
}

impl Compliance {
    /// `rules_dir/compliance.toml` (else the embedded one), its examples run against
    /// `rules_dir/standards.toml` (else the embedded one).
    pub fn load(rules_dir: Option<&Path>) -> Result<Compliance, Vec<ConfigError>> {
        let standards = Standards::load(rules_dir)?;
        let embedded = || {
            Compliance::parse(
                DEFAULT_COMPLIANCE_TOML,
                "<embedded>/rules/compliance.toml",
                &standards,
            )
        };
        let Some(dir) = rules_dir else {
            return embedded();
        };
        let path = dir.join(COMPLIANCE_FILE);
        let file = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Compliance::parse(&text, &file, &standards),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => embedded(),
            Err(e) => Err(vec![ConfigError::new(
                &file,
                0,
                format!("cannot read: {e}"),
            )]),
        }
    }

    /// Parse, validate and run the examples; `file` names the text in errors.
    pub fn parse(
        text: &str,
        file: &str,
        standards: &Standards,
    ) -> Result<Compliance, Vec<ConfigError>> {
        let f: File =
            toml::from_str(text).map_err(|e| vec![ConfigError::from_toml(file, text, &e)])?;
        let mut errors = Vec::new();
        let line_of = |needle: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(needle))
                .map_or(0, |i| i + 1)
        };
        for (key, v) in [
            ("confidence", f.ccc.confidence),
            ("confidence", f.standard.confidence),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                errors.push(ConfigError::new(
                    file,
                    line_of(key),
                    format!("{key} must be within 0–1, got {v}"),
                ));
            }
        }
        if f.ccc.claims.iter().any(|c| fold_upper(c).trim() == "3C") {
            errors.push(ConfigError::new(
                file,
                line_of("claims"),
                "a bare \"3C\" is not a claim (3C数码 is electronics): write 3C认证, 3C标志 …",
            ));
        }
        if f.ccc.claims.iter().any(|c| c.trim().is_empty())
            || f.claims.negations.iter().any(|c| c.trim().is_empty())
        {
            errors.push(ConfigError::new(
                file,
                line_of("claims"),
                "claims and negations must not be empty",
            ));
        }
        if f.ccc.certificate_digits < 8 {
            errors.push(ConfigError::new(
                file,
                line_of("certificate_digits"),
                "certificate_digits must be at least 8",
            ));
        }
        let mut banned = Vec::new();
        for (i, b) in f.banned.into_iter().enumerate() {
            if b.terms.is_empty() || b.terms.iter().any(|t| t.chars().count() < 2) {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "banned", i, "terms"),
                    format!(
                        "banned {:?}: every term needs two characters or more",
                        b.name
                    ),
                ));
            }
            let since = match b.since.as_deref().map(|d| d.parse::<NaiveDate>()) {
                None => None,
                Some(Ok(d)) => Some(d),
                Some(Err(_)) => {
                    errors.push(ConfigError::new(
                        file,
                        line_in_block(text, "banned", i, "since"),
                        format!("banned {:?}: since is not a date YYYY-MM-DD", b.name),
                    ));
                    None
                }
            };
            banned.push(Banned {
                name: b.name,
                terms: b.terms,
                reason: b.reason,
                since,
                categories: b.categories,
            });
        }
        let table = standards
            .standards
            .iter()
            .filter(|s| s.number.starts_with("GB "))
            .filter_map(|s| {
                Some(Tracked {
                    number: s.number.clone(),
                    title: s.title.clone(),
                    categories: s.categories.clone(),
                    effective: s.effective?,
                    replaces: s.replaces.clone(),
                    doc_id: String::new(),
                    url: String::new(),
                })
            })
            .collect();
        let rules = Compliance {
            negations: f.claims.negations,
            ccc: f.ccc,
            standard_confidence: f.standard.confidence,
            banned,
            table,
            examples: f.example,
        };
        for (i, ex) in rules.examples.iter().enumerate() {
            let line = line_in_block(text, "example", i, "finds");
            let Ok(as_of) = ex.as_of.parse::<NaiveDate>() else {
                errors.push(ConfigError::new(
                    file,
                    line_in_block(text, "example", i, "as_of"),
                    format!("example {}: as_of is not a date YYYY-MM-DD", i + 1),
                ));
                continue;
            };
            let listing = Listing {
                title: ex.listing.title.clone(),
                categories: ex.listing.categories.clone(),
                ..Listing::default()
            };
            let text = format!("{} {}", ex.listing.title, ex.listing.text);
            let got: Vec<&str> = rules
                .breaches(&listing, &text, &rules.table, as_of)
                .iter()
                .map(|b| b.basis.as_str())
                .collect();
            let mut want: Vec<&str> = ex.finds.iter().map(String::as_str).collect();
            want.sort_unstable();
            let mut sorted = got.clone();
            sorted.sort_unstable();
            if sorted != want {
                errors.push(ConfigError::new(
                    file,
                    line,
                    format!(
                        "example {}: listing {:?} must show {want:?}, but the rules find {got:?}",
                        i + 1,
                        ex.listing.title
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(rules)
        } else {
            Err(errors)
        }
    }

    /// Whether `term` occurs in `text` (both folded, upper case) other than just after a
    /// negation.
    fn says(&self, text: &str, term: &str) -> bool {
        let term = fold_upper(term);
        if term.is_empty() {
            return false;
        }
        text.match_indices(term.as_str()).any(|(at, _)| {
            let before = text[..at].trim_end();
            !self
                .negations
                .iter()
                .any(|n| before.ends_with(fold_upper(n).as_str()))
        })
    }

    /// A CCC mark or certificate claimed.
    fn claims_ccc(&self, text: &str) -> bool {
        if self.ccc.claims.iter().any(|c| self.says(text, c)) {
            return true;
        }
        let n = self.ccc.certificate_digits;
        text.split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() == n && run.starts_with("20"))
    }

    /// The rules a listing breaks as of `as_of`; `text` is what its page says ([`claim_text`]),
    /// `tracked` the standards followed (the table's and the channel's).
    pub fn breaches(
        &self,
        listing: &Listing,
        text: &str,
        tracked: &[Tracked],
        as_of: NaiveDate,
    ) -> Vec<Breach> {
        let text = fold_upper(text);
        let mut out = Vec::new();
        let breach = |basis, rule: String, category: &str, reason: String, what: &str| Breach {
            basis,
            rule,
            category: category.to_string(),
            reason,
            matched: vec!["category".to_string(), what.to_string()],
            confidence: 0.0,
            doc_id: String::new(),
            url: String::new(),
            day: as_of,
        };
        if let Some(cat) = listing
            .categories
            .iter()
            .find(|c| self.ccc.categories.contains(c))
            && !self.claims_ccc(&text)
        {
            out.push(Breach {
                confidence: self.ccc.confidence,
                ..breach(
                    FlagBasis::Ccc,
                    format!("CCC目录：{cat}"),
                    cat,
                    format!(
                        "属于强制性产品认证（CCC）目录（{cat}），商品页未标注CCC标志或证书编号"
                    ),
                    "no-ccc",
                )
            });
        }
        if let Some(b) = self.standard_breach(listing, &text, tracked, as_of) {
            out.push(b);
        }
        let title = fold_upper(&listing.title);
        if let Some(b) = self.banned.iter().find(|b| {
            b.since.is_none_or(|d| d <= as_of)
                && (b.categories.is_empty()
                    || listing.categories.iter().any(|c| b.categories.contains(c)))
                && b.terms.iter().any(|t| self.says(&title, t))
        }) {
            let category = listing.categories.first().cloned().unwrap_or_default();
            out.push(Breach {
                confidence: 1.0,
                day: b.since.unwrap_or(as_of),
                matched: vec!["banned-term".to_string()],
                ..breach(
                    FlagBasis::Banned,
                    format!("禁售：{}", b.name),
                    &category,
                    format!("属禁售产品（{}）：{}", b.name, b.reason),
                    "banned-term",
                )
            });
        }
        out
    }

    /// The first tracked standard in force for the listing's categories that it does not claim.
    fn standard_breach(
        &self,
        listing: &Listing,
        text: &str,
        tracked: &[Tracked],
        as_of: NaiveDate,
    ) -> Option<Breach> {
        // In force for the listing: per standard number without its year, the latest edition.
        let mut current: Vec<&Tracked> = Vec::new();
        for t in tracked.iter().filter(|t| {
            t.effective <= as_of && t.categories.iter().any(|c| listing.categories.contains(c))
        }) {
            let Some((base, _)) = base_year(&t.number) else {
                continue;
            };
            match current
                .iter_mut()
                .find(|c| base_year(&c.number).is_some_and(|(b, _)| b == base))
            {
                Some(c) if c.effective < t.effective => *c = t,
                Some(_) => {}
                None => current.push(t),
            }
        }
        let claimed = standard_numbers(text);
        for t in current {
            let (base, year) = base_year(&t.number)?;
            let ok = claimed
                .iter()
                .any(|c| base_year(c).is_some_and(|(b, y)| b == base && y >= year));
            if ok {
                continue;
            }
            let old = claimed.iter().find(|c| {
                t.replaces.contains(c) || base_year(c).is_some_and(|(b, y)| b == base && y < year)
            });
            let category = t
                .categories
                .iter()
                .find(|c| listing.categories.contains(c))
                .cloned()
                .unwrap_or_default();
            let (reason, what) = match old {
                Some(o) => (
                    format!(
                        "标注的执行标准{o}已被{}《{}》代替（{}起实施）",
                        t.number, t.title, t.effective
                    ),
                    "old-standard",
                ),
                None => (
                    format!(
                        "未标注执行{}《{}》（强制性国家标准，{}起实施）",
                        t.number, t.title, t.effective
                    ),
                    "no-standard",
                ),
            };
            return Some(Breach {
                basis: FlagBasis::Standard,
                rule: format!("{}《{}》", t.number, t.title),
                category,
                reason,
                matched: vec!["category".to_string(), what.to_string()],
                confidence: self.standard_confidence,
                doc_id: t.doc_id.clone(),
                url: t.url.clone(),
                day: t.effective,
            });
        }
        None
    }

    /// The findings of every listing (with what its page says) as of `as_of`.
    pub fn find(
        &self,
        listings: &[(Listing, String)],
        channel: &[Tracked],
        as_of: NaiveDate,
    ) -> Vec<OnSaleFinding> {
        let mut tracked = self.table.clone();
        tracked.extend(channel.iter().cloned());
        let tracked = &tracked;
        // listings are independent: checked on a few threads, joined in their order
        let threads = crate::util::par::threads(4);
        crate::util::par::map_shares(listings, threads, 64, |share| {
            let mut out = Vec::new();
            for (l, text) in share {
                for b in self.breaches(l, text, tracked, as_of) {
                    out.push(finding(l, b, as_of));
                }
            }
            out
        })
        .into_iter()
        .flatten()
        .collect()
    }
}

fn finding(l: &Listing, b: Breach, as_of: NaiveDate) -> OnSaleFinding {
    let platform = if l.platform.is_empty() {
        "电商平台".to_string()
    } else {
        l.platform.clone()
    };
    let summary = format!(
        "{platform}店铺「{}」在售商品「{}」{}，请平台核实并责令整改或下架。",
        l.shop, l.title, b.reason
    );
    let source = if b.doc_id.is_empty() {
        format!("rules:{}", b.rule)
    } else {
        b.doc_id.clone()
    };
    OnSaleFinding {
        id: doc_id(&format!(
            "compliance\u{1f}{}\u{1f}{source}\u{1f}{}",
            b.basis.as_str(),
            l.doc_id
        )),
        listing: l.clone(),
        flagged: Flagged {
            doc_id: source,
            row: 0,
            basis: b.basis,
            url: b.url,
            title: b.rule,
            product: b.category.clone(),
            categories: vec![b.category],
            brand: l.brand.clone(),
            model: l.model.clone(),
            batch: String::new(),
            enterprise: l.enterprise.clone(),
            day: b.day,
            also_in: vec![],
            notices: 1,
        },
        matched: b.matched,
        confidence: b.confidence,
        action: Action::Notify,
        notify: platform,
        summary,
        reason: b.reason,
        first_seen: as_of,
        jurisdictions: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Compliance {
        Compliance::load(None).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn listing(title: &str, cats: &[&str]) -> Listing {
        Listing {
            doc_id: "l".into(),
            title: title.into(),
            categories: cats.iter().map(|c| c.to_string()).collect(),
            ..Listing::default()
        }
    }

    #[test]
    fn the_shipped_rules_load_and_their_examples_hold() {
        let r = rules();
        assert!(r.examples.len() >= 6);
        assert!(r.examples.iter().any(|e| e.finds.is_empty()));
        assert!(r.table.iter().any(|t| t.number == "GB 811-2022"));
        assert!(r.table.iter().all(|t| t.number.starts_with("GB ")));
    }

    #[test]
    fn standard_numbers_are_read_however_written() {
        assert_eq!(
            standard_numbers(
                "执行标准：ＧＢ８１１－２０１０，另见GB/T 35590-2023 与 GB 4706.8 —2008"
            ),
            ["GB 811-2010", "GB/T 35590-2023", "GB 4706.8-2008"]
        );
        assert!(standard_numbers("GB 811").is_empty(), "no year, no edition");
        assert!(standard_numbers("16GB 128-2024款").is_empty());
        assert!(standard_numbers("内存16GB-2024新款").is_empty());
    }

    #[test]
    fn a_broken_example_is_an_error_on_its_line() {
        let text = DEFAULT_COMPLIANCE_TOML.replacen(
            "finds = [\"ccc\", \"standard\"]",
            "finds = [\"ccc\"]",
            1,
        );
        let errs = Compliance::parse(&text, "c.toml", &Standards::load(None).unwrap()).unwrap_err();
        let line = text
            .lines()
            .position(|l| l.trim() == "finds = [\"ccc\"]")
            .unwrap()
            + 1;
        assert!(
            errs[0].to_string().starts_with(&format!("c.toml:{line}:")),
            "{errs:?}"
        );
        let bare = DEFAULT_COMPLIANCE_TOML.replacen("claims = [\"CCC\",", "claims = [\"3C\",", 1);
        let errs = Compliance::parse(&bare, "c.toml", &Standards::load(None).unwrap()).unwrap_err();
        assert!(
            errs.iter().any(|e| e.to_string().contains("bare")),
            "{errs:?}"
        );
    }

    #[test]
    fn a_standard_announced_by_the_channel_counts_from_its_effective_day() {
        let r = rules();
        let mut doc = Document {
            id: "std1".into(),
            source: "s".into(),
            channel: crate::model::Channel::Standard,
            kind: Some(DocKind::Standard),
            url: "http://std/1".into(),
            title: "GB 14746-2026《儿童自行车安全要求》国家标准发布".into(),
            text: "批准发布强制性国家标准GB 14746-2026。本标准代替GB 14746-2006。".into(),
            published_at: None,
            fetched_at: chrono::Utc::now(),
            fields: [
                ("standard".to_string(), "GB 14746-2026".to_string()),
                ("effective".to_string(), "2027年3月1日".to_string()),
            ]
            .into_iter()
            .collect(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        };
        let mut ex = Extraction::empty("std1", DocKind::Standard);
        ex.categories = vec!["童车".into()];
        let t = tracked_from(&doc, &ex).unwrap();
        assert_eq!(t.number, "GB 14746-2026");
        assert_eq!(t.replaces, ["GB 14746-2006"]);
        assert_eq!(t.effective, day("2027-03-01"));
        assert_eq!(t.title, "儿童自行车安全要求");
        let l = listing("儿童自行车 3C认证 执行标准GB 14746-2006", &["童车"]);
        let text = l.title.clone();
        let before = r.find(
            &[(l.clone(), text.clone())],
            std::slice::from_ref(&t),
            day("2027-02-28"),
        );
        assert!(before.is_empty(), "{before:?}");
        let after = r.find(&[(l, text)], &[t], day("2027-03-01"));
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].flagged.basis, FlagBasis::Standard);
        assert_eq!(after[0].flagged.url, "http://std/1");
        assert!(after[0].matched.contains(&"old-standard".to_string()));
        assert!(
            after[0].reason.contains("GB 14746-2006"),
            "{}",
            after[0].reason
        );
        // a recommended standard (GB/T) is not tracked
        doc.fields
            .insert("standard".into(), "GB/T 14746-2026".into());
        doc.title = "GB/T 14746-2026《儿童自行车》".into();
        assert!(tracked_from(&doc, &ex).is_none());
    }

    #[test]
    fn ccc_claims_negations_certificates_and_bans() {
        let r = rules();
        let as_of = day("2026-11-20");
        let kinds = |title: &str, cats: &[&str]| -> Vec<FlagBasis> {
            let l = listing(title, cats);
            r.breaches(&l, title, &r.table, as_of)
                .into_iter()
                .map(|b| b.basis)
                .collect()
        };
        assert_eq!(
            kinds("电热水壶 1.8L 食品级", &["电热水壶"]),
            [FlagBasis::Ccc]
        );
        assert!(kinds("电热水壶 证书编号2023010701234567", &["电热水壶"]).is_empty());
        assert!(kinds("电热水壶 通过CCC认证", &["电热水壶"]).is_empty());
        assert_eq!(kinds("电热水壶 没有 CCC", &["电热水壶"]), [FlagBasis::Ccc]);
        assert!(kinds("超薄塑料袋 100只", &[]).contains(&FlagBasis::Banned));
        // before a ban began its product is no finding
        let l = listing("磨砂微珠洗面奶", &[]);
        assert!(
            r.breaches(&l, &l.title, &r.table, day("2022-12-30"))
                .is_empty()
        );
        assert_eq!(r.breaches(&l, &l.title, &r.table, as_of).len(), 1);
    }
}
