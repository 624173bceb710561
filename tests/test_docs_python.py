"""Every Python block of README.md and docs/*.md runs as written (after a prelude that makes the
names and files it takes for granted: ``rules.lp``, ``x, y``, a run folder).

``benchmarks/docs_tour.py`` runs only the first block of each page; this covers the others.
A new Python block must get an entry in ``PRELUDES`` (the test says so), so that none is left
unrun. Each block runs in a fresh interpreter in a temporary folder.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from docs_tour import code_blocks  # noqa: E402

RULES = """target(X,bedroom)  :- bed(X), not ab1(X).
target(X,bathroom) :- toilet(X).
target(X,bathroom) :- sink(X), not bed(X).
ab1(X) :- sink(X), toilet(X).
target(X,kitchen) :- f145(X), not f398(X).
p(a). p(b) :- p(a).
#pred target(X,Y) :: '@(X) is a @(Y)'.
"""
FILES = ("from pathlib import Path\n"
         f"Path('rules.lp').write_text({RULES!r})\n"
         "Path('facts.lp').write_text('sink(img1). toilet(img1).')\n")
TABLES = ("import shutil; from pathlib import Path\n"
          f"shutil.copytree({str(ROOT / 'examples' / 'tables')!r}, 'examples/tables')\n")
RUN = ("import subprocess, sys\n"
       "from nesyasp.data import load_dataset\n"
       "from PIL import Image\n"
       "for argv in (['train', '--data', 'scenes', '--classes', '3', '--size', '32', '--per-class', '8',\n"
       "              '--test-per-class', '4', '--epochs', '1', '--pretrain-epochs', '0', '--out', 'runs/explain'],\n"
       "             ['extract', 'runs/explain']):\n"
       "    subprocess.run([sys.executable, '-m', 'nesyasp', *argv], check=True, capture_output=True)\n"
       "s = load_dataset('scenes', 'test', classes=3, per_class=1, size=32)\n"
       "Image.fromarray(s.images[2]).save('kitchen.png')\n")

# (page, n-th Python block of the page) -> (prelude, why it is slow or "")
PRELUDES = {
    ("README.md", 0): (FILES + "Path('rooms.lp').write_text(Path('rules.lp').read_text())\n", ""),
    ("docs/data.md", 0): ("", ""),
    ("docs/data.md", 1): ("from nesyasp.data import load_dataset\n"
                          "train = load_dataset('scenes', split='train', classes=3, per_class=4, size=16)\n",
                          "reads 3000 scenes at 64 px (13 s); tests/data/test_data_torch.py covers TorchImageSet"),
    ("docs/explaining.md", 0): (RUN, "trains and extracts a run first; tests/neural/test_neural_explain.py "
                                     "covers NesyModel.explain"),
    ("docs/learning.md", 0): (TABLES, ""),
    ("docs/lth.md", 0): ("import torch\ntorch.manual_seed(0)\n"
                         "x, y = torch.rand(16, 3, 28, 28), torch.randint(0, 2, (16,))\n", ""),
    ("docs/reasoning.md", 0): (FILES + "import numpy as np\nvalues = np.array([[1, 0], [0, 1]])\n", ""),
    ("docs/rule-language.md", 0): (FILES, ""),
}


def python_blocks() -> list[tuple[str, int, int, str]]:
    """``(page, index among the page's Python blocks, line, code)`` of every Python block."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        name = page.relative_to(ROOT).as_posix()
        blocks = [(start, body) for lang, start, body in code_blocks(page.read_text(encoding="utf-8"))
                  if lang == "python"]
        found += [(name, k, start, "\n".join(body) + "\n") for k, (start, body) in enumerate(blocks)]
    return found


BLOCKS = python_blocks()


def test_every_python_block_has_a_prelude():
    assert {(page, k) for page, k, _, _ in BLOCKS} == set(PRELUDES)


def _params() -> list:
    out = []
    for page, k, line, code in BLOCKS:
        prelude, slow = PRELUDES.get((page, k), ("", ""))
        marks = [pytest.mark.slow] if slow else []
        out.append(pytest.param(prelude, code, id=f"{page}:{line}", marks=marks))
    return out


@pytest.mark.parametrize("prelude, code", _params())
def test_the_block_runs_as_written(prelude, code, tmp_path):
    if "torch" in code + prelude or "nesyasp.neural" in code:
        pytest.importorskip("torch")
    script = tmp_path / "block.py"
    script.write_text(prelude + "\n# ---- the block, as written\n" + code, encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "HOME": str(tmp_path / "home"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, textwrap.indent(done.stderr[-3000:], "    ")
