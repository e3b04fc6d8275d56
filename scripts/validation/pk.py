"""Plasma concentration-time files (rule ``validate_pk``), one row per sample.

The schema is ``pk.schema.yaml``. A concentration written BLQ (or a similar
token, or left blank) is below the limit of quantification: the validated
table has it blank with ``blq`` true.
"""

from __future__ import annotations

from scripts.tables import InputError
from scripts.validation.reading import load_schema, read_raw_csv, warning
from scripts.validation.rows import reject_duplicates, validate_rows


def validate_pk(path):
    """PK file → normalised table with ``blq``; measured values below LLOQ are
    set to BLQ with a warning (a laboratory would not report them)."""
    df, warnings = read_raw_csv(path)
    table, more = validate_rows(df, load_schema("pk.schema.yaml"), path)
    warnings += more
    below = table["concentration_ng_mL"].notna() & (table["concentration_ng_mL"] < table["lloq_ng_mL"])
    for _, row in table[below].iterrows():
        warnings.append(
            warning(
                path,
                f"{row['concentration_ng_mL']:g} ng/mL is below the LLOQ {row['lloq_ng_mL']:g}; treated as BLQ",
                row=int(row["source_row"]),
                column="concentration_ng_mL",
            )
        )
    table.loc[below, "concentration_ng_mL"] = float("nan")
    table.loc[below, "blq"] = True
    # Crossover designs give one animal several periods (route × dose); a time
    # point may repeat across periods but not within one profile.
    reject_duplicates(
        table,
        ["animal_id", "route", "dose_mg_kg", "analyte", "time_h"],
        path,
        "duplicated time point within this profile",
    )
    for animal, rows in table.groupby("animal_id", sort=False):
        if rows["species"].nunique() > 1:
            raise InputError(
                path,
                f"animal {animal} has more than one species",
                row=int(rows["source_row"].iloc[-1]),
                column="species",
            )
    return table, warnings + _unquantifiable_profiles(table, path)


def _unquantifiable_profiles(table, path) -> list[dict]:
    """Warn, once per analyte, about profiles in which every sample is BLQ:
    NCA cannot estimate any parameter for them (the analysis reports them as
    not detected)."""
    warnings = []
    keys = ["animal_id", "analyte", "route", "dose_mg_kg"]
    all_blq = table.groupby(keys, sort=False).agg(blq=("blq", "all"), row=("source_row", "min")).reset_index()
    for analyte, profiles in all_blq.groupby("analyte", sort=True):
        empty = profiles[profiles["blq"]]
        if len(empty):
            animals = ", ".join(empty["animal_id"].head(5)) + (", …" if len(empty) > 5 else "")
            warnings.append(
                warning(
                    path,
                    f"{analyte}: every sample is BLQ in {len(empty)} of {len(profiles)} profiles "
                    f"(animals {animals}); no PK parameters can be estimated for them",
                    row=int(empty["row"].min()),
                    column="concentration_ng_mL",
                )
            )
    return warnings
