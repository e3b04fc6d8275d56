"""One human steady-state profile: calibrated to a therapeutic-drug-
monitoring trough, every human steady-state value (Cmax,ss, Cmin,ss,
Cav,ss, AUCtau,ss, occupancy over time, the human dose) comes from it; and
the two-compartment oral model against an independent ODE solution and its
closed-form steady state (no Snakemake)."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.integrate import solve_ivp

from scripts import settings
from scripts.translation import dose_prediction as dp
from scripts.translation import human_model as hm
from scripts.translation import human_pk
from scripts.translation import occupancy_time as ot

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_YAML = REPO_ROOT / "resources" / "reference" / "mirtazapine_human.yaml"
TR = settings.section("translation")
TDM = dict(TR, human_cmin_ss_source="tdm")


@pytest.fixture(scope="module")
def shipped():
    return yaml.safe_load(REFERENCE_YAML.read_text(encoding="utf-8"))


def _by_hand_one_compartment(t, dose, cl, v, ka, tau):
    """Css(t) written out, independent of the module's exponential sums."""
    k = cl / v
    return (
        dose
        * 1000.0
        / v
        * ka
        / (ka - k)
        * (math.exp(-k * t) / (1 - math.exp(-k * tau)) - math.exp(-ka * t) / (1 - math.exp(-ka * tau)))
    )


# --------------------------------------------------------------------------
# TDM calibration: one consistent profile
# --------------------------------------------------------------------------


def test_tdm_calibrated_profile_is_consistent(shipped):
    """The shipped reference: model Cmax misses the reference, so the
    profile is calibrated to 1.48 ng/mL per mg/day; then Cmin <= Cav <= Cmax
    in every row, the trough equals the TDM value, AUCtau = dose / CL/F
    (calibrated) and the peak is the maximum of the calibrated closed form."""
    per_mg = shipped["tdm_steady_state"]["concentration_to_dose_ng_mL_per_mg_day"]["value"]
    doses = [15.0, 30.0, 45.0]
    for cfg in (TR, TDM):  # auto calibrates here (the model misses the reference Cmax)
        table, _ = human_pk.human_steady_state(shipped, doses, 24.0, 0.15, cfg)
        assert len(table) == 6  # 3 doses x t1/2 20 and 40 h
        for _, r in table.iterrows():
            assert r["cmin_ss_ng_mL"] <= r["cav_ss_ng_mL"] <= r["cmax_ss_ng_mL"]
            assert r["cmin_ss_ng_mL"] == pytest.approx(per_mg * r["dose_mg"], rel=1e-9)
            assert r["cmin_ss_tdm_ng_mL"] == pytest.approx(per_mg * r["dose_mg"], rel=1e-12)
            assert r["auc_tau_ss_ng_h_mL"] == pytest.approx(r["dose_mg"] / r["cl_f_L_h"] * 1000, rel=1e-12)
            assert r["auc_tau_ss_ng_h_mL"] == pytest.approx(r["cav_ss_ng_mL"] * 24.0, rel=1e-12)
            # one factor divides CL/F and V/F: same k; factor = TDM trough / model trough
            factor = r["tdm_calibration_factor"]
            assert factor == pytest.approx(r["cmin_ss_tdm_ng_mL"] / r["cmin_ss_model_ng_mL"], rel=1e-9)
            assert r["cl_f_L_h"] == pytest.approx(r["cl_f_uncalibrated_L_h"] / factor, rel=1e-12)
            assert r["cl_f_L_h"] / r["v_f_L"] == pytest.approx(math.log(2) / r["t_half_h"], rel=1e-12)
            grid = np.linspace(0, 24, 24001)
            brute = [
                _by_hand_one_compartment(t, r["dose_mg"], r["cl_f_L_h"], r["v_f_L"], r["ka_per_h"], 24.0)
                for t in grid
            ]
            assert r["cmax_ss_ng_mL"] == pytest.approx(max(brute), rel=1e-6)
            assert "calibrated" in r["cmin_ss_source"] and "calibrated" in r["note"]
            assert r["cmin_ss_unbound_ng_mL"] == pytest.approx(0.15 * r["cmin_ss_ng_mL"])
    # 30 mg/day at t1/2 20 h: the calibrated trough is 44.4 ng/mL; Cav rises from AUC/24 (26.3) with it
    central = human_pk.central_rows(table)
    row = central[central["dose_mg"] == 30].iloc[0]
    assert row["cmin_ss_ng_mL"] == pytest.approx(44.4)
    assert row["cav_ss_ng_mL"] > 30 / 47.5 * 1000 / 24


