//! The layer order of `src/`: each top-level module may use only the modules below it, so data
//! flows one way (sources → crawl → parse → analyze → index / signals → score → serve) and the
//! helpers every stage needs (model, telemetry, util, config, store) sit at the bottom. Read from
//! the source text: every `crate::module` path in code that is not a comment or a test module.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom to top. A module may use those before it in this list, never one after it.
const LAYERS: &[&str] = &[
    "model",
    "telemetry",
    "util",
    "config",
    "store",
    "crawl",
    "queue",
    "parse",
    "analyze",
    "index",
    "score",
    "market",
    "review",
    "notify",
    "report",
    "serve",
    "pipeline",
    "demo",
    "fuzz",
    "cli",
];

pub(super) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test module (by convention the
/// `#[cfg(test)] mod …`, or `pub(crate) mod …` when other tests share it, at the end of a file;
/// a `tests.rs` file is one whole).
fn code(path: &Path) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if test_module_starts(line, lines.peek().copied()) {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        // a trailing comment (a `//` inside a string literal is rare in `use` paths)
        let code = match line.find(" //") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Whether `line` opens a file's test module: `#[cfg(test)]` before a module's body, not a
/// declaration (`#[cfg(test)] mod gates;`, after which score/mod.rs goes on for 1,800 lines).
pub(super) fn test_module_starts(line: &str, next: Option<&str>) -> bool {
    line.trim_start().starts_with("#[cfg(test)]")
        && next.is_some_and(|n| {
            let n = n.trim();
            n.ends_with('{')
                && (n.starts_with("mod ") || (n.starts_with("pub(") && n.contains(") mod ")))
        })
}

/// Top-level modules a piece of code names through `crate::`, including `use crate::{a, b::c}`.
fn used_modules(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            out.extend(top_names(group));
        } else {
            out.push(first_segment(after));
        }
        rest = after;
    }
    out.retain(|m| !m.is_empty());
    out
}

/// The first segment of each path at the top of a `{…}` group (split on commas outside nested
/// braces), up to its closing brace.
pub(super) fn top_names(group: &str) -> Vec<String> {
    let (mut depth, mut item, mut out) = (0usize, String::new(), Vec::new());
    for c in group.chars() {
        match c {
            '{' => {
                depth += 1;
                item.push(c);
            }
            '}' if depth == 0 => break,
            '}' => {
                depth -= 1;
                item.push(c);
            }
            ',' if depth == 0 => out.push(first_segment(&std::mem::take(&mut item))),
            _ => item.push(c),
        }
    }
    out.push(first_segment(&item));
    out
}

pub(super) fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[test]
fn no_module_uses_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut seen = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(own) = rank(&top) else {
            panic!("src/{top} is in no layer: add it to LAYERS in tests/it/layers.rs");
        };
        for used in used_modules(&code(file)) {
            seen += 1;
            match rank(&used) {
                Some(r) if r < own || used == top => {}
                Some(_) => wrong
                    .entry(format!("{top} → {used}"))
                    .or_default()
                    .push(rel.display().to_string()),
                None => panic!("{} uses crate::{used}, which is in no layer", rel.display()),
            }
        }
    }
    assert!(seen > 100, "the scan found only {seen} crate paths");
    assert!(
        wrong.is_empty(),
        "modules using one above them (order: {LAYERS:?}):\n{wrong:#?}"
    );
}

#[test]
fn the_scan_sees_grouped_nested_and_inline_paths_and_skips_comments_and_tests() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.rs");
    std::fs::write(
        &f,
        "//! see crate::serve\nuse crate::{model::{A, B}, config::C};\nfn f() { crate::store::open(); } // crate::demo\n\
         #[cfg(test)]\nmod tests {\n    use crate::pipeline::X;\n}\n",
    )
    .unwrap();
    assert_eq!(used_modules(&code(&f)), ["model", "config", "store"]);
}

/// Paths of the files of a `parse` folder (all but its `mod.rs`) that reach into its `mod.rs`:
/// a path into `parse` (through `super` or `crate::parse`) naming anything but one of its files,
/// or a glob of it.
fn back_into_parse_mod(parse: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(parse, &mut files);
    files.sort();
    let modules: std::collections::BTreeSet<String> = std::fs::read_dir(parse)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "mod" && m != "tests")
        .collect();
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(parse).unwrap();
        if rel == Path::new("mod.rs") {
            continue;
        }
        // the path from this file's module up to `parse` (`read/mod.rs` is `parse::read`)
        let depth = rel.components().count() - usize::from(rel.ends_with("mod.rs"));
        let code = code(file)
            .replace("crate::", "crate_::")
            .replace("crate_::parse::", "crate::")
            .replace(&"super::".repeat(depth), "crate::");
        if code.contains("crate::*") {
            wrong.push(format!("{} → parse::*", rel.display()));
        }
        for used in used_modules(&code) {
            if !modules.contains(&used) {
                wrong.push(format!("{} → parse::{used}", rel.display()));
            }
        }
    }
    wrong
}

/// Inside `parse`, the readers (`src/parse/read/`) and the tools below them never reach back
/// into `parse/mod.rs`, which holds the chain: every path they take into `parse` names one of
/// its files, never an item of `mod.rs`. So the order a page is read in stays in
/// `parse_page`, and a reader stands on its own.
#[test]
fn parse_readers_and_tools_never_reach_back_into_parse_mod() {
    let parse = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/parse");
    let wrong = back_into_parse_mod(&parse);
    assert!(
        wrong.is_empty(),
        "files of parse reaching into parse/mod.rs: {wrong:#?}"
    );
    // the scan sees a reader's item of mod.rs, a glob and `crate::parse`, not a file's items
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("read")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("mod.rs", "mod page;\nmod read;\npub struct Parsed;\n");
    write("page.rs", "use super::*;\n");
    write(
        "read/mod.rs",
        "pub(super) mod api;\nuse super::page::Page;\n",
    );
    write(
        "read/api.rs",
        "use super::super::{page::Page, Parsed};\nuse crate::parse::page::Page as P;\n\
         use crate::parse::cap_text;\nuse crate::model::Document;\n",
    );
    assert_eq!(
        back_into_parse_mod(dir.path()),
        [
            "page.rs → parse::*",
            "read/api.rs → parse::Parsed",
            "read/api.rs → parse::cap_text",
        ]
    );
}
