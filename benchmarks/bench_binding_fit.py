"""Micro-benchmark (not a test): cost of one competition-curve fit.

Fits ~1,000 generated curves (10 half-log concentrations × 3 replicates,
HillSlope −0.6 to −1.6, 4% noise) with the pipeline's lmfit core
(``scripts.binding.models.fit_four_pl``: lmfit ``Minimizer.leastsq`` on a residual,
data-driven starting values, analytic Jacobian, tight tolerances) and with raw
``scipy.optimize.curve_fit`` (its defaults) on the same points from the same
starting values, and prints the median time per fit and the ratio (target:
≤ 3×). curve_fit with the pipeline's Jacobian and tolerances is timed too, so
that lmfit's own overhead can be read apart from the settings.

For context it also times the core without the analytic Jacobian, and the
core started at its own optimum: that is lmfit's fixed per-fit cost
(a Parameters deep copy, result object, covariance → uncertainties) plus
one converged iteration, a floor no tuning of the model or starting values
can go below.

    .venv/bin/python benchmarks/bench_binding_fit.py [--curves 1000] [--seed 20261129]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
from scipy.optimize import curve_fit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.binding import models  # noqa: E402


def generate_curves(n: int, seed: int):
    rng = np.random.default_rng(seed)
    curves = []
    for _ in range(n):
        log_ic50 = rng.uniform(-9.5, -6.0)
        x = np.repeat(log_ic50 + np.arange(-2.5, 2.5, 0.5), 3)
        truth = (rng.uniform(-2, 3), rng.uniform(97, 103), log_ic50, -rng.uniform(0.6, 1.6))
        y = models.four_pl(x, *truth)
        y = y + rng.normal(0, 4.0, x.size)
        curves.append((x, y))
    return curves


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curves", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261129)
    args = parser.parse_args()
    curves = generate_curves(args.curves, args.seed)
    with_jacobian = models._FIT_KWS
    without_jacobian = {k: v for k, v in with_jacobian.items() if k != "Dfun"}

    times = {
        "lmfit core": [],
        "curve_fit": [],
        "curve_fit, same Jacobian and tolerances": [],
        "lmfit core, no analytic Jacobian": [],
        "lmfit core started at optimum": [],
    }
    worst = 0.0
    failures = 0
    for x, y in curves:
        guess = models.initial_guess(x, y)
        p0 = [guess[name] for name in models.PARAMS]
        t_core, ours = timed(partial(models.fit_four_pl, x, y))
        t_scipy, (popt, _) = timed(partial(curve_fit, models.four_pl, x, y, p0=p0))
        times["lmfit core"].append(t_core)
        times["curve_fit"].append(t_scipy)
        t_same, _ = timed(
            partial(
                curve_fit, models.four_pl, x, y, p0=p0, jac=models.four_pl_gradient, xtol=1e-10, ftol=1e-12
            )
        )
        times["curve_fit, same Jacobian and tolerances"].append(t_same)
        models._FIT_KWS = without_jacobian
        try:
            t_plain, _ = timed(partial(models.fit_four_pl, x, y))
        finally:
            models._FIT_KWS = with_jacobian
        times["lmfit core, no analytic Jacobian"].append(t_plain)
        if ours["success"]:
            optimum = {name: ours[name] for name in models.PARAMS}
            t_floor, _ = timed(partial(models.fit_four_pl, x, y, guess=optimum))
            times["lmfit core started at optimum"].append(t_floor)
            worst = max(worst, abs(ours["log_ic50"] / popt[2] - 1), abs(ours["hill_slope"] / popt[3] - 1))
        else:
            failures += 1

    medians = {name: statistics.median(values) * 1e3 for name, values in times.items()}
    print(f"{len(curves)} curves of {curves[0][0].size} points, seed {args.seed}; median ms per fit:")
    for name, value in medians.items():
        print(f"  {name:<34s} {value:7.3f} ms   ({value / medians['curve_fit']:.2f}× curve_fit)")
    ratio = medians["lmfit core"] / medians["curve_fit"]
    print(f"ratio lmfit core / curve_fit: {ratio:.2f} (target ≤ 3: {'met' if ratio <= 3 else 'NOT met'})")
    same = medians["lmfit core"] / medians["curve_fit, same Jacobian and tolerances"]
    print(f"ratio lmfit core / curve_fit with the same Jacobian and tolerances: {same:.2f}")
    print(
        f"failed lmfit fits: {failures}; largest relative LogIC50/HillSlope difference "
        f"from curve_fit (its default tolerances): {worst:.1e}"
    )


if __name__ == "__main__":
    main()
