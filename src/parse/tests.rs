use super::*;
use crate::config::parse_sources;
use crate::model::{Channel, DocKind, doc_id};

const SOURCES: &str = r#"
[[source]]
name = "mall"
kind = "html"
channel = "platform"
weight = 0.5
platform = "优选商城"
doc_kind = "listing"
start = ["http://mall.test/search?q=x&page=1"]
[source.list]
links = "ul.results a.item"
next = "a.next"
[source.detail]
title = "h1"
text = ["div.desc", "ul.reviews li"]
published = "span.date"
[source.detail.fields]
brand = "td.brand"
shop = ".shop"
shop_region = ".loc"

[[source]]
name = "notices"
kind = "html"
channel = "regulator"
region = "浙江省"
start = ["http://gov.test/list"]
[source.list]
links = "a.notice"
[source.detail]
title = "h1"
text = "div.body"
[source.detail.table]
rows = "table.failed tbody tr"
[source.detail.table.columns]
product = "td:nth-child(2)"
enterprise = "td:nth-child(3)"
province = "td:nth-child(4)"
items = "td:nth-child(5)"

[[source]]
name = "api"
kind = "json"
channel = "complaint"
weight = 0.8
start = ["http://c.test/api/complaints?page=1&size=2"]
[source.api]
items = "data.items"
page_param = "page"
[source.api.fields]
id = "id"
title = "title"
text = "content"
published = "created"
url = "url"
region = "area.province"
status = "status"

[[source]]
name = "news"
kind = "feed"
channel = "media"
start = ["http://news.test/rss.xml"]
[source.detail]
title = "h1"
text = "article p"
"#;

fn source(name: &str) -> SourceConfig {
    parse_sources(SOURCES, "test.toml")
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
}

fn fetched(url: &str, role: PageRole, content_type: &str, body: Vec<u8>) -> Fetched {
    Fetched::page("t", url, role, body).with_content_type(content_type)
}

#[test]
fn list_page_links_and_next_resolve_relative_hrefs() {
    let html = r#"<ul class="results"><li><a class="item" href="/item/1">一</a></li>
        <li><a class="item" href="item/2?from=list">二</a></li><li><a class="item" href="/item/1">一</a></li>
        <li><a class="item" href="javascript:void(0)">x</a></li></ul><a class="next" href="?q=x&page=2">下一页</a>"#;
    let f = fetched(
        "http://mall.test/search?q=x&page=1",
        PageRole::List,
        "text/html",
        html.as_bytes().to_vec(),
    );
    let d = discover(&f, &source("mall")).unwrap();
    assert_eq!(
        d.details,
        [
            "http://mall.test/item/1",
            "http://mall.test/item/2?from=list"
        ]
    );
    assert_eq!(d.next, ["http://mall.test/search?q=x&page=2"]);
}

#[test]
fn gbk_listing_detail_with_fields() {
    let html = "<html><head><meta charset=\"gbk\"></head><body><h1>20000毫安 充电宝 快充</h1>\
        <span class=\"date\">上架时间：2026年3月5日</span><table><tr><td class=\"brand\">酷电</td></tr></table>\
        <div class=\"shop\">酷电数码专营店</div><div class=\"loc\">广东 深圳</div>\
        <div class=\"desc\"><p>大容量移动电源。</p><p>支持双向快充。</p><script>var x=1;</script></div>\
        <ul class=\"reviews\"><li>用了一周就鼓包了</li><li>充电时发烫冒烟，吓人</li></ul></body></html>";
    let (bytes, _, _) = encoding_rs::GBK.encode(html);
    let f = fetched(
        "http://mall.test/item/1",
        PageRole::Detail,
        "text/html",
        bytes.into_owned(),
    );
    let docs = parse(&f, &source("mall")).unwrap();
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d.title, "20000毫安 充电宝 快充");
    assert_eq!(
        d.text,
        "大容量移动电源。\n支持双向快充。\n用了一周就鼓包了\n充电时发烫冒烟，吓人"
    );
    assert_eq!(d.field("brand"), Some("酷电"));
    assert_eq!(d.field("shop_region"), Some("广东 深圳"));
    assert_eq!(d.field("platform"), Some("优选商城"));
    assert_eq!(d.kind, Some(DocKind::Listing));
    assert_eq!(d.channel, Channel::Platform);
    assert_eq!(d.day().to_string(), "2026-03-05");
    assert_eq!(d.id, doc_id("http://mall.test/item/1"));
}

