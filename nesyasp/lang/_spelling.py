"""Spellings both readers share: comparison operators and the escapes of quoted text.

The Lark transformer (:mod:`nesyasp.lang._builder`) and the fast reader
(:mod:`nesyasp.lang._fast`) must read ``=<``, ``\\=``, ``'it''s'`` and
``"a\\nb"`` alike; both take them from here.
"""

from __future__ import annotations

import re

__all__ = ["COMPARISON_SPELLINGS", "unescape_string", "unescape_quoted"]


# Every accepted spelling of a comparison operator, and its canonical form.
COMPARISON_SPELLINGS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "\\=": "!=", "<": "<",
                        "<=": "<=", "=<": "<=", ">": ">", ">=": ">="}

_STRING_ESCAPE = re.compile(r"\\(.)")
_STRING_ESCAPES = {"\\": "\\", '"': '"', "n": "\n"}
_QUOTED_ESCAPE = re.compile(r"\\([\\'])")


def unescape_string(body: str) -> str | None:
    """Undo clingo's string escapes (``\\\\``, ``\\"``, ``\\n``); None on an unknown escape."""
    if "\\" not in body:
        return body
    bad = False

    def sub(m: re.Match[str]) -> str:
        nonlocal bad
        if m.group(1) not in _STRING_ESCAPES:
            bad = True
            return m.group(0)
        return _STRING_ESCAPES[m.group(1)]

    out = _STRING_ESCAPE.sub(sub, body)
    return None if bad else out


def unescape_quoted(body: str) -> str:
    """Undo ``\\'`` and ``\\\\`` in single-quoted text; other backslashes stay."""
    return _QUOTED_ESCAPE.sub(lambda m: m.group(1), body) if "\\" in body else body
