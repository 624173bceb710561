"""A name-keyed pruning mask and magnitude pruning over it.

A :class:`Mask` maps parameter names (``"conv1.weight"``) to 0/1 tensors of
the parameters' shapes. It is a validated value: :meth:`Mask.prune` returns a
new mask and never revives a pruned weight. The mask also carries its
*nominal density*, the product of ``(1 - fraction)`` over the rounds it went
through, so that the number of surviving weights is always the nominal share
of the total rounded to the nearest weight: after ``k`` rounds at fraction
``p`` the density is ``(1 - p) ** k`` to within one weight per tensor, with no
rounding drift across rounds.

Ties in magnitude are broken by position (earlier weights survive), so
pruning is deterministic. Whether a weight is positive or negative plays no
role: only ``|w|`` is ranked.

Examples
--------
>>> import torch
>>> m = Mask.ones({"w": torch.zeros(2, 5)})
>>> m2 = m.prune({"w": torch.arange(10.0).reshape(2, 5) - 4.5}, 0.2)
>>> int(m2["w"].sum()), m2.nominal_density
(8, 0.8)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import torch
from torch import Tensor, nn

from nesyasp.errors import DataError

__all__ = ["Mask", "prunable_names", "output_layer_name"]


def output_layer_name(model: nn.Module) -> str:
    """Name of the model's output layer: ``model.output_layer`` if set, else the last ``Linear``."""
    name = getattr(model, "output_layer", None)
    if isinstance(name, str):
        return name
    linears = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise DataError("model has no Linear layer to serve as output layer")
    return linears[-1]


def prunable_names(model: nn.Module, include_output: bool = False) -> tuple[str, ...]:
    """Weights of every ``Conv2d`` and ``Linear`` module (no biases, no norms).

    Parameters
    ----------
    model:
        The network.
    include_output:
        Also list the output layer's weight.
    """
    out = output_layer_name(model)
    names = []
    for name, module in model.named_modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)) and (include_output or name != out):
            names.append(f"{name}.weight")
    return tuple(names)


