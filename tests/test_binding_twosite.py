"""Two-site competition fit: agreement with scipy.optimize.curve_fit,
recovery of simulated fractions and site affinities within their 95% CIs,
the F test's false-positive rate on one-site data, and the ambiguity rules.
Data are generated for all simulations at once (one seeded normal draw)."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy.optimize import curve_fit

from scripts import binding, settings

BINDING = settings.section("binding")
# 14 half-log concentrations, 1e-10.5 .. 1e-4 M, in triplicate.
X = np.repeat(np.arange(-10.5, -3.9, 0.5), 3)
TRUTH = dict(bottom=0.0, top=100.0, fraction=0.3, log_ic50_high=-8.5, log_ic50_low=-6.5)
NOISE_SD = 4.0  # % of the specific window


def _verdict(x, y):
    one = binding.fit_four_pl(x, y, binding.ONE_SITE)
    two = binding.fit_two_site(x, y, one["log_ic50"], top=one["top"], bottom=one["bottom"])
    verdict = binding.compare_two_site(
        one,
        two,
        float(x.max()),
        min_separation_log=BINDING["two_site_min_separation_log"],
        plateau_fraction=binding.PLATEAU_FRACTION,
    )
    return one, two, verdict


def test_two_site_agrees_with_curve_fit():
    rng = np.random.default_rng(11)
    y = binding.two_site(X, **TRUTH) + rng.normal(0, NOISE_SD, X.size)
    _, two, verdict = _verdict(X, y)
    start = [TRUTH[name] + 0.1 for name in binding.TWO_SITE_PARAMS]
    values, covariance = curve_fit(binding.two_site, X, y, p0=start, xtol=1e-12, ftol=1e-12)
    for i, name in enumerate(binding.TWO_SITE_PARAMS):
        assert two[name] == pytest.approx(values[i], rel=1e-6, abs=1e-6), name
        assert two[f"{name}_se"] == pytest.approx(math.sqrt(covariance[i, i]), rel=1e-3), name
    assert verdict["status"] == "two sites"


def test_noise_free_two_site_curve_returns_its_parameters():
    _, two, _ = _verdict(X, binding.two_site(X, **TRUTH))
    for name, value in TRUTH.items():
        assert two[name] == pytest.approx(value, abs=1e-6), name


def test_two_site_gradient_matches_central_differences():
    values = list(TRUTH.values())
    gradient = binding.two_site_gradient(X, *values)
    for i in range(len(values)):
        step = np.zeros(len(values))
        step[i] = 1e-6
        numeric = (binding.two_site(X, *(values + step)) - binding.two_site(X, *(values - step))) / 2e-6
        np.testing.assert_allclose(gradient[:, i], numeric, atol=1e-5)


def test_two_site_recovery_within_ci_in_at_least_90_percent_of_simulations():
    n = 200
    noise = np.random.default_rng(2024).normal(0, NOISE_SD, (n, X.size))
    ys = binding.two_site(X, **TRUTH) + noise
    covered = {name: 0 for name in ("fraction", "log_ic50_high", "log_ic50_low")}
    two_sites = 0
    started = time.perf_counter()
    for y in ys:
        _, two, verdict = _verdict(X, y)
        two_sites += verdict["status"] == "two sites"
        for name in covered:
            covered[name] += bool(two[f"{name}_ci_low"] <= TRUTH[name] <= two[f"{name}_ci_high"])
    elapsed = time.perf_counter() - started
    print(
        f"\ntwo-site recovery, {n} simulations in {elapsed:.1f} s: two sites {two_sites}; covered {covered}"
    )
    assert two_sites >= 0.9 * n
    # Ki = IC50/(1 + [L]/Kd) is a monotone transform of the logIC50, so its
    # CI covers the true Ki exactly when the logIC50 CI covers the truth.
    for name, count in covered.items():
        assert count >= 0.9 * n, name


def test_one_site_data_prefer_two_sites_rarely():
    n = 400
    noise = np.random.default_rng(77).normal(0, NOISE_SD, (n, X.size))
    ys = binding.four_pl(X, 0.0, 100.0, -7.5, -1.0) + noise
    preferred = 0
    started = time.perf_counter()
    for y in ys:
        _, _, verdict = _verdict(X, y)
        preferred += verdict["f_test_p"] < 0.05
    elapsed = time.perf_counter() - started
    print(f"\none-site data: two sites preferred by the F test in {preferred}/{n} ({elapsed:.1f} s)")
    assert preferred <= 0.08 * n


def test_ambiguity_rules():
    fit = dict(
        errorbars=True, fraction_ci_low=0.2, fraction_ci_high=0.4, log_ic50_high=-8.5, log_ic50_low=-6.5
    )
    assert binding.twosite.ambiguity_reasons(fit, -4.0, 1.0, 0.2) == []
    assert "fraction CI reaches 0 or 1" in binding.twosite.ambiguity_reasons(
        dict(fit, fraction_ci_low=-0.1), -4.0, 1.0, 0.2
    )
    assert any(
        "log apart" in r
        for r in binding.twosite.ambiguity_reasons(dict(fit, log_ic50_low=-7.8), -4.0, 1.0, 0.2)
    )
    # Highest concentration 10^-6 M: the low site (IC50 10^-6.5) keeps
    # 1/(1 + 10^0.5) = 24% > 20% of its binding.
    assert "low-affinity plateau outside the tested range" in binding.twosite.ambiguity_reasons(
        fit, -6.0, 1.0, 0.2
    )
