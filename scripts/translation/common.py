"""Small helpers shared by the translation modules: name keys, number
formatting for evidence text, the geometric mean and row selection."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.stats import gmean


def norm_name(name) -> str:
    """Canonical key of a receptor or analyte name: lower case, Greek alpha
    spelt out, only letters and digits ("5-HT2A" and "5HT2A" -> "5ht2a")."""
    return _norm_text(str(name))


@lru_cache(maxsize=4096)  # called per row of tables with few distinct names
def _norm_text(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower().replace("α", "alpha"))


def is_empty(df) -> bool:
    return df is None or len(df) == 0


def fmt(x, digits=3) -> str:
    """A number for evidence text: significant digits, no float noise."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{float(x):.{digits}g}"


def pct(x) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.0f}%"


def geometric_mean(values) -> float:
    """Geometric mean over the finite x > 0; NaN when there are none."""
    x = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), float)
    x = x[np.isfinite(x) & (x > 0)]
    return float(gmean(x)) if x.size else float("nan")


def compound_rows(df, compound, column="treatment"):
    """The rows of *df* whose *column* names *compound* (case-insensitive)."""
    if is_empty(df) or column not in df:
        return df.iloc[0:0] if df is not None else pd.DataFrame()
    return df[df[column].astype(str).str.strip().str.lower() == str(compound).strip().lower()]


def species_rows(df, species):
    return df[df["species"].astype(str).str.strip().str.lower() == species]
