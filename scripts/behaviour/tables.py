"""Result tables of one test × endpoint × regimen: group summaries, the
omnibus test, the dose-vs-vehicle comparisons, the decision path, and the
exclusions.

* **Exclusions.** Rows with ``excluded == True`` are removed before any
  statistic and listed per group with their reasons (ARRIVE item 3). ``n``
  everywhere is the number of animals actually analysed.
* **Small groups.** A group with fewer than ``min_group_n`` analysed animals
  is described, not tested, and flagged. If the vehicle group is that
  small, nothing in that test × endpoint × regimen is tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scripts.behaviour import stats
from scripts.behaviour.decision import METHOD_LABELS, NOT_TESTED, choose_method
from scripts.behaviour.effect_size import hedges_g
from scripts.behaviour.groups import group_order, group_rows, regimens_present

# A group and its animals, before and after exclusions (summary and exclusions).
GROUP_COUNT_COLUMNS = ["regimen", "treatment", "dose_mg_kg", "group", "n_total", "n_excluded"]
SUMMARY_COLUMNS = [
    "test",
    "endpoint",
    "unit",
    "direction",
    *GROUP_COUNT_COLUMNS,
    "n",
    "mean",
    "sd",
    "sem",
    "median",
    "q1",
    "q3",
    "iqr",
    "min",
    "max",
    "tested",
    "flag",
]
OMNIBUS_COLUMNS = [
    "test",
    "endpoint",
    "regimen",
    "method",
    "statistic",
    "df1",
    "df2",
    "p_value",
    "effect_size_name",
    "effect_size",
]
COMPARISON_COLUMNS = [
    "test",
    "endpoint",
    "regimen",
    "treatment",
    "dose_mg_kg",
    "n",
    "mean",
    "sd",
    "diff_vs_vehicle",
    "diff_ci_low",
    "diff_ci_high",
    "p_adj",
    "method",
    "hedges_g",
    "hedges_g_ci_low",
    "hedges_g_ci_high",
]
# The assumption checks that choose the omnibus test (decision.choose_method).
ASSUMPTION_COLUMNS = [
    "shapiro_w",
    "shapiro_p",
    "residuals_normal",
    "brown_forsythe_f",
    "brown_forsythe_p",
    "variances_equal",
]
DECISION_COLUMNS = [
    "test",
    "endpoint",
    "regimen",
    "groups_tested",
    "n_tested",
    *ASSUMPTION_COLUMNS,
    "normality_alpha",
    "variance_alpha",
    "omnibus_method",
    "posthoc_method",
    "reason",
]
EXCLUSION_COLUMNS = ["test", *GROUP_COUNT_COLUMNS, "n_analysed", "excluded_animals"]


def _posthoc(chosen, control, treated, n_groups, seed) -> list:
    """Dose-vs-vehicle comparisons by the post hoc test of *chosen*."""
    if chosen == "anova":
        return stats.dunnett_vs_control(control, treated, seed)
    if chosen == "welch":
        return stats.games_howell_vs_control(control, treated, n_groups)
    ranks = stats.dunn_vs_control(control, treated)
    return [stats.hodges_lehmann(t, control) | {"p_adj": r["p_adj"]} for t, r in zip(treated, ranks)]


OMNIBUS_TESTS = {"anova": stats.one_way_anova, "welch": stats.welch_anova, "kruskal": stats.kruskal_wallis}


def analyse_cell(cell: pd.DataFrame, groups: list, settings: dict) -> tuple:
    """One test × endpoint × regimen of an endpoint table: (summary rows,
    omnibus row, comparison rows, decision row).

    *settings* is the ``behaviour`` config section; this reads
    ``min_group_n``, ``normality_alpha``, ``variance_alpha``, ``method`` and
    ``seed`` (Dunnett).
    """
    first = cell.iloc[0]
    key = {"test": first["test"], "endpoint": first["endpoint"], "regimen": first["regimen"]}
    min_n = int(settings["min_group_n"])
    summary, data = [], {}
    for group in groups:
        all_rows = group_rows(cell, group, analysed_only=False)
        if all_rows.empty:
            continue
        values = group_rows(cell, group)["value"].to_numpy(float)
        data[group] = values
        tested = values.size >= min_n
        summary.append(
            key
            | {
                "unit": first["unit"],
                "direction": first["direction"],
                "treatment": group.treatment,
                "dose_mg_kg": group.dose_mg_kg,
                "group": group.label,
                "n_total": len(all_rows),
                "n_excluded": int(all_rows["excluded"].sum()),
                **stats.describe(values),
                "tested": tested,
                "flag": "" if tested else f"n < {min_n}: described, not tested",
            }
        )
    vehicle = next((g for g in data if g.is_vehicle), None)
    vehicle_ok = vehicle is not None and data[vehicle].size >= min_n
    tested = [g for g in data if data[g].size >= min_n and vehicle_ok]
    doses = [g for g in tested if not g.is_vehicle]
    if vehicle is not None and not vehicle_ok:
        for row in summary:
            if row["tested"]:
                row["tested"] = False
                row["flag"] = f"vehicle n < {min_n}: nothing in this regimen tested"

    decision = key | {
        "groups_tested": len(tested),
        "n_tested": int(sum(data[g].size for g in tested)),
        "normality_alpha": settings["normality_alpha"],
        "variance_alpha": settings["variance_alpha"],
    }
    omnibus = key | {
        "method": NOT_TESTED,
        "statistic": np.nan,
        "df1": np.nan,
        "df2": np.nan,
        "p_value": np.nan,
        "effect_size_name": "",
        "effect_size": np.nan,
    }
    results = {}
    if doses:
        arrays = [data[g] for g in tested]
        check = choose_method(
            arrays, settings["normality_alpha"], settings["variance_alpha"], settings["method"]
        )
        chosen = check["method"]
        omnibus_name, posthoc_name = METHOD_LABELS[chosen]
        decision |= {k: check[k] for k in (*ASSUMPTION_COLUMNS, "reason")}
        decision |= {"omnibus_method": omnibus_name, "posthoc_method": posthoc_name}
        omnibus |= OMNIBUS_TESTS[chosen](arrays)
        omnibus["method"] = omnibus_name
        posthoc = _posthoc(
            chosen, data[vehicle], [data[g] for g in doses], len(arrays), int(settings["seed"])
        )
        results = {g: r | {"method": posthoc_name} for g, r in zip(doses, posthoc)}
    else:
        why = (
            "vehicle group has fewer than the minimum animals"
            if not vehicle_ok
            else "no dose group with enough animals"
        )
        decision |= {
            "shapiro_w": np.nan,
            "shapiro_p": np.nan,
            "residuals_normal": np.nan,
            "brown_forsythe_f": np.nan,
            "brown_forsythe_p": np.nan,
            "variances_equal": np.nan,
            "omnibus_method": NOT_TESTED,
            "posthoc_method": NOT_TESTED,
            "reason": why,
        }
    comparisons = _comparisons(key, data, vehicle, results, min_n)
    return summary, omnibus, comparisons, decision


def _comparisons(key, data, vehicle, results, min_n) -> list:
    """One row per dose group: the post hoc result and Hedges' g when the
    group was tested, else the plain difference of means, marked not tested."""
    rows = []
    vehicle_mean = np.mean(data[vehicle]) if vehicle is not None and data[vehicle].size else np.nan
    for group, values in data.items():
        if group.is_vehicle:
            continue
        desc = stats.describe(values)
        row = key | {
            "treatment": group.treatment,
            "dose_mg_kg": group.dose_mg_kg,
            "n": desc["n"],
            "mean": desc["mean"],
            "sd": desc["sd"],
        }
        if group in results:
            r = results[group]
            g, g_low, g_high = hedges_g(values, data[vehicle])
            row |= {
                "diff_vs_vehicle": r["diff"],
                "diff_ci_low": r["ci_low"],
                "diff_ci_high": r["ci_high"],
                "p_adj": r["p_adj"],
                "method": r["method"],
                "hedges_g": g,
                "hedges_g_ci_low": g_low,
                "hedges_g_ci_high": g_high,
            }
        else:
            small = values.size < min_n
            row |= {
                "diff_vs_vehicle": desc["mean"] - vehicle_mean,
                "diff_ci_low": np.nan,
                "diff_ci_high": np.nan,
                "p_adj": np.nan,
                "method": (f"{NOT_TESTED} (n < {min_n})" if small else f"{NOT_TESTED} (vehicle n < {min_n})"),
                "hedges_g": np.nan,
                "hedges_g_ci_low": np.nan,
                "hedges_g_ci_high": np.nan,
            }
        rows.append(row)
    return rows


def exclusion_table(long: pd.DataFrame, treatments=None) -> pd.DataFrame:
    """Per test × regimen × group: animals randomised (rows in the file),
    excluded, analysed, and the excluded animals with their reasons
    ("animal_id: reason; ...")."""
    animals = long.drop_duplicates(["test", "animal_id"])
    rows = []
    for regimen in regimens_present(animals["regimen"]):
        part = animals[animals["regimen"] == regimen]
        for group in group_order(part, treatments):
            members = group_rows(part, group, analysed_only=False)
            if members.empty:
                continue
            out = members[members["excluded"]]
            listed = "; ".join(f"{a}: {r}" for a, r in zip(out["animal_id"], out["exclusion_reason"]))
            rows.append(
                {
                    "test": part["test"].iloc[0],
                    "regimen": regimen,
                    "treatment": group.treatment,
                    "dose_mg_kg": group.dose_mg_kg,
                    "group": group.label,
                    "n_total": len(members),
                    "n_excluded": len(out),
                    "n_analysed": len(members) - len(out),
                    "excluded_animals": listed,
                }
            )
    return pd.DataFrame(rows, columns=EXCLUSION_COLUMNS)
