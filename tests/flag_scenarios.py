"""Small synthetic studies for the translational flags, one per flag.

Behaviour goes through the real pipeline functions: per-animal CSV files
are written, checked by :func:`scripts.validation.validate_behaviour`,
analysed by :func:`scripts.behaviour.analysis.analyse_test` and set against
the open field by :func:`scripts.behaviour.battery.battery_outputs`; the
inventory table comes from :func:`scripts.inventory.behaviour_inventory`.
PK and binding enter as result tables in the contracted formats (builders
in ``test_translation``). Group values are deterministic (a fixed,
symmetric spread around the group mean), so a "no change" group has exactly
the vehicle's distribution and a shifted group differs clearly.

The clean study fires no flag; every scenario changes one thing of it.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import test_translation as tt

from scripts import inventory, settings
from scripts.behaviour import analysis, battery
from scripts.validation import validate_behaviour

BEHAVIOUR = settings.section("behaviour")
COMPOUND = "testdrug"
DOSE = 3.0
N = 8
SPREAD = np.linspace(-1.5, 1.5, N)  # z-scores of the animals of a group
#: vehicle mean, SD and clear shift of each test's endpoint columns.
TESTS = {
    "fst": {"immobility_s": (150.0, 12.0, -60.0)},
    "open_field": {"distance_cm": (4000.0, 250.0, 1500.0)},
    "sucrose_preference": {"sucrose_ml": (12.0, 1.0, 6.0), "water_ml": (8.0, 1.0, -4.0)},
    # a declared extra test (study.yaml extra_tests): lower latency is antidepressant-like
    "novelty_feeding": {"latency_s": (300.0, 20.0, -120.0)},
}
EXTRA_TEST = {"novelty_feeding": {"endpoint": "latency_s", "unit": "s", "direction": "lower"}}


def behaviour_file(directory, test, shifts, regimens, sexes, control_route):
    """Write behaviour/<test>.csv: vehicle (po), the compound at DOSE po and
    a positive control (po or *control_route*), N animals per group and
    regimen; *shifts* gives the compound's shift per column in units of the
    test's clear shift (0 = none, -1 = opposite)."""
    rows = []
    groups = [("vehicle", 0.0, "po", 0.0), (COMPOUND, DOSE, "po", 1.0), ("refdrug", 10.0, control_route, 0.0)]
    for regimen in regimens:
        for treatment, dose, route, use in groups:
            for i, z in enumerate(SPREAD):
                row = {
                    "animal_id": f"{test[:2]}{regimen[0]}{treatment[:2]}{i}",
                    "species": "rat",
                    "sex": sexes[i % len(sexes)],
                    "treatment": treatment,
                    "dose_mg_kg": dose,
                    "route": route,
                    "regimen": regimen,
                    "days_dosed": 1 if regimen == "acute" else 21,
                }
                for column, (mean, sd, shift) in TESTS[test].items():
                    row[column] = round(mean + use * shifts.get(column, 0.0) * shift + sd * z, 3)
                rows.append(row)
    path = directory / f"{test}.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


_CACHE: dict = {}


def behaviour_tables(directory, effects, **design) -> dict:
    """Behaviour result tables through the real validation and analysis:
    comparisons, confounds, behaviour_groups and sexes. *effects* maps a
    column to the compound's shift (see :func:`behaviour_file`); *design*:
    tests, regimens, sexes, control_route. Deterministic, so each design is
    analysed once per session (copies are returned)."""
    key = (tuple(sorted(effects.items())), tuple(sorted(design.items())))
    if key not in _CACHE:
        _CACHE[key] = _behaviour_tables(directory, effects, **design)
    return {k: (v.copy() if isinstance(v, pd.DataFrame) else list(v)) for k, v in _CACHE[key].items()}


def _behaviour_tables(directory, effects, *, tests=tuple(TESTS)[:3], regimens=("acute", "chronic"), sexes=("M", "F"),
                      control_route="po", locomotor_mimics=None) -> dict:  # fmt: skip
    # *locomotor_mimics* adds the declared extra test with that key (increase / decrease / none).
    directory.mkdir(parents=True, exist_ok=True)
    settings_ = dict(BEHAVIOUR)
    extra = {}
    if locomotor_mimics is not None:
        extra = {t: dict(spec, locomotor_mimics=locomotor_mimics) for t, spec in EXTRA_TEST.items()}
        tests = (*tests, *extra)
    validated, comparisons, summaries, long = [], {}, {}, []
    for test in tests:
        path = behaviour_file(directory, test, effects, regimens, sexes, control_route)
        table, _warnings = validate_behaviour(path, extra, BEHAVIOUR["vehicle_label"])
        validated.append(table)
        result = analysis.analyse_test(table, test, settings_, extra, [COMPOUND])
        comparisons[test] = result["comparisons"]
        summaries[test] = result["summary"]
        long.append(result["long"])
    confounds, _flags = battery.battery_outputs(comparisons, summaries, BEHAVIOUR["alpha"], extra)
    endpoints = pd.concat(long, ignore_index=True)
    return {
        "comparisons": pd.concat(comparisons.values(), ignore_index=True),
        "confounds": confounds,
        "behaviour_groups": inventory.behaviour_inventory(validated),
        "sexes": sorted(set(endpoints.loc[~endpoints["excluded"], "sex"])),
    }


