"""Write docs/api.md, the reference of databoard's public Python API, from its docstrings.

Run ``python docs/make_api.py`` after changing a docstring or an option of anything in
``databoard.__all__``; ``--check`` only says whether docs/api.md is up to date (the test
suite runs it). Every option of every class must have a description (a ``:param:`` in
the docstring of the class or of a base, or a ``#:`` comment on a dataclass field):
the script refuses to write a reference with a gap.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
from pathlib import Path

import databoard
from databoard.options import keywords

OUT = Path(__file__).with_name("api.md")

#: The reference's sections: a title, a sentence, and the names of ``databoard.__all__``.
SECTIONS = [
    ("Dashboards", "A dashboard is datasets, filters and charts.", ["Dashboard", "create_app"]),
    (
        "Charts",
        "What `Dashboard.add_chart` and `@board.chart` declare, and what a chart function "
        "receives and returns.",
        ["Chart", "View", "ChartRows"],
    ),
    (
        "Chart kinds",
        "A kind draws a chart's rows: `kind=Line(x=..., y=...)` in Python, `kind: line` with "
        "the same options in YAML. Options naming columns are checked against the data by "
        "`databoard check`.",
        ["Line", "Area", "Scatter", "Bar", "Histogram", "Box", "Pie", "Choropleth", "Table", "Kpi"],
    ),
    (
        "Filters",
        "`Dashboard.add_filter(MultiSelect(name, column, ...))`; the first two options may be "
        "given by position.",
        ["MultiSelect", "Select", "Range", "Slider"],
    ),
]

#: Fields a dashboard or chart keeps as state, not set by its author.
STATE = {
    "Dashboard": {
        "datasets",
        "filters",
        "charts",
        "loaded",
        "version",
        "prefiltered",
        "colours",
        "pristine",
    },
    "Chart": set(),
}
#: Classes made by databoard, not by their author: no options table.
MADE = {"View"}
#: Methods documented, by class (the others serve the app, not the author).
METHODS = {
    "Dashboard": [
        "add_dataset",
        "dataset",
        "add_filter",
        "add_chart",
        "chart",
        "load",
        "parse_view",
        "render",
        "data",
        "chart_frame",
    ],
    "View": ["query", "order_of"],
}


def markdown(text: str) -> str:
    """Return reST docstring text as Markdown: roles and double backquotes as code."""
    text = re.sub(r":(?:class|func|meth|attr|mod|data):`~?([\w.]+?)`", _role, text)
    text = re.sub(r"``(.+?)``", r"`\1`", text)
    return text


def _role(match: re.Match) -> str:
    name = match.group(1)
    full = match.group(0)
    shown = name.rsplit(".", 1)[-1] if "~" in full or name.startswith("databoard.") else name
    return f"`{shown}`"


def split(doc: str | None) -> tuple[str, dict[str, str], list[str]]:
    """Return a docstring's prose, its ``:param:`` texts by name, and its other fields."""
    text = inspect.cleandoc(doc or "")
    prose, params, fields = [], {}, []
    current: list[str] | None = None
    for line in text.splitlines():
        found = re.match(r":(param|return|raise)\s*([\w.]*):\s*(.*)", line)
        if found:
            kind, name, rest = found.groups()
            if kind == "param":
                params[name] = rest
                current = None
                last = name
            else:
                label = "Returns" if kind == "return" else f"Raises `{name}`"
                fields.append(f"{label}: {rest}")
                current = fields
                last = ""
            continue
        if line.startswith(" ") and (params or fields):  # a field's next line
            if current is fields:
                fields[-1] += " " + line.strip()
            elif last:
                params[last] += " " + line.strip()
            continue
        prose.append(line)
    clean = {k: markdown(v) for k, v in params.items()}
    return markdown("\n".join(prose).strip()), clean, [markdown(f) for f in fields]


def comments(cls: type) -> dict[str, str]:
    """Return the ``#:`` comments above the fields of a (data)class, by field name."""
    found: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(cls).splitlines():
        stripped = line.strip()
        if stripped.startswith("#:"):
            pending.append(stripped[2:].strip())
            continue
        field = re.match(r"(\w+)\s*:", stripped)
        if field and pending:
            found[field.group(1)] = markdown(" ".join(pending))
        pending = []
    return found


