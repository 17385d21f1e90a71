//! What Readability-style extraction leaves in an article and a reader does not want: image
//! captions and screen-reader labels, the dateline and byline block and a repeated headline at
//! the head, and link lists ("related stories", share and follow links, "print version") at the
//! tail. Readability keeps them because they sit in the article's container; the independent
//! oracles (newspaper4k's expected texts) and a risk analyst both leave them out.
//!
//! Works on the extracted text, one paragraph per line, and on the article's HTML for what each
//! line is made of (link text, caption text). Every cut is bounded: the head and the tail each
//! lose at most a third of the text, and nothing is cut that is not marked so by the page
//! (a link, a caption element) or by its shape (a short line with a date, no sentence). A link
//! to a document (`.pdf`, `.xls`, `.doc` …) is no boilerplate: notices list their attachments
//! that way, naming the products.

use std::sync::OnceLock;

use regex::Regex;
use scraper::{ElementRef, Html};

/// What the article's lines are made of.
#[derive(Debug, Default)]
pub struct Marks {
    /// Texts of links (whitespace removed), but links to documents.
    links: Vec<String>,
    /// Texts of captions and text meant for screen readers only (whitespace removed).
    captions: Vec<String>,
    /// Texts of links to documents: a line holding one is never cut.
    documents: Vec<String>,
}

/// Class names of captions and screen-reader-only text.
const CAPTION_CLASSES: [&str; 6] = [
    "caption",
    "off-screen",
    "offscreen",
    "sr-only",
    "visually-hidden",
    "copyright",
];

/// Links to files that are content (a notice's attachments), not navigation.
const DOCUMENT_EXTENSIONS: [&str; 10] = [
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".wps", ".et", ".ofd", ".zip",
];

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Reads the link and caption texts of an article's HTML (Readability's content, with classes).
pub fn marks(content: &str) -> Marks {
    let doc = Html::parse_fragment(content);
    let mut m = Marks::default();
    if let Ok(sel) = super::page::compiled("a[href]") {
        for a in doc.select(&sel) {
            let href = a
                .value()
                .attr("href")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let path = href.split(['?', '#']).next().unwrap_or_default();
            let list = if DOCUMENT_EXTENSIONS.iter().any(|e| path.ends_with(e)) {
                &mut m.documents
            } else {
                &mut m.links
            };
            push(list, &text_of(a));
        }
    }
    if let Ok(sel) = super::page::compiled("figcaption, [class]") {
        for e in doc.select(&sel) {
            let caption = e.value().name() == "figcaption"
                || e.value().classes().any(|c| {
                    let c = c.to_ascii_lowercase();
                    CAPTION_CLASSES.iter().any(|k| c.contains(k))
                });
            if caption {
                push(&mut m.captions, &text_of(e));
            }
        }
    }
    m
}

fn text_of(e: ElementRef) -> String {
    squash(&e.text().collect::<String>())
}

fn push(out: &mut Vec<String>, text: &str) {
    if !text.is_empty() && !out.iter().any(|t| t == text) {
        out.push(text.to_string());
    }
}

/// The share of a line's characters (whitespace aside) made of `parts`.
fn covered(line: &str, parts: &[String]) -> f64 {
    let mut rest = squash(line);
    let total = rest.chars().count();
    if total == 0 {
        return 1.0;
    }
    // longest first, so a link's text is not eaten by a shorter one inside it
    let mut parts: Vec<&String> = parts.iter().filter(|p| rest.contains(p.as_str())).collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in parts {
        rest = rest.replace(p.as_str(), "");
    }
    1.0 - rest.chars().count() as f64 / total as f64
}

/// A date or a time of day: what a dateline holds.
fn has_date(line: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\d{1,2}:\d{2}|\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*月\s*\d{1,2}\s*日").ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(line))
}

/// Ends as a sentence (or a clause that introduces what follows, as "各有关单位：" does).
fn sentence(line: &str) -> bool {
    line.trim_end().ends_with([
        '.', '!', '?', '。', '！', '？', ':', '：', ';', '；', '…', '"', '”', '」', '』',
    ])
}

/// Share of a line in link text that makes it navigation (a share bar's label and its links
/// is about half link text).
const LINKS: f64 = 0.4;
/// Share of a line in caption text that makes it a caption.
const CAPTIONS: f64 = 0.8;
/// How many head lines may go (a dateline, a byline, the headline again, a breadcrumb).
const HEAD_LINES: usize = 6;

