"""The PK study's control files: ``pk/dosing.csv`` (dosing records) and
``pk/lambda_z.csv`` (terminal-phase control), and the checks that tie them
to the concentration files.

The stems ``dosing`` and ``lambda_z`` in ``pk/`` are reserved: they are
never read as concentration files.

* ``dosing.csv`` (schema ``dosing.schema.yaml``): one row per dose. Times
  count from the animal's first dose, which is at ``time_h`` 0, as the
  concentration times do. A dose time appears once per animal; an infusion
  (``duration_h`` > 0) ends before the animal's next dose.
* Against the concentration files: every animal with concentrations has
  dosing records, and the route and dose of its concentration rows equal
  its first dose record; every animal with dosing records has samples.
* ``lambda_z.csv`` (schema ``lambda_z.schema.yaml``): one row per profile
  (animal x analyte) with either ``include_times_h`` (the λz points,
  fixed) or ``exclude_times_h`` (points left out of the λz selection), a
  list of sampled times separated by ';' or spaces, and a ``reason``.
"""

from __future__ import annotations

import re

import pandas as pd

from scripts.tables import InputError
from scripts.validation.reading import load_schema, read_raw_csv, study_relative_name
from scripts.validation.rows import reject_duplicates, validate_rows

DOSING_COLUMNS = ["animal_id", "time_h", "dose_mg_kg", "route", "duration_h", "source_file", "source_row"]
LAMBDA_Z_COLUMNS = ["animal_id", "analyte", "action", "times_h", "reason", "source_file", "source_row"]

# Times of a sample and of a dose are the same when they differ by less
# than this (h): 10 significant digits of the validated tables.
TIME_TOLERANCE_H = 1e-9


def validate_dosing(path) -> tuple[pd.DataFrame, list[dict]]:
    """``pk/dosing.csv`` -> normalised table (:data:`DOSING_COLUMNS`,
    ``duration_h`` 0 where blank) and warnings."""
    df, warnings = read_raw_csv(path)
    table, more = validate_rows(df, load_schema("dosing.schema.yaml"), path)
    warnings += more
    table["duration_h"] = pd.to_numeric(table["duration_h"], errors="coerce").fillna(0.0)
    reject_duplicates(table, ["animal_id", "time_h"], path, "two doses at the same time for this animal")
    for animal, doses in table.groupby("animal_id", sort=False):
        doses = doses.sort_values("time_h", kind="stable")
        first = doses.iloc[0]
        if first["time_h"] != 0:
            raise InputError(
                path,
                f"the first dose of animal {animal} is at {first['time_h']:g} h; times count "
                "from the first dose, so it is at time_h 0",
                row=int(first["source_row"]),
                column="time_h",
            )
        ends = doses["time_h"] + doses["duration_h"]
        for (_, earlier), (_, later), end in zip(doses.iloc[:-1].iterrows(), doses.iloc[1:].iterrows(), ends):
            if end > later["time_h"] + TIME_TOLERANCE_H:
                raise InputError(
                    path,
                    f"overlapping infusions for animal {animal}: the dose at {earlier['time_h']:g} h "
                    f"(row {int(earlier['source_row'])}) runs until {end:g} h, after this dose "
                    f"at {later['time_h']:g} h",
                    row=int(later["source_row"]),
                    column="time_h",
                )
    return table[DOSING_COLUMNS], warnings


def first_doses(dosing: pd.DataFrame) -> pd.DataFrame:
    """The first dose record of each animal, indexed by animal_id."""
    return dosing.sort_values(["animal_id", "time_h"], kind="stable").groupby("animal_id").first()


def check_samples_against_dosing(table: pd.DataFrame, path, dosing: pd.DataFrame, dosing_path) -> None:
    """A concentration file (validated *table* from *path*) against the
    dosing records: every animal has them, and each row's route and dose
    equal the animal's first dose record."""
    first = first_doses(dosing)
    dosing_name = study_relative_name(dosing_path)
    for _, row in table.iterrows():
        animal = row["animal_id"]
        if animal not in first.index:
            raise InputError(
                path,
                f"animal {animal} has concentrations but no dosing record in {dosing_name}",
                row=int(row["source_row"]),
                column="animal_id",
            )
        record = first.loc[animal]
        for column in ("route", "dose_mg_kg"):
            if row[column] != record[column]:
                raise InputError(
                    path,
                    f"{column} {row[column]} of animal {animal} differs from its first dose record "
                    f"({record[column]}, {dosing_name} row {int(record['source_row'])})",
                    row=int(row["source_row"]),
                    column=column,
                )


