"""Pictures and the self-contained HTML report."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pytest

from nesyasp.label import FilterConcepts, label_filters
from nesyasp.label.pictures import overlay, plot_concept_scores, plot_top_activations
from nesyasp.label.report import LabelRow, ReportContent, data_uri, render_report, write_report
from nesyasp.errors import DataError


def _small():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 255, (4, 16, 16, 3), dtype=np.uint8)
    maps = rng.random((4, 2, 4, 4))
    masks = np.zeros((4, 2, 16, 16), bool)
    masks[:, 0, :8] = True
    masks[:, 1, 8:] = True
    recs = {r.filter: r for r in label_filters(maps, masks, ["sky", "sea"], [0, 1], top_m=2)}
    return images, maps, recs


def _is_png(path: Path) -> bool:
    return path.read_bytes().startswith(b"\x89PNG")


def test_overlay_shape_and_range():
    images, maps, _ = _small()
    out = overlay(images[0], maps[0, 0])
    assert out.shape == (16, 16, 3) and out.min() >= 0 and out.max() <= 1
    assert np.allclose(overlay(images[0], np.zeros((4, 4))), images[0] / 255.0)
    with pytest.raises(DataError):
        overlay(images[0, :, :, 0], maps[0, 0])


def test_pictures_are_pngs(tmp_path):
    images, maps, recs = _small()
    top = plot_top_activations(tmp_path / "top.png", images, maps, {"a": 0, "b": 1}, recs, {0: "sky1"})
    bars = plot_concept_scores(tmp_path / "bars.png", recs[0], "sky1", margin=0.05)
    empty = plot_concept_scores(tmp_path / "empty.png", FilterConcepts(9, ()))
    assert all(_is_png(p) for p in (top, bars, empty))
    with pytest.raises(DataError):
        plot_top_activations(tmp_path / "x.png", images, maps, {"a": 5}, recs)
    with pytest.raises(DataError):
        plot_top_activations(tmp_path / "x.png", images, maps, {}, recs)


def _referenced(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*['"]([^'"]*)['"]""", page)


def test_report_is_self_contained(tmp_path):
    images, maps, recs = _small()
    pic = plot_concept_scores(tmp_path / "bars.png", recs[0], "sky1")
    content = ReportContent(
        title="run <ts3>", summary={"strategy": "ts3", "classes": ["a", "b"]},
        raw_rules="target(X,a) :- f0(X).\n", labelled_rules="target(X,a) :- sky1(X).\n",
        metrics={"test": {"accuracy": 0.91234, "fidelity": 0.9}, "rules": 1},
        labels=[LabelRow(0, "sky1", ("sky",), recs[0].scores)], pictures=[("filter 0", pic)],
        justifications=[("img1", "'target' holds (for img1, and a)")])
    path = write_report(tmp_path / "report.html", content)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"(?:https?|ftp|file):", page, re.IGNORECASE)  # no URL (base64 has no ":")
    refs = _referenced(page)
    assert refs and all(r.startswith("data:image/png;base64,") for r in refs)
    assert base64.b64decode(refs[0].split(",", 1)[1]) == pic.read_bytes()
    assert "run &lt;ts3&gt;" in page and "sky1(X)" in page and "0.9123" in page
    assert "&#x27;target&#x27; holds" in page


def test_report_leaves_out_empty_sections():
    page = render_report(ReportContent(title="t"))
    assert "<h2>" not in page and page.startswith("<!DOCTYPE html>")


def test_data_uri_rejects_missing_and_non_png(tmp_path):
    with pytest.raises(DataError, match="cannot read"):
        data_uri(tmp_path / "nope.png")
    (tmp_path / "x.png").write_text("hello")
    with pytest.raises(DataError, match="not a PNG"):
        data_uri(tmp_path / "x.png")


