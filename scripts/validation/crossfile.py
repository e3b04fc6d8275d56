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
  it, the only analyte, and with several analytes an error listing them. It
  is never taken from the default compound name, so the only analyte of
  another compound is not mistaken for a metabolite.
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
