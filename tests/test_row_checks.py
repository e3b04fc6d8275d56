"""The compiled row checks (scripts/validation/row_checks.py) against
jsonschema's Draft 2020-12 validator, the second implementation: on
generated rows of every table schema, both find the same failures in the
same order, and the user reads the same message."""

from __future__ import annotations

import random

import jsonschema
import pytest

from scripts.validation.reading import load_schema
from scripts.validation.row_checks import compile_row_checker
from scripts.validation.rows import _describe

TABLE_SCHEMAS = tuple(
    f"{n}.schema.yaml" for n in ("binding", "saturation", "behaviour", "pk", "dosing", "lambda_z")
)


def _values(spec: dict, rng: random.Random) -> list:
    """Values a coerced cell of this column can hold: valid, boundary and
    invalid ones."""
    kind = spec.get("type")
    if "enum" in spec:
        return [*spec["enum"], "other", ""]
    if kind in ("number", "integer"):
        limits = [
            spec[k] for k in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum") if k in spec
        ]
        around = [x + d for x in limits for d in (-1.0, -1e-9, 0.0, 1e-9, 1.0)]
        return [*around, 0.0, -3.0, 2.5, 7.0, rng.uniform(-10, 1e6)]
    if kind == "boolean":
        return [True, False]
    return ["", "a", "text value", "competitor", "total", "nsb", "x" * 3]


def _valid(spec: dict):
    if "enum" in spec:
        return spec["enum"][0]
    if spec.get("type") in ("number", "integer"):
        low = max([spec.get("minimum", 0.0), spec.get("exclusiveMinimum", -1.0) + 1.0])
        return float(min(low, spec.get("maximum", low)))
    return True if spec.get("type") == "boolean" else "value"


def _records(schema: dict, n: int, seed: int):
    rng = random.Random(seed)
    properties = schema.get("properties", {})
    pools = {column: _values(spec, rng) for column, spec in properties.items()}
    for _ in range(n):
        if rng.random() < 0.2:  # a complete row of valid values
            yield {column: _valid(spec) for column, spec in properties.items()}
            continue
        record = {}
        for column, pool in pools.items():
            if rng.random() < 0.85:  # some columns missing (blank cells)
                record[column] = rng.choice(pool)
        yield record


@pytest.mark.parametrize("name", TABLE_SCHEMAS)
def test_every_table_schema_is_compiled(name):
    assert compile_row_checker(load_schema(name)) is not None


@pytest.mark.parametrize("name", TABLE_SCHEMAS)
def test_compiled_checks_find_what_jsonschema_finds(name):
    schema = load_schema(name)
    compiled = compile_row_checker(schema)
    reference = jsonschema.Draft202012Validator(schema)
    n_failing = 0
    for record in _records(schema, 1500, seed=len(name)):
        expected = sorted(reference.iter_errors(record), key=lambda e: list(e.path))
        got = compiled(record)
        assert [(e.validator, list(e.path)) for e in got] == [
            (e.validator, list(e.path)) for e in expected
        ], record
        if expected:
            n_failing += 1
            assert _describe(got[0]) == _describe(expected[0]), record
    assert 0 < n_failing < 1500  # both passing and failing rows were generated


def test_if_then_rule_is_compiled():
    schema = {
        "type": "object",
        "properties": {"kind": {"enum": ["a", "b"]}, "x": {"type": "number", "minimum": 0}},
        "required": ["kind"],
        "if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
        "then": {"required": ["x"]},
    }
    check = compile_row_checker(schema)
    assert [e.message for e in check({"kind": "a"})] == ["'x' is a required property"]
    assert check({"kind": "b"}) == []
    assert _describe(check({"kind": "a", "x": -1.0})[0]) == ("x", "must be ≥ 0 (got -1)")


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"x": {"type": "string", "pattern": "^a"}}},
        {"type": "object", "anyOf": [{"required": ["x"]}, {"required": ["y"]}]},
        {"type": "object", "properties": {"x": {"type": ["number", "null"]}}},
        {"type": "object", "if": {"properties": {"x": {"minimum": 1}}}, "then": {"required": ["y"]}},
    ],
)
def test_schemas_beyond_the_compiled_keywords_are_left_to_jsonschema(schema):
    assert compile_row_checker(schema) is None
