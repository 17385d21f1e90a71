//! The systemd units in `deploy/` start jiance with arguments the command line must accept: a
//! renamed flag would otherwise only show when a centre's service fails to start.

use clap::Parser;

use super::Cli;

/// The jiance arguments of an `ExecStart=` line: direct, or inside `sh -c 'exec …'` (a `$(…)`
/// substitution stands in as one word; systemd's `%%` is a `%`).
fn jiance_args(exec: &str) -> Option<Vec<String>> {
    let exec = exec.replace("%%", "%");
    let command = match exec.find("exec /usr/local/bin/jiance") {
        Some(at) => exec[at + "exec ".len()..]
            .trim_end_matches('\'')
            .to_string(),
        None if exec.starts_with("/usr/local/bin/jiance") => exec.clone(),
        None => return None,
    };
    let substitution = regex::Regex::new(r"\$\([^)]*\)").ok()?;
    let command = substitution.replace_all(&command, "SUBSTITUTED");
    Some(command.split_whitespace().map(str::to_string).collect())
}

#[test]
fn every_deploy_unit_starts_jiance_with_arguments_it_accepts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "service") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some(exec) = line.strip_prefix("ExecStart=") else {
                continue;
            };
            let args = jiance_args(exec)
                .unwrap_or_else(|| panic!("{}:{}: not a jiance command", path.display(), n + 1));
            if let Err(e) = Cli::try_parse_from(&args) {
                panic!("{}:{}: {args:?}\n{e}", path.display(), n + 1);
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 6,
        "only {checked} units found in {}",
        dir.display()
    );
}

#[test]
fn a_wrong_flag_in_a_unit_is_caught() {
    let args =
        jiance_args("/usr/local/bin/jiance worker --role fetch --config x --metricz :1").unwrap();
    assert!(Cli::try_parse_from(&args).is_err());
    let args = jiance_args(
        "/bin/sh -c 'exec /usr/local/bin/jiance report --out /r/$(TZ=Asia/Shanghai date +%%F).parquet'",
    )
    .unwrap();
    assert_eq!(
        args.last().map(String::as_str),
        Some("/r/SUBSTITUTED.parquet")
    );
}
