//! Kill -9 during crawls (issue 16): `jiance run --once` over the simulated sites on 127.0.0.1 is
//! killed at random points, again and again, and then run to the end. Documents, index, signals
//! and alerts must equal an uninterrupted run's: nothing lost, nothing counted twice, every stored
//! document searchable. The kill points come from a fixed seed, so a failure reproduces.
//! `tests/soak/crash.sh` runs the same with more kills.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jiance::demo::DemoSites;
use jiance::index::Index;
use jiance::store::Store;
use rand::{Rng, SeedableRng};

/// Kills in the test suite; `JIANCE_CRASH_KILLS` raises it (the soak script does).
const KILLS: usize = 20;

/// What a data directory holds, in a form two runs can be compared by.
#[derive(Debug, PartialEq)]
pub(crate) struct Held {
    pub(crate) documents: BTreeSet<(String, String)>,
    pub(crate) index_documents: u64,
    /// Signals without their cluster id: near-duplicate clusters form in arrival order (a
    /// cluster is named by its first member, and a text between two others may join either), so
    /// a restarted crawl may group a few borderline copies differently; the alerts must not move.
    pub(crate) signals: Vec<String>,
    pub(crate) alerts: Vec<(String, u8, String)>,
}

pub(crate) fn held(data: &Path) -> Held {
    let store = Store::open(&data.join("state.sqlite")).unwrap();
    let ids = store.document_ids().unwrap();
    let documents = store
        .documents(&ids)
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.source))
        .collect();
    let index = Index::open(&data.join("index"), Arc::new(jieba_rs::Jieba::empty())).unwrap();
    let all = store.signals().unwrap();
    let mut signals: Vec<String> = all
        .iter()
        .map(|s| {
            format!(
                "{} {} {} {:?} {}",
                s.doc_id, s.category, s.hazard, s.province, s.source
            )
        })
        .collect();
    signals.sort();
    let mut alerts: Vec<(String, u8, String)> = store
        .alerts()
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.level, format!("{:?}", a.action)))
        .collect();
    alerts.sort();
    Held {
        documents,
        index_documents: index.num_docs(),
        signals,
        alerts,
    }
}

/// A config for a data directory `name`; `commit_every` small enough that each run that lives a
/// little makes durable progress, so every kill interrupts a crawl with work still to do.
fn config(root: &Path, name: &str, commit_every: usize) -> PathBuf {
    let path = root.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "data_dir = \"{name}\"\nsource_files = [\"sources.toml\"]\n[crawl]\ncommit_every = {commit_every}\n"
        ),
    )
    .unwrap();
    path
}

fn run_once(config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiance"));
    c.args(["run", "--once", "--config"])
        .arg(config)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

#[test]
fn kill_9_during_crawls_loses_nothing_and_counts_nothing_twice() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let end = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let scenario = Arc::new(jiance::demo::scenario(2026, end));
    let sites = rt.block_on(DemoSites::start(scenario)).unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(
        root.path().join("sources.toml"),
        jiance::demo::sources_text(sites.base_urls()),
    )
    .unwrap();

    // The uninterrupted run, timed: kills fall anywhere in a run of that length.
    let reference = config(root.path(), "reference", 200);
    let started = Instant::now();
    assert!(run_once(&reference).status().unwrap().success());
    let whole = started.elapsed();
    let want = held(&root.path().join("reference"));
    assert!(want.documents.len() >= 400, "{}", want.documents.len());
    assert_eq!(want.index_documents, want.documents.len() as u64);

    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let kills = env("JIANCE_CRASH_KILLS").map_or(KILLS, |k| k.max(1) as usize);
    // about one commit and a half per run: the kills spread over the whole crawl
    let commit_every = (want.documents.len() * 2 / 3 / kills).max(2);
    let crashed = config(root.path(), "crashed", commit_every);
    let data = root.path().join("crashed");
    let stored = || {
        Store::open(&data.join("state.sqlite"))
            .and_then(|s| s.document_count())
            .unwrap_or(0)
    };
    let total = want.documents.len() as u64;
    let mut rng = rand::rngs::StdRng::seed_from_u64(env("JIANCE_CRASH_SEED").unwrap_or(16));
    let mut mid_crawl = 0;
    for k in 0..kills {
        let before = stored();
        let mut child = run_once(&crashed).spawn().unwrap();
        // Every fourth kill falls at a random time (start-up, fetching, the first commit); the
        // others once the run has stored a random number of further documents, so they land
        // inside the crawl however little is left to do.
        let by_time = k % 4 == 0;
        let at =
            Duration::from_millis(rng.random_range(20..(whole.as_millis() as u64 / 3).max(40)));
        let more = rng.random_range(1..=2 * commit_every as u64);
        let started = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            let done = if by_time {
                started.elapsed() >= at
            } else {
                stored() >= (before + more).min(total) || started.elapsed() >= whole * 3
            };
            if done {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL: no destructor, no flush, no commit
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() && stored() < total {
            mid_crawl += 1;
        }
    }
    assert!(run_once(&crashed).status().unwrap().success());
    let got = held(&data);
    assert!(
        mid_crawl >= kills / 2,
        "most kills must land inside the crawl ({mid_crawl} of {kills} did)"
    );
    assert_eq!(
        got.index_documents,
        got.documents.len() as u64,
        "every stored document is searchable"
    );
    assert_eq!(
        got.documents.len(),
        want.documents.len(),
        "{:?}",
        got.documents
            .symmetric_difference(&want.documents)
            .collect::<Vec<_>>()
    );
    assert_eq!(got.documents, want.documents);
    let diff = |a: &[String], b: &[String]| -> Vec<String> {
        let (a, b): (BTreeSet<&String>, BTreeSet<&String>) =
            (a.iter().collect(), b.iter().collect());
        a.symmetric_difference(&b).map(|s| s.to_string()).collect()
    };
    assert_eq!(
        got.signals.len(),
        want.signals.len(),
        "{:?}",
        diff(&got.signals, &want.signals)
    );
    assert_eq!(got.signals, want.signals);
    assert_eq!(got.alerts, want.alerts);
    rt.block_on(sites.shutdown());
}
