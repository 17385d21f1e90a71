//! Recalled and failed products still on sale (issue 20, item 1).
//!
//! Every recall (one product per model it names) and every failed row of an inspection notice
//! is a [`Flagged`] product; every listing record a [`Listing`]. A listing sells a flagged product
//! when the product's model number is among the model numbers its title or model field can be
//! read as holding ([`names::model_candidates`]: width, case, separators and introducing words
//! folded, pieces never cut, so 3PB-1234 is not 3PB-123), and enough else agrees — the brand
//! (aliases from the rules), the enterprise, the batch — to reach the rules' threshold; a listing
//! naming another brand loses weight; a listing of another category is never a match, whatever
//! its model, brand or enterprise strings, nor one of another product of the same category (a
//! bed rail for a recalled high chair: the nouns of market.toml `[[product]]`); the finding's
//! `matched` and sentence say what agreed (型号、品牌、企业、批次、品类、品名). A product without a
//! usable model number is not matched at all (a brand names a range, not the recalled product)
//! and is counted. Each match is an [`OnSaleFinding`] with the action `notify`, addressed to the
//! platform.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use super::names;
use super::rules::{Example, MarketRules};
use crate::model::{
    Action, DocKind, Document, Extraction, FlagBasis, Flagged, Listing, NoticeRef, OnSaleFinding,
    PROVINCES, RegionRole, doc_id, field,
};

/// What one matching run saw and made, for the counters and the log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnSaleRun {
    pub listings: usize,
    pub flagged: usize,
    pub findings: Vec<OnSaleFinding>,
    /// Of the findings, listings breaking a rule (CCC, standard, banned) rather than matched.
    pub breaches: usize,
    /// Flagged products passed over, by reason (`no-model`).
    pub skipped: BTreeMap<&'static str, u64>,
    /// Flagged products merged into the same product of an earlier notice ([`merge_republished`]).
    pub merged: usize,
}

/// The listing a listing document describes.
pub fn listing(doc: &Document, ex: &Extraction) -> Listing {
    let f = |k: &str| doc.field(k).unwrap_or_default().trim().to_string();
    let shop_region = f(field::SHOP_REGION);
    let province = ex
        .regions
        .iter()
        .find(|r| r.role == RegionRole::Shop && !r.province.is_empty())
        .map(|r| r.province.clone())
        .or_else(|| province_of(&shop_region));
    let sales_text = f(field::SALES);
    Listing {
        doc_id: doc.id.clone(),
        url: doc.url.clone(),
        title: doc.title.clone(),
        platform: f(field::PLATFORM),
        shop: f(field::SHOP),
        shop_region,
        province,
        brand: f(field::BRAND),
        model: f(field::MODEL),
        enterprise: f(field::ENTERPRISE),
        price: doc.field(field::PRICE).and_then(names::price),
        sales: names::sales(&sales_text),
        sales_text,
        categories: ex.categories.clone(),
        day: doc.day(),
    }
}

/// The canonical province a place as written starts with ("广东 深圳" → 广东省).
pub fn province_of(place: &str) -> Option<String> {
    let place = place.trim();
    if place.is_empty() {
        return None;
    }
    PROVINCES
        .iter()
        .find(|p| {
            let short = p
                .trim_end_matches("维吾尔自治区")
                .trim_end_matches("壮族自治区")
                .trim_end_matches("回族自治区")
                .trim_end_matches("自治区")
                .trim_end_matches('省')
                .trim_end_matches('市');
            place.starts_with(short)
        })
        .map(|p| p.to_string())
}

/// The brand a product name carries: "倍力源牌移动电源" → 倍力源, "移动电源（倍力源）" → 倍力源.
fn brand_in_product(product: &str) -> Option<String> {
    if let Some((b, _)) = product.split_once('牌') {
        let n = b.chars().count();
        if (1..=10).contains(&n) {
            return Some(b.trim().to_string());
        }
    }
    let open = product.rfind(['（', '('])?;
    let inner = product[open..]
        .trim_start_matches(['（', '('])
        .trim_end_matches([')', '）']);
    let n = inner.chars().count();
    ((1..=16).contains(&n) && !inner.contains(['（', '('])).then(|| inner.trim().to_string())
}

fn is_pass(result: &str) -> bool {
    let r = result.trim();
    !r.is_empty() && r.contains("合格") && !r.contains("不合格")
}

