"""Saturation binding files (rule ``validate_saturation``).

The schema is ``saturation.schema.yaml`` (total and NSB wells only); like a
competition run, every receptor × species needs total and NSB wells, and a
replicate label may not repeat for the same well, and the count-conversion
columns take one value per receptor × species × experiment
(:mod:`scripts.validation.binding`).
"""

from __future__ import annotations

from pathlib import Path

from scripts.validation.binding import (
    COUNT_CONVERSION_COLUMNS,
    REPLICATE_KEYS,
    check_count_conversion,
    require_control_wells,
    require_single_value,
)
from scripts.validation.reading import load_schema, read_raw_csv
from scripts.validation.rows import reject_duplicates, validate_rows


def validate_saturation(path):
    """Saturation file → normalised long table (+ ``assay``, the file stem)."""
    df, warnings = read_raw_csv(path)
    table, more = validate_rows(df, load_schema("saturation.schema.yaml"), path)
    table.insert(0, "assay", Path(path).stem)
    require_control_wells(table, path, ("total", "nsb"))
    for column in COUNT_CONVERSION_COLUMNS:
        require_single_value(table, column, path)
    check_count_conversion(table, path)
    reject_duplicates(
        table, [*REPLICATE_KEYS, "replicate"], path, "replicate measured twice", require_all=False
    )
    return table, warnings + more
