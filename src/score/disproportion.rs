//! Disproportionality (issue 20, item 4): a hazard over-represented among one brand's complaints
//! and incident reports within its category, the way pharmacovigilance finds a drug's unusual
//! adverse event.
//!
//! Per category, for each brand and hazard, the 2×2 table of reports: `a` this brand with this
//! hazard, `b` this brand with other hazards, `c` other brands with this hazard, `d` other brands
//! with other hazards. The proportional reporting ratio PRR = (a/(a+b)) / (c/(c+d)) with the usual
//! 95% interval exp(ln PRR ± 1.96·√(1/a − 1/(a+b) + 1/c − 1/(c+d))). Small counts make PRR jump
//! (one report of a rare hazard for a rare brand is a PRR of 20), so each cell is also shrunk the
//! empirical-Bayes way of DuMouchel's gamma-Poisson shrinker (what openEBGM implements): the count
//! `n = a` against its expectation `E = (a+b)(a+c)/N` under independence, a gamma prior on the
//! ratio λ = n/E fitted to all cells of the category by moments (one gamma here, where openEBGM
//! fits a mixture of two by maximum likelihood), and the posterior Gamma(α+n, β+E) summarised by
//! EBGM = exp(E[ln λ]) and its 5% and 95% quantiles EB05 / EB95. A cell is disproportionate when
//! EB05 — the ratio one is 95% sure of — is above the rules' threshold.

use std::collections::{BTreeMap, BTreeSet};

use super::stats::gamma_p;
use crate::model::{DocKind, Signal};

/// PRR and its 95% interval; `None` when a cell of the table is empty in a way that leaves the
/// ratio undefined (no report of the hazard for the brand or for the others).
pub fn prr(a: f64, b: f64, c: f64, d: f64) -> Option<(f64, f64, f64)> {
    if a <= 0.0 || c <= 0.0 || a + b <= 0.0 || c + d <= 0.0 {
        return None;
    }
    let ratio = (a / (a + b)) / (c / (c + d));
    let se = (1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d))
        .max(0.0)
        .sqrt();
    let ln = ratio.ln();
    Some((ratio, (ln - 1.96 * se).exp(), (ln + 1.96 * se).exp()))
}

/// The exact lower 95% bound of a Poisson mean seen as `n` events (two-sided, Garwood): the
/// mean μ at which n or more events have probability 2.5%, i.e. P(Gamma(n, 1) ≤ μ) = 0.025.
pub fn poisson_low(n: u32) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let a = f64::from(n);
    let (mut lo, mut hi) = (0.0, a);
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if gamma_p(a, mid) < 0.025 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The gamma prior on the reporting ratio λ (shape α, rate β).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    pub alpha: f64,
    pub beta: f64,
}

impl Default for Prior {
    /// Mean 1 (no disproportion) and as sure as one report: strong shrinkage of small counts.
    fn default() -> Self {
        Prior {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

/// Fit the prior to cells `(n, E)` by moments: the mean of n/E, and its variance less the part
/// Poisson noise explains (the mean of (n/E)/E); bounded so a few cells cannot make it degenerate.
pub fn fit_prior(cells: &[(f64, f64)]) -> Prior {
    let used: Vec<(f64, f64)> = cells.iter().copied().filter(|(_, e)| *e > 0.0).collect();
    if used.len() < 3 {
        return Prior::default();
    }
    let k = used.len() as f64;
    let ratios: Vec<f64> = used.iter().map(|(n, e)| n / e).collect();
    let mean = ratios.iter().sum::<f64>() / k;
    let var = ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (k - 1.0);
    let noise = used.iter().map(|(n, e)| n / e / e).sum::<f64>() / k;
    let between = (var - noise).max(mean * mean / 100.0);
    if !(mean.is_finite() && between.is_finite()) || mean <= 0.0 {
        return Prior::default();
    }
    let beta = (mean / between).clamp(0.05, 50.0);
    let alpha = (mean * beta).clamp(0.05, 50.0);
    Prior { alpha, beta }
}

fn digamma(mut x: f64) -> f64 {
    let mut r = 0.0;
    while x < 6.0 {
        r -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    r + x.ln()
        - 0.5 / x
        - f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))))
}

