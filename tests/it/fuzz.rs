//! CI's smoke of the fuzz targets (issue 16): each entry of `jiance::fuzz` — charset detection,
//! HTML / feed / JSON API parsing, the WARC reader, the signal-table reader, the search query
//! parser and the analyzer, the same functions the cargo-fuzz targets in `fuzz/` call — runs on
//! its committed seeds (`fuzz/seeds/<target>/`) and then on random byte mutations of them (flips,
//! cuts, repeats, splices, NULs, invalid UTF-8, huge numbers) from a fixed seed. An entry panics
//! when an input breaks an invariant; errors are fine. Besides surviving, the entries assert
//! properties (issue 45): WARC pages read, written again and read back are the same; a feed's
//! entries are links the feed holds; a UTF-8 page is read as UTF-8; a text and the same text with
//! other whitespace get the same categories. The last two tests show the properties apply to the
//! seeds and that each fails when what it checks breaks. `JIANCE_FUZZ_ITERS` sets the rounds per
//! target and `JIANCE_FUZZ_SEED` the sequence (`tests/soak/fuzz.sh` runs long with fresh seeds);
//! coverage-guided runs are `fuzz/run.sh` (cargo-fuzz, nightly).

use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn iters() -> usize {
    std::env::var("JIANCE_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn seed() -> u64 {
    std::env::var("JIANCE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

/// One random mutation of `input`.
fn mutate(rng: &mut StdRng, input: &[u8], seeds: &[&[u8]]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = v.len().max(1);
        match rng.random_range(0..9) {
            0 if !v.is_empty() => {
                let i = rng.random_range(0..v.len());
                v[i] ^= 1 << rng.random_range(0..8);
            }
            1 => v.truncate(rng.random_range(0..len)),
            2 if !v.is_empty() => {
                let a = rng.random_range(0..v.len());
                let b = (a + rng.random_range(1..64)).min(v.len());
                let chunk = v[a..b].to_vec();
                for _ in 0..rng.random_range(1..50) {
                    v.splice(a..a, chunk.iter().copied());
                }
            }
            3 => {
                let other = seeds[rng.random_range(0..seeds.len())];
                let at = rng.random_range(0..=v.len());
                let from = rng.random_range(0..other.len().max(1));
                v.splice(at..at, other[from.min(other.len())..].iter().copied());
            }
            4 => {
                let at = rng.random_range(0..=v.len());
                v.splice(at..at, std::iter::repeat_n(0u8, rng.random_range(1..200)));
            }
            5 => {
                let at = rng.random_range(0..=v.len());
                let bad: &[u8] = [&b"\xff\xfe"[..], b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80"]
                    [rng.random_range(0..4)];
                v.splice(at..at, bad.iter().copied());
            }
            6 => {
                let at = rng.random_range(0..=v.len());
                let word: &[u8] = [
                    &b"99999999999999999999"[..],
                    b"-1",
                    b"<![CDATA[",
                    b"]]>",
                    b"\"",
                    b"{",
                    b"[[",
                    b"\r\n\r\n",
                    b"WARC/1.0\r\n",
                    b"\x1f\x8b\x08",
                    "不合格召回起火".as_bytes(),
                ][rng.random_range(0..11)];
                v.splice(at..at, word.iter().copied());
            }
            7 if v.len() > 1 => {
                let a = rng.random_range(0..v.len());
                let b = rng.random_range(a..v.len());
                v.drain(a..b);
            }
            _ => v.reverse(),
        }
    }
    v
}

/// The committed seeds of `target`, in name order.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{} holds no seed", dir.display());
    out
}

/// Runs `target` on its seeds, then on `iters()` mutations of them.
fn smoke(target: &str) {
    let entry = jiance::fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no fuzz entry named {target}"));
    let seeds = seeds(target);
    for (name, bytes) in &seeds {
        // a panic here names the seed file
        eprintln!("{target}: seed {name}");
        entry(bytes);
    }
    let refs: Vec<&[u8]> = seeds.iter().map(|(_, b)| b.as_slice()).collect();
    let mut rng = StdRng::seed_from_u64(seed());
    for _ in 0..iters() {
        let base = refs[rng.random_range(0..refs.len())];
        entry(&mutate(&mut rng, base, &refs));
    }
}

#[test]
fn fuzz_charset() {
    smoke("charset");
}

#[test]
fn fuzz_html() {
    smoke("html");
}

#[test]
fn fuzz_feed() {
    smoke("feed");
}

#[test]
fn fuzz_json_api() {
    smoke("json_api");
}

#[test]
fn fuzz_warc() {
    smoke("warc");
}

#[test]
fn fuzz_signals() {
    smoke("signals");
}

#[test]
fn fuzz_query() {
    smoke("query");
}

#[test]
fn fuzz_analyze() {
    smoke("analyze");
}

/// Every entry has its cargo-fuzz target and seeds, and every target calls an entry, so the
/// fuzzer and this smoke cannot drift apart.
#[test]
fn fuzz_targets_match_the_entries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut bins: Vec<String> = std::fs::read_dir(root.join("fuzz_targets"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            p.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    bins.sort();
    let mut entries: Vec<String> = jiance::fuzz::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    entries.sort();
    assert_eq!(bins, entries);
    for name in &entries {
        let file = std::fs::read_to_string(root.join(format!("fuzz_targets/{name}.rs"))).unwrap();
        assert!(
            file.contains(&format!("jiance::fuzz::{name}(")),
            "{name}.rs"
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} in Cargo.toml"
        );
        assert!(root.join("seeds").join(name).is_dir(), "seeds/{name}");
    }
}

/// The properties the entries assert beyond survival (issue 45) hold on real inputs, not only
/// vacuously: each seed of its target that the property applies to is counted, and there must
/// be some. (The mutation smoke above runs the same assertions on every mutation.)
#[test]
fn the_properties_apply_to_the_seeds() {
    let pages: usize = seeds("warc")
        .iter()
        .map(|(_, bytes)| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("seed.warc.gz");
            std::fs::write(&path, bytes).unwrap();
            let read: Vec<jiance::model::Fetched> = jiance::crawl::archive::read_file(&path)
                .unwrap()
                .filter_map(Result::ok)
                .collect();
            jiance::fuzz::warc_round_trip(&read)
        })
        .sum();
    assert!(pages >= 2, "WARC pages written again and compared: {pages}");
    let entries: usize = seeds("feed")
        .iter()
        .map(|(_, b)| jiance::fuzz::feed_entries_are_links(b))
        .sum();
    assert!(entries >= 5, "feed entries checked: {entries}");
    let utf8 = seeds("charset")
        .iter()
        .filter(|(_, b)| {
            let body = &b[1..];
            let text = jiance::parse::charset::decode_bytes(body, None);
            jiance::fuzz::utf8_stays_utf8(body, &text)
        })
        .count();
    assert!(utf8 >= 2, "UTF-8 seeds checked: {utf8}");
}

/// Each property fails when what it checks breaks: a page changed on its way through the
/// archive, a feed entry that is no link of the feed, a UTF-8 page read as GBK, a text whose
/// categories change with its whitespace.
#[test]
fn each_property_fails_when_broken() {
    use std::panic::catch_unwind;
    let page = jiance::model::Fetched::page(
        "s",
        "http://127.0.0.1:9/a.html",
        jiance::model::PageRole::Detail,
        b"<p>x</p>".to_vec(),
    );
    let mut changed = page.clone();
    changed.headers.push(("x-added".into(), "1".into()));
    jiance::fuzz::same_pages(std::slice::from_ref(&page), std::slice::from_ref(&page));
    assert!(
        catch_unwind(|| jiance::fuzz::same_pages(std::slice::from_ref(&page), &[changed])).is_err()
    );
    assert!(catch_unwind(|| jiance::fuzz::same_pages(std::slice::from_ref(&page), &[])).is_err());

    let links: std::collections::HashSet<String> =
        ["http://127.0.0.1:9/a".to_string()].into_iter().collect();
    jiance::fuzz::entries_within_links(&["http://127.0.0.1:9/a".into()], &links);
    assert!(
        catch_unwind(|| jiance::fuzz::entries_within_links(
            &["http://127.0.0.1:9/a&amp;b".into()],
            &links
        ))
        .is_err()
    );

    let body = "<p>电动自行车充电起火</p>".as_bytes();
    assert!(jiance::fuzz::utf8_stays_utf8(
        body,
        "<p>电动自行车充电起火</p>"
    ));
    let as_gbk = jiance::parse::charset::decode_as(body, encoding_rs::GBK);
    assert!(catch_unwind(|| jiance::fuzz::utf8_stays_utf8(body, &as_gbk)).is_err());

    let analyzer = jiance::analyze::Analyzer::load(None, None).unwrap();
    let doc = |text: &str| {
        jiance::model::Document::of_text("d", "s", jiance::model::Channel::Media, "", text)
    };
    let mut clusters = jiance::analyze::ClusterIndex::new();
    let text = "某品牌电动自行车 充电时起火。\n消费者已投诉。";
    let a = analyzer.analyze(&doc(text), &mut clusters);
    for how in 0..3 {
        let b = analyzer.analyze(
            &doc(&jiance::fuzz::rewhitespace(text, how)),
            &mut jiance::analyze::ClusterIndex::new(),
        );
        jiance::fuzz::same_categories(&a, &b);
    }
    assert!(!a.categories.is_empty(), "{:?}", a.categories);
    let other = analyzer.analyze(
        &doc("某品牌儿童玩具小零件脱落，存在窒息风险。"),
        &mut jiance::analyze::ClusterIndex::new(),
    );
    assert!(catch_unwind(|| jiance::fuzz::same_categories(&a, &other)).is_err());
}