/// The flagged products of a recall or inspection notice: one per model a recall names, one per
/// failed row of a notice's table.
pub fn flagged(doc: &Document, ex: &Extraction) -> Vec<Flagged> {
    let mut categories: Vec<String> = ex.findings.iter().map(|f| f.category.clone()).collect();
    categories.extend(ex.categories.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    categories.retain(|c| seen.insert(c.clone()));
    let base = |row: usize, basis: FlagBasis| Flagged {
        doc_id: doc.id.clone(),
        row,
        basis,
        url: doc.url.clone(),
        title: doc.title.clone(),
        product: String::new(),
        categories: categories.clone(),
        brand: String::new(),
        model: String::new(),
        batch: String::new(),
        enterprise: String::new(),
        day: doc.day(),
        also_in: Vec::new(),
        notices: 1,
    };
    let mut out = Vec::new();
    if ex.kind == DocKind::Recall {
        let product = doc.field(field::PRODUCT).unwrap_or_default().to_string();
        let brand = doc
            .field(field::BRAND)
            .map(str::to_string)
            .or_else(|| brand_in_product(&product))
            .or_else(|| (ex.parties.brands.len() == 1).then(|| ex.parties.brands[0].clone()))
            .unwrap_or_default();
        let enterprise = doc
            .field(field::ENTERPRISE)
            .map(str::to_string)
            .or_else(|| ex.parties.enterprises.first().cloned())
            .unwrap_or_default();
        let models: Vec<String> = match doc.field(field::MODEL) {
            Some(m) => names::split_models(m).map(str::to_string).collect(),
            None => crate::analyze::facts(&doc.title, &doc.text, &[]).models,
        };
        let models = if models.is_empty() {
            vec![String::new()]
        } else {
            models
        };
        for (i, m) in models.into_iter().enumerate() {
            let mut f = base(i, FlagBasis::Recall);
            f.product = product.clone();
            f.brand = brand.clone();
            f.model = m;
            f.batch = doc.field(field::BATCH).unwrap_or_default().to_string();
            f.enterprise = enterprise.clone();
            out.push(f);
        }
        return out;
    }
    for (i, row) in doc.rows.iter().enumerate() {
        let get = |k: &str| row.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
        if is_pass(&get(field::RESULT)) {
            continue;
        }
        let mut f = base(i, FlagBasis::Failed);
        f.product = get(field::PRODUCT);
        f.brand = Some(get(field::BRAND))
            .filter(|b| !b.is_empty())
            .or_else(|| brand_in_product(&f.product))
            .unwrap_or_default();
        f.model = get(field::MODEL);
        f.batch = get(field::BATCH);
        f.enterprise = get(field::ENTERPRISE);
        out.push(f);
    }
    out
}

/// A listing prepared for matching: its model candidates, canonical brands, folded title.
struct Prepared<'a> {
    listing: &'a Listing,
    brands: Vec<String>,
    title: String,
}

/// How sure it is that a listing whose model matched sells a flagged product, with what matched
/// (0 and `other-category` / `other-product` when it sells something else).
fn confidence(rules: &MarketRules, fl: &Flagged, p: &Prepared<'_>) -> (f64, Vec<String>) {
    let (flagged_brand, flagged_enterprise, flagged_batch, flagged_categories) =
        (&fl.brand, &fl.enterprise, &fl.batch, &fl.categories);
    let w = &rules.onsale;
    let mut score = w.model;
    let mut matched = vec!["model".to_string()];
    let canon = (!flagged_brand.trim().is_empty()).then(|| rules.brand(flagged_brand));
    let brand_match = canon.as_ref().is_some_and(|b| {
        p.brands.iter().any(|x| x == b)
            || rules
                .brand_spellings(b)
                .iter()
                .any(|s| s.chars().count() >= 2 && p.title.contains(s.as_str()))
    });
    if brand_match {
        score += w.brand;
        matched.push("brand".into());
    } else if canon.is_some() && !p.brands.is_empty() {
        score += w.other_brand;
    }
    let suffixes = &rules.names.enterprise_suffixes;
    if !flagged_enterprise.is_empty()
        && names::same_enterprise(flagged_enterprise, &p.listing.enterprise, suffixes)
    {
        score += w.enterprise;
        matched.push("enterprise".into());
    }
    let batch = names::alnum_upper(flagged_batch);
    if batch.len() >= 6
        && p.title
            .to_uppercase()
            .replace(['-', ' '], "")
            .contains(&batch)
    {
        score += w.batch;
        matched.push("batch".into());
    }
    if !flagged_categories.is_empty() && !p.listing.categories.is_empty() {
        // another product whatever its model, brand or enterprise strings: never a match
        if !p
            .listing
            .categories
            .iter()
            .any(|x| flagged_categories.contains(x))
        {
            return (0.0, vec!["other-category".into()]);
        }
        matched.push("category".into());
    }
    // One category may hold several products (a bed rail and a high chair are both 儿童家具):
    // when both sides name a product of `[[product]]` and they differ, it is another product.
    let mut scope: Vec<String> = flagged_categories.clone();
    scope.extend(p.listing.categories.iter().cloned());
    let written = if fl.product.trim().is_empty() {
        &fl.title
    } else {
        &fl.product
    };
    let own = rules.products_named(written, &scope);
    let theirs = rules.products_named(&p.listing.title, &scope);
    if !own.is_empty() && !theirs.is_empty() {
        if !own.iter().any(|x| theirs.contains(x)) {
            return (0.0, vec!["other-product".into()]);
        }
        matched.push("product".into());
    } else if names_product(fl, p) {
        matched.push("product".into());
    }
    (score.clamp(0.0, 1.0), matched)
}