/// The text without its captions, head block and tail link lists (see the module's doc).
pub fn trim(text: &str, title: &str, marks: &Marks) -> String {
    let len = |s: &str| s.chars().count();
    let title = squash(title);
    let is_link = |l: &str| !marks.links.is_empty() && covered(l, &marks.links) >= LINKS;
    let keep = |l: &str| {
        let s = squash(l);
        marks.documents.iter().any(|d| s.contains(d.as_str()))
    };
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| marks.captions.is_empty() || keep(l) || covered(l, &marks.captions) < CAPTIONS)
        .collect();
    let total: usize = lines.iter().map(|l| len(l)).sum();
    // each end loses at most a third of the text
    let budget = total / 3;
    // Cuts by shape alone (a short line, a date) only where the text has paragraphs: a notice
    // that is one table of short rows keeps every row.
    let paragraphs = lines
        .iter()
        .any(|l| len(l) >= 60 || (len(l) >= 30 && sentence(l)));
    let mut cut = 0usize;
    let mut start = 0;
    while start < lines.len().min(HEAD_LINES) {
        let l = lines[start];
        let n = len(l);
        let head = !keep(l)
            && (squash(l) == title
                || is_link(l)
                || (paragraphs && n < 60 && has_date(l) && !sentence(l))
                || (paragraphs && n < 30 && !sentence(l)));
        if !head || cut + n > budget {
            break;
        }
        cut += n;
        start += 1;
    }
    cut = 0;
    let mut end = lines.len();
    let mut after_dropped = false;
    while end > start + 1 {
        let l = lines[end - 1];
        let n = len(l);
        let tail = !keep(l)
            && (is_link(l)
                // a list's heading or label ("Related", "Follow us:") just above a dropped link
                || (after_dropped && n < 40)
                || l.trim().chars().all(|c| !c.is_alphanumeric()));
        if !tail || cut + n > budget {
            break;
        }
        cut += n;
        end -= 1;
        after_dropped = true;
    }
    lines[start..end].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = r#"<div>
<p>2026-03-05 10:20 来源：某某消费报</p>
<p>记者 王某</p>
<p>儿童电话手表被曝可远程定位</p>
<figure><img src="a.jpg"><figcaption class="caption">图为涉事手表</figcaption></figure>
<p>近日，多名家长反映，某品牌儿童电话手表的配套应用存在漏洞，陌生人可远程获取孩子的实时位置。</p>
<p>记者调查发现，该应用未对账号绑定进行验证，任何人输入手表编号即可查看定位和通话记录。</p>
<p>附件：<a href="/files/list.xlsx">抽查不合格产品名单.xlsx</a></p>
<p>相关新闻</p>
<p><a href="/n/1">智能门锁被指可被远程打开</a></p>
<p><a href="/n/2">家用摄像头隐私泄露调查</a></p>
<p>分享到：<a href="/share/weibo">微博</a> <a href="/share/wx">微信</a></p>
</div>"#;

    fn text() -> String {
        [
            "2026-03-05 10:20 来源：某某消费报",
            "记者 王某",
            "儿童电话手表被曝可远程定位",
            "图为涉事手表",
            "近日，多名家长反映，某品牌儿童电话手表的配套应用存在漏洞，陌生人可远程获取孩子的实时位置。",
            "记者调查发现，该应用未对账号绑定进行验证，任何人输入手表编号即可查看定位和通话记录。",
            "附件：抽查不合格产品名单.xlsx",
            "相关新闻",
            "智能门锁被指可被远程打开",
            "家用摄像头隐私泄露调查",
            "分享到：微博 微信",
        ]
        .join("\n")
    }

    #[test]
    fn head_caption_and_tail_go_the_article_and_its_attachment_stay() {
        let m = marks(ARTICLE);
        let out = trim(&text(), "儿童电话手表被曝可远程定位", &m);
        assert_eq!(
            out.lines().collect::<Vec<_>>(),
            vec![
                "近日，多名家长反映，某品牌儿童电话手表的配套应用存在漏洞，陌生人可远程获取孩子的实时位置。",
                "记者调查发现，该应用未对账号绑定进行验证，任何人输入手表编号即可查看定位和通话记录。",
                "附件：抽查不合格产品名单.xlsx",
            ]
        );
    }

    #[test]
    fn a_table_of_short_rows_keeps_every_row() {
        // a notice that is a list of failed products: no sentences, no links
        let lines: Vec<String> = (1..=12)
            .map(|i| format!("{i} 某品牌 电动自行车 TDT{i:03} 不合格项目 最高车速"))
            .collect();
        let text = lines.join("\n");
        assert_eq!(trim(&text, "抽查结果", &Marks::default()), text);
        // and where every line were a link, a third stays
        let links = Marks {
            links: lines.iter().map(|l| squash(l)).collect(),
            ..Marks::default()
        };
        let out = trim(&text, "抽查结果", &links);
        let kept = out.chars().count() as f64 / text.chars().count() as f64;
        assert!(kept >= 1.0 / 3.0, "{kept}\n{out}");
    }

    #[test]
    fn a_page_without_marks_is_cut_only_by_shape() {
        let text = "2026年3月5日 14:00\n某地一商场自动扶梯突然逆行，造成三名顾客摔伤，涉事扶梯已停用检修。\n相关负责人表示正在调查原因。";
        let out = trim(text, "扶梯逆行", &Marks::default());
        assert!(out.starts_with("某地一商场"), "{out}");
        assert!(out.ends_with("正在调查原因。"), "{out}");
    }
}
