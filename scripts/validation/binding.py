"""Competition binding files (rule ``validate_binding``): a long-format CSV,
or a plate-reader grid with its well layout.

Besides the schema (``binding.schema.yaml``), a run is checked for what the
curve fit and Cheng–Prusoff need: total and NSB wells for every receptor ×
species, one radioligand, [L] and Kd per receptor × species within each
independent experiment (the optional ``experiment`` column; an experiment is
keyed by file and label, so independent experiments may use different [L]),
the count-conversion columns (:func:`check_count_conversion`), and no well or
replicate measured twice. The control-well and replicate rules are shared
with saturation runs (:mod:`scripts.validation.saturation`).
"""

from __future__ import annotations

import re

import pandas as pd

from scripts.tables import InputError
from scripts.validation.layout import binding_assay_name
from scripts.validation.reading import load_schema, read_raw_csv, warning
from scripts.validation.rows import coerce_cell, reject_duplicates, validate_rows

# Competitor concentrations above this (molar) are almost surely nM or µM values.
IMPLAUSIBLE_MOLAR = 1e-2
# Negative concentrations in this range are almost surely log10 molar values
# (1 pM to 1 mM): the error says so.
LOG_MOLAR_RANGE = (-12, -3)
# A well is identified by what was measured; the same replicate label twice
# for one of these is a pasted or mislabelled row. Missing columns/blanks
# (compound and concentration of total/nsb wells) count as equal.
REPLICATE_KEYS = [
    "experiment",
    "plate",
    "receptor",
    "species",
    "radioligand",
    "radioligand_nM",
    "well_type",
    "compound",
    "concentration_M",
]


def validate_binding(path) -> tuple[pd.DataFrame, list[dict]]:
    """Competition binding file → normalised long table (+ ``assay``)."""
    df, warnings = read_raw_csv(path)
    return validate_binding_table(df, path, warnings)


def validate_binding_table(df, path, warnings=None):
    """Validate a binding table of strings (as read from *path*)."""
    warnings = list(warnings or [])
    try:
        table, more = validate_rows(df, load_schema("binding.schema.yaml"), path)
    except InputError as error:
        _hint_log_units(error, df)
        raise
    warnings += more
    table.insert(0, "assay", binding_assay_name(path))
    require_control_wells(table, path, ("total", "nsb"))
    # Cheng–Prusoff needs one radioligand, one [L] and one Kd per curve.
    for column in ("radioligand", "radioligand_nM", "radioligand_kd_nM", *COUNT_CONVERSION_COLUMNS):
        require_single_value(table, column, path)
    check_count_conversion(table, path)
    reject_duplicates(
        table, [*REPLICATE_KEYS, "replicate"], path, "replicate measured twice", require_all=False
    )
    competitors = table[table["well_type"] == "competitor"]
    for _, high in competitors[competitors["concentration_M"] > IMPLAUSIBLE_MOLAR].iterrows():
        warnings.append(
            warning(
                path,
                f"competitor concentration {high['concentration_M']:g} M "
                "exceeds 1e-2 M: nM values in the concentration_M column?",
                row=int(high["source_row"]),
                column="concentration_M",
            )
        )
        break
    reject_duplicates(table, ["plate", "well"], path, "duplicated well")
    return table, warnings


def _hint_log_units(error: InputError, df) -> None:
    """Add "log units?" to the error about a concentration_M like -9."""
    if error.column != "concentration_M" or error.row is None:
        return
    try:
        value = float(df["concentration_M"].iloc[error.row - 2])
    except (ValueError, IndexError):
        return
    low, high = LOG_MOLAR_RANGE
    if low <= value <= high:
        error.message += f"; log units? give molar (10^{value:g} M = {10**value:.3g} M)"


