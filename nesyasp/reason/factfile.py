"""Facts files, read fast: one regular-expression pass, unary facts straight into a boolean table.

A facts file of 200,000 images (``_example(img7). f12(img7). ...``, about two
million facts) is read in a few seconds, the time clingo itself takes to
parse it, instead of building an AST node per fact. The fast path takes files
of plain facts (``name(a,b).`` or ``name.``) whose arguments are constants,
integers or decimals, with ``%`` line comments; anything else (strings,
compound terms, rules, ``#include``, quoted constants) goes through the full
parser, with its error messages.

* unary facts ``f12(img7).`` become a :class:`~nesyasp.reason.facts.TableFacts`
  (rows: the examples, including those named only by ``_example(id).``;
  columns: the predicates), which clingo receives packed and the compiled path
  reads as it is;
* every other fact becomes a clingo symbol.

:meth:`FactFile.slice` picks the facts whose first argument is one example
with one search over the text: for a per-example program (every learned rule
set) those facts alone decide that example's answers, so explaining one image
over a file of N images costs what explaining it over its own facts costs.
"""

from __future__ import annotations

import re
from array import array
from pathlib import Path

import clingo
import numpy as np

from nesyasp.errors import ReasoningError
from nesyasp.lang.parser import parse_file, parse_program, resolve_includes
from nesyasp.reason.decimals import real_places
from nesyasp.reason.facts import FactBase
from nesyasp.reason.terms import INT_MAX, INT_MIN, decimal_symbol
from nesyasp.reason.translate import DOMAIN_PREDICATE

__all__ = ["FactFile", "read_facts", "sliced_program", "LAZY_BYTES"]

#: Files at least this large are read when first needed (and sliced per example when that suffices).
LAZY_BYTES = 1 << 20

_NAME = r"_*[a-z][A-Za-z0-9_']*"
_FACT = re.compile(rf"({_NAME})(?:\(([^()\"%:#\n]*)\))?[ \t]*\.(?![0-9])")
_IDENT = re.compile(rf"{_NAME}\Z")
_INTEGER = re.compile(r"-?[0-9]+\Z")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_COMMENT = re.compile(r"%[^\n]*")
_NOT_SIMPLE = re.compile(r"[\"#]|:-|\([^()\n]*\(")


class FactFile:
    """A facts file, read on demand.

    Parameters
    ----------
    path:
        The ``.lp`` file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._text: str | None = None
        self._simple: bool | None = None
        self._plain: str | None = None

    @property
    def text(self) -> str:
        """The file's text (read once)."""
        if self._text is None:
            try:
                self._text = self.path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise ReasoningError(f"{self.path}: not a UTF-8 text file ({exc.reason} at byte {exc.start})") \
                    from None
            except OSError as exc:
                raise ReasoningError(f"{self.path}: cannot read it ({exc.strerror or exc})") from None
        return self._text

    @property
    def simple(self) -> bool:
        """True when the file holds only plain facts the fast path reads (no strings, rules, includes...)."""
        if self._simple is None:
            self._simple = "%*" not in self.text and _NOT_SIMPLE.search(self.plain) is None
        return self._simple

    @property
    def plain(self) -> str:
        """The text without its ``%`` comments."""
        if self._plain is None:
            self._plain = _COMMENT.sub("", self.text) if "%" in self.text else self.text
        return self._plain

    def load(self, facts: FactBase) -> None:
        """Add every fact of the file to ``facts`` (the fast path when it applies)."""
        if not self.simple or not self._load_fast(facts):
            facts.add_program(resolve_includes(parse_file(self.path)))

    def _load_fast(self, facts: FactBase) -> bool:
        pieces = _FACT.split(self.plain)
        if "".join(pieces[0::3]).strip():
            return False  # something other than facts: the parser says what and where
        columns: dict[str, int] = {}
        rows: dict[str, int] = {}
        cols, rws = array("i"), array("i")
        others: list[tuple[str, str | None]] = []
        for name, args in zip(pieces[1::3], pieces[2::3]):
            if args is not None and "," not in args and "." not in args:
                arg = args.strip()
                row = rows.get(arg)
                if row is None:
                    row = rows[arg] = len(rows)
                if name != DOMAIN_PREDICATE:
                    column = columns.get(name)
                    if column is None:
                        column = columns[name] = len(columns)
                    cols.append(column)
                    rws.append(row)
            else:
                others.append((name, args))
        ids = [_id(text) for text in rows]
        if any(i is None for i in ids):
            return False
        symbols = [_symbol(name, args, facts) for name, args in others]
        if any(s is None for s in symbols):
            return False
        if rows:
            values = np.zeros((len(rows), len(columns)), dtype=bool)
            values[np.frombuffer(rws, dtype=np.int32), np.frombuffer(cols, dtype=np.int32)] = True
            facts.add_table(values, list(columns), ids)
        facts.add_symbols(symbols)  # type: ignore[arg-type]
        return True

    def slice(self, example: clingo.Symbol) -> str | None:
        """The facts whose first argument is ``example``, as text; None when the file is not plain facts."""
        if not self.simple:
            return None
        pattern = re.compile(rf"(?<![A-Za-z0-9_'])({_NAME})\({re.escape(str(example))}(?:,[^()\"%:#\n]*)?\)[ \t]*\."
                             r"(?![0-9])")
        return "\n".join(m.group(0) for m in pattern.finditer(self.plain))

    def mentions(self, name: str) -> bool:
        """True when some fact of the file has predicate ``name`` (a cheap search)."""
        return re.search(rf"(?<![A-Za-z0-9_']){re.escape(name)}[(. \t]", self.plain) is not None


def _id(text: str) -> object | None:
    """An example id of the fast path: an identifier (as text) or an integer."""
    if _IDENT.match(text):
        return text
    if _INTEGER.match(text) and INT_MIN <= int(text) <= INT_MAX:
        return int(text)
    return None


def _symbol(name: str, args: str | None, facts: FactBase) -> clingo.Symbol | None:
    if args is None:
        return clingo.Function(name)
    values = []
    for k, raw in enumerate(args.split(",")):
        token = raw.strip()
        if _IDENT.match(token):
            values.append(clingo.Function(token))
        elif _INTEGER.match(token):
            number = int(token)
            if not INT_MIN <= number <= INT_MAX:
                return None
            values.append(clingo.Number(number))
        elif _DECIMAL.match(token):
            from decimal import Decimal

            value = Decimal(token)
            position = (name, len(args.split(",")), k)
            facts.decimals[position] = max(facts.decimals.get(position, 0), real_places(value))
            values.append(decimal_symbol(value))
        else:
            return None
    return clingo.Function(name, values)


def read_facts(path: str | Path, facts: FactBase) -> None:
    """Read a facts file into ``facts`` (see :class:`FactFile`)."""
    FactFile(path).load(facts)


def sliced_program(file: FactFile, example: clingo.Symbol):
    """The program of one example's facts (parsed by the full parser: they are few)."""
    return parse_program(file.slice(example) or "", str(file.path))