def _renamed(obj):
    return tt._renamed(obj, "mirtazapine", COMPOUND)


def pk_binding_tables() -> dict:
    """The clean study's PK and binding tables (test_translation's clean
    design): exposure matched so that HED and exposure-matched dose agree,
    rat F 0.5, human-like metabolite ratios and half-life, species-matched
    Ki measured in two experiments per species."""
    clean = _renamed(tt.clean_tables())
    ki = clean["ki"]
    # two experiments per species, every Ki 1.25-fold apart around the clean
    # value (geometric mean unchanged): the species difference has a Welch CI
    ki = pd.concat(
        [
            ki.assign(assay=ki["assay"] + suffix, ki_nM=ki["ki_nM"] * f, pki=ki["pki"] - np.log10(f))
            for suffix, f in (("", 1 / np.sqrt(1.25)), ("_2", np.sqrt(1.25)))
        ],
        ignore_index=True,
    )
    detectability = pd.DataFrame(
        [
            {"species": "rat", "analyte": a, "n_animals": 6, "n_animals_quantifiable": 6, "n_samples": 48,
             "n_samples_quantifiable": 40, "max_concentration_ng_mL": 20.0, "lloq_ng_mL": "1", "detection": "detected"}
            for a in ("desmethyltestdrug", "8-hydroxytestdrug")
        ]
    )  # fmt: skip
    return {
        "ki": ki,
        "nca": clean["nca"],
        "bioavailability": clean["bioavailability"],
        "metabolites": clean["metabolites"],
        "detectability": detectability,
    }


STUDY = dict(_renamed(tt.STUDY), fu={"human": 0.15, "rat": 0.15})
REFERENCE = copy.deepcopy(_renamed(tt.REFERENCE))
# Human steady state comes from the one-compartment superposition model. Fast
# absorption and CL/F = k x V/F with V/F = 30 mg / 58 ng/mL make its single-dose
# Cmax the reference's 58 ng/mL at 30 mg, so human Cmax,ss = 58 x 1/(1 - 2^(-24/20)) as
# the scenarios were calibrated.
REFERENCE["human_pk_one_compartment"] = {
    "ka_per_h": {"value": 50.0},
    "cl_f_L_h": {"value": 30 / 0.058 * np.log(2) / 20},
}
for _record in ("oral_bioavailability", "t_half_h"):
    REFERENCE[_record]["confirmed"] = True


def translate(tables, study=STUDY, reference=REFERENCE, species_ratio_flag=None):
    """scripts.translation.translate on a scenario's tables."""
    from scripts import translation as tr

    tables = tt.with_species_comparison(tables)
    return tr.translate(
        study,
        reference,
        tt.TR,
        alpha=tt.ALPHA,
        max_auc_pct_extrap=tt.MAX_AUC_PCT_EXTRAP,
        species_ratio_flag=species_ratio_flag or tt.SPECIES_RATIO_FLAG,
        vehicle_label=tt.VEHICLE,
        **tables,
    )


CLEAN_EFFECTS = {"immobility_s": 1.0, "sucrose_ml": 1.0, "water_ml": 1.0}


