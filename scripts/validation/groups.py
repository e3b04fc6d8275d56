"""Treatment groups of a behaviour file: the vehicle label and what looks like it.

* **One group per treatment, whatever its case.** Treatments are compared
  trimmed and without regard to case (:func:`treatment_key`), as the
  statistics and the inventory group them: ``Vehicle`` and ``vehicle`` are
  one group. A file that writes one treatment in several ways gets a warning
  naming the spellings.
* **Dose 0 is the vehicle's.** An animal at ``dose_mg_kg`` 0 whose treatment
  is not the vehicle label is an error, unless study.yaml ``treatments``
  lists that treatment (a deliberate zero-dose group such as a sham or a
  second vehicle). Otherwise a ``veh`` row among ``vehicle`` rows would
  become a drug group at 0 mg/kg tested against vehicle.
* **Near-duplicates of the vehicle label** that remain (declared, or dosed)
  get a warning naming them. A treatment looks like the vehicle label
  (:func:`looks_like_vehicle`) when, ignoring case, spaces and punctuation,
  it equals the label, abbreviates it (at least 3 letters: ``veh``), extends
  it (``vehicle 2``, ``vehicle (saline)``), is one typo away (similarity
  ≥ 0.8: ``vehcile``), or is one of the usual names of a control group,
  ``behaviour.vehicle_lookalikes`` in the config (saline, control, …).
"""

from __future__ import annotations

import difflib
import re

from scripts.tables import InputError
from scripts.validation.reading import warning

# Similarity (difflib ratio) from which a treatment reads as a typo of the label.
TYPO_SIMILARITY = 0.8
# Shortest abbreviation of the label that counts as one ("veh").
MIN_ABBREVIATION = 3


def treatment_key(name) -> str:
    """The group a treatment belongs to: trimmed, lower case."""
    return str(name).strip().lower()


def _squash(name) -> str:
    """Lower-case letters and digits only."""
    return re.sub(r"[^0-9a-z]+", "", str(name).lower())


def looks_like_vehicle(treatment, vehicle_label, lookalikes=()) -> bool:
    """True when *treatment* is not the vehicle label but looks like it
    (see the module docstring)."""
    if treatment_key(treatment) == treatment_key(vehicle_label):
        return False
    given, label = _squash(treatment), _squash(vehicle_label)
    if not given or not label:
        return False
    return (
        given == label
        or (len(given) >= MIN_ABBREVIATION and label.startswith(given))
        or given.startswith(label)
        or given in {_squash(x) for x in lookalikes if _squash(x) != label}
        or difflib.SequenceMatcher(None, given, label).ratio() >= TYPO_SIMILARITY
    )


def vehicle_lookalikes(table, vehicle_label, lookalikes) -> list[str]:
    """The treatments of *table* (as first written) that look like the label."""
    seen = {}
    for name in table["treatment"]:
        seen.setdefault(treatment_key(name), name)
    return [name for name in seen.values() if looks_like_vehicle(name, vehicle_label, lookalikes)]


def check_groups(table, path, vehicle_label, treatments, lookalikes) -> list[dict]:
    """Zero-dose groups and vehicle look-alikes (module docstring); returns
    warnings, raises :class:`InputError` for an undeclared zero-dose group."""
    vehicle = treatment_key(vehicle_label)
    declared = {treatment_key(t) for t in treatments or []}
    keys = table["treatment"].map(treatment_key)
    zero = table[(table["dose_mg_kg"] == 0) & (keys != vehicle) & ~keys.isin(declared)]
    if len(zero):
        name = zero["treatment"].iloc[0]
        if looks_like_vehicle(name, vehicle_label, lookalikes):
            fix = f"if these are vehicle animals, write '{vehicle_label}'"
        else:
            fix = "check the dose"
        raise InputError(
            path,
            f"treatment '{name}' has dose_mg_kg 0 but is not the vehicle label "
            f"'{vehicle_label}': {fix}; a separate zero-dose group must be listed "
            "under treatments in study.yaml",
            row=int(zero["source_row"].iloc[0]),
            column="treatment",
        )
    warnings = _spelling_warnings(table, keys, path)
    for name in vehicle_lookalikes(table, vehicle_label, lookalikes):
        rows = table.loc[keys == treatment_key(name), "source_row"].astype(int).tolist()
        warnings.append(
            warning(
                path,
                f"treatment '{name}' looks like the vehicle label '{vehicle_label}' but is "
                f"analysed as a group of its own (rows {_row_list(rows)}); write "
                f"'{vehicle_label}' if these are vehicle animals",
                row=rows[0],
                column="treatment",
            )
        )
    return warnings


def _spelling_warnings(table, keys, path) -> list[dict]:
    """One warning per treatment written in more than one way."""
    warnings = []
    for key, rows in table.groupby(keys, sort=True):
        spellings = list(dict.fromkeys(rows["treatment"]))
        if len(spellings) < 2:
            continue
        first_rows = [int(rows.loc[rows["treatment"] == s, "source_row"].iloc[0]) for s in spellings]
        shown = ", ".join(f"'{s}' (row {r})" for s, r in zip(spellings, first_rows))
        warnings.append(
            warning(
                path,
                f"treatment written as {shown}: analysed as one group '{key}' "
                "(case and surrounding spaces are ignored)",
                row=first_rows[1],
                column="treatment",
            )
        )
    return warnings


def _row_list(rows, limit=5) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (", …" if len(rows) > limit else "")
