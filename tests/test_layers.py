"""The architecture as a test: a layer imports only from the layers below it.

Every ``import`` in the package -- at module level or inside a function, so a lazy import
cannot hide a dependency -- is checked against the order in ``LAYERS``. The order is also
the one the package docstring and docs/developing.md describe.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "metaevidence"

#: Bottom first. A layer may import itself and any layer before it in this list.
LAYERS = (
    "core",
    "_schema",
    "display",
    "stats",
    "datasets",
    "evidence",
    "io",
    "review",
    "plots",
    "workflow",
    "site",
    "cli",
)
#: Modules every layer may import: the error types and the one atomic write.
SHARED = {"errors", "_fileio"}
#: The package root re-exports the public API (imports everything lazily); only the top
#: layers may use it, and ``__version__`` may be read from anywhere.
ROOT_USERS = {"workflow", "site", "cli", "__main__"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name inside the package, or None for the root."""
    parts = module.split(".")
    if parts[0] != "metaevidence":
        raise ValueError(module)
    return parts[1] if len(parts) > 1 else None


def imports(path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) of every import of a metaevidence module in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, ()) for a in node.names if a.name.split(".")[0] == "metaevidence"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "metaevidence":
                found.append((node.lineno, node.module, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append((node.lineno, "." * node.level + (node.module or ""), ()))
    return found


def violations(package: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        here = layer_of(".".join(rel.parts))
        if here == "__init__" or here is None:
            continue  # the root re-exports everything
        for line, module, names in imports(path):
            where = f"{rel}.py:{line}"
            if module.startswith("."):
                out.append(f"{where}: relative import {module!r} (write it absolute)")
                continue
            there = layer_of(module)
            if there is None:
                if names and set(names) <= {"__version__"}:
                    continue
                for name in names:  # `from metaevidence import stats` names a layer
                    if name in LAYERS and not _allowed(here, name):
                        out.append(f"{where}: layer {here!r} imports {name!r}")
                if not names and here not in ROOT_USERS:
                    out.append(f"{where}: layer {here!r} imports the package root")
                elif names and not set(names) & set(LAYERS) and here not in ROOT_USERS:
                    out.append(f"{where}: layer {here!r} imports {', '.join(names)} from the package root")
                continue
            if not _allowed(here, there):
                out.append(f"{where}: layer {here!r} imports {module} (layer {there!r} is above it)")
    return out


def _allowed(here: str, there: str) -> bool:
    if there in SHARED or here == there:
        return True
    if here in SHARED:
        return there in SHARED or there == "errors"
    if here in ("__main__",):
        return True
    if here not in LAYERS or there not in LAYERS:
        return False
    return LAYERS.index(there) < LAYERS.index(here)


def test_no_layer_imports_a_layer_above_it():
    assert violations() == []


def test_every_module_belongs_to_a_layer():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "_fileio.py", "cli.py", "errors.py"]
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert set(folders) <= set(LAYERS), folders
    for name in folders:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert doc and "import" in doc.lower(), f"{name}/__init__.py must say what the layer may import"


@pytest.mark.parametrize(
    "planted, message",
    [
        ("core/fit.py", "layer 'core' imports metaevidence.stats.results"),
        ("stats/fit.py", "layer 'stats' imports metaevidence.workflow.store"),
        ("display/summary.py", "layer 'display' imports metaevidence.stats.results"),
    ],
)
def test_the_check_catches_a_planted_upward_import(tmp_path, planted, message):
    import shutil

    copy = tmp_path / "metaevidence"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / planted
    upward = message.split(" imports ")[1].split(" ")[0]
    target.write_text(target.read_text() + f"\n\ndef _planted():\n    import {upward}\n")
    found = violations(copy)
    assert any(message in v for v in found), found


def test_no_module_imports_by_name_at_run_time():
    # importlib.import_module("metaevidence.x") is an import the checks above cannot see; only
    # the package root may use it (its lazy re-export of the public API, from the layers below).
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module",
                "__import__",
            ):
                calls.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert calls == []