#[test]
fn inspection_table_rows_become_structured_rows() {
    let html = r#"<h1>关于2026年第一季度电动自行车产品质量监督抽查结果的通告</h1><div class="body">本次共抽查30批次，不合格3批次。</div>
        <table class="failed"><thead><tr><th>序号</th><th>产品名称</th><th>标称生产企业</th><th>所在省份</th><th>不合格项目</th></tr></thead>
        <tbody><tr><td>1</td><td>电动自行车用锂离子蓄电池</td><td>某某电源科技有限公司</td><td>浙江省</td><td>过充电保护、短路保护</td></tr>
        <tr><td>2</td><td>电动自行车充电器</td><td>某某电器厂</td><td>江苏省</td><td>标志和说明</td></tr></tbody></table>"#;
    let f = fetched(
        "http://gov.test/n/1",
        PageRole::Detail,
        "text/html; charset=utf-8",
        html.as_bytes().to_vec(),
    );
    let d = parse(&f, &source("notices")).unwrap().remove(0);
    assert_eq!(d.rows.len(), 2);
    assert_eq!(d.rows[0]["product"], "电动自行车用锂离子蓄电池");
    assert_eq!(d.rows[0]["items"], "过充电保护、短路保护");
    assert_eq!(d.rows[1]["province"], "江苏省");
    assert_eq!(d.region_hint.as_deref(), Some("浙江省"));
    assert_eq!(d.published_at, None);
}

#[test]
fn api_items_paging_and_ids() {
    let body = r#"{"data":{"items":[
        {"id": 101, "title":"充电宝爆炸","content":"昨晚充电宝在床头爆炸","created":"2026-03-01 21:10:00","area":{"province":"广东省"},"status":"已受理"},
        {"id": "102", "title":"电热毯漏电","content":"使用时有麻感","created":"2026-03-02"}]}}"#;
    let url = "http://c.test/api/complaints?page=1&size=2";
    let f = fetched(
        url,
        PageRole::Api,
        "application/json",
        body.as_bytes().to_vec(),
    );
    let src = source("api");
    let docs = parse(&f, &src).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].field("region"), Some("广东省"));
    assert_eq!(docs[0].field("status"), Some("已受理"));
    assert_eq!(docs[1].field("region"), None);
    assert_eq!(docs[0].id, doc_id("api\u{1f}101"));
    assert_ne!(docs[0].id, docs[1].id);
    assert_eq!(docs[0].url, format!("{url}#101"));
    // An item that names its own page is keyed by that page's canonical URL.
    let body = r#"{"data":{"items":[{"id": 7, "title":"t","content":"c","url":"/c/7.html?utm_source=api#top"}]}}"#;
    let f7 = fetched(
        url,
        PageRole::Api,
        "application/json",
        body.as_bytes().to_vec(),
    );
    let d7 = parse(&f7, &src).unwrap().remove(0);
    assert_eq!(d7.url, "http://c.test/c/7.html");
    assert_eq!(d7.id, doc_id("http://c.test/c/7.html"));
    assert_eq!(
        discover(&f, &src).unwrap().next,
        ["http://c.test/api/complaints?size=2&page=2"]
    );
    let empty = fetched(
        url,
        PageRole::Api,
        "application/json",
        br#"{"data":{"items":[]}}"#.to_vec(),
    );
    assert!(discover(&empty, &src).unwrap().next.is_empty());
    assert!(parse(&empty, &src).unwrap().is_empty());
}

#[test]
fn bad_json_and_wrong_shapes_are_errors_with_the_url() {
    let src = source("api");
    let f = fetched(
        "http://c.test/api?page=3",
        PageRole::Api,
        "application/json",
        b"<html>busy</html>".to_vec(),
    );
    let e = parse(&f, &src).unwrap_err();
    assert_eq!(e.reason(), "bad-json");
    assert!(e.to_string().contains("http://c.test/api?page=3"), "{e}");
    let f = fetched(
        "http://c.test/api",
        PageRole::Api,
        "application/json",
        br#"{"data":{"items":{"a":1}}}"#.to_vec(),
    );
    assert!(
        parse(&f, &src)
            .unwrap_err()
            .to_string()
            .contains("not an array")
    );
}

#[test]
fn feed_entries_lead_to_articles_and_broken_feeds_are_errors() {
    let rss = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>新闻</title><link>http://news.test/</link>
        <description>d</description>
        <item><title>甲</title><link>/a/1.html</link></item><item><title>乙</title><link>http://news.test/a/2.html</link></item>
        </channel></rss>"#;
    let f = fetched(
        "http://news.test/rss.xml",
        PageRole::Feed,
        "application/rss+xml",
        rss.as_bytes().to_vec(),
    );
    let d = discover(&f, &source("news")).unwrap();
    assert_eq!(
        d.details,
        ["http://news.test/a/1.html", "http://news.test/a/2.html"]
    );
    let broken = fetched(
        "http://news.test/rss.xml",
        PageRole::Feed,
        "application/rss+xml",
        b"<rss><chan".to_vec(),
    );
    assert_eq!(
        discover(&broken, &source("news")).unwrap_err().reason(),
        "bad-feed"
    );
    // A Big5 feed whose declaration follows NUL padding (the fuzzer's crash input, in our
    // words): quick-xml panicked on it, so the feed was lost; now its entry is read.
    let xml = "<?xml version=\"1.0\" encoding=\"big5\"?><rss version=\"2.0\"><channel><title>消費</title><item><title>行動電源召回</title><link>/a/3.html</link></item></channel></rss>";
    let (big5, _, _) = encoding_rs::BIG5.encode(xml);
    let mut body = vec![0u8; 36];
    body.extend_from_slice(&big5);
    let padded = fetched(
        "http://news.test/rss.xml",
        PageRole::Feed,
        "application/rss+xml",
        body,
    );
    let d = discover(&padded, &source("news")).unwrap();
    assert_eq!(d.details, ["http://news.test/a/3.html"]);
}

