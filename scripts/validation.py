"""Input validation for every study file type, in one place.

Each raw file is read as text, checked against its JSON-Schema file in
``workflow/schemas/`` row by row, normalised (numbers parsed, enum-like values
case-folded, provenance columns added) and checked across rows. Problems that
make a number wrong raise :class:`~scripts.tables.InputError` naming the file,
row and column. Problems the analysis can live with are returned as warnings,
which the report shows. Nothing is dropped silently.

Row numbers are spreadsheet rows: the header is row 1.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

from scripts.tables import InputError

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "workflow" / "schemas"
PROVENANCE_COLUMNS = ["source_file", "source_row"]
BLQ_TOKENS = {"", "blq", "<lloq", "bql", "nd"}
TRUE_TOKENS = {"true", "yes", "y", "1", "t"}
FALSE_TOKENS = {"false", "no", "n", "0", "f", ""}
SEX_ALIASES = {"male": "M", "female": "F", "m": "M", "f": "F"}
BUILTIN_TESTS = ("fst", "open_field", "sucrose_preference", "elevated_plus_maze")
# Competitor concentrations above this (molar) are almost surely nM or µM values.
IMPLAUSIBLE_MOLAR = 1e-2
# FST per-minute immobility cannot exceed the 60 s of the minute.
SECONDS_PER_MINUTE = 60
# The area folders whose CSV files the workflow reads.
AREA_FOLDERS = ("binding", "saturation", "behaviour", "pk")
# Characters a POSIX shell treats specially. The pipeline never passes file
# names through a shell, so they are safe here, but they trip up anyone who
# later types the name into a shell command: warn.
SHELL_METACHARACTERS = set(";&|$`'\"<>()*?![]#~")


def load_schema(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --------------------------------------------------------------------------
# Reading raw text


def read_raw_csv(path) -> tuple[pd.DataFrame, list[dict]]:
    """Read a user CSV as strings. Returns the table and warnings.

    Rejects, with a message saying what to do: empty files, header-only
    files, non-UTF-8 bytes, semicolon-delimited exports, duplicate column
    names. A UTF-8 byte-order mark is accepted with a warning.
    """
    path = Path(path)
    warnings: list[dict] = []
    awkward = sorted(set(path.name) & SHELL_METACHARACTERS)
    if awkward:
        warnings.append(_warning(path, "file name contains shell metacharacters "
                                 f"({' '.join(awkward)}); processed safely here, but quote "
                                 "the name in any shell command or rename the file"))
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(path, "file is empty")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        warnings.append(_warning(path, "UTF-8 byte-order mark removed", row=1))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(path, "not valid UTF-8 text (Latin-1 or Windows export?); "
                         "save the file as UTF-8 CSV", row=line) from None
    header = text.splitlines()[0]
    if ";" in header and "," not in header:
        raise InputError(path, "file is semicolon-delimited (European Excel export?); "
                         "save it as comma-separated CSV with decimal points", row=1)
    if "\t" in header and "," not in header:
        raise InputError(path, "file is tab-delimited; save it as comma-separated CSV", row=1)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         skip_blank_lines=True)
    except pd.errors.ParserError as error:
        match = re.search(r"line (\d+)", str(error))
        row = int(match.group(1)) if match else None
        raise InputError(path, f"cannot parse CSV: {error}", row=row) from None
    # pandas renames a repeated column ("cpm" → "cpm.1"); name the original.
    header_cells = [c.strip() for c in next(csv.reader([header]))]
    duplicated = sorted({c for c in header_cells if header_cells.count(c) > 1})
    if duplicated:
        raise InputError(path, "duplicated column name", row=1, column=duplicated[0])
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError(path, "header only: the file has no data rows")
    df = df.apply(lambda col: col.str.strip())
    return df, warnings


def _warning(path, message, row=None, column=None) -> dict:
    # Named as inside the study (like source_file), so results do not depend
    # on where the study directory lives.
    return {"file": study_relative_name(path), "row": row, "column": column,
            "message": message}


# --------------------------------------------------------------------------
# Row-wise schema validation


def _parse_number(text: str):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def _coerce_cell(text: str, spec: dict, column: str, path, row: int):
    """Turn one cell into the JSON type its schema declares; None when blank."""
    if text == "":
        return None
    kind = spec.get("type")
    if kind in ("number", "integer"):
        try:
            return _parse_number(text)
        except ValueError:
            hint = " (decimal comma? use a point)" if re.fullmatch(r"-?\d+,\d+", text) else ""
            if text.lower() in {"nan", "inf", "-inf", "infinity", "-infinity"}:
                raise InputError(path, f"'{text}' is not a finite number", row=row,
                                 column=column) from None
            raise InputError(path, f"'{text}' is not a number{hint}", row=row,
                             column=column) from None
    if kind == "boolean":
        lowered = text.lower()
        if lowered in TRUE_TOKENS:
            return True
        if lowered in FALSE_TOKENS:
            return False
        raise InputError(path, f"'{text}' is not true/false", row=row, column=column)
    return text


def _describe(error: jsonschema.ValidationError) -> tuple[str | None, str]:
    """(column, message) for a jsonschema error in user words."""
    if error.validator == "required":
        column = re.match(r"'([^']+)'", error.message).group(1)
        return column, "value missing"
    column = error.path[0] if error.path else None
    value = error.instance
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return column, f"unknown value '{value}'; expected one of {allowed}"
    if error.validator == "minimum":
        return column, f"must be ≥ {error.validator_value:g} (got {value:g})"
    if error.validator == "exclusiveMinimum":
        return column, f"must be > {error.validator_value:g} (got {value:g})"
    if error.validator in ("maximum", "exclusiveMaximum"):
        return column, f"must be ≤ {error.validator_value:g} (got {value:g})"
    if error.validator == "minLength":
        return column, "value missing"
    return column, error.message


def validate_rows(df: pd.DataFrame, schema: dict, path) -> tuple[pd.DataFrame, list[dict]]:
    """Check every row of *df* (strings) against *schema*; return typed table.

    Missing required columns and unknown columns are caught first (the latter
    as a warning). Case is normalised for the columns the schema lists under
    ``lowercase``/``uppercase``. The first bad cell raises InputError.
    """
    path = Path(path)
    properties = schema.get("properties", {})
    warnings = []
    _check_header(df, schema, path, warnings)
    blq_column = schema.get("blq_column")
    validator = jsonschema.Draft202012Validator(schema)
    lower = set(schema.get("lowercase", []))
    upper = set(schema.get("uppercase", []))
    records = []
    known = [c for c in df.columns if c in properties]
    for position, values in enumerate(df[known].itertuples(index=False, name=None)):
        row = position + 2
        record = {}
        blq = False
        for column, text in zip(known, values):
            if column in lower:
                text = text.lower()
            if column in upper:
                text = SEX_ALIASES.get(text.lower(), text.upper())
            if column == blq_column and text.lower() in BLQ_TOKENS:
                blq = True
                continue
            value = _coerce_cell(text, properties[column], column, path, row)
            if value is not None:
                record[column] = value
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        if errors:
            column, message = _describe(errors[0])
            raise InputError(path, message, row=row, column=column)
        if blq_column:
            record["blq"] = blq
        records.append(record)
    out = pd.DataFrame.from_records(records)
    for column in properties:
        if column not in out.columns:
            out[column] = pd.NA
    ordered = [c for c in properties if c in out.columns] + (["blq"] if blq_column else [])
    out = out[ordered]
    out["source_file"] = study_relative_name(path)
    out["source_row"] = range(2, len(out) + 2)
    return out, warnings


def study_relative_name(path) -> str:
    """``<folder>/<file>`` as inside the study directory, so result tables do
    not depend on where the study lives."""
    return "/".join(Path(path).parts[-2:])


def _check_header(df, schema, path, warnings) -> None:
    properties = schema.get("properties", {})
    for column in schema.get("required", []):
        if column not in df.columns:
            close = difflib.get_close_matches(column, list(df.columns), n=1)
            hint = f" (found '{close[0]}': misspelt?)" if close else ""
            raise InputError(path, f"required column missing{hint}", row=1, column=column)
    for column in df.columns:
        if column not in properties:
            warnings.append(_warning(path, "unknown column ignored", row=1, column=column))


# --------------------------------------------------------------------------
# Per file type


def validate_binding(path) -> tuple[pd.DataFrame, list[dict]]:
    """Competition binding file → normalised long table (+ ``assay``)."""
    df, warnings = read_raw_csv(path)
    return validate_binding_table(df, path, warnings)


def validate_binding_table(df, path, warnings=None):
    warnings = list(warnings or [])
    table, more = validate_rows(df, load_schema("binding.schema.yaml"), path)
    warnings += more
    table.insert(0, "assay", binding_assay_name(path))
    _require_control_wells(table, path, ("total", "nsb"))
    # Cheng–Prusoff needs one radioligand, one [L] and one Kd per curve.
    for column in ("radioligand", "radioligand_nM", "radioligand_kd_nM"):
        _require_single_value(table, column, path)
    _reject_duplicates(table, [*REPLICATE_KEYS, "replicate"], path,
                       "replicate measured twice", require_all=False)
    competitors = table[table["well_type"] == "competitor"]
    for _, high in competitors[competitors["concentration_M"] > IMPLAUSIBLE_MOLAR].iterrows():
        warnings.append(_warning(path, f"competitor concentration {high['concentration_M']:g} M "
                                 "exceeds 1e-2 M: nM values in the concentration_M column?",
                                 row=int(high["source_row"]), column="concentration_M"))
        break
    _reject_duplicates(table, ["plate", "well"], path, "duplicated well")
    return table, warnings


def binding_assay_name(path) -> str:
    name = Path(path).name
    for suffix in (".plate.csv", ".layout.csv", ".csv"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return Path(path).stem


def plate_to_long(plate_path, layout_path) -> pd.DataFrame:
    """Convert an 8 × 12 plate-reader grid plus a well layout to the long format.

    The grid has a first column of row letters A–H and columns 1–12 of CPM.
    The layout has a ``well`` column (e.g. ``B7``) and the long-format fields
    for each used well. Wells absent from the layout are unused and ignored;
    a layout well that the grid lacks, or leaves blank, is an error.
    """
    grid, _ = read_raw_csv(plate_path)
    layout, _ = read_raw_csv(layout_path)
    row_column = grid.columns[0]
    expected = [str(i) for i in range(1, 13)]
    if list(grid.columns[1:]) != expected:
        raise InputError(plate_path, "plate grid must have columns 1-12 after the row letter",
                         row=1)
    letters = [str(v).upper() for v in grid[row_column]]
    if letters != list("ABCDEFGH"):
        raise InputError(plate_path, "plate grid must have rows A-H in order",
                         column=row_column)
    if "well" not in layout.columns:
        raise InputError(layout_path, "required column missing", row=1, column="well")
    cpm = []
    for position, well in enumerate(layout["well"]):
        match = re.fullmatch(r"([A-Ha-h])0?(\d{1,2})", well)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise InputError(layout_path, f"'{well}' is not a well of an 8 × 12 plate",
                             row=position + 2, column="well")
        letter, number = match.group(1).upper(), match.group(2)
        value = grid.loc[letters.index(letter), number]
        where = {"row": letters.index(letter) + 2, "column": number}
        if value == "":
            raise InputError(plate_path, f"well {letter}{number} is in the layout but blank",
                             **where)
        # Check the count here, so that a bad count names the grid cell that
        # holds it rather than the layout row.
        count = _coerce_cell(value, {"type": "number"}, number, plate_path, where["row"])
        if count < 0:
            raise InputError(plate_path, f"well {letter}{number}: cpm must be ≥ 0 (got {count:g})",
                             **where)
        cpm.append(value)
    long = layout.copy()
    long["cpm"] = cpm
    long["plate"] = binding_assay_name(plate_path)
    return long


def validate_plate(plate_path, layout_path):
    long = plate_to_long(plate_path, layout_path)
    return validate_binding_table(long, layout_path)


def validate_saturation(path):
    df, warnings = read_raw_csv(path)
    table, more = validate_rows(df, load_schema("saturation.schema.yaml"), path)
    table.insert(0, "assay", Path(path).stem)
    _require_control_wells(table, path, ("total", "nsb"))
    _reject_duplicates(table, [*REPLICATE_KEYS, "replicate"], path,
                       "replicate measured twice", require_all=False)
    return table, warnings + more


# A well is identified by what was measured; the same replicate label twice
# for one of these is a pasted or mislabelled row. Missing columns/blanks
# (compound and concentration of total/nsb wells) count as equal.
REPLICATE_KEYS = ["plate", "receptor", "species", "radioligand", "radioligand_nM", "well_type",
                  "compound", "concentration_M"]


def _require_control_wells(table, path, needed_types) -> None:
    """Every receptor × species needs each of *needed_types* (total, nsb)."""
    for (receptor, species), curve in table.groupby(["receptor", "species"], sort=False):
        for needed in needed_types:
            if not (curve["well_type"] == needed).any():
                raise InputError(path, f"no {needed} wells for this receptor",
                                 row=int(curve["source_row"].iloc[0]), column="well_type",
                                 receptor=f"{receptor} ({species})")


def _require_single_value(table, column, path) -> None:
    """One value of *column* per receptor × species; blanks are ignored."""
    for (receptor, species), curve in table.groupby(["receptor", "species"], sort=False):
        given = curve.dropna(subset=[column])
        first = given[column].iloc[0] if len(given) else None
        other = given[given[column] != first]
        if len(other):
            raise InputError(path, f"{column} differs within this receptor ({first} and "
                             f"{other[column].iloc[0]}); give one value",
                             row=int(other["source_row"].iloc[0]), column=column,
                             receptor=f"{receptor} ({species})")


def behaviour_endpoint_sets(test: str, extra_tests: dict) -> list[list[str]]:
    """Alternative endpoint column sets for *test* (built-in or declared)."""
    builtin = load_schema("behaviour_tests.schema.yaml")
    if test in builtin:
        return builtin[test]["one_of"]
    if test in extra_tests:
        return [[extra_tests[test]["endpoint"]]]
    return []


def validate_behaviour(path, extra_tests: dict | None = None, vehicle_label="vehicle",
                       treatments: list | None = None):
    """Behaviour file → normalised table (+ ``test`` column).

    The test is the file stem; a test that is neither built in nor declared
    in study.yaml is an error, because we would not know its endpoint or
    which direction is antidepressant-like.
    """
    path = Path(path)
    extra_tests = extra_tests or {}
    test = path.stem
    endpoint_sets = behaviour_endpoint_sets(test, extra_tests)
    if not endpoint_sets:
        raise InputError(path, f"unknown behavioural test '{test}': declare it under "
                         "extra_tests in study.yaml (endpoint, unit, direction)")
    df, warnings = read_raw_csv(path)
    present = [s for s in endpoint_sets if all(c in df.columns for c in s)]
    if not present:
        wanted = " or ".join("+".join(s) for s in endpoint_sets)
        raise InputError(path, f"endpoint columns missing: need {wanted}", row=1)
    endpoint_columns = present[0]
    schema = load_schema("behaviour.schema.yaml")
    for column in endpoint_columns:
        schema["properties"][column] = {"type": "number", "minimum": 0}
        if re.fullmatch(r"immobility_min\d", column):
            schema["properties"][column]["maximum"] = SECONDS_PER_MINUTE
    # An excluded animal may lack its endpoint; every other animal needs it.
    schema["else"] = {"required": list(endpoint_columns)}
    table, more = validate_rows(df, schema, path)
    table.insert(0, "test", test)
    table["excluded"] = [value is True for value in table["excluded"]]
    for column in ("strain", "cohort", "exclusion_reason"):
        table[column] = table[column].fillna("")
    _reject_duplicates(table, ["animal_id"], path, "duplicated animal_id within this test")
    given = table["treatment"].str.lower()
    vehicle = vehicle_label.lower()
    if not (given == vehicle).any():
        raise InputError(path, f"no vehicle group (treatment '{vehicle_label}')",
                         column="treatment")
    # Doses are compared with vehicle within a regimen.
    for regimen, rows in table.groupby("regimen", sort=True):
        if not (rows["treatment"].str.lower() == vehicle).any():
            raise InputError(path, f"no vehicle group (treatment '{vehicle_label}') in the "
                             f"{regimen} regimen", row=int(rows["source_row"].iloc[0]),
                             column="treatment")
    if treatments:
        unknown = table[~given.isin({t.lower() for t in treatments} | {vehicle})]
        if len(unknown):
            raise InputError(path, f"unknown treatment '{unknown['treatment'].iloc[0]}'; "
                             "study.yaml lists " + ", ".join([vehicle_label, *treatments]),
                             row=int(unknown["source_row"].iloc[0]), column="treatment")
    vehicle_dosed = table[(given == vehicle) & (table["dose_mg_kg"] != 0)]
    if len(vehicle_dosed):
        raise InputError(path, "vehicle animals must have dose_mg_kg 0",
                         row=int(vehicle_dosed["source_row"].iloc[0]), column="dose_mg_kg")
    _require_percentage_denominators(table, test, path)
    return table, warnings + more + _single_animal_groups(table, path)


# Tests whose endpoint is a percentage of a sum of two columns.
PERCENTAGE_PAIRS = {"sucrose_preference": [("sucrose_ml", "water_ml")],
                    "elevated_plus_maze": [("open_arm_time_s", "closed_arm_time_s"),
                                           ("open_arm_entries", "closed_arm_entries")]}


def _require_percentage_denominators(table, test, path) -> None:
    """A percentage endpoint (sucrose preference, open-arm %) is undefined
    when both of its columns are 0 for an analysed animal."""
    analysed = table[~table["excluded"]]
    for first, second in PERCENTAGE_PAIRS.get(test, []):
        if first not in table.columns:
            continue
        zero = analysed[(analysed[first] + analysed[second]) == 0]
        if len(zero):
            raise InputError(path, f"{first} and {second} are both 0, so the percentage is "
                             "undefined (exclude the animal with a reason, or check the values)",
                             row=int(zero["source_row"].iloc[0]), column=second)


def _single_animal_groups(table, path) -> list[dict]:
    """Warn about dose groups with one analysed animal: they have no variance,
    so the analysis can describe but never test them."""
    warnings = []
    analysed = table[~table["excluded"]]
    keys = ["regimen", "treatment", "dose_mg_kg", "route"]
    for key, rows in analysed.groupby(keys, sort=True):
        if len(rows) == 1:
            regimen, treatment, dose, route = key
            warnings.append(_warning(path, f"group {treatment} {dose:g} mg/kg {route} "
                                     f"({regimen}) has one analysed animal: described, "
                                     "not tested", row=int(rows["source_row"].iloc[0]),
                                     column="treatment"))
    return warnings


def validate_pk(path):
    """PK file → normalised table with ``blq``; measured values below LLOQ are
    set to BLQ with a warning (a laboratory would not report them)."""
    df, warnings = read_raw_csv(path)
    table, more = validate_rows(df, load_schema("pk.schema.yaml"), path)
    warnings += more
    below = table["concentration_ng_mL"].notna() & (
        table["concentration_ng_mL"] < table["lloq_ng_mL"])
    for _, row in table[below].iterrows():
        warnings.append(_warning(path, f"{row['concentration_ng_mL']:g} ng/mL is below the LLOQ "
                                 f"{row['lloq_ng_mL']:g}; treated as BLQ",
                                 row=int(row["source_row"]), column="concentration_ng_mL"))
    table.loc[below, "concentration_ng_mL"] = float("nan")
    table.loc[below, "blq"] = True
    # Crossover designs give one animal several periods (route × dose); a time
    # point may repeat across periods but not within one profile.
    _reject_duplicates(table, ["animal_id", "route", "dose_mg_kg", "analyte", "time_h"], path,
                       "duplicated time point within this profile")
    for animal, rows in table.groupby("animal_id", sort=False):
        for column in ("species",):
            if rows[column].nunique() > 1:
                raise InputError(path, f"animal {animal} has more than one {column}",
                                 row=int(rows["source_row"].iloc[-1]), column=column)
    return table, warnings + _unquantifiable_profiles(table, path)


def _unquantifiable_profiles(table, path) -> list[dict]:
    """Warn, once per analyte, about profiles in which every sample is BLQ:
    NCA cannot estimate any parameter for them (the analysis reports them as
    not detected)."""
    warnings = []
    keys = ["animal_id", "analyte", "route", "dose_mg_kg"]
    all_blq = table.groupby(keys, sort=False).agg(blq=("blq", "all"),
                                                  row=("source_row", "min")).reset_index()
    for analyte, profiles in all_blq.groupby("analyte", sort=True):
        empty = profiles[profiles["blq"]]
        if len(empty):
            animals = ", ".join(empty["animal_id"].head(5)) + (", …" if len(empty) > 5 else "")
            warnings.append(_warning(path, f"{analyte}: every sample is BLQ in {len(empty)} of "
                                     f"{len(profiles)} profiles (animals {animals}); no PK "
                                     "parameters can be estimated for them",
                                     row=int(empty["row"].min()), column="concentration_ng_mL"))
    return warnings


def _reject_duplicates(table, keys, path, message, require_all=True) -> None:
    """InputError at the first row that repeats an earlier row's *keys*.

    With *require_all* (the default), rows with a blank key are skipped (e.g.
    no plate/well given); otherwise blanks compare equal, so total wells
    without compound or concentration are compared too.
    """
    keys = [k for k in keys if k in table.columns]
    if not keys or table[keys].isna().all(axis=None):
        return
    subset = table.dropna(subset=keys) if require_all else table
    duplicated = subset.duplicated(keys, keep="first")
    if duplicated.any():
        repeat = subset[duplicated].iloc[0]
        same = (subset[keys] == repeat[keys]) | (subset[keys].isna() & repeat[keys].isna())
        earlier = int(subset.loc[same.all(axis=1), "source_row"].iloc[0])
        shown = ", ".join(f"{k}={repeat[k]}" for k in keys if pd.notna(repeat[k]))
        raise InputError(path, f"{message} ({shown}; first at row {earlier})",
                         row=int(repeat["source_row"]), column=keys[-1])


# --------------------------------------------------------------------------
# study.yaml and config


class _StrictLoader(yaml.SafeLoader):
    """Safe loader: no Python object tags, so study.yaml cannot run code."""


def load_study_yaml(path) -> dict:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_StrictLoader)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise InputError(path, f"YAML tag not allowed ({error.problem})",
                         row=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(path, f"not valid YAML: {getattr(error, 'problem', error)}",
                         row=mark.line + 1 if mark else None) from None
    except UnicodeDecodeError:
        raise InputError(path, "not valid UTF-8 text; save it as UTF-8") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(path, "must be a mapping of keys to values")
    return data


def fill_defaults(data, schema):
    """Return *data* with the schema's ``default`` values filled in, recursively."""
    if schema.get("type") != "object" or not isinstance(data, dict):
        return data
    out = dict(data)
    for key, spec in schema.get("properties", {}).items():
        if key not in out and "default" in spec:
            out[key] = _copy(spec["default"])
        if key in out:
            out[key] = fill_defaults(out[key], spec)
    return out


