//! The source pack in `deploy/sources/` (issue 18, part 5): every file passes what `jiance check`
//! runs on it, the service config lists every file, and the pack covers the five channels with at
//! least 25 sources — counted from the files, not from a list kept here. Each source's default
//! region reaches its documents' findings (`jiance check` cannot see that: it reads no
//! gazetteer for sources).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::Utc;
use jiance::analyze::ClusterIndex;
use jiance::config::{Config, SourceConfig, load_source_file};
use jiance::model::{Channel, DocKind, Document};

use crate::{jiance, text};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn source_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy().join("sources"))
        .expect("deploy/sources/ is readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn pack() -> Vec<SourceConfig> {
    source_files()
        .iter()
        .flat_map(|f| load_source_file(f).unwrap_or_else(|e| panic!("{}: {e:?}", f.display())))
        .collect()
}

#[test]
fn every_source_file_passes_jiance_check() {
    let files = source_files();
    assert!(!files.is_empty());
    for f in &files {
        let out = jiance(&["check", &f.display().to_string()]);
        assert!(
            out.status.success(),
            "jiance check {}:\n{}{}",
            f.display(),
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    // the service config lists every file of the pack (and so loads every source)
    let cfg = Config::load(&deploy().join("jiance.toml"))
        .unwrap_or_else(|e| panic!("deploy/jiance.toml: {e:?}"));
    let in_config: BTreeSet<&str> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    let in_files: Vec<SourceConfig> = pack();
    for s in &in_files {
        assert!(
            in_config.contains(s.name.as_str()),
            "source {} is in deploy/sources/ but deploy/jiance.toml does not list its file",
            s.name
        );
    }
}

#[test]
fn the_pack_covers_five_channels_with_at_least_25_sites() {
    let sources = pack();
    let mut names = BTreeSet::new();
    for s in &sources {
        assert!(
            names.insert(s.name.clone()),
            "duplicate source name {}",
            s.name
        );
    }
    assert!(sources.len() >= 25, "only {} sources", sources.len());
    let mut per_channel: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &sources {
        *per_channel.entry(s.channel.as_str()).or_default() += 1;
    }
    for c in Channel::ALL {
        assert!(
            per_channel.get(c.as_str()).is_some_and(|n| *n > 0),
            "no source of channel {} ({per_channel:?})",
            c.as_str()
        );
    }
    // at least ten provincial regulators: regulator sources placed in a province
    let provincial: BTreeSet<&str> = sources
        .iter()
        .filter(|s| s.channel == Channel::Regulator && s.doc_kind != Some(DocKind::Inspection))
        .filter_map(|s| s.region.as_deref())
        .filter(|r| !r.starts_with("境外"))
        .collect();
    assert!(
        provincial.len() >= 10,
        "provincial regulators: {provincial:?}"
    );
    // distinct sites, not one site many times
    let sites: BTreeSet<String> = sources.iter().map(|s| s.publisher()).collect();
    assert!(sites.len() >= 25, "{} distinct publishers", sites.len());
    // every block says in a comment what it yields: a comment right above each [[source]]
    for f in source_files() {
        let body = std::fs::read_to_string(&f).unwrap_or_default();
        let lines: Vec<&str> = body.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.trim() == "[[source]]" {
                assert!(
                    i > 0 && lines[i - 1].trim_start().starts_with('#'),
                    "{}:{}: a [[source]] without a comment above it",
                    f.display(),
                    i + 1
                );
            }
        }
    }
}

#[test]
fn each_source_region_places_its_documents() {
    let an = crate::eval::analyzer();
    let mut checked = 0;
    for s in pack() {
        let Some(region) = s.region.clone() else {
            continue;
        };
        // a recall that names no place: only the source's region can place it
        let d = Document {
            id: jiance::model::doc_id(&s.name),
            source: s.name.clone(),
            channel: s.channel,
            kind: Some(DocKind::Recall),
            url: String::new(),
            title: "召回部分电动自行车".into(),
            text: "该批电动自行车的电池可能起火，企业决定召回。".into(),
            published_at: None,
            fetched_at: Utc::now(),
            fields: BTreeMap::new(),
            rows: Vec::new(),
            region_hint: Some(region.clone()),
            weight: 1.0,
        };
        let x = an.analyze(&d, &mut ClusterIndex::new());
        let places: Vec<Option<&str>> = x.findings.iter().map(|f| f.province.as_deref()).collect();
        assert!(
            !places.is_empty() && places.iter().all(|p| *p == Some(region.as_str())),
            "source {} region {region}: findings placed at {places:?}",
            s.name
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} sources have a region");
}
