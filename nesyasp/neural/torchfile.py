"""Reading torch files safely, with a message that says what is wrong with the file.

Every torch file nesyasp reads (``--weights``, run checkpoints, backbones, LTH
rounds) goes through ``torch.load(weights_only=True)``, which unpickles
tensors and plain containers only and runs no code from the file. What
torch says when a file is refused is long and, for a file holding pickled
objects, advises ``weights_only=False`` (running the file's code).
:func:`load_torch_file` turns each failure into one line that names the
cause and what to do instead.
"""

from __future__ import annotations

import pickle
import re
import warnings
from pathlib import Path

import torch

from nesyasp.errors import DataError

__all__ = ["load_torch_file", "load_failure"]

_GLOBAL = re.compile(r"(?:GLOBAL|global) ([A-Za-z_][\w.]*)")
_SAVE_HINT = "save only its tensors: torch.save(model.state_dict(), FILE)"
#: Files of other tools, by their first bytes.
_FOREIGN = ((b"\x93NUMPY", "a numpy array file (.npy)"), (b"\x89HDF\r\n\x1a\n", "an HDF5 file (Keras, h5py)"))


def load_failure(exc: BaseException) -> str:
    """Why ``torch.load(weights_only=True)`` refused a file, in one sentence (no advice to run its code)."""
    text = str(exc)
    if isinstance(exc, pickle.UnpicklingError) or "Weights only load failed" in text:
        found = _GLOBAL.search(text)
        what = f" ({found.group(1)})" if found else ""
        return (f"it holds pickled Python objects{what}, not only tensors; nesyasp reads torch files with "
                f"torch.load(weights_only=True) and never runs code from a file: {_SAVE_HINT}")
    if isinstance(exc, EOFError):
        return "it ends too early (empty or cut off): copy or save it again"
    if "central directory" in text or "PytorchStreamReader" in text or "zip archive" in text:
        return "it is truncated or damaged (an incomplete torch archive): copy or save it again"
    first = text.splitlines()[0][:200] if text else ""
    return f"it was not written by torch.save ({type(exc).__name__}{': ' + first if first else ''})"


def load_torch_file(path: str | Path, what: str = "torch file") -> object:
    """``torch.load(path, map_location="cpu", weights_only=True)``; a :class:`DataError` saying why it failed.

    Parameters
    ----------
    path:
        The file.
    what:
        What the file should be, for the message (``"weights file"``, ``"checkpoint"``).

    Raises
    ------
    DataError
        A missing path or folder, a file with pickled objects (refused, never
        run), a truncated, empty or foreign file.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: a folder, not a {what}")
    if not path.is_file():
        raise DataError(f"{path}: {what} not found")
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:  # no permission
        raise DataError(f"{path}: cannot read the {what} ({exc.strerror or exc})") from None
    kind = next((name for magic, name in _FOREIGN if head.startswith(magic)), None)
    if kind is not None:
        raise DataError(f"{path}: not a torch {what} that nesyasp can read: it is {kind}, not a file of torch.save")
    try:
        with warnings.catch_warnings():  # torch warns about the pickle protocol of foreign files
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file becomes one message
        raise DataError(f"{path}: not a torch {what} that nesyasp can read: {load_failure(exc)}") from None
