//! Feeds as the real web writes them: RSS 0.90–2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0, JSON Feed.
//! The text is decoded by our charset rules first ([`super::charset::feed_text`]) and handed to
//! feed-rs as UTF-8. When feed-rs refuses it or finds no entry links, two repairs follow, each
//! reported by reason so the crawler counts it: entities (a bare `&`, an HTML entity XML does
//! not declare) are escaped and the feed parsed again; then a tolerant scan reads the links of
//! `<item>` / `<entry>` elements whatever their namespace or well-formedness (RSS 0.90 under
//! Netscape's namespace and Atom 0.3 are outside what feed-rs maps to entries).

use std::sync::OnceLock;

use regex::Regex;

/// Entry links of a feed's text, and the repairs it needed (`feed-entities`, `feed-loose-scan`).
/// `Err` carries feed-rs's message when nothing could be read.
pub(super) fn entry_links(text: &str) -> Result<(Vec<String>, Vec<&'static str>), String> {
    let mut repairs = Vec::new();
    let first = strict(text);
    if let Ok(links) = &first
        && !links.is_empty()
    {
        return Ok((links.clone(), repairs));
    }
    if let Some(fixed) = escape_entities(text)
        && let Ok(links) = strict(&fixed)
        && !links.is_empty()
    {
        repairs.push("feed-entities");
        return Ok((links, repairs));
    }
    let loose = loose_links(text);
    if !loose.is_empty() || (first.is_err() && looks_like_a_feed(text)) {
        // a feed whose entries carry no links (or that has none) still read as a feed
        repairs.push("feed-loose-scan");
        return Ok((loose, repairs));
    }
    // a well-formed feed without entries is an empty feed, not an error
    first.map(|links| (links, repairs))
}

/// A feed's root element (`<rss`, `<feed`, `<rdf:RDF`) comes before any other and is closed
/// (a cut-off download is no feed).
fn looks_like_a_feed(text: &str) -> bool {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?is)^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*<(rss|feed|rdf:rdf)[\s>].*</(rss|feed|rdf:rdf)\s*>\s*$").ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(text))
}

/// feed-rs's reading: the first link of each entry (JSON Feed too).
fn strict(text: &str) -> Result<Vec<String>, String> {
    // feed-rs may panic on input nobody has found yet (quick-xml did on a padded declaration,
    // now removed before it): such a text is unreadable, and the parse stage goes on
    let parsed = std::panic::catch_unwind(|| feed_rs::parser::parse(text.as_bytes()))
        .map_err(|_| "the XML parser gave up on malformed input".to_string())?;
    let feed = parsed.map_err(|e| e.to_string())?;
    Ok(feed
        .entries
        .iter()
        .filter_map(|e| e.links.first().map(|l| l.href.trim().to_string()))
        .filter(|l| !l.is_empty())
        .collect())
}

/// HTML entities a feed may carry without declaring them, as characters (also the list the fuzz
/// properties read a feed's links back with).
pub(crate) const HTML_ENTITIES: &[(&str, char)] = &[
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("middot", '·'),
    ("times", '×'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
    ("bull", '•'),
    ("deg", '°'),
    ("yen", '¥'),
];

/// The text with every bare `&` escaped and every undeclared HTML entity written as a character
/// reference; `None` when there was nothing to repair.
fn escape_entities(text: &str) -> Option<String> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    let re = RE
        .get_or_init(|| {
            Regex::new(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)?").ok()
        })
        .as_ref()?;
    let mut changed = false;
    let out = re.replace_all(text, |c: &regex::Captures| {
        let Some(entity) = c.get(1).map(|m| m.as_str()) else {
            changed = true;
            return "&amp;".to_string();
        };
        let name = &entity[..entity.len() - 1];
        if entity.starts_with('#') || ["amp", "lt", "gt", "quot", "apos"].contains(&name) {
            return format!("&{entity}");
        }
        changed = true;
        match HTML_ENTITIES.iter().find(|(n, _)| *n == name) {
            Some((_, ch)) => format!("&#{};", u32::from(*ch)),
            None => format!("&amp;{entity}"),
        }
    });
    changed.then(|| out.into_owned())
}

