"""Rat concentration-time profiles per dose group, and the time of the
behavioural test.

* Group profile: per route x dose, the parent's concentrations of the
  group's animals (validated PK table) at each nominal time; the geometric
  mean over the animals with a quantifiable value when at least half of
  the group is quantifiable, else the time point counts as below the LLOQ
  (0 before the first quantifiable point, dropped after the last).
  Profiles sampled beyond one dosing interval (multiple-dose profiles) are
  not used.
* Between samples: log-linear interpolation (linear where a value is 0).
  Before the first sample: linear from 0 at the dose (extravascular), or
  log-linear back-extrapolation of the first two samples (IV, when they
  decline; else the first value). After the last quantifiable sample: Clast x exp(-lambda_z (t -
  tlast)), lambda_z the geometric mean of the group's animals in
  ``nca.csv`` (else of all the species' parent profiles).
* A behavioural dose with no PK at that dose and route is a model-scaled
  profile: the nearest PK dose of the same route (log scale; another route
  when none, marked cross-route) scaled by dose / PK dose (linear PK).
* Chronic regimen: steady state by superposition of the single-dose group
  profile every ``dosing_interval_h``.
* Test time: study.yaml ``dose_to_test_h`` (per test and regimen, per
  regimen, hours after the last dose, or a [start, end] window whose
  exposure is averaged), else the config ``translation.dose_to_test_h``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scripts.tables import InputError
from scripts.translation.common import compound_rows, geometric_mean, is_empty, species_rows


@dataclass
class GroupProfile:
    route: str
    dose_mg_kg: float
    times_h: np.ndarray
    conc_ng_mL: np.ndarray
    lambda_z_per_h: float
    n_animals: int
    source: str  # "measured" or "scaled from ..."
    scale: float = 1.0

    def single(self, t) -> np.ndarray:
        """Single-dose concentration (ng/mL) at *t* h after the dose."""
        t = np.atleast_1d(np.asarray(t, float))
        times, conc = self.times_h, self.conc_ng_mL
        out = np.zeros_like(t)
        if times.size == 0:
            return out * np.nan
        first, last = times[0], times[-1]
        before = t < first
        if self.route == "iv":
            decline = times.size > 1 and 0 < conc[1] < conc[0]
            slope = math.log(conc[0] / conc[1]) / (times[1] - times[0]) if decline else 0.0
            out[before] = conc[0] * np.exp(slope * (first - t[before]))
        elif first > 0:
            out[before] = conc[0] * t[before] / first
        inside = (t >= first) & (t <= last)
        out[inside] = _log_linear(times, conc, t[inside])
        after = t > last
        lz = self.lambda_z_per_h if math.isfinite(self.lambda_z_per_h) else 0.0
        tail = conc[-1] * np.exp(-lz * (t[after] - last))
        out[after] = tail if lz > 0 else 0.0
        out[t < 0] = 0.0
        return out * self.scale

    def steady_state(self, t, tau_h, n_doses=200) -> np.ndarray:
        """Concentration at *t* h after the last of daily doses every
        *tau_h* (superposition of the single-dose profile)."""
        t = np.atleast_1d(np.asarray(t, float))
        shifted = t[None, :] + tau_h * np.arange(n_doses, dtype=float)[:, None]
        return self.single(shifted.ravel()).reshape(n_doses, t.size).sum(axis=0)

    def at(self, t, regimen, tau_h) -> np.ndarray:
        return self.steady_state(t, tau_h) if regimen == "chronic" else self.single(t)


def _log_linear(times, conc, t):
    idx = np.clip(np.searchsorted(times, t, side="right") - 1, 0, len(times) - 2) if len(times) > 1 else None
    if idx is None:
        return np.full_like(t, conc[0])
    t0, t1 = times[idx], times[idx + 1]
    c0, c1 = conc[idx], conc[idx + 1]
    frac = np.where(t1 > t0, (t - t0) / np.where(t1 > t0, t1 - t0, 1.0), 0.0)
    both = (c0 > 0) & (c1 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_part = np.exp(np.log(np.where(both, c0, 1.0)) + frac * np.log(np.where(both, c1 / c0, 1.0)))
    return np.where(both, log_part, c0 + frac * (c1 - c0))


def _lambda_z(nca, species, compound, route=None, dose=None) -> float:
    if is_empty(nca):
        return float("nan")
    rows = compound_rows(species_rows(nca, species), compound, column="analyte")
    if route is not None:
        rows = rows[
            (rows["route"].astype(str).str.lower() == route)
            & np.isclose(rows["dose_mg_kg"].astype(float), dose)
        ]
    return geometric_mean(rows["lambda_z_per_h"]) if "lambda_z_per_h" in rows else float("nan")


def group_profiles(pk, nca, compound, tau_h, species="rat") -> dict:
    """Measured group profiles of the parent per (route, dose) from the
    validated PK rows *pk* (see the module docstring)."""
    out = {}
    if is_empty(pk):
        return out
    rows = compound_rows(species_rows(pk, species), compound, column="analyte")
    if rows.empty:
        return out
    rows = rows.assign(route=rows["route"].astype(str).str.lower())
    last = rows.groupby("animal_id")["time_h"].transform("max")
    rows = rows[last.astype(float) <= tau_h]
    overall = _lambda_z(nca, species, compound)
    for (route, dose), group in rows.groupby(["route", "dose_mg_kg"], sort=True):
        times, conc = [], []
        n_animals = group["animal_id"].nunique()
        for t, at_t in group.groupby("time_h", sort=True):
            values = pd.to_numeric(at_t["concentration_ng_mL"], errors="coerce")
            quant = values[(~at_t["blq"].astype(str).str.lower().eq("true")) & values.notna() & (values > 0)]
            times.append(float(t))
            conc.append(geometric_mean(quant) if len(quant) >= len(at_t) / 2.0 else 0.0)
        times, conc = np.asarray(times), np.asarray(conc)
        positive = np.nonzero(conc > 0)[0]
        if positive.size == 0:
            continue
        keep = slice(0, positive[-1] + 1)
        lz = _lambda_z(nca, species, compound, route, float(dose))
        out[(route, float(dose))] = GroupProfile(
            route=route,
            dose_mg_kg=float(dose),
            times_h=times[keep],
            conc_ng_mL=conc[keep],
            lambda_z_per_h=lz if math.isfinite(lz) else overall,
            n_animals=int(n_animals),
            source="measured",
        )
    return out


def profile_for(profiles: dict, route, dose) -> GroupProfile | None:
    """The measured profile at *route* x *dose*, else a model-scaled one
    (nearest PK dose of the same route, else of any route), None without
    PK."""
    route, dose = str(route).lower(), float(dose)
    for (r, d), p in profiles.items():
        if r == route and math.isclose(d, dose):
            return p
    if not profiles:
        return None
    same = [p for (r, _), p in profiles.items() if r == route]
    pool = same or [p for (r, _), p in profiles.items() if r != "iv"] or list(profiles.values())
    base = min(pool, key=lambda p: abs(math.log(p.dose_mg_kg / dose)))
    factor = dose / base.dose_mg_kg
    where = "" if same else "; cross-route (bioavailability differences ignored)"
    return GroupProfile(
        route=route,
        dose_mg_kg=dose,
        times_h=base.times_h,
        conc_ng_mL=base.conc_ng_mL,
        lambda_z_per_h=base.lambda_z_per_h,
        n_animals=base.n_animals,
        source=(
            f"model-scaled from {base.route} {base.dose_mg_kg:g} mg/kg x {factor:.3g} (linear PK assumed){where}"
        ),
        scale=factor,
    )


def dose_to_test_window(study: dict, cfg: dict, test, regimen) -> tuple:
    """(start_h, end_h, source) of the behavioural test after the last dose:
    study.yaml ``dose_to_test_h`` per test and regimen, then per regimen,
    then the config default; start == end for a time point."""
    given = study.get("dose_to_test_h") or {}
    value, source = None, ""
    spec = given.get(test)
    if isinstance(spec, dict) and spec.get(regimen) is not None:
        value, source = spec[regimen], f"study.yaml dose_to_test_h.{test}.{regimen}"
    elif spec is not None and not isinstance(spec, dict):
        value, source = spec, f"study.yaml dose_to_test_h.{test}"
    elif given.get(regimen) is not None:
        value, source = given[regimen], f"study.yaml dose_to_test_h.{regimen}"
    else:
        value = cfg["dose_to_test_h"][regimen]
        source = f"default (config translation.dose_to_test_h.{regimen})"
    if isinstance(value, (list, tuple)):
        start, end = float(value[0]), float(value[1])
        if end < start:
            raise InputError("study.yaml", f"dose_to_test_h: window {list(value)} ends before it starts")
        return start, end, source
    return float(value), float(value), source


def window_mean(values_fn, start, end, step) -> float:
    """The value at *start* (a time point) or the time-average over
    [start, end] (trapezoid on a grid of *step* h)."""
    if end <= start:
        return float(values_fn(np.array([start]))[0])
    n = max(int(math.ceil((end - start) / step)), 1)
    t = np.linspace(start, end, n + 1)
    return float(np.trapezoid(values_fn(t), t) / (end - start))
