"""The rule language: parser, immutable AST, canonical printer and static checks.

A program is a stratified normal logic program in clingo syntax; FOLD-SE-M /
NeSyFOLD raw output is accepted and normalized. Importing this package is
cheap: the grammar is compiled on first use and nothing imports torch.

Examples
--------
>>> from nesyasp.lang import parse_program, check_program
>>> program = parse_program("target(X,'bedroom') :- bed(X), not ab1(X).  bed(img1).")
>>> print(program)
target(X,bedroom) :- bed(X), not ab1(X).
bed(img1).
<BLANKLINE>
>>> [d.message.split(" is")[0] for d in check_program(program)]
['predicate ab1/1']
"""

from __future__ import annotations

from nesyasp.lang.ast import (COMPARISON_OPERATORS, NEGATED_COMPARISON, Atom, BinaryOperation, Comment,
                              Comparison, Constant, Function, Include, Integer, Literal, Pred, Program,
                              Real, Rule, Show, Statement, String, Term, UnaryOperation, Unsupported,
                              Variable, is_identifier, term_variables)
from nesyasp.lang.checks import check_program, dependency_graph, diagnose, negative_cycles, unsafe_variables
from nesyasp.lang.domain import DOMAIN_PREDICATE, add_domain_guard, add_domain_guards, needs_domain_guard
from nesyasp.errors import (NO_LOCATION, DataError, Diagnostic, Location, NesyaspError, NotFittedError,
                                 ParseError, Position, ReasoningError, SafetyError, StratificationError,
                                 UnsupportedConstructError, format_location, source_context)
from nesyasp.lang.parser import parse_atom, parse_file, parse_program, parse_query, resolve_includes
from nesyasp.lang._recover import Recovered, parse_program_recovering
from nesyasp.lang.files import read_program_text

__all__ = [
    # parsing and checking
    "parse_program", "parse_file", "parse_query", "parse_atom", "resolve_includes", "read_program_text",
    "parse_program_recovering", "Recovered",
    "check_program", "diagnose", "unsafe_variables", "dependency_graph", "negative_cycles",
    "DOMAIN_PREDICATE", "add_domain_guard", "add_domain_guards", "needs_domain_guard",
    # AST
    "Variable", "Constant", "Integer", "Real", "String", "Function", "BinaryOperation",
    "UnaryOperation", "Term", "Atom", "Comparison", "Literal", "Unsupported", "Rule", "Show", "Pred",
    "Include", "Comment", "Statement", "Program", "COMPARISON_OPERATORS", "NEGATED_COMPARISON",
    "term_variables", "is_identifier",
    # errors
    "Position", "Location", "NO_LOCATION", "Diagnostic", "NesyaspError", "ParseError",
    "UnsupportedConstructError", "SafetyError", "StratificationError", "ReasoningError", "DataError",
    "NotFittedError", "format_location", "source_context",
]
