"""``nesyasp check`` and ``nesyasp fmt``."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from nesyasp.cli import main
from nesyasp.lang import parse_program

FOLD = "target(X,'bedroom') :- 295(X),not ab1(X).   % r1\n\n\nab1(X,'True'):-f3(X), not(N=<0.6), a(X,N).\n"


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.lp"
    good.write_text("a :- b.\nb.\n", encoding="utf-8")
    fold = tmp_path / "fold.lp"
    fold.write_text(FOLD, encoding="utf-8")
    bad = tmp_path / "bad.lp"
    bad.write_text("p(X) :- not q(X).\n{a}.\nr :- not r.\n", encoding="utf-8")
    syntax = tmp_path / "syntax.lp"
    syntax.write_text("a :- b\n", encoding="utf-8")
    return good, fold, bad, syntax


def test_check_clean_file(files, capsys):
    assert main(["check", str(files[0])]) == 0
    assert capsys.readouterr().out.strip() == "checked 1 file: 0 errors, 0 warnings"


def test_check_notes_fold_rules_as_the_reasoner_runs_them(tmp_path, capsys):
    raw = tmp_path / "nesyfold.lp"  # NeSyFOLD's raw output, pasted as it is
    raw.write_text("target(X,'bathroom') :- not 398(X), not ab1(X).\nab1(X) :- 12(X).\n"
                   "target(X,'bedroom') :- not 7(X).\n", encoding="utf-8")
    assert main(["check", str(raw)]) == 0
    out = capsys.readouterr().out
    assert f"{raw}:1:8: note: X occurs only under 'not' in this rule (and 1 more rule)" in out
    assert out.strip().splitlines()[-1] == "checked 1 file: 0 errors, 3 warnings, 1 note"
    assert main(["check", "--clingo", str(raw)]) == 1
    assert "2 errors" in capsys.readouterr().out


def test_check_prints_every_diagnostic_with_caret_and_summary(files, capsys):
    good, fold, bad, syntax = files
    assert main(["check", "--clingo", str(fold), str(bad), str(syntax)]) == 1
    out = capsys.readouterr().out.splitlines()
    unsafe = (f"{bad}:1:3: error: unsafe variable X in rule: add a positive body atom that binds it "
              "(a FOLD-style rule on the example variable: plain clingo needs _example(X) in the body)")
    assert unsafe in out
    assert any(line.startswith(f"{bad}:2:1: error: choice rule is not supported") for line in out)
    assert any(line.startswith(f"{bad}:3:6: error: the program is not stratified") for line in out)
    assert any(line.startswith(f"{syntax}:1:7: error: unexpected end of input") for line in out)
    assert any(line.startswith(f"{fold}:1:24: warning: predicate f295/1") for line in out)
    i = out.index(unsafe)
    assert out[i + 1].strip() == "p(X) :- not q(X)." and out[i + 2].index("^") == out[i + 1].index("X")
    assert out[-1].startswith("checked 3 files: 4 errors, ")


def test_check_options(files, capsys):
    fold = files[1]
    assert main(["check", "--strict", str(fold)]) == 1
    assert main(["check", "--quiet", str(fold)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("warnings")
    assert main(["check", str(files[0].parent / "missing.lp")]) == 1
    assert "cannot read file" in capsys.readouterr().out


def test_fmt_prints_canonical_text(files, capsys):
    assert main(["fmt", str(files[1])]) == 0
    out = capsys.readouterr().out
    assert out == ('target(X,bedroom) :- f295(X), not ab1(X).  % r1\n\n'
                   'ab1(X,"True") :- f3(X), not N<=0.6, a(X,N).\n')
    assert parse_program(out) == parse_program(FOLD)


def test_fmt_in_place_and_check(files, capsys):
    good, fold = files[0], files[1]
    fold.chmod(0o640)
    assert main(["fmt", "--check", str(good), str(fold)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == f"would reformat {fold}"
    assert main(["fmt", "--in-place", str(fold)]) == 0
    assert stat.S_IMODE(fold.stat().st_mode) == 0o640
    assert main(["fmt", "--check", str(good), str(fold)]) == 0
    text = fold.read_text()
    assert main(["fmt", "-i", str(fold)]) == 0 and fold.read_text() == text  # idempotent
    assert [p.name for p in fold.parent.iterdir() if p.name.startswith(".")] == []


def test_fmt_refuses_bad_files_without_touching_any(files, capsys):
    good, fold, bad, syntax = files
    before = fold.read_text()
    assert main(["fmt", "-i", str(fold), str(syntax)]) == 1
    assert fold.read_text() == before
    err = capsys.readouterr().err
    assert err.startswith("ParseError: ") and "Traceback" not in err
    assert main(["fmt", str(bad)]) == 1
    assert "UnsupportedConstructError" in capsys.readouterr().err


def test_cli_runs_as_a_module(files):
    out = subprocess.run([sys.executable, "-m", "nesyasp", "check", str(files[3])], capture_output=True,
                         text=True)
    assert out.returncode == 1 and "Traceback" not in out.stdout + out.stderr
    assert out.stdout.splitlines()[0].endswith("error: unexpected end of input; expected '.' "
                                               "(is the last rule missing its '.'?)")


def test_check_goes_on_after_syntax_errors(tmp_path, capsys):
    path = tmp_path / "multi.lp"
    path.write_text("a :- b\nc.\np(X :- q.\nok(1).\nr :- s, .\nt :- ok(1), not u(1).\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    heads = [line for line in out if line.startswith(str(path))]
    assert [h.split(": ")[0].rsplit(":", 2)[1:] for h in heads] == [["2", "1"], ["3", "5"], ["5", "9"], ["6", "17"]]
    assert "warning: predicate u/1" in heads[-1]
    assert out[-1] == "checked 1 file: 3 errors, 1 warning"


def test_fmt_in_place_keeps_a_symbolic_link_and_a_file_with_a_syntax_error(tmp_path, capsys):
    target = tmp_path / "rules.lp"
    target.write_text("a:-b.\nb.\n", encoding="utf-8")
    link = tmp_path / "link.lp"
    link.symlink_to(target)
    syntax = tmp_path / "syntax.lp"
    syntax.write_text("c :- d\n", encoding="utf-8")
    assert main(["fmt", "-i", str(link), str(syntax)]) == 1
    assert "ParseError: " in capsys.readouterr().err
    assert target.read_text() == "a:-b.\nb.\n" and syntax.read_text() == "c :- d\n"
    assert main(["fmt", "-i", str(link)]) == 0
    assert link.is_symlink() and target.read_text() == "a :- b.\nb.\n"


def test_a_file_in_the_way_of_an_output_folder_is_explained(tmp_path, capsys):
    from nesyasp.cli import main

    (tmp_path / "rules.lp").write_text("a.\n")
    assert main(["data", "preview", "scenes", "--out", str(tmp_path / "rules.lp" / "grid.png")]) == 1
    err = capsys.readouterr().err
    assert "rules.lp is a file, not a folder" in err and "internal error" not in err
    assert main(["data", "preview", "scenes", "--out", "/nonexistent/x.png"]) == 1  # as learn -o refuses it
    err = capsys.readouterr().err
    assert err.startswith("DataError: /nonexistent/x.png: no folder to write the preview into: /nonexistent does")
    assert not __import__("os").path.exists("/nonexistent")


def test_several_files_are_checked_as_one_program(tmp_path, capsys):
    from nesyasp.cli import main

    (tmp_path / "a.lp").write_text("p(X) :- q(X), not r(X).\nr(X) :- q(X), not s(X).\n")
    (tmp_path / "b.lp").write_text("q(1).\ns(X) :- q(X), not p(X).\n")
    (tmp_path / "c.lp").write_text("q(1).\ns(2).\n")
    assert main(["check", str(tmp_path / "a.lp")]) == 0
    assert capsys.readouterr().out.count("never defined") == 2
    assert main(["check", str(tmp_path / "a.lp"), str(tmp_path / "c.lp")]) == 0  # c.lp defines q and s
    assert "never defined" not in capsys.readouterr().out
    assert main(["check", str(tmp_path / "a.lp"), str(tmp_path / "b.lp")]) == 1  # a cycle through both files
    out = capsys.readouterr().out
    assert out.count("not stratified") == 1 and "a.lp:1:15: error" in out and "checked 2 files: 1 error" in out
    assert main(["check", str(tmp_path / "b.lp"), str(tmp_path / "a.lp")]) == 1
    assert capsys.readouterr().out.count("not stratified") == 1


def test_a_table_given_as_a_rule_file_says_what_reads_tables(tmp_path, capsys):
    from nesyasp.cli import main

    table = tmp_path / "my table.csv"
    table.write_text("id,age,label\n1,70,yes\n")
    for command in (["check"], ["fmt"]):
        assert main(command + [str(table)]) == 1
        out, err = capsys.readouterr()
        said = out + err
        assert "a table, not a rule or fact file" in said and f"\"nesyasp learn '{table}'\"" in said


def test_each_checks_independent_files_apart(tmp_path, capsys):
    from nesyasp.cli import main

    (tmp_path / "a.lp").write_text("p(X) :- q(X), not r(X).\nr(X) :- q(X), not s(X).\n")
    (tmp_path / "b.lp").write_text("q(1).\ns(X) :- q(X), not p(X).\n")
    assert main(["check", "--each", str(tmp_path / "a.lp"), str(tmp_path / "b.lp")]) == 0
    out = capsys.readouterr().out
    assert "not stratified" not in out and out.count("never defined") == 3  # q/1, s/1 in a.lp; p/1 in b.lp
