"""A model that stays in clingo after grounding: atoms looked up one at a time, predicates read when needed."""

from __future__ import annotations

from typing import Iterable

import clingo

from nesyasp.reason.decimals import Encoding
from nesyasp.reason.facts import FactBase
from nesyasp.reason.model import Model, SetModel
from nesyasp.reason.translate import Translation

__all__ = ["ClingoModel"]


class ClingoModel(SetModel):
    """A model left in clingo after grounding: atoms are looked up there, a predicate's atoms are read into
    Python only when a lookup enumerates them (a chain of 2,000 edges has two million ``reach`` atoms, and
    explaining one of them reads none).

    Needs a control in which every atom is a fact (:func:`nesyasp.reason.solve.ground`).
    """

    def __init__(self, control: clingo.Control, facts: FactBase, translation: Translation,
                 encoding: Encoding | None = None):
        super().__init__([], facts, translation, encoding)
        self._control = control
        self._atoms_of = control.symbolic_atoms
        self._loaded: dict[tuple[str, int], list[clingo.Symbol]] = {}
        self._big: set[tuple[str, int]] = set()
        self._removed: set[str] = set()

    @property
    def _by_signature(self) -> dict[tuple[str, int], list[clingo.Symbol]]:
        for name, arity, positive in self._atoms_of.signatures:
            if positive and not name.startswith("_row") and name not in self._removed:
                self._group_of((name, arity))
        return self._loaded

    def _group_of(self, signature: tuple[str, int], cap: int | None = None) -> list[clingo.Symbol] | None:
        found = self._loaded.get(signature)
        if found is not None:
            return found
        if signature[0] in self._removed:
            return []
        out = []
        for atom in self._atoms_of.by_signature(*signature):
            if cap is not None and len(out) >= cap:
                self._big.add(signature)
                return None
            if atom.is_fact:
                out.append(atom.symbol)
        if len(out) <= self.SORTED:
            out.sort()
        self._loaded[signature] = out
        return out

    def _signature_atoms(self, signature: tuple[str, int]) -> list[clingo.Symbol]:
        return self._group_of(signature) or []

    @property
    def _atoms(self) -> set[clingo.Symbol]:
        raise AttributeError("a ClingoModel looks atoms up in clingo")

    def holds(self, atom: clingo.Symbol) -> bool:
        found = self._atoms_of[atom]
        if found is not None and found.is_fact and atom.name not in self._removed:
            return True
        return self.facts.contains(atom)

    def remove(self, signatures: Iterable[tuple[str, int]]) -> list[clingo.Symbol]:
        signatures = list(signatures)
        out: list[clingo.Symbol] = []
        for signature in signatures:
            out.extend(self._group_of(signature) or ())
        for signature in signatures:
            self._removed.add(signature[0])
            self._loaded.pop(signature, None)
        return out

    def estimate(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> int:
        signature = (name, arity)
        if arity == 1 and self.facts.tables:
            return len(Model.lookup(self, name, arity, bound))
        if signature not in self._loaded and (signature in self._big or
                                              self._group_of(signature, self.SORTED) is None):
            return 10 ** 9 - sum(1 for _ in bound)  # large; more bound arguments, fewer atoms
        return super().estimate(name, arity, bound)

    def lookup(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> list[clingo.Symbol]:
        if len(bound) == arity and not (arity == 1 and self.facts.tables):
            atom = clingo.Function(name, [v for _, v in sorted(bound)])
            return [atom] if self.holds(atom) else []
        if (name, arity) not in self._loaded and not (arity == 1 and self.facts.tables):
            self._group_of((name, arity))
        return super().lookup(name, arity, bound)

    def has_any(self, name: str, arity: int) -> bool:
        if (name, arity) in self._loaded:
            return bool(self._loaded[(name, arity)])
        return any(a.is_fact for a in self._atoms_of.by_signature(name, arity)) or \
            arity == 1 and any(name in t.column_index and t.values[:, t.column_index[name]].any()
                               for t in self.facts.tables)

    def _seen(self) -> set[clingo.Symbol]:
        return {a for group in self._by_signature.values() for a in group}
