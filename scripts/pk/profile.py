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

from dataclasses import dataclass, field

import numpy as np

from scripts.pk.auc import (
    add_time_zero,
    apply_blq_rules,
    auc_segments,
    auc_to_tlast,
    aumc_to_tlast,
    partial_auc,
)
from scripts.pk.conventions import IV_ROUTES, LAMBDA_Z_DERIVED, NCA_COLUMNS, partial_auc_column
from scripts.pk.lambda_z import (
    LambdaZFit,
    auc_inf_observed,
    auc_pct_extrapolated,
    aumc_inf_observed,
    clearance,
    fit_lambda_z_controlled,
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
    intervals: list = field(default_factory=list)


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


def nca_profile(
    time,
    conc,
    blq,
    route,
    dose_mg_kg,
    settings,
    extra_flags=(),
    metabolite=False,
    infusion=False,
    lambda_z_control=None,
):
    """NCA of one profile (animal x analyte x route x dose).

    *settings* is the ``pk`` config section (``blq_first``, ``blq_middle``,
    ``blq_last``, ``auc_method``, ``min_lambda_z_points``,
    ``min_lambda_z_adj_r2``, ``min_span_ratio``, ``max_auc_pct_extrap``,
    ``lambda_z_require_span``, ``partial_auc_intervals_h``).
    Applies, in order: BLQ rules (:func:`apply_blq_rules`), time zero
    (:func:`add_time_zero`), Cmax/Tmax/Clast/Tlast from observed samples,
    AUClast/AUMClast with ``settings['auc_method']``, partial AUCs over the
    configured intervals (:func:`partial_auc`; blank when the profile was
    not sampled to the interval's end), λz (:func:`fit_lambda_z`, or the
    λz control), then AUCinf(obs) = AUClast + Clast/λz,
    %extrap = 100*(AUCinf - AUClast)/AUCinf, AUMCinf, MRT = AUMCinf/AUCinf,
    t½ = ln2/λz, CL (CL/F) = 1000*dose/AUCinf [L/h/kg], Vz (Vz/F) = CL/λz
    [L/kg], Cmax and AUCinf per mg/kg of dose. For an IV bolus also
    AUMCinf, Vss = CL*MRT and the % of AUCinf back-extrapolated (C0 to
    the first sample). λz-dependent values are NaN (never invented) when
    λz is not estimable.

    Acceptance rules: a fit whose adjusted R² is below
    ``min_lambda_z_adj_r2`` or whose %extrapolated exceeds
    ``max_auc_pct_extrap`` (or whose span is below ``min_span_ratio`` when
    ``lambda_z_require_span``) is not reportable: AUClast, Cmax and the
    fit's diagnostics stay, every λz-derived value
    (:data:`LAMBDA_Z_DERIVED`) is blank, and ``flags`` says why
    (``lambda_z_not_reportable(...)``); a short span is flagged either way.

    Flags (';'-joined): ``no_quantifiable_sample``,
    ``blq_middle_dropped(n=k)``, ``predose_nonzero``, ``c0_observed_at_t0``,
    ``c0_first_observation``, ``lambda_z_not_estimable(...)``,
    ``adj_r2<0.9``, ``span_ratio<2``, ``auc_pct_extrap>20`` (thresholds
    from settings), ``lambda_z_not_reportable(...)``,
    ``lambda_z_points_fixed(reason)``, ``lambda_z_points_excluded(reason)``,
    ``iv_bolus_tmax_not_first_sample``, ``metabolite(no_CL_Vz)``.

    A *metabolite* is formed in the body, not dosed: whatever the route of
    the parent, its profile starts at C = 0 at t = 0 (the extravascular
    rule, never an IV back-extrapolated C0), and CL and Vz are left empty
    because the dose is the parent's. An IV *infusion* also starts at
    C = 0. *lambda_z_control* is ``(action, times, reason)`` from
    ``pk/lambda_z.csv``. Returns a :class:`ProfileResult`.
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
        cmax_per_dose=c_obs[imax] / dose_mg_kg,
    )
    iv_bolus = route in IV_ROUTES and not metabolite and not infusion
    first = 0 if (t_obs[0] > 0 or c_obs[0] > 0) else int(np.argmax(t_obs > 0))
    if iv_bolus and imax != first:
        flags.append("iv_bolus_tmax_not_first_sample")

    t_all, c_all, c0, zero_flags = add_time_zero(t_obs, c_obs, route if iv_bolus else "po")
    flags += zero_flags
    row["c0_ng_mL"] = c0
    auc_last = auc_to_tlast(t_all, c_all, s["auc_method"])
    aumc_last = aumc_to_tlast(t_all, c_all, s["auc_method"])
    row["auc_last_ng_h_mL"] = auc_last
    for start, end in s["partial_auc_intervals_h"]:
        sampled_to_end = time.size and time[-1] >= end - 1e-9
        value = partial_auc(t_all, c_all, start, end, s["auc_method"]) if sampled_to_end else float("nan")
        row[partial_auc_column(start, end)] = value

    control = None
    if lambda_z_control is not None:
        action, times, reason = lambda_z_control
        control = (action, times)
        label = "fixed" if action == "include" else "excluded"
        flags.append(f"lambda_z_points_{label}({reason})")
    fit = fit_lambda_z_controlled(t_obs, c_obs, row["tmax_h"], int(s["min_lambda_z_points"]), control)
    if fit.n_points == 0:
        flags.append(fit.reason)
    else:
        lam, clast, tlast = fit.lambda_z, row["clast_ng_mL"], row["tlast_h"]
        auc_inf = auc_inf_observed(auc_last, clast, lam)
        aumc_inf = aumc_inf_observed(aumc_last, clast, tlast, lam)
        cl = clearance(dose_mg_kg, auc_inf)
        mrt = mean_residence_time(aumc_inf, auc_inf)
        row.update(
            lambda_z_per_h=lam,
            t_half_h=fit.half_life,
            lambda_z_n_points=fit.n_points,
            lambda_z_adj_r2=fit.adj_r2,
            span_ratio=fit.span_ratio,
            lambda_z_start_h=fit.times[0],
            lambda_z_end_h=fit.times[-1],
            auc_inf_ng_h_mL=auc_inf,
            auc_pct_extrap=auc_pct_extrapolated(auc_last, auc_inf),
            cl_L_h_kg=cl,
            vz_L_kg=volume_z(cl, lam),
            mrt_h=mrt,
            auc_inf_per_dose=auc_inf / dose_mg_kg,
        )
        if iv_bolus:
            back = auc_segments(t_all[:2], c_all[:2], s["auc_method"])[0] if t_obs[0] > 0 else 0.0
            row.update(
                aumc_inf_ng_h2_mL=aumc_inf, vss_L_kg=cl * mrt, auc_pct_back_extrap=100.0 * back / auc_inf
            )
        if metabolite:
            row.update(cl_L_h_kg=float("nan"), vz_L_kg=float("nan"))
        flags += _quality_flags(fit, row["auc_pct_extrap"], s)
        failed = _acceptance_failures(fit, row["auc_pct_extrap"], s)
        if failed:
            flags.append(f"lambda_z_not_reportable({','.join(failed)})")
            row.update({c: float("nan") for c in LAMBDA_Z_DERIVED})
    row["flags"] = ";".join(flags)
    return ProfileResult(row, t_obs, c_obs, fit)


def _acceptance_failures(fit, auc_pct_extrap, s):
    """The acceptance rules a λz fit fails (empty when it is reportable)."""
    failed = []
    if _below(fit.adj_r2, s["min_lambda_z_adj_r2"]):
        failed.append(f"adj_r2={fit.adj_r2:.3g}")
    if _below(s["max_auc_pct_extrap"], auc_pct_extrap):
        failed.append(f"auc_pct_extrap={auc_pct_extrap:.3g}")
    if s["lambda_z_require_span"] and _below(fit.span_ratio, s["min_span_ratio"]):
        failed.append(f"span_ratio={fit.span_ratio:.3g}")
    return failed


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
