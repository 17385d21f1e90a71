//! `jiance check`: validate config, source and rule files with file:line errors, and run every
//! rule example. Exits non-zero when anything is wrong.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use jiance::config::{Config, ConfigError, load_source_file, parse_sources};
use jiance::pipeline::RuleDirs;
use jiance::score::ScoringRules;

const RULE_FILES: &[&str] = &[
    "products.toml",
    "hazards.toml",
    "cues.toml",
    "scoring.toml",
    "market.toml",
    "standards.toml",
    "compliance.toml",
    "calendar.toml",
    "review.toml",
    "jurisdictions.toml",
    "warnings.toml",
    "parties.toml",
];

/// A rule file by its name, unless it holds `[[source]]` tables: a source file may share a rule
/// file's name (deploy/sources/standards.toml lists standards bodies; rules/standards.toml is the
/// table of product standards).
fn is_rule_file(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| RULE_FILES.contains(&n));
    named
        && !std::fs::read_to_string(path)
            .is_ok_and(|text| text.lines().any(|l| l.trim() == "[[source]]"))
}

pub fn run(paths: &[PathBuf], dirs: &RuleDirs) -> Result<ExitCode> {
    let mut errors: Vec<ConfigError> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    let mut rule_sets: Vec<RuleDirs> = Vec::new();

    if paths.is_empty() {
        rule_sets.push(dirs.clone());
        // The built-in demo sources, with their address placeholders filled in.
        let text = placeholder_free(jiance::demo::DEMO_SOURCES_TOML);
        match parse_sources(&text, "rules/sources/demo.toml (built in)") {
            Ok(s) => checked.push(format!("built-in demo sources ({} sources)", s.len())),
            Err(e) => errors.extend(e),
        }
    }
    for path in paths {
        if path.is_dir() {
            if RULE_FILES.iter().any(|f| path.join(f).exists()) {
                rule_sets.push(RuleDirs {
                    rules: Some(path.clone()),
                    dictionaries: dirs.dictionaries.clone(),
                });
            }
            let sources = path.join("sources");
            let listing = if sources.is_dir() {
                sources
            } else {
                path.clone()
            };
            for file in toml_files(&listing) {
                if is_rule_file(&file) {
                    continue;
                }
                check_file(&file, dirs, &mut errors, &mut checked, &mut rule_sets);
            }
        } else {
            check_file(path, dirs, &mut errors, &mut checked, &mut rule_sets);
        }
    }
    for set in &rule_sets {
        let label = set
            .rules
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "built-in rules".into());
        let before = errors.len();
        errors.extend(jiance::analyze::check(
            set.rules.as_deref(),
            set.dictionaries.as_deref(),
        ));
        if let Err(e) = ScoringRules::load(set.rules.as_deref()) {
            errors.extend(e);
        }
        if let Err(e) = jiance::market::MarketRules::load(set.rules.as_deref()) {
            errors.extend(e);
        }
        // Also loads standards.toml (its examples run against it): its errors once.
        match jiance::market::Standards::load(set.rules.as_deref()) {
            Err(e) => errors.extend(e),
            Ok(_) => {
                if let Err(e) = jiance::market::Compliance::load(set.rules.as_deref()) {
                    errors.extend(e);
                }
            }
        }
        if let Err(e) = jiance::review::ReviewRules::load(set.rules.as_deref()) {
            errors.extend(e);
        }
        if let Err(e) = jiance::score::Contacts::load(set.rules.as_deref()) {
            errors.extend(e);
        }
        if let Err(e) = jiance::review::WarningRules::load(set.rules.as_deref()) {
            errors.extend(e);
        }
        if let Err(e) = jiance::review::PartyRules::load(set.rules.as_deref()) {
            errors.extend(e);
        }
        if errors.len() == before {
            checked.push(format!(
                "{label}: rules, dictionaries and every rule example"
            ));
        }
    }
    for c in &checked {
        println!("ok  {c}");
    }
    for e in &errors {
        eprintln!("{e}");
    }
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} error(s)", errors.len());
        Ok(ExitCode::FAILURE)
    }
}

fn check_file(
    path: &Path,
    dirs: &RuleDirs,
    errors: &mut Vec<ConfigError>,
    checked: &mut Vec<String>,
    rule_sets: &mut Vec<RuleDirs>,
) {
    let name = path.display().to_string();
    if is_rule_file(path) {
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        if !rule_sets
            .iter()
            .any(|s| s.rules.as_deref() == Some(dir.as_path()))
        {
            rule_sets.push(RuleDirs {
                rules: Some(dir),
                dictionaries: dirs.dictionaries.clone(),
            });
        }
        return;
    }
    let text = match jiance::config::read_text(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(e);
            return;
        }
    };
    // A service config has top-level keys or tables other than `[[source]]` (a source file has
    // only those); `data_dir` may be left to its default.
    let is_config = is_service_config(&text);
    if is_config {
        match Config::load(path) {
            Ok(cfg) => {
                checked.push(format!(
                    "{name}: config with {} sources, {} schedules",
                    cfg.sources.len(),
                    cfg.schedules.len()
                ));
                warn_browser(&name, &cfg.sources, &cfg.crawl);
                if cfg.rules_dir.is_some() || cfg.dictionaries_dir.is_some() {
                    rule_sets.push(RuleDirs {
                        rules: cfg.rules_dir,
                        dictionaries: cfg.dictionaries_dir,
                    });
                }
            }
            Err(e) => errors.extend(e),
        }
    } else {
        // A template (the demo's sources) has `{{site}}` placeholders for addresses filled in at
        // run time; it is checked with a valid address in their place.
        let result = if text.contains("{{") {
            parse_sources(&placeholder_free(&text), &name)
        } else {
            load_source_file(path)
        };
        match result {
            Ok(s) => {
                warn_browser(&name, &s, &jiance::config::CrawlSettings::default());
                checked.push(format!("{name}: {} sources", s.len()))
            }
            Err(e) => errors.extend(e),
        }
    }
}

/// Sources that render with Chromium on a machine without it would fail every page
/// (`render-unavailable`): said as a warning, since a config is often checked elsewhere than
/// where it runs.
fn warn_browser(
    name: &str,
    sources: &[jiance::config::SourceConfig],
    crawl: &jiance::config::CrawlSettings,
) {
    let rendering: Vec<&str> = sources
        .iter()
        .filter(|s| s.render.is_some())
        .map(|s| s.name.as_str())
        .collect();
    if rendering.is_empty() {
        return;
    }
    let program = jiance::crawl::render::browser(crawl.chromium.clone());
    if !jiance::crawl::render::available(&program) {
        eprintln!(
            "warning: {name}: {} render with Chromium, but {} is not on this machine \
             (apt-get install chromium, or set crawl.chromium / JIANCE_CHROMIUM)",
            rendering.join(", "),
            program.display()
        );
    }
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// `{{name}}` placeholders of the demo sources replaced by a syntactically valid address.
fn placeholder_free(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str("http://127.0.0.1:9");
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a TOML text is a service config rather than a file of `[[source]]` blocks: it has a
/// top-level key before any table, or a table other than `[[source]]` and its sub-tables.
fn is_service_config(text: &str) -> bool {
    let mut in_source = false;
    for l in text.lines() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if t.starts_with('[') {
            in_source =
                t == "[[source]]" || t.starts_with("[source.") || t.starts_with("[[source.");
            if !in_source {
                return true;
            }
        } else if !in_source {
            // a key at the top level (data_dir, source_files …)
            return true;
        }
    }
    false
}
