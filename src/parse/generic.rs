//! Generic article extraction: the title, publication time and main text of a page read with no
//! selectors (a feed source without `[source.detail]`, `text = "auto"`, `jiance fetch` without a
//! source). The main text is dom_smoothie's (a port of Mozilla Readability: content scoring by
//! text and comma density, link-density penalties, boilerplate class / id patterns), as
//! paragraphs; the publication time also reads the meta tags of Chinese government CMSes
//! (`PubDate`, `publishdate` …) and, failing those, the first date in the text's head, where
//! portals print it under the headline.

use std::cell::OnceCell;

use dom_smoothie::{Config, Readability, TextMode};
use scraper::Html;

use super::boilerplate;
use super::dates::parse_date;
use crate::model::Timestamp;

/// What generic extraction made of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub title: String,
    pub text: String,
    pub published: Option<Timestamp>,
}

/// Most elements a page may have for generic extraction (a bigger one is refused, not read
/// slowly: listings and forums of tens of thousands of nodes are no articles).
const MAX_ELEMENTS: usize = 20_000;

/// Shortest main text taken as an article, in characters.
const MIN_TEXT: usize = 50;

/// Meta tags that carry a publication time, in order of trust.
const DATE_META: &[&str] = &[
    "article:published_time",
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "publish_date",
    "og:release_date",
    "dc.date",
    "dc.date.issued",
    "date",
];

/// The article of `html` (decoded), fetched from `url`. `Err` names why there is none
/// (`no-article`: nothing readable, `too-large`: more elements than are worth reading).
pub fn article(html: &str, url: &str) -> Result<Article, &'static str> {
    article_in(html, url, &OnceCell::new())
}

/// [`article`] of a page whose parsed tree the caller keeps (`page`, of the same `html`): read
/// for a title or date Readability did not find, parsed into `page` only then and only if no
/// one has yet, so a page is parsed by us at most once.
pub fn article_in(html: &str, url: &str, page: &OnceCell<Html>) -> Result<Article, &'static str> {
    let cfg = Config {
        max_elements_to_parse: MAX_ELEMENTS,
        text_mode: TextMode::Formatted,
        // classes mark captions and screen-reader text for the boilerplate pass
        keep_classes: true,
        ..Default::default()
    };
    let mut r = Readability::new(html, Some(url), Some(cfg)).map_err(|_| "no-article")?;
    let parsed = r.parse().map_err(|e| match e {
        dom_smoothie::ReadabilityError::TooManyElements(..) => "too-large",
        _ => "no-article",
    })?;
    let text = crate::util::text::tidy_lines(&parsed.text_content);
    if text.chars().count() < MIN_TEXT {
        return Err("no-article");
    }
    // dom_smoothie has parsed the page already; ours is parsed again only when its title or
    // date is missing (the common article has both) and the caller has not parsed it
    let page = || page.get_or_init(|| Html::parse_document(html));
    let title = match parsed.title.trim() {
        "" => title_tag(page()).unwrap_or_default(),
        t => t.to_string(),
    };
    let title = without_site(&title);
    let published = parsed
        .published_time
        .as_deref()
        .and_then(parse_date)
        .or_else(|| meta_date(page()))
        .or_else(|| head_date(&text));
    // the dateline read, the head and tail Readability keeps go (see `boilerplate`)
    let text = boilerplate::trim(&text, &title, &boilerplate::marks(&parsed.content));
    Ok(Article {
        title,
        text,
        published,
    })
}

/// A title without its site's name: "通报标题_某省人民政府网站" and "Headline - Paper - Section"
/// keep their headline. The part after the last separator is dropped, again and again, while it
/// is short enough to be a site or section name and no longer than what stays (or ends as
/// Chinese organisations' names do); a headline's own
/// column mark ("关注｜…", "Site | Headline") is kept, since what follows it is the longer part.
fn without_site(title: &str) -> String {
    const SEPARATORS: [&str; 8] = [" - ", " | ", "_", "｜", " — ", " – ", " » ", " :: "];
    /// Longest site or section name dropped, in characters.
    const MAX_SITE: usize = 30;
    /// How the names of Chinese sites end: a government site's name is often longer than a
    /// short notice title ("通告_某省市场监督管理局").
    const ORGANISATION: [&str; 14] = [
        "局",
        "网",
        "网站",
        "门户",
        "政府",
        "委员会",
        "中心",
        "报",
        "协会",
        "院",
        "厅",
        "署",
        "频道",
        "官网",
    ];
    let len = |s: &str| s.chars().count();
    let mut t = title.trim();
    while let Some((at, sep)) = SEPARATORS
        .iter()
        .filter_map(|sep| t.rfind(sep).map(|at| (at, sep.len())))
        .max_by_key(|(at, _)| *at)
    {
        let (head, tail) = (t[..at].trim(), t[at + sep..].trim());
        let site = len(tail) <= len(head) || ORGANISATION.iter().any(|o| tail.ends_with(o));
        if head.is_empty() || len(tail) > MAX_SITE || !site {
            break;
        }
        t = head;
    }
    t.to_string()
}

