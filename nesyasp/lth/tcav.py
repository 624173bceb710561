"""TCAV (Kim et al.) with random-concept repeats and a significance test.

For a concept ``C`` and each random set ``R_i`` a linear classifier separates
the layer activations of ``C``'s images from those of ``R_i``; its unit normal
(pointing towards ``C``) is the concept activation vector ``v_i``. For inputs
of a class ``k``, the directional derivative of the class logit is
``S(x) = grad_a h_k(a(x)) . v_i`` and the TCAV score is the share of inputs
with ``S > 0``. The same is done for random-vs-random pairs; a two-sided
t-test of the concept's scores against the random ones gives a p-value,
Bonferroni-corrected over the concepts asked about. Everything stays in
memory.

Examples
--------
>>> import torch
>>> from torch import nn
>>> net = nn.Sequential(nn.Linear(2, 2, bias=False))
>>> with torch.no_grad():
...     _ = net[0].weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))
>>> gen = torch.Generator().manual_seed(0)
>>> concept = torch.randn(30, 2, generator=gen) + torch.tensor([4.0, 0.0])
>>> randoms = [torch.randn(30, 2, generator=gen) for _ in range(4)]
>>> res = TCAV(net, "0").interpret(torch.randn(20, 2, generator=gen), 0, {"right": concept}, randoms)
>>> res[0].score
1.0
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from torch import Tensor, nn

from nesyasp.errors import DataError
from nesyasp.lth.gradcam import get_layer, layer_activations

__all__ = ["TCAV", "TCAVScore", "CAV"]


@dataclass(frozen=True, slots=True)
class CAV:
    """A concept activation vector: unit normal of a concept-vs-random classifier."""

    concept: str
    random_index: int
    vector: Tensor
    accuracy: float


@dataclass(frozen=True, slots=True)
class TCAVScore:
    """The TCAV result for one class and one concept.

    Attributes
    ----------
    layer, target, concept:
        What was scored: layer name, class index, concept name.
    score:
        Mean TCAV score over the random repeats, in ``[0, 1]``.
    scores, random_scores:
        The concept's score per random set, and the random-vs-random scores.
    p_value:
        Two-sided t-test p-value, Bonferroni-corrected (capped at 1).
    significant:
        ``p_value < alpha``.
    cav_accuracy:
        Mean training accuracy of the concept's linear classifiers.
    """

    layer: str
    target: int
    concept: str
    score: float
    scores: tuple[float, ...]
    random_scores: tuple[float, ...]
    p_value: float
    significant: bool
    cav_accuracy: float


class TCAV:
    """Concept scores of one layer of a classifier.

    Parameters
    ----------
    model:
        The network; outputs are class logits ``(N, n_classes)``.
    layer:
        Name of the layer whose output is the concept space.
    alpha:
        Significance level after Bonferroni correction.
    seed:
        Seeds the linear classifiers.
    batch_size:
        Inputs per forward/backward pass.
    """

    def __init__(self, model: nn.Module, layer: str, *, alpha: float = 0.05, seed: int = 0,
                 batch_size: int = 128) -> None:
        self.model = model
        self.layer_name = layer
        self.layer = get_layer(model, layer)
        self.alpha = alpha
        self.seed = seed
        self.batch_size = batch_size

    # ------------------------------------------------------------ internals
    def activations(self, inputs: Tensor) -> Tensor:
        """Flattened layer activations ``(N, D)`` (no gradients)."""
        parts = []
        with torch.no_grad(), _eval(self.model):
            for start in range(0, len(inputs), self.batch_size):
                _, acts = layer_activations(self.model, self.layer, inputs[start:start + self.batch_size])
                parts.append(acts.reshape(len(acts), -1))
        return torch.cat(parts)

    def gradients(self, inputs: Tensor, target: int) -> Tensor:
        """Gradients of the ``target`` logit w.r.t. the flattened layer activations ``(N, D)``."""
        parts = []
        with torch.enable_grad(), _eval(self.model):
            for start in range(0, len(inputs), self.batch_size):
                outputs, acts = layer_activations(self.model, self.layer, inputs[start:start + self.batch_size])
                if not 0 <= target < outputs.shape[1]:
                    raise DataError(f"target class {target} out of range 0..{outputs.shape[1] - 1}")
                (grad,) = torch.autograd.grad(outputs[:, target].sum(), acts)
                parts.append(grad.reshape(len(grad), -1))
        return torch.cat(parts)

    def compute_cav(self, positive: Tensor | np.ndarray, negative: Tensor | np.ndarray, concept: str = "",
                    index: int = 0) -> CAV:
        """Fit a logistic regression ``positive`` (1) vs ``negative`` (0) activations; return its unit normal.

        The liblinear solver is used: with far fewer images than activation
        dimensions it converges in a few iterations where lbfgs may take
        hundreds (and a run fits ``(concepts + 1) x random sets`` CAVs per round).
        liblinear penalises the intercept like a weight, which would let the
        normal absorb the direction of the mean activation in its place (and
        even flip its sign); the activations are therefore centred first, which
        does not change the separating direction of an unpenalised fit.
        """
        x = np.concatenate([_float64(positive), _float64(negative)])
        x = x - x.mean(axis=0, keepdims=True)
        y = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
        clf = LogisticRegression(C=1.0, solver="liblinear", max_iter=1000, random_state=self.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(x, y)
        w = torch.from_numpy(clf.coef_[0]).float()
        norm = float(w.norm())
        vector = w / norm if norm > 0 else w
        return CAV(concept, index, vector, float(clf.score(x, y)))

    # --------------------------------------------------------------- public
    def interpret(self, inputs: Tensor, target: int, concept_sets: Mapping[str, Tensor],
                  random_sets: Sequence[Tensor]) -> list[TCAVScore]:
        """TCAV scores of every concept for class ``target``.

        Parameters
        ----------
        inputs:
            Inputs of class ``target`` whose sensitivities are counted.
        target:
            Class index (its logit is differentiated).
        concept_sets:
            Concept name -> images of that concept.
        random_sets:
            At least two sets of random images (one CAV per concept and set).

        Returns
        -------
        list[TCAVScore]
            One record per concept, in the order of ``concept_sets``.
        """
        return self.interpret_classes({target: inputs}, concept_sets, random_sets)

    def interpret_classes(self, inputs: Mapping[int, Tensor], concept_sets: Mapping[str, Tensor],
                          random_sets: Sequence[Tensor]) -> list[TCAVScore]:
        """Like :meth:`interpret` for several classes at once (``class index -> inputs``).

        The CAVs do not depend on the class, so they are fitted once and scored
        against every class's gradients. Records come class by class, concepts
        in the order of ``concept_sets``; Bonferroni corrects over the concepts.
        """
        if len(random_sets) < 2:
            raise DataError("TCAV needs at least 2 random sets for its significance test")
        if not concept_sets:
            raise DataError("TCAV needs at least one concept set")
        grads = {int(t): self.gradients(x, int(t)) for t, x in inputs.items()}
        random_acts = [_float64(self.activations(r)) for r in random_sets]
        n = len(random_acts)
        base_cavs = [self.compute_cav(random_acts[i], random_acts[(i + 1) % n], "random", i) for i in range(n)]
        concept_cavs = {}
        for name, images in concept_sets.items():
            acts = _float64(self.activations(images))
            concept_cavs[name] = [self.compute_cav(acts, r, name, i) for i, r in enumerate(random_acts)]
        results = []
        for t, g in grads.items():
            baseline = [self._score(g, c) for c in base_cavs]
            for name, cavs in concept_cavs.items():
                scores = [self._score(g, c) for c in cavs]
                p = min(1.0, _t_test(scores, baseline) * len(concept_sets))
                results.append(TCAVScore(self.layer_name, t, name, float(np.mean(scores)), tuple(scores),
                                         tuple(baseline), p, p < self.alpha,
                                         float(np.mean([c.accuracy for c in cavs]))))
        return results

    @staticmethod
    def _score(grads: Tensor, cav: CAV) -> float:
        return float(((grads @ cav.vector) > 0).float().mean())


def _float64(x: Tensor | np.ndarray) -> np.ndarray:
    """Activations as a float64 array (converted once per set, not once per fit)."""
    if isinstance(x, Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def _t_test(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided Welch t-test p-value; identical constant samples give 1, distinct ones 0."""
    a_arr, b_arr = np.asarray(a, float), np.asarray(b, float)
    if a_arr.std() == 0 and b_arr.std() == 0:
        return 1.0 if a_arr.mean() == b_arr.mean() else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy's note on near-constant samples
        return float(stats.ttest_ind(a_arr, b_arr, equal_var=False).pvalue)


class _eval:
    """Context manager: eval mode inside, the previous mode restored after."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.was_training = model.training

    def __enter__(self) -> None:
        self.model.eval()

    def __exit__(self, *exc: object) -> None:
        self.model.train(self.was_training)
