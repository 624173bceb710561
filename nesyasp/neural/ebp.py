"""Elite BackProp as NeSyFOLD's code implements it (the ``NE`` baseline).

With ``m[i, k] = mean_{h,w} |A[i, k]|`` and ``D[c, k] = sum_{i: y_i = c} m[i, k]``
over the training set (computed once, from the model trained with
cross-entropy): the ``K`` elite filters of class ``c`` get ``P[c, k] = 1`` and
every other filter ``P[c, k] = 1 - D[c, k] / D[c, k_K]`` (``k_K`` the K-th
best). The loss is ``CE + lambda * sum_{i in batch} sum_k (1 - P[y_i, k]) * m[i, k]``
(summed over the batch, ``lambda = 1e-3``).

Examples
--------
>>> import torch
>>> ebp_p_matrix(torch.tensor([[4.0, 2.0, 1.0]]), k=1).tolist()
[[1.0, 0.5, 0.75]]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from nesyasp.errors import DataError
from nesyasp.neural.sparsity import LossTerms, mean_abs

__all__ = ["ebp_p_matrix", "ebp_penalty", "EBPLoss"]


def ebp_p_matrix(sums: torch.Tensor, k: int) -> torch.Tensor:
    """EBP's P: 1 on each class's ``k`` elite filters, ``1 - D/D_K`` elsewhere (clipped to [0, 1])."""
    n_classes, n_filters = sums.shape
    if not 1 <= k <= n_filters:
        raise DataError(f"K={k} must lie between 1 and the {n_filters} filters")
    order = torch.argsort(-sums, dim=1, stable=True)
    kth = sums.gather(1, order[:, k - 1:k]).clamp_min(1e-12)
    p = (1.0 - sums / kth).clamp(0.0, 1.0)
    p.scatter_(1, order[:, :k], 1.0)
    return p


def ebp_penalty(maps: torch.Tensor, p: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """``sum_i sum_k (1 - P[y_i, k]) * mean|A[i, k]|`` over the batch."""
    return ((1.0 - p[labels.long()]) * mean_abs(maps)).sum()


class EBPLoss(nn.Module):
    """Class-weighted cross-entropy plus ``lam`` times :func:`ebp_penalty`."""

    def __init__(self, p: torch.Tensor, lam: float = 1e-3, class_weights: torch.Tensor | None = None):
        super().__init__()
        self.register_buffer("p", p.float())
        self.register_buffer("class_weights", class_weights)
        self.lam = lam

    def forward(self, logits: torch.Tensor, maps: torch.Tensor, labels: torch.Tensor) -> LossTerms:
        ce = F.cross_entropy(logits, labels, weight=self.class_weights)
        pen = ebp_penalty(maps, self.p, labels)
        return LossTerms(ce + self.lam * pen, ce.detach(), pen.detach())
