"""Opening every image of a folder once, in worker processes from 200 files on: what ``data check`` needs of each."""

from __future__ import annotations

from pathlib import Path

from nesyasp.data._pool import worker_count, worker_pool
from nesyasp.data.pixels import UNREADABLE, exif_orientation, frame_count, open_image, unreadable_reason, upright_size

__all__ = ["Probe", "probe", "probe_all"]

#: What :func:`probe` finds of one image: upright size, mode, the reason it cannot be read, EXIF-turned, frames.
Probe = tuple[tuple[int, int] | None, str, str | None, bool, int]


def probe(path: str) -> Probe:
    """Upright image size, mode, the reason it cannot be read (the file is fully decoded), EXIF-turned or not,
    and its number of frames (animated or multi-page: only the first is read)."""
    try:
        with open_image(path) as im:
            im.load()
            return upright_size(im), im.mode, None, exif_orientation(im) != 1, frame_count(im)
    except UNREADABLE as exc:
        return None, "", f"{path}: unreadable image ({unreadable_reason(path, exc)})", False, 1


def _probe_chunk(paths: list[str]) -> list[Probe]:
    return [probe(p) for p in paths]


def probe_all(files: list[Path]) -> dict[Path, Probe]:
    """:func:`probe` of every file (worker processes from 200 files on, a progress bar on a terminal)."""
    from tqdm import tqdm

    n_workers = worker_count(len(files), None)
    step = 64
    chunks = [[str(f) for f in files[i:i + step]] for i in range(0, len(files), step)]
    out: list = []
    with tqdm(total=len(files), desc="checking images", unit="img", leave=False,
              disable=None if len(files) >= 200 else True) as bar:
        if n_workers == 1:
            for chunk in chunks:
                out += _probe_chunk(chunk)
                bar.update(len(chunk))
        else:
            with worker_pool(n_workers) as pool:
                for part in pool.map(_probe_chunk, chunks):
                    out += part
                    bar.update(len(part))
    return dict(zip(files, out))