def test_model_source_keeps_the_single_dose_model(shipped):
    table, _ = human_pk.human_steady_state(shipped, [30], 24.0, 0.15, dict(TR, human_cmin_ss_source="model"))
    assert (table["tdm_calibration_factor"] == 1.0).all()
    np.testing.assert_allclose(table["cmin_ss_ng_mL"], table["cmin_ss_model_ng_mL"])
    np.testing.assert_allclose(table["cl_f_L_h"], 47.5)
    assert (table["cmin_ss_ng_mL"] <= table["cav_ss_ng_mL"]).all()
    assert (table["cav_ss_ng_mL"] <= table["cmax_ss_ng_mL"]).all()


def test_occupancy_time_uses_the_calibrated_profile(shipped):
    """The human occupancy time course reads the calibrated row: C(t) and
    occupancy at 6 h after the dose recomputed by hand from its CL/F, V/F
    and ka; its trough is the TDM value."""
    fu, mw = 0.15, 265.36
    steady, _ = human_pk.human_steady_state(shipped, [30.0], 24.0, fu, TDM)
    ki = pd.DataFrame({"species": ["human"], "receptor": ["H1"], "key": ["h1"], "ki_nM": [1.0]})
    groups = pd.DataFrame(columns=["test", "dose_mg_kg", "route", "regimen"])
    table, summary = ot.occupancy_over_time(groups, {}, shipped, steady, ki, {}, TR, 0.15, fu, mw)
    row = human_pk.central_rows(steady).iloc[0]
    at6 = table[np.isclose(table["time_h"], 6.0)].iloc[0]
    by_hand = _by_hand_one_compartment(6.0, 30.0, row["cl_f_L_h"], row["v_f_L"], row["ka_per_h"], 24.0)
    assert at6["c_total_ng_mL"] == pytest.approx(by_hand, rel=1e-9)
    cu = by_hand * fu / mw * 1000
    assert at6["occupancy"] == pytest.approx(cu / (cu + 1.0), rel=1e-9)
    trough = table[np.isclose(table["time_h"], 0.0)].iloc[0]
    assert trough["c_total_ng_mL"] == pytest.approx(row["cmin_ss_ng_mL"], rel=1e-9)
    assert table["c_total_ng_mL"].max() == pytest.approx(row["cmax_ss_ng_mL"], rel=1e-3)
    assert "calibrated" in summary["profile_source"].iloc[0]


