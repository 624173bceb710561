"""Bad rule files: deep terms, huge numbers, binary and non-UTF-8 text, broken #includes, many errors."""

from __future__ import annotations

import random

import pytest

from nesyasp.cli import main
from nesyasp.errors import ParseError
from nesyasp.lang import check_program, diagnose, parse_atom, parse_file, parse_program, parse_query, resolve_includes
from nesyasp.lang._depth import MAX_TERM_DEPTH
from nesyasp.lang._recover import parse_program_recovering
from nesyasp.lang.files import read_program_text
from nesyasp.lang.parser import lark_parse_program


def nested(depth: int) -> str:
    return "f(" * depth + "a" + ")" * depth


# ----------------------------------------------------------------- deep terms


def test_terms_nest_up_to_the_limit_and_no_deeper():
    program = parse_program(f"p({nested(MAX_TERM_DEPTH)}).")
    assert str(program) == f"p({nested(MAX_TERM_DEPTH)}).\n"
    check_program(program)
    with pytest.raises(ParseError, match=r"<string>:1:203: error: term nested more than 100 levels deep"):
        parse_program(f"p({nested(MAX_TERM_DEPTH + 1)}).")  # the 101st f( is at column 3 + 2 * 100


def test_very_deep_terms_are_refused_where_the_limit_is_passed():
    for read in (parse_program, lark_parse_program):
        with pytest.raises(ParseError, match=r"^<string>:2:203: error: term nested more than 100") as err:
            read(f"ok.\np({nested(1000)}).\n")
        assert len(str(err.value).splitlines()[1]) < 140  # the long line is cut around the caret
    with pytest.raises(ParseError, match=r"<query>:1:203: error: term nested"):
        parse_query(f"p({nested(1000)})")
    with pytest.raises(ParseError, match=r"<atom>:1:203: error: term nested"):
        parse_atom(f"p({nested(1000)})")


def test_a_long_sum_is_deep_too():
    fine = "p(X) :- q(X), X = 1" + "+1" * MAX_TERM_DEPTH + "."
    assert parse_program(fine) == lark_parse_program(fine)
    with pytest.raises(ParseError, match="term nested more than 100 levels deep"):
        parse_program("p(X) :- q(X), X = 1" + "+1" * 5000 + ".")
    with pytest.raises(ParseError, match="term nested"):
        parse_program("p(" + "-" * 300 + "X) :- q(X).")


@pytest.mark.parametrize("command, depth", [
    ("check", 1_000), ("fmt", 1_000), ("query", 1_000), ("check", 100_000),
    pytest.param("fmt", 100_000, marks=pytest.mark.slow), pytest.param("query", 100_000, marks=pytest.mark.slow)])
def test_deep_terms_on_the_command_line(tmp_path, capsys, command, depth):
    path = tmp_path / "deep.lp"
    path.write_text(f"p({nested(depth)}).\n", encoding="utf-8")
    args = [command, str(path)] + (["-q", "p(X)"] if command == "query" else [])
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert f"{path}:1:203: error: term nested more than 100 levels deep" in out + err
    assert "internal error" not in out + err and "Traceback" not in out + err


# -------------------------------------------------------------- huge numbers


def test_a_million_digit_integer_is_an_error_at_its_position(tmp_path, capsys):
    text = "ok.\np(a, " + "7" * 1_000_000 + ").\n"
    for read in (parse_program, lark_parse_program):
        with pytest.raises(ParseError, match=r"^<string>:2:6: error: number of 1000000 digits: clingo's integers"):
            read(text)
    with pytest.raises(ParseError, match="decimal number of 2001 digits"):
        parse_program("p(X) :- q(X), X > 0." + "5" * 2000 + ".")
    path = tmp_path / "big.lp"
    path.write_text(text, encoding="utf-8")
    for command in (["check", str(path)], ["fmt", str(path)], ["query", str(path), "-q", "p(a,X)"]):
        assert main(command) == 1
        out, err = capsys.readouterr()
        assert f"{path}:2:6: error: number of 1000000 digits" in out + err and "internal error" not in out + err
    assert str(parse_program("p(" + "9" * 100 + ").")) == "p(" + "9" * 100 + ").\n"  # the checks then say why not


# ---------------------------------------------------------- files that are not text


