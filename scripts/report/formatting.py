"""How numbers read in the report: one rule for every table and sentence.

* estimates: 3 significant figures, no e-notation between 1e-3 and 1e6;
* log quantities (pKi, logIC50, pEC50, log ratios): 2 decimals;
* p-values: two significant figures ("0.0012"), "< 0.0001" below that;
* occupancy (a fraction in the CSVs): in %;
* not applicable: "–", never 0.

The CSVs keep full precision; only the page rounds. Column headers name the
unit the column's suffix carries (``ki_nM`` -> "Ki (nM)").
"""

from __future__ import annotations

import math
import re

import pandas as pd

P_COLUMNS = ("p_value", "p_adj", "f_test_p", "p")
NUMBER_TEXT = re.compile(r"^(<\s)?[-−]?\d+(\.\d+)?(e[+-]\d+)?( ?%)?$")
DASH = "–"

# Column-name suffixes and the unit they stand for, longest first.
UNIT_SUFFIXES = (
    ("_ng_h_mL", "ng·h/mL"),
    ("_ng_mL", "ng/mL"),
    ("_mg_kg", "mg/kg"),
    ("_L_h_kg", "L/h/kg"),
    ("_L_kg", "L/kg"),
    ("_g_mol", "g/mol"),
    ("_per_h", "1/h"),
    ("_pct", "%"),
    ("_nM", "nM"),
    ("_mg", "mg"),
    ("_cm", "cm"),
    ("_M", "M"),
    ("_h", "h"),
    ("_s", "s"),
)
# Words shown differently from their column-name spelling.
WORDS = {
    "ki": "Ki", "kd": "Kd", "pki": "pKi", "ic50": "IC50", "log": "log", "bmax": "Bmax",
    "cmax": "Cmax", "tmax": "Tmax", "clast": "Clast", "tlast": "Tlast", "c0": "C0", "auc": "AUC",
    "ci": "CI", "sd": "SD", "sem": "SEM", "cv": "CV", "fu": "fu", "f": "F", "n": "n", "hed": "HED",
    "bsa": "BSA", "t": "t", "r": "R", "mrt": "MRT", "cl": "CL", "vz": "Vz", "fst": "FST",
    "hedges": "Hedges", "adj": "adj", "iqr": "IQR", "inf": "inf", "q1": "Q1", "q3": "Q3",
}  # fmt: skip
SPECIAL_LABELS = {
    "r_squared": "R²",
    "lambda_z_adj_r2": "λz adj. R²",
    "lambda_z_per_h": "λz (1/h)",
    "lambda_z_n_points": "λz points (n)",
    "t_half_h": "t½ (h)",
    "auc_pct_extrap": "AUC extrapolated (%)",
    "log_ic50": "logIC50 (M)",
    "log_ic50_ci_low": "logIC50 CI low (M)",
    "log_ic50_ci_high": "logIC50 CI high (M)",
    "hedges_g": "Hedges g",
    "p_adj": "p (adjusted)",
    "f": "F (fraction)",
    "f_ci_low": "F CI low (fraction)",
    "f_ci_high": "F CI high (fraction)",
    "fu": "fu (fraction)",
    "bmax": "Bmax (CPM)",
    "bmax_ci_low": "Bmax CI low (CPM)",
    "bmax_ci_high": "Bmax CI high (CPM)",
}


def format_p(value) -> str:
    """p-values: "< 0.0001" below 0.0001, else two significant figures."""
    if is_missing(value):
        return DASH
    value = float(value)
    if value < 1e-4:
        return "< 0.0001"
    magnitude = math.floor(math.log10(value))
    return f"{value:.{max(1 - magnitude, 0)}f}"


def format_number(value, digits: int = 3) -> str:
    """Numbers to *digits* significant figures; whole numbers stay whole;
    text as is."""
    if is_missing(value):
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e6):
        return f"{int(value):d}"
    if isinstance(value, float):
        return _significant(value, digits)
    return str(value)


def format_log(value) -> str:
    """Log quantities (pKi, logIC50, log ratios): two decimals."""
    if is_missing(value):
        return DASH
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{float(value):.2f}"
    return str(value)


def format_percent(fraction) -> str:
    """A fraction shown in % (3 significant figures), e.g. 0.9686 -> "96.9"."""
    if is_missing(fraction):
        return DASH
    if isinstance(fraction, (int, float)) and not isinstance(fraction, bool):
        return format_number(100 * float(fraction))
    return str(fraction)


def is_p_column(column: str) -> bool:
    return (
        column in P_COLUMNS
        or column.startswith("p_")
        or column.endswith("_p")
        or "p_adj" in column
        or "p_value" in column
    )


def is_log_column(column: str) -> bool:
    name = column.lower()
    return (
        name.startswith(("log", "pki", "pkd", "pec50", "pic50", "pkb"))
        or name.endswith(("_pki", "_pec50", "_pic50"))
        or "_log" in name
        or name.startswith("log10")
    )


def is_fraction_percent_column(column: str) -> bool:
    """Columns holding an occupancy as a fraction: shown in %."""
    name = column.lower()
    return "occupancy" in name and not name.endswith(("_pct", "_unit", "_basis", "_source", "_note"))


def cell_scale(column: str) -> int:
    """What the page multiplies a column's values by (100 for fractions in %)."""
    return 100 if is_fraction_percent_column(column) else 1


def format_cell(column: str, value) -> str:
    if is_p_column(column):
        return format_p(value)
    if is_fraction_percent_column(column):
        return format_percent(value)
    if is_log_column(column):
        return format_log(value)
    return format_number(value)


def column_label(column: str) -> str:
    """A column's header: words spelled out, the unit in parentheses."""
    if column in SPECIAL_LABELS:
        return SPECIAL_LABELS[column]
    if is_p_column(column):
        words = " ".join(WORDS.get(word, word) for word in column.split("_"))
        return words.replace("p adj", "p (adjusted)").replace("p value", "p")
    if is_fraction_percent_column(column):
        return column.replace("_", " ") + " (%)"
    unit = ""
    stem = column
    for suffix, name in UNIT_SUFFIXES:
        if column.endswith(suffix) and len(column) > len(suffix):
            stem, unit = column[: -len(suffix)], name
            break
    words = [WORDS.get(word, word) for word in stem.split("_")]
    if "pct" in words and not unit:
        words.remove("pct")
        unit = "%"
    label = " ".join(words)
    return f"{label} ({unit})" if unit else label


E_NUMBER = re.compile(r"(?<![\w.])(-?\d+(?:\.\d+)?[eE][+-]?\d+)(?![\w.])")


def plain_numbers(text: str) -> str:
    """Numbers written in e-notation inside a sentence, shown by the same
    rule as table cells: "-1.48e+03 cm" -> "-1480 cm"; "2.6e-13" stays."""

    def plain(match):
        value = float(match.group(1))
        return format_number(value) if value == 0 or 1e-3 <= abs(value) < 1e6 else match.group(1)

    return E_NUMBER.sub(plain, str(text))


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
    if abs(value) >= 1e6 or abs(value) < 1e-3:
        return f"{value:.{digits - 1}e}"
    rounded = round(value, digits - 1 - magnitude)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > magnitude:
        magnitude += 1  # 9.996 -> 10.0
    decimals = max(digits - 1 - magnitude, 0)
    if decimals == 0:
        return f"{int(round(rounded)):d}"
    return f"{rounded:.{decimals}f}"
