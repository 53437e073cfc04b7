"""The layering, checked on the source: page -> ui -> services -> domain / db.

- ``stages/domain`` imports neither ``db`` nor ``streamlit`` (pure rules and vocabulary);
- ``pages`` and ``stages/ui`` never import ``db`` (they go through a service);
- ``stages/services`` never imports ``streamlit``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RULES = {
    "stages/domain": ("db", "streamlit"),
    "stages/ui": ("db",),
    "pages": ("db",),
    "stages/services": ("streamlit",),
}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def forbidden_imports(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    problems = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            top = module.split(".")[0]
            if top in forbidden:
                problems.append(f"{path.relative_to(ROOT)} imports {module}")
    return problems


@pytest.mark.parametrize("folder", sorted(RULES))
def test_layer_imports_only_what_it_may(folder):
    assert (ROOT / folder).is_dir()
    assert forbidden_imports(folder, RULES[folder]) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from db.models import Role\n    import streamlit as st\n")
    assert imported_modules(sample) == {"db.models", "streamlit"}
