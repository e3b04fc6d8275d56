"""Effect sizes.

* **Per comparison:** Hedges' g (dose − vehicle, pooled SD of the two
  groups, exact small-sample correction) with a 95% CI from the Hedges &
  Olkin large-sample standard error.
* **Omnibus:** ANOVA ω² = (SS_between − df1·MS_within) / (SS_total + MS_within);
  Welch ANOVA ω² = df1(F − 1) / (df1(F − 1) + N);
  Kruskal–Wallis η²_H = (H − k + 1) / (N − k) (Tomczak & Tomczak 2014).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats


def hedges_g(treated, control, confidence=0.95) -> tuple:
    """Hedges' g of *treated* − *control* with a CI.

    d = (mean_t − mean_c) / s_pooled, s_pooled² = ((n_t−1)s_t² + (n_c−1)s_c²)/(n_t+n_c−2);
    g = J·d with the exact correction J = Γ(ν/2) / (√(ν/2) Γ((ν−1)/2)), ν = n_t+n_c−2;
    SE(g) = √((n_t+n_c)/(n_t n_c) + g²/(2(n_t+n_c))) (Hedges & Olkin 1985);
    CI = g ± z_(1−α/2)·SE. Returns (g, low, high); NaN when undefined.
    """
    t = np.asarray(treated, dtype=float)
    c = np.asarray(control, dtype=float)
    n1, n2 = t.size, c.size
    df = n1 + n2 - 2
    if n1 < 2 or n2 < 2:
        return (np.nan, np.nan, np.nan)
    pooled = math.sqrt(((n1 - 1) * t.var(ddof=1) + (n2 - 1) * c.var(ddof=1)) / df)
    if pooled == 0:
        return (np.nan, np.nan, np.nan)
    d = (t.mean() - c.mean()) / pooled
    j = math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    g = j * d
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.5 + confidence / 2)
    return (g, g - z * se, g + z * se)


def omega_squared(arrays) -> float:
    """ω² of a one-way ANOVA of *arrays* (one array per group):
    (SS_between − (k − 1)·MS_within) / (SS_between + SS_within + MS_within)."""
    k, n = len(arrays), sum(a.size for a in arrays)
    grand = np.concatenate(arrays).mean()
    ss_between = sum(a.size * (a.mean() - grand) ** 2 for a in arrays)
    ss_within = sum(((a - a.mean()) ** 2).sum() for a in arrays)
    ms_within = ss_within / (n - k)
    return float((ss_between - (k - 1) * ms_within) / (ss_between + ss_within + ms_within))


def omega_squared_welch(f: float, df1: float, n: int) -> float:
    """ω² of a Welch ANOVA from its F, df1 and the total N:
    df1(F − 1) / (df1(F − 1) + N)."""
    return float(df1 * (f - 1) / (df1 * (f - 1) + n))


def eta_squared_h(h: float, k: int, n: int) -> float:
    """η²_H of a Kruskal–Wallis test with k groups and N animals:
    (H − k + 1) / (N − k)."""
    return float((h - k + 1) / (n - k))
