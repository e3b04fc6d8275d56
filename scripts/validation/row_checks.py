"""The table schemas compiled once into plain per-row checks.

Checking every row with jsonschema took about 90 % of the time of validating
a large file (benchmarks/README.md), for the handful of keywords the table
schemas use. :func:`compile_row_checker` turns a schema into one function per
row that yields the same failures jsonschema's Draft 2020-12 validator yields,
in the same order, as :class:`Failure` objects with the attributes that
``rows._describe`` reads (``validator``, ``validator_value``, ``path``,
``instance``, ``message``), so the user sees the same message either way.

Supported: top-level ``required``; an ``if`` of ``properties`` with ``const``
or ``enum`` and ``required``, with a ``then`` of ``required``; per property
``type`` (one of string, number, integer, boolean), ``enum`` (of strings),
``minimum``, ``exclusiveMinimum``, ``maximum``, ``exclusiveMaximum`` and
``minLength``. A schema using any other validation keyword is not compiled
(None), and its rows are checked with jsonschema itself. Keywords that are
not JSON-Schema validation keywords (``lowercase``, ``blq_column``, units,
descriptions) are ignored, as jsonschema ignores them. tests/test_row_checks.py
compares the two on generated rows of every table schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# JSON-Schema validation keywords the compiled checks do not implement.
UNSUPPORTED = frozenset(
    {
        "$ref", "$defs", "definitions", "allOf", "anyOf", "oneOf", "not", "else", "const", "pattern",
        "patternProperties", "additionalProperties", "dependentRequired", "dependentSchemas",
        "dependencies", "maxLength", "multipleOf", "format", "items", "prefixItems", "contains",
        "propertyNames", "minProperties", "maxProperties", "unevaluatedProperties", "uniqueItems",
        "minItems", "maxItems",
    }
)  # fmt: skip
PROPERTY_KEYWORDS = (
    "type",
    "enum",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
)
TYPES = ("string", "number", "integer", "boolean")


@dataclass
class Failure:
    """One failed check, shaped like a jsonschema ValidationError."""

    validator: str
    validator_value: object
    instance: object
    message: str
    path: list = field(default_factory=list)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_ok(value, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        return _is_number(value)
    return _is_number(value) and float(value).is_integer()  # integer: 3.0 counts, as in jsonschema


def _property_checks(spec: dict):
    """The checks of one property, in the order of its keywords, or None
    when it uses a keyword not compiled here."""
    if any(key in UNSUPPORTED for key in spec):
        return None
    checks = []
    for key in spec:
        if key not in PROPERTY_KEYWORDS:
            continue
        limit = spec[key]
        if key == "type":
            if limit not in TYPES:
                return None
            checks.append(
                lambda v, t=limit: (
                    None if _type_ok(v, t) else Failure("type", t, v, f"{v!r} is not of type {t!r}")
                )
            )
        elif key == "enum":
            if not all(isinstance(item, str) for item in limit):
                return None
            allowed = frozenset(limit)
            checks.append(
                lambda v, a=allowed, e=limit: (
                    None
                    if isinstance(v, str) and v in a
                    else Failure("enum", e, v, f"{v!r} is not one of {e!r}")
                )
            )
        elif key == "minLength":
            checks.append(
                lambda v, n=limit: (
                    None
                    if not isinstance(v, str) or len(v) >= n
                    else Failure("minLength", n, v, f"{v!r} is too short")
                )
            )
        else:
            failed = {
                "minimum": lambda v, m: v < m,
                "exclusiveMinimum": lambda v, m: v <= m,
                "maximum": lambda v, m: v > m,
                "exclusiveMaximum": lambda v, m: v >= m,
            }[key]
            checks.append(
                lambda v, m=limit, k=key, f=failed: (
                    None
                    if not _is_number(v) or not f(v, m)
                    else Failure(k, m, v, f"{v!r} violates {k} {m!r}")
                )
            )
    return checks


def _condition(schema: dict):
    """The ``if`` subschema as a predicate on a row, or None when it is not
    of the supported shape."""
    if set(schema) - {"properties", "required"}:
        return None
    required = list(schema.get("required", []))
    expected = {}
    for column, spec in schema.get("properties", {}).items():
        if set(spec) == {"const"}:
            expected[column] = (spec["const"],)
        elif set(spec) == {"enum"}:
            expected[column] = tuple(spec["enum"])
        else:
            return None

    def holds(record: dict) -> bool:
        if any(column not in record for column in required):
            return False
        return all(
            column not in record
            or any(
                record[column] == v and isinstance(record[column], bool) == isinstance(v, bool)
                for v in values
            )
            for column, values in expected.items()
        )

    return holds


def _missing(record: dict, required: list) -> list:
    return [
        Failure("required", required, record, f"{column!r} is a required property")
        for column in required
        if column not in record
    ]


def compile_row_checker(schema: dict):
    """A function ``record -> list of Failure`` equivalent to
    ``sorted(Draft202012Validator(schema).iter_errors(record), key=path)``,
    or None when *schema* uses a keyword not compiled here."""
    if any(key in UNSUPPORTED for key in schema) or schema.get("type", "object") != "object":
        return None
    properties = {}
    for column, spec in schema.get("properties", {}).items():
        checks = _property_checks(spec)
        if checks is None:
            return None
        properties[column] = checks
    required = list(schema.get("required", []))
    condition = then_required = None
    if "if" in schema or "then" in schema:
        condition = _condition(schema.get("if", {}))
        then = schema.get("then", {})
        if condition is None or set(then) - {"required"}:
            return None
        then_required = list(then.get("required", []))

    # jsonschema visits the keywords in the schema's order; sorting by path
    # then puts the whole-row failures (empty path) first, stably.
    order = [key for key in schema if key in ("properties", "required", "if")]

    def check(record: dict) -> list:
        rows, cells = [], []
        for key in order:
            if key == "required":
                rows.extend(_missing(record, required))
            elif key == "if":
                if condition(record):
                    rows.extend(_missing(record, then_required))
            else:
                for column, value in record.items():
                    for test in properties.get(column, ()):
                        failure = test(value)
                        if failure is not None:
                            failure.path = [column]
                            cells.append(failure)
        cells.sort(key=lambda failure: failure.path)
        return rows + cells

    return check
