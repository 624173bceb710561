"""Semantic labelling: rule sets in concept words, pictures of what filters see, the HTML report.

The core (:mod:`~nesyasp.label.scores`, :mod:`~nesyasp.label.naming`,
:mod:`~nesyasp.label.transform`, :mod:`~nesyasp.label.accuracy`) needs numpy
only; pictures (:mod:`~nesyasp.label.pictures`) need matplotlib, imported on
use; the report (:mod:`~nesyasp.label.report`, :mod:`~nesyasp.label.runreport`)
needs the reasoner. Labelling a training run (:mod:`nesyasp.label.run`) needs
torch through :mod:`nesyasp.neural` and is not imported here.

>>> from nesyasp.label import FilterConcepts, name_filters
>>> name_filters([FilterConcepts(38, ("wall", "cabinet")), FilterConcepts(209, ("wall",))])
{38: 'wall1_cabinet1', 209: 'wall2'}
"""

from __future__ import annotations

from nesyasp.label.accuracy import AccuracyRow, LabelAccuracy, label_accuracy
from nesyasp.label.files import SavedLabels, read_labels, relabel_facts
from nesyasp.label.naming import concept_phrase, fallback_name, name_filters, sanitize_concept
from nesyasp.label.report import LabelRow, ReportContent, render_report, write_report
from nesyasp.label.runreport import run_report, write_run_report
from nesyasp.label.scores import (SCORES, FilterConcepts, LabelConfig, concept_overlap, filter_norms,
                                  image_concept_scores, label_filters, select_concepts, upsample)
from nesyasp.label.transform import (LabelledProgram, class_top_filters, filter_index, filter_predicate,
                                     filter_uses, image_facts, label_program, pred_text, rule_filters)

__all__ = [
    "LabelConfig",
    "FilterConcepts",
    "LabelledProgram",
    "label_filters",
    "filter_norms",
    "image_concept_scores",
    "concept_overlap",
    "SCORES",
    "select_concepts",
    "upsample",
    "name_filters",
    "sanitize_concept",
    "fallback_name",
    "concept_phrase",
    "label_program",
    "image_facts",
    "relabel_facts",
    "rule_filters",
    "filter_index",
    "filter_predicate",
    "filter_uses",
    "class_top_filters",
    "pred_text",
    "SavedLabels",
    "read_labels",
    "LabelRow",
    "ReportContent",
    "render_report",
    "write_report",
    "run_report",
    "write_run_report",
    "AccuracyRow",
    "LabelAccuracy",
    "label_accuracy",
]
