"""Rule learning from tables: the FOLD-SE-M learner, emitting stratified ASP.

>>> from nesyasp.learn import FoldSEM
>>> est = FoldSEM(min_gain=1, feature_names=["f295", "f12"]).fit([[1, 0], [1, 1], [0, 0], [0, 1]] * 3,
...                                                              ["bedroom", "kitchen", "kitchen", "kitchen"] * 3)
>>> est.predict([[1, 0], [1, 1]]).tolist()
['bedroom', 'kitchen']
"""

from nesyasp.learn.asp import clingo_predict, clingo_rules, example_facts, example_reasoner, reasoner_program
from nesyasp.learn.emit import to_program
from nesyasp.learn.foldsem import Explanation, FitDataError, FoldNotFittedError, FoldSEM
from nesyasp.learn.table import Table, read_csv, split_target

__all__ = ["FoldSEM", "Explanation", "FitDataError", "FoldNotFittedError", "Table", "read_csv", "split_target",
           "to_program", "clingo_rules", "example_facts", "clingo_predict", "reasoner_program", "example_reasoner"]