def test_dose_prediction_uses_the_calibrated_profile(shipped):
    """Cmin,ss basis: unbound nM per mg/day is the TDM ratio x fu / MW, so
    the dose reaching an EC50 follows by hand without the model."""
    fu, mw = 0.15, 265.36
    steady, _ = human_pk.human_steady_state(shipped, [15.0, 30.0, 45.0], 24.0, fu, TDM)
    fits = pd.DataFrame(
        [
            {
                "test": "fst",
                "endpoint": "immobility_s",
                "regimen": "acute",
                "status": "fitted; Hill fixed at 1 (< 5 dose levels)",
                "ec50_nM": 25.0,
                "ec50_ci_low_nM": 10.0,
                "ec50_ci_high_nM": 60.0,
            }
        ]
    )
    effective = pd.DataFrame(
        {"test": ["fst"], "endpoint": ["immobility_s"], "regimen": ["acute"], "dose_mg_kg": [10.0]}
    )
    ki = pd.DataFrame(columns=["species", "receptor", "key", "ki_nM", "source"])
    study = {"extra_tests": {}}
    cfg = dict(TDM, efficacy_basis="cmin_ss", exposure_response_basis="at_test")
    pred = dp.human_dose_prediction(fits, effective, pd.DataFrame(), steady, ki, study, cfg, mw, 1.0, 1.0)
    per_mg_nM = 1.48 * fu / mw * 1000  # TDM ratio, unbound, nM per mg/day
    ec50 = pred[pred["target_kind"] == "efficacy_ec50"].iloc[0]
    assert ec50["human_dose_mg"] == pytest.approx(25.0 / per_mg_nM, rel=1e-9)  # 29.9 mg/day
    assert ec50["ci_low_mg"] == pytest.approx(10.0 / per_mg_nM, rel=1e-9)
    # Cav basis: the same calibrated profile's Cav,ss per mg
    cav = dp.human_dose_prediction(
        fits, effective, pd.DataFrame(), steady, ki, study, dict(cfg, efficacy_basis="cav_ss"), mw, 1.0, 1.0
    )
    row = human_pk.central_rows(steady).iloc[0]
    per_mg_cav = 1000 / row["cl_f_L_h"] / 24 * fu / mw * 1000
    assert cav["human_dose_mg"].iloc[0] == pytest.approx(25.0 / per_mg_cav, rel=1e-9)
    assert cav["human_dose_mg"].iloc[0] < ec50["human_dose_mg"]  # Cav > Cmin per mg


# --------------------------------------------------------------------------
# Two-compartment oral model
# --------------------------------------------------------------------------

TWO = {"cl_f_L_h": 40.0, "v1_f_L": 150.0, "q_f_L_h": 60.0, "v2_f_L": 900.0, "ka_per_h": 1.2}


def _ode(t_end, dose_times, dose, p, t_eval):
    """Gut -> central <-> peripheral, amounts in mg; C = A1 / V1 (ng/mL)."""
    cl, v1, q, v2, ka = (p[k] for k in ("cl_f_L_h", "v1_f_L", "q_f_L_h", "v2_f_L", "ka_per_h"))

    def rhs(_, y):
        gut, a1, a2 = y
        return [-ka * gut, ka * gut - cl / v1 * a1 - q / v1 * a1 + q / v2 * a2, q / v1 * a1 - q / v2 * a2]

    y = np.zeros(3)
    out = np.full(len(t_eval), np.nan)
    bounds = [*dose_times, t_end]
    for i, start in enumerate(dose_times):
        y[0] += dose
        end = bounds[i + 1]
        inside = (t_eval >= start) & (t_eval <= end)
        sol = solve_ivp(rhs, (start, end), y, method="LSODA", rtol=1e-10, atol=1e-12, dense_output=True)
        if inside.any():
            out[inside] = sol.sol(t_eval[inside])[1] / v1 * 1000
        y = sol.y[:, -1]
    return out


def _model():
    p = TWO
    return hm.HumanModel(hm.TWO, p["cl_f_L_h"], p["v1_f_L"], p["ka_per_h"], p["q_f_L_h"], p["v2_f_L"])


def test_two_compartment_single_dose_against_ode():
    model = _model()
    t = np.linspace(0, 96, 385)
    ode = _ode(96.0, [0.0], 30.0, TWO, t)
    np.testing.assert_allclose(model.single_dose(t, 30.0), ode, rtol=1e-6, atol=1e-9)
    # AUC of one dose = D / CL/F
    fine = np.linspace(0, 3000, 600001)
    assert np.trapezoid(model.single_dose(fine, 30.0), fine) == pytest.approx(30 / 40 * 1000, rel=1e-5)
    # terminal rate = beta: the log-slope late on
    late = model.single_dose(np.array([200.0, 210.0]), 30.0)
    assert math.log(late[0] / late[1]) / 10 == pytest.approx(model.k_terminal, rel=1e-6)


