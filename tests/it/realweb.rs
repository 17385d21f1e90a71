//! The real pages and feeds of `../shared/realweb` (issue 17; beside the checkout, or where
//! `JIANCE_REALWEB` says; README, *Test corpora*). Every file of
//! `charsets/` decodes to its expected encoding family (GB2312 ⊂ GBK ⊂ GB18030 is one family,
//! Big5 ⊂ CP950 ⊂ Big5-HKSCS another) without U+FFFD, a correct declaration is never overridden
//! and a wrong one is; every feed of `charsets/` and `feeds/` yields its entries. Nothing of these
//! files is copied into the repository: the test reads them where they are.

use std::path::{Path, PathBuf};

use jiance::config::parse_sources;
use jiance::model::{Fetched, PageRole};
use serde_json::Value;

/// The real-web corpus: `JIANCE_REALWEB`, else `../shared/realweb` beside the checkout. Missing,
/// every test of this file fails saying what the corpus is and where it is expected (README,
/// *Test corpora*); none skips.
fn realweb() -> PathBuf {
    let dir = std::env::var_os("JIANCE_REALWEB").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realweb"),
        PathBuf::from,
    );
    assert!(
        dir.join("MANIFEST.jsonl").is_file(),
        "{} (no MANIFEST.jsonl there): the real-web corpus — real Chinese web pages with the text \
         each should give, charset files, feeds, WARC files and e-commerce script data, listed in \
         MANIFEST.jsonl — is expected beside the checkout, in ../shared/realweb (README, Test \
         corpora); JIANCE_REALWEB names another copy",
        dir.display()
    );
    dir
}

/// The manifest's entries under `folder/`.
fn manifest(folder: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(realweb().join("MANIFEST.jsonl"))
        .expect("the real-web corpus's MANIFEST.jsonl is readable");
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| {
            v["file"]
                .as_str()
                .is_some_and(|f| f.starts_with(&format!("{folder}/")))
        })
        .collect()
}

fn fetched(url: &str, role: PageRole, body: Vec<u8>) -> Fetched {
    Fetched::page("realweb", url, role, body)
}

/// The encoding family a manifest's `expected_encoding` names.
fn family(expected: &str) -> &'static str {
    let e = expected.to_ascii_lowercase();
    if e.starts_with("gb") {
        "gb"
    } else if e.starts_with("big5") || e.starts_with("cp950") {
        "big5"
    } else if e.starts_with("utf-8") {
        "utf-8"
    } else if e.starts_with("euc-tw") {
        "euc-tw"
    } else {
        "other"
    }
}

fn family_of(enc: &encoding_rs::Encoding) -> &'static str {
    if enc == encoding_rs::GBK || enc == encoding_rs::GB18030 {
        "gb"
    } else if enc == encoding_rs::BIG5 {
        "big5"
    } else if enc == encoding_rs::UTF_8 {
        "utf-8"
    } else {
        "other"
    }
}