/// The head noun of a product name: its last two Chinese characters (多功能宝宝餐椅 → 餐椅), what
/// a listing of the same product names too; `None` when the name does not end in Chinese.
fn product_noun(product: &str) -> Option<String> {
    let name = product
        .split(['（', '('])
        .next()
        .unwrap_or_default()
        .trim_end();
    let tail: Vec<char> = name.chars().rev().take(2).collect();
    (tail.len() == 2 && tail.iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c)))
        .then(|| tail.into_iter().rev().collect())
}

/// Does the listing's title name the flagged product's head noun (a recalled 餐椅 and a listing
/// of a 餐椅): said in the finding's reasons. Not naming it proves nothing (a 充电宝 is a 移动电源),
/// so it never rejects on its own.
fn names_product(fl: &Flagged, p: &Prepared<'_>) -> bool {
    product_noun(&fl.product).is_some_and(|noun| {
        p.title
            .contains(&crate::analyze::fold(&noun).to_lowercase())
    })
}

fn prepare<'a>(rules: &MarketRules, l: &'a Listing) -> (Prepared<'a>, Vec<String>) {
    let brands: Vec<String> = names::brand_parts(&l.brand)
        .map(|b| rules.brand(b))
        .collect();
    let title = names::fold_brand(&format!("{} {}", l.title, l.shop), &[]);
    let mut candidates = names::model_candidates(&l.title, &rules.model.prefixes);
    candidates.extend(names::model_candidates(&l.model, &rules.model.prefixes));
    if let Some(m) = usable_model(rules, &l.model) {
        candidates.push(m);
    }
    candidates.sort();
    candidates.dedup();
    (
        Prepared {
            listing: l,
            brands,
            title,
        },
        candidates,
    )
}

/// Match every flagged product against every listing; findings at or above the threshold,
/// first seen `as_of` (the store keeps an earlier day).
pub fn find(
    rules: &MarketRules,
    listings: &[Listing],
    flagged: &[Flagged],
    as_of: NaiveDate,
) -> OnSaleRun {
    let mut run = OnSaleRun {
        listings: listings.len(),
        flagged: flagged.len(),
        ..OnSaleRun::default()
    };
    let flagged = merge_republished(rules, flagged);
    run.merged = run.flagged - flagged.len();
    let flagged = flagged.as_slice();
    // Listings are prepared, and flagged products matched, on a few threads: each is
    // independent of the others, and the results are joined in input order.
    let threads = crate::util::par::threads(PAR_THREADS);
    let mut prepared = Vec::with_capacity(listings.len());
    let mut by_model: HashMap<String, Vec<usize>> = HashMap::new();
    let shares = crate::util::par::map_shares(listings, threads, PAR_SHARE, |share| {
        share.iter().map(|l| prepare(rules, l)).collect::<Vec<_>>()
    });
    for (p, candidates) in shares.into_iter().flatten() {
        for c in candidates {
            by_model.entry(c).or_default().push(prepared.len());
        }
        prepared.push(p);
    }
    let (prepared, by_model) = (&prepared, &by_model);
    let shares = crate::util::par::map_shares(flagged, threads, PAR_SHARE, |share| {
        let mut run = OnSaleRun::default();
        match_flagged(rules, share, prepared, by_model, as_of, &mut run);
        run
    });
    for share in shares {
        run.findings.extend(share.findings);
        for (reason, n) in share.skipped {
            *run.skipped.entry(reason).or_default() += n;
        }
    }
    run.findings.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| a.id.cmp(&b.id))
    });
    run
}

