//! The scorer's statistics: the Poisson upper tail through the regularized incomplete gamma
//! function (so weighted, non-integer counts have a continuous p-value), the binomial upper tail
//! through the incomplete beta, and the negative-binomial CUSUM of the second detector.

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a), for a > 0, x ≥ 0.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let log_prefix = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        // Series; converges fast here and keeps small tail values accurate.
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..1000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum.ln() + log_prefix).exp().clamp(0.0, 1.0)
    } else {
        // Continued fraction for Q(a, x) (modified Lentz).
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - log_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// P(X ≥ observed) for X ~ Poisson(expected). For integer `observed` this is the exact tail; for a
/// weighted count it interpolates continuously. 1 when nothing is observed, 0 when nothing is
/// expected but something is observed.
pub fn poisson_upper_tail(observed: f64, expected: f64) -> f64 {
    if observed.is_nan() || observed <= 0.0 {
        return 1.0;
    }
    if expected.is_nan() || expected <= 0.0 {
        return 0.0;
    }
    gamma_p(observed, expected)
}

/// Regularized incomplete beta I_x(a, b), for a, b > 0 and 0 ≤ x ≤ 1.
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let v = if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front + betacf(a, b, x).ln()).exp() / a
    } else {
        1.0 - (ln_front + betacf(b, a, 1.0 - x).ln()).exp() / b
    };
    v.clamp(0.0, 1.0)
}

/// Continued fraction of the incomplete beta (modified Lentz).
fn betacf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..1000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// P(X ≥ k) for X ~ Binomial(n, p), continuous in k and n (so weighted counts work): I_p(k, n − k + 1).
/// 1 when k ≤ 0, 0 when k > n.
pub fn binomial_upper_tail(k: f64, n: f64, p: f64) -> f64 {
    if k.is_nan() || k <= 0.0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    beta_i(k, n - k + 1.0, p)
}

/// Log-likelihood ratio of one day's count `x` under NB(mean `shift` × μ, size r) against
/// NB(μ, r), the size fixed: x·ln(shift·(r + μ)/(r + shift·μ)) + r·ln((r + μ)/(r + shift·μ)).
/// `r = None` is the Poisson limit (no over-dispersion): x·ln(shift) − (shift − 1)·μ. Continuous
/// in x, so weighted counts work.
pub fn nb_llr(x: f64, mu: f64, shift: f64, r: Option<f64>) -> f64 {
    match r {
        Some(r) => {
            x * (shift * (r + mu) / (r + shift * mu)).ln() + r * ((r + mu) / (r + shift * mu)).ln()
        }
        None => x * shift.ln() - (shift - 1.0) * mu,
    }
}

/// The NB size r for a mean μ and a variance/mean ratio φ (var = μ + μ²/r): μ / (φ − 1); `None`
/// (Poisson) when φ shows no over-dispersion.
pub fn nb_size(mu: f64, phi: f64) -> Option<f64> {
    (phi > 1.0 + 1e-9 && mu > 0.0).then(|| mu / (phi - 1.0))
}

/// The CUSUM of [`nb_llr`] over days of (count, expected mean), from S_0 = 0:
/// S_t = max(0, S_{t−1} + llr_t). Returns every S_t.
pub fn nb_cusum(days: &[(f64, f64)], shift: f64, r: Option<f64>) -> Vec<f64> {
    let mut s = 0.0f64;
    days.iter()
        .map(|&(x, mu)| {
            s = (s + nb_llr(x, mu, shift, r)).max(0.0);
            s
        })
        .collect()
}

/// The q-quantile of Poisson(λ): the smallest k with P(X ≤ k) ≥ q (0 for λ ≤ 0). Summed term by
/// term from the mode outwards would be exact for any λ; the counts here are daily (λ under a few
/// hundred), so a plain sum from 0 in log space is enough.
pub fn poisson_quantile(lambda: f64, q: f64) -> f64 {
    if !(lambda.is_finite() && lambda > 0.0) {
        return 0.0;
    }
    let limit = (lambda + 12.0 * lambda.sqrt() + 30.0).ceil() as u64;
    let mut cdf = 0.0;
    for k in 0..=limit {
        let kf = k as f64;
        cdf += (kf * lambda.ln() - lambda - ln_gamma(kf + 1.0)).exp();
        if cdf >= q {
            return kf;
        }
    }
    limit as f64
}

