"""Justifications over a model, in the spirit of s(CASP), tabled: every literal is explained once.

The :class:`Justifier` builds a graph with one *entry* per literal it meets
(a ground atom, or a *pattern* such as ``age(cy,N)`` that no true atom
matches), each built once and kept:

* an atom that holds: a fact, or one ground rule instance whose body holds.
  The choice is well-founded: in a positively recursive part of the program
  (transitive closure) each atom's instance uses only atoms derived before it
  in a bottom-up fixpoint restricted to what the atom needs (computed
  semi-naively, linear in the rule instances it touches; :meth:`Justifier.support`);
* an atom (or pattern) that does not hold: for every rule whose head matches
  and every binding of the rest of its body, the body literal that fails
  (``all_rules_fail``), or ``no_rule`` when no rule head matches and it is not a
  fact. The failing literals are keys of other entries, so a false atom met
  again (also inside a positive loop, also from another answer) costs nothing;
* ``not a`` holds because ``a`` has no justification, and fails because ``a`` has one.

Entries refer to each other by key, so building never recurses and a graph
with loops is fine. :mod:`nesyasp.reason.unfold` turns entries into
:class:`~nesyasp.reason.node.Node` trees, where a literal met again is a
``shared`` node and a literal met again below itself a ``loop`` node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

import clingo

from nesyasp.errors import ReasoningError, expect_type
from nesyasp.lang.ast import Atom, Comparison, Literal, Rule
from nesyasp.reason.diverge import diverging, integer_range, recursive_components
from nesyasp.reason.entries import Edge, Entry, Key
from nesyasp.reason.model import Model
from nesyasp.reason.node import Node
from nesyasp.reason.search import Binding, Evaluator, Failure, head_items, rule_items
from nesyasp.reason.terms import ground_atom, ground_term, match_atom
from nesyasp.reason.texts import atom_text, instance_text, literal_text

__all__ = ["Justifier", "justify", "instance_text", "literal_text", "atom_text", "Entry", "Edge",
           "NOT_A_FACT", "NO_MATCHING_HEAD"]

#: The note of a false atom of a predicate that no rule defines (one wording everywhere).
NOT_A_FACT = "not among the facts"
#: The note of a false atom of a predicate whose rules' heads cannot match it.
NO_MATCHING_HEAD = "no rule head matches it, and it is not among the facts"

@dataclass(frozen=True, slots=True)
class _Pattern:
    atom: Atom            # in clingo form (decimals scaled)
    binding: Binding
    rule: int             # whose variables these are (for showing values)
    index: int            # body position of the literal


class Justifier:
    """Builds justification trees against one model (tabled; build one per model).

    Parameters
    ----------
    model:
        The model, with its translation (rules) and facts. Atoms passed to the
        methods are atoms *as the model holds them* (use ``model.encode`` on
        atoms with decimals); the trees show decimals as written.
    """

    def __init__(self, model: Model):
        expect_type(model, Model, "a Model (Reasoner.model() gives one)")
        self.model = model
        translation = model.translation
        self.encoding = model.encoding if model.encoding is not None else translation.encoding
        self.source_rules: tuple[Rule, ...] = translation.rules
        self.rules: tuple[Rule, ...] = self.encoding.rules if self.encoding is not None else translation.rules
        self.by_signature: dict[tuple[str, int], list[int]] = {}
        for r, rule in enumerate(self.rules):
            if isinstance(rule.head, Atom):
                self.by_signature.setdefault(rule.head.signature, []).append(r)
        self.evaluator = Evaluator(model)
        self.component = recursive_components(self.rules)
        self._entries: dict[Key, Entry] = {}
        self._patterns: dict[Key, _Pattern] = {}
        self._supports: dict[clingo.Symbol, tuple[int, Binding] | None] = {}
        self._stage: dict[clingo.Symbol, int] = {}
        self.extra_rules: list[tuple[Rule, Rule, dict[str, int]]] = []
        self._bounds: tuple[int, int] | None = None

    # ------------------------------------------------------------ public
    def explain(self, atom: clingo.Symbol) -> Node:
        """The justification tree of a ground atom, whether it holds or not."""
        from nesyasp.reason.unfold import Document

        return Document(self).tree(atom)

    def prove(self, atom: clingo.Symbol) -> Node:
        """Why a true atom holds (raises ReasoningError when it does not)."""
        if not self.model.holds(atom):
            raise ReasoningError(f"{atom} does not hold; nothing to prove")
        return self.explain(atom)

    def refute(self, atom: clingo.Symbol, above: frozenset = frozenset()) -> Node:
        """Why a false atom does not hold (``above`` is accepted for compatibility and ignored)."""
        if self.model.holds(atom):
            raise ReasoningError(f"{atom} holds; nothing to refute")
        return self.explain(atom)

    def entry(self, key: Key) -> Entry:
        """The (memoised) entry of a ground atom or a pattern key."""
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = self._build(key)
        return found

    def source(self, rule: int) -> tuple[Rule, Rule, dict[str, int]]:
        """``(rule as written, rule as clingo grounds it, exponents of its decimal variables)``."""
        if rule >= len(self.rules):
            return self.extra_rules[rule - len(self.rules)]
        exps = self.encoding.variables[rule] if self.encoding is not None and rule < len(self.encoding.variables) \
            else {}
        return self.source_rules[rule], self.rules[rule], exps

    def add_rule(self, shown: Rule, scaled: Rule, exps: dict[str, int]) -> int:
        """Register a rule that is not the program's (a query as a body); returns its index."""
        self.extra_rules.append((shown, scaled, exps))
        return len(self.rules) + len(self.extra_rules) - 1

    def edges_for(self, rule: int, binding: Binding) -> list[Edge]:
        """The edges of a rule instance whose body holds under ``binding``."""
        return self._proof_edges(rule, binding)

    def pattern(self, atom: Atom, binding: Binding, rule: int, index: int) -> Key:
        """The key of a pattern (``atom`` with free variables under ``binding``), registered for building."""
        key = _pattern_key(atom, binding)
        if key not in self._patterns:
            self._patterns[key] = _Pattern(atom, dict(binding), rule, index)
        return key

    def pattern_of(self, key: Key) -> _Pattern:
        """What a pattern key stands for."""
        return self._patterns[key]

    # ------------------------------------------------------------ building
    def _build(self, key: Key) -> Entry:
        if isinstance(key, clingo.Symbol):
            return self._proof(key) if self.model.holds(key) else self._refutation(key)
        pattern = self._patterns.get(key)
        if pattern is None:
            raise ReasoningError(f"unknown literal {key!r}")
        return self._pattern_refutation(key, pattern)

    def _proof(self, atom: clingo.Symbol) -> Entry:
        if self.model.is_fact(atom):
            return Entry(atom, True, "fact", atom)
        if atom.name in self.component:
            support = self.support(atom)
            if support is None:
                return Entry(atom, True, "fact", atom)
            rule, binding = support
            return Entry(atom, True, "rule", atom, rule, binding, self._proof_edges(rule, binding))
        for rule in self.by_signature.get((atom.name, len(atom.arguments)), ()):
            binding: Binding = {}
            extra = head_items(self.rules[rule].head, atom.arguments, binding)
            if extra is None:
                continue
            found = self.evaluator.first(extra + rule_items(self.rules[rule]), binding)
            if found is not None and ground_atom(self.rules[rule].head, found) == atom:
                return Entry(atom, True, "rule", atom, rule, found, self._proof_edges(rule, found))
        raise ReasoningError(f"{atom} is in the model but no fact or rule instance derives it "
                             "(was the model computed from the same program and facts?)")

    def _proof_edges(self, rule: int, binding: Binding) -> list[Edge]:
        out = []
        for index, lit in rule_items(self.source(rule)[1]):
            out.append(self._edge(rule, index, lit, binding, True))
        return out

    def _edge(self, rule: int, index: int, lit: Literal, binding: Binding, holds: bool) -> Edge:
        """The edge of a body literal whose truth under ``binding`` is ``holds`` (ground, or ``_`` under not)."""
        if isinstance(lit.atom, Comparison):
            return Edge("cmp", rule, index, binding, holds=holds)
        ground = ground_atom(lit.atom, binding)
        if not lit.negated:
            return Edge("atom", rule, index, binding, ground, holds)
        if ground is not None:
            return Edge("not", rule, index, binding, ground, holds)
        if holds:  # not p(_) holds: no p(...) matches
            return Edge("not", rule, index, binding, self.pattern(lit.atom, binding, rule, index), holds)
        return Edge("not", rule, index, binding, self.evaluator.witness(lit.atom, binding), holds)

    def _refutation(self, atom: clingo.Symbol) -> Entry:
        return self._refute(atom, atom.arguments, lambda head: head == atom, atom)

    def _pattern_refutation(self, key: Key, pattern: _Pattern) -> Entry:
        """Why no instance of a pattern holds but those in the model (its ``exceptions``)."""
        args = [ground_term(a, pattern.binding) for a in pattern.atom.arguments]
        exceptions = tuple(atom for _, atom in self.evaluator.matches(pattern.atom, pattern.binding))
        excepted = set(exceptions)

        def matches(head: clingo.Symbol) -> bool:
            return head not in excepted and match_atom(pattern.atom, head, dict(pattern.binding))

        entry = self._refute(key, args, matches, None, pattern.atom.signature, excepted)
        entry.exceptions = exceptions
        return entry

    def _refute(self, key: Key, args: Iterable[clingo.Symbol | None], matches, atom: clingo.Symbol | None,
                signature: tuple[str, int] | None = None, excepted: set[clingo.Symbol] = frozenset()) -> Entry:
        args = list(args)
        signature = signature or (atom.name, len(atom.arguments))  # type: ignore[union-attr]
        edges: list[Edge] = []
        matched = False
        for rule in self.by_signature.get(signature, ()):
            head = self.rules[rule].head
            binding: Binding = {}
            extra = head_items(head, args, binding)
            if extra is None:
                continue
            matched = True

            def done(found: Binding, rule: int = rule) -> None:
                instance = ground_atom(self.rules[rule].head, found)
                if instance is not None and matches(instance):
                    raise ReasoningError(f"{instance} is not in the model but "
                                         f"{instance_text(self.rules[rule], found)} applies "
                                         "(was the model computed from the same program and facts?)")

            for failure in self.evaluator.failures(extra + rule_items(self.rules[rule]), binding, done):
                if excepted and _only_exceptions(self.rules[rule].head, failure.binding, excepted):
                    continue
                edges.append(self._failure_edge(rule, failure, args))
        if not matched:
            note = NO_MATCHING_HEAD if signature in self._defined() else NOT_A_FACT
            return Entry(key, False, "no_rule", atom, note=note)
        return Entry(key, False, "all_rules_fail", atom, edges=edges)

    def _defined(self) -> set[tuple[str, int]]:
        return self.by_signature.keys()  # type: ignore[return-value]

    def _failure_edge(self, rule: int, failure: Failure, parent: list) -> Edge:
        lit, binding = failure.literal, failure.binding
        if failure.kind == "undefined":
            return Edge("cmp", rule, failure.index, binding, holds=False, holding=failure.holding, note="undefined")
        general = self._diverging(rule, lit, binding, parent)
        if failure.kind == "pattern":  # th(Y,H-1) for any Y descends as a ground atom does: cut it alike
            binding = binding if general is None else general
            key = self.pattern(lit.atom, binding, rule, failure.index)  # type: ignore[arg-type]
            return Edge("atom", rule, failure.index, binding, key, False, failure.holding)
        if general is not None:  # a descent away from the model's integers: refuted once, as a pattern
            key = self.pattern(lit.atom, general, rule, failure.index)  # type: ignore[arg-type]
            return Edge("atom", rule, failure.index, general, key, False, failure.holding)
        edge = self._edge(rule, failure.index, lit, binding, False)
        edge.holding = failure.holding
        return edge

    def _diverging(self, rule: int, lit: Literal, binding: Binding, parent: list) -> Binding | None:
        """See :mod:`nesyasp.reason.diverge`: the pattern's binding when ``lit`` steps away from the model."""
        head = self.rules[rule].head
        if lit.negated or not isinstance(lit.atom, Atom) or not isinstance(head, Atom) \
                or self.component.get(lit.atom.predicate, -1) != self.component.get(head.predicate, -2):
            return None
        if self._bounds is None:
            self._bounds = integer_range(self.model)
        return diverging(lit.atom, binding, parent, self._bounds)

    # ------------------------------------------------------------ supports (well-founded proofs)
    def support(self, atom: clingo.Symbol) -> tuple[int, Binding] | None:
        """The rule instance ``(rule, binding)`` that derives a true atom of a recursive component first
        (None for a fact). Computed for everything ``atom`` needs, once (see the module docstring)."""
        if atom not in self._supports:
            self._close(atom)
        return self._supports[atom]

    def _instances(self, atom: clingo.Symbol) -> Iterator[tuple[int, Binding]]:
        for rule in self.by_signature.get((atom.name, len(atom.arguments)), ()):
            binding: Binding = {}
            extra = head_items(self.rules[rule].head, atom.arguments, binding)
            if extra is None:
                continue
            for found in self.evaluator.bindings(extra + rule_items(self.rules[rule]), binding):
                if ground_atom(self.rules[rule].head, found) == atom:
                    yield rule, found

    def _recursive_body(self, rule: int, binding: Binding, component: int) -> list[clingo.Symbol]:
        return [ground_atom(lit.atom, binding) for _, lit in rule_items(self.rules[rule])
                if not lit.negated and isinstance(lit.atom, Atom) and self.component.get(lit.atom.predicate) == component]

    def _close(self, atom: clingo.Symbol) -> None:
        """Supports for ``atom`` and every atom it needs: a backward closure over the true rule instances,
        then one forward pass that fires each instance when its last recursive body atom is derived."""
        component = self.component[atom.name]
        relevant, queue = {atom}, [atom]
        instances: list[list] = []
        waiting: dict[clingo.Symbol, list[int]] = {}
        known: list[clingo.Symbol] = []
        immediate: list[int] = []
        while queue:
            current = queue.pop()
            if current in self._supports or self.model.is_fact(current):
                if current not in self._supports:
                    self._supports[current], self._stage[current] = None, 0
                known.append(current)
                continue
            for rule, binding in self._instances(current):
                body = set(self._recursive_body(rule, binding, component))
                k = len(instances)
                instances.append([rule, binding, current, len(body)])
                if not body:
                    immediate.append(k)
                for needed in body:
                    waiting.setdefault(needed, []).append(k)
                    if needed not in relevant:
                        relevant.add(needed)
                        queue.append(needed)
        self._fire(instances, waiting, known, immediate)
        missing = [a for a in relevant if a not in self._supports]
        if missing:
            raise ReasoningError(f"{missing[0]} is in the model but has no well-founded derivation "
                                 "(was the model computed from the same program and facts?)")

    def _fire(self, instances: list[list], waiting: dict[clingo.Symbol, list[int]], known: list[clingo.Symbol],
              immediate: list[int]) -> None:
        queue = list(known)
        for k in immediate:
            self._settle(instances[k], queue)
        position = 0
        while position < len(queue):
            derived = queue[position]
            position += 1
            for k in waiting.pop(derived, ()):
                instance = instances[k]
                instance[3] -= 1
                if instance[3] == 0:
                    self._settle(instance, queue)

    def _settle(self, instance: list, queue: list[clingo.Symbol]) -> None:
        rule, binding, head, _ = instance
        if head in self._supports:
            return
        stages = [self._stage.get(a, 0) for a in self._recursive_body(rule, binding, self.component[head.name])]
        self._supports[head] = (rule, binding)
        self._stage[head] = 1 + max(stages, default=0)
        queue.append(head)

    def stages(self) -> dict[clingo.Symbol, int]:
        """The derivation stage of every recursive atom whose support was computed so far."""
        return dict(self._stage)

    def depends(self, start: clingo.Symbol, target: clingo.Symbol) -> bool:
        """True when the support chain of the true atom ``start`` uses ``target``."""
        seen, stack = {start}, [start]
        while stack:
            current = stack.pop()
            if current == target:
                return True
            if current.name not in self.component or self.model.is_fact(current):
                continue
            support = self.support(current)
            if support is None:
                continue
            for needed in self._recursive_body(support[0], support[1], self.component[current.name]):
                if needed not in seen:
                    seen.add(needed)
                    stack.append(needed)
        return False

    def instances(self, atom: clingo.Symbol) -> list[tuple[int, Binding]]:
        """Every well-founded rule instance that derives the true atom ``atom`` (for ``--all-proofs``)."""
        out = []
        for rule, binding in self._instances(atom):
            if atom.name in self.component:
                body = self._recursive_body(rule, binding, self.component[atom.name])
                if any(self.depends(b, atom) for b in body):
                    continue
            out.append((rule, binding))
        return out


def _only_exceptions(head: Atom, binding: Binding, excepted: set[clingo.Symbol]) -> bool:
    """True when the failing instance's head is already ground and one of the atoms that hold."""
    instance = ground_atom(head, binding)
    return instance is not None and instance in excepted


def _pattern_key(atom: Atom, binding: Binding) -> Key:
    """A pattern's key: its text with the bound values put in and the free variables numbered in order."""
    values = {v: binding[v] for v in atom.variables() if v in binding}
    for name in atom.variables():
        if name not in values and name != "_":
            values[name] = clingo.Function(f"V{len(values)}")
    return ("pattern", atom_text(atom, values))


def justify(model: Model, atom: clingo.Symbol) -> Node:
    """The justification tree of a ground atom in ``model`` (true or false).

    A convenience wrapper; build one :class:`Justifier` to explain many atoms.
    """
    return Justifier(model).explain(atom)