def options(cls: type) -> list[tuple[str, object]]:
    """Return a class's options in order, each with its default (``inspect._empty`` if none)."""
    if dataclasses.is_dataclass(cls):
        out = []
        for item in dataclasses.fields(cls):
            if item.name in STATE.get(cls.__name__, set()):
                continue
            if item.default is not dataclasses.MISSING:
                default: object = item.default
            elif item.default_factory is not dataclasses.MISSING:
                default = item.default_factory()
            else:
                default = inspect.Parameter.empty
            out.append((item.name, default))
        return out
    defaults: dict[str, object] = {}
    for klass in reversed(cls.__mro__[:-1]):
        if "__init__" in vars(klass):
            for param in inspect.signature(vars(klass)["__init__"]).parameters.values():
                defaults[param.name] = param.default
    return [(name, defaults[name]) for name in keywords(cls)]


def described(cls: type) -> dict[str, str]:
    """Return the description of each option of *cls*, from it and its bases."""
    texts: dict[str, str] = {}
    for klass in reversed(cls.__mro__[:-1]):
        texts |= comments(klass) if dataclasses.is_dataclass(klass) else {}
        texts |= split(klass.__doc__)[1]
    return texts


def signature(name: str, opts: list[tuple[str, object]]) -> str:
    parts = [n if d is inspect.Parameter.empty else f"{n}={d!r}" for n, d in opts]
    return f"{name}({', '.join(parts)})"


def class_section(name: str, cls: type, missing: list[str]) -> list[str]:
    prose, _, fields = split(cls.__doc__)
    lines = [f"### `{name}`", ""]
    if name not in MADE:
        opts = options(cls)
        lines += ["```python", signature(name, opts), "```", ""]
    lines += [prose, "", *fields, ""]
    if name not in MADE:
        texts = described(cls)
        lines += ["| option | default | meaning |", "| --- | --- | --- |"]
        for option, default in opts:
            text = texts.get(option, "")
            if not text:
                missing.append(f"{name}({option})")
            shown = "required" if default is inspect.Parameter.empty else f"`{default!r}`"
            lines.append(f"| `{option}` | {shown} | {_cell(text)} |")
        lines.append("")
    for method in METHODS.get(name, []):
        lines += method_section(name, getattr(cls, method), missing)
    return lines


def _plain(func) -> str:
    """Return *func*'s parameters as written, without annotations (or ``self``)."""
    sig = inspect.signature(func)
    params = [
        p.replace(annotation=inspect.Parameter.empty)
        for n, p in sig.parameters.items()
        if n != "self"
    ]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty))


def method_section(owner: str, func, missing: list[str]) -> list[str]:
    shown = _plain(func)
    prose, params_doc, fields = split(func.__doc__)
    if not prose:
        missing.append(f"{owner}.{func.__name__}")
    lines = [f"#### `{owner}.{func.__name__}{shown}`", "", prose, ""]
    for param, text in params_doc.items():
        lines.append(f"- `{param}`: {text}")
    lines += [f"- {f}" for f in fields]
    if params_doc or fields:
        lines.append("")
    return lines


def function_section(name: str, func, missing: list[str]) -> list[str]:
    prose, _, fields = split(func.__doc__)
    if not prose:
        missing.append(name)
    prose_params = split(func.__doc__)[1]
    listed = [f"- `{p}`: {t}" for p, t in prose_params.items()]
    return [f"### `{name}{_plain(func)}`", "", prose, "", *listed, *fields, ""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    """Return the reference's Markdown text.

    :raise ValueError: naming every name of ``databoard.__all__`` left out of a section
        and every option or method without a description.
    """
    placed = [n for _, _, names in SECTIONS for n in names]
    missing = [f"{n} (in no section)" for n in databoard.__all__ if n not in placed]
    lines = [
        "# API reference",
        "",
        "The public Python API, `from databoard import ...`: every name of "
        "`databoard.__all__`. The [authoring guide](authoring.md) shows them at work; "
        "a YAML dashboard uses the same options. This page is written from the docstrings "
        "by `python docs/make_api.py`; a test fails when it is out of date.",
        "",
    ]
    for title, intro, names in SECTIONS:
        lines += [f"## {title}", "", intro, ""]
        for name in names:
            obj = getattr(databoard, name)
            if isinstance(obj, type):
                lines += class_section(name, obj, missing)
            else:
                lines += function_section(name, obj, missing)
    if missing:
        raise ValueError("undocumented in the public API: " + ", ".join(missing))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def main(argv: list[str]) -> int:
    try:
        text = render()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    if "--check" in argv:
        if OUT.read_text() != text:
            print(f"{OUT.name} is out of date: run python docs/make_api.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
