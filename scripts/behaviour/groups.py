"""Groups and their order.

* A group is ``treatment`` + ``dose_mg_kg``. The vehicle group is every
  animal whose treatment is the configured ``vehicle_label``
  (case-insensitive), whatever its dose. A reference drug (e.g. imipramine)
  is simply another treatment, so each of its doses is its own group.
* Group order everywhere (tables, figure): vehicle first, then the
  treatments listed in ``treatments`` (e.g. the study compound), then any
  other treatment in order of first appearance in the file; doses ascending
  within a treatment.
* Regimens (acute, chronic) are analysed separately, in the order of the
  ``regimen`` values in ``workflow/schemas/behaviour.schema.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scripts.validation import load_schema

REGIMENS = tuple(load_schema("behaviour.schema.yaml")["properties"]["regimen"]["enum"])


@dataclass(frozen=True)
class Group:
    treatment: str
    dose_mg_kg: float
    is_vehicle: bool

    @property
    def label(self) -> str:
        if self.is_vehicle:
            return self.treatment
        return f"{self.treatment} {self.dose_mg_kg:g} mg/kg"


def regimens_present(regimens) -> list:
    """The regimens among *regimens* (a column), in analysis order."""
    present = set(regimens)
    return [r for r in REGIMENS if r in present]


def group_order(long: pd.DataFrame, treatments=None) -> list:
    """Groups of an endpoint table in display order: vehicle first, then the
    treatments listed in *treatments* (those present), then the others by
    first appearance; doses ascending within a treatment."""
    order = []
    if treatments is not None:
        order = [str(t).strip().lower() for t in treatments]
    for treatment in long.loc[~long["is_vehicle"], "treatment"]:
        if treatment not in order:
            order.append(treatment)
    groups = []
    vehicle_rows = long[long["is_vehicle"]]
    if len(vehicle_rows):
        groups.append(Group(vehicle_rows["treatment"].iloc[0], 0.0, True))
    for treatment in order:
        doses = sorted(
            long.loc[(long["treatment"] == treatment) & ~long["is_vehicle"], "dose_mg_kg"].unique()
        )
        groups.extend(Group(treatment, float(d), False) for d in doses)
    return groups


def group_rows(long: pd.DataFrame, group: Group, analysed_only=True) -> pd.DataFrame:
    """The rows of *group* in an endpoint table; only the analysed
    (not excluded) animals unless *analysed_only* is False."""
    if group.is_vehicle:
        mask = long["is_vehicle"]
    else:
        mask = (
            (long["treatment"] == group.treatment)
            & (long["dose_mg_kg"] == group.dose_mg_kg)
            & ~long["is_vehicle"]
        )
    if analysed_only:
        mask = mask & ~long["excluded"]
    return long[mask]