#[test]
fn a_page_without_title_or_text_is_an_error() {
    let f = fetched(
        "http://news.test/a/9.html",
        PageRole::Detail,
        "text/html",
        b"<html><body>404</body></html>".to_vec(),
    );
    let e = parse(&f, &source("news")).unwrap_err();
    assert_eq!(e.reason(), "empty-page");
}

#[test]
fn list_pages_follow_a_url_pattern_when_there_is_no_next_link() {
    let text = r#"
[[source]]
name = "gov"
kind = "html"
channel = "regulator"
start = ["http://gov.test/notices/index.html"]
[source.list]
links = "a.n"
pattern = "index_{page}.html"
[source.detail]
title = "h1"
text = "p"
"#;
    let src = parse_sources(text, "t.toml").unwrap().remove(0);
    let page =
        |url: &str, body: &str| fetched(url, PageRole::List, "text/html", body.as_bytes().to_vec());
    let with_links = r#"<a class="n" href="/n/1.html">通告</a>"#;
    let first = discover(
        &page("http://gov.test/notices/index.html", with_links),
        &src,
    )
    .unwrap();
    assert_eq!(first.next, ["http://gov.test/notices/index_2.html"]);
    let third = discover(
        &page("http://gov.test/notices/index_3.html", with_links),
        &src,
    )
    .unwrap();
    assert_eq!(third.next, ["http://gov.test/notices/index_4.html"]);
    let empty = discover(
        &page("http://gov.test/notices/index_9.html", "<p>没有更多</p>"),
        &src,
    )
    .unwrap();
    assert!(
        empty.next.is_empty(),
        "a page without links ends the paging"
    );
    let bad =
        parse_sources(&text.replace("index_{page}.html", "index_2.html"), "t.toml").unwrap_err();
    assert!(bad[0].to_string().contains("{page}"), "{}", bad[0]);
}

#[test]
fn json_apis_page_by_cursor() {
    let text = r#"
[[source]]
name = "c"
kind = "json"
channel = "complaint"
start = ["http://c.test/api/list?size=2"]
[source.api]
items = "data.items"
cursor = "data.next"
cursor_param = "after"
[source.api.fields]
id = "id"
title = "t"
text = "x"
"#;
    let src = parse_sources(text, "t.toml").unwrap().remove(0);
    let page = |url: &str, body: &str| {
        fetched(
            url,
            PageRole::Api,
            "application/json",
            body.as_bytes().to_vec(),
        )
    };
    let p1 = page(
        "http://c.test/api/list?size=2",
        r#"{"data":{"items":[{"id":1,"t":"a","x":"b"}],"next":"k2"}}"#,
    );
    assert_eq!(
        discover(&p1, &src).unwrap().next,
        ["http://c.test/api/list?size=2&after=k2"]
    );
    let p2 = page(
        "http://c.test/api/list?size=2&after=k2",
        r#"{"data":{"items":[{"id":2,"t":"a","x":"b"}],"next":"k3"}}"#,
    );
    assert_eq!(
        discover(&p2, &src).unwrap().next,
        ["http://c.test/api/list?size=2&after=k3"]
    );
    let last = page(
        "http://c.test/api/list?after=k3",
        r#"{"data":{"items":[{"id":3,"t":"a","x":"b"}],"next":null}}"#,
    );
    assert!(discover(&last, &src).unwrap().next.is_empty());
    let both = text.replace(
        "cursor = \"data.next\"",
        "cursor = \"data.next\"\npage_param = \"page\"",
    );
    assert!(
        parse_sources(&both, "t.toml").unwrap_err()[0]
            .message
            .contains("choose one")
    );
}

/// Regression (issue 16, 4): a page of NUL bytes became megabytes of replacement characters
/// (about 100× its size in memory downstream). NUL is no text: such a page is an empty page.
#[test]
fn a_page_of_nul_bytes_is_an_empty_page() {
    let mut body = b"<html><body><h1>".to_vec();
    body.extend(std::iter::repeat_n(0u8, 2 * 1024 * 1024));
    body.extend_from_slice(b"</h1><article><p>");
    body.extend(std::iter::repeat_n(0u8, 1024));
    body.extend_from_slice(b"</p></article></body></html>");
    let f = fetched(
        "http://news.test/a/0.html",
        PageRole::Detail,
        "text/html",
        body,
    );
    let e = parse(&f, &source("news")).unwrap_err();
    assert_eq!(e.reason(), "empty-page");
    // NULs inside real text go, the text stays
    let f = fetched(
        "http://news.test/a/1.html",
        PageRole::Detail,
        "text/html",
        "<h1>电热毯\0召回</h1><article><p>某公司\0\0召回电热毯。</p></article>"
            .as_bytes()
            .to_vec(),
    );
    let d = &parse(&f, &source("news")).unwrap()[0];
    assert_eq!(
        (d.title.as_str(), d.text.as_str()),
        ("电热毯召回", "某公司召回电热毯。")
    );
}

