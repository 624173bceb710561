"""Facts for the reasoner: from ``.lp`` programs, dicts, tuples and boolean tables.

A :class:`FactBase` holds ground atoms as clingo symbols and boolean tables
as they are (rows are examples, columns are unary predicates), so a table of
100,000 rows never becomes 100,000 Python objects per column. Tables reach
clingo as one packed fact per row, ``_row0(img7,W0,W1,W2)`` with 31 feature
bits per integer, and one bridge rule per column the program uses,
``f12(X) :- _row0(X,W0,W1,W2), W0&4096!=0.``; ``f12(img7)`` is in the model
exactly when the cell is true. Columns the program never mentions are
answered from the table itself.

The examples (the domain of :data:`~nesyasp.reason.translate.DOMAIN_PREDICATE`)
are: the rows of every table, the ids given with dicts (``examples=``), the
explicit ``_example(id)`` facts, and the first argument of every fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import clingo
import numpy as np

from nesyasp.lang.ast import Program, Real, UnaryOperation, is_identifier
from nesyasp.lang.formatting import unsupported_error
from nesyasp.errors import ReasoningError, WrongTypeError, brief
from nesyasp.reason.decimals import real_places
from nesyasp.reason.terms import INT_MAX, INT_MIN, NUMBER, ground_atom, symbol_decimal, value_symbol
from nesyasp.reason.translate import DOMAIN_PREDICATE

__all__ = ["FactBase", "TableFacts", "predicate_name", "id_text", "text_symbol", "BITS_PER_WORD"]

BITS_PER_WORD = 31


def predicate_name(name: str) -> str:
    """A column name as a predicate: identifiers stay, numbers get the prefix ``f`` (``295`` -> ``f295``).

    >>> predicate_name("295"), predicate_name("bed1")
    ('f295', 'bed1')
    """
    text = str(name).strip()
    if text.isdigit():
        text = "f" + text
    if not is_identifier(text):
        raise ReasoningError(f"column {brief(str(name))} is not a predicate name (use lowercase letters, digits and _)")
    return text


def id_text(value: Any) -> str:
    """The clingo text of an example id (``img1``, ``42``, ``"Living room"``)."""
    if isinstance(value, str) and is_identifier(value):
        return value
    return str(value_symbol(value, "example id"))


def text_symbol(text: str) -> clingo.Symbol:
    """The symbol of a term's clingo text (an id made by :func:`id_text`)."""
    return clingo.Function(text) if is_identifier(text) else clingo.parse_term(text)


