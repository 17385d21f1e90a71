//! schemathesis against `/api/openapi.json` on a copy of the demo data (issue 16): every check
//! (server errors, status codes, content types, response schemas, schema-valid requests accepted,
//! schema-invalid ones refused, auth) on every operation, with an operator token, from a fixed seed.
//! Any finding fails the test and prints schemathesis's report. `tests/schemathesis.toml` holds
//! the settings and the few exceptions OpenAPI cannot express, each with its reason;
//! `JIANCE_SCHEMATHESIS_EXAMPLES` raises the examples per operation for a longer run.

use jiance::serve::Access;

use crate::api::{OPERATOR, Server, VIEWER};

#[test]
fn the_api_agrees_with_its_openapi_document() {
    let server = Server::start(Access::new(
        vec![VIEWER.into()],
        vec![OPERATOR.into()],
        false,
    ));
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml");
    let report = tempfile::tempdir().unwrap();
    let mut cmd = crate::python();
    // schemathesis keeps state in ./.schemathesis: not in the repository
    cmd.current_dir(report.path());
    // the console script's entry point, run by the interpreter named (no PATH involved)
    cmd.args([
        "-c",
        "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
        "--config-file",
        config,
        "run",
        &format!("{}/api/openapi.json", server.base),
        "--checks",
        "all",
        "--header",
        &format!("Authorization: Bearer {OPERATOR}"),
        "--seed",
        "16",
        // one worker: with two, hypothesis parses lambda sources in two threads at once and
        // CPython 3.11's AST builder, whose recursion counter is not thread-safe, fails now
        // and then ("AST constructor recursion depth mismatch", python/cpython#106905)
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--no-color",
        "--report-dir",
    ])
    .arg(report.path());
    if let Ok(n) = std::env::var("JIANCE_SCHEMATHESIS_EXAMPLES") {
        cmd.args(["--max-examples", &n]);
    }
    let out = cmd
        .output()
        .expect("the Python of the virtual environment runs (./test.sh makes it)");
    let stdout = crate::text(&out.stdout);
    let stderr = crate::text(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{stdout}\n{stderr}"
    );
    // a run that tested nothing would also exit 0: every operation of the document is tested
    let after = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(key).map(str::trim))
            .unwrap_or_else(|| panic!("no {key:?} line in:\n{stdout}"))
            .to_string()
    };
    let selected = after("Selected:");
    let tested = after("Tested:");
    let (chosen, all) = selected.split_once('/').unwrap();
    assert_eq!(chosen, all, "operations filtered out:\n{stdout}");
    assert_eq!(tested, all, "operations not tested:\n{stdout}");
    assert!(all.parse::<usize>().unwrap() >= 12, "{stdout}");
    // what was run (operations, test cases, requests), for the log
    let tail: Vec<&str> = stdout.lines().rev().take(25).collect();
    eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
}
