"""The files and the Python names the docs point at exist: a renamed module or a moved script is a failing test,
not a dead reference (``tests/test_docs_cli.py`` does the same for command lines and options)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "HACKING.md", *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "examples" / "tables" / "README.md"]
_PATH = re.compile(r"(?<![\w/.-])((?:nesyasp|tests|benchmarks|examples|programs|docs)/[\w./-]+)")
_DOTTED = re.compile(r"`(nesyasp(?:\.\w+)+)")


def _where(page: Path, text: str, at: int) -> str:
    return f"{page.relative_to(ROOT).as_posix()}:{text.count(chr(10), 0, at) + 1}"


def test_every_path_the_docs_name_exists():
    dead = []
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        for m in _PATH.finditer(text):
            path = m.group(1).rstrip(".,:)")
            if m.end() < len(text) and text[m.end()] in "<{*" or "NAME" in path:  # a pattern: programs/NAME.lp
                continue
            shipped = ROOT / re.sub(r"^nesyasp/programs\b", "programs", path)  # where a wheel puts programs/
            if not ((ROOT / path).exists() or (page.parent / path).exists() or shipped.exists()):
                dead.append(f"{_where(page, text, m.start())}: {path}")
    assert dead == []


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attribute in parts[i:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


def test_every_dotted_nesyasp_name_the_docs_use_resolves():
    names = {}
    for page in DOCS:
        text = page.read_text(encoding="utf-8")
        for m in _DOTTED.finditer(text):
            names.setdefault(m.group(1), _where(page, text, m.start()))
    assert len(names) > 20
    assert [f"{where}: {name}" for name, where in names.items() if not _resolves(name)] == []