def plate_to_long(plate_path, layout_path) -> pd.DataFrame:
    """Convert an 8 × 12 plate-reader grid plus a well layout to the long format.

    The grid has a first column of row letters A–H and columns 1–12 of CPM.
    The layout has a ``well`` column (e.g. ``B7``) and the long-format fields
    for each used well. Wells absent from the layout are unused and ignored;
    a layout well that the grid lacks, or leaves blank, is an error.
    """
    grid, _ = read_raw_csv(plate_path)
    layout, _ = read_raw_csv(layout_path)
    row_column = grid.columns[0]
    expected = [str(i) for i in range(1, 13)]
    if list(grid.columns[1:]) != expected:
        raise InputError(plate_path, "plate grid must have columns 1-12 after the row letter", row=1)
    letters = [str(v).upper() for v in grid[row_column]]
    if letters != list("ABCDEFGH"):
        raise InputError(plate_path, "plate grid must have rows A-H in order", column=row_column)
    if "well" not in layout.columns:
        raise InputError(layout_path, "required column missing", row=1, column="well")
    cpm = []
    for position, well in enumerate(layout["well"]):
        match = re.fullmatch(r"([A-Ha-h])0?(\d{1,2})", well)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise InputError(
                layout_path, f"'{well}' is not a well of an 8 × 12 plate", row=position + 2, column="well"
            )
        letter, number = match.group(1).upper(), match.group(2)
        value = grid.loc[letters.index(letter), number]
        where = {"row": letters.index(letter) + 2, "column": number}
        if value == "":
            raise InputError(plate_path, f"well {letter}{number} is in the layout but blank", **where)
        # Check the count here, so that a bad count names the grid cell that
        # holds it rather than the layout row.
        count = coerce_cell(value, {"type": "number"}, number, plate_path, where["row"])
        if count < 0:
            raise InputError(plate_path, f"well {letter}{number}: cpm must be ≥ 0 (got {count:g})", **where)
        cpm.append(value)
    long = layout.copy()
    long["cpm"] = cpm
    long["plate"] = binding_assay_name(plate_path)
    return long


def validate_plate(plate_path, layout_path):
    """Plate grid + layout → the same normalised table as :func:`validate_binding`."""
    long = plate_to_long(plate_path, layout_path)
    return validate_binding_table(long, layout_path)


#: The optional columns that convert counts to molecules; one value per
#: receptor × species × experiment.
COUNT_CONVERSION_COLUMNS = (
    "count_unit",
    "counting_efficiency",
    "specific_activity_Ci_mmol",
    "protein_mg_per_well",
    "assay_volume_mL",
)
#: A receptor × species within one experiment of one file (blank experiment
#: labels are one experiment).
EXPERIMENT_KEYS = ["receptor", "species", "experiment"]


def _experiments(table):
    return table.groupby(EXPERIMENT_KEYS, sort=False, dropna=False)


def _where(receptor, species, experiment) -> str:
    label = f"{receptor} ({species})"
    return label if pd.isna(experiment) else f"{label}, experiment {experiment}"


def check_count_conversion(table, path) -> None:
    """Counts are converted to molecules when a specific activity is given;
    CPM (``count_unit`` cpm or blank) then need a ``counting_efficiency``:
    no silent efficiency of 1."""
    if "specific_activity_Ci_mmol" not in table.columns:
        return
    asked = table[table["specific_activity_Ci_mmol"].notna()]
    for _, row in asked.iterrows():
        unit = row.get("count_unit")
        if (pd.isna(unit) or unit == "cpm") and pd.isna(row.get("counting_efficiency")):
            raise InputError(
                path,
                "counts in CPM with a specific activity need a counting_efficiency "
                "(or count_unit dpm) to be converted to fmol",
                row=int(row["source_row"]),
                column="counting_efficiency",
            )


def require_control_wells(table, path, needed_types) -> None:
    """Every receptor × species of each experiment needs each of
    *needed_types* (total, nsb)."""
    for (receptor, species, experiment), curve in _experiments(table):
        for needed in needed_types:
            if not (curve["well_type"] == needed).any():
                raise InputError(
                    path,
                    f"no {needed} wells for this receptor",
                    row=int(curve["source_row"].iloc[0]),
                    column="well_type",
                    receptor=_where(receptor, species, experiment),
                )


def require_single_value(table, column, path) -> None:
    """One value of *column* per receptor × species × experiment; blanks
    are ignored."""
    if column not in table.columns:
        return
    for (receptor, species, experiment), curve in _experiments(table):
        given = curve.dropna(subset=[column])
        first = given[column].iloc[0] if len(given) else None
        other = given[given[column] != first]
        if len(other):
            raise InputError(
                path,
                f"{column} differs within this receptor and experiment "
                f"({first} and {other[column].iloc[0]}); give one value",
                row=int(other["source_row"].iloc[0]),
                column=column,
                receptor=_where(receptor, species, experiment),
            )
