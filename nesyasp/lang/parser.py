"""Read rule-language text into the AST.

The grammar is ``grammar.lark`` (package data), compiled once on first use
into an LALR(1) parser with an embedded transformer, so no parse tree is
built. Lark's errors are converted into :class:`~nesyasp.errors.ParseError`
in exactly one function, :func:`_convert`.

Examples
--------
>>> program = parse_program("target(X,'bedroom') :- 295(X), not ab1(X), not(N=<0.6).")
>>> print(program, end="")
target(X,bedroom) :- f295(X), not ab1(X), not N<=0.6.
>>> parse_atom("target(img1,X)")
Atom(predicate='target', arguments=(Constant(name='img1'), Variable(name='X')))
"""

from __future__ import annotations

import os
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from lark import Lark, Token
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nesyasp.lang._builder import Builder
from nesyasp.lang._comments import block_comment_errors
from nesyasp.lang._depth import TOO_DEEP, TooDeep
from nesyasp.lang._fast import Fallback, fast_atom, fast_parse, fast_query, gc_paused
from nesyasp.lang.ast import Atom, Comment, Include, Literal, Program, Statement, Unsupported
from nesyasp.lang.files import read_program_text
from nesyasp.lang.includes import expand_includes
from nesyasp.lang.terms import integers_out_of_range, range_message
from nesyasp.errors import Location, ParseError, Position, UnsupportedConstructError, expect_type

__all__ = ["parse_program", "parse_file", "parse_query", "parse_atom", "resolve_includes", "lark_parse_program",
           "TERMINAL_NAMES"]

# How terminals are named in error messages.
TERMINAL_NAMES = {
    "IF": "':-'", "WEAK": "':~'", "COLONCOLON": "'::'", "COLON": "':'", "DOT": "'.'", "DOTDOT": "'..'",
    "_COMMA": "','", "SEMI": "';'", "BAR": "'|'", "LPAR": "'('", "RPAR": "')'", "LBRACE": "'{'",
    "RBRACE": "'}'", "LBRACK": "'['", "RBRACK": "']'", "AT": "'@'", "PLUS": "'+'", "MINUS": "'-'",
    "POW": "'**'", "STAR": "'*'", "SLASH": "'/'", "BACKSLASH": "'\\'", "NOT": "'not'",
    "CMP": "a comparison operator", "BOOL": "#true/#false", "SUPREMUM": "#sup/#inf",
    "AGGREGATE_FUNCTION": "an aggregate function", "OPTIMIZE": "#minimize", "SHOW": "#show",
    "PRED": "#pred", "INCLUDE": "#include", "CONST": "#const", "EXTERNAL": "#external",
    "PROGRAM": "#program", "DEFINED": "#defined", "SCRIPT": "#script", "VARIABLE": "a variable",
    "ANONYMOUS": "'_'", "IDENT": "a name", "DECIMAL": "a number", "INT": "an integer",
    "STRING": "a string", "SQUOTED": "a quoted constant", "$END": "end of input",
}

_lock = threading.RLock()
_state: dict[str, Any] = {}


def _parser() -> tuple[Lark, Builder, list[Token]]:
    """Compile the grammar once (lazily) and return the parser, its transformer and comment sink."""
    if "lark" not in _state:
        comments: list[Token] = []
        builder = Builder()
        grammar = resources.files("nesyasp.lang").joinpath("grammar.lark").read_text(encoding="utf-8")
        lark = Lark(grammar, parser="lalr", lexer="contextual", start=["start", "query", "single_atom"],
                    transformer=builder, propagate_positions=False, maybe_placeholders=False,
                    strict=False, lexer_callbacks={"LINE_COMMENT": comments.append,
                                                  "BLOCK_COMMENT": comments.append,
                                                  "LPAR": builder.open_paren, "RPAR": builder.close_paren})
        _state.update(lark=lark, builder=builder, comments=comments)
    return _state["lark"], _state["builder"], _state["comments"]


