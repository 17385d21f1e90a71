//! Human output: the ranked alert table, search hits, and progress bars over the stage counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use jiance::index::SearchResults;
use jiance::model::Alert;
use jiance::telemetry::Counters;
use unicode_width::UnicodeWidthStr;

/// The JSON form of alerts `demo --json` and `alerts --json` print.
pub fn alerts_json(alerts: &[Alert]) -> serde_json::Value {
    serde_json::Value::Array(
        alerts
            .iter()
            .map(|a| {
                serde_json::json!({
                    "id": a.id,
                    "category": a.category,
                    "hazards": a.hazards,
                    "scope": a.scope,
                    "regions": a.regions,
                    "level": a.level,
                    "action": a.action,
                    "score": a.score,
                    "evidence": a.evidence,
                    "status": a.status,
                    "first_seen": a.first_seen,
                    "summary": a.summary,
                    "jurisdictions": a.jurisdictions,
                })
            })
            .collect(),
    )
}

fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

fn truncate(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width.saturating_sub(1) {
            out.push('…');
            return out;
        }
        w += cw;
        out.push(c);
    }
    out
}

/// Print rows as aligned columns (CJK characters count double).
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(UnicodeWidthStr::width(c.as_str()));
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(header.iter().map(|s| s.to_string()).collect());
    line(widths.iter().map(|w| "─".repeat(*w)).collect());
    for r in rows {
        line(r.clone());
    }
}

pub fn print_alerts(alerts: &[Alert]) {
    if alerts.is_empty() {
        println!("no alerts");
        return;
    }
    let rows: Vec<Vec<String>> = alerts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            vec![
                (i + 1).to_string(),
                a.level.to_string(),
                a.action.as_str().to_string(),
                a.scope.as_str().to_string(),
                a.category.clone(),
                truncate(&a.hazards.join("、"), 24),
                truncate(&a.regions.join("、"), 36),
                a.evidence.len().to_string(),
            ]
        })
        .collect();
    table(
        &[
            "rank", "level", "action", "scope", "category", "hazards", "regions", "evidence",
        ],
        &rows,
    );
}

pub fn print_onsale(found: &[&jiance::model::OnSaleFinding]) {
    if found.is_empty() {
        println!("no on-sale findings");
        return;
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|f| {
            vec![
                format!("{:.2}", f.confidence),
                f.listing.platform.clone(),
                truncate(&f.listing.shop, 20),
                f.listing.province.clone().unwrap_or_default(),
                truncate(&f.listing.title, 30),
                f.flagged.basis.as_str().to_string(),
                truncate(
                    &if f.flagged.basis.is_match() {
                        format!("{} {}", f.flagged.brand, f.flagged.model)
                    } else {
                        f.reason.clone()
                    },
                    30,
                ),
                f.matched.join("+"),
                f.listing.url.clone(),
            ]
        })
        .collect();
    table(
        &[
            "conf",
            "platform",
            "shop",
            "province",
            "listing",
            "basis",
            "product / reason",
            "matched",
            "url",
        ],
        &rows,
    );
    println!("\n{} listings to notify to their platforms", found.len());
}

pub fn print_search(r: &SearchResults) {
    match r.stories {
        Some(n) => println!("{} documents in {n} stories", r.total),
        None => println!("{} documents", r.total),
    }
    for e in &r.expansions {
        println!("{} → {}: {}", e.word, e.concept, e.terms.join(" / "));
    }
    for (name, value) in &r.query_filters {
        println!("filter {name}: {value}");
    }
    for h in &r.hits {
        let snippet = h
            .snippet
            .replace("<b>", "\x1b[1m")
            .replace("</b>", "\x1b[0m")
            .replace('\n', " ");
        println!(
            "\n{}  [{}] {}  {}\n  {}\n  {}",
            h.published.as_deref().unwrap_or("----------"),
            h.kind,
            h.title,
            h.categories.join("、"),
            h.url,
            truncate(&snippet, 160)
        );
        if h.copies > 1 {
            println!(
                "  {} copies from {} (ids: {})",
                h.copies,
                h.sources.join("、"),
                h.others
                    .iter()
                    .map(|o| o.id.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }
    if !r.histogram.is_empty() {
        let max = r
            .histogram
            .iter()
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(1)
            .max(1);
        println!();
        for (label, n) in &r.histogram {
            let bar = "█".repeat(((*n * 40).div_ceil(max)) as usize);
            println!("{label}  {n:>6}  {bar}");
        }
    }
    for (facet, counts) in &r.facets {
        if counts.is_empty() {
            continue;
        }
        let top: Vec<String> = counts
            .iter()
            .take(8)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("\n{facet}: {}", top.join(" · "));
    }
}

/// Progress bars over the stage counters, redrawn by a background thread until `finish`.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub fn start(counters: Arc<Counters>) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template("{spinner} {prefix:>8} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bars: Vec<ProgressBar> = ["crawl", "parse", "analyze", "index"]
            .iter()
            .map(|name| {
                let b = multi.add(ProgressBar::new_spinner());
                b.set_style(style.clone());
                b.set_prefix(name.to_string());
                b
            })
            .collect();
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            loop {
                let finished = flag.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let stages = counters.stages();
                for (bar, (name, c)) in bars.iter().zip(stages.iter()) {
                    let received = c.get_received();
                    let rejected = c.rejected_total();
                    let msg = match *name {
                        "crawl" => format!(
                            "{received} pages  {:.1} MB  {:.0}/s  {rejected} failed",
                            c.bytes.load(Ordering::Relaxed) as f64 / 1e6,
                            received as f64 / secs
                        ),
                        "analyze" => format!("{received} documents  {} not signals", rejected),
                        _ => format!(
                            "{received} in  {} out  {rejected} rejected",
                            c.get_emitted()
                        ),
                    };
                    bar.set_message(msg);
                    bar.tick();
                }
                if finished {
                    for b in &bars {
                        b.finish();
                    }
                    return;
                }
                std::thread::sleep(Duration::from_millis(120));
            }
        });
        Progress {
            done,
            thread: Some(thread),
        }
    }

    pub fn finish(mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
