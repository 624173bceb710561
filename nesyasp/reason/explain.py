"""Explaining many things in one output: answers, all proofs, why-not with variables, conjunctive queries.

Every function here takes a :class:`~nesyasp.reason.unfold.Document`, so the
trees of one output share what they show (a literal already explained reads
"justified above" and points to where: ``shared`` nodes).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Iterable, Iterator, TypeVar

import clingo

from nesyasp.errors import ReasoningError, WrongTypeError
from nesyasp.lang.ast import Atom, Literal, Rule, Term, Variable
from nesyasp.reason.justify import Justifier
from nesyasp.reason.model import Model
from nesyasp.reason.node import Node
from nesyasp.reason.search import Binding
from nesyasp.lang.parser import parse_atom, parse_query
from nesyasp.reason.search import Evaluator
from nesyasp.reason.terms import NUMBER, decimal_symbol, ground_term, match_atom
from nesyasp.reason.translate import name_anonymous
from nesyasp.reason.unfold import Document

__all__ = ["Explained", "Explaining", "proofs", "why_not", "conjunction", "shown_binding", "MAX_INSTANCES", "read_atom",
           "serialized"]

T = TypeVar("T")

#: The most instances ``why_not`` explains for one pattern.
MAX_INSTANCES = 10_000


@dataclass(frozen=True)
class Explained:
    """One explained literal of an output: its text, its variable bindings and its tree."""

    atom: str
    bindings: dict[str, str]
    node: Node


def proofs(document: Document, atom: clingo.Symbol) -> list[Node]:
    """Every well-founded rule instance deriving the true ``atom``, each as a tree (a fact: one leaf)."""
    justifier = document.justifier
    if justifier.model.is_fact(atom):
        return [document.tree(atom)]
    found = justifier.instances(atom)
    if not found:
        return [document.tree(atom)]
    first = justifier.entry(atom)
    ordered = sorted(found, key=lambda rb: (rb[0], rb[1] != first.binding))
    return [document.instance(rule, binding, atom) for rule, binding in ordered]


def _candidates(justifier: Justifier, pattern: Atom, scaled: Atom) -> list[list[clingo.Symbol]] | None:
    """Per argument, the values to try: the pattern's own value, or every value the rules' heads and the
    model's atoms hold there, and where a head has a variable, the values the model's atoms hold where
    that variable occurs in a body atom (``q(X) :- p(X), not c(X).``: every ``p`` and ``c``). None when a
    variable position has no value anywhere."""
    model, arity = justifier.model, len(scaled.arguments)
    rules = [justifier.rules[r] for r in justifier.by_signature.get((scaled.predicate, arity), ())]
    true = model.lookup(scaled.predicate, arity, ())
    out = []
    for i, arg in enumerate(scaled.arguments):
        value = ground_term(arg, {})
        if value is not None:
            out.append([value])
            continue
        values = {v for r in rules if (v := ground_term(r.head.arguments[i], {})) is not None}
        values.update(a.arguments[i] for a in true)
        for rule in rules:
            values.update(_body_values(model, rule, rule.head.arguments[i]))
        if not values:
            return None
        out.append(sorted(values))
    return out


def _body_values(model: Model, rule: Rule, term: Term) -> set[clingo.Symbol]:
    """The values of the head variable ``term`` that the body atoms of ``rule`` (under ``not`` too) hold in the
    model."""
    if type(term) is not Variable or term.name == "_":
        return set()
    out: set[clingo.Symbol] = set()
    for lit in rule.body:
        if isinstance(lit, Literal) and isinstance(lit.atom, Atom):  # under not too: s(2,4) fails by k(4)
            for j, a in enumerate(lit.atom.arguments):
                if type(a) is Variable and a.name == term.name:
                    out.update(t.arguments[j] for t in model.lookup(lit.atom.predicate, len(lit.atom.arguments), ()))
    return out


def why_not(document: Document, pattern: Atom, scaled: Atom) -> tuple[list[Explained], list[str]]:
    """Every instance of ``pattern`` that is not in the model, explained (sharing subtrees), and the
    instances that hold.

    The values tried for each variable are those that the rules' heads and the
    model's atoms hold at its position (the classes, for ``target(img9,X)``).
    When no value is known anywhere, the pattern itself is refuted: for every
    rule and binding, the literal that fails.
    """
    justifier = document.justifier
    model = justifier.model
    ground = [ground_term(a, {}) for a in scaled.arguments]
    if all(g is not None for g in ground):
        atom = clingo.Function(scaled.predicate, ground)  # type: ignore[arg-type]
        if model.holds(atom):
            return [], [str(model.decode(atom))]
        return [Explained(str(model.decode(atom)), {}, document.tree(atom))], []
    values = _candidates(justifier, pattern, scaled)
    if values is None:
        key = justifier.pattern(scaled, {}, justifier.add_rule(Rule(None, (Literal(pattern),)),
                                                                 Rule(None, (Literal(scaled),)), {}), 0)
        return [Explained(str(pattern), {}, document.tree(key))], []
    count = 1
    for v in values:
        count *= len(v)
    if count > MAX_INSTANCES:
        raise ReasoningError(f"--why-not {pattern} has {count} instances to explain (more than {MAX_INSTANCES}); "
                             "give more of its arguments")
    explained, holding = [], []
    for args in itertools.product(*values):
        atom = clingo.Function(scaled.predicate, list(args))
        binding: Binding = {}
        if not match_atom(scaled, atom, binding):
            continue
        shown = model.decode(atom)
        if model.holds(atom):
            holding.append(str(shown))
            continue
        names = {a.name: str(shown.arguments[i]) for i, a in enumerate(pattern.arguments)
                 if type(a) is Variable and a.name != "_"}
        explained.append(Explained(str(shown), names, document.tree(atom)))
    return explained, holding


def conjunction(document: Document, text: str, literals: tuple[Literal, ...], scaled: tuple[Literal, ...],
                exps: dict[str, int], binding: Binding) -> Node:
    """The tree of one answer of a conjunctive query: a ``conjunction`` node, one child per literal.

    An ``_`` of a positive literal is named as in program rules, so the tree shows the value it matched."""
    justifier = document.justifier
    literals, scaled = name_anonymous(Rule(None, literals)).body, name_anonymous(Rule(None, scaled)).body
    rule = justifier.add_rule(Rule(None, literals), Rule(None, scaled), exps)
    found = justifier.evaluator.first([(i, lit) for i, lit in enumerate(scaled)], binding)
    if found is None:
        raise ReasoningError(f"the answer {text} does not hold (was the model computed from the same facts?)")
    return document.conjunction(text, rule, found)

def serialized(method: Callable[..., T]) -> Callable[..., T]:
    """Run a :class:`~nesyasp.reason.reasoner.Reasoner` method under the reasoner's own lock.

    A reasoner computes its model, justifier and slices lazily and memoizes them, so
    threads sharing one reasoner take turns (a re-entrant lock: a method may call another).
    """
    @functools.wraps(method)
    def locked(self: Any, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return method(self, *args, **kwargs)
    return locked


def read_atom(atom: str | Atom | clingo.Symbol) -> Atom | clingo.Symbol:
    """An atom argument of the reasoner's methods: text is parsed, an Atom or a clingo Symbol kept.

    Raises
    ------
    WrongTypeError
        For anything else (also a ``TypeError``).
    ParseError
        For text that is not one atom.
    """
    if isinstance(atom, str):
        return parse_atom(atom)
    if isinstance(atom, (Atom, clingo.Symbol)):
        return atom
    raise WrongTypeError(f"expected an atom (text such as 'target(img1,bedroom)', an Atom or a clingo Symbol), "
                         f"got {type(atom).__name__}")


class Explaining:
    """The :class:`~nesyasp.reason.reasoner.Reasoner`'s methods that explain several things in one output."""

    @serialized
    def note_examples(self, *queries: str) -> None:
        """Make the example each single-atom query names an example now (as answering it would).

        ``query("target(img9,X)")`` declares ``img9`` an example of a guarded program when no fact names
        it (an image with no true feature); a :class:`~nesyasp.reason.unfold.Document` made *before*
        that would explain over the model without it. Call this first with the queries and why-not atoms
        to be explained in one document.
        """
        for text in queries:
            literals = parse_query(text)
            if len(literals) == 1 and isinstance(literals[0].atom, Atom):
                first = self._first(literals[0].atom)
                if first is not None:
                    self._note_example(clingo.Function(literals[0].atom.predicate, [first]))

    @serialized
    def explain_many(self, atoms: Iterable[str | Atom | clingo.Symbol], detail: str = "failing") -> list[Node]:
        """The trees of several ground atoms as one output: what one tree shows, the next one points to."""
        if isinstance(atoms, (str, Atom, clingo.Symbol)):
            raise WrongTypeError(f"explain_many takes a list of atoms, got one ({atoms}); use explain for one atom")
        symbols = [self._ground(a) for a in atoms]
        document = Document(self.justifier(), detail)
        return [document.tree(s) for s in symbols]

    @serialized
    def proofs_in(self, document: Document, atom: str | Atom | clingo.Symbol) -> list[Node]:
        """:meth:`proofs`, as part of ``document`` (one output with other trees); for an answer such as
        ``edge(1,_)``, the proofs of every atom it stands for."""
        if isinstance(atom, str) and "_" in set(parse_atom(atom).variables()):
            return [tree for symbol in self._witnesses(atom) for tree in proofs(document, symbol)]
        return proofs(document, self._ground(atom))

    @serialized
    def proofs(self, atom: str | Atom | clingo.Symbol) -> list[Node]:
        """Every rule instance that derives a true atom, each as a tree (one output)."""
        view = self.slice_for(self._first(atom))
        if view is not self:
            return view.proofs(atom)
        symbol = self._ground(atom)
        if not self.model().holds(symbol):
            raise ReasoningError(f"{atom} does not hold: it has no proof (explain it to see why)")
        return proofs(Document(self.justifier()), symbol)

    @serialized
    def why_not(self, pattern: str | Atom, detail: str = "failing",
                document: Document | None = None) -> tuple[list[Explained], list[str]]:
        """Every instance of ``pattern`` (``"target(img9,X)"``) not in the model, explained in one output,
        and the instances that hold. A ground atom gives itself (or nothing, when it holds)."""
        parsed = read_atom(pattern)
        if isinstance(parsed, clingo.Symbol):
            parsed = parse_atom(str(parsed))
        first = ground_term(parsed.arguments[0], {}) if parsed.arguments else None
        view = self.slice_for(first) if document is None else self
        if view is not self:
            return view.why_not(parsed, detail)
        if first is not None:
            self._note_example(clingo.Function(parsed.predicate, [first]))
        scaled = self.encoding().encode_literals((Literal(parsed),))[0][0].atom
        document = document or Document(self.justifier(), detail)
        return why_not(document, parsed, scaled)  # type: ignore[arg-type]

    @serialized
    def explain_query(self, query: str, detail: str = "failing", document: Document | None = None,
                      limit: int = 0) -> list[tuple[str, dict[str, str], Node]]:
        """Every answer of a query (the first ``limit`` when ``limit > 0``) with its bindings and justification,
        as one output.

        A conjunctive query's answer is a ``conjunction`` node with one child per literal. Answers past
        ``limit`` are not explained, so that no later tree of ``document`` points into one not shown.
        """
        literals = parse_query(query)
        if len(literals) == 1 and isinstance(literals[0].atom, Atom) and document is None:
            view = self.slice_for(self._first(literals[0].atom))
            if view is not self:
                return view.explain_query(query, detail, limit=limit)
        return list(self.explain_answers(query, document or Document(self.justifier(), detail), limit))

    def explain_answers(self, query: str, document: Document, limit: int = 0
                        ) -> Iterator[tuple[str, dict[str, str], Node]]:
        """:meth:`explain_query` one answer at a time: each tree is unfolded in ``document`` when the iterator
        reaches it, so that an output can show other trees between them (each answer's proofs) in the order
        their nodes are numbered. Unlike the other methods, it does not take the reasoner's lock.
        """
        answers = self.query(query)
        count = len(answers) if limit <= 0 else min(limit, len(answers))
        if answers.pattern is not None:
            for i in range(count):
                yield answers.atom(i), answers.bindings(i), document.tree(self._witness(answers.atom(i)))
            return
        scaled, exps = self.encoding().encode_literals(answers.literals)
        found: dict[tuple[str, ...], dict[str, clingo.Symbol]] = {}
        for binding in Evaluator(self.model()).bindings([(i, lit) for i, lit in enumerate(scaled)], {}):
            shown = shown_binding(binding, exps)
            found.setdefault(tuple(str(shown[v]) for v in answers.variables), binding)
        for i in range(count):
            binding = found[tuple(answers.table[i])]
            yield (answers.atom(i), answers.bindings(i),
                   conjunction(document, answers.atom(i), answers.literals, scaled, exps, binding))

    def _witness(self, answer: str) -> clingo.Symbol:
        """The ground atom that justifies an answer: itself, or for ``edge(1,_)`` the first atom of the
        model it stands for (``edge(1,2)``)."""
        parsed = parse_atom(answer)
        if "_" not in set(parsed.variables()):
            return self._ground(parsed)
        for atom in self._witnesses(answer):
            return atom
        raise ReasoningError(f"the answer {answer} does not hold (was the model computed from the same facts?)")

    def _witnesses(self, answer: str) -> Iterable[clingo.Symbol]:
        """The atoms of the model that an answer with ``_`` (``edge(1,_)``) stands for."""
        scaled = self.encoding().encode_literals((Literal(parse_atom(answer)),))[0][0].atom
        bound = tuple((i, v) for i, a in enumerate(scaled.arguments) if (v := ground_term(a, {})) is not None)
        return (a for a in self.model().lookup(scaled.predicate, len(scaled.arguments), bound)
                if match_atom(scaled, a, {}))


def shown_binding(binding: dict[str, clingo.Symbol], exps: dict[str, int]) -> dict[str, clingo.Symbol]:
    """A query's binding with its decimals shown (``exps``: each decimal variable's exponent)."""
    if not exps:
        return binding
    return {k: decimal_symbol(Decimal(v.number).scaleb(-exps[k])) if exps.get(k) and v.type == NUMBER else v
            for k, v in binding.items()}