/// One flagged product per product, however many notices name it.
///
/// A recall is republished by the province, the city and the news, and an inspection notice by
/// several regulators; each copy is a notice of its own. Matched copy by copy, one listing would
/// be reported to its platform once per copy, and the findings would grow with copies × listings
/// (a rerun of months of archive stored hundreds of thousands). Products are the same when the
/// basis, product name, brand, model numbers, batch and enterprise agree once folded; the earliest
/// notice (day, then document id and row) stands for them and lists the others in `also_in`.
pub fn merge_republished(rules: &MarketRules, flagged: &[Flagged]) -> Vec<Flagged> {
    let keys: Vec<ProductKey> = flagged.iter().map(|f| product_key(rules, f)).collect();
    // groups in the order of their first member, so the output is in input order
    let mut group_of: HashMap<&ProductKey, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    let mut out = Vec::with_capacity(groups.len());
    for mut members in groups {
        members.sort_by(|&a, &b| {
            let (a, b) = (&flagged[a], &flagged[b]);
            (a.day, &a.doc_id, a.row).cmp(&(b.day, &b.doc_id, b.row))
        });
        let mut rep = flagged[members[0]].clone();
        let mut docs = std::collections::HashSet::new();
        docs.insert(rep.doc_id.as_str());
        for &m in &members[1..] {
            let f = &flagged[m];
            if !docs.insert(f.doc_id.as_str()) {
                continue;
            }
            if rep.also_in.len() < Flagged::ALSO_IN_MAX {
                rep.also_in.push(NoticeRef {
                    doc_id: f.doc_id.clone(),
                    url: f.url.clone(),
                    day: f.day,
                });
            }
        }
        rep.notices = docs.len();
        out.push(rep);
    }
    out
}

