"""The example study's acute exposure-response: the forced-swim-test effect
of mirtazapine as an Emax model of the unbound plasma concentration at the
test time, from the typical rat PK of :mod:`tools.example_study.pk`."""

from __future__ import annotations

from .common import sigf
from .pk import MW_PARENT, pk_profiles

# Emax model (Hill 1) of the unbound plasma concentration at the test time
# (fraction unbound FU_RAT). EC50 is close to the unbound concentration 1 h
# after 10 mg/kg PO, so 10 mg/kg gives about half of Emax.
FST_TEST_TIME_H = 1.0  # acute FST starts 1 h after the oral dose
FU_RAT = 0.15
FST_EMAX_S = -50.0
FST_EC50_UNBOUND_NM = 25.0


def unbound_nM_at_test(dose_mg_kg: float) -> float:
    """Typical unbound parent concentration (nM) at the acute test time."""
    total, _ = pk_profiles("po", dose_mg_kg, [FST_TEST_TIME_H])
    return FU_RAT * float(total[0]) / MW_PARENT * 1000.0


def exposure_response_truth(doses: list[float], delta) -> dict:
    """The acute FST exposure-response model and each dose's exposure;
    *delta(dose)* is the true change vs vehicle (s)."""
    return dict(
        endpoint="fst immobility, last 4 min (s), change vs vehicle",
        regimen="acute",
        model="delta = emax * Cu / (ec50 + Cu), Hill 1, E0 0",
        exposure="unbound plasma parent at the test time, typical rat (pk.parent), fu_rat",
        test_time_h=FST_TEST_TIME_H,
        fu_rat=FU_RAT,
        emax_s=FST_EMAX_S,
        ec50_unbound_nM=FST_EC50_UNBOUND_NM,
        doses=[
            dict(
                dose_mg_kg=dose,
                unbound_nM_at_test=sigf(unbound_nM_at_test(dose)),
                delta_vs_vehicle_s=sigf(delta(dose)),
            )
            for dose in doses
        ],
        sources=["constructed"],
    )
