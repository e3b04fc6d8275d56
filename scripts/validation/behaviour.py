"""Behavioural test files (rule ``validate_behaviour``), one row per animal.

The test is the file stem. The common columns are in
``behaviour.schema.yaml``; the endpoint columns of the built-in tests are the
``one_of`` column sets in ``behaviour_tests.schema.yaml``, and a test declared
under ``extra_tests`` in study.yaml has its one endpoint column. Every
endpoint value is a non-negative number, required unless the animal is
excluded (with a reason).
"""

from __future__ import annotations

import re
from pathlib import Path

from scripts import settings
from scripts.tables import InputError
from scripts.validation.reading import load_schema, read_raw_csv, warning
from scripts.validation.rows import reject_duplicates, validate_rows

# FST per-minute immobility cannot exceed the 60 s of the minute.
SECONDS_PER_MINUTE = 60
# Tests whose endpoint is a percentage of a sum of two columns.
PERCENTAGE_PAIRS = {
    "sucrose_preference": [("sucrose_ml", "water_ml")],
    "elevated_plus_maze": [
        ("open_arm_time_s", "closed_arm_time_s"),
        ("open_arm_entries", "closed_arm_entries"),
    ],
}


def behaviour_endpoint_sets(test: str, extra_tests: dict) -> list[list[str]]:
    """Alternative endpoint column sets for *test* (built-in or declared)."""
    builtin = load_schema("behaviour_tests.schema.yaml").get(test)
    if isinstance(builtin, dict) and "one_of" in builtin:
        return builtin["one_of"]
    if test in extra_tests:
        return [[extra_tests[test]["endpoint"]]]
    return []


def validate_behaviour(
    path, extra_tests: dict | None = None, vehicle_label: str | None = None, treatments: list | None = None
):
    """Behaviour file → normalised table (+ ``test`` column).

    The test is the file stem; a test that is neither built in nor declared
    in study.yaml is an error, because we would not know its endpoint or
    which direction is antidepressant-like. *vehicle_label* is the
    configured one (``behaviour.vehicle_label``) when not given. When
    *treatments* (study.yaml) lists the study's treatments, any other
    treatment than these and vehicle is an error.
    """
    path = Path(path)
    extra_tests = extra_tests or {}
    if vehicle_label is None:
        vehicle_label = settings.section("behaviour")["vehicle_label"]
    test = path.stem
    endpoint_sets = behaviour_endpoint_sets(test, extra_tests)
    if not endpoint_sets:
        raise InputError(
            path,
            f"unknown behavioural test '{test}': declare it under "
            "extra_tests in study.yaml (endpoint, unit, direction)",
        )
    df, warnings = read_raw_csv(path)
    present = [s for s in endpoint_sets if all(c in df.columns for c in s)]
    if not present:
        wanted = " or ".join("+".join(s) for s in endpoint_sets)
        raise InputError(path, f"endpoint columns missing: need {wanted}", row=1)
    endpoint_columns = present[0]
    schema = load_schema("behaviour.schema.yaml")
    for column in endpoint_columns:
        schema["properties"][column] = {"type": "number", "minimum": 0}
        if re.fullmatch(r"immobility_min\d", column):
            schema["properties"][column]["maximum"] = SECONDS_PER_MINUTE
    # An excluded animal may lack its endpoint; every other animal needs it.
    schema["else"] = {"required": list(endpoint_columns)}
    table, more = validate_rows(df, schema, path)
    table.insert(0, "test", test)
    table["excluded"] = [value is True for value in table["excluded"]]
    for column in ("strain", "cohort", "exclusion_reason"):
        table[column] = table[column].fillna("")
    reject_duplicates(table, ["animal_id"], path, "duplicated animal_id within this test")
    _require_vehicle_groups(table, path, vehicle_label)
    given = table["treatment"].str.lower()
    vehicle = vehicle_label.lower()
    if treatments:
        unknown = table[~given.isin({t.lower() for t in treatments} | {vehicle})]
        if len(unknown):
            raise InputError(
                path,
                f"unknown treatment '{unknown['treatment'].iloc[0]}'; "
                "study.yaml lists " + ", ".join([vehicle_label, *treatments]),
                row=int(unknown["source_row"].iloc[0]),
                column="treatment",
            )
    vehicle_dosed = table[(given == vehicle) & (table["dose_mg_kg"] != 0)]
    if len(vehicle_dosed):
        raise InputError(
            path,
            "vehicle animals must have dose_mg_kg 0",
            row=int(vehicle_dosed["source_row"].iloc[0]),
            column="dose_mg_kg",
        )
    _require_percentage_denominators(table, test, path)
    return table, warnings + more + _single_animal_groups(table, path)


def _require_vehicle_groups(table, path, vehicle_label) -> None:
    """A vehicle group in the file, and in each regimen: doses are compared
    with vehicle within a regimen."""
    vehicle = vehicle_label.lower()
    if not (table["treatment"].str.lower() == vehicle).any():
        raise InputError(path, f"no vehicle group (treatment '{vehicle_label}')", column="treatment")
    for regimen, rows in table.groupby("regimen", sort=True):
        if not (rows["treatment"].str.lower() == vehicle).any():
            raise InputError(
                path,
                f"no vehicle group (treatment '{vehicle_label}') in the {regimen} regimen",
                row=int(rows["source_row"].iloc[0]),
                column="treatment",
            )


def _require_percentage_denominators(table, test, path) -> None:
    """A percentage endpoint (sucrose preference, open-arm %) is undefined
    when both of its columns are 0 for an analysed animal."""
    analysed = table[~table["excluded"]]
    for first, second in PERCENTAGE_PAIRS.get(test, []):
        if first not in table.columns:
            continue
        zero = analysed[(analysed[first] + analysed[second]) == 0]
        if len(zero):
            raise InputError(
                path,
                f"{first} and {second} are both 0, so the percentage is "
                "undefined (exclude the animal with a reason, or check the values)",
                row=int(zero["source_row"].iloc[0]),
                column=second,
            )


def _single_animal_groups(table, path) -> list[dict]:
    """Warn about dose groups with one analysed animal: they have no variance,
    so the analysis can describe but never test them."""
    warnings = []
    analysed = table[~table["excluded"]]
    keys = ["regimen", "treatment", "dose_mg_kg", "route"]
    for key, rows in analysed.groupby(keys, sort=True):
        if len(rows) == 1:
            regimen, treatment, dose, route = key
            warnings.append(
                warning(
                    path,
                    f"group {treatment} {dose:g} mg/kg {route} ({regimen}) has one analysed "
                    "animal: described, not tested",
                    row=int(rows["source_row"].iloc[0]),
                    column="treatment",
                )
            )
    return warnings