def test_two_compartment_steady_state_against_ode_and_superposition():
    model, tau = _model(), 24.0
    alpha, beta = model.macro_rates()
    n = int(math.ceil(30 * math.log(2) / beta / tau)) + 1  # > 30 terminal half-lives
    t = np.linspace(0, tau, 97)
    ode = _ode(n * tau, [i * tau for i in range(n)], 30.0, TWO, t + (n - 1) * tau)
    closed = model.steady_state(t, 30.0, tau)
    np.testing.assert_allclose(closed, ode, rtol=1e-5)
    train = model.superposition(t + (n - 1) * tau, [i * tau for i in range(n)], 30.0)
    np.testing.assert_allclose(closed, train, rtol=1e-5)
    m = model.steady_state_metrics(30.0, tau)
    assert m["cmin_ss_ng_mL"] == pytest.approx(float(ode[0]), rel=1e-5)
    # the peak: the ODE at Tmax,ss gives Cmax,ss, and no point of a fine ODE grid exceeds it
    fine_t = np.sort(np.r_[np.linspace(0, tau, 2401), m["tmax_ss_h"]])
    fine_ode = _ode(n * tau, [i * tau for i in range(n)], 30.0, TWO, fine_t + (n - 1) * tau)
    at_peak = fine_ode[np.searchsorted(fine_t, m["tmax_ss_h"])]
    assert m["cmax_ss_ng_mL"] == pytest.approx(float(at_peak), rel=1e-6)
    assert fine_ode.max() <= m["cmax_ss_ng_mL"] * (1 + 1e-6)
    assert m["cmin_ss_ng_mL"] <= m["cav_ss_ng_mL"] <= m["cmax_ss_ng_mL"]
    fine = np.linspace(0, tau, 24001)
    assert np.trapezoid(model.steady_state(fine, 30.0, tau), fine) == pytest.approx(750.0, rel=1e-6)


def test_reference_with_two_compartment_block(shipped):
    reference = copy.deepcopy(shipped)
    reference["human_pk_two_compartment"] = {k: {"value": v, "source": ["test"]} for k, v in TWO.items()}
    table, _ = human_pk.human_steady_state(
        reference, [15.0, 30.0], 24.0, 0.15, dict(TR, human_cmin_ss_source="model")
    )
    assert len(table) == 2 and (table["model"] == "two-compartment").all()
    model = _model()
    assert table["t_half_h"].iloc[0] == pytest.approx(model.t_half_h)
    row = human_pk.central_rows(table).set_index("dose_mg").loc[30.0]
    m = model.steady_state_metrics(30.0, 24.0)
    for key in ("cmax_ss_ng_mL", "cmin_ss_ng_mL", "cav_ss_ng_mL", "auc_tau_ss_ng_h_mL"):
        assert row[key] == pytest.approx(m[key], rel=1e-9)
    # the table row rebuilds the same profile (occupancy over time reads it)
    t = np.linspace(0, 24, 49)
    np.testing.assert_allclose(
        human_pk.human_profile(row.to_dict() | {"dose_mg": 30.0}, t), model.steady_state(t, 30.0, 24.0)
    )
    # calibrated to the TDM trough: one factor on every clearance and volume
    calibrated, _ = human_pk.human_steady_state(reference, [30.0], 24.0, 0.15, TDM)
    c = calibrated.iloc[0]
    factor = c["tdm_calibration_factor"]
    assert c["cmin_ss_ng_mL"] == pytest.approx(1.48 * 30, rel=1e-9)
    assert c["q_f_L_h"] == pytest.approx(60.0 / factor) and c["v2_f_L"] == pytest.approx(900.0 / factor)
    assert c["cmax_ss_ng_mL"] == pytest.approx(m["cmax_ss_ng_mL"] * factor, rel=1e-6)
    assert c["cmin_ss_ng_mL"] <= c["cav_ss_ng_mL"] <= c["cmax_ss_ng_mL"]
    # one_compartment forced: the block is ignored
    one, _ = human_pk.human_steady_state(
        reference, [30.0], 24.0, 0.15, dict(TR, human_pk_model="one_compartment")
    )
    assert (one["model"] == "one-compartment").all() and len(one) == 2
    with pytest.raises(ValueError, match="human_pk_two_compartment"):
        human_pk.model_parameters(shipped, "two_compartment")
