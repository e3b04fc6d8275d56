"""Counts to molecules (hand calculation: CPM → DPM → fmol with 2.22e12 DPM
per Ci), the ligand-depletion flag on a constructed case, and the
profile-likelihood CIs of saturation Kd and Bmax against lmfit's
conf_interval run directly and against a brute-force scan of the sum of
squares with the same F criterion."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import brentq
from test_binding_tables import saturation_table

from scripts import binding, settings
from scripts.binding import counts
from scripts.binding.models import saturation_model

BINDING = settings.section("binding")
DPM_PER_CI = 2.22e12
FMOL_PER_MMOL = 1e12


def test_cpm_to_fmol_per_mg_by_hand():
    conversion = dict(
        count_unit="cpm",
        counting_efficiency=0.45,
        specific_activity_Ci_mmol=50.0,
        protein_mg_per_well=0.1,
        assay_volume_mL=0.25,
    )
    # 4500 CPM / 0.45 = 10000 DPM; 50 Ci/mmol = 50 * 2.22e12 DPM per 1e12 fmol = 111 DPM/fmol.
    dpm = 4500 / 0.45
    fmol = dpm / (50.0 * DPM_PER_CI / FMOL_PER_MMOL)
    assert counts.to_dpm(4500.0, conversion) == pytest.approx(10000.0)
    assert counts.to_fmol(4500.0, conversion) == pytest.approx(fmol) == pytest.approx(90.09009009)
    assert counts.to_fmol_per_mg(4500.0, conversion) == pytest.approx(900.9009009)
    # Added: 2 nM in 0.25 mL = 2e-9 mol/L * 0.25e-3 L = 5e-13 mol = 500 fmol.
    assert counts.added_fmol(2.0, 0.25) == pytest.approx(2e-9 * 0.25e-3 * 1e15)
    assert counts.depletion_pct(4500.0, 2.0, conversion) == pytest.approx(100 * fmol / 500.0)
    # Counts already in DPM need no efficiency.
    as_dpm = dict(conversion, count_unit="dpm", counting_efficiency=np.nan)
    assert counts.to_fmol(10000.0, as_dpm) == pytest.approx(fmol)


def saturation_file(tmp_path, conversion: dict, noise_cv=0.0, seed=0):
    return saturation_table(tmp_path, noise_cv=noise_cv, seed=seed, extra_columns=conversion)


CONVERSION = dict(
    count_unit="cpm", counting_efficiency=0.5, specific_activity_Ci_mmol=60.0, protein_mg_per_well=0.05
)


def test_bmax_in_fmol_per_mg_and_no_depletion_in_a_large_volume(tmp_path):
    table = saturation_file(tmp_path, dict(CONVERSION, assay_volume_mL=5.0))
    fit = binding.fit_saturation_assay(table, BINDING).iloc[0]
    # Hand: 9000 CPM / 0.5 = 18000 DPM; / (2.22 * 60) = 135.135 fmol; / 0.05 mg.
    assert fit["bmax_fmol"] == pytest.approx(9000 / 0.5 / (2.22 * 60), rel=1e-7)
    assert fit["bmax_fmol_mg"] == pytest.approx(9000 / 0.5 / (2.22 * 60) / 0.05, rel=1e-7)
    # Largest depletion at the lowest [L] (0.072 nM): total bound 9000*0.072/0.792
    # + 750*0.072 + 30 CPM over 0.072 nM * 5 mL * 1000 = 360 fmol added.
    total_cpm = 9000 * 0.072 / (0.72 + 0.072) + 750 * 0.072 + 30
    expected = 100 * total_cpm / 0.5 / (2.22 * 60) / 360.0
    assert fit["max_depletion_pct"] == pytest.approx(expected, rel=1e-9)
    assert "ligand_depletion" not in fit["flags"]


def test_depletion_flag_fires_on_a_constructed_case(tmp_path):
    # 0.25 mL: 0.072 nM adds 18 fmol while about 13.5 fmol are bound (75%).
    table = saturation_file(tmp_path, dict(CONVERSION, assay_volume_mL=0.25))
    fit = binding.fit_saturation_assay(table, BINDING).iloc[0]
    assert fit["max_depletion_pct"] == pytest.approx(75.2, abs=0.1)
    assert "ligand_depletion" in fit["flags"].split(";")
    relaxed = binding.fit_saturation_assay(table, dict(BINDING, ligand_depletion_max_pct=80)).iloc[0]
    assert "ligand_depletion" not in relaxed["flags"]


def _direct_fit(table):
    """The same global fit with lmfit run directly (not through the package)."""
    x = table["radioligand_nM"].to_numpy(float)
    is_total = (table["well_type"] == "total").to_numpy(float)
    y = table["cpm"].to_numpy(float)
    model = saturation_model()
    params = model.make_params(bmax=8000.0, kd=dict(value=1.0, min=0.0), ns=500.0, background=0.0)
    return (
        model.fit(y, params, x=x, is_total=is_total, fit_kws={"xtol": 1e-10, "ftol": 1e-12}),
        x,
        is_total,
        y,
    )


def test_profile_ci_agrees_with_conf_interval_and_a_brute_force_scan(tmp_path):
    import lmfit

    table = saturation_file(tmp_path, {}, noise_cv=0.05, seed=3)
    row = binding.fit_saturation_assay(table, BINDING).iloc[0]
    result, x, is_total, y = _direct_fit(table)
    direct = lmfit.conf_interval(result, result, p_names=["kd", "bmax"], sigmas=[0.95])
    assert (row["kd_profile_ci_low_nM"], row["kd_profile_ci_high_nM"]) == pytest.approx(
        (direct["kd"][0][1], direct["kd"][-1][1]), rel=1e-4
    )
    assert (row["bmax_profile_ci_low"], row["bmax_profile_ci_high"]) == pytest.approx(
        (direct["bmax"][0][1], direct["bmax"][-1][1]), rel=1e-4
    )
    # Brute force: fix Kd, refit the rest, and find where the sum of squares
    # reaches SS_best * (1 + F(0.95; 1, N - P) / (N - P)).
    n, p = len(y), 4
    threshold = result.chisqr * (1 + stats.f.ppf(0.95, 1, n - p) / (n - p))

    def excess(kd):
        params = result.params.copy()
        params["kd"].set(value=kd, vary=False)
        refit = saturation_model().fit(
            y, params, x=x, is_total=is_total, fit_kws={"xtol": 1e-12, "ftol": 1e-14}
        )
        return refit.chisqr - threshold

    best = result.params["kd"].value
    low = brentq(excess, best * 0.3, best, xtol=1e-9)
    high = brentq(excess, best, best * 3.0, xtol=1e-9)
    assert (row["kd_profile_ci_low_nM"], row["kd_profile_ci_high_nM"]) == pytest.approx((low, high), rel=2e-3)
    # The profile interval is asymmetric (longer above the estimate); the
    # symmetric asymptotic one is kept beside it.
    assert high - best > best - low
    assert row["kd_ci_high_nM"] - row["kd_nM"] == pytest.approx(row["kd_nM"] - row["kd_ci_low_nM"])
