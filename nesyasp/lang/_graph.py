"""The predicate dependency graph and the stratification check (networkx).

Nodes are predicate signatures printed ``name/arity``; an edge ``h -> b`` says
that a rule with head ``h`` has ``b`` in its body, with ``negative=True`` when
``b`` occurs under ``not``. A program is stratified when no cycle of the graph
contains a negative edge. Where predicates do form such a cycle, the check is
refined on head patterns (``target(_,bedroom)`` and ``target(_,bathroom)`` are
different nodes), a sound over-approximation of local stratification.
"""

from __future__ import annotations

from typing import Iterator

from nesyasp.lang.ast import (Atom, BinaryOperation, Function, Integer, Literal, Program, Real, Term,
                              UnaryOperation, Variable)
from nesyasp.errors import Diagnostic, Location, expect_type

__all__ = ["dependency_graph", "pattern_graph", "negative_cycles", "stratification_diagnostics"]


def _name(sig: tuple[str, int]) -> str:
    return f"{sig[0]}/{sig[1]}"


def dependency_graph(program: Program):  # -> networkx.DiGraph
    """The predicate dependency graph of ``program`` as a ``networkx.DiGraph``.

    Each edge carries ``negative`` (bool) and ``location`` (of the first body
    literal that made it; a negative occurrence wins over a positive one).

    Parameters
    ----------
    program:
        A parsed program.

    Returns
    -------
    networkx.DiGraph
        An edge ``head -> body predicate`` (``name/arity``) per body literal.
    """
    expect_type(program, Program, "a Program (parse_program or parse_file gives one)")
    import networkx as nx

    edges: dict[tuple[str, str], tuple[bool, Location]] = {}
    heads: dict[str, None] = {}
    names: dict[tuple[str, int], str] = {}
    for rule in program.rules:
        head = rule.head
        if type(head) is not Atom:
            continue
        sig = (head.predicate, len(head.arguments))
        h = names.get(sig) or names.setdefault(sig, _name(sig))
        heads[h] = None
        for lit in rule.body:
            if type(lit) is not Literal or type(lit.atom) is not Atom:
                continue
            sig = (lit.atom.predicate, len(lit.atom.arguments))
            b = names.get(sig) or names.setdefault(sig, _name(sig))
            old = edges.get((h, b))
            if old is None or (lit.negated and not old[0]):
                edges[(h, b)] = (lit.negated, lit.loc)
    graph = nx.DiGraph()
    graph.add_nodes_from(heads)
    graph.add_edges_from((h, b, {"negative": neg, "location": loc}) for (h, b), (neg, loc) in edges.items())
    return graph


def _key(term: Term) -> str:
    """A term with its variables and arithmetic generalized to ``_``."""
    t = type(term)
    if t is Variable or t is BinaryOperation or t is UnaryOperation:
        return "_"
    if t is Function:
        return f"{term.name}({','.join(_key(a) for a in term.arguments)})"  # type: ignore[union-attr]
    return str(term)


def _pattern(atom: Atom) -> str:
    if not atom.arguments:
        return atom.predicate
    return f"{atom.predicate}({','.join(_key(a) for a in atom.arguments)})"


def _compatible(a: Term, b: Term) -> bool:
    """Whether two terms may unify (an over-approximation: variable bindings are not tracked)."""
    ta, tb = type(a), type(b)
    if ta in _OPEN or tb in _OPEN:
        return True
    if ta is Function and tb is Function:
        return (a.name == b.name and len(a.arguments) == len(b.arguments)  # type: ignore[union-attr]
                and all(map(_compatible, a.arguments, b.arguments)))  # type: ignore[union-attr]
    if {ta, tb} <= {Integer, Real}:
        return True  # numbers are compared by value after encoding
    return ta is tb and str(a) == str(b)


_OPEN = frozenset((Variable, BinaryOperation, UnaryOperation))


def pattern_graph(program: Program, predicates: set[str] | None = None):  # -> networkx.DiGraph
    """Dependencies between head patterns such as ``target(_,bedroom)``.

    Finer than :func:`dependency_graph`: a body atom depends on the rule heads
    it may unify with, so ``target(X,b) :- ..., not target(X,a).`` is no cycle.
    ``predicates`` restricts the graph to heads of those ``name/arity`` names.
    """
    import networkx as nx

    heads: dict[tuple[str, int], dict[str, Atom]] = {}
    for rule in program.rules:
        if type(rule.head) is Atom and (predicates is None or _name(rule.head.signature) in predicates):
            heads.setdefault(rule.head.signature, {}).setdefault(_pattern(rule.head), rule.head)
    graph = nx.DiGraph()
    for rule in program.rules:
        head = rule.head
        if type(head) is not Atom or head.signature not in heads:
            continue
        source = _pattern(head)
        graph.add_node(source)
        for lit in rule.body:
            if type(lit) is not Literal or type(lit.atom) is not Atom:
                continue
            for target, rep in heads.get(lit.atom.signature, {}).items():
                if all(map(_compatible, lit.atom.arguments, rep.arguments)):
                    data = graph.get_edge_data(source, target)
                    if data is None or (lit.negated and not data["negative"]):
                        graph.add_edge(source, target, negative=lit.negated, location=lit.loc)
    return graph


def _cycles(graph) -> list[tuple[tuple[str, ...], Location]]:
    import networkx as nx

    found = []
    for component in nx.strongly_connected_components(graph):
        sub = graph.subgraph(component)
        negative = [(u, v, d) for u, v, d in sub.edges(data=True) if d["negative"]]
        if not negative:
            continue
        negative.sort(key=lambda e: (e[2]["location"].begin.line, e[2]["location"].begin.column))
        head, body, data = negative[0]
        back = nx.shortest_path(sub, body, head)
        found.append(((head, *back), data["location"]))
    found.sort(key=lambda c: (c[1].begin.line, c[1].begin.column))
    return found


def negative_cycles(program: Program) -> list[tuple[tuple[str, ...], Location]]:
    """One cycle through ``not`` per offending strongly connected component.

    Predicates are compared first; where they form a cycle through ``not``,
    the check is repeated on head patterns (:func:`pattern_graph`), so that
    FOLD-RM-style rules ``target(X,b) :- ..., not target(X,a).`` pass.

    Returns
    -------
    list of (cycle, location)
        ``cycle`` lists the patterns ``p(_), q(_,a), ..., p(_)`` (first repeated
        last) going through a negative edge; ``location`` is that ``not`` literal.

    Parameters
    ----------
    program:
        A parsed program.
    """
    expect_type(program, Program, "a Program (parse_program or parse_file gives one)")
    coarse = _cycles(dependency_graph(program))
    if not coarse:
        return []
    suspects = {name for cycle, _ in coarse for name in cycle}
    return _cycles(pattern_graph(program, suspects))


def _signature(pattern: str) -> str:
    name, _, rest = pattern.partition("(")
    if not rest:
        return f"{name}/0"
    depth, arity = 0, 1
    for ch in rest[:-1]:
        depth += ch == "("
        depth -= ch == ")"
        arity += ch == "," and depth == 0
    return f"{name}/{arity}"


def stratification_diagnostics(program: Program) -> Iterator[Diagnostic]:
    """An error per cycle through ``not``, naming the predicates on it."""
    for cycle, location in negative_cycles(program):
        preds = sorted({_signature(p) for p in cycle})
        yield Diagnostic(
            "error",
            f"the program is not stratified: predicates {', '.join(preds)} depend on each other "
            f"through 'not' (cycle {' -> '.join(cycle)}); break the cycle, e.g. with a helper predicate "
            "computed before the negation",
            location, "StratificationError")
