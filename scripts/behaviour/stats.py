"""Statistical building blocks: descriptives, the omnibus tests and the
dose-vs-vehicle post hoc tests (each checked against a second
implementation in tests/test_behaviour.py).

Per comparison, the difference and its 95% CI come from the chosen method:
Dunnett, the simultaneous CI of the mean difference; Games–Howell, the
simultaneous CI of the mean difference from the studentized range; Dunn
path, the Hodges–Lehmann shift (the median of all dose − vehicle pairwise
differences) with its distribution-free 95% CI, per comparison.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from scripts.behaviour.effect_size import eta_squared_h, omega_squared, omega_squared_welch


def describe(values) -> dict:
    """n, mean, SD (n − 1), SEM, median, quartiles (linear interpolation,
    numpy's default), IQR, min, max."""
    x = np.asarray(values, dtype=float)
    n = x.size
    if n == 0:
        return {k: np.nan for k in ("mean", "sd", "sem", "median", "q1", "q3", "iqr", "min", "max")} | {
            "n": 0
        }
    sd = float(np.std(x, ddof=1)) if n > 1 else np.nan
    q1, median, q3 = (float(v) for v in np.percentile(x, [25, 50, 75]))
    return {
        "n": n,
        "mean": float(np.mean(x)),
        "sd": sd,
        "sem": sd / math.sqrt(n) if n > 1 else np.nan,
        "median": median,
        "q1": q1,
        "q3": q3,
        "iqr": q3 - q1,
        "min": float(x.min()),
        "max": float(x.max()),
    }


# --------------------------------------------------------------------------
# Omnibus tests


def _omnibus(statistic, df1, df2, p_value, effect_size_name, effect_size) -> dict:
    """One omnibus test's result record (degrees of freedom as floats)."""
    return {
        "statistic": float(statistic),
        "df1": float(df1),
        "df2": float(df2),
        "p_value": float(p_value),
        "effect_size_name": effect_size_name,
        "effect_size": effect_size,
    }


def one_way_anova(groups) -> dict:
    """Classical one-way ANOVA (scipy.stats.f_oneway) with ω²."""
    arrays = [np.asarray(g, dtype=float) for g in groups]
    res = stats.f_oneway(*arrays)
    k, n = len(arrays), sum(a.size for a in arrays)
    return _omnibus(res.statistic, k - 1, n - k, res.pvalue, "omega_squared", omega_squared(arrays))


def welch_anova(groups) -> dict:
    """Welch's heteroscedastic one-way ANOVA (Welch 1951; statsmodels'
    ``anova_oneway(use_var="unequal")``): F = A / (1 + 2(k−2)λ/(k²−1)) with
    weights w_i = n_i/s_i², df1 = k − 1, df2 = (k² − 1)/(3λ), where
    λ = Σ(1 − w_i/Σw)²/(n_i − 1). Effect size: ω² = df1(F−1)/(df1(F−1)+N).
    """
    from statsmodels.stats.oneway import anova_oneway

    arrays = [np.asarray(g, dtype=float) for g in groups]
    res = anova_oneway(arrays, use_var="unequal")
    f, (df1, df2) = float(res.statistic), res.df
    effect = omega_squared_welch(f, df1, sum(a.size for a in arrays))
    return _omnibus(f, df1, df2, res.pvalue, "omega_squared_welch", effect)


def kruskal_wallis(groups) -> dict:
    """Kruskal–Wallis H (tie-corrected, scipy) with η²_H.
    df1 = k − 1; df2 is not applicable (NaN)."""
    arrays = [np.asarray(g, dtype=float) for g in groups]
    res = stats.kruskal(*arrays)
    k, n = len(arrays), sum(a.size for a in arrays)
    return _omnibus(
        res.statistic, k - 1, np.nan, res.pvalue, "eta_squared_h", eta_squared_h(res.statistic, k, n)
    )


# --------------------------------------------------------------------------
# Post hoc tests against vehicle


def dunnett_vs_control(control, treated, seed, confidence=0.95) -> list:
    """Dunnett's many-to-one test (scipy.stats.dunnett, two-sided) with a fresh
    ``default_rng(seed)`` per call, so the quasi-Monte-Carlo p-values and the
    simultaneous CIs of (treated − control) reproduce exactly. One dict per
    treated group."""
    res = stats.dunnett(
        *[np.asarray(t, float) for t in treated],
        control=np.asarray(control, float),
        rng=np.random.default_rng(seed),
    )
    ci = res.confidence_interval(confidence_level=confidence)
    control_mean = np.mean(control)
    return [
        {
            "diff": float(np.mean(t) - control_mean),
            "ci_low": float(ci.low[i]),
            "ci_high": float(ci.high[i]),
            "p_adj": float(res.pvalue[i]),
        }
        for i, t in enumerate(treated)
    ]


def games_howell_vs_control(control, treated, n_groups=None, confidence=0.95) -> list:
    """Games–Howell comparisons of each treated group with control.

    For groups i (treated) and 0 (control): se = √(s_i²/n_i + s_0²/n_0),
    Welch–Satterthwaite df, q = |m_i − m_0|/se·√2, p from the studentized range
    with k = *n_groups* (all groups in the omnibus test; default 1 + number of
    treated groups) and that df; simultaneous CI = diff ± q_crit(k, df)/√2 · se.
    """
    c = np.asarray(control, dtype=float)
    k = n_groups or (len(treated) + 1)
    out = []
    for t in treated:
        t = np.asarray(t, dtype=float)
        vt, vc = t.var(ddof=1) / t.size, c.var(ddof=1) / c.size
        se = math.sqrt(vt + vc)
        df = (vt + vc) ** 2 / (vt**2 / (t.size - 1) + vc**2 / (c.size - 1))
        diff = float(t.mean() - c.mean())
        p = float(stats.studentized_range.sf(abs(diff) / se * math.sqrt(2), k, df))
        half = stats.studentized_range.ppf(confidence, k, df) / math.sqrt(2) * se
        out.append({"diff": diff, "ci_low": diff - half, "ci_high": diff + half, "p_adj": p, "df": df})
    return out


def holm(p_values) -> np.ndarray:
    """Holm step-down adjustment (statsmodels' multipletests, method "holm")."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    return multipletests(p, method="holm")[1]


def dunn_vs_control(control, treated) -> list:
    """Dunn's (1964) rank test of each treated group against control.

    Ranks over all tested groups (mid-ranks for ties);
    z = (R̄_i − R̄_0) / √((N(N+1)/12 − Σ(t³−t)/(12(N−1))) (1/n_i + 1/n_0));
    two-sided normal p, then Holm over these dose-vs-vehicle comparisons only.
    """
    arrays = [np.asarray(control, float)] + [np.asarray(t, float) for t in treated]
    pooled = np.concatenate(arrays)
    n = pooled.size
    ranks = stats.rankdata(pooled)
    _, ties = np.unique(pooled, return_counts=True)
    tie_term = (ties**3 - ties).sum() / (12 * (n - 1))
    bounds = np.cumsum([0] + [a.size for a in arrays])
    mean_ranks = [ranks[bounds[i] : bounds[i + 1]].mean() for i in range(len(arrays))]
    z, p_raw = [], []
    for i, a in enumerate(arrays[1:], start=1):
        se = math.sqrt((n * (n + 1) / 12 - tie_term) * (1 / a.size + 1 / arrays[0].size))
        z.append((mean_ranks[i] - mean_ranks[0]) / se)
        p_raw.append(2 * stats.norm.sf(abs(z[-1])))
    p_adj = holm(p_raw)
    return [
        {"z": float(z[i]), "p_raw": float(p_raw[i]), "p_adj": float(p_adj[i])} for i in range(len(treated))
    ]


def hodges_lehmann(treated, control, confidence=0.95) -> dict:
    """Hodges–Lehmann shift (median of all treated − control differences) with
    the distribution-free CI from the ordered differences (Moses/Bauer 1972):
    C = ⌊mn/2 − z·√(mn(m+n+1)/12)⌋, CI = [D_(C+1), D_(mn−C)] (1-based), the
    large-sample form without tie correction. NaN bounds when C < 0."""
    t = np.asarray(treated, float)
    c = np.asarray(control, float)
    diffs = np.sort(np.subtract.outer(t, c).ravel())
    m, n = t.size, c.size
    z = stats.norm.ppf(0.5 + confidence / 2)
    cut = math.floor(m * n / 2 - z * math.sqrt(m * n * (m + n + 1) / 12))
    low = high = np.nan
    if cut >= 0:
        low, high = float(diffs[cut]), float(diffs[m * n - cut - 1])
    return {"diff": float(np.median(diffs)), "ci_low": low, "ci_high": high}
