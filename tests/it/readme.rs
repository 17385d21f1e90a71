//! What a newcomer types from the README: every command line of its usage table that needs no
//! network runs as written on a copy of the demo's data, and `jiance demo --data DIR` run twice
//! into one directory adds nothing the second time (its sites are crawled under fixed host names,
//! so new ports are not new URLs).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use jiance::store::Store;

use crate::api::copy_dir;
use crate::demo::END;
use crate::text;

/// The first cell's command of every row of the README's usage table, markdown escapes undone.
fn usage_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut lines = readme.lines().skip_while(|l| !l.starts_with("| command |"));
    let _header = lines.next();
    lines
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|row| {
            let cell = row.split(" | ").next()?;
            let start = cell.find('`')? + 1;
            let end = start + cell[start..].find('`')?;
            Some(cell[start..end].replace("\\|", "|"))
        })
        .collect()
}

/// A command line split as a shell would: on spaces, double quotes holding one argument.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Commands that reach the network or other machines: not run here (their code paths are the
/// crawl, NATS and fetch tests', on loopback servers).
const NEEDS_NETWORK: [&str; 3] = [
    "run",    // crawls the configured public sources
    "worker", // a NATS transport's worker, crawling them
    "fetch",  // fetches a URL
];

/// Commands that serve until stopped: run with `--listen 127.0.0.1:0` added (a free port, so the
/// test never collides with a dashboard already on 8080), until `/healthz` answers, then killed.
const SERVES: [&str; 2] = ["demo", "serve"];

#[test]
fn every_usage_line_of_the_readme_that_needs_no_network_runs_as_written() {
    let outcome = crate::demo::outcome();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    copy_dir(&outcome.data, &data);
    let store = Store::open(&data.join("state.sqlite")).unwrap();
    let alert = store.sampling_requests().unwrap()[0].alert_id.clone();
    drop(store);
    let path = |p: &str| work.path().join(p).display().to_string();
    let archive = data.join("archive").display().to_string();
    let signals = data.join("signals").display().to_string();
    let data = data.display().to_string();
    // placeholders, the longest first so `--out DIR` is not read as `DIR`
    let fill: Vec<(&str, String)> = vec![
        ("[FILES or DIRS]", String::new()),
        ("--archive DIR", format!("--archive {archive}")),
        ("--out DIR", format!("--out {}", path("rerun"))),
        ("--out FILE", format!("--out {}", path("labels.jsonl"))),
        ("--signals FILE", format!("--signals {signals}")),
        ("OLD_DATA NEW_DATA", format!("{data} {data}")),
        ("ALERT_ID", alert),
        ("pass|fail", "fail".into()),
        ("DIR", data.clone()),
    ];
    let lines = usage_lines();
    assert!(lines.len() >= 15, "{lines:?}");
    let mut ran: BTreeMap<String, usize> = BTreeMap::new();
    for line in &lines {
        let mut line = line.clone();
        for (from, to) in &fill {
            line = line.replace(from, to);
        }
        let words = shell_words(&line);
        assert_eq!(words.first().map(String::as_str), Some("jiance"), "{line}");
        let cmd = words[1].clone();
        if NEEDS_NETWORK.contains(&cmd.as_str()) {
            continue;
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_jiance"));
        command
            .args(&words[1..])
            .env("TMPDIR", work.path())
            // `jiance serve` needs a token (README: from the environment or `jiance users add`)
            .env("JIANCE_TOKEN_VIEWER", "readme-viewer");
        if SERVES.contains(&cmd.as_str()) {
            served(&mut command, &line);
        } else {
            let out = if cmd == "extract" {
                let mut child = command
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                let mut stdin = child.stdin.take().unwrap();
                writeln!(
                    stdin,
                    r#"{{"id": "r1", "text": "一台电暖器在客厅通电后冒烟起火。"}}"#
                )
                .unwrap();
                drop(stdin);
                child.wait_with_output().unwrap()
            } else {
                command.output().unwrap()
            };
            assert!(
                out.status.success(),
                "`{line}` failed: {}\n{}",
                text(&out.stderr),
                text(&out.stdout)
            );
            if ["search", "alerts", "extract", "cases"].contains(&cmd.as_str()) {
                assert!(!out.stdout.is_empty(), "`{line}` printed nothing");
            }
        }
        *ran.entry(cmd).or_default() += 1;
    }
    // every row is either run or named above as needing the network
    let rows: usize = ran.values().sum();
    assert_eq!(rows + NEEDS_NETWORK.len(), lines.len(), "{ran:?}");
}

/// Start a command that serves, wait for its dashboard line and `/healthz`, then stop it.
fn served(command: &mut Command, line: &str) {
    let mut child = command
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let url = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            seen.push(l.clone());
            l.split_once("dashboard: ")
                .map(|(_, rest)| rest.split_whitespace().next().unwrap_or("").to_string())
        });
    let healthy = url.as_ref().is_some_and(|u| {
        let rt = crate::api::runtime();
        rt.block_on(async {
            let r = jiance::util::tls::client()
                .get(format!("{u}healthz"))
                .send()
                .await;
            r.is_ok_and(|r| r.status().is_success())
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy, "`{line}` did not serve: {seen:#?}");
}

#[test]
fn serve_starts_with_a_named_users_token_alone_as_the_readme_says() {
    let outcome = crate::demo::outcome();
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    copy_dir(&outcome.data, &data);
    let jiance = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_jiance"));
        c.args(args)
            .arg("--data")
            .arg(&data)
            .env_remove(jiance::serve::auth::ENV_VIEWER)
            .env_remove(jiance::serve::auth::ENV_OPERATOR);
        c
    };
    let out = jiance(&["users", "add", "周敏", "--role", "viewer"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    served(&mut jiance(&["serve"]), "jiance serve with one named user");
}

/// Counts that a repeated demo run must leave as they were.
fn counts(data: &Path) -> (u64, usize, Vec<(String, u8)>, i64) {
    let store = Store::open(&data.join("state.sqlite")).unwrap();
    let mut alerts: Vec<(String, u8)> = store
        .alerts()
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.level))
        .collect();
    alerts.sort();
    (
        store.document_count().unwrap(),
        store.signals().unwrap().len(),
        alerts,
        store.last_change().unwrap(),
    )
}

#[test]
fn a_second_demo_run_into_the_same_directory_adds_no_document_and_relevels_no_alert() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let end = format!("{}-{:02}-{:02}", END.0, END.1, END.2);
    let demo = || {
        let out = Command::new(env!("CARGO_BIN_EXE_jiance"))
            .args(["demo", "--no-serve", "--end", &end, "--data"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let first = demo();
    let (docs, signals, alerts, last) = counts(&data);
    assert!(docs >= 400 && !alerts.is_empty(), "{first}");
    let second = demo();
    let (docs2, signals2, alerts2, _) = counts(&data);
    assert_eq!(docs2, docs, "documents stored twice:\n{second}");
    assert!(second.contains(", 0 documents, 0 signals"), "{second}");
    assert_eq!(signals2, signals);
    assert_eq!(alerts2, alerts);
    // no alert changed level (nor appeared) on the second run
    let store = Store::open(&data.join("state.sqlite")).unwrap();
    let changes = store.changes_since(last, 10_000).unwrap();
    let moved: Vec<_> = changes
        .iter()
        .filter(|c| matches!(c.change.as_str(), "new" | "escalated" | "deescalated"))
        .collect();
    assert!(moved.is_empty(), "{moved:#?}");
}