def _run(text: str, source: str, start: str) -> tuple[Any, list[Token]]:
    lark, builder, comments = _parser()
    with _lock:
        builder.reset(source, text)
        comments.clear()
        try:
            result = lark.parse(text, start=start)
        except UnexpectedInput as exc:
            raise _convert(exc, text, source) from None
        except LarkError as exc:  # pragma: no cover - grammar bugs only
            raise ParseError(f"cannot parse: {exc}", None, text) from None
        except RecursionError:
            raise ParseError("input nested too deeply to parse", None, text) from None
        found = list(comments)
        comments.clear()
    return result, found


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of input"
    return f"'{token.value}'"


def _expected(names: set[str] | frozenset[str]) -> str:
    shown = sorted({TERMINAL_NAMES.get(n, n) for n in names if n in TERMINAL_NAMES})
    if not shown:
        return ""
    if len(shown) > 6:
        shown = shown[:6] + ["..."]
    return "; expected " + ", ".join(shown)


def _hint(token: Token, expected: frozenset[str]) -> str:
    if token.type == "$END":
        return " (is the last rule missing its '.'?)" if "DOT" in expected else ""
    if token.type in ("LPAR", "COLON") and expected == {"SLASH"}:
        return " (#show names a predicate and its arity only, as in '#show p/1.')"
    if token.type == "COLON":
        return " (conditional literals 'a : b' are not part of the language)"
    if token.type == "SEMI" and "RPAR" in expected and "_COMMA" in expected:
        return " (pools such as p(1;2) are not part of the language: write one fact or rule per value)"
    if token.type == "BAR" and "VARIABLE" in expected:
        return (" (the absolute value |X| is not part of the language: write two rules, "
                "one for X >= 0 with X, one for X < 0 with -X)")
    if token.type in ("IF", "IDENT", "VARIABLE", "INT", "NOT", "SHOW", "PRED", "INCLUDE") \
            and "DOT" in expected and "_COMMA" in expected:
        return " (a missing ',' between literals or a missing '.' after the previous rule?)"
    return ""


#: clingo's directives that the grammar does not read (it reads and names the others)
CLINGO_DIRECTIVES = frozenset({"#heuristic", "#edge", "#project", "#theory", "#script"})
#: clingo's bitwise operators on integers, by character
BITWISE = {"&": "'&' (and)", "?": "'?' (or)", "^": "'^' (exclusive or)", "~": "'~' (complement)"}


def _char_message(text: str, exc: UnexpectedCharacters) -> str:
    rest = text[exc.pos_in_stream:exc.pos_in_stream + 40]
    if rest.startswith("%*"):
        return "unterminated block comment '%*' (close it with '*%')"
    if rest.startswith('"'):
        return "unterminated string (strings end with '\"' on the same line)"
    if rest.startswith("'"):
        return "unterminated quoted constant (it ends with ' on the same line)"
    if rest.startswith("#"):
        word = re.match(r"#\w*", rest).group()  # type: ignore[union-attr]
        if word in CLINGO_DIRECTIVES:
            return f"{word} directive is not supported (the language is one plain normal program)"
        return f"unknown or misplaced directive '{word}'"
    ch = rest[:1]
    if re.match(r"&\w+\s*[({]", rest):
        return "theory atom '&name{...}' is not supported (the language is one plain normal program)"
    if ch in BITWISE:
        return (f"unexpected character {ch!r} (clingo's bitwise operator {BITWISE[ch]} is not part of the language: "
                "compute the value in Python and pass it as a fact)")
    return f"unexpected character {ch!r}" + _expected(exc.allowed or frozenset())


