"""The human reference: loading ``resources/reference/<compound>_human.yaml``
(or the study's own reference file), applying the study's
``human_reference`` overrides, reading values and ranges, and the flat
listing written to ``reference.csv``.

Every value of the reference is a record with ``value`` and/or ``range``,
``unit``, ``kind``, ``source`` (keys into ``sources``) and ``confirmed``.
A human fu missing from study.yaml uses the reference value; a missing rat
fu uses the config default ``translation.default_fu_rat`` (flagged).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import pandas as pd

from scripts.tables import InputError

REFERENCE_COLUMNS = ["key", "value", "range", "unit", "kind", "source", "confirmed", "overridden"]
REQUIRED_REFERENCE_KEYS = (
    "molecular_weight_g_mol",
    "oral_bioavailability",
    "t_half_h",
    "fu",
    "single_dose_exposure",
    "therapeutic_range_ng_mL",
    "metabolites",
    "ki_nM",
)
OVERRIDE_SOURCE = "study.yaml human_reference"


def check_reference(reference, file="human reference") -> dict:
    """Raise :class:`InputError` when the reference lacks a required key or
    a needed number; return it unchanged otherwise."""
    if not isinstance(reference, dict):
        raise InputError(file, "the human reference must be a YAML mapping")
    for key in REQUIRED_REFERENCE_KEYS:
        if key not in reference:
            raise InputError(file, f"missing key '{key}'")
    exposure = reference["single_dose_exposure"]
    for key in ("dose_mg", "cmax_ng_mL", "auc_inf_ng_h_mL"):
        if key not in exposure:
            raise InputError(file, f"single_dose_exposure lacks '{key}'")
    return reference


def load_reference(path) -> dict:
    """Read ``resources/reference/<compound>_human.yaml`` (safe YAML)."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        reference = yaml.safe_load(handle)
    reference = check_reference(reference, str(path))
    if reference.get("bibliography"):
        reference["_bibliography_path"] = str(Path(path).resolve().parent / reference["bibliography"])
    return reference


def _is_record(node) -> bool:
    return isinstance(node, dict) and ("value" in node or "range" in node)


def _override_record(record, new) -> dict:
    record = dict(record) if isinstance(record, dict) else {}
    if isinstance(new, dict):
        record.update(new)
    elif isinstance(new, (list, tuple)):
        low, high = sorted(float(v) for v in new)
        record["range"] = [low, high]
        # Keep the value used in calculations when it lies inside the new
        # range; otherwise use the range's lower end.
        old = record.get("value")
        record["value"] = old if old is not None and low <= float(old) <= high else low
    else:
        record["value"] = new
    record.update(source=[OVERRIDE_SOURCE], confirmed=None, overridden=True)
    return record


def apply_overrides(reference: dict, overrides: dict | None, file="study.yaml") -> dict:
    """Return a copy of *reference* with the study's ``human_reference``
    overrides applied. A scalar replaces a record's ``value``; a two-element
    list replaces its ``range`` (and its ``value`` by the lower end when the
    old value falls outside); a mapping merges key by key; the record's
    source becomes "study.yaml human_reference". New receptors may be added
    under ``ki_nM.<species>``; any other unknown key is an error (so a
    misspelt key is not ignored)."""
    out = copy.deepcopy(reference)
    if not overrides:
        return out

    def merge(node, new, path):
        for key, value in new.items():
            where = ".".join(path + [str(key)])
            if key not in node:
                if len(path) == 2 and path[0] == "ki_nM":
                    node[key] = _override_record({}, value)
                    continue
                raise InputError(file, f"human_reference: unknown key '{where}'")
            current = node[key]
            if isinstance(current, list):
                node[key] = value  # e.g. the metabolite list: replaced whole
            elif current is None or _is_record(current):
                node[key] = _override_record(current, value)
            elif isinstance(current, dict):
                if not isinstance(value, dict):
                    raise InputError(file, f"human_reference: '{where}' needs a mapping, got {value!r}")
                merge(current, value, path + [str(key)])
            else:
                node[key] = value  # a bare number such as single_dose_exposure.dose_mg

    if not isinstance(overrides, dict):
        raise InputError(file, "human_reference must be a mapping")
    merge(out, overrides, [])
    return check_reference(out, file)


