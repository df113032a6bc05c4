"""YAML that remembers line numbers, so every error names the file and the line.

Mappings load as `YamlMap` and lists as `YamlList`, which carry the line of each key or item.
libyaml's parser is used when PyYAML has it: parsing YAML is most of the time `load_project`
takes, and the C parser is several times faster.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from warehouse.errors import ProjectError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlMap(dict):
    """A mapping with `line` (its first line) and `key_lines` (1-based, by key)."""

    line: int = 0
    key_lines: dict[Any, int]


class YamlList(list):
    """A list with `line` and `item_lines` (1-based, by index)."""

    line: int = 0
    item_lines: list[int]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_yaml_map(self, node: yaml.MappingNode):
        data = YamlMap()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node: yaml.SequenceNode):
        data = YamlList()
        data.line = node.start_mark.line + 1
        data.item_lines = [item.start_mark.line + 1 for item in node.value]
        yield data
        data.extend(self.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


def load(path: Path) -> YamlMap:
    """A YAML file whose top level is a mapping (an empty file is an empty mapping)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ProjectError(f"{path}{line}: invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        return YamlMap()
    if not isinstance(data, YamlMap):
        raise ProjectError(f"{path}:1: expected a mapping at the top level")
    return data


def where(path: Path | str, node: Any, key: Any = None, index: int | None = None) -> str:
    """`path:line` of a mapping (or one of its keys) or a list item; `path` when unknown."""
    line = 0
    if isinstance(node, YamlMap):
        line = node.key_lines.get(key, node.line) if key is not None else node.line
    elif isinstance(node, YamlList):
        line = node.item_lines[index] if index is not None else node.line
    return f"{path}:{line}" if line else str(path)


def check_keys(path: Path | str, node: YamlMap, allowed: Iterable[str], what: str) -> None:
    """Unknown keys are errors: a misspelt key must not be silently ignored."""
    allowed = tuple(allowed)
    for key in node:
        if key not in allowed:
            raise ProjectError(
                f"{where(path, node, key)}: unknown key {key!r} in {what} "
                f"(expected one of: {', '.join(allowed)})"
            )


def mapping(
    path: Path | str, value: Any, what: str, parent: Any = None, key: Any = None
) -> YamlMap:
    """`value` as a mapping, or an error at its line (or its parent's key's line)."""
    if value is None:
        return YamlMap()
    if not isinstance(value, YamlMap):
        raise ProjectError(f"{where(path, parent, key)}: {what} must be a mapping, got {value!r}")
    return value


def sequence(
    path: Path | str, value: Any, what: str, parent: Any = None, key: Any = None
) -> YamlList:
    """`value` as a list (None is empty), or an error at its parent's key's line."""
    if value is None:
        return YamlList()
    if not isinstance(value, YamlList):
        raise ProjectError(f"{where(path, parent, key)}: {what} must be a list, got {value!r}")
    return value
