"""study.yaml and the study directory (rule ``validate_study``).

The workflow validates the study at parse time, because it builds its jobs
from the study's file names and metadata before any job runs; the rule then
records the validated metadata as ``validated/study.json``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from scripts.tables import InputError
from scripts.validation.layout import AREA_FOLDERS, check_study_files
from scripts.validation.reading import load_schema
from scripts.validation.yaml_files import load_yaml_file, user_text

__all__ = [
    "AREA_FOLDERS",
    "fill_defaults",
    "human_reference_candidates",
    "chosen_reference",
    "reference_paths",
    "load_study_yaml",
    "safe_study_name",
    "study_file_inside",
    "validate_mapping",
    "validate_study",
]

# Where the pipeline's own human reference files are.
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "resources" / "reference"


def load_study_yaml(path, limits: dict | None = None) -> dict:
    """study.yaml as a mapping (empty file: {}), read by
    :func:`~scripts.validation.yaml_files.load_yaml_file` (no anchors,
    aliases or repeated keys; size within ``limits.max_yaml_kib``)."""
    path = Path(path)
    data = load_yaml_file(path, limits)
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
            out[key] = copy.deepcopy(spec["default"])
        if key in out:
            out[key] = fill_defaults(out[key], spec)
    return out


def validate_mapping(data: dict, schema_name: str, path) -> dict:
    """Validate a YAML mapping against a schema and fill its defaults."""
    import jsonschema  # here only: the table checks do not need it (validation/row_checks.py)

    schema = load_schema(schema_name)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.path) or "(top level)"
        raise InputError(path, f"key '{where}': {_in_user_words(error)}")
    return fill_defaults(data, schema)


def _in_user_words(error) -> str:
    """A schema error with values as written in YAML (not Python reprs)."""
    shown = user_text(error.instance)
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(map(repr, wanted)) if isinstance(wanted, list) else repr(wanted)
        return f"{shown} is not of type {wanted}"
    if error.validator == "enum":
        return f"{shown} is not one of {', '.join(map(user_text, error.validator_value))}"
    if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
        return f"must be {sign[error.validator]} {error.validator_value} (got {shown})"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str)
        return f"key(s) {', '.join(map(user_text, unknown))} not allowed (misspelt?)"
    if error.validator == "anyOf" and "description" in error.schema:
        return f"{shown} is not allowed here: {' '.join(error.schema['description'].split())}"
    if error.validator == "pattern":
        return f"{shown} does not match {error.validator_value!r}"
    if error.validator in ("minItems", "maxItems", "minLength"):
        return f"{shown} is too short" if error.validator != "maxItems" else f"{shown} is too long"
    return error.message


def validate_study(study_dir, limits: dict | None = None) -> dict:
    """Validated study metadata with defaults; the name defaults to the directory name.

    Also checks the study's file layout (:func:`check_study_files`), because
    the workflow builds its jobs from the file names before any job runs,
    and reads the human reference file the translation will use with the
    same care as study.yaml. *limits* is the config's ``limits`` section.
    """
    study_dir = Path(study_dir)
    path = study_dir / "study.yaml"
    check_study_files(study_dir)
    data = load_study_yaml(path, limits) if path.exists() else {}
    meta = validate_mapping(data, "study.schema.yaml", path)
    if "name" not in meta:
        meta["name"] = safe_study_name(study_dir.resolve().name)
    meta["study_yaml_provided"] = path.exists()
    low, high = meta["fst_window_min"]
    if low > high:
        raise InputError(path, f"fst_window_min [{low}, {high}]: first minute after last")
    if "human_reference_file" in meta:
        reference = study_file_inside(study_dir, meta["human_reference_file"], path, "human_reference_file")
        load_yaml_file(reference, limits)
    else:
        for reference in human_reference_candidates(meta, study_dir):
            load_yaml_file(reference, limits)
    return meta


def _shipped_references() -> dict[str, Path]:
    """{compound (case-folded): file} of the pipeline's human reference files."""
    return {p.name[: -len("_human.yaml")].casefold(): p for p in sorted(REFERENCE_DIR.glob("*_human.yaml"))}


def human_reference_candidates(meta: dict, study_dir) -> list[Path]:
    """The human reference files the study may use, known at parse time: the
    study's own ``human_reference_file``; else the pipeline's file of the
    study.yaml compound (none when it has none); else, the compound being
    inferred from the data later, every pipeline reference file
    (:func:`chosen_reference` picks one)."""
    if "human_reference_file" in meta:
        return [Path(study_dir) / meta["human_reference_file"]]
    shipped = _shipped_references()
    if meta.get("compound"):
        return [shipped[meta["compound"].casefold()]] if meta["compound"].casefold() in shipped else []
    return list(shipped.values())


def reference_paths(paths) -> list[Path]:
    """*paths* as a list (a rule input holding one path may be a string)."""
    return [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]


def chosen_reference(paths, study: dict):
    """The human reference file among *paths* (:func:`human_reference_candidates`)
    for the validated *study* (``validated/study.json``): the study's own
    file, else the pipeline's file named after the study compound; None
    when there is none."""
    paths = reference_paths(paths)
    if "human_reference_file" in study:
        return paths[0] if paths else None
    compound = str(study.get("compound") or "").casefold()
    return next((p for p in paths if p.name.casefold() == f"{compound}_human.yaml"), None)


def study_file_inside(study_dir, relative: str, yaml_path, key: str) -> Path:
    """The file that a study.yaml path value names, which must lie inside the
    study directory (after resolving ``..`` and symbolic links), so that a
    study cannot make the pipeline read arbitrary files."""
    root = Path(study_dir).resolve()
    target = (root / relative).resolve()
    if Path(relative).is_absolute() or not target.is_relative_to(root):
        raise InputError(
            yaml_path,
            f"key '{key}': '{relative}' points outside the study "
            "directory; give a path relative to the study directory, inside it",
        )
    if not target.is_file():
        raise InputError(yaml_path, f"key '{key}': file '{relative}' not found in the study directory")
    return target


def safe_study_name(name: str) -> str:
    """A directory name made safe for use as results/<name>/."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return cleaned or "study"
