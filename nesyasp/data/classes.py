"""Choosing classes by count or by name, shared by the embedded sets and user folders."""

from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from nesyasp.errors import DataError, WrongTypeError

__all__ = ["Classes", "resolve_classes", "parse_classes"]

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
            names = ", ".join(all_classes[:8]) + (", ..." if len(all_classes) > 8 else "")
            raise DataError(f"classes must be between 1 and {len(all_classes)}, got {classes}: the data has "
                            f"{len(all_classes)} class{'es' if len(all_classes) != 1 else ''} ({names})")
        return all_classes[:classes]
    if isinstance(classes, str):
        classes = [c.strip() for c in classes.split(",")]
    if not isinstance(classes, (list, tuple, np.ndarray)):
        raise WrongTypeError(f"classes must be None, a count or class names, got {type(classes).__name__} {classes!r}")
    names = tuple(str(c) for c in classes)
    unknown = [c for c in names if c not in all_classes]
    if unknown:
        raise DataError(f"unknown class {unknown[0]!r}; choose from {', '.join(all_classes)}")
    if len(set(names)) != len(names) or not names:
        raise DataError("classes must be distinct and not empty")
    return names


def parse_classes(text: str) -> int | tuple[str, ...]:
    """A ``--classes`` option: a count (``3``; 0 = all) or comma-separated class names (``cat,dog``).

    Raises
    ------
    DataError
        For a negative count, or a list with an empty or repeated name.

    Examples
    --------
    >>> parse_classes("3"), parse_classes(" bedroom, kitchen ")
    (3, ('bedroom', 'kitchen'))
    """
    text = text.strip()
    if text.lstrip("+-").isdigit():
        if int(text) < 0:
            raise DataError(f"a class count must be 0 (all) or more, got {text}")
        return int(text)
    names = tuple(c.strip() for c in text.split(","))
    if not text or "" in names or len(set(names)) != len(names):
        raise DataError(f"classes must be a count or distinct comma-separated class names, got {text!r}")
    return names
