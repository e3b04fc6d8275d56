"""Reading the study's YAML files (study.yaml, a human reference file) safely.

A YAML file written by a user is read with a loader that

* builds only plain data (no Python object tags, so it cannot run code);
* refuses anchors (``&a``) and aliases (``*a``): a few lines of nested
  aliases expand to gigabytes once the data is written out ("billion
  laughs"), and a study file has no need of them;
* refuses a key given twice in one mapping (the last would silently win),
  naming the line of each;

and only after its size has been checked against ``limits.max_yaml_kib``.
Every problem is an :class:`~scripts.tables.InputError` naming the file and
line.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

from scripts import settings
from scripts.tables import InputError


class StrictLoader(yaml.SafeLoader):
    """Safe loader without anchors, aliases or repeated keys. Dates stay text
    as written (2024-05-01), so messages show them as the user wrote them."""

    yaml_path = "YAML file"

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or (
            isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor is not None
        ):
            what = (
                f"alias '*{event.anchor}'" if isinstance(event, AliasEvent) else f"anchor '&{event.anchor}'"
            )
            raise InputError(
                self.yaml_path,
                f"YAML {what} not allowed (anchors and aliases can expand without bound); write the values out",
                row=event.start_mark.line + 1,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key; the base class reports it
                    continue
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise InputError(
                        self.yaml_path,
                        f"key '{key}' is given twice (lines {first} and {line}); keep one",
                        row=line,
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def user_text(value) -> str:
    """A YAML value as the user would write it (not a Python repr)."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def check_size(path, limits: dict, setting: str) -> None:
    """InputError when *path* is larger than ``limits[setting]`` (a size in
    the unit the setting's name ends with: KiB or MiB)."""
    unit = "KiB" if setting.endswith("kib") else "MiB"
    scale = 1024 if unit == "KiB" else 1024 * 1024
    size = Path(path).stat().st_size
    if size > limits[setting] * scale:
        raise InputError(
            path,
            f"file is {size / scale:.1f} {unit}, above the limit of {limits[setting]:g} {unit} "
            f"(setting limits.{setting} in the config); is it the right file?",
        )


def load_yaml_file(path, limits: dict | None = None, display=None):
    """The data of a user YAML file, read with :class:`StrictLoader` after its
    size is checked. *display* is the name used in messages (default: path)."""
    path = Path(path)
    display = display if display is not None else path
    check_size(path, settings.section("limits", limits), "max_yaml_kib")

    class _Loader(StrictLoader):
        yaml_path = str(display)

    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.constructor.ConstructorError as error:
        mark = error.problem_mark
        raise InputError(
            display, f"YAML tag not allowed ({error.problem})", row=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            display,
            f"not valid YAML: {getattr(error, 'problem', error)}",
            row=mark.line + 1 if mark else None,
        ) from None
    except UnicodeDecodeError:
        raise InputError(display, "not valid UTF-8 text; save it as UTF-8") from None
