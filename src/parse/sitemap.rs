//! Sitemaps (sitemaps.org 0.9): `<urlset>` pages → detail links, `<sitemapindex>` → further
//! sitemaps, each with its `<lastmod>` when given. Gzipped sitemaps (`.xml.gz` served without a
//! `Content-Encoding`) are inflated here, capped at the protocol's 50 MB so a bomb cannot grow.
//!
//! Read with small regular expressions rather than a full XML parser: sitemaps in the wild are
//! often not well-formed (stray `&`, truncated tails), and every complete `<url>` block should
//! still count.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::OnceLock;

use regex::Regex;
use url::Url;

use super::dates::parse_date;
use super::page::{ParseError, resolve};
use crate::model::{Discovered, Fetched};

/// The sitemap protocol's limit on an uncompressed sitemap.
pub const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;

fn block(tag: &str) -> Regex {
    Regex::new(&format!(r"(?is)<{tag}\b[^>]*>(.*?)</{tag}\s*>")).expect("static regex compiles")
}

fn url_block() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| block("url"))
}
fn sitemap_block() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| block("sitemap"))
}
fn loc() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| block("loc"))
}
fn lastmod() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| block("lastmod"))
}

/// Text of an XML element: CDATA unwrapped, the five predefined entities and numeric
/// references decoded.
fn xml_text(raw: &str) -> String {
    let t = raw.trim();
    let t = t
        .strip_prefix("<![CDATA[")
        .and_then(|x| x.strip_suffix("]]>"))
        .unwrap_or(t);
    super::xmltree::decode_entities(t)
}

/// The sitemap's text, inflated when it is gzip (magic bytes), capped at 50 MB.
fn text(f: &Fetched) -> Result<String, ParseError> {
    if f.body.starts_with(&[0x1f, 0x8b]) {
        let mut buf = Vec::new();
        flate2::read::MultiGzDecoder::new(f.body.as_slice())
            .take(MAX_SITEMAP_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| {
                ParseError::new(&f.url, "bad-sitemap", format!("bad gzip sitemap: {e}"))
            })?;
        if buf.len() as u64 > MAX_SITEMAP_BYTES {
            return Err(ParseError::new(
                &f.url,
                "sitemap-too-large",
                "gzip sitemap inflates past 50 MB",
            ));
        }
        return Ok(super::charset::decode_bytes(&buf, None));
    }
    Ok(super::charset::decode(f))
}

/// Links of a sitemap or sitemap index, with their `lastmod`.
pub fn discover(f: &Fetched, base: &Url) -> Result<Discovered, ParseError> {
    let xml = text(f)?;
    let lower_head: String = xml
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    let is_index = lower_head.contains("<sitemapindex");
    if !is_index && !lower_head.contains("<urlset") {
        return Err(ParseError::new(
            &f.url,
            "bad-sitemap",
            "neither <urlset> nor <sitemapindex> found",
        ));
    }
    let blocks = if is_index {
        sitemap_block()
    } else {
        url_block()
    };
    let mut out = Discovered::default();
    let mut lastmods = BTreeMap::new();
    for b in blocks.captures_iter(&xml) {
        let Some(inner) = b.get(1).map(|m| m.as_str()) else {
            continue;
        };
        let Some(href) = loc()
            .captures(inner)
            .and_then(|c| c.get(1))
            .map(|m| xml_text(m.as_str()))
        else {
            continue;
        };
        let Some(abs) = resolve(base, Some(&href)) else {
            continue;
        };
        if let Some(t) = lastmod()
            .captures(inner)
            .and_then(|c| c.get(1))
            .and_then(|m| parse_date(&xml_text(m.as_str())))
        {
            lastmods.insert(abs.clone(), t);
        }
        let list = if is_index {
            &mut out.next
        } else {
            &mut out.details
        };
        if !list.contains(&abs) {
            list.push(abs);
        }
    }
    out.lastmod = lastmods;
    out.sitemap = true;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PageRole;
    use chrono::{TimeZone, Utc};

    fn page(body: &[u8]) -> Fetched {
        Fetched {
            source: "s".into(),
            url: "http://gov.test/sitemap.xml".into(),
            role: PageRole::Feed,
            status: 200,
            headers: vec![],
            body: body.to_vec(),
            fetched_at: Utc::now(),
            record_id: String::new(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn urlset_with_lastmod_entities_and_a_broken_tail() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://gov.test/cjjg/2026/0305.html</loc><lastmod>2026-03-05</lastmod></url>
  <url><loc> /cjjg/2026/0306.html?id=1&amp;p=2 </loc><lastmod>2026-03-06T09:30:00+08:00</lastmod></url>
  <url><loc><![CDATA[http://gov.test/zhgg/7.html]]></loc><lastmod>not a date</lastmod></url>
  <url><loc>ftp://gov.test/x</loc></url>
  <url><lastmod>2026-03-07</lastmod></url>
  <url><loc>http://gov.test/cjjg/2026/0305.html</loc></url>
  <url><loc>http://gov.test/trunc"#;
        let d = discover(
            &page(xml.as_bytes()),
            &Url::parse("http://gov.test/sitemap.xml").unwrap(),
        )
        .unwrap();
        assert_eq!(
            d.details,
            vec![
                "http://gov.test/cjjg/2026/0305.html",
                "http://gov.test/cjjg/2026/0306.html?id=1&p=2",
                "http://gov.test/zhgg/7.html",
            ]
        );
        assert!(d.next.is_empty());
        assert_eq!(d.lastmod.len(), 2);
        assert_eq!(
            d.lastmod["http://gov.test/cjjg/2026/0306.html?id=1&p=2"],
            Utc.with_ymd_and_hms(2026, 3, 6, 1, 30, 0).unwrap()
        );
    }

    #[test]
    fn index_gzip_and_garbage() {
        use std::io::Write;
        let xml = r#"<sitemapindex><sitemap><loc>/sm/notices-1.xml</loc><lastmod>2026-02-01</lastmod></sitemap>
<sitemap><loc>/sm/notices-2.xml.gz</loc></sitemap></sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(xml.as_bytes()).unwrap();
        let base = Url::parse("http://gov.test/sitemap.xml").unwrap();
        let d = discover(&page(&gz.finish().unwrap()), &base).unwrap();
        assert_eq!(
            d.next,
            vec![
                "http://gov.test/sm/notices-1.xml",
                "http://gov.test/sm/notices-2.xml.gz"
            ]
        );
        assert!(d.details.is_empty());
        assert_eq!(d.lastmod.len(), 1);
        let e = discover(&page("<html>不是站点地图</html>".as_bytes()), &base).unwrap_err();
        assert_eq!(e.reason(), "bad-sitemap");
        let e = discover(&page(&[0x1f, 0x8b, 0, 1, 2]), &base).unwrap_err();
        assert_eq!(e.reason(), "bad-sitemap");
    }

    #[test]
    fn entities() {
        assert_eq!(
            xml_text(" a&amp;b&#x4E2D;&#22269;&bogus;& "),
            "a&b中国&bogus;&"
        );
    }
}