class Mask(Mapping[str, Tensor]):
    """Immutable mapping ``parameter name -> 0/1 tensor`` (stored as bool).

    Parameters
    ----------
    tensors:
        Name to tensor of zeros and ones (bool, int or float).
    nominal_density:
        The density the pruning schedule aims at (1 for a fresh mask).
    """

    __slots__ = ("_tensors", "nominal_density")

    def __init__(self, tensors: Mapping[str, Tensor], nominal_density: float = 1.0) -> None:
        checked: dict[str, Tensor] = {}
        for name, t in tensors.items():
            t = torch.as_tensor(t).detach().cpu()
            if t.dtype != torch.bool:
                if not bool(((t == 0) | (t == 1)).all()):
                    raise DataError(f"mask for {name!r} holds values other than 0 and 1")
                t = t != 0
            checked[name] = t.clone()
        if not 0.0 < nominal_density <= 1.0:
            raise DataError(f"nominal density must lie in (0, 1], got {nominal_density}")
        self._tensors = checked
        self.nominal_density = float(nominal_density)

    # -------------------------------------------------------------- mapping
    def __getitem__(self, name: str) -> Tensor:
        return self._tensors[name].clone()

    def __iter__(self) -> Iterator[str]:
        return iter(self._tensors)

    def __len__(self) -> int:
        return len(self._tensors)

    def __repr__(self) -> str:
        return f"Mask({len(self)} tensors, density={self.density:.4f})"

    # --------------------------------------------------------- construction
    @classmethod
    def ones(cls, weights: Mapping[str, Tensor]) -> Mask:
        """An all-ones mask shaped like ``weights``."""
        return cls({n: torch.ones_like(w, dtype=torch.bool, device="cpu") for n, w in weights.items()})

    @classmethod
    def for_model(cls, model: nn.Module, include_output: bool = False) -> Mask:
        """An all-ones mask over :func:`prunable_names` of ``model``."""
        params = dict(model.named_parameters())
        return cls.ones({n: params[n] for n in prunable_names(model, include_output)})

    # ---------------------------------------------------------- statistics
    @property
    def total(self) -> int:
        """Number of masked weights, pruned or not."""
        return sum(t.numel() for t in self._tensors.values())

    @property
    def remaining(self) -> int:
        """Number of weights that survive."""
        return sum(int(t.sum()) for t in self._tensors.values())

    @property
    def density(self) -> float:
        """Share of surviving weights (1.0 for an empty mask)."""
        return self.remaining / self.total if self.total else 1.0

    def layer_density(self) -> dict[str, float]:
        """Density per tensor."""
        return {n: float(t.float().mean()) for n, t in self._tensors.items()}

    # -------------------------------------------------------------- pruning
    def prune(self, weights: Mapping[str, Tensor], fraction: float, scope: str = "global") -> Mask:
        """Return a new mask with ``fraction`` of the surviving weights removed by magnitude.

        Parameters
        ----------
        weights:
            Current values for every name of the mask (extra names are ignored).
        fraction:
            Share of the remaining weights to prune, in ``[0, 1)``.
        scope:
            ``"global"``: one ranking over all tensors; ``"layer"``: each tensor on its own.
        """
        if not 0.0 <= fraction < 1.0:
            raise DataError(f"prune fraction must lie in [0, 1), got {fraction}")
        missing = [n for n in self._tensors if n not in weights]
        if missing:
            raise DataError(f"no weights given for masked parameters {missing}")
        density = self.nominal_density * (1.0 - fraction)
        scores = {n: weights[n].detach().abs().cpu().float() for n in self._tensors}
        for n, s in scores.items():
            if s.shape != self._tensors[n].shape:
                raise DataError(f"weights for {n!r} have shape {tuple(s.shape)}, mask {tuple(self._tensors[n].shape)}")
        if scope == "global":
            new = _keep_top(self._tensors, scores, round(density * self.total))
        elif scope == "layer":
            new = {}
            for n in self._tensors:
                new.update(_keep_top({n: self._tensors[n]}, {n: scores[n]}, round(density * scores[n].numel())))
        else:
            raise DataError(f"prune scope must be 'global' or 'layer', got {scope!r}")
        return Mask(new, nominal_density=max(density, 1e-12))

    # ------------------------------------------------------------ applying
    @torch.no_grad()
    def apply(self, model: nn.Module) -> None:
        """Zero the pruned weights of ``model`` in place."""
        params = dict(model.named_parameters())
        for name, t in self._tensors.items():
            if name not in params:
                raise DataError(f"model has no parameter {name!r}")
            p = params[name]
            p.mul_(t.to(device=p.device, dtype=p.dtype))

    @torch.no_grad()
    def zero_grads(self, model: nn.Module) -> None:
        """Zero the gradients of pruned weights in place (before an optimizer step)."""
        params = dict(model.named_parameters())
        for name, t in self._tensors.items():
            grad = params[name].grad
            if grad is not None:
                grad.mul_(t.to(device=grad.device, dtype=grad.dtype))

    # ------------------------------------------------------------- storage
    def state_dict(self) -> dict[str, object]:
        """Tensors and nominal density, for ``torch.save``."""
        return {"tensors": dict(self._tensors), "nominal_density": self.nominal_density}

    @classmethod
    def from_state_dict(cls, state: Mapping[str, object]) -> Mask:
        """Inverse of :meth:`state_dict`."""
        try:
            return cls(state["tensors"], float(state["nominal_density"]))  # type: ignore[arg-type]
        except (KeyError, TypeError) as exc:
            raise DataError(f"not a mask state: {exc}") from None

    def save(self, path: str | Path) -> None:
        """Write the mask with ``torch.save``."""
        torch.save(self.state_dict(), path)

    @classmethod
    def load(cls, path: str | Path) -> Mask:
        """Read a mask written by :meth:`save`."""
        return cls.from_state_dict(torch.load(path, weights_only=True))


def _keep_top(masks: Mapping[str, Tensor], scores: Mapping[str, Tensor], keep: int) -> dict[str, Tensor]:
    """Keep the ``keep`` largest surviving scores (ties: earlier position wins)."""
    names = list(masks)
    flat_mask = torch.cat([masks[n].reshape(-1) for n in names])
    flat = torch.cat([scores[n].reshape(-1) for n in names])
    keep = min(keep, int(flat_mask.sum()))
    flat = torch.where(flat_mask, flat, torch.full_like(flat, -1.0))
    order = torch.argsort(flat, descending=True, stable=True)
    new_flat = torch.zeros_like(flat_mask)
    new_flat[order[:keep]] = True
    out, start = {}, 0
    for n in names:
        size = masks[n].numel()
        out[n] = new_flat[start:start + size].reshape(masks[n].shape)
        start += size
    return out
