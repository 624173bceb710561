"""The unique model of a stratified program over facts, as the justifier reads it.

Two implementations share one small interface (:class:`Model`):

* :class:`SetModel`, the atoms clingo derived, indexed by signature and first argument;
* :class:`TableModel`, the compiled path's boolean arrays: one array over the
  examples per "key" ``(predicate, other arguments)``, so ``target(img7,bathroom)``
  is the entry of ``img7`` in the array of ``("target", (bathroom,))``.

Both answer ``holds``, enumerate the true atoms of a signature (optionally with a
given first argument) and say which atoms are facts.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import clingo
import numpy as np

from nesyasp.reason.decimals import Encoding
from nesyasp.reason.facts import FactBase, text_symbol
from nesyasp.reason.translate import DOMAIN_PREDICATE, Translation

__all__ = ["Model", "SetModel", "TableModel", "Key"]

Key = tuple[str, tuple[clingo.Symbol, ...]]


class Model:
    """What a justification needs from a model (abstract)."""

    facts: FactBase
    translation: Translation
    #: How decimals are scaled in this model's atoms (atoms are held as clingo holds them).
    encoding: Encoding | None = None

    def holds(self, atom: clingo.Symbol) -> bool:
        """True when the ground atom is in the model."""
        raise NotImplementedError

    def candidates(self, name: str, arity: int, first: clingo.Symbol | None = None) -> Iterable[clingo.Symbol]:
        """The true atoms of ``name/arity`` (with first argument ``first`` when given)."""
        raise NotImplementedError

    def has_any(self, name: str, arity: int) -> bool:
        """True when some atom of ``name/arity`` holds."""
        return any(True for _ in self.candidates(name, arity))

    def is_fact(self, atom: clingo.Symbol) -> bool:
        """True when ``atom`` (as the model holds it) is a given fact (program fact, fact file, dict, table or
        example)."""
        if self.encoding is not None and not self.encoding.trivial:
            atom = self.encoding.decode_atom(atom)
        return self.facts.contains(atom)

    def lookup(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> list[clingo.Symbol]:
        """The true atoms of ``name/arity`` whose argument ``i`` is ``value`` for every ``(i, value)`` in ``bound``."""
        first = next((v for i, v in bound if i == 0), None)
        out = []
        for atom in self.candidates(name, arity, first):
            args = atom.arguments
            if all(args[i] == v for i, v in bound):
                out.append(atom)
        return out

    def encode(self, atom: clingo.Symbol) -> clingo.Symbol:
        """A shown atom (decimals as written) as this model holds it."""
        if self.encoding is None or self.encoding.trivial:
            return atom
        return self.encoding.encode_atom(atom)

    def decode(self, atom: clingo.Symbol) -> clingo.Symbol:
        """An atom of this model as shown (decimals as written)."""
        if self.encoding is None or self.encoding.trivial:
            return atom
        return self.encoding.decode_atom(atom)

    def atoms(self) -> Iterator[clingo.Symbol]:
        """Every true atom (internal ``_row`` atoms excluded); can be large."""
        raise NotImplementedError


class SetModel(Model):
    """A model given by the atoms clingo returned (plus table cells it was not asked about)."""

    def __init__(self, atoms: Iterable[clingo.Symbol], facts: FactBase, translation: Translation,
                 encoding: Encoding | None = None):
        self.facts = facts
        self.translation = translation
        self.encoding = encoding if encoding is not None else translation.encoding
        self._atoms = {a for a in atoms if not a.name.startswith("_row")}
        self._by_signature: dict[tuple[str, int], list[clingo.Symbol]] = {}
        self._by_first: dict[tuple[str, int, clingo.Symbol], list[clingo.Symbol]] = {}
        self._by_position: dict[tuple[str, int, int], dict[clingo.Symbol, list[clingo.Symbol]]] = {}
        for atom in sorted(self._atoms):
            sig = (atom.name, len(atom.arguments))
            self._by_signature.setdefault(sig, []).append(atom)
            if atom.arguments:
                self._by_first.setdefault(sig + (atom.arguments[0],), []).append(atom)

    def lookup(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> list[clingo.Symbol]:
        if arity == 1 and self.facts.tables:
            return super().lookup(name, arity, bound)
        if not bound:
            return self._by_signature.get((name, arity), [])
        best: list[clingo.Symbol] | None = None
        for i, value in bound:
            index = self._by_position.get((name, arity, i))
            if index is None:
                index = self._by_position[(name, arity, i)] = {}
                for atom in self._by_signature.get((name, arity), ()):
                    index.setdefault(atom.arguments[i], []).append(atom)
            found = index.get(value, [])
            if best is None or len(found) < len(best):
                best = found
            if not best:
                return []
        if len(bound) == 1:
            return best  # type: ignore[return-value]
        return [a for a in best if all(a.arguments[i] == v for i, v in bound)]  # type: ignore[union-attr]

    def holds(self, atom: clingo.Symbol) -> bool:
        return atom in self._atoms or self.facts.contains(atom)

    def candidates(self, name: str, arity: int, first: clingo.Symbol | None = None) -> Iterable[clingo.Symbol]:
        if first is None:
            found = list(self._by_signature.get((name, arity), ()))
        else:
            found = list(self._by_first.get((name, arity, first), ()))
        if arity == 1 and self.facts.tables:
            seen = set(found)
            for table in self.facts.tables:
                col = table.column_index.get(name)
                if col is None:
                    continue
                if first is not None:
                    row = table.row(first)
                    if row is not None and table.values[row, col] and clingo.Function(name, [first]) not in seen:
                        found.append(clingo.Function(name, [first]))
                    continue
                for r in np.flatnonzero(table.values[:, col]).tolist():
                    atom = clingo.Function(name, [text_symbol(table.texts[r])])
                    if atom not in seen:
                        found.append(atom)
        return found

    def has_any(self, name: str, arity: int) -> bool:
        if (name, arity) in self._by_signature:
            return True
        return arity == 1 and any(name in t.column_index and t.values[:, t.column_index[name]].any()
                                  for t in self.facts.tables)

    def atoms(self) -> Iterator[clingo.Symbol]:
        seen = set(self._atoms)
        for signature in sorted(self._by_signature):
            yield from self._by_signature[signature]
        for table in self.facts.tables:
            for j, name in enumerate(table.columns):
                for r in np.flatnonzero(table.values[:, j]).tolist():
                    atom = clingo.Function(name, [text_symbol(table.texts[r])])
                    if atom not in seen:
                        yield atom


class TableModel(Model):
    """A model of a per-example program as boolean arrays over the examples.

    ``ids`` are the examples' clingo texts; ``arrays[(name, rest)][i]`` is the truth of
    ``name(ids[i], *rest)``.
    """

    def __init__(self, arrays: dict[Key, np.ndarray], ids: list[str], facts: FactBase, translation: Translation):
        self.facts = facts
        self.translation = translation
        self.encoding = None
        self.arrays = arrays
        self.ids = ids
        self.index = {e: i for i, e in enumerate(ids)}
        self._symbols: dict[int, clingo.Symbol] = {}
        self._keys_by_signature: dict[tuple[str, int], list[Key]] = {}
        for key in sorted(arrays):
            self._keys_by_signature.setdefault((key[0], len(key[1]) + 1), []).append(key)

    def symbol(self, row: int) -> clingo.Symbol:
        """The symbol of example ``row``."""
        symbol = self._symbols.get(row)
        if symbol is None:
            symbol = self._symbols[row] = text_symbol(self.ids[row])
        return symbol

    def holds(self, atom: clingo.Symbol) -> bool:
        args = atom.arguments
        if not args:
            return False
        row = self.index.get(str(args[0]))
        if row is None:
            return False
        if atom.name == DOMAIN_PREDICATE and len(args) == 1:
            return True
        array = self.arrays.get((atom.name, tuple(args[1:])))
        return array is not None and bool(array[row])

    def candidates(self, name: str, arity: int, first: clingo.Symbol | None = None) -> Iterable[clingo.Symbol]:
        given = None if first is None else self.index.get(str(first), -1)
        if name == DOMAIN_PREDICATE and arity == 1:
            rows = range(len(self.ids)) if given is None else [given] if given >= 0 else []
            return [clingo.Function(name, [self.symbol(r)]) for r in rows]
        out = []
        for key in self._keys_by_signature.get((name, arity), ()):
            array = self.arrays[key]
            if given is not None:
                if given >= 0 and array[given]:
                    out.append(clingo.Function(name, [self.symbol(given), *key[1]]))
            else:
                out.extend(clingo.Function(name, [self.symbol(r), *key[1]]) for r in np.flatnonzero(array).tolist())
        return out

    def has_any(self, name: str, arity: int) -> bool:
        if name == DOMAIN_PREDICATE and arity == 1:
            return bool(self.ids)
        return any(self.arrays[k].any() for k in self._keys_by_signature.get((name, arity), ()))

    def atoms(self) -> Iterator[clingo.Symbol]:
        for r in range(len(self.ids)):
            yield clingo.Function(DOMAIN_PREDICATE, [self.symbol(r)])
        for (name, rest), array in sorted(self.arrays.items()):
            for r in np.flatnonzero(array).tolist():
                yield clingo.Function(name, [self.symbol(r), *rest])
