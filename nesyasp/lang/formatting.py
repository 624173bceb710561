"""Canonical text of a program for ``nesyasp fmt``.

``str(program)`` prints one statement per line. :func:`format_program` prints
the same statements and, where the program carries source positions, keeps
the layout a reader cares about: blank lines between groups of statements and
comments that end a rule's line. The result parses back to the same AST.

>>> from nesyasp.lang.parser import parse_program
>>> print(format_program(parse_program("a:-b.   % why\\n\\n\\nb.")), end="")
a :- b.  % why
<BLANKLINE>
b.
"""

from __future__ import annotations

from nesyasp.errors import UnsupportedConstructError
from nesyasp.lang.ast import Comment, Program, Unsupported

__all__ = ["format_program", "has_unsupported", "unsupported_error"]


def has_unsupported(program: Program) -> bool:
    """True when a statement holds a construct outside the language."""
    return any(isinstance(part, Unsupported) for rule in program.rules for part in (rule.head, *rule.body))


def unsupported_error(program: Program, text: str | None = None) -> UnsupportedConstructError | None:
    """The error ``nesyasp check`` gives for the first construct outside the language, or None.

    Parameters
    ----------
    program:
        A parsed program.
    text:
        Its source text, for the caret line of the message.
    """
    from nesyasp.lang.checks import unsupported_diagnostic

    for rule in program.rules:
        for part in (rule.head, *rule.body):
            if isinstance(part, Unsupported):
                found = unsupported_diagnostic(part)
                return UnsupportedConstructError(found.message, found.location, text)
    return None


def format_program(program: Program) -> str:
    """Canonical clingo text of ``program``, keeping blank lines and end-of-line comments.

    Parameters
    ----------
    program:
        A parsed (or built) program; statements without positions are printed
        one per line.
    """
    out: list[str] = []
    prev_end = 0
    for stmt in program.statements:
        begin = stmt.loc.begin.line
        text = str(stmt)
        trailing = isinstance(stmt, Comment) and not stmt.block and out and 0 < prev_end == begin
        if trailing:
            out[-1] += "  " + text
        else:
            if out and prev_end > 0 and begin > prev_end + 1:
                out.append("")
            out.append(text)
        prev_end = stmt.loc.end.line
    return "".join(line + "\n" for line in out)
