//! The dashboard in a real browser: headless Chromium (Debian `chromium`; `./test.sh` installs
//! it) loads the dashboard of a demo data directory served on 127.0.0.1, and the test drives it
//! over the DevTools protocol (a minimal WebSocket client below, std only): the top alert is
//! listed first, clicking it opens its page (breakdown, evidence, history), a change made through
//! the API arrives over the live event stream, a search shows highlighted hits and facets, the
//! province tiles and trend charts draw, and screenshots are saved under
//! `target/test-output/`. Chromium missing is a failure, not a skip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api::{OPERATOR, Server};
use jiance::serve::Access;

/// Where Chromium is (override with JIANCE_CHROMIUM).
pub(crate) fn chromium_path() -> PathBuf {
    let p = std::env::var_os("JIANCE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        p.exists(),
        "{} not found: the browser test needs Debian's chromium (./test.sh installs it with apt-get)",
        p.display()
    );
    p
}

/// Screenshots and other artefacts: target/test-output/.
fn output_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .map(|p| p.join("test-output"))
        .unwrap_or_else(|| tmp.join("test-output"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A guard against hangs (not a speed check): waits end with a failure after this long.
const PATIENCE: Duration = Duration::from_secs(90);

struct Browser {
    child: Child,
    ws: WebSocket,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Only the process this test started.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium_path())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,1000",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        // "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…" on stderr.
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(PATIENCE)
            .expect("chromium printed its DevTools address");
        let host_port = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        // The page target chromium opened for about:blank.
        let deadline = Instant::now() + PATIENCE;
        let page_ws = loop {
            let (_, body) = http(&host_port, "GET", "/json/list", &[], "");
            let targets: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if let Some(ws) = targets.as_array().and_then(|ts| {
                ts.iter()
                    .find(|t| t["type"] == "page")
                    .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            }) {
                break ws.to_string();
            }
            assert!(Instant::now() < deadline, "no page target: {body}");
            std::thread::sleep(Duration::from_millis(100));
        };
        let path = format!(
            "/{}",
            page_ws
                .trim_start_matches("ws://")
                .split_once('/')
                .unwrap()
                .1
        );
        Browser {
            child,
            ws: WebSocket::connect(&host_port, &path),
            next_id: 0,
            _profile: profile,
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.ws
            .send(&json!({ "id": id, "method": method, "params": params }).to_string());
        loop {
            let msg: Value = serde_json::from_str(&self.ws.recv()).unwrap();
            if msg["id"] == id {
                assert!(msg.get("error").is_none(), "{method}: {msg}");
                return msg["result"].clone();
            }
            // Events (no id) are not needed.
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expression}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// `expression`'s value, or the exception it threw.
    fn try_eval(&mut self, expression: &str) -> Result<Value, Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        match r.get("exceptionDetails") {
            Some(e) => Err(e.clone()),
            None => Ok(r["result"]["value"].clone()),
        }
    }

    /// Waits until `expression` is truthy; fails with what the page shows otherwise. An
    /// expression that throws (an element not there yet while a pane renders again) is not yet
    /// true, and its last exception is shown if it never becomes true.
    fn wait_for(&mut self, what: &str, expression: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let v = match self.try_eval(expression) {
                Ok(v) => v,
                Err(e) if Instant::now() > deadline => {
                    panic!("{what}: `{expression}` threw: {e}")
                }
                Err(_) => Value::Null,
            };
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let body = self.eval("document.body ? document.body.innerText.slice(0, 2000) : ''");
                panic!("{what}: `{expression}` never became true; page shows:\n{body}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url }));
    }

    fn screenshot(&mut self, name: &str) -> PathBuf {
        let r = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64_decode(r["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        let path = output_dir().join(name);
        std::fs::write(&path, &png).unwrap();
        path
    }
}

/// One HTTP/1.1 request with `Connection: close`; (status, body).
fn http(
    host_port: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(host_port).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    // Chromium's DevTools server keeps the connection open: read the head, then Content-Length.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .expect("a Content-Length");
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).unwrap();
    (status, String::from_utf8_lossy(&body).to_string())
}

/// Just enough of RFC 6455 for the DevTools protocol: text frames, masked from the client.
struct WebSocket {
    stream: TcpStream,
}

impl WebSocket {
    fn connect(host_port: &str, path: &str) -> WebSocket {
        let mut stream = TcpStream::connect(host_port).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        stream.write_all(req.as_bytes()).unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(
            head.starts_with("HTTP/1.1 101"),
            "websocket upgrade refused: {head}"
        );
        WebSocket { stream }
    }

    fn send(&mut self, text: &str) {
        self.frame(0x1, text.as_bytes());
    }

    fn frame(&mut self, opcode: u8, payload: &[u8]) {
        let mut f = vec![0x80 | opcode];
        let n = payload.len();
        if n < 126 {
            f.push(0x80 | n as u8);
        } else if n <= usize::from(u16::MAX) {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
        let mask = [0x5a, 0x13, 0xc7, 0x2e];
        f.extend_from_slice(&mask);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&f).unwrap();
    }

    fn recv(&mut self) -> String {
        let mut message = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.stream.read_exact(&mut h).unwrap();
            let fin = h[0] & 0x80 != 0;
            let opcode = h[0] & 0x0f;
            let mut len = u64::from(h[1] & 0x7f);
            if len == 126 {
                let mut b = [0u8; 2];
                self.stream.read_exact(&mut b).unwrap();
                len = u64::from(u16::from_be_bytes(b));
            } else if len == 127 {
                let mut b = [0u8; 8];
                self.stream.read_exact(&mut b).unwrap();
                len = u64::from_be_bytes(b);
            }
            let mask = if h[1] & 0x80 != 0 {
                let mut m = [0u8; 4];
                self.stream.read_exact(&mut m).unwrap();
                Some(m)
            } else {
                None
            };
            let mut payload = vec![0u8; usize::try_from(len).unwrap()];
            self.stream.read_exact(&mut payload).unwrap();
            if let Some(m) = mask {
                for (i, b) in payload.iter_mut().enumerate() {
                    *b ^= m[i % 4];
                }
            }
            match opcode {
                0x0 | 0x1 => {
                    message.extend_from_slice(&payload);
                    if fin {
                        return String::from_utf8(message).unwrap();
                    }
                }
                0x8 => panic!("chromium closed the DevTools connection"),
                0x9 => self.frame(0xA, &payload),
                _ => {}
            }
        }
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = value(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A JavaScript string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn dashboard_shows_the_top_alert_opens_it_updates_live_and_searches() {
    let outcome = crate::demo::outcome();
    let top = &outcome.alerts[0];
    // Like `jiance demo`: reads open, writes need the operator token.
    let server = Server::start(Access::new(vec![], vec![], true).with_operator(OPERATOR));
    let mut b = Browser::launch();
    let host_port = server.base.trim_start_matches("http://").to_string();

    // 1. The ranked list: the top alert is the first row.
    b.navigate(&format!("{}/", server.base));
    b.wait_for(
        "alert rows",
        "document.querySelectorAll('#alert-rows tr').length",
    );
    let first = b.eval(
        "(() => { const r = document.querySelector('#alert-rows tr'); \
           return { id: r.dataset.id, text: r.innerText }; })()",
    );
    assert_eq!(first["id"], top.id.as_str(), "{first}");
    let row_text = first["text"].as_str().unwrap();
    assert!(row_text.contains(&top.category), "{row_text}");
    assert_eq!(
        b.eval("document.querySelectorAll('#alert-rows tr').length"),
        outcome.alerts.len().min(50)
    );
    // The live stream connects.
    b.wait_for(
        "live indicator",
        "document.querySelector('#live.on') !== null",
    );

    // 2. Open it by clicking: its page shows breakdown, evidence, sampling request, history.
    b.eval("document.querySelector('#alert-rows tr').click()");
    b.wait_for(
        "alert page",
        &format!(
            "location.hash === {} && (document.querySelector('#alert-detail h2') || {{}}).textContent === {}",
            js(&format!("#/alert/{}", top.id)),
            js(&top.category)
        ),
    );
    let detail = b.eval(
        "(() => { const d = document.querySelector('#alert-detail'); return { \
           text: d.innerText, \
           terms: d.querySelectorAll('.breakdown tbody tr').length, \
           evidence: d.querySelectorAll('.evidence li a[href^=\"http\"]').length, \
           history: d.querySelectorAll('.history tbody tr').length, \
           marks: d.querySelectorAll('.evidence .snippet b').length }; })()",
    );
    assert_eq!(detail["terms"], top.breakdown.len(), "{detail}");
    assert!(detail["evidence"].as_u64().unwrap() > 0, "{detail}");
    assert!(detail["marks"].as_u64().unwrap() > 0, "{detail}");
    assert!(detail["history"].as_u64().unwrap() > 0, "{detail}");
    let text = detail["text"].as_str().unwrap();
    assert!(
        text.contains("评分构成") && text.contains(&top.summary),
        "{text}"
    );
    b.screenshot("dashboard-alert.png");

    // 3. A change made through the API arrives over the event stream and redraws the page.
    let (status, body) = http(
        &host_port,
        "POST",
        &format!("/api/alerts/{}/ack", top.id),
        &[
            ("Authorization", &format!("Bearer {OPERATOR}")),
            ("Content-Type", "application/json"),
        ],
        r#"{"note": "浏览器测试确认"}"#,
    );
    assert_eq!(status, 200, "{body}");
    b.wait_for(
        "live toast",
        "document.querySelector('#toast').textContent.includes('已确认')",
    );
    b.wait_for(
        "acknowledged on the page",
        "document.querySelector('#alert-detail .tag-ack') !== null \
         && document.querySelector('#alert-detail').innerText.includes('浏览器测试确认')",
    );

    b.wait_for(
        "acknowledged in the list",
        &format!(
            "document.querySelector('#alert-rows tr[data-id=' + {} + '] .status-acknowledged') !== null",
            js(&js(&top.id))
        ),
    );

    // 4. Search: highlighted hits and facets.
    b.eval("location.hash = '#/search'");
    b.wait_for(
        "search view",
        "!document.querySelector('#view-search').hidden",
    );
    b.eval(
        "document.querySelector('#search-q').value = '起火'; \
         document.querySelector('#search-form').requestSubmit(); true",
    );
    b.wait_for(
        "search hits",
        "document.querySelector('#search-summary').textContent.includes('找到') \
         && document.querySelectorAll('#hits li .snippet b').length > 0",
    );
    let hits = b.eval(
        "({ hits: document.querySelectorAll('#hits > li').length, \
            marked: [...document.querySelectorAll('#hits li .snippet b')].map(b => b.textContent), \
            facets: document.querySelectorAll('#facets h3').length, \
            expansion: document.querySelector('#search-expansions').hidden ? '' : \
              document.querySelector('#search-expansions').innerText, \
            terms: (document.querySelector('#search-expansions .expansion') || {}).title || '' })",
    );
    assert!(hits["hits"].as_u64().unwrap() > 0, "{hits}");
    // The query word is shown with the concept it was expanded to, and the highlighted words
    // are that concept's words.
    let expansion = hits["expansion"].as_str().unwrap();
    assert!(
        expansion.contains("起火") && expansion.contains("火灾"),
        "{hits}"
    );
    let terms: Vec<&str> = hits["terms"].as_str().unwrap().split(" / ").collect();
    assert!(terms.contains(&"着火") && terms.contains(&"自燃"), "{hits}");
    // A mark is one of the concept's words, or several of them side by side (冒烟起火).
    assert!(
        hits["marked"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| made_of(m.as_str().unwrap(), &terms)),
        "{hits}"
    );
    assert!(hits["facets"].as_u64().unwrap() > 0, "{hits}");
    b.screenshot("dashboard-search.png");

    // 4a. Stories: the newest media documents, reposts folded under one hit that opens to list
    // them. (The newest of all are listings: of other brands, each its own story since issue 44.)
    b.eval(
        "document.querySelector('#search-q').value = 'kind:media'; \
         document.querySelector('#search-form').requestSubmit(); true",
    );
    b.wait_for(
        "a collapsed story",
        "document.querySelector('#search-summary').textContent.includes('个事件') \
         && document.querySelector('#hits details.copies') !== null",
    );
    let story = b.eval(
        "(() => { const d = document.querySelector('#hits details.copies'); \
           d.querySelector('summary').click(); \
           const hits = [...document.querySelectorAll('#hits > li')]; \
           return { open: d.open, summary: d.querySelector('summary').textContent, \
                    listed: d.querySelectorAll('li').length, hits: hits.length, \
                    summaryText: document.querySelector('#search-summary').textContent }; })()",
    );
    assert_eq!(story["open"], true, "{story}");
    let summary = story["summary"].as_str().unwrap();
    let more: u64 = summary
        .trim_start_matches("另有 ")
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{story}"));
    assert_eq!(story["listed"].as_u64().unwrap(), more, "{story}");
    b.screenshot("dashboard-search-story.png");

    // 4b. Export: the links carry the search, and the files hold every match (not one page).
    b.eval(
        "document.querySelector('#search-q').value = '起火'; \
         document.querySelector('#search-form').requestSubmit(); true",
    );
    b.wait_for(
        "search with export links",
        "!document.querySelector('#search-exports').hidden \
         && decodeURIComponent(document.querySelector('#search-csv').href).includes('q=起火')",
    );
    let export = b.eval(
        "(async () => { \
           const csv = await fetch(document.querySelector('#search-csv').href); \
           const text = await csv.text(); \
           const xlsx = await fetch(document.querySelector('#search-xlsx').href); \
           const bytes = new Uint8Array(await xlsx.arrayBuffer()); \
           return { status: csv.status, total: csv.headers.get('x-jiance-total'), \
                    header: text.replace(/^\\uFEFF/, '').split('\\n')[0].trim(), \
                    xlsxStatus: xlsx.status, xlsxType: xlsx.headers.get('content-type'), \
                    xlsxRows: xlsx.headers.get('x-jiance-rows'), \
                    zip: bytes[0] === 0x50 && bytes[1] === 0x4b, \
                    summary: document.querySelector('#search-summary').textContent }; })()",
    );
    assert_eq!(export["status"], 200, "{export}");
    let total: u64 = export["total"].as_str().unwrap().parse().unwrap();
    assert!(
        export["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("找到 {total} 篇文档")),
        "{export}"
    );
    assert!(
        export["header"]
            .as_str()
            .unwrap()
            .starts_with("id,cluster,title,url"),
        "{export}"
    );
    assert!(total > 20, "more than one page: {export}");
    assert_eq!(export["xlsxStatus"], 200, "{export}");
    assert!(
        export["xlsxType"]
            .as_str()
            .unwrap()
            .contains("spreadsheetml"),
        "{export}"
    );
    assert_eq!(
        export["xlsxRows"].as_str().unwrap(),
        total.to_string(),
        "{export}"
    );
    assert_eq!(export["zip"], true, "{export}");

    // 4b. On sale: listings of recalled products, filtered by platform and region, CSV export.
    let onsale = jiance::store::Store::open(&outcome.data.join("state.sqlite"))
        .unwrap()
        .onsale()
        .unwrap();
    assert!(!onsale.is_empty(), "the demo has on-sale findings");
    b.eval("location.hash = '#/onsale'");
    b.wait_for(
        "on-sale rows",
        "document.querySelectorAll('#onsale-rows tr').length > 0",
    );
    let page = b.eval(
        "({ rows: document.querySelectorAll('#onsale-rows tr').length, \
            first: document.querySelector('#onsale-rows tr').dataset.id, \
            text: document.querySelector('#onsale-rows').innerText, \
            platforms: [...document.querySelectorAll('#onsale-platform option')].map(o => o.value), \
            csv: document.querySelector('#onsale-csv').getAttribute('href'), \
            package: document.querySelector('#onsale-rows tr a.print').getAttribute('href') })",
    );
    assert_eq!(page["rows"], onsale.len().min(100), "{page}");
    // the first finding's packages per jurisdiction, to print
    assert!(
        page["package"]
            .as_str()
            .unwrap()
            .starts_with(&format!("/print/onsale/{}/jurisdictions", onsale[0].id)),
        "{page}"
    );
    assert_eq!(page["first"], onsale[0].id.as_str(), "{page}");
    let text = page["text"].as_str().unwrap();
    assert!(
        text.contains("通报平台") && text.contains(&onsale[0].listing.shop),
        "{text}"
    );
    assert!(
        page["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "优选商城"),
        "{page}"
    );
    assert!(
        page["csv"].as_str().unwrap().contains("format=csv"),
        "{page}"
    );
    // A region filter narrows the rows to that province's shops, and the export follows it.
    let province = onsale[0].listing.province.clone().unwrap();
    let in_province = onsale
        .iter()
        .filter(|f| f.listing.province.as_deref() == Some(province.as_str()))
        .count();
    b.eval(&format!(
        "document.querySelector('#onsale-filters [name=region]').value = {}; \
         document.querySelector('#onsale-filters').requestSubmit(); true",
        js(&province)
    ));
    b.wait_for(
        "filtered on-sale rows",
        &format!(
            "document.querySelector('#onsale-summary').textContent === {}",
            js(&format!("共 {in_province} 条"))
        ),
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#onsale-rows tr').length"),
        in_province.min(100)
    );
    let href = b.eval("document.querySelector('#onsale-csv').getAttribute('href')");
    let (status, csv) = http(&host_port, "GET", href.as_str().unwrap(), &[], "");
    assert_eq!(status, 200);
    assert_eq!(
        csv.trim_start_matches('\u{feff}').lines().count(),
        in_province + 1,
        "{csv}"
    );
    b.screenshot("dashboard-onsale.png");
    // The basis filter shows the listings breaking one rule, with their reason.
    let ccc: Vec<&jiance::model::OnSaleFinding> = onsale
        .iter()
        .filter(|f| f.flagged.basis == jiance::model::FlagBasis::Ccc)
        .collect();
    assert!(
        !ccc.is_empty(),
        "the demo seeds listings without CCC claims"
    );
    b.eval(
        "document.querySelector('#onsale-filters [name=region]').value = ''; \
         document.querySelector('#onsale-basis').value = 'ccc'; \
         document.querySelector('#onsale-filters').requestSubmit(); true",
    );
    b.wait_for(
        "CCC rows",
        &format!(
            "document.querySelector('#onsale-summary').textContent === {}",
            js(&format!("共 {} 条", ccc.len()))
        ),
    );
    let text = b.eval("document.querySelector('#onsale-rows').innerText");
    let text = text.as_str().unwrap();
    assert!(
        text.contains("未标CCC") && text.contains("强制性产品认证"),
        "{text}"
    );

    // 5. Province tiles coloured by risk, and a trend chart per category.
    b.eval("location.hash = '#/provinces'");
    b.wait_for(
        "province tiles",
        "document.querySelectorAll('#province-grid .tile').length >= 34",
    );
    if let Some(region) = top.regions.iter().find(|r| r.as_str() != "全国") {
        let level = b.eval(&format!(
            "(document.querySelector('#province-grid [data-province=' + {} + ']') || {{ dataset: {{}} }}).dataset.level",
            js(&js(region))
        ));
        assert_eq!(level, top.level.to_string(), "tile of {region}");
    }
    b.screenshot("dashboard-provinces.png");
    b.eval("location.hash = '#/stats'");
    b.wait_for(
        "trend charts",
        "document.querySelectorAll('#stats-trends figure svg polyline').length > 0",
    );
    b.eval("document.querySelector('#stats-trends').scrollIntoView(); true");
    let path = b.screenshot("dashboard-stats.png");
    assert!(std::fs::metadata(&path).unwrap().len() > 1000);

    // 6. Watchlists: a rule added in the dashboard with the operator's token is listed, kept by
    // the store (its webhook secret shown once), and removed again.
    b.eval(&format!(
        "localStorage.setItem('jiance.token', {}); location.hash = '#/watch'; true",
        js(OPERATOR)
    ));
    b.wait_for(
        "watch view",
        "!document.querySelector('#view-watch').hidden",
    );
    b.eval(&format!(
        "(() => {{ const f = document.querySelector('#watch-form').elements; \
           f['owner'].value = 'browser-test'; f['category'].value = {}; \
           f['webhook_url'].value = 'http://127.0.0.1:9/hook'; f['mode'].value = 'digest'; \
           document.querySelector('#watch-form').requestSubmit(); return true; }})()",
        js(&top.category)
    ));
    b.wait_for(
        "watch rule listed",
        "document.querySelector('#watch-secret').textContent.includes('密钥') \
         && [...document.querySelectorAll('#watch-rows tr')].some(r => r.innerText.includes('browser-test'))",
    );
    let (status, body) = http(
        &host_port,
        "GET",
        "/api/watch-rules?owner=browser-test",
        &[],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    let rules = listed["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{body}");
    assert_eq!(rules[0]["category"], top.category.as_str());
    assert_eq!(rules[0]["mode"], "digest");
    assert_eq!(rules[0]["webhook"]["secret"], "********", "hidden in lists");
    b.screenshot("dashboard-watch.png");
    b.eval(
        "[...document.querySelectorAll('#watch-rows tr')].find(r => r.innerText.includes('browser-test')) \
           .querySelector('.watch-remove').click(); true",
    );
    b.wait_for(
        "watch rule removed",
        "![...document.querySelectorAll('#watch-rows tr')].some(r => r.innerText.includes('browser-test'))",
    );
    let (_, body) = http(
        &host_port,
        "GET",
        "/api/watch-rules?owner=browser-test",
        &[],
        "",
    );
    assert!(body.contains("\"rules\":[]"), "{body}");
}

#[test]
fn dashboard_cases_triage_by_a_named_user_and_a_label() {
    const ANALYST: &str = "analyst-token-browser";
    let server = Server::start(Access::new(vec![], vec![], true).with_operator(OPERATOR));
    assert!(
        server
            .store()
            .add_user("王芳", "analyst", &jiance::store::token_digest(ANALYST))
            .unwrap()
    );
    let mut b = Browser::launch();
    b.navigate(&format!("{}/", server.base));
    b.wait_for("the page", "document.querySelector('#token') !== null");
    b.eval(&format!(
        "localStorage.setItem('jiance.token', {}); true",
        js(ANALYST)
    ));
    // a new query string: a full load, which reads the stored token
    b.navigate(&format!("{}/?as=analyst#/cases", server.base));
    b.wait_for(
        "the analyst named",
        "(document.querySelector('#whoami') || {textContent: ''}).textContent.includes('王芳')",
    );
    // 1. The cases view lists the demo's cases; one opens with its timeline.
    b.wait_for(
        "case rows",
        "document.querySelectorAll('#case-rows tr[data-id]').length",
    );
    b.eval("document.querySelector('#case-rows tr[data-id]').click(); true");
    b.wait_for(
        "case page",
        "document.querySelectorAll('#case-detail .case-timeline tbody tr').length > 0 \
         && document.querySelector('#case-detail .triage-moves button') !== null",
    );
    // 2. Triage by the named user: the history names her.
    b.eval("document.querySelector('#case-detail .triage-move[data-to=review]').click(); true");
    b.wait_for(
        "triage recorded with the name",
        "[...document.querySelectorAll('#case-detail .triage-history .who')].some(td => td.textContent === '王芳') \
         && document.querySelector('#case-detail .triage-review') !== null",
    );
    // 3. A label on one of the case's documents.
    b.eval("document.querySelector('#case-detail .label-open').click(); true");
    b.wait_for(
        "label form",
        "document.querySelector('#case-detail .label-box select') !== null",
    );
    b.eval(
        "(() => { const box = document.querySelector('#case-detail .label-box'); \
           box.querySelector('select').value = 'not-relevant'; \
           box.querySelector('.label-send').click(); return true; })()",
    );
    b.wait_for(
        "label stored",
        "(document.querySelector('#case-detail .label-done') || {textContent: ''}).textContent.includes('王芳')",
    );
    // 4. A document the case does not hold, attached by her: it joins the timeline, marked.
    b.wait_for(
        "documents to attach",
        "document.querySelector('#case-detail .attach-doc') !== null",
    );
    let doc = b.eval(
        "(() => { const btn = document.querySelector('#case-detail .attach-doc'); \
           btn.click(); return btn.dataset.doc; })()",
    );
    let doc = doc.as_str().unwrap().to_string();
    b.wait_for(
        "attached document in the timeline",
        "document.querySelector('#case-detail .case-timeline tr.attached') !== null",
    );
    b.screenshot("dashboard-case.png");
    let cases: Vec<jiance::review::Case> = server.store().cases().unwrap();
    assert!(
        cases
            .iter()
            .any(|c| c.timeline.iter().any(|e| e.doc_id == doc && e.attached)),
        "{doc} attached to no case"
    );
    let labels: Vec<jiance::review::Label> = server.store().labels(None).unwrap();
    assert_eq!(labels.len(), 1);
    assert_eq!(
        (labels[0].by.as_str(), labels[0].kind),
        ("王芳", jiance::review::LabelKind::NotRelevant)
    );
}

/// A p-value as the page writes it (`6.2×10⁻³`, or `0`) back to a number.
fn read_p(text: &str) -> f64 {
    if text == "0" {
        return 0.0;
    }
    let (m, e) = text
        .split_once("×10")
        .unwrap_or_else(|| panic!("{text:?} is not in scientific notation"));
    let e: String = e
        .chars()
        .map(|c| match c {
            '⁻' => '-',
            '⁰' => '0',
            '¹' => '1',
            '²' => '2',
            '³' => '3',
            '⁴' => '4',
            '⁵' => '5',
            '⁶' => '6',
            '⁷' => '7',
            '⁸' => '8',
            '⁹' => '9',
            other => panic!("{other:?} in the exponent of {text:?}"),
        })
        .collect();
    let m: f64 = m.parse().unwrap_or_else(|_| panic!("mantissa of {text:?}"));
    let e: i32 = e.parse().unwrap_or_else(|_| panic!("exponent of {text:?}"));
    m * 10f64.powi(e)
}

/// What sticks out at the page's width: elements whose right edge is past the viewport, and
/// boxes of the alert page that scroll sideways (content cut off inside them).
const OVERFLOW: &str = "(() => { \
    const vw = document.documentElement.clientWidth; \
    const name = (e) => e.tagName + '.' + (e.getAttribute('class') || '') + '#' + (e.id || ''); \
    const past = [...document.querySelectorAll('body *')].filter((e) => { \
      const r = e.getBoundingClientRect(); \
      return r.width > 0 && r.right > vw + 0.5 && e.checkVisibility(); }) \
      .map((e) => name(e) + ' right=' + Math.round(e.getBoundingClientRect().right)); \
    const scrolled = [...document.querySelectorAll('#alert-detail, #alert-detail *')] \
      .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') \
      .map((e) => name(e) + ' ' + e.scrollWidth + '>' + e.clientWidth); \
    return { scroll_width: document.documentElement.scrollWidth, client_width: vw, \
             window_width: window.innerWidth, \
             past: past.slice(0, 12), scrolled: scrolled.slice(0, 12) }; })()";

fn assert_fits(b: &mut Browser, when: &str) {
    let o = b.eval(OVERFLOW);
    // 1280 px wide, less a vertical scrollbar if the page has one
    assert_eq!(o["window_width"], 1280, "{when}: {o}");
    assert!(
        o["scroll_width"].as_u64().unwrap() <= o["client_width"].as_u64().unwrap(),
        "{when}: the page scrolls sideways: {o}"
    );
    assert!(
        o["past"].as_array().unwrap().is_empty(),
        "{when}: elements past the right edge: {o}"
    );
    assert!(
        o["scrolled"].as_array().unwrap().is_empty(),
        "{when}: parts of the alert page cut off in a sideways-scrolling box: {o}"
    );
}

/// The alert page an analyst reads, at 1280 px: a chart of the cell's daily counts against the
/// baseline's expected band (inline SVG), the reasons one sentence each, the statistical
/// breakdown folded under 统计细节, p-values in one scientific form that agrees with the API's
/// number, and nothing past the right edge, folded or unfolded (issue 44).
#[test]
fn the_alert_page_charts_the_days_and_fits_1280_px() {
    let outcome = crate::demo::outcome();
    let top = &outcome.alerts[0];
    assert!(!top.daily.is_empty() && !top.reasons.is_empty(), "{top:?}");
    let server = Server::start(Access::new(vec![], vec![], true).with_operator(OPERATOR));
    let host_port = server.base.trim_start_matches("http://").to_string();
    let mut b = Browser::launch();
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );
    b.navigate(&format!("{}/#/alert/{}", server.base, top.id));
    b.wait_for(
        "alert page with its chart",
        &format!(
            "(document.querySelector('#alert-detail h2') || {{}}).textContent === {} \
             && document.querySelector('#alert-detail svg.daily-chart') !== null",
            js(&top.category)
        ),
    );
    // the chart: one bar per day, the band and the expectation drawn, the window marked
    let chart = b.eval(
        "(() => { const c = document.querySelector('#alert-detail svg.daily-chart'); \
           const r = c.getBoundingClientRect(); return { \
           bars: c.querySelectorAll('rect.obs').length, \
           window_bars: c.querySelectorAll('rect.obs.in-window').length, \
           bands: [...c.querySelectorAll('polygon.band')].filter((p) => p.points.length >= 3).length, \
           expected: c.querySelectorAll('polyline.expected').length, \
           window: c.querySelectorAll('rect.window-bg').length, \
           width: r.width, height: r.height, label: c.getAttribute('aria-label') }; })()",
    );
    let window_days = top.daily.iter().filter(|d| d.window).count();
    assert_eq!(chart["bars"], top.daily.len(), "{chart}");
    assert_eq!(chart["window_bars"], window_days, "{chart}");
    assert!(chart["bands"].as_u64().unwrap() >= 1, "{chart}");
    assert!(chart["expected"].as_u64().unwrap() >= 1, "{chart}");
    assert_eq!(chart["window"], 1, "{chart}");
    assert!(chart["width"].as_f64().unwrap() >= 300.0, "{chart}");
    // the top alert's days rise out of the band
    assert!(
        top.daily.iter().any(|d| d.window && d.observed > d.high),
        "{:?}",
        top.daily
    );
    // the reasons, one sentence each
    let reasons: Vec<String> = serde_json::from_value(b.eval(
        "[...document.querySelectorAll('#alert-detail ol.reasons li')].map((li) => li.textContent)",
    ))
    .unwrap();
    assert_eq!(reasons, top.reasons);
    for r in &reasons {
        assert!(
            r.ends_with('。') && r.matches('。').count() == 1,
            "not one sentence: {r}"
        );
    }
    // the breakdown folded under 统计细节, every term in it
    let folded = b.eval(
        "(() => { const d = document.querySelector('#alert-detail details.stats-details'); return { \
           open: d.open, summary: d.querySelector('summary').textContent, \
           rows: d.querySelectorAll('tbody tr').length, \
           shown: d.querySelector('table').checkVisibility() }; })()",
    );
    assert_eq!(folded["open"], false, "{folded}");
    assert!(
        folded["summary"].as_str().unwrap().contains("统计细节"),
        "{folded}"
    );
    assert_eq!(folded["rows"], top.breakdown.len(), "{folded}");
    assert_eq!(folded["shown"], false, "folded: {folded}");
    assert_fits(&mut b, "folded");
    let folded_png = b.screenshot("alert-page-1280.png");

    // the p-value: the API's number, written the same way in the facts, the breakdown and any
    // sentence that quotes it
    let (status, body) = http(
        &host_port,
        "GET",
        &format!("/api/alerts/{}", top.id),
        &[],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let api: Value = serde_json::from_str(&body).unwrap();
    let p = api["alert"]["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "p_value")
        .and_then(|t| t["value"].as_f64())
        .expect("a p_value term");
    b.eval("document.querySelector('#alert-detail details.stats-details').open = true; true");
    let shown = b.eval(
        "(() => { const d = document.querySelector('#alert-detail'); return { \
           fact: d.querySelector('.p-value').textContent, \
           row: d.querySelector('tr[data-term=p_value] td.num').textContent, \
           text: d.innerText }; })()",
    );
    let fact = shown["fact"].as_str().unwrap();
    assert_eq!(shown["row"], fact, "{shown}");
    let read = read_p(fact);
    assert!(
        (p == 0.0 && read == 0.0) || ((read - p) / p).abs() <= 0.05,
        "the page shows p = {fact} ({read}), the API says {p}"
    );
    let text = shown["text"].as_str().unwrap();
    for quoted in text.split("p=").skip(1) {
        let number: String = quoted
            .chars()
            .take_while(|c| c.is_ascii_digit() || ".×⁻⁰¹²³⁴⁵⁶⁷⁸⁹".contains(*c))
            .collect();
        read_p(&number);
    }
    assert!(
        !text.contains("0.000"),
        "a figure rounded to nothing: {text}"
    );
    assert_fits(&mut b, "unfolded");
    b.eval("document.querySelector('#alert-detail details.stats-details').scrollIntoView(); true");
    let unfolded_png = b.screenshot("alert-page-1280-details.png");
    // every other alert's page fits too (other regions, brands, sampling requests)
    for a in outcome.alerts.iter().skip(1) {
        b.eval(&format!(
            "location.hash = {}; true",
            js(&format!("#/alert/{}", a.id))
        ));
        b.wait_for(
            "another alert's page",
            &format!(
                "(document.querySelector('#alert-detail h2') || {{}}).textContent === {} \
                 && document.querySelectorAll('#alert-detail svg.daily-chart rect.obs').length === {}",
                js(&a.category),
                a.daily.len()
            ),
        );
        assert_fits(&mut b, &format!("{} folded", a.id));
        b.eval("document.querySelector('#alert-detail details.stats-details').open = true; true");
        assert_fits(&mut b, &format!("{} unfolded", a.id));
    }
    eprintln!(
        "screenshots: {} {}",
        folded_png.display(),
        unfolded_png.display()
    );
}

/// Whether `mark` is one or more of `words` written one after another.
fn made_of(mark: &str, words: &[&str]) -> bool {
    let mut reach = vec![false; mark.len() + 1];
    reach[0] = true;
    for at in 0..mark.len() {
        if !reach[at] || !mark.is_char_boundary(at) {
            continue;
        }
        for w in words.iter().filter(|w| !w.is_empty()) {
            if mark[at..].starts_with(w) {
                reach[at + w.len()] = true;
            }
        }
    }
    reach[mark.len()]
}

/// What the centre hands on and publishes (issue 47), each page in the browser over the demo's
/// data: the inspection records searched by a word, the parties with the repeat offenders first
/// and one party's history in time order, a warning drafted from the top alert, edited, refused
/// to a configured token and approved by a named user, and the quarter's risk list on the
/// Stats page — each compared with what the library computes from the same store.
#[test]
fn dashboard_inspections_parties_warnings_and_the_risk_list() {
    const ANALYST: &str = "analyst-token-centre";
    let outcome = crate::demo::outcome();
    let top = &outcome.alerts[0];
    let server = Server::start(Access::new(vec![], vec![], true).with_operator(OPERATOR));
    let store = server.store();
    assert!(
        store
            .add_user("李敏", "analyst", &jiance::store::token_digest(ANALYST))
            .unwrap()
    );
    let records = store
        .inspections(&jiance::store::InspectionQuery::default())
        .unwrap();
    let market = jiance::market::MarketRules::load(None).unwrap();
    let party_rules = jiance::review::PartyRules::load(None).unwrap();
    let parties = jiance::review::parties::from_store(&store, &market, &party_rules).unwrap();
    let repeat: Vec<&jiance::review::PartyHistory> =
        parties.iter().filter(|p| !p.repeat.is_empty()).collect();
    assert!(!records.is_empty(), "the demo has inspection records");
    assert!(repeat.len() >= 2, "the demo has repeat offenders");
    let mut b = Browser::launch();
    let host_port = server.base.trim_start_matches("http://").to_string();
    b.navigate(&format!("{}/", server.base));
    b.wait_for("the page", "document.querySelector('#token') !== null");
    b.eval(&format!(
        "localStorage.setItem('jiance.token', {}); true",
        js(OPERATOR)
    ));

    // 1. Inspection records: every record, then those a party's name finds.
    b.navigate(&format!("{}/?as=operator#/inspections", server.base));
    b.wait_for(
        "inspection rows",
        &format!(
            "document.querySelectorAll('#inspection-rows tr').length === {}",
            records.len().min(1000)
        ),
    );
    let summary = b.eval("document.querySelector('#inspections-summary').textContent");
    assert!(
        summary
            .as_str()
            .unwrap()
            .contains(&format!("/ {} 条记录", records.len())),
        "{summary}"
    );
    // a failing enterprise some records name and others do not
    let word = records
        .iter()
        .flat_map(|r| r.record.parties.iter().map(|p| p.name.clone()))
        .find(|n| {
            let holding = records
                .iter()
                .filter(|r| r.record.parties.iter().any(|p| &p.name == n))
                .count();
            holding < records.len()
        })
        .expect("a party not every record names");
    b.eval(&format!(
        "document.querySelector('#inspection-q').value = {}; \
         document.querySelector('#inspection-filters').requestSubmit(); true",
        js(&word)
    ));
    b.wait_for(
        "searched rows",
        &format!(
            "document.querySelectorAll('#inspection-rows tr').length < {} \
             && document.querySelectorAll('#inspection-rows tr').length > 0",
            records.len()
        ),
    );
    let rows =
        b.eval("[...document.querySelectorAll('#inspection-rows tr')].map(r => r.innerText)");
    for row in rows.as_array().unwrap() {
        assert!(row.as_str().unwrap().contains(&word), "{row}");
    }
    b.screenshot("dashboard-inspections.png");

    // 2. Parties: repeat offenders first, each with its rule and evidence; one party's history.
    b.eval("location.hash = '#/parties'; true");
    b.wait_for(
        "party rows",
        &format!(
            "document.querySelectorAll('#party-rows tr').length === {}",
            parties.len().min(500)
        ),
    );
    let listed = b.eval(
        "[...document.querySelectorAll('#party-rows tr')].slice(0, 40).map(r => ({ key: r.dataset.key, \
           repeat: r.querySelector('.tag-repeat') !== null, evidence: r.querySelectorAll('.repeat-evidence li').length }))",
    );
    let listed = listed.as_array().unwrap();
    for (i, p) in repeat.iter().enumerate() {
        assert_eq!(listed[i]["key"], p.key.as_str(), "{listed:?}");
        assert_eq!(listed[i]["repeat"], true, "{listed:?}");
        let evidence: usize = p.repeat.iter().map(|m| m.evidence.len()).sum();
        assert_eq!(listed[i]["evidence"], evidence, "{listed:?}");
    }
    assert_eq!(listed[repeat.len()]["repeat"], false, "{listed:?}");
    let summary = b.eval("document.querySelector('#parties-summary').textContent");
    assert!(
        summary
            .as_str()
            .unwrap()
            .contains(&format!("其中重复违法 {} 个", repeat.len())),
        "{summary}"
    );
    let first = repeat[0];
    b.eval("document.querySelector('#party-rows tr').click(); true");
    b.wait_for(
        "the party's history",
        &format!(
            "document.querySelectorAll('#party-detail .party-timeline tbody tr').length === {}",
            first.events.len()
        ),
    );
    let page = b.eval(
        "({ head: document.querySelector('#party-detail h2').textContent, \
            days: [...document.querySelectorAll('#party-detail .party-timeline tbody tr td:first-child')].map(td => td.textContent), \
            marked: document.querySelectorAll('#party-detail .party-timeline tr.evidence-event').length, \
            why: document.querySelector('#party-detail .party-repeat').innerText })",
    );
    assert_eq!(page["head"], first.key.as_str(), "{page}");
    let days: Vec<&str> = page["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .filter(|d| *d != "日期不详")
        .collect();
    assert!(days.len() >= 2, "{page}");
    assert!(
        days.windows(2).all(|w| w[0] <= w[1]),
        "in time order: {page}"
    );
    assert!(page["marked"].as_u64().unwrap() >= 2, "{page}");
    assert!(
        page["why"]
            .as_str()
            .unwrap()
            .contains(&first.repeat[0].rule),
        "{page}"
    );
    b.screenshot("dashboard-party.png");

    // 3. Warnings: drafted from the top alert, edited, refused to the configured operator token
    // (no person's name), approved by the named analyst.
    b.eval(&format!(
        "location.hash = '#/alert/' + encodeURIComponent({}); true",
        js(&top.id)
    ));
    b.wait_for(
        "the draft button",
        "document.querySelector('#alert-detail .warning-draft') !== null",
    );
    b.eval("document.querySelector('#alert-detail .warning-draft').click(); true");
    let warning_id = format!("w-{}", top.id);
    b.wait_for(
        "the draft",
        &format!(
            "location.hash === '#/warning/' + encodeURIComponent({}) \
             && document.querySelector('#warning-detail .warning-edit textarea') !== null \
             && document.querySelector('#warning-detail .warning-edit textarea').value.includes({})",
            js(&warning_id),
            js(&top.category)
        ),
    );
    b.wait_for(
        "the draft listed",
        "[...document.querySelectorAll('#warning-rows tr')].some(r => r.innerText.includes('草稿'))",
    );
    b.eval(
        "(() => { const box = document.querySelector('#warning-detail'); \
           box.querySelector('input[name=title]').value = '消费提示：选购时查看认证标志（浏览器测试修改）'; \
           box.querySelector('.warning-save').click(); return true; })()",
    );
    b.wait_for(
        "the edit saved",
        "document.querySelector('#warning-detail h2').textContent.includes('浏览器测试修改')",
    );
    b.eval("document.querySelector('#warning-detail .warning-approve').click(); true");
    b.wait_for(
        "the approval refused to a configured token",
        "document.querySelector('#warning-detail .warning-note').textContent.includes('发布失败')",
    );
    assert!(
        store
            .warning(&warning_id)
            .unwrap()
            .unwrap()
            .approved_by
            .is_none()
    );
    b.eval(&format!(
        "localStorage.setItem('jiance.token', {}); true",
        js(ANALYST)
    ));
    b.navigate(&format!(
        "{}/?as=analyst#/warning/{}",
        server.base, warning_id
    ));
    b.wait_for(
        "the analyst named",
        "(document.querySelector('#whoami') || {textContent: ''}).textContent.includes('李敏') \
         && document.querySelector('#warning-detail .warning-approve') !== null",
    );
    b.eval("document.querySelector('#warning-detail .warning-approve').click(); true");
    b.wait_for(
        "published in her name",
        "(document.querySelector('#warning-detail .tag-published') || {textContent: ''}).textContent.includes('李敏') \
         && [...document.querySelectorAll('#warning-rows tr')].some(r => r.innerText.includes('审核 李敏'))",
    );
    let w = store.warning(&warning_id).unwrap().unwrap();
    assert_eq!(w.approved_by.as_deref(), Some("李敏"));
    assert!(w.title.contains("浏览器测试修改"), "{w:?}");
    let (status, feed) = http(&host_port, "GET", "/feeds/warnings.atom", &[], "");
    assert_eq!(status, 200);
    assert!(
        feed.contains("浏览器测试修改") && feed.contains("李敏"),
        "{feed}"
    );
    b.screenshot("dashboard-warning.png");

    // 4. Stats: the quarter's risk list, as `jiance report --risk-list` ranks it.
    let signals = store.signals().unwrap();
    let day = signals.iter().map(|s| s.day()).max().unwrap();
    let listings: Vec<_> = store
        .records(&[jiance::model::DocKind::Listing])
        .unwrap()
        .iter()
        .map(|(d, e)| jiance::market::listing(d, e))
        .collect();
    let rows = jiance::report::risk::build_risk_list(
        day,
        &signals,
        &store.alerts().unwrap(),
        &records,
        &listings,
    );
    let (quarter, _, _) = jiance::report::risk::quarter_of(day);
    assert!(!rows.is_empty());
    b.eval("location.hash = '#/stats'; true");
    b.wait_for(
        "risk rows",
        &format!(
            "document.querySelectorAll('#stats-risk tbody tr').length === {}",
            rows.len().min(30)
        ),
    );
    let shown = b.eval(
        "({ quarter: document.querySelector('#risk-quarter').textContent, \
            first: document.querySelector('#stats-risk tbody tr').dataset.category + '/' \
              + document.querySelector('#stats-risk tbody tr').dataset.hazard, \
            unclassified: document.querySelectorAll('#stats-unclassified tbody tr').length, \
            csv: document.querySelector('#risk-csv').getAttribute('href') })",
    );
    assert!(
        shown["quarter"].as_str().unwrap().starts_with(&quarter),
        "{shown}"
    );
    assert_eq!(
        shown["first"],
        format!("{}/{}", rows[0].category, rows[0].hazard),
        "{shown}"
    );
    let (status, csv) = http(&host_port, "GET", shown["csv"].as_str().unwrap(), &[], "");
    assert_eq!(status, 200);
    assert_eq!(csv.lines().count(), rows.len() + 1, "{csv}");
    b.eval("document.querySelector('#stats-risk').scrollIntoView(); true");
    b.screenshot("dashboard-risk-list.png");
}
