"""Endpoints of the behavioural tests.

The built-in tests, their raw columns and their derived endpoints (unit,
antidepressant- or anxiolytic-like direction, label) are defined once, in
``workflow/schemas/behaviour_tests.schema.yaml``; validation reads the raw
column sets from it, the analysis the endpoints. A test declared in
study.yaml (``extra_tests``) has one endpoint, its own column, with the
declared unit and direction.

Endpoint rules:

* **FST** immobility is the sum of the scored minutes
  (``fst_window_min``, first and last minute, 1-based, inclusive) when the
  table has per-minute scores, else the ``immobility_s`` column; a table
  with both uses each animal's minutes where given, else its
  ``immobility_s``.
* **Percentages** (sucrose preference, EPM open-arm time and entries) are
  100·p / (p + q) of the two columns the schema names.
* Any other endpoint is its column as given.
"""

from __future__ import annotations

import functools

import pandas as pd

from scripts.validation import load_schema

EFFICACY_DIRECTIONS = ("lower", "higher")
FST_MINUTES = 6

LONG_COLUMNS = [
    "test",
    "endpoint",
    "unit",
    "direction",
    "animal_id",
    "sex",
    "treatment",
    "dose_mg_kg",
    "regimen",
    "excluded",
    "exclusion_reason",
    "value",
    "source_file",
    "source_row",
]


@functools.cache
def _builtin_tests() -> dict:
    """Test -> definition; the top-level ``description`` is not a test."""
    schema = load_schema("behaviour_tests.schema.yaml")
    return {test: spec for test, spec in schema.items() if isinstance(spec, dict)}


def builtin_tests() -> list:
    """Names (file stems) of the built-in tests."""
    return list(_builtin_tests())


def builtin_endpoints(test: str) -> list:
    """Endpoints of a built-in test: dicts with endpoint, unit, direction,
    label (and ``percentage_of`` for a percentage)."""
    return [dict(e) for e in _builtin_tests()[test]["endpoints"]]


def title_of(test: str) -> str:
    """The test's name in figures (the file stem for a declared test)."""
    return _builtin_tests().get(test, {}).get("title", test)


def endpoint_definitions(test: str, extra_tests: dict) -> list:
    """Endpoints of *test*: built in (which wins over a declaration of the
    same name) or declared in study.yaml as ``{test: {endpoint, unit,
    direction}}``."""
    if test in _builtin_tests():
        return builtin_endpoints(test)
    meta = extra_tests[test]
    endpoint, unit = str(meta["endpoint"]), str(meta["unit"])
    return [
        {
            "endpoint": endpoint,
            "unit": unit,
            "direction": meta["direction"],
            "label": f"{test}: {endpoint}" + (f" ({unit})" if unit else ""),
        }
    ]


def efficacy_directions(extra_tests: dict) -> dict:
    """Test -> "lower"/"higher": the antidepressant-like direction of every
    efficacy test, i.e. the built-in tests with a direction and the declared
    tests of study.yaml. The open field (direction "none") is the locomotor
    control, not an efficacy test, and is left out."""
    directions = {}
    for test in _builtin_tests():
        direction = builtin_endpoints(test)[0]["direction"]
        if direction in EFFICACY_DIRECTIONS:
            directions[test] = direction
    for test, spec in extra_tests.items():
        if test not in _builtin_tests():
            directions[test] = spec["direction"]
    return directions


def scored_minutes(window) -> list:
    """Per-minute FST columns of the scored window [first, last]."""
    start, end = (int(window[0]), int(window[1]))
    if not (1 <= start <= end <= FST_MINUTES):
        raise ValueError(f"behaviour.fst_window_min {window} must lie within minutes 1-{FST_MINUTES}")
    return [f"immobility_min{i}" for i in range(start, end + 1)]


def fst_immobility(table: pd.DataFrame, window) -> pd.Series:
    """Immobility in the scored window: the sum of the window's minutes when
    the table has per-minute scores (NaN for an animal missing one, which
    validation allows only for excluded animals), else ``immobility_s``."""
    minute_cols = scored_minutes(window)
    if not set(minute_cols) <= set(table.columns):
        return table["immobility_s"].astype(float)
    frame = table[minute_cols].astype(float)
    minutes = frame.sum(axis=1).where(frame.notna().all(axis=1))
    if "immobility_s" in table.columns:
        # Both given (validation allows it): minutes win, immobility_s fills in.
        return minutes.fillna(table["immobility_s"].astype(float))
    return minutes


def percentage(part: pd.Series, other: pd.Series) -> pd.Series:
    """100 · part / (part + other); NaN where the sum is 0 (validation
    rejects that for analysed animals)."""
    part, other = part.astype(float), other.astype(float)
    total = part + other
    return 100.0 * part / total.where(total > 0)


def compute_endpoints(
    table: pd.DataFrame, test: str, *, vehicle_label: str, fst_window_min, extra_tests: dict
) -> pd.DataFrame:
    """Endpoints of one validated behaviour table
    (:func:`scripts.validation.validate_behaviour`).

    Returns a long table, one row per animal × endpoint, with columns
    test, endpoint, unit, direction, label, animal_id, sex, treatment
    (lower case), dose_mg_kg, regimen, is_vehicle, excluded,
    exclusion_reason, value, source_file, source_row. Excluded animals are
    kept (marked) so they can be listed; their value may be NaN. The vehicle
    group is every animal whose treatment is *vehicle_label*
    (case-insensitive). *fst_window_min* is used for the FST only.
    """
    treatment = table["treatment"].astype(str).str.lower()
    frames = []
    for meta in endpoint_definitions(test, extra_tests):
        if "percentage_of" in meta:
            part, other = meta["percentage_of"]
            values = percentage(table[part], table[other])
        elif test == "fst":
            values = fst_immobility(table, fst_window_min)
        else:
            values = table[meta["endpoint"]].astype(float)
        frames.append(
            pd.DataFrame(
                {
                    "test": test,
                    "endpoint": meta["endpoint"],
                    "unit": meta["unit"],
                    "direction": meta["direction"],
                    "label": meta["label"],
                    "animal_id": table["animal_id"].astype(str),
                    "sex": table["sex"],
                    "treatment": treatment,
                    "dose_mg_kg": table["dose_mg_kg"].astype(float),
                    "regimen": table["regimen"],
                    "is_vehicle": treatment == str(vehicle_label).lower(),
                    "excluded": table["excluded"].astype(bool),
                    "exclusion_reason": table["exclusion_reason"].fillna("").astype(str),
                    "value": values,
                    "source_file": table["source_file"],
                    "source_row": table["source_row"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
