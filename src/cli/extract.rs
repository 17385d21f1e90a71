//! `jiance extract`: JSON Lines in, one extraction per line out. A bad line is reported on stderr
//! with its number and the rest go on. Each output line has the keys (`id`, `categories`,
//! `hazards`, `regions` [{province, city, code, role}], `is_signal`, `kind`, `parties`, `standards`
//! [{number, mandatory}], `cluster`) and, beside them, `reason` (why not a signal), `facts` (model and
//! batch numbers, counts), `vulnerable`, `findings` and `inspections` (an inspection notice's results, a record per
//! product).

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::Result;
use jiance::analyze::{Analyzer, ClusterIndex};
use jiance::model::{Channel, DocKind, Document, doc_id};
use jiance::pipeline::RuleDirs;
use serde::Deserialize;

#[derive(Deserialize)]
struct Input {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    published: Option<String>,
}

pub fn run(dirs: &RuleDirs, cluster_window: usize) -> Result<ExitCode> {
    let analyzer = match Analyzer::load(dirs.rules.as_deref(), dirs.dictionaries.as_deref()) {
        Ok(a) => a,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            anyhow::bail!("rules or dictionaries have {} error(s)", errors.len());
        }
    };
    let mut clusters = match cluster_window {
        0 => ClusterIndex::new(),
        n => ClusterIndex::windowed(n),
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut bad = 0usize;
    for (n, line) in stdin.lock().lines().enumerate() {
        let lineno = n + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("line {lineno}: cannot read: {e}");
                bad += 1;
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let input: Input = match serde_json::from_str(&line) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("line {lineno}: not a JSON object with \"id\" and \"text\": {e}");
                bad += 1;
                continue;
            }
        };
        let kind = match input.kind.as_deref() {
            None => None,
            Some(k) => match DocKind::parse(k) {
                Some(k) => Some(k),
                None => {
                    eprintln!(
                        "line {lineno}: unknown kind {k:?} (listing, complaint, media, notice, recall, inspection, standard); inferring it"
                    );
                    None
                }
            },
        };
        let id = match &input.id {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let published_at = input
            .published
            .as_deref()
            .and_then(jiance::parse::parse_date);
        let doc = Document {
            id: id.clone(),
            source: "stdin".into(),
            channel: Channel::Media,
            kind,
            url: format!("stdin:{}", doc_id(&id)),
            title: input.title.unwrap_or_default(),
            text: input.text,
            published_at,
            fetched_at: chrono::Utc::now(),
            fields: Default::default(),
            rows: Vec::new(),
            region_hint: None,
            weight: 1.0,
        };
        let (ex, facts) = analyzer.analyze_with_facts(&doc, &mut clusters);
        let mut hazards: Vec<&str> = Vec::new();
        for h in ex.hazards.iter().filter(|h| !h.negated && !h.hypothetical) {
            if !hazards.contains(&h.hazard.as_str()) {
                hazards.push(&h.hazard);
            }
        }
        let regions: Vec<serde_json::Value> = ex
            .regions
            .iter()
            .map(|r| serde_json::json!({"province": r.province, "city": r.city, "code": r.code, "role": r.role, "text": r.text}))
            .collect();
        let line = serde_json::json!({
            "id": input.id,
            "categories": ex.categories,
            "hazards": hazards,
            "regions": regions,
            "is_signal": ex.is_signal,
            "reason": ex.reason,
            "kind": ex.kind,
            "parties": ex.parties,
            "standards": facts.standards,
            "facts": {"models": facts.models, "batches": facts.batches, "counts": facts.counts},
            "vulnerable": ex.vulnerable,
            "findings": ex.findings,
            "inspections": ex.inspections,
            "cluster": ex.cluster,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    // The process ends here: freeing the analyzer's tables (many small allocations) was a tenth
    // of a one-line run, and the system takes the memory back at exit anyway.
    std::mem::forget(analyzer);
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
