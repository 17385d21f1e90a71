//! The one integration-test binary (each file in tests/ would link the whole crate again).
//! Modules: `attach` reads notice attachments (xlsx, csv, pdf, docx, bad files) into rows; `demo` runs the whole pipeline on the simulated sites; `cli` drives the binary;
//! `api` drives the HTTP API over 127.0.0.1; `schema` runs schemathesis against its OpenAPI
//! document; `crash` kills `jiance run` at random points and compares with an uninterrupted run; `nats` runs the NATS
//! transport's worker processes through kill -9 and a poison page; `notify` delivers watch-rule
//! matches to a webhook receiver and a STARTTLS mail server on loopback;
//! `fuzz` smokes the fuzz targets' entries on their seeds and mutations; `browser` loads the
//! dashboard in headless Chromium; `search_eval` scores literal and concept search on the judged queries; `eval` scores the analyzer on the labelled evaluation set
//! (tests/eval/); `realtext` on the real public texts of ../shared/realtext; `realtext_inspections` scores the batch numbers read from its inspection notices against `tests/eval/inspection_numbers.tsv`; `realweb` reads the
//! real charset files and feeds of ../shared/realweb; `render` crawls a page written by
//! JavaScript with and without `render = "chromium"`; `report` runs
//! `jiance report` on the demo data directory; `rerun` replays the demo archive and a warcio WARC;
//! `score` runs `jiance score` and `inspect-result`; `onsale` checks on-sale findings against the demo's
//! truth and serves them through `jiance onsale` and `/api/onsale`; `sampling` checks the purchases and
//! standard-numbered test items of the demo's sampling requests, their CSV and printable page; `inspections` reads inspection notices of our own into records and shows them in the report and the API; `foreign` reads the foreign recall sources'
//! fixtures; `sources` checks the source pack in deploy/sources/; `layers` checks that no module
//! of src/ uses one above it and no file of src/parse/ reaches back into its mod.rs; `readme` runs the README's usage lines and the demo twice into one
//! directory. `jiance()` runs the built binary.

mod api;
mod attach;
mod browser;
mod cli;
mod cluster;
mod crash;
mod demo;
mod eval;
mod evaluate;
mod foreign;
mod fuzz;
mod inspections;
mod layers;
mod media_signals;
mod nats;
mod notify;
mod onsale;
mod parties;
mod readme;
mod realtext;
mod realtext_inspections;
mod realweb;
mod render;
mod report;
mod rerun;
mod review;
mod sampling;
mod schema;
mod score;
mod search_eval;
mod shape;
mod sources;
mod warnings;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the built `jiance` binary with `args` and waits for it.
fn jiance(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jiance"))
        .args(args)
        .output()
        .expect("the jiance binary runs")
}

/// A document of evaluation text: id, source, channel, kind, title and text as given, the url
/// `eval:<id>`, everything else empty (the shape every scoring test feeds the analyzer).
fn eval_doc(
    id: &str,
    source: &str,
    (channel, kind): (jiance::model::Channel, Option<jiance::model::DocKind>),
    title: &str,
    text: &str,
) -> jiance::model::Document {
    jiance::model::Document {
        kind,
        url: format!("eval:{id}"),
        ..jiance::model::Document::of_text(id, source, channel, title, text)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `jiance extract` over JSON Lines and returns one value per output line (the run must
/// succeed).
fn extract_lines(input: &str) -> Vec<serde_json::Value> {
    let out = extract_output(input);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Runs `jiance extract` over JSON Lines, whatever its exit. The input is written from a thread,
/// so a long input cannot fill the pipe while the output fills the other.
fn extract_output(input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_jiance"))
        .arg("extract")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the jiance binary runs");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("jiance extract ends");
    writer
        .join()
        .expect("the writer thread ends")
        .expect("the input is written");
    out
}

/// Why a test that runs Python could not find it: the tests never fall back to whatever
/// `python3` is on the path, which may lack the packages (and then fail far from the cause).
const NO_PYTHON: &str = "no Python with warcio and schemathesis: ./test.sh makes the virtual \
environment target/py (tests/requirements.txt) and sets JIANCE_PYTHON to its interpreter; run it \
once, or set JIANCE_PYTHON to a Python that has those packages";

/// The Python interpreter of the tests that run warcio or schemathesis: `JIANCE_PYTHON`, else
/// the virtual environment `./test.sh` makes (`target/py`) when it is there. Fails, never skips.
fn python() -> Command {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
    let path = std::env::var_os("JIANCE_PYTHON")
        .map(PathBuf::from)
        .or_else(|| venv.exists().then_some(venv))
        .unwrap_or_else(|| panic!("{NO_PYTHON}"));
    assert!(
        path.exists(),
        "JIANCE_PYTHON={} does not exist. {NO_PYTHON}",
        path.display()
    );
    Command::new(path)
}
