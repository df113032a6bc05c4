"""The project file (`plantsync_project.yml` in the model directory): vars and folder defaults.

```yaml
name: plantsync
vars: {micro_stop_threshold_s: 120}
models:
  +materialized: view        # every model
  canonical:
    +materialized: table     # models under canonical/ (and its subfolders)
    +tags: [canonical]
  marts:
    +schema: analytics       # tables are analytics.<name> instead of marts.<name>
```

Folder keys take dbt's `+` prefix or none. As in dbt, a first level named after the project
(`models: {plantsync: {...}}`) is the model directory itself. Tags add up from the root down;
other settings are overridden by deeper folders, then by the model's YAML, then by `config()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse import yamlfile
from warehouse.errors import ProjectError
from warehouse.model import MATERIALIZATIONS

PROJECT_FILE = "plantsync_project.yml"
PROJECT_KEYS = ("name", "vars", "models")
FOLDER_KEYS = ("materialized", "tags", "schema")


@dataclass
class ProjectConfig:
    """Vars and per-folder settings; folders are tuples of lower-cased path parts."""

    path: Path | None = None
    name: str | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    folders: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)
    folder_lines: dict[tuple[str, ...], str] = field(default_factory=dict)

    def for_folder(self, parts: tuple[str, ...]) -> dict[str, Any]:
        """The settings that apply to a model in folder `parts` (relative to the root)."""
        merged: dict[str, Any] = {"tags": ()}
        for depth in range(len(parts) + 1):
            for key, value in self.folders.get(parts[:depth], {}).items():
                merged[key] = (*merged["tags"], *value) if key == "tags" else value
        return merged

    def check_folders(self, root: Path) -> None:
        """A setting for a folder that does not exist would silently apply to nothing."""
        for parts, origin in self.folder_lines.items():
            if parts and not root.joinpath(*parts).is_dir():
                raise ProjectError(f"{origin}: no folder {'/'.join(parts)!r} under {root}")


def load_config(root: Path, cli_vars: dict[str, Any] | None = None) -> ProjectConfig:
    """Read `root/plantsync_project.yml` (optional); `cli_vars` override its vars."""
    path = root / PROJECT_FILE
    config = ProjectConfig()
    if path.is_file():
        data = yamlfile.load(path)
        yamlfile.check_keys(path, data, PROJECT_KEYS, "the project file")
        config.path = path
        config.name = str(data["name"]) if data.get("name") is not None else None
        config.vars = dict(yamlfile.mapping(path, data.get("vars"), "vars", data, "vars"))
        models = yamlfile.mapping(path, data.get("models"), "models", data, "models")
        if config.name and config.name in models and not (root / config.name).is_dir():
            models = yamlfile.mapping(path, models[config.name], "models", models, config.name)
        _read_folder(path, models, (), config)
    config.vars.update(cli_vars or {})
    return config


def _read_folder(
    path: Path, node: yamlfile.YamlMap, parts: tuple[str, ...], config: ProjectConfig
) -> None:
    settings: dict[str, Any] = {}
    config.folder_lines[parts] = yamlfile.where(path, node)
    for key, value in node.items():
        origin = yamlfile.where(path, node, key)
        name = str(key)
        if name.startswith("+") or (name in FOLDER_KEYS and not isinstance(value, dict)):
            settings[name.lstrip("+")] = _setting(origin, name.lstrip("+"), value)
        else:
            child = yamlfile.mapping(path, value, f"folder {name!r}", node, key)
            _read_folder(path, child, (*parts, name.lower()), config)
    config.folders[parts] = settings


def _setting(origin: str, key: str, value: Any) -> Any:
    if key not in FOLDER_KEYS:
        raise ProjectError(
            f"{origin}: unknown folder setting {key!r} (expected one of: "
            f"{', '.join('+' + k for k in FOLDER_KEYS)})"
        )
    if key == "materialized" and value not in MATERIALIZATIONS:
        raise ProjectError(
            f"{origin}: materialized must be one of {', '.join(MATERIALIZATIONS)}, got {value!r}"
        )
    if key == "tags":
        return tuple(str(t) for t in ([value] if isinstance(value, str) else value or ()))
    if key == "schema" and (not isinstance(value, str) or not value.isidentifier()):
        raise ProjectError(f"{origin}: schema must be a plain name, got {value!r}")
    return value.lower() if key == "schema" else value