/// Regression (issue 16, 3): one page of megabytes held the analysis stage for minutes and
/// stored an extraction of tens of megabytes. A document keeps the head of such a text, cut
/// at a sentence end, and says so in its fields.
#[test]
fn a_huge_page_keeps_the_head_of_its_text_and_records_the_cut() {
    let sentence = "某品牌电动车充电时起火，消防到场处置。";
    let n = crate::parse::MAX_DOCUMENT_TEXT / sentence.len() * 3;
    let html = format!(
        "<h1>标题</h1><article><p>{}</p></article>",
        sentence.repeat(n)
    );
    let total = sentence.len() * n;
    let f = fetched(
        "http://news.test/a/2.html",
        PageRole::Detail,
        "text/html",
        html.into_bytes(),
    );
    let d = &parse(&f, &source("news")).unwrap()[0];
    assert!(d.text.len() <= crate::parse::MAX_DOCUMENT_TEXT);
    assert!(d.text.ends_with('。'), "cut at a sentence end");
    assert_eq!(
        d.field(crate::model::field::TEXT_CUT),
        Some(format!("{}/{total}", d.text.len()).as_str())
    );
}

/// A news article of our own writing, with the boilerplate of a portal around it.
const ARTICLE: &str = r#"<html><head><title>暖风机插头烧焦引发投诉 - 某某晚报</title>
<meta property="article:published_time" content="2026-01-12T08:15:00+08:00"></head><body>
<div id="nav"><a href="/">首页</a> <a href="/sh">社会</a> <a href="/cj">财经</a></div>
<article><h1 class="headline">暖风机插头烧焦引发投诉</h1>
<p>本报讯 市民王女士近日向本报反映，她在网上购买的一台暖风机使用不到一周，插头处就出现烧焦痕迹，并伴有刺鼻气味。</p>
<p>王女士说，事发时暖风机开在二档，她闻到焦味后立即断电，发现插座也被熏黑。商家表示需要寄回检测，但迟迟没有答复。</p>
<p>专业人士提醒，冬季使用大功率取暖电器时不要与其他电器共用插线板，发现发热异常应立即停止使用。</p></article>
<div class="share">分享到：微信 微博</div><div id="footer">某某晚报 版权所有 未经授权禁止转载</div>
</body></html>"#;

#[test]
fn a_source_without_detail_selectors_reads_articles_generically() {
    let text = r#"
[[source]]
name = "paper"
kind = "feed"
channel = "media"
start = ["http://paper.test/rss.xml"]

[[source]]
name = "mixed"
kind = "feed"
channel = "media"
start = ["http://paper.test/rss.xml"]
[source.detail]
title = "h1.headline"
text = "auto"
"#;
    let sources = parse_sources(text, "s.toml").unwrap_or_else(|e| panic!("{e:?}"));
    let f = fetched(
        "http://paper.test/a/1.html",
        PageRole::Detail,
        "text/html; charset=utf-8",
        ARTICLE.as_bytes().to_vec(),
    );
    for s in &sources {
        let docs = parse(&f, s).unwrap();
        assert_eq!(docs.len(), 1, "{}", s.name);
        let d = &docs[0];
        assert!(
            d.title.contains("暖风机插头烧焦引发投诉"),
            "{}: {}",
            s.name,
            d.title
        );
        assert!(d.text.contains("插头处就出现烧焦痕迹"), "{}", d.text);
        assert!(d.text.contains("应立即停止使用"));
        assert!(
            !d.text.contains("版权所有") && !d.text.contains("分享到"),
            "{}",
            d.text
        );
        assert_eq!(
            d.published_at.map(|t| t.to_rfc3339()),
            Some("2026-01-12T00:15:00+00:00".to_string())
        );
    }
    // the selector wins where it is given: the headline without the site suffix
    assert_eq!(
        parse(&f, &sources[1]).unwrap()[0].title,
        "暖风机插头烧焦引发投诉"
    );
    // a page with no article is an error counted by its reason, not an empty document
    let login = fetched(
        "http://paper.test/login",
        PageRole::Detail,
        "text/html",
        "<html><body><form><input name=u><button>登录</button></form></body></html>"
            .as_bytes()
            .to_vec(),
    );
    assert_eq!(
        parse(&login, &sources[0]).unwrap_err().reason(),
        "no-article"
    );
}

