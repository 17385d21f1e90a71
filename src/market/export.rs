//! On-sale findings (recall matches and rules broken) for people: the filter the dashboard, the API and the CLI share, and the CSV a
//! platform or a local unit receives (UTF-8 with a byte-order mark, so spreadsheet programs that
//! guess the encoding read the Chinese right).

use crate::model::{FlagBasis, OnSaleFinding};

/// Findings on `platform` (exact) whose shop is in `region` (a province, canonical or as
/// written: 广东 finds 广东省; or a place in the shop's location as written), of `basis` when
/// given.
pub fn filter<'a>(
    findings: &'a [OnSaleFinding],
    platform: Option<&'a str>,
    region: Option<&'a str>,
    basis: Option<FlagBasis>,
) -> impl Iterator<Item = &'a OnSaleFinding> + 'a {
    findings.iter().filter(move |f| {
        basis.is_none_or(|b| f.flagged.basis == b)
            && platform.is_none_or(|p| f.listing.platform == p || f.notify == p)
            && region.is_none_or(|r| {
                let r = r.trim();
                f.listing
                    .province
                    .as_deref()
                    .is_some_and(|p| p == r || p.starts_with(r))
                    || (!r.is_empty() && f.listing.shop_region.contains(r))
            })
    })
}

/// The CSV header: one column per fact a platform needs to find and take down the listing.
pub const CSV_HEADER: [&str; 21] = [
    "平台 platform",
    "店铺 shop",
    "发货地 shop region",
    "省份 province",
    "商品 listing",
    "链接 url",
    "价格 price",
    "销量 sales",
    "依据 basis",
    "原因 reason",
    "通告 notice",
    "通告链接 notice url",
    "产品 product",
    "品牌 brand",
    "型号 model",
    "企业 enterprise",
    "匹配 matched",
    "置信度 confidence",
    "处置 action",
    "首次发现 first seen",
    "通告数 notices",
];

/// The findings as CSV bytes.
pub fn csv(findings: &[&OnSaleFinding]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(CSV_HEADER)?;
    for f in findings {
        let l = &f.listing;
        let fl = &f.flagged;
        let record: [String; 21] = [
            l.platform.clone(),
            l.shop.clone(),
            l.shop_region.clone(),
            l.province.clone().unwrap_or_default(),
            l.title.clone(),
            l.url.clone(),
            l.price.map(|p| format!("{p:.2}")).unwrap_or_default(),
            l.sales.map(|s| s.to_string()).unwrap_or_default(),
            format!("{} {}", fl.basis.label(), fl.basis.as_str()),
            f.reason.clone(),
            fl.title.clone(),
            fl.url.clone(),
            fl.product.clone(),
            fl.brand.clone(),
            fl.model.clone(),
            fl.enterprise.clone(),
            f.matched.join(" "),
            format!("{:.2}", f.confidence),
            format!("通报平台 notify {}", f.notify),
            f.first_seen.to_string(),
            // notices naming the product: republished copies are merged into one finding
            fl.notices.max(1).to_string(),
        ];
        w.write_record(&record)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
