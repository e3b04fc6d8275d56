"""Linear oral PK models as sums of exponentials: one compartment or two
compartments with first-order absorption (apparent parameters, F folded
into every clearance and volume), single dose, superposition and the
closed-form steady state.

A single oral dose D at t = 0 gives C(t) = D x sum_i c_i exp(-l_i t). At
steady state with dosing interval tau (an infinite train of doses,
0 <= t <= tau) each term becomes c_i exp(-l_i t) / (1 - exp(-l_i tau)).

* One compartment (CL/F, V/F, ka; k = CL/V):
  c = ka / (V (ka - k)) x [1, -1] for rates [k, ka].
* Two compartments (CL/F, V1/F, Q/F, V2/F, ka; k10 = CL/V1, k12 = Q/V1,
  k21 = Q/V2; alpha > beta the roots of l^2 - (k10 + k12 + k21) l + k10 k21):
  c_alpha = ka (k21 - alpha) / (V1 (ka - alpha) (beta - alpha)),
  c_beta = ka (k21 - beta) / (V1 (ka - beta) (alpha - beta)),
  c_ka = ka (k21 - ka) / (V1 (alpha - ka) (beta - ka))
  (the Laplace-domain solution of gut -> central <-> peripheral; checked
  against a numerical ODE solution in the tests).

AUC of one dose (and AUCtau at steady state) = D / (CL/F) for both.
:meth:`HumanModel.scaled` divides every clearance and volume by one
factor: the same rate constants, every concentration times the factor
(used to calibrate the profile to a steady-state trough). Units: dose mg,
volume L, clearance L/h, concentration ng/mL (mg/L x 1000), time h.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import brentq, minimize_scalar

ONE = "one-compartment"
TWO = "two-compartment"

# --------------------------------------------------------------------------
# One compartment: closed forms
# --------------------------------------------------------------------------


def single_dose(t, dose_mg, cl_f_L_h, v_f_L, ka_per_h):
    """C1(t) in ng/mL after one oral dose at t = 0 (0 before the dose)."""
    t = np.asarray(t, float)
    k = cl_f_L_h / v_f_L
    scale = dose_mg / v_f_L * 1000.0
    tt = np.clip(t, 0.0, None)
    if math.isclose(ka_per_h, k, rel_tol=1e-9):
        c = scale * k * tt * np.exp(-k * tt)
    else:
        c = scale * ka_per_h / (ka_per_h - k) * (np.exp(-k * tt) - np.exp(-ka_per_h * tt))
    return np.where(t < 0, 0.0, c)


def superposition(t, dose_times_h, dose_mg, cl_f_L_h, v_f_L, ka_per_h):
    """Concentration at *t* after doses at *dose_times_h*: the sum of the
    single-dose curves shifted to each dose time (linear PK)."""
    t = np.asarray(t, float)
    return sum(single_dose(t - float(s), dose_mg, cl_f_L_h, v_f_L, ka_per_h) for s in dose_times_h)


def steady_state(t, dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h):
    """Css(t) in ng/mL, closed form of the infinite dose train, t taken
    modulo tau (t = 0 is a dose time)."""
    t = np.mod(np.asarray(t, float), tau_h)
    k = cl_f_L_h / v_f_L
    scale = dose_mg / v_f_L * 1000.0
    ka = ka_per_h
    return (
        scale
        * ka
        / (ka - k)
        * (np.exp(-k * t) / (1.0 - np.exp(-k * tau_h)) - np.exp(-ka * t) / (1.0 - np.exp(-ka * tau_h)))
    )


def ka_from_tmax(tmax_h, k_per_h) -> float:
    """The absorption rate constant ka > k with tmax = ln(ka/k) / (ka - k)
    (single dose); NaN when no such ka exists (tmax >= 1/k)."""
    if not (tmax_h > 0 and tmax_h < 1.0 / k_per_h):
        return float("nan")

    def f(ka):
        return math.log(ka / k_per_h) / (ka - k_per_h) - tmax_h

    return brentq(f, k_per_h * (1 + 1e-9), 1e4)


def tmax_single(k_per_h, ka_per_h) -> float:
    return math.log(ka_per_h / k_per_h) / (ka_per_h - k_per_h)


def tmax_steady_state(k_per_h, ka_per_h, tau_h) -> float:
    """Time of the peak within a dosing interval at steady state."""
    num = ka_per_h * (1.0 - math.exp(-k_per_h * tau_h))
    den = k_per_h * (1.0 - math.exp(-ka_per_h * tau_h))
    return math.log(num / den) / (ka_per_h - k_per_h)


def steady_state_metrics(dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h) -> dict:
    """Cmax,ss, Tmax,ss, Cmin,ss (the trough, at the end of the interval),
    Cav,ss and AUCtau,ss (= D / (CL/F)) of the model."""
    k = cl_f_L_h / v_f_L
    tmax = tmax_steady_state(k, ka_per_h, tau_h)
    auc = dose_mg / cl_f_L_h * 1000.0
    return {
        "cmax_ss_ng_mL": float(steady_state(tmax, dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h)),
        "tmax_ss_h": tmax,
        "cmin_ss_ng_mL": float(steady_state(0.0, dose_mg, tau_h, cl_f_L_h, v_f_L, ka_per_h)),
        "auc_tau_ss_ng_h_mL": auc,
        "cav_ss_ng_mL": auc / tau_h,
    }


# --------------------------------------------------------------------------
# Any linear model as a sum of exponentials
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class HumanModel:
    """Apparent oral parameters; ``q_f_L_h`` and ``v2_f_L`` are NaN for one
    compartment, ``v_f_L`` is V/F (one compartment) or V1/F (two)."""

    kind: str
    cl_f_L_h: float
    v_f_L: float
    ka_per_h: float
    q_f_L_h: float = float("nan")
    v2_f_L: float = float("nan")

    # ------------------------------------------------------------------
    def rates(self) -> tuple:
        """(coefficients in ng/mL per mg, rate constants in 1/h)."""
        ka, v = self.ka_per_h, self.v_f_L
        if self.kind == ONE:
            k = self.cl_f_L_h / v
            if math.isclose(ka, k, rel_tol=1e-9):
                raise ValueError("ka equals k: use the limit form (one_compartment.single_dose)")
            a = 1000.0 * ka / (v * (ka - k))
            return np.array([a, -a]), np.array([k, ka])
        alpha, beta = self.macro_rates()
        k21 = self.q_f_L_h / self.v2_f_L
        s = 1000.0 * ka / v
        coef = [
            s * (k21 - alpha) / ((ka - alpha) * (beta - alpha)),
            s * (k21 - beta) / ((ka - beta) * (alpha - beta)),
            s * (k21 - ka) / ((alpha - ka) * (beta - ka)),
        ]
        return np.array(coef), np.array([alpha, beta, ka])

    def macro_rates(self) -> tuple:
        """(alpha, beta) of the two-compartment disposition, alpha > beta."""
        k10 = self.cl_f_L_h / self.v_f_L
        k12 = self.q_f_L_h / self.v_f_L
        k21 = self.q_f_L_h / self.v2_f_L
        total = k10 + k12 + k21
        root = math.sqrt(total * total - 4.0 * k10 * k21)
        return (total + root) / 2.0, (total - root) / 2.0

    @property
    def k_terminal(self) -> float:
        """The terminal elimination rate constant (k, or beta)."""
        if self.kind == ONE:
            return self.cl_f_L_h / self.v_f_L
        return self.macro_rates()[1]

    @property
    def t_half_h(self) -> float:
        return math.log(2.0) / self.k_terminal

    def scaled(self, factor: float) -> HumanModel:
        """Every clearance and volume divided by *factor*: concentrations x
        factor, the same rate constants."""
        return replace(
            self,
            cl_f_L_h=self.cl_f_L_h / factor,
            v_f_L=self.v_f_L / factor,
            q_f_L_h=self.q_f_L_h / factor,
            v2_f_L=self.v2_f_L / factor,
        )

    # ------------------------------------------------------------------
    def single_dose(self, t, dose_mg) -> np.ndarray:
        """C(t) in ng/mL after one dose at t = 0 (0 before the dose)."""
        t = np.asarray(t, float)
        coef, lam = self.rates()
        tt = np.clip(t, 0.0, None)[..., None]
        c = dose_mg * (coef * np.exp(-lam * tt)).sum(axis=-1)
        return np.where(t < 0, 0.0, c)

    def superposition(self, t, dose_times_h, dose_mg) -> np.ndarray:
        """C(t) after doses at *dose_times_h* (linear PK)."""
        t = np.asarray(t, float)
        return sum(self.single_dose(t - float(s), dose_mg) for s in dose_times_h)

    def steady_state(self, t, dose_mg, tau_h) -> np.ndarray:
        """Css(t) in ng/mL, t taken modulo tau (t = 0 is a dose time)."""
        t = np.mod(np.asarray(t, float), tau_h)[..., None]
        coef, lam = self.rates()
        return dose_mg * (coef * np.exp(-lam * t) / (1.0 - np.exp(-lam * tau_h))).sum(axis=-1)

    # ------------------------------------------------------------------
    def peak(self, fn, end_h) -> tuple:
        """(time, value) of the maximum of *fn* on [0, end_h]: a 2001-point
        grid, refined by a bounded search around the best grid point."""
        grid = np.linspace(0.0, end_h, 2001)
        values = fn(grid)
        i = int(np.argmax(values))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        if hi <= lo:
            return float(grid[i]), float(values[i])
        best = minimize_scalar(
            lambda x: -float(fn(x)), bounds=(lo, hi), method="bounded", options={"xatol": 1e-9}
        )
        if -best.fun >= values[i]:
            return float(best.x), float(-best.fun)
        return float(grid[i]), float(values[i])

    def single_dose_peak(self, dose_mg) -> tuple:
        """(Tmax, Cmax) of one dose."""
        horizon = 3.0 * (1.0 / self.ka_per_h + self.t_half_h)
        return self.peak(lambda t: self.single_dose(t, dose_mg), horizon)

    def steady_state_metrics(self, dose_mg, tau_h) -> dict:
        """Cmax,ss, Tmax,ss, Cmin,ss (the trough: the value at the dose time
        = the end of the interval), Cav,ss and AUCtau,ss (= D / (CL/F))."""
        tmax, cmax = self.peak(lambda t: self.steady_state(t, dose_mg, tau_h), tau_h)
        auc = dose_mg / self.cl_f_L_h * 1000.0
        return {
            "cmax_ss_ng_mL": cmax,
            "tmax_ss_h": tmax,
            "cmin_ss_ng_mL": float(self.steady_state(0.0, dose_mg, tau_h)),
            "auc_tau_ss_ng_h_mL": auc,
            "cav_ss_ng_mL": auc / tau_h,
        }
