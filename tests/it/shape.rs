//! The shape of `src/` a newcomer can carry on (issue 49): no file's production part (what comes
//! before its `#[cfg(test)] mod …`) over 800 lines, no function over 150, and no two files of one
//! folder importing each other (`a.rs` uses `b.rs` and `b.rs` uses `a.rs`; a folder's `mod.rs`,
//! which declares and re-exports its files, is left out). Read from the source text, like the
//! layer order (`layers.rs`). `cargo test --test it shape -- --nocapture` prints the largest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::layers::{first_segment, rust_files, test_module_starts, top_names};

/// Longest production part of a file, in lines.
const MAX_FILE_LINES: usize = 800;
/// Longest function, in lines from its `fn` to its closing brace.
const MAX_FN_LINES: usize = 150;
/// Functions over the limit that are being split elsewhere, with why they may stand meanwhile.
/// One that has come under the limit is printed, not failed, so the split can land first.
const LONG_FUNCTIONS_ALLOWED: &[(&str, &str, &str)] = &[];
/// File circles inside a folder that are being undone elsewhere, with why.
const CIRCLES_ALLOWED: &[(&str, &str, &str)] = &[];

/// The production part of a file: its lines before a `#[cfg(test)]` followed by a `mod … {` line
/// (a `tests.rs` file is all test).
fn production(path: &Path) -> Vec<String> {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return Vec::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&k| test_module_starts(lines[k], lines.get(k + 1).copied()))
        .unwrap_or(lines.len());
    blank_literals(&lines[..end].join("\n"))
        .lines()
        .map(str::to_string)
        .collect()
}

