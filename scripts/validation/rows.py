"""Row-wise validation against a JSON-Schema file, and the duplicate-row check.

Each cell is turned into the JSON type its schema declares (numbers parsed,
true/false tokens read, enum-like values case-folded), then each row is
checked against the schema, compiled once into plain checks
(:mod:`scripts.validation.row_checks`; jsonschema itself for a schema using
keywords those checks do not cover). The first bad cell raises
:class:`~scripts.tables.InputError` naming file, spreadsheet row and column.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from pathlib import Path

import pandas as pd

from scripts.tables import InputError
from scripts.validation.reading import study_relative_name, warning
from scripts.validation.row_checks import compile_row_checker

# Cells of the schema's ``blq_column`` that mean "below the limit of quantification".
BLQ_TOKENS = {"", "blq", "<lloq", "bql", "nd"}
TRUE_TOKENS = {"true", "yes", "y", "1", "t"}
FALSE_TOKENS = {"false", "no", "n", "0", "f", ""}
SEX_ALIASES = {"male": "M", "female": "F", "m": "M", "f": "F"}
# Rows between progress lines in the rule's log (large files take minutes).
PROGRESS_EVERY = 100_000
log = logging.getLogger(__name__)


def _parse_number(text: str):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _number_hint(text: str, kind: str) -> str:
    """Why a number with a comma did not parse: a thousands separator (three
    digits after each comma, or an integer column) or a decimal comma."""
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text) or (kind == "integer" and re.fullmatch(r"-?[\d,]+", text)):
        return f" (thousands separator? write {text.replace(',', '')})"
    if re.fullmatch(r"-?\d+,\d+", text):
        return f" (decimal comma? use a point: {text.replace(',', '.')})"
    return ""


def coerce_cell(text: str, spec: dict, column: str, path, row: int, date_cell: bool = False):
    """Turn one cell into the JSON type its schema declares; None when blank.
    *date_cell*: a workbook cell formatted as a date or time."""
    if text == "":
        return None
    kind = spec.get("type")
    if kind in ("number", "integer"):
        if date_cell:
            raise InputError(
                path,
                f"'{text}' is a date/time-formatted cell in a numeric column (Excel stores the time "
                "1:00 as 0.0417 days, so its number would be wrong here); format the cells as Number "
                "and enter the value",
                row=row,
                column=column,
            )
        try:
            return _parse_number(text)
        except ValueError:
            hint = _number_hint(text, kind)
            if text.lower() in {"nan", "inf", "-inf", "infinity", "-infinity"}:
                raise InputError(path, f"'{text}' is not a finite number", row=row, column=column) from None
            raise InputError(path, f"'{text}' is not a number{hint}", row=row, column=column) from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in TRUE_TOKENS:
            return True
        if lowered in FALSE_TOKENS:
            return False
        raise InputError(path, f"'{text}' is not true/false", row=row, column=column)
    return text


def row_checker(schema: dict):
    """``record -> failures`` for *schema*: the compiled checks, or
    jsonschema's validator where the schema needs it."""
    compiled = compile_row_checker(schema)
    if compiled is not None:
        return compiled
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    return lambda record: sorted(validator.iter_errors(record), key=lambda e: list(e.path))


def _describe(error) -> tuple[str | None, str]:
    """(column, message) for a failed check (a jsonschema ValidationError or
    a row_checks.Failure) in user words."""
    if error.validator == "required":
        column = re.match(r"'([^']+)'", error.message).group(1)
        return column, "value missing"
    column = error.path[0] if error.path else None
    value = error.instance
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return column, f"unknown value '{value}'; expected one of {allowed}"
    if error.validator == "minimum":
        return column, f"must be ≥ {error.validator_value:g} (got {value:g})"
    if error.validator == "exclusiveMinimum":
        return column, f"must be > {error.validator_value:g} (got {value:g})"
    if error.validator in ("maximum", "exclusiveMaximum"):
        return column, f"must be ≤ {error.validator_value:g} (got {value:g})"
    if error.validator == "minLength":
        return column, "value missing"
    return column, error.message