/// Links of `<item>` / `<entry>` elements found by pattern, tolerant of namespaces and of
/// anything that is not well-formed: `<link href="…">` (alternate or no `rel`), else the text of
/// `<link>`, else a `<guid>` that is a URL.
fn loose_links(text: &str) -> Vec<String> {
    static RES: OnceLock<Option<[Regex; 4]>> = OnceLock::new();
    let Some([entry, href, link_text, guid]) = RES
        .get_or_init(|| {
            Some([
                Regex::new(r"(?is)<(?:[a-z0-9]+:)?(item|entry)[\s>].*?</(?:[a-z0-9]+:)?(?:item|entry)\s*>").ok()?,
                Regex::new(r#"(?is)<(?:[a-z0-9]+:)?link\b([^>]*?)href\s*=\s*["']([^"']+)["']([^>]*)>"#).ok()?,
                Regex::new(r"(?is)<(?:[a-z0-9]+:)?link\s*>\s*(?:<!\[CDATA\[)?\s*([^<\]]+?)\s*(?:\]\]>)?\s*</").ok()?,
                Regex::new(r"(?is)<guid[^>]*>\s*(?:<!\[CDATA\[)?\s*(https?://[^<\]\s]+)").ok()?,
            ])
        })
        .as_ref()
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for m in entry.find_iter(text) {
        let block = m.as_str();
        let by_href = href.captures_iter(block).find_map(|c| {
            let attrs = format!("{} {}", &c[1], &c[3]).to_ascii_lowercase();
            let rel_ok = !attrs.contains("rel=") || attrs.contains("alternate");
            rel_ok.then(|| c[2].to_string())
        });
        let link = by_href
            .or_else(|| link_text.captures(block).map(|c| c[1].to_string()))
            .or_else(|| guid.captures(block).map(|c| c[1].to_string()));
        if let Some(l) = link {
            out.push(unescape(l.trim()));
        }
    }
    out
}

/// A link as written in XML, its references resolved: the five XML entities, numeric
/// character references and the HTML entities of [`HTML_ENTITIES`] (read the way the repair of
/// [`escape_entities`] makes feed-rs read them); anything else stays as written. Only `&amp;`
/// was resolved before, so `&#38;` or `&nbsp;` stayed in the URL (the fuzzer's property that a
/// feed's entries are its links found it).
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let resolved = rest.find(';').filter(|&e| e <= 33).and_then(|e| {
            let name = &rest[1..e];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    if let Some(num) = name.strip_prefix('#') {
                        match num.strip_prefix(['x', 'X']) {
                            Some(hex) => u32::from_str_radix(hex, 16).ok(),
                            None => num.parse().ok(),
                        }
                        .and_then(char::from_u32)
                    } else {
                        HTML_ENTITIES
                            .iter()
                            .find(|(n, _)| *n == name)
                            .map(|(_, c)| *c)
                    }
                }
            };
            ch.map(|c| (c, e))
        });
        match resolved {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_ampersand_and_html_entities_are_repaired_and_counted() {
        let rss = "<rss version=\"2.0\"><channel><title>t</title><item><title>A&nbsp;B</title>\
                   <link>http://x.test/a?p=1&q=2</link></item></channel></rss>";
        assert!(strict(rss).is_err(), "feed-rs refuses it as it is");
        let (links, repairs) = entry_links(rss).unwrap();
        assert_eq!(links, ["http://x.test/a?p=1&q=2"]);
        assert_eq!(repairs, ["feed-entities"]);
        // declared entities and character references are left alone
        assert_eq!(escape_entities("a &amp; b &#39; &#x4e2d;"), None);
        assert_eq!(
            escape_entities("&foo; & &copy;").as_deref(),
            Some("&amp;foo; &amp; &#169;")
        );
    }

    #[test]
    fn the_tolerant_scan_resolves_references_in_links() {
        // not well-formed (the item is cut), so only the tolerant scan reads it
        let rss = "<rss version=\"2.0\"><channel><item><link>http://x.test/a?p=1&#38;q=2&amp;r=&nbsp;&bogus;</link></item>";
        assert_eq!(
            loose_links(rss),
            ["http://x.test/a?p=1&q=2&r=\u{a0}&bogus;"]
        );
    }

    #[test]
    fn atom_0_3_and_netscape_rss_0_90_are_read_by_the_tolerant_scan() {
        let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>t</title>
            <entry><title>e</title><link rel="service.edit" href="http://x.test/edit/1"/>
            <link rel="alternate" type="text/html" href="http://x.test/a/1.html"/></entry></feed>"#;
        let (links, repairs) = entry_links(atom03).unwrap();
        assert_eq!(links, ["http://x.test/a/1.html"]);
        assert_eq!(repairs, ["feed-loose-scan"]);
        let rss090 = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
            <channel><title>t</title><link>http://x.test/</link></channel>
            <item><title>新闻</title><link>http://x.test/n?id=2</link></item></rdf:RDF>"#;
        let (links, _) = entry_links(rss090).unwrap();
        assert_eq!(links, ["http://x.test/n?id=2"]);
    }

    #[test]
    fn a_well_formed_feed_needs_no_repair_and_an_empty_one_is_empty() {
        let rss = "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title>\
                   <link>http://x.test/1</link></item></channel></rss>";
        assert_eq!(
            entry_links(rss).unwrap(),
            (vec!["http://x.test/1".to_string()], vec![])
        );
        let empty = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
        assert_eq!(entry_links(empty).unwrap().0, Vec::<String>::new());
        assert!(entry_links("<html><body>not a feed").is_err());
        assert!(entry_links("<rss><channel><item><title>cut off").is_err());
        // a feed whose only item has no link (and that feed-rs refuses) is read as an empty feed
        let linkless =
            "<!-- a comment -->\n<rss>\n<channel>\n<item><title>t</title></item></channel></rss>";
        assert_eq!(
            entry_links(linkless).unwrap(),
            (vec![], vec!["feed-loose-scan"])
        );
    }
}
