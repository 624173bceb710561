"""The :class:`Reasoner`: a program, facts, one grounding, queries and justifications."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import clingo
import numpy as np

from nesyasp.lang.ast import Atom, Literal, Program
from nesyasp.errors import ReasoningError, WrongTypeError, brief, expect_type
from nesyasp.lang.parser import parse_atom, parse_program, parse_query, resolve_includes
from nesyasp.reason.answers import Answers, check_query_safe, query_variables, sorted_table
from nesyasp.reason.compiled import CompiledProgram, compile_program, not_compilable, not_separable
from nesyasp.reason.decimals import VIOLATED, Encoding
from nesyasp.reason.facts import FactBase
from nesyasp.reason.factfile import LAZY_BYTES, FactFile, sliced_program
from nesyasp.reason.justify import Justifier
from nesyasp.reason.loading import load_program
from nesyasp.reason.clingo_model import ClingoModel
from nesyasp.reason.model import Model, SetModel, TableModel
from nesyasp.reason.node import Node
from nesyasp.reason.rows import pattern_rows, table_rows
from nesyasp.reason.search import Evaluator
from nesyasp.reason.solve import ground, solve
from nesyasp.reason.explain import Explaining, read_atom, serialized, shown_binding
from nesyasp.reason.terms import ground_atom, ground_term, match_atom
from nesyasp.reason.translate import DOMAIN_PREDICATE, Translation, clingo_text, translate
from nesyasp.reason.unfold import Document
from nesyasp.reason.unsat import Violation, violation_error, violations_of

__all__ = ["Reasoner", "load_program", "ENGINES"]

logger = logging.getLogger(__name__)

ENGINES = ("auto", "clingo", "compiled")


class Reasoner(Explaining):
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
        expect_type(engine, str, f"an engine name ({', '.join(ENGINES)})")
        if engine not in ENGINES:
            raise ReasoningError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        self.program = load_program(program)
        self.translation: Translation = translate(self.program, check)
        self.engine = engine
        self._compiled: CompiledProgram | None = compile_program(self.translation)
        self._separable = self._compiled is not None or not_separable(self.translation) is None
        self._start()
        if engine == "compiled" and self._compiled is None:
            raise ReasoningError(f"the compiled path does not apply: {not_compilable(self.translation)}")
        if facts is not None:
            self.add_facts(facts)

    def _start(self) -> None:
        """No facts but the program's, no model yet."""
        self._facts = FactBase()
        self._facts.add_symbols(ground_atom(f.head, {}) for f in self.translation.facts)
        self._pending: list[FactFile] = []
        self._only_files = True
        self._slices: dict[clingo.Symbol, Reasoner] = {}
        self._model: Model | None = None
        self._justifier: Justifier | None = None
        self._encoding: Encoding = self.translation.encoding  # type: ignore[assignment]
        self._encoded_for: tuple = ()
        self._unsat: ReasoningError | None = None
        self._lock = threading.RLock()  # threads sharing this reasoner take turns (see serialized)

    def _sibling(self) -> Reasoner:
        """A reasoner of the same program and engine, with no facts (the program is not translated again)."""
        other = Reasoner.__new__(Reasoner)
        other.program, other.translation, other.engine = self.program, self.translation, self.engine
        other._compiled, other._separable = self._compiled, self._separable
        other._start()
        return other

    @serialized
    def slice_for(self, first: clingo.Symbol | str | None) -> Reasoner:
        """The reasoner that answers about one example (``img9``): a reasoner over that example's facts of
        the large facts files when that gives the same answers (a per-example program, facts only from
        files: see :mod:`nesyasp.reason.factfile` and :func:`~nesyasp.reason.compiled.not_separable`), else
        this one."""
        if isinstance(first, str):
            ground = ground_atom(parse_atom(f"_x({first})"), {})
            if ground is None:  # a variable (``X``): no example
                raise ReasoningError(f"an example is a ground term (such as img9), not {brief(first)}")
            first = ground.arguments[0]
        if first is None or not self._pending or not self._only_files or not self._separable \
                or self.engine == "clingo" or not all(f.simple for f in self._pending):
            return self
        sub = self._slices.get(first)
        if sub is None:
            sub = self._sibling()
            for file in self._pending:
                sub.add_facts(sliced_program(file, first))
            self._slices[first] = sub
        return sub

    # ------------------------------------------------------------ facts
    @property
    @serialized
    def facts(self) -> FactBase:
        """Every fact given so far (large facts files are read here, when first needed)."""
        if self._pending:
            pending, self._pending = self._pending, []
            for file in pending:
                file.load(self._facts)
            self._invalidate()
        return self._facts

    @serialized
    def add_facts(self, facts: Any, examples: Iterable[Any] = ()) -> None:
        """Add facts: a :class:`Program` of facts, fact text, a path to an ``.lp`` file, a dict
        ``{"f12": ["img1", "img3"]}``, a list of tuples ``[("f12", "img1")]`` or clingo symbols.
        ``examples`` declares example ids that have no facts at all."""
        if isinstance(examples, (str, bytes)) or not isinstance(examples, Iterable):  # before any fact is added
            raise WrongTypeError(f"examples must be a list of ids, got {type(examples).__name__} {examples!r}")
        if not isinstance(facts, (Path, Program)):
            self._only_files = False
        if isinstance(facts, Program):
            self.facts.add_program(resolve_includes(facts))
        elif isinstance(facts, Path):
            file = FactFile(facts)
            if facts.is_file() and facts.stat().st_size >= LAZY_BYTES and not examples:
                self._pending.append(file)
                self._slices.clear()
                return
            file.load(self.facts)
        elif isinstance(facts, str):
            self.facts.add_program(parse_program(facts, "<facts>"))
        elif isinstance(facts, Mapping):
            self.facts.add_dict(facts)
        elif isinstance(facts, np.ndarray):
            raise ReasoningError("pass a numpy table with add_table(values, columns, ids)")
        elif isinstance(facts, Iterable):
            items = list(facts)
            if all(isinstance(i, clingo.Symbol) for i in items):
                self.facts.add_symbols(items)
            else:
                self.facts.add_tuples(items)
        else:
            raise WrongTypeError(f"expected facts (a Program, fact text, a Path, a dict, a list of tuples or of "
                                 f"clingo symbols), got {type(facts).__name__}")
        self.facts.declare_examples(examples)
        self._invalidate()

    @serialized
    def add_table(self, values: Any, columns: Sequence[str] | None = None, ids: Sequence[Any] | None = None) -> None:
        """Add a boolean table: rows are examples (``ids``, default ``e0, e1, ...``), columns are unary
        predicates (``columns``, default ``f0, f1, ...``; ``295`` reads as ``f295``)."""
        self._only_files = False
        self.facts.add_table(values, columns, ids)
        self._invalidate()

    def _invalidate(self) -> None:
        self._facts.check_scale(self.encoding().max_scale)
        self._slices.clear()
        self._model = None
        self._justifier = None
        self._unsat = None

    @serialized
    def encoding(self) -> Encoding:
        """How decimals are scaled for clingo, given the program and the facts so far."""
        data = tuple(sorted(self._facts.decimals.items()))
        if data != self._encoded_for:
            self._encoding = Encoding.build(self.translation.rules, self.translation.facts, dict(data)) \
                if data else self.translation.encoding  # type: ignore[assignment]
            self._encoded_for = data
        return self._encoding

    # ------------------------------------------------------------ models
    @property
    def uses_compiled(self) -> bool:
        """Whether queries run on the compiled numpy path."""
        if self.engine == "clingo" or self._compiled is None or not self.encoding().trivial:
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

    def _solve(self, extra: Iterable[str] = (), show: list[tuple[str, int]] | None = None,
               lazy: bool = False) -> list[clingo.Symbol] | clingo.Control:
        encoding = self.encoding()
        text = self.translation.text if encoding is self.translation.encoding else clingo_text(self.translation,
                                                                                             encoding)
        facts = self.facts.clingo_text(self._used_predicates(extra), None if encoding.trivial else encoding.encode_atom)
        if lazy:
            control = ground(text, facts, self.translation.locations)
            if control is not None:
                return control
        return solve(text, facts, self.translation.locations, show=show)

    @serialized
    def model(self) -> Model:
        """The unique model (computed once; adding facts recomputes it).

        Raises
        ------
        ReasoningError
            When an integrity constraint is violated: the program has no model. The message
            names the constraint, its file:line:col and the ground literals that violate it;
            :meth:`violations` explains them.
        """
        if self._unsat is not None:
            raise self._unsat
        if self._model is None:
            if self.uses_compiled:
                self._model = self._compiled.evaluate(self.facts)  # type: ignore[union-attr]
            else:
                control = self._solve(lazy=True)
                model = ClingoModel(control, self.facts, self.translation, self.encoding()) \
                    if isinstance(control, clingo.Control) else \
                    SetModel(control, self.facts, self.translation, self.encoding())
                violated = model.remove([(VIOLATED, 1), (VIOLATED, 2)])
                if violated:
                    self._violations = violations_of(Justifier(model), violated)
                    self._unsat = violation_error(self._violations, len(violated))
                    raise self._unsat
                self._model = model
        return self._model

    @serialized
    def violations(self) -> list[Violation]:
        """The violated integrity constraints (at most 20), each with the tree of why its body holds;
        empty when the program has a model."""
        try:
            self.model()
        except ReasoningError:
            if self._unsat is None:
                raise
            return list(self._violations)
        return []

    @serialized
    def justifier(self) -> Justifier:
        """The (tabled) justifier of the current model."""
        if self._justifier is None:
            self._justifier = Justifier(self.model())
        return self._justifier

    # ------------------------------------------------------------ queries
    def _ground(self, atom: str | Atom | clingo.Symbol) -> clingo.Symbol:
        """The ground atom as the model holds it (decimals scaled)."""
        parsed = read_atom(atom)
        if isinstance(parsed, clingo.Symbol):
            symbol = parsed
        else:
            symbol = ground_atom(parsed, {})
            if symbol is None:
                raise ReasoningError(f"{atom} is not a ground atom (write constants, not variables)")
        self._note_example(symbol)
        encoding = self.encoding()
        return symbol if encoding.trivial else encoding.encode_atom(symbol)

    def _note_example(self, symbol: clingo.Symbol) -> None:
        """A query about a constant example makes it an example (``_example(img)``)."""
        if symbol.arguments and self.translation.guarded and not self.facts.is_example(symbol.arguments[0]):
            first = symbol.arguments[0]
            if first.type == clingo.SymbolType.Function and not first.arguments or \
                    first.type in (clingo.SymbolType.Number, clingo.SymbolType.String):
                self.facts.declare_examples([first])
                self._invalidate()

    def _first(self, atom: str | Atom | clingo.Symbol) -> clingo.Symbol | None:
        parsed = read_atom(atom)
        if isinstance(parsed, clingo.Symbol):
            return parsed.arguments[0] if parsed.arguments else None
        return ground_term(parsed.arguments[0], {}) if parsed.arguments else None

    @serialized
    def holds(self, atom: str | Atom | clingo.Symbol) -> bool:
        """Whether a ground atom is in the model (``"target(img,bathroom)"``)."""
        view = self.slice_for(self._first(atom))
        if view is not self:
            return view.holds(atom)
        symbol = self._ground(atom)
        return self.model().holds(symbol)

    @serialized
    def explain(self, atom: str | Atom | clingo.Symbol, detail: str = "failing") -> Node:
        """The justification tree of a ground atom, true (why) or false (why not).

        ``detail="holding"`` also shows, for each refuted rule instance, the body literals
        that hold before the failing one (``Node.holding``).
        """
        view = self.slice_for(self._first(atom))
        if view is not self:
            return view.explain(atom, detail)
        symbol = self._ground(atom)
        return Document(self.justifier(), detail).tree(symbol)

    @serialized
    def defines(self, name: str, arity: int) -> bool:
        """True when some rule head, fact (file, dict, table column) or the example domain has ``name/arity``."""
        expect_type(name, str, "a predicate name (a str)")
        expect_type(arity, int, "an arity (an int)")
        if (name, arity) in self.head_signatures() or name == DOMAIN_PREDICATE and arity == 1:
            return True
        if any(f.mentions(name) for f in self._pending):
            return True
        facts = self._facts
        if any(True for _ in facts.matching(name, arity)):
            return True
        return arity == 1 and any(name in t.column_index for t in facts.tables)

    def head_signatures(self) -> set[tuple[str, int]]:
        """The signatures of the program's rule heads."""
        return {r.head.signature for r in self.translation.rules if isinstance(r.head, Atom)}

    @serialized
    def query(self, query: str) -> Answers:
        """All answers of ``query`` (``"target(img,X)"``, ``"target(X,C)"``, ``"p(X), not q(X)"``).

        A single atom over many examples comes back as one table, computed by one
        grounding (or the compiled path), never one solver call per example.
        """
        expect_type(query, str, "query text (a str such as 'target(img1,X)')")
        literals = parse_query(query)
        variables = query_variables(literals)
        check_query_safe(query, literals)
        single = len(literals) == 1 and not literals[0].negated and isinstance(literals[0].atom, Atom)
        if single:
            pattern = literals[0].atom
            first = ground_term(pattern.arguments[0], {}) if pattern.arguments else None
            view = self.slice_for(first)
            if view is not self:
                return view.query(query)
            if first is not None:
                self._note_example(clingo.Function(pattern.predicate, [first]))
            return Answers(query, variables, self._single(pattern, variables), pattern)
        rows = [tuple(str(b[v]) for v in variables) for b in self._conjunctive(literals)]
        return Answers(query, variables, sorted_table(rows, len(variables)), literals=literals)

    def _conjunctive(self, literals: tuple[Literal, ...]) -> Iterator[dict[str, clingo.Symbol]]:
        """The bindings of a conjunctive query, decimals shown."""
        scaled, exps = self.encoding().encode_literals(literals)
        evaluator = Evaluator(self.model())
        for binding in evaluator.bindings([(i, lit) for i, lit in enumerate(scaled)], {}):
            yield shown_binding(binding, exps)

    def _single(self, pattern: Atom, variables: tuple[str, ...]) -> np.ndarray:
        encoding = self.encoding()
        if not encoding.trivial:
            scaled = encoding.encode_literals((Literal(pattern),))[0][0].atom
            atoms = [encoding.decode_atom(a) for a in self.model().candidates(pattern.predicate,
                                                                               len(pattern.arguments))]
            binding: dict[str, clingo.Symbol] = {}
            keep = [a for a in atoms if match_atom(scaled, encoding.encode_atom(a), dict(binding))]
            return sorted_table(pattern_rows(pattern, variables, keep), len(variables))
        model = self._model
        if model is None and (self.uses_compiled or any(r.head is None for r in self.translation.rules)):
            model = self.model()  # with constraints: the model says whether one is violated
        if isinstance(model, TableModel):
            fast = table_rows(model, pattern, variables)
            if fast is not None:
                return fast
        if model is not None:
            bound = tuple((i, v) for i, a in enumerate(pattern.arguments) if (v := ground_term(a, {})) is not None)
            atoms = model.lookup(pattern.predicate, len(pattern.arguments), bound)
        else:
            atoms = self._solve([pattern.predicate], show=[(pattern.predicate, len(pattern.arguments))])
            if len(pattern.arguments) == 1 and self.facts.tables:
                atoms = SetModel(atoms, self.facts, self.translation).candidates(pattern.predicate, 1)
        return sorted_table(pattern_rows(pattern, variables, atoms), len(variables))


