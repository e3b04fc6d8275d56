"""Realised sample means of the example study's behaviour files, for the
ground truth (how far sampling noise moved each group from its true mean)."""

from __future__ import annotations

import csv
import io

import numpy as np

from .common import sigf


def _endpoint(test: str, row: dict):
    """Primary endpoint of one animal, computed the plain way (None if blank)."""
    try:
        if test == "fst":
            return sum(float(row[f"immobility_min{i}"]) for i in range(3, 7))
        if test == "open_field":
            return float(row["distance_cm"])
        if test == "sucrose_preference":
            sucrose, water = float(row["sucrose_ml"]), float(row["water_ml"])
            return 100.0 * sucrose / (sucrose + water)
        opened, closed = float(row["open_arm_time_s"]), float(row["closed_arm_time_s"])
        return 100.0 * opened / (opened + closed)
    except ValueError:
        return None


REALISED_LABEL = {
    "fst": "immobility_last4_s",
    "open_field": "distance_cm",
    "sucrose_preference": "preference_pct",
    "elevated_plus_maze": "open_arm_time_pct",
}


def realised_behaviour(files: dict[str, str]) -> dict:
    """Sample means of the generated data (non-excluded animals), so users can
    see how far sampling noise moved each group from its true mean."""
    summary = {}
    for test, label in REALISED_LABEL.items():
        groups: dict[tuple, list[float]] = {}
        for row in csv.DictReader(io.StringIO(files[f"behaviour/{test}.csv"])):
            value = _endpoint(test, row)
            if row["excluded"] == "true" or value is None:
                continue
            key = (row["regimen"], row["treatment"], int(row["dose_mg_kg"]))
            groups.setdefault(key, []).append(value)
        summary[test] = [
            dict(
                regimen=r,
                treatment=t,
                dose_mg_kg=d,
                n=len(v),
                **{f"sample_mean_{label}": sigf(float(np.mean(v)))},
            )
            for (r, t, d), v in sorted(groups.items())
        ]
    return summary