def test_label_package_imports_neither_torch_nor_matplotlib():
    import subprocess
    import sys

    code = ("import sys, nesyasp.label; assert 'torch' not in sys.modules, 'torch';"
            "assert 'matplotlib' not in sys.modules, 'matplotlib'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_top_activations_marks_filters_that_are_evidence_against(tmp_path):
    images, maps, recs = _small()
    a = plot_top_activations(tmp_path / "a.png", images, maps, {"a": 0, "b": 1}, recs, {1: "sea1"})
    b = plot_top_activations(tmp_path / "b.png", images, maps, {"a": 0, "b": 1}, recs, {1: "sea1"}, against={"b"})
    assert a.read_bytes() != b.read_bytes()  # the title of row b reads "b: not f1 = not sea1"


def test_explanation_pictures_draw_accented_and_cyrillic_letters():
    """PIL's default font drew 'ü', 'é' and 'ж' as the same box: a class 'grün' or a file 'café.jpg' was
    captioned with boxes in every explanation picture. Each letter now has a glyph of its own."""
    import subprocess
    import sys

    from nesyasp.label.explanation import _font

    font = _font(12)

    def glyph(text: str) -> tuple:
        mask = font.getmask(text)
        return mask.size, bytes(np.asarray(mask).tobytes())

    shapes = [glyph(c) for c in "uüéжe"]
    assert len(set(shapes)) == len(shapes)
    code = ("import sys; from nesyasp.label.explanation import _font; _font(12);"
            "assert 'matplotlib' not in sys.modules, 'matplotlib'")
    subprocess.run([sys.executable, "-c", code], check=True)  # the font file is found without importing it


def test_report_is_written_over_an_earlier_report_but_never_over_a_users_file(tmp_path):
    """``report -o mine.html`` wrote over any file of that name: a user's own page was lost."""
    from nesyasp.label.report import is_report_page

    mine = tmp_path / "mine.html"
    mine.write_text("<html><body>my notes</body></html>", encoding="utf-8")
    with pytest.raises(DataError, match="not a report nesyasp wrote"):
        write_report(mine, ReportContent(title="run a"))
    assert mine.read_text(encoding="utf-8") == "<html><body>my notes</body></html>"
    with pytest.raises(DataError, match="is a folder"):
        write_report(tmp_path, ReportContent(title="run a"))
    page = write_report(tmp_path / "report.html", ReportContent(title="run a"))
    assert is_report_page(page)
    write_report(page, ReportContent(title="run b"))  # an earlier report is written again
    assert "run b" in page.read_text(encoding="utf-8")
    old = tmp_path / "old.html"  # a report written before pages carried their generator tag
    old.write_text(render_report(ReportContent(title="nesyasp run r1")).replace(
        "<meta name='generator' content='nesyasp report'>", ""), encoding="utf-8")
    assert is_report_page(old) and not is_report_page(mine) and not is_report_page(tmp_path / "none.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.html", "old.html", "report.html"]  # no temp file


def test_report_page_parses_as_balanced_html_with_names_escaped(tmp_path):
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open, self.bad, self.text = [], [], []

        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "img"):
                self.open.append(tag)

        def handle_endtag(self, tag):
            if not self.open or self.open.pop() != tag:
                self.bad.append(tag)

        def handle_data(self, data):
            self.text.append(data)

    images, maps, recs = _small()
    pic = plot_concept_scores(tmp_path / "bars.png", recs[0], "sky1")
    name = "<b>&\"'x"
    page = render_report(ReportContent(title=f"run {name}", summary={name: name}, labelled_rules=name,
                                       labels=[LabelRow(0, "b1", (name,), {name: 1.0})],
                                       pictures=[(name, pic)], justifications=[(name, name)]))
    parser = Tags()
    parser.feed(page)
    parser.close()
    assert parser.open == [] and parser.bad == []
    assert "".join(parser.text).count(name) >= 6 and "<b>" not in page


def test_pictures_draw_dollar_signs_and_missing_letters_without_failing_or_warning(tmp_path, recwarn):
    """A concept '$\\frac{$' (mathtext to matplotlib) stopped labelling with a ValueError, and a
    concept in letters the font lacks (CJK) printed matplotlib's UserWarnings on stderr."""
    images, maps, _ = _small()
    names = ("$\\frac{$", "日本")
    rec = FilterConcepts(0, names, {n: 0.5 for n in names}, top_images=(0, 1))
    assert _is_png(plot_concept_scores(tmp_path / "bars.png", rec, "c1", margin=0.05))
    assert _is_png(plot_top_activations(tmp_path / "top.png", images, maps, {"$x$ 日本": 0}, {0: rec}, {0: "c1"}))
    assert not [w for w in recwarn if "Glyph" in str(w.message)]


def test_an_unlabelled_run_shows_its_raw_rules_alone():
    """The page of an unlabelled run showed an empty 'labelled' box beside the raw rules."""
    page = render_report(ReportContent(title="t", raw_rules="a."))
    assert "<h3>raw</h3><pre>a.</pre>" in page and "labelled" not in page