def check_dosing_has_samples(dosing: pd.DataFrame, dosing_path, tables: list[pd.DataFrame]) -> None:
    """Every animal of the dosing records has samples in some concentration
    file (validated *tables*)."""
    sampled = set()
    for table in tables:
        sampled |= set(table["animal_id"].astype(str))
    for _, row in dosing.iterrows():
        if str(row["animal_id"]) not in sampled:
            raise InputError(
                dosing_path,
                f"dosing record for animal {row['animal_id']}, which has no samples in any PK file",
                row=int(row["source_row"]),
                column="animal_id",
            )


def time_since_last_dose(table: pd.DataFrame, dosing: pd.DataFrame | None) -> pd.Series:
    """Each sample's time after the animal's most recent dose at or before
    it (h); without dosing records, its ``time_h`` (a single dose at 0)."""
    if dosing is None or dosing.empty:
        return table["time_h"].astype(float)
    out = table["time_h"].astype(float).copy()
    for animal, doses in dosing.groupby("animal_id"):
        mask = table["animal_id"] == animal
        times = sorted(doses["time_h"])
        out[mask] = [t - max([d for d in times if d <= t + TIME_TOLERANCE_H] or [0.0]) for t in out[mask]]
    return out


# --------------------------------------------------------------------------
# λz control


def _parse_times(text, path, row, column) -> list[float]:
    parts = [p for p in re.split(r"[;\s]+", str(text).strip()) if p]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise InputError(
            path, f"'{text}' is not a list of times (numbers separated by ';')", row=row, column=column
        ) from None


def validate_lambda_z(path, tables: list[pd.DataFrame] | None = None) -> tuple[pd.DataFrame, list[dict]]:
    """``pk/lambda_z.csv`` -> normalised table (:data:`LAMBDA_Z_COLUMNS`:
    ``action`` include or exclude, ``times_h`` ';'-joined) and warnings.

    Each row gives exactly one of ``include_times_h`` and
    ``exclude_times_h`` (an include list has at least three times). With
    the validated concentration *tables*, each row also names a profile
    (animal x analyte) of them, and every time in it is a sampled time of
    that profile.
    """
    df, warnings = read_raw_csv(path)
    table, more = validate_rows(df, load_schema("lambda_z.schema.yaml"), path)
    warnings += more
    reject_duplicates(table, ["animal_id", "analyte"], path, "second λz control row for this profile")
    samples = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame(columns=["animal_id", "analyte", "time_h"])
    )
    rows = []
    for _, row in table.iterrows():
        source_row = int(row["source_row"])
        given = [
            c for c in ("include_times_h", "exclude_times_h") if pd.notna(row[c]) and str(row[c]).strip()
        ]
        if len(given) != 1:
            raise InputError(
                path,
                "give exactly one of include_times_h and exclude_times_h",
                row=source_row,
                column="include_times_h",
            )
        column = given[0]
        times = _parse_times(row[column], path, source_row, column)
        if column == "include_times_h" and len(set(times)) < 3:
            raise InputError(path, "λz needs at least three points", row=source_row, column=column)
        if tables is not None:
            _check_sampled(samples, row, times, path, source_row, column)
        rows.append(
            dict(
                animal_id=row["animal_id"],
                analyte=row["analyte"],
                action="include" if column == "include_times_h" else "exclude",
                times_h=";".join(f"{t:.10g}" for t in sorted(set(times))),
                reason=row["reason"],
                source_file=row["source_file"],
                source_row=source_row,
            )
        )
    return pd.DataFrame(rows, columns=LAMBDA_Z_COLUMNS), warnings


def _check_sampled(samples, row, times, path, source_row, column) -> None:
    """The row's profile exists in *samples* and each of *times* was sampled."""
    profile = samples[(samples["animal_id"] == row["animal_id"]) & (samples["analyte"] == row["analyte"])]
    if profile.empty:
        raise InputError(
            path,
            f"no samples of analyte {row['analyte']} for animal {row['animal_id']} in any PK file",
            row=source_row,
            column="animal_id",
        )
    sampled = profile["time_h"].astype(float).to_numpy()
    for t in times:
        if not (abs(sampled - t) <= TIME_TOLERANCE_H).any():
            raise InputError(
                path,
                f"{t:g} h is not a sampled time of animal {row['animal_id']}, {row['analyte']}",
                row=source_row,
                column=column,
            )