#[test]
fn an_auto_source_reads_a_feed_a_sitemap_or_a_page_for_what_it_is() {
    let text = r#"
[[source]]
name = "any"
kind = "auto"
channel = "regulator"
start = ["http://amr.test/"]
"#;
    let sources = parse_sources(text, "s.toml").unwrap_or_else(|e| panic!("{e:?}"));
    let src = &sources[0];
    assert_eq!(crate::crawl::start_role(src.kind), PageRole::List);
    let list = |body: &str, content_type: &str| {
        let f = fetched(
            "http://amr.test/start",
            PageRole::List,
            content_type,
            body.as_bytes().to_vec(),
        );
        discover(&f, src).unwrap()
    };
    // a feed served as text/html, behind a BOM, an XML declaration and a comment
    let feed = list(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- generated -->\n<rss version=\"2.0\"><channel><title>t</title>\
         <item><title>a</title><link>http://amr.test/a/1.html</link></item></channel></rss>",
        "text/html",
    );
    assert_eq!(feed.details, vec!["http://amr.test/a/1.html"]);
    assert!(!feed.sitemap);
    // a JSON Feed
    let json = list(
        r#"{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1", "url": "http://amr.test/j/1.html"}]}"#,
        "application/json",
    );
    assert_eq!(json.details, vec!["http://amr.test/j/1.html"]);
    // a sitemap index leads to further sitemaps, all of which are read
    let index = list(
        "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <sitemap><loc>http://amr.test/sm-1.xml</loc></sitemap></sitemapindex>",
        "text/xml",
    );
    assert_eq!(index.next, vec!["http://amr.test/sm-1.xml"]);
    assert!(index.sitemap && index.details.is_empty());
    // an HTML page (even one served as XML) is a list page: article links by their shape
    let page = list(
        "<!DOCTYPE html><html><body><ul>\
         <li><a href=\"/art/2026/3/5/art_1229_88.html\">某市抽查电动自行车头盔质量情况通报</a></li>\
         <li><a href=\"/art/2026/3/4/art_1229_87.html\">关于儿童玩具产品质量监督抽查结果的公告</a></li>\
         <li><a href=\"/about.html\">关于我们</a></li></ul></body></html>",
        "text/xml",
    );
    assert_eq!(
        page.details,
        vec![
            "http://amr.test/art/2026/3/5/art_1229_88.html",
            "http://amr.test/art/2026/3/4/art_1229_87.html"
        ]
    );
    // the same page under an html source without selectors; and a feed under it is no page
    let html = parse_sources(&text.replace("\"auto\"", "\"html\""), "s.toml").unwrap();
    let f = fetched(
        "http://amr.test/start",
        PageRole::List,
        "text/html",
        b"<rss version=\"2.0\"><channel><item><link>http://amr.test/a/1.html</link></item></channel></rss>"
            .to_vec(),
    );
    assert!(discover(&f, &html[0]).unwrap().details.is_empty());
}

#[test]
fn an_auto_source_takes_no_list_or_api_selectors() {
    for (block, key) in [
        ("[source.list]\nlinks = \"a\"\n", "kind = \"html\""),
        (
            "[source.api]\nitems = \"data\"\n[source.api.fields]\ntitle = \"t\"\n",
            "kind = \"json\"",
        ),
    ] {
        let text = format!(
            "[[source]]\nname = \"any\"\nkind = \"auto\"\nchannel = \"media\"\nstart = [\"http://x.test/\"]\n{block}"
        );
        let errs = parse_sources(&text, "s.toml").unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.message.contains(key) && e.file == "s.toml" && e.line > 0),
            "{errs:?}"
        );
    }
}

#[test]
fn a_page_of_no_likely_text_is_refused_as_bad_charset() {
    // byte pairs valid in GBK and Big5 alike, but no one's writing (as EUC-TW read as either is)
    let mut x: u32 = 7;
    let mut body = b"<html><head><title>".to_vec();
    body.extend((0..600).map(|_| {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        0xb0 + ((x >> 16) % 0x27) as u8
    }));
    body.extend_from_slice(b"</title></head><body><p>");
    let p = body.len();
    body.extend_from_within(19..p - 24);
    body.extend_from_slice(b"</p></body></html>");
    let f = fetched("http://x.test/a.html", PageRole::Detail, "text/html", body);
    let err = parse(&f, &source("news")).unwrap_err();
    assert_eq!(err.reason(), "bad-charset", "{err}");
    assert!(err.to_string().contains("http://x.test/a.html"), "{err}");
    assert_eq!(generic_page(&f).unwrap_err().reason(), "bad-charset");
    // the same words in GBK are read
    let words = "消费者反映网购的电暖器插头发热冒烟，商家拒绝退货。".repeat(4);
    let page = format!(
        "<html><head><title>电暖器插头冒烟</title></head><body><h1>电暖器插头冒烟</h1><article><p>{words}</p></article></body></html>"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&page);
    let f = fetched(
        "http://x.test/b.html",
        PageRole::Detail,
        "text/html",
        gbk.into_owned(),
    );
    assert!(parse(&f, &source("news")).is_ok());
}

