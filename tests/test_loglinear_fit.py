"""The terminal-phase line (scripts/pk/lambda_z._loglinear_fit, a closed
form) against scipy.stats.linregress, the second implementation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scripts.pk.lambda_z import _loglinear_fit


@pytest.mark.parametrize("seed", range(20))
def test_loglinear_fit_equals_linregress(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 10))
    t = np.sort(rng.uniform(0.5, 72.0, n))
    c = np.exp(4.0 - rng.uniform(0.01, 0.7) * t + rng.normal(0.0, 0.2, n))
    slope, intercept, r, _, _ = stats.linregress(t, np.log(c))
    lambda_z, got_intercept, r2 = _loglinear_fit(t, c)
    assert lambda_z == pytest.approx(-slope, rel=1e-12, abs=1e-15)
    assert got_intercept == pytest.approx(intercept, rel=1e-12)
    assert r2 == pytest.approx(r * r, rel=1e-12)


def test_exact_exponential_has_r2_one_and_its_rate():
    t = np.array([4.0, 8.0, 12.0, 24.0])
    lambda_z, intercept, r2 = _loglinear_fit(t, 100.0 * np.exp(-0.25 * t))
    assert lambda_z == pytest.approx(0.25, rel=1e-12)
    assert intercept == pytest.approx(np.log(100.0), rel=1e-12)
    assert r2 == pytest.approx(1.0, rel=1e-12)
