"""Choosing classes by count or by name, shared by the embedded sets and user folders."""

from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from nesyasp.errors import DataError

__all__ = ["Classes", "resolve_classes"]

#: A choice of classes: ``None`` (all), a count ``k`` (the first k) or class names.
Classes = Union[None, int, Sequence[str]]


def resolve_classes(all_classes: Sequence[str], classes: Classes) -> tuple[str, ...]:
    """The chosen class names: ``None`` or 0 -> all, ``k`` -> the first k, names -> those (in that order).

    Raises
    ------
    DataError
        For a count out of range, unknown or repeated names.
    """
    all_classes = tuple(all_classes)
    if classes is None or (isinstance(classes, (int, np.integer)) and not isinstance(classes, bool) and classes == 0):
        return all_classes
    if isinstance(classes, (int, np.integer)) and not isinstance(classes, bool):
        if not 1 <= classes <= len(all_classes):
            raise DataError(f"classes must be between 1 and {len(all_classes)}, got {classes}")
        return all_classes[:classes]
    if isinstance(classes, str):
        classes = [c.strip() for c in classes.split(",")]
    names = tuple(str(c) for c in classes)
    unknown = [c for c in names if c not in all_classes]
    if unknown:
        raise DataError(f"unknown class {unknown[0]!r}; choose from {', '.join(all_classes)}")
    if len(set(names)) != len(names) or not names:
        raise DataError("classes must be distinct and not empty")
    return names
