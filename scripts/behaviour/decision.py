"""The pre-specified decision path that picks each analysis.

Per test × endpoint × regimen, over the tested groups (``method`` "auto"):

1. Shapiro–Wilk on the one-way residuals (value − group mean). If
   p < ``normality_alpha``: Kruskal–Wallis + Dunn's test against vehicle,
   Holm-adjusted over the dose-vs-vehicle comparisons only.
2. Otherwise Brown–Forsythe (Levene with ``center="median"``). If
   p < ``variance_alpha``: Welch ANOVA + Games–Howell against vehicle.
3. Otherwise: one-way ANOVA + Dunnett against vehicle
   (``scipy.stats.dunnett`` with ``numpy.random.default_rng(seed)``, so the
   quasi-Monte-Carlo p-values and CIs reproduce exactly).

``method`` may force ``"anova"``, ``"welch"`` or ``"kruskal"``; the checks
are still computed and recorded.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: Method -> (omnibus test, post hoc test) as named in the result tables.
METHOD_LABELS = {
    "anova": ("one-way ANOVA", "Dunnett"),
    "welch": ("Welch ANOVA", "Games-Howell"),
    "kruskal": ("Kruskal-Wallis", "Dunn (Holm)"),
}
NOT_TESTED = "not tested"


def choose_method(groups, normality_alpha, variance_alpha, method) -> dict:
    """Run the decision-path checks on the tested groups and pick the method.

    Shapiro–Wilk on residuals (value − own group mean, pooled), then
    Brown–Forsythe (scipy.stats.levene, center="median"). See the module
    docstring for the rule. A check that cannot run (e.g. all residuals equal)
    is recorded as NaN and treated as passed.
    """
    arrays = [np.asarray(g, dtype=float) for g in groups]
    residuals = np.concatenate([a - a.mean() for a in arrays])
    shapiro_w = shapiro_p = bf_f = bf_p = np.nan
    if residuals.size >= 3 and np.ptp(residuals) > 0:
        shapiro_w, shapiro_p = (float(v) for v in stats.shapiro(residuals))
    if all(a.size >= 2 for a in arrays) and len(arrays) >= 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            bf = stats.levene(*arrays, center="median")
        bf_f, bf_p = float(bf.statistic), float(bf.pvalue)
    normal = not (shapiro_p < normality_alpha)
    equal = not (bf_p < variance_alpha)
    if method == "auto":
        if not normal:
            chosen = "kruskal"
            reason = (
                f"Shapiro-Wilk on residuals p = {shapiro_p:.3g} < {normality_alpha}: residuals not normal"
            )
        elif not equal:
            chosen = "welch"
            reason = (
                f"residuals normal (Shapiro-Wilk p = {shapiro_p:.3g}); "
                f"Brown-Forsythe p = {bf_p:.3g} < {variance_alpha}: variances differ"
            )
        else:
            chosen = "anova"
            reason = (
                f"residuals normal (Shapiro-Wilk p = {shapiro_p:.3g}) and variances "
                f"homogeneous (Brown-Forsythe p = {bf_p:.3g})"
            )
    else:
        chosen, reason = method, f"method forced to '{method}' by configuration"
    return {
        "shapiro_w": shapiro_w,
        "shapiro_p": shapiro_p,
        "residuals_normal": normal,
        "brown_forsythe_f": bf_f,
        "brown_forsythe_p": bf_p,
        "variances_equal": equal,
        "method": chosen,
        "reason": reason,
    }