/// Basis, product, brand, model numbers, batch and enterprise, folded as matching reads them.
type ProductKey = (&'static str, String, String, Vec<String>, String, String);

fn product_key(rules: &MarketRules, f: &Flagged) -> ProductKey {
    let mut models: Vec<String> = names::split_models(&f.model)
        .map(|m| usable_model(rules, m).unwrap_or_else(|| names::fold_brand(m, &[])))
        .collect();
    models.sort();
    models.dedup();
    let brand = if f.brand.trim().is_empty() {
        String::new()
    } else {
        rules.brand(&f.brand)
    };
    (
        f.basis.as_str(),
        names::fold_brand(&f.product, &[]),
        brand,
        models,
        names::alnum_upper(&f.batch),
        names::enterprise(&f.enterprise, &rules.names.enterprise_suffixes),
    )
}

/// A model number as written, normalised under the rules; `None` when it is no usable model.
fn usable_model(rules: &MarketRules, written: &str) -> Option<String> {
    names::model(
        written,
        &rules.model.prefixes,
        rules.model.min_chars,
        rules.model.min_digits_only,
    )
}

/// The usable model numbers a flagged product's model field names.
fn flagged_models(rules: &MarketRules, written: &str) -> Vec<String> {
    names::split_models(written)
        .filter_map(|m| usable_model(rules, m))
        .collect()
}

/// Threads and least items per thread of the on-sale matching.
const PAR_THREADS: usize = 4;
const PAR_SHARE: usize = 64;

/// Match flagged products to the prepared listings (indexed by model), into `run`'s findings
/// and skipped counts.
fn match_flagged(
    rules: &MarketRules,
    flagged: &[Flagged],
    prepared: &[Prepared<'_>],
    by_model: &HashMap<String, Vec<usize>>,
    as_of: NaiveDate,
    run: &mut OnSaleRun,
) {
    for fl in flagged {
        let models = flagged_models(rules, &fl.model);
        if models.is_empty() {
            *run.skipped.entry("no-model").or_default() += 1;
            continue;
        }
        let mut hits: Vec<usize> = models
            .iter()
            .filter_map(|m| by_model.get(m))
            .flatten()
            .copied()
            .collect();
        hits.sort_unstable();
        hits.dedup();
        for i in hits {
            let p = &prepared[i];
            let (conf, matched) = confidence(rules, fl, p);
            if conf < rules.onsale.threshold {
                continue;
            }
            run.findings
                .push(finding(fl, p.listing, matched, conf, as_of));
        }
    }
}

fn finding(
    fl: &Flagged,
    l: &Listing,
    matched: Vec<String>,
    confidence: f64,
    as_of: NaiveDate,
) -> OnSaleFinding {
    let platform = if l.platform.is_empty() {
        "电商平台".to_string()
    } else {
        l.platform.clone()
    };
    let what = fl.basis.label();
    let product = [fl.brand.as_str(), fl.product.as_str(), fl.model.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let summary = format!(
        "{platform}店铺「{}」在售商品「{}」与{}{what}产品（{product}）一致（{}），请平台核实并下架。",
        l.shop,
        l.title,
        fl.day,
        matched
            .iter()
            .map(|m| match m.as_str() {
                "model" => "型号",
                "brand" => "品牌",
                "enterprise" => "企业",
                "batch" => "批次",
                "category" => "品类",
                "product" => "品名",
                _ => "其他",
            })
            .collect::<Vec<_>>()
            .join("、"),
    );
    OnSaleFinding {
        id: doc_id(&format!(
            "onsale\u{1f}{}\u{1f}{}\u{1f}{}",
            fl.doc_id, fl.row, l.doc_id
        )),
        listing: l.clone(),
        flagged: fl.clone(),
        matched,
        confidence: (confidence * 100.0).round() / 100.0,
        action: Action::Notify,
        notify: platform,
        summary,
        reason: format!("{}{what}产品（{product}）仍在售", fl.day),
        first_seen: as_of,
        jurisdictions: Vec::new(),
    }
}

/// Listings and flagged products from stored records (`Store::records`), then [`find`].
pub fn find_in_records(
    rules: &MarketRules,
    records: &[(Document, Extraction)],
    as_of: NaiveDate,
) -> OnSaleRun {
    let mut listings = Vec::new();
    let mut products = Vec::new();
    for (doc, ex) in records {
        match ex.kind {
            DocKind::Listing => listings.push(listing(doc, ex)),
            DocKind::Recall | DocKind::Inspection | DocKind::Notice => {
                products.extend(flagged(doc, ex))
            }
            _ => {}
        }
    }
    find(rules, &listings, &products, as_of)
}

/// The confidence of an example's listing for its product (`None`: no model matched); what
/// `jiance check` runs.
pub(super) fn example_confidence(rules: &MarketRules, ex: &Example) -> Option<f64> {
    let l = Listing {
        doc_id: "example".into(),
        url: String::new(),
        title: ex.listing.title.clone(),
        platform: String::new(),
        shop: String::new(),
        shop_region: String::new(),
        province: None,
        brand: ex.listing.brand.clone(),
        model: ex.listing.model.clone(),
        enterprise: ex.listing.enterprise.clone(),
        price: None,
        sales: None,
        sales_text: String::new(),
        categories: ex.listing.categories.clone(),
        day: NaiveDate::MIN,
    };
    let f = Flagged {
        doc_id: "example".into(),
        row: 0,
        basis: FlagBasis::Recall,
        url: String::new(),
        title: String::new(),
        product: ex.flagged.product.clone(),
        categories: ex.flagged.category.iter().cloned().collect(),
        brand: ex.flagged.brand.clone(),
        model: ex.flagged.model.clone(),
        batch: ex.flagged.batch.clone(),
        enterprise: ex.flagged.enterprise.clone(),
        day: NaiveDate::MIN,
        also_in: Vec::new(),
        notices: 1,
    };
    let run = find(
        rules,
        std::slice::from_ref(&l),
        std::slice::from_ref(&f),
        NaiveDate::MIN,
    );
    if let Some(hit) = run.findings.first() {
        return Some(hit.confidence);
    }
    // below the threshold: recompute to report how far
    let (p, candidates) = prepare(rules, &l);
    let models = flagged_models(rules, &f.model);
    models
        .iter()
        .any(|m| candidates.contains(m))
        .then(|| confidence(rules, &f, &p).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Channel, Finding, Parties};
    use std::collections::BTreeMap;

    fn rules() -> MarketRules {
        MarketRules::load(None).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn doc(id: &str, kind: DocKind, title: &str, fields: &[(&str, &str)]) -> Document {
        Document {
            id: id.into(),
            source: "s".into(),
            channel: Channel::Platform,
            kind: Some(kind),
            url: format!("http://x/{id}"),
            title: title.into(),
            text: String::new(),
            published_at: None,
            fetched_at: chrono::Utc::now(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        }
    }

    #[test]
    fn a_recall_and_a_failed_row_find_their_listings_and_not_the_near_misses() {
        let r = rules();
        let recall = doc(
            "r1",
            DocKind::Recall,
            "深圳市倍力源电子科技有限公司召回部分移动电源",
            &[
                ("product", "倍力源牌移动电源"),
                ("model", "3PB-123"),
                ("enterprise", "深圳市倍力源电子科技有限公司"),
            ],
        );
        let mut notice = doc("n1", DocKind::Inspection, "抽查通告", &[]);
        let row = |p: &str, m: &str, res: &str| -> BTreeMap<String, String> {
            [
                ("product", p),
                ("model", m),
                ("enterprise", "某某电器有限公司"),
                ("result", res),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
        };
        notice.rows = vec![
            row("电热水壶（暖邦）", "NB-1520", "不合格"),
            row("电热水壶（暖邦）", "NB-1800", "合格"),
        ];
        let ex = |d: &Document, kind: DocKind| Extraction::empty(&d.id, kind);
        let mut records = vec![
            (recall.clone(), ex(&recall, DocKind::Recall)),
            (notice.clone(), ex(&notice, DocKind::Inspection)),
        ];
        let listings = [
            ("l1", "BEILIYUAN 充电宝 ３ＰＢ－１２３", "", true),
            ("l2", "倍力源 移动电源 大容量", "型号 3pb123", true),
            ("l3", "倍力源 移动电源 3PB-1234", "", false),
            ("l4", "倍力源 移动电源 3PB-124", "", false),
            ("l5", "酷能 移动电源 3PB-123", "", false),
            ("l6", "暖邦 电热水壶 NB1520 1.5L", "", true),
            ("l7", "暖邦 电热水壶 NB-1800", "", false),
        ];
        let mut truth = Vec::new();
        for (id, title, model, hit) in listings {
            let brand = title.split(' ').next().unwrap_or_default();
            let d = doc(
                id,
                DocKind::Listing,
                title,
                &[
                    ("brand", brand),
                    ("model", model),
                    ("platform", "优选商城"),
                    ("shop_region", "广东 深圳"),
                ],
            );
            records.push((d.clone(), ex(&d, DocKind::Listing)));
            if hit {
                truth.push(id);
            }
        }
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let run = find_in_records(&r, &records, day);
        let mut found: Vec<&str> = run
            .findings
            .iter()
            .map(|f| f.listing.doc_id.as_str())
            .collect();
        found.sort_unstable();
        assert_eq!(found, truth, "{:#?}", run.findings);
        assert_eq!(run.flagged, 2, "the passed row is not flagged");
        let f = &run.findings[0];
        assert_eq!(f.action, Action::Notify);
        assert_eq!(f.notify, "优选商城");
        assert_eq!(f.listing.province.as_deref(), Some("广东省"));
        let l2 = run
            .findings
            .iter()
            .find(|f| f.listing.doc_id == "l2")
            .unwrap();
        assert!(l2.matched.contains(&"brand".to_string()));
        // the same run again gives the same ids
        let again = find_in_records(&r, &records, day);
        assert_eq!(again.findings, run.findings);
    }

    #[test]
    fn a_recall_without_a_model_field_takes_the_models_its_text_names_and_one_without_any_is_counted()
     {
        let r = rules();
        let mut recall = doc(
            "r2",
            DocKind::Recall,
            "召回部分电热毯",
            &[("product", "暖阳阳牌电热毯")],
        );
        recall.text = "召回2025年生产的暖阳阳牌电热毯，型号为NYY-2201，涉及数量1200条。".into();
        let flagged_products = flagged(&recall, &Extraction::empty("r2", DocKind::Recall));
        assert_eq!(flagged_products.len(), 1);
        assert_eq!(flagged_products[0].brand, "暖阳阳");
        assert!(
            flagged_products[0].model.contains("2201"),
            "{:?}",
            flagged_products[0]
        );
        let bare = doc(
            "r3",
            DocKind::Recall,
            "召回部分童车",
            &[("product", "某牌童车")],
        );
        let ex = Extraction::empty("r3", DocKind::Recall);
        let run = find_in_records(&r, &[(bare, ex)], NaiveDate::MIN);
        assert_eq!(run.skipped.get("no-model"), Some(&1));
        assert!(run.findings.is_empty());
    }

    /// A recall republished by a province, a city and a portal is one product: each listing
    /// selling it is one finding, standing on the earliest notice and naming the others. A
    /// product that differs in its batch stays a product of its own.
    #[test]
    fn a_product_republished_in_several_notices_is_one_finding_per_listing() {
        let r = rules();
        let recall = |id: &str, day: u32, model: &str, enterprise: &str, batch: &str| {
            let mut d = doc(
                id,
                DocKind::Recall,
                "召回部分电暖器",
                &[
                    ("product", "暖福牌电暖器"),
                    ("model", model),
                    ("enterprise", enterprise),
                    ("batch", batch),
                ],
            );
            d.published_at = NaiveDate::from_ymd_opt(2026, 10, day)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .map(|t| t.and_utc());
            (d.clone(), Extraction::empty(&d.id, DocKind::Recall))
        };
        let mut records = vec![
            recall("city", 12, "NF-2100", "慈溪市暖福电器有限公司", "20260301"),
            recall(
                "province",
                9,
                "nf2100",
                "慈溪市暖福电器有限公司",
                "2026-03-01",
            ),
            recall(
                "portal",
                15,
                "ＮＦ－２１００",
                "慈溪市暖福电器 有限公司",
                "20260301",
            ),
            recall(
                "other-batch",
                10,
                "NF-2100",
                "慈溪市暖福电器有限公司",
                "20260901",
            ),
        ];
        for id in ["l1", "l2"] {
            let d = doc(
                id,
                DocKind::Listing,
                "暖福 电暖器 NF-2100 家用",
                &[("brand", "暖福"), ("platform", "优选商城")],
            );
            records.push((d.clone(), Extraction::empty(&d.id, DocKind::Listing)));
        }
        let run = find_in_records(&r, &records, NaiveDate::MIN);
        assert_eq!(run.flagged, 4);
        assert_eq!(run.merged, 2, "city and portal copy the province's recall");
        let mut pairs: Vec<(&str, &str)> = run
            .findings
            .iter()
            .map(|f| (f.flagged.doc_id.as_str(), f.listing.doc_id.as_str()))
            .collect();
        pairs.sort_unstable();
        assert_eq!(
            pairs,
            [
                ("other-batch", "l1"),
                ("other-batch", "l2"),
                ("province", "l1"),
                ("province", "l2"),
            ]
        );
        let f = run
            .findings
            .iter()
            .find(|f| f.flagged.doc_id == "province")
            .unwrap();
        assert_eq!(f.flagged.notices, 3);
        let also: Vec<&str> = f
            .flagged
            .also_in
            .iter()
            .map(|n| n.doc_id.as_str())
            .collect();
        assert_eq!(also, ["city", "portal"], "earliest first");
        // the finding is the same whichever copy is read first
        records.reverse();
        let again = find_in_records(&r, &records, NaiveDate::MIN);
        assert_eq!(again.findings, run.findings);
    }

    /// However often a notice is copied, a finding lists at most ALSO_IN_MAX of the copies and
    /// counts them all.
    #[test]
    fn the_copies_a_flagged_product_lists_are_capped_and_all_counted() {
        let r = rules();
        let copies: Vec<Flagged> = (0..30)
            .map(|i| {
                let d = doc(
                    &format!("n{i:02}"),
                    DocKind::Recall,
                    "召回",
                    &[("product", "童车"), ("model", "TC-300")],
                );
                flagged(&d, &Extraction::empty(&d.id, DocKind::Recall)).remove(0)
            })
            .collect();
        let merged = merge_republished(&r, &copies);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].doc_id, "n00");
        assert_eq!(merged[0].notices, 30);
        assert_eq!(merged[0].also_in.len(), Flagged::ALSO_IN_MAX);
        assert_eq!(merged[0].also_in[0].doc_id, "n01");
    }

    #[test]
    fn a_listing_of_another_category_never_matches_whatever_its_model_brand_or_maker() {
        let r = rules();
        let fields = [
            ("model", "HL-2023A"),
            ("brand", "贝乐童"),
            ("enterprise", "浙江贝乐童婴童用品有限公司"),
        ];
        let rail = |cats: &[&str]| {
            let mut ex = Extraction::empty("l", DocKind::Listing);
            ex.categories = cats.iter().map(|c| c.to_string()).collect();
            listing(
                &doc(
                    "l",
                    DocKind::Listing,
                    "贝乐童 升降款儿童床护栏 HL-2023A",
                    &fields,
                ),
                &ex,
            )
        };
        let chair = |cat: Option<&str>| {
            let mut fs = fields.to_vec();
            fs.push(("product", "多功能宝宝餐椅"));
            let mut ex = Extraction::empty("r", DocKind::Recall);
            if let Some(c) = cat {
                ex.findings = vec![Finding {
                    category: c.into(),
                    hazard: "跌落".into(),
                    severity: 3,
                    province: None,
                    city: None,
                    parties: Parties::default(),
                    product: None,
                }];
            }
            flagged(&doc("r", DocKind::Recall, "召回", &fs), &ex)
        };
        // categories known and different
        let run = find(
            &r,
            &[rail(&["儿童床"])],
            &chair(Some("儿童餐椅")),
            NaiveDate::MIN,
        );
        assert!(run.findings.is_empty(), "{:?}", run.findings);
        // the high chair itself is found, and the reason says the product matched
        let mut ex = Extraction::empty("l2", DocKind::Listing);
        ex.categories.clear();
        let seat = listing(
            &doc(
                "l2",
                DocKind::Listing,
                "贝乐童 多功能宝宝餐椅 HL-2023A",
                &fields,
            ),
            &ex,
        );
        let run = find(&r, &[seat], &chair(None), NaiveDate::MIN);
        assert_eq!(run.findings.len(), 1, "{:?}", run.findings);
        assert!(run.findings[0].matched.contains(&"product".to_string()));
    }

    #[test]
    fn a_bed_rail_of_the_same_category_brand_model_and_maker_is_not_the_recalled_high_chair() {
        let r = rules();
        let fields = [
            ("model", "MM-7721"),
            ("brand", "木棉童"),
            ("enterprise", "温州木棉童用品有限公司"),
        ];
        let one_category = |id: &str, kind: DocKind| {
            let mut ex = Extraction::empty(id, kind);
            ex.categories = vec!["儿童家具".into()];
            ex
        };
        let mut recall_fields = fields.to_vec();
        recall_fields.push(("product", "便携式宝宝餐椅"));
        let chair = flagged(
            &doc("r", DocKind::Recall, "召回", &recall_fields),
            &one_category("r", DocKind::Recall),
        );
        let rail = listing(
            &doc(
                "l1",
                DocKind::Listing,
                "木棉童 可升降婴儿床护栏 MM-7721 加高防摔",
                &fields,
            ),
            &one_category("l1", DocKind::Listing),
        );
        let seat = listing(
            &doc("l2", DocKind::Listing, "木棉童 便携餐椅 MM7721", &fields),
            &one_category("l2", DocKind::Listing),
        );
        let run = find(&r, &[rail, seat], &chair, NaiveDate::MIN);
        let ids: Vec<&str> = run
            .findings
            .iter()
            .map(|f| f.listing.doc_id.as_str())
            .collect();
        assert_eq!(ids, ["l2"], "{:#?}", run.findings);
        // the finding says what matched: the product as well as the strings
        let f = &run.findings[0];
        for m in ["model", "brand", "enterprise", "category", "product"] {
            assert!(f.matched.iter().any(|x| x == m), "{m}: {:?}", f.matched);
        }
        assert!(f.summary.contains("品类、品名"), "{}", f.summary);
    }

    #[test]
    fn another_category_lowers_the_confidence_below_the_threshold_without_the_brand() {
        let r = rules();
        let mut ex_l = Extraction::empty("l", DocKind::Listing);
        ex_l.categories = vec!["电热毯".into()];
        let l = listing(
            &doc(
                "l",
                DocKind::Listing,
                "电热毯 BL2000A",
                &[("enterprise", "深圳市倍力源电子科技有限公司")],
            ),
            &ex_l,
        );
        let mut f = flagged(
            &doc(
                "r",
                DocKind::Recall,
                "召回",
                &[
                    ("model", "BL-2000A"),
                    ("enterprise", "深圳市倍力源电子科技有限公司"),
                ],
            ),
            &Extraction {
                findings: vec![Finding {
                    category: "移动电源".into(),
                    hazard: "爆炸".into(),
                    severity: 3,
                    province: None,
                    city: None,
                    parties: Parties::default(),
                    product: None,
                }],
                ..Extraction::empty("r", DocKind::Recall)
            },
        );
        let run = find(&r, std::slice::from_ref(&l), &f, NaiveDate::MIN);
        assert!(run.findings.is_empty(), "{:?}", run.findings);
        f[0].categories.clear();
        let run = find(&r, std::slice::from_ref(&l), &f, NaiveDate::MIN);
        assert_eq!(run.findings.len(), 1);
    }
}
