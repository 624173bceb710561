"""PNG text chunks that mark the pictures nesyasp writes, so that it overwrites only its own.

A picture nesyasp draws (a preview grid, an explanation) carries the text
chunk ``Software: nesyasp <command>``. Before writing over an existing file a
command checks for its own mark: a user's image of the same name never has it.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from PIL import Image
>>> path = Path(tempfile.mkdtemp()) / "p.png"
>>> save_tagged_png(Image.new("RGB", (2, 2)), path, "nesyasp demo")
>>> has_png_tag(path, "nesyasp demo"), has_png_tag(path, "nesyasp explain")
(True, False)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nesyasp.errors import DataError

__all__ = ["TAG_KEY", "has_png_tag", "save_tagged_png"]

#: The PNG text chunk's key (its value names the command that wrote the file).
TAG_KEY = "Software"


def has_png_tag(path: str | Path, value: str) -> bool:
    """True when ``path`` is a PNG whose ``Software`` text chunk is ``value`` (False for anything unreadable)."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.format == "PNG" and im.info.get(TAG_KEY) == value
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False


def save_tagged_png(image: Any, path: str | Path, value: str, compress_level: int = 6) -> None:
    """Write the PIL ``image`` to ``path`` as PNG with the text chunk ``Software: value``.

    Raises
    ------
    DataError
        When the file cannot be written (a folder, a missing folder, no permission).
    """
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(TAG_KEY, value)
    try:
        image.save(path, format="PNG", compress_level=compress_level, pnginfo=info)
    except OSError as exc:
        raise DataError(f"{path}: cannot write the picture ({exc.strerror or exc})") from None