/// The `p` quantile of Gamma(shape, rate), by bisection on the regularised incomplete gamma.
fn gamma_quantile(shape: f64, rate: f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, (shape / rate).max(1e-9));
    while gamma_p(shape, hi * rate) < p {
        hi *= 2.0;
        if hi > 1e12 {
            break;
        }
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if gamma_p(shape, mid * rate) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The shrunk ratio of a count `n` against its expectation `e`: (EBGM, EB05, EB95).
pub fn shrink(n: f64, e: f64, prior: Prior) -> (f64, f64, f64) {
    let shape = prior.alpha + n;
    let rate = prior.beta + e;
    let ebgm = (digamma(shape) - rate.ln()).exp();
    (
        ebgm,
        gamma_quantile(shape, rate, 0.05),
        gamma_quantile(shape, rate, 0.95),
    )
}

/// One brand and hazard within a category.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Disproportion {
    pub category: String,
    pub brand: String,
    pub hazard: String,
    /// Reports of this brand with this hazard.
    pub reports: u32,
    /// Reports of this brand (any hazard).
    pub brand_reports: u32,
    /// Reports in the category.
    pub category_reports: u32,
    pub prr: Option<f64>,
    pub prr_low: Option<f64>,
    pub prr_high: Option<f64>,
    pub expected: f64,
    pub ebgm: f64,
    pub eb05: f64,
    pub eb95: f64,
}

/// Every (brand, hazard) of every category in complaints and incident reports (media), with at
/// least `min_reports` reports, most disproportionate (EB05) first. A report counts once per
/// hazard it names, for its first brand; reports naming no brand count in the category's totals.
pub fn disproportions(signals: &[Signal], min_reports: u32) -> Vec<Disproportion> {
    // (category) → set of (doc, brand, hazard)
    let mut reports: BTreeMap<&str, BTreeSet<(&str, &str, &str)>> = BTreeMap::new();
    for s in signals
        .iter()
        .filter(|s| matches!(s.kind, DocKind::Complaint | DocKind::Media))
    {
        let brand = s.parties.brands.first().map_or("", String::as_str);
        reports.entry(s.category.as_str()).or_default().insert((
            s.doc_id.as_str(),
            brand,
            s.hazard.as_str(),
        ));
    }
    let mut out = Vec::new();
    for (category, rows) in reports {
        let total = rows.len() as f64;
        let mut by_brand: BTreeMap<&str, f64> = BTreeMap::new();
        let mut by_hazard: BTreeMap<&str, f64> = BTreeMap::new();
        let mut cell: BTreeMap<(&str, &str), f64> = BTreeMap::new();
        for (_, brand, hazard) in &rows {
            *by_brand.entry(brand).or_default() += 1.0;
            *by_hazard.entry(hazard).or_default() += 1.0;
            *cell.entry((brand, hazard)).or_default() += 1.0;
        }
        let expected = |brand: &str, hazard: &str| {
            by_brand.get(brand).copied().unwrap_or(0.0)
                * by_hazard.get(hazard).copied().unwrap_or(0.0)
                / total
        };
        let cells: Vec<(f64, f64)> = cell
            .iter()
            .filter(|((b, _), _)| !b.is_empty())
            .map(|((b, h), n)| (*n, expected(b, h)))
            .collect();
        let prior = fit_prior(&cells);
        for ((brand, hazard), n) in &cell {
            if brand.is_empty() || *n < f64::from(min_reports) {
                continue;
            }
            let a = *n;
            let b = by_brand[brand] - a;
            let c = by_hazard[hazard] - a;
            let d = total - a - b - c;
            let e = expected(brand, hazard);
            let (ebgm, eb05, eb95) = shrink(a, e, prior);
            let p = prr(a, b, c, d);
            out.push(Disproportion {
                category: category.to_string(),
                brand: brand.to_string(),
                hazard: hazard.to_string(),
                reports: a as u32,
                brand_reports: by_brand[brand] as u32,
                category_reports: total as u32,
                prr: p.map(|x| x.0),
                prr_low: p.map(|x| x.1),
                prr_high: p.map(|x| x.2),
                expected: e,
                ebgm,
                eb05,
                eb95,
            });
        }
    }
    out.sort_by(|x, y| {
        y.eb05.total_cmp(&x.eb05).then_with(|| {
            (&x.category, &x.brand, &x.hazard).cmp(&(&y.category, &y.brand, &y.hazard))
        })
    });
    out
}

#[cfg(test)]
mod tests {
    use super::poisson_low;