def _copy(value):
    return yaml.safe_load(yaml.safe_dump(value))


def validate_mapping(data: dict, schema_name: str, path) -> dict:
    """Validate a YAML mapping against a schema and fill its defaults."""
    schema = load_schema(schema_name)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data),
                    key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.path) or "(top level)"
        raise InputError(path, f"key '{where}': {error.message}")
    return fill_defaults(data, schema)


def validate_study(study_dir) -> dict:
    """Validated study metadata with defaults; the name defaults to the directory name.

    Also checks the study's file layout (:func:`check_study_files`), because
    the workflow builds its jobs from the file names before any job runs.
    """
    study_dir = Path(study_dir)
    path = study_dir / "study.yaml"
    data = load_study_yaml(path) if path.exists() else {}
    meta = validate_mapping(data, "study.schema.yaml", path)
    if "name" not in meta:
        meta["name"] = safe_study_name(study_dir.resolve().name)
    meta["study_yaml_provided"] = path.exists()
    low, high = meta["fst_window_min"]
    if low > high:
        raise InputError(path, f"fst_window_min [{low}, {high}]: first minute after last")
    if "human_reference_file" in meta:
        study_file_inside(study_dir, meta["human_reference_file"], path, "human_reference_file")
    check_study_files(study_dir)
    return meta


