"""study.yaml and the study directory (rule ``validate_study``).

The workflow validates the study at parse time, because it builds its jobs
from the study's file names and metadata before any job runs; the rule then
records the validated metadata as ``validated/study.json``.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jsonschema
import yaml

from scripts.tables import InputError
from scripts.validation.reading import load_schema

# The area folders whose CSV files the workflow reads.
AREA_FOLDERS = ("binding", "saturation", "behaviour", "pk")


class _StrictLoader(yaml.SafeLoader):
    """Safe loader: no Python object tags, so study.yaml cannot run code."""


def load_study_yaml(path) -> dict:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_StrictLoader)
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise InputError(
            path, f"YAML tag not allowed ({error.problem})", row=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            path,
            f"not valid YAML: {getattr(error, 'problem', error)}",
            row=mark.line + 1 if mark else None,
        ) from None
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
            out[key] = copy.deepcopy(spec["default"])
        if key in out:
            out[key] = fill_defaults(out[key], spec)
    return out


def validate_mapping(data: dict, schema_name: str, path) -> dict:
    """Validate a YAML mapping against a schema and fill its defaults."""
    schema = load_schema(schema_name)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
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
        raise InputError(
            yaml_path,
            f"key '{key}': '{relative}' points outside the study "
            "directory; give a path relative to the study directory, inside it",
        )
    if not target.is_file():
        raise InputError(yaml_path, f"key '{key}': file '{relative}' not found in the study directory")
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
        raise InputError(
            study_dir,
            "study directory path contains '{' or '}', which the "
            "workflow cannot use in a path; rename or move the directory",
        )
    for folder in AREA_FOLDERS:
        directory = study_dir / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() == ".csv" and not path.is_file():
                raise InputError(
                    path,
                    "is a directory (or not a regular file), so it cannot "
                    "be read as a data table; move it out of the study folder",
                )
            if not path.is_file():
                continue
            if "{" in path.name or "}" in path.name:
                raise InputError(
                    path,
                    "file name contains '{' or '}', which the workflow cannot use in a file name; rename the file",
                )
            if path.suffix.lower() == ".csv" and path.suffix != ".csv":
                raise InputError(
                    path,
                    f"extension '{path.suffix}' must be lower-case '.csv' "
                    "(otherwise the file would be skipped); rename the file",
                )
    binding = study_dir / "binding"
    for suffix, partner in ((".plate.csv", ".layout.csv"), (".layout.csv", ".plate.csv")):
        for path in sorted(binding.glob(f"*{suffix}")):
            other = path.with_name(path.name[: -len(suffix)] + partner)
            if path.is_file() and not other.is_file():
                raise InputError(
                    path,
                    f"plate-reader export is incomplete: {other.name} "
                    "is missing (a grid needs its layout and vice versa)",
                )


def safe_study_name(name: str) -> str:
    """A directory name made safe for use as results/<name>/."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return cleaned or "study"