#[test]
fn listing_items_and_product_fields_come_from_script_data() {
    let text = r#"
[[source]]
name = "shop"
kind = "html"
channel = "platform"
start = ["http://shop.test/s?q=1"]
[source.list]
next = "a.next"
[source.list.script]
items = "g_page_config.mods.itemlist.data.auctions"
[source.list.script.fields]
id = "nid"
url = "detail_url"
title = "raw_title"
price = "view_price"
shop = "nick"
[source.detail.script]
title = "pageConfig.product.name"
brand = "pageConfig.product.brand"
"#;
    let src = &parse_sources(text, "s.toml").unwrap_or_else(|e| panic!("{e:?}"))[0];
    let listing = r#"<html><body><a class="next" href="?q=1&p=2">下一页</a><script>
var g_page_config = {"mods":{"itemlist":{"data":{"auctions":[
 {"nid":"11","detail_url":"//item.shop.test/item.htm?id=11","raw_title":"<span class=H>电动车</span>充电器 48V","view_price":"35.00","nick":"某某电器店"},
 {"nid":"12","raw_title":"电动车头盔 3C认证","view_price":"79.00","nick":"某某骑行"}]}}}};
g_srp_loadCss();
</script></body></html>"#;
    let f = fetched(
        "http://shop.test/s?q=1",
        PageRole::List,
        "text/html; charset=utf-8",
        listing.as_bytes().to_vec(),
    );
    let docs = parse(&f, src).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].title, "电动车充电器 48V");
    assert_eq!(docs[0].url, "http://item.shop.test/item.htm?id=11");
    assert_eq!(docs[0].fields["price"], "35.00");
    assert_eq!(docs[1].fields["shop"], "某某骑行");
    assert!(docs[1].url.ends_with("#12"), "{}", docs[1].url);
    // paging goes on by the list's next link
    let found = discover(&f, src).unwrap();
    assert_eq!(found.next, vec!["http://shop.test/s?q=1&p=2"]);
    // a page without the variable is an error that says what the page has
    let bare = fetched(
        "http://shop.test/s?q=2",
        PageRole::List,
        "text/html",
        b"<html><script>var other = {\"a\": 1};</script></html>".to_vec(),
    );
    let err = parse(&bare, src).unwrap_err();
    assert_eq!(err.reason(), "no-script-data");
    assert!(err.to_string().contains("other"), "{err}");
    // a product page: fields from a JavaScript object literal
    let product = "<html><head><script>var pageConfig = { product: { name: '\\u513f\\u7ae5\\u7535\\u52a8\\u7259\\u5237', brand: 3301, } };</script></head><body></body></html>";
    let f = fetched(
        "http://item.shop.test/3301.html",
        PageRole::Detail,
        "text/html",
        product.as_bytes().to_vec(),
    );
    let d = &parse(&f, src).unwrap()[0];
    assert_eq!(d.title, "儿童电动牙刷");
    assert_eq!(d.fields["brand"], "3301");
}

#[test]
fn script_item_reviews_fan_out_into_documents_and_fields_join_paths() {
    let text = r#"
[[source]]
name = "shop"
kind = "html"
channel = "platform"
start = ["http://shop.test/s?q=1"]
[source.list.script]
items = "pageData.list"
[source.list.script.fields]
url = "href"
title = "name"
shop = "seller.name + seller.city"
[source.list.script.reviews]
items = "comments"
[source.list.script.reviews.fields]
id = "cid"
text = "body"
published = "date"
stars = "score"
"#;
    let src = &parse_sources(text, "s.toml").unwrap_or_else(|e| panic!("{e:?}"))[0];
    let page = r#"<html><body><script>
window.pageData = {list: [
 {href: "/p/7.html", name: "暖手宝 充电款", seller: {name: "甲乙小家电", city: "温州"},
  comments: [{cid: 501, body: "充了一晚上外壳烫手，还有焦味", date: "2026-03-02", score: 1},
             {cid: 502, body: "", date: "2026-03-03"},
             {cid: 503, body: "用了三天<b>漏液</b>", date: "2026-03-04", score: 2}]},
 {href: "/p/8.html", name: "电热毯 单人", seller: {name: "丙丁家纺"}}
]};
</script></body></html>"#;
    let f = fetched(
        "http://shop.test/s?q=1",
        PageRole::List,
        "text/html; charset=utf-8",
        page.as_bytes().to_vec(),
    );
    let docs = parse(&f, src).unwrap();
    // two items, and the first one's two reviews that say something
    let urls: Vec<&str> = docs.iter().map(|d| d.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "http://shop.test/p/7.html",
            "http://shop.test/p/7.html#review-501",
            "http://shop.test/p/7.html#review-503",
            "http://shop.test/p/8.html",
        ]
    );
    // a field joined from two paths
    assert_eq!(docs[0].fields["shop"], "甲乙小家电\n温州");
    assert_eq!(docs[3].fields["shop"], "丙丁家纺");
    let r = &docs[1];
    assert_eq!(r.title, "暖手宝 充电款", "a review is about its item");
    assert_eq!(r.text, "充了一晚上外壳烫手，还有焦味");
    assert_eq!(
        r.fields["shop"], docs[0].fields["shop"],
        "item fields carry over"
    );
    assert_eq!(r.fields["stars"], "1");
    assert_eq!(
        r.published_at
            .map(|t| crate::model::china_day(t).to_string()),
        Some("2026-03-02".to_string())
    );
    assert_eq!(docs[2].text, "用了三天漏液");
    // every document its own identity, stable across fetches
    let ids: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), docs.len());
    assert_eq!(parse(&f, src).unwrap()[1].id, r.id);
}

