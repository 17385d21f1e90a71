//! 优选商城: an e-commerce platform with search-result pages and product pages (brand, shop, shop
//! location, price, monthly sales, description, buyer reviews). Search pages also carry their
//! items as script data (`g_page_config`), as large platforms' do, each with its latest reviews.
//!
//! Every page is sent as GBK bytes with `Content-Type: text/html` and no charset; only the page's
//! `<meta charset="gbk">` says how to read it, so the crawler's charset detection is exercised.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;

use super::layout::{self, esc};
use super::{DemoDoc, Detail, SiteState};

const NAME: &str = "优选商城";
const CHARSET: &str = "gbk";

pub fn router() -> Router<Arc<SiteState>> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/item/{file}", get(item))
}

fn nav() -> Vec<(String, String)> {
    super::texts::DEPTS
        .iter()
        .map(|d| (format!("/search?q={}", layout::qs(d)), d.to_string()))
        .collect()
}

fn render(title: &str, main: &str) -> Response {
    let nav = nav();
    let nav: Vec<(&str, &str)> = nav.iter().map(|(h, l)| (h.as_str(), l.as_str())).collect();
    layout::gbk_html(&layout::page(CHARSET, NAME, title, &nav, main))
}

async fn home() -> Response {
    let depts: String = super::texts::DEPTS
        .iter()
        .map(|d| {
            format!(
                "<li><a href=\"search?q={}\">{}</a></li>",
                layout::qs(d),
                esc(d)
            )
        })
        .collect();
    render(
        "首页",
        &format!("<div class=\"cate\"><h2>商品分类</h2><ul>{depts}</ul></div>"),
    )
}

/// Whether a search for `q` lists the product: its department or a word of its title.
fn matches(d: &DemoDoc, q: &str) -> bool {
    match &d.detail {
        Detail::Listing { dept, .. } => !q.is_empty() && (dept == q || d.title.contains(q)),
        _ => false,
    }
}

async fn search(
    State(st): State<Arc<SiteState>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = params
        .get("q")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let page = layout::page_param(&params);
    let hits: Vec<&DemoDoc> = st.docs().filter(|d| matches(d, &q)).collect();
    let (shown, pages) = layout::paginate(&hits, page, layout::PER_PAGE);
    let items: String = shown
        .iter()
        .map(|d| {
            let (price, shop, sales) = match &d.detail {
                Detail::Listing { price, shop, sales, .. } => (price.as_str(), shop.as_str(), sales.as_str()),
                _ => ("", "", ""),
            };
            // Relative link without a leading slash: resolves against /search.
            format!(
                "<li class=\"item\"><a class=\"item-name\" href=\"{}\">{}</a><span class=\"item-price\">￥{}</span><span class=\"item-shop\">{}</span><span class=\"item-sales\">{}</span></li>\n",
                esc(d.path.trim_start_matches('/')),
                esc(&d.title),
                esc(price),
                esc(shop),
                esc(sales)
            )
        })
        .collect();
    let qe = layout::qs(&q);
    let pager = layout::pager("page-nav", page, pages, |n| {
        format!("search?q={qe}&page={n}")
    });
    let main = format!(
        "<div class=\"search-head\">搜索“{}”共找到{}件商品</div>\n<ul class=\"search-list\">\n{items}</ul>\n{pager}\n{}",
        esc(&q),
        hits.len(),
        page_config(&q, shown)
    );
    render(&format!("{q} - 搜索结果"), &main)
}

/// Reviews of a listing its search-page item carries in the script data (the latest ones).
pub const SCRIPT_REVIEWS: usize = 3;

