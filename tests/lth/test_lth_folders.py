"""An LTH run folder given to the commands of 'nesyasp train' folders says what it is and where its results are."""

from __future__ import annotations

import pytest

from nesyasp.cli import main


@pytest.mark.parametrize("command", [["extract"], ["evaluate"], ["label"], ["report"], ["explain", "IMAGE"]])
def test_commands_for_train_folders_name_an_lth_folder(tmp_path, capsys, command) -> None:
    # they said "not a finished run folder (config.json or checkpoint.pt missing)", or
    # (report) "no rules.lp yet; run 'nesyasp extract' first", which cannot work on an LTH folder
    out = tmp_path / "lth"
    (out / "checkpoints").mkdir(parents=True)
    (out / "checkpoints" / "round_0.pt").write_bytes(b"")
    (out / "config.json").write_text('{"rounds": 2, "prune": {}, "tcav": {}}')
    (out / "facts.lp").write_text("round(0,100).\n")
    image = tmp_path / "x.png"
    argv = [command[0], str(out)] + [str(image) for _ in command[1:]]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"DataError: {out}: a folder of 'nesyasp lth' (pruning rounds); this command takes a run "
                          "folder of 'nesyasp train'"), err
    assert f"nesyasp query {out / 'facts.lp'} programs/lth.lp" in err