fn title_tag(page: &Html) -> Option<String> {
    let sel = super::page::compiled("title").ok()?;
    let t: String = page.select(&sel).next()?.text().collect();
    Some(t.trim().to_string()).filter(|t| !t.is_empty())
}

fn meta_date(page: &Html) -> Option<Timestamp> {
    let sel = super::page::compiled("meta[content]").ok()?;
    let metas: Vec<(String, &str)> = page
        .select(&sel)
        .filter_map(|m| {
            let v = m.value();
            let key = v
                .attr("property")
                .or_else(|| v.attr("name"))
                .or_else(|| v.attr("itemprop"))?;
            Some((key.to_ascii_lowercase(), v.attr("content")?))
        })
        .collect();
    DATE_META.iter().find_map(|want| {
        metas
            .iter()
            .filter(|(k, _)| k == want)
            .find_map(|(_, c)| parse_date(c))
    })
}

/// The first date among the text's first lines (portals print 2026-03-05 or 2026年3月5日 under
/// the headline; further down a date is more likely an event's than the page's).
fn head_date(text: &str) -> Option<Timestamp> {
    text.lines().take(4).find_map(parse_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><title>省市场监管局通报电动自行车抽查结果_某省人民政府网站</title>
<meta name="PubDate" content="2026-03-05 09:30"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/news">新闻</a> <a href="/gov">政务公开</a></div>
<div class="main"><h1>省市场监管局通报电动自行车抽查结果</h1>
<div class="content">
<p>近日，省市场监督管理局组织对全省生产、销售的电动自行车产品质量进行了省级监督抽查，共抽查50批次产品，发现不合格产品6批次。</p>
<p>不合格项目主要为整车质量、最高车速和蓄电池防篡改，部分产品存在起火和失控的安全隐患。</p>
<p>对抽查中发现的不合格产品，省局已责成有关市场监管部门依法处理，督促企业整改到位。</p>
</div></div>
<div class="footer">版权所有 某省人民政府 联系我们 网站地图</div>
<ul class="related"><li><a href="/1">关于开展燃气灶专项检查的通知</a></li><li><a href="/2">儿童玩具抽查结果公告</a></li></ul>
</body></html>"#;

    #[test]
    fn a_government_notice_without_selectors() {
        let a = article(PAGE, "http://amr.example.gov.cn/art/2026/3/5/art_1.html").unwrap();
        assert!(
            a.title.contains("省市场监管局通报电动自行车抽查结果"),
            "{}",
            a.title
        );
        assert!(a.text.contains("发现不合格产品6批次"), "{}", a.text);
        assert!(a.text.contains("督促企业整改到位"));
        for boiler in ["版权所有", "政务公开", "燃气灶专项检查"] {
            assert!(!a.text.contains(boiler), "{boiler} in {}", a.text);
        }
        let p = a.published.unwrap();
        assert_eq!(
            p.to_rfc3339(),
            parse_date("2026-03-05 09:30").unwrap().to_rfc3339()
        );
    }

    #[test]
    fn site_names_leave_titles() {
        assert_eq!(
            without_site("港口起重机倒塌致两人受伤 - 某某新闻网 - 社会"),
            "港口起重机倒塌致两人受伤"
        );
        assert_eq!(
            without_site("电热毯抽查结果通告_某市市场监督管理局"),
            "电热毯抽查结果通告"
        );
        assert_eq!(
            without_site("Site | Recall of e-bike batteries announced"),
            "Site | Recall of e-bike batteries announced"
        );
        assert_eq!(without_site("无分隔的标题"), "无分隔的标题");
        assert_eq!(
            without_site("抽查通告_某某省某某市市场监督管理局"),
            "抽查通告"
        );
        // a column mark inside the headline stays; the site after it goes
        assert_eq!(
            without_site("曝光｜某品牌儿童水杯铅超标被下架 - 某某消费报"),
            "曝光｜某品牌儿童水杯铅超标被下架"
        );
        // a long tail is part of the headline, not a site name
        assert_eq!(
            without_site("召回 - 某公司宣布召回部分批次电动自行车锂电池组"),
            "召回 - 某公司宣布召回部分批次电动自行车锂电池组"
        );
    }

    #[test]
    fn a_page_without_an_article_says_so() {
        assert_eq!(
            article(
                "<html><body><a href=/a>登录</a></body></html>",
                "http://x.test/"
            ),
            Err("no-article")
        );
    }
}