/// The page's items again as script data, the way large platforms ship search results
/// (`var g_page_config = {…}`, titles with the query highlighted), for sources that read
/// `[source.list.script]` (issue 18).
fn page_config(q: &str, shown: &[&DemoDoc]) -> String {
    let auctions: Vec<serde_json::Value> = shown
        .iter()
        .filter_map(|d| {
            let Detail::Listing {
                price,
                shop,
                sales,
                shop_region,
                reviews,
                ..
            } = &d.detail
            else {
                return None;
            };
            // the latest few reviews ride along, as a search page's "buyers say" snippets
            let mut latest: Vec<&super::Review> = reviews.iter().collect();
            latest.sort_by_key(|r| std::cmp::Reverse(r.date));
            let comments: Vec<serde_json::Value> = latest
                .into_iter()
                .take(SCRIPT_REVIEWS)
                .map(|r| {
                    serde_json::json!({
                        "buyer": r.user,
                        "star": r.stars,
                        "day": layout::date_dash(r.date),
                        "says": r.text,
                    })
                })
                .collect();
            let nid = d
                .path
                .trim_start_matches("/item/")
                .trim_end_matches(".html");
            let raw_title = if q.is_empty() {
                d.title.clone()
            } else {
                d.title.replace(q, &format!("<span class=H>{q}</span>"))
            };
            Some(serde_json::json!({
                "nid": nid,
                "raw_title": raw_title,
                "detail_url": d.path.trim_start_matches('/'),
                "view_price": price,
                "view_sales": sales,
                "nick": shop,
                "item_loc": shop_region,
                "comments": comments,
            }))
        })
        .collect();
    let config = serde_json::json!({
        "pageName": "search",
        "mods": {"itemlist": {"data": {"query": q, "auctions": auctions}}},
    });
    // `</` inside a script would end it; JavaScript reads `<\/` as `</`
    let json = config.to_string().replace("</", "<\\/");
    format!("<script>\n    g_page_config = {json};\n    g_srp_loadCss();\n</script>")
}

async fn item(State(st): State<Arc<SiteState>>, uri: Uri) -> Response {
    let Some(d) = st.doc_at(uri.path()) else {
        return layout::not_found().await;
    };
    let Detail::Listing {
        brand,
        shop,
        shop_region,
        price,
        sales,
        reviews,
        model,
        maker,
        claims,
        ..
    } = &d.detail
    else {
        return layout::not_found().await;
    };
    // Attributes only some listings give (a model number, the maker, certification and
    // standards), as platforms show them.
    let mut extra = String::new();
    if !model.is_empty() {
        extra.push_str(&format!(
            "<li>型号：<span class=\"model\">{}</span></li>",
            esc(model)
        ));
    }
    if !maker.is_empty() {
        extra.push_str(&format!(
            "<li>生产企业：<span class=\"maker\">{}</span></li>",
            esc(maker)
        ));
    }
    if !claims.is_empty() {
        extra.push_str(&format!(
            "<li>认证及标准：<span class=\"claims\">{}</span></li>",
            esc(claims)
        ));
    }
    let comments: String = reviews
        .iter()
        .map(|r| {
            format!(
                "<div class=\"comment\"><span class=\"c-user\">{}</span><span class=\"c-stars\">{}星</span><span class=\"c-date\">{}</span><p class=\"c-text\">{}</p></div>\n",
                esc(&r.user),
                r.stars,
                layout::date_dash(r.date),
                esc(&r.text)
            )
        })
        .collect();
    let main = format!(
        "<div class=\"detail-main\">\n<h1 class=\"goods-name\">{title}</h1>\n\
         <div class=\"goods-price\">价格：￥<em class=\"price\">{price}</em></div>\n\
         <div class=\"goods-sales\"><span class=\"sales\">{sales}</span></div>\n\
         <ul class=\"goods-attrs\"><li>品牌：<span class=\"brand\">{brand}</span></li>\
         <li>店铺：<a class=\"shop-name\" href=\"/shop/{shop_q}\">{shop}</a></li>\
         <li>发货地：<span class=\"shop-loc\">{region}</span></li>\
         <li>更新时间：<span class=\"update-time\">{updated}</span></li>{extra}</ul>\n</div>\n\
         <div class=\"goods-desc\"><h3>商品详情</h3>\n{desc}\n</div>\n\
         <div class=\"comments\"><h3>买家评价（{n}）</h3>\n{comments}</div>",
        title = esc(&d.title),
        price = esc(price),
        sales = esc(sales),
        brand = esc(brand),
        shop_q = layout::qs(shop),
        shop = esc(shop),
        region = esc(shop_region),
        updated = layout::date_dash(d.published),
        desc = layout::paragraphs(&d.body),
        n = reviews.len(),
    );
    render(&d.title, &main)
}
