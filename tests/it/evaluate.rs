//! `jiance score --evaluate-sim` (issue 46): the operating characteristic on a simulated year —
//! jiance's operating points beside the oracle's curve — from the binary.

use serde_json::Value;

use crate::{jiance, text};

fn num(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

/// One hard seed with one notify budget tried beside the configured one: one JSON report, the
/// oracle's curve swept from loose to strict, and each of jiance's points on or under the curve
/// (the oracle, knowing the true baselines, detects at least as much at no more false alerts).
#[test]
fn evaluate_sim_prints_jiance_beside_the_oracles_curve() {
    let out = jiance(&[
        "score",
        "--evaluate-sim",
        "--seeds",
        "7",
        "--hard",
        "--notify-budgets",
        "4",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one report per seed: {stdout}");
    let r: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(r["seed"], 7);
    assert_eq!(r["kind"], "hard");
    assert_eq!(r["outbreaks"], 50);

    let curve = r["oracle"].as_array().unwrap();
    assert!(curve.len() >= 20, "a swept curve: {} points", curve.len());
    for w in curve.windows(2) {
        assert!(num(&w[1], "threshold") < num(&w[0], "threshold"), "{w:?}");
    }
    for p in curve {
        for key in ["detection", "scope", "scope_regional", "scope_systemic"] {
            assert!((0.0..=1.0).contains(&num(p, key)), "{p}");
        }
        assert!(num(p, "scope") <= num(p, "detection"), "{p}");
        assert!(num(p, "false_per_category_year") >= 0.0, "{p}");
    }
    let (loose, strict) = (&curve[0], &curve[curve.len() - 1]);
    assert!(
        num(loose, "false_per_category_year") > num(strict, "false_per_category_year")
            && num(loose, "detection") > num(strict, "detection"),
        "a looser threshold buys detection with false alerts: {loose} against {strict}"
    );

    let points = r["jiance"].as_array().unwrap();
    assert_eq!(points.len(), 2, "{points:?}");
    assert_eq!(points[0]["configured"], true);
    assert_eq!(points[1]["configured"], false);
    assert_eq!(num(&points[1], "notify_budget"), 4.0);
    for o in points {
        let j = &o["jiance"];
        assert!(
            j["threshold"].is_null(),
            "jiance has no oracle threshold: {j}"
        );
        let rate = num(j, "false_per_category_year");
        assert!(rate > 0.0 && num(j, "detection") > 0.0, "{j}");
        // The oracle's best point at no more false alerts, found here from the curve itself.
        let best = curve
            .iter()
            .filter(|p| num(p, "false_per_category_year") <= rate)
            .map(|p| num(p, "detection"))
            .fold(f64::NAN, f64::max);
        let at = &o["oracle_at_rate"];
        assert_eq!(num(at, "detection"), best, "{o}");
        assert!(num(at, "false_per_category_year") <= rate, "{o}");
        assert!(
            num(j, "detection") <= best,
            "jiance's point lies above the oracle's curve — the oracle is not what is possible: {o}"
        );
    }
}

#[test]
fn evaluate_sim_options_need_evaluate_sim_and_score_needs_signals_without_it() {
    let out = jiance(&["score", "--seeds", "7"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--evaluate-sim"),
        "{}",
        text(&out.stderr)
    );
    let out = jiance(&["score", "--json"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--signals"),
        "{}",
        text(&out.stderr)
    );
    let out = jiance(&["score", "--evaluate-sim", "--notify-budgets", "0"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("notify budget"),
        "{}",
        text(&out.stderr)
    );
}
