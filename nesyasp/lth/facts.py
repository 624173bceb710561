"""Concept facts of an LTH experiment, built as AST nodes for the reasoner.

One program per experiment holds, for every round ``R``:

* ``round(R,Pct).``: remaining prunable weights, integer percent;
* ``accuracy(R,Acc).``: test accuracy, integer percent;
* ``tcav(R,Class,Concept,Score).``: TCAV score, integer percent;
* ``significant(R,Class,Concept).``: the score differs from random concepts;

and, from the data set, ``relevant(Class,Concept).`` for the concepts that
belong to a class. Optional settings for ``programs/lth.lp`` are written as
``min_score_setting(S).`` and ``tolerance_setting(T).``.

Examples
--------
>>> prog = build_facts([RoundFacts(0, 1.0, 0.97, ())], relevant={"even": ("zero",)})
>>> print(prog, end="")
% nesyasp lth: concept facts per pruning round
round(0,100).
accuracy(0,97).
relevant(even,zero).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nesyasp.errors import DataError, expect_path, expect_type
from nesyasp.lang.ast import Atom, Comment, Constant, Integer, Program, Rule, Statement, Term, is_identifier

__all__ = ["ConceptScore", "RoundFacts", "build_facts", "write_facts", "symbol", "check_names"]


@dataclass(frozen=True, slots=True)
class ConceptScore:
    """One TCAV result as the facts need it."""

    class_name: str
    concept: str
    score: float
    significant: bool


@dataclass(frozen=True, slots=True)
class RoundFacts:
    """What one pruning round contributes: density and accuracy as fractions, and its concept scores."""

    round: int
    density: float
    accuracy: float
    scores: tuple[ConceptScore, ...]


def symbol(name: str) -> Constant:
    """A clingo constant for a class or concept name (lower-cased, other characters become ``_``).

    >>> str(symbol("Living Room")), str(symbol("3d"))
    ('living_room', 'c_3d')
    """
    text = re.sub(r"[^a-z0-9_]", "_", name.strip().lower())
    if not is_identifier(text):
        text = f"c_{text}"
    return Constant(text)


class _Symbols:
    """:func:`symbol` of each name of one kind (classes, concepts); two names on one constant are an error."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.names: dict[str, str] = {}

    def __call__(self, name: str) -> Constant:
        const = symbol(name)
        first = self.names.setdefault(const.name, name)
        if first != name:
            raise DataError(f"the {self.kind} {first!r} and {name!r} both become the constant {const.name} in the "
                            f"facts, which would mix their scores; rename one of them")
        return const


def check_names(class_names: Sequence[str], concept_names: Sequence[str]) -> None:
    """Raise :class:`DataError` now, before any training, when two names would share a constant in the facts."""
    classes, concepts = _Symbols("classes"), _Symbols("concepts")
    for name in class_names:
        classes(name)
    for name in concept_names:
        concepts(name)


def _pct(x: float) -> Integer:
    return Integer(int(round(100 * x)))


def _fact(predicate: str, *args: Term) -> Rule:
    return Rule(Atom(predicate, tuple(args)))


def build_facts(rounds: Sequence[RoundFacts], relevant: Mapping[str, Sequence[str]] | None = None,
                min_score: int | None = None, tolerance: int | None = None) -> Program:
    """The facts program of an experiment.

    Parameters
    ----------
    rounds:
        Per-round results, in any order (printed sorted by round).
    relevant:
        Class name -> the concepts that belong to it (from the data set).
    min_score, tolerance:
        Settings for ``programs/lth.lp`` (percent / accuracy points); omitted when ``None``.

    Raises
    ------
    DataError
        When two class names, or two concept names, become the same constant
        (``Living Room`` and ``living-room``).
    """
    stmts: list[Statement] = [Comment(" nesyasp lth: concept facts per pruning round")]
    if min_score is not None:
        stmts.append(_fact("min_score_setting", Integer(int(min_score))))
    if tolerance is not None:
        stmts.append(_fact("tolerance_setting", Integer(int(tolerance))))
    class_symbol, concept_symbol = _Symbols("classes"), _Symbols("concepts")
    for rf in sorted(rounds, key=lambda r: r.round):
        r = Integer(rf.round)
        stmts.append(_fact("round", r, _pct(rf.density)))
        stmts.append(_fact("accuracy", r, _pct(rf.accuracy)))
        for s in rf.scores:
            cls, con = class_symbol(s.class_name), concept_symbol(s.concept)
            stmts.append(_fact("tcav", r, cls, con, _pct(s.score)))
            if s.significant:
                stmts.append(_fact("significant", r, cls, con))
    for cls, concepts in (relevant or {}).items():
        for con in concepts:
            stmts.append(_fact("relevant", class_symbol(cls), concept_symbol(con)))
    return Program(tuple(stmts))


def write_facts(path: str | Path, program: Program) -> Path:
    """Write ``program`` as text to ``path`` (atomically: a temporary file, then a rename).

    Parameters
    ----------
    path:
        The facts file to write (its folder must exist).
    program:
        The facts, as :func:`build_facts` gives them.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    DataError
        When the file cannot be written (a missing folder, no permission, a path that is a folder).
    """
    path = expect_path(path, "a facts file path")
    expect_type(program, Program, "a Program (build_facts gives one)")
    tmp = path.with_name(path.name + ".tmp") if path.name else path
    try:
        tmp.write_text(str(program), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        if tmp != path and tmp.is_file():  # written, not renamed: leave no temporary file
            tmp.unlink()
        raise DataError(f"{path}: cannot write the facts file ({exc.strerror or exc})") from None
    return path
