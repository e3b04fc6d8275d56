"""The evidence cross-check, shared by the unit and end-to-end tests:
every number in a flag's evidence must equal a cell its ``evidence_refs``
cite (or one of the cited rows' keys, or a cited config value), at the
precision shown. The tables are looked up independently of the code that
wrote the evidence."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?:e([+-]?\d+))?(?![\w.]|-[A-Za-z])")


def numbers_in(text: str) -> list:
    """(value, tolerance, is_percent) of every number in *text*; "95% CI"
    and the "-fold" suffix are wording, a "-" after a space or "(" a minus."""
    text = re.sub(r"\. Sources: .*$", "", str(text))  # citations: "Author et al. YEAR"
    text = text.replace("95% CI", "CI").replace("-fold", " fold")
    out = []
    for m in NUMBER.finditer(text):
        mantissa, exponent = m.group(1), int(m.group(2) or 0)
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        value = float(mantissa) * 10.0**exponent
        start = m.start()
        if start >= 1 and text[start - 1] == "-" and (start == 1 or text[start - 2] in " (;,:"):
            value = -value
        tolerance = 0.5 * 10.0 ** (exponent - decimals) * (1 + 1e-9)
        out.append((value, tolerance, text[m.end() : m.end() + 1] == "%"))
    return out


def parse_refs(refs: str) -> list:
    """[(table, {key: value}, [columns])], ("config", key, []) or
    ("ratio", (numerator ref, denominator ref), [])."""
    out = []
    for part in filter(None, (p.strip() for p in str(refs or "").split("; "))):
        pieces = part.split("|")
        if pieces[0] == "config":
            out.append(("config", pieces[1], []))
            continue
        if pieces[0] == "ratio":
            num, den = _split_ratio("|".join(pieces[1:]))
            out.append(("ratio", (parse_refs(num)[0], parse_refs(den)[0]), []))
            continue
        table, where, columns = pieces
        keys = dict(kv.split("=", 1) for kv in where.split(",")) if where else {}
        out.append((table, keys, columns.split(",")))
    return out


def _split_ratio(text: str) -> tuple:
    """Split "<table|keys|col>/<table|keys|col>" at the "/" after the first
    cell's column (table paths contain "/" themselves)."""
    first_table_end = text.index("|")
    first_cols_start = text.index("|", first_table_end + 1) + 1
    cut = text.index("/", first_cols_start)
    return text[:cut], text[cut + 1 :]


def _cell_values(ref, tables) -> list:
    table, keys, columns = ref
    frame = tables[table]
    mask = pd.Series(True, index=frame.index)
    for key, value in keys.items():
        mask &= _matches(frame[key], value)
    rows = frame[mask]
    assert len(rows), f"{table}: no row with {keys}"
    return [float(v) for v in rows[columns[0]]]


def _matches(column: pd.Series, value: str) -> pd.Series:
    numeric = pd.to_numeric(column, errors="coerce")
    try:
        x = float(value)
    except ValueError:
        return column.astype(str).str.strip() == value
    return pd.Series(np.isclose(numeric.astype(float), x), index=column.index) | (column.astype(str) == value)


def cited_values(refs: str, tables: dict, config: dict) -> list:
    values = []
    for table, keys, columns in parse_refs(refs):
        if table == "config":
            section, key = keys.split(".")
            values.append(float(config[section][key]))
            continue
        if table == "ratio":
            num, den = keys
            values += [a / b for a in _cell_values(num, tables) for b in _cell_values(den, tables)]
            continue
        frame = tables[table]
        mask = pd.Series(True, index=frame.index)
        for key, value in keys.items():
            mask &= _matches(frame[key], value)
        rows = frame[mask]
        assert len(rows), f"{table}: no row with {keys}"
        for _, row in rows.iterrows():
            for column in list(columns) + list(keys):
                cell = row[column]
                if isinstance(cell, (int, float, np.number)) and not isinstance(cell, bool):
                    values.append(float(cell))
                else:
                    values += [v for v, _, _ in numbers_in(cell)]
    return [v for v in values if math.isfinite(v)]


def check_flags(flags: pd.DataFrame, tables: dict, config: dict) -> int:
    """Assert every number of every evidence against its cited cells;
    returns how many numbers were checked."""
    checked = 0
    for _, flag in flags.iterrows():
        found = numbers_in(flag["evidence"])
        if not found:
            continue
        assert str(flag["evidence_refs"] or ""), f"{flag['flag_id']}: numbers without evidence_refs"
        allowed = cited_values(flag["evidence_refs"], tables, config)
        for value, tolerance, percent in found:
            candidates = allowed + ([100 * v for v in allowed] if percent else [])
            assert any(abs(value - v) <= tolerance for v in candidates), (
                f"{flag['flag_id']}: {value} in '{flag['evidence']}' is no cited cell ({flag['evidence_refs']})"
            )
            checked += 1
    return checked


def tables_of(inputs: dict, out: dict) -> dict:
    """The cited tables of one translation run: its inputs and outputs by
    their result-file names."""
    return {
        "behaviour/confounds.csv": inputs.get("confounds"),
        "inventory/behaviour_groups.csv": inputs.get("behaviour_groups"),
        "pk/bioavailability.csv": inputs.get("bioavailability"),
        "pk/metabolites.csv": inputs.get("metabolites"),
        "pk/detectability.csv": inputs.get("detectability"),
        "translation/exposure.csv": out["exposure"],
        "translation/dose_translation.csv": out["dose_translation"],
        "translation/occupancy.csv": out["occupancy"],
        "translation/reference.csv": out["reference"],
        "translation/species_ki.csv": out["species_ki"],
        "translation/human_dose_prediction.csv": out["human_dose_prediction"],
    }