def validate_rows(df: pd.DataFrame, schema: dict, path) -> tuple[pd.DataFrame, list[dict]]:
    """Check every row of *df* (strings) against *schema*; return typed table.

    Missing required columns and unknown columns are caught first (the latter
    as a warning). Case is normalised for the columns the schema lists under
    ``lowercase``/``uppercase``. The first bad cell raises InputError. The
    table gains ``source_file`` (as inside the study) and ``source_row``
    (spreadsheet row), and ``blq`` when the schema names a ``blq_column``.
    """
    path = Path(path)
    properties = schema.get("properties", {})
    warnings = []
    _check_header(df, schema, path, warnings)
    blq_column = schema.get("blq_column")
    check = row_checker(schema)
    lower = set(schema.get("lowercase", []))
    upper = set(schema.get("uppercase", []))
    records = []
    known = [c for c in df.columns if c in properties]
    dates = df.attrs.get("workbook", {}).get("dates", set())
    for position, values in enumerate(df[known].itertuples(index=False, name=None)):
        row = position + 2
        if position and position % PROGRESS_EVERY == 0:
            log.info("%s: %d of %d rows checked", study_relative_name(path), position, len(df))
        record = {}
        blq = False
        for column, text in zip(known, values):
            if column in lower:
                text = text.lower()
            if column in upper:
                text = SEX_ALIASES.get(text.lower(), text.upper())
            if column == blq_column and text.lower() in BLQ_TOKENS:
                blq = True
                continue
            value = coerce_cell(text, properties[column], column, path, row, (position, column) in dates)
            if value is not None:
                record[column] = value
        errors = check(record)
        if errors:
            column, message = _describe(errors[0])
            raise InputError(path, message, row=row, column=column)
        if blq_column:
            record["blq"] = blq
        records.append(record)
    out = pd.DataFrame.from_records(records)
    for column in properties:
        if column not in out.columns:
            out[column] = pd.NA
    ordered = [c for c in properties if c in out.columns] + (["blq"] if blq_column else [])
    out = out[ordered]
    out["source_file"] = study_relative_name(path)
    out["source_row"] = range(2, len(out) + 2)
    return out, warnings


def _check_header(df, schema, path, warnings) -> None:
    properties = schema.get("properties", {})
    for column in schema.get("required", []):
        if column not in df.columns:
            close = difflib.get_close_matches(column, list(df.columns), n=1)
            hint = f" (found '{close[0]}': misspelt?)" if close else ""
            raise InputError(path, f"required column missing{hint}", row=1, column=column)
    for column in df.columns:
        if column not in properties:
            warnings.append(warning(path, "unknown column ignored", row=1, column=column))


def reject_duplicates(table, keys, path, message, require_all=True) -> None:
    """InputError at the first row that repeats an earlier row's *keys*.

    With *require_all* (the default), rows with a blank key are skipped (e.g.
    no plate/well given); otherwise blanks compare equal, so total wells
    without compound or concentration are compared too.
    """
    keys = [k for k in keys if k in table.columns]
    if not keys or table[keys].isna().all(axis=None):
        return
    subset = table.dropna(subset=keys) if require_all else table
    duplicated = subset.duplicated(keys, keep="first")
    if duplicated.any():
        repeat = subset[duplicated].iloc[0]
        same = (subset[keys] == repeat[keys]) | (subset[keys].isna() & repeat[keys].isna())
        earlier = int(subset.loc[same.all(axis=1), "source_row"].iloc[0])
        shown = ", ".join(f"{k}={repeat[k]}" for k in keys if pd.notna(repeat[k]))
        raise InputError(
            path,
            f"{message} ({shown}; first at row {earlier})",
            row=int(repeat["source_row"]),
            column=keys[-1],
        )
