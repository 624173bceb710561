"""The :class:`Reasoner`: a program, facts, one grounding, queries and justifications."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import clingo
import numpy as np

from nesyasp.lang.ast import Atom, Constant, Program, Rule, Variable
from nesyasp.lang.checks import unsafe_variables
from nesyasp.errors import ReasoningError
from nesyasp.lang.parser import parse_atom, parse_file, parse_program, parse_query, resolve_includes
from nesyasp.reason.answers import Answers, query_variables, sorted_table
from nesyasp.reason.compiled import CompiledProgram, compile_program, not_compilable
from nesyasp.reason.facts import FactBase
from nesyasp.reason.justify import Justifier, _all_bindings
from nesyasp.reason.model import Model, SetModel, TableModel
from nesyasp.reason.node import Node
from nesyasp.reason.solve import solve
from nesyasp.reason.terms import ground_atom, ground_term, match_atom
from nesyasp.reason.translate import Translation, translate

__all__ = ["Reasoner", "load_program", "ENGINES"]

logger = logging.getLogger(__name__)

ENGINES = ("auto", "clingo", "compiled")


def load_program(program: Program | str | Path | Sequence[str | Path]) -> Program:
    """A program from a parsed :class:`Program`, rule text, a path, or several paths (concatenated)."""
    if isinstance(program, Program):
        return resolve_includes(program)
    if isinstance(program, Path):
        return resolve_includes(parse_file(program))
    if isinstance(program, str):
        return resolve_includes(parse_program(program))
    parts = [resolve_includes(parse_file(p)) for p in program]
    out = Program((), parts[0].source if parts else "<empty>")
    for part in parts:
        out = out + part
    return out


class Reasoner:
    """Queries and justifications over a stratified program and facts.

    Parameters
    ----------
    program:
        A parsed :class:`~nesyasp.lang.ast.Program`, rule text, a path or a list of paths.
    facts:
        Optional facts, anything :meth:`add_facts` takes.
    check:
        Run the language checks first (safety with the example guard, stratification, ...).
    engine:
        ``"auto"`` uses the compiled numpy path when the program and facts allow it and
        clingo otherwise; ``"clingo"`` or ``"compiled"`` force one (the latter raises
        when it does not apply).

    Examples
    --------
    >>> r = Reasoner("target(X,bathroom) :- not f398(X), not ab1(X).  ab1(X) :- not f145(X), not f134(X).")
    >>> r.add_facts({"f145": ["img"]})
    >>> r.query("target(img,X)").atoms()
    ['target(img,bathroom)']
    >>> r.explain("target(img,bathroom)").children[2].literal
    'not ab1(img)'
    """

    def __init__(self, program: Program | str | Path | Sequence[str | Path], facts: Any = None, *,
                 check: bool = True, engine: str = "auto"):
        if engine not in ENGINES:
            raise ReasoningError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        self.program = load_program(program)
        self.translation: Translation = translate(self.program, check)
        self.engine = engine
        self.facts = FactBase()
        self.facts.add_symbols(ground_atom(f.head, {}) for f in self.translation.facts)
        self._compiled: CompiledProgram | None = compile_program(self.translation)
        self._model: Model | None = None
        self._justifier: Justifier | None = None
        if engine == "compiled" and self._compiled is None:
            raise ReasoningError(f"the compiled path does not apply: {not_compilable(self.translation)}")
        if facts is not None:
            self.add_facts(facts)

    # ------------------------------------------------------------ facts
    def add_facts(self, facts: Any, examples: Iterable[Any] = ()) -> None:
        """Add facts: a :class:`Program` of facts, fact text, a path to an ``.lp`` file, a dict
        ``{"f12": ["img1", "img3"]}``, a list of tuples ``[("f12", "img1")]`` or clingo symbols.
        ``examples`` declares example ids that have no facts at all."""
        if isinstance(facts, Program):
            self.facts.add_program(resolve_includes(facts))
        elif isinstance(facts, Path):
            self.facts.add_program(resolve_includes(parse_file(facts)))
        elif isinstance(facts, str):
            self.facts.add_program(parse_program(facts, "<facts>"))
        elif isinstance(facts, Mapping):
            self.facts.add_dict(facts)
        elif isinstance(facts, np.ndarray):
            raise ReasoningError("pass a numpy table with add_table(values, columns, ids)")
        else:
            items = list(facts)
            if all(isinstance(i, clingo.Symbol) for i in items):
                self.facts.add_symbols(items)
            else:
                self.facts.add_tuples(items)
        self.facts.declare_examples(examples)
        self._invalidate()

    def add_table(self, values: Any, columns: Sequence[str] | None = None, ids: Sequence[Any] | None = None) -> None:
        """Add a boolean table: rows are examples (``ids``, default ``e0, e1, ...``), columns are unary
        predicates (``columns``, default ``f0, f1, ...``; ``295`` reads as ``f295``)."""
        self.facts.add_table(values, columns, ids)
        self._invalidate()

    def _invalidate(self) -> None:
        self.facts.check_scale(self.translation.max_scale)
        self._model = None
        self._justifier = None

    # ------------------------------------------------------------ models
    @property
    def uses_compiled(self) -> bool:
        """Whether queries run on the compiled numpy path."""
        if self.engine == "clingo" or self._compiled is None:
            return False
        per_example = all(a.arguments for a in self.facts.symbols)
        if not per_example and self.engine == "compiled":
            raise ReasoningError("the compiled path needs per-example facts (every fact has arguments)")
        return per_example

    def _used_predicates(self, extra: Iterable[str] = ()) -> set[str]:
        used = set(extra)
        for rule in self.translation.rules:
            if isinstance(rule.head, Atom):
                used.add(rule.head.predicate)
            used.update(lit.atom.predicate for lit in rule.body if isinstance(lit.atom, Atom))
        return used

    def model(self) -> Model:
        """The unique model (computed once; adding facts recomputes it)."""
        if self._model is None:
            if self.uses_compiled:
                self._model = self._compiled.evaluate(self.facts)
            else:
                atoms = solve(self.translation.text, self.facts.clingo_text(self._used_predicates()),
                              self.translation.locations)
                self._model = SetModel(atoms, self.facts, self.translation)
        return self._model

    def justifier(self) -> Justifier:
        """The (memoizing) justifier of the current model."""
        if self._justifier is None:
            self._justifier = Justifier(self.model())
        return self._justifier

    # ------------------------------------------------------------ queries
    def _ground(self, atom: str | Atom | clingo.Symbol) -> clingo.Symbol:
        if isinstance(atom, clingo.Symbol):
            symbol = atom
        else:
            parsed = parse_atom(atom) if isinstance(atom, str) else atom
            symbol = ground_atom(parsed, {})
            if symbol is None:
                raise ReasoningError(f"{atom} is not a ground atom (write constants, not variables)")
        self._note_example(symbol)
        return symbol

    def _note_example(self, symbol: clingo.Symbol) -> None:
        """A query about a constant example makes it an example (``_example(img)``)."""
        if symbol.arguments and self.translation.guarded and not self.facts.is_example(symbol.arguments[0]):
            first = symbol.arguments[0]
            if first.type == clingo.SymbolType.Function and not first.arguments or \
                    first.type in (clingo.SymbolType.Number, clingo.SymbolType.String):
                self.facts.declare_examples([first])
                self._invalidate()

    def holds(self, atom: str | Atom | clingo.Symbol) -> bool:
        """Whether a ground atom is in the model (``"target(img,bathroom)"``)."""
        symbol = self._ground(atom)
        return self.model().holds(symbol)

    def explain(self, atom: str | Atom | clingo.Symbol) -> Node:
        """The justification tree of a ground atom, true (why) or false (why not)."""
        symbol = self._ground(atom)
        return self.justifier().explain(symbol)

    def query(self, query: str) -> Answers:
        """All answers of ``query`` (``"target(img,X)"``, ``"target(X,C)"``, ``"p(X), not q(X)"``).

        A single atom over many examples comes back as one table, computed by one
        grounding (or the compiled path), never one solver call per example.
        """
        literals = parse_query(query)
        variables = query_variables(literals)
        unsafe = unsafe_variables(Rule(None, literals))
        if unsafe:
            names = ", ".join(unsafe)
            raise ReasoningError(f"query {query!r}: {names} occur{'s' if len(unsafe) == 1 else ''} only under "
                                 "'not' or in comparisons, so the answers would be every value there is; "
                                 "bind it with a positive literal first (class(X), not target(img,X)), "
                                 "or use '_' to ask whether no value exists (not target(img,_))")
        single = len(literals) == 1 and not literals[0].negated and isinstance(literals[0].atom, Atom)
        if single:
            pattern = literals[0].atom
            first = ground_term(pattern.arguments[0], {}) if pattern.arguments else None
            if first is not None:
                self._note_example(clingo.Function(pattern.predicate, [first]))
            return Answers(query, variables, self._single(pattern, variables), pattern)
        rows = [tuple(str(b[v]) for v in variables)
                for b in _all_bindings(self.justifier(), literals, {}, lambda a: True)]
        return Answers(query, variables, sorted_table(rows, len(variables)), literals=literals)

    def _single(self, pattern: Atom, variables: tuple[str, ...]) -> np.ndarray:
        model = self._model
        if model is None and self.uses_compiled:
            model = self.model()
        if isinstance(model, TableModel):
            fast = _table_rows(model, pattern, variables)
            if fast is not None:
                return fast
        if model is not None:
            atoms = model.candidates(pattern.predicate, len(pattern.arguments))
        else:
            used = self._used_predicates([pattern.predicate])
            atoms = solve(self.translation.text, self.facts.clingo_text(used), self.translation.locations,
                          show=[(pattern.predicate, len(pattern.arguments))])
            if len(pattern.arguments) == 1 and self.facts.tables:
                atoms = SetModel(atoms, self.facts, self.translation).candidates(pattern.predicate, 1)
        return sorted_table(_rows(pattern, variables, atoms), len(variables))

    def explain_query(self, query: str) -> list[tuple[str, dict[str, str], Node]]:
        """Every answer of a single-atom query with its bindings and justification."""
        answers = self.query(query)
        if answers.pattern is None:
            raise ReasoningError("justifications are given for single-atom queries such as target(img,X)")
        justifier = self.justifier()
        return [(answers.atom(i), answers.bindings(i), justifier.explain(self._ground(answers.atom(i))))
                for i in range(len(answers))]


def _rows(pattern: Atom, variables: tuple[str, ...], atoms: Iterable[clingo.Symbol]) -> list[tuple[str, ...]]:
    """The bindings of ``pattern`` in ``atoms`` as text rows.

    Flat patterns over flat atoms (the common ``target(X,C)``) are matched on the atoms'
    text, one conversion per atom; anything else goes through :func:`match_atom`.
    """
    args = pattern.arguments
    flat = all(isinstance(a, (Variable, Constant)) for a in args) and len(args) > 0
    names = [a.name if isinstance(a, Variable) else None for a in args]
    wanted = [names.index(v) for v in variables] if flat and len(set(n for n in names if n)) == \
        sum(1 for n in names if n and n != "_") else None
    constants = [(k, a.name) for k, a in enumerate(args) if isinstance(a, Constant)]
    prefix, rows = pattern.predicate + "(", []
    for atom in atoms:
        text = str(atom) if wanted is not None else ""
        if wanted is not None and text.startswith(prefix) and text.count("(") == 1 and '"' not in text:
            parts = text[len(prefix):-1].split(",")
            if len(parts) == len(args):
                if all(parts[k] == c for k, c in constants):
                    rows.append(tuple(parts[k] for k in wanted))
                continue
        binding: dict[str, clingo.Symbol] = {}
        if match_atom(pattern, atom, binding):
            rows.append(tuple(str(binding[v]) for v in variables))
    return rows


def _table_rows(model: TableModel, pattern: Atom, variables: tuple[str, ...]) -> np.ndarray | None:
    """Answers straight from the arrays when the pattern's arguments are variables or constants."""
    args = pattern.arguments
    if not args or any(not isinstance(a, (Variable, Constant)) and ground_term(a, {}) is None for a in args):
        return None
    if len({a.name for a in args if isinstance(a, Variable) and a.name != "_"}) != \
            sum(1 for a in args if isinstance(a, Variable) and a.name != "_"):
        return None
    ids = np.array(model.ids, dtype=object)
    blocks = []
    for key, array in model.arrays.items():
        if key[0] != pattern.predicate or len(key[1]) + 1 != len(args):
            continue
        binding: dict[str, clingo.Symbol] = {}
        if not all(_bind(a, v, binding) for a, v in zip(args[1:], key[1])):
            continue
        rows = np.flatnonzero(array)
        first = args[0]
        if isinstance(first, Variable):
            columns = {first.name: ids[rows]}
        else:
            symbol = ground_term(first, {})
            row = model.index.get(str(symbol))
            if row is None or not array[row]:
                continue
            columns = {}
            rows = np.array([row])
        block = np.empty((len(rows), len(variables)), dtype=object)
        for k, v in enumerate(variables):
            block[:, k] = columns[v] if v in columns else str(binding[v])
        blocks.append(block)
    if not blocks:
        return np.empty((0, len(variables)), dtype=object)
    table = np.concatenate(blocks)
    if len(variables) == 0:
        return table[:1]
    order = np.lexsort(tuple(table[:, k].astype(str) for k in reversed(range(len(variables)))))
    return table[order]


def _bind(term: Any, value: clingo.Symbol, binding: dict[str, clingo.Symbol]) -> bool:
    if isinstance(term, Variable):
        if term.name == "_":
            return True
        if term.name in binding:
            return binding[term.name] == value
        binding[term.name] = value
        return True
    return ground_term(term, {}) == value