def scenario(name, directory) -> tuple:
    """(tables, study, reference) of scenario *name* (see SCENARIOS)."""
    effects, behaviour_args, study, reference = dict(CLEAN_EFFECTS), {}, STUDY, REFERENCE
    pk = pk_binding_tables()
    if name == "possible_false_positive":
        effects["distance_cm"] = 1.0  # more locomotion with lower immobility
    elif name == "effect_despite_sedation":
        effects["distance_cm"] = -1.0
    elif name == "sedation_may_mask":
        effects.update(immobility_s=0.0, distance_cm=-1.0)
    elif name == "no_locomotor_control":
        behaviour_args["tests"] = ("fst", "sucrose_preference")
    elif name == "single_model_reliance":
        behaviour_args["tests"] = ("fst", "open_field")
    elif name == "acute_only_design":
        behaviour_args["regimens"] = ("acute",)
    elif name == "route_mismatched_control":
        behaviour_args["control_route"] = "ip"
    elif name == "single_sex":
        behaviour_args["sexes"] = ("M",)
    elif name == "rat_fu_assumed":
        study = dict(STUDY, fu={"human": 0.15})
    elif name == "exposure_extrapolated":
        # PK only at 0.5 and 1 mg/kg (same dose-normalised exposure), the
        # behaviour at 3 mg/kg: 3-fold above the measured doses.
        nca = pk["nca"]
        parts = []
        for dose in (0.5, 1.0):
            part = nca[nca["route"] == "po"].copy()
            scale = dose / DOSE
            for column in ("cmax_ng_mL", "auc_last_ng_h_mL", "auc_inf_ng_h_mL"):
                part[column] = part[column] * scale
            part["dose_mg_kg"] = dose
            part["animal_id"] = part["animal_id"] + f"_{dose:g}"
            parts.append(part)
        pk["nca"] = pd.concat([nca[nca["route"] == "iv"], *parts], ignore_index=True)
        pk["bioavailability"] = pk["bioavailability"].assign(dose_mg_kg=1.0)
        pk["metabolites"] = pk["metabolites"].assign(dose_mg_kg=1.0)
    elif name == "metabolite_lloq_limited":
        # 8-OH not detected; the human ratio 0.1 implies 0.1 x parent Cmax
        # (60 ng/mL) = 6 ng/mL, below the LLOQ of 10 ng/mL.
        met = pk["metabolites"]
        is_oh = met["analyte"].str.startswith("8-")
        pk["metabolites"] = met.assign(
            detection=np.where(is_oh, "not detected", met["detection"]),
            ratio_geometric_mean=np.where(is_oh, np.nan, met["ratio_geometric_mean"]),
        )
        pk["nca"] = pk["nca"][~pk["nca"]["analyte"].str.startswith("8-")]
        pk["detectability"] = pk["detectability"].assign(
            lloq_ng_mL=np.where(pk["detectability"]["analyte"].str.startswith("8-"), "10", "1")
        )
        reference = copy.deepcopy(REFERENCE)
        reference["metabolites"][1]["auc_ratio_to_parent"] = {"value": 0.1, "confirmed": True}
    elif name == "bioavailability_mismatch":
        pk["bioavailability"] = pk["bioavailability"].assign(f=0.2, f_ci_low=0.15, f_ci_high=0.27)
    elif name == "half_life_mismatch":
        pk["nca"] = pk["nca"].assign(t_half_h=5.0)  # 20 / 5 = 4-fold below the human range
    elif name == "dose_scaling_disagreement":
        po = pk["nca"]["route"] == "po"
        for column in ("auc_last_ng_h_mL", "auc_inf_ng_h_mL"):
            pk["nca"].loc[po, column] = pk["nca"].loc[po, column] * 3  # matched dose 3x the HED
    elif name == "occupancy_mismatch":
        po = (pk["nca"]["route"] == "po") & (pk["nca"]["analyte"] == COMPOUND)
        pk["nca"].loc[po, "cmax_ng_mL"] = pk["nca"].loc[po, "cmax_ng_mL"] * 20
    elif name == "species_ki_difference":
        ki = pk["ki"]
        rat_2c = (ki["receptor"] == "5-HT2C") & (ki["species"] == "rat")
        for column in ("ki_nM", "ki_ci_low_nM", "ki_ci_high_nM"):
            ki.loc[rat_2c, column] = ki.loc[rat_2c, column] / 10  # rat 10x more potent
        ki.loc[rat_2c, "pki"] = ki.loc[rat_2c, "pki"] + 1
        # Welch CI of the ratio (two experiments each, pKi 0.097 apart, t(2 df)):
        # 10^(1 -/+ 4.30 x 0.0685) = 5.1-19.7, above 3-fold: high
    elif name == "single_binding_experiment":
        ki = _renamed(tt.clean_tables())["ki"]
        rat_2c = (ki["receptor"] == "5-HT2C") & (ki["species"] == "rat")
        for column in ("ki_nM", "ki_ci_low_nM", "ki_ci_high_nM"):
            ki.loc[rat_2c, column] = ki.loc[rat_2c, column] / 5
        ki.loc[rat_2c, "pki"] = ki.loc[rat_2c, "pki"] + np.log10(5)
        pk["ki"] = ki
    elif name != "clean":
        raise KeyError(name)
    behaviour = behaviour_tables(directory, effects, **behaviour_args)
    return {**behaviour, **pk}, study, reference


#: scenario -> (flag_id, severity) it fires; "clean" fires none.
SCENARIOS = {
    "clean": None,
    "possible_false_positive": ("possible_false_positive", "high"),
    "effect_despite_sedation": ("effect_despite_sedation", "low"),
    "sedation_may_mask": ("sedation_may_mask", "medium"),
    "no_locomotor_control": ("no_locomotor_control", "medium"),
    "single_model_reliance": ("single_model_reliance", "medium"),
    "acute_only_design": ("acute_only_design", "high"),
    "route_mismatched_control": ("route_mismatched_control", "medium"),
    "single_sex": ("single_sex", "low"),
    "rat_fu_assumed": ("rat_fu_assumed", "low"),
    "exposure_extrapolated": ("exposure_extrapolated", "medium"),
    "metabolite_lloq_limited": ("metabolite_profile_difference", "low"),
    "bioavailability_mismatch": ("bioavailability_mismatch", "medium"),
    "half_life_mismatch": ("half_life_mismatch", "medium"),
    "dose_scaling_disagreement": ("dose_scaling_disagreement", "medium"),
    "occupancy_mismatch": ("occupancy_mismatch", "high"),
    "species_ki_difference": ("species_ki_difference", "high"),
    "single_binding_experiment": ("single_binding_experiment", "low"),
}
