//! The demo's sources read back from an archive: `jiance reindex` and `jiance rerun` without a
//! config rebuild a demo data directory with the embedded demo sources, whose `{{placeholders}}`
//! take the origins the archived pages came from (the simulated sites ran on ports of their own).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::config::SourceConfig;
use crate::pipeline::reindex::open_archive;
use crate::pipeline::{DataDir, PipelineError};

use super::DEMO_SOURCES_TOML;

/// The embedded demo sources ([`DEMO_SOURCES_TOML`]) with each `{{placeholder}}`
/// filled with the origin (scheme://host:port) of the archived pages of a source that uses it. A
/// placeholder no archived source used gets an unreachable origin: nothing of it is archived.
pub fn sources_from_archive(archive_dir: &Path) -> Result<Vec<SourceConfig>, PipelineError> {
    let records = open_archive(archive_dir).map_err(|source| PipelineError::Io {
        path: archive_dir.display().to_string(),
        source,
    })?;
    let blocks = placeholder_blocks(DEMO_SOURCES_TOML);
    // Only a source's first record counts, so the scan stops once every source whose block has
    // a placeholder has one (the archive's first few hundred records, not all of it: reading a
    // whole 30 MB archive here took a tenth of a rerun).
    let mut wanted: Vec<&str> = blocks
        .iter()
        .filter(|(placeholders, _)| !placeholders.is_empty())
        .filter_map(|(_, name)| name.as_deref())
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut origins: HashMap<String, String> = HashMap::new();
    for f in records.flatten() {
        if origins.contains_key(&f.source) {
            continue;
        }
        if let Ok(u) = url::Url::parse(&f.url) {
            origins.insert(f.source.clone(), u.origin().ascii_serialization());
        }
        if wanted.iter().all(|n| origins.contains_key(*n)) {
            break;
        }
    }
    let base_urls = fill_placeholders(blocks, &origins);
    super::sources_for(&base_urls).map_err(PipelineError::Config)
}

/// The `[[source]]` blocks of a sources file: the placeholders each uses, and its `name`.
fn placeholder_blocks(toml_text: &str) -> Vec<(Vec<String>, Option<String>)> {
    // (placeholders, source name) per block, filled once the block's name is known.
    let mut blocks: Vec<(Vec<String>, Option<String>)> = Vec::new();
    for line in toml_text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line == "[[source]]" {
            blocks.push((Vec::new(), None));
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            continue;
        };
        if let Some(v) = line.strip_prefix("name") {
            let v = v.trim_start();
            if let Some(v) = v.strip_prefix('=') {
                block.1 = Some(v.trim().trim_matches('"').to_string());
            }
        }
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start + 2..].find("}}") else {
                break;
            };
            block
                .0
                .push(rest[start + 2..start + 2 + len].trim().to_string());
            rest = &rest[start + 2 + len + 2..];
        }
    }
    blocks
}

/// Placeholder name → origin: a placeholder in a block takes the origin archived for that
/// block's source `name`, or an unreachable one.
fn fill_placeholders(
    blocks: Vec<(Vec<String>, Option<String>)>,
    origins: &HashMap<String, String>,
) -> BTreeMap<String, String> {
    const UNARCHIVED: &str = "http://unarchived.invalid";
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (placeholders, name) in blocks {
        let origin = name.as_ref().and_then(|n| origins.get(n));
        for p in placeholders {
            match origin {
                Some(o) => {
                    out.insert(p, o.clone());
                }
                None => {
                    out.entry(p).or_insert_with(|| UNARCHIVED.to_string());
                }
            }
        }
    }
    out
}

/// Sources for a rebuild from an archive: those of `config` (a service config file), else the
/// demo sources.
pub fn sources_for_archive(
    data: &DataDir,
    config: Option<&Path>,
) -> Result<Vec<SourceConfig>, PipelineError> {
    match config {
        Some(path) => crate::config::Config::load(path)
            .map(|c| c.sources)
            .map_err(PipelineError::Config),
        None => sources_from_archive(&data.archive()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_placeholders_come_from_the_archived_origins() {
        let text = r#"
# {{commented}} is ignored
[[source]]
name = "demo-a"
start = ["{{site1}}/list?page=1", "{{site1}}/x"]

[[source]]
name = "demo-b"
start = ["{{site2}}/rss.xml"]
"#;
        let origins: HashMap<String, String> =
            [("demo-a".to_string(), "http://127.0.0.1:4100".to_string())].into();
        let map = fill_placeholders(placeholder_blocks(text), &origins);
        assert_eq!(
            map.get("site1").map(String::as_str),
            Some("http://127.0.0.1:4100")
        );
        assert_eq!(
            map.get("site2").map(String::as_str),
            Some("http://unarchived.invalid")
        );
        assert!(!map.contains_key("commented"));
        // The embedded demo sources parse once every placeholder is filled from an empty archive.
        let dir = tempfile::tempdir().unwrap();
        let sources = sources_from_archive(dir.path()).unwrap();
        assert!(sources.iter().any(|s| s.name == "demo-mall"));
    }
}
