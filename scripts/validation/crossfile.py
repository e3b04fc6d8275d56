"""Checks across the validated tables of one area (rules
``validate_behaviour_animals`` and ``validate_pk_analytes``).

Each input file is validated on its own (one job per file); what only the
files together can show is checked here, once per study, from the validated
tables. The analyses that read several files depend on these checks, so a
failure stops them before they write anything.

* **One animal, one design.** An ``animal_id`` that appears in several
  behaviour files has the same species, sex, treatment (compared as grouped,
  :func:`~scripts.validation.groups.treatment_key`), dose, route and regimen
  in each. Animals of different cohorts (both files give a ``cohort`` and
  they differ) are different animals that share an identifier. The result is
  one row per animal (:data:`ANIMAL_COLUMNS`).
* **The parent compound of the PK data** (:func:`resolve_parent`) is the
  analyte named by study.yaml ``compound`` when study.yaml gives one; without
  it, the only analyte, and with several analytes an error listing them.
* **The study compound** (:func:`study_compound`) is study.yaml ``compound``;
  without it, the one compound that every area's data name: the binding
  competitors, the behaviour treatments given at a dose above 0 (not the
  vehicle) and the PK parent. Data that name no single compound are an
  error naming study.yaml's key ``compound``; a study without such data
  needs none.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scripts.tables import InputError
from scripts.validation.groups import treatment_key

# Columns an animal keeps across its tests, in the order they are compared.
ANIMAL_ATTRIBUTES = ["species", "sex", "treatment", "dose_mg_kg", "route", "regimen"]
ANIMAL_COLUMNS = ["animal_id", "cohort", *ANIMAL_ATTRIBUTES, "tests", "source_files"]
ANALYTE_COLUMNS = ["analyte", "role", "basis", "source_files"]


def _same(attribute, a, b) -> bool:
    if attribute == "treatment":
        return treatment_key(a) == treatment_key(b)
    return a == b


def _shown(attribute, value) -> str:
    return f"{value:g}" if attribute == "dose_mg_kg" else str(value)


def _cohort(row) -> str:
    value = row.get("cohort", "")
    return "" if pd.isna(value) else str(value)


def check_animals(tables: list[pd.DataFrame], study_dir) -> pd.DataFrame:
    """Every animal of the validated behaviour *tables* once, with its design;
    InputError naming both files and rows when one animal differs between
    them. *study_dir* locates the files for the message."""
    study_dir = Path(study_dir)
    animals: dict[str, list[dict]] = {}
    rows = [
        r for t in sorted(tables, key=lambda t: str(t["source_file"].iloc[0])) for r in t.to_dict("records")
    ]
    for row in rows:
        known = animals.setdefault(str(row["animal_id"]), [])
        match = next(
            (a for a in known if "" in (a["cohort"], _cohort(row)) or a["cohort"] == _cohort(row)), None
        )
        if match is None:
            animal = {k: row[k] for k in ANIMAL_ATTRIBUTES}
            animal.update(animal_id=str(row["animal_id"]), cohort=_cohort(row), first=row)
            known.append(dict(animal, tests=[row["test"]], source_files=[row["source_file"]]))
            continue
        first = match["first"]
        for attribute in ANIMAL_ATTRIBUTES:
            if not _same(attribute, first[attribute], row[attribute]):
                raise InputError(
                    study_dir / row["source_file"],
                    f"animal {row['animal_id']} has {attribute} {_shown(attribute, row[attribute])} here but "
                    f"{_shown(attribute, first[attribute])} in {first['source_file']} row {first['source_row']}; "
                    "one animal has one species, sex, treatment, dose, route and regimen in every test "
                    "(different animals need different animal_id values, or different cohorts)",
                    row=int(row["source_row"]),
                    column=attribute,
                )
        match["cohort"] = match["cohort"] or _cohort(row)
        match["tests"].append(row["test"])
        match["source_files"].append(row["source_file"])
    out = [
        dict(a, tests=";".join(a["tests"]), source_files=";".join(a["source_files"]))
        for known in animals.values()
        for a in known
    ]
    frame = pd.DataFrame(out, columns=ANIMAL_COLUMNS + ["first"])[ANIMAL_COLUMNS]
    return frame.sort_values(["animal_id", "cohort"], kind="stable").reset_index(drop=True)


def resolve_parent(tables: list[pd.DataFrame], compound: str | None, study_dir) -> pd.DataFrame:
    """Analytes of the validated PK *tables* with their role, ``parent`` or
    ``metabolite`` (:data:`ANALYTE_COLUMNS`).

    *compound* is study.yaml's ``compound`` when study.yaml gives one, else
    None: then a single analyte is the parent and several are an error. An
    explicit compound that is none of the analytes is an error too (a
    misspelt name would make every analyte a metabolite).
    """
    study_dir = Path(study_dir)
    data = pd.concat(tables, ignore_index=True).sort_values(["source_file", "source_row"], kind="stable")
    data["key"] = data["analyte"].map(treatment_key)
    first = data.drop_duplicates("key")
    names = ", ".join(first["analyte"])

    def where(row):
        return {"file": study_dir / row["source_file"], "row": int(row["source_row"]), "column": "analyte"}

    if compound is not None:
        parent_key, basis = treatment_key(compound), "study.yaml compound"
        if parent_key not in set(first["key"]):
            raise InputError(
                **where(first.iloc[0]),
                message=f"no analyte is the study compound '{compound}' (study.yaml compound); the "
                f"analytes are {names}: name the parent compound as the PK data do",
            )
    elif len(first) == 1:
        parent_key, basis = first["key"].iloc[0], "only analyte"
    else:
        raise InputError(
            **where(first.iloc[1]),
            message=f"several analytes ({names}) and no compound in study.yaml: say which one "
            "was dosed (compound: <parent>); the others are its metabolites",
        )
    files = data.groupby("key", sort=False)["source_file"].agg(lambda f: ";".join(dict.fromkeys(f)))
    return pd.DataFrame(
        {
            "analyte": first["analyte"].to_numpy(),
            "role": ["parent" if k == parent_key else "metabolite" for k in first["key"]],
            "basis": basis,
            "source_files": [files[k] for k in first["key"]],
        },
        columns=ANALYTE_COLUMNS,
    )


def parent_analyte(analytes: pd.DataFrame) -> str:
    """The parent's name in a :func:`resolve_parent` table."""
    return str(analytes.loc[analytes["role"] == "parent", "analyte"].iloc[0])


