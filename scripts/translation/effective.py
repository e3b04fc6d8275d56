"""Behaviour: the doses of the study compound that were tested, and the one
definition of an effective dose.

Effective dose, the one definition: a dose of the study compound whose
comparison with vehicle has an adjusted p < alpha (config
``behaviour.alpha``) in the test's declared antidepressant-like direction,
per test x regimen. The directions are behaviour's own
(:func:`scripts.behaviour.endpoints.efficacy_directions`: the built-in
tests' schema and the declared extra tests of study.yaml); the open field
is the locomotor control, not an efficacy test.
"""

from __future__ import annotations

import pandas as pd

from scripts.behaviour import endpoints
from scripts.translation.common import compound_rows, is_empty

LOCOMOTOR_TEST = "open_field"
EFFECTIVE_COLUMNS = ["test", "endpoint", "regimen", "dose_mg_kg", "diff_vs_vehicle", "p_adj", "hedges_g"]


def tested_doses(behaviour_groups, compound) -> pd.DataFrame:
    """Doses x routes of *compound* (dose > 0) in the behaviour inventory
    (columns test, treatment, dose_mg_kg, route, regimen, ...): one row per
    dose_mg_kg x route with the regimens and tests where it was given."""
    rows = compound_rows(behaviour_groups, compound)
    columns = ["dose_mg_kg", "route", "regimens", "tests"]
    if is_empty(rows):
        return pd.DataFrame(columns=columns)
    rows = rows[pd.to_numeric(rows["dose_mg_kg"], errors="coerce") > 0]
    out = []
    for (dose, route), group in rows.groupby(["dose_mg_kg", "route"], sort=True):
        out.append(
            {
                "dose_mg_kg": float(dose),
                "route": str(route).lower(),
                "regimens": ";".join(sorted(group["regimen"].astype(str).unique())),
                "tests": ";".join(sorted(group["test"].astype(str).unique())),
            }
        )
    return pd.DataFrame(out, columns=columns)


def efficacy_directions(extra_tests: dict | None = None) -> dict:
    """Test -> "lower"/"higher" (behaviour's definition, see
    :func:`scripts.behaviour.endpoints.efficacy_directions`)."""
    return endpoints.efficacy_directions(extra_tests or {})


def effective_results(comparisons, compound, alpha, extra_tests=None) -> pd.DataFrame:
    """Comparisons of *compound* against vehicle that are significant
    (p_adj < alpha) in the antidepressant-like direction of an efficacy
    test (see :func:`efficacy_directions`); columns :data:`EFFECTIVE_COLUMNS`."""
    rows = compound_rows(comparisons, compound)
    if is_empty(rows):
        return pd.DataFrame(columns=EFFECTIVE_COLUMNS)
    directions = efficacy_directions(extra_tests)
    keep = []
    for _, row in rows.iterrows():
        direction = directions.get(str(row["test"]))
        p = pd.to_numeric(row.get("p_adj"), errors="coerce")
        diff = pd.to_numeric(row.get("diff_vs_vehicle"), errors="coerce")
        if direction is None or pd.isna(p) or pd.isna(diff) or p >= alpha:
            continue
        if (diff < 0) == (direction == "lower") and diff != 0:
            keep.append(row)
    out = pd.DataFrame(keep)
    return (
        out[EFFECTIVE_COLUMNS].reset_index(drop=True) if len(out) else pd.DataFrame(columns=EFFECTIVE_COLUMNS)
    )


def doses_of(results: pd.DataFrame) -> list:
    """Sorted distinct doses (mg/kg) of an :func:`effective_results` table."""
    return sorted({float(d) for d in results["dose_mg_kg"]})


def effective_doses(comparisons, compound, alpha, extra_tests=None) -> list:
    """Sorted doses (mg/kg) of *compound* with at least one effective
    result (see :func:`effective_results`)."""
    return doses_of(effective_results(comparisons, compound, alpha, extra_tests))
