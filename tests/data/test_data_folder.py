"""Users' folders: loading in fixed order, masks and concepts, splits, and `nesyasp data check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nesyasp.cli import main
from nesyasp.data import ImageSet, check_image_folder, load_dataset, load_image_folder
from nesyasp.data.check import scan_image_folder
from nesyasp.errors import DataError


def _write(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def make_folder(root: Path, classes=("cat", "dog"), n: int = 6, size: int = 20, masks: bool = True) -> Path:
    rng = np.random.default_rng(0)
    for c, name in enumerate(classes):
        for k in range(n):
            img = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
            img[..., c] = 250
            _write(root / "images" / name / f"im{k:02d}.png", img)
            if masks:
                m = np.zeros((size, size), np.uint8)
                m[: size // 2] = 1 + (k % 2)
                _write(root / "masks" / name / f"im{k:02d}.png", m)
    if masks:
        (root / "concepts.txt").write_text("ear\n# a comment\ntail\n")
    return root


def test_load_image_folder_reads_classes_in_sorted_order_with_masks(tmp_path):
    root = make_folder(tmp_path / "d")
    s = load_image_folder(root / "images", size=16, masks_dir=root / "masks")
    assert isinstance(s, ImageSet) and s.class_names == ("cat", "dog") and len(s) == 12
    assert s.ids[:2] == ("cat_im00", "cat_im01") and s.images.shape == (12, 16, 16, 3)
    assert s.concept_names == ("ear", "tail") and s.masks.shape == (12, 1, 16, 16)
    assert s.mask_of(0, "ear")[:8].all() and not s.mask_of(0, "ear")[8:].any()
    assert s.mask_of(1, "tail")[:8].all() and s.mask_stack(1).shape == (2, 16, 16)
    assert s.images[7, ..., 1].min() >= 240  # dog images have a bright green channel
    assert check_image_folder(root) == []


def test_a_folder_without_split_folders_puts_every_fifth_image_in_test(tmp_path):
    root = make_folder(tmp_path / "d", n=10)
    train = load_dataset(str(root), "train", size=12)
    test = load_dataset(str(root), "test", size=12)
    assert len(train) == 16 and len(test) == 4
    assert test.ids == ("cat_im04", "cat_im09", "dog_im04", "dog_im09") and not set(train.ids) & set(test.ids)
    first = load_dataset(str(root), "train", classes=["dog"], per_class=3, size=12)
    assert first.ids == ("dog_im00", "dog_im01", "dog_im02")


def test_split_folders_are_used_when_present(tmp_path):
    root = tmp_path / "d"
    for split, n in (("train", 3), ("test", 2)):
        for name in ("cat", "dog"):
            for k in range(n):
                _write(root / "images" / split / name / f"{split}{k}.png", np.zeros((10, 10, 3), np.uint8))
    s = load_dataset(str(root), "test", size=8)
    assert len(s) == 4 and s.class_names == ("cat", "dog") and s.ids[0] == "test_cat_test0"
    assert len(load_dataset(str(root), "train", size=8)) == 6
    with pytest.raises(DataError, match="not a folder"):
        load_image_folder(root / "nothing")
    with pytest.raises(DataError, match="no class folders"):
        load_image_folder(root / "images" / "test" / "cat")


def make_broken(root: Path) -> Path:
    make_folder(root, n=3)
    (root / "images" / "cat" / "im01.png").write_bytes(b"not an image at all")
    _write(root / "masks" / "dog" / "im02.png", np.zeros((7, 9), np.uint8))
    (root / "images" / "bird").mkdir()
    return root


def test_check_reports_a_broken_image_a_wrong_size_mask_and_an_empty_class(tmp_path):
    problems = check_image_folder(make_broken(tmp_path / "d"))
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "im01.png: unreadable image" in text
    assert "dog/im02.png: mask is 9x7 but its image is 20x20" in text
    assert "class 'bird' is empty" in text


def test_check_finds_unknown_mask_values_and_bad_concept_names(tmp_path):
    root = make_folder(tmp_path / "d", n=2)
    _write(root / "masks" / "cat" / "im00.png", np.full((20, 20), 7, np.uint8))
    (root / "concepts.txt").write_text("Ear\ntail\ntail\n")
    text = "\n".join(check_image_folder(root))
    assert "mask values 7 have no concept" in text and "'Ear' is not a lowercase name" in text
    assert "repeated concept names: tail" in text
    with pytest.raises(DataError, match="mask value 7 has no concept"):
        load_image_folder(root / "images", masks_dir=root / "masks", concepts_file=root / "concepts.txt")


def test_cli_check_prints_every_problem_and_exits_1(tmp_path, capsys):
    root = make_broken(tmp_path / "d")
    assert main(["data", "check", str(root)]) == 1
    out = capsys.readouterr()
    assert out.out.count("error: ") == 3 and "3 problems" in out.out and "Traceback" not in out.out + out.err
    assert main(["data", "check", str(make_folder(tmp_path / "ok"))]) == 0
    assert "ok: no problems found" in capsys.readouterr().out


def test_cli_check_in_a_subprocess_has_no_traceback(tmp_path):
    root = make_broken(tmp_path / "d")
    r = subprocess.run([sys.executable, "-m", "nesyasp", "data", "check", str(root)], capture_output=True,
                       text=True)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr and r.stdout.count("error: ") == 3


def test_cli_preview_writes_a_png_and_list_names_the_sets(tmp_path, capsys):
    out = tmp_path / "grid.png"
    assert main(["data", "preview", "scenes", "--out", str(out), "--classes", "2", "--per-class", "2",
                 "--size", "16"]) == 0
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size[0] > 6 * 32 and im.size[1] > 2 * 32
    assert main(["data", "preview", "signs", "--out", str(tmp_path / "s.png"), "--classes", "stop,yield",
                 "--per-class", "1", "--size", "16"]) == 0
    assert main(["data", "list"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in ("scenes", "signs", "digits", "digits-parity"))
    assert main(["data", "list", "scenes"]) == 0 and "toilet" in capsys.readouterr().out
    assert main(["data", "preview", "scenes", "--out", str(tmp_path / "x.png"), "--classes", "attic"]) == 1
    assert "DataError: unknown class 'attic'" in capsys.readouterr().err


def test_data_list_of_a_folder_points_at_data_check(tmp_path, capsys):
    root = make_folder(tmp_path / "d", n=1, masks=False)
    assert main(["data", "list", str(root)]) == 1
    err = capsys.readouterr().err
    assert "unknown data set" not in err and f"nesyasp data check {root}" in err and "scenes" in err
    assert main(["data", "list", str(tmp_path / "nothing")]) == 1
    assert "unknown data set" in capsys.readouterr().err


def test_preview_never_writes_over_a_users_image_but_over_its_own_preview(tmp_path, capsys):
    from nesyasp.data.preview import is_preview_picture

    photo = tmp_path / "photo.png"
    _write(photo, np.full((8, 8, 3), 200, np.uint8))
    before = photo.read_bytes()
    argv = ["data", "preview", "scenes", "--classes", "1", "--per-class", "1", "--size", "16", "--out"]
    assert main(argv + [str(photo)]) == 1
    err = capsys.readouterr().err.strip()
    assert photo.read_bytes() == before and len(err.splitlines()) == 1
    assert "not a preview nesyasp wrote" in err and "delete" in err
    out = tmp_path / "grid.png"
    assert main(argv + [str(out)]) == 0 and is_preview_picture(out) and not is_preview_picture(photo)
    assert main(argv + [str(out), "--scale", "1"]) == 0  # its own preview is written again


def test_preview_of_a_user_folder(tmp_path):
    root = make_folder(tmp_path / "d", n=5)
    assert main(["data", "preview", str(root), "--out", str(tmp_path / "f.png"), "--per-class", "2",
                 "--size", "16"]) == 0
    assert (tmp_path / "f.png").stat().st_size > 100


def test_preview_of_a_small_folder_says_what_it_shows(tmp_path, capsys):
    from nesyasp.data import load_dataset
    from nesyasp.data.preview import preview_grid

    root = make_folder(tmp_path / "d", n=2)
    assert main(["data", "preview", str(root), "--out", str(tmp_path / "f.png"), "--per-class", "4",
                 "--size", "16"]) == 0
    shown = load_dataset(str(root), size=16)
    counts = sorted(set(np.bincount(shown.labels).tolist()))
    said = f"{counts[0]} images each" if len(counts) == 1 else f"{counts[0]} to {counts[-1]} images each"
    assert said in capsys.readouterr().out
    assert preview_grid(shown, per_class=4).size == preview_grid(shown, per_class=max(counts)).size


def test_concept_and_random_sets_of_a_folder(tmp_path):
    from nesyasp.data import concept_images, random_images

    root = make_folder(tmp_path / "d", n=4)
    for k in range(3):
        _write(root / "concepts" / "ear" / f"c{k}.png", np.full((12, 12, 3), 40 * k, np.uint8))
    ears = concept_images(str(root), "ear", n=5, size=8)
    assert ears.shape == (5, 8, 8, 3) and [int(x[0, 0, 0]) for x in ears] == [0, 40, 80, 0, 40]
    with pytest.raises(DataError, match="no images for concept 'tail'"):
        concept_images(str(root), "tail", n=2)
    r0, r1 = random_images(str(root), n=4, size=8, index=0), random_images(str(root), n=4, size=8, index=1)
    assert r0.shape == (4, 8, 8, 3) and not np.array_equal(r0, r1)
    _write(root / "concepts" / "random_0" / "a.png", np.full((12, 12, 3), 7, np.uint8))
    assert int(random_images(str(root), n=2, size=8, index=0).max()) == 7
    assert "2 concept folders" in scan_image_folder(root).summary()  # ear, random_0


def test_check_reports_broken_links_stray_masks_and_files_it_would_not_read(tmp_path):
    root = make_folder(tmp_path / "d", n=3)
    cat = root / "images" / "cat"
    (cat / "gone.png").symlink_to("nowhere.png")
    (cat / "loop1.png").symlink_to("loop2.png")
    (cat / "loop2.png").symlink_to("loop1.png")
    _write(cat / "sub" / "deeper.png", np.zeros((20, 20, 3), np.uint8))
    for k in (0, 1):
        (root / "masks" / "cat" / f"im0{k}.png").unlink()
    _write(root / "masks" / "cat" / "im01.jpg", np.zeros((20, 20), np.uint8))   # masks are read as <stem>.png
    (root / "masks" / "cat" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")     # not a mask: left alone
    _write(root / "masks" / "cow" / "im00.png", np.zeros((20, 20), np.uint8))    # no class 'cow'
    report = scan_image_folder(root)
    text = "\n".join(report.problems)
    assert len(report.problems) == 5, text
    for name in ("gone.png", "loop1.png", "loop2.png"):
        assert f"cat/{name}: a broken symbolic link" in text
    assert "masks/cow: mask folder without a class folder of images" in text
    assert "cat/im01.jpg: not read: a mask is the PNG file im01.png" in text
    notes = "\n".join(report.notes)
    assert "1 image in sub-folders of class folders, not read" in notes and "sub/deeper.png" in notes
    assert "2 images without a mask, read as all background" in notes and "cat/im00.png" in notes
    assert report.masks == 4  # dog's three and cat's im02
    loose = make_folder(tmp_path / "loose", classes=("cat",), n=2, masks=False) / "images" / "cat"
    assert check_image_folder(loose) == [f"{loose}: no class folders (expected {loose}/<class>/<image>); "
                                         "its 2 images must go into one folder per class"]


def test_photos_are_read_upright_by_their_exif_orientation(tmp_path):
    root = make_folder(tmp_path / "d", n=3, masks=False)
    photo = Image.fromarray(np.arange(20 * 10 * 3, dtype=np.uint8).reshape(10, 20, 3))  # 20 wide, 10 high
    exif = photo.getexif()
    exif[0x0112] = 6  # stored sideways: shown turned by 90 degrees clockwise
    path = root / "images" / "cat" / "photo.jpg"
    photo.save(path, exif=exif, quality=95)
    from nesyasp.data.pixels import read_image as _read_image
    from nesyasp.neural.images import read_image

    upright = _read_image(path, None)
    assert upright.shape == (20, 10, 3) and np.array_equal(upright, read_image(path, None))
    with Image.open(path) as im:
        assert np.array_equal(upright, np.asarray(im.transpose(Image.Transpose.ROTATE_270).convert("RGB")))
    report = scan_image_folder(root)
    assert any("1 image with an EXIF orientation, turned upright" in n for n in report.notes), report.notes
    _write(root / "masks" / "cat" / "photo.png", np.zeros((20, 10), np.uint8))   # drawn on the upright photo
    (root / "concepts.txt").write_text("ear\n")
    assert not [p for p in check_image_folder(root) if "photo" in p]
    s = load_image_folder(root / "images", size=8, masks_dir=root / "masks", concepts_file=root / "concepts.txt")
    assert s.images.shape == (7, 8, 8, 3)


def test_a_class_too_small_for_a_test_image_is_noted_and_named_when_loading(tmp_path):
    root = make_folder(tmp_path / "d", n=6, masks=False)
    for k in range(1, 6):
        (root / "images" / "cat" / f"im{k:02d}.png").unlink()
    report = scan_image_folder(root)
    assert not report.problems
    assert any("class 'cat' has 1 image, too few to train on" in n for n in report.notes), report.notes
    assert len(load_dataset(str(root), split="train", size=8).labels) == 6  # cat's one image, dog's five
    with pytest.raises(DataError, match="class 'cat' has 1 image, none in this split: without split folders"):
        load_dataset(str(root), split="test", size=8)


def test_an_image_over_pils_pixel_limit_is_named_not_an_internal_error(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "d", n=5, masks=False)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 150)  # 20x20 images are over twice the limit: a "bomb"
    with pytest.raises(DataError, match=r"im00\.png: cannot read the image: too large: 400 pixels, over the 300 "
                                        r"that PIL reads \(its guard against decompression bombs\); make it smaller"):
        load_dataset(str(root), split="train", size=8, workers=1)
    assert "im00.png: unreadable image (too large: 400 pixels" in check_image_folder(root)[0]


def test_an_image_over_pils_warning_limit_is_read_without_its_warning_and_noted(tmp_path, monkeypatch):
    import warnings

    from nesyasp.neural.images import read_image

    root = make_folder(tmp_path / "d", n=5, masks=True)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)  # 20x20 images: over the warning limit, under twice it
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PIL's DecompressionBombWarning printed two raw lines on stderr
        assert len(load_dataset(str(root), split="train", size=8, workers=1)) == 8
        assert read_image(root / "images" / "cat" / "im00.png", 8).shape == (8, 8, 3)
        report = scan_image_folder(root)
    assert not report.problems, report.problems
    assert any(n.startswith("10 images over 300 pixels (PIL's decompression-bomb warning): read, but")
               for n in report.notes), report.notes


def test_a_class_named_train_is_a_class_not_a_split_folder(tmp_path):
    root = make_folder(tmp_path / "d", classes=("bus", "car", "train"), n=5, masks=False)
    s = load_dataset(str(root), split="train", size=8)
    assert s.class_names == ("bus", "car", "train") and s.ids[-1] == "train_im03"
    assert load_dataset(str(root), split="test", size=8).ids == ("bus_im04", "car_im04", "train_im04")
    assert check_image_folder(root) == []
    for split in ("train", "test"):  # a split folder holds class folders, even one named train
        _write(tmp_path / "s" / "images" / split / "train" / "im00.png", np.zeros((8, 8, 3), np.uint8))
    assert load_dataset(str(tmp_path / "s"), split="test", size=8).ids == ("test_train_im00",)


def test_float_and_32_bit_images_are_scaled_not_saturated(tmp_path):
    from nesyasp.data.pixels import read_image as _read_image

    ramp = np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)
    Image.fromarray(ramp).save(tmp_path / "float.tif")                      # mode F, values in [0, 1]
    Image.fromarray((ramp.astype(np.float64) * (2**31 - 1)).astype(np.int32)).save(tmp_path / "wide.tif")  # mode I
    want = np.rint(ramp * 255)
    for name in ("float.tif", "wide.tif"):
        got = _read_image(tmp_path / name, None)[..., 0].astype(float)
        assert np.abs(got - want).max() <= 1, name
    root = make_folder(tmp_path / "d", n=5, masks=False)
    (tmp_path / "float.tif").rename(root / "images" / "cat" / "float.tif")
    assert any("1 32-bit float image" in n for n in scan_image_folder(root).notes)


def test_check_notes_masks_put_next_to_their_images(tmp_path):
    root = make_folder(tmp_path / "d", n=5, masks=False)
    for name in ("im00_mask.png", "im01-seg.png", "im02_gt.png", "other_mask.png"):  # other: no image 'other'
        _write(root / "images" / "cat" / name, np.zeros((20, 20), np.uint8))
    notes = [n for n in scan_image_folder(root).notes if "named like the mask" in n]
    assert len(notes) == 1 and notes[0].startswith("3 images named like the mask of another image"), notes
    assert "im00_mask.png" in notes[0] and "other_mask.png" not in notes[0]


def test_hidden_folders_and_macosx_are_not_classes_and_check_says_so(tmp_path):
    root = make_folder(tmp_path / "d", masks=False)
    junk = [root / "images" / "__MACOSX" / "cat", root / "images" / ".git" / "objects",
            root / "images" / ".ipynb_checkpoints"]
    for folder in junk:
        _write(folder / "._im00.png", np.zeros((20, 20, 3), np.uint8))
    _write(root / "images" / "__MACOSX" / "im99.png", np.zeros((20, 20, 3), np.uint8))
    s = load_image_folder(root / "images", size=16)
    assert s.class_names == ("cat", "dog") and len(s) == 12
    assert load_dataset(str(root), "train", size=12).class_names == ("cat", "dog")
    report = scan_image_folder(root)
    assert report.problems == [] and sorted(report.counts) == ["cat", "dog"]
    ignored = [n for n in report.notes if "ignored, not classes" in n]
    assert len(ignored) == 1 and all(str(p.parent if p.name == "objects" or p.name == "cat" else p) in ignored[0]
                                     for p in junk)


def test_with_split_folders_ignored_folders_beside_and_inside_them_are_noted(tmp_path):
    for split in ("train", "test"):
        for name in ("cat", "dog"):
            _write(tmp_path / split / name / "a.png", np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "__MACOSX" / "train").mkdir(parents=True)
    (tmp_path / "train" / ".ipynb_checkpoints").mkdir()
    report = scan_image_folder(tmp_path)
    assert report.problems == [] and sorted(report.counts) == ["test/cat", "test/dog", "train/cat", "train/dog"]
    ignored = [n for n in report.notes if "ignored, not classes" in n]
    assert len(ignored) == 2 and "__MACOSX" in ignored[0] and ".ipynb_checkpoints" in ignored[1]


def test_palette_images_with_transparency_are_read_without_pils_warning(tmp_path):
    """A palette PNG with per-entry transparency printed PIL's 'Palette images with Transparency expressed in
    bytes should be converted to RGBA images' UserWarning on stderr for every command that read it."""
    import warnings

    from nesyasp.data.folder import to_rgb

    rng = np.random.default_rng(0)
    for c in ("a", "b"):
        (tmp_path / c).mkdir()
        for k in range(5):
            im = Image.fromarray(rng.integers(0, 256, (9, 7, 3), dtype=np.uint8)).convert("P", colors=16)
            im.save(tmp_path / c / f"{k}.png", transparency=bytes([0, 128] + [255] * 14))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = load_image_folder(tmp_path, size=7)
        with Image.open(tmp_path / "a" / "0.png") as im:
            assert im.mode == "P" and isinstance(im.info["transparency"], bytes)
            upright = np.asarray(to_rgb(im))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Image.open(tmp_path / "a" / "0.png") as im:
            assert np.array_equal(upright, np.asarray(im.convert("RGB")))  # the same pixels as before
    assert got.images.shape == (10, 7, 7, 3)