def _convert(exc: UnexpectedInput, text: str, source: str) -> ParseError:
    """The one place where Lark's errors become nesyasp errors."""
    if isinstance(exc, TooDeep):
        return ParseError(TOO_DEEP, exc.where, text)
    line = getattr(exc, "line", 0) or 0
    column = getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedCharacters):
        message = _char_message(text, exc)
        end_col = column + 1
    elif isinstance(exc, (UnexpectedToken, UnexpectedEOF)):
        token = exc.token
        expected = frozenset(exc.expected) if isinstance(exc, UnexpectedToken) else frozenset(exc.expected)
        if token.type == "$END" or not getattr(token, "line", None):
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            end_col = column + 1
        else:
            line, column = token.line, token.column
            end_col = token.end_column if token.end_line == token.line else column + 1
        hint = _hint(token, expected)
        if token.type == "IDENT" and re.fullmatch(r"x[0-9A-Fa-f]+|o[0-7]+|b[01]+", token.value) \
                and text[max(token.start_pos - 1, 0):token.start_pos] == "0":
            hint = (" (hexadecimal, octal and binary numbers such as 0x1F are not part of the language: "
                    "write the number in decimal)")
        shown = _expected(expected) if not hint or token.type == "$END" else ""
        message = f"unexpected {_describe_token(token)}{shown}{hint}"
    else:  # pragma: no cover - lark has no other UnexpectedInput
        message, end_col = str(exc), column + 1
    if line <= 0:
        line, column = 1, 1
    loc = Location(Position(source, line, column), Position(source, line, end_col))
    return ParseError(message, loc, text)


def _comment(tok: Token, source: str) -> Comment:
    value = tok.value
    loc = Location(Position(source, tok.line, tok.column), Position(source, tok.end_line, tok.end_column))
    if value.startswith("%*"):
        return Comment(value[2:-2], True, loc)
    return Comment(value[1:].rstrip("\r"), False, loc)


def _merge(statements: list[Statement], comments: list[Token], source: str) -> tuple[Statement, ...]:
    if not comments:
        return tuple(statements)
    merged: list[Any] = list(statements)
    merged.extend(_comment(tok, source) for tok in comments)
    merged.sort(key=lambda s: (s.loc.begin.line, s.loc.begin.column))
    return tuple(merged)


def parse_program(text: str, source: str = "<string>") -> Program:
    """Parse a rule file's text into a :class:`~nesyasp.lang.ast.Program`.

    Parameters
    ----------
    text:
        The program text (clingo syntax, FOLD-SE-M output accepted).
    source:
        The name used in locations and error messages (a file name).

    Returns
    -------
    Program
        Statements in source order, comments included. Constructs outside the
        language become :class:`~nesyasp.lang.ast.Unsupported` nodes, which
        :func:`~nesyasp.lang.checks.check_program` rejects.

    Raises
    ------
    ParseError
        When the text is not in the syntax; the error carries file:line:col.
    WrongTypeError
        When ``text`` is not a ``str`` (also a ``TypeError``).

    Examples
    --------
    >>> str(parse_program("a :- b, not c.  b."))
    'a :- b, not c.\\nb.\\n'
    """
    expect_type(text, str, "program text (a str; parse_file reads a path)")
    with gc_paused():
        try:
            program = Program(tuple(fast_parse(text, source)), source)
        except (Fallback, RecursionError):
            program = lark_parse_program(text, source)
    errors = block_comment_errors(program.statements, text) if "%*" in text else []
    if errors:
        raise errors[0]
    return program


def lark_parse_program(text: str, source: str = "<string>") -> Program:
    """:func:`parse_program` through the Lark grammar only (the reference reader)."""
    statements, comments = _run(text, source, "start")
    return Program(_merge(statements, comments, source), source)


def parse_file(path: str | Path) -> Program:
    """Read and parse a rule file (UTF-8); the file name appears in every location.

    Parameters
    ----------
    path:
        The rule file (a ``str`` or a path; UTF-8 text).

    Returns
    -------
    Program
        Its statements, each located at ``path:line:col``; ``#include`` s are kept (see :func:`resolve_includes`).

    Raises
    ------
    ParseError
        On a syntax error, or when the file cannot be read or is not UTF-8
        text (see :func:`~nesyasp.lang.files.read_program_text`).
    WrongTypeError
        When ``path`` is neither a ``str`` nor a path (also a ``TypeError``).
    """
    expect_type(path, (str, os.PathLike), "a file path (a str or a Path; parse_program reads text)")
    return parse_program(read_program_text(path), str(path))


