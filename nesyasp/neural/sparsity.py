"""The class-specific sparsity loss (Padalkar et al., 2025, section 3.1).

With filter maps ``f[n, j]`` of the last conv layer:

* ``Norm[n, j] = ||f[n, j]||`` (:func:`filter_norms`, ``fro`` or ``spectral``);
* ``Threshold[j] = h1*mean_n Norm + h2*std_n Norm`` over the training set
  (:func:`thresholds`, unbiased std as NeSyFOLD's torch code);
* ``Sigmoid[n, j] = sigmoid(Norm[n, j] - Threshold[j])`` (Eq. 4-5);
* ``Target[n, j] = P[y_n, j]`` with ``P`` a 0/1 class-by-filter matrix from
  Method 1 (:func:`p_matrix_method1`: top-K filters per class by summed
  mean absolute activation) or Method 2 (:func:`p_matrix_method2`: K random filters);
* ``L_sparsity = BCE(Sigmoid, Target)`` averaged over ``N*F`` (Eq. 7) and
  ``L = alpha*CE + beta*L_sparsity`` (Eq. 8, :class:`SparsityLoss`).

Examples
--------
>>> import torch
>>> p = p_matrix_method1(torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 1.0]]), k=1)
>>> p.tolist()
[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
>>> p_matrix_method2(2, 6, k=2, seed=0).sum(dim=1).tolist()
[2.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nesyasp.errors import DataError

__all__ = [
    "filter_norms",
    "mean_abs",
    "class_filter_sums",
    "p_matrix_method1",
    "p_matrix_method2",
    "thresholds",
    "sparsity_loss",
    "LossTerms",
    "SparsityLoss",
    "CrossEntropyLoss",
]


def filter_norms(maps: torch.Tensor, norm: str = "fro") -> torch.Tensor:
    """Per-image, per-filter norm of ``[B, F, H, W]`` maps, shape ``[B, F]``.

    ``fro`` is the L2 norm of the flattened map (the paper's ``||f||_2``);
    ``spectral`` is its largest singular value, as NeSyFOLD's
    ``torch.linalg.norm(A, ord=2, dim=(2, 3))``.
    """
    if norm == "fro":
        return torch.linalg.vector_norm(maps, ord=2, dim=(2, 3))
    if norm == "spectral":
        return torch.linalg.matrix_norm(maps, ord=2, dim=(2, 3))
    raise DataError(f"norm must be 'fro' or 'spectral', got {norm!r}")


def mean_abs(maps: torch.Tensor) -> torch.Tensor:
    """``sum_{h,w} |f| / (H*W)`` per image and filter (Method 1, step 2), shape ``[B, F]``."""
    return maps.abs().mean(dim=(2, 3))


def class_filter_sums(values: torch.Tensor, labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """The ``[C, F]`` matrix D: per class, the sum of ``values[n]`` over its images (Method 1, step 3)."""
    out = torch.zeros(n_classes, values.shape[1], dtype=values.dtype)
    out.index_add_(0, labels.long(), values)
    return out


def p_matrix_method1(sums: torch.Tensor, k: int) -> torch.Tensor:
    """0/1 P matrix: per class, 1 on the ``k`` filters with the largest sums (ties: lower index)."""
    n_classes, n_filters = sums.shape
    if not 1 <= k <= n_filters:
        raise DataError(f"K={k} must lie between 1 and the {n_filters} filters")
    order = torch.argsort(-sums, dim=1, stable=True)[:, :k]
    p = torch.zeros(n_classes, n_filters)
    p.scatter_(1, order, 1.0)
    return p


def p_matrix_method2(n_classes: int, n_filters: int, k: int, seed: int = 0) -> torch.Tensor:
    """0/1 P matrix with ``k`` filters per class drawn at random (seeded; classes may share filters)."""
    if not 1 <= k <= n_filters:
        raise DataError(f"K={k} must lie between 1 and the {n_filters} filters")
    gen = torch.Generator().manual_seed(seed)
    p = torch.zeros(n_classes, n_filters)
    for c in range(n_classes):
        p[c, torch.randperm(n_filters, generator=gen)[:k]] = 1.0
    return p


def thresholds(norms: torch.Tensor, h1: float = 0.6, h2: float = 0.7) -> torch.Tensor:
    """``h1*mean + h2*std`` of ``[N, F]`` norms per filter (Eq. 2; std unbiased, 0 for one image)."""
    if norms.dim() != 2 or norms.shape[0] == 0:
        raise DataError("thresholds need a non-empty [N, F] table of norms")
    std = norms.std(dim=0, unbiased=True) if norms.shape[0] > 1 else torch.zeros(norms.shape[1])
    return h1 * norms.mean(dim=0) + h2 * std


def sparsity_loss(norms: torch.Tensor, thresh: torch.Tensor, p: torch.Tensor,
                  labels: torch.Tensor) -> torch.Tensor:
    """Eq. 7: mean BCE between ``sigmoid(norms - thresh)`` and the rows ``p[labels]``.

    Computed with ``binary_cross_entropy_with_logits`` (the same value, stable for large norms).
    """
    target = (p[labels.long()] == 1).to(norms.dtype)
    return F.binary_cross_entropy_with_logits(norms - thresh, target, reduction="mean")


@dataclass(frozen=True, slots=True)
class LossTerms:
    """The terms of one batch's loss (tensors; ``total`` carries the gradient)."""

    total: torch.Tensor
    ce: torch.Tensor
    extra: torch.Tensor


class SparsityLoss(nn.Module):
    """``alpha*CE + beta*L_sparsity`` (Eq. 8), with class weights on CE.

    Parameters
    ----------
    p:
        ``[C, F]`` 0/1 matrix.
    thresh:
        ``[F]`` thresholds (zeros for TS5).
    alpha, beta:
        Loss weights.
    norm:
        ``fro`` or ``spectral``.
    class_weights:
        Optional ``[C]`` weights of the cross-entropy.
    """

    def __init__(self, p: torch.Tensor, thresh: torch.Tensor, alpha: float = 1.0, beta: float = 5.0,
                 norm: str = "fro", class_weights: torch.Tensor | None = None):
        super().__init__()
        self.register_buffer("p", p.float())
        self.register_buffer("thresh", thresh.float())
        self.register_buffer("class_weights", class_weights)
        self.alpha, self.beta, self.norm = alpha, beta, norm

    def forward(self, logits: torch.Tensor, maps: torch.Tensor, labels: torch.Tensor) -> LossTerms:
        ce = F.cross_entropy(logits, labels, weight=self.class_weights)
        sp = sparsity_loss(filter_norms(maps, self.norm), self.thresh, self.p, labels)
        return LossTerms(self.alpha * ce + self.beta * sp, ce.detach(), sp.detach())


class CrossEntropyLoss(nn.Module):
    """Class-weighted cross-entropy alone, with the same call shape as :class:`SparsityLoss`."""

    def __init__(self, class_weights: torch.Tensor | None = None):
        super().__init__()
        self.register_buffer("class_weights", class_weights)

    def forward(self, logits: torch.Tensor, maps: torch.Tensor, labels: torch.Tensor) -> LossTerms:
        ce = F.cross_entropy(logits, labels, weight=self.class_weights)
        return LossTerms(ce, ce.detach(), torch.zeros(()))
