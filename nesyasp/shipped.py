"""The ASP programs shipped with nesyasp (the repository's top-level ``programs/`` folder).

In a source checkout (and an editable install) they are read from
``programs/`` beside the ``nesyasp`` package; an installed wheel carries the
same files as package data in ``nesyasp/programs/``. ``nesyasp query``,
``nesyasp check`` and ``nesyasp fmt`` (not ``--in-place``) read
``programs/NAME.lp`` as the shipped program from any working directory
(:func:`resolve_program`).

>>> shipped_program("lth").name
'lth.lp'
"""

from __future__ import annotations

from pathlib import Path

from nesyasp.errors import NesyaspError

__all__ = ["programs_dir", "resolve_program", "shipped_program", "shipped_programs"]


def programs_dir() -> Path:
    """The folder that holds the shipped ``.lp`` programs.

    Raises
    ------
    NesyaspError
        When neither the installed nor the source folder exists (a broken install).
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "programs", package.parent / "programs"):
        if candidate.is_dir() and any(candidate.glob("*.lp")):
            return candidate
    raise NesyaspError(f"the shipped programs are missing (looked in {package / 'programs'} and "
                       f"{package.parent / 'programs'}); reinstall nesyasp")


def shipped_programs() -> list[Path]:
    """Every shipped program, sorted by name."""
    return sorted(programs_dir().glob("*.lp"))


def shipped_program(name: str) -> Path:
    """The shipped program ``name`` (``lth`` or ``lth.lp``).

    Raises
    ------
    NesyaspError
        For a name that is not shipped (the message lists those that are).
    """
    stem = name[:-3] if name.endswith(".lp") else name
    path = programs_dir() / f"{stem}.lp"
    if not path.is_file():
        names = ", ".join(p.stem for p in shipped_programs())
        raise NesyaspError(f"no shipped program {stem!r}; shipped: {names}")
    return path


def resolve_program(path: str | Path) -> Path:
    """``path``, or the shipped program it names.

    ``programs/NAME.lp`` that is not a file relative to the current folder
    names the program ``NAME`` shipped with nesyasp, when there is one; any
    other path is returned as it is.

    >>> resolve_program("rules.lp")
    PosixPath('rules.lp')
    """
    given = Path(path)
    if given.is_file() or len(given.parts) != 2 or given.parts[0] != "programs" or given.suffix != ".lp":
        return given
    shipped = programs_dir() / given.name
    return shipped if shipped.is_file() else given
