"""Fitting core of scripts.binding, checked against independent references:
drc's published LL.4 fit, scipy.optimize.curve_fit, hand calculations and
noise-free ground truth."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import curve_fit

from scripts import binding

# drc's `ryegrass` data set (R package drc, data(ryegrass); Inderjit, Streibig &
# Olofsdotter 2002, Physiologia Plantarum 114:422-428): root length (cm) of
# perennial ryegrass against ferulic acid (mM). The 24 rows as distributed in
# the Rdatasets CSV export csv/drc/ryegrass.csv (vincentarelbundock/Rdatasets).
RYEGRASS_CONC_MM = [
    0,
    0,
    0,
    0,
    0,
    0,
    0.94,
    0.94,
    0.94,
    1.88,
    1.88,
    1.88,
    3.75,
    3.75,
    3.75,
    7.5,
    7.5,
    7.5,
    15,
    15,
    15,
    30,
    30,
    30,
]
RYEGRASS_ROOT_LENGTH = [
    7.58,
    8,
    8.328571429,
    7.25,
    7.375,
    7.9625,
    8.355555556,
    6.914285714,
    7.75,
    6.871428571,
    6.45,
    5.922222222,
    1.925,
    2.885714286,
    4.233333333,
    1.1875,
    0.857142857,
    1.057142857,
    0.6875,
    0.525,
    0.825,
    0.25,
    0.22,
    0.44,
]
# summary(drm(rootl ~ conc, data = ryegrass, fct = LL.4())) as published by drc.
DRC_LL4 = {"b": 2.98222, "c": 0.48141, "d": 7.79296, "e": 3.05795}
DRC_RESIDUAL_SE = 0.5196
DRC_DF = 20


def significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits - 1}e}")


def test_ryegrass_reproduces_drc_ll4_to_four_significant_figures():
    # drc's LL.4: f(x) = c + (d - c)/(1 + exp(b(log x - log e))), i.e. our
    # model with Bottom = c, Top = d, LogIC50 = log10(e), HillSlope = -b.
    # Concentration 0 enters as X = -inf, where the model equals Top.
    with np.errstate(divide="ignore"):
        x = np.log10(np.array(RYEGRASS_CONC_MM))
    fit = binding.fit_four_pl(x, np.array(RYEGRASS_ROOT_LENGTH))
    assert fit["success"]
    ours = {"b": -fit["hill_slope"], "c": fit["bottom"], "d": fit["top"], "e": 10 ** fit["log_ic50"]}
    for name, published in DRC_LL4.items():
        assert significant(ours[name]) == significant(published), name
    assert fit["dof"] == DRC_DF
    assert significant(math.sqrt(fit["sse"] / fit["dof"])) == DRC_RESIDUAL_SE


def _noisy_curves(seed: int, n: int):
    rng = np.random.default_rng(seed)
    x = np.repeat(np.arange(-11.0, -4.4, 0.5), 3)
    for _ in range(n):
        truth = (rng.uniform(-3, 5), rng.uniform(95, 105), rng.uniform(-9, -7), -rng.uniform(0.6, 1.8))
        yield x, binding.four_pl(x, *truth) + rng.normal(0, 4, x.size)


def _reference_fit(f, x, y, p0):
    """scipy's own least squares (trust-region, central differences), driven
    to full convergence, as the independent second implementation."""
    tight = dict(method="trf", jac="3-point", xtol=1e-15, ftol=1e-15, gtol=1e-15)
    return curve_fit(f, x, y, p0=p0, **tight)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_variable_slope_agrees_with_curve_fit(seed):
    for x, y in _noisy_curves(seed, 8):
        ours = binding.fit_four_pl(x, y)
        start = [ours[name] * 1.05 for name in binding.PARAMS]  # both from the same point
        popt, pcov = _reference_fit(binding.four_pl, x, y, start)
        assert ours["log_ic50"] == pytest.approx(popt[2], rel=1e-6)
        assert ours["hill_slope"] == pytest.approx(popt[3], rel=1e-6)
        # curve_fit scales pcov by the residual variance, as Prism and lmfit do.
        se = np.sqrt(np.diag(pcov))
        assert ours["log_ic50_se"] == pytest.approx(se[2], rel=1e-4)
        assert ours["hill_slope_se"] == pytest.approx(se[3], rel=1e-4)


def test_one_site_agrees_with_curve_fit_and_fixes_hill_at_minus_one():
    def one_site(x, bottom, top, log_ic50):
        return bottom + (top - bottom) / (1 + 10 ** (-(log_ic50 - x)))

    for x, y in _noisy_curves(7, 6):
        ours = binding.fit_four_pl(x, y, binding.ONE_SITE)
        assert ours["hill_slope"] == -1.0 and math.isnan(ours["hill_slope_se"])
        assert ours["dof"] == x.size - 3
        popt, pcov = _reference_fit(one_site, x, y, [ours["bottom"], ours["top"], ours["log_ic50"] + 0.1])
        assert ours["log_ic50"] == pytest.approx(popt[2], rel=1e-6)
        assert ours["log_ic50_se"] == pytest.approx(math.sqrt(pcov[2, 2]), rel=1e-4)


@pytest.mark.parametrize(
    "truth",
    [(0.0, 100.0, -8.0, -1.0), (5.0, 98.0, -6.3, -0.7), (-2.0, 101.0, -9.1, -1.9), (10.0, 80.0, -7.5, 1.2)],
)
def test_noise_free_curve_returns_its_parameters(truth):
    x = np.repeat(np.arange(-11.0, -4.4, 0.5), 2)
    fit = binding.fit_four_pl(x, binding.four_pl(x, *truth))
    assert fit["success"]
    for name, value in zip(binding.PARAMS, truth):
        assert fit[name] == pytest.approx(value, rel=1e-9, abs=1e-9)
    assert fit["r_squared"] == pytest.approx(1.0, abs=1e-12)


def test_ci_is_t_based_on_residual_df_and_r_squared_about_the_mean():
    x, y = next(_noisy_curves(11, 1))
    fit = binding.fit_four_pl(x, y)
    dof = x.size - 4
    t = stats.t.ppf(0.975, dof)
    assert fit["dof"] == dof
    for name in binding.PARAMS:
        assert fit[f"{name}_ci_low"] == pytest.approx(fit[name] - t * fit[f"{name}_se"], rel=1e-12)
        assert fit[f"{name}_ci_high"] == pytest.approx(fit[name] + t * fit[f"{name}_se"], rel=1e-12)
    residual = y - binding.four_pl(x, *(fit[name] for name in binding.PARAMS))
    assert fit["sse"] == pytest.approx(np.sum(residual**2), rel=1e-12)
    assert fit["r_squared"] == pytest.approx(1 - np.sum(residual**2) / np.sum((y - y.mean()) ** 2))


def test_aicc_matches_hand_calculation():
    # N = 20, SS = 10, 4 fitted parameters -> K = 5.
    expected = 20 * math.log(10 / 20) + 2 * 5 + 2 * 5 * 6 / (20 - 5 - 1)
    assert binding.aicc(10.0, 20, 4) == pytest.approx(expected, rel=1e-14)
    assert math.isnan(binding.aicc(10.0, 6, 4))  # N <= K + 1


def test_f_test_prefers_variable_slope_only_for_a_steep_curve():
    rng = np.random.default_rng(5)
    x = np.repeat(np.arange(-11.0, -4.4, 0.5), 3)
    steep = binding.four_pl(x, 0, 100, -8, -2.0) + rng.normal(0, 3, x.size)
    simple, complex_ = (binding.fit_four_pl(x, steep, m) for m in (binding.ONE_SITE, binding.VARIABLE_SLOPE))
    comparison = binding.compare_models(simple, complex_)
    f_hand = ((simple["sse"] - complex_["sse"]) / 1) / (complex_["sse"] / (x.size - 4))
    assert comparison["f_statistic"] == pytest.approx(f_hand, rel=1e-12)
    assert comparison["f_test_p"] == pytest.approx(stats.f.sf(f_hand, 1, x.size - 4), rel=1e-12)
    assert comparison["f_test_p"] < 1e-6
    assert comparison["preferred_model"] == binding.VARIABLE_SLOPE
    assert comparison["aicc_difference"] == pytest.approx(simple["aicc"] - complex_["aicc"])
    assert comparison["aicc_preferred_model"] == binding.VARIABLE_SLOPE

    unit = binding.four_pl(x, 0, 100, -8, -1.0) + rng.normal(0, 3, x.size)
    comparison = binding.compare_models(
        binding.fit_four_pl(x, unit, binding.ONE_SITE), binding.fit_four_pl(x, unit)
    )
    assert comparison["preferred_model"] == (
        binding.VARIABLE_SLOPE if comparison["f_test_p"] < 0.05 else binding.ONE_SITE
    )


def test_analytic_gradient_matches_central_differences():
    x = np.array([-np.inf, -11.0, -9.0, -8.2, -7.0, -5.0])
    theta = np.array([3.0, 97.0, -8.1, -1.3])
    gradient = binding.four_pl_gradient(x, *theta)
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-6
        numeric = (binding.four_pl(x, *(theta + step)) - binding.four_pl(x, *(theta - step))) / 2e-6
        numeric = np.nan_to_num(numeric)  # X = -inf: the curve does not move
        np.testing.assert_allclose(gradient[:, j], numeric, rtol=1e-6, atol=1e-7)


def test_confidence_band_is_delta_method_with_t_quantile():
    x, y = next(_noisy_curves(13, 1))
    fit = binding.fit_four_pl(x, y)
    values = {name: fit[name] for name in binding.PARAMS}
    grid = np.array([-10.0, values["log_ic50"], -6.0])
    line, low, high = binding.confidence_band(grid, values, fit["covariance"], fit["dof"])
    # At X = LogIC50 the model is (Top+Bottom)/2 + ..., so its variance can be
    # written by hand: dY/dBottom = dY/dTop = 1/2, dY/dLogIC50 = -(T-B)·ln10·h/4,
    # dY/dHill = 0.
    g = np.array(
        [0.5, 0.5, -(values["top"] - values["bottom"]) * math.log(10) * values["hill_slope"] / 4, 0.0]
    )
    half = stats.t.ppf(0.975, fit["dof"]) * math.sqrt(g @ fit["covariance"] @ g)
    assert line[1] == pytest.approx((values["top"] + values["bottom"]) / 2)
    assert high[1] - line[1] == pytest.approx(half, rel=1e-9)
    assert np.all(low < line) and np.all(line < high)


def test_too_few_points_is_a_reported_failure_not_an_exception():
    fit = binding.fit_four_pl(np.array([-9.0, -8.0, -7.0]), np.array([90.0, 50.0, 10.0]))
    assert not fit["success"] and "cannot determine" in fit["message"]
