"""Odd files in users' folders: system files, other suffixes, animations, empty and AppleDouble files, folders
and files the system will not read (permissions are simulated: the tests may run as root)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nesyasp.cli import main
from nesyasp.data import load_dataset
from nesyasp.data.check import scan_image_folder
from nesyasp.errors import DataError

#: The first bytes of a macOS AppleDouble file, as macOS writes ``._photo.jpg`` beside ``photo.jpg``.
APPLEDOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(40)


def _folder(root: Path, n: int = 5) -> Path:
    rng = np.random.default_rng(0)
    for c, name in enumerate(("cat", "dog")):
        (root / name).mkdir(parents=True)
        for k in range(n):
            Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).save(root / name / f"im{k}.png")
    return root


def _deny(monkeypatch, locked: Path) -> None:
    """Listing ``locked`` (a folder) or opening it (a file) fails as it does without read permission."""
    real_iterdir, real_open = Path.iterdir, Image.open

    def iterdir(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    def image_open(fp, *args, **kwargs):
        if isinstance(fp, (str, Path)) and Path(fp) == locked:
            raise PermissionError(13, "Permission denied", str(fp))
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    monkeypatch.setattr(Image, "open", image_open)


def test_system_files_are_skipped_and_counted_and_other_suffixes_named(tmp_path):
    root = _folder(tmp_path / "d")
    (root / "cat" / "._im0.png").write_bytes(APPLEDOUBLE)  # what macOS leaves on a USB stick or a zip
    (root / "cat" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(30))
    (root / "dog" / "Thumbs.db").write_bytes(bytes(64))
    (root / "dog" / "desktop.ini").write_text("[.ShellClassInfo]\n")
    Image.new("RGB", (16, 16)).save(root / "dog" / "icon.ico")
    (root / "dog" / "photo.heic").write_bytes(b"\x00\x00\x00\x18ftypheic")
    report = scan_image_folder(root)
    assert report.problems == [] and report.counts == {"cat": 5, "dog": 5}
    system = [n for n in report.notes if "hidden or system file" in n]
    assert len(system) == 1 and system[0].startswith("4 hidden or system files skipped, not images"), report.notes
    assert all(name in system[0] for name in ("._im0.png", ".DS_Store", "Thumbs.db")), system
    other = [n for n in report.notes if "not read (suffix" in n]
    assert len(other) == 1 and other[0].startswith("2 files in class folders not read (suffix .heic, .ico;"), other
    assert "dog/icon.ico" in other[0] and "dog/photo.heic" in other[0]
    assert len(load_dataset(str(root), "train", size=8)) == 8  # none of them is read


def test_an_animated_gif_is_read_by_its_first_frame_and_noted(tmp_path):
    root = _folder(tmp_path / "d")
    frames = [Image.new("RGB", (16, 12), colour) for colour in ((250, 0, 0), (0, 250, 0), (0, 0, 250))]
    frames[0].save(root / "cat" / "anim.gif", save_all=True, append_images=frames[1:], duration=50, loop=0)
    notes = [n for n in scan_image_folder(root).notes if n.startswith("1 animated")]
    assert notes == [f"1 animated or multi-page image, only the first frame read: {root / 'cat' / 'anim.gif'}"]
    from nesyasp.data.pixels import read_image

    first = read_image(root / "cat" / "anim.gif", 4)
    assert first[..., 0].min() > 200 and first[..., 1:].max() < 30  # the red first frame


def test_empty_and_appledouble_files_named_as_an_image_say_what_they_are(tmp_path, capsys):
    from nesyasp.neural.images import read_image

    root = _folder(tmp_path / "d")
    (root / "cat" / "empty.png").write_bytes(b"")
    assert scan_image_folder(root).problems == [
        f"{root / 'cat' / 'empty.png'}: unreadable image (an empty file (0 bytes), not an image)"]
    with pytest.raises(DataError, match=r"empty\.png: cannot read the image: an empty file \(0 bytes\)"):
        load_dataset(str(root), "train", size=8, workers=1)
    (tmp_path / "._im0.jpg").write_bytes(APPLEDOUBLE)
    with pytest.raises(DataError, match=r"\._im0\.jpg: cannot read the image \(a macOS AppleDouble file \(the "
                                        r"metadata macOS writes beside 'im0\.jpg' on other disks\), not an image\)"):
        read_image(tmp_path / "._im0.jpg", 8)


def test_a_class_folder_that_cannot_be_read_is_a_problem_and_the_rest_is_still_checked(tmp_path, monkeypatch):
    root = _folder(tmp_path / "d")
    (root / "bird").mkdir()
    (root / "dog" / "im1.png").write_bytes(b"")  # found after the locked folder: checked too
    _deny(monkeypatch, root / "bird")
    report = scan_image_folder(root)
    assert report.problems[0] == f"{root / 'bird'}: cannot read the folder (permission denied: check its permissions)"
    assert len(report.problems) == 2 and "dog/im1.png: unreadable image (an empty file" in report.problems[1]
    with pytest.raises(DataError, match=r"bird: cannot read the folder \(permission denied"):
        load_dataset(str(root), "train", size=8, workers=1)
    assert main(["data", "check", str(root)]) == 1  # one line each, not a PermissionError that stops the check


def test_an_image_that_cannot_be_opened_names_the_permission(tmp_path, monkeypatch):
    root = _folder(tmp_path / "d")
    locked = root / "cat" / "im2.png"
    _deny(monkeypatch, locked)
    assert scan_image_folder(root).problems == [f"{locked}: unreadable image (permission denied: check its permissions)"]
    with pytest.raises(DataError, match=r"im2\.png: cannot read the image: permission denied: check its permissions"):
        load_dataset(str(root), "train", size=8, workers=1)


def test_the_cache_signature_of_a_folder_with_an_entry_it_cannot_look_at(tmp_path, monkeypatch):
    from nesyasp.neural.data import _folder_signature

    root = _folder(tmp_path / "d")
    locked = str(root / "cat" / "im3.png")
    real_stat, real_lstat = os.stat, os.lstat

    def stat(path, *args, **kwargs):  # as in a folder that can be listed but not entered (r, no x)
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    def lstat(path, *args, **kwargs):
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "lstat", lstat)
    assert _folder_signature(root)[0] == 10  # was a PermissionError, before the folder was read to say so


def test_training_names_every_unreadable_file_at_once_first_in_folder_order(tmp_path):
    root = _folder(tmp_path / "d", n=6)
    for name in ("cat/im0.png", "dog/im3.png"):
        (root / name).write_bytes(b"")
    (root / "cat" / "im1.png").write_text("not an image")
    with pytest.raises(DataError) as info:
        load_dataset(str(root), "train", size=8, workers=1)
    message = info.value.message
    assert message.startswith(f"{root / 'cat' / 'im0.png'}: cannot read the image: an empty file (0 bytes)"), message
    assert message.endswith(f"(and 2 more files that cannot be read: {root / 'cat' / 'im1.png'}, "
                            f"{root / 'dog' / 'im3.png'}; nesyasp data check on the data folder says why for each)")


def test_a_class_folder_behind_a_broken_link_is_refused_not_left_out(tmp_path):
    root = _folder(tmp_path / "d")
    (root / "bird").symlink_to(tmp_path / "unmounted" / "bird")  # a class folder on a drive that is not there
    (root / "loop").symlink_to("loop")
    problems = scan_image_folder(root).problems
    assert problems == [f"{root / name}: a broken symbolic link to {target} (its target is missing or a loop): the "
                        f"class '{name}' would be left out; mount or restore its folder, or remove the link"
                        for name, target in (("bird", tmp_path / "unmounted" / "bird"), ("loop", "loop"))]
    with pytest.raises(DataError, match="bird: a broken symbolic link to .*the class 'bird' would be left out"):
        load_dataset(str(root), "train", size=8)  # was: trained on cat and dog alone


def test_masks_with_an_upper_case_suffix_are_read_and_a_turned_photo_is_named_in_the_size_problem(tmp_path):
    root = _folder(tmp_path / "data" / "images").parent
    (root / "concepts.txt").write_text("ear\n")
    (root / "masks" / "cat").mkdir(parents=True)
    mask = np.zeros((12, 16), np.uint8)
    mask[:6] = 1
    Image.fromarray(mask).save(root / "masks" / "cat" / "im0.PNG")  # as Windows tools and cameras write it
    report = scan_image_folder(root)
    assert report.problems == [] and report.masks == 1, report.problems
    s = load_dataset(str(root), "train", size=8, workers=1)
    assert s.mask_of(0, "ear")[:4].all() and not s.mask_of(0, "ear")[4:].any()  # was all background
    Image.fromarray(mask).save(root / "masks" / "cat" / "im0.png")  # both: the exact name is the mask
    assert scan_image_folder(root).problems == [f"{root / 'masks' / 'cat' / 'im0.PNG'}: not read: im0.png is the "
                                                f"mask of im0.png"]
    photo = Image.fromarray(np.zeros((16, 12, 3), np.uint8))  # stored 12 wide, shown 16 wide
    exif = photo.getexif()
    exif[0x0112] = 6
    photo.save(root / "images" / "cat" / "photo.jpg", exif=exif)
    Image.fromarray(np.zeros((16, 12), np.uint8)).save(root / "masks" / "cat" / "photo.png")  # drawn as stored
    hint = "(upright: its EXIF orientation turns it, and the mask must be drawn on the upright photo)"
    problems = scan_image_folder(root).problems
    assert problems[1:] == [f"{root / 'masks' / 'cat' / 'photo.png'}: mask is 12x16 but its image is 16x12 {hint}"]
    with pytest.raises(DataError, match=r"photo\.png: mask is 12x16, its image is 16x12 \(upright: its EXIF"):
        load_dataset(str(root), "train", size=8, workers=1)


@pytest.mark.parametrize("where", ["", "images"])
def test_a_data_folder_or_its_images_folder_that_cannot_be_read_is_one_problem(tmp_path, monkeypatch, where):
    root = _folder(tmp_path / "d" / "images").parent
    locked = root / where if where else root
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != locked and real_access(path, mode))
    message = f"{locked}: cannot read the folder (permission denied: check its permissions)"
    assert scan_image_folder(root).problems == [message]  # was a PermissionError out of Path.is_dir
    with pytest.raises(DataError, match=r"cannot read the folder \(permission denied"):
        load_dataset(str(root), "train", size=8)


def test_netpbm_grey_and_jfif_files_are_images(tmp_path):
    from nesyasp.neural.images import image_paths

    root = tmp_path / "faces"  # as the ORL / AT&T faces are shipped: one folder of .pgm files per person
    for c, person in enumerate(("s1", "s2")):
        (root / person).mkdir(parents=True)
        for k, suffix in enumerate((".pgm", ".pbm", ".pnm", ".jfif", ".PGM")):
            im = Image.fromarray(np.full((12, 10), 40 + 100 * c + k, np.uint8))
            im.convert("1" if suffix == ".pbm" else "L").save(root / person / f"f{k}{suffix}",
                                                               format="JPEG" if suffix == ".jfif" else "PPM")
    report = scan_image_folder(root)
    assert report.problems == [] and report.counts == {"s1": 5, "s2": 5}, report.problems  # were empty classes
    assert len(load_dataset(str(root), "train", size=8)) == 8
    assert [p.suffix for p in image_paths([root / "s1"])] == [".pgm", ".pbm", ".pnm", ".jfif", ".PGM"]


def test_a_class_count_out_of_range_names_the_data_classes():
    from nesyasp.data.classes import resolve_classes

    with pytest.raises(DataError, match=r"between 1 and 2, got 5: the data has 2 classes \(even, odd\)"):
        resolve_classes(("even", "odd"), 5)
    assert resolve_classes(("even", "odd"), 1) == ("even",)
