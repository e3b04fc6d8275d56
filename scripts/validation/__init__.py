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
:mod:`.study` (study.yaml and the study's file layout); shared by them:
:mod:`.reading` (raw CSV text, warnings) and :mod:`.rows` (row-wise schema
check, duplicate rows); :mod:`.groups` (treatment groups and look-alikes of
the vehicle label). :mod:`.crossfile` holds the study-level checks across an
area's validated files (rules ``validate_behaviour_animals`` and
``validate_pk_analytes``).
"""

from scripts.validation.behaviour import behaviour_endpoint_sets, validate_behaviour
from scripts.validation.binding import (
    binding_assay_name,
    plate_to_long,
    validate_binding,
    validate_binding_table,
    validate_plate,
)
from scripts.validation.dosing import RESERVED_PK_STEMS, validate_dosing, validate_lambda_z
from scripts.validation.pk import validate_pk
from scripts.validation.reading import load_schema, read_raw_csv, study_relative_name, warnings_frame
from scripts.validation.rows import BLQ_TOKENS, FALSE_TOKENS, SEX_ALIASES, TRUE_TOKENS, validate_rows
from scripts.validation.saturation import validate_saturation
from scripts.validation.study import (
    check_study_files,
    fill_defaults,
    load_study_yaml,
    safe_study_name,
    study_file_inside,
    validate_mapping,
    validate_study,
)

__all__ = [
    "BLQ_TOKENS",
    "RESERVED_PK_STEMS",
    "FALSE_TOKENS",
    "SEX_ALIASES",
    "TRUE_TOKENS",
    "behaviour_endpoint_sets",
    "binding_assay_name",
    "check_study_files",
    "fill_defaults",
    "load_schema",
    "load_study_yaml",
    "plate_to_long",
    "read_raw_csv",
    "safe_study_name",
    "study_file_inside",
    "study_relative_name",
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
