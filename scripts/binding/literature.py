"""Measured affinity beside the literature (rule ``binding_literature``):
each pooled Ki of ``ki_summary.csv`` with the reference Ki of the same
species and receptor from the compound's reference file
(``resources/reference/<compound>_human.yaml``, key ``ki_nM``, per species;
each value cites keys of ``bibliography.yaml``), and the fold difference.

Receptor names are matched ignoring case, hyphens, underscores and spaces
(``5-HT2A`` = ``5HT2A``). A species the reference gives no number for keeps
its row, with the reference's note; a value reported for a related site
(the reference's ``reported`` record, e.g. a subtype-unresolved rat value)
is shown in ``reported_ki_nM`` but not compared.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

LITERATURE_COLUMNS = [
    "receptor",
    "species",
    "compound",
    "n_experiments",
    "ki_measured_nM",
    "ki_measured_ci_low_nM",
    "ki_measured_ci_high_nM",
    "reference_ki_nM",
    "reference_range_low_nM",
    "reference_range_high_nM",
    "reference_kind",
    "reference_confirmed",
    "reference_sources",
    "fold_difference",
    "fold_difference_abs",
    "within_reference_range",
    "reported_ki_nM",
    "reported_sources",
    "note",
]


def receptor_key(name) -> str:
    return re.sub(r"[\s_\-]", "", str(name)).casefold()


def _records(reference: dict, overrides: dict | None) -> dict:
    """{(species, receptor key): record} of the reference's ``ki_nM``, with
    the study's ``human_reference: {ki_nM: ...}`` overrides applied."""
    out = {}
    for species, receptors in (reference.get("ki_nM") or {}).items():
        for name, record in (receptors or {}).items():
            out[(str(species).lower(), receptor_key(name))] = (
                record if isinstance(record, dict) else {"value": record}
            )
    for species, receptors in (overrides or {}).items():
        for name, new in (receptors or {}).items():
            key = (str(species).lower(), receptor_key(name))
            record = dict(out.get(key, {}))
            record.update(new if isinstance(new, dict) else {"value": new})
            record.update(source=["study.yaml human_reference"], confirmed=None)
            out[key] = record
    return out


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def literature_comparison(summary: pd.DataFrame, reference: dict | None, overrides: dict | None = None):
    """``literature_comparison.csv`` (LITERATURE_COLUMNS): per row of
    *summary* (``ki_summary.csv``) for the reference's compound, the pooled
    Ki (geometric mean over experiments, with its CI) beside the reference
    Ki. ``fold_difference`` = measured / reference, ``fold_difference_abs``
    its magnitude (≥ 1); ``within_reference_range`` when the reference gives
    a range. Empty without a reference."""
    if not reference or summary is None or summary.empty:
        return pd.DataFrame(columns=LITERATURE_COLUMNS)
    compound = str(reference.get("compound", "")).casefold()
    records = _records(reference, overrides)
    rows = []
    for _, row in summary.iterrows():
        if compound and str(row["compound"]).casefold() != compound:
            continue
        record = records.get((str(row["species"]).lower(), receptor_key(row["receptor"])), {})
        value = _number(record.get("value"))
        low, high = (_number(v) for v in (record.get("range") or [np.nan, np.nan]))
        measured = _number(row["ki_geomean_nM"])
        fold = measured / value if np.isfinite(value) and value > 0 and np.isfinite(measured) else np.nan
        reported = record.get("reported") or {}
        note = str(record.get("note", "")) if record else "no reference value for this species and receptor"
        rows.append(
            {
                "receptor": row["receptor"],
                "species": row["species"],
                "compound": row["compound"],
                "n_experiments": row["n_experiments"],
                "ki_measured_nM": measured,
                "ki_measured_ci_low_nM": row["ki_ci_low_nM"],
                "ki_measured_ci_high_nM": row["ki_ci_high_nM"],
                "reference_ki_nM": value,
                "reference_range_low_nM": low,
                "reference_range_high_nM": high,
                "reference_kind": record.get("kind", ""),
                "reference_confirmed": record.get("confirmed", ""),
                "reference_sources": ";".join(map(str, record.get("source", []) or [])),
                "fold_difference": fold,
                "fold_difference_abs": max(fold, 1.0 / fold) if np.isfinite(fold) and fold > 0 else np.nan,
                "within_reference_range": (
                    bool(low <= measured <= high) if np.isfinite(low) and np.isfinite(high) else pd.NA
                ),
                "reported_ki_nM": _number(reported.get("ki_nM")),
                "reported_sources": ";".join(map(str, reported.get("source", []) or [])),
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=LITERATURE_COLUMNS)
