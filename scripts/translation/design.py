"""What the study contains, from the inventory tables: the basis of every
design-aware recommendation (a recommendation never asks for what the study
already did) and of the design flags (route-mismatched control, single sex).

Inputs: ``inventory/behaviour_groups.csv`` (test, treatment, dose_mg_kg,
route, regimen), ``inventory/pk_design.csv`` (species, route, dose_mg_kg,
analyte), ``inventory/receptors.csv`` (receptor, species) and the sexes of
the analysed animals (from the behaviour ``endpoints.csv`` tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from scripts.translation.common import compound_rows, is_empty
from scripts.translation.effective import LOCOMOTOR_TEST


@dataclass
class Design:
    """The study's design as far as translation needs it."""

    compound: str
    tests: list = field(default_factory=list)  # behaviour tests with a group of the compound
    regimens: list = field(default_factory=list)  # regimens of the compound
    behaviour_doses: list = field(default_factory=list)  # (dose mg/kg, route) of the compound
    has_locomotor_test: bool = False
    pk_routes: list = field(default_factory=list)  # rat routes with parent PK
    pk_doses: list = field(default_factory=list)  # (dose mg/kg, route), rat parent PK
    has_iv_arm: bool = False
    analytes_measured: list = field(default_factory=list)  # rat analytes other than the parent
    receptor_species: dict = field(default_factory=dict)  # receptor -> sorted species
    sexes: list = field(default_factory=list)

    @property
    def has_chronic_arm(self) -> bool:
        return "chronic" in self.regimens

    @property
    def has_human_receptors(self) -> bool:
        return any("human" in s for s in self.receptor_species.values())

    @property
    def pk_at_behaviour_doses(self) -> bool:
        pk = {(round(d, 9), r) for d, r in self.pk_doses}
        return bool(self.behaviour_doses) and all((round(d, 9), r) in pk for d, r in self.behaviour_doses)

    @property
    def metabolites_measured(self) -> bool:
        return bool(self.analytes_measured)


def study_design(compound, behaviour_groups=None, pk_design=None, receptors=None, sexes=()) -> Design:
    """Read the :class:`Design` of *compound*'s study off the inventory
    tables (any of them None or empty: that part is absent)."""
    d = Design(compound=str(compound))
    rows = compound_rows(behaviour_groups, compound)
    if not is_empty(rows):
        rows = rows[pd.to_numeric(rows["dose_mg_kg"], errors="coerce") > 0]
        d.tests = sorted(rows["test"].astype(str).unique())
        d.regimens = sorted(rows["regimen"].astype(str).str.lower().unique())
        d.behaviour_doses = sorted(
            {(float(x), str(r).lower()) for x, r in zip(rows["dose_mg_kg"], rows["route"], strict=True)}
        )
    if not is_empty(behaviour_groups):
        d.has_locomotor_test = bool((behaviour_groups["test"].astype(str) == LOCOMOTOR_TEST).any())
    if not is_empty(pk_design):
        rat = pk_design[pk_design["species"].astype(str).str.lower() == "rat"]
        parent = compound_rows(rat, compound, column="analyte")
        d.pk_routes = sorted(parent["route"].astype(str).str.lower().unique())
        d.pk_doses = sorted(
            {(float(x), str(r).lower()) for x, r in zip(parent["dose_mg_kg"], parent["route"], strict=True)}
        )
        d.has_iv_arm = "iv" in d.pk_routes
        others = rat[rat["analyte"].astype(str).str.lower() != str(compound).lower()]
        d.analytes_measured = sorted(others["analyte"].astype(str).unique())
    if not is_empty(receptors):
        for receptor, group in receptors.groupby("receptor", sort=True):
            d.receptor_species[str(receptor)] = sorted(group["species"].astype(str).str.lower().unique())
    d.sexes = sorted({str(s).strip().upper() for s in sexes if str(s).strip()})
    return d


def route_mismatches(behaviour_groups, vehicle_label) -> pd.DataFrame:
    """Treatment groups given by a route that no vehicle group of the same
    test and regimen shares (columns test, regimen, treatment, route,
    vehicle_routes)."""
    columns = ["test", "regimen", "treatment", "route", "vehicle_routes"]
    if is_empty(behaviour_groups):
        return pd.DataFrame(columns=columns)
    g = behaviour_groups.assign(
        _t=behaviour_groups["treatment"].astype(str).str.strip().str.lower(),
        _r=behaviour_groups["route"].astype(str).str.strip().str.lower(),
    )
    vehicle = str(vehicle_label).strip().lower()
    out = []
    for (test, regimen), block in g.groupby(["test", "regimen"], sort=True):
        veh = set(block.loc[block["_t"] == vehicle, "_r"])
        if not veh:
            continue
        for (treatment, route), _ in block[block["_t"] != vehicle].groupby(["treatment", "_r"], sort=True):
            if route not in veh:
                out.append(
                    {
                        "test": test,
                        "regimen": regimen,
                        "treatment": treatment,
                        "route": route,
                        "vehicle_routes": ";".join(sorted(veh)),
                    }
                )
    return pd.DataFrame(out, columns=columns)
