//! `jiance users`, `jiance labels`, `jiance cases` and `jiance check --labels`: the analysts' loop
//! from the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use jiance::pipeline::RuleDirs;
use jiance::review::{Case, Label, labelled_texts};
use jiance::serve::Role;

use super::{DataArg, open_store};

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a named user and print their token once (the store keeps only its SHA-256). Viewers
    /// read; analysts also triage alerts and cases and label documents; operators do everything.
    Add {
        name: String,
        #[arg(long, value_parser = ["viewer", "analyst", "operator"], default_value = "analyst")]
        role: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// List users: name, role, created, revoked.
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a user's token (the name stays in the history it signed).
    Revoke {
        name: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum LabelsCommand {
    /// Write every labelled document as one labelled text per line, in the evaluation format of
    /// the real-text set (id, genre, is_risk_signal, text, date, products, hazards, regions,
    /// note) plus `labelled` (the fields analysts corrected) and `labelled_by`.
    Export {
        #[command(flatten)]
        data: DataArg,
        /// Output file [default: stdout]
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn users(cmd: UsersCommand) -> Result<ExitCode> {
    match cmd {
        UsersCommand::Add { name, role, data } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
                bail!("user name {name:?}: 1 to 64 characters, no control characters");
            }
            if Role::parse(&role).is_none() {
                bail!("role {role:?}: viewer, analyst or operator");
            }
            let store = open_store(&data.data)?;
            let token: String = rand::random::<[u8; 24]>()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if !store.add_user(&name, &role, &jiance::store::token_digest(&token))? {
                bail!(
                    "a user {name:?} exists already in {} (`jiance users revoke` first, then add under another name)",
                    data.data.display()
                );
            }
            eprintln!("added {name} ({role}); the token is shown this once:");
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::List { data, json } => {
            let users = open_store(&data.data)?.users()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else if users.is_empty() {
                println!("no users (add one with `jiance users add NAME --role analyst`)");
            } else {
                for u in &users {
                    println!(
                        "{:<16} {:<9} added {}{}",
                        u.name,
                        u.role,
                        day(&u.created_at),
                        u.revoked_at
                            .as_deref()
                            .map(|r| format!(", revoked {}", day(r)))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::Revoke { name, data } => {
            if open_store(&data.data)?.revoke_user(&name)? {
                println!("revoked {name}");
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("no active user {name:?} in {}", data.data.display())
            }
        }
    }
}

/// The day of a stored RFC 3339 time (the whole text if it is not one).
fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

pub fn labels(cmd: LabelsCommand) -> Result<ExitCode> {
    match cmd {
        LabelsCommand::Export { data, out } => {
            let labels: Vec<Label> = open_store(&data.data)?.labels(None)?;
            let texts = labelled_texts(&labels);
            let mut buf = Vec::new();
            for t in &texts {
                serde_json::to_writer(&mut buf, t)?;
                buf.push(b'\n');
            }
            match out {
                Some(path) => {
                    jiance::util::fsx::write_atomic(&path, &buf)
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!(
                        "{} labelled texts from {} labels → {}",
                        texts.len(),
                        labels.len(),
                        path.display()
                    );
                }
                None => std::io::stdout().write_all(&buf)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `jiance cases`: the cases of the last scoring run.
pub fn cases(data: &Path, json: bool) -> Result<ExitCode> {
    let store = open_store(data)?;
    let cases: Vec<Case> = store.cases()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&cases)?);
        return Ok(ExitCode::SUCCESS);
    }
    if cases.is_empty() {
        println!("no cases (run `jiance run --once` or `jiance demo` first)");
    }
    for c in &cases {
        let channels: Vec<String> = c
            .channels
            .iter()
            .map(|(ch, n)| format!("{ch:?}×{n}").to_lowercase())
            .collect();
        let triage = store.triage("case", &c.id)?.state;
        println!(
            "{}  {} {} {}{}  {}..{}  {}  {} alert(s)  {} document(s)  [{}]",
            c.id,
            c.category,
            c.hazard,
            c.province,
            c.party
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
            c.first_day,
            c.last_day,
            channels.join(" "),
            c.alerts.len(),
            c.timeline.len(),
            triage
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `jiance check --labels DATA`: replay every labelled document through today's rules and list
/// where they still disagree with the analysts. Exit status 1 when any do.
pub fn check_labels(data: &Path, dirs: &RuleDirs) -> Result<ExitCode> {
    let labels: Vec<Label> = open_store(data)?.labels(None)?;
    let texts = labelled_texts(&labels);
    let analyzer =
        jiance::analyze::Analyzer::load(dirs.rules.as_deref(), dirs.dictionaries.as_deref())
            .map_err(|errs| {
                anyhow::anyhow!(
                    "{}",
                    errs.iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            })?;
    let found = jiance::review::disagreements(&texts, &analyzer);
    for d in &found {
        println!(
            "{}  {:<8}  analysts: {}  rules: {}  {}",
            d.id,
            d.field,
            d.analysts,
            if d.rules.is_empty() { "—" } else { &d.rules },
            d.url
        );
    }
    eprintln!(
        "{} labelled document(s), {} label(s): the rules disagree on {} field(s)",
        texts.len(),
        labels.len(),
        found.len()
    );
    Ok(if found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `jiance parties`: the parties' histories, repeat offenders first.
pub fn parties(
    data: &Path,
    dirs: &RuleDirs,
    repeat: bool,
    name: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let store = open_store(data)?;
    let market =
        jiance::market::MarketRules::load(dirs.rules.as_deref()).map_err(super::config_errors)?;
    let rules =
        jiance::review::PartyRules::load(dirs.rules.as_deref()).map_err(super::config_errors)?;
    let all = jiance::review::parties::from_store(&store, &market, &rules)?;
    let shown: Vec<&jiance::review::PartyHistory> = all
        .iter()
        .filter(|h| !repeat || !h.repeat.is_empty())
        .filter(|h| name.is_none_or(|n| h.names.iter().any(|w| w.contains(n)) || h.key.contains(n)))
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(ExitCode::SUCCESS);
    }
    if shown.is_empty() {
        println!(
            "no parties (run `jiance run --once` or `jiance demo` first, or widen the filter)"
        );
    }
    let mut out = std::io::stdout().lock();
    for h in shown {
        writeln!(
            out,
            "{} {}  ({})  {} event(s){}",
            h.kind.as_str(),
            h.key,
            h.names.join(" / "),
            h.events.len(),
            if h.repeat.is_empty() {
                ""
            } else {
                "  REPEAT OFFENDER"
            }
        )?;
        for r in &h.repeat {
            writeln!(
                out,
                "    rule: {}  evidence: {}",
                r.rule,
                r.evidence.join(", ")
            )?;
        }
        for e in &h.events {
            writeln!(
                out,
                "    {}  {:<17} {}  {}",
                e.day.map_or("----------".to_string(), |d| d.to_string()),
                e.event,
                e.id,
                e.title.chars().take(60).collect::<String>()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
