//! Sampling requests for the people who buy (issue 20, item 5): `GET /api/sampling-requests`
//! (JSON, or `format=csv`: one row per listing to buy, with the request's test items and
//! deadline) and `GET /print/sampling/{id}`, a printable page for the buyers (采样人员) — what to
//! buy where, the test items with their standards, and lines to sign.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};

use super::reply::{blocking, csv_download, print_html, store_error};
use super::request::Params;
use super::{ApiError, AppState};
use crate::model::SamplingRequest;

/// The CSV header: one row per purchase.
pub const CSV_HEADER: [&str; 16] = [
    "预警 alert",
    "品类 category",
    "序号 no",
    "平台 platform",
    "店铺 shop",
    "省份 province",
    "商品 listing",
    "链接 url",
    "品牌 brand",
    "型号 model",
    "生产企业 enterprise",
    "价格 price",
    "销量 sales",
    "理由 why",
    "检验项目 test items",
    "截止 deadline",
];

fn items_text(r: &SamplingRequest) -> String {
    if r.items.is_empty() {
        return r.test_items.join("、");
    }
    r.items
        .iter()
        .map(|t| {
            if t.standard.is_empty() {
                t.item.clone()
            } else {
                format!("{}（{}）", t.item, t.standard)
            }
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The purchases of these requests as CSV bytes (UTF-8 with a byte-order mark).
pub fn csv(requests: &[SamplingRequest]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(CSV_HEADER)?;
    for r in requests {
        let items = items_text(r);
        for (i, p) in r.purchases.iter().enumerate() {
            let row: [String; 16] = [
                r.alert_id.clone(),
                r.category.clone(),
                (i + 1).to_string(),
                p.platform.clone(),
                p.shop.clone(),
                p.province.clone().unwrap_or_default(),
                p.title.clone(),
                p.url.clone(),
                p.brand.clone(),
                p.model.clone(),
                p.enterprise.clone(),
                p.price.map(|x| format!("{x:.2}")).unwrap_or_default(),
                p.sales.map(|x| x.to_string()).unwrap_or_default(),
                p.why.clone(),
                items.clone(),
                r.deadline.to_string(),
            ];
            w.write_record(&row)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

pub(super) async fn sampling_requests(
    State(st): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::from_query(raw.as_deref())?;
    let csv_wanted = p.wants_csv()?;
    let alert = p.get("alert").map(str::to_string);
    let category = p.get("category").map(str::to_string);
    let store = st.store.clone();
    let all = blocking(move || store.sampling_requests().map_err(store_error)).await?;
    let chosen: Vec<SamplingRequest> = all
        .into_iter()
        .filter(|s| alert.as_ref().is_none_or(|a| &s.alert_id == a))
        .filter(|s| category.as_ref().is_none_or(|c| &s.category == c))
        .collect();
    if csv_wanted {
        let bytes = csv(&chosen).map_err(ApiError::internal)?;
        return Ok(csv_download(bytes, "sampling.csv"));
    }
    Ok(axum::Json(chosen).into_response())
}

pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The printable page of one request; a page saying so when the alert has none.
pub fn print_page(r: Option<&SamplingRequest>, alert_id: &str, summary: &str) -> String {
    let head = |title: &str| {
        format!(
            "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title>\
             <link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body class=\"print-page\">",
            esc(title)
        )
    };
    let Some(r) = r else {
        return format!(
            "{}<h1>抽样采购单</h1><p>预警 {} 没有抽样建议（处置不是组织抽样）。</p></body></html>",
            head("抽样采购单"),
            esc(alert_id)
        );
    };
    let items: String = if r.items.is_empty() {
        r.test_items
            .iter()
            .map(|t| format!("<tr><td>{}</td><td></td></tr>", esc(t)))
            .collect()
    } else {
        r.items
            .iter()
            .map(|t| {
                format!(
                    "<tr><td>{}</td><td>{} {}</td></tr>",
                    esc(&t.item),
                    esc(&t.standard),
                    esc(&t.title)
                )
            })
            .collect()
    };
    let buys: String = r
        .purchases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}<br><small>{}</small></td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"sign\"></td></tr>",
                i + 1,
                esc(&p.platform),
                esc(&p.shop),
                esc(p.province.as_deref().unwrap_or("")),
                esc(&p.title),
                esc(&p.url),
                esc(&p.brand),
                esc(&p.model),
                p.price.map(|x| format!("￥{x:.2}")).unwrap_or_default(),
                esc(&p.why),
            )
        })
        .collect();
    let none = if r.purchases.is_empty() {
        "<p>没有可采购的在售商品（均已抽样或无在售商品）：请按下列店铺、品牌、企业另行查找。</p>"
    } else {
        ""
    };
    format!(
        "{head}<h1>网络抽样采购单 · {cat}</h1>\
         <p>{summary}</p>\
         <p>抽样批次：<b>{batches}</b>　完成期限：<b>{deadline}</b>　地区：{regions}　预警编号：{id}</p>\
         {reason}\
         <h2>采购清单（每个店铺、品牌、企业至多一件，均未抽样过）</h2>{none}\
         <table class=\"grid\"><thead><tr><th>序号</th><th>平台</th><th>店铺</th><th>省份</th><th>商品及链接</th>\
         <th>品牌</th><th>型号</th><th>价格</th><th>理由</th><th>采样人员签字</th></tr></thead><tbody>{buys}</tbody></table>\
         <h2>检验项目</h2><table class=\"grid\"><thead><tr><th>项目</th><th>依据标准</th></tr></thead><tbody>{items}</tbody></table>\
         <p>其他抽样对象：店铺 {shops}；品牌 {brands}；企业 {enterprises}</p>\
         <p class=\"sign-line\">采样人员：＿＿＿＿＿＿　复核：＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日</p>\
         </body></html>",
        head = head(&format!("抽样采购单 {}", r.category)),
        cat = esc(&r.category),
        summary = esc(summary),
        batches = r.batches,
        deadline = r.deadline,
        reason = if r.reason.is_empty() {
            String::new()
        } else {
            format!("<p><b>{}</b></p>", esc(&r.reason))
        },
        regions = esc(&r.regions.join("、")),
        id = esc(&r.alert_id),
        shops = esc(&r.shops.join("、")),
        brands = esc(&r.brands.join("、")),
        enterprises = esc(&r.enterprises.join("、")),
    )
}

pub(super) async fn print(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|e| {
        ApiError::bad_request(format!("bad alert id in the path: {}", e.body_text()))
    })?;
    let store = st.store.clone();
    let page = blocking(move || {
        let Some(alert) = store.alert(&id).map_err(store_error)? else {
            return Err(ApiError::not_found(format!("no alert {id:?}")));
        };
        let request = store.sampling_request(&id).map_err(store_error)?;
        Ok(print_page(request.as_ref(), &id, &alert.summary))
    })
    .await?;
    Ok(print_html(page))
}
