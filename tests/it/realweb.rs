//! The real pages and feeds of `../shared/realweb` (issue 17; CI has `../shared`). Every file of
//! `charsets/` decodes to its expected encoding family (GB2312 ⊂ GBK ⊂ GB18030 is one family,
//! Big5 ⊂ CP950 ⊂ Big5-HKSCS another) without U+FFFD, a correct declaration is never overridden
//! and a wrong one is; every feed of `charsets/` and `feeds/` yields its entries. Nothing of these
//! files is copied into the repository: the test reads them where they are.

use std::path::{Path, PathBuf};

use chrono::Utc;
use jiance::config::parse_sources;
use jiance::model::{Fetched, PageRole};
use serde_json::Value;

fn realweb() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realweb")
}

/// The manifest's entries under `folder/`.
fn manifest(folder: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(realweb().join("MANIFEST.jsonl"))
        .expect("../shared/realweb/MANIFEST.jsonl is readable");
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
    Fetched {
        source: "realweb".into(),
        url: url.into(),
        role,
        status: 200,
        headers: Vec::new(),
        body,
        fetched_at: Utc::now(),
        record_id: String::new(),
    }
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