def test_binary_and_non_utf8_files_are_refused_at_the_first_bad_byte(tmp_path, capsys):
    latin = tmp_path / "latin.lp"
    latin.write_bytes("a.\nb(caf\u00e9).\n".encode("latin-1"))
    with pytest.raises(ParseError) as err:
        parse_file(latin)
    assert str(err.value) == f"{latin}:2:6: error: not UTF-8 text: byte 0xe9 (invalid continuation byte); " \
                             "a rule file is UTF-8 text"
    binary = tmp_path / "prog.lp"
    binary.write_bytes(b"a.\nb :- \xc3\xa9c.\x00\x01\x02\xff")
    assert main(["check", str(binary)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{binary}:2:9: error: a binary file (NUL byte), not a rule file"
    assert "\x01" not in out
    bom = tmp_path / "bom.lp"
    bom.write_bytes(b"\xef\xbb\xbfa :- b.\nb.\n")
    assert read_program_text(bom) == "a :- b.\nb.\n"
    with pytest.raises(ParseError, match="a folder, not a rule file"):
        read_program_text(tmp_path)
    with pytest.raises(ParseError, match="cannot read file"):
        read_program_text(tmp_path / "missing.lp")


# ------------------------------------------------------------------ includes


def test_a_cycle_of_includes_names_its_files_in_check_and_query(tmp_path, capsys):
    (tmp_path / "a.lp").write_text('#include "b.lp".\np :- q.\n', encoding="utf-8")
    (tmp_path / "b.lp").write_text('q.\n#include "a.lp".\n', encoding="utf-8")
    a, b = tmp_path / "a.lp", tmp_path / "b.lp"
    message = f"{b}:2:1: error: #include cycle: {a} -> {b} -> {a}"
    with pytest.raises(ParseError) as err:
        resolve_includes(parse_file(a))
    assert str(err.value).splitlines()[0] == message
    assert main(["check", str(a)]) == 1
    assert message in capsys.readouterr().out
    assert main(["query", str(a), "-q", "p"]) == 1
    assert f"ParseError: {message}" in capsys.readouterr().err


@pytest.mark.parametrize("content, reason", [
    (b"topsecret:x:0:0:hunter2:/:/bin/bash\nhunter2:x:1:1::/:/bin/sh\n", "not a rule file, it does not parse (ParseError at"),
    (b"\x7fELF\x02\x01\x01\x00\x00", "a binary file (NUL byte), not a rule file ("),
    (b"a.\n\xff\xfe", "not UTF-8 text: byte 0xff"),
])
def test_an_include_that_is_not_a_rule_file_is_an_error_that_does_not_echo_it(tmp_path, capsys, content, reason):
    (tmp_path / "other").write_bytes(content)
    main_file = tmp_path / "main.lp"
    main_file.write_text('p :- q.\n#include "other".\nq.\n', encoding="utf-8")
    assert main(["check", str(main_file)]) == 1
    out = capsys.readouterr().out
    head = f"{main_file}:2:1: error: #include of 'other': "
    assert any(line.startswith(head) and reason in line for line in out.splitlines()), out
    assert "topsecret" not in out and "hunter2" not in out and "ELF" not in out
    assert main(["query", str(main_file), "-q", "p"]) == 1
    err = capsys.readouterr().err
    assert head in err and "topsecret" not in err and "hunter2" not in err


def test_included_rules_are_checked_with_the_program(tmp_path, capsys):
    (tmp_path / "common.lp").write_text("r(1).\n", encoding="utf-8")
    (tmp_path / "defs.lp").write_text('#include "common.lp".\nq :- not p.\ns(X) :- not t(X).\n', encoding="utf-8")
    (tmp_path / "more.lp").write_text('#include "common.lp".\n', encoding="utf-8")
    main_file = tmp_path / "main.lp"
    main_file.write_text('#include "defs.lp".\n#include "more.lp".\np :- not q.\nu :- r(1), w.\n',
                         encoding="utf-8")
    found = diagnose(parse_file(main_file), example_guard=False)
    codes = sorted(d.code for d in found)
    assert codes == ["SafetyError", "StratificationError", "undefined-predicate", "undefined-predicate"]
    unsafe = next(d for d in found if d.code == "SafetyError")
    assert unsafe.location.begin.file == str(tmp_path / "defs.lp") and unsafe.location.begin.line == 3
    assert len(resolve_includes(parse_file(main_file)).rules) == 5  # common.lp once, as clingo includes it
    assert main(["check", "--clingo", str(main_file), str(tmp_path / "defs.lp")]) == 1
    out = capsys.readouterr().out
    assert out.count("unsafe variable X") == 1  # the finding of an included file is given once
    assert "    s(X) :- not t(X)." in out  # the included file's own line under its message


# ------------------------------------------------------------- many errors


def random_tokens(size: int) -> str:
    """Noise as benchmarks/bench_check_noise.py makes it."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_check_noise.py"
    spec = importlib.util.spec_from_file_location("bench_check_noise", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.noise(size)


def test_recovery_keeps_every_statement_that_parses():
    broken = ["p( :- q.", "a :- b c.", "x :- $.", 'e :- "\\q".', ":- .", "a :- {b.", "r :- s, .", f"d({nested(150)})."]
    good = ["ok(1).", "t(X) :- ok(X), not u(X).", "% note", "v :- not w."]
    rng = random.Random(3)
    for _ in range(30):
        lines = [rng.choice(broken if rng.random() < 0.4 else good) for _ in range(12)]
        text = "\n".join(lines) + "\n"
        read = parse_program_recovering(text)
        kept = "\n".join(line if line in good else "" for line in lines) + "\n"
        assert read.program == parse_program(kept)
        assert [e.location.begin.line for e in read.errors] == [i + 1 for i, ln in enumerate(lines) if ln in broken]
        assert read.stopped is None


def test_check_stops_after_max_errors_and_says_so(tmp_path, capsys):
    path = tmp_path / "random.lp"
    path.write_text(random_tokens(200_000), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if ": error: " in line]) == 20
    assert out[-2].startswith(f"{path}: more than 20 errors: stopped reading at {path}:")
    assert out[-1] == "checked 1 file: more than 20 errors (20 shown), 0 warnings"
    assert main(["check", "--max-errors", "0", "-q", str(path)]) == 1
    total = capsys.readouterr().out.splitlines()
    n = len([line for line in total if ": error: " in line])
    assert n > 100 and total[-1].startswith(f"checked 1 file: {n} errors, ")


def test_check_counts_every_error_but_shows_max_errors(tmp_path, capsys):
    path = tmp_path / "unsafe.lp"
    path.write_text("".join(f"p{i}(X) :- not q(X).\n" for i in range(30)) + "q(1).\n", encoding="utf-8")
    assert main(["check", "--clingo", "--max-errors", "5", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len([line for line in out if ": error: " in line]) == 5
    assert out[-1] == "checked 1 file: 30 errors (5 shown), 0 warnings"


def test_the_fast_reader_scans_in_chunks_and_agrees_with_lark(monkeypatch):
    import nesyasp.lang._fast as fast
    import nesyasp.lang._lexer as lexer

    lines = []
    for i in range(300):
        lines.append(f"target(X,'c{i % 7}') :- {i}(X), not ab{i % 9}(X), attr(X,N), N > {i / 10}.  % r{i}")
        if i % 37 == 0:
            lines.append("%* a block comment\n over\n" + "   several lines\n" * (i % 5) + "*%")
        if i % 53 == 0:
            lines.append("long(X) :- " + ", ".join(f"q{j}(X)" for j in range(60)) + ".")
    text = "\n".join(lines) + "\n"
    reference = lark_parse_program(text)
    monkeypatch.setattr(lexer, "CHUNK", 40)
    monkeypatch.setattr(fast, "_AHEAD", 8)
    reader = fast.Reader(text, "<string>", lexer.Scanner(text))
    statements, failed = reader.statements()
    assert failed is None
    program = parse_program(text)
    assert program == reference and str(program) == str(reference)
    assert [s.loc for s in program.statements] == [s.loc for s in reference.statements]
    assert len(statements) == len(program.rules)


def test_devices_are_not_read(tmp_path, capsys):
    if not __import__("os").path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    with pytest.raises(ParseError, match="/dev/zero: a device, not a rule file"):
        read_program_text("/dev/zero")  # it would never end
    main_file = tmp_path / "main.lp"
    main_file.write_text('#include "/dev/zero".\n', encoding="utf-8")
    assert main(["check", str(main_file)]) == 1
    assert f"{main_file}:1:1: error: #include of '/dev/zero': not a regular file" in capsys.readouterr().out


def test_a_rule_longer_than_a_scanned_chunk_is_read_by_the_fast_reader(monkeypatch):
    import nesyasp.lang._fast as fast
    import nesyasp.lang._lexer as lexer

    monkeypatch.setattr(lexer, "CHUNK", 64)
    monkeypatch.setattr(fast, "_CHUNK", 64)
    text = "a.\np(X) :- " + ", ".join(f"q{i}(X)" for i in range(5000)) + ".\nb.\n"
    reader = fast.Reader(text, "<string>", lexer.Scanner(text))
    statements, failed = reader.statements()
    assert failed is None and len(statements[1].body) == 5000 and statements == list(lark_parse_program(text).rules)


def test_megabytes_of_open_parentheses_stop_at_level_101(tmp_path, capsys):
    path = tmp_path / "open.lp"
    path.write_text("ok.\n" + "p(" * 1_500_000, encoding="utf-8")  # 3 MB on one line, never closed
    for args in (["check", str(path)], ["fmt", str(path)]):
        assert main(args) == 1
        out, err = capsys.readouterr()
        assert f"{path}:2:203: error: term nested more than 100 levels deep" in out + err


def test_one_long_line_of_noise_is_read_only_up_to_max_errors(tmp_path, capsys):
    path = tmp_path / "line.lp"
    path.write_text(random_tokens(2_000_000).replace("%c\n", "").replace("\n", " "), encoding="utf-8")  # no comment
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "checked 1 file: more than 20 errors (20 shown), 0 warnings"