def study_compound(
    explicit: str | None,
    *,
    binding: list[pd.DataFrame] = (),
    behaviour: list[pd.DataFrame] = (),
    analytes: pd.DataFrame | None = None,
    vehicle_label: str = "vehicle",
    study_yaml="study.yaml",
) -> tuple[str | None, str]:
    """(compound, basis): study.yaml's *explicit* compound, else the one
    compound named by every area that names any: the competitors of the
    validated *binding* tables, the treatments of the validated *behaviour*
    tables given at a dose above 0 other than *vehicle_label*, and the parent
    of the PK *analytes* table (:func:`resolve_parent`). Names are compared
    as groups (:func:`~scripts.validation.groups.treatment_key`); the name
    is the first spelling met. (None, basis) when no area names a compound;
    an :class:`InputError` on *study_yaml* key ``compound`` when the areas
    name no single common one."""
    if explicit:
        return str(explicit), "study.yaml compound"
    named: dict[str, dict[str, str]] = {}
    competitors = [t.loc[t["well_type"] == "competitor", "compound"] for t in binding if len(t)]
    treatments = [
        t.loc[(pd.to_numeric(t["dose_mg_kg"], errors="coerce") > 0)
              & (t["treatment"].map(treatment_key) != treatment_key(vehicle_label)), "treatment"]
        for t in behaviour if len(t)
    ]  # fmt: skip
    parents = [analytes.loc[analytes["role"] == "parent", "analyte"]] if analytes is not None else []
    for area, columns in (
        ("binding competitors", competitors),
        ("behaviour treatments", treatments),
        ("PK parent analyte", parents),
    ):
        names = [str(n) for c in columns for n in c.dropna() if str(n).strip()]
        if names:
            named[area] = {treatment_key(n): n for n in reversed(names)}
    if not named:
        return None, "no data name a compound"
    shared = set.intersection(*(set(keys) for keys in named.values()))
    if len(shared) == 1:
        key = shared.pop()
        first = next(iter(named.values()))[key]
        return first, "the one compound of the " + _and(list(named))
    listed = "; ".join(f"{area}: {', '.join(sorted(names.values()))}" for area, names in named.items())
    raise InputError(
        study_yaml,
        f"key 'compound' not given and the data name no single study compound ({listed}): "
        "add compound: <name> to study.yaml",
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