def ref_value(reference: dict, *path) -> float:
    """The number at *path* (a record's ``value``, or a bare number)."""
    node = reference
    for key in path:
        node = node[key]
    if isinstance(node, dict):
        node = node.get("value")
    return float("nan") if node is None else float(node)


def ref_range(reference: dict, *path) -> tuple:
    """(low, high) of a record's ``range`` (its value twice if no range)."""
    node = reference
    for key in path:
        node = node[key]
    if isinstance(node, dict) and node.get("range") is not None:
        low, high = node["range"]
        return float(low), float(high)
    value = ref_value(reference, *path)
    return value, value


def therapeutic_range(reference: dict | None) -> tuple | None:
    """(low, high) human therapeutic range (ng/mL) of the reference, or
    None without a reference."""
    return None if reference is None else ref_range(reference, "therapeutic_range_ng_mL")


def human_metabolites(reference: dict | None) -> list:
    """Names of the reference's metabolites present in humans."""
    return [m["name"] for m in (reference or {}).get("metabolites") or [] if m.get("present_in_humans", True)]


def reference_table(reference: dict) -> pd.DataFrame:
    """Flat listing of every record of the reference (for the report):
    key, value, range, unit, kind, source, confirmed, overridden."""
    rows = []

    def visit(node, path):
        if _is_record(node):
            rng = node.get("range")
            rows.append(
                {
                    "key": ".".join(path),
                    "value": node.get("value"),
                    "range": "" if rng is None else f"{rng[0]:g}-{rng[1]:g}",
                    "unit": node.get("unit", ""),
                    "kind": node.get("kind", ""),
                    "source": ";".join(node.get("source", []) or []),
                    "confirmed": node.get("confirmed"),
                    "overridden": bool(node.get("overridden", False)),
                }
            )
            return
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "sources":
                    visit(value, path + [str(key)])
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, dict) and "name" in item:
                    visit(item, path + [str(item["name"])])

    visit(reference, [])
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)


def species_fu(study: dict, reference: dict, species: str, default_rat: float) -> tuple:
    """(fu, source) for *species*: study.yaml ``fu`` first; else the human
    reference (human) or ``default_rat`` (rat, flagged by the caller)."""
    given = {str(k).lower(): v for k, v in (study.get("fu") or {}).items()}
    if species in given and given[species] is not None:
        return float(given[species]), "study.yaml"
    if species == "human":
        return ref_value(reference, "fu"), "human reference"
    return float(default_rat), "default (config translation.default_fu_rat)"


# --------------------------------------------------------------------------
# Bibliography: citations as "Author et al. YEAR"
# --------------------------------------------------------------------------

BIBLIOGRAPHY = Path(__file__).resolve().parents[2] / "resources" / "reference" / "bibliography.yaml"


@functools.cache
def _bibliography_file(path: str) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def bibliography(reference: dict | None = None) -> dict:
    """The bibliography (key -> entry) the reference's ``source`` keys
    point into: the file its ``bibliography`` key names (next to the
    reference file, recorded by :func:`load_reference`), else the shipped
    ``resources/reference/bibliography.yaml``."""
    path = (reference or {}).get("_bibliography_path") or BIBLIOGRAPHY
    return _bibliography_file(str(path)) if Path(path).exists() else {}


def citation(key: str, bib: dict) -> str:
    """ "Author et al. YEAR": the entry's author-year label
    (:func:`scripts.source_labels.labels`; the report adds its own citation
    number). A key that is not in *bib* or is a placeholder gives
    "unsourced"."""
    from scripts.source_labels import labels

    return labels(bib).get(key, "unsourced")


def citations(keys, bib: dict) -> str:
    """Several :func:`citation` joined by "; " (duplicates dropped)."""
    return "; ".join(dict.fromkeys(citation(k, bib) for k in keys))


def record_sources(reference: dict | None, *path) -> list:
    """The ``source`` keys of the reference record at *path* ([] if none)."""
    node = reference or {}
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return []
        node = node[key]
    return list(node.get("source") or []) if isinstance(node, dict) else []


def record_confirmed(reference: dict | None, *path) -> bool:
    """Whether the record at *path* is confirmed from a primary source (an
    unconfirmed value never drives a high-severity flag)."""
    node = reference or {}
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return isinstance(node, dict) and node.get("confirmed") is True
