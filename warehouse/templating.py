"""Jinja for models, dbt style: `ref`, `source`, `var`, `config`, `is_incremental`, `this` and
macros from `macros/*.sql`.

Only files that contain `{{`, `{%` or `{#` are rendered; jinja2 is imported the first time one
is (most projects load without it). Undefined names are errors, and every error names the model
file and line (and the macro file and line when it happened inside a macro).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.errors import ProjectError

JINJA_MARKERS = ("{{", "{%", "{#")
_DOCS_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.S)
CONFIG_KEYS = ("materialized", "unique_key", "incremental_strategy", "tags", "meta")
_MISSING = object()


def uses_jinja(text: str) -> bool:
    return any(marker in text for marker in JINJA_MARKERS)


def read_docs(paths: Iterable[Path]) -> dict[str, str]:
    """dbt doc blocks (`{% docs name %}...{% enddocs %}` in .md files), by name."""
    docs: dict[str, str] = {}
    origins: dict[str, Path] = {}
    for path in paths:
        for match in _DOCS_BLOCK.finditer(path.read_text(encoding="utf-8")):
            name = match[1]
            if name in docs:
                raise ProjectError(f"{path}: doc block {name!r} is also defined in {origins[name]}")
            docs[name], origins[name] = match[2].strip(), path
    return docs


@dataclass
class Rendered:
    """A rendered model: its SQL and what its `config(...)` calls set."""

    sql: str
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class _RenderState:
    path: Path
    this: str
    incremental: bool
    config: dict[str, Any] = field(default_factory=dict)


class _This:
    """`{{ this }}`: the model's own table, `schema.name` (also `.schema`, `.name`)."""

    def __init__(self, templates: Templates) -> None:
        self._templates = templates

    def _fqn(self) -> str:
        return self._templates.state().this

    @property
    def schema(self) -> str:
        return self._fqn().split(".", 1)[0]

    @property
    def name(self) -> str:
        return self._fqn().split(".", 1)[1]

    identifier = name

    def __str__(self) -> str:
        return self._fqn()

    __html__ = __str__


