"""Users' folders at scale: unique and stable ids, image kinds, workers, and what `data check` notes."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from PIL import Image

from nesyasp.cli import main
from nesyasp.data import load_dataset, load_image_folder
from nesyasp.data.check import scan_image_folder
from nesyasp.data.folder import read_images
from nesyasp.data.ids import path_id
from nesyasp.errors import DataError
from nesyasp.neural.binarize import asp_id


def _png(path: Path, value: int = 100, size: tuple[int, int] = (12, 12), mode: str = "RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "RGB":
        Image.new("RGB", size, (value, 50, 200)).save(path)
    elif mode == "RGBA":
        Image.new("RGBA", size, (value, 50, 200, 128)).save(path)
    elif mode == "L":
        Image.new("L", size, value).save(path)
    else:  # 16-bit grey
        Image.fromarray(np.full(size[::-1], value * 257, np.uint16)).save(path)
    return path


def test_the_issue_names_get_distinct_stable_asp_ids(tmp_path):
    root = tmp_path / "d"
    for name in ("A b.png", "a-b.png", "a_b.png", "c.png"):
        _png(root / "cat" / name)
    for name in ("é.png", "x.png"):
        _png(root / "dog" / name)
    s = load_image_folder(root, size=8)
    assert len(set(s.ids)) == len(s.ids) == 6
    assert s.ids[2:5] == ("cat_a_b", "cat_c", "dog_x")  # sorted: x.png before é.png
    assert s.ids[0].startswith("cat_A_b_h") and s.ids[1].startswith("cat_a_b_h") and s.ids[5].startswith("dog_e_h")
    assert all(asp_id(i) == i for i in s.ids)  # already ASP constants: the facts use them as they are
    again = load_image_folder(root, size=8, classes=["dog"])
    assert again.ids == s.ids[4:]  # an id does not depend on which images were chosen
    assert path_id(PurePosixPath("cat/A b.png")) == s.ids[0]


def test_same_stems_take_their_suffix_and_true_collisions_are_refused(tmp_path):
    root = tmp_path / "d"
    _png(root / "cat" / "a.png")
    _png(root / "cat" / "a.jpg")
    _png(root / "dog" / "a.png")
    s = load_image_folder(root, size=8)
    assert s.ids == ("cat_a_jpg", "cat_a_png", "dog_a")
    _png(root / "cat_a" / "png.png")  # cat_a/png.png -> cat_a_png, as cat/a.png
    with pytest.raises(DataError, match=r"cat/a.png and .*cat_a/png.png would both get the image id 'cat_a_png'"):
        load_image_folder(root, size=8)
    report = scan_image_folder(root)
    assert any("would all get the image id 'cat_a_png'" in p for p in report.problems)


def test_split_folders_name_the_split_in_the_ids(tmp_path):
    root = tmp_path / "d"
    for split in ("train", "test"):
        for c in ("cat", "dog"):
            _png(root / "images" / split / c / "1.png")
    train, test = load_dataset(str(root), "train", size=8), load_dataset(str(root), "test", size=8)
    assert train.ids == ("train_cat_1", "train_dog_1") and test.ids == ("test_cat_1", "test_dog_1")


def test_grey_rgba_and_16_bit_images_are_read_as_8_bit_rgb_and_noted(tmp_path):
    root = tmp_path / "d"
    _png(root / "cat" / "rgb.png", 100)
    _png(root / "cat" / "grey.png", 100, mode="L")
    _png(root / "cat" / "alpha.png", 100, mode="RGBA")
    _png(root / "cat" / "wide.png", 100, mode="I;16")
    _png(root / "dog" / "a.png")
    s = load_image_folder(root, size=4)
    pixel = {i: s.images[k, 0, 0].tolist() for k, i in enumerate(s.ids)}
    assert pixel["cat_wide"] == [100, 100, 100] and pixel["cat_grey"] == [100, 100, 100]
    assert pixel["cat_alpha"] == [100, 50, 200]
    report = scan_image_folder(root)
    text = "\n".join(report.notes)
    assert report.problems == [] and "1 16-bit image" in text and "1 grey image" in text and "1 RGBA" in text


def test_check_notes_size_outliers_imbalance_and_hashed_names(tmp_path, capsys):
    root = tmp_path / "d"
    for k in range(7):
        _png(root / "cat" / f"{k}.png")
    _png(root / "cat" / "big one.png", size=(60, 12))
    _png(root / "dog" / "a.png")
    report = scan_image_folder(root)
    text = "\n".join(report.notes)
    assert report.problems == [], report.problems
    assert "1 image far from the usual size 12x12" in text and "big one.png" in text
    assert "more than twice as wide" in text
    assert "classes are imbalanced: cat has 8 images, dog 1" in text
    assert "1 file name not made of ASCII letters" in text and "-> cat_big_one_h" in text
    assert main(["data", "check", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.count("note: ") == 5 and "ok: no problems found" in out
    assert "class 'dog' has 1 image, too few to train on" in out


def test_worker_processes_read_what_one_process_reads(tmp_path):
    rng = np.random.default_rng(0)
    jobs = []
    for k in range(400):
        path = tmp_path / f"{k:03d}.png"
        Image.fromarray(rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)).save(path)
        jobs.append((str(path), None))
    serial, _ = read_images(jobs, 4, workers=1)
    parallel, masks = read_images(jobs, 4, workers=2)
    assert masks is None and np.array_equal(serial, parallel)
    (tmp_path / "bad.png").write_bytes(b"no image")
    with pytest.raises(DataError, match="bad.png: cannot read the image"):
        read_images(jobs + [(str(tmp_path / "bad.png"), None)], 4, workers=2)
