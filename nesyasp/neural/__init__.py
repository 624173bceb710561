"""The neural adapter: sparse-filter CNN training, binarized filter facts and the NeSy model.

Train a CNN with the class-specific sparsity loss (strategies TS1-TS5) or
Elite BackProp (NE), binarize its last-layer filters, learn a rule set with
FOLD-SE-M, and evaluate the NeSy model (CNN features + rules) as the paper does.
This package imports torch.

>>> from nesyasp.neural import TrainConfig, strategy
>>> TrainConfig(strategy=strategy("ts3")).strategy.p_method
2
"""

from nesyasp.neural.binarize import FilterTable, binarize, norm_table
from nesyasp.neural.config import STRATEGIES, StrategyConfig, TrainConfig, strategy
from nesyasp.neural.data import Split, load_splits, split_from_imageset
from nesyasp.neural.ebp import EBPLoss, ebp_p_matrix, ebp_penalty
from nesyasp.neural.extract import Extraction, extract, filter_tables, learn_rules
from nesyasp.neural.models import FeatureModel, SmallCNN, build_model, load_weights
from nesyasp.neural.explain import ImageExplanation, LiteralMap
from nesyasp.neural.nesy import NesyMetrics, nesy_metrics, predict_classes, rule_set_size
from nesyasp.neural.nesymodel import NesyModel
from nesyasp.neural.run import Run, load_run
from nesyasp.neural.sparsity import (SparsityLoss, filter_norms, p_matrix_method1, p_matrix_method2,
                                     sparsity_loss, thresholds)
from nesyasp.neural.train import TrainResult, compute_statistics, train

__all__ = [
    "FilterTable", "binarize", "norm_table",
    "STRATEGIES", "StrategyConfig", "TrainConfig", "strategy",
    "Split", "load_splits", "split_from_imageset",
    "EBPLoss", "ebp_p_matrix", "ebp_penalty",
    "Extraction", "extract", "filter_tables", "learn_rules",
    "FeatureModel", "SmallCNN", "build_model", "load_weights",
    "ImageExplanation", "LiteralMap",
    "NesyMetrics", "NesyModel", "nesy_metrics", "predict_classes", "rule_set_size",
    "Run", "load_run",
    "SparsityLoss", "filter_norms", "p_matrix_method1", "p_matrix_method2", "sparsity_loss", "thresholds",
    "TrainResult", "compute_statistics", "train",
]
