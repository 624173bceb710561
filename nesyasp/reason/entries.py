"""The justification graph's records: one :class:`Entry` per literal, one :class:`Edge` per body literal."""

from __future__ import annotations

from dataclasses import dataclass, field

import clingo

__all__ = ["Entry", "Edge", "Key", "Binding"]

Binding = dict[str, clingo.Symbol]
Key = object


@dataclass(slots=True)
class Edge:
    """A body literal of an entry's rule instance: a child in the tree.

    ``kind`` is ``"atom"`` (a positive literal; ``target`` its entry),
    ``"not"`` (a negated literal; ``target`` the entry of its atom) or ``"cmp"``
    (a comparison, a leaf). ``rule`` and ``index`` locate the literal in the
    program (a rule index past the program's rules: a query's literals, registered
    with :meth:`~nesyasp.reason.justify.Justifier.add_rule`).
    """

    kind: str
    rule: int
    index: int
    binding: Binding
    target: Key | None = None
    holds: bool = True
    holding: tuple[int, ...] = ()
    note: str = ""


@dataclass(slots=True)
class Entry:
    """One literal's justification: ``because`` is fact, rule, no_rule or all_rules_fail."""

    key: Key
    holds: bool
    because: str
    atom: clingo.Symbol | None = None
    rule: int = -1
    binding: Binding = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    note: str = ""
    exceptions: tuple[clingo.Symbol, ...] = ()