def study_file_inside(study_dir, relative: str, yaml_path, key: str) -> Path:
    """The file that a study.yaml path value names, which must lie inside the
    study directory (after resolving ``..`` and symbolic links), so that a
    study cannot make the pipeline read arbitrary files."""
    root = Path(study_dir).resolve()
    target = (root / relative).resolve()
    if Path(relative).is_absolute() or not target.is_relative_to(root):
        raise InputError(yaml_path, f"key '{key}': '{relative}' points outside the study "
                         "directory; give a path relative to the study directory, inside it")
    if not target.is_file():
        raise InputError(yaml_path, f"key '{key}': file '{relative}' not found in the "
                         "study directory")
    return target


def check_study_files(study_dir) -> None:
    """Reject file layouts the workflow would otherwise mishandle.

    * ``{`` or ``}`` in a file name or the study path: Snakemake reads them
      as wildcards.
    * ``.CSV`` (any case but ``.csv``): the file would be silently skipped.
    * a directory (or other non-file) named ``*.csv``: it would be skipped too.
    * a plate grid ``binding/<a>.plate.csv`` without its ``<a>.layout.csv``,
      or a layout without its grid: half a plate-reader export.
    """
    study_dir = Path(study_dir)
    if "{" in str(study_dir) or "}" in str(study_dir):
        raise InputError(study_dir, "study directory path contains '{' or '}', which the "
                         "workflow cannot use in a path; rename or move the directory")
    for folder in AREA_FOLDERS:
        directory = study_dir / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() == ".csv" and not path.is_file():
                raise InputError(path, "is a directory (or not a regular file), so it cannot "
                                 "be read as a data table; move it out of the study folder")
            if not path.is_file():
                continue
            if "{" in path.name or "}" in path.name:
                raise InputError(path, "file name contains '{' or '}', which the workflow "
                                 "cannot use in a file name; rename the file")
            if path.suffix.lower() == ".csv" and path.suffix != ".csv":
                raise InputError(path, f"extension '{path.suffix}' must be lower-case '.csv' "
                                 "(otherwise the file would be skipped); rename the file")
    binding = study_dir / "binding"
    for suffix, partner in ((".plate.csv", ".layout.csv"), (".layout.csv", ".plate.csv")):
        for path in sorted(binding.glob(f"*{suffix}")):
            other = path.with_name(path.name[: -len(suffix)] + partner)
            if path.is_file() and not other.is_file():
                raise InputError(path, f"plate-reader export is incomplete: {other.name} "
                                 "is missing (a grid needs its layout and vice versa)")


def safe_study_name(name: str) -> str:
    """A directory name made safe for use as results/<name>/."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return cleaned or "study"


def warnings_frame(warnings: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(warnings, columns=["file", "row", "column", "message"])
