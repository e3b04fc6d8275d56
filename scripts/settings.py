"""The pipeline's settings: one source for every default.

Every setting and its default is defined once, in
``workflow/schemas/config.schema.yaml``. Snakemake validates
``config/config.yaml`` against it and fills in the defaults, so a rule's
params always carry complete sections. Code that runs outside Snakemake
(tests, notebooks) gets the same values from :func:`config`.
Analysis functions take the settings they use as arguments and keep no
defaults of their own.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import yaml

SCHEMA = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


@functools.cache
def _defaulted() -> dict:
    import jsonschema

    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    base = jsonschema.Draft202012Validator

    def fill(validator, properties, instance, schema_):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(name, copy.deepcopy(sub["default"]))
        yield from base.VALIDATORS["properties"](validator, properties, instance, schema_)

    filler = jsonschema.validators.extend(base, {"properties": fill})
    instance: dict = {}
    filler(schema).validate(instance)
    return instance


def config(overrides: dict | None = None) -> dict:
    """The whole configuration with every default filled in, with
    *overrides* (``{section: {key: value}}``) applied on top."""
    merged = copy.deepcopy(_defaulted())
    for section, values in (overrides or {}).items():
        if isinstance(values, dict):
            merged.setdefault(section, {}).update(values)
        else:
            merged[section] = values
    return merged


def section(name: str, overrides: dict | None = None) -> dict:
    """One section (``binding``, ``behaviour``, ``pk``, ``translation`` …)
    with its defaults, updated with *overrides*."""
    merged = copy.deepcopy(_defaulted().get(name, {}))
    merged.update(overrides or {})
    return merged