/// The code with comments, strings and character literals blanked (line breaks kept), so braces
/// and names in them count for nothing.
fn blank_literals(code: &str) -> String {
    let c: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    // blank c[from..to], keeping line breaks
    let blank = |out: &mut String, from: usize, to: usize| {
        for &ch in &c[from..to.min(c.len())] {
            out.push(if ch == '\n' { '\n' } else { ' ' });
        }
    };
    while i < c.len() {
        let next = c.get(i + 1).copied();
        let ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if c[i] == '/' && next == Some('/') {
            let end = (i..c.len()).find(|&k| c[k] == '\n').unwrap_or(c.len());
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '/' && next == Some('*') {
            let (mut depth, mut k) = (1, i + 2);
            while k < c.len() && depth > 0 {
                if c[k] == '/' && c.get(k + 1) == Some(&'*') {
                    depth += 1;
                    k += 1;
                } else if c[k] == '*' && c.get(k + 1) == Some(&'/') {
                    depth -= 1;
                    k += 1;
                }
                k += 1;
            }
            blank(&mut out, i, k);
            i = k;
        } else if (c[i] == 'r' || (c[i] == 'b' && next == Some('r'))) && !ident_before && {
            let k = i + if c[i] == 'b' { 2 } else { 1 };
            let hashes = c[k..].iter().take_while(|&&h| h == '#').count();
            c.get(k + hashes) == Some(&'"')
        } {
            // a raw string: r"…", r#"…"#, br"…"
            let k = i + if c[i] == 'b' { 2 } else { 1 };
            let hashes = c[k..].iter().take_while(|&&h| h == '#').count();
            let body = k + hashes + 1;
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let end = (body..c.len())
                .find(|&j| c[j..].starts_with(&close))
                .map_or(c.len(), |j| j + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if c[i] == '"' {
            let mut k = i + 1;
            while k < c.len() && c[k] != '"' {
                k += if c[k] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, k + 1);
            i = k + 1;
        } else if c[i] == '\'' {
            // a character literal ('x', '\n', '\'', '\u{4e00}', b'x'), not a lifetime ('a)
            let end = if next == Some('\\') {
                (i + 3..c.len()).find(|&k| c[k] == '\'').map(|k| k + 1)
            } else if c.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    blank(&mut out, i, end);
                    i = end;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// Every function of the code with its first line (1-based) and its length in lines, from the
/// line of its `fn` to that of its closing brace (declarations without a body left out).
fn functions(lines: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for (k, line) in lines.iter().enumerate() {
        let Some(at) = find_fn(line) else { continue };
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // the body: from the first `{` after the name (a `;` before it ends a declaration)
        let mut depth = 0usize;
        let mut opened = false;
        'scan: for (j, l) in lines.iter().enumerate().skip(k) {
            let from = if j == k { at } else { 0 };
            for ch in l[from..].chars() {
                match ch {
                    ';' if !opened => break 'scan,
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' if opened => {
                        depth -= 1;
                        if depth == 0 {
                            out.push((name.clone(), k + 1, j - k + 1));
                            break 'scan;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Where `fn ` starts as a keyword in a line (not inside a name like `Fn(`, `cfn`).
fn find_fn(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find("fn ") {
        let at = from + i;
        let before = line[..at].chars().next_back();
        if before.is_none_or(|b| !(b.is_alphanumeric() || b == '_')) {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

/// The files of the same folder a file names: `super::x` (in `use` groups too) and
/// `crate::…::folder::x`, where `x` is another file or folder beside it.
fn siblings_named(src: &Path, file: &Path, code: &str) -> BTreeSet<String> {
    let dir = file.parent().unwrap();
    let beside: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "mod" && m != "tests")
        .collect();
    let folder: Vec<String> = dir
        .strip_prefix(src)
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let prefixes = [
        "super::".to_string(),
        format!("crate::{}::", folder.join("::")),
    ];
    let own = file.file_stem().unwrap().to_string_lossy().into_owned();
    let mut out = BTreeSet::new();
    for prefix in prefixes.iter().filter(|_| !folder.is_empty()) {
        for (i, _) in code.match_indices(prefix.as_str()) {
            // part of a longer path (`super::super::…` leaves the folder)
            let joined = code[..i]
                .chars()
                .next_back()
                .is_some_and(|b| b.is_alphanumeric() || b == '_' || b == ':');
            let after = &code[i + prefix.len()..];
            if joined || after.starts_with("super::") {
                continue;
            }
            let names: Vec<String> = match after.strip_prefix('{') {
                Some(group) => top_names(group),
                None => vec![first_segment(after)],
            };
            out.extend(
                names
                    .into_iter()
                    .filter(|n| beside.contains(n) && *n != own),
            );
        }
    }
    out
}

#[test]
fn no_long_file_no_long_function_no_file_circle_in_a_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let rel = |p: &Path| p.strip_prefix(&src).unwrap().display().to_string();
    let (mut long_files, mut long_fns, mut sizes) = (Vec::new(), Vec::new(), Vec::new());
    // file → the files beside it that it names, by path from src/
    let mut names: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let lines = production(file);
        let r = rel(file);
        sizes.push((lines.len(), r.clone()));
        if lines.len() > MAX_FILE_LINES {
            long_files.push(format!("{r}: {} lines", lines.len()));
        }
        for (name, line, len) in functions(&lines) {
            if len > MAX_FN_LINES {
                long_fns.push((r.clone(), name, line, len));
            }
        }
        let dir = Path::new(&r).parent().unwrap().to_path_buf();
        let named = siblings_named(&src, file, &lines.join("\n"));
        if !file.ends_with("mod.rs") {
            names.insert(
                r.clone(),
                named
                    .iter()
                    .map(|n| {
                        let f = dir.join(format!("{n}.rs"));
                        if src.join(&f).exists() {
                            f.display().to_string()
                        } else {
                            dir.join(n).join("mod.rs").display().to_string()
                        }
                    })
                    .collect(),
            );
        }
    }
    sizes.sort();
    println!(
        "largest production parts: {:?}",
        &sizes[sizes.len().saturating_sub(5)..]
    );
    let allowed_fn = |f: &str, n: &str| LONG_FUNCTIONS_ALLOWED.iter().any(|a| a.0 == f && a.1 == n);
    for (f, n, why) in LONG_FUNCTIONS_ALLOWED {
        if !long_fns.iter().any(|x| x.0 == *f && x.1 == *n) {
            println!("{f}::{n} is allowed to be long ({why}) but is not: drop it from the list");
        }
    }
    println!("functions over {MAX_FN_LINES} lines: {long_fns:?}");
    long_fns.retain(|(f, n, _, _)| !allowed_fn(f, n));
    // a circle of two: each names the other (a longer circle holds one of two too, or none)
    let mut circles = Vec::new();
    for (a, named) in &names {
        for b in named {
            if a < b && names.get(b).is_some_and(|n| n.contains(a)) {
                circles.push((a.clone(), b.clone()));
            }
        }
    }
    println!("files of one folder naming each other: {circles:?}");
    circles.retain(|(a, b)| !CIRCLES_ALLOWED.iter().any(|c| c.0 == a && c.1 == b));
    assert!(
        long_files.is_empty() && long_fns.is_empty() && circles.is_empty(),
        "files over {MAX_FILE_LINES} lines: {long_files:#?}\nfunctions over {MAX_FN_LINES} \
         lines (file, name, line, length): {long_fns:#?}\nfiles of one folder naming each \
         other: {circles:#?}"
    );
}

#[test]
fn the_shape_scan_counts_bodies_past_strings_and_comments_and_sees_sibling_paths() {
    let code = "fn a() {\n    let s = \"}}\"; // }\n    let c = '{';\n    let r = r#\"{\"#;\n}\n\
                fn b<'x>(v: &'x str) -> impl Fn() { || {} }\nfn c();\n";
    let lines: Vec<String> = blank_literals(code).lines().map(str::to_string).collect();
    assert_eq!(
        functions(&lines),
        [("a".to_string(), 1, 5), ("b".to_string(), 6, 1)]
    );
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("stage")).unwrap();
    for f in ["mod.rs", "a.rs", "b.rs", "c.rs"] {
        std::fs::write(src.join("stage").join(f), "").unwrap();
    }
    let named = siblings_named(
        src,
        &src.join("stage/a.rs"),
        "use super::{b::X, mod_item};\nuse super::super::c;\nfn f() { crate::stage::c::g(); }\n",
    );
    assert_eq!(named.into_iter().collect::<Vec<_>>(), ["b", "c"]);
}
