"""Battery level (rule ``behaviour_battery``): the sedation/stimulant
confound check of every FST dose against the open field, and the design
flags of the whole battery.

"Changed" means adjusted p < ``alpha`` in the dose-vs-vehicle comparison
(from the post hoc test the decision path chose); the sign of the
difference from vehicle gives the direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.behaviour.decision import NOT_TESTED
from scripts.behaviour.endpoints import builtin_endpoints
from scripts.behaviour.tables import COMPARISON_COLUMNS

CONFOUND_COLUMNS = [
    "regimen",
    "treatment",
    "dose_mg_kg",
    "fst_endpoint",
    "fst_n",
    "fst_diff_vs_vehicle",
    "fst_p_adj",
    "fst_hedges_g",
    "fst_method",
    "fst_effect",
    "open_field_n",
    "open_field_diff_vs_vehicle",
    "open_field_pct_change_vs_vehicle",
    "open_field_p_adj",
    "open_field_hedges_g",
    "open_field_method",
    "locomotor_effect",
    "alpha",
    "classification",
    "class_id",
    "interpretation",
]
BATTERY_FLAG_COLUMNS = ["flag", "raised", "detail"]


def _effect(row, alpha, direction):
    """'improved'/'worsened' (direction given) or 'increased'/'decreased'
    (direction None) when p_adj < alpha; 'no change' otherwise; 'not tested'
    when there is no adjusted p."""
    if row is None:
        return "no data"
    if pd.isna(row["p_adj"]):
        return NOT_TESTED
    if row["p_adj"] >= alpha:
        return "no change"
    up = row["diff_vs_vehicle"] > 0
    if direction is None:
        return "increased" if up else "decreased"
    return "improved" if up == (direction == "higher") else "worsened"


CONFOUND_TEXT = {
    ("no locomotor control", None): "no open-field data at this treatment, dose and "
    "regimen: the FST result cannot be separated from a locomotor effect",
    ("no locomotor control", NOT_TESTED): "open-field group too small to test: the FST "
    "result cannot be separated from a locomotor effect",
    ("possible stimulant artefact", "improved"): "locomotion increased: the lower "
    "immobility may reflect general hyperactivity, not an antidepressant-like effect",
    ("possible stimulant artefact", None): "locomotion increased: FST immobility is "
    "confounded by a stimulant effect",
    ("sedation", "improved"): "locomotion decreased: the FST improvement occurred despite "
    "sedation, so it is a conservative estimate",
    ("sedation", None): "locomotion decreased: sedation can mask an antidepressant-like "
    "effect, so a negative FST result is uninterpretable",
    ("specific", None): "FST improved with locomotion unchanged: antidepressant-like "
    "effect not explained by locomotor activity",
    ("no antidepressant-like effect", None): "FST not improved and locomotion unchanged",
    ("FST not tested", None): "FST group too small to test; locomotion unchanged",
}


#: The confound classes: FST effect against the locomotor change at the same
#: treatment, dose and regimen -> class_id and the severity of the
#: translational flag it raises ("" = no flag). Rows are checked in order.
CONFOUND_CLASSES = [
    # (FST effects, locomotor effects, class_id, severity)
    (None, ("no data", NOT_TESTED), "no_locomotor_control", "medium"),
    ((NOT_TESTED, "no data"), None, "fst_not_tested", ""),
    (("improved",), ("increased",), "possible_false_positive", "high"),
    (("improved",), ("decreased",), "effect_despite_sedation", "low"),
    (("improved",), ("no change",), "specific", ""),
    (("no change", "worsened"), ("decreased",), "sedation_may_mask", "medium"),
    (("no change", "worsened"), ("no change", "increased"), "no_effect", ""),
]


def confound_class(fst_effect: str, locomotor_effect: str) -> tuple:
    """(class_id, flag severity) of one dose x regimen from
    :data:`CONFOUND_CLASSES`."""
    for fst_set, loco_set, class_id, severity in CONFOUND_CLASSES:
        if (fst_set is None or fst_effect in fst_set) and (loco_set is None or locomotor_effect in loco_set):
            return class_id, severity
    raise ValueError(f"unclassifiable FST effect {fst_effect!r} / locomotor effect {locomotor_effect!r}")


def classify_confound(fst_effect: str, locomotor_effect: str) -> tuple:
    """(classification, interpretation) for one dose × regimen.

    no open-field comparison or untested open-field group → "no locomotor control";
    locomotion increased → "possible stimulant artefact"; decreased → "sedation";
    unchanged: FST improved → "specific", FST untested → "FST not tested",
    otherwise → "no antidepressant-like effect".
    """
    if locomotor_effect in ("no data", NOT_TESTED):
        cls = "no locomotor control"
        key = NOT_TESTED if locomotor_effect == NOT_TESTED else None
    elif locomotor_effect == "increased":
        cls = "possible stimulant artefact"
        key = "improved" if fst_effect == "improved" else None
    elif locomotor_effect == "decreased":
        cls = "sedation"
        key = "improved" if fst_effect == "improved" else None
    elif fst_effect == "improved":
        cls, key = "specific", None
    elif fst_effect == NOT_TESTED:
        cls, key = "FST not tested", None
    else:
        cls, key = "no antidepressant-like effect", None
    return cls, CONFOUND_TEXT[(cls, key)]


def classify_confounds(
    fst_comparisons: pd.DataFrame, open_field_comparisons, alpha: float, open_field_summary=None
) -> pd.DataFrame:
    """Set every FST dose × regimen beside the open-field effect at the same
    treatment, dose and regimen and classify it.

    A result is "changed" when its adjusted p (from the chosen post hoc test)
    is ≤ *alpha* (config ``behaviour.alpha``); the sign of the
    difference from vehicle gives the direction. FST "improved" means changed
    in the FST direction (lower immobility).

    Columns (:data:`CONFOUND_COLUMNS`):
      regimen, treatment, dose_mg_kg — the FST dose group;
      fst_endpoint, fst_n, fst_diff_vs_vehicle, fst_p_adj, fst_hedges_g, fst_method
      — the FST comparison with vehicle;
      fst_effect — improved | worsened | no change | not tested;
      open_field_n, open_field_diff_vs_vehicle (cm), open_field_pct_change_vs_vehicle
      (100·diff / vehicle mean, when *open_field_summary* gives the vehicle mean),
      open_field_p_adj, open_field_hedges_g, open_field_method — the open-field
      comparison at the same group (NaN/empty when there is none);
      locomotor_effect — increased | decreased | no change | not tested | no data;
      alpha — the threshold used;
      classification — specific | possible stimulant artefact | sedation |
      no locomotor control | no antidepressant-like effect | FST not tested
      (see :func:`classify_confound`);
      class_id — possible_false_positive | effect_despite_sedation |
      sedation_may_mask | no_locomotor_control | specific | no_effect |
      fst_not_tested (see :data:`CONFOUND_CLASSES`);
      interpretation — one sentence for the report.
    """
    of = (
        open_field_comparisons
        if open_field_comparisons is not None
        else pd.DataFrame(columns=COMPARISON_COLUMNS)
    )
    vehicle_means = {}
    if open_field_summary is not None and len(open_field_summary):
        # The vehicle group's label is its treatment; dose groups add the dose.
        veh = open_field_summary[open_field_summary["group"] == open_field_summary["treatment"]]
        vehicle_means = dict(zip(veh["regimen"], veh["mean"]))
    fst_direction = builtin_endpoints("fst")[0]["direction"]
    no_match = pd.Series(
        {"n": np.nan, "diff_vs_vehicle": np.nan, "p_adj": np.nan, "hedges_g": np.nan, "method": ""}
    )
    rows = []
    for _, fst in fst_comparisons.iterrows():
        match = of[
            (of["regimen"] == fst["regimen"])
            & (of["treatment"] == fst["treatment"])
            & np.isclose(of["dose_mg_kg"].astype(float), float(fst["dose_mg_kg"]))
        ]
        of_row = match.iloc[0] if len(match) else None
        fst_effect = _effect(fst, alpha, fst_direction)
        loco = _effect(of_row, alpha, None)
        cls, text = classify_confound(fst_effect, loco)
        of_values = of_row if of_row is not None else no_match
        veh_mean = vehicle_means.get(fst["regimen"], np.nan)
        diff = of_values["diff_vs_vehicle"]
        rows.append(
            {
                "regimen": fst["regimen"],
                "treatment": fst["treatment"],
                "dose_mg_kg": fst["dose_mg_kg"],
                "fst_endpoint": fst["endpoint"],
                "fst_n": fst["n"],
                "fst_diff_vs_vehicle": fst["diff_vs_vehicle"],
                "fst_p_adj": fst["p_adj"],
                "fst_hedges_g": fst["hedges_g"],
                "fst_method": fst["method"],
                "fst_effect": fst_effect,
                "open_field_n": of_values["n"],
                "open_field_diff_vs_vehicle": diff,
                "open_field_pct_change_vs_vehicle": (
                    100 * diff / veh_mean if veh_mean and not pd.isna(veh_mean) else np.nan
                ),
                "open_field_p_adj": of_values["p_adj"],
                "open_field_hedges_g": of_values["hedges_g"],
                "open_field_method": of_values["method"],
                "locomotor_effect": loco,
                "alpha": alpha,
                "classification": cls,
                "class_id": confound_class(fst_effect, loco)[0],
                "interpretation": text,
            }
        )
    return pd.DataFrame(rows, columns=CONFOUND_COLUMNS)


def battery_flags(tests_present, regimens_present) -> pd.DataFrame:
    """Battery-level design flags.

    single_model_reliance — FST is the only test analysed;
    acute_only_design — no test has a chronic regimen;
    no_locomotor_control — no open-field test (every FST result is then
    "no locomotor control"). Columns: flag, raised (bool), detail.
    """
    tests = sorted(set(tests_present))
    regimens = sorted(set(regimens_present))
    return pd.DataFrame(
        [
            {
                "flag": "single_model_reliance",
                "raised": tests == ["fst"],
                "detail": "tests analysed: "
                + (", ".join(tests) or "none")
                + (
                    "; the FST alone is a predictive screen, not a model of depression: add "
                    "sucrose preference / elevated plus maze"
                    if tests == ["fst"]
                    else ""
                ),
            },
            {
                "flag": "acute_only_design",
                "raised": "chronic" not in regimens,
                "detail": "regimens: "
                + (", ".join(regimens) or "none")
                + (
                    "; clinical effects need weeks of dosing: add a chronic regimen"
                    if "chronic" not in regimens
                    else ""
                ),
            },
            {
                "flag": "no_locomotor_control",
                "raised": "open_field" not in tests,
                "detail": (
                    "no open-field test: sedation/stimulant confounds cannot be checked"
                    if "open_field" not in tests
                    else "open field present"
                ),
            },
        ],
        columns=BATTERY_FLAG_COLUMNS,
    )


def battery_outputs(comparisons_by_test: dict, summaries_by_test: dict, alpha: float) -> tuple:
    """Study-level confound table and battery flags from the per-test results
    (dicts test -> comparisons / summary DataFrame). Without an FST the
    confound table is empty; without an open field every FST row is
    "no locomotor control"."""
    empty = pd.DataFrame(columns=COMPARISON_COLUMNS)
    confounds = classify_confounds(
        comparisons_by_test.get("fst", empty),
        comparisons_by_test.get("open_field"),
        alpha,
        summaries_by_test.get("open_field"),
    )
    regimens = set()
    for summary in summaries_by_test.values():
        regimens |= set(summary["regimen"])
    return confounds, battery_flags(summaries_by_test.keys(), regimens)