    #[test]
    fn the_poisson_lower_bound_is_the_exact_one() {
        // chi-square quantiles: χ²(0.025; 2n)/2 — n=1 0.02532, 5 1.6235, 20 12.217
        assert_eq!(poisson_low(0), 0.0);
        assert!(
            (poisson_low(1) - 0.025_32).abs() < 1e-4,
            "{}",
            poisson_low(1)
        );
        assert!((poisson_low(5) - 1.6235).abs() < 1e-3, "{}", poisson_low(5));
        assert!(
            (poisson_low(20) - 12.217).abs() < 1e-2,
            "{}",
            poisson_low(20)
        );
    }

    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn prr_and_its_interval_match_hand_computed_values() {
        // a=10 b=20 c=30 d=340: (10/30)/(30/370) = 4.1111; se = √(1/10 − 1/30 + 1/30 − 1/370)
        // = 0.311925; interval exp(ln 4.1111 ± 1.96·0.311925) = 2.2307 … 7.5766
        let (r, lo, hi) = prr(10.0, 20.0, 30.0, 340.0).unwrap();
        assert!(close(r, 4.111_111, 1e-5), "{r}");
        assert!(close(lo, 2.230_710, 1e-5), "{lo}");
        assert!(close(hi, 7.576_616, 1e-5), "{hi}");
        // no report of the hazard elsewhere: undefined
        assert!(prr(3.0, 1.0, 0.0, 50.0).is_none());
        // the same proportions: 1
        let (r, lo, hi) = prr(5.0, 45.0, 50.0, 450.0).unwrap();
        assert!(close(r, 1.0, 1e-12) && lo < 1.0 && hi > 1.0);
    }

    #[test]
    fn shrinkage_pulls_small_counts_to_one_and_leaves_large_ones() {
        let prior = Prior::default();
        // n=1, E=0.1 (raw ratio 10): EBGM = exp(ψ(2) − ln 1.1) = 1.3875
        let (g, lo, hi) = shrink(1.0, 0.1, prior);
        assert!(close(g, 1.387_459, 1e-5), "{g}");
        assert!(lo < g && g < hi && lo < 1.0, "{lo} {g} {hi}");
        // n=100, E=10 (the same raw ratio): EBGM = exp(ψ(101) − ln 11) = 9.1364
        let (g, lo, hi) = shrink(100.0, 10.0, prior);
        assert!(close(g, 9.136_401, 1e-5), "{g}");
        assert!(lo > 7.0 && hi < 11.5, "{lo} {hi}");
        // the 5% quantile is one: Gamma(2, 1.1) has P(λ ≤ q) = 0.05
        let (_, lo, _) = shrink(1.0, 0.1, prior);
        assert!(close(gamma_p(2.0, lo * 1.1), 0.05, 1e-9));
    }

    #[test]
    fn a_fitted_prior_keeps_the_mean_ratio_and_is_bounded() {
        let cells = [(2.0, 2.0), (1.0, 1.2), (4.0, 3.5), (0.0, 0.8), (3.0, 2.5)];
        let p = fit_prior(&cells);
        let mean = cells.iter().map(|(n, e)| n / e).sum::<f64>() / 5.0;
        assert!(
            close(p.alpha / p.beta, mean, 0.05 * mean),
            "{p:?} mean {mean}"
        );
        assert!(p.alpha <= 50.0 && p.beta <= 50.0);
        assert_eq!(fit_prior(&[(1.0, 1.0)]), Prior::default());
    }

    #[test]
    fn a_brand_with_one_hazard_far_above_its_category_is_ranked_first() {
        use crate::model::{Channel, Parties};
        let mut signals = Vec::new();
        let mut push = |i: usize, brand: &str, hazard: &str| {
            signals.push(Signal {
                doc_id: format!("d{i}"),
                time: chrono::Utc::now(),
                category: "移动电源".into(),
                hazard: hazard.into(),
                severity: 3,
                province: None,
                city: None,
                source: "s".into(),
                channel: Channel::Complaint,
                kind: DocKind::Complaint,
                weight: 1.0,
                cluster: format!("c{i}"),
                parties: Parties {
                    brands: vec![brand.into()],
                    ..Parties::default()
                },
                product: None,
            })
        };
        let mut i = 0;
        for (brand, hazard, n) in [
            ("倍力源", "爆炸", 20),
            ("倍力源", "火灾", 2),
            ("酷能", "火灾", 20),
            ("酷能", "爆炸", 2),
            ("星野", "火灾", 15),
            ("星野", "爆炸", 1),
            ("途悦", "爆炸", 1),
            ("途悦", "火灾", 1),
        ] {
            for _ in 0..n {
                push(i, brand, hazard);
                i += 1;
            }
        }
        let d = disproportions(&signals, 1);
        assert_eq!(
            (d[0].brand.as_str(), d[0].hazard.as_str()),
            ("倍力源", "爆炸"),
            "{d:#?}"
        );
        assert_eq!(d[0].reports, 20);
        assert!(d[0].eb05 > 1.0 && d[0].prr_low.unwrap() > 1.0);
        // one report of 爆炸 for 途悦 (PRR 1.8 on 2 reports) is shrunk below 倍力源's
        let tu = d
            .iter()
            .find(|x| x.brand == "途悦" && x.hazard == "爆炸")
            .unwrap();
        assert!(tu.eb05 < 1.0, "{tu:?}");
    }
}
