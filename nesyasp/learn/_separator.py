"""Which character separates the cells of a CSV file: given, or detected from its first lines.

Candidates are the comma, the semicolon (European Excel exports), the tab and
the vertical bar. A candidate is *present* when the header line splits into
more than one cell with it (quotes respected). Detection:

* no candidate present: the file has one column; the comma is used;
* one candidate present: that one;
* several: the one that splits every sampled data line (up to
  :data:`SAMPLE_LINES`) into as many cells as the header; when more than one
  (or none) does so, a :class:`~nesyasp.errors.DataError` names the
  candidates and says how to choose (``--sep`` / ``sep=``).
"""

from __future__ import annotations

import csv

from nesyasp.errors import DataError

__all__ = ["CANDIDATES", "SAMPLE_LINES", "WORDS", "detect_separator", "separator_option", "separator_word"]

CANDIDATES = (",", ";", "\t", "|")
#: The words for each candidate in messages.
WORDS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
#: How many data lines after the header detection looks at.
SAMPLE_LINES = 50
_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t", "pipe": "|", "bar": "|"}


def separator_word(sep: str) -> str:
    """``'semicolons'`` for ``;``; ``"'x' characters"`` for another one."""
    return WORDS.get(sep, f"{sep!r} characters")


def separator_option(text: str) -> str:
    """The separator a user gave (``;``, ``tab``, ``\\t``, ``comma``, any one character other than a quote,
    a blank or a line end).

    >>> separator_option("tab"), separator_option(";")
    ('\\t', ';')
    """
    sep = _NAMES.get(text.lower(), text)
    if len(sep) != 1 or sep in '"\r\n ' or sep.isalnum():
        raise DataError(f"the separator must be one character such as ',', ';', '|' or 'tab', not {text!r}")
    return sep


def _width(line: str, sep: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=sep), []))
    except csv.Error:
        return -1


def detect_separator(sample: bytes, source: str, complete: bool) -> str:
    """The separator of a file whose first bytes are ``sample`` (``complete``: the whole file).

    Raises
    ------
    DataError
        When several candidates split the header and the sampled lines alike
        (or none of them does), naming them.
    """
    text = sample.decode("utf-8", "replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not complete and lines and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # a cut last line is not a line to count cells in
    if not lines:
        return ","
    header, rows = lines[0], lines[1: 1 + SAMPLE_LINES]
    present = [c for c in CANDIDATES if _width(header, c) > 1]
    if len(present) <= 1:
        return present[0] if present else ","
    widths = {c: _width(header, c) for c in present}
    fitting = [c for c in present if all(_width(row, c) == widths[c] for row in rows)]
    if len(fitting) == 1:
        return fitting[0]
    shown = " and ".join(f"{separator_word(c)} ({widths[c]} columns)" for c in (fitting or present))
    raise DataError(f"{source}: cannot tell which character separates the cells: the header splits into cells "
                    f"with {shown}{' and every sampled line agrees' if fitting else ' but no candidate fits every line'}"
                    "; give the separator (`nesyasp learn --sep ';'`, `read_csv(..., sep=';')`)")
