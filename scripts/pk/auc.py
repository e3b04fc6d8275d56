"""The points of one profile and the areas under them.

* BLQ (PKNCA ``conc.blq``): BLQ before the first quantifiable sample -> 0;
  BLQ between quantifiable samples -> dropped; BLQ after the last
  quantifiable sample -> dropped (config ``blq_first/middle/last``, each
  ``zero`` or ``drop``). PKNCA's own default for "last" is "keep" (as 0);
  it only changes AUCall, which is not computed here, because AUClast and
  λz stop at Tlast either way.
* Time zero: extravascular -> C = 0 inserted at t = 0 unless sampled; a
  quantifiable pre-dose (t = 0) sample is kept and flagged. IV bolus -> C0
  is an observed quantifiable t = 0 sample if any (PKNCA ``c0``, flagged),
  else log-linear back-extrapolation from the first two post-dose points
  when they decline (PKNCA ``logslope``), else the first observation (PKNCA
  ``c1``, flagged ``c0_first_observation``).
* AUC: linear-up/log-down (log trapezoid on a declining segment with both
  concentrations > 0, linear otherwise) or ``linear`` (config
  ``auc_method``). The IV segment from C0 to the first sample uses the same
  rule (as PKNCA's ``auciv`` and WinNonlin do).
"""

from __future__ import annotations

import math

import numpy as np

from scripts.pk.conventions import EXTRAVASCULAR_ROUTES


def apply_blq_rules(time, conc, blq, first, middle, last):
    """Apply the BLQ rules to one profile sorted by time.

    *conc* is NaN where *blq* is True. BLQ samples before the first
    quantifiable sample follow *first*, those between quantifiable samples
    *middle*, those after the last quantifiable sample *last*; each rule is
    ``zero`` (keep as 0) or ``drop``. PKNCA's rules are first zero, middle
    drop, and last keep, which gives the same AUClast as last drop.

    Returns ``(time, conc, n_middle_dropped)``; a profile with no
    quantifiable sample returns empty arrays.
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    blq = np.asarray(blq, bool)
    quantifiable = np.flatnonzero(~blq)
    if quantifiable.size == 0:
        return np.array([]), np.array([]), 0
    first_q, last_q = quantifiable[0], quantifiable[-1]
    position = np.arange(time.size)
    rule = np.where(position < first_q, first, np.where(position > last_q, last, middle))
    keep = ~blq | (rule == "zero")
    out = np.where(blq, 0.0, conc)
    n_middle_dropped = int(np.sum(blq & (rule == "drop") & (position > first_q) & (position < last_q)))
    return time[keep], out[keep], n_middle_dropped


def back_extrapolate_c0(time, conc):
    """C0 for an IV bolus from post-dose samples (*time* > 0, sorted).

    PKNCA ``logslope``: when the first two points decline and are both
    > 0, C0 = C1 * (C1/C2) ** (t1 / (t2 - t1)) (log-linear back to t = 0).
    Otherwise PKNCA ``c1``: C0 = first observation. Returns
    ``(c0, method)`` with method ``log_linear`` or ``first_observation``
    (``none`` and NaN without post-dose samples).
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    if time.size == 0:
        return float("nan"), "none"
    if time.size >= 2 and conc[0] > conc[1] > 0:
        t1, t2 = time[0], time[1]
        return float(conc[0] * (conc[0] / conc[1]) ** (t1 / (t2 - t1))), "log_linear"
    return float(conc[0]), "first_observation"


def add_time_zero(time, conc, route):
    """Return ``(time, conc, c0, flags)`` with a t = 0 point in place.

    Extravascular routes: C = 0 inserted at t = 0 unless t = 0 was sampled;
    a quantifiable (> 0) t = 0 sample is kept and flagged
    ``predose_nonzero``. IV bolus: a quantifiable t = 0 sample is used as C0
    (flag ``c0_observed_at_t0``); otherwise any t = 0 zero is replaced by C0
    from :func:`back_extrapolate_c0` (flag ``c0_first_observation`` when
    log-linear back-extrapolation was not possible).
    """
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    flags = []
    has_zero = time.size > 0 and time[0] == 0
    if route in EXTRAVASCULAR_ROUTES:
        if has_zero:
            if conc[0] > 0:
                flags.append("predose_nonzero")
            return time, conc, float(conc[0]), flags
        return np.r_[0.0, time], np.r_[0.0, conc], 0.0, flags
    if has_zero and conc[0] > 0:
        flags.append("c0_observed_at_t0")
        return time, conc, float(conc[0]), flags
    if has_zero:
        time, conc = time[1:], conc[1:]
    c0, method = back_extrapolate_c0(time, conc)
    if method == "first_observation":
        flags.append("c0_first_observation")
    if method == "none":
        return time, conc, c0, flags
    return np.r_[0.0, time], np.r_[c0, conc], c0, flags


