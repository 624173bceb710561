"""Justification trees over a model, in the spirit of s(CASP).

* An atom that holds is justified by one ground rule instance whose body
  holds, recursively down to facts and comparisons. The tree is well-founded:
  in a positively recursive part of the program (transitive closure) each atom
  has a *stage*, the round of the bottom-up fixpoint that first derives it,
  and a rule instance is used only when its same-component body atoms have a
  smaller stage, so no atom justifies itself.
* An atom that does not hold is refuted by giving, for every rule whose head
  unifies with it and for every binding of the rest of the body, the body
  literal that fails (``all_rules_fail``), recursively; with no such rule it
  is ``no_rule``. A false atom met again below itself (a positive loop of
  false atoms, an unfounded set) is marked ``repeated``.
* ``not a`` holds because ``a`` has no justification: its child is ``a``'s refutation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterator

import clingo
import networkx as nx

from nesyasp.lang.ast import Atom, BinaryOperation, Comparison, Literal, Rule, UnaryOperation, Variable, term_variables
from nesyasp.errors import ReasoningError
from nesyasp.reason.model import Model
from nesyasp.reason.node import Node
from nesyasp.reason.terms import evaluate_comparison, ground_atom, ground_term, match_atom, match_term

__all__ = ["Justifier", "justify", "instance_text", "literal_text"]

Binding = dict[str, clingo.Symbol]


def literal_text(lit: Literal, binding: Binding) -> str:
    """A body literal under a binding (free variables kept by name)."""
    if isinstance(lit.atom, Comparison):
        cmp = lit.atom
        text = f"{_term_text(cmp.left, binding)}{cmp.operator}{_term_text(cmp.right, binding)}"
    else:
        text = atom_text(lit.atom, binding)
    return f"not {text}" if lit.negated else text


def _term_text(term: object, binding: Binding) -> str:
    value = ground_term(term, binding)
    return str(value) if value is not None else str(term)


def atom_text(atom: Atom, binding: Binding) -> str:
    """An atom under a binding, free variables kept by name."""
    if not atom.arguments:
        return atom.predicate
    return f"{atom.predicate}({','.join(_term_text(a, binding) for a in atom.arguments)})"


def instance_text(rule: Rule, binding: Binding) -> str:
    """The ground instance of ``rule`` under ``binding``, as clingo text."""
    head = atom_text(rule.head, binding) if isinstance(rule.head, Atom) else ""
    body = ", ".join(literal_text(lit, binding) for lit in rule.body)
    if not body:
        return f"{head}."
    return f"{head} :- {body}." if head else f":- {body}."


def _is_ground(lit: Literal, binding: Binding) -> bool:
    names = [v for v in lit.variables() if v != "_"]
    if not lit.negated or isinstance(lit.atom, Comparison):
        names = list(lit.variables())
    return all(v in binding for v in names)


def _pick(lits: tuple[Literal, ...], binding: Binding) -> int:
    """The literal to look at next: a ground one, else a positive atom, else an assignment.

    Of the assignments, one whose other side is already ground comes first
    (``Y = X+Z, Z = 1`` binds ``Z`` before ``Y``, as gringo does).
    """
    for i, lit in enumerate(lits):
        if _is_ground(lit, binding):
            return i
    for i, lit in enumerate(lits):
        if not lit.negated and isinstance(lit.atom, Atom):
            return i
    assignments = [i for i, lit in enumerate(lits)
                   if isinstance(lit.atom, Comparison) and lit.atom.operator == "=" and not lit.negated]
    for i in assignments:
        cmp = lits[i].atom
        if ground_term(cmp.left, binding) is not None or ground_term(cmp.right, binding) is not None:
            return i
    return assignments[0] if assignments else 0


def _invert(term: object, value: clingo.Symbol, binding: Binding) -> Binding | None:
    """Bind the one unbound variable of a linear term (``Y+1``, ``2*Y``, ``-Y``) so that it equals ``value``."""
    free = [v for v in term_variables(term) if v not in binding]  # type: ignore[arg-type]
    if len(free) != 1 or free[0] == "_" or value.type != clingo.SymbolType.Number:
        return None
    n = value.number
    while type(term) is not Variable:
        if type(term) is UnaryOperation and term.operator == "-":
            term, n = term.argument, -n
            continue
        if type(term) is not BinaryOperation or term.operator not in ("+", "-", "*"):
            return None
        left, right = ground_term(term.left, binding), ground_term(term.right, binding)
        known = right if left is None else left
        if known is None or known.type != clingo.SymbolType.Number:
            return None
        k, on_left = known.number, left is None
        if term.operator == "+":
            n -= k
        elif term.operator == "-":
            n = n + k if on_left else k - n
        elif k == 0 or n % k:
            return None
        else:
            n //= k
        term = term.left if on_left else term.right
    if not -2**31 <= n < 2**31:
        return None
    return {**binding, term.name: clingo.Number(n)}


def _assign(cmp: Comparison, binding: Binding) -> Binding | None:
    """Bind the variables of one side of ``left = right`` when the other side is ground, as gringo does.

    The unbound side is a variable, a term that unifies (``f(Y)``) or a
    linear term in one variable (``Y+1``); None when it cannot be bound or
    no value makes the two sides equal.
    """
    for side, other in ((cmp.left, cmp.right), (cmp.right, cmp.left)):
        if ground_term(side, binding) is not None:
            continue
        value = ground_term(other, binding)
        if value is None:
            continue
        extended = dict(binding)
        if match_term(side, value, extended):
            return extended
        return _invert(side, value, binding)
    return None


class Justifier:
    """Builds justification trees against one model (memoized; build one per model).

    Parameters
    ----------
    model:
        The model, with its translation (rules) and facts.
    """

    def __init__(self, model: Model):
        self.model = model
        self.rules: dict[tuple[str, int], list[Rule]] = {}
        for rule in model.translation.rules:
            if isinstance(rule.head, Atom):
                self.rules.setdefault(rule.head.signature, []).append(rule)
        self._fact_predicates = {f.head.signature for f in model.translation.facts}
        self._component = _recursive_components(model.translation.rules)
        self._stages: dict[clingo.Symbol, int] | None = None
        self._proofs: dict[clingo.Symbol, Node] = {}
        self._refutations: dict[clingo.Symbol, Node] = {}

    # ------------------------------------------------------------ public
    def explain(self, atom: clingo.Symbol) -> Node:
        """The justification of a ground atom, whether it holds or not."""
        return self.prove(atom) if self.model.holds(atom) else self.refute(atom, frozenset())

    def prove(self, atom: clingo.Symbol) -> Node:
        """Why a true atom holds."""
        node = self._proofs.get(atom)
        if node is None:
            node = self._proofs[atom] = self._prove(atom)
        return node

    # ------------------------------------------------------------ truth
    def _prove(self, atom: clingo.Symbol) -> Node:
        if self.model.is_fact(atom):
            return Node(str(atom), True, "fact", atom=atom)
        allow = self._allow(atom)
        for rule in self.rules.get((atom.name, len(atom.arguments)), ()):
            binding: Binding = {}
            if not match_atom(rule.head, atom, binding):
                continue
            found = self._find(rule.body, binding, allow)
            if found is not None and ground_atom(rule.head, found) == atom:
                children = tuple(self._holding(lit, found) for lit in rule.body)
                return Node(str(atom), True, "rule", instance_text(rule, found), children, atom=atom,
                            source=rule, binding=found)
        raise ReasoningError(f"{atom} is in the model but no fact or rule instance derives it "
                             "(was the model computed from the same program and facts?)")

    def _allow(self, atom: clingo.Symbol) -> Callable[[clingo.Symbol], bool]:
        component = self._component.get(atom.name)
        if component is None:
            return lambda _: True
        stages = self.stages()
        limit = stages.get(atom, 0)
        return lambda a: self._component.get(a.name) != component or stages.get(a, limit) < limit

    def _holds(self, lit: Literal, binding: Binding) -> bool:
        if isinstance(lit.atom, Comparison):
            value = evaluate_comparison(lit.atom, binding)
            return value is not None and value != lit.negated
        ground = ground_atom(lit.atom, binding)
        if ground is not None:
            return self.model.holds(ground) != lit.negated
        return next(self._matches(lit.atom, binding), None) is None  # a match may be {} (falsy): test existence

    def _matches(self, atom: Atom, binding: Binding) -> Iterator[Binding]:
        for extended, _ in self._pairs(atom, binding):
            yield extended

    def _witnesses(self, atom: Atom, binding: Binding) -> Iterator[clingo.Symbol]:
        for _, candidate in self._pairs(atom, binding):
            yield candidate

    def _pairs(self, atom: Atom, binding: Binding) -> Iterator[tuple[Binding, clingo.Symbol]]:
        first = ground_term(atom.arguments[0], binding) if atom.arguments else None
        for candidate in self.model.candidates(atom.predicate, len(atom.arguments), first):
            extended = dict(binding)
            if match_atom(atom, candidate, extended):
                yield extended, candidate

    def _find(self, lits: tuple[Literal, ...], binding: Binding, allow: Callable[[clingo.Symbol], bool]
              ) -> Binding | None:
        """A binding under which every literal holds (and ``allow`` admits its positive atoms)."""
        if not lits:
            return binding
        i = _pick(lits, binding)
        lit, rest = lits[i], lits[:i] + lits[i + 1:]
        if isinstance(lit.atom, Comparison) and not _is_ground(lit, binding):
            assigned = _assign(lit.atom, binding) if not lit.negated and lit.atom.operator == "=" else None
            return None if assigned is None else self._find(rest, assigned, allow)
        if lit.negated or isinstance(lit.atom, Comparison) or _is_ground(lit, binding):
            if not self._holds(lit, binding):
                return None
            if not lit.negated and isinstance(lit.atom, Atom) and not allow(ground_atom(lit.atom, binding)):
                return None
            return self._find(rest, binding, allow)
        for extended in self._matches(lit.atom, binding):
            if allow(ground_atom(lit.atom, extended)):
                found = self._find(rest, extended, allow)
                if found is not None:
                    return found
        return None

    def _holding(self, lit: Literal, binding: Binding) -> Node:
        """The node of a body literal that holds under ``binding``."""
        text = literal_text(lit, binding)
        if isinstance(lit.atom, Comparison):
            return Node(text, True, "comparison", binding=binding, comparison=lit.atom, negated=lit.negated)
        ground = ground_atom(lit.atom, binding)
        if not lit.negated:
            return self.prove(ground)
        if ground is None:
            return Node(text, True, "negation", children=(self._refute_pattern(lit.atom, binding, frozenset()),),
                        negated=True, binding=binding)
        return Node(text, True, "negation", children=(self.refute(ground, frozenset()),), atom=ground, negated=True)

    # ------------------------------------------------------------ falsity
    def refute(self, atom: clingo.Symbol, above: frozenset) -> Node:
        """Why a false atom does not hold (``above``: atoms being refuted higher up)."""
        cached = self._refutations.get(atom)
        if cached is not None:
            return cached
        if atom in above:
            return Node(str(atom), False, "all_rules_fail", atom=atom, note="justified above", repeated=True)
        node = self._refute(Atom(atom.name, ()), atom, {}, above | {atom})
        if not any(n.repeated for n in _nodes(node)):
            self._refutations[atom] = node
        return node

    def _refute_pattern(self, pattern: Atom, binding: Binding, above: frozenset) -> Node:
        key = (pattern.predicate, tuple(ground_term(a, binding) for a in pattern.arguments))
        if key in above:
            return Node(atom_text(pattern, binding), False, "all_rules_fail", note="justified above", repeated=True)
        return self._refute(pattern, None, binding, above | {key})

    def _refute(self, pattern: Atom, atom: clingo.Symbol | None, binding: Binding, above: frozenset) -> Node:
        name = atom.name if atom is not None else pattern.predicate
        arity = len(atom.arguments) if atom is not None else len(pattern.arguments)
        args = list(atom.arguments) if atom is not None else [ground_term(a, binding) for a in pattern.arguments]
        text = str(atom) if atom is not None else atom_text(pattern, binding)
        children: list[Node] = []
        matched = False
        for rule in self.rules.get((name, arity), ()):
            head_binding: Binding = {}
            if not all(v is None or match_term(t, v, head_binding) for t, v in zip(rule.head.arguments, args)):
                continue
            matched = True
            for failure in self._failures(rule.body, head_binding, rule, args, above):
                children.append(replace(failure, source=rule, binding=failure.binding or head_binding))
        if not matched:
            return Node(text, False, "no_rule", atom=atom, note=self._no_rule_note(name, arity))
        return Node(text, False, "all_rules_fail", children=tuple(children), atom=atom)

    def _no_rule_note(self, name: str, arity: int) -> str:
        if (name, arity) in self._fact_predicates or self.model.has_any(name, arity):
            return "not among the facts"
        return f"no rule or fact for {name}/{arity}"

    def _failures(self, lits: tuple[Literal, ...], binding: Binding, rule: Rule, args: list,
                  above: frozenset) -> Iterator[Node]:
        """For every binding of ``lits``, the node of the first literal that fails."""
        if not lits:
            head = ground_atom(rule.head, binding)
            if head is not None and all(v is None or v == h for v, h in zip(args, head.arguments)):
                raise ReasoningError(f"{head} is not in the model but {instance_text(rule, binding)} applies "
                                     "(was the model computed from the same program and facts?)")
            return
        i = _pick(lits, binding)
        lit, rest = lits[i], lits[:i] + lits[i + 1:]
        if isinstance(lit.atom, Comparison) and not _is_ground(lit, binding):
            assigned = _assign(lit.atom, binding) if not lit.negated and lit.atom.operator == "=" else None
            if assigned is None:
                yield Node(literal_text(lit, binding), False, "comparison", binding=binding,
                           comparison=lit.atom, negated=lit.negated, note="undefined")
            else:
                yield from self._failures(rest, assigned, rule, args, above)
        elif lit.negated or isinstance(lit.atom, Comparison) or _is_ground(lit, binding):
            if self._holds(lit, binding):
                yield from self._failures(rest, binding, rule, args, above)
            else:
                yield self._failing(lit, binding, above)
        else:
            matches = list(self._matches(lit.atom, binding))
            if not matches:
                yield replace(self._refute_pattern(lit.atom, binding, above), binding=binding)
            for extended in matches:
                yield from self._failures(rest, extended, rule, args, above)

    def _failing(self, lit: Literal, binding: Binding, above: frozenset) -> Node:
        """The node of a ground (or ``_``-only) body literal that fails under ``binding``."""
        text = literal_text(lit, binding)
        if isinstance(lit.atom, Comparison):
            value = evaluate_comparison(lit.atom, binding)
            return Node(text, False, "comparison", binding=binding, comparison=lit.atom, negated=lit.negated,
                        note="undefined" if value is None else "")
        ground = ground_atom(lit.atom, binding)
        if not lit.negated:
            return self.refute(ground, above)
        if ground is None:
            witness = next(self._witnesses(lit.atom, binding))
            return Node(text, False, "negation", children=(self.prove(witness),), negated=True, binding=binding)
        return Node(text, False, "negation", children=(self.prove(ground),), atom=ground, negated=True)

    # ------------------------------------------------------------ stages
    def stages(self) -> dict[clingo.Symbol, int]:
        """Derivation stage of every true atom of a positively recursive component."""
        if self._stages is None:
            self._stages = _compute_stages(self)
        return self._stages


def _nodes(node: Node) -> Iterator[Node]:
    from nesyasp.reason.node import walk
    return walk(node)


def _recursive_components(rules: tuple[Rule, ...]) -> dict[str, int]:
    """Predicate -> component id, for predicates on a cycle of positive dependencies."""
    graph = nx.DiGraph()
    for rule in rules:
        if not isinstance(rule.head, Atom):
            continue
        for lit in rule.body:
            if isinstance(lit, Literal) and isinstance(lit.atom, Atom) and not lit.negated:
                graph.add_edge(lit.atom.predicate, rule.head.predicate)
    out: dict[str, int] = {}
    for k, component in enumerate(nx.strongly_connected_components(graph)):
        if len(component) > 1 or any(graph.has_edge(p, p) for p in component):
            out.update(dict.fromkeys(component, k))
    return out


def _compute_stages(justifier: Justifier) -> dict[clingo.Symbol, int]:
    """Bottom-up rounds over the recursive components, counting the round that derives each atom."""
    component = justifier._component
    stages: dict[clingo.Symbol, int] = {}
    model = justifier.model
    rules = [r for sig, rs in justifier.rules.items() if sig[0] in component for r in rs]
    for name in component:
        for arity in {r.head.signature[1] for r in rules if r.head.predicate == name} or {0}:
            for atom in model.candidates(name, arity):
                if model.is_fact(atom):
                    stages[atom] = 0
    level = 0
    while True:
        level += 1
        known = dict(stages)

        def allow(a: clingo.Symbol) -> bool:
            return a.name not in component or a in known
        new = {}
        for rule in rules:
            for binding in _all_bindings(justifier, rule.body, {}, allow):
                head = ground_atom(rule.head, binding)
                if head is not None and head not in stages and model.holds(head):
                    new[head] = level
        if not new:
            return stages
        stages.update(new)


def _all_bindings(justifier: Justifier, lits: tuple[Literal, ...], binding: Binding,
                  allow: Callable[[clingo.Symbol], bool]) -> Iterator[Binding]:
    if not lits:
        yield binding
        return
    i = _pick(lits, binding)
    lit, rest = lits[i], lits[:i] + lits[i + 1:]
    if isinstance(lit.atom, Comparison) and not _is_ground(lit, binding):
        assigned = _assign(lit.atom, binding) if not lit.negated and lit.atom.operator == "=" else None
        if assigned is not None:
            yield from _all_bindings(justifier, rest, assigned, allow)
    elif lit.negated or isinstance(lit.atom, Comparison) or _is_ground(lit, binding):
        if justifier._holds(lit, binding) and (lit.negated or isinstance(lit.atom, Comparison)
                                                or allow(ground_atom(lit.atom, binding))):
            yield from _all_bindings(justifier, rest, binding, allow)
    else:
        for extended in justifier._matches(lit.atom, binding):
            if allow(ground_atom(lit.atom, extended)):
                yield from _all_bindings(justifier, rest, extended, allow)


def justify(model: Model, atom: clingo.Symbol) -> Node:
    """The justification tree of a ground atom in ``model`` (true or false).

    A convenience wrapper; build one :class:`Justifier` to explain many atoms.
    """
    return Justifier(model).explain(atom)