#[test]
fn a_jsonp_review_api_reads_like_json() {
    let text = r#"
[[source]]
name = "rates"
kind = "json"
channel = "platform"
start = ["http://shop.test/rates?item=7&callback=jsonp381"]
[source.api]
items = "comments"
[source.api.fields]
id = "cid"
text = "body"
published = "date"
"#;
    let src = &parse_sources(text, "s.toml").unwrap_or_else(|e| panic!("{e:?}"))[0];
    for body in [
        "jsonp381({\"comments\":[{\"cid\":1,\"body\":\"充电时冒烟\",\"date\":\"2026-03-02\"},{\"cid\":2,\"body\":\"外壳发烫变形\",\"date\":\"2026-03-03\"}]});",
        // a JavaScript literal, not JSON
        "  jsonp381({comments: [{cid: 1, body: '充电时冒烟', date: '2026-03-02'}, {cid: 2, body: '外壳发烫变形', date: '2026-03-03'},]})\n",
    ] {
        let f = fetched(
            "http://shop.test/rates?item=7&callback=jsonp381",
            PageRole::Api,
            "application/javascript",
            body.as_bytes().to_vec(),
        );
        let docs = parse(&f, src).unwrap_or_else(|e| panic!("{body}: {e}"));
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(texts, ["充电时冒烟", "外壳发烫变形"], "{body}");
    }
    // not a call: still an error that says so
    let f = fetched(
        "http://shop.test/rates?item=7",
        PageRole::Api,
        "application/javascript",
        b"var x = 1; alert(x)".to_vec(),
    );
    assert_eq!(parse(&f, src).unwrap_err().reason(), "bad-json");
}

#[test]
fn script_paths_and_review_blocks_are_checked_on_their_lines() {
    let text = "[[source]]
name = \"shop\"
kind = \"html\"
channel = \"platform\"
start = [\"http://shop.test/\"]
[source.list.script]
items = \"pageData.list\"
[source.list.script.fields]
title = \"name\"
shop = \"seller.name+seller..city\"
[source.list.script.reviews]
items = \"comments\"
[source.list.script.reviews.fields]
stars = \"score\"
";
    let errs = parse_sources(text, "s.toml").unwrap_err();
    let lines: Vec<(usize, String)> = errs.iter().map(|e| (e.line, e.to_string())).collect();
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 10 && m.contains("seller..city")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 12 && m.contains("needs a text path")),
        "{lines:?}"
    );
}

#[test]
fn json_ld_products_and_articles_are_read_without_configuration() {
    let product = r#"<html><head><title>某牌取暖器</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "BreadcrumbList", "itemListElement": []},
  {"@type": ["Product"], "name": "某牌 油汀取暖器 NY-13", "brand": {"@type": "Brand", "name": "某牌"},
   "model": "NY-13", "manufacturer": {"@type": "Organization", "name": "某某电器有限公司"},
   "offers": [{"@type": "Offer", "price": 299, "seller": {"@type": "Organization", "name": "某牌官方旗舰店"}}]}
]}
</script></head><body><div id="app"></div></body></html>"#;
    let f = fetched(
        "http://shop.test/p/13.html",
        PageRole::Detail,
        "text/html",
        product.as_bytes().to_vec(),
    );
    // a feed source without selectors: generic extraction finds no article, JSON-LD a product
    let d = &parse(&f, &source("news")).map(|mut v| v.remove(0));
    let generic = parse_sources(
        "[[source]]\nname = \"any\"\nkind = \"auto\"\nchannel = \"platform\"\nstart = [\"http://shop.test/\"]\n",
        "s.toml",
    )
    .unwrap();
    let d2 = parse(&f, &generic[0]).unwrap().remove(0);
    assert_eq!(d2.title, "某牌 油汀取暖器 NY-13");
    assert_eq!(d2.fields["brand"], "某牌");
    assert_eq!(d2.fields["model"], "NY-13");
    assert_eq!(d2.fields["price"], "299");
    assert_eq!(d2.fields["shop"], "某牌官方旗舰店");
    assert_eq!(d2.fields["enterprise"], "某某电器有限公司");
    // with selectors that find the title, JSON-LD fills only the fields
    assert!(
        d.as_ref().is_ok_and(|d| d.fields["brand"] == "某牌"),
        "{d:?}"
    );
    // a news article's date where the page shows none
    let article = format!(
        r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","headline":"某地通报燃气灶爆燃事故","datePublished":"2026-04-02T08:30:00+08:00"}}</script></head>
<body><article><h1>某地通报燃气灶爆燃事故</h1><p>{}</p></article></body></html>"#,
        "近日，某小区一住户使用燃气灶时发生爆燃，所幸无人受伤，涉事燃气灶为网购产品，当地已立案调查。".repeat(3)
    );
    let f = fetched(
        "http://news.test/a/1.html",
        PageRole::Detail,
        "text/html",
        article.into_bytes(),
    );
    let d = parse(&f, &generic[0]).unwrap().remove(0);
    assert_eq!(
        d.published_at.map(|t| t.to_rfc3339()),
        Some("2026-04-02T00:30:00+00:00".to_string())
    );
}

