//! Start-up of the commands that tokenize (issue 22, part 5): the `jiance` binary run as a user
//! runs it, whole process, against the API answering the same search.
//!
//! Builds the demo data directory once (`jiance demo --no-serve`), then prints the median and
//! fastest wall time of:
//! - `jiance extract` of one line, with an empty tokenizer cache (the first run, which builds and
//!   writes the tokenizer) and with the cache written (every later run);
//! - `jiance search 漏电` on the demo index;
//! - the same search through `jiance serve`'s API, one HTTP request on a kept connection (the
//!   server's own time plus loopback).
//!
//! Run: `cargo bench --bench startup` (`JIANCE_BENCH_RUNS` runs per case, 20 by default).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LINE: &str =
    r#"{"id":"a","text":"杭州市场监管局抽检电动自行车充电器，发现3批次不合格，存在起火风险。"}"#;

fn jiance(cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jiance"));
    c.env("JIANCE_CACHE_DIR", cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Wall time of one run of `cmd`, with `input` on its stdin.
fn run(mut cmd: Command, input: &str) -> Duration {
    let started = Instant::now();
    let mut child = cmd.stdin(Stdio::piped()).spawn().expect("start jiance");
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).expect("write stdin");
    }
    let status = child.wait().expect("wait for jiance");
    assert!(status.success(), "jiance failed: {status}");
    started.elapsed()
}

/// Median and fastest of `runs` timings, in milliseconds.
fn summary(mut t: Vec<Duration>) -> (f64, f64) {
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(t[t.len() / 2]), ms(t[0]))
}

fn print(name: &str, (median, fastest): (f64, f64)) {
    // the name last: its CJK characters would break a padded column
    println!("  median {median:6.1} ms   fastest {fastest:6.1} ms   {name}");
}

/// One GET on a kept-alive connection; the body is read whole (its length from the header).
fn get(stream: &mut BufReader<TcpStream>, path: &str) -> Duration {
    let started = Instant::now();
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
    stream.get_mut().write_all(req.as_bytes()).expect("send");
    let (mut len, mut line) = (0usize, String::new());
    loop {
        line.clear();
        stream.read_line(&mut line).expect("read header");
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().expect("content length");
        }
    }
    let mut body = vec![0; len];
    stream.read_exact(&mut body).expect("read body");
    started.elapsed()
}

fn main() {
    let runs: usize = std::env::var("JIANCE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20usize)
        .max(1);
    let tmp = tempfile::tempdir().expect("temp dir");
    let (data, cache) = (tmp.path().join("data"), tmp.path().join("cache"));
    let mut demo = jiance(&cache);
    demo.args(["demo", "--no-serve", "--data"]).arg(&data);
    println!("building the demo data directory …");
    run(demo, "");
    println!("start-up, {runs} runs each (target: ≤ 30 ms; search within 10 ms of the API):");

    let extract = || {
        let mut c = jiance(&cache);
        c.arg("extract");
        c
    };
    let first: Vec<Duration> = (0..runs.clamp(1, 5))
        .map(|_| {
            let _ = std::fs::remove_dir_all(&cache);
            run(extract(), LINE)
        })
        .collect();
    print(
        "extract, one line, first run (writes cache)",
        summary(first),
    );
    run(extract(), LINE);
    let warm = (0..runs).map(|_| run(extract(), LINE)).collect();
    print("extract, one line", summary(warm));
    let search = || {
        let mut c = jiance(&cache);
        c.args(["search", "--data"]).arg(&data).arg("漏电");
        c
    };
    run(search(), "");
    let cli = summary((0..runs).map(|_| run(search(), "")).collect());
    print("jiance search 漏电", cli);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut serve = jiance(&cache)
        .args(["serve", "--open-reads", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(&data)
        .spawn()
        .expect("start jiance serve");
    let connected = (0..200).find_map(|_| {
        std::thread::sleep(Duration::from_millis(50));
        TcpStream::connect(("127.0.0.1", port)).ok()
    });
    let Some(stream) = connected else {
        let _ = serve.kill();
        panic!("jiance serve did not listen on {port}");
    };
    let mut stream = BufReader::new(stream);
    let path = "/api/search?q=%E6%BC%8F%E7%94%B5";
    get(&mut stream, path);
    let api = summary((0..runs).map(|_| get(&mut stream, path)).collect());
    print("GET /api/search?q=漏电 (server running)", api);
    let _ = serve.kill();
    let _ = serve.wait();
    println!(
        "  search from the command line is {:.1} ms over the API (median)",
        cli.0 - api.0
    );
}
