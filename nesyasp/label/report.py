"""One self-contained HTML page about a labelled run.

Pictures are embedded as base64 ``data:`` URIs and the page carries its own
style sheet, so it opens in a browser with no external resource (no http
URL, no relative file).
"""

from __future__ import annotations

import base64
import html
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from nesyasp.errors import DataError

__all__ = ["LabelRow", "ReportContent", "data_uri", "render_report", "write_report", "is_report_page",
           "check_report_path"]

logger = logging.getLogger(__name__)

_PAGE_TAG = "<meta name='generator' content='nesyasp report'>"
# The head of the pages written before the tag: a report of nesyasp's all the same.
_OLD_HEAD = "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>nesyasp run "

_STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 1.5em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; font-size: .9em; }
table { border-collapse: collapse; font-size: .9em; } td, th { border: 1px solid #ccc; padding: .2em .5em; }
th { background: #eee; text-align: left; } .cols { display: flex; gap: 1em; flex-wrap: wrap; }
.cols > div { flex: 1 1 30em; min-width: 0; } figure { display: inline-block; margin: .4em; }
figcaption { font-size: .8em; color: #555; } img { max-width: 100%; }
"""


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One labelled filter in the report's table."""

    filter: int
    label: str
    concepts: tuple[str, ...]
    scores: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything the report shows; empty parts are left out.

    Attributes
    ----------
    title : str
        Page title.
    summary : mapping
        Run facts shown first (data set, strategy, parameters, ...).
    raw_rules, labelled_rules : str
        The rule sets as text.
    metrics : mapping
        Metrics (nested mappings become nested tables).
    labels : sequence of LabelRow
        The filter table.
    pictures : sequence of (caption, path)
        PNG files to embed.
    justifications : sequence of (title, text)
        Example justifications, as rendered text.
    """

    title: str
    summary: Mapping[str, Any] = field(default_factory=dict)
    raw_rules: str = ""
    labelled_rules: str = ""
    metrics: Mapping[str, Any] = field(default_factory=dict)
    labels: Sequence[LabelRow] = ()
    pictures: Sequence[tuple[str, Path]] = ()
    justifications: Sequence[tuple[str, str]] = ()


def data_uri(path: str | Path) -> str:
    """The ``data:image/png;base64,...`` URI of a PNG file."""
    path = Path(path)
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read picture: {exc.strerror or exc}") from None
    if not payload.startswith(b"\x89PNG"):
        raise DataError(f"{path}: not a PNG file")
    return "data:image/png;base64," + base64.b64encode(payload).decode("ascii")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return _table(value)
    if isinstance(value, float):
        return _e(f"{value:.4g}")
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float, str)) for v in value):
        return _e(", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in value))
    if isinstance(value, (list, tuple)):
        return f"<pre>{_e(json.dumps(value, indent=1, default=str))}</pre>"
    return _e(value)


def _table(mapping: Mapping[str, Any]) -> str:
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_value(v)}</td></tr>" for k, v in mapping.items())
    return f"<table>{rows}</table>"


def _labels_table(rows: Sequence[LabelRow]) -> str:
    head = "<tr><th>filter</th><th>label</th><th>kept concepts</th><th>best scores</th></tr>"
    body = []
    for row in rows:
        best = ", ".join(f"{c} {s:.2f}" for c, s in list(row.scores.items())[:4]) or "no mask overlap"
        body.append(f"<tr><td>f{row.filter}</td><td><code>{_e(row.label)}</code></td>"
                    f"<td>{_e(', '.join(row.concepts) or '-')}</td><td>{_e(best)}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _sections(content: ReportContent) -> list[str]:
    parts = []
    if content.summary:
        parts.append(f"<h2>Run</h2>{_table(content.summary)}")
    columns = [(h, text) for h, text in (("raw", content.raw_rules), ("labelled", content.labelled_rules)) if text]
    if columns:  # an unlabelled run shows its raw rules alone, not beside an empty box
        parts.append("<h2>Rules</h2><div class='cols'>" + "".join(
            f"<div><h3>{h}</h3><pre>{_e(text)}</pre></div>" for h, text in columns) + "</div>")
    if content.metrics:
        parts.append(f"<h2>Metrics</h2>{_table(content.metrics)}")
    if content.labels:
        parts.append(f"<h2>Filter labels</h2>{_labels_table(content.labels)}")
    if content.pictures:
        figures = "".join(f"<figure><img src='{data_uri(p)}' alt='{_e(c)}'><figcaption>{_e(c)}</figcaption>"
                          "</figure>" for c, p in content.pictures)
        parts.append(f"<h2>What the filters see</h2>{figures}")
    if content.justifications:
        parts.append("<h2>Example justifications</h2>" + "".join(
            f"<h3>{_e(t)}</h3><pre>{_e(text)}</pre>" for t, text in content.justifications))
    return parts


def render_report(content: ReportContent) -> str:
    """Render the page as one HTML string with every picture inlined."""
    body = "\n".join(_sections(content))
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"{_PAGE_TAG}<title>{_e(content.title)}</title><style>{_STYLE}</style></head>\n"
            f"<body><h1>{_e(content.title)}</h1>\n{body}\n</body></html>\n")


def is_report_page(path: str | Path) -> bool:
    """True when ``path`` is an HTML page that :func:`write_report` wrote (so it may be written again)."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return _PAGE_TAG.encode() in head or head.startswith(_OLD_HEAD.encode())


def check_report_path(path: str | Path) -> Path:
    """``path`` when a report may be written there: a new file or an earlier report.

    Raises
    ------
    DataError
        When ``path`` is a folder, or a file that :func:`write_report` did not write.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: is a folder; name the report's HTML file")
    if (path.exists() or path.is_symlink()) and not is_report_page(path):
        raise DataError(f"{path}: not a report nesyasp wrote; it is left as it is (name a new file, or delete "
                        "that one first)")
    return path


def write_report(path: str | Path, content: ReportContent) -> Path:
    """Write :func:`render_report`'s page to ``path`` and return it.

    ``path`` may be an earlier report, which is written again, but never
    another file: a page or file nesyasp did not write as a report is left as
    it is.

    Raises
    ------
    DataError
        When ``path`` is a folder or a file that is not a report.
    """
    path = check_report_path(path)
    text = render_report(content)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DataError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
    logger.info("wrote %s", path)
    return path
