"""Tests of the embedded example study and its generator.

The data are checked against ground_truth.yaml with simple, independent
calculations (interpolation, trapezoids, closed-form PK, a direct saturation
fit), not with the generator's own formulas.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.optimize import curve_fit

import tools.example_study as ex
from tools.example_study.behaviour import GROUPS
from tools.example_study.binding import generate_binding
from tools.example_study.pk import PK_GROUPS, pk_profiles

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "resources" / "example_study"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return ex.build_study()


@pytest.fixture(scope="module")
def truth(files) -> dict:
    return yaml.safe_load(files["ground_truth.yaml"])


def table(files, name, **kwargs) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(files[name]), **kwargs)


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- reproducibility -------------------------------------------------------


def test_two_runs_are_byte_identical(tmp_path):
    ex.write_study(tmp_path / "a")
    ex.main([str(tmp_path / "b")])
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert len(first) == 27
    assert first == second


def test_committed_study_equals_fresh_generation(files):
    committed = tree_bytes(COMMITTED)
    assert sorted(committed) == sorted(files), "files added to or missing from resources/example_study"
    for name, text in files.items():
        assert committed[name] == text.encode("utf-8"), f"{name} differs: regenerate, do not edit by hand"


def test_study_is_small_and_uses_unix_line_endings(files):
    # About 320 kB: three independent binding experiments per receptor x species,
    # a chronic PK satellite and PK at every behavioural dose. The cap keeps the
    # example a fixture, not a data set.
    assert sum(len(t.encode()) for t in files.values()) < 400_000
    assert not any("\r" in t for t in files.values())


def test_another_seed_gives_other_data():
    assert generate_binding(seed=1) != generate_binding()


# --- contract --------------------------------------------------------------


def test_study_yaml_follows_the_contract(files):
    meta = yaml.safe_load(files["study.yaml"])
    assert meta["name"] == "example_mirtazapine"
    assert meta["compound"] == "mirtazapine"
    assert meta["molecular_weight_g_mol"] == 265.36
    assert meta["fu"] == {"human": 0.15}  # rat omitted on purpose
    assert meta["clinical_doses_mg"] == [15, 30, 45]
    assert meta["human_body_weight_kg"] == 60
    assert meta["fst_window_min"] == [3, 6]
    assert set(meta["arrive"]) == {
        "randomisation",
        "blinding",
        "sample_size",
        "strain",
        "age",
        "source",
        "housing",
    }
    assert all(isinstance(v, str) and len(v) > 10 for v in meta["arrive"].values())


@pytest.mark.parametrize(
    "folder, required",
    [
        (
            "binding",
            [
                "receptor",
                "species",
                "radioligand",
                "radioligand_nM",
                "radioligand_kd_nM",
                "well_type",
                "compound",
                "concentration_M",
                "replicate",
                "cpm",
            ],
        ),
        (
            "saturation",
            ["receptor", "species", "radioligand", "radioligand_nM", "well_type", "replicate", "cpm"],
        ),
        (
            "pk",
            [
                "animal_id",
                "species",
                "body_weight_kg",
                "route",
                "dose_mg_kg",
                "analyte",
                "time_h",
                "concentration_ng_mL",
                "lloq_ng_mL",
            ],
        ),
    ],
)
def test_contract_columns_present(files, folder, required):
    # pk/dosing.csv is a control file with its own contract (below)
    names = [n for n in files if n.startswith(folder + "/") and n != "pk/dosing.csv"]
    assert names
    for name in names:
        header = files[name].splitlines()[0].split(",")
        assert header[: len(required)] == required, name


@pytest.mark.parametrize(
    "test, endpoints",
    [
        ("fst", [f"immobility_min{i}" for i in range(1, 7)]),
        ("open_field", ["distance_cm"]),
        ("sucrose_preference", ["sucrose_ml", "water_ml"]),
        (
            "elevated_plus_maze",
            ["open_arm_time_s", "closed_arm_time_s", "open_arm_entries", "closed_arm_entries"],
        ),
    ],
)
def test_behaviour_columns_present(files, test, endpoints):
    common = [
        "animal_id",
        "species",
        "sex",
        "treatment",
        "dose_mg_kg",
        "route",
        "regimen",
        "days_dosed",
        "strain",
        "cohort",
        "excluded",
        "exclusion_reason",
    ]
    assert files[f"behaviour/{test}.csv"].splitlines()[0].split(",") == common + endpoints


# --- binding ---------------------------------------------------------------


def binding_tables(files):
    return {n: table(files, n) for n in files if n.startswith("binding/")}


def test_binding_covers_required_receptors_in_both_species(files, truth):
    pairs = {(d.receptor.iloc[0], d.species.iloc[0]) for d in binding_tables(files).values()}
    for receptor in ["alpha2A", "alpha2C", "5-HT2A", "5-HT2C", "H1", "5-HT1A", "5-HT3"]:
        assert {(receptor, "human"), (receptor, "rat")} <= pairs
    assert len(truth["binding"]["targets"]) == len(pairs) == 16


def test_binding_layout_nsb_fraction_and_noise(files, truth):
    n_conc = {t["file"]: 14 if "two_site" in t else 10 for t in truth["binding"]["targets"]}
    for name, d in binding_tables(files).items():
        assert d.receptor.nunique() == d.species.nunique() == d.radioligand.nunique() == 1
        fixed = d[d.well_type.isin(["total", "nsb"])]
        assert fixed.compound.isna().all() and fixed.concentration_M.isna().all(), name
        comp = d[d.well_type == "competitor"]
        assert (comp.compound == "mirtazapine").all()
        assert sorted(d.experiment.unique()) == [1, 2, 3], name
        for _, e in d.groupby("experiment"):
            sizes = e.groupby("well_type").size().to_dict()
            assert sizes == {"competitor": 3 * n_conc[name], "nsb": 3, "total": 3}, name
            assert e.plate.nunique() == 1
            total = e.loc[e.well_type == "total", "cpm"].mean()
            nsb = e.loc[e.well_type == "nsb", "cpm"].mean()
            assert 0.05 <= nsb / total <= 0.15, name
        assert (comp.groupby(["experiment", "concentration_M"]).replicate.nunique() == 3).all()
        cv = comp.groupby(["experiment", "concentration_M"]).cpm.agg(lambda x: x.std() / x.mean())
        assert 0.01 < cv.median() < 0.08, name  # "a few % CV"


def test_concentrations_are_half_log_and_bracket_the_ic50(files, truth):
    for target in truth["binding"]["targets"]:
        d = table(files, target["file"])
        conc = np.sort(d.concentration_M.dropna().unique())
        assert len(conc) == (14 if "two_site" in target else 10)
        assert np.allclose(np.diff(np.log10(conc)), 0.5, atol=2e-4)
        # Cheng-Prusoff, independently of the generator
        factor = 1 + target["radioligand_nM"] / target["radioligand_kd_true_nM"]
        ic50 = target["ki_nM"] * 1e-9 * factor
        low_end = target["two_site"]["ki_high_nM"] * 1e-9 * factor if "two_site" in target else ic50
        assert low_end / conc[0] >= 100, target["file"]
        assert conc[-1] / ic50 >= 100 or conc[-1] == pytest.approx(1e-3), target["file"]
        assert conc[-1] <= 1e-3


def crossing(log_conc, fraction, level):
    """log10 concentration where a falling curve first crosses `level`
    (linear interpolation between neighbouring points)."""
    for i in range(len(fraction) - 1):
        if fraction[i] >= level > fraction[i + 1]:
            share = (fraction[i] - level) / (fraction[i] - fraction[i + 1])
            return log_conc[i] + share * (log_conc[i + 1] - log_conc[i])
    raise AssertionError("curve does not cross the level")


def specific_fraction(d):
    """Mean specific-binding fraction per concentration over the independent
    experiments, each normalised by its own total and NSB wells."""
    fractions = []
    for _, e in d.groupby("experiment"):
        total = e.loc[e.well_type == "total", "cpm"].mean()
        nsb = e.loc[e.well_type == "nsb", "cpm"].mean()
        means = e[e.well_type == "competitor"].groupby("concentration_M").cpm.mean().sort_index()
        fractions.append((means - nsb) / (total - nsb))
    mean = pd.concat(fractions, axis=1).mean(axis=1)
    return np.log10(mean.index.values), mean.values


def test_interpolated_ic50_matches_truth(files, truth):
    for target in truth["binding"]["targets"]:
        if "two_site" in target:
            continue  # tested below
        log_conc, fraction = specific_fraction(table(files, target["file"]))
        log_ic50 = crossing(log_conc, fraction, 0.5)
        assert log_ic50 == pytest.approx(math.log10(target["ic50_nM"] * 1e-9), abs=0.2), target["file"]


def test_one_site_curves_have_unit_slope_and_the_two_site_curve_its_shoulder(files, truth):
    # 20%-80% span: 2 log10(4) = 1.20 log units for nH = 1
    two_site = [t for t in truth["binding"]["targets"] if "two_site" in t]
    assert [(t["receptor"], t["species"]) for t in two_site] == [("5-HT1A", "rat")]
    for target in truth["binding"]["targets"]:
        log_conc, fraction = specific_fraction(table(files, target["file"]))
        if "two_site" not in target:
            span = crossing(log_conc, fraction, 0.2) - crossing(log_conc, fraction, 0.8)
            assert span == pytest.approx(2 * math.log10(4), abs=0.35), target["file"]
            continue
        sites = target["two_site"]
        assert sites["fraction_high"] == 0.3
        assert math.log10(sites["ki_low_nM"] / sites["ki_high_nM"]) == pytest.approx(2.0)
        # Between the sites (geometric mean of the IC50s, 1 log from each) the
        # high-affinity site is 1/(1 + 10) occupied and the low-affinity site
        # 10/(1 + 10) bound: 0.3/11 + 0.7 * 10/11 = 0.664 of specific binding.
        middle = 0.5 * math.log10(sites["ic50_high_nM"] * sites["ic50_low_nM"] * 1e-18)
        assert np.interp(middle, log_conc, fraction) == pytest.approx(0.3 / 11 + 0.7 * 10 / 11, abs=0.06)
        # Both plateaus inside the tested range.
        assert fraction[0] > 0.95 and abs(fraction[-1]) < 0.05


def test_one_receptor_differs_between_species(files, truth):
    ki = {(t["receptor"], t["species"]): t["ki_nM"] for t in truth["binding"]["targets"]}
    ratios = {r: ki[(r, "human")] / ki[(r, "rat")] for r, _ in ki}
    assert [r for r, v in ratios.items() if max(v, 1 / v) > 3] == ["5-HT2C"]
    # the difference is visible in the raw data: interpolated IC50s -> Ki
    data_ki = {}
    for t in truth["binding"]["targets"]:
        if t["receptor"] == "5-HT2C":
            log_conc, fraction = specific_fraction(table(files, t["file"]))
            ic50 = 10 ** crossing(log_conc, fraction, 0.5)
            data_ki[t["species"]] = ic50 / (1 + t["radioligand_nM"] / t["radioligand_kd_true_nM"])
    assert data_ki["human"] / data_ki["rat"] > 3


def test_binding_files_carry_nominal_kd_and_truth_records_both(files, truth):
    for target in truth["binding"]["targets"]:
        d = table(files, target["file"])
        assert (d.radioligand_kd_nM == target["radioligand_kd_nominal_nM"]).all()
        assert (d.radioligand_nM == target["radioligand_nM"]).all()
        assert d.radioligand.iloc[0] == target["radioligand"]
    saturated = {(s["receptor"], s["species"], s["radioligand"]): s["kd_nM"] for s in truth["saturation"]}
    for target in truth["binding"]["targets"]:
        key = (target["receptor"], target["species"], target["radioligand"])
        if key in saturated:
            assert target["radioligand_kd_true_nM"] == saturated[key]
            assert target["radioligand_kd_true_nM"] != target["radioligand_kd_nominal_nM"]
        else:
            assert target["radioligand_kd_true_nM"] == target["radioligand_kd_nominal_nM"]


# --- saturation ------------------------------------------------------------


def test_saturation_runs_recover_kd_and_bmax(files, truth):
    assert len(truth["saturation"]) >= 2
    for run in truth["saturation"]:
        d = table(files, run["file"])
        means = d.groupby(["radioligand_nM", "well_type"]).cpm.mean().unstack()
        assert (d.groupby(["radioligand_nM", "well_type"]).size() == 3).all()
        conc = means.index.values
        assert len(conc) == 10
        assert conc.min() == pytest.approx(0.1 * run["kd_nM"], rel=0.05)
        assert conc.max() == pytest.approx(10 * run["kd_nM"], rel=0.05)
        # NSB is linear in L
        slope, intercept = np.polyfit(conc, means["nsb"], 1)
        assert slope == pytest.approx(run["nonspecific_cpm_per_nM"], rel=0.15)
        specific = (means["total"] - means["nsb"]).values
        (bmax, kd), _ = curve_fit(
            lambda x, b, k: b * x / (k + x), conc, specific, p0=[specific.max(), np.median(conc)]
        )
        assert kd == pytest.approx(run["kd_nM"], rel=0.2)
        assert bmax == pytest.approx(run["bmax_cpm"], rel=0.1)


# --- behaviour -------------------------------------------------------------

BEHAVIOUR_TESTS = ["fst", "open_field", "sucrose_preference", "elevated_plus_maze"]


def test_behaviour_design_and_group_sizes(files):
    ids = None
    for test in BEHAVIOUR_TESTS:
        d = table(files, f"behaviour/{test}.csv")
        assert len(d) == 2 * len(GROUPS) * 12  # 2 regimens × 6 groups × n = 12
        assert (d.species == "rat").all() and (d.sex == "M").all()
        assert (d.strain == "Sprague-Dawley").all()
        sizes = d.groupby(["regimen", "treatment", "dose_mg_kg", "route"]).size()
        assert len(sizes) == 2 * len(GROUPS) and (sizes == 12).all(), test
        assert set(sizes.index) == {
            (r, t, dose, route) for r in ("acute", "chronic") for t, dose, route in GROUPS
        }
        assert (d.loc[d.regimen == "acute", "days_dosed"] == 1).all()
        assert (d.loc[d.regimen == "chronic", "days_dosed"] == 21).all()
        acute = set(d.loc[d.regimen == "acute", "animal_id"])
        assert acute.isdisjoint(d.loc[d.regimen == "chronic", "animal_id"])
        if ids is None:
            ids = list(d.animal_id)
        assert list(d.animal_id) == ids  # the same rats run the whole battery


def test_exclusions_have_reasons_and_match_truth(files, truth):
    found = []
    for test in BEHAVIOUR_TESTS:
        d = table(files, f"behaviour/{test}.csv")
        endpoints = d.columns[12:]
        assert d.excluded.dtype == bool
        kept = d[~d.excluded]
        assert kept.exclusion_reason.isna().all()
        assert kept[endpoints].notna().all().all(), test
        for _, row in d[d.excluded].iterrows():
            assert isinstance(row.exclusion_reason, str) and row.exclusion_reason
            found.append((test, row.animal_id, row.exclusion_reason))
    assert 3 <= len(found) <= 5
    expected = [(e["test"], e["animal_id"], e["reason"]) for e in truth["behaviour"]["exclusions"]]
    assert sorted(found) == sorted(expected)


def group_means(d, value):
    d = d[~d.excluded].assign(value=value)
    return d.groupby(["regimen", "treatment", "dose_mg_kg"]).value.agg(["mean", "std", "count"])


def test_fst_values_and_effects(files, truth):
    d = table(files, "behaviour/fst.csv")
    minutes = d[[f"immobility_min{i}" for i in range(1, 7)]]
    assert ((minutes.stack() >= 0) & (minutes.stack() <= 60)).all()
    last4 = minutes.iloc[:, 2:].sum(axis=1)
    g = group_means(d, last4)
    for regimen in ("acute", "chronic"):
        vehicle = g.loc[(regimen, "vehicle", 0)]
        assert 130 <= vehicle["mean"] <= 185
        assert g.loc[(regimen, "mirtazapine", 30), "mean"] < vehicle["mean"] - 10
        assert g.loc[(regimen, "imipramine", 15), "mean"] < vehicle["mean"] - 20
    assert 15 <= g["std"].median() <= 35  # SD about 25 s
    # truth: effects stronger after chronic dosing; the acute mirtazapine
    # effect is the Emax model of the unbound concentration at test time
    delta = {
        (e["treatment"], e["dose_mg_kg"], e["regimen"]): e["delta_vs_vehicle_s"]
        for e in truth["behaviour"]["fst"]["groups"]
    }
    assert delta[("mirtazapine", 3, "chronic")] == 0
    for key in [("mirtazapine", 10), ("mirtazapine", 30), ("imipramine", 15)]:
        assert delta[key + ("chronic",)] < delta[key + ("acute",)] < 0
    model = truth["behaviour"]["fst"]["exposure_response"]
    p = truth["pk"]["parent"]
    k, ka = p["cl_L_h_kg"] / p["v_L_kg"], p["ka_per_h"]
    for level in model["doses"]:
        dose, t = level["dose_mg_kg"], model["test_time_h"]
        total = (
            p["f_oral"] * dose * 1000 * ka / (p["v_L_kg"] * (ka - k)) * (math.exp(-k * t) - math.exp(-ka * t))
        )
        cu = model["fu_rat"] * total / 265.36 * 1000  # Bateman, unbound, nM
        assert level["unbound_nM_at_test"] == pytest.approx(cu, rel=1e-3)
        expected = model["emax_s"] * cu / (model["ec50_unbound_nM"] + cu)
        assert delta[("mirtazapine", dose, "acute")] == pytest.approx(expected, rel=1e-3)


def test_open_field_sedation_acute_high_dose_only(files):
    d = table(files, "behaviour/open_field.csv")
    g = group_means(d, d.distance_cm)["mean"]
    for regimen in ("acute", "chronic"):
        assert 3000 <= g[(regimen, "vehicle", 0)] <= 4000
    acute_ratio = g[("acute", "mirtazapine", 30)] / g[("acute", "vehicle", 0)]
    chronic_ratio = g[("chronic", "mirtazapine", 30)] / g[("chronic", "vehicle", 0)]
    assert 0.5 <= acute_ratio <= 0.72
    assert 0.85 <= chronic_ratio <= 1.15


def test_sucrose_preference_and_epm(files):
    d = table(files, "behaviour/sucrose_preference.csv")
    g = group_means(d, 100 * d.sucrose_ml / (d.sucrose_ml + d.water_ml))["mean"]
    assert 70 <= g[("chronic", "vehicle", 0)] <= 82 and 70 <= g[("acute", "vehicle", 0)] <= 82
    for dose in (10, 30):
        assert g[("chronic", "mirtazapine", dose)] > g[("chronic", "vehicle", 0)] + 3
    e = table(files, "behaviour/elevated_plus_maze.csv")
    open_pct = 100 * e.open_arm_time_s / (e.open_arm_time_s + e.closed_arm_time_s)
    assert (e.open_arm_time_s + e.closed_arm_time_s <= 300).all()
    g = group_means(e, open_pct)["mean"]
    for regimen in ("acute", "chronic"):
        assert 12 <= g[(regimen, "vehicle", 0)] <= 28
        assert g[(regimen, "mirtazapine", 30)] > g[(regimen, "vehicle", 0)]


def test_realised_means_in_truth_match_data(files, truth):
    d = table(files, "behaviour/fst.csv")
    last4 = d[[f"immobility_min{i}" for i in range(3, 7)]].sum(axis=1)
    g = group_means(d, last4)
    for entry in truth["behaviour"]["realised_sample_means"]["fst"]:
        row = g.loc[(entry["regimen"], entry["treatment"], entry["dose_mg_kg"])]
        assert entry["n"] == row["count"]
        assert entry["sample_mean_immobility_last4_s"] == pytest.approx(row["mean"], rel=1e-3)


# --- PK --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pk(files):
    return table(files, "pk/rat_mirtazapine.csv", na_values=["BLQ"], keep_default_na=False)


def test_pk_design(files, pk):
    raw = table(files, "pk/rat_mirtazapine.csv", dtype=str, keep_default_na=False)
    assert set(raw.analyte) == {"mirtazapine", "desmethylmirtazapine", "8-hydroxymirtazapine"}
    assert (raw.loc[raw.analyte == "8-hydroxymirtazapine", "concentration_ng_mL"] == "BLQ").all()
    assert (raw.concentration_ng_mL != "").all()
    animals = pk.groupby(["route", "dose_mg_kg"]).animal_id.nunique()
    assert animals.to_dict() == {(r, d): 6 for r, d, _ in PK_GROUPS}
    assert {d for r, d, _ in PK_GROUPS if r == "po"} >= {dose for t, dose, _ in GROUPS if t == "mirtazapine"}
    assert pk.animal_id.nunique() == 6 * len(PK_GROUPS)  # parallel groups, distinct animals
    times = pk.groupby("route").time_h.unique()
    assert sorted(times["iv"]) == [0.083, 0.25, 0.5, 1, 2, 4, 6, 8, 12, 24]
    assert sorted(times["po"]) == [0.25, 0.5, 1, 2, 4, 6, 8, 12, 24]
    measured = pk.concentration_ng_mL.dropna()
    assert (measured >= pk.lloq_ng_mL.loc[measured.index]).all()
    assert (pk.lloq_ng_mL == 1.0).all()
    assert pk.groupby("animal_id").body_weight_kg.nunique().eq(1).all()
    assert pk.body_weight_kg.between(0.2, 0.4).all()


def test_noise_free_model_matches_closed_forms(truth):
    p = truth["pk"]["parent"]
    k = p["cl_L_h_kg"] / p["v_L_kg"]
    assert p["t_half_h"] == pytest.approx(math.log(2) / k, rel=1e-3)
    assert 1.5 <= p["t_half_h"] <= 4  # "a few hours"
    t = np.array([0.1, 0.5, 1.0, 3.0, 8.0])
    iv, _ = pk_profiles("iv", 2.0, t)
    assert np.allclose(iv, 2000 / p["v_L_kg"] * np.exp(-k * t), rtol=1e-8)
    po, _ = pk_profiles("po", 10.0, t)
    ka = p["ka_per_h"]
    bateman = p["f_oral"] * 10000 * ka / (p["v_L_kg"] * (ka - k)) * (np.exp(-k * t) - np.exp(-ka * t))
    assert np.allclose(po, bateman, rtol=1e-8)
    tmax = math.log(ka / k) / (ka - k)  # Bateman peak time
    for group in truth["pk"]["groups"]:
        if group["route"] == "po":
            assert group["typical_tmax_h"] == pytest.approx(tmax, abs=0.01)


def test_noise_free_trapezoid_oral_bioavailability_is_0_07(truth):
    grid = np.linspace(0, 72, 14401)
    iv, iv_m = pk_profiles("iv", 2.0, grid)
    po, po_m = pk_profiles("po", 10.0, grid)
    f = (np.trapezoid(po, grid) / 10.0) / (np.trapezoid(iv, grid) / 2.0)
    assert f == pytest.approx(truth["pk"]["parent"]["f_oral"], rel=0.01)
    assert truth["pk"]["parent"]["f_oral"] == 0.07
    ratio = np.trapezoid(po_m, grid) / np.trapezoid(po, grid)
    assert ratio == pytest.approx(truth["pk"]["desmethylmirtazapine"]["auc_ratio_to_parent"], rel=0.01)
    assert 0.3 <= ratio <= 0.5
    for group in truth["pk"]["groups"]:
        conc, _ = pk_profiles(group["route"], group["dose_mg_kg"], grid)
        assert np.trapezoid(conc, grid) == pytest.approx(group["true_auc_inf_parent_ng_h_mL"], rel=0.01)


def test_observed_data_give_roughly_the_true_f_and_half_life(pk, truth):
    parent = pk[pk.analyte == "mirtazapine"].fillna({"concentration_ng_mL": 0.0})

    def mean_auc(route, dose):
        aucs = []
        for _, a in parent[(parent.route == route) & (parent.dose_mg_kg == dose)].groupby("animal_id"):
            a = a.sort_values("time_h")
            # IV: back to t=0 with the first sample (crude); PO: starts at 0
            t = np.r_[0.0, a.time_h.values]
            c = np.r_[a.concentration_ng_mL.values[0] if route == "iv" else 0.0, a.concentration_ng_mL.values]
            aucs.append(np.trapezoid(c, t))
        return np.mean(aucs) / dose

    f_crude = mean_auc("po", 10.0) / mean_auc("iv", 2.0)
    assert 0.04 <= f_crude <= 0.11
    iv = pk[(pk.analyte == "mirtazapine") & (pk.route == "iv") & pk.time_h.between(4, 12)].dropna()
    slope = np.polyfit(iv.time_h, np.log(iv.concentration_ng_mL), 1)[0]
    assert math.log(2) / -slope == pytest.approx(truth["pk"]["parent"]["t_half_h"], rel=0.25)


def test_chronic_satellite_design_and_dosing_records(files, truth):
    chronic = table(files, "pk/rat_mirtazapine_chronic.csv", na_values=["BLQ"], keep_default_na=False)
    dosing = table(files, "pk/dosing.csv")
    assert list(dosing.columns) == ["animal_id", "time_h", "dose_mg_kg", "route"]
    c = truth["pk"]["chronic"]
    per_animal = dosing[dosing.animal_id.str.startswith("PKC")].groupby("animal_id").time_h.apply(list)
    assert len(per_animal) == c["n_animals"]
    assert all(times == [24.0 * d for d in range(c["n_days"])] for times in per_animal)
    acute = dosing[~dosing.animal_id.str.startswith("PKC")]
    assert (acute.time_h == 0).all() and acute.animal_id.is_unique
    troughs = [24.0 * (d - 1) for d in c["predose_trough_days"]]
    assert set(troughs) <= set(chronic.time_h)  # pre-dose samples at dose times
    assert chronic.time_h.max() == 24.0 * c["n_days"]
    # auto-induction: day-21 concentrations below day-1 at the same time after dose
    parent = chronic[chronic.analyte == "mirtazapine"].groupby("time_h").concentration_ng_mL.mean()
    assert parent[480 + 2] < parent[2]
    assert c["true_accumulation_ratio_auc"] == pytest.approx(
        1 / c["auto_induction"]["clearance_factor_day21"], rel=0.01
    )


def test_between_animal_variability_is_about_20_percent(truth):
    cl = np.array([a["cl_L_h_kg"] for a in truth["pk"]["animals"]])
    assert len(cl) == 6 * len(PK_GROUPS) + truth["pk"]["chronic"]["n_animals"]
    assert 0.08 <= np.std(np.log(cl), ddof=1) <= 0.35
