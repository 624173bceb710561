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

from nesyasp.errors import expect_type
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

    def estimate(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> int:
        """About how many atoms :meth:`lookup` goes through (to order a rule body's literals)."""
        return len(self.lookup(name, arity, bound))

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
    """A model given by the atoms clingo returned (plus table cells it was not asked about).

    Reading millions of atoms is the expensive part, so little is done per atom:
    clingo returns a model's atoms grouped by predicate, and the groups are
    found by galloping over the list (a predicate's name is read at the group
    boundaries, checked every :data:`STRIDE` atoms). Sets and indexes on an
    argument are built per predicate, when a lookup first needs them.
    """

    #: Within a group, one atom in this many is checked to belong to it.
    STRIDE = 16
    #: Groups up to this size are sorted (clingo's order of symbols); larger ones keep clingo's output order.
    SORTED = 5000

    def __init__(self, atoms: Iterable[clingo.Symbol], facts: FactBase, translation: Translation,
                 encoding: Encoding | None = None):
        self.facts = facts
        self.translation = translation
        self.encoding = encoding if encoding is not None else translation.encoding
        self._list = atoms if isinstance(atoms, list) else list(atoms)
        self._set: set[clingo.Symbol] | None = None
        self._groups: dict[tuple[str, int], list[clingo.Symbol]] | None = None
        self._by_position: dict[tuple[str, int, int], dict[clingo.Symbol, list[clingo.Symbol]]] = {}

    @property
    def _by_signature(self) -> dict[tuple[str, int], list[clingo.Symbol]]:
        if self._groups is None:
            self._groups = _group(self._list, self.STRIDE, self.SORTED)
        return self._groups

    @property
    def _atoms(self) -> set[clingo.Symbol]:
        if self._set is None:
            self._set = {a for sig, group in self._by_signature.items() for a in group}
        return self._set

    def _signature_atoms(self, signature: tuple[str, int]) -> list[clingo.Symbol]:
        return self._by_signature.get(signature, [])

    def remove(self, signatures: Iterable[tuple[str, int]]) -> list[clingo.Symbol]:
        """Take the atoms of ``signatures`` out of the model (bookkeeping atoms); return them."""
        out: list[clingo.Symbol] = []
        for signature in signatures:
            out.extend(self._by_signature.pop(signature, ()))
        if out:
            self._set = None
        return out

    def estimate(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> int:
        """About how many atoms :meth:`lookup` goes through (exact where an index exists or the predicate is small)."""
        group = self._signature_atoms((name, arity))
        if arity == 1 and self.facts.tables:
            return len(super().lookup(name, arity, bound))
        if not bound or not group:
            return len(group)
        if len(group) <= self.SORTED or any((name, arity, i) in self._by_position for i, _ in bound):
            return len(self.lookup(name, arity, bound))
        return len(group)

    def lookup(self, name: str, arity: int, bound: tuple[tuple[int, clingo.Symbol], ...]) -> list[clingo.Symbol]:
        if arity == 1 and self.facts.tables:
            return super().lookup(name, arity, bound)
        group = self._signature_atoms((name, arity))
        if not bound:
            return group
        if len(bound) == arity:
            atom = clingo.Function(name, [v for _, v in sorted(bound)])
            return [atom] if atom in self._atoms else []
        indexed = [(i, v) for i, v in bound if (name, arity, i) in self._by_position] or [bound[0]]
        best: list[clingo.Symbol] | None = None
        for i, value in indexed:  # existing indexes, or one new one
            index = self._by_position.get((name, arity, i))
            if index is None:
                index = self._by_position[(name, arity, i)] = {}
                for atom in group:
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
            found = list(self._signature_atoms((name, arity)))
        else:
            found = list(self.lookup(name, arity, ((0, first),)) if not (arity == 1 and self.facts.tables)
                         else [a for a in self._signature_atoms((name, arity)) if a.arguments[0] == first])
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

    def _seen(self) -> set[clingo.Symbol]:
        return self._atoms

    def atoms(self) -> Iterator[clingo.Symbol]:
        groups = self._by_signature
        seen = self._seen()
        for signature in sorted(groups):
            yield from groups[signature]
        for table in self.facts.tables:
            for j, name in enumerate(table.columns):
                for r in np.flatnonzero(table.values[:, j]).tolist():
                    atom = clingo.Function(name, [text_symbol(table.texts[r])])
                    if atom not in seen:
                        yield atom


def _name(atom: clingo.Symbol) -> tuple[str, int]:
    return atom.name, len(atom.arguments)


def _group(atoms: list[clingo.Symbol], stride: int, small: int) -> dict[tuple[str, int], list[clingo.Symbol]]:
    """Atoms by signature, ``_row`` table atoms left out. Runs of one signature are found by galloping."""
    out: dict[tuple[str, int], list[clingo.Symbol]] = {}
    i, n = 0, len(atoms)
    while i < n:
        sig = _name(atoms[i])
        step, j = 1, i + 1
        while j < n and atoms[j].match(*sig):  # gallop: the run goes at least to j
            step *= 2
            j = i + step
        lo, hi = i + step // 2, min(j, n)  # the run ends in (lo, hi]
        while lo + 1 < hi:
            mid = (lo + hi) // 2
            if atoms[mid].match(*sig):
                lo = mid
            else:
                hi = mid
        end = _checked(atoms, i, hi, sig, stride)
        if not sig[0].startswith("_row"):
            out.setdefault(sig, []).extend(atoms[i:end])
        i = end
    for sig, group in out.items():
        if len(group) <= small:
            group.sort()
    return out


def _checked(atoms: list[clingo.Symbol], start: int, end: int, sig: tuple[str, int], stride: int) -> int:
    """``end``, or the first position before it (checked every ``stride`` atoms) that is not of ``sig``."""
    for k in range(start + stride, end, stride):
        if not atoms[k].match(*sig):
            return next(m for m in range(k - stride + 1, k + 1) if not atoms[m].match(*sig))
    return end


class TableModel(Model):
    """A model of a per-example program as boolean arrays over the examples.

    ``ids`` are the examples' clingo texts; ``arrays[(name, rest)][i]`` is the truth of
    ``name(ids[i], *rest)``.
    """

    def __init__(self, arrays: dict[Key, np.ndarray], ids: list[str], facts: FactBase, translation: Translation):
        expect_type(arrays, dict, "the arrays (a dict from (name, rest) to a boolean array)")
        expect_type(ids, (list, tuple), "the examples' ids (a list of str)")
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