def _is_log_segment(c1, c2, method):
    return method == "lin_up_log_down" and c2 < c1 and c1 > 0 and c2 > 0


def _segments(time, conc):
    """(t1, t2, C1, C2) of each pair of consecutive samples."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    return zip(time[:-1], time[1:], conc[:-1], conc[1:])


def auc_segments(time, conc, method):
    """Area of each trapezoid between consecutive samples (ng*h/mL).

    Linear: dt * (C1 + C2) / 2. Log (only with ``lin_up_log_down`` on a
    declining segment with both C > 0): dt * (C1 - C2) / ln(C1 / C2).
    """
    areas = []
    for t1, t2, c1, c2 in _segments(time, conc):
        dt = t2 - t1
        if _is_log_segment(c1, c2, method):
            areas.append(dt * (c1 - c2) / math.log(c1 / c2))
        else:
            areas.append(dt * (c1 + c2) / 2.0)
    return np.asarray(areas, float)


def aumc_segments(time, conc, method):
    """First-moment area (t*C) of each segment (ng*h^2/mL).

    Linear: dt * (t1*C1 + t2*C2) / 2. Log segment (same condition as
    :func:`auc_segments`), exact for C = C1*exp(-k(t - t1)), L = ln(C1/C2):
    dt*(t1*C1 - t2*C2)/L + dt^2*(C1 - C2)/L^2.
    """
    areas = []
    for t1, t2, c1, c2 in _segments(time, conc):
        dt = t2 - t1
        if _is_log_segment(c1, c2, method):
            log_ratio = math.log(c1 / c2)
            areas.append(dt * (t1 * c1 - t2 * c2) / log_ratio + dt**2 * (c1 - c2) / log_ratio**2)
        else:
            areas.append(dt * (t1 * c1 + t2 * c2) / 2.0)
    return np.asarray(areas, float)


def _sum_to_tlast(segments, time, conc, method):
    """*segments* (:func:`auc_segments` or :func:`aumc_segments`) summed from
    the first point to Tlast (the last concentration > 0); NaN without one."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    positive = np.flatnonzero(conc > 0)
    if positive.size == 0:
        return float("nan")
    stop = positive[-1] + 1
    return float(np.sum(segments(time[:stop], conc[:stop], method)))


def auc_to_tlast(time, conc, method):
    """AUClast: the segments summed from the first point to Tlast (the last
    concentration > 0); trailing zeros (BLQ kept as 0) add nothing."""
    return _sum_to_tlast(auc_segments, time, conc, method)


def aumc_to_tlast(time, conc, method):
    """AUMClast, the first-moment analogue of :func:`auc_to_tlast`."""
    return _sum_to_tlast(aumc_segments, time, conc, method)


def interpolate_conc(time, conc, at, method):
    """Concentration at time *at* inside [time[0], time[-1]] (PKNCA
    ``interpolate.conc``): the observed value at a sampled time, otherwise
    interpolated between the neighbouring points, log-linearly on a segment
    the AUC integrates with the log trapezoid (:func:`auc_segments`'s rule),
    linearly otherwise."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    hit = np.flatnonzero(np.isclose(time, at, rtol=0, atol=1e-9))
    if hit.size:
        return float(conc[hit[0]])
    i = int(np.searchsorted(time, at)) - 1
    t1, t2, c1, c2 = time[i], time[i + 1], conc[i], conc[i + 1]
    fraction = (at - t1) / (t2 - t1)
    if _is_log_segment(c1, c2, method):
        return float(c1 * math.exp(math.log(c2 / c1) * fraction))
    return float(c1 + (c2 - c1) * fraction)


def partial_auc(time, conc, start, end, method):
    """AUC from *start* to *end* (PKNCA ``aucint.last``) of the points of a
    profile (after the BLQ rules, with its time-zero point): concentrations
    at unsampled boundaries interpolated (:func:`interpolate_conc`), the
    segments integrated as :func:`auc_segments`, and nothing after Tlast
    (later samples were BLQ). The caller checks that *end* was sampled
    to (NaN is never extrapolated here)."""
    time = np.asarray(time, float)
    conc = np.asarray(conc, float)
    positive = np.flatnonzero(conc > 0)
    if positive.size == 0 or start < time[0]:
        return float("nan")
    time, conc = time[: positive[-1] + 1], conc[: positive[-1] + 1]
    end = min(end, time[-1])
    if end <= start:
        return 0.0
    inside = (time > start + 1e-9) & (time < end - 1e-9)
    t = np.r_[start, time[inside], end]
    c = np.r_[
        interpolate_conc(time, conc, start, method), conc[inside], interpolate_conc(time, conc, end, method)
    ]
    return float(np.sum(auc_segments(t, c, method)))
