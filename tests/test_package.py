"""The package shell: lazy imports, the error tree, the AST printer, the CLI dispatcher."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nesyasp.cli import build_parser, main
from nesyasp.lang.ast import (Atom, BinaryOperation, Comparison, Constant, Integer, Literal, Program,
                              Real, Rule, Variable)
from nesyasp.errors import Location, ParseError, Position, NesyaspError, StratificationError


def test_import_is_cheap_and_torch_free():
    code = "import sys, nesyasp, nesyasp.lang.ast; assert 'torch' not in sys.modules; print(nesyasp.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().count(".") == 2


@pytest.mark.parametrize("module", ["nesyasp.lang", "nesyasp.reason", "nesyasp.learn", "nesyasp.lth"])
def test_symbolic_layers_and_lazy_packages_do_not_import_torch(module):
    code = f"import sys, {module}; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_help_does_not_import_torch():
    code = ("import sys; from nesyasp.cli import build_parser; build_parser(); "
            "assert 'torch' not in sys.modules, 'nesyasp --help imports torch'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error():
    import nesyasp

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        nesyasp.nope  # noqa: B018


def test_rule_prints_canonical_clingo_syntax():
    x = Variable("X")
    rule = Rule(Atom("target", (x, Constant("bedroom"))),
                (Literal(Atom("bed1", (x,))), Literal(Atom("ab1", (x,)), negated=True),
                 Literal(Comparison("<=", Variable("N"), Real("0.6")), negated=True)))
    assert str(rule) == "target(X,bedroom) :- bed1(X), not ab1(X), not N<=0.6."
    assert str(Rule(Atom("a"), ())) == "a."
    assert str(Rule(None, (Literal(Atom("a")),))) == ":- a."


def test_arithmetic_prints_parentheses_only_where_needed():
    a, b, c = Variable("A"), Variable("B"), Variable("C")
    assert str(BinaryOperation("*", BinaryOperation("+", a, b), c)) == "(A+B)*C"
    assert str(BinaryOperation("+", a, BinaryOperation("*", b, c))) == "A+B*C"
    assert str(BinaryOperation("-", a, BinaryOperation("-", b, Integer(1)))) == "A-(B-1)"


def test_locations_stay_out_of_equality():
    here = Location(Position("f.lp", 3, 1), Position("f.lp", 3, 4))
    assert Atom("a", (), loc=here) == Atom("a", ())
    assert hash(Atom("a", (), loc=here)) == hash(Atom("a", ()))
    program = Program((Rule(Atom("a")),), source="x.lp")
    assert program == Program((Rule(Atom("a")),), source="y.lp")
    assert str(program + program) == "a.\na.\n"


def test_error_message_carries_position_and_caret():
    text = "a :- b.\nfoo(X :- c.\n"
    err = ParseError("expected ')'", Location(Position("rules.lp", 2, 7), Position("rules.lp", 2, 9)), text)
    lines = str(err).splitlines()
    assert lines[0] == "rules.lp:2:7: error: expected ')'"
    assert lines[1].strip() == "foo(X :- c."
    assert lines[2].index("^") - lines[1].index("f") == 6
    assert isinstance(StratificationError("cycle", cycle=("p", "q")), NesyaspError)


def test_cli_lists_commands_and_reports_bad_usage(capsys):
    parser = build_parser()
    assert "usage" in parser.format_help()
    with pytest.raises(SystemExit) as exc:
        main(["--no-such-flag"])
    assert exc.value.code == 2


def test_debug_and_verbose_go_before_or_after_the_command():
    parser = build_parser()  # `nesyasp check -v x.lp` was "unrecognized arguments: -v" (--debug worked there)
    for argv in (["-vv", "--debug", "check", "x.lp"], ["check", "-vv", "--debug", "x.lp"]):
        args = parser.parse_args(argv)
        assert (args.verbose, args.debug) == (2, True), argv
    assert parser.parse_args(["check", "x.lp"]).verbose == 0


def test_examples_use_only_public_modules():
    """A user copies the examples: they import no private module (``nesyasp._x`` or ``nesyasp.a._x``)."""
    import ast
    from pathlib import Path

    private = []
    for path in sorted((Path(__file__).resolve().parents[1] / "examples").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            private += [f"{path.name}: {n}" for n in names
                        if n.startswith("nesyasp.") and any(p.startswith("_") for p in n.split(".")[1:])]
    assert private == []


def test_interrupt_is_public_and_a_ctrl_c_inside_is_raised_after_the_block():
    import os
    import signal

    from nesyasp.interrupt import deferred_interrupt

    after = []
    with pytest.raises(KeyboardInterrupt):
        with deferred_interrupt():
            os.kill(os.getpid(), signal.SIGINT)
            after.append("the block ran on")
    assert after == ["the block ran on"] and signal.getsignal(signal.SIGINT) is signal.default_int_handler


# Each sub-command that imports torch (USES_TORCH), with arguments that parse.
_TORCH_COMMANDS = {"train": [], "extract": ["run"], "evaluate": ["run"], "label": ["run"],
                   "explain": ["run", "photo.png"], "experiment": [], "lth": [], "pretrain": []}


def test_torch_commands_without_torch_say_how_to_install_it(monkeypatch, capsys):
    """`pip install nesyasp` without the neural extra: the torch commands name the extra, not 'a bug in nesyasp'."""
    from nesyasp.cli import _command_modules
    from nesyasp.errors import MissingDependencyError
    from nesyasp.interrupt import import_torch

    assert {m.NAME for m in _command_modules() if getattr(m, "USES_TORCH", False)} == set(_TORCH_COMMANDS)
    monkeypatch.setitem(sys.modules, "torch", None)  # what an install without torch gives `import torch`
    for name, args in _TORCH_COMMANDS.items():
        assert main([name, *args]) == 1, name
        err = capsys.readouterr().err
        assert err.startswith("MissingDependencyError: torch is not installed here") and \
            "pip install 'nesyasp[neural]'" in err and "bug" not in err, (name, err)
    with pytest.raises(ImportError, match=r"nesyasp\[neural\]"):  # also an ImportError for Python callers
        import_torch()
    assert issubclass(MissingDependencyError, NesyaspError)


def test_every_example_answers_help_from_any_folder_and_runs_nothing(tmp_path):
    """`python examples/X.py --help` prints the usage (demo.py and figure3.py ran their whole work, the demo
    deleting runs/demo first)."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    scripts = sorted((root / "examples").glob("*.py"))
    env = dict(os.environ, PYTHONPATH=str(root))
    procs = {s.name: subprocess.Popen([sys.executable, str(s), "--help"], cwd=tmp_path, env=env, text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in scripts}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.startswith(f"usage: {name}") and err == "", (name, out[:300], err)
        assert "== " not in out, f"{name} --help ran the example"
    assert {"demo.py", "figure3.py"} <= set(procs) and list(tmp_path.iterdir()) == []


def test_the_pipeline_example_prints_a_command_a_shell_takes():
    import importlib.util
    import shlex
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "pipeline.py"
    spec = importlib.util.spec_from_file_location("pipeline_example_line", path)
    pipeline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pipeline)
    run = Path("my runs/névé")
    line = pipeline.query_command(run / "rules.lp", run / "facts" / "test.lp", "test_0000")
    assert shlex.split(line) == ["nesyasp", "query", "my runs/névé/rules.lp", "my runs/névé/facts/test.lp",
                                 "-q", "target(test_0000,X)", "--explain"]
    build_parser().parse_args(shlex.split(line)[1:])
