"""The import graph of nesyasp: no import circles, and layers import one way only.

Every ``import`` statement counts, also those inside functions (a lazy import
that closes a circle is still a circle). Package ``__init__`` modules are
left out: they only re-export their own submodules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "nesyasp"

# Leaf modules every part may import: the exception tree, paths, Ctrl-C handling.
BASE = {"errors", "_paths", "interrupt"}
# Which top-level parts of nesyasp a part may import (besides itself and BASE).
ALLOWED = {
    "errors": set(),
    "shipped": set(),
    "lang": set(),
    "reason": {"lang"},
    "learn": {"lang", "reason"},
    "data": set(),
    "neural": {"lang", "reason", "learn", "data"},
    "label": {"lang", "reason", "learn", "data", "neural"},
    "lth": {"lang", "reason", "learn", "data", "neural"},
    "cli": {"lang", "reason", "learn", "data", "neural", "label", "lth", "shipped"},
}


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in mods and t != name)
    return found


def _graph() -> nx.DiGraph:
    mods = _modules()
    graph = nx.DiGraph()
    for name, path in mods.items():
        graph.add_node(name)
        for target in _imports(name, path, mods):
            if mods[target].name != "__init__.py":
                graph.add_edge(name, target)
    return graph


def test_no_import_circles() -> None:
    assert list(nx.simple_cycles(_graph())) == []


def test_layers_import_one_way() -> None:
    wrong = []
    for source, target in _graph().edges:
        a, b = source.split(".")[1], target.split(".")[1]
        if a != b and b not in BASE and a in ALLOWED and b not in ALLOWED[a]:
            wrong.append(f"{source} -> {target}")
    assert wrong == []
