"""How numbers read in the report: significant figures, p-values, missing cells."""

from __future__ import annotations

import math
import re

import pandas as pd

P_COLUMNS = ("p_value", "p_adj", "f_test_p", "p")
NUMBER_TEXT = re.compile(r"^(<\s)?-?\d+(\.\d+)?(e[+-]\d+)?$")


def format_p(value) -> str:
    """p-values: "< 0.0001" below 0.0001, else two significant figures."""
    if is_missing(value):
        return "–"
    value = float(value)
    if value < 1e-4:
        return "< 0.0001"
    return _significant(value, 2)


def format_number(value, digits: int = 3) -> str:
    """Numbers to *digits* significant figures; integers stay whole; text as is."""
    if is_missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int,)) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e6):
        return f"{int(value):d}"
    if isinstance(value, float):
        return _significant(value, digits)
    return str(value)


def is_p_column(column: str) -> bool:
    return (
        column in P_COLUMNS
        or column.startswith("p_")
        or column.endswith("_p")
        or "p_adj" in column
        or "p_value" in column
    )


def format_cell(column: str, value) -> str:
    if is_p_column(column):
        return format_p(value)
    return format_number(value)


def looks_numeric(text: str) -> bool:
    """Right-align cells that hold a single formatted number."""
    return bool(NUMBER_TEXT.match(text))


def is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _significant(value: float, digits: int) -> str:
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude >= 6 or magnitude <= -5:
        return f"{value:.{digits - 1}e}"
    decimals = max(digits - 1 - magnitude, 0)
    return f"{value:.{decimals}f}"
