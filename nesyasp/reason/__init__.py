"""The reasoner: clingo-backed queries and justification trees over stratified programs.

A :class:`Reasoner` grounds a program once over facts from ``.lp`` files,
dicts, tuples or boolean tables, answers queries such as ``target(img,X)``
(or ``target(X,C)`` over 100,000 examples, as one table), and explains every
answer and non-answer with a well-founded justification tree. Per-example,
non-recursive programs (every learned rule set) also run on a compiled numpy
path that gives exactly clingo's answers. Importing this package does not
import torch.

Examples
--------
>>> from nesyasp.reason import Reasoner, render_text
>>> r = Reasoner('''
... target(X,bedroom) :- f295(X).
... target(X,bathroom) :- not f398(X), not ab1(X).
... ab1(X) :- not f145(X), not f134(X).''', {"f145": ["img"]})
>>> r.query("target(img,X)").atoms()
['target(img,bathroom)']
>>> print(render_text(r.explain("target(img,bathroom)")))
'target' holds (for img, and bathroom), because
   there is no evidence that 'f398' holds (for img) (not among the facts), and
   there is no evidence that 'ab1' holds (for img), because
      'f145' holds (for img).
"""

from __future__ import annotations

from nesyasp.reason.answers import Answers
from nesyasp.reason.check import check_justification
from nesyasp.reason.compiled import CompiledProgram, compile_program, not_compilable, not_separable
from nesyasp.reason.facts import FactBase, TableFacts, predicate_name
from nesyasp.reason.justify import Justifier, justify
from nesyasp.reason.model import Model, SetModel, TableModel
from nesyasp.reason.node import BECAUSE, Node, node_to_dict, walk
from nesyasp.reason.reasoner import ENGINES, Reasoner, load_program
from nesyasp.reason.render import (answers_json, phrase, render_json, render_model, render_text, to_dot,
                                   to_dot_many, to_networkx)
from nesyasp.reason.solve import solve
from nesyasp.reason.translate import DOMAIN_PREDICATE, Translation, scale_comparison, translate
from nesyasp.reason.unfold import Document
from nesyasp.reason.explain import Explained
from nesyasp.reason.unsat import Violation
from nesyasp.reason.factfile import FactFile

__all__ = [
    "Reasoner", "Answers", "load_program", "ENGINES",
    "Node", "BECAUSE", "Justifier", "justify", "check_justification", "walk", "node_to_dict",
    "render_text", "render_model", "render_json", "answers_json", "to_networkx", "to_dot", "to_dot_many", "phrase",
    "Document", "Explained", "Violation", "FactFile",
    "Model", "SetModel", "TableModel", "FactBase", "TableFacts", "predicate_name",
    "CompiledProgram", "compile_program", "not_compilable", "not_separable",
    "Translation", "translate", "scale_comparison", "DOMAIN_PREDICATE", "solve",
]
