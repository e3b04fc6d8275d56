"""Battery level (rule ``behaviour_battery``): the sedation/stimulant
confound check of every FST dose against the open field, and the design
flags of the whole battery.

The same check applies to a declared extra test (study.yaml
``extra_tests``) whose ``locomotor_mimics`` says which locomotor change
would mimic its antidepressant-like effect: ``increase`` (as for the FST:
hyperlocomotion lowers immobility) or ``decrease`` (e.g. a test where a
sedated animal scores as improved). One function, :func:`confound_class`,
classifies both.

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
    "test",
    "locomotor_mimics",
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


#: The locomotor change that mimics the FST's antidepressant-like effect
#: (hyperlocomotion lowers immobility).
FST_LOCOMOTOR_MIMICS = "increase"

#: The confound classes: the test's effect against the locomotor change at the
#: same treatment, dose and regimen, the change taken relative to the effect
#: (``mimics`` it or ``opposes`` it, see :func:`locomotor_relation`) ->
#: class_id and the severity of the translational flag it raises ("" = no
#: flag). The opposing change names the class where it matters (a decrease
#: opposes the FST effect: sedation). Rows are checked in order.
CONFOUND_CLASSES = [
    # (test effects, locomotor relations, opposing change, class_id, severity)
    (None, ("no data", NOT_TESTED), None, "no_locomotor_control", "medium"),
    ((NOT_TESTED, "no data"), None, None, "fst_not_tested", ""),
    (("improved",), ("mimics",), None, "possible_false_positive", "high"),
    (("improved",), ("opposes",), "decrease", "effect_despite_sedation", "low"),
    (("improved",), ("opposes",), "increase", "effect_despite_hyperactivity", "low"),
    (("improved",), ("no change",), None, "specific", ""),
    (("no change", "worsened"), ("opposes",), "decrease", "sedation_may_mask", "medium"),
    (("no change", "worsened"), ("opposes",), "increase", "hyperactivity_may_mask", "medium"),
    (("no change", "worsened"), ("no change", "mimics"), None, "no_effect", ""),
]


def locomotor_relation(locomotor_effect: str, mimics: str) -> str:
    """``mimics`` when the locomotor change (increased / decreased) is the
    one that *mimics* the effect (``increase`` / ``decrease``), ``opposes``
    when it is the other; no change, not tested and no data as they are."""
    if locomotor_effect not in ("increased", "decreased"):
        return locomotor_effect
    return "mimics" if locomotor_effect == f"{mimics}d" else "opposes"


def confound_class(effect: str, locomotor_effect: str, mimics: str = FST_LOCOMOTOR_MIMICS) -> tuple:
    """(class_id, flag severity) of one dose x regimen from
    :data:`CONFOUND_CLASSES`: the test's *effect* (improved, worsened, no
    change, not tested) against the *locomotor_effect* (increased,
    decreased, no change, not tested, no data), where the locomotor change
    *mimics* (``increase``, the FST default, or ``decrease``) mimics the
    effect."""
    relation = locomotor_relation(locomotor_effect, mimics)
    opposing = "decrease" if mimics == "increase" else "increase"
    for effects, relations, opposes, class_id, severity in CONFOUND_CLASSES:
        if (
            (effects is None or effect in effects)
            and (relations is None or relation in relations)
            and (opposes is None or opposes == opposing)
        ):
            return class_id, severity
    raise ValueError(f"unclassifiable effect {effect!r} / locomotor effect {locomotor_effect!r}")


#: classification of a declared extra test's confound class (the FST keeps
#: the wording of :func:`classify_confound`).
EXTRA_CLASSIFICATION = {
    "no_locomotor_control": "no locomotor control",
    "not_tested": "not tested",
    "possible_false_positive": "possible locomotor artefact",
    "effect_despite_sedation": "sedation",
    "effect_despite_hyperactivity": "hyperactivity",
    "specific": "specific",
    "sedation_may_mask": "sedation",
    "hyperactivity_may_mask": "hyperactivity",
    "no_effect": "no antidepressant-like effect",
}


def extra_interpretation(test: str, class_id: str, locomotor_effect: str) -> str:
    """One sentence for a declared extra test's confound class."""
    change = f"locomotion {locomotor_effect}"
    return {
        "no_locomotor_control": f"no open-field comparison at this group: the {test} result cannot be "
        "separated from a locomotor effect",
        "not_tested": f"{test} group too small to test",
        "possible_false_positive": f"{change}, which mimics the {test} effect: it may reflect the "
        "locomotor change, not an antidepressant-like effect",
        "effect_despite_sedation": f"{change}, which opposes the {test} effect: the effect occurred "
        "despite it, so it is a conservative estimate",
        "effect_despite_hyperactivity": f"{change}, which opposes the {test} effect: the effect "
        "occurred despite it, so it is a conservative estimate",
        "specific": f"{test} improved with locomotion unchanged: not explained by locomotor activity",
        "sedation_may_mask": f"{change}, which opposes the {test} effect: it can mask an effect, so a "
        "negative result is uninterpretable",
        "hyperactivity_may_mask": f"{change}, which opposes the {test} effect: it can mask an effect, "
        "so a negative result is uninterpretable",
        "no_effect": f"{test} not improved and locomotion unchanged or changed in the mimicking direction",
    }[class_id]


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
    fst_comparisons: pd.DataFrame,
    open_field_comparisons,
    alpha: float,
    open_field_summary=None,
    *,
    test: str = "fst",
    direction: str | None = None,
    mimics: str = FST_LOCOMOTOR_MIMICS,
) -> pd.DataFrame:
    """Set every FST dose × regimen beside the open-field effect at the same
    treatment, dose and regimen and classify it. For a declared extra
    *test*, *fst_comparisons* are its comparisons, *direction* its
    antidepressant-like direction (``lower`` / ``higher``) and *mimics* the
    locomotor change that mimics its effect; the ``fst_*`` columns then hold
    that test's comparison (their names are kept for the FST's rows).

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
      sedation_may_mask | effect_despite_hyperactivity | hyperactivity_may_mask |
      no_locomotor_control | specific | no_effect | fst_not_tested (an extra
      test: not_tested) (see :data:`CONFOUND_CLASSES`);
      interpretation — one sentence for the report;
      test — the efficacy test (``fst`` or the extra test's stem);
      locomotor_mimics — the locomotor change that mimics its effect.
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
    fst_direction = direction or builtin_endpoints("fst")[0]["direction"]
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
        class_id = confound_class(fst_effect, loco, mimics)[0]
        if test == "fst":
            cls, text = classify_confound(fst_effect, loco)
        else:
            class_id = "not_tested" if class_id == "fst_not_tested" else class_id
            cls, text = EXTRA_CLASSIFICATION[class_id], extra_interpretation(test, class_id, loco)
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
                "class_id": class_id,
                "interpretation": text,
                "test": test,
                "locomotor_mimics": mimics,
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


def battery_outputs(
    comparisons_by_test: dict, summaries_by_test: dict, alpha: float, extra_tests=None
) -> tuple:
    """Study-level confound table and battery flags from the per-test results
    (dicts test -> comparisons / summary DataFrame). The FST and every
    declared extra test (*extra_tests*, study.yaml ``extra_tests``) with a
    ``locomotor_mimics`` of ``increase`` or ``decrease`` are set against the
    open field. Without an FST or such a test the confound table is empty;
    without an open field every row is "no locomotor control"."""
    empty = pd.DataFrame(columns=COMPARISON_COLUMNS)
    of = comparisons_by_test.get("open_field")
    of_summary = summaries_by_test.get("open_field")
    parts = [classify_confounds(comparisons_by_test.get("fst", empty), of, alpha, of_summary)]
    for test, spec in sorted((extra_tests or {}).items()):
        mimics = spec.get("locomotor_mimics", "none")
        if mimics == "none" or test not in comparisons_by_test:
            continue
        comparisons = comparisons_by_test[test]
        comparisons = comparisons[comparisons["endpoint"] == spec["endpoint"]]
        parts.append(
            classify_confounds(
                comparisons, of, alpha, of_summary, test=test, direction=spec["direction"], mimics=mimics
            )
        )
    parts = [p for p in parts if len(p)]
    confounds = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CONFOUND_COLUMNS)
    regimens = set()
    for summary in summaries_by_test.values():
        regimens |= set(summary["regimen"])
    return confounds, battery_flags(summaries_by_test.keys(), regimens)