def resolve_includes(program: Program, report: Callable[[ParseError], None] | None = None) -> Program:
    """Replace each ``#include "file".`` by the statements of that file, recursively.

    Paths are relative to the including file (or the working folder for a
    program parsed from a string). As in clingo, a file is included once: a
    second ``#include`` of it adds nothing.

    Parameters
    ----------
    program:
        A parsed program.
    report:
        Called with each broken ``#include`` (which is then left out);
        by default the first one is raised.

    Returns
    -------
    Program
        ``program`` with the included files' statements in place of each ``#include``.

    Raises
    ------
    ParseError
        At the ``#include``'s file:line:col, when the file is missing, a
        folder, unreadable, not UTF-8 text, binary, not in the syntax
        (named, not echoed), or closes a cycle of includes (the files on the
        cycle are named).
    """
    expect_type(program, Program, "a Program (parse_program or parse_file gives one)")
    if not any(type(s) is Include for s in program.statements):
        return program

    def fail(error: ParseError) -> None:
        if report is None:
            raise error
        report(error)

    return expand_includes(program, parse_program, fail)


def _reject(node: Unsupported, text: str) -> UnsupportedConstructError:
    return UnsupportedConstructError(f"{node.construct} is not supported here", node.loc, text)


def parse_query(text: str, source: str = "<query>") -> tuple[Literal, ...]:
    """Parse a query: a conjunction of literals such as ``target(img1,X), not ab1(img1)``.

    A final ``.`` is optional. Raises ParseError or UnsupportedConstructError (WrongTypeError
    when ``text`` is not a ``str``).

    Parameters
    ----------
    text:
        The query, literals separated by commas.
    source:
        The name in error locations.

    Returns
    -------
    tuple of Literal
        The query's literals, in order.

    >>> [str(l) for l in parse_query("target(img,X), not ab(img)")]
    ['target(img,X)', 'not ab(img)']
    """
    expect_type(text, str, "query text (a str such as 'target(img1,X)')")
    try:
        return _in_range(fast_query(text, source), text)
    except (Fallback, RecursionError):
        pass
    literals, _ = _run(text, source, "query")
    for lit in literals:
        if isinstance(lit, Unsupported):
            raise _reject(lit, text)
    return _in_range(tuple(literals), text)


def _in_range(literals: tuple[Literal, ...], text: str) -> tuple[Literal, ...]:
    """``literals``, or the error for their first integer outside clingo's 32 bits (as ``nesyasp check``'s)."""
    for lit in literals:
        terms = lit.atom.arguments if isinstance(lit.atom, Atom) else (lit.atom.left, lit.atom.right)
        for term in terms:
            for number in integers_out_of_range(term):
                raise UnsupportedConstructError(range_message(number), number.loc, text)
    return literals


def parse_atom(text: str, source: str = "<atom>") -> Atom:
    """Parse one atom such as ``target(img1,bedroom)`` (a final ``.`` is optional).

    Parameters
    ----------
    text:
        The atom's text.
    source:
        The name in error locations.

    Returns
    -------
    Atom
        The atom (a numeric predicate name such as ``295`` becomes ``f295``).

    >>> str(parse_atom("295(img_3)"))
    'f295(img_3)'
    """
    expect_type(text, str, "an atom's text (a str such as 'p(a)')")
    try:
        atom = fast_atom(text, source)
    except (Fallback, RecursionError):
        atom, _ = _run(text, source, "single_atom")
        if isinstance(atom, Unsupported):
            raise _reject(atom, text)
    _in_range((Literal(atom),), text)
    return atom
