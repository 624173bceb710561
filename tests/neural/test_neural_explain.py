"""``nesyasp explain`` and ``NesyModel.explain`` on a tiny trained run: the classes evaluate counts, and why."""

from __future__ import annotations

import doctest
import json
import re

import numpy as np
import pytest
import torch
from PIL import Image

from nesyasp.cli import main
from nesyasp.errors import DataError
from nesyasp.lang import parse_file, parse_program
from nesyasp.neural.binarize import FilterTable
from nesyasp.neural.nesy import predict_classes
from nesyasp.neural.nesymodel import NesyModel
from nesyasp.neural.run import evaluate_run, extract_run, load_run
from nesyasp.neural.train import train
from nesyasp.reason import check_justification, node_to_dict


def _uint8(x: torch.Tensor) -> np.ndarray:
    """Images back from the training scaling ``(x/255 - 0.5)/0.25``, channels last."""
    return np.round((x.permute(0, 2, 3, 1).numpy() * 0.25 + 0.5) * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory, toy_splits, make_config):
    """A trained, extracted and evaluated run, and its test split written as PNG files."""
    root = tmp_path_factory.mktemp("explain")
    out = root / "run"
    train(make_config("ne", epochs=3), out, splits=toy_splits, progress=False)
    run = load_run(out)
    extract_run(run, toy_splits)
    evaluate_run(run, toy_splits)
    pngs = root / "pngs"
    pngs.mkdir()
    for ident, image in zip(toy_splits[1].ids, _uint8(toy_splits[1].x)):
        Image.fromarray(image).save(pngs / f"{ident}.png")
    return out, pngs


def _counted(run_dir) -> dict[str, str | None]:
    """The class evaluate counts for each test image (the reasoner over tables/test.npz)."""
    table = FilterTable.from_npz(run_dir / "tables" / "test.npz")
    pred = predict_classes(parse_file(run_dir / "rules.lp"), table.values, table.class_names)
    return {i: (table.class_names[p] if p >= 0 else None) for i, p in zip(table.ids, pred)}


