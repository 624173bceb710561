"""Commands that messages tell the user to run can be pasted into a shell as they are, whatever the path."""

from __future__ import annotations

import shlex

import pytest

from nesyasp._paths import said_command
from nesyasp.errors import DataError
from nesyasp.label.files import read_labels
from nesyasp.label.runreport import run_report


@pytest.mark.parametrize("name", ["plain", "my runs", "it's", "a$b"])
def test_said_command_is_one_shell_command(name):
    said = said_command("nesyasp", "extract", f"runs/{name}")
    assert said[0] == said[-1] in "'\""
    assert shlex.split(said[1:-1]) == ["nesyasp", "extract", f"runs/{name}"]


@pytest.mark.parametrize("name", ["my runs", "it's"])
def test_messages_quote_paths_as_shell_words(tmp_path, name):
    run = tmp_path / name
    run.mkdir()
    with pytest.raises(DataError) as exc:
        run_report(run)
    said = str(exc.value).split("; run ", 1)[1].rsplit(" first", 1)[0]
    assert shlex.split(said[1:-1]) == ["nesyasp", "extract", str(run)]
    with pytest.raises(DataError) as exc:
        read_labels(run)
    said = str(exc.value).split("; run ", 1)[1]
    assert shlex.split(said[1:-1]) == ["nesyasp", "label", str(run)]
