"""From the justifier's entries to :class:`~nesyasp.reason.node.Node` trees, each literal shown once.

A :class:`Document` is one output: one tree, or the trees of all the answers
of a query. Walking the entries depth-first in pre-order, it numbers every
literal it expands (``ident``). A literal met again is not expanded again:

* below itself (an atom refuted through a positive loop, such as
  ``p :- q. q :- p.``) it is a ``loop`` node pointing to the ancestor
  (``ref``): the loop's atoms are assumed false, as s(CASP) says, "it is
  assumed that ...";
* anywhere else it is a ``shared`` node pointing to where it was shown.

So a tree's size is linear in the entries it touches, however often the
program reaches them (a why-not over a complete graph is quadratic, not
exponential). Facts, comparisons and ``no_rule`` leaves are simply repeated.
The walk uses its own stack: a chain 2,000 rules deep is fine.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import clingo

from nesyasp.errors import ReasoningError, brief, expect_type, format_location
from nesyasp.lang.ast import Comparison
from nesyasp.reason.entries import Edge, Entry, Key
from nesyasp.reason.node import Node
from nesyasp.reason.texts import atom_text, instance_text, literal_text

__all__ = ["Document", "DETAILS"]

#: What a refutation shows of each failing rule instance: the failing literal, or the part that holds too.
DETAILS = ("failing", "holding")


class _Frame:
    __slots__ = ("entry", "ident", "tasks", "position", "results")

    def __init__(self, entry: Entry, ident: int, tasks: list):
        self.entry, self.ident, self.tasks, self.position, self.results = entry, ident, tasks, 0, []


class Document:
    """Trees over one justifier that share what they show.

    Parameters
    ----------
    justifier:
        The tabled justifier of the model (a :class:`~nesyasp.reason.justify.Justifier`).
    detail:
        ``"failing"`` (default): a refuted rule instance shows its failing literal;
        ``"holding"``: also the body literals that hold before it (``Node.holding``).
    """

    def __init__(self, justifier: Any, detail: str = "failing"):
        expect_type(detail, str, f"a detail ({' or '.join(DETAILS)})")
        if detail not in DETAILS:  # a ReasoningError, as an unknown engine is (was a bare ValueError)
            raise ReasoningError(f"detail must be one of {DETAILS}, not {brief(detail)}")
        self.justifier = justifier
        self.detail = detail
        self.counter = 0
        self.shown: dict[Key, int] = {}
        self.open: dict[Key, int] = {}

    # ------------------------------------------------------------ roots
    def tree(self, key: Key) -> Node:
        """The tree of a ground atom (as the model holds it) or a pattern key."""
        out: list[Node] = []
        stack: list = []
        self._visit(key, out.append, stack)
        self._loop(stack)
        return out[0]

    def instance(self, rule: int, binding: dict, atom: clingo.Symbol) -> Node:
        """The tree of one rule instance deriving ``atom`` (one of several proofs)."""
        edges = self.justifier.edges_for(rule, binding)
        return self._root(Entry(("instance", rule, self.counter), True, "rule", atom, rule, binding, edges))

    def conjunction(self, text: str, rule: int, binding: dict) -> Node:
        """The tree of a conjunctive query's answer: one child per literal (``rule`` registered by the caller)."""
        edges = self.justifier.edges_for(rule, binding)
        return self._root(Entry(("query", rule, text), True, "conjunction", None, rule, binding, edges))

    def _root(self, entry: Entry) -> Node:
        out: list[Node] = []
        stack: list = []
        self._push(entry, out.append, stack)
        self._loop(stack)
        return out[0]

    # ------------------------------------------------------------ walking
    def _visit(self, key: Key, give: Callable[[Node], None], stack: list) -> None:
        """Give the node of ``key`` now (a leaf, a loop or a shared reference), or push a frame expanding it."""
        entry = self.justifier.entry(key)
        if entry.because in ("fact", "no_rule"):
            give(self._leaf(entry))
        elif key in self.open:
            give(Node(self._text(entry), False, "loop", atom=self._shown_atom(entry), repeated=True,
                      ref=self.open[key], note="a loop: it depends on itself", exceptions=self._exceptions(entry)))
        elif key in self.shown:
            give(Node(self._text(entry), entry.holds, "shared", atom=self._shown_atom(entry), ref=self.shown[key],
                      exceptions=self._exceptions(entry)))
        else:
            self._push(entry, give, stack)

    def _push(self, entry: Entry, give: Callable[[Node], None], stack: list) -> None:
        self.counter += 1
        self.shown[entry.key] = self.counter
        if not entry.holds:
            self.open[entry.key] = self.counter
        stack.append((_Frame(entry, self.counter, self._tasks(entry)), give))

    def _loop(self, stack: list) -> None:
        while stack:
            frame, give = stack[-1]
            if frame.position == len(frame.tasks):
                stack.pop()
                self.open.pop(frame.entry.key, None)
                give(self._assemble(frame))
                continue
            role, edge, wrap = frame.tasks[frame.position]
            frame.position += 1

            def take(node: Node | None, role=role, wrap=wrap, results=frame.results) -> None:
                results.append((role, wrap(node)))

            if edge.target is None:
                take(None)
            else:
                self._visit(edge.target, take, stack)

    # ------------------------------------------------------------ building nodes
    def _tasks(self, entry: Entry) -> list:
        tasks = []
        refuting = not entry.holds
        for group, edge in enumerate(entry.edges):
            if refuting and self.detail == "holding":
                for index in edge.holding:
                    rule = self.justifier.source(edge.rule)[1]
                    held = self.justifier._edge(edge.rule, index, rule.body[index], edge.binding, True)
                    tasks.append((("h", group), held, self._wrapper(held, False)))
            tasks.append((("f" if refuting else "c", group), edge, self._wrapper(edge, refuting)))
        return tasks

    def _wrapper(self, edge: Edge, refuting: bool) -> Callable[[Node | None], Node]:
        shown_rule, _, _ = self.justifier.source(edge.rule)
        lit = shown_rule.body[edge.index]
        binding = self.shown_binding(edge.rule, edge.binding)
        extra = {"source": shown_rule, "refutes": instance_text(shown_rule, binding),
                 "location": _location(shown_rule)} if refuting else {}

        def wrap(node: Node | None) -> Node:
            if edge.kind == "cmp":
                return Node(literal_text(lit, binding), edge.holds, "comparison", binding=binding,
                            comparison=lit.atom if isinstance(lit.atom, Comparison) else None,
                            negated=lit.negated, note=edge.note, **extra)
            assert node is not None
            if edge.kind == "not":
                atom = None if "_" in set(lit.variables()) else node.atom
                return Node(literal_text(lit, binding), edge.holds, "negation", children=(node,), atom=atom,
                            negated=True, binding=binding if refuting or atom is None else {}, **extra)
            return replace(node, binding=binding, **extra) if refuting else node
        return wrap

    def _assemble(self, frame: _Frame) -> Node:
        entry = frame.entry
        children: list[Node] = []
        holding: dict[int, list[Node]] = {}
        for role, node in frame.results:
            if role[0] == "h":
                holding.setdefault(role[1], []).append(node)
            elif role[0] == "f" and role[1] in holding:
                children.append(replace(node, holding=tuple(holding.pop(role[1]))))
            else:
                children.append(node)
        text = self._text(entry)
        if entry.because == "conjunction":
            return Node(text, True, "conjunction", children=tuple(children), ident=frame.ident)
        if entry.because == "rule":
            shown_rule = self.justifier.source(entry.rule)[0]
            binding = self.shown_binding(entry.rule, entry.binding)
            return Node(text, True, "rule", instance_text(shown_rule, binding), tuple(children),
                        atom=self._shown_atom(entry), source=shown_rule, binding=binding, ident=frame.ident,
                        location=_location(shown_rule))
        return Node(text, False, "all_rules_fail", children=tuple(children), atom=self._shown_atom(entry),
                    ident=frame.ident, exceptions=self._exceptions(entry))

    def _leaf(self, entry: Entry) -> Node:
        if entry.because == "fact":
            return Node(self._text(entry), True, "fact", atom=self._shown_atom(entry))
        return Node(self._text(entry), False, "no_rule", atom=self._shown_atom(entry), note=entry.note,
                    exceptions=self._exceptions(entry))

    def _exceptions(self, entry: Entry) -> tuple[str, ...]:
        return tuple(str(self.justifier.model.decode(a)) for a in entry.exceptions)

    def _shown_atom(self, entry: Entry) -> clingo.Symbol | None:
        return None if entry.atom is None else self.justifier.model.decode(entry.atom)

    def _text(self, entry: Entry) -> str:
        if entry.atom is not None:
            return str(self.justifier.model.decode(entry.atom))
        if entry.because == "conjunction":
            return entry.key[2]  # type: ignore[index]
        pattern = self.justifier.pattern_of(entry.key)
        shown_rule = self.justifier.source(pattern.rule)[0]
        shown = shown_rule.body[pattern.index].atom
        return atom_text(shown, self.shown_binding(pattern.rule, pattern.binding))  # type: ignore[arg-type]

    def shown_binding(self, rule: int, binding: dict) -> dict:
        """A binding of rule ``rule``'s variables with decimals shown as written."""
        encoding = self.justifier.encoding
        if encoding is None or encoding.trivial:
            return dict(binding)
        exps = self.justifier.source(rule)[2]
        if not exps:
            return dict(binding)
        from decimal import Decimal

        from nesyasp.reason.terms import NUMBER, decimal_symbol

        return {k: decimal_symbol(Decimal(v.number).scaleb(-exps[k])) if exps.get(k) and v.type == NUMBER else v
                for k, v in binding.items()}


def _location(rule) -> str | None:
    text = format_location(rule.loc)
    return None if text == "<unknown>" else text
