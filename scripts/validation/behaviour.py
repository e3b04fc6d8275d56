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
from scripts.validation.groups import check_groups, looks_like_vehicle, treatment_key, vehicle_lookalikes
from scripts.validation.reading import load_schema, read_raw_csv, warning
from scripts.validation.rows import reject_duplicates, validate_rows

# FST per-minute immobility cannot exceed the 60 s of the minute.
SECONDS_PER_MINUTE = 60
FST_TOTAL = "immobility_s"


def _percentage_pairs() -> dict:
    """Test -> [(p, q), ...]: the column pairs of its percentage endpoints
    (``percentage_of`` in ``behaviour_tests.schema.yaml``)."""
    pairs = {}
    for test, spec in load_schema("behaviour_tests.schema.yaml").items():
        if isinstance(spec, dict):
            found = [tuple(e["percentage_of"]) for e in spec.get("endpoints", []) if "percentage_of" in e]
            if found:
                pairs[test] = found
    return pairs


# Tests whose endpoint is a percentage of a sum of two columns.
PERCENTAGE_PAIRS = _percentage_pairs()


def behaviour_endpoint_sets(test: str, extra_tests: dict) -> list[list[str]]:
    """Alternative endpoint column sets for *test* (built-in or declared)."""
    builtin = load_schema("behaviour_tests.schema.yaml").get(test)
    if isinstance(builtin, dict) and "one_of" in builtin:
        return builtin["one_of"]
    if test in extra_tests:
        return [[extra_tests[test]["endpoint"]]]
    return []


def validate_behaviour(
    path,
    extra_tests: dict | None = None,
    vehicle_label: str | None = None,
    treatments: list | None = None,
    lookalikes: list | None = None,
):
    """Behaviour file → normalised table (+ ``test`` column).

    The test is the file stem; a test that is neither built in nor declared
    in study.yaml is an error, because we would not know its endpoint or
    which direction is antidepressant-like. *vehicle_label* is the
    configured one (``behaviour.vehicle_label``) when not given. When
    *treatments* (study.yaml) lists the study's treatments, any other
    treatment than these and vehicle is an error. Zero-dose groups and
    look-alikes of the vehicle label (*lookalikes*, config
    ``behaviour.vehicle_lookalikes`` when not given):
    :mod:`scripts.validation.groups`.

    An FST file may give both ``immobility_s`` and the six minute columns:
    each animal's minute scores are used when it has them, its
    ``immobility_s`` when its minutes are all blank (a warning says so).
    """
    path = Path(path)
    extra_tests = extra_tests or {}
    if vehicle_label is None:
        vehicle_label = settings.section("behaviour")["vehicle_label"]
    if lookalikes is None:
        lookalikes = settings.section("behaviour")["vehicle_lookalikes"]
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
    endpoint_columns = [c for s in present for c in s]
    schema = load_schema("behaviour.schema.yaml")
    for column in endpoint_columns:
        schema["properties"][column] = {"type": "number", "minimum": 0}
        if re.fullmatch(r"immobility_min\d", column):
            schema["properties"][column]["maximum"] = SECONDS_PER_MINUTE
    # An excluded animal may lack its endpoint; every other animal needs it
    # (one complete column set, when the file gives several).
    if len(present) == 1:
        schema["else"] = {"required": list(endpoint_columns)}
    table, more = validate_rows(df, schema, path)
    if len(present) > 1:
        more += _check_alternative_sets(table, present, path)
    table.insert(0, "test", test)
    table["excluded"] = [value is True for value in table["excluded"]]
    for column in ("strain", "cohort", "exclusion_reason"):
        table[column] = table[column].fillna("")
    reject_duplicates(table, ["animal_id"], path, "duplicated animal_id within this test")
    _require_vehicle_groups(table, path, vehicle_label, lookalikes)
    given = table["treatment"].map(treatment_key)
    vehicle = treatment_key(vehicle_label)
    if treatments:
        unknown = table[~given.isin({treatment_key(t) for t in treatments} | {vehicle})]
        if len(unknown):
            name = unknown["treatment"].iloc[0]
            hint = (
                f" ('{name}' looks like the vehicle label: write '{vehicle_label}')"
                if looks_like_vehicle(name, vehicle_label, lookalikes)
                else ""
            )
            raise InputError(
                path,
                f"unknown treatment '{name}'; study.yaml lists "
                + ", ".join([vehicle_label, *treatments])
                + hint,
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
    more += check_groups(table, path, vehicle_label, treatments, lookalikes)
    _require_percentage_denominators(table, test, path)
    return table, warnings + more + _single_animal_groups(table, path)


def _check_alternative_sets(table, present, path) -> list[dict]:
    """An FST file with both ``immobility_s`` and the minute columns: every
    analysed animal needs all its minutes or, with its minutes all blank,
    ``immobility_s``; the minutes win where both are given."""
    minutes = next(s for s in present if FST_TOTAL not in s)
    given = table[minutes].notna()
    analysed = ~table["excluded"].eq(True)
    partial = analysed & given.any(axis=1) & ~given.all(axis=1)
    if partial.any():
        first = table[partial].iloc[0]
        blank = next(c for c in minutes if not given.loc[first.name, c])
        raise InputError(
            path, "value missing (the other minutes are given)", row=int(first["source_row"]), column=blank
        )
    neither = analysed & ~given.any(axis=1) & table[FST_TOTAL].isna()
    if neither.any():
        raise InputError(
            path,
            f"value missing: give {FST_TOTAL} or the six minute scores",
            row=int(table.loc[neither, "source_row"].iloc[0]),
            column=FST_TOTAL,
        )
    both = given.all(axis=1) & table[FST_TOTAL].notna()
    return [
        warning(
            path,
            f"both {FST_TOTAL} and per-minute columns given: each animal's minute scores are "
            f"used where given ({int(given.all(axis=1).sum())} animals; {FST_TOTAL} ignored for "
            f"{int(both.sum())} of them), {FST_TOTAL} where its minutes are blank",
            row=1,
            column=FST_TOTAL,
        )
    ]


def _require_vehicle_groups(table, path, vehicle_label, lookalikes) -> None:
    """A vehicle group in the file, and in each regimen: doses are compared
    with vehicle within a regimen."""
    vehicle = treatment_key(vehicle_label)
    if not (table["treatment"].map(treatment_key) == vehicle).any():
        similar = vehicle_lookalikes(table, vehicle_label, lookalikes)
        hint = f" (found '{similar[0]}': write '{vehicle_label}' for the vehicle animals)" if similar else ""
        raise InputError(path, f"no vehicle group (treatment '{vehicle_label}'){hint}", column="treatment")
    for regimen, rows in table.groupby("regimen", sort=True):
        if not (rows["treatment"].map(treatment_key) == vehicle).any():
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