/// A p-value as people read it on the alert page, the same everywhere: two significant digits in
/// scientific notation with a superscript exponent (`6.2×10⁻³`); `0` when it underflowed.
pub fn format_p(p: f64) -> String {
    if !p.is_finite() || p <= 0.0 {
        return "0".into();
    }
    let s = format!("{p:.1e}"); // "6.2e-3"
    let Some((m, e)) = s.split_once('e') else {
        return s;
    };
    let sup: String = e
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect();
    format!("{m}×10{sup}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_tail(k: u32, lambda: f64) -> f64 {
        // 1 − Σ_{i<k} e^−λ λ^i / i!
        let mut term = (-lambda).exp();
        let mut cdf = 0.0;
        for i in 0..k {
            if i > 0 {
                term *= lambda / f64::from(i);
            }
            cdf += term;
        }
        1.0 - cdf
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut f = 1.0f64;
        for n in 1..20u32 {
            assert!((ln_gamma(f64::from(n)) - f.ln()).abs() < 1e-10, "n={n}");
            f *= f64::from(n);
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn tail_matches_the_poisson_sum() {
        for &lambda in &[0.14, 0.7, 2.0, 3.5, 10.0, 40.0] {
            for k in 1..30u32 {
                let want = exact_tail(k, lambda);
                let got = poisson_upper_tail(f64::from(k), lambda);
                // The direct sum loses precision for tiny tails; compare relatively where it is exact.
                if want > 1e-9 {
                    assert!(
                        (got - want).abs() <= 1e-7 * want.max(1e-3),
                        "k={k} λ={lambda}: {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn binomial_tail_matches_the_sum() {
        for &(n, p) in &[(3u32, 0.2f64), (11, 0.2), (30, 0.2), (50, 0.05), (12, 0.5)] {
            for k in 1..=n {
                let want: f64 = (k..=n)
                    .map(|i| {
                        let ln_c = ln_gamma(f64::from(n) + 1.0)
                            - ln_gamma(f64::from(i) + 1.0)
                            - ln_gamma(f64::from(n - i) + 1.0);
                        (ln_c + f64::from(i) * p.ln() + f64::from(n - i) * (1.0 - p).ln()).exp()
                    })
                    .sum();
                let got = binomial_upper_tail(f64::from(k), f64::from(n), p);
                assert!(
                    (got - want).abs() <= 1e-9 * want.max(1e-6),
                    "n={n} k={k} p={p}: {got} vs {want}"
                );
            }
        }
        assert!((binomial_upper_tail(3.0, 3.0, 0.2) - 0.008).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(0.0, 3.0, 0.2), 1.0);
        assert_eq!(binomial_upper_tail(4.0, 3.0, 0.2), 0.0);
    }

    #[test]
    fn tail_is_monotone_and_bounded() {
        assert_eq!(poisson_upper_tail(0.0, 3.0), 1.0);
        assert_eq!(poisson_upper_tail(2.0, 0.0), 0.0);
        let mut last = 1.0;
        for i in 1..200 {
            let p = poisson_upper_tail(f64::from(i) * 0.25, 4.0);
            assert!(p <= last + 1e-12 && p >= 0.0, "not decreasing at {i}");
            last = p;
        }
        assert!(last < 1e-15);
    }

    /// By hand, μ = 2, r = 4, shift 2: each day adds x·ln(2·6/8) + 4·ln(6/8)
    /// = 0.405465·x − 1.150728. Counts 1, 5, 6, 0:
    /// S1 = max(0, 0.405465 − 1.150728) = 0; S2 = 2.027325 − 1.150728 = 0.876597;
    /// S3 = 0.876597 + 2.432790 − 1.150728 = 2.158659; S4 = 2.158659 − 1.150728 = 1.007931.
    #[test]
    fn the_nb_cusum_matches_hand_computed_values() {
        let days = [(1.0, 2.0), (5.0, 2.0), (6.0, 2.0), (0.0, 2.0)];
        let s = nb_cusum(&days, 2.0, Some(4.0));
        let want = [0.0, 0.876597, 2.158659, 1.007931];
        for (got, want) in s.iter().zip(want) {
            assert!((got - want).abs() < 1e-5, "{s:?}");
        }
        // Poisson limit by hand, μ = 1.5, shift 2: x·ln 2 − 1.5. Counts 4, 1:
        // S1 = 2.772589 − 1.5 = 1.272589; S2 = 1.272589 + 0.693147 − 1.5 = 0.465736.
        let p = nb_cusum(&[(4.0, 1.5), (1.0, 1.5)], 2.0, None);
        assert!(
            (p[0] - 1.272589).abs() < 1e-5 && (p[1] - 0.465736).abs() < 1e-5,
            "{p:?}"
        );
        // A huge size is the Poisson limit; over-dispersion (small r) weighs a big day less.
        let big = nb_llr(4.0, 1.5, 2.0, Some(1e9));
        assert!((big - nb_llr(4.0, 1.5, 2.0, None)).abs() < 1e-6);
        assert!(nb_llr(10.0, 2.0, 2.0, Some(1.0)) < nb_llr(10.0, 2.0, 2.0, None));
        // r from var = μ + μ²/r: μ = 2, φ = 1.5 → var 3 → r = 4.
        assert_eq!(nb_size(2.0, 1.5), Some(4.0));
        assert_eq!(nb_size(2.0, 1.0), None);
    }

    #[test]
    fn p_values_read_in_one_scientific_form() {
        assert_eq!(format_p(0.0062), "6.2×10⁻³");
        assert_eq!(format_p(0.31), "3.1×10⁻¹");
        assert_eq!(format_p(1.0), "1.0×10⁰");
        assert_eq!(format_p(2.5e-12), "2.5×10⁻¹²");
        assert_eq!(format_p(0.0), "0");
    }

    #[test]
    fn poisson_quantiles_bound_the_counts() {
        assert_eq!(poisson_quantile(0.0, 0.975), 0.0);
        // Poisson(4): P(X ≤ 0) = 0.018, P(X ≤ 1) = 0.092; P(X ≤ 8) = 0.979, P(X ≤ 7) = 0.949
        assert_eq!(poisson_quantile(4.0, 0.025), 1.0);
        assert_eq!(poisson_quantile(4.0, 0.975), 8.0);
    }
}
