"""Facts files, read fast: one regular-expression pass, unary facts straight into a boolean table.

A facts file of 200,000 images (``_example(img7). f12(img7). ...``, about two
million facts) is read in a few seconds, the time clingo itself takes to
parse it, instead of building an AST node per fact. The fast path takes files
of plain facts (``name(a,b).`` or ``name.``) whose arguments are constants,
integers, decimals, plain strings (no quote, backslash, ``%``, parenthesis or
period inside) or function terms of one level of constants and integers
(``code(3)``), with ``%`` line comments; anything else (other strings,
deeper terms, rules, ``#include``) goes through the full parser, with its
error messages.

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

import itertools
import re
from pathlib import Path
from typing import Iterator

import clingo
import numpy as np

from nesyasp.errors import ReasoningError, expect_path
from nesyasp.lang.parser import parse_file, parse_program, resolve_includes
from nesyasp.reason.decimals import real_places
from nesyasp.reason.facts import FactBase
from nesyasp.reason.terms import INT_MAX, INT_MIN, decimal_symbol
from nesyasp.reason.translate import DOMAIN_PREDICATE

__all__ = ["FactFile", "read_facts", "sliced_program", "LAZY_BYTES"]

#: Files at least this large are read when first needed (and sliced per example when that suffices).
LAZY_BYTES = 1 << 20

_NAME = r"_*[a-z][A-Za-z0-9_']*"
_ARG = r"[^()\"%:#\n]*"
#: a string the fast path reads: no quote, backslash, ``%``, line break, parenthesis or period inside (so that
#: stripping comments and slicing by ``(example`` ... ``).`` cannot cut one); others go to the parser
_STRING = r'"[^"\\%\n().]*"'
#: a fact; its arguments may hold such strings and function terms of one level (``price(r2,code(3)).``,
#: ``city(r2,"New York").``, as ``--facts-out`` writes)
_FACT = re.compile(rf"({_NAME})(?:\(({_ARG}(?:(?:\({_ARG}\)|{_STRING}){_ARG})*)\))?[ \t]*\.(?![0-9])")
_STRINGS = re.compile(_STRING)
_STRING_TOKEN = re.compile(rf"{_STRING}\Z")
_COMPOUND = re.compile(rf"({_NAME})\(([^()]*)\)\Z")
_IDENT = re.compile(rf"{_NAME}\Z")
_INTEGER = re.compile(r"-?[0-9]+\Z")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_COMMENT = re.compile(r"%[^\n]*")
#: The white space between statements, as the parser reads it (str.strip() would also drop \v, \xa0, ...).
_SPACE = " \t\f\r\n"
#: ``not`` as a name (``not(a).``, ``p(not).``): the parser refuses it, at its position
_KEYWORD = re.compile(r"(?<![A-Za-z0-9_'])not(?![A-Za-z0-9_'])")
#: Every byte but ``(``, ``)`` and a line break (deleted by :func:`_split_fact`).
_NOT_PARENS = bytes(c for c in range(256) if c not in b"()\n")


class FactFile:
    """A facts file, read on demand.

    Parameters
    ----------
    path:
        The ``.lp`` file.
    """

    def __init__(self, path: str | Path):
        self.path = expect_path(path, "a facts file path", ReasoningError)
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
        """True when the file holds only plain facts the fast path reads (no rules, includes, strings with
        quotes, backslashes, ``%``, parentheses or periods...)."""
        if self._simple is None:
            text = self.text
            self._simple = not any(mark in text for mark in ("#", ":-", "%*")) and not _split_fact(self.plain) \
                and ('"' not in text or '"' not in _STRINGS.sub("", text))
        return self._simple

    @property
    def plain(self) -> str:
        """The text without its ``%`` comments."""
        if self._plain is None:
            self._plain = _without_comments(self.text)
        return self._plain

    def load(self, facts: FactBase) -> None:
        """Add every fact of the file to ``facts`` (the fast path when it applies)."""
        if not self.simple or not self._load_fast(facts):
            facts.add_program(resolve_includes(parse_file(self.path)))
        self._text = self._plain = None  # the facts are held; the text is not needed any more

    def _load_fast(self, facts: FactBase) -> bool:
        """The fast path, a chunk of lines at a time (little memory); False when the file needs the parser."""
        row_of: dict[str, int] = {}
        col_of: dict[str, int] = {}
        rows, columns, symbols = [], [], []
        for chunk in _chunks(self.plain):
            pieces = _FACT.split(chunk)
            if "".join(pieces[0::3]).strip(_SPACE):
                return False  # something other than facts: the parser says what and where
            names, args = pieces[1::3], pieces[2::3]
            if "not" in names:
                return False  # 'not' is no name: the parser says so, at its position
            for a in dict.fromkeys(args):
                if a is not None and "," not in a and "." not in a and "(" not in a and '"' not in a \
                        and a not in row_of:
                    row_of[a] = len(row_of)
            r = np.fromiter(map(row_of.get, args, itertools.repeat(-1)), dtype=np.int64, count=len(args))
            for k in np.flatnonzero(r < 0).tolist():
                symbols.append(_symbol(names[k], args[k], facts))
            unary = np.flatnonzero(r >= 0)
            unary_names = [names[k] for k in unary.tolist()] if len(unary) < len(names) else names
            for n in dict.fromkeys(unary_names):
                col_of.setdefault(n, len(col_of))
            rows.append(r[unary])
            columns.append(np.fromiter(map(col_of.__getitem__, unary_names), dtype=np.int64, count=len(unary)))
        ids = [_id(text) for text in row_of if text != "not"]
        if len(ids) < len(row_of):
            return False
        if any(i is None for i in ids) or any(s is None for s in symbols):
            return False
        if row_of:
            values = np.zeros((len(row_of), len(col_of)), dtype=bool)
            values[np.concatenate(rows), np.concatenate(columns)] = True
            names_list = list(col_of)
            if DOMAIN_PREDICATE in col_of:  # _example(id): the row alone
                values = np.delete(values, col_of[DOMAIN_PREDICATE], axis=1)
                names_list.remove(DOMAIN_PREDICATE)
            facts.add_table(values, names_list, ids)
        facts.add_symbols(symbols)  # type: ignore[arg-type]
        return True

    def slice(self, example: clingo.Symbol) -> str | None:
        """The facts whose first argument is ``example``, as text; None when the file is not plain facts."""
        if not self.simple:
            return None
        text, key = self.plain, f"({example}"
        rest = re.compile(rf"\({re.escape(str(example))}(?:,[^\n]*?)?\)[ \t]*\.(?![0-9])")
        out, at = [], text.find(key)
        while at >= 0:
            start = at
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'"):
                start -= 1
            found = rest.match(text, at)
            if found is not None and _IDENT.match(text[start:at]):
                out.append(text[start:found.end()])
            at = text.find(key, at + 1)
        return "\n".join(out)

    def mentions(self, name: str) -> bool:
        """True when some fact of the file has predicate ``name`` (a cheap search)."""
        if name not in self.plain:
            return False
        return re.search(rf"(?<![A-Za-z0-9_']){re.escape(name)}[(. \t]", self.plain) is not None


def _split_fact(text: str) -> bool:
    r"""Whether some ``(`` has a line break before its ``)`` (a fact whose arguments go on on the next line).

    The text with every character but ``(``, ``)`` and line breaks deleted holds ``(`` right before a line
    break exactly then (no other character's UTF-8 bytes are one of those three); bytes make it one pass in C.

    >>> _split_fact("p(a).\nq(b,\n c)."), _split_fact("p(a).\nq(b, c).")
    (True, False)
    """
    return b"(\n" in text.encode("utf-8", "surrogatepass").translate(None, _NOT_PARENS)


def _without_comments(text: str) -> str:
    r"""``text`` without its ``%`` comments (each up to its line break): a few string searches for a few
    comments, one regular-expression pass for many.

    >>> _without_comments("% head\np(a). % note\nq(b).")
    '\np(a). \nq(b).'
    """
    count = text.count("%")
    if count == 0:
        return text
    if count > 1000:
        return _COMMENT.sub("", text)
    out, start, at = [], 0, text.find("%")
    while at >= 0:
        out.append(text[start:at])
        start = text.find("\n", at)
        if start < 0:
            return "".join(out)
        at = text.find("%", start)
    out.append(text[start:])
    return "".join(out)


def _chunks(text: str, size: int = 1 << 22) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, cut after a newline."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


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
    tokens = _top_level(args) if "(" in args or '"' in args else args.split(",")
    values = []
    for k, raw in enumerate(tokens):
        token = raw.strip(_SPACE)
        if _DECIMAL.match(token):
            from decimal import Decimal

            value = Decimal(token)
            position = (name, len(tokens), k)
            facts.decimals[position] = max(facts.decimals.get(position, 0), real_places(value))
            values.append(decimal_symbol(value))
            continue
        if _STRING_TOKEN.match(token):
            values.append(clingo.String(token[1:-1]))
            continue
        compound = _COMPOUND.match(token)
        if compound is not None:  # code(3): a function of constants and integers (no decimals: their scale
            inner = [_simple(t.strip(_SPACE)) for t in compound.group(2).split(",")]  # is per top-level position)
            if compound.group(1) == "not" or any(v is None for v in inner):
                return None
            values.append(clingo.Function(compound.group(1), inner))  # type: ignore[arg-type]
            continue
        value = _simple(token)
        if value is None:
            return None
        values.append(value)
    return clingo.Function(name, values)


def _simple(token: str) -> clingo.Symbol | None:
    """A constant or a 32-bit integer, else None (the parser reads it)."""
    if token == "not":
        return None
    if _IDENT.match(token):
        return clingo.Function(token)
    if _INTEGER.match(token) and INT_MIN <= int(token) <= INT_MAX:
        return clingo.Number(int(token))
    return None


def _top_level(args: str) -> list[str]:
    """``args`` split at the commas outside parentheses and strings (``r2,code(1,2),"a, b"`` -> ``r2``,
    ``code(1,2)``, ``"a, b"``)."""
    out, depth, start, quoted = [], 0, 0, False
    for i, c in enumerate(args):
        if c == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(args[start:i])
            start = i + 1
    out.append(args[start:])
    return out


def read_facts(path: str | Path, facts: FactBase) -> None:
    """Read a facts file into ``facts`` (see :class:`FactFile`)."""
    FactFile(path).load(facts)


def sliced_program(file: FactFile, example: clingo.Symbol):
    """The program of one example's facts (parsed by the full parser: they are few)."""
    text = file.slice(example) or ""
    if _KEYWORD.search(text):  # the error at its place in the file
        parse_file(file.path)
    return parse_program(text, str(file.path))