#[test]
fn xml_api_bodies_are_read_with_the_same_paths() {
    let mut src = source("api");
    if let Some(api) = src.api.as_mut() {
        api.items = "list.entry".into();
        api.fields = [
            ("id", "@id"),
            ("title", "name"),
            ("text", "about+risks.risk"),
            ("region", "country"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    }
    src.region = Some("境外:欧盟".into());
    let body = br#"<?xml version="1.0"?><feed><list>
        <entry id="7"><name>A</name><about>x</about><risks><risk>r1</risk><risk>r2</risk></risks><country>Germany</country></entry>
        </list></feed>"#;
    let f = fetched(
        "http://c.test/api.xml",
        PageRole::Api,
        "application/xml",
        body.to_vec(),
    );
    let docs = parse(&f, &src).unwrap();
    // one element is a list of one; a repeated element is every value; `+` joins paths
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].title, "A");
    assert_eq!(docs[0].text, "x\nr1、r2");
    // the item's own country replaces the source's region
    assert_eq!(docs[0].region_hint.as_deref(), Some("Germany"));
    let other = fetched(
        "http://c.test/api.xml",
        PageRole::Api,
        "application/xml",
        br#"<feed><list><entry id="8"><name>B</name></entry><entry id="9"><name>C</name></entry></list></feed>"#.to_vec(),
    );
    let docs = parse(&other, &src).unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1].region_hint.as_deref(), Some("境外:欧盟"));
}

#[test]
fn a_detail_page_is_read_by_its_readers_in_order_each_filling_what_is_empty() {
    let src = &parse_sources(
        r#"[[source]]
name = "shop"
kind = "html"
channel = "platform"
platform = "某商城"
start = ["http://shop.test/"]
[source.detail]
title = "h1"
text = "auto"
published = "span.date"
[source.detail.fields]
brand = "td.brand"
shop = "td.shop"
[source.detail.script]
title = "pageData.item.title"
text = "pageData.item.desc"
brand = "pageData.item.brand"
shop = "pageData.item.shop"
publisher = "pageData.item.seller"
published = "pageData.item.onSale"
"#,
        "s.toml",
    )
    .unwrap()[0];
    let page = format!(
        r#"<html><head><title>页面标题_某商城</title><meta name="PubDate" content="2026-03-05 09:30">
<script>var pageData = {{item: {{title: "脚本标题", desc: "脚本描述", brand: "脚本品牌", shop: "脚本店铺",
  seller: "某某旗舰店", onSale: "2026-01-01"}}}};</script>
<script type="application/ld+json">{{"@type": "Product", "name": "某牌暖风机", "brand": {{"name": "LD品牌"}},
  "model": "NF-2", "description": "LD描述", "offers": {{"seller": {{"name": "LD店铺"}}}}}}</script>
</head><body><h1>选择器标题</h1><span class="date">上架已久</span>
<table><tr><td class="brand">选择器品牌</td><td class="shop"></td></tr></table>
<article><p>{}</p></article></body></html>"#,
        "这款暖风机通电后外壳温度偏高，多名买家反映使用半小时后插头发烫并有焦糊气味。".repeat(3)
    );
    let f = fetched(
        "http://shop.test/item/9.html",
        PageRole::Detail,
        "text/html; charset=utf-8",
        page.into_bytes(),
    );
    let d = parse(&f, src).unwrap().remove(0);
    // declared selectors first: their title and fields stand whatever comes after
    assert_eq!(d.title, "选择器标题");
    assert_eq!(d.fields["brand"], "选择器品牌");
    // generic extraction next (text = "auto"): its text and date before script data's
    assert!(d.text.contains("插头发烫"), "{}", d.text);
    assert!(!d.text.contains("脚本描述") && !d.text.contains("LD描述"));
    assert_eq!(
        d.published_at.map(|t| t.to_rfc3339()),
        parse_date("2026-03-05 09:30").map(|t| t.to_rfc3339())
    );
    // script data fills what the selectors left empty, before JSON-LD
    assert_eq!(d.fields["shop"], "脚本店铺");
    // JSON-LD fills what is still empty
    assert_eq!(d.fields["model"], "NF-2");
    assert_eq!(d.fields["product"], "某牌暖风机");
    // the source's own fields last: a page's publisher wins, the platform stays the source's
    assert_eq!(d.fields["publisher"], "某某旗舰店");
    assert_eq!(d.fields["platform"], "某商城");
}