#[test]
fn every_charset_file_decodes_to_its_expected_encoding() {
    let entries = manifest("charsets");
    assert!(entries.len() >= 15, "{} charset files", entries.len());
    let mut failures = Vec::new();
    for e in &entries {
        let file = e["file"].as_str().unwrap();
        let body = std::fs::read(realweb().join(file)).unwrap();
        let want = family(e["expected_encoding"].as_str().unwrap_or(""));
        let (enc, how) = jiance::parse::charset::detect(&body, None);
        let text = jiance::parse::charset::decode_bytes(&body, None);
        let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
        let got = family_of(enc);
        eprintln!("{file}: {} via {how}, {bad} U+FFFD", enc.name());
        if want == "euc-tw" {
            // no decoder has EUC-TW: it must not pass for clean text of another encoding
            if bad == 0 && how != "implausible" {
                failures.push(format!("{file}: EUC-TW read as {} via {how}", enc.name()));
            }
            continue;
        }
        // a correct declaration is followed, a wrong one overridden (the manifest says which)
        let declared = e["declared_encoding"].as_str().unwrap_or("none");
        let declared_family = family(declared);
        let wrong = declared.contains("WRONG") && declared_family != want;
        if declared != "none" && !wrong && !["header", "xml-declaration", "meta"].contains(&how) {
            failures.push(format!(
                "{file}: correct declaration {declared:?} not followed ({how})"
            ));
        }
        if got != want || bad > 0 {
            failures.push(format!(
                "{file}: {} via {how} ({bad} U+FFFD), want {want}",
                enc.name()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const FEED_SOURCE: &str = r#"
[[source]]
name = "feed"
kind = "feed"
channel = "media"
start = ["http://feed.test/rss.xml"]
[source.detail]
title = "h1"
text = "p"
"#;

/// Every real feed, as served with no charset in its Content-Type, yields entries: RSS 0.90 /
/// 0.91 / 0.92 / 1.0 / 2.0 and Atom 0.3 / 1.0, in GB2312, GBK, GB18030, Big5 and CP950, declared
/// right, declared wrong or not declared, and the ISO-8859-1-declared UTF-8 feed with bare `&`.
#[test]
fn every_real_feed_yields_its_entries() {
    let sources = parse_sources(FEED_SOURCE, "feed.toml").unwrap();
    let mut entries: Vec<Value> = manifest("charsets")
        .into_iter()
        .filter(|e| e["feed_format"].is_string())
        .collect();
    entries.extend(manifest("feeds"));
    assert!(entries.len() >= 15, "{} feeds", entries.len());
    let mut failures = Vec::new();
    for e in &entries {
        let file = e["file"].as_str().unwrap();
        let body = std::fs::read(realweb().join(file)).unwrap();
        let f = fetched("http://feed.test/rss.xml", PageRole::Feed, body);
        // entries with a link, counted on the raw bytes (the markup is ASCII in every encoding
        // here): the reader must find links for them, and may find none only when there are none
        let raw = String::from_utf8_lossy(&f.body).to_ascii_lowercase();
        let linked = raw
            .split("<item")
            .skip(1)
            .chain(raw.split("<entry").skip(1))
            .filter(|block| {
                let end = block
                    .find("</item")
                    .or(block.find("</entry"))
                    .unwrap_or(block.len());
                block[..end].contains("<link")
            })
            .count();
        let want = family(e["expected_encoding"].as_str().unwrap_or(""));
        if ["gb", "big5"].contains(&want) {
            let (enc, how) = jiance::parse::charset::detect(&f.body, None);
            if family_of(enc) != want {
                failures.push(format!(
                    "{file}: read as {} via {how}, want {want}",
                    enc.name()
                ));
            }
        }
        match jiance::parse::discover(&f, &sources[0]) {
            Ok(d) => {
                eprintln!(
                    "{file}: {} links of {linked} linked entries",
                    d.details.len()
                );
                if d.details.is_empty() != (linked == 0) {
                    failures.push(format!(
                        "{file}: {} links, {linked} linked entries",
                        d.details.len()
                    ));
                }
            }
            Err(err) => failures.push(format!("{file}: {err}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Text of an HTML fragment or page, whitespace collapsed.
fn plain(html: &str) -> String {
    let doc = scraper::Html::parse_fragment(html);
    let text: Vec<String> = doc
        .root_element()
        .text()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect();
    text.join(" ")
}

/// Units of comparison: characters for languages written without spaces (Chinese, Japanese,
/// Thai, Burmese), words (lower-cased, punctuation trimmed) for the others.
fn units(text: &str, by_char: bool) -> Vec<String> {
    if by_char {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .map(String::from)
            .collect()
    } else {
        text.split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect()
    }
}

/// Bag-of-units F1 of `got` against `want`.
fn f1(got: &[String], want: &[String]) -> f64 {
    use std::collections::HashMap;
    if got.is_empty() || want.is_empty() {
        return 0.0;
    }
    let mut bag: HashMap<&str, i64> = HashMap::new();
    for u in want {
        *bag.entry(u.as_str()).or_default() += 1;
    }
    let mut common = 0i64;
    for u in got {
        if let Some(n) = bag.get_mut(u.as_str())
            && *n > 0
        {
            *n -= 1;
            common += 1;
        }
    }
    let p = common as f64 / got.len() as f64;
    let r = common as f64 / want.len() as f64;
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Generic extraction on every article page of `articles/` against its expected text: the
/// median F1 must reach 0.85 (issue 17). Per-page figures are printed.
#[test]
fn articles_are_extracted_without_selectors() {
    let pages: Vec<Value> = manifest("articles")
        .into_iter()
        .filter(|e| {
            e["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("/source.html"))
                && e["expected"].is_string()
        })
        .collect();
    assert!(pages.len() >= 30, "{} article pages", pages.len());
    let mut scores = Vec::new();
    let mut titles: Vec<bool> = Vec::new();
    for e in &pages {
        let file = e["file"].as_str().unwrap();
        let expected_file = e["expected"].as_str().unwrap();
        let body = std::fs::read(realweb().join(file)).unwrap();
        let html = jiance::parse::charset::decode_bytes(&body, None);
        let expected = std::fs::read_to_string(realweb().join(expected_file)).unwrap();
        let want_text = if expected_file.ends_with(".html") {
            plain(&expected)
        } else {
            expected.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let lang = e["lang"].as_str().unwrap_or("");
        let by_char = ["zh", "ja", "th", "my"].iter().any(|l| lang.starts_with(l));
        let article = jiance::parse::generic::article(&html, "http://realweb.test/page.html").ok();
        let meta = std::path::Path::new(file).with_file_name("expected-metadata.json");
        if let Ok(m) = std::fs::read_to_string(realweb().join(&meta))
            && let Some(want) = serde_json::from_str::<Value>(&m)
                .ok()
                .and_then(|v| v["title"].as_str().map(str::to_string))
        {
            let norm = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
            let (got, want) = (
                norm(article.as_ref().map_or("", |a| a.title.as_str())),
                norm(&want),
            );
            // Readability's oracle keeps the site's name, which the issue asks to remove
            let suffix_only = !got.is_empty() && want.starts_with(&got) && want.len() > got.len();
            titles.push(got == want || suffix_only);
            if got != want {
                eprintln!("title {got:?} want {want:?}");
            }
        }
        let got = article.map(|a| a.text).unwrap_or_default();
        let score = f1(&units(&got, by_char), &units(&want_text, by_char));
        eprintln!("{score:.3} {file}");
        scores.push((file.starts_with("articles/readability-"), score));
    }
    let stats = |readability: Option<bool>| {
        let mut s: Vec<f64> = scores
            .iter()
            .filter(|(r, _)| readability.is_none_or(|want| *r == want))
            .map(|(_, f)| *f)
            .collect();
        s.sort_by(f64::total_cmp);
        (s.len(), s[s.len() / 2], s[s.len() / 10])
    };
    let (n, median, p10) = stats(None);
    eprintln!("articles: {n} pages, median F1 {median:.3}, 10th percentile {p10:.3}");
    // Readability's own test pages measure agreement with Readability (whose port this is);
    // newspaper4k's expected texts are an independent oracle, and must reach the floor too.
    let (n4k, median4k, p10_4k) = stats(Some(false));
    eprintln!("newspaper4k: {n4k} pages, median F1 {median4k:.3}, 10th percentile {p10_4k:.3}");
    let right = titles.iter().filter(|t| **t).count();
    eprintln!(
        "titles: {right} of {} as expected (or without the site name the oracle keeps)",
        titles.len()
    );
    assert!(
        right * 10 >= titles.len() * 9,
        "{right} of {} titles",
        titles.len()
    );
    assert!(median >= 0.85, "median F1 {median:.3} < 0.85");
    // ahead of Readability (0.919) and trafilatura (0.913) on the independent pages, by the
    // boilerplate pass (benches/articles/compare.py prints all three)
    assert!(
        median4k >= 0.95,
        "newspaper4k median F1 {median4k:.3} < 0.95"
    );
}

/// The demo's third news portal crawled twice — by the demo's own `kind = "auto"` source (its
/// home page and nothing else: article links by shape, articles by generic extraction) and by a
/// hand-written twin (its RSS feed and CSS selectors for title, text and date) — reaches the
/// same articles with the same titles (issue 17).
#[test]
fn a_source_without_selectors_reaches_what_the_hand_written_one_does() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let end = jiance::model::china_day(chrono::Utc::now());
    let scenario = std::sync::Arc::new(jiance::demo::scenario(7, end));
    let sites = rt
        .block_on(jiance::demo::DemoSites::start(scenario))
        .unwrap();
    let news = sites.base_urls()["news3"].clone();
    let all = jiance::demo::sources_text(sites.base_urls());
    // the demo's own source, exactly as the demo declares it
    let start = all.find("name = \"demo-news-nanfang\"").unwrap();
    let block_start = all[..start].rfind("[[source]]").unwrap();
    let block_end = all[start..]
        .find("[[source]]")
        .map_or(all.len(), |e| start + e);
    let auto = all[block_start..block_end].to_string();
    assert!(auto.contains("kind = \"auto\""), "{auto}");
    assert!(!auto.contains("[source."), "{auto}");
    let hand = format!(
        "[[source]]\nname = \"nanfang-by-hand\"\nkind = \"feed\"\nchannel = \"media\"\n\
         start = [\"{news}/rss.xml\"]\npoliteness = {{ rps = 100.0, concurrency = 4 }}\n\
         [source.detail]\ntitle = \"h1.post-title\"\ntext = \"section.post-body p\"\n\
         published = \"time.pubdate\"\n"
    );
    let crawl = |sources: &str| -> Vec<(String, String, Option<String>, bool)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
        std::fs::write(
            dir.path().join("jiance.toml"),
            "data_dir = \"data\"\nsource_files = [\"sources.toml\"]\n[crawl]\nuser_agent = \"jiance-test\"\n",
        )
        .unwrap();
        let config = dir.path().join("jiance.toml");
        let out = crate::jiance(&["run", "--once", "--config", config.to_str().unwrap()]);
        assert!(out.status.success(), "{}", crate::text(&out.stderr));
        let store = jiance::store::Store::open(&dir.path().join("data/state.sqlite")).unwrap();
        let ids = store.document_ids().unwrap();
        let mut docs: Vec<_> = store
            .documents(&ids)
            .unwrap()
            .into_iter()
            .map(|d| {
                let day = d.published.map(|p| p.chars().take(10).collect());
                (d.url, d.title, day, d.is_signal)
            })
            .collect();
        docs.sort();
        docs
    };
    let by_hand = crawl(&hand);
    let by_auto = crawl(&auto);
    rt.block_on(sites.shutdown());
    eprintln!(
        "twin: {} documents by hand, {} by the one-line source",
        by_hand.len(),
        by_auto.len()
    );
    assert!(by_hand.len() >= 20, "{} documents by hand", by_hand.len());
    let urls = |d: &[(String, String, Option<String>, bool)]| {
        d.iter().map(|(u, ..)| u.clone()).collect::<Vec<_>>()
    };
    assert_eq!(urls(&by_auto), urls(&by_hand));
    for ((url, title, day, signal), (_, auto_title, auto_day, auto_signal)) in
        by_hand.iter().zip(&by_auto)
    {
        assert_eq!(auto_title, title, "{url}");
        assert_eq!(auto_day, day, "{url}: publication day");
        // the analysis of the generically read text comes to the same verdict
        assert_eq!(auto_signal, signal, "{url}: risk signal or not");
    }
}

/// A source block reading the fields the manifest names for one platform file: items and their
/// fields where the paths run through an array (`mods.itemlist.data.auctions[].raw_title`),
/// else fields of the page. Paths are rooted at the variable's name, as sources write them.
fn platform_source(entry: &Value, payload: bool) -> Option<(String, Vec<(String, String)>)> {
    let variable = entry["variable"]
        .as_str()?
        .split_whitespace()
        .next()?
        .to_string();
    let paths = entry["field_paths"].as_object()?;
    let usable: Vec<(String, String)> = paths
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .filter(|(_, p)| !p.contains('<') && !p.starts_with("DOM") && !p.starts_with("absent"))
        .collect();
    let rooted = |p: &str| {
        if payload || p.starts_with(&format!("{variable}.")) || p.starts_with('_') {
            p.to_string()
        } else {
            format!("{variable}.{p}")
        }
    };
    let (items, _) = usable
        .iter()
        .find_map(|(_, p)| p.split_once("[]."))?
        .to_owned();
    let block = if usable.iter().all(|(_, p)| p.contains("[].")) {
        let items = if payload {
            items.to_string()
        } else {
            rooted(items)
        };
        let mut fields = String::new();
        let mut names = Vec::new();
        for (k, p) in &usable {
            let leaf = p.split_once("[].").map_or(p.as_str(), |(_, l)| l);
            fields.push_str(&format!("{k} = \"{leaf}\"\n"));
            names.push((k.clone(), leaf.to_string()));
        }
        let kind = if payload { "json" } else { "html" };
        let table = if payload { "api" } else { "list.script" };
        (
            format!(
                "[[source]]\nname = \"p\"\nkind = \"{kind}\"\nchannel = \"platform\"\nstart = [\"http://shop.test/\"]\n[source.{table}]\nitems = \"{items}\"\n[source.{table}.fields]\n{fields}"
            ),
            names,
        )
    } else {
        return None;
    };
    Some(block)
}

/// Every e-commerce page of `../shared/realweb/platform` gives the script data its oracle holds
/// (issue 18): listing items from `g_page_config` (rendered and as served) and its bare 2014
/// payload, product fields from a JavaScript object literal (`pageConfig`, in UTF-8 and in GBK)
/// and from two assignments in one script (`_DATA_Detail`, `_DATA_Mdskip`), and a JSONP payload.
#[test]
fn every_platform_page_yields_its_script_data() {
    let entries = manifest("platform");
    let mut checked = 0;
    let mut compared = 0;
    for e in &entries {
        let Some(file) = e["file"].as_str() else {
            continue;
        };
        if e["variable"].is_null() {
            continue;
        }
        let body = std::fs::read(realweb().join(file)).unwrap();
        let expected: Option<Value> = e["expected"].as_str().map(|x| {
            serde_json::from_str(&std::fs::read_to_string(realweb().join(x)).unwrap()).unwrap()
        });
        let payload = e["variable"].as_str().unwrap().contains("payload only");
        if let (Some((block, names)), Some(want)) = (platform_source(e, payload), &expected) {
            // a listing: every item a document, the first ones as the oracle has them
            let sources =
                parse_sources(&block, "platform.toml").unwrap_or_else(|e| panic!("{e:?}"));
            let role = if payload {
                PageRole::Api
            } else {
                PageRole::List
            };
            let docs =
                jiance::parse::parse(&fetched("http://shop.test/s", role, body), &sources[0])
                    .unwrap_or_else(|err| panic!("{file}: {err}"));
            assert_eq!(
                docs.len() as u64,
                want["item_count"].as_u64().unwrap(),
                "{file}: items"
            );
            for (doc, item) in docs.iter().zip(want["first_items"].as_array().unwrap()) {
                for (name, leaf) in &names {
                    let got = if name == "title" {
                        Some(doc.title.as_str())
                    } else {
                        doc.fields.get(name).map(String::as_str)
                    };
                    assert_eq!(got, item[leaf].as_str(), "{file}: {name}");
                    compared += 1;
                }
            }
            checked += 1;
            continue;
        }
        // a product page: its paths as a detail block's script table
        let paths = e["field_paths"].as_object();
        let text = jiance::parse::decode(&fetched(
            "http://shop.test/i",
            PageRole::Detail,
            body.clone(),
        ));
        let data = jiance::parse::script::page_data(&text);
        let Some(paths) = paths else {
            // the JDs' GBK twin has no paths of its own: the same as its UTF-8 copy
            let twin = entries
                .iter()
                .find(|o| o["expected"] == e["expected"] && o["field_paths"].is_object())
                .expect("a twin with field paths");
            let want = expected.as_ref().unwrap();
            let path = twin["field_paths"]["title"].as_str().unwrap();
            let got = path
                .split('.')
                .try_fold(&data, |v, k| v.get(k))
                .and_then(Value::as_str);
            assert_eq!(got, want["product.name"].as_str(), "{file}");
            checked += 1;
            continue;
        };
        // paths as the manifest writes them, rooted at the variable (or JSONP callback) name
        let variable: String = e["variable"]
            .as_str()
            .unwrap()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        let mut script = String::new();
        for (k, p) in paths {
            let Some(p) = p.as_str() else { continue };
            if p.contains('<') || p.starts_with("DOM") || p.starts_with("absent") {
                continue;
            }
            let p = if p.starts_with(&format!("{variable}.")) || p.starts_with('_') {
                p.to_string()
            } else {
                format!("{variable}.{p}")
            };
            script.push_str(&format!("{k} = \"{p}\"\n"));
        }
        let Some(want) = &expected else {
            // JSONP without an oracle file: every usable path leads to a value
            assert!(!script.is_empty(), "{file}: no usable path");
            for line in script.lines() {
                let p = line.split('"').nth(1).unwrap();
                let v = p.split('.').try_fold(&data, |v, k| v.get(k));
                assert!(v.is_some_and(|v| !v.is_null()), "{file}: nothing at {p}");
            }
            checked += 1;
            continue;
        };
        let shop_css = paths
            .get("shop")
            .and_then(Value::as_str)
            .and_then(|p| p.strip_prefix("DOM "))
            .map(|css| css.replace('"', "'"));
        let mut block = format!(
            "[[source]]\nname = \"p\"\nkind = \"html\"\nchannel = \"platform\"\nstart = [\"http://shop.test/\"]\n[source.detail.script]\n{script}"
        );
        if let Some(css) = &shop_css {
            block.push_str(&format!("[source.detail.fields]\nshop = \"{css}\"\n"));
        }
        let sources =
            parse_sources(&block, "platform.toml").unwrap_or_else(|e| panic!("{e:?}\n{block}"));
        let page = fetched("http://shop.test/i", PageRole::Detail, body);
        let doc = jiance::parse::parse(&page, &sources[0])
            .unwrap_or_else(|err| panic!("{file}: {err}"))
            .remove(0);
        for (k, _) in paths {
            let want_v = want
                .get(k)
                .or_else(|| {
                    // the oracle names a field by its path under the variable ("product.name")
                    let p = paths[k].as_str()?;
                    want.get(p.split_once('.')?.1)
                })
                .or_else(|| (k == "shop").then(|| &want["shop_name_from_dom"]));
            let Some(want_v) = want_v.filter(|v| !v.is_null()) else {
                continue;
            };
            let want_s = match want_v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let got = if k == "title" {
                Some(doc.title.clone())
            } else {
                doc.fields.get(k).cloned()
            };
            assert_eq!(got.as_deref(), Some(want_s.as_str()), "{file}: {k}");
            compared += 1;
        }
        checked += 1;
    }
    eprintln!("platform: {checked} files read, {compared} values as the oracle has them");
    assert!(checked >= 7, "{checked} platform files checked");
}
