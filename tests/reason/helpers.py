"""Helpers for the reasoner tests: every atom of a model and some false ones, each justified and checked."""

from __future__ import annotations

import itertools

import clingo

from nesyasp.reason import Reasoner, check_justification
from nesyasp.reason.translate import DOMAIN_PREDICATE


def false_neighbours(model_atoms: list[clingo.Symbol], limit: int = 40) -> list[clingo.Symbol]:
    """Ground atoms not in the model, made by swapping one argument of a true atom for another constant."""
    true = set(model_atoms)
    universe = sorted({a for atom in model_atoms for a in atom.arguments})
    out = []
    for atom in model_atoms:
        for k, value in itertools.product(range(len(atom.arguments)), universe[:6]):
            args = list(atom.arguments)
            args[k] = value
            candidate = clingo.Function(atom.name, args)
            if candidate not in true and candidate not in out:
                out.append(candidate)
        if len(out) >= limit:
            break
    return out[:limit]


def check_all(reasoner: Reasoner, limit: int = 200) -> int:
    """Justify every true atom and some false ones; assert each tree checks. Returns how many were checked."""
    model = reasoner.model()
    atoms = [a for a in model.atoms() if a.name != DOMAIN_PREDICATE][:limit]
    justifier = reasoner.justifier()
    count = 0
    for atom in atoms + false_neighbours(atoms):
        node = justifier.explain(atom)
        assert node.holds == model.holds(atom), atom
        problems = check_justification(node, model)
        assert problems == [], (str(atom), problems)
        count += 1
    return count
