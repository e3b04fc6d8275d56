"""NCA of one profile (animal x analyte x route x dose): the rules of
:mod:`scripts.pk.auc` and :mod:`scripts.pk.lambda_z` applied in order, with
the quality flags.

* Cmax/Tmax come from observed samples (first Tmax on ties, PKNCA
  ``first.tmax``); C0 and the inserted t = 0 point are not observations.
* Metabolites (analytes other than the named parent compound) are formed,
  not dosed: their profiles start at C = 0 at t = 0 after any route, and CL
  and Vz are not computed for them (flag ``metabolite(no_CL_Vz)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scripts.pk.auc import add_time_zero, apply_blq_rules, auc_to_tlast, aumc_to_tlast
from scripts.pk.conventions import NCA_COLUMNS
from scripts.pk.lambda_z import (
    LambdaZFit,
    auc_inf_observed,
    auc_pct_extrapolated,
    aumc_inf_observed,
    clearance,
    fit_lambda_z,
    mean_residence_time,
    volume_z,
)


@dataclass
class ProfileResult:
    """NCA of one profile: the output row plus the points for diagnostics."""

    row: dict
    time: np.ndarray
    conc: np.ndarray
    fit: LambdaZFit


def _nan_row():
    return {
        c: float("nan")
        for c in NCA_COLUMNS
        if c not in {"animal_id", "species", "route", "dose_mg_kg", "analyte", "flags"}
    }


def _below(value, limit):
    """value < limit beyond floating-point round-off, so a span ratio of
    exactly 2 computed as 1.9999999999 is not flagged."""
    return value < limit - 1e-9 * max(1.0, abs(limit))


def nca_profile(time, conc, blq, route, dose_mg_kg, settings, extra_flags=(), metabolite=False):
    """NCA of one profile (animal x analyte x route x dose).

    *settings* is the ``pk`` config section (``blq_first``, ``blq_middle``,
    ``blq_last``, ``auc_method``, ``min_lambda_z_points``,
    ``min_lambda_z_adj_r2``, ``min_span_ratio``, ``max_auc_pct_extrap``).
    Applies, in order: BLQ rules (:func:`apply_blq_rules`), time zero
    (:func:`add_time_zero`), Cmax/Tmax/Clast/Tlast from observed samples,
    AUClast/AUMClast with ``settings['auc_method']``, λz
    (:func:`fit_lambda_z`), then AUCinf(obs) = AUClast + Clast/λz,
    %extrap = 100*(AUCinf - AUClast)/AUCinf, AUMCinf, MRT = AUMCinf/AUCinf,
    t½ = ln2/λz, CL (CL/F) = 1000*dose/AUCinf [L/h/kg], Vz (Vz/F) = CL/λz
    [L/kg]. λz-dependent values are NaN (never invented) when λz is not
    estimable. Flags (';'-joined): ``no_quantifiable_sample``,
    ``blq_middle_dropped(n=k)``, ``predose_nonzero``, ``c0_observed_at_t0``,
    ``c0_first_observation``, ``lambda_z_not_estimable(...)``,
    ``adj_r2<0.9``, ``span_ratio<2``, ``auc_pct_extrap>20`` (thresholds
    from settings), ``metabolite(no_CL_Vz)``.

    A *metabolite* is formed in the body, not dosed: whatever the route of
    the parent, its profile starts at C = 0 at t = 0 (the extravascular
    rule, never an IV back-extrapolated C0), and CL and Vz are left empty
    because the dose is the parent's. Returns a :class:`ProfileResult`.
    """
    s = settings
    order = np.argsort(np.asarray(time, float), kind="stable")
    time = np.asarray(time, float)[order]
    conc = np.asarray(conc, float)[order]
    blq = np.asarray(blq, bool)[order]
    flags = list(extra_flags) + (["metabolite(no_CL_Vz)"] if metabolite else [])
    row = _nan_row()
    t_obs, c_obs, n_dropped = apply_blq_rules(time, conc, blq, s["blq_first"], s["blq_middle"], s["blq_last"])
    if t_obs.size == 0:
        flags.append("no_quantifiable_sample")
        row["flags"] = ";".join(flags)
        return ProfileResult(row, t_obs, c_obs, LambdaZFit(reason="no_quantifiable_sample"))
    if n_dropped:
        flags.append(f"blq_middle_dropped(n={n_dropped})")

    imax = int(np.argmax(c_obs))  # argmax returns the first maximum (first Tmax on ties)
    positive = np.flatnonzero(c_obs > 0)
    row.update(
        cmax_ng_mL=c_obs[imax],
        tmax_h=t_obs[imax],
        clast_ng_mL=c_obs[positive[-1]],
        tlast_h=t_obs[positive[-1]],
    )

    t_all, c_all, c0, zero_flags = add_time_zero(t_obs, c_obs, "po" if metabolite else route)
    flags += zero_flags
    row["c0_ng_mL"] = c0
    auc_last = auc_to_tlast(t_all, c_all, s["auc_method"])
    aumc_last = aumc_to_tlast(t_all, c_all, s["auc_method"])
    row["auc_last_ng_h_mL"] = auc_last

    fit = fit_lambda_z(t_obs, c_obs, row["tmax_h"], int(s["min_lambda_z_points"]))
    if fit.n_points == 0:
        flags.append(fit.reason)
    else:
        lam, clast, tlast = fit.lambda_z, row["clast_ng_mL"], row["tlast_h"]
        auc_inf = auc_inf_observed(auc_last, clast, lam)
        aumc_inf = aumc_inf_observed(aumc_last, clast, tlast, lam)
        cl = clearance(dose_mg_kg, auc_inf)
        row.update(
            lambda_z_per_h=lam,
            t_half_h=fit.half_life,
            lambda_z_n_points=fit.n_points,
            lambda_z_adj_r2=fit.adj_r2,
            span_ratio=fit.span_ratio,
            auc_inf_ng_h_mL=auc_inf,
            auc_pct_extrap=auc_pct_extrapolated(auc_last, auc_inf),
            cl_L_h_kg=cl,
            vz_L_kg=volume_z(cl, lam),
            mrt_h=mean_residence_time(aumc_inf, auc_inf),
        )
        if metabolite:
            row.update(cl_L_h_kg=float("nan"), vz_L_kg=float("nan"))
        flags += _quality_flags(fit, row["auc_pct_extrap"], s)
    row["flags"] = ";".join(flags)
    return ProfileResult(row, t_obs, c_obs, fit)


def _quality_flags(fit, auc_pct_extrap, s):
    """Flags for a λz fit below ``min_lambda_z_adj_r2`` or
    ``min_span_ratio``, and for %extrapolated above ``max_auc_pct_extrap``."""
    flags = []
    if _below(fit.adj_r2, s["min_lambda_z_adj_r2"]):
        flags.append(f"adj_r2<{s['min_lambda_z_adj_r2']:g}")
    if _below(fit.span_ratio, s["min_span_ratio"]):
        flags.append(f"span_ratio<{s['min_span_ratio']:g}")
    if _below(s["max_auc_pct_extrap"], auc_pct_extrap):
        flags.append(f"auc_pct_extrap>{s['max_auc_pct_extrap']:g}")
    return flags