def test_explain_gives_every_test_image_the_class_evaluate_counted(toy_run, tmp_path, capsys):
    run_dir, pngs = toy_run
    pics = tmp_path / "pics"
    assert main(["explain", str(run_dir), str(pngs), "--format", "json", "--out", str(pics)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    want = _counted(run_dir)
    assert [d["id"] for d in lines] == sorted(want)  # a folder is read in sorted order
    assert {d["id"]: d["class"] for d in lines} == want
    metrics = json.loads((run_dir / "evaluation.json").read_text())
    labels = FilterTable.from_npz(run_dir / "tables" / "test.npz")
    right = sum(d["class"] == labels.class_names[y] for d, y in zip(lines, labels.labels))
    assert right / len(lines) == pytest.approx(metrics["nesy_accuracy"])
    assert sorted(p.name for p in pics.iterdir()) == sorted(f"{i}.png" for i in want)  # one picture per image
    first = lines[0]
    assert first["query"] == f"target({first['id']},X)" and first["program"] == "rules.lp"
    for d in lines:
        for answer in d["answers"]:
            assert set(answer) == {"atom", "bindings", "justification"}
            assert set(answer["justification"]) == {"literal", "holds", "because", "rule", "children"}
        assert Image.open(d["picture"]).size[0] > 0


def test_api_trees_validate_against_the_reasoners_model(toy_run):
    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    found = list(model.explain_files(sorted(pngs.iterdir()), why_not=["class1"], batch_size=7))
    assert len(found) == 18
    for _, e in found:
        for atom, _, node in e.answers + e.why_not:
            assert check_justification(node, e.reasoner.model()) == []
        assert e.why_not[0][0] == f"target({e.id},class1)"
        assert (e.tree is None) == (e.prediction is None)
        assert e.tree is None or e.tree.literal == f"target({e.id},{e.prediction})"
        for lit in e.literals:
            assert lit.holds == (lit.filter in e.active) and lit.map.ndim == 2
            assert lit.strength == 1.0 if lit.holds else lit.strength <= 1.0


def test_explain_takes_files_of_any_size_pil_images_and_arrays(toy_run, tmp_path):
    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    path = pngs / "img_0007.png"
    e = model.explain(path)
    assert e.id == "img_0007" and e.source == str(path) and e.image.shape == (16, 16, 3)
    assert e.prediction == _counted(run_dir)["img_0007"]
    assert e.to_dict()["answers"] == [{"atom": a, "bindings": b, "justification": node_to_dict(n)}
                                      for a, b, n in e.answers]
    big = tmp_path / "Big Photo.jpg"
    Image.open(path).resize((40, 24)).save(big)
    e2 = model.explain(big)
    assert e2.id == "big_photo" and e2.image.shape == (16, 16, 3)
    array = np.asarray(Image.open(path))
    assert model.explain(array, image_id="a").facts() == e.facts().replace("img_0007", "a")
    assert model.explain(Image.open(path)).prediction == e.prediction
    with pytest.raises(DataError, match="not a class of this run"):
        model.explain(path, why_not=["kitchen"])


def test_unreadable_files_are_named_and_skipped(toy_run, tmp_path, capsys):
    run_dir, pngs = toy_run
    (tmp_path / "broken.png").write_text("not an image")
    args = ["explain", str(run_dir), str(pngs / "img_0000.png"), str(tmp_path / "broken.png"),
            str(tmp_path / "missing.jpg"), str(pngs / "img_0001.png"), "--format", "json", "--no-pictures"]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["img_0000", "img_0001"]
    assert "broken.png: cannot read the image" in err and "missing.jpg: no such file" in err
    assert "2 of 4 images could not be read" in err
    assert main(["explain", str(run_dir), str(pngs), "--why-not", "kitchen"]) == 1
    assert "DataError: cannot explain why not 'kitchen': not a class of this run (class0, class1, class2)" in \
        capsys.readouterr().err
    assert main(["explain", str(tmp_path), str(pngs)]) == 1
    assert "not a run folder" in capsys.readouterr().err
    before = sorted(p.name for p in run_dir.rglob("*"))
    assert main(["explain", str(run_dir), str(run_dir)]) == 1  # a run folder is no picture folder
    assert "a run folder, not pictures to explain" in capsys.readouterr().err
    assert sorted(p.name for p in run_dir.rglob("*")) == before


def test_facts_out_runs_with_rules_lp_in_query_and_plain_clingo(toy_run, tmp_path, capsys):
    import clingo

    run_dir, pngs = toy_run
    facts = tmp_path / "facts.lp"
    assert main(["explain", str(run_dir), str(pngs), "--no-pictures", "--facts-out", str(facts)]) == 0
    text = capsys.readouterr().out
    assert f"facts of 18 images in {facts}" in text
    one = tmp_path / "one.lp"
    assert main(["explain", str(run_dir), str(pngs / "img_0003.png"), "--no-pictures", "--facts-out", str(one)]) == 0
    assert f"facts of 1 image in {one}" in capsys.readouterr().out  # said "1 images"
    assert "_example(img_0003).\n" in facts.read_text()
    want = {i: c for i, c in _counted(run_dir).items() if c is not None}
    assert main(["query", str(run_dir / "rules.lp"), str(facts), "-q", "target(X,C)"]) == 0
    rows = [line.split("    ")[0] for line in capsys.readouterr().out.splitlines() if line.startswith("target(")]
    assert sorted(rows) == sorted(f"target({i},{c})" for i, c in want.items())
    ctl = clingo.Control(["--warn=none"])
    rules = "".join(line for line in (run_dir / "rules.lp").read_text().splitlines(True)
                    if not line.startswith("#pred"))  # annotations are for the reasoner's English
    ctl.add("base", [], rules + facts.read_text())
    ctl.ground([("base", [])])
    with ctl.solve(yield_=True) as handle:
        model = next(iter(handle))
        derived = {str(s.arguments[0]): str(s.arguments[1]) for s in model.symbols(atoms=True) if s.name == "target"}
    assert derived == want


def test_text_and_html_formats(toy_run, tmp_path, capsys):
    run_dir, pngs = toy_run
    out = tmp_path / "why"
    assert main(["explain", str(run_dir), str(pngs / "img_0000.png"), "--out", str(out), "--why-not", "class2"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{pngs / 'img_0000.png'}: ") and "(the CNN says " in text
    assert "why not target(img_0000,class2):" in text or "target(img_0000,class2) holds:" in text
    assert f"picture: {out / 'img_0000.png'}" in text
    assert main(["explain", str(run_dir), str(pngs), "--out", str(out), "--format", "html"]) == 0
    assert f"wrote {out / 'explained.html'} (18 images" in capsys.readouterr().out
    page = (out / "explained.html").read_text()
    assert page.count("src='data:image/png;base64,") == 18
    # no URL: "http" alone turns up by chance inside base64 pictures (this test failed so), ":" never does
    assert not re.search(r"(?:https?|ftp|file):", page, re.IGNORECASE)
    assert main(["explain", str(run_dir), str(out), "--out", str(out)]) == 1  # pictures are not read back
    assert f"DataError: no image files in {out}" in capsys.readouterr().err
    image = tmp_path / "img_0001.png"
    image.write_bytes((pngs / "img_0001.png").read_bytes())
    assert main(["explain", str(run_dir), str(image), "--out", str(tmp_path)]) == 0  # never over the image
    assert image.read_bytes() == (pngs / "img_0001.png").read_bytes()
    assert f"picture: {tmp_path / 'img_0001_explained.png'}" in capsys.readouterr().out


def test_no_class_explains_why_not_the_cnns(toy_run):
    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    model.program = parse_program("target(X,class0) :- f0(X), not f0(X).")  # never applies
    e = model.explain(pngs / "img_0000.png")
    assert e.prediction is None and e.answers == ()
    assert e.why_not[0][0] == f"target(img_0000,{e.cnn_prediction})" and not e.why_not[0][2].holds
    assert e.text().splitlines()[0].endswith(f"no class (no rule applies)   (the CNN says {e.cnn_prediction})")


def test_image_paths_ids_and_errors(tmp_path):
    from nesyasp.neural.explain import image_ids
    from nesyasp.neural.images import image_paths, read_image

    for name in ("b/2.png", "a.JPG", "b/1.png", ".hidden/x.png", "notes.txt", "out/o.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert [p.relative_to(tmp_path).as_posix() for p in image_paths([tmp_path], exclude=[tmp_path / "out"])] == \
        ["a.JPG", "b/1.png", "b/2.png"]
    assert image_ids(["Kitchen 01", "kitchen_01", "42", "not"]) == ["kitchen_01", "kitchen_01_2", "img_42", "img_not"]
    assert image_ids(["Café Ünïcode", "厨房", "-x"]) == ["cafe_unicode", "img", "x"]  # accents dropped
    with pytest.raises(DataError, match="a.JPG: cannot read the image"):
        read_image(tmp_path / "a.JPG", 16)
    with pytest.raises(DataError, match="/dev/null: a device or a pipe, not an image"):
        read_image("/dev/null", 16)


def test_explain_reads_every_image_kind_as_training_does(tmp_path):
    from nesyasp.data.pixels import read_image as _read_image
    from nesyasp.neural.images import read_image, to_uint8

    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8))
    deep = rng.integers(0, 65536, (12, 10)).astype(np.uint16)
    images = {"grey.png": rgb.convert("L"), "palette.png": rgb.convert("P"), "rgba.png": rgb.convert("RGBA"),
              "deep.png": Image.fromarray(deep), "cmyk.jpg": rgb.convert("CMYK"), "anim.gif": rgb.convert("P"),
              "page.tiff": rgb}
    for name, im in images.items():
        im.save(tmp_path / name)
    for name in images:
        assert np.array_equal(read_image(tmp_path / name, 8), _read_image(tmp_path / name, 8)), name
    want = np.rint(deep / 257.0).astype(np.uint8)
    assert np.array_equal(read_image(tmp_path / "deep.png", None)[..., 0], want)  # 16 bits scaled, not clipped
    assert np.array_equal(to_uint8(np.repeat(deep[..., None], 3, axis=2), None)[..., 1], want)
    assert np.array_equal(to_uint8(want.astype(np.int32), None)[..., 2], want)  # other ints: 8-bit values


def test_inputs_named_twice_broken_links_and_outputs_among_the_images(toy_run, tmp_path, capsys):
    run_dir, pngs = toy_run
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a b.png").write_bytes((pngs / "img_0002.png").read_bytes())
    neighbour = (pngs / "img_0003.png").read_bytes()
    (photos / "a_b.png").write_bytes(neighbour)  # a user's image named as the picture of 'a b.png' would be
    (photos / "gone.png").symlink_to("nowhere.png")
    args = ["explain", str(run_dir), str(photos / "a b.png"), str(photos / "a b.png"), f"{photos}/./a b.png",
            "--out", str(photos)]
    for _ in range(2):  # a second run draws over its own pictures, and still never over the image
        assert main(args) == 0
        out = capsys.readouterr().out
        assert [line for line in out.splitlines() if line.startswith(str(photos))] == \
            [line for line in out.splitlines() if line.startswith(f"{photos / 'a b.png'}: ")][:1]  # explained once
        assert out.count("picture: ") == 1 and f"picture: {photos / 'a_b_explained.png'}" in out
        assert (photos / "a_b.png").read_bytes() == neighbour
    assert sorted(p.name for p in photos.iterdir()) == ["a b.png", "a_b.png", "a_b_explained.png", "gone.png"]
    assert main(["explain", str(run_dir), str(photos), "--no-pictures", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(line)["image"] for line in out.splitlines()] == \
        [str(photos / n) for n in ("a b.png", "a_b.png", "a_b_explained.png")]
    assert f"{photos / 'gone.png'}: a broken symbolic link" in err and "1 of 4 images could not be read" in err
    assert main(["explain", str(run_dir), str(photos / "a b.png"), "--facts-out", str(photos / "a_b.png")]) == 1
    assert "--facts-out" in capsys.readouterr().err and (photos / "a_b.png").read_bytes() == neighbour
    old = run_dir / "explained" / "a_b.png"  # the run's own folder: an older picture (untagged) is replaced
    old.parent.mkdir(exist_ok=True)
    old.write_bytes(neighbour)
    assert main(["explain", str(run_dir), str(photos / "a b.png")]) == 0
    assert f"picture: {old}" in capsys.readouterr().out and old.read_bytes() != neighbour
    old.unlink()


def test_a_file_name_with_a_newline_or_markup_is_pictured_and_its_facts_still_parse(toy_run, tmp_path, capsys):
    import clingo

    run_dir, pngs = toy_run
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("new\nline.png", "<b>x&y'\"<i>.png"):
        (photos / name).write_bytes((pngs / "img_0004.png").read_bytes())
    facts = tmp_path / "facts.lp"
    assert main(["explain", str(run_dir), str(photos), "--format", "html", "--out", str(tmp_path / "why"),
                 "--facts-out", str(facts)]) == 0
    assert f"{photos}/new\\nline.png: " in capsys.readouterr().out
    assert f"% {photos}/new\\nline.png\n" in facts.read_text()
    page = (tmp_path / "why" / "explained.html").read_text()
    assert "&lt;b&gt;x&amp;y" in page and "<b>x" not in page
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], facts.read_text())
    ctl.ground([("base", [])])  # the comment of each image stays one line


@pytest.mark.parametrize("module", ["nesyasp.neural.explain", "nesyasp.neural.images", "nesyasp.neural.nesy",
                                    "nesyasp.neural.progress"])
def test_doctests(module):
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0


def test_wrong_inputs_of_the_image_api_name_what_is_expected(toy_run):
    from nesyasp.errors import WrongTypeError

    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    for bad in (None, 3, torch.zeros(16, 16, 3)):
        with pytest.raises(WrongTypeError, match=r"expected an image \(a path, a PIL image or an \(H, W, 3\) array\)"):
            model.explain(bad)
    for bad in (str(pngs / "img_0007.png"), [1, 2], torch.zeros(3, 16, 16)):
        with pytest.raises(WrongTypeError, match=r"expected a float tensor \[N, 3, H, W\]"):
            model.predict(bad)
    one = model.tensor([model.image(pngs / "img_0007.png")])
    assert model.predict(one).shape == (1,)
    pixels = model.image(pngs / "img_0007.png")
    with pytest.raises(DataError, match=r"values in \[0, 1\], got values from .*; divide by 255"):
        model.explain(pixels.astype(np.float64))  # 0..255 floats were clipped to a white image
    assert model.explain(pixels / 255.0).prediction == model.explain(pixels).prediction


def test_threads_sharing_one_model_get_their_own_filter_maps(toy_run, in_threads):
    """The filter layer's output was kept on the model, so a thread could take another's maps
    (or none: 'did not give 4-D filter maps')."""
    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    paths = sorted(pngs.iterdir())
    alone = {p.name: model.explain(p).text() for p in paths}
    got: dict[str, str] = {}

    def work(part: list) -> None:
        for _ in range(3):
            for p in part:
                got[p.name] = model.explain(p).text()

    assert in_threads(work, [paths[k::4] for k in range(4)]) == [] and got == alone


def test_why_not_classes_named_with_accents_quotes_or_spaces(toy_run):
    """A class name that is a clingo string (``"grün"``) is asked in clingo's syntax, not JSON's (``"gr\\u00fcn"``
    was a ParseError), both for --why-not and for the CNN's class when no rule applies."""
    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    model.class_names = ("grün", 'say "hi" \\o/', "red things")
    model.program = parse_program('target(X,"grün") :- f0(X), not f0(X).\n'
                                  'target(X,"say \\"hi\\" \\\\o/") :- f0(X), not f0(X).\n'
                                  'target(X,"red things") :- f0(X), not f0(X).')
    e = model.explain(pngs / "img_0001.png", why_not=model.class_names)
    assert [atom for atom, _, _ in e.why_not] == \
        ['target(img_0001,"grün")', 'target(img_0001,"say \\"hi\\" \\\\o/")', 'target(img_0001,"red things")']
    assert not any(node.holds for _, _, node in e.why_not)
    fallback = model.explain(pngs / "img_0001.png").why_not  # no rule applies: why not the CNN's class
    assert len(fallback) == 1 and fallback[0][0] in [atom for atom, _, _ in e.why_not]


def test_a_folder_is_read_through_its_symbolic_links_to_folders_each_once(tmp_path):
    """Training reads a class folder that is a symbolic link; explain read the folder and skipped its images."""
    from nesyasp.neural.images import image_paths

    photos, elsewhere = tmp_path / "photos", tmp_path / "elsewhere"
    for name in ("photos/cat/a.png", "elsewhere/dog/b.png", "elsewhere/dog/c.jpg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (photos / "dog").symlink_to(elsewhere / "dog")
    (photos / "dog again").symlink_to(elsewhere / "dog")  # the same folder by a second name: read once
    (photos / "cat" / "loop").symlink_to(photos)  # a loop: not walked again
    (photos / ".hidden").symlink_to(elsewhere / "dog")
    found = [p.relative_to(photos).as_posix() for p in image_paths([photos])]
    assert found == ["cat/a.png", "dog/b.png", "dog/c.jpg"]  # sub-folders in sorted order: 'dog' first
    assert [p.name for p in image_paths([photos], exclude=[elsewhere / "dog"])] == ["a.png"]


def test_arrays_and_pil_images_read_as_their_files_or_fail_with_one_data_error(tmp_path, recwarn):
    """A truncated file opened lazily by PIL raised a bare OSError; integers outside 0..255 were clipped
    silently; NaN gave a warning and a message 'from nan to nan'; object arrays a bare TypeError, ragged lists
    a bare ValueError; ``(H, W, 1)`` grey arrays were refused. A bool array (``np.asarray`` of a 1-bit image)
    reads as its file does."""
    from nesyasp.neural.images import read_image, to_uint8

    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8))
    rgb.convert("1").save(tmp_path / "bw.png")
    with Image.open(tmp_path / "bw.png") as im:
        assert np.array_equal(to_uint8(np.asarray(im), None), read_image(tmp_path / "bw.png", None))
    grey = rng.integers(0, 256, (12, 10), dtype=np.uint8)
    assert np.array_equal(to_uint8(grey[..., None], None), to_uint8(grey, None))
    assert np.array_equal(to_uint8(np.stack([grey, grey // 2], axis=2), None), to_uint8(grey, None))  # alpha
    rgb.save(tmp_path / "full.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "full.png").read_bytes()[:200])
    with Image.open(tmp_path / "cut.png") as lazy:
        with pytest.raises(DataError, match="cut.png: cannot read the image"):
            to_uint8(lazy, 8)
    bad = {"integer image holds 8-bit values 0 to 255, got values from -5 to 300": np.array([[[-5, 300, 0]]]),
           "float image holds values in \\[0, 1\\], got NaN or infinite values": np.full((2, 2, 3), np.nan),
           "holds numbers .* got dtype object": np.zeros((2, 2, 3), dtype=object),
           "must be \\(H, W, 3\\) pixels, got a ragged sequence": [[1, 2], [3]]}
    for message, array in bad.items():
        with pytest.raises(DataError, match=message):
            to_uint8(array, None)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_api_ids_class_names_and_paths_given_as_users_write_them(toy_run, tmp_path):
    """``explain(image, image_id="Kitchen 01")`` and ``explain_many(images, ids)`` with ids that are not ASP
    constants raised a ParseError of the internal query; ``why_not="class1"`` was read letter by letter
    ('c' is not a class), ``explain_files("a.png")`` path by character; ``explanation_picture`` into a
    folder or a missing folder raised a bare OSError."""
    from nesyasp.label.explanation import explanation_picture

    run_dir, pngs = toy_run
    model = NesyModel.from_run(run_dir)
    image = model.image(pngs / "img_0002.png")
    e = model.explain(image, why_not="class1", image_id="Kitchen 01")
    assert e.id == "kitchen_01" and [atom for atom, _, _ in e.why_not] == ["target(kitchen_01,class1)"]
    found = list(model.explain_many([image] * 3, ids=["a b", 'a"b', "a_b"], why_not="class2"))
    assert [x.id for x in found] == ["a_b", "a_b_2", "a_b_3"] and [x.source for x in found] == ["a b", 'a"b', "a_b"]
    assert len({x.prediction for x in found}) == 1
    one = list(model.explain_files(str(pngs / "img_0002.png"), why_not="class0"))
    assert [(p.name, x.prediction) for p, x in one] == [("img_0002.png", e.prediction)]
    for where in (tmp_path, tmp_path / "missing" / "x.png"):
        with pytest.raises(DataError, match="cannot write the picture"):
            explanation_picture(e, where)


@pytest.mark.parametrize("model", ["vgg16", "resnet18"])
def test_the_papers_backbones_train_extract_and_explain_a_new_picture_on_the_cpu(model, tmp_path):
    """VGG16 (from random weights: with BatchNorm) and ResNet-18 at 32 px, one epoch on 12 images: the run
    extracts, and a grey picture of another size and aspect ratio gets a class the rules give and its reasons."""
    pytest.importorskip("torchvision")
    from types import SimpleNamespace

    from nesyasp.neural.config import TrainConfig, strategy
    from nesyasp.neural.data import split_from_imageset
    from nesyasp.neural.models import resolve_model

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 4)
    images = rng.integers(0, 60, (12, 32, 32, 3), dtype=np.uint8)
    for i, c in enumerate(labels):
        images[i, 8 * c:8 * c + 12, :, c] = 230
    split = split_from_imageset(SimpleNamespace(images=images, labels=labels, ids=[f"im{i}" for i in range(12)],
                                                class_names=("a", "b", "c")))
    config = TrainConfig(data="toy", classes=3, per_class=4, size=32, epochs=1, batch_size=6,
                         model=resolve_model(model), seed=0, strategy=strategy("ts3"))
    out = tmp_path / "run"
    train(config, out, splits=(split, split), progress=False)
    run = load_run(out)
    extract_run(run, (split, split))
    explanation = NesyModel.from_run(run).explain(Image.fromarray(images[5]).convert("L").resize((50, 20)))
    assert explanation.prediction in ("a", "b", "c")
    assert explanation.text().startswith(f"<image>: {explanation.prediction}")


def test_facts_out_is_checked_first_and_no_temporary_file_is_left(toy_run, tmp_path, capsys, monkeypatch):
    """``--facts-out FOLDER`` or a file in a missing folder failed only after every image was explained,
    naming ``FOLDER.tmp`` and leaving that file behind; a failure mid-run left ``FILE.tmp`` beside the user's
    files, and a user's own ``FILE.tmp`` was overwritten."""
    import nesyasp.cli.commands.explain as command

    run_dir, pngs = toy_run
    user = tmp_path / "mine"
    user.mkdir()
    args = ["explain", str(run_dir), str(pngs / "img_0001.png"), "--no-pictures", "--facts-out"]
    assert main(args + [str(user)]) == 1
    assert "--facts-out " + str(user) + ": a folder; name the facts file" in capsys.readouterr().err
    assert main(args + [str(tmp_path / "none" / "f.lp")]) == 1
    assert "its folder " + str(tmp_path / "none") + " does not exist" in capsys.readouterr().err
    (user / "f.lp.tmp").write_text("the user's")

    def fail(*_):
        raise DataError("the disk is full")

    monkeypatch.setattr(command, "_print", fail)
    assert main(args + [str(user / "f.lp")]) == 1
    assert "the disk is full" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    assert [p.name for p in user.iterdir()] == ["f.lp.tmp"] and (user / "f.lp.tmp").read_text() == "the user's"


def test_out_may_be_the_folder_of_the_images_and_never_replaces_the_users_page(toy_run, tmp_path, capsys):
    """``explain RUN photos --out photos`` said 'no image files in photos' (the output folder was left out of
    the input folder it is); ``--format html`` wrote over a user's own ``explained.html``."""
    run_dir, pngs = toy_run
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("a.png", "b.png"):
        (photos / name).write_bytes((pngs / "img_0001.png").read_bytes())
    (photos / "explained.html").write_text("<p>the user's page</p>")
    args = ["explain", str(run_dir), str(photos), "--out", str(photos), "--format", "html"]
    for _ in range(2):  # the second run explains the photos again, not the pictures of the first
        assert main(args) == 0
        out = capsys.readouterr().out
        assert [line.split(":")[0] for line in out.splitlines()[:2]] == [str(photos / "a.png"), str(photos / "b.png")]
        assert f"wrote {photos / 'explained_2.html'} (2 images" in out
    assert sorted(p.name for p in photos.iterdir()) == ["a.png", "a_explained.png", "b.png", "b_explained.png",
                                                        "explained.html", "explained_2.html"]
    assert (photos / "explained.html").read_text() == "<p>the user's page</p>"
