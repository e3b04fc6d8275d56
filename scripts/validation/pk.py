"""Plasma concentration-time files (rule ``validate_pk``), one row per sample.

The schema is ``pk.schema.yaml``. A concentration written BLQ (or a similar
token, or left blank) is below the limit of quantification: the validated
table has it blank with ``blq`` true.

Times are given in hours (``time_h``) or in minutes (``time_min``, converted
to hours, with a warning that records the conversion). A schedule that
looks like minutes written as hours (a rodent profile sampled at 5, 15 and
30 "h" and last sampled more than ``minutes_check_max_h_after_dose`` after
its most recent dose) gets a warning. With ``pk/dosing.csv``
(:mod:`scripts.validation.dosing`) the time after the most recent dose is
measured from its records, so chronic profiles sampled at day 21 are not
mistaken for minutes, and each animal's route and dose are checked against
its first dose record.
"""

from __future__ import annotations

from scripts.tables import InputError
from scripts.validation.dosing import check_samples_against_dosing, time_since_last_dose, validate_dosing
from scripts.validation.reading import load_schema, read_raw_csv, warning
from scripts.validation.rows import reject_duplicates, validate_rows

# The ``pk`` settings validation uses (the validate_pk rule passes only these).
VALIDATION_SETTINGS = ("minutes_check_species", "minutes_check_max_h_after_dose", "minutes_check_times")


def _read_times(df, path, warnings):
    """Accept ``time_min`` instead of ``time_h``: the column is renamed and
    converted after validation. Returns the factor to hours (1 or 1/60)."""
    if "time_min" not in df.columns:
        return 1.0
    if "time_h" in df.columns:
        raise InputError(path, "give time_h or time_min, not both", row=1, column="time_min")
    df.rename(columns={"time_min": "time_h"}, inplace=True)
    warnings.append(
        warning(path, "times given in minutes (time_min); converted to hours", row=1, column="time_min")
    )
    return 1.0 / 60.0


def validate_pk(path, dosing_path=None, settings=None):
    """PK file → normalised table with ``blq``; measured values below LLOQ are
    set to BLQ with a warning (a laboratory would not report them).

    *dosing_path* is ``pk/dosing.csv`` when the study has one; *settings*
    the ``pk`` config section (:data:`VALIDATION_SETTINGS`; the schema's
    defaults when not given)."""
    if settings is None:
        from scripts import settings as config_settings

        settings = config_settings.section("pk")
    df, warnings = read_raw_csv(path)
    factor = _read_times(df, path, warnings)
    try:
        table, more = validate_rows(df, load_schema("pk.schema.yaml"), path)
    except InputError as error:
        if error.column == "time_h":
            message = error.message
            if message.startswith("must be ≥ 0"):
                message += "; times count from the first dose, and a pre-dose sample is recorded at time 0"
            column = "time_h" if factor == 1.0 else "time_min"
            raise InputError(path, message, row=error.row, column=column) from None
        raise
    table["time_h"] = table["time_h"] * factor
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
    dosing = None
    if dosing_path is not None:
        dosing, _ = validate_dosing(dosing_path)
        check_samples_against_dosing(table, path, dosing, dosing_path)
    warnings += _minutes_like_schedules(table, path, dosing, settings)
    return table, warnings + _unquantifiable_profiles(table, path)


def _minutes_like_schedules(table, path, dosing, settings) -> list[dict]:
    """One warning naming the profiles whose schedule looks like minutes
    entered as hours: species in ``minutes_check_species``, every time of
    ``minutes_check_times`` sampled after a dose, and the last sample more
    than ``minutes_check_max_h_after_dose`` after the most recent dose."""
    species = {str(s).lower() for s in settings["minutes_check_species"]}
    typical = [float(t) for t in settings["minutes_check_times"]]
    limit = float(settings["minutes_check_max_h_after_dose"])
    since = time_since_last_dose(table, dosing)
    suspects = []
    keys = ["animal_id", "analyte", "route", "dose_mg_kg"]
    for key, rows in table.assign(since=since).groupby(keys, sort=True):
        if rows["species"].iloc[0] not in species:
            continue
        sampled = rows["since"].round(9)
        last = rows.loc[rows["time_h"].idxmax()]
        if all((sampled == round(t, 9)).any() for t in typical) and last["since"] > limit:
            suspects.append((key[0], key[1], last))
    if not suspects:
        return []
    animal, analyte, last = suspects[0]
    shown = ", ".join(f"{t:g}" for t in typical)
    return [
        warning(
            path,
            f"{len(suspects)} profile(s) look like minutes entered as hours (samples at {shown} and the last "
            f"{last['since']:g} h after the most recent dose, e.g. animal {animal}, {analyte}); "
            "if the times are minutes, name the column time_min",
            row=int(last["source_row"]),
            column="time_h",
        )
    ]


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
