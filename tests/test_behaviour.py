"""Statistical building blocks of scripts.behaviour, each checked against
something independent: a second implementation (statsmodels,
scikit-posthocs, scipy's t-test), a published table value, or a hand
calculation from the method's formula."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scikit_posthocs
import statsmodels.formula.api as smf
from scipy import integrate, stats
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.oneway import anova_oneway

from scripts import settings
from scripts.behaviour import effect_size, figures
from scripts.behaviour import stats as bh
from scripts.behaviour.decision import choose_method
from scripts.behaviour.endpoints import compute_endpoints
from scripts.behaviour.two_way import two_way_anova
from scripts.validation import validate_behaviour

SETTINGS = settings.section("behaviour")

# Three groups with different spreads; vehicle first.
VEHICLE = [150.2, 162.1, 141.7, 158.3, 147.9, 170.4, 155.0, 149.1]
LOW = [141.0, 152.3, 133.9, 160.2, 128.4, 146.6, 139.8]
HIGH = [98.3, 131.2, 77.5, 120.9, 88.0, 142.6, 69.9, 110.4, 101.7]
GROUPS = [VEHICLE, LOW, HIGH]


def long_frame(groups, names=None):
    names = names or [f"g{i}" for i in range(len(groups))]
    return pd.DataFrame(
        {"group": np.repeat(names, [len(g) for g in groups]), "value": np.concatenate(groups)}
    )


# --------------------------------------------------------------------------
# Omnibus tests


def test_one_way_anova_matches_statsmodels_ols():
    result = bh.one_way_anova(GROUPS)
    table = anova_lm(smf.ols("value ~ C(group)", data=long_frame(GROUPS)).fit(), typ=1)
    assert result["statistic"] == pytest.approx(table.loc["C(group)", "F"], rel=1e-10)
    assert result["p_value"] == pytest.approx(table.loc["C(group)", "PR(>F)"], rel=1e-8)
    assert (result["df1"], result["df2"]) == (2, 21)
    # omega² from statsmodels' sums of squares (Hays' formula).
    ssb, ssw = table.loc["C(group)", "sum_sq"], table.loc["Residual", "sum_sq"]
    msw = ssw / table.loc["Residual", "df"]
    assert result["effect_size"] == pytest.approx((ssb - 2 * msw) / (ssb + ssw + msw))


def test_omega_squared_hand_calculation():
    # Groups [1,2,3], [4,5,6]: grand mean 3.5, SSb = 3·(2.5²·... ) = 13.5,
    # SSw = 2 + 2 = 4, MSw = 1, ω² = (13.5 − 1·1) / (17.5 + 1) = 12.5 / 18.5.
    result = bh.one_way_anova([[1, 2, 3], [4, 5, 6]])
    assert result["effect_size"] == pytest.approx(12.5 / 18.5)
    assert result["statistic"] == pytest.approx(13.5)


def test_welch_anova_matches_statsmodels_anova_oneway():
    result = bh.welch_anova(GROUPS)
    reference = anova_oneway(GROUPS, use_var="unequal")
    assert result["statistic"] == pytest.approx(reference.statistic, rel=1e-10)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-8)
    assert result["df1"] == pytest.approx(reference.df[0])
    assert result["df2"] == pytest.approx(reference.df[1], rel=1e-10)
    n = sum(len(g) for g in GROUPS)
    f = reference.statistic
    assert result["effect_size"] == pytest.approx(2 * (f - 1) / (2 * (f - 1) + n))


def test_kruskal_wallis_hand_calculation():
    # No ties: ranks 1..9. Groups get ranks {1,2,4}, {3,5,6}, {7,8,9}.
    groups = [[1.0, 2.0, 4.0], [3.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    rank_sums = np.array([7, 14, 24])
    h = 12 / (9 * 10) * (rank_sums**2 / 3).sum() - 3 * 10
    result = bh.kruskal_wallis(groups)
    assert result["statistic"] == pytest.approx(h)
    assert result["p_value"] == pytest.approx(stats.chi2.sf(h, 2))
    assert result["effect_size"] == pytest.approx((h - 3 + 1) / (9 - 3))
    assert math.isnan(result["df2"])


# --------------------------------------------------------------------------
# Dunnett: scipy against a published table and a deterministic recomputation

# Gauss–Hermite nodes for E[f(W)], W ~ N(0, 1).
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(96)
_WEIGHTS = _WEIGHTS / math.sqrt(2 * math.pi)


def _prob_all_within(c, lambdas):
    """P(max|Z_i| ≤ c) for Z_i = λ_i W + √(1−λ_i²) E_i (the product-correlation
    structure of many-to-one comparisons: ρ_ij = λ_i λ_j)."""
    lam = np.asarray(lambdas)[:, None]
    s = np.sqrt(1 - lam**2)
    inside = stats.norm.cdf((c - lam * _NODES) / s) - stats.norm.cdf((-c - lam * _NODES) / s)
    return float((_WEIGHTS * inside.prod(axis=0)).sum())


def _dunnett_cdf(t, lambdas, df):
    """P(max|T_i| ≤ t): integrate the normal result over S/σ ~ √(χ²_df/df)."""
    if df is None:
        return _prob_all_within(t, lambdas)
    density = lambda u: stats.chi.pdf(u * math.sqrt(df), df) * math.sqrt(df)  # noqa: E731
    value, _ = integrate.quad(
        lambda u: density(u) * _prob_all_within(t * u, lambdas), 0, np.inf, epsabs=1e-12, limit=200
    )
    return value


@pytest.mark.parametrize("df, table", [(None, [2.21, 2.35, 2.44]), (20, [2.38, 2.54, 2.65])])
def test_recomputation_reproduces_dunnett_1955_table(df, table):
    """Two-sided 95% critical values for 2, 3, 4 treatments with equal n
    (the published two-sided 5% tables of Dunnett 1955/1964, as
    reproduced in statistics texts): the recomputation lies within
    rounding of the published values, so it can serve as a reference."""
    for p, critical in zip((2, 3, 4), table):
        lambdas = [math.sqrt(0.5)] * p
        assert _dunnett_cdf(critical - 0.005, lambdas, df) < 0.95
        assert _dunnett_cdf(critical + 0.005, lambdas, df) > 0.95


def test_dunnett_p_values_match_recomputation():
    # Dunnett's (1955) blood-count example: control and two drugs.
    control = [7.40, 8.50, 7.20, 8.24, 9.84, 8.32]
    drugs = [[9.76, 8.80, 7.68, 9.36], [12.80, 9.68, 12.16, 9.20, 10.55]]
    result = bh.dunnett_vs_control(control, drugs, seed=20261129)
    arrays = [np.array(control)] + [np.array(d) for d in drugs]
    df = sum(a.size for a in arrays) - len(arrays)
    pooled_sd = math.sqrt(sum(((a - a.mean()) ** 2).sum() for a in arrays) / df)
    n0 = len(control)
    lambdas = [math.sqrt(len(d) / (len(d) + n0)) for d in drugs]
    for i, drug in enumerate(drugs):
        t = (np.mean(drug) - np.mean(control)) / (pooled_sd * math.sqrt(1 / len(drug) + 1 / n0))
        expected_p = 1 - _dunnett_cdf(abs(t), lambdas, df)
        assert result[i]["p_adj"] == pytest.approx(expected_p, abs=2e-4)
        assert result[i]["diff"] == pytest.approx(np.mean(drug) - np.mean(control))


def test_dunnett_ci_uses_published_critical_value():
    """Equal n = 6, 3 treatments, df = 20: the simultaneous CI half-width is
    2.54 (Dunnett's table) × s·√(2/n)."""
    rng = np.random.default_rng(7)
    control = rng.normal(10, 2, 6)
    treated = [rng.normal(m, 2, 6) for m in (10, 11, 13)]
    result = bh.dunnett_vs_control(control, treated, seed=1)
    arrays = [control] + treated
    pooled_sd = math.sqrt(sum(((a - a.mean()) ** 2).sum() for a in arrays) / 20)
    for r in result:
        critical = (r["ci_high"] - r["diff"]) / (pooled_sd * math.sqrt(2 / 6))
        assert critical == pytest.approx(2.54, abs=0.006)
        assert r["ci_low"] == pytest.approx(2 * r["diff"] - r["ci_high"])


def test_dunnett_p_values_reproduce_with_the_seed():
    first = bh.dunnett_vs_control(VEHICLE, [LOW, HIGH], seed=20261129)
    second = bh.dunnett_vs_control(VEHICLE, [LOW, HIGH], seed=20261129)
    assert first == second  # bit-identical, CIs included
    other = bh.dunnett_vs_control(VEHICLE, [LOW, HIGH], seed=1)
    # A different seed only moves the quasi-Monte-Carlo error.
    assert [r["p_adj"] for r in other] == pytest.approx([r["p_adj"] for r in first], abs=1e-3)


# --------------------------------------------------------------------------
# Games–Howell and Dunn


def test_games_howell_p_values_match_scikit_posthocs():
    result = bh.games_howell_vs_control(VEHICLE, [LOW, HIGH], n_groups=3)
    matrix = scikit_posthocs.posthoc_games_howell(long_frame(GROUPS), val_col="value", group_col="group")
    assert result[0]["p_adj"] == pytest.approx(matrix.loc["g1", "g0"], rel=1e-8)
    assert result[1]["p_adj"] == pytest.approx(matrix.loc["g2", "g0"], rel=1e-8)


def test_games_howell_with_two_groups_is_welch_t_test():
    """With k = 2 the studentized range q/√2 is Student's t, so p and CI must
    equal Welch's t-test (scipy.stats.ttest_ind, equal_var=False)."""
    result = bh.games_howell_vs_control(VEHICLE, [HIGH], n_groups=2)[0]
    welch = stats.ttest_ind(HIGH, VEHICLE, equal_var=False)
    ci = welch.confidence_interval(0.95)
    assert result["p_adj"] == pytest.approx(welch.pvalue, rel=1e-6)
    assert result["ci_low"] == pytest.approx(ci.low, rel=1e-6)
    assert result["ci_high"] == pytest.approx(ci.high, rel=1e-6)
    assert result["df"] == pytest.approx(welch.df)


def test_dunn_matches_scikit_posthocs_and_hand_holm():
    tied = [[1, 2, 2, 3, 5, 6], [4, 6, 7, 8, 8, 9], [2, 3, 3, 4, 10, 11]]
    result = bh.dunn_vs_control(tied[0], tied[1:])
    matrix = scikit_posthocs.posthoc_dunn(long_frame(tied), val_col="value", group_col="group", p_adjust=None)
    raw = [matrix.loc["g1", "g0"], matrix.loc["g2", "g0"]]
    assert [r["p_raw"] for r in result] == pytest.approx(raw, rel=1e-8)
    # Holm by hand over the two dose-vs-vehicle comparisons only.
    small, large = sorted(raw)
    holm_small = min(1, 2 * small)
    holm_large = min(1, max(holm_small, large))
    expected = {small: holm_small, large: holm_large}
    assert [r["p_adj"] for r in result] == pytest.approx([expected[p] for p in raw])


def test_dunn_z_hand_calculation_without_ties():
    # Ranks: control {1,2,3}, treated {4,5,6}; N = 6.
    # z = (5 − 2) / √(6·7/12 · (1/3 + 1/3)) = 3 / √(7/3).
    result = bh.dunn_vs_control([1, 2, 3], [[4, 5, 6]])[0]
    assert result["z"] == pytest.approx(3 / math.sqrt(7 / 3))
    assert result["p_adj"] == pytest.approx(2 * stats.norm.sf(3 / math.sqrt(7 / 3)))


def test_hodges_lehmann_estimate_and_ci_by_test_inversion():
    treated = [12.1, 14.3, 11.8, 15.2, 13.9, 16.4, 12.7, 14.8]
    control = [10.2, 11.5, 9.8, 12.9, 10.7, 11.1, 13.3, 9.4]
    result = bh.hodges_lehmann(treated, control)
    diffs = sorted(t - c for t in treated for c in control)
    assert result["diff"] == pytest.approx(np.median(diffs))

    # The CI is the set of shifts not rejected by the two-sided Mann–Whitney
    # test (normal approximation, no continuity correction) at 5%.
    def rejected(shift):
        return (
            stats.mannwhitneyu(
                np.array(treated) - shift, control, method="asymptotic", use_continuity=False
            ).pvalue
            < 0.05
        )

    eps = 1e-9
    assert not rejected(result["ci_low"] + eps) and rejected(result["ci_low"] - 1e-3)
    assert not rejected(result["ci_high"] - eps) and rejected(result["ci_high"] + 1e-3)


# --------------------------------------------------------------------------
# Effect size, descriptives, decision-path checks, two-way ANOVA


def test_hedges_g_hand_calculation():
    treated, control = [4, 5, 6, 7, 8], [1, 2, 3, 4, 5]
    # Both variances 2.5, pooled SD √2.5, d = 3/√2.5; df = 8,
    # J = Γ(4) / (√4 · Γ(3.5)) = 6 / (2 · 3.3233509704) = 0.9027033336.
    j = 6 / (2 * 3.3233509704478426)
    g = j * 3 / math.sqrt(2.5)
    se = math.sqrt(10 / 25 + g**2 / 20)
    result = effect_size.hedges_g(treated, control)
    assert result[0] == pytest.approx(g, rel=1e-12)
    assert result[0] == pytest.approx(1.712759, abs=1e-6)
    assert result[1] == pytest.approx(g - 1.959963985 * se)
    assert result[2] == pytest.approx(g + 1.959963985 * se)
    # Sign follows treated − control; the approximate J (1 − 3/(4df − 1))
    # agrees to three decimals.
    assert effect_size.hedges_g(control, treated)[0] == pytest.approx(-g)
    assert g == pytest.approx((1 - 3 / 31) * 3 / math.sqrt(2.5), abs=1e-3)


def test_describe_hand_calculation():
    result = bh.describe([2, 4, 4, 4, 5, 5, 7, 9])
    assert result["n"] == 8 and result["mean"] == 5
    assert result["sd"] == pytest.approx(math.sqrt(32 / 7))
    assert result["sem"] == pytest.approx(math.sqrt(32 / 7) / math.sqrt(8))
    # Linear-interpolation quartiles: positions 1.75 and 5.25 (0-based).
    assert (result["q1"], result["median"], result["q3"]) == (4.0, 4.5, 5.5)
    assert result["iqr"] == 1.5


def test_brown_forsythe_is_anova_on_absolute_deviations_from_medians():
    check = choose_method(GROUPS, SETTINGS["normality_alpha"], SETTINGS["variance_alpha"], SETTINGS["method"])
    deviations = [np.abs(np.array(g) - np.median(g)) for g in GROUPS]
    table = anova_lm(smf.ols("value ~ C(group)", data=long_frame(deviations)).fit())
    assert check["brown_forsythe_f"] == pytest.approx(table.loc["C(group)", "F"])
    assert check["brown_forsythe_p"] == pytest.approx(table.loc["C(group)", "PR(>F)"])
    residuals = np.concatenate([np.array(g) - np.mean(g) for g in GROUPS])
    assert check["shapiro_p"] == pytest.approx(stats.shapiro(residuals).pvalue)


def test_two_way_type_ii_balanced_hand_calculation(tmp_path):
    """Balanced 2 × 2 design: type II SS equal the classical SS from marginal
    means; residual SS is the within-cell SS."""
    cells = {
        ("vehicle", "acute"): [10, 12, 11],
        ("vehicle", "chronic"): [13, 15, 14],
        ("drug", "acute"): [6, 8, 7],
        ("drug", "chronic"): [5, 7, 9],
    }
    rows = []
    for (treatment, regimen), values in cells.items():
        for i, v in enumerate(values):
            rows.append(
                {
                    "animal_id": f"{treatment}{regimen}{i}",
                    "species": "rat",
                    "sex": "M",
                    "treatment": treatment,
                    "dose_mg_kg": 0 if treatment == "vehicle" else 10,
                    "route": "po",
                    "regimen": regimen,
                    "days_dosed": 1,
                    "immobility_s": v,
                }
            )
    path = tmp_path / "behaviour" / "fst.csv"
    path.parent.mkdir()
    pd.DataFrame(rows).to_csv(path, index=False)
    validated, _ = validate_behaviour(path, {}, SETTINGS["vehicle_label"], ["drug"])
    long = compute_endpoints(
        validated,
        "fst",
        vehicle_label=SETTINGS["vehicle_label"],
        fst_window_min=SETTINGS["fst_window_min"],
        extra_tests={},
    )
    table = two_way_anova(long, SETTINGS["min_group_n"]).set_index("term")
    grand = np.mean([v for vs in cells.values() for v in vs])  # 117 / 12 = 9.75
    assert grand == 9.75
    treat_means = {"vehicle": 12.5, "drug": 7.0}
    regimen_means = {"acute": 9.0, "chronic": 10.5}
    ss_treatment = 6 * sum((m - grand) ** 2 for m in treat_means.values())
    ss_regimen = 6 * sum((m - grand) ** 2 for m in regimen_means.values())
    cell_means = {k: np.mean(v) for k, v in cells.items()}
    ss_cells = 3 * sum((m - grand) ** 2 for m in cell_means.values())
    ss_within = sum(((np.array(v) - np.mean(v)) ** 2).sum() for v in cells.values())
    assert table.loc["treatment", "sum_sq"] == pytest.approx(ss_treatment)
    assert table.loc["regimen", "sum_sq"] == pytest.approx(ss_regimen)
    assert table.loc["treatment:regimen", "sum_sq"] == pytest.approx(ss_cells - ss_treatment - ss_regimen)
    assert table.loc["Residual", "sum_sq"] == pytest.approx(ss_within)
    assert table.loc["treatment", "f_value"] == pytest.approx(ss_treatment / (ss_within / 8))
    assert set(table["model"]) == {"treatment x regimen"}


# --------------------------------------------------------------------------
# Prism stars


@pytest.mark.parametrize(
    "p, stars",
    [
        (0.0001, "****"),
        (0.00011, "***"),
        (0.001, "***"),
        (0.0099, "**"),
        (0.01, "**"),
        (0.05, "*"),
        (0.0501, "ns"),
        (float("nan"), ""),
    ],
)
def test_prism_star_thresholds(p, stars):
    assert figures.prism_stars(p) == stars