@dataclass(frozen=True)
class TableFacts:
    """A boolean table: ``values[i, j]`` true means ``columns[j](ids[i])`` holds.

    Example ids are kept as clingo text (``texts``); symbols are made on demand.
    """

    values: np.ndarray
    columns: tuple[str, ...]
    texts: tuple[str, ...]
    index: dict[str, int] = field(repr=False)
    column_index: dict[str, int] = field(repr=False)

    @classmethod
    def build(cls, values: Any, columns: Sequence[str] | None = None, ids: Sequence[Any] | None = None) -> TableFacts:
        """Validate and wrap a table (anything ``numpy.asarray`` reads, 0/1 or bool)."""
        array = np.asarray(values)
        if array.ndim != 2:
            raise ReasoningError(f"a fact table must be 2-D (rows = examples, columns = predicates), "
                                 f"got shape {array.shape}")
        if array.dtype != bool:
            if not np.isin(array, (0, 1)).all():
                raise ReasoningError("a fact table must hold only 0/1 or booleans")
            array = array.astype(bool)
        n, m = array.shape
        names = tuple(predicate_name(c) for c in (columns if columns is not None else [f"f{j}" for j in range(m)]))
        if len(names) != m or len(set(names)) != m:
            raise ReasoningError(f"a table with {m} columns needs {m} distinct column names, got {len(names)}")
        texts = tuple(id_text(i) for i in (ids if ids is not None else [f"e{i}" for i in range(n)]))
        index = {t: i for i, t in enumerate(texts)}
        if len(texts) != n or len(index) != n:
            raise ReasoningError(f"a table with {n} rows needs {n} distinct example ids")
        return cls(array, names, texts, index, {c: j for j, c in enumerate(names)})

    def row(self, example: clingo.Symbol) -> int | None:
        """The row of an example, or None."""
        return self.index.get(str(example))

    def holds(self, name: str, example: clingo.Symbol) -> bool:
        """True when the cell of column ``name`` and row ``example`` is true."""
        col = self.column_index.get(name)
        if col is None:
            return False
        row = self.row(example)
        return row is not None and bool(self.values[row, col])

    def packed(self, columns: Sequence[int]) -> np.ndarray:
        """The chosen columns as 31-bit words, one row per example."""
        words = max(1, -(-len(columns) // BITS_PER_WORD))
        out = np.zeros((self.values.shape[0], words), dtype=np.int64)
        for k, j in enumerate(columns):
            out[:, k // BITS_PER_WORD] |= self.values[:, j].astype(np.int64) << (k % BITS_PER_WORD)
        return out


class FactBase:
    """Ground facts from every source, and the examples they describe."""

    def __init__(self) -> None:
        self.symbols: set[clingo.Symbol] = set()
        self.tables: list[TableFacts] = []
        self._declared: set[clingo.Symbol] = set()
        self._by_signature: dict[tuple[str, int], list[clingo.Symbol]] | None = None
        self._examples: set[clingo.Symbol] | None = None
        #: The most decimals given at each argument position ``(name, arity, index)`` (see
        #: :mod:`nesyasp.reason.decimals`); empty when no fact holds a decimal.
        self.decimals: dict[tuple[str, int, int], int] = {}

    # ------------------------------------------------------------ adding
    def add_symbols(self, atoms: Iterable[clingo.Symbol]) -> None:
        """Add ground atoms given as clingo symbols."""
        for atom in atoms:
            if atom.type != clingo.SymbolType.Function or not atom.name or atom.negative:
                raise ReasoningError(f"{atom} is not an atom")
            if atom.name == DOMAIN_PREDICATE and len(atom.arguments) == 1:
                self._declared.add(atom.arguments[0])
            self.symbols.add(atom)
        self._by_signature = self._examples = None

    def add_program(self, program: Program) -> None:
        """Add the ground facts of a parsed program; rules are an error (pass them as the program)."""
        unsupported = unsupported_error(program)  # -p(a). {p(a)}. p(1..3). as check names them
        if unsupported is not None:
            raise unsupported
        out = []
        for rule in program.rules:
            if not rule.is_fact or list(rule.head.variables()):
                raise ReasoningError("a facts file may contain only ground facts; put rules in the program",
                                     rule.loc)
            try:
                symbol = ground_atom(rule.head, {})
            except OverflowError:  # clingo.Number of an integer past 32 bits
                raise ReasoningError(f"fact {rule.head}: an integer is outside clingo's 32-bit range "
                                     f"[{INT_MIN}, {INT_MAX}]; use a smaller value or a string", rule.loc) from None
            if symbol is None:
                raise ReasoningError(f"fact {rule.head} is not defined (undefined arithmetic)", rule.loc)
            for i, arg in enumerate(rule.head.arguments):
                value = arg.value if type(arg) is Real else arg.argument.value \
                    if type(arg) is UnaryOperation and type(arg.argument) is Real else None
                if value is not None:
                    position = (symbol.name, len(symbol.arguments), i)
                    self.decimals[position] = max(self.decimals.get(position, 0), real_places(value))
            out.append(symbol)
        self.add_symbols(out)

    def add_dict(self, facts: Mapping[str, Iterable[Any]], examples: Iterable[Any] = ()) -> None:
        """Add ``{"f12": ["img1", "img3"], "edge": [("a", "b")]}``; ``examples`` declares ids with no facts."""
        out = []
        for name, rows in facts.items():
            pred = predicate_name(name)
            if isinstance(rows, (str, bytes)):
                raise ReasoningError(f"facts of {name!r} must be a list of ids or tuples, not a string")
            if not isinstance(rows, Iterable):
                raise WrongTypeError(f"facts of {name!r} must be a list of ids or tuples, got {type(rows).__name__}")
            for row in rows:
                args = row if isinstance(row, tuple) else (row,)
                out.append(clingo.Function(pred, [value_symbol(a, f"argument of {pred}") for a in args]))
        self.add_symbols(out)
        self.declare_examples(examples)

    def add_tuples(self, facts: Iterable[Sequence[Any]]) -> None:
        """Add ``[("f12", "img1"), ("edge", "a", "b")]``: predicate first, then the arguments."""
        out = []
        for row in facts:
            if not isinstance(row, Sequence):
                raise WrongTypeError(f"a fact tuple is (predicate, argument, ...), got {type(row).__name__} {row!r}")
            if isinstance(row, str) or not row:
                raise ReasoningError(f"a fact tuple is (predicate, argument, ...), got {row!r}")
            pred = predicate_name(row[0])
            out.append(clingo.Function(pred, [value_symbol(a, f"argument of {pred}") for a in row[1:]]))
        self.add_symbols(out)

    def add_table(self, values: Any, columns: Sequence[str] | None = None, ids: Sequence[Any] | None = None) -> None:
        """Add a boolean table (rows are examples with ids, columns are unary predicates)."""
        self.tables.append(TableFacts.build(values, columns, ids))
        self._examples = None

    def declare_examples(self, examples: Iterable[Any]) -> None:
        """Declare example ids (each gets ``_example(id)``), also those with no true feature."""
        if isinstance(examples, (str, bytes)) or not isinstance(examples, Iterable):
            raise WrongTypeError(f"examples must be a list of ids, got {type(examples).__name__} {examples!r}")
        self.add_symbols(clingo.Function(DOMAIN_PREDICATE, [value_symbol(e, "example id")]) for e in examples)

    # ------------------------------------------------------------ reading
    def examples(self) -> set[clingo.Symbol]:
        """The examples outside tables: declared ids and first arguments of facts."""
        if self._examples is None:
            out = set(self._declared)
            out.update(a.arguments[0] for a in self.symbols if a.arguments)
            # a decimal first argument (p(0.5)) is a value, not an example (clingo has no text for it)
            out = {e for e in out if e.type != clingo.SymbolType.Function or e.name[:1] not in "-0123456789"
                   or symbol_decimal(e) is None}
            self._examples = out
        return self._examples

    def is_example(self, example: clingo.Symbol) -> bool:
        """True for a table row, a declared id or the first argument of a fact."""
        return example in self.examples() or any(t.row(example) is not None for t in self.tables)

    def contains(self, atom: clingo.Symbol) -> bool:
        """True when ``atom`` is one of the facts (or the domain atom of an example)."""
        if atom in self.symbols:
            return True
        if len(atom.arguments) != 1:
            return False
        if atom.name == DOMAIN_PREDICATE:
            return self.is_example(atom.arguments[0])
        return any(t.holds(atom.name, atom.arguments[0]) for t in self.tables)

    def matching(self, name: str, arity: int) -> Iterator[clingo.Symbol]:
        """The facts of ``name/arity`` held as symbols (tables excluded)."""
        if self._by_signature is None:
            index: dict[tuple[str, int], list[clingo.Symbol]] = {}
            for atom in self.symbols:
                index.setdefault((atom.name, len(atom.arguments)), []).append(atom)
            self._by_signature = index
        return iter(self._by_signature.get((name, arity), ()))

    def check_scale(self, scale: int) -> None:
        """Reject integers that would overflow when compared with a decimal at ``scale``."""
        if scale == 1:
            return
        for atom in self.symbols:
            for arg in atom.arguments:
                if arg.type == NUMBER and abs(arg.number) * scale > INT_MAX:
                    raise ReasoningError(f"the integer {arg.number} in {atom} overflows clingo's 32 bits when compared "
                                         f"with the program's decimals (scale {scale}); use smaller units")

    def clingo_text(self, used: set[str], encode: Callable[[clingo.Symbol], clingo.Symbol] | None = None) -> str:
        """The facts as clingo text; table columns only where ``used`` names them; ``encode`` scales decimals."""
        if encode is None:
            parts = [f"{a}.\n" for a in self.symbols]
        else:
            parts = [f"{encode(a)}.\n" for a in self.symbols]
        in_tables = {e for e in self.examples() if any(t.row(e) is not None for t in self.tables)}
        parts.extend(f"{DOMAIN_PREDICATE}({e}).\n" for e in self.examples() - in_tables)
        for k, table in enumerate(self.tables):
            parts.append(_table_text(table, k, used))
        return "".join(parts)


def _table_text(table: TableFacts, k: int, used: set[str]) -> str:
    columns = [j for j, c in enumerate(table.columns) if c in used]
    words = table.packed(columns)
    row = f"_row{k}"
    variables = ",".join(f"W{w}" for w in range(words.shape[1]))
    lines = [f"{DOMAIN_PREDICATE}(X) :- {row}(X,{variables}).\n"]
    for n, j in enumerate(columns):
        word, bit = divmod(n, BITS_PER_WORD)
        lines.append(f"{table.columns[j]}(X) :- {row}(X,{variables}), W{word}&{1 << bit}!=0.\n")
    ids = table.texts
    values = words.tolist()
    lines.extend(f"{row}({i},{','.join(map(str, w))}).\n" for i, w in zip(ids, values))
    return "".join(lines)