def test_images_loose_beside_a_class_folder_are_refused_not_ignored(tmp_path, capsys):
    root = make_folder(tmp_path / "d", classes=("sub",), n=5, masks=False)
    for k in range(3):
        _write(root / "images" / f"loose{k}.png", np.zeros((20, 20, 3), np.uint8))
    for split in ("train", "test"):
        with pytest.raises(DataError, match=r"3 images lie loose beside the folder sub .*classes are sub-folders"):
            load_dataset(str(root), split, size=16)
    assert main(["train", "--data", str(root), "--out", str(tmp_path / "run"), "--epochs", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "3 images lie loose" in err
    assert any("3 images lie loose" in p for p in scan_image_folder(root).problems)


def test_images_loose_beside_split_folders_are_refused(tmp_path):
    root = make_folder(tmp_path / "d", n=5, masks=False)
    images = root / "images"
    (images / "train").mkdir()
    for c in ("cat", "dog"):
        (images / c).rename(images / "train" / c)
        _write(images / "test" / c / "t.png", np.zeros((20, 20, 3), np.uint8))
    _write(images / "stray.png", np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(DataError, match=r"1 image lies loose beside the 2 folders train, test.*<split>/<class>"):
        load_dataset(str(root), "train", size=16)
    assert any("1 image lies loose" in p for p in scan_image_folder(root).problems)
    (images / "stray.png").unlink()
    assert len(load_dataset(str(root), "train", size=16).labels) == 10 and not scan_image_folder(root).problems

