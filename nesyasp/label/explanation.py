"""Pictures and a page of explained images (PIL and numpy; fast enough for folders of thousands).

:func:`explanation_picture` draws one image's explanation: the image with
the NeSy and CNN classes, then one panel per filter literal of the
justification, the filter's activation map overlaid (:func:`~nesyasp.label.pictures.overlay`)
and captioned with its label, concepts and whether it holds or is absent. An
absent filter's map is drawn at the strength it reached (its norm over its
threshold), so it reads as weak everywhere; an active filter's map shows
where it fires. :func:`explanation_page` puts the pictures and the
justifications of many images on one self-contained HTML page.

The explanations are :class:`~nesyasp.neural.explain.ImageExplanation` objects
(see :meth:`nesyasp.neural.nesymodel.NesyModel.explain`).
"""

from __future__ import annotations

import functools
import html
import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nesyasp.data.pngtag import has_png_tag, save_tagged_png
from nesyasp.errors import one_line
from nesyasp.label.pictures import overlay
from nesyasp.label.report import data_uri

__all__ = ["explanation_picture", "explanation_page", "is_explanation_picture", "is_explanation_page", "PANEL"]

logger = logging.getLogger(__name__)

PANEL = 192  # side of one panel in pixels
_PAD, _LINE, _COLUMNS = 8, 15, 4
_GREEN, _RED, _GREY, _BLACK = (0, 110, 40), (180, 30, 30), (90, 90, 90), (20, 20, 20)


_TAG = "nesyasp explain"  # the PNG text chunk that marks the pictures nesyasp draws


def is_explanation_picture(path: str | Path) -> bool:
    """True when ``path`` is a PNG that :func:`explanation_picture` wrote (so it may be drawn again)."""
    return has_png_tag(path, _TAG)


_PAGE_TAG = "<meta name='generator' content='nesyasp explain'>"


def is_explanation_page(path: str | Path) -> bool:
    """True when ``path`` is an HTML page that :func:`explanation_page` wrote (so it may be written again)."""
    try:
        with Path(path).open("rb") as handle:
            return _PAGE_TAG.encode() in handle.read(512)
    except OSError:
        return False


@functools.lru_cache(maxsize=4)
def _font(size: int) -> Any:
    """DejaVu Sans, which matplotlib ships (accented, Greek and Cyrillic letters: a class ``grün`` or a
    file ``café.jpg``), else PIL's default font (ASCII and a few more: other letters are boxes)."""
    import importlib.util

    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")  # its path only: importing matplotlib is not needed
    if spec is not None and spec.origin:
        try:
            return ImageFont.truetype(str(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"),
                                      size)
        except (OSError, ImportError):  # no such file, or Pillow without FreeType
            pass
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def _fit(draw: Any, text: str, font: Any, width: int) -> str:
    """``text`` on one line (control characters escaped), cut with an ellipsis to fit ``width`` pixels."""
    text = one_line(text)
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def _panels(explanation: Any, upsampling: str) -> list[tuple[np.ndarray, list[tuple[str, tuple[int, int, int]]]]]:
    from PIL import Image

    big = np.asarray(Image.fromarray(explanation.image).resize((PANEL, PANEL), Image.NEAREST), dtype=np.uint8)
    verdict = explanation.prediction if explanation.prediction is not None else "no class"
    out = [(big, [("the image", _BLACK), (f"NeSy: {verdict}", _BLACK),
                  (f"CNN: {explanation.cnn_prediction}", _GREY)])]
    for lit in explanation.literals:
        shown = overlay(big, lit.map, upsampling, strength=lit.strength)
        words = ", ".join(lit.concepts) if lit.concepts else f"filter {lit.filter}"
        name = lit.predicate if lit.predicate == f"f{lit.filter}" else f"{lit.predicate} (f{lit.filter})"
        state = (f"holds: {lit.norm:.2f} > {lit.threshold:.2f}", _GREEN) if lit.holds else \
            (f"absent: {lit.norm:.2f} <= {lit.threshold:.2f}", _RED)
        out.append(((shown * 255).round().astype(np.uint8), [(name, _BLACK), (words, _GREY), state]))
    return out


def explanation_picture(explanation: Any, path: str | Path | None = None, *, upsampling: str = "bicubic",
                        columns: int = _COLUMNS) -> Any:
    """One image's explanation as a PIL image (written as PNG to ``path`` when given).

    Parameters
    ----------
    explanation : ImageExplanation
        What :meth:`~nesyasp.neural.nesymodel.NesyModel.explain` returns.
    path : str or Path, optional
        PNG file to write.
    upsampling : str
        How activation maps are resampled to the panel (see :func:`~nesyasp.label.scores.upsample`).
    columns : int
        Panels per row.

    Raises
    ------
    DataError
        When ``path`` cannot be written (a folder, a missing folder).
    """
    from PIL import Image, ImageDraw

    panels = _panels(explanation, upsampling)
    columns = max(1, min(columns, len(panels)))
    rows = -(-len(panels) // columns)
    title_h = 2 * _LINE + _PAD
    cell_w, cell_h = PANEL + _PAD, PANEL + 3 * _LINE + 2 * _PAD
    canvas = Image.new("RGB", (columns * cell_w + _PAD, title_h + rows * cell_h), "white")
    draw = ImageDraw.Draw(canvas)
    title, small = _font(14), _font(12)
    verdict = explanation.prediction if explanation.prediction is not None else "no class (no rule applies)"
    head = f"{explanation.id}: {verdict}"
    draw.text((_PAD, _PAD // 2), _fit(draw, head, title, canvas.width - 2 * _PAD), fill=_BLACK, font=title)
    draw.text((_PAD, _PAD // 2 + _LINE + 2), _fit(draw, explanation.source, small, canvas.width - 2 * _PAD),
              fill=_GREY, font=small)
    for n, (pixels, caption) in enumerate(panels):
        x, y = _PAD + (n % columns) * cell_w, title_h + (n // columns) * cell_h
        canvas.paste(Image.fromarray(pixels), (x, y))
        for k, (text, colour) in enumerate(caption):
            draw.text((x, y + PANEL + 3 + k * _LINE), _fit(draw, text, small, PANEL), fill=colour, font=small)
    if path is not None:
        path = Path(path)
        save_tagged_png(canvas, path, _TAG, compress_level=3)
        logger.info("wrote %s", path)
    return canvas


_STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 1.5em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; border-bottom: 1px solid #ccc; margin-top: 1.5em; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; font-size: .85em; white-space: pre-wrap; }
img { max-width: 100%; } .cnn { color: #666; font-weight: normal; }
"""


def explanation_page(items: Sequence[tuple[Any, str | Path]], path: str | Path, title: str = "explained images") -> Path:
    """One self-contained HTML page: per image its picture (inlined) and its justification in English.

    ``items`` are ``(explanation, picture PNG)`` pairs.
    """
    parts = []
    for explanation, picture in items:
        verdict = explanation.prediction if explanation.prediction is not None else "no class"
        parts.append(f"<h2>{html.escape(explanation.source)}: {html.escape(verdict)} "
                     f"<span class='cnn'>(the CNN says {html.escape(explanation.cnn_prediction)})</span></h2>"
                     f"<img src='{data_uri(picture)}' alt='{html.escape(explanation.id)}'>"
                     f"<pre>{html.escape(explanation.text())}</pre>")
    page = (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>{_PAGE_TAG}"
            f"<title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1>\n" + "\n".join(parts) +
            "\n</body></html>\n")
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    logger.info("wrote %s", path)
    return path
