"""Input validation for every study file type, in one place.

Each raw file is read as text, checked against its JSON-Schema file in
``workflow/schemas/`` row by row, normalised (numbers parsed, enum-like values
case-folded, provenance columns added) and checked across rows. Problems that
make a number wrong raise :class:`~scripts.tables.InputError` naming the file,
row and column. Problems the analysis can live with are returned as warnings,
which the report shows. Nothing is dropped silently. The analyses read only
validated tables and do not check them again.

Row numbers are spreadsheet rows: the header is row 1.

Modules, one per rule ``validate_<kind>``: :mod:`.binding` (long CSV or plate
grid + layout), :mod:`.saturation`, :mod:`.behaviour`, :mod:`.pk`,
:mod:`.dosing` (the PK control files ``pk/dosing.csv`` and ``pk/lambda_z.csv``),
:mod:`.study` (study.yaml, with :mod:`.yaml_files` for safe YAML reading and
:mod:`.layout` for the study's file layout and results folder); shared by
them: :mod:`.reading` (raw CSV text, warnings, the one entry point for any
data table), :mod:`.excel` (Excel workbooks) and :mod:`.rows` (row-wise
schema check, duplicate rows); :mod:`.groups` (treatment groups and
look-alikes of the vehicle label). :mod:`.crossfile` holds the study-level
checks across an area's validated files (rules ``validate_behaviour_animals``
and ``validate_pk_analytes``).
"""

import functools
import importlib

# Light modules, imported with the package: the workflow calls them at parse
# time (no pandas there, so a no-op run stays fast).
from scripts.validation.layout import (
    RESERVED_PK_STEMS,
    RESULTS_MARKER,
    binding_assay_name,
    check_study_files,
    claim_results_dir,
    table_files,
)
from scripts.validation.reading import (
    load_schema,
    read_raw_csv,
    set_limits,
    study_relative_name,
    warnings_frame,
)
from scripts.validation.study import (
    fill_defaults,
    load_study_yaml,
    safe_study_name,
    study_file_inside,
    validate_mapping,
    validate_study,
)
from scripts.validation.yaml_files import load_yaml_file

# The rest is imported on first use (PEP 562): name -> module.
_LAZY = {
    "behaviour_endpoint_sets": "behaviour",
    "plate_to_long": "binding",
    "validate_dosing": "dosing",
    "validate_lambda_z": "dosing",
    "WorkbookInputError": "excel",
    "workbook_locations": "excel",
    "BLQ_TOKENS": "rows",
    "FALSE_TOKENS": "rows",
    "SEX_ALIASES": "rows",
    "TRUE_TOKENS": "rows",
    "validate_rows": "rows",
}
# The validation of each file type, as the rules call it: errors about a
# workbook name its sheet and the Excel column letter.
_NAMING_WORKBOOK_CELLS = {
    "validate_binding": ("binding", "validate_binding"),
    "validate_binding_table": ("binding", "validate_binding_table"),
    "validate_plate": ("binding", "validate_plate"),
    "validate_saturation": ("saturation", "validate_saturation"),
    "validate_behaviour": ("behaviour", "validate_behaviour"),
    "validate_pk": ("pk", "validate_pk"),
}


def _naming_workbook_cells(function):
    """*function*, whose errors about a workbook name its sheet and the Excel
    column letter (:func:`~scripts.validation.excel.workbook_locations`)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        from scripts.validation.excel import workbook_locations

        with workbook_locations():
            return function(*args, **kwargs)

    return wrapper


def __getattr__(name):
    if name in _NAMING_WORKBOOK_CELLS:
        module, attribute = _NAMING_WORKBOOK_CELLS[name]
        value = _naming_workbook_cells(getattr(importlib.import_module(f"{__name__}.{module}"), attribute))
    elif name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "BLQ_TOKENS",
    "RESERVED_PK_STEMS",
    "RESULTS_MARKER",
    "FALSE_TOKENS",
    "SEX_ALIASES",
    "TRUE_TOKENS",
    "WorkbookInputError",
    "behaviour_endpoint_sets",
    "binding_assay_name",
    "check_study_files",
    "claim_results_dir",
    "fill_defaults",
    "load_schema",
    "load_study_yaml",
    "load_yaml_file",
    "plate_to_long",
    "read_raw_csv",
    "safe_study_name",
    "set_limits",
    "study_file_inside",
    "study_relative_name",
    "table_files",
    "validate_behaviour",
    "validate_binding",
    "validate_binding_table",
    "validate_dosing",
    "validate_lambda_z",
    "validate_mapping",
    "validate_pk",
    "validate_plate",
    "validate_rows",
    "validate_saturation",
    "validate_study",
    "warnings_frame",
]
