"""The sparsity loss, P matrices, thresholds and EBP against hand computations."""

from __future__ import annotations

import math

import pytest
import torch

from nesyasp.errors import DataError
from nesyasp.neural.ebp import EBPLoss, ebp_p_matrix, ebp_penalty
from nesyasp.neural.sparsity import (SparsityLoss, class_filter_sums, filter_norms, mean_abs, p_matrix_method1,
                                     p_matrix_method2, sparsity_loss, thresholds)


def test_filter_norms_match_definitions():
    maps = torch.tensor([[[[3.0, 0.0], [0.0, 4.0]], [[1.0, 1.0], [1.0, 1.0]]]])
    assert filter_norms(maps, "fro").tolist() == [[5.0, 2.0]]
    # largest singular value: diag(3,4) -> 4; all-ones 2x2 -> 2
    assert torch.allclose(filter_norms(maps, "spectral"), torch.tensor([[4.0, 2.0]]))
    assert mean_abs(-maps).tolist() == [[1.75, 1.0]]
    with pytest.raises(DataError):
        filter_norms(maps, "l7")


def test_thresholds_are_h1_mean_plus_h2_unbiased_std():
    norms = torch.tensor([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    t = thresholds(norms, 0.6, 0.7)
    assert t.tolist() == pytest.approx([0.6 * 3 + 0.7 * 2.0, 6.0])


def test_p_matrix_method1_takes_top_k_of_class_sums():
    means = torch.tensor([[1.0, 0.0, 2.0, 0.5], [3.0, 0.0, 0.0, 0.1], [0.0, 4.0, 0.0, 1.0]])
    labels = torch.tensor([0, 0, 1])
    sums = class_filter_sums(means, labels, 2)
    assert torch.allclose(sums, torch.tensor([[4.0, 0.0, 2.0, 0.6], [0.0, 4.0, 0.0, 1.0]]))
    assert p_matrix_method1(sums, 2).tolist() == [[1, 0, 1, 0], [0, 1, 0, 1]]


def test_p_matrix_method2_is_seeded_with_k_per_class():
    a, b = p_matrix_method2(4, 10, 3, seed=7), p_matrix_method2(4, 10, 3, seed=7)
    assert torch.equal(a, b)
    assert a.sum(dim=1).tolist() == [3.0] * 4
    assert not torch.equal(a, p_matrix_method2(4, 10, 3, seed=8))
    with pytest.raises(DataError):
        p_matrix_method2(2, 4, 5)


def test_sparsity_loss_value_and_gradient_equal_hand_computation():
    torch.manual_seed(0)
    maps = torch.rand(3, 4, 2, 2, requires_grad=True)
    labels = torch.tensor([0, 1, 1])
    p = torch.tensor([[1.0, 0, 0, 1], [0, 1, 1, 0]])
    thresh = torch.tensor([0.5, 1.0, 0.2, 0.8])
    got = sparsity_loss(filter_norms(maps, "fro"), thresh, p, labels)
    got.backward()
    grad_got = maps.grad.clone()
    maps.grad = None
    # Eq. 3-7 written out
    total = 0.0
    for n in range(3):
        for j in range(4):
            norm = torch.sqrt((maps[n, j] ** 2).sum())
            s = 1 / (1 + torch.exp(-(norm - thresh[j])))
            t = p[labels[n], j]
            total = total - (t * torch.log(s) + (1 - t) * torch.log(1 - s))
    want = total / 12
    want.backward()
    assert float(got.detach()) == pytest.approx(float(want.detach()), rel=1e-6)
    assert torch.allclose(grad_got, maps.grad, atol=1e-6)


def test_total_loss_is_alpha_ce_plus_beta_sparsity():
    torch.manual_seed(1)
    logits, maps = torch.randn(4, 2), torch.rand(4, 3, 2, 2)
    labels = torch.tensor([0, 1, 0, 1])
    p, thresh = torch.tensor([[1.0, 0, 0], [0, 0, 1]]), torch.tensor([0.3, 0.3, 0.3])
    terms = SparsityLoss(p, thresh, alpha=1.0, beta=5.0)(logits, maps, labels)
    ce = torch.nn.functional.cross_entropy(logits, labels)
    sp = sparsity_loss(filter_norms(maps), thresh, p, labels)
    assert float(terms.total) == pytest.approx(float(ce + 5 * sp), rel=1e-6)
    only_sp = SparsityLoss(p, thresh, alpha=0.0, beta=5.0)(logits, maps, labels)
    assert float(only_sp.total) == pytest.approx(5 * float(sp), rel=1e-6)


def test_ebp_p_matrix_and_penalty_follow_nesyfold():
    sums = torch.tensor([[4.0, 2.0, 1.0, 3.0], [0.0, 1.0, 2.0, 4.0]])
    p = ebp_p_matrix(sums, k=2)
    # class 0: elite {0, 3}, K-th best = 3 -> 1 - 2/3, 1 - 1/3
    assert p[0].tolist() == pytest.approx([1.0, 1 - 2 / 3, 1 - 1 / 3, 1.0])
    assert p[1].tolist() == pytest.approx([1.0, 0.5, 1.0, 1.0])
    maps = torch.ones(2, 4, 1, 1) * torch.tensor([1.0, 2.0, 3.0, 4.0]).view(1, 4, 1, 1)
    labels = torch.tensor([0, 1])
    want = sum((1 - float(p[labels[i], k])) * (k + 1) for i in range(2) for k in range(4))
    assert float(ebp_penalty(maps, p, labels)) == pytest.approx(want)
    logits = torch.zeros(2, 2)
    terms = EBPLoss(p, lam=0.1)(logits, maps, labels)
    assert float(terms.total) == pytest.approx(math.log(2) + 0.1 * want, rel=1e-6)
