"""Rule learning from tables: the FOLD-SE-M learner, emitting stratified ASP.

>>> from nesyasp.learn import FoldSEM
>>> est = FoldSEM(min_gain=1, feature_names=["f295", "f12"]).fit([[1, 0], [1, 1], [0, 0], [0, 1]] * 3,
...                                                              ["bedroom", "kitchen", "kitchen", "kitchen"] * 3)
>>> est.predict([[1, 0], [1, 1]]).tolist()
['bedroom', 'kitchen']
"""

from nesyasp.learn.asp import clingo_program, clingo_rules, code_values, cut_points, example_facts
from nesyasp.learn.asp_reason import clingo_predict, example_reasoner, reasoner_program
from nesyasp.learn.core import RuleStats
from nesyasp.learn.emit import to_program
from nesyasp.learn.encode import FitDataError
from nesyasp.learn.explain import Explanation
from nesyasp.learn.foldsem import FoldNotFittedError, FoldSEM
from nesyasp.learn.plain import PlainRules, plain_facts, plain_rules, read_plain
from nesyasp.learn.plain_predict import hand_facts, predict_facts
from nesyasp.learn.table import Column, Table, read_csv, split_target

__all__ = ["FoldSEM", "Explanation", "RuleStats", "FitDataError", "FoldNotFittedError", "Table", "Column", "read_csv",
           "split_target", "to_program", "clingo_rules", "clingo_program", "cut_points", "code_values",
           "example_facts", "clingo_predict", "reasoner_program", "example_reasoner", "plain_rules", "plain_facts",
           "PlainRules", "read_plain", "hand_facts", "predict_facts"]
