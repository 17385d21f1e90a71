//! `jiance watch add|list|remove`: watch rules kept in a data directory's store. Glue only:
//! the rule is checked by `jiance::notify::build_rule`, kept by the store, and matched and
//! delivered by `jiance run` (see `[notify]` in the config).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use jiance::notify::{RuleInput, build_rule, describe, redacted};
use jiance::store::Mode;

use super::DataArg;
use super::fetch::print_out;

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Add a watch rule. Every criterion given must hold (brand AND province …); give at least
    /// one, and at least one of --webhook and --email. `jiance run` matches new and escalated
    /// alerts and new signal documents against it from now on, and notifies at once or in a
    /// daily digest (--digest).
    Add(Box<AddArgs>),
    /// List the watch rules (webhook secrets hidden).
    List {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
    /// Remove a watch rule; what it still had to send is cancelled.
    Remove {
        #[command(flatten)]
        data: DataArg,
        /// The rule's id (from `jiance watch list`).
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    data: DataArg,
    /// The user the rule belongs to.
    #[arg(long)]
    owner: String,
    /// A label shown in messages.
    #[arg(long)]
    name: Option<String>,
    /// A brand, as part of the extracted name (暖阳 matches 暖阳电器).
    #[arg(long)]
    brand: Option<String>,
    /// A product model, looked for in titles and texts (case and spaces aside).
    #[arg(long)]
    model: Option<String>,
    /// An enterprise, as part of the extracted name.
    #[arg(long)]
    enterprise: Option<String>,
    /// A search query in the dashboard's language ("电暖器 起火", "充电宝 OR 移动电源"),
    /// over titles and texts; try it in the dashboard's search first.
    #[arg(long)]
    query: Option<String>,
    /// A canonical category (电暖器), as the rules name it.
    #[arg(long)]
    category: Option<String>,
    /// A province (浙江 or 浙江省); nation-wide items match every province.
    #[arg(long)]
    province: Option<String>,
    /// Only alerts of at least this level (1–4); documents have no level and never match.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    min_level: Option<u8>,
    /// Webhook URL: a JSON POST signed with HMAC-SHA256 (X-Jiance-Signature).
    #[arg(long)]
    webhook: Option<String>,
    /// The webhook's signing secret (≥ 16 characters) [default: made up and printed once]
    #[arg(long, env = "JIANCE_WEBHOOK_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// E-mail address (sent through the config's [notify.smtp]).
    #[arg(long)]
    email: Option<String>,
    /// One message per day (after [notify] digest_at, Beijing time) instead of one per match.
    #[arg(long)]
    digest: bool,
}

pub fn run(cmd: WatchCommand) -> Result<ExitCode> {
    match cmd {
        WatchCommand::Add(a) => add(*a),
        WatchCommand::List { data, json } => list(&data.data, json),
        WatchCommand::Remove { data, id } => {
            let store = super::open_store(&data.data)?;
            if store.remove_watch_rule(&id, &jiance::store::Actor::command_line())? {
                println!("removed watch rule {id}");
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("{}: no watch rule {id:?}", data.data.display())
            }
        }
    }
}

/// A query is checked by the index's own parser when the data directory has an index.
fn query_checker(data: &std::path::Path) -> Result<Option<jiance::index::Index>> {
    let dir: PathBuf = jiance::pipeline::DataDir::new(data).index();
    if !dir.exists() {
        return Ok(None);
    }
    let index = jiance::index::Index::open(&dir, std::sync::Arc::new(jieba_rs::Jieba::empty()))
        .with_context(|| format!("{}: cannot open the index", dir.display()))?;
    Ok(Some(index))
}

fn add(a: AddArgs) -> Result<ExitCode> {
    let store = super::open_store(&a.data.data)?;
    let index = query_checker(&a.data.data)?;
    let check = |q: &str| match &index {
        Some(i) => i.check_query(q).map_err(|e| e.to_string()),
        None => Ok(()),
    };
    let secret_given = a.secret.is_some();
    let input = RuleInput {
        owner: a.owner,
        name: a.name,
        brand: a.brand,
        model: a.model,
        enterprise: a.enterprise,
        query: a.query,
        category: a.category,
        province: a.province,
        min_level: a.min_level,
        webhook_url: a.webhook,
        webhook_secret: a.secret,
        email: a.email,
        mode: Some(if a.digest {
            Mode::Digest
        } else {
            Mode::Immediate
        }),
    };
    let rule = build_rule(&input, chrono::Utc::now(), &check)?;
    store.add_watch_rule(&rule, &jiance::store::Actor::command_line())?;
    println!(
        "added watch rule {} for {}: {} ({})",
        rule.id,
        rule.owner,
        describe(&rule),
        rule.mode.as_str()
    );
    if let Some(w) = &rule.webhook
        && !secret_given
    {
        println!(
            "webhook secret (shown once; verify X-Jiance-Signature with it): {}",
            w.secret
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(data: &std::path::Path, json: bool) -> Result<ExitCode> {
    let store = super::open_store(data)?;
    let rules: Vec<_> = store
        .watch_rules()?
        .into_iter()
        .map(|r| redacted(&r.rule))
        .collect();
    if json {
        print_out(&format!("{}\n", serde_json::to_string_pretty(&rules)?))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rules.is_empty() {
        print_out("no watch rules\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = String::new();
    for r in &rules {
        let mut to = Vec::new();
        if let Some(w) = &r.webhook {
            to.push(format!("webhook {}", w.url));
        }
        if let Some(e) = &r.email {
            to.push(format!("email {e}"));
        }
        text.push_str(&format!(
            "{}  {:<10} {:<9} {}  → {}\n",
            r.id,
            r.owner,
            r.mode.as_str(),
            describe(r),
            to.join(", ")
        ));
    }
    print_out(&text)?;
    Ok(ExitCode::SUCCESS)
}
