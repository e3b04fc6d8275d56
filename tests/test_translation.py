"""Translation: closed forms checked by hand, superposition and synthetic
result tables in the contracted formats (no Snakemake)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from scripts import settings
from scripts import translation as tr
from scripts.binding.species import species_comparison
from scripts.tables import InputError
from scripts.translation import occupancy_time as ot

REPO_ROOT = Path(__file__).resolve().parents[1]
REFERENCE_YAML = REPO_ROOT / "resources" / "reference" / "mirtazapine_human.yaml"

# A small human reference with round numbers, so every expectation below can
# be recomputed by hand (the shipped YAML is checked separately).
REFERENCE = {
    "compound": "mirtazapine",
    "molecular_weight_g_mol": {"value": 265.36},
    "oral_bioavailability": {"value": 0.5, "source": ["timmer2000"]},
    "t_half_h": {"value": 20, "range": [20, 40]},
    "fu": {"value": 0.15},
    "linear_pk_dose_range_mg": {"range": [15, 75]},
    "single_dose_exposure": {"dose_mg": 30, "cmax_ng_mL": {"value": 58}, "auc_inf_ng_h_mL": {"value": 630}},
    "therapeutic_range_ng_mL": {"range": [30, 80]},
    "metabolites": [
        {
            "name": "desmethylmirtazapine",
            "aliases": ["demethylmirtazapine"],
            "present_in_humans": True,
            "auc_ratio_to_parent": {"value": 0.33, "source": ["delbressine1998"]},
        },
        {
            "name": "8-hydroxymirtazapine",
            "aliases": ["8-OH-mirtazapine"],
            "present_in_humans": True,
            "auc_ratio_to_parent": {"value": None},
        },
    ],
    "ki_nM": {
        "human": {"H1": {"value": 1.0, "source": ["pdsp"]}, "alpha2A": {"value": 20.0, "source": ["pdsp"]}},
        "rat": {"alpha2A": {"value": None}},
    },
}
STUDY = {
    "name": "s",
    "compound": "mirtazapine",
    "molecular_weight_g_mol": 265.36,
    "fu": {"human": 0.15},
    "clinical_doses_mg": [15, 30, 45],
    "extra_tests": {},
}
RECEPTORS = ["alpha2A", "alpha2C", "5-HT2A", "5-HT2C", "H1", "5-HT1A", "5-HT3", "M1"]
TR = settings.section("translation")
ALPHA = settings.section("behaviour")["alpha"]
MAX_AUC_PCT_EXTRAP = settings.section("pk")["max_auc_pct_extrap"]
SPECIES_RATIO_FLAG = settings.section("binding")["species_ratio_flag"]
VEHICLE = settings.section("behaviour")["vehicle_label"]


def dose_translation(rat):
    return tr.dose_translation(
        rat,
        REFERENCE,
        0.15,
        km_rat=TR["km_rat"],
        km_human=TR["km_human"],
        human_body_weight_kg=TR["human_body_weight_kg"],
    )


# --------------------------------------------------------------------------
# Builders of contracted result tables
# --------------------------------------------------------------------------


def groups_table(
    doses,
    tests=("fst", "open_field", "sucrose_preference", "elevated_plus_maze"),
    regimens=("acute", "chronic"),
    route="po",
    control_route="ip",
):
    """inventory/behaviour_groups.csv: vehicle, mirtazapine doses, imipramine."""
    rows = []
    for test in tests:
        for regimen in regimens:
            groups = (
                [("vehicle", 0, route)]
                + [("mirtazapine", d, route) for d in doses]
                + [("imipramine", 15, control_route)]
            )
            for treatment, dose, rt in groups:
                rows.append(
                    {
                        "test": test,
                        "treatment": treatment,
                        "dose_mg_kg": float(dose),
                        "route": rt,
                        "regimen": regimen,
                        "n_animals": 10,
                        "n_excluded": 0,
                        "n_analysed": 10,
                    }
                )
    return pd.DataFrame(rows)


def comparison(test, endpoint, regimen, treatment, dose, diff, p):
    return {
        "test": test,
        "endpoint": endpoint,
        "regimen": regimen,
        "treatment": treatment,
        "dose_mg_kg": float(dose),
        "n": 10,
        "mean": 100 + diff,
        "sd": 20.0,
        "diff_vs_vehicle": diff,
        "diff_ci_low": diff - 20,
        "diff_ci_high": diff + 20,
        "p_adj": p,
        "method": "Dunnett",
        "hedges_g": diff / 20,
        "hedges_g_ci_low": diff / 20 - 0.9,
        "hedges_g_ci_high": diff / 20 + 0.9,
    }


def confound(regimen, dose, fst_effect, locomotor, classification, fst_diff=-40.0, of_diff=-1400.0):
    return {
        "regimen": regimen,
        "treatment": "mirtazapine",
        "dose_mg_kg": float(dose),
        "fst_endpoint": "immobility_s",
        "fst_n": 10,
        "fst_diff_vs_vehicle": fst_diff,
        "fst_p_adj": 0.001,
        "fst_hedges_g": -1.6,
        "fst_method": "Dunnett",
        "fst_effect": fst_effect,
        "open_field_n": 10,
        "open_field_diff_vs_vehicle": of_diff,
        "open_field_pct_change_vs_vehicle": -41.0,
        "open_field_p_adj": 0.0001,
        "open_field_hedges_g": -3.1,
        "open_field_method": "Dunnett",
        "locomotor_effect": locomotor,
        "alpha": 0.05,
        "classification": classification,
        "interpretation": "text",
    }


def nca_rows(route, dose, analyte, auc, cmax, t_half, n=6, prefix="R"):
    rows = []
    for i in range(n):
        wobble = 1.0 + 0.05 * (i - (n - 1) / 2)  # symmetric spread around the group value
        quantifiable = auc is not None
        rows.append(
            {
                "animal_id": f"{prefix}{route}{dose}{i}",
                "species": "rat",
                "route": route,
                "dose_mg_kg": float(dose),
                "analyte": analyte,
                "cmax_ng_mL": cmax * wobble if quantifiable else np.nan,
                "tmax_h": 0.5,
                "clast_ng_mL": 1.0,
                "tlast_h": 24.0,
                "c0_ng_mL": np.nan,
                "auc_last_ng_h_mL": auc * wobble * 0.95 if quantifiable else np.nan,
                "auc_inf_ng_h_mL": auc * wobble if quantifiable else np.nan,
                "auc_pct_extrap": 5.0 if quantifiable else np.nan,
                "lambda_z_per_h": math.log(2) / t_half if quantifiable else np.nan,
                "t_half_h": t_half if quantifiable else np.nan,
                "lambda_z_n_points": 4,
                "lambda_z_adj_r2": 0.99,
                "span_ratio": 3.0,
                "cl_L_h_kg": np.nan,
                "vz_L_kg": np.nan,
                "mrt_h": np.nan,
                "flags": "",
            }
        )
    return rows


def metabolite_row(analyte, route, dose, detection, ratio):
    return {
        "species": "rat",
        "analyte": analyte,
        "parent": "mirtazapine",
        "route": route,
        "dose_mg_kg": float(dose),
        "n_animals": 6,
        "n_animals_quantifiable": 0 if detection == "not detected" else 6,
        "detection": detection,
        "ratio_basis": "AUClast ratio",
        "n_ratio": 0 if np.isnan(ratio) else 6,
        "ratio_geometric_mean": ratio,
        "ratio_geo_cv_pct": np.nan,
        "ratio_min": ratio,
        "ratio_max": ratio,
    }


def bioavailability_row(dose, f):
    return {
        "analyte": "mirtazapine",
        "route": "po",
        "dose_mg_kg": float(dose),
        "reference_route": "iv",
        "reference_dose_mg_kg": 2.0,
        "f": f,
        "f_ci_low": f * 0.7,
        "f_ci_high": f * 1.4,
        "method": "parallel groups, Fieller",
        "n_test": 6,
        "n_reference": 6,
    }


def ki_table(human_over_rat=None, base=None):
    """ki.csv rows for every receptor in both species (rat Ki = human / ratio)."""
    base = base or {
        "alpha2A": 20,
        "alpha2C": 18,
        "5-HT2A": 16,
        "5-HT2C": 39,
        "H1": 1.0,
        "5-HT1A": 4000,
        "5-HT3": 8,
        "M1": 670,
    }
    ratios = human_over_rat or {}
    rows = []
    for receptor in RECEPTORS:
        for species in ("human", "rat"):
            ki = base[receptor] / (ratios.get(receptor, 1.0) if species == "rat" else 1.0)
            rows.append(
                {
                    "assay": f"{receptor}_{species}",
                    "receptor": receptor,
                    "species": species,
                    "compound": "mirtazapine",
                    "radioligand": "[3H]x",
                    "radioligand_nM": 1.0,
                    "kd_nM": 1.0,
                    "kd_source": "nominal",
                    "model": "variable_slope",
                    "log_ic50": math.log10(ki * 2e-9),
                    "log_ic50_se": 0.05,
                    "log_ic50_ci_low": np.nan,
                    "log_ic50_ci_high": np.nan,
                    "ic50_nM": 2 * ki,
                    "hill_slope": -1.0,
                    "top": 100.0,
                    "bottom": 0.0,
                    "ki_nM": ki,
                    "ki_ci_low_nM": ki * 0.8,
                    "ki_ci_high_nM": ki * 1.2,
                    "pki": -math.log10(ki * 1e-9),
                    "r_squared": 0.99,
                    "n_points": 30,
                    "f_test_p": 0.5,
                    "preferred_model": "one_site",
                    "flags": "",
                }
            )
    return pd.DataFrame(rows)


def example_like_tables():
    """Mimics the embedded example study: rat F 7%, 8-OH-mirtazapine not
    detected, t1/2 2.3 h, sedation (open field down) at 30 mg/kg acute while
    the FST improves, 5-HT2C Ki 4.9-fold different, no rat fu."""
    comparisons = pd.DataFrame(
        [
            comparison("fst", "immobility_s", "acute", "mirtazapine", 3, -2.0, 0.9),
            comparison("fst", "immobility_s", "acute", "mirtazapine", 10, -22.0, 0.03),
            comparison("fst", "immobility_s", "acute", "mirtazapine", 30, -40.0, 0.001),
            comparison("fst", "immobility_s", "chronic", "mirtazapine", 10, -35.0, 0.004),
            comparison("fst", "immobility_s", "chronic", "mirtazapine", 30, -45.0, 0.001),
            comparison("fst", "immobility_s", "acute", "imipramine", 15, -45.0, 0.001),
            comparison("open_field", "distance_cm", "acute", "mirtazapine", 30, -1400.0, 0.0001),
            comparison("sucrose_preference", "preference_pct", "chronic", "mirtazapine", 10, 9.0, 0.01),
        ]
    )
    confounds = pd.DataFrame(
        [
            confound("acute", 3, "no change", "no change", "no antidepressant-like effect", -2.0, 100.0),
            confound("acute", 10, "improved", "no change", "specific", -22.0, 80.0),
            confound("acute", 30, "improved", "decreased", "sedation"),
            confound("chronic", 10, "improved", "no change", "specific", -35.0, -400.0),
            confound("chronic", 30, "improved", "no change", "specific", -45.0, 40.0),
        ]
    )
    nca = pd.DataFrame(
        nca_rows("iv", 2, "mirtazapine", 667.0, 250.0, 2.3)
        + nca_rows("po", 2, "mirtazapine", 46.7, 12.0, 2.4)
        + nca_rows("po", 10, "mirtazapine", 233.0, 60.0, 2.4)
        + nca_rows("po", 10, "desmethylmirtazapine", 92.0, 20.0, 2.0)
        + nca_rows("po", 10, "8-hydroxymirtazapine", None, None, 2.0)
    )
    metabolites = pd.DataFrame(
        [
            metabolite_row("mirtazapine", "po", 10, "detected", np.nan),
            metabolite_row("desmethylmirtazapine", "po", 10, "detected", 0.395),
            metabolite_row("8-hydroxymirtazapine", "iv", 2, "not detected", np.nan),
            metabolite_row("8-hydroxymirtazapine", "po", 10, "not detected", np.nan),
        ]
    )
    bioavailability = pd.DataFrame([bioavailability_row(2, 0.070), bioavailability_row(10, 0.070)])
    return {
        "behaviour_groups": groups_table([3, 10, 30]),
        "comparisons": comparisons,
        "confounds": confounds,
        "ki": ki_table({"5-HT2C": 4.88}),
        "nca": nca,
        "bioavailability": bioavailability,
        "metabolites": metabolites,
    }


def clean_tables():
    """A study without any of the translational problems: rat F 0.5, both
    human metabolites detected at a human-like ratio, rat t1/2 20 h, no
    locomotor effects, four tests with a chronic arm, species-matched Ki,
    and rat exposure at 3 mg/kg (HED 3 x 6/37 x 60 = 29.2 mg, inside the
    clinical range) chosen so that the exposure-matched dose equals the HED:
    AUC = 29.19 mg x 0.15 x 630/30 / 0.15 = 613 ng*h/mL."""
    dose = 3.0
    auc = dose * 6 / 37 * 60 * 0.15 * 630 / 30 / 0.15  # ng*h/mL
    comparisons = pd.DataFrame(
        [
            comparison("fst", "immobility_s", "acute", "mirtazapine", dose, -25.0, 0.01),
            comparison("fst", "immobility_s", "chronic", "mirtazapine", dose, -35.0, 0.001),
            comparison("open_field", "distance_cm", "acute", "mirtazapine", dose, 30.0, 0.8),
        ]
    )
    confounds = pd.DataFrame(
        [
            confound("acute", dose, "improved", "no change", "specific", -25.0, 30.0),
            confound("chronic", dose, "improved", "no change", "specific", -35.0, -20.0),
        ]
    )
    nca = pd.DataFrame(
        nca_rows("iv", 2, "mirtazapine", auc / dose * 2 / 0.5, 60.0, 20.0)
        + nca_rows("po", dose, "mirtazapine", auc, 60.0, 20.0)
        + nca_rows("po", dose, "desmethylmirtazapine", auc * 0.33, 20.0, 20.0)
        + nca_rows("po", dose, "8-hydroxymirtazapine", auc * 0.1, 6.0, 20.0)
    )
    metabolites = pd.DataFrame(
        [
            metabolite_row("desmethylmirtazapine", "po", dose, "detected", 0.33),
            metabolite_row("8-hydroxymirtazapine", "po", dose, "detected", 0.1),
        ]
    )
    return {
        "behaviour_groups": groups_table([dose], control_route="po"),
        "comparisons": comparisons,
        "confounds": confounds,
        "ki": ki_table(),
        "nca": nca,
        "bioavailability": pd.DataFrame([bioavailability_row(dose, 0.5)]),
        "metabolites": metabolites,
    }


# --------------------------------------------------------------------------
# Closed forms
# --------------------------------------------------------------------------


def test_hed_by_body_surface_area_hand_check():
    # FDA 2005: 10 mg/kg rat x 6/37 = 1.6216 mg/kg; x 60 kg = 97.30 mg.
    assert tr.hed_mg_kg(10.0, 6, 37) == pytest.approx(1.62, abs=0.005)
    assert tr.hed_mg_kg(10.0, 6, 37) == pytest.approx(60.0 / 37.0, rel=1e-12)
    rat = pd.DataFrame({"dose": [10.0], "route": ["po"], "auc_unbound_ng_h_mL": [1.0]})
    row = dose_translation(rat).iloc[0]
    assert row["hed_bsa_mg_kg"] == pytest.approx(1.6216, abs=1e-4)
    assert row["hed_bsa_mg"] == pytest.approx(97.297, abs=1e-3)


def test_occupancy_is_half_at_ki_and_molar_conversion():
    assert tr.occupancy(20.0, 20.0) == 0.5
    assert tr.occupancy(1e-3, 1e-3) == 0.5
    # 9 x Ki -> 90%; Ki / 9 -> 10%.
    assert tr.occupancy(180.0, 20.0) == pytest.approx(0.9)
    assert tr.occupancy(20.0 / 9, 20.0) == pytest.approx(0.1)
    # 265.36 ng/mL of a 265.36 g/mol compound is 1 uM = 1000 nM.
    assert float(tr.ng_per_ml_to_nM(265.36, 265.36)) == pytest.approx(1000.0)


def test_accumulation_factor_closed_form():
    # t1/2 = tau: R = 1/(1 - 1/2) = 2; t1/2 = tau/2: R = 1/(1 - 1/4) = 4/3.
    assert tr.accumulation_factor(24.0, 24.0) == pytest.approx(2.0, rel=1e-12)
    assert tr.accumulation_factor(12.0, 24.0) == pytest.approx(4.0 / 3.0, rel=1e-12)
    # t1/2 = 20 h, tau = 24 h: 1/(1 - 2^-1.2) = 1.77176...
    assert tr.accumulation_factor(20.0, 24.0) == pytest.approx(1.0 / (1.0 - 2**-1.2), rel=1e-12)


def test_accumulation_factor_matches_superposition_of_single_doses():
    t_half, tau, n_doses = 20.0, 24.0, 60
    k = math.log(2) / t_half
    # IV bolus: C(t) = C0 exp(-k t); superpose n doses and compare the
    # concentration 3 h after the last dose with 3 h after the first.
    after = 3.0
    single = math.exp(-k * after)
    steady = sum(math.exp(-k * (after + i * tau)) for i in range(n_doses))
    assert steady / single == pytest.approx(tr.accumulation_factor(t_half, tau), rel=1e-9)
    # Oral (Bateman, ka = 1.5/h): AUC over one interval at steady state
    # equals AUCinf of one dose (the identity used for human AUC,ss).
    ka = 1.5
    t = np.linspace(0.0, tau, 24001)
    bateman = lambda x: (np.exp(-k * x) - np.exp(-ka * x)) * ka / (ka - k)  # noqa: E731
    profile_ss = sum(bateman(t + i * tau) for i in range(n_doses))
    auc_tau_ss = np.trapezoid(profile_ss, t)
    assert auc_tau_ss == pytest.approx(1.0 / k, rel=1e-4)  # AUCinf of bateman = 1/k


def test_human_exposure_hand_check():
    human = tr.human_exposure(REFERENCE, [15, 30, 45], 0.15, "study.yaml", tau_h=24.0)
    ss30 = human[(human["dose"] == 30) & (human["state"] == "steady_state")].iloc[0]
    r = 1.0 / (1.0 - 2 ** (-24.0 / 20.0))
    assert ss30["auc_ng_h_mL"] == pytest.approx(630.0)
    assert ss30["cmax_ng_mL"] == pytest.approx(58.0 * r)
    assert ss30["c_avg_ng_mL"] == pytest.approx(630.0 / 24.0)
    assert ss30["c_avg_unbound_ng_mL"] == pytest.approx(0.15 * 630.0 / 24.0)
    sd15 = human[(human["dose"] == 15) & (human["state"] == "single_dose")].iloc[0]
    assert sd15["auc_ng_h_mL"] == pytest.approx(315.0) and sd15["cmax_ng_mL"] == pytest.approx(29.0)


def test_exposure_matched_dose_hand_check():
    # Rat AUC 233 ng*h/mL x fu 0.15 = 34.95; human unbound AUC per mg =
    # 0.15 x 630 / 30 = 3.15 -> 34.95 / 3.15 = 11.095 mg; HED 97.30 mg
    # -> ratio 8.77.
    rat = pd.DataFrame({"dose": [10.0], "route": ["po"], "auc_unbound_ng_h_mL": [233.0 * 0.15]})
    row = dose_translation(rat).iloc[0]
    assert row["exposure_matched_human_dose_mg"] == pytest.approx(11.0952, abs=1e-4)
    assert row["ratio"] == pytest.approx(97.2973 / 11.0952, rel=1e-4)
    flags = tr.flag_dose_scaling(dose_translation(rat), fold=2.0, high_factor=TR["dose_scaling_high_factor"])
    assert len(flags) == 1 and "11.1 mg" in flags[0]["evidence"] and flags[0]["severity"] == "medium"
    assert flags[0]["flag_id"] == "dose_scaling_disagreement"
    # 8.77-fold is above 2-fold but not above 5 x 2 = 10-fold; with a factor of 4 (8-fold) it is high.
    assert tr.flag_dose_scaling(dose_translation(rat), fold=2.0, high_factor=4.0)[0]["severity"] == "high"
    # ... but never high when the human exposure behind it is unconfirmed.
    unconfirmed = tr.flag_dose_scaling(
        dose_translation(rat), fold=2.0, high_factor=4.0, human_confirmed=False
    )
    assert unconfirmed[0]["severity"] == "medium"


# --------------------------------------------------------------------------
# Rat exposure: same dose, scaling, extrapolation
# --------------------------------------------------------------------------


def test_rat_exposure_measured_interpolated_or_extrapolated():
    nca = pd.DataFrame(
        nca_rows("po", 2, "mirtazapine", 50.0, 10.0, 2.3)
        + nca_rows("po", 10, "mirtazapine", 400.0, 50.0, 2.3)
    )
    groups = tr.parent_nca_groups(nca, "mirtazapine", MAX_AUC_PCT_EXTRAP)
    # geometric mean of the symmetric +-5% spread, computed independently
    wobble = 1.0 + 0.05 * (np.arange(6) - 2.5)
    gm = float(np.exp(np.mean(np.log(wobble))))
    doses = pd.DataFrame({"dose_mg_kg": [10.0, 5.0, 30.0, 3.0], "route": ["po", "po", "po", "ip"]})
    proportionality = pd.DataFrame(
        [
            {"route": "po", "parameter": "auc_inf_ng_h_mL", "smith_ci_low": 0.9, "smith_ci_high": 1.4,
             "slope_ci_low": 0.8, "slope_ci_high": 1.5}
        ]
    )  # fmt: skip
    rat = tr.rat_exposure(doses, groups, 0.15, "default", 24.0, proportionality=proportionality)
    rat = rat.set_index(["dose", "route"])
    measured = rat.loc[(10.0, "po")]
    assert measured["auc_ng_h_mL"] == pytest.approx(400.0 * gm) and measured["auc_metric"] == "AUCinf"
    assert not measured["extrapolated"] and measured["extrapolation_factor"] == 1.0
    # 5 mg/kg lies between 2 and 10: power model through both, slope
    # ln(400/50)/ln(5) = 1.292, AUC = 50 gm x 2.5^1.292 (by hand: 163.4 gm).
    inside = rat.loc[(5.0, "po")]
    assert inside["auc_ng_h_mL"] == pytest.approx(50.0 * gm * 2.5 ** (math.log(8) / math.log(5)))
    assert inside["auc_ng_h_mL"] == pytest.approx(163.4 * gm, rel=1e-3)
    assert not inside["extrapolated"]
    # 30 mg/kg: 3x beyond the highest PK dose -> extrapolated, factor 3; the
    # note gives the range of the slope's 90% CI: 400 gm x 3^0.9 .. 3^1.4.
    out = rat.loc[(30.0, "po")]
    assert out["extrapolated"] and out["extrapolation_factor"] == pytest.approx(3.0)
    assert f"{400 * gm * 3**0.9:.3g}-{400 * gm * 3**1.4:.3g} ng*h/mL" in out["note"]
    # ip with only po PK -> cross-route, from the nearest dose (2 mg/kg) x 1.5.
    ip = rat.loc[(3.0, "ip")]
    assert "cross-route" in ip["flags"] and ip["extrapolated"]
    assert ip["cmax_ng_mL"] == pytest.approx(15.0 * gm)
    assert ip["cmax_unbound_ng_mL"] == pytest.approx(0.15 * 15.0 * gm)
    assert measured["c_avg_ng_mL"] == pytest.approx(400.0 * gm / 24.0)
    flags = tr.flag_extrapolation(rat.reset_index(), max_fold=TR["max_dose_extrapolation_fold"])
    assert {(f["flag_id"], f["severity"]) for f in flags} == {("exposure_extrapolated", "medium")}
    assert len(flags) == 2


def test_auclast_used_when_extrapolation_too_large():
    rows = nca_rows("po", 10, "mirtazapine", 250.0, 50.0, 2.3)
    rows[0]["auc_pct_extrap"] = 35.0
    groups = tr.parent_nca_groups(pd.DataFrame(rows), "mirtazapine", 20.0)
    assert groups.iloc[0]["auc_metric"] == "AUClast"
    wobble = 1.0 + 0.05 * (np.arange(6) - 2.5)
    assert groups.iloc[0]["auc_ng_h_mL"] == pytest.approx(
        250.0 * 0.95 * float(np.exp(np.mean(np.log(wobble))))
    )


# --------------------------------------------------------------------------
# Occupancy and its mismatch rule
# --------------------------------------------------------------------------


def test_occupancy_table_and_mismatch_rule():
    mw, ki = 265.36, 60.0
    human = tr.human_exposure(REFERENCE, [15, 30, 45], 0.15, "x", tau_h=24.0)
    ki_used = pd.DataFrame(
        {
            "species": ["rat", "human"],
            "receptor": ["alpha2A", "alpha2A"],
            "key": ["alpha2a", "alpha2a"],
            "ki_nM": [ki, ki],
            "source": ["study", "study"],
            "n_assays": [1, 1],
            "confirmed": ["", ""],
        }
    )
    # Rat unbound Cavg = Ki = 60 nM -> 50%; unbound Cmax 4 x Ki -> 80%.
    c_unbound = ki * mw / 1000.0  # ng/mL
    rat = pd.DataFrame(
        {
            "species": ["rat"],
            "dose": [10.0],
            "route": ["po"],
            "cmax_unbound_ng_mL": [4 * c_unbound],
            "c_avg_unbound_ng_mL": [c_unbound],
            "auc_ng_h_mL": [1.0],
        }
    )
    occ = tr.occupancy_table(rat, human, ki_used, mw)
    rat_avg = occ[(occ["species"] == "rat") & (occ["basis"] == "c_avg")].iloc[0]
    assert rat_avg["c_unbound_nM"] == pytest.approx(ki) and rat_avg["occupancy"] == pytest.approx(0.5)
    assert rat_avg["dose_unit"] == "mg/kg po"
    # Human Cavg,ss unbound at 45 mg: 0.15 x 630 x 45/30 / 24 ng/mL = 22.26 nM -> 27.1%.
    c45 = 0.15 * 630 * 1.5 / 24 / mw * 1000
    h45 = occ[(occ["species"] == "human") & (occ["basis"] == "c_avg") & (occ["dose"] == 45)].iloc[0]
    assert h45["c_unbound_nM"] == pytest.approx(c45) and h45["occupancy"] == pytest.approx(c45 / (c45 + ki))
    mism = tr.occupancy_mismatches(occ, 30.0).set_index("basis")
    # c_avg: rat 50% vs human 11-27% -> different sides of 50% (23 points apart).
    assert bool(mism.loc["c_avg", "different_side"]) and bool(mism.loc["c_avg", "mismatch"])
    assert mism.loc["c_avg", "distance_points"] == pytest.approx(100 * (0.5 - c45 / (c45 + ki)))
    # cmax: rat 80% vs human Cmax,ss 33-59% (R = 1.772): same side, 21 points -> no mismatch.
    r = 1.0 / (1.0 - 2**-1.2)
    h_hi = 0.15 * 58 * 1.5 * r / mw * 1000
    assert mism.loc["cmax", "rat_occupancy"] == pytest.approx(0.8)
    assert mism.loc["cmax", "human_max"] == pytest.approx(h_hi / (h_hi + ki))
    assert not bool(mism.loc["cmax", "mismatch"])
    # More than 30 points apart on the same side of 50% is a mismatch too.
    far = tr.occupancy_mismatches(
        occ.assign(
            occupancy=np.where((occ["species"] == "rat") & (occ["basis"] == "cmax"), 0.99, occ["occupancy"])
        ),
        30.0,
    )
    far_cmax = far.set_index("basis").loc["cmax"]
    assert far_cmax["distance_points"] > 30 and not far_cmax["different_side"] and far_cmax["mismatch"]
    # The flag reads one basis: cmax here (no at-test rows), where rat 80% vs
    # human 33-59% is no mismatch; with the rat Cmax occupancy at 99% it is
    # 40 points above the human maximum -> medium.
    assert tr.flag_occupancy(occ, 30.0, {"alpha2a": True}) == []
    high = occ.assign(
        occupancy=np.where((occ["species"] == "rat") & (occ["basis"] == "cmax"), 0.99, occ["occupancy"])
    )
    flags = tr.flag_occupancy(high, 30.0, {"alpha2a": True})
    assert len(flags) == 1 and flags[0]["severity"] == "medium" and "alpha2A" in flags[0]["evidence"]
    assert "cmax basis" in flags[0]["evidence"] and "99%" in flags[0]["evidence"]
    # Rat below 50% while every human value is above -> other side -> high,
    # but medium when the human Ki is an unconfirmed literature value.
    low = occ.assign(
        occupancy=np.where((occ["species"] == "rat") & (occ["basis"] == "cmax"), 0.01, occ["occupancy"])
    )
    low = low[~((low["species"] == "human") & (low["dose"] == 15))]  # human 45-59%
    low = low.assign(occupancy=np.where(low["species"] == "human", 0.55, low["occupancy"]))
    assert tr.flag_occupancy(low, 30.0, {"alpha2a": True})[0]["severity"] == "high"
    assert tr.flag_occupancy(low, 30.0, {"alpha2a": False})[0]["severity"] == "medium"


# --------------------------------------------------------------------------
# Flags on synthetic studies
# --------------------------------------------------------------------------


def with_species_comparison(tables, species_ratio_flag=SPECIES_RATIO_FLAG) -> dict:
    """*tables* with binding's pooled species comparison of their ``ki``
    (as rule binding_aggregate writes it), which the species-Ki flag reads."""
    if tables.get("ki") is None or "species_comparison" in tables:
        return tables
    comparison = species_comparison(tables["ki"], species_ratio_flag=species_ratio_flag)
    return {**tables, "species_comparison": comparison}


def _run(tables, study=STUDY, reference=REFERENCE, species_ratio_flag=SPECIES_RATIO_FLAG):
    tables = with_species_comparison(tables, species_ratio_flag)
    return tr.translate(
        study,
        reference,
        TR,
        alpha=ALPHA,
        max_auc_pct_extrap=MAX_AUC_PCT_EXTRAP,
        species_ratio_flag=species_ratio_flag,
        vehicle_label=VEHICLE,
        **tables,
    )


def ids(flags):
    return set(tr.raised(flags)["flag_id"])


def test_example_like_study_fires_the_expected_flags():
    out = _run(example_like_tables())
    fired = tr.raised(out["flags"]).set_index("flag_id")
    # Sedation at 30 mg/kg acute while the FST improves: the effect occurred
    # despite sedation (low), not a high sedation confound.
    assert set(fired.index) == {
        "bioavailability_mismatch",
        "metabolite_profile_difference",
        "half_life_mismatch",
        "dose_scaling_disagreement",
        "effect_despite_sedation",
        "exposure_extrapolated",
        "rat_fu_assumed",
        "route_mismatched_control",
        "single_binding_experiment",
    }
    sed = fired.loc["effect_despite_sedation"]
    assert sed["severity"] == "low" and "30 mg/kg acute" in sed["evidence"]
    assert "H1" not in sed["evidence"]  # no at-test occupancy: nothing said about H1
    bio = fired.loc["bioavailability_mismatch"]
    # 0.5 / 0.07 = 7.1-fold and the CI (0.049-0.098) lies wholly beyond
    # 5-fold, but the test reference is unconfirmed -> medium, said so.
    assert bio["severity"] == "medium" and "0.070 (95% CI 0.049-0.098)" in bio["evidence"]
    assert "unconfirmed" in bio["evidence"]
    # the human/rat ratio carries its CI: 0.5 / 0.07 = 7.1, 0.5 / 0.098 = 5.1, 0.5 / 0.049 = 10
    assert "human/rat 7.1 (95% CI 5.1-10)" in bio["evidence"]
    met = fired.loc["metabolite_profile_difference"]
    assert met["severity"] == "low" and "8-hydroxymirtazapine" in met["evidence"]
    # Desmethylmirtazapine agrees with the human ratio (0.395 vs 0.33): reported as agreeing.
    assert (
        "desmethylmirtazapine agrees between species: rat 0.395 (po 10 mg/kg) vs human 0.33"
        in met["evidence"]
    )
    assert fired.loc["exposure_extrapolated", "evidence"].startswith("rat 30 mg/kg po")
    ki = fired.loc["single_binding_experiment"]
    assert "5-HT2C" in ki["evidence"] and "4.88" in ki["evidence"]
    # The study has an IV arm (nca), measured metabolites, an open field, a
    # chronic arm and human receptors: no recommendation asks for them.
    text = " ".join(out["flags"]["recommendation"]).lower()
    for already in (
        "intravenously",
        "measure desmethyl",
        "add an open field",
        "add a chronic",
        "human receptor",
    ):
        assert already not in text, already
    # Effective doses: 10 and 30 mg/kg (3 mg/kg not significant).
    assert out["effective_doses"] == [10.0, 30.0]
    assert set(out["occupancy"][out["occupancy"]["species"] == "rat"]["dose"]) == {10.0, 30.0}
    assert (fired["recommendation"].str.len() > 20).all()


def test_clean_study_fires_none():
    study = dict(STUDY, fu={"human": 0.15, "rat": 0.15})
    out = _run(clean_tables(), study=study)
    assert tr.raised(out["flags"]).empty, tr.raised(out["flags"]).to_dict("records")
    # The rat AUC is the geometric mean over animals spread +-12.5% around
    # the designed value, so the ratio is 1 / that geometric-mean factor.
    gm = float(np.exp(np.mean(np.log(1.0 + 0.05 * (np.arange(6) - 2.5)))))
    row = out["dose_translation"].iloc[0]
    assert row["ratio"] == pytest.approx(1.0 / gm, rel=1e-9)


def test_single_model_and_acute_only_fire_on_an_fst_only_acute_battery():
    groups = groups_table([10], tests=("fst", "open_field"), regimens=("acute",))
    design = tr.study_design("mirtazapine", groups)
    flags = tr.flag_single_model(design) + tr.flag_acute_only(design)
    assert {f["flag_id"] for f in flags} == {"single_model_reliance", "acute_only_design"}
    single = next(f for f in flags if f["flag_id"] == "single_model_reliance")
    # The recommendation names the domains the battery lacks, not the FST it has.
    assert "sucrose preference" in single["recommendation"] and "forced swim" not in single["recommendation"]


def test_missing_areas_give_not_assessable_rows_without_crashing():
    empty_groups = pd.DataFrame(
        columns=[
            "test",
            "treatment",
            "dose_mg_kg",
            "route",
            "regimen",
            "n_animals",
            "n_excluded",
            "n_analysed",
        ]
    )
    out = _run({"behaviour_groups": empty_groups})
    assert tr.raised(out["flags"]).empty
    assert set(out["flags"]["severity"]) == {tr.NOT_ASSESSABLE}
    assert {
        "bioavailability_mismatch",
        "metabolite_profile_difference",
        "possible_false_positive",
        "single_model_reliance",
        "species_ki_difference",
    } <= set(out["flags"]["flag_id"])
    # Human exposure and human occupancy (literature Ki) are still computed.
    assert set(out["exposure"]["species"]) == {"human"}
    assert set(out["occupancy"]["species"]) == {"human"}
    # No human reference at all: still no crash.
    out = _run({"behaviour_groups": empty_groups}, reference=None)
    assert out["exposure"].empty and (out["flags"]["severity"] == tr.NOT_ASSESSABLE).all()


def test_compound_without_reference_gets_every_rat_side_result():
    tables = _renamed(example_like_tables())
    study = {
        k: v for k, v in _renamed(STUDY).items() if k not in ("molecular_weight_g_mol", "clinical_doses_mg")
    }
    study["molecular_weight_g_mol"] = 265.36  # the study names its own MW: rat occupancy needs it
    out = _run(tables, study=study, reference=None)
    rat = out["exposure"][out["exposure"]["species"] == "rat"]
    assert len(rat) == 3 and rat["auc_ng_h_mL"].notna().all()
    assert set(out["occupancy"]["species"]) == {"rat"}
    flags = out["flags"].set_index("flag_id")
    why = "no human reference for drugx: supply human_reference_file"
    assert flags.loc["bioavailability_mismatch", "evidence"] == why
    assert {"effect_despite_sedation", "exposure_extrapolated", "route_mismatched_control"} <= ids(
        out["flags"]
    )
    # Without a molecular weight anywhere, no occupancy and no crash.
    del study["molecular_weight_g_mol"]
    assert _run(tables, study=study, reference=None)["occupancy"].empty


# --------------------------------------------------------------------------
# Reference: shipped file and study overrides
# --------------------------------------------------------------------------


def test_shipped_reference_gives_every_value_a_source_and_confirmation():
    reference = tr.load_reference(REFERENCE_YAML)
    table = tr.reference_table(reference)
    assert len(table) >= 20
    assert (table["source"].str.len() > 0).all()
    assert table["confirmed"].isin([True, False]).all()
    bibliography = yaml.safe_load((REFERENCE_YAML.parent / reference["bibliography"]).read_text())
    sources = set(bibliography)
    used = {s for cell in table["source"] for s in cell.split(";")}
    assert used <= sources, used - sources
    assert tr.ref_value(reference, "molecular_weight_g_mol") == 265.36
    assert tr.ref_range(reference, "therapeutic_range_ng_mL") == (30.0, 80.0)
    assert tr.ref_range(reference, "t_half_h") == (20.0, 40.0)
    assert tr.ref_value(reference, "oral_bioavailability") == 0.5
    assert set(reference["ki_nM"]["human"]) == set(RECEPTORS)


def test_study_overrides_replace_values_and_reject_unknown_keys():
    ref = tr.apply_overrides(
        REFERENCE,
        {
            "oral_bioavailability": 0.45,
            "single_dose_exposure": {"auc_inf_ng_h_mL": 700, "dose_mg": 15},
            "ki_nM": {"human": {"H1": 0.5, "5-HT2A": 12}},
        },
    )
    assert tr.ref_value(ref, "oral_bioavailability") == 0.45
    assert ref["oral_bioavailability"]["source"] == [tr.OVERRIDE_SOURCE]
    assert tr.human_auc_per_mg(ref) == pytest.approx(700 / 15)
    assert ref["ki_nM"]["human"]["H1"]["value"] == 0.5 and ref["ki_nM"]["human"]["5-HT2A"]["value"] == 12
    assert tr.ref_value(REFERENCE, "oral_bioavailability") == 0.5  # original untouched
    ranged = tr.apply_overrides(REFERENCE, {"t_half_h": [25, 35]})
    assert tr.ref_range(ranged, "t_half_h") == (25.0, 35.0) and tr.ref_value(ranged, "t_half_h") == 25.0
    with pytest.raises(InputError, match="oral_bioavailabilty"):
        tr.apply_overrides(REFERENCE, {"oral_bioavailabilty": 0.4})


def test_literature_ki_used_only_when_the_study_did_not_measure_it():
    study = tr.study_ki(
        ki_table(
            base={
                "alpha2A": 25,
                "alpha2C": 18,
                "5-HT2A": 16,
                "5-HT2C": 39,
                "H1": 2.0,
                "5-HT1A": 4000,
                "5-HT3": 8,
                "M1": 670,
            }
        ),
        "mirtazapine",
    )
    used = tr.ki_for_occupancy(study[study["key"] != "h1"], REFERENCE).set_index(["species", "key"])
    assert used.loc[("human", "h1"), "ki_nM"] == 1.0 and "literature" in used.loc[("human", "h1"), "source"]
    assert used.loc[("human", "alpha2a"), "ki_nM"] == pytest.approx(25.0)
    assert ("rat", "h1") not in used.index  # no rat literature value: not assessable for the rat


# --------------------------------------------------------------------------
# Settings from the config, effective doses, compound-neutral code
# --------------------------------------------------------------------------


def test_species_ki_flag_uses_the_configured_ratio_and_the_ci():
    # Two independent experiments per species: 5-HT2C Ki human 38 and 40 nM,
    # rat 8.5 and 9 nM. species_ki.csv reads binding's pooled comparison
    # (Welch on pKi across experiments); checked against scipy's Welch test.
    one = ki_table()
    rows = []
    for values, assay in (({"human": 38.0, "rat": 8.5}, "a"), ({"human": 40.0, "rat": 9.0}, "b")):
        part = one.assign(assay=one["assay"] + assay)
        is_2c = part["receptor"] == "5-HT2C"
        for species, ki in values.items():
            at = is_2c & (part["species"] == species)
            part.loc[at, "ki_nM"], part.loc[at, "pki"] = ki, 9 - math.log10(ki)
        rows.append(part)
    two = pd.concat(rows, ignore_index=True)
    comparison = species_comparison(two, species_ratio_flag=SPECIES_RATIO_FLAG)
    table = tr.species_ki_table(comparison, "mirtazapine").set_index("receptor")
    row = table.loc["5-HT2C"]
    p_h, p_r = 9 - np.log10([38.0, 40.0]), 9 - np.log10([8.5, 9.0])
    welch = stats.ttest_ind(p_h, p_r, equal_var=False).confidence_interval(0.95)
    assert row["ratio_human_rat"] == pytest.approx(math.sqrt(38 * 40) / math.sqrt(8.5 * 9))
    assert row["ratio_ci_low"] == pytest.approx(10**-welch.high, rel=1e-9)
    assert row["ratio_ci_high"] == pytest.approx(10**-welch.low, rel=1e-9)
    assert row["n_human"] == 2 and row["n_rat"] == 2
    low, point = row["ratio_ci_low"], row["ratio_human_rat"]  # about 3.77 and 4.46
    assert 3.0 < low < 4.0 < point < 5.0
    design = tr.study_design("mirtazapine", receptors=two)
    # threshold 3: the CI's lower bound exceeds it -> high; 4: point above,
    # lower bound below -> medium; 5: point below -> none.
    assert [f["severity"] for f in tr.flag_species_ki(table.reset_index(), 3.0, 10.0, design)] == ["high"]
    assert [f["severity"] for f in tr.flag_species_ki(table.reset_index(), 4.0, 10.0, design)] == ["medium"]
    assert tr.flag_species_ki(table.reset_index(), 5.0, 10.0, design) == []
    # One experiment per species: only single_binding_experiment, point estimate quoted.
    fired = tr.raised(_run(example_like_tables(), species_ratio_flag=3.0)["flags"])
    assert "species_ki_difference" not in set(fired["flag_id"])
    assert "4.88" in fired.set_index("flag_id").loc["single_binding_experiment", "evidence"]
    fired = tr.raised(_run(example_like_tables(), species_ratio_flag=5.0)["flags"])
    assert "single_binding_experiment" not in set(fired["flag_id"])


def test_effective_results_one_definition_with_explicit_alpha():
    comparisons = example_like_tables()["comparisons"]
    eff = tr.effective_results(comparisons, "mirtazapine", 0.05)
    assert list(eff.columns) == tr.EFFECTIVE_COLUMNS
    # FST lower and sucrose preference higher count; the open field (locomotor
    # control), imipramine and the non-significant 3 mg/kg do not.
    assert set(zip(eff["test"], eff["regimen"], eff["dose_mg_kg"])) == {
        ("fst", "acute", 10.0),
        ("fst", "acute", 30.0),
        ("fst", "chronic", 10.0),
        ("fst", "chronic", 30.0),
        ("sucrose_preference", "chronic", 10.0),
    }
    strict_alpha = tr.effective_results(comparisons, "mirtazapine", 0.02)
    assert ("fst", "acute", 10.0) not in set(
        zip(strict_alpha["test"], strict_alpha["regimen"], strict_alpha["dose_mg_kg"])
    )
    assert tr.effective_doses(comparisons, "mirtazapine", 0.0005) == []
    out = _run(example_like_tables())
    assert out["effective_results"].equals(eff)
    assert out["effective_doses"] == tr.effective_doses(comparisons, "mirtazapine", ALPHA) == [10.0, 30.0]


def test_therapeutic_range_comes_from_the_reference():
    out = _run(example_like_tables())
    assert out["therapeutic_range"] == (30.0, 80.0)
    ranged = tr.apply_overrides(REFERENCE, {"therapeutic_range_ng_mL": [20, 60]})
    assert _run(example_like_tables(), reference=ranged)["therapeutic_range"] == (20.0, 60.0)
    assert _run(example_like_tables(), reference=None)["therapeutic_range"] is None


def _renamed(obj, old="mirtazapine", new="drugx"):
    """*obj* (table, dict, list or text) with every *old* in its text replaced by *new*."""
    if isinstance(obj, pd.DataFrame):
        return obj.map(lambda v: _renamed(v, old, new))
    if isinstance(obj, dict):
        return {_renamed(k, old, new): _renamed(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_renamed(v, old, new) for v in obj]
    return obj.replace(old, new) if isinstance(obj, str) else obj


def test_no_code_path_assumes_the_compound_name():
    tables = example_like_tables()
    original = _run(tables)
    renamed = _run(_renamed(tables), study=_renamed(STUDY), reference=_renamed(REFERENCE))
    for name in ("flags", "exposure", "occupancy", "dose_translation", "ki_used", "effective_results"):
        assert renamed[name].equals(_renamed(original[name])), name
    text = " ".join(renamed["flags"]["evidence"]) + " ".join(renamed["flags"]["recommendation"])
    assert "mirtazapine" not in text and "desmethyldrugx" in text


def test_recommendations_cite_no_internal_documents():
    out = _run(example_like_tables())
    assert not out["flags"]["recommendation"].str.contains("seed", case=False).any()
    assert not out["flags"]["evidence"].str.contains(r"[a-z]+\d{4}\b", regex=True).any()  # no raw keys


def test_geometric_mean_ignores_non_positive_values():
    assert tr.geometric_mean([1.0, 4.0, 0.0, -2.0, np.nan]) == pytest.approx(2.0)
    assert math.isnan(tr.geometric_mean([])) and math.isnan(tr.geometric_mean([0.0, -1.0]))


def test_molecular_weight_and_clinical_doses_come_from_the_reference_when_the_study_omits_them():
    study = {k: v for k, v in STUDY.items() if k not in ("molecular_weight_g_mol", "clinical_doses_mg")}
    reference = dict(REFERENCE, clinical_context={"doses_mg_per_day": {"range": [15, 45]}})
    out = _run(example_like_tables(), study=study, reference=reference)
    human = out["exposure"][out["exposure"]["species"] == "human"]
    assert sorted(set(human["dose"])) == [15.0, 45.0]
    with_study = _run(example_like_tables())
    rat = lambda o: o["occupancy"][o["occupancy"]["species"] == "rat"].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(rat(out), rat(with_study))  # same MW 265.36 from the reference


def test_effect_context_sets_rat_hedges_g_beside_the_clinical_effect_without_a_ratio():
    reference = dict(
        REFERENCE,
        clinical_context={
            "effect_size_sd": {"value": 0.5, "source": ["bech2001"], "confirmed": True},
            "response_odds_ratio": {"value": 1.89, "cri_95": [1.64, 2.2], "source": ["cipriani2018"],
                                    "confirmed": False},
        },
    )  # fmt: skip
    tables = example_like_tables()
    context = _run(tables, reference=reference)["effect_context"]
    assert list(context.columns) == tr.CONTEXT_COLUMNS
    rat = context[context["species"] == "rat"]
    # one row per effective result, its Hedges g and CI as in comparisons.csv
    comp = tables["comparisons"].set_index(["test", "regimen", "dose_mg_kg"])
    assert len(rat) == 5
    for _, r in rat.iterrows():
        parts = r["measure"].removeprefix("Hedges g, ").replace(",", "").split(" ")
        test, dose, regimen = parts[0], parts[2], parts[4]
        row = comp.loc[(test, regimen, float(dose))]
        assert (r["value"], r["ci_low"], r["ci_high"]) == (
            row["hedges_g"],
            row["hedges_g_ci_low"],
            row["hedges_g_ci_high"],
        )
    human = context[context["species"] == "human"].set_index("measure")
    assert (
        human.loc["response_odds_ratio", "ci_high"] == 2.2
        and not human.loc["response_odds_ratio", "confirmed"]
    )
    assert human.loc["effect_size_sd", "source"].startswith("Bech")
    assert not context["measure"].str.contains("shrinkage|ratio of", case=False).any()


def test_at_test_occupancy_is_used_by_the_flag_and_the_sedation_evidence_when_supplied():
    """The seam for exposure at test time: occupancy rows with basis at_test
    (from a concentration at the test), which the occupancy flag reads in
    preference to Cmax and the effect-despite-sedation flag quotes for H1."""
    mw, ki = 265.36, 1.0
    ki_used = pd.DataFrame(
        {"species": ["rat", "human"], "receptor": ["H1", "H1"], "key": ["h1", "h1"], "ki_nM": [ki, ki],
         "source": ["study", "study"], "n_assays": [2, 2], "confirmed": ["", ""]}
    )  # fmt: skip
    rat = pd.DataFrame(
        {"species": ["rat"], "dose": [30.0], "route": ["po"], "cmax_unbound_ng_mL": [1.0],
         "c_avg_unbound_ng_mL": [0.1], "auc_ng_h_mL": [1.0]}
    )  # fmt: skip
    human = tr.human_exposure(REFERENCE, [15, 30, 45], 0.15, "x", tau_h=24.0)
    # The at-test value comes from the function that fills occupancy_summary.csv
    # (a constant profile here: unbound C = Ki/4 over the 1-h test time).
    fu = 0.15
    value = ot.exposure_at_test(lambda t: np.full_like(np.asarray(t, float), ki * mw / 1000 * 0.25 / fu),
                                (1.0, 1.0), 0.05, fu, 1.0, mw, ki)  # fmt: skip
    at_test = pd.DataFrame(
        {"test": ["fst"], "dose": [30.0], "route": ["po"], "regimen": ["acute"], "test_time_h": ["1"],
         "receptor": ["H1"], "c_unbound_nM": [value["c_unbound_nM"]], "occupancy": [value["occupancy"]]}
    )  # fmt: skip
    occ = tr.occupancy_table(rat, human, ki_used, mw, at_test=at_test)
    row = occ[occ["basis"] == "at_test"].iloc[0]
    assert row["species"] == "rat" and row["occupancy"] == pytest.approx(0.2)  # C = Ki/4 -> 20%
    assert row["occupancy"] == value["occupancy"] and (row["test"], row["regimen"]) == ("fst", "acute")
    assert tr.flags.flag_basis(occ) == "at_test"
    assert tr.flags.flag_basis(occ[occ["basis"] != "at_test"]) == "cmax"
    confounds = pd.DataFrame(
        [dict(confound("acute", 30, "improved", "decreased", "sedation"), class_id="effect_despite_sedation")]
    )
    design = tr.study_design("mirtazapine")
    flag = tr.flag_confounds(confounds, "mirtazapine", design, occ)[0]
    assert (
        flag["flag_id"] == "effect_despite_sedation" and "H1 occupancy at test time 20%" in flag["evidence"]
    )
    without = tr.flag_confounds(confounds, "mirtazapine", design, occ[occ["basis"] != "at_test"])[0]
    assert "H1" not in without["evidence"]


def test_recommended_rat_dose_reaches_the_human_unbound_cmax_ss_by_hand():
    # 3 ng/mL unbound human target (20 x 0.15) from 0.9 ng/mL unbound per mg/kg (6 x 0.15) -> 3.33 mg/kg.
    assert tr.recommendations.exposure_matched_rat_dose(6.0, 20.0, 0.15, 0.15) == pytest.approx(20 / 6)
    # Example-like study: rat Cmax at 10 mg/kg po = 60 x gm ng/mL; both fu 0.15 (rat by default).
    # Human Cmax,ss at the middle clinical dose (30 mg) comes from the one-compartment
    # superposition model (the only source of human steady-state values): with CL/F =
    # 30 mg / 630 ng.h/mL, k = ln2/20 h and ka 1 /h, the closed form
    # Css(t) = D/V ka/(ka-k) (e^-kt/(1-e^-k tau) - e^-ka t/(1-e^-ka tau)), maximised on a fine grid.
    gm = float(np.exp(np.mean(np.log(1.0 + 0.05 * (np.arange(6) - 2.5)))))
    k, ka, tau = np.log(2) / 20, 1.0, 24.0
    v = 30 / 630 * 1000 / k
    t = np.linspace(0, tau, 240001)
    css = (
        30
        / v
        * 1000
        * ka
        / (ka - k)
        * (np.exp(-k * t) / (1 - np.exp(-k * tau)) - np.exp(-ka * t) / (1 - np.exp(-ka * tau)))
    )
    dose = css.max() / (60 * gm / 10)
    reference = dict(REFERENCE, human_pk_one_compartment={"ka_per_h": {"value": ka}})
    flags = _run(example_like_tables(), reference=reference)["flags"].set_index("flag_id")
    text = flags.loc["bioavailability_mismatch", "recommendation"]
    assert f"give about {dose:.2g} mg/kg po" in text and "30 mg/day" in text
