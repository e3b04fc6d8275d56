"""Inventory of a validated study: what was provided, in what design.

Built from the validated tables only; later steps and the report use it to
say what was analysed and what was "not provided".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scripts.validation.groups import treatment_key
from scripts.validation.study import AREA_FOLDERS


def kind_of(path) -> str:
    """Input kind of a validated table path .../validated/<kind>/<stem>.csv."""
    return Path(path).parent.name


def tables_by_kind(tables: dict[str, pd.DataFrame]) -> dict[str, list[pd.DataFrame]]:
    """Validated tables (path → table) grouped by input kind."""
    by_kind: dict[str, list[pd.DataFrame]] = {}
    for path, table in tables.items():
        by_kind.setdefault(kind_of(path), []).append(table)
    return by_kind


def file_inventory(tables: dict[str, pd.DataFrame], warnings: dict[str, pd.DataFrame]):
    rows = []
    for path, table in tables.items():
        warn_path = str(path).removesuffix(".csv") + ".warnings.csv"
        n_warnings = len(warnings.get(warn_path, []))
        rows.append(
            {
                "kind": kind_of(path),
                "name": Path(path).stem,
                "source_file": table["source_file"].iloc[0] if len(table) else "",
                "n_rows": len(table),
                "n_warnings": n_warnings,
            }
        )
    return pd.DataFrame(rows, columns=["kind", "name", "source_file", "n_rows", "n_warnings"])


def area_inventory(files: pd.DataFrame) -> pd.DataFrame:
    """Which areas the study provides; a missing folder reads "not provided"."""
    rows = []
    for area in AREA_FOLDERS:
        n = int((files["kind"] == area).sum()) if len(files) else 0
        rows.append({"area": area, "n_files": n, "status": "provided" if n else "not provided"})
    return pd.DataFrame(rows)


def receptor_inventory(binding: list[pd.DataFrame], saturation: list[pd.DataFrame]):
    columns = [
        "receptor",
        "species",
        "radioligand",
        "assays",
        "n_competitor_wells",
        "n_concentrations",
        "saturation_run",
    ]
    if not binding:
        return pd.DataFrame(columns=columns)
    data = pd.concat(binding, ignore_index=True)
    sat = (
        pd.concat(saturation, ignore_index=True)
        if saturation
        else pd.DataFrame(columns=["receptor", "species", "radioligand"])
    )
    sat_keys = set(zip(sat["receptor"], sat["species"], sat["radioligand"]))
    rows = []
    for (receptor, species, ligand), group in data.groupby(["receptor", "species", "radioligand"], sort=True):
        comp = group[group["well_type"] == "competitor"]
        rows.append(
            {
                "receptor": receptor,
                "species": species,
                "radioligand": ligand,
                "assays": ";".join(sorted(group["assay"].astype(str).unique())),
                "n_competitor_wells": len(comp),
                "n_concentrations": comp["concentration_M"].nunique(),
                "saturation_run": "yes" if (receptor, species, ligand) in sat_keys else "no",
            }
        )
    return pd.DataFrame(rows, columns=columns)


def behaviour_inventory(behaviour: list[pd.DataFrame]):
    """Groups per test (treatment trimmed and in lower case, as analysed)."""
    columns = ["test", "treatment", "dose_mg_kg", "route", "regimen", "n_animals", "n_excluded", "n_analysed"]
    if not behaviour:
        return pd.DataFrame(columns=columns)
    data = pd.concat(behaviour, ignore_index=True)
    # Grouped as the statistics group them: 'Vehicle' and 'vehicle' are one.
    data["treatment"] = data["treatment"].map(treatment_key)
    grouped = data.groupby(["test", "treatment", "dose_mg_kg", "route", "regimen"], sort=True)
    out = grouped.agg(n_animals=("animal_id", "size"), n_excluded=("excluded", "sum"))
    out = out.reset_index()
    out["n_excluded"] = out["n_excluded"].astype(int)
    out["n_analysed"] = out["n_animals"] - out["n_excluded"]
    return out[columns]


def exclusion_inventory(behaviour: list[pd.DataFrame]):
    columns = ["test", "animal_id", "treatment", "dose_mg_kg", "regimen", "exclusion_reason"]
    if not behaviour:
        return pd.DataFrame(columns=columns)
    data = pd.concat(behaviour, ignore_index=True)
    return data.loc[data["excluded"].astype(bool), columns].sort_values(["test", "animal_id"])


def pk_inventory(pk: list[pd.DataFrame]):
    columns = ["species", "route", "dose_mg_kg", "analyte", "n_animals", "n_samples", "n_blq"]
    if not pk:
        return pd.DataFrame(columns=columns)
    data = pd.concat(pk, ignore_index=True)
    grouped = data.groupby(["species", "route", "dose_mg_kg", "analyte"], sort=True)
    out = grouped.agg(
        n_animals=("animal_id", "nunique"), n_samples=("time_h", "size"), n_blq=("blq", "sum")
    ).reset_index()
    out["n_blq"] = out["n_blq"].astype(int)
    return out[columns]


def all_warnings(warnings: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frames = []
    for path, frame in warnings.items():
        if len(frame):
            frame = frame.copy()
            frame.insert(0, "kind", kind_of(path))
            frames.append(frame)
    columns = ["kind", "file", "row", "column", "message"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