class Templates:
    """The Jinja environment of one project: its macros, vars and name resolution."""

    def __init__(
        self,
        *,
        macro_files: Iterable[Path],
        vars: dict[str, Any],
        ref: Callable[[tuple[str, ...]], str],
        source: Callable[[str, str], str],
        docs: dict[str, str] | None = None,
    ) -> None:
        # imported here, not at module level: most projects never render a template, and
        # jinja2 costs about as much to import as loading a small project
        import jinja2

        self._jinja = jinja2
        self.vars = dict(vars)
        self._ref, self._source = ref, source
        self._docs = dict(docs or {})
        self._state: _RenderState | None = None
        self.env = jinja2.Environment(
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        )
        self.env.globals.update(
            ref=self._call_ref,
            source=self._call_source,
            var=self._call_var,
            config=self._call_config,
            is_incremental=lambda: self.state().incremental,
            this=_This(self),
            doc=self._call_doc,
        )
        self._macro_origin: dict[str, Path] = {}
        for path in macro_files:
            self._load_macros(path)

    def state(self) -> _RenderState:
        if self._state is None:
            raise ProjectError("ref(), this and is_incremental() are only available in models")
        return self._state

    def render(self, path: Path, text: str, *, this: str, incremental: bool = False) -> Rendered:
        """Render one model file; `this` is its `schema.name`."""
        template = self._compile(path, text)
        self._state = _RenderState(path, this, incremental)
        try:
            sql = template.render()
            return Rendered(sql, self._state.config)
        except ProjectError as exc:
            raise ProjectError(_located(exc, path, str(exc))) from exc
        except Exception as exc:
            raise ProjectError(_located(exc, path, _describe(exc))) from exc
        finally:
            self._state = None

    def render_text(self, origin: str, text: str) -> str:
        """A YAML text such as a description with `{{ doc('orders') }}` in it."""
        try:
            return self.env.from_string(text).render()
        except ProjectError as exc:
            raise ProjectError(f"{origin}: {exc}") from exc
        except Exception as exc:
            raise ProjectError(f"{origin}: cannot render {text!r}: {_describe(exc)}") from exc

    def render_expression(self, origin: str, expression: str) -> str:
        """A YAML value such as `ref('customers')` evaluated (no model context)."""
        try:
            return str(self.env.compile_expression(expression, undefined_to_none=False)())
        except ProjectError as exc:
            raise ProjectError(f"{origin}: {exc}") from exc
        except Exception as exc:
            raise ProjectError(
                f"{origin}: cannot evaluate {expression!r}: {_describe(exc)}"
            ) from exc

    def _compile(self, path: Path, text: str) -> Any:
        try:
            code = self.env.compile(text, name=str(path), filename=str(path))
        except self._jinja.TemplateSyntaxError as exc:
            raise ProjectError(f"{path}:{exc.lineno}: Jinja syntax error: {exc.message}") from exc
        return self.env.template_class.from_code(self.env, code, self.env.globals, None)

    def _load_macros(self, path: Path) -> None:
        # shared: the macros look names up in the live globals, so a macro may call one from a
        # file loaded after its own (a module's own context would copy the globals of now)
        template = self._compile(path, path.read_text(encoding="utf-8"))
        module = template.make_module(vars=self.env.globals, shared=True)
        for name in dir(module):
            macro = getattr(module, name)
            if name.startswith("_") or not isinstance(macro, self._jinja.runtime.Macro):
                continue
            if name in self._macro_origin:
                raise ProjectError(
                    f"{path}: macro {name!r} is also defined in {self._macro_origin[name]}"
                )
            if name in self.env.globals:
                raise ProjectError(f"{path}: macro {name!r} hides the built-in {name}()")
            self._macro_origin[name] = path
            self.env.globals[name] = macro

    def _call_ref(self, *parts: str) -> str:
        if not parts or len(parts) > 2 or not all(isinstance(p, str) for p in parts):
            raise ProjectError(f"ref{parts!r}: expected ref('name') or ref('schema', 'name')")
        return self._ref(tuple(parts))

    def _call_source(self, source_name: str, table_name: str) -> str:
        return self._source(source_name, table_name)

    def _call_doc(self, name: str) -> str:
        if name not in self._docs:
            raise ProjectError(f"doc({name!r}): no {{% docs {name} %}} block in the .md files")
        return self._docs[name]

    def _call_var(self, name: str, default: Any = _MISSING) -> Any:
        if name in self.vars:
            return self.vars[name]
        if default is _MISSING:
            raise ProjectError(
                f"var({name!r}) is not set: define it under vars: in the project file or "
                "pass it with --vars"
            )
        return default

    def _call_config(self, **options: Any) -> str:
        unknown = sorted(set(options) - set(CONFIG_KEYS))
        if unknown:
            raise ProjectError(
                f"config({unknown[0]}=...) is not supported in a model "
                f"(supported: {', '.join(CONFIG_KEYS)}; the schema comes from the folder)"
            )
        self.state().config.update(options)
        return ""


def _describe(exc: Exception) -> str:
    return (
        f"{type(exc).__name__}: {exc}" if not str(exc).startswith(type(exc).__name__) else str(exc)
    )


def _located(exc: BaseException, path: Path, message: str) -> str:
    """`path:line: message`, with the macro's file and line when the error came from one."""
    frames = [
        (frame.f_code.co_filename, line)
        for frame, line in traceback.walk_tb(exc.__traceback__)
        if frame.f_code.co_filename.endswith(".sql")
    ]
    model_lines = [line for name, line in frames if name == str(path)]
    where = f"{path}:{model_lines[0]}" if model_lines else str(path)
    if frames and frames[-1][0] != str(path):
        where += f" (in macro {frames[-1][0]}:{frames[-1][1]})"
    return f"{where}: {message}"
