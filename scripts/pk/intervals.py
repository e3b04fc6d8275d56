"""Multiple-dose NCA: one row per profile x dosing interval
(``intervals.csv``), from the dosing records of ``pk/dosing.csv``.

Conventions (PKNCA's interval NCA; WinNonlin's names in brackets):

* Interval k runs from dose k (``start_h``) to dose k + 1 (``end_h``); the
  last dose's interval has the length of the one before it (the regimen's
  τ). A single dose has no dosing interval and no row. Both ends belong to
  the interval: the sample at ``end_h`` is the pre-dose (trough) sample of
  the next dose, taken before it is given.
* An interval with no sample has no row. An interval sampled only at its
  ends (the pre-dose troughs of a chronic design between its profile
  days) reports Cmin and Ctrough only: its AUCτ, Cmax and the values
  derived from them are blank.
* The BLQ rules of the profile NCA apply within each interval: a BLQ
  before the interval's first measurable sample counts as 0 (as in
  PKNCA), later BLQ samples are dropped (config ``blq_*``).
* ``cmax_ng_mL``/``cmin_ng_mL``: the highest/lowest of those values in
  [start, end]; ``tmax_h`` is counted from the interval's dose.
  ``ctrough_ng_mL`` [Ctau] is the value at ``end_h``, blank where it was not
  sampled (or was BLQ and dropped).
* AUCτ integrates the interval's points with the profile's ``auc_method``.
  Its start: the sample at the dose time; an extravascular dose or an
  infusion not sampled at its first dose starts at 0; an IV bolus starts
  at its C0, back-extrapolated log-linearly from the first two samples
  after the dose (PKNCA ``logslope``; the pre-dose sample counts in Cmin
  only). AUCτ needs a sample at ``end_h`` (PKNCA interpolates or
  extrapolates instead; here an unsampled end leaves AUCτ blank, so no
  value rests on a model); when that sample is BLQ, nothing is added after
  the interval's last quantifiable sample (PKNCA ``aucint.last``).
* ``cav_ng_mL`` = AUCτ/τ; ``fluctuation_pct`` = 100·(Cmax − Cmin)/Cav;
  ``swing`` = (Cmax − Cmin)/Cmin, blank where Cmin is 0.
* ``accumulation_ratio_observed`` = AUCτ of this interval / AUCτ of the
  first, in the same animal and analyte.
* ``accumulation_ratio_predicted`` = 1/(1 − e^(−λz·τ)), with λz of the
  profile's first interval (nca.csv): the trough-based accumulation index
  of a one-compartment model at steady state, not an AUC ratio.
"""

from __future__ import annotations

import math

import numpy as np

from scripts.pk.auc import apply_blq_rules, auc_segments, back_extrapolate_c0

TOL = 1e-9


def dose_intervals(dose_times) -> list[tuple[int, float, float]]:
    """``(dose_number, start, end)`` of each dosing interval of sorted
    *dose_times*; the last dose repeats the interval before it; a single
    dose gives none."""
    times = [float(t) for t in dose_times]
    if len(times) < 2:
        return []
    ends = times[1:] + [times[-1] + (times[-1] - times[-2])]
    return [(k + 1, start, end) for k, (start, end) in enumerate(zip(times, ends))]


def _interval_auc(t, c, start, end, first_dose, iv_bolus, method, end_sampled):
    """AUCτ of one interval's points (after the BLQ rules); NaN when the
    interval's end was not sampled or its start cannot be established (see
    the module rules). A BLQ sample at the end (dropped by the BLQ rules)
    adds nothing after the interval's last quantifiable sample (PKNCA
    ``aucint.last``)."""
    if t.size == 0 or not end_sampled:
        return float("nan")
    if iv_bolus:
        after = t > start + TOL
        c0, how = back_extrapolate_c0(t[after] - start, c[after])
        if how == "none":
            return float("nan")
        t, c = np.r_[start, t[after]], np.r_[c0, c[after]]
    elif not np.isclose(t[0], start, atol=TOL, rtol=0):
        if not first_dose:
            return float("nan")
        t, c = np.r_[start, t], np.r_[0.0, c]
    return float(np.sum(auc_segments(t, c, method)))


def interval_rows(time, conc, blq, doses, lambda_z, settings, iv_bolus=False) -> list[dict]:
    """The intervals of one profile (columns of
    :data:`~scripts.pk.conventions.INTERVAL_COLUMNS` without the keys).

    *time*, *conc*, *blq* are the profile's samples (conc NaN where BLQ),
    *doses* its sorted dose times, *lambda_z* the profile's λz (NaN when
    not reportable), *settings* the ``pk`` section (``blq_*``,
    ``auc_method``), *iv_bolus* whether the doses are IV boluses.
    """
    order = np.argsort(np.asarray(time, float), kind="stable")
    time = np.asarray(time, float)[order]
    conc = np.asarray(conc, float)[order]
    blq = np.asarray(blq, bool)[order]
    rows = []
    first_auc = float("nan")
    for number, start, end in dose_intervals(doses):
        inside = (time >= start - TOL) & (time <= end + TOL)
        if not inside.any():
            continue
        within = bool(np.any((time > start + TOL) & (time < end - TOL)))
        t, c, _ = apply_blq_rules(
            time[inside],
            conc[inside],
            blq[inside],
            settings["blq_first"],
            settings["blq_middle"],
            settings["blq_last"],
        )
        tau = end - start
        row = dict(dose_number=number, start_h=start, end_h=end, tau_h=tau)
        end_sampled = bool(np.any(np.isclose(time, end, atol=TOL, rtol=0)))
        auc = (
            _interval_auc(t, c, start, end, number == 1, iv_bolus, settings["auc_method"], end_sampled)
            if within
            else math.nan
        )
        if number == 1:
            first_auc = auc
        cmax = cmin = tmax = ctrough = float("nan")
        if t.size:
            cmin = float(np.min(c))
        if t.size and within:
            imax = int(np.argmax(c))
            cmax, tmax = float(c[imax]), float(t[imax] - start)
        if t.size:
            at_end = np.flatnonzero(np.isclose(t, end, atol=TOL, rtol=0))
            ctrough = float(c[at_end[0]]) if at_end.size else float("nan")
        cav = auc / tau
        row.update(
            auc_tau_ng_h_mL=auc,
            cmax_ng_mL=cmax,
            tmax_h=tmax,
            cmin_ng_mL=cmin,
            ctrough_ng_mL=ctrough,
            cav_ng_mL=cav,
            fluctuation_pct=100.0 * (cmax - cmin) / cav if cav > 0 else float("nan"),
            swing=(cmax - cmin) / cmin if cmin > 0 else float("nan"),
            accumulation_ratio_observed=auc / first_auc if first_auc > 0 else float("nan"),
            accumulation_ratio_predicted=(
                1.0 / (1.0 - math.exp(-lambda_z * tau)) if lambda_z > 0 else float("nan")
            ),
        )
        rows.append(row)
    return rows
