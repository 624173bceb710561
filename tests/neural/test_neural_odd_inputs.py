"""Inputs the system will not read (permissions, I/O errors) given to ``explain`` and ``train``: named, never
silently left out, no half-made run folder (permissions are simulated: the tests may run as root)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nesyasp.errors import DataError


def test_a_sub_folder_that_cannot_be_listed_is_named_not_silently_left_out(tmp_path, monkeypatch):
    from nesyasp.neural.images import image_paths, read_image

    for name in ("a/1.png", "b/2.png", "c/3.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((6, 6, 3), 9, np.uint8)).save(tmp_path / name)
    locked = tmp_path / "b"
    real_scandir = os.scandir

    def scandir(path="."):  # os.walk lists folders with os.scandir: as without read permission
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != locked)
    paths = image_paths([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == ["a/1.png", "b", "c/3.png"]  # b was dropped
    with pytest.raises(DataError, match=r"/b: a folder that cannot be read \(permission denied: check its "
                                        r"permissions\); its images are left out"):
        read_image(paths[1], 8)


def test_a_file_whose_kind_cannot_be_looked_at_is_named(tmp_path, monkeypatch):
    from nesyasp.neural.images import read_image

    locked = tmp_path / "x.png"
    real_stat = os.stat

    def stat(path, *args, **kwargs):  # in a folder that can be listed but not entered (r, no x)
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    with pytest.raises(DataError, match=r"x\.png: cannot read the image \(permission denied: check its permissions\)"):
        read_image(locked, 8)  # was a PermissionError out of Path.is_file


def test_a_run_whose_data_cannot_be_read_by_the_system_leaves_no_run_folder(tmp_path, monkeypatch):
    import importlib

    from nesyasp.neural.config import TrainConfig

    train_module = importlib.import_module("nesyasp.neural.train")  # the module: the package exports train()

    def load_splits(config):
        raise OSError(5, "Input/output error", "/mnt/usb/cats/im1.png")

    monkeypatch.setattr(train_module, "load_splits", load_splits)
    with pytest.raises(OSError, match="Input/output error"):
        train_module.train(TrainConfig(data=str(tmp_path), epochs=1), tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()


def test_files_of_a_folder_that_are_not_images_are_named_system_files_are_not(tmp_path, caplog):
    from nesyasp.neural.images import image_paths

    Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(tmp_path / "a.png")
    for name in ("b.heic", "c.HEIC", "Thumbs.db", "desktop.ini", "._a.png", ".DS_Store"):
        (tmp_path / name).write_bytes(b"\x00" * 8)
    with caplog.at_level("WARNING", logger="nesyasp.neural.images"):
        assert image_paths([tmp_path]) == [tmp_path / "a.png"]
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path}: 2 files not read (suffix .heic; images are .png/.jpg/.jpeg/.jfif/.ppm/.pgm/.pbm/.pnm/.bmp/.gif/"
        f".tif/.tiff/.webp files): {tmp_path / 'b.heic'}, {tmp_path / 'c.HEIC'}"]  # were skipped without a word
